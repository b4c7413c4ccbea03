"""Write one SONATA node population (HDF5 + node-types CSV) from a :class:`NodeTable`.

Why this shape: node ids are the table rows 0..N-1, one node group ``0`` holds
every attribute, strings become ``@library`` enumerations (libsonata/bluepysnap decode them; BMTK
sees integer codes, so anything BMTK needs as a string lives in the CSV), and the
dtype/format policy of :mod:`.h5util` makes the bytes reproducible.

BMTK reads ``model_type``, ``model_template``, ``morphology``, ``dynamics_params`` and
``model_processing`` through ``node[...]``, where an HDF5 column *wins* over the node-types CSV
(``Node.__getitem__``) and ``@library`` is ignored: an enum column would hand BMTK an integer code,
a string ``dynamics_params`` would skip BMTK's JSON loading and a string ``morphology`` its
``morphologies_dir`` prefix (verified). So these keys live only in the CSV; when the circuit also
provides them as attributes (bluepysnap's schema wants them) they are checked against the CSV and
left out of the HDF5 file unless ``keep_bmtk_type_columns`` is set (a file for viewers, not BMTK).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import h5util
from .h5util import WriterInputError
from .tables import NodeTable


@dataclass(frozen=True)
class NodeFiles:
    """Where one population was written, relative to the network directory."""

    population: str
    model_type: str
    nodes_file: str
    node_types_file: str
    size: int


#: Node-type keys BMTK must read from the CSV (see module docstring).
BMTK_TYPE_KEYS = ("model_type", "model_template", "morphology", "dynamics_params", "model_processing")


def _check_against_types(table: NodeTable, name: str, where: str) -> None:
    """A per-node copy of a node-type key must agree with the CSV row of the node's type."""
    by_id = {int(r["node_type_id"]): r for r in table.node_types}
    values = np.asarray(table.attributes[name]).astype(str)
    type_ids = np.asarray(table.node_type_id)
    for tid in np.unique(type_ids).tolist():
        expected = by_id.get(int(tid), {}).get(name)
        if expected is not None and str(expected) != "NONE":
            ok = values[type_ids == tid] == str(expected)
            if not ok.all():
                raise WriterInputError(f"{where}: attribute {name!r} of node {int(np.flatnonzero(type_ids == tid)[~ok][0])} "
                                       f"is {values[type_ids == tid][~ok][0]!r} but node type {tid} says {expected!r}")


def write_nodes(table: NodeTable, network_dir: Path, *, keep_bmtk_type_columns: bool = False) -> NodeFiles:
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
            if name in BMTK_TYPE_KEYS and not keep_bmtk_type_columns:
                if name in ("model_type", "model_template"):
                    _check_against_types(table, name, where)
                continue
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
