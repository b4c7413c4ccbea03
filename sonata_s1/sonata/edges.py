"""Stream one SONATA edge population (HDF5 + edge-types CSV + synaptic-model JSONs) to disk.

Why streaming: at full scale the S1→S1 population has ~38 M rows and TC→S1 ~12 M; the circuit
hands them over as an iterator of target-sorted :class:`EdgeChunk`. Rows are buffered and written
in fixed blocks of :data:`BLOCK_ROWS` to resizable, chunked, *unfiltered* datasets, so memory is
bounded by one block plus one incoming chunk, and the bytes do not depend on how the circuit cut
its chunks. A population that fits in one block (the total is then known before anything is
written) gets exact-size contiguous datasets instead, so small populations do not pay for a
mostly empty 64 Ki-row chunk per column. The indices are built afterwards from the written id
columns (:mod:`.indices`).

Dtypes (bytes per synapse row, issue "≤ 60 B"): node ids, ``edge_group_index`` and the index
datasets are uint32 unless a value needs uint64 (:func:`h5util.row_dtype`); ``edge_type_id`` is the
smallest signed type (≥ int16) holding the types table's ids; ``edge_group_id`` is uint8 (one
group). Everything is decided from the population sizes and the types table, never from the data
of a chunk, so the file bytes stay independent of chunking.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from . import h5util, indices
from .h5util import WriterInputError
from .tables import EdgeChunk, EdgeTable

#: HDF5 chunk length (elements) of every chunked edge column; 64 Ki rows = at most 256 KiB (4-byte columns),
#: within h5py's default 1 MiB chunk cache so BMTK's row-by-row reads stay cached.
CHUNK_ROWS = 1 << 16
#: Rows per write; a multiple of CHUNK_ROWS so written chunks are always complete.
BLOCK_ROWS = 1 << 20


@dataclass(frozen=True)
class EdgeFiles:
    """What was written for one edge population (paths relative to the network directory)."""

    population: str
    source: str
    target: str
    sonata_type: str
    edges_file: str
    edge_types_file: str
    n_edges: int
    synaptic_models: tuple[str, ...]


@dataclass(frozen=True)
class _Column:
    """Where and how a dataset is created once its layout is known (at the first flush)."""

    parent: h5py.Group
    dtype: np.dtype
    attrs: tuple[tuple[str, str], ...] = ()


class _BlockWriter:
    """Append columns in fixed-size blocks (bounded memory, layout fixed by the total row count).

    Datasets are created at the first flush, in the order of ``columns``: exact-size contiguous
    when that flush is the final one (the population fits in one block), resizable chunked
    otherwise. Both depend only on the total number of rows, not on how the rows were chunked.
    """

    def __init__(self, columns: dict[str, _Column]):
        self._columns = columns
        self._datasets: dict[str, h5py.Dataset] = {}
        self._pending: dict[str, list[np.ndarray]] = {k: [] for k in columns}
        self._n_pending = 0
        self.n_written = 0

    def add(self, arrays: dict[str, np.ndarray]) -> None:
        for k, v in arrays.items():
            self._pending[k].append(v)
        self._n_pending += len(next(iter(arrays.values())))
        if self._n_pending >= BLOCK_ROWS:
            self._flush(final=False)

    def finish(self) -> None:
        self._flush(final=True)

    def _create(self, contiguous: bool) -> None:
        for name, col in self._columns.items():  # fixed order -> fixed file layout
            if contiguous:
                ds = col.parent.create_dataset(name, shape=(self._n_pending,), dtype=col.dtype, track_times=False)
            else:
                ds = col.parent.create_dataset(name, shape=(0,), maxshape=(None,), dtype=col.dtype,
                                               chunks=(CHUNK_ROWS,), track_times=False)
            for key, value in col.attrs:
                ds.attrs.create(key, value, dtype=h5py.string_dtype("utf-8"))
            self._datasets[name] = ds

    def _flush(self, *, final: bool) -> None:
        n = self._n_pending if final else (self._n_pending // BLOCK_ROWS) * BLOCK_ROWS
        if not self._datasets and (final or n > 0):
            self._create(contiguous=final and self.n_written == 0)
        if n == 0:
            return
        for name, ds in self._datasets.items():  # fixed order -> fixed file layout
            parts = self._pending[name]
            data = np.concatenate(parts) if len(parts) > 1 else parts[0]
            if data.dtype != ds.dtype:
                raise WriterInputError(f"column {name!r}: {data.dtype} rows for a {ds.dtype} dataset")
            start = self.n_written
            for off in range(0, n, BLOCK_ROWS):
                k = min(BLOCK_ROWS, n - off)
                if ds.chunks is not None:
                    ds.resize((start + off + k,))
                ds[start + off:start + off + k] = data[off:off + k]
            self._pending[name] = [data[n:]] if data.shape[0] > n else []
        self._n_pending -= n
        self.n_written += n


def _column_dtype(name: str, values: np.ndarray, where: str) -> np.dtype:
    if h5util.is_string_array(values):
        raise WriterInputError(f"{where}: string edge column {name!r} is not supported (use an edge type)")
    return h5util.coerce_attribute(name, values, where).dtype


def _fit(name: str, values: np.ndarray, dtype: np.dtype, where: str) -> np.ndarray:
    """Cast a later chunk's column to the dataset dtype fixed by the first chunk, never wrapping."""
    if values.dtype == dtype:
        return values
    if values.dtype.kind in "iu" and dtype.kind in "iu":
        info = np.iinfo(dtype)
        if values.size and (int(values.min()) < info.min or int(values.max()) > info.max):
            raise WriterInputError(f"{where}: column {name!r} values [{int(values.min())}, {int(values.max())}] "
                                   f"do not fit the dtype {dtype} chosen from the first chunk")
    elif not np.can_cast(values.dtype, dtype, "same_kind"):
        raise WriterInputError(f"{where}: column {name!r} changed dtype between chunks ({values.dtype} vs {dtype})")
    return values.astype(dtype)


