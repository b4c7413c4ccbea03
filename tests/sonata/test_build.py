"""``sonata-s1 build``: options, atomic output, overwrite protection, determinism (synthetic circuit)."""

from __future__ import annotations

import argparse
import filecmp
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import synthetic

import sonata_s1.circuit as circuit_pkg
import sonata_s1.source as source_pkg
from sonata_s1.cli import main
from sonata_s1.commands import build
from sonata_s1.outdir import MARKER_NAME


def build_cli(*argv: str) -> int:
    """``sonata-s1 build`` through the CLI, which reports a refused input as one line and exit 2."""
    return main(["build", "--no-progress", *argv])


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    build.add_arguments(parser)
    return parser.parse_args(["--no-progress", *argv])


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch, small_blocks: None) -> dict:
    """Replace the source loader and the circuit rules by the synthetic circuit."""
    state: dict = {"fail_after": None, "calls": 0}
    monkeypatch.setattr(source_pkg, "load_source", lambda root=None: SimpleNamespace(root=Path("/fake/source")))

    def build_circuit(source: object, options: object) -> tuple:
        state["calls"] += 1
        state["options"] = options
        nodes, tables, _ = synthetic.circuit(fail_after=state["fail_after"])
        return nodes, tables

    monkeypatch.setattr(circuit_pkg, "build_circuit", build_circuit, raising=False)
    return state


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_build_writes_complete_circuit(tmp_path, fake_model, capsys):
    out = tmp_path / "net"
    assert build.run(parse("--out", str(out), "--density", "0.02", "--seed", "11", "--tstop", "100")) == 0
    assert (out / MARKER_NAME).is_file() and (out / "network/S1__S1_edges.h5").is_file()
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["run"]["tstop"] == 100.0 and cfg["sonata_s1"]["seed"] == 11
    assert cfg["sonata_s1"]["build_options"]["density"] == 0.02
    assert fake_model["options"].density == 0.02 and fake_model["options"].seed == 11
    text = capsys.readouterr().out
    assert "time per stage" in text and "S1__S1" in text
    assert leftovers(tmp_path) == []


def test_same_seed_byte_identical(tmp_path, fake_model):
    out = tmp_path / "net"
    assert build.run(parse("--out", str(out))) == 0
    first = tmp_path / "first"
    out.rename(first)
    assert build.run(parse("--out", str(out))) == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for rel in files:
        if rel.name not in ("circuit_config.json", MARKER_NAME):  # absolute $BASE_DIR; file times
            assert filecmp.cmp(first / rel, out / rel, shallow=False), rel


def test_interrupted_build_leaves_nothing(tmp_path, fake_model):
    fake_model["fail_after"] = 3  # raise while streaming thalamus__S1 edges
    out = tmp_path / "net"
    with pytest.raises(RuntimeError, match="simulated failure"):
        build.run(parse("--out", str(out)))
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_interrupted_rebuild_keeps_previous(tmp_path, fake_model):
    out = tmp_path / "net"
    assert build.run(parse("--out", str(out))) == 0
    before = (out / "network/S1__S1_edges.h5").read_bytes()
    fake_model["fail_after"] = 2
    with pytest.raises(RuntimeError):
        build.run(parse("--out", str(out), "--force"))
    assert (out / "network/S1__S1_edges.h5").read_bytes() == before
    assert leftovers(tmp_path) == []


def test_refuses_overwrite(tmp_path, fake_model, capsys):
    out = tmp_path / "net"
    assert build.run(parse("--out", str(out))) == 0
    assert build_cli("--out", str(out)) == 2
    assert "--force" in capsys.readouterr().err
    assert build.run(parse("--out", str(out), "--force")) == 0
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    assert build_cli("--out", str(user), "--force") == 2
    assert "not written by sonata_s1" in capsys.readouterr().err
    assert (user / "notes.txt").read_text() == "keep me"
    assert fake_model["calls"] == 2  # refused before any work


@pytest.mark.parametrize("argv, message", [
    (["--density", "0"], "--density"), (["--density", "1.5"], "--density"), (["--density", "-0.1"], "--density"),
    (["--thalamus-density", "0"], "--thalamus-density"), (["--radius", "0"], "--radius"),
    (["--radius", "-5"], "--radius"), (["--tstop", "0"], "--tstop"), (["--gabab-ratio", "-1"], "--gabab-ratio"),
])
def test_bad_options_exit_2(tmp_path, fake_model, capsys, argv, message):
    assert build_cli("--out", str(tmp_path / "net"), *argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert fake_model["calls"] == 0 and not (tmp_path / "net").exists()


def test_missing_source_exit_2(tmp_path, capsys):
    assert build_cli("--out", str(tmp_path / "net"), "--source", str(tmp_path / "nowhere")) == 2
    err = capsys.readouterr().err
    assert "source" in err and str(tmp_path / "nowhere") in err
    assert not (tmp_path / "net").exists() and leftovers(tmp_path) == []


def test_corrupt_source_exit_2(tmp_path, capsys):
    src = tmp_path / "src"
    (src / "cells").mkdir(parents=True)
    (src / "conn").mkdir()
    (src / "conn" / "conn.pkl").write_bytes(b"not a pickle")
    assert build_cli("--out", str(tmp_path / "net"), "--source", str(src)) == 2
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "net").exists()


def test_output_is_an_ordinary_directory(tmp_path, fake_model):
    out = tmp_path / "net"
    assert build.run(parse("--out", str(out), "--relocatable")) == 0
    assert (out.stat().st_mode & 0o777) == (0o777 & ~_umask())
    assert json.loads((out / "circuit_config.json").read_text())["manifest"]["$BASE_DIR"] == "."


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_sigterm_mid_edges_leaves_nothing(tmp_path, monkeypatch, small_blocks):
    """A SIGTERM while edges stream stops the build at the next chunk and removes the temp dir."""
    import dataclasses
    import os
    import signal

    monkeypatch.setattr(source_pkg, "load_source", lambda root=None: SimpleNamespace(root=Path("/fake")))

    def killing(chunks):
        for i, chunk in enumerate(chunks):
            if i == 2:
                os.kill(os.getpid(), signal.SIGTERM)
            yield chunk

    def build_circuit(source: object, options: object) -> tuple:
        nodes, tables, _ = synthetic.circuit()
        return nodes, [dataclasses.replace(t, chunks=killing(t.chunks)) for t in tables]

    monkeypatch.setattr(circuit_pkg, "build_circuit", build_circuit, raising=False)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        build.run(parse("--out", str(tmp_path / "net")))
    assert not (tmp_path / "net").exists() and leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == before


def test_components_inside_out_refused(tmp_path, fake_model, capsys):
    """A rebuild replaces --out wholesale, so shared components inside it would be deleted: refused up front."""
    out = tmp_path / "net"
    assert build_cli("--out", str(out), "--components", str(out / "components")) == 2
    assert "--components" in capsys.readouterr().err
    assert fake_model["calls"] == 0 and not out.exists()
    assert build.run(parse("--out", str(out), "--components", str(tmp_path / "components"))) == 0
