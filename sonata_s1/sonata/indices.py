"""SONATA edge indices (``target_to_source`` / ``source_to_target``) computed with numpy.

Why numpy instead of BMTK's index builder: that one goes through pandas and gzip (unreadable by
libsonata 0.2.2) and writes only ``node_id_to_range``. We need both names (BMTK reads
``node_id_to_range``, libsonata ``node_id_to_ranges``; a hard link satisfies both), one
row per node of the indexed population (also nodes without edges, as ``[0, 0)``), and memory that
stays near a few bytes per edge row at 40 M rows.
"""

from __future__ import annotations

import h5py
import numpy as np

from . import h5util


def compact_ids(ids: np.ndarray, n_nodes: int) -> np.ndarray:
    """The smallest unsigned dtype that holds every node id (halves sort memory at full scale)."""
    return ids.astype(np.uint32 if n_nodes < 2**32 else np.uint64, copy=False)


def build_index(ids: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(node_id_to_range, range_to_edge_id)`` for the id column ``ids`` (one value per edge row).

    ``range_to_edge_id`` lists maximal runs of consecutive edge rows with the same id, grouped by
    id (ascending) and, within an id, by row. ``node_id_to_range[i]`` is the ``[first, last)`` slice
    of those runs for node ``i``; ``[0, 0)`` when the node has no edge.
    """
    n_rows = int(ids.shape[0])
    if n_rows == 0:
        return np.zeros((n_nodes, 2), dtype=np.uint64), np.zeros((0, 2), dtype=np.uint64)
    ids = compact_ids(np.asarray(ids), n_nodes)
    if ids.max() >= n_nodes:
        raise h5util.WriterInputError(f"node id {int(ids.max())} outside the population of {n_nodes} nodes")
    if bool(np.all(ids[1:] >= ids[:-1])):  # target-sorted columns: no sort needed
        order = None
        sorted_ids = ids
        brk = np.flatnonzero(sorted_ids[1:] != sorted_ids[:-1]) + 1
    else:
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        brk = np.flatnonzero((sorted_ids[1:] != sorted_ids[:-1]) | (np.diff(order) != 1)) + 1
    starts = np.concatenate(([0], brk)).astype(np.int64)
    ends = np.concatenate((brk, [n_rows])).astype(np.int64)
    run_node = sorted_ids[starts]
    del brk
    if order is None:
        range_to_edge_id = np.stack([starts, ends], axis=1).astype(np.uint64)
    else:
        range_to_edge_id = np.stack([order[starts], order[ends - 1] + 1], axis=1).astype(np.uint64)
        del order
    del sorted_ids
    n_runs = np.bincount(run_node, minlength=n_nodes).astype(np.uint64)
    last = np.cumsum(n_runs, dtype=np.uint64)
    first = last - n_runs
    node_to_range = np.stack([first, last], axis=1)
    node_to_range[n_runs == 0] = 0
    return node_to_range, range_to_edge_id


def write_index(pop_grp: h5py.Group, name: str, node_to_range: np.ndarray, range_to_edge: np.ndarray,
                dtype: np.dtype | type = np.uint64) -> None:
    """Write ``indices/<name>`` with ``node_id_to_range`` + hard link ``node_id_to_ranges``.

    ``dtype`` (unsigned) must hold the number of edge rows; the edge writer passes uint32 when it
    can (libsonata 0.2.2 converts on read, BMTK uses the values as Python range bounds).
    """
    dtype = np.dtype(dtype)
    for what, arr in (("node_id_to_range", node_to_range), ("range_to_edge_id", range_to_edge)):
        if arr.size and int(arr.max()) > np.iinfo(dtype).max:
            raise h5util.WriterInputError(f"index {name}/{what}: value {int(arr.max())} does not fit {dtype}")
    grp = pop_grp["indices"] if "indices" in pop_grp else h5util.group(pop_grp, "indices")
    sub = h5util.group(grp, name)
    h5util.dataset(sub, "node_id_to_range", node_to_range.astype(dtype, copy=False))
    sub["node_id_to_ranges"] = sub["node_id_to_range"]  # hard link: libsonata's name, no extra data
    h5util.dataset(sub, "range_to_edge_id", range_to_edge.astype(dtype, copy=False))