def _check_chunk(chunk: EdgeChunk, columns: list[str], prev_target: int, n_source: int, n_target: int,
                 known_types: np.ndarray, where: str) -> None:
    n = chunk.size
    for label, arr in (("source_node_id", chunk.source_node_id), ("edge_type_id", chunk.edge_type_id),
                       *((f"column {c!r}", chunk.columns[c]) for c in columns)):
        if np.shape(arr) != (n,):
            raise WriterInputError(f"{where}: {label} has shape {np.shape(arr)}, expected ({n},)")
    if sorted(chunk.columns) != sorted(columns):
        raise WriterInputError(f"{where}: chunk columns {sorted(chunk.columns)} differ from the first chunk's {sorted(columns)}")
    if n == 0:
        return
    tgt = np.asarray(chunk.target_node_id)
    src = np.asarray(chunk.source_node_id)
    if int(tgt[0]) < prev_target or bool(np.any(tgt[1:] < tgt[:-1])):
        raise WriterInputError(f"{where}: edges are not sorted by target node id")
    if int(tgt.max()) >= n_target or int(src.max()) >= n_source or int(tgt.min()) < 0 or int(src.min()) < 0:
        raise WriterInputError(f"{where}: node id out of range (source < {n_source}, target < {n_target})")
    bad = ~np.isin(chunk.edge_type_id, known_types)
    if bad.any():
        raise WriterInputError(f"{where}: edge_type_id {np.unique(np.asarray(chunk.edge_type_id)[bad])[:10].tolist()} "
                               "not in the edge types table")


def _read_ids(ds: h5py.Dataset, n_nodes: int) -> np.ndarray:
    """Read an id column block-wise into the compact dtype (no full-size uint64 copy)."""
    out = np.empty(ds.shape[0], dtype=h5util.row_dtype(n_nodes))
    for start in range(0, ds.shape[0], BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, ds.shape[0])
        out[start:stop] = ds[start:stop]
    return out


def write_synaptic_models(models: dict[str, dict[str, Any]], models_dir: Path, where: str) -> tuple[str, ...]:
    """Write each ``dynamics_params`` JSON once; two populations may share a file only with equal content."""
    models_dir.mkdir(parents=True, exist_ok=True)
    for name, content in models.items():
        if Path(name).name != name or not name.endswith(".json"):
            raise WriterInputError(f"{where}: synaptic model file name {name!r} must be a plain '*.json' name")
        text = json.dumps(content, indent=2) + "\n"
        path = models_dir / name
        if path.exists() and path.read_text() != text:
            raise WriterInputError(f"{where}: synaptic model {name} differs from one written by another population")
        path.write_text(text)
    return tuple(models)


