"""BMTK bionet's network reader loads a written circuit (subprocess: bionet imports NEURON)."""

from __future__ import annotations

import json

from synthetic import write_synthetic


def test_bionet_network_from_config(tmp_path, py):
    comps = tmp_path / "components"
    (comps / "biophysical_neuron_models").mkdir(parents=True)
    (comps / "morphologies").mkdir()
    for name in ("L23_PC_cADpyr229_1", "L23_MC_cACint209_1", "L5_TTPC2_cADpyr232_1", "sTC_jv_00", "sRE_jv_00"):
        (comps / "biophysical_neuron_models" / f"{name}.json").write_text("{}")
    out = tmp_path / "circuit"
    write_synthetic(out)
    cfg = json.loads((out / "circuit_config.json").read_text())
    cfg["manifest"]["$COMPONENTS_DIR"] = str(comps)
    (out / "circuit_config.json").write_text(json.dumps(cfg))
    code = f"""
import json
from bmtk.simulator import bionet
conf = bionet.Config.from_json({str(out / 'config.json')!r}, validate=True)
net = bionet.BioNetwork.from_config(conf)
pops = sorted(p.name for p in net.get_node_populations())
edges = sorted(e.name for e in net._edge_populations)
s1 = net.get_node_population('S1')
n = sum(1 for _ in s1.get_nodes())
print(json.dumps({{'pops': pops, 'edges': edges, 'n_s1': n}}))
"""
    proc = py(code, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["pops"] == ["S1", "background", "thalamus"]
    assert res["edges"] == ["S1__S1", "S1__thalamus", "background__S1", "thalamus__S1"]
    assert res["n_s1"] == 15
