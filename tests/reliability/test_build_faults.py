"""Fault classes of ``sonata-s1 build --out DIR``: replacing, locking and cleaning up a circuit directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ENV, HERE
from snapshot import assert_unchanged, snapshot

from sonata_s1 import cli, outdir


def build(out: Path, *extra: str) -> int:
    return cli.main(["build", "--no-progress", "--out", str(out), *extra])


def test_force_refuses_foreign_files(tmp_path: Path, fake_model: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """A run's output/ and notes inside a circuit directory survive `build --force`, which names them."""
    out = tmp_path / "net"
    assert build(out) == 0
    (out / "output").mkdir()
    (out / "output" / "spikes.h5").write_bytes(b"results of a long run")
    (out / "notes.txt").write_text("my notes")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert build(out, "--force") == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "output/spikes.h5" in err and err.count("\n") == 1
    assert_unchanged(before, snapshot(tmp_path))
    assert fake_model["calls"] == 1  # refused before any work


def test_force_refuses_an_edited_file(tmp_path: Path, fake_model: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """A file the build wrote but the user edited since (config.json) is the user's now."""
    out = tmp_path / "net"
    assert build(out) == 0
    cfg = json.loads((out / "config.json").read_text())
    cfg["run"]["tstop"] = 5000.0
    (out / "config.json").write_text(json.dumps(cfg))
    before = snapshot(tmp_path)
    assert build(out, "--force") == 2
    assert "config.json (changed since it was written)" in capsys.readouterr().err
    assert_unchanged(before, snapshot(tmp_path))


def test_force_replaces_exactly_a_previous_build(tmp_path: Path, fake_model: dict) -> None:
    """The allowed case: nothing but the recorded files -> replaced, and the marker lists the new files."""
    out = tmp_path / "net"
    assert build(out) == 0
    (tmp_path / "sibling.txt").write_text("next to the circuit")
    before = snapshot(tmp_path / "sibling.txt")
    assert build(out, "--force", "--tstop", "123") == 0
    assert json.loads((out / "config.json").read_text())["run"]["tstop"] == 123.0
    marker = outdir.read_marker(out)
    assert marker and marker["state"] == "complete" and "network/S1__S1_edges.h5" in marker["files"]
    assert_unchanged(before, snapshot(tmp_path / "sibling.txt"))


def test_marker_without_file_list_is_unknown(tmp_path: Path, fake_model: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """A marker of an older version (no file list) does not make a directory replaceable."""
    out = tmp_path / "net"
    out.mkdir()
    (out / ".sonata_s1_build.json").write_text(json.dumps({"tool": "sonata_s1", "kind": "circuit"}))
    (out / "analysis.ipynb").write_text("{}")
    before = snapshot(tmp_path)
    assert build(out, "--force") == 2
    assert "did not record its files" in capsys.readouterr().err
    assert_unchanged(before, snapshot(tmp_path))


def test_second_build_of_the_same_out_is_refused(tmp_path: Path, fake_model: dict,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """While one build holds --out's lock, another is refused at once (and writes nothing)."""
    out = tmp_path / "net"
    assert build(out) == 0
    before = snapshot(tmp_path)
    with outdir.DirLock(out.absolute(), "output directory"):
        assert build(out, "--force") == 2
        assert "in use by another sonata_s1 process" in capsys.readouterr().err
    assert_unchanged(before, snapshot(tmp_path))
    assert not (tmp_path / ".net.lock").exists()  # released


SLOW_BUILD = """
import sys, time, synthetic
from pathlib import Path
from types import SimpleNamespace
import sonata_s1.circuit as circuit_pkg, sonata_s1.source as source_pkg
from sonata_s1 import cli
source_pkg.load_source = lambda root=None: SimpleNamespace(root=Path('/fake'))
def slow(chunks):
    for c in chunks:
        yield c
        time.sleep(60)
def build_circuit(source, options):
    nodes, tables, _ = synthetic.circuit()
    import dataclasses
    return nodes, [dataclasses.replace(t, chunks=slow(t.chunks)) for t in tables]
circuit_pkg.build_circuit = build_circuit
sys.exit(cli.main(['build', '--no-progress', '--out', sys.argv[1]]))
"""


def test_kill_9_leftovers_removed_by_next_build(tmp_path: Path, fake_model: dict,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A build killed with SIGKILL leaves .net.tmp-*; the next build of net reports and removes it."""
    (tmp_path / "keep.txt").write_text("user file next to the circuit")
    out = tmp_path / "net"
    env = {**ENV, "PYTHONPATH": f"{ENV['PYTHONPATH']}:{HERE.parent / 'sonata'}"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(out)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".net.tmp-*/network/*_edges.h5")) and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stale = list(tmp_path.glob(".net.tmp-*"))
    assert stale, proc.stderr.read().decode() if proc.stderr else ""
    before = snapshot(tmp_path / "keep.txt")
    assert build(out) == 0
    err = capsys.readouterr().err
    assert f"removed {stale[0]}" in err and "interrupted build" in err
    assert not list(tmp_path.glob(".net.tmp-*")) and (out / outdir.MARKER_NAME).is_file()
    assert_unchanged(before, snapshot(tmp_path / "keep.txt"))


def test_kill_9_during_replacement_keeps_previous_build(tmp_path: Path, fake_model: dict) -> None:
    """Killed between moving the previous circuit aside and moving the new one in: the old one comes back."""
    out = tmp_path / "net"
    assert build(out) == 0
    before = snapshot(out)
    aside = tmp_path / ".net.old-abcd1234"
    aside.mkdir()
    out.rename(aside / "previous")  # the state a SIGKILL at that instant leaves
    (tmp_path / ".net.tmp-efgh5678").mkdir()
    assert outdir.clean_stale_temporaries(out) and not aside.exists()
    assert_unchanged(before, snapshot(out))


def test_run_dir_cannot_be_used_as_build_out(tmp_path: Path, fake_model: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """--out pointing at a finished run's output directory: refused (different kind), nothing deleted."""
    out = tmp_path / "output"
    out.mkdir()
    (out / "spikes.h5").write_bytes(b"x")
    outdir.write_marker(out, "run", "complete", files=outdir.scan(out))
    before = snapshot(tmp_path)
    assert build(out, "--force") == 2
    assert "not a build output" in capsys.readouterr().err
    assert_unchanged(before, snapshot(tmp_path))


def test_unset_variable_in_out_is_refused(tmp_path: Path, fake_model: dict, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`--out '$SCRATCH/net'` with SCRATCH unset must not create a directory literally named '$SCRATCH'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SONATA_S1_TEST_UNSET", raising=False)
    assert build(Path("$SONATA_S1_TEST_UNSET/net")) == 2
    assert "SONATA_S1_TEST_UNSET is not set" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("SONATA_S1_TEST_SET", str(tmp_path / "scratch"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build(Path("$SONATA_S1_TEST_SET/net")) == 0 and (tmp_path / "scratch" / "net" / "config.json").is_file()
    assert build(Path("~/net")) == 0 and (tmp_path / "home" / "net" / "config.json").is_file()
    assert not (tmp_path / "~").exists()
