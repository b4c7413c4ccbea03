"""Compact per-cell-model section facts for synapse placement, cached on disk.

Synapse placement needs, for each of the 931 cell models, the section lengths (``geom.L``), SWC
types, nseg and the ``spiny`` / ``spinyEE`` id lists — all taken from
:func:`sonata_s1.cells.sections.section_table`, the one section-order contract. Decompressing and
parsing 929 xz JSONs on every build is wasteful, so the flattened arrays are cached in one ``.npz`` in
:func:`sonata_s1.paths.cache_dir`, keyed by a hash of the cell files' names, sizes and mtimes and of a
format version (the reading itself goes only through ``SourceModel.load_cell``).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..cells.sections import section_table
from ..source.model import SourceModel

CACHE_VERSION = 1


@dataclass(frozen=True)
class SectionCache:
    """Flattened section tables; model m owns rows ``sec_offset[m]:sec_offset[m+1]``."""

    models: tuple[str, ...]
    sec_offset: np.ndarray  # int64 (n_models + 1)
    length: np.ndarray  # float64, geom.L
    swc_type: np.ndarray  # uint8
    nseg: np.ndarray  # int32
    spiny_offset: np.ndarray  # int64 (n_models + 1)
    spiny: np.ndarray  # int32 section ids (SONATA order), list order
    spiny_ee_offset: np.ndarray
    spiny_ee: np.ndarray
    weight_norm: np.ndarray  # float64 per model: soma weightNorm (last element), 1.0 if absent

    def model_index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.models)}

    def section_list(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(offsets, flat ids) of ``'spiny'`` or ``'spinyEE'``."""
        if kind == "spiny":
            return self.spiny_offset, self.spiny
        if kind == "spinyEE":
            return self.spiny_ee_offset, self.spiny_ee
        raise ValueError(f"unknown section list {kind!r}")


def _source_key(source: SourceModel, models: list[str]) -> str:
    h = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    for name in models:
        path = Path(source.cell_files[name])
        st = path.stat()
        h.update(f"{name}\0{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def build_section_cache(source: SourceModel, models: list[str]) -> SectionCache:
    """Read every listed cell model through ``source.load_cell`` (slow; use :func:`load_section_cache`)."""
    lengths, swcs, nsegs, spiny, spiny_ee, wn = [], [], [], [], [], []
    for name in models:
        cell = source.load_cell(name)
        st = section_table(cell)
        lengths.append(st.length)
        swcs.append(st.swc_type)
        nsegs.append(st.nseg)
        spiny.append(st.spiny)
        spiny_ee.append(st.spiny_ee)
        norm = cell.get("secs", {}).get("soma", {}).get("weightNorm")
        wn.append(float(norm[-1]) if norm else 1.0)

    def offsets(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return SectionCache(
        models=tuple(models), sec_offset=offsets(lengths), length=cat(lengths, np.float64),
        swc_type=cat(swcs, np.uint8), nseg=cat(nsegs, np.int32),
        spiny_offset=offsets(spiny), spiny=cat(spiny, np.int32),
        spiny_ee_offset=offsets(spiny_ee), spiny_ee=cat(spiny_ee, np.int32),
        weight_norm=np.asarray(wn, dtype=np.float64),
    )


def load_section_cache(source: SourceModel, models: list[str] | None = None,
                       cache_dir: Path | None = None) -> SectionCache:
    """The section cache of ``models`` (default: all cell models of the source), built once per source.

    The file is only an optimisation: an unwritable cache directory (read-only home, CI sandbox)
    costs each build the time of reading the cell JSONs, never the build itself.
    """
    from ..paths import cache_dir as default_cache_dir

    models = sorted(source.cell_files) if models is None else list(models)
    try:
        directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    except OSError:  # cache_dir() creates the directory
        return build_section_cache(source, models)
    path = directory / f"section_tables_{_source_key(source, models)}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as z:
                if tuple(str(m) for m in z["models"]) == tuple(models):
                    return SectionCache(models=tuple(models), **{k: z[k] for k in _ARRAYS})
        except (OSError, ValueError, KeyError):
            pass  # corrupt or stale: rebuild
    cache = build_section_cache(source, models)
    buf = io.BytesIO()
    np.savez(buf, models=np.asarray(models), **{k: getattr(cache, k) for k in _ARRAYS})
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".section_tables_", suffix=".tmp")
    except OSError:
        return cache  # not writable: use the tables without caching them
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)
    except OSError:
        pass  # e.g. disk full: the cache is optional
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return cache


_ARRAYS = ("sec_offset", "length", "swc_type", "nseg", "spiny_offset", "spiny", "spiny_ee_offset", "spiny_ee",
           "weight_norm")
