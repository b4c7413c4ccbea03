"""Write one SONATA node population (HDF5 + node-types CSV) from a :class:`NodeTable`.

Why this shape: node ids are the table rows (architecture contract 3), one node group ``0`` holds
every attribute, strings become ``@library`` enumerations (libsonata/bluepysnap decode them; BMTK
sees integer codes, so anything BMTK needs as a string lives in the CSV, notes §3.1), and the
dtype/format policy of :mod:`.h5util` makes the bytes reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..circuit.tables import NodeTable
from . import h5util
from .h5util import WriterInputError


@dataclass(frozen=True)
class NodeFiles:
    """Where one population was written, relative to the network directory."""

    population: str
    model_type: str
    nodes_file: str
    node_types_file: str
    size: int


def write_nodes(table: NodeTable, network_dir: Path) -> NodeFiles:
    """Write ``<pop>_nodes.h5`` and ``<pop>_node_types.csv`` into ``network_dir``."""
    pop = table.population
    where = f"node population {pop!r}"
    n = table.size
    type_ids = np.asarray(table.node_type_id)
    if type_ids.ndim != 1 or type_ids.dtype.kind not in "iu":
        raise WriterInputError(f"{where}: node_type_id must be a 1-D integer array")
    for name, values in table.attributes.items():
        if np.asarray(values).shape != (n,):
            raise WriterInputError(f"{where}: attribute {name!r} has shape {np.asarray(values).shape}, expected ({n},)")

    csv_name = f"{pop}_node_types.csv"
    known = h5util.write_types_csv(network_dir / csv_name, table.node_types, "node_type_id", where)
    if n:
        h5util.check_ids_known(type_ids, known, where, "node_type_id")

    h5_name = f"{pop}_nodes.h5"
    with h5util.open_h5(network_dir / h5_name) as f:
        root = h5util.group(h5util.group(f, "nodes"), pop)
        h5util.dataset(root, "node_id", np.arange(n, dtype=np.uint64))
        h5util.dataset(root, "node_type_id", type_ids.astype(np.int64))
        h5util.dataset(root, "node_group_id", np.zeros(n, dtype=np.uint32))
        h5util.dataset(root, "node_group_index", np.arange(n, dtype=np.uint64))
        grp = h5util.group(root, "0")
        libraries: list[tuple[str, np.ndarray]] = []
        for name, values in table.attributes.items():
            values = np.asarray(values)
            if h5util.is_string_array(values):
                codes, lib = h5util.enumerate_strings(values)
                h5util.dataset(grp, name, codes)
                libraries.append((name, lib))
            else:
                h5util.dataset(grp, name, h5util.coerce_attribute(name, values, where))
        if libraries:
            lib_grp = h5util.group(grp, "@library")
            for name, lib in libraries:
                h5util.library_dataset(lib_grp, name, lib)
    return NodeFiles(pop, table.model_type, h5_name, csv_name, n)
