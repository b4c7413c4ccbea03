"""Fixtures of the SONATA writer tests: one synthetic circuit written once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import write_synthetic  # noqa: E402

from sonata_s1.sonata import edges  # noqa: E402


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny write blocks so a few hundred rows exercise multi-block appends and partial chunks."""
    monkeypatch.setattr(edges, "BLOCK_ROWS", 32)
    monkeypatch.setattr(edges, "CHUNK_ROWS", 8)


@pytest.fixture(scope="session")
def circuit_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    old = edges.BLOCK_ROWS, edges.CHUNK_ROWS
    edges.BLOCK_ROWS, edges.CHUNK_ROWS = 32, 8
    try:
        out = tmp_path_factory.mktemp("circuit") / "c"
        _, rows = write_synthetic(out)
    finally:
        edges.BLOCK_ROWS, edges.CHUNK_ROWS = old
    yield out, rows
