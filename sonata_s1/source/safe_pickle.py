"""A restricted unpickler for ``conn.pkl`` / ``conn_Th.pkl``.

``pickle.load`` executes whatever callables a file names, so loading a pickle from a data folder
would be arbitrary code execution. The two NetPyNE pickles need at most two globals (checked on
the published files): numpy's ``scalar`` reconstructor and ``numpy.dtype``; ``conn_Th.pkl`` needs none. This module
allows exactly those and refuses every other global (and persistent ids) before anything runs, and
bounds the size, object count, nesting depth and container sizes of what it reads.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SourceError

#: The only globals a NetPyNE source pickle may reference. ``numpy._core`` is
#: the name NumPy >= 2 writes; ``numpy.core`` is what the published files (NumPy 1.x) contain.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "dtype"),
})

#: dtype kinds a scalar may have: bool, signed/unsigned int, float, complex. An object-dtype
#: "scalar" would hand back an arbitrary object, so it is refused even though the global is allowed.
_NUMERIC_KINDS = frozenset("biufc")


def _checked_scalar(dtype: Any, data: Any = None) -> Any:
    """numpy's scalar reconstructor, limited to numeric dtypes and raw bytes payloads."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS or dtype.hasobject:
        raise pickle.UnpicklingError(f"numpy scalar of non-numeric dtype {dtype!r} refused")
    if not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise pickle.UnpicklingError(f"numpy scalar payload must be {dtype.itemsize} raw bytes")
    return np.frombuffer(data, dtype=dtype)[0]


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose ``find_class`` only resolves an allow-list of globals."""

    def __init__(self, file: io.BufferedIOBase, *, source: str,
                 allowed: Iterable[tuple[str, str]] = ALLOWED_GLOBALS) -> None:
        super().__init__(file)
        self._source = source
        self._allowed = frozenset(allowed)

    def find_class(self, module: str, name: str) -> Any:
        # GLOBAL, STACK_GLOBAL and EXT opcodes all resolve through here; refusing raises before
        # the REDUCE that would call the object, so a refused payload never runs.
        if (module, name) not in self._allowed:
            raise SourceError(f"{self._source}: refused pickle global {module}.{name} "
                              f"(allowed: {', '.join(sorted(f'{m}.{n}' for m, n in self._allowed)) or 'none'})")
        if name == "scalar":
            return _checked_scalar
        return np.dtype

    def persistent_load(self, pid: Any) -> Any:
        raise SourceError(f"{self._source}: refused pickle persistent id {pid!r}")


#: Bounds on an untrusted pickle (the published conn.pkl: 1.5 MB, 190,361 objects, depth 5, at most
#: 377 items per container). A few hundred bytes of shared references can describe a tree of 2**60
#: nodes that a copy (``to_plain``) would expand, so the tree is measured before anything walks it.
MAX_BYTES = 16 * 1024 * 1024
MAX_OBJECTS = 2_000_000
MAX_DEPTH = 32
MAX_ITEMS = 100_000


def check_bounds(obj: Any, source: str) -> None:
    """Raise :class:`SourceError` if the object tree (shared references counted each time) exceeds the bounds.

    Iterative and budgeted: it stops at the first bound crossed, so it never costs more than
    ``MAX_OBJECTS`` steps whatever the pickle describes.
    """
    stack: list[tuple[Any, int]] = [(obj, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_OBJECTS:
            raise SourceError(f"{source}: pickle describes more than {MAX_OBJECTS:,} objects (with shared "
                              "references expanded); refused as hostile or corrupt")
        if isinstance(item, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                raise SourceError(f"{source}: pickle nests deeper than {MAX_DEPTH} levels; refused as hostile or corrupt")
            if len(item) > MAX_ITEMS:
                raise SourceError(f"{source}: a pickled container holds {len(item):,} items (> {MAX_ITEMS:,}); "
                                  "refused as hostile or corrupt")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children)


def to_plain(obj: Any) -> Any:
    """Recursively replace numpy scalars by Python ``float``/``int``/``bool`` (quirk Q2).

    Downstream code serialises these values to JSON/HDF5 attributes and compares them with ``==``;
    plain Python numbers behave the same everywhere, numpy scalars do not.
    """
    if isinstance(obj, dict):
        return {to_plain(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_plain(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(to_plain(v) for v in obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def load_pickle(path: str | Path, *, allowed: Iterable[tuple[str, str]] = ALLOWED_GLOBALS,
                plain: bool = True) -> Any:
    """Load a pickle allowing only ``allowed`` globals; numpy scalars become Python numbers if ``plain``.

    Every failure (missing file, refused global, truncated or corrupt stream) is a
    :class:`SourceError` that names the file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(f"{path}: {size:,} bytes, more than the {MAX_BYTES:,} a source pickle may have")
        with open(path, "rb") as fh:
            obj = RestrictedUnpickler(fh, source=str(path), allowed=allowed).load()
        check_bounds(obj, str(path))
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise SourceError(f"{path}: not a valid pickle ({type(exc).__name__}: {exc})") from exc
    return to_plain(obj) if plain else obj
