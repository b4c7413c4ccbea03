"""cell-response output contract and the validate-cells harness, on the synthetic cells (CLI subprocesses)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import cellfixtures

fixture_source = cellfixtures.fixture_source  # shared fixtures (no conftest.py in this folder)
fixture_components = cellfixtures.fixture_components

SHORT = ["--delay", "20", "--duration", "50", "--tstop", "100"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sonata_s1", *args], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"))


def test_cell_response_prints_exactly_the_json(fixture_components: Path, mech_dir: Path) -> None:
    proc = _cli("cell-response", "bs", "--components", str(fixture_components), "--amps", "0.3,2.0,2",
                "--cao", "1.5", "--json", *SHORT)
    assert proc.returncode == 0, proc.stderr[-1500:]
    result = json.loads(proc.stdout)  # stdout holds nothing but the JSON (NEURON output went to stderr)
    assert list(result) == ["cell", "cao", "n_sections", "n_segments", "area_um2", "steps"]
    assert result["cell"] == "bs" and result["cao"] == 1.5
    assert (result["n_sections"], result["n_segments"]) == (14, 16)
    assert isinstance(result["area_um2"], float) and result["area_um2"] > 0
    assert list(result["steps"]) == ["0.3", "2.0", "2"]  # keys exactly as given
    assert result["steps"]["0.3"] == [] and len(result["steps"]["2.0"]) >= 1
    assert result["steps"]["2.0"] == result["steps"]["2"]
    assert all(20.0 <= t <= 100.0 for t in result["steps"]["2.0"])


def test_thalamic_response_and_vinit(fixture_components: Path, mech_dir: Path) -> None:
    proc = _cli("cell-response", "sXX_jv_00", "--components", str(fixture_components), "--amps", "0.6", "--json", *SHORT)
    assert proc.returncode == 0, proc.stderr[-1500:]
    result = json.loads(proc.stdout)
    assert result["cao"] == 2.0 and len(result["steps"]["0.6"]) > 5


def test_unknown_cell_is_a_clear_error(fixture_components: Path) -> None:
    proc = _cli("cell-response", "bss", "--components", str(fixture_components), "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown cell model 'bss'" in proc.stderr and "Did you mean bs" in proc.stderr
    assert "ls " in proc.stderr  # says how to list the valid names
    proc = _cli("cell-response", "bs", "--components", str(fixture_components / "nowhere"), "--json")
    assert proc.returncode == 2 and "convert-cells" in proc.stderr


def test_validate_cells_compares_paths_and_resumes(fixture_source: Path, fixture_components: Path, tmp_path: Path,
                                                   mech_dir: Path) -> None:
    out = tmp_path / "val"
    args = ["validate-cells", "--source", str(fixture_source), "--components", str(fixture_components),
            "--out", str(out), "--amps", "0.6,2", "--jobs", "2", "--reference", str(tmp_path / "none.jsonl"),
            "--quiet", *SHORT]
    proc = _cli(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = list(csv.DictReader(open(out / "cells.csv")))
    assert [r["cell"] for r in rows] == ["bs", "sXX_jv_00"]
    assert all(r["status"] == "match" and r["max_abs_dt_ms"] == "0.0" for r in rows)
    assert "2 / 2 models match" in (out / "summary.md").read_text()
    assert (out / "fI.png").stat().st_size > 1000
    cached = sorted((out / "cache").glob("*.json"))
    assert len(cached) == 2
    stamps = [p.stat().st_mtime_ns for p in cached]
    assert _cli(*args).returncode == 0  # second run: served from the cache
    assert [p.stat().st_mtime_ns for p in sorted((out / "cache").glob("*.json"))] == stamps
    # a changed component invalidates exactly that model
    bio = fixture_components / "biophysical_neuron_models" / "bs.json"
    bio.write_text(bio.read_text().replace('"e":-65.0', '"e":-66.0'))
    _cli(*args)  # (may now differ from the source rule: only the cache behaviour is checked)
    assert len(list((out / "cache").glob("bs-*.json"))) == 2
