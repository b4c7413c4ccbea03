"""Fixtures of the reliability suite: every test provokes one fault class and proves nothing of the user's is lost.

The synthetic builders of the other test folders (``tests/sonata/synthetic.py``, ``tests/sim/tiny_circuit.py``,
``tests/source/source_synth.py``) are reused, so a fault is always provoked on a tiny circuit or source.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
for sub in ("sonata", "sim", "source"):
    sys.path.insert(0, str(HERE.parent / sub))

ROOT = HERE.parents[1]
ENV = {"NEURON_MODULE_OPTIONS": "-nogui", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "HDF5_USE_FILE_LOCKING": "FALSE", "PYTHONPATH": str(ROOT)}


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300,
        mpi: int | None = None) -> subprocess.CompletedProcess[str]:
    """A command of the project in a fresh interpreter (``sonata-s1 ...`` = ``-m sonata_s1.cli``)."""
    full = [sys.executable, *cmd]
    if mpi:
        full = [str(Path(sys.executable).with_name("mpiexec")), "-n", str(mpi), *full]
    return subprocess.run(full, capture_output=True, text=True, timeout=timeout, cwd=str(cwd or ROOT),
                          env={**os.environ, **ENV, **(env or {})})


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> dict:
    """In-process builds of the synthetic circuit (the source loader and rules replaced, the writer real)."""
    import synthetic

    import sonata_s1.circuit as circuit_pkg
    import sonata_s1.source as source_pkg
    from sonata_s1.sonata import edges

    monkeypatch.setattr(edges, "BLOCK_ROWS", 32)
    monkeypatch.setattr(edges, "CHUNK_ROWS", 8)
    state: dict = {"calls": 0}
    monkeypatch.setattr(source_pkg, "load_source", lambda root=None: SimpleNamespace(root=Path("/fake/source")))

    def build_circuit(source: object, options: object) -> tuple:
        state["calls"] += 1
        nodes, tables, _ = synthetic.circuit()
        return nodes, tables

    monkeypatch.setattr(circuit_pkg, "build_circuit", build_circuit, raising=False)
    return state
