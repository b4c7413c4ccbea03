"""check-source CLI and the deep per-cell checks (sections, geometry, mechanisms)."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import pytest
from source_synth import s1_cell, thal_cell

from sonata_s1.source import check
from sonata_s1.source.cellcheck import check_cell_rule, nmodl_suffixes


def _args(source: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    return parser.parse_args(["--source", str(source), *extra])


def test_summary_text(synth: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check.run(_args(synth, "--not-strict")) == 0
    out = capsys.readouterr().out
    assert "me-types               5" in out and "(II 1, IE 2, EI 1, EE 1; 7 NetPyNE rules)" in out
    assert "cell files            13   (S1 11, thalamic 2)" in out and "check-source: OK" in out


def test_json_and_deep(synth: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setattr(check, "MODFILES_DIR", synth / "no_mod_files")
    assert check.run(_args(synth, "--not-strict", "--json", "--deep", "--jobs", "1")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] and report["pathways_by_class"] == {"II": 1, "IE": 2, "EI": 1, "EE": 1}
    assert report["deep"]["files_checked"] == 13 and report["deep"]["nmodl"]["checked"] is False
    assert report["synapse_types"] == 7 and report["thalamic_pairs"] == 9


def test_deep_reports_bad_cell_and_missing_nmodl(synth: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    mod = synth / "mod"
    mod.mkdir()
    (mod / "pas_like.mod").write_text("NEURON {\n    SUFFIX hh2ad\n}\n")
    monkeypatch.setattr(check, "MODFILES_DIR", mod)
    (synth / "cells" / "sRE_jv_00.json").write_text("{not json")
    assert check.run(_args(synth, "--not-strict", "--deep", "--jobs", "2")) == 1
    err = capsys.readouterr().err
    assert "sRE_jv_00.json: not a valid cell JSON" in err
    assert "lacks 1 mechanism(s) the cell files use: Ih" in err


def test_invalid_data_exit_code(synth: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check.run(_args(synth)) == 1  # strict on synthetic data
    assert "invalid NetPyNE source data" in capsys.readouterr().err
    assert check.run(_args(synth.parent / "nowhere", "--json")) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_valid_cells_pass() -> None:
    assert check_cell_rule(s1_cell("L1_DAC_bNA", 2), name="c", label="L1_DAC_bNA", n_clones=2) == []
    assert check_cell_rule(thal_cell("TC"), name="t", thalamic=True) == []


def _broken(edit) -> list[str]:
    rule = copy.deepcopy(s1_cell("L1_DAC_bNA", 2))
    edit(rule)
    return check_cell_rule(rule, name="c", label="L1_DAC_bNA", n_clones=2)


@pytest.mark.parametrize("edit,message", [
    (lambda r: r["conds"].__setitem__("cellType", "L1_DAC_cNA"), "conds.cellType"),
    (lambda r: r.__setitem__("diversityFraction", 0.2), "diversityFraction: 0.2 != 1/2"),
    (lambda r: r.pop("globals"), "top level: keys"),
    (lambda r: r["secs"]["dend_0"]["geom"].__setitem__("nseg", 2), "dend_0.geom.nseg: 2 is not a positive odd integer"),
    (lambda r: r["secs"]["dend_0"]["geom"].__setitem__("L", "10.0"), "dend_0.geom.L: '10.0' is not a finite number"),
    (lambda r: r["secs"]["dend_0"]["mechs"]["Ih"].__setitem__("gIhbar", [1e-5]), "list must hold nseg=3"),
    (lambda r: r["secs"]["dend_0"]["mechs"]["pas"].__setitem__("g", float("inf")), "pas.g: inf is not a finite number"),
    (lambda r: r["secs"]["dend_0"]["mechs"].__setitem__("hh", {"gnabar": 0.1}), "mechs.hh: unknown mechanism"),
    (lambda r: r["secs"]["dend_0"]["topol"].__setitem__("parentSec", "dend_0"), "parent chain does not reach soma"),
    (lambda r: r["secs"]["dend_0"]["topol"].__setitem__("childX", 1.0), "childX: 1.0 != 0"),
    (lambda r: r["secs"]["axon_0"]["geom"].__setitem__("pt3d", [[0.0, 0.0, 0.0, 1.0]]), "axon stubs must have no pt3d"),
    (lambda r: r["secs"]["soma"]["geom"]["pt3d"][0].__setitem__(3, 0.0), "is not [x, y, z, d>0]"),
    (lambda r: r["secs"]["soma"]["ions"].__setitem__("cl", {"e": -80.0, "i": 1.0, "o": 2.0}), "ions: keys must be a subset"),
    (lambda r: r["secs"]["soma"]["ions"]["na"].pop("o"), "ions.na: must have exactly"),
    (lambda r: r["secs"].__setitem__("dend_2", copy.deepcopy(r["secs"]["dend_0"])), "dend_* indices"),
    (lambda r: r["secLists"]["spiny"].append("apic_0"), "secLists.spiny: unknown sections"),
    (lambda r: r["secs"]["soma"].__setitem__("weightNorm", [1.0]), "weightNorm: unexpected in an S1 cell"),
])
def test_broken_s1_cells(edit, message: str) -> None:
    problems = _broken(edit)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("c: ") for p in problems)


def test_broken_thalamic_cell() -> None:
    rule = thal_cell("RE")
    rule["secs"]["soma"]["weightNorm"] = [0.1, 0.2]
    rule["secs"]["soma"]["mechs"]["NaTa_t"] = {"gNaTa_tbar": 1.0}
    problems = check_cell_rule(rule, name="t", thalamic=True)
    assert any("weightNorm" in p for p in problems) and any("NaTa_t: unknown mechanism" in p for p in problems)


def test_nmodl_suffixes() -> None:
    text = "NEURON {\n  SUFFIX NaTs2_t\n  USEION na READ ena\n}\n: SUFFIX commented\n"
    assert nmodl_suffixes([text, "NEURON { POINT_PROCESS X }"]) == {"NaTs2_t"}
