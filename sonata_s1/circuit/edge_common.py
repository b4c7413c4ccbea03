"""Small shared pieces of every edge generator: distances, delays, expansion of connections into
synapse rows, sorting and re-chunking (outputs never depend on the chunk size)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from ..sonata.tables import EdgeChunk

DEFAULT_DELAY = 0.1  # ms (netParams.defaultDelay)
PROP_VELOCITY = 300.0  # µm/ms (netParams.propVelocity)


def dist_2d(pos_pre: np.ndarray, pos_post: np.ndarray) -> np.ndarray:
    """Horizontal (x–z plane) soma distance, float64."""
    dx = pos_pre[:, 0] - pos_post[:, 0]
    dz = pos_pre[:, 2] - pos_post[:, 2]
    return np.sqrt(dx * dx + dz * dz)


def dist_3d(pos_pre: np.ndarray, pos_post: np.ndarray) -> np.ndarray:
    d = pos_pre - pos_post
    return np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])


def delay(pos_pre: np.ndarray, pos_post: np.ndarray) -> np.ndarray:
    """defaultDelay + dist_3D / propVelocity (ms)."""
    return DEFAULT_DELAY + dist_3d(pos_pre, pos_post) / PROP_VELOCITY


def expand(n_syn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(connection index, rank within the connection) of every synapse row."""
    n_syn = np.asarray(n_syn, dtype=np.int64)
    conn = np.repeat(np.arange(n_syn.size, dtype=np.int64), n_syn)
    starts = np.cumsum(n_syn) - n_syn
    return conn, np.arange(conn.size, dtype=np.int64) - starts[conn]


def concat_chunks(chunks: list[EdgeChunk]) -> EdgeChunk:
    if len(chunks) == 1:
        return chunks[0]
    cat = np.concatenate
    return EdgeChunk(cat([c.source_node_id for c in chunks]), cat([c.target_node_id for c in chunks]),
                     cat([c.edge_type_id for c in chunks]),
                     {k: cat([c.columns[k] for c in chunks]) for k in chunks[0].columns})


def rechunk(blocks: Iterable[EdgeChunk], chunk_rows: int) -> Iterator[EdgeChunk]:
    """Concatenate consecutive blocks into chunks of at least ``chunk_rows`` rows (last may be smaller)."""
    pending: list[EdgeChunk] = []
    rows = 0
    for b in blocks:
        if b.size == 0:
            continue
        pending.append(b)
        rows += b.size
        if rows >= chunk_rows:
            yield concat_chunks(pending)
            pending, rows = [], 0
    if pending:
        yield concat_chunks(pending)
