"""Real cell models from ../shared/s1_netpyne: one per e-type family + the two thalamic cells.

Geometry (sections, segments, area) on both paths and against the published values for all 13; spike times
against the published responses (docs/reference/cells.jsonl) for a few cells, through cell-response.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sonata_s1.cells.convert import convert_one
from sonata_s1.cells.validate import PUBLISHED_AREA_ATOL, REFERENCE_CELLS, compare_steps

#: one published cell per e-type family (README decision P11), + thalamic models
FAMILY_CELLS = {
    "bAC": "L5_BTC_bAC217_1", "bIR": "L4_DBC_bIR215_3", "bNAC": "L23_NGC_bNAC219_2",
    "bSTUT": "L4_DBC_bSTUT213_2", "cACint": "L23_BTC_cACint209_4", "cADpyr": "L6_TPC_L1_cADpyr231_5",
    "cIR": "L6_DBC_cIR216_1", "cNAC": "L1_NGC-SA_cNAC187_5", "cSTUT": "L5_LBC_cSTUT189_4",
    "dNAC": "L6_SBC_dNAC222_5", "dSTUT": "L23_BP_dSTUT214_2", "TC": "sTC_jv_00", "RE": "sRE_jv_00",
}
#: spike-time checks (a small cell, the numerically sensitive bIR215, a pyramidal cell)
SPIKE_CELLS = ("L23_BP_dSTUT214_2", "L4_DBC_bIR215_3", "L1_NGC-SA_cNAC187_5")


@pytest.fixture(scope="module")
def published() -> dict[str, dict]:
    if not REFERENCE_CELLS.exists():
        pytest.skip(f"published reference responses not available ({REFERENCE_CELLS})")
    return {r["cell"]: r for r in map(json.loads, REFERENCE_CELLS.read_text().splitlines()) if r}


@pytest.fixture(scope="module")
def real_components(source_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sonata_s1.cells.catalog import cell_files

    files = cell_files(source_dir)
    missing = [n for n in FAMILY_CELLS.values() if n not in files]
    if missing:
        pytest.skip(f"cell files missing from {source_dir}: {missing}")
    out = tmp_path_factory.mktemp("real") / "components"
    for name in FAMILY_CELLS.values():
        convert_one(files[name], out)
    return out


GEOMETRY = """
import json, sys
from sonata_s1.mechanisms import load_mechanisms
load_mechanisms()
from sonata_s1.cells.builder import cell_metrics
from sonata_s1.cells import loader
from sonata_s1.cells.reference import build_reference
from sonata_s1.cells.catalog import cell_files
names = {names!r}
out = {{}}
if {path!r} == "sonata":
    for n in names:
        c = loader.load_cell(n, {bio!r}, {morph!r})
        out[n] = cell_metrics(c.all) | {{"nseg": [s.nseg for s in c.all], "first": c.all[0].name().split(".")[-1]}}
else:
    files = cell_files({src!r})
    for n in names:
        c = build_reference(files[n])
        out[n] = cell_metrics(c.all) | {{"nseg": [s.nseg for s in c.all]}}
print(json.dumps(out))
"""


def _geometry(py, path: str, comp: Path, source_dir: Path) -> dict:
    code = GEOMETRY.format(names=list(FAMILY_CELLS.values()), path=path, bio=str(comp / "biophysical_neuron_models"),
                           morph=str(comp / "morphologies"), src=str(source_dir))
    proc = py(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_geometry_of_one_cell_per_family(real_components: Path, source_dir: Path, published: dict,
                                         mech_dir: Path, py) -> None:
    sonata = _geometry(py, "sonata", real_components, source_dir)
    ref = _geometry(py, "reference", real_components, source_dir)
    for family, name in FAMILY_CELLS.items():
        s, r = sonata[name], ref[name]
        assert (s["n_sections"], s["n_segments"], s["nseg"]) == (r["n_sections"], r["n_segments"], r["nseg"]), name
        assert s["area_um2"] == pytest.approx(r["area_um2"], rel=1e-12), name
        assert s["first"] == "soma[0]"
        if name in published:
            p = published[name]
            assert (s["n_sections"], s["n_segments"]) == (p["n_sections"], p["n_segments"]), name
            assert abs(s["area_um2"] - p["area_um2"]) <= PUBLISHED_AREA_ATOL, name
        if family in ("TC", "RE"):
            assert (s["n_sections"], s["n_segments"]) == (1, 1)


@pytest.mark.parametrize("name", SPIKE_CELLS)
def test_spike_times_match_published(name: str, real_components: Path, published: dict, mech_dir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sonata_s1", "cell-response", name, "--json",
                           "--components", str(real_components)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"))
    assert proc.returncode == 0, proc.stderr[-1500:]
    result = json.loads(proc.stdout)
    assert result["cao"] == 1.2
    ok, max_dt = compare_steps(result["steps"], published[name]["steps"])
    assert ok, {k: (len(v), len(published[name]["steps"][k])) for k, v in result["steps"].items()}
    assert max_dt <= 0.1, max_dt
