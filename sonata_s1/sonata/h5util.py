"""HDF5 and CSV conventions shared by the node and edge writers.

Why one place: byte-identical output (same options and seed ⇒ same bytes) needs every file opened with the
same ``libver``, every object created with ``track_times=False`` and in a fixed order, and no
compression filter (libsonata 0.2.2 wheels cannot read gzip). Dtypes follow what bluepysnap's
validator expects (integer ids, float32 positions) and what the three readers accept.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

#: One fixed format version for every file (the h5py default, readable by every HDF5 >= 1.8).
LIBVER = "earliest"
SONATA_VERSION = np.array([0, 1], dtype=np.uint32)
SONATA_MAGIC = np.uint32(0x0A7A)

#: Attributes stored as float32 (bluepysnap expects float32; the model's precision is far coarser).
FLOAT32_ATTRIBUTES = frozenset({
    "x", "y", "z",
    "rotation_angle_xaxis", "rotation_angle_yaxis", "rotation_angle_zaxis",
    "orientation_w", "orientation_x", "orientation_y", "orientation_z",
    "afferent_section_pos", "afferent_segment_offset", "efferent_section_pos",
    "afferent_center_x", "afferent_center_y", "afferent_center_z",
    "afferent_surface_x", "afferent_surface_y", "afferent_surface_z",
    "delay", "syn_weight", "conductance", "u_syn", "depression_time", "facilitation_time",
    "decay_time", "spine_length", "tau1", "tau2", "erev",
})
#: Attributes that must be unsigned integers (bluepysnap flags signed ones).
UNSIGNED_ATTRIBUTES = frozenset({
    "afferent_section_id", "afferent_segment_id", "afferent_section_type",
    "efferent_section_id", "n_rrp_vesicles", "syn_type_id",
})


#: Unsigned columns where a negative value is a hard error (a section index must exist).
STRICT_UNSIGNED = frozenset({"afferent_section_id", "efferent_section_id"})


class WriterInputError(ValueError):
    """The tables handed to the writer are inconsistent (names the population and column)."""


class WriterWarning(UserWarning):
    """Written as given, but a SONATA validator will object (e.g. negative ``syn_type_id``)."""


def open_h5(path: Path) -> h5py.File:
    """A new HDF5 file with the project's fixed format settings."""
    f = h5py.File(path, "w", libver=LIBVER, track_order=False)
    f.attrs.create("version", SONATA_VERSION)
    f.attrs.create("magic", SONATA_MAGIC)
    return f


def group(parent: h5py.Group, name: str) -> h5py.Group:
    return parent.create_group(name, track_times=False)


def dataset(parent: h5py.Group, name: str, data: np.ndarray) -> h5py.Dataset:
    """A contiguous, uncompressed dataset holding ``data`` exactly."""
    return parent.create_dataset(name, data=data, track_times=False)


def is_string_array(values: np.ndarray) -> bool:
    return values.dtype.kind in "USO"


def coerce_attribute(name: str, values: np.ndarray, where: str) -> np.ndarray:
    """Apply the dtype policy to one numeric column (strings are handled by :func:`enumerate_strings`)."""
    values = np.asarray(values)
    if values.ndim != 1:
        raise WriterInputError(f"{where}: column {name!r} must be one-dimensional, got shape {values.shape}")
    if values.dtype.kind == "b":
        return values.astype(np.uint8)
    if name in FLOAT32_ATTRIBUTES:
        if values.dtype.kind not in "fiu":
            raise WriterInputError(f"{where}: column {name!r} must be numeric, got {values.dtype}")
        return values.astype(np.float32)
    if name in UNSIGNED_ATTRIBUTES:
        if values.dtype.kind == "f":
            raise WriterInputError(f"{where}: column {name!r} must hold integers, got {values.dtype}")
        if values.dtype.kind == "i" and values.size and values.min() < 0:
            if name in STRICT_UNSIGNED:
                raise WriterInputError(f"{where}: column {name!r} must hold non-negative integers")
            warnings.warn(f"{where}: column {name!r} has negative values (min {int(values.min())}); "
                          "written as signed int, bluepysnap expects unsigned", WriterWarning, stacklevel=2)
            return values
        if values.dtype.kind == "u":
            return values
        return values.astype(np.uint32 if (not values.size or values.max() < 2**32) else np.uint64)
    if values.dtype.kind not in "fiu":
        raise WriterInputError(f"{where}: column {name!r} has unsupported dtype {values.dtype}")
    return values


