"""Fault classes of the source data: bad numbers, wrongly shaped or corrupt cell files, hostile pickles.

Each is one line naming file and key (never a traceback), in every command that reads the file.
Synthetic sources come from ``tests/source/source_synth.py``; the build test uses a symlinked copy of
the real source with one file replaced.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
import source_synth
from conftest import run
from snapshot import assert_unchanged, snapshot


def test_probability_outside_0_1_refused(tmp_path: Path) -> None:
    """A connection probability of 1.5 in conn.pkl: check-source names the table and pair."""
    src = source_synth.make_source(tmp_path / "src")
    data = source_synth.conn_dict()
    data["pmat25um"]["L23_PC"]["L23_PC"] = "1.5"
    source_synth.write_conn(src / "conn" / "conn.pkl", data)
    before = snapshot(src)
    proc = run(["-m", "sonata_s1", "check-source", "--source", str(src), "--not-strict"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "pmat25um['L23_PC']['L23_PC']: 1.5 is not a probability in [0, 1]" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert_unchanged(before, snapshot(src))


@pytest.mark.parametrize("mutate, key", [
    (lambda c: c["secs"]["dend_0"].__setitem__("topol", 5), "secs.dend_0.topol"),
    (lambda c: c["secs"]["soma"]["geom"].__setitem__("L", "ten"), "secs.soma.geom.L"),
    (lambda c: c["secs"]["dend_0"]["mechs"].__setitem__("pas", [1, 2]), "secs.dend_0.mechs"),
    (lambda c: c.__setitem__("secLists", ["soma"]), "secLists"),
])
def test_wrongly_shaped_cell_json_is_one_line(tmp_path: Path, mutate, key: str) -> None:
    """convert-cells and check-source --deep name the file and key of a wrongly typed entry."""
    src = source_synth.make_source(tmp_path / "src")
    name = "L23_PC_cADpyr229_1"
    path = next((src / "cells").glob(f"{name}_cellParams.json*"))
    cell = source_synth.s1_cell("L23_PC_cAD", 5)
    mutate(cell)
    path.unlink()
    path = src / "cells" / f"{name}_cellParams.json"
    path.write_text(json.dumps(cell))
    before = snapshot(src)
    conv = run(["-m", "sonata_s1", "convert-cells", "--source", str(src), "--out", str(tmp_path / "comp"),
                "--models", name, "--no-mechanism-check", "--jobs", "1", "--quiet"])
    assert conv.returncode == 1, conv.stdout + conv.stderr
    line = next(ln for ln in conv.stderr.splitlines() if name in ln and "invalid" in ln)
    assert str(path) in line and key in line and "Traceback" not in conv.stderr
    deep = run(["-m", "sonata_s1", "check-source", "--source", str(src), "--not-strict", "--deep", "--jobs", "1"])
    assert deep.returncode == 1 and key in deep.stderr and "Traceback" not in deep.stderr, deep.stderr
    assert_unchanged(before, snapshot(src))


def _real_copy(real: Path, dest: Path) -> Path:
    """A copy of the real source made of symlinks (seconds, no disk), to damage one file of."""
    for sub in ("cells", "conn"):
        (dest / sub).mkdir(parents=True)
        for f in (real / sub).iterdir():
            (dest / sub / f.name).symlink_to(f)
    return dest


def test_corrupt_xz_same_one_line_in_build_and_convert(tmp_path: Path, source_dir: Path) -> None:
    """A truncated .json.xz: `build` and `convert-cells` both stop with the same one-line message, exit != 0."""
    src = _real_copy(source_dir, tmp_path / "src")
    bad = src / "cells" / "L1_DAC_bNAC219_1_cellParams.json.xz"  # the first model a build reads
    data = bad.read_bytes()
    bad.unlink()
    bad.write_bytes(data[: len(data) // 2])
    (tmp_path / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    env = {"SONATA_S1_CACHE": str(tmp_path / "cache")}  # no cached section tables: the build reads the cells
    b = run(["-m", "sonata_s1", "build", "--source", str(src), "--out", str(tmp_path / "net"), "--density", "0.001",
             "--thalamus-density", "0.001", "--no-progress"], env=env)
    assert b.returncode == 2, b.stdout + b.stderr
    assert "Traceback" not in b.stderr and b.stderr.count("\n") == 1, b.stderr
    c = run(["-m", "sonata_s1", "convert-cells", "--source", str(src), "--out", str(tmp_path / "comp"),
             "--models", "L1_DAC_bNAC219_1", "--jobs", "1", "--quiet"], env=env)
    assert c.returncode == 1 and "Traceback" not in c.stderr
    message = f"{bad}: not a valid cell JSON"
    assert message in b.stderr and message in c.stderr
    assert not (tmp_path / "net").exists() and not list(tmp_path.glob(".net.tmp-*"))
    assert_unchanged(before, snapshot(tmp_path))


def _shared_tree_pickle(levels: int) -> bytes:
    """A pickle of ~8 bytes per level whose object tree has 2**levels leaves (each level = [prev, prev])."""
    body = b"\x80\x02]q\x00"  # PROTO 2, EMPTY_LIST, BINPUT 0
    for _ in range(levels):
        body += b"(h\x00h\x00lq\x00"  # MARK, BINGET 0, BINGET 0, LIST, BINPUT 0
    return body + b"."


@pytest.mark.parametrize("payload, message", [
    (_shared_tree_pickle(30), "more than 2,000,000 objects"),  # 250 bytes, 2**31 nodes when expanded
    (b"\x80\x02" + b"]" * 3000 + b"a" * 2999 + b".", "nests deeper than 32 levels"),  # 6 kB, 3000 levels
])
def test_hostile_pickle_is_bounded(tmp_path: Path, payload: bytes, message: str) -> None:
    """A tiny pickle that would take hours or all memory to expand is refused in seconds, naming the file."""
    src = source_synth.make_source(tmp_path / "src")
    target = src / "conn" / "conn_Th.pkl"
    target.write_bytes(payload)
    assert len(payload) < 8000
    assert isinstance(pickle.loads(_shared_tree_pickle(3)), list)  # the opcodes are a valid pickle
    before = snapshot(src)
    proc = run(["-m", "sonata_s1", "check-source", "--source", str(src), "--not-strict"], timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{target}: " in proc.stderr and message in proc.stderr and "Traceback" not in proc.stderr
    assert_unchanged(before, snapshot(src))


def test_unset_variable_in_source_path_refused(tmp_path: Path) -> None:
    """`--source '$DATA/s1'` with DATA unset is refused, never looked up as a literal '$DATA' folder."""
    env = {k: v for k, v in os.environ.items() if k != "SONATA_S1_TEST_DATA"}
    proc = run(["-m", "sonata_s1", "check-source", "--source", "$SONATA_S1_TEST_DATA/s1"], cwd=tmp_path,
               env=env)
    assert proc.returncode == 2 and "SONATA_S1_TEST_DATA is not set" in proc.stderr, proc.stderr
