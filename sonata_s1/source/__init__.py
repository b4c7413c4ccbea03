"""Reading the NetPyNE S1+thalamus source safely: the only package that knows its file formats.

``load_source()`` parses and validates the me-type table, ``conn.pkl`` (through a restricted
unpickler), ``conn_Th.pkl`` and the convergence table, and resolves the 931 cell files, returning a
:class:`SourceModel`. Cell JSONs themselves are read lazily (``SourceModel.load_cell``) because they
are 0.5 GB uncompressed; ``sonata-s1 check-source --deep`` validates them all.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

from ..paths import source_dir
from .cellparams import cell_name_from_path, read_cell_params
from .connectivity import parse_connectivity, parse_convergence, parse_thalamic, split_conn_ids
from .errors import Problems, SourceError
from .metypes import parse_metypes
from .model import (
    E_MTYPES,
    THALAMIC_CELL_MODELS,
    THALAMIC_POPULATIONS,
    BackgroundStats,
    METype,
    Pathway,
    S1Connectivity,
    SourceModel,
    SynapseType,
    ThalamicTables,
    ThalamoCorticalConvergence,
)
from .safe_pickle import load_pickle

__all__ = [
    "E_MTYPES", "THALAMIC_CELL_MODELS", "THALAMIC_POPULATIONS",
    "BackgroundStats", "METype", "Pathway", "S1Connectivity", "SourceModel", "SynapseType",
    "ThalamicTables", "ThalamoCorticalConvergence", "SourceError",
    "load_source", "resolve_cell_files", "load_pickle", "read_cell_params", "cell_name_from_path",
    "split_conn_ids", "DISTRIBUTION_FILE", "CONN_FILE", "CONN_TH_FILE", "CONVERGENCE_FILE",
]

#: Paths of the source files relative to the source root (the published repository's layout).
DISTRIBUTION_FILE = "cells/S1-cells-distributions-Rat.txt"
CONN_FILE = "conn/conn.pkl"
CONN_TH_FILE = "conn/conn_Th.pkl"
CONVERGENCE_FILE = "conn/convergence_Th_S1.txt"
S1_CELL_SUFFIX = "_cellParams"


def resolve_cell_files(cells_dir: Path, metypes: Sequence[METype], *, strict: bool = True) -> dict[str, Path]:
    """Cell-model name -> file for every clone ``<cellname>_<k>`` (k <= min(n, 5)) plus the two thalamic models.

    ``.json`` wins over ``.json.xz`` when both exist (an unpacked copy is faster to read). Every
    missing file is reported in one error. With ``strict``, an S1 cell file that no me-type
    references is also an error (a stray file means the copy is not the published one).
    """
    try:
        present = {e.name for e in os.scandir(cells_dir) if e.is_file()}
    except OSError as exc:
        raise SourceError(f"{cells_dir}: cannot list cell files ({exc})") from exc
    wanted = [(name, f"{name}{S1_CELL_SUFFIX}") for me in metypes for name in me.clone_names]
    wanted += [(name, name) for name in THALAMIC_CELL_MODELS]
    files: dict[str, Path] = {}
    missing: list[str] = []
    for name, stem in wanted:
        for candidate in (f"{stem}.json", f"{stem}.json.xz"):
            if candidate in present:
                files[name] = cells_dir / candidate
                break
        else:
            missing.append(f"{cells_dir / stem}.json[.xz]")
    problems = Problems(str(cells_dir))
    for m in missing:
        problems.add(f"missing cell file {m}")
    if strict:
        referenced = set(files)
        stray = sorted({cell_name_from_path(f) for f in present if f.endswith((f"{S1_CELL_SUFFIX}.json",
                                                                             f"{S1_CELL_SUFFIX}.json.xz"))}
                       - referenced)
        for name in stray:
            problems.add(f"S1 cell file {name}{S1_CELL_SUFFIX}.json[.xz] is not referenced by the distribution file")
    problems.raise_if_any()
    return files


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """mtime/size of the table files, so that a cached model is dropped when the data change."""
    sig = []
    for rel in (DISTRIBUTION_FILE, CONN_FILE, CONN_TH_FILE, CONVERGENCE_FILE, "cells"):
        try:
            st = (root / rel).stat()
            sig.append((rel, st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((rel, -1, -1))
    return tuple(sig)


@functools.lru_cache(maxsize=8)
def _load(root: Path, strict: bool, signature: tuple[tuple[str, int, int], ...]) -> SourceModel:
    metypes = parse_metypes(root / DISTRIBUTION_FILE, strict=strict)
    mtypes = list(dict.fromkeys(m.mtype for m in metypes))
    return SourceModel(
        root=root,
        metypes=metypes,
        cell_files=resolve_cell_files(root / "cells", metypes, strict=strict),
        s1=parse_connectivity(root / CONN_FILE, metypes, strict=strict),
        thalamic=parse_thalamic(root / CONN_TH_FILE, strict=strict),
        convergence=parse_convergence(root / CONVERGENCE_FILE, mtypes, strict=strict),
    )


def load_source(root: str | os.PathLike[str] | None = None, *, strict: bool = True) -> SourceModel:
    """Load and validate the NetPyNE source at ``root`` (resolved by ``sonata_s1.paths.source_dir``).

    ``strict`` (default) also checks the exact published counts (207 me-types, 31,346 cells, 929 S1
    cell files, 1,941 pathways, ...); pass ``strict=False`` for reduced or synthetic data sets.
    Results are cached per (root, strict) and invalidated when the table files change; the returned
    object is shared between callers, so treat it as read-only.
    Raises ``SourceNotFoundError`` if there is no ``cells/`` folder and :class:`SourceError` for
    missing or invalid data (every message names file and key).
    """
    path = source_dir(root)
    return _load(path, strict, _signature(path))


load_source.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
