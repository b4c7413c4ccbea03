"""Fault classes of ``run_bionet.py`` and ``to-nwb``: where a run may write, and when it may replace a directory.

Every run happens in a subprocess (NEURON is one-shot per process) on the tiny real-cell circuit of
``tests/sim/tiny_circuit.py``; refusals happen before NEURON builds anything, so they take seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tiny_circuit
from conftest import ENV, ROOT, run
from snapshot import assert_unchanged, snapshot

from sonata_s1 import outdir
from sonata_s1.paths import cache_dir

RUNNER = str(ROOT / "run_bionet.py")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, source_dir: Path) -> Path:
    base = tmp_path_factory.mktemp("tiny")
    tiny_circuit.convert_models(source_dir, base / "components")
    return tiny_circuit.write_tiny_circuit(base / "circuit", base / "components")


def make_config(tiny: Path, where: Path, **changes: dict) -> Path:
    """A simulation config in ``where`` (next to a user's own files) that runs the tiny circuit."""
    cfg = json.loads((tiny / "config.json").read_text())
    cfg["network"] = str(tiny / "circuit_config.json")
    cfg["output"]["output_dir"] = "output"
    for section, values in changes.items():
        if isinstance(cfg.get(section), dict):
            cfg[section].update(values)
        else:
            cfg[section] = values
    where.mkdir(parents=True, exist_ok=True)
    (where / "node_sets.json").write_text('{"mine": {"population": "S1"}}')  # a user's file next to the config
    (where / "notes.md").write_text("# my experiment\n")
    path = where / "config.json"
    path.write_text(json.dumps(cfg, indent=2))
    return path


def start(config: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, RUNNER, str(config), *extra], cwd=str(config.parent), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **ENV})


def wait_for_state(out: Path, state: str, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        marker = outdir.read_marker(out) if out.is_dir() else None
        if marker and marker.get("state") == state:
            return
        if proc.poll() is not None:
            raise AssertionError(f"run ended early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.2)
    raise AssertionError(f"no {state} marker in {out} after {timeout} s")


@pytest.mark.parametrize("changes, key", [
    ({"output": {"spikes_file": "../node_sets.json"}}, "output.spikes_file"),
    ({"output": {"log_file": "ABS/notes.md"}}, "output.log_file"),
    ({"reports": {"soma_v": {"cells": "recorded", "variable_name": "v", "module": "membrane_report",
                             "sections": "soma", "file_name": "../notes.md"}}}, "reports.soma_v.file_name"),
])
def test_written_path_outside_output_dir_refused(tiny: Path, tmp_path: Path, changes: dict, key: str) -> None:
    """spikes/log/report files that resolve outside output_dir (relative or absolute): refused up front."""
    text = json.dumps(changes).replace("ABS", str(tmp_path / "exp"))
    config = make_config(tiny, tmp_path / "exp", **json.loads(text))
    before = snapshot(tmp_path, tiny)
    proc = run([RUNNER, str(config), "--no-nwb", "--no-figures"], cwd=config.parent)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert key in proc.stderr and "outside output_dir" in proc.stderr and "Traceback" not in proc.stderr
    assert_unchanged(before, snapshot(tmp_path, tiny))
    assert not (tmp_path / "exp" / "output").exists()


def test_killed_run_then_user_files_not_wiped(tiny: Path, tmp_path: Path) -> None:
    """kill -9 during a run: its marker has no file list, so a later run refuses the non-empty directory."""
    config = make_config(tiny, tmp_path / "exp", run={"tstop": 100000.0})
    out = tmp_path / "exp" / "output"
    proc = start(config, "--no-nwb", "--no-figures")
    try:
        wait_for_state(out, "running", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    (out / "analysis.ipynb").write_text("{}")  # the user works in the output directory afterwards
    before = snapshot(tmp_path, tiny)
    again = run([RUNNER, str(config), "--no-nwb", "--no-figures"], cwd=config.parent)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "unfinished or killed" in again.stderr
    assert_unchanged(before, snapshot(tmp_path, tiny))


@pytest.mark.mpi
def test_second_run_into_same_output_refused_under_mpi(tiny: Path, tmp_path: Path) -> None:
    """While a run works in output/, a second one (2 MPI ranks) is refused on every rank; the first is untouched."""
    config = make_config(tiny, tmp_path / "exp", run={"tstop": 100000.0})
    out = tmp_path / "exp" / "output"
    first = start(config, "--no-nwb", "--no-figures")
    try:
        wait_for_state(out, "running", first)
        before = snapshot(tmp_path / "exp" / "notes.md", tmp_path / "exp" / "node_sets.json", out / "log.txt")
        second = run([RUNNER, str(config), "--no-nwb", "--no-figures"], cwd=config.parent, mpi=2)
        assert second.returncode == 2, second.stdout + second.stderr
        assert second.stderr.count("in use by another sonata_s1 process") == 2  # rank 0 and rank 1 agree
        assert first.poll() is None and outdir.read_marker(out)["state"] == "running"  # not wiped, still running
        after = snapshot(tmp_path / "exp" / "notes.md", tmp_path / "exp" / "node_sets.json", out / "log.txt")
        assert {k: v for k, v in after.items() if not k.endswith("log.txt")} == \
            {k: v for k, v in before.items() if not k.endswith("log.txt")}
        log = str(out / "log.txt")
        assert after[log].startswith(before[log])  # only appended to by the first run
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()


@pytest.fixture(scope="module")
def finished(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One finished run whose config says ``"output_dir": "~/simout"`` (HOME is a temporary directory)."""
    base = tmp_path_factory.mktemp("finished")
    home = base / "home"
    home.mkdir()
    config = make_config(tiny, base / "exp", output={"output_dir": "~/simout"})
    proc = run([RUNNER, str(config), "--no-nwb", "--no-figures"], cwd=config.parent,
               env={"HOME": str(home), "SONATA_S1_CACHE": str(cache_dir())})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return config, home / "simout"


def test_tilde_in_config_output_dir_is_expanded(finished: tuple[Path, Path]) -> None:
    """`~` in a config path means the home directory, never a directory literally named '~'."""
    config, out = finished
    assert (out / "spikes.h5").is_file() and outdir.read_marker(out)["state"] == "complete"
    assert not (config.parent / "~").exists()


def test_to_nwb_refuses_to_overwrite_a_foreign_file(finished: tuple[Path, Path], tiny: Path, tmp_path: Path) -> None:
    """`to-nwb --out FILE` onto a file that is not ours: refused without --overwrite, replaced with it."""
    _, out = finished
    mine = tmp_path / "mine.nwb"
    mine.write_bytes(b"a user's own NWB file")
    before = snapshot(tmp_path)
    proc = run(["-m", "sonata_s1", "to-nwb", str(out), "--network", str(tiny), "--out", str(mine), "--no-inspect"])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--overwrite" in proc.stderr and proc.stderr.count("\n") == 1
    assert_unchanged(before, snapshot(tmp_path))
    proc = run(["-m", "sonata_s1", "to-nwb", str(out), "--network", str(tiny), "--out", str(mine), "--no-inspect",
                "--overwrite"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert mine.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
