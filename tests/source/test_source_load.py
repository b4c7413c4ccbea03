"""load_source on a synthetic folder: cell-file resolution, caching and broken cell files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sonata_s1.source import SourceError, SourceModel, load_source, read_cell_params
from sonata_s1.source.cellparams import cell_name_from_path


def test_load_synthetic(synth: Path) -> None:
    model = load_source(synth, strict=False)
    assert isinstance(model, SourceModel)
    assert model.root == synth.resolve()
    assert model.mtypes == ["L1_DAC", "L23_LBC", "L23_PC"]
    assert len(model.cell_files) == 11 + 2
    assert model.cell_files["sRE_jv_00"].name == "sRE_jv_00.json"
    assert model.cell_files["sTC_jv_00"].name == "sTC_jv_00.json.xz"
    assert model.load_cell("L23_PC_cADpyr229_3")["conds"]["cellType"] == "L23_PC_cAD"
    assert len(model.thalamic.cmat) == 9 and model.convergence.first_order["L1_DAC"] == 0
    with pytest.raises(KeyError, match="unknown cell model"):
        model.load_cell("L23_PC_cADpyr229_6")


def test_strict_on_synthetic_data_fails_clearly(synth: Path) -> None:
    with pytest.raises(SourceError, match="expected 207"):
        load_source(synth)


def test_cache_per_root_and_invalidation(synth: Path, tmp_path: Path) -> None:
    a = load_source(synth, strict=False)
    assert load_source(str(synth), strict=False) is a
    (synth / "conn" / "convergence_Th_S1.txt").write_text("L1_DAC 1 41 x\nL23_LBC 76 41 x\nL23_PC 129 69 x\n")
    b = load_source(synth, strict=False)
    assert b is not a and b.convergence.first_order["L1_DAC"] == 1


def test_json_preferred_over_xz(synth: Path) -> None:
    cells = synth / "cells"
    xz = cells / "L1_DAC_bNAC219_1_cellParams.json.xz"
    assert xz.exists()
    plain = cells / "L1_DAC_bNAC219_1_cellParams.json"
    rule = read_cell_params(xz)
    rule["globals"] = {"marker": 1.0}
    plain.write_text(json.dumps(rule))
    model = load_source(synth, strict=False)
    assert model.cell_files["L1_DAC_bNAC219_1"] == plain
    assert model.load_cell("L1_DAC_bNAC219_1")["globals"] == {"marker": 1.0}


def test_all_missing_cell_files_reported_at_once(synth: Path) -> None:
    cells = synth / "cells"
    for name in ("L23_PC_cADpyr229_5_cellParams.json", "L23_PC_cADpyr229_5_cellParams.json.xz",
                 "L1_DAC_cNAC187_2_cellParams.json", "L1_DAC_cNAC187_2_cellParams.json.xz",
                 "sTC_jv_00.json.xz"):
        (cells / name).unlink(missing_ok=True)
    with pytest.raises(SourceError) as err:
        load_source(synth, strict=False)
    assert len(err.value.problems) == 3
    msg = str(err.value)
    for stem in ("L23_PC_cADpyr229_5_cellParams", "L1_DAC_cNAC187_2_cellParams", "sTC_jv_00"):
        assert f"{cells / stem}.json[.xz]" in msg


def test_unreferenced_cell_file_is_an_error_only_when_strict(synth: Path) -> None:
    from sonata_s1.source import resolve_cell_files

    model = load_source(synth, strict=False)
    extra = synth / "cells" / "L23_PC_cADpyr229_6_cellParams.json"
    extra.write_text("{}")
    assert len(resolve_cell_files(synth / "cells", model.metypes, strict=False)) == 13
    with pytest.raises(SourceError, match="L23_PC_cADpyr229_6_cellParams.json\\[.xz\\] is not referenced"):
        resolve_cell_files(synth / "cells", model.metypes, strict=True)


def test_missing_table_file(synth: Path) -> None:
    (synth / "conn" / "conn.pkl").unlink()
    with pytest.raises(SourceError, match=r"conn\.pkl: file not found"):
        load_source(synth, strict=False)


def test_corrupt_json_and_xz(synth: Path) -> None:
    model = load_source(synth, strict=False)
    plain = model.cell_files["sRE_jv_00"]
    plain.write_text('{"secs": {')
    with pytest.raises(SourceError, match=r"sRE_jv_00\.json: not a valid cell JSON"):
        model.load_cell("sRE_jv_00")
    xz = model.cell_files["sTC_jv_00"]
    xz.write_bytes(b"\xfd7zXZ\x00garbage")
    with pytest.raises(SourceError, match=r"sTC_jv_00\.json\.xz: not a valid cell JSON"):
        model.load_cell("sTC_jv_00")
    xz.write_bytes(xz.read_bytes()[:3])  # truncated
    with pytest.raises(SourceError, match="not a valid cell JSON"):
        read_cell_params(xz)


def test_cell_name_from_path() -> None:
    assert cell_name_from_path("x/L5_TTPC1_cADpyr232_1_cellParams.json.xz") == "L5_TTPC1_cADpyr232_1"
    assert cell_name_from_path("sTC_jv_00.json") == "sTC_jv_00"
