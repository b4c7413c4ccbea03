"""Converter: biophysics JSON round trip, the section-order contract, SWC, bad input (no NEURON needed)."""

from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

import cellfixtures
import pytest
from cellfixtures import ball_and_stick

from sonata_s1.cells import biophysics, convert, swc
from sonata_s1.cells.sections import section_table
from sonata_s1.source.errors import SourceError

fixture_source = cellfixtures.fixture_source  # shared fixtures (no conftest.py in this folder)
fixture_components = cellfixtures.fixture_components


def _spec(rule=None, name="bs", population="S1", **kw):
    return biophysics.from_cell_params(rule or ball_and_stick(), name, population, **kw)


def test_round_trip_keeps_everything_at_full_precision(tmp_path: Path) -> None:
    rule = ball_and_stick()
    spec = _spec(rule)
    text = biophysics.dumps(spec)
    assert json.loads(text) == spec
    path = tmp_path / "bs.json"
    path.write_text(text)
    back = biophysics.read(path)
    by_name = {s["name"]: s for s in back["sections"]}
    for name, src in rule["secs"].items():
        sec = by_name[name]
        assert sec["pt3d"] == (src["geom"].get("pt3d") or None)
        for key in ("L", "Ra", "cm", "diam", "nseg"):
            assert sec[key] == src["geom"][key]
        assert sec["mechs"] == src["mechs"]
    assert by_name["dend_0"]["pt3d"][1][0] == 0.1 + 0.2  # not 0.3: full float precision
    assert by_name["dend_0"]["mechs"]["pas"]["g"] == [1e-4, 2e-4, 3e-4]  # per-segment list kept
    # S1 post-processing (netParams.py): ca.o -> 1.2, other ions untouched
    assert by_name["soma"]["ions"]["ca"]["o"] == 1.2 and by_name["axon_0"]["ions"]["ca"]["o"] == 1.2
    assert by_name["soma"]["ions"]["na"] == {"e": 50.0, "i": 10.0, "o": 140.0}


def test_section_order_contract() -> None:
    rule = ball_and_stick()
    spec = _spec(rule)
    names = [s["name"] for s in spec["sections"]]
    # SONATA ids = secLists['all'] order: soma, dend_0..dend_10 (natural), axon_0, axon_1
    assert names == rule["secLists"]["all"]
    assert names[0] == "soma" and names[-2:] == ["axon_0", "axon_1"]
    assert names.index("dend_2") < names.index("dend_10")
    assert [s["id"] for s in spec["sections"]] == list(range(len(names)))
    # creation order = JSON secs order (lexicographic: axon_0, axon_1, dend_0, dend_1, dend_10, dend_2 ...)
    created = [names[i] for i in spec["creation_order"]]
    assert created == list(rule["secs"])
    assert created.index("dend_10") < created.index("dend_2")
    # spiny = ids 0..n-3, spinyEE = 1..n-3
    n = len(names)
    assert spec["section_lists"]["spiny"] == names[: n - 2]
    assert spec["section_lists"]["spinyEE"] == names[1 : n - 2]
    # parents by id, and the shared contract agrees
    table = section_table(rule)
    assert [s["parent"] for s in spec["sections"]] == table.parent.tolist()
    assert spec["sections"][names.index("dend_1")]["parent"] == names.index("dend_0")
    assert spec["sections"][names.index("dend_0")]["parent_x"] == 0.5
    assert [s["swc_type"] for s in spec["sections"]] == table.swc_type.tolist()


def test_thalamic_rule_keeps_cao_vinit_weightnorm_globals() -> None:
    from cellfixtures import single_soma_thalamic

    spec = _spec(single_soma_thalamic(), "sXX_jv_00", "thalamus")
    soma = spec["sections"][0]
    assert soma["ions"]["ca"]["o"] == 2.0  # thalamic cao not overridden
    assert soma["vinit"] == -70.0 and soma["weightNorm"] == [0.002]
    assert soma["L"] == 30.0 and isinstance(soma["L"], float)  # JSON ints become floats
    assert spec["globals"] == {"v_init": -70.0}
    assert spec["section_lists"]["all"] == ["soma"] and spec["section_lists"]["spinyEE"] == []


def _parse_swc(text: str) -> list[tuple[int, int, float, float, float, float, int]]:
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            i, t, x, y, z, r, p = line.split(" ")
            rows.append((int(i), int(t), float(x), float(y), float(z), float(r), int(p)))
    return rows


