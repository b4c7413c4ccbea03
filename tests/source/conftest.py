"""Fixtures of the source-reader tests; the synthetic data themselves are built by ``source_synth``."""

from __future__ import annotations

from pathlib import Path

import pytest
from source_synth import make_source


@pytest.fixture
def synth(tmp_path: Path) -> Path:
    """A fresh synthetic source folder (tests may break it)."""
    from sonata_s1.source import load_source

    load_source.cache_clear()
    return make_source(tmp_path / "s1_netpyne")
