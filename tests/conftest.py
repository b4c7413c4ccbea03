"""Shared fixtures. NEURON is one-shot per process, so anything that simulates runs in a subprocess."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from testutils import run_py

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")


@pytest.fixture(scope="session")
def source_dir() -> Path:
    """The NetPyNE source data; tests that need it skip with a reason when it is absent."""
    from sonata_s1.paths import SourceNotFoundError, source_dir

    try:
        return source_dir()
    except SourceNotFoundError as exc:
        pytest.skip(f"NetPyNE source data not available: {exc}")


@pytest.fixture(scope="session")
def mech_dir() -> Path:
    """The project's mechanisms, compiled once (cached by content hash)."""
    from sonata_s1.mechanisms import compiled_mechanisms_dir

    return compiled_mechanisms_dir()


@pytest.fixture
def py():
    """Fixture form of :func:`run_py`."""
    return run_py