def test_swc_points_diameters_axon_and_parents() -> None:
    rule = ball_and_stick()
    spec = _spec(rule)
    rows = _parse_swc(swc.swc_text(spec))
    n_pts = sum(len(s["geom"].get("pt3d", [])) for s in rule["secs"].values())
    assert len(rows) == n_pts + 4  # + 2 generated samples per axon stub
    ids = [r[0] for r in rows]
    assert ids == list(range(1, len(rows) + 1))
    assert all(r[6] < r[0] for r in rows)  # parents precede children
    assert [r[6] for r in rows].count(-1) == 1
    soma = [r for r in rows if r[1] == 1]
    assert [r[5] * 2 for r in soma] == [p[3] for p in rule["secs"]["soma"]["geom"]["pt3d"]]
    axon = [r for r in rows if r[1] == 2]
    assert len(axon) == 4 and axon[0][6] == soma[-1][0]  # axon_0 attaches to soma(1)
    assert axon[1][5] * 2 == 1.0 and axon[3][5] * 2 == 0.800000011920929
    assert abs(abs(axon[1][3] - axon[0][3]) - 30.0) < 1e-12
    # dend_0 attaches at soma(0.5) = the middle soma sample, keeps its own first diameter and precision
    d0 = next(r for r in rows if r[1] == 3)
    assert d0[6] == soma[2][0] and d0[5] * 2 == 2.0
    assert any(r[2] == 0.1 + 0.2 for r in rows)
    # dend_1's first sample has its own diameter (0.8), not its parent's end diameter (1.0)
    assert any(r[1] == 3 and r[5] * 2 == 0.8 for r in rows)


def test_swc_loads_in_morphio_and_neurom(tmp_path: Path) -> None:
    morphio = pytest.importorskip("morphio")
    neurom = pytest.importorskip("neurom")
    path = tmp_path / "bs.swc"
    swc.write_swc(_spec(), path)
    m = morphio.Morphology(str(path))
    types = {int(s.type) for s in m.sections}
    assert types == {2, 3}
    assert neurom.load_morphology(path).neurites


def test_convert_cli_writes_both_components(fixture_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = argparse.Namespace(source=str(fixture_source), out=str(out), models=None, jobs=2,
                              mechanisms=str(tmp_path / "nomods"), no_mechanism_check=False, quiet=True)
    assert convert.run(args) == 0
    for name in ("bs", "sXX_jv_00"):
        assert biophysics.read(out / "biophysical_neuron_models" / f"{name}.json")["cell_model"] == name
        assert (out / "morphologies" / f"{name}.swc").read_text().startswith(f"# {name}")
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporaries


def test_unknown_mechanism_is_a_clear_error(fixture_source: Path, tmp_path: Path) -> None:
    rule = ball_and_stick()
    rule["secs"]["dend_1"]["mechs"]["NoSuchChannel"] = {"gbar": 1.0}
    with pytest.raises(biophysics.CellModelError, match=r"'bs'.*'dend_1'.*'NoSuchChannel'"):
        _spec(rule, known=biophysics.known_mechanisms(None))
    # through the CLI: exit 1, message names cell, section and mechanism
    (fixture_source / "cells" / "bad_cellParams.json").write_text(json.dumps(rule))
    args = argparse.Namespace(source=str(fixture_source), out=str(tmp_path / "o"), models="bad", jobs=1,
                              mechanisms=str(tmp_path / "nomods"), no_mechanism_check=False, quiet=True)
    assert convert.run(args) == 1


def test_known_mechanisms_reads_mod_suffixes(tmp_path: Path) -> None:
    (tmp_path / "a.mod").write_text("COMMENT\nSUFFIX fake\nENDCOMMENT\nNEURON {\n  SUFFIX Kx\n  USEION k READ ek\n}\n")
    (tmp_path / "b.mod").write_text("NEURON { POINT_PROCESS Syn }\n")
    assert biophysics.known_mechanisms(tmp_path) == {"pas", "hh", "fastpas", "Kx"}


def test_missing_and_corrupt_source_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        convert.convert_one(tmp_path / "nope_cellParams.json", tmp_path / "out")
    bad = tmp_path / "corrupt_cellParams.json"
    bad.write_text('{"secs": {')
    with pytest.raises(SourceError, match="corrupt_cellParams.json"):
        convert.convert_one(bad, tmp_path / "out")
    badxz = tmp_path / "corrupt2_cellParams.json.xz"
    badxz.write_bytes(lzma.compress(b'{"secs": [1, 2'))
    with pytest.raises(SourceError, match="not a valid cell JSON"):
        convert.convert_one(badxz, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_structural_errors_name_cell_and_section() -> None:
    rule = ball_and_stick()
    rule["secs"]["dend_1"]["topol"]["parentSec"] = "dend_99"
    with pytest.raises(biophysics.CellModelError, match=r"'bs'.*'dend_1'.*dend_99"):
        _spec(rule)
    rule = ball_and_stick()
    rule["secs"]["dend_0"]["mechs"]["pas"]["g"] = [1e-4, 2e-4]  # nseg is 3
    with pytest.raises(biophysics.CellModelError, match=r"dend_0.*pas.g.*2 values"):
        _spec(rule)
    with pytest.raises(biophysics.CellModelError, match="format"):
        biophysics.validate({"sections": []}, "x.json")


def test_corrupt_biophysics_file(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("{nope")
    with pytest.raises(biophysics.CellModelError, match="x.json: not valid JSON"):
        biophysics.read(p)
    with pytest.raises(biophysics.CellModelError, match="not found"):
        biophysics.read(tmp_path / "missing.json")
