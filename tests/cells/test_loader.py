"""BMTK loader vs. the direct NetPyNE-style reference, on synthetic cells (NEURON in subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import cellfixtures

fixture_source = cellfixtures.fixture_source  # shared fixtures (no conftest.py in this folder)
fixture_components = cellfixtures.fixture_components

LOADER = """
import json
from neuron import h
from sonata_s1.mechanisms import load_mechanisms
load_mechanisms()  # the fixtures use only hh/pas, but ca_ion exists only once a mechanism uses it
from sonata_s1.cells import loader
from sonata_s1.cells.builder import cell_metrics
loader.configure(**{cfg})
c = loader.load_cell({name!r}, {bio!r}, {morph!r})
out = cell_metrics(c.all)
out["names"] = [s.name().split(".")[-1] for s in c.all]
out["created"] = [s.name().split(".")[-1] for s in h.allsec()]
out["nseg"] = [s.nseg for s in c.all]
out["parents"] = [s.parentseg().sec.name().split(".")[-1] if s.parentseg() else None for s in c.all]
out["parent_x"] = [s.parentseg().x if s.parentseg() else None for s in c.all]
out["area"] = {{c.spec["sections"][i]["name"]: sum(seg.area() for seg in s) for i, s in enumerate(c.all)}}
out["n3d"] = [int(h.n3d(sec=s)) for s in c.all]
out["diam3d0"] = [h.diam3d(0, sec=s) if h.n3d(sec=s) else None for s in c.all]
out["lists"] = {{k: len(getattr(c, k)) for k in ("soma", "dend", "apic", "axon")}}
h.finitialize(-65)
out["v"] = [s(0.5).v for s in c.all]
out["cao"] = [s(0.5).cao if h.ismembrane("ca_ion", sec=s) else None for s in c.all]
out["cell_cao"] = c.cao
print(json.dumps(out))
"""

REFERENCE = """
import json
from neuron import h
from sonata_s1.mechanisms import load_mechanisms
load_mechanisms()
from sonata_s1.cells.reference import build_reference
from sonata_s1.cells.builder import cell_metrics
c = build_reference({path!r})
out = cell_metrics(c.all)
out["area"] = {{n: sum(seg.area() for seg in s) for n, s in c.secs.items()}}
out["created"] = [s.name().split(".")[-1] for s in h.allsec()]
h.finitialize(-65)
out["v"] = [s(0.5).v for s in c.all]
print(json.dumps(out))
"""


def _run(py, code: str) -> dict:
    proc = py(code, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load(py, comp: Path, name: str, **cfg) -> dict:
    return _run(py, LOADER.format(cfg=cfg, name=name, bio=str(comp / "biophysical_neuron_models"),
                              morph=str(comp / "morphologies")))


def test_loader_builds_the_netpyne_cell(fixture_components: Path, fixture_source: Path, mech_dir: Path, py) -> None:
    from cellfixtures import ball_and_stick

    rule = ball_and_stick()
    got = _load(py, fixture_components, "bs")
    ref = _run(py, REFERENCE.format(path=str(fixture_source / "cells" / "bs_cellParams.json")))
    all_ = rule["secLists"]["all"]
    # hobj.all in SONATA order, names BMTK can parse (type[index])
    assert got["names"] == ["soma[0]"] + [f"dend[{i}]" for i in range(len(all_) - 3)] + ["axon[0]", "axon[1]"]
    # sections created in JSON secs order (NEURON's section list = creation order)
    def netpyne_name(n):
        return n.replace("[", "_").rstrip("]").replace("soma_0", "soma")
    assert [netpyne_name(n) for n in got["created"]] == list(rule["secs"]) == ref["created"]
    assert got["nseg"] == [rule["secs"][n]["geom"]["nseg"] for n in all_]
    assert got["parents"][all_.index("dend_1")] == "dend[0]" and got["parent_x"][all_.index("dend_0")] == 0.5
    assert got["parents"][all_.index("axon_1")] == "axon[0]" and got["parent_x"][all_.index("axon_0")] == 1.0
    assert got["lists"] == {"soma": 1, "dend": len(all_) - 3, "apic": 0, "axon": 2}
    # geometry from pt3d with each section's own diameters; axon stubs are cylinders without 3D points
    assert got["n3d"][all_.index("axon_0")] == 0 and got["n3d"][all_.index("soma")] == 5
    assert abs(got["diam3d0"][all_.index("dend_1")] - 0.8) < 1e-6
    # identical to the direct NetPyNE-style instantiation, section by section
    assert (got["n_sections"], got["n_segments"]) == (ref["n_sections"], ref["n_segments"]) == (len(all_), 16)
    assert got["area"] == ref["area"]
    # extracellular Ca applied after ion initialisation: S1 ca-sections 1.2 mM by default (P1)
    assert got["cao"][all_.index("soma")] == 1.2 and got["cao"][all_.index("axon_0")] == 1.2
    assert got["cao"][all_.index("axon_1")] is None and got["cell_cao"] == 1.2
    assert set(got["v"]) == {-65.0} == set(ref["v"])


def test_cao_modes_and_thalamic_vinit(fixture_components: Path, mech_dir: Path, py) -> None:
    assert _load(py, fixture_components, "bs", cao_s1=1.5)["cao"][0] == 1.5
    assert _load(py, fixture_components, "bs", cao_mode="published-run")["cao"][0] == 2.0
    th = _load(py, fixture_components, "sXX_jv_00")
    assert th["cao"] == [2.0] and th["v"] == [-70.0]  # thalamic cao 2.0; soma vinit -70 (type-0 handler)
    assert _load(py, fixture_components, "sXX_jv_00", cao_mode="published-run")["cao"] == [2.0]


def test_unknown_mechanism_at_build_names_cell_section_mechanism(fixture_components: Path, tmp_path: Path,
                                                                 mech_dir: Path, py) -> None:
    bio = fixture_components / "biophysical_neuron_models"
    spec = json.loads((bio / "bs.json").read_text())
    spec["sections"][3]["mechs"]["NoSuchChannel"] = {"gbar": 1.0}
    (bio / "bs.json").write_text(json.dumps(spec))
    proc = py(f"""