def row_dtype(max_value: int) -> np.dtype:
    """uint32, or uint64 only when ``max_value`` needs it: node ids, row numbers and index ranges.

    Why uint32 and not uint64 (SONATA's customary width): these columns are 21 of the 87.5 bytes per
    synapse row at full scale, every id here is < 2**32, and all three readers accept any unsigned
    width (libsonata 0.2.2 converts on read, bluepysnap's schema takes uint8-uint64, BMTK uses the
    h5py values as indices). Never narrower than uint32, so small test circuits exercise the same
    dtypes as the full build.
    """
    return np.dtype(np.uint32 if max_value < 2**32 else np.uint64)


def type_id_dtype(type_ids: Sequence[int] | np.ndarray) -> np.dtype:
    """The smallest signed integer dtype (at least int16) holding every type id of a types table.

    Decided from the types CSV before any row is written, so it cannot depend on chunking;
    bluepysnap's schema accepts any signed width for ``edge_type_id``.
    """
    ids = np.asarray(type_ids, dtype=np.int64)
    lo, hi = (int(ids.min()), int(ids.max())) if ids.size else (0, 0)
    for dt in (np.int16, np.int32):
        info = np.iinfo(dt)
        if info.min <= lo and hi <= info.max:
            return np.dtype(dt)
    return np.dtype(np.int64)


def enumerate_strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (uint32) and sorted string table for an HDF5 ``@library`` enumeration (libsonata and bluepysnap decode it; BMTK sees the integer codes)."""
    strings = np.asarray(values).astype(str)
    table, codes = np.unique(strings, return_inverse=True)
    return codes.astype(np.uint32).reshape(-1), table


def library_dataset(parent: h5py.Group, name: str, table: np.ndarray) -> h5py.Dataset:
    """Variable-length UTF-8 string table (what libsonata reads as ``enumeration_values``)."""
    dt = h5py.string_dtype("utf-8")
    return parent.create_dataset(name, data=np.array([str(s) for s in table], dtype=object), dtype=dt,
                                 track_times=False)


def _csv_value(value: Any, where: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NONE"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = str(value)
    if text == "":
        return "NONE"
    if any(c.isspace() for c in text) or '"' in text:
        raise WriterInputError(f"{where}: value {text!r} contains whitespace or quotes (BMTK splits on spaces)")
    return text


def write_types_csv(path: Path, rows: Sequence[Mapping[str, Any]], id_column: str, where: str) -> list[int]:
    """Node/edge types CSV as BMTK reads it: single spaces, ``NONE`` for missing (BMTK's pandas reader splits on one space).

    Columns: the id first, then every other key in order of first appearance. Returns the ids.
    """
    if not rows:
        raise WriterInputError(f"{where}: no {id_column} rows")
    columns: list[str] = [id_column]
    for row in rows:
        if id_column not in row:
            raise WriterInputError(f"{where}: a types row lacks {id_column!r}: {dict(row)}")
        columns.extend(k for k in row if k not in columns)
    ids = [int(row[id_column]) for row in rows]
    if len(set(ids)) != len(ids):
        raise WriterInputError(f"{where}: duplicate {id_column} in types rows")
    lines = [" ".join(columns)]
    for row in rows:
        lines.append(" ".join(_csv_value(row.get(c), f"{where} {id_column}={row[id_column]} {c}") for c in columns))
    path.write_text("\n".join(lines) + "\n")
    return ids


def check_ids_known(ids: np.ndarray, known: Iterable[int], where: str, what: str) -> None:
    """Every id used in the HDF5 file must have a row in the types CSV."""
    present = np.unique(ids)
    missing = np.setdiff1d(present, np.fromiter(known, dtype=np.int64))
    if missing.size:
        raise WriterInputError(f"{where}: {what} {missing[:10].tolist()} used but not in the types table")