def write_edges(table: EdgeTable, network_dir: Path, models_dir: Path, *, n_source: int, n_target: int,
                on_rows: Callable[[int], None] | None = None) -> EdgeFiles:
    """Consume ``table.chunks`` and write ``<pop>_edges.h5`` + ``<pop>_edge_types.csv``.

    ``n_source``/``n_target`` are the sizes of the node populations (ids are checked against them
    and the indices get one row per node). ``on_rows`` is called with each chunk's row count
    (progress bars).
    """
    pop = table.population
    where = f"edge population {pop!r}"
    csv_name = f"{pop}_edge_types.csv"
    for row in table.edge_types:
        for key in ("edge_type_id", "model_template", "dynamics_params"):
            if key not in row:
                raise WriterInputError(f"{where}: edge type {row.get('edge_type_id')} lacks {key!r}")
    known = np.array(h5util.write_types_csv(network_dir / csv_name, table.edge_types, "edge_type_id", where),
                     dtype=np.int64)
    model_names = write_synaptic_models(table.synaptic_models, models_dir, where)
    for row in table.edge_types:
        if not (models_dir / str(row["dynamics_params"])).exists():
            raise WriterInputError(f"{where}: edge type {row['edge_type_id']} names dynamics_params "
                                   f"{row['dynamics_params']!r} but no such synaptic model was provided")

    h5_name = f"{pop}_edges.h5"
    with h5util.open_h5(network_dir / h5_name) as f:
        root = h5util.group(h5util.group(f, "edges"), pop)
        grp = h5util.group(root, "0")
        structural = {
            "source_node_id": _Column(root, h5util.row_dtype(n_source - 1), (("node_population", table.source),)),
            "target_node_id": _Column(root, h5util.row_dtype(n_target - 1), (("node_population", table.target),)),
            "edge_type_id": _Column(root, h5util.type_id_dtype(known)),
        }

        columns: list[str] | None = None
        specs: dict[str, _Column] = dict(structural)
        writer: _BlockWriter | None = None
        prev_target = 0
        for chunk in table.chunks:
            if columns is None:
                columns = list(chunk.columns)
                for name in columns:
                    values = np.asarray(chunk.columns[name])
                    specs[name] = _Column(grp, _column_dtype(name, values, where))
                writer = _BlockWriter(specs)
            assert writer is not None
            _check_chunk(chunk, columns, prev_target, n_source, n_target, known, where)
            if chunk.size == 0:
                continue
            arrays = {name: np.asarray(getattr(chunk, name)).astype(spec.dtype, copy=False)
                      for name, spec in structural.items()}  # ranges checked by _check_chunk
            for name in columns:
                values = h5util.coerce_attribute(name, np.asarray(chunk.columns[name]), where)
                arrays[name] = _fit(name, values, specs[name].dtype, where)
            prev_target = int(arrays["target_node_id"][-1])
            writer.add(arrays)
            if on_rows is not None:
                on_rows(chunk.size)
        if writer is None:  # no chunk at all: the id columns still exist (empty)
            writer = _BlockWriter(specs)
        writer.finish()
        n_edges = writer.n_written

        # Group bookkeeping after the data columns (their size is only known now).
        h5util.dataset(root, "edge_group_id", np.zeros(n_edges, dtype=np.uint8))
        h5util.dataset(root, "edge_group_index", np.arange(n_edges, dtype=h5util.row_dtype(max(n_edges - 1, 0))))

        range_dtype = h5util.row_dtype(n_edges)  # [start, end) rows and run numbers are <= n_edges
        tgt = _read_ids(root["target_node_id"], n_target)
        indices.write_index(root, "target_to_source", *indices.build_index(tgt, n_target), dtype=range_dtype)
        del tgt
        src = _read_ids(root["source_node_id"], n_source)
        indices.write_index(root, "source_to_target", *indices.build_index(src, n_source), dtype=range_dtype)
        del src
    return EdgeFiles(pop, table.source, table.target, table.sonata_type, h5_name, csv_name, n_edges, model_names)