from sonata_s1.mechanisms import load_mechanisms
load_mechanisms()
from sonata_s1.cells import loader, biophysics
try:
    loader.load_cell("bs", {str(bio)!r}, {str(tmp_path)!r})
except biophysics.CellModelError as exc:
    print("ERR", exc)
""")
    assert "ERR cell 'bs', section 'dend_2': unknown mechanism 'NoSuchChannel'" in proc.stdout, proc.stderr[-1000:]


def test_bmtk_runs_the_loader_with_dl_null(fixture_components: Path, tmp_path: Path, mech_dir: Path, py) -> None:
    """End to end through bionet: registration, model_template s1_cell:bs, nseg kept, section order, spikes."""
    comp = fixture_components
    code = f"""
import json, os
from bmtk.builder import NetworkBuilder
net = NetworkBuilder("S1")
net.add_nodes(N=1, model_type="biophysical", model_template="s1_cell:bs", dynamics_params="bs.json",
              morphology="bs.swc", x=[0.0], y=[0.0], z=[0.0])
net.build(); net.save_nodes(output_dir={str(tmp_path / 'net')!r})
cfg = {{
  "manifest": {{"$BASE": {str(tmp_path)!r}}},
  "run": {{"tstop": 60.0, "dt": 0.025, "dL": None, "spike_threshold": -10.0, "nsteps_block": 1000}},
  "conditions": {{"celsius": 34.0, "v_init": -65.0}},
  "inputs": {{"step": {{"input_type": "current_clamp", "module": "IClamp", "node_set": "all", "amp": 2.0,
              "delay": 10.0, "duration": 40.0}}}},
  "output": {{"output_dir": {str(tmp_path / 'out')!r}, "spikes_file": "spikes.h5", "log_file": "log.txt"}},
  "components": {{"mechanisms_dir": {str(mech_dir)!r}, "morphologies_dir": {str(comp / 'morphologies')!r},
                  "biophysical_neuron_models_dir": {str(comp / 'biophysical_neuron_models')!r}}},
  "networks": {{"nodes": [{{"nodes_file": {str(tmp_path / 'net' / 'S1_nodes.h5')!r},
                            "node_types_file": {str(tmp_path / 'net' / 'S1_node_types.csv')!r}}}]}},
  "node_sets": {{"all": {{"population": "S1"}}}}
}}
json.dump(cfg, open({str(tmp_path / 'config.json')!r}, "w"))
from bmtk.simulator import bionet
from sonata_s1.cells import loader
loader.register()
conf = bionet.Config.from_json({str(tmp_path / 'config.json')!r}, validate=True)
conf.build_env()
graph = bionet.BioNetwork.from_config(conf)
sim = bionet.BioSimulator.from_config(conf, network=graph)
cell = graph.get_local_cells()[0]
loader.check_nseg(cell.hobj)
names = [s.name().split(".")[-1] for s in cell.hobj.all]
sim.run()
import h5py

ts = h5py.File({str(tmp_path / 'out' / 'spikes.h5')!r}, "r")["spikes/S1/timestamps"][()]
print("RESULT", json.dumps({{"n": len(ts), "names": names[:3], "type": type(cell.hobj).__name__}}))
"""
    proc = py(code, timeout=180)
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")]
    assert line, (proc.stdout[-1500:], proc.stderr[-2500:])
    res = json.loads(line[0][7:])
    assert res["type"] == "S1Cell" and res["names"] == ["soma[0]", "dend[0]", "dend[1]"]
    assert res["n"] >= 1
