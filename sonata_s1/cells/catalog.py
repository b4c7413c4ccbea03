"""Which cell models exist: file stem -> source file, and which population kind each belongs to.

A small stand-in for ``sonata_s1.source.load_source()`` (written concurrently): the cell commands only
need the list of cell files, so they glob ``<source>/cells`` themselves. Names are file stems
(``L5_TTPC1_cADpyr232_1``, ``sTC_jv_00``); S1 clones are ``*_cellParams.json(.xz)``, everything
else in ``cells/`` with a ``.json(.xz)`` suffix is thalamic (``sTC_jv_00``, ``sRE_jv_00``).
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from ..source.cellparams import cell_name_from_path

S1, THALAMUS = "S1", "thalamus"


def population_of(path: str | Path) -> str:
    """'S1' for BBP clone rules (``*_cellParams``), 'thalamus' for the two thalamic rules."""
    name = Path(path).name
    return S1 if "_cellParams.json" in name else THALAMUS


def cell_files(source: Path) -> dict[str, Path]:
    """Cell-model name -> file, sorted by name (S1 clones and thalamic rules of ``source/cells``).

    A plain ``.json`` wins over a ``.json.xz`` of the same stem (lets tests drop in fixtures).
    """
    root = Path(source) / "cells" if (Path(source) / "cells").is_dir() else Path(source)
    found: dict[str, Path] = {}
    for path in sorted(root.glob("*.json.xz")) + sorted(root.glob("*.json")):
        found[cell_name_from_path(path)] = path
    return dict(sorted(found.items()))


def select(names: list[str], pattern: str | None = None, sample: int | None = None) -> list[str]:
    """Filter by comma-separated glob patterns, then take an evenly spaced sample of N (deterministic)."""
    if pattern:
        pats = [p.strip() for p in pattern.split(",") if p.strip()]
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) or p == n for p in pats)]
    if sample is not None and 0 < sample < len(names):
        step = len(names) / sample
        names = [names[int(i * step)] for i in range(sample)]
    return names


def etype_family(name: str) -> str:
    """e-type family of a cell-model name (README decision P11): 'cADpyr', 'bNAC', ...; 'TC' / 'RE' for thalamus."""
    if name.startswith("sTC"):
        return "TC"
    if name.startswith("sRE"):
        return "RE"
    parts = name.split("_")
    # <mtype...>_<etype>_<k>: the e-type is the second-to-last token
    etype = parts[-2] if len(parts) >= 3 else parts[-1]
    return etype.rstrip("0123456789")
