"""Arrays that the circuit rules produce and the SONATA writer consumes (no file I/O here).

``sonata_s1.circuit`` turns the source model into these tables; ``sonata_s1.sonata`` writes them.
Keeping the hand-over in plain numpy keeps the rules testable without HDF5 and the writer
testable without the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Integer edge columns and their dtypes (the writer keeps unsigned columns as given). Why narrow:
#: bytes per synapse row (goal ≤ 60 B at ~51 M rows). Section ids < 240 for the 931 models,
#: SWC codes 1-4, syn_type_id ≤ 1000 (TC:S1), n_rrp_vesicles 1. :func:`narrow` checks the range.
EDGE_COLUMN_DTYPES: dict[str, type[np.unsignedinteger]] = {
    "afferent_section_id": np.uint16,
    "afferent_section_type": np.uint8,
    "syn_type_id": np.uint16,
    "n_rrp_vesicles": np.uint8,
}


def narrow(name: str, values: np.ndarray) -> np.ndarray:
    """``values`` as the column's :data:`EDGE_COLUMN_DTYPES` dtype; ValueError instead of wrapping."""
    dtype = np.dtype(EDGE_COLUMN_DTYPES[name])
    values = np.asarray(values)
    if values.size:
        lo, hi = int(values.min()), int(values.max())
        info = np.iinfo(dtype)
        if lo < info.min or hi > info.max:
            raise ValueError(f"edge column {name!r}: values [{lo}, {hi}] do not fit {dtype}")
    return values.astype(dtype, copy=False)


@dataclass
class NodeTable:
    """One SONATA node population (one node group).

    ``node_type_id`` selects a row of ``node_types``; ``attributes`` holds one array per HDF5
    column of group ``0`` (string arrays are written as ``@library`` enumerations by the writer).
    Node ids are the row indices 0..N-1 (SONATA node ids are positions in the population).
    """

    population: str  # "S1", "thalamus", "background"
    model_type: str  # "biophysical" or "virtual" (the SONATA population type)
    node_type_id: np.ndarray  # int64, one per node
    attributes: dict[str, np.ndarray]
    node_types: list[dict[str, Any]]  # rows of the node-types CSV; each has 'node_type_id'

    @property
    def size(self) -> int:
        return int(self.node_type_id.shape[0])


@dataclass
class EdgeChunk:
    """A block of edge rows. Within one population, chunks arrive sorted by target node id."""

    source_node_id: np.ndarray  # uint64
    target_node_id: np.ndarray  # uint64
    edge_type_id: np.ndarray  # int64
    columns: dict[str, np.ndarray]  # syn_weight, delay, afferent_section_id, ...

    @property
    def size(self) -> int:
        return int(self.target_node_id.shape[0])


@dataclass
class EdgeTable:
    """One SONATA edge population; ``chunks`` is consumed once, in order (bounded memory)."""

    population: str  # e.g. "S1__S1", "thalamus__S1", "background__S1"
    source: str  # node population name
    target: str
    edge_types: list[dict[str, Any]]  # rows of the edge-types CSV; each has 'edge_type_id', 'model_template', 'dynamics_params'
    chunks: Iterator[EdgeChunk]
    synaptic_models: dict[str, dict[str, Any]] = field(default_factory=dict)  # dynamics_params file name -> JSON content
    sonata_type: str = "chemical"  # population type for circuit_config.json
