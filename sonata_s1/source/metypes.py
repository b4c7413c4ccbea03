"""``cells/S1-cells-distributions-Rat.txt`` -> ``list[METype]``: one row per me-type with its cell counts.

Row order matters: it is NetPyNE's population creation order and therefore the node-id order, so
the list is returned in file order and nothing here sorts it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .errors import Problems, read_ascii
from .model import E_MTYPES, METype

#: Exact figures of the published file (checked only with ``strict=True``).
EXPECTED_TOTALS: dict[str, int] = {
    "rows": 207, "mtypes": 55, "cells": 31_346, "cells_E": 26_567, "cells_I": 4_779, "clones": 929,
}


def _nonneg_int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def parse_metypes(path: str | Path, *, strict: bool = True) -> list[METype]:
    """Parse and validate the me-type table.

    Structural checks (columns, numbers, label consistency, per-m-type sums) always run so that small synthetic tables are
    still validated; the exact published totals (207 rows, 55 m-types, 31,346 cells) are checked
    only with ``strict``. Every finding names the file and line; all are reported at once.
    """
    path = Path(path)
    text = read_ascii(path)

    problems = Problems(str(path))
    rows: list[METype] = []
    lines: dict[str, int] = {}  # label -> line number of first occurrence
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{path}:{lineno}"
        if len(fields) != 5:
            problems.add(f"{where}: expected 5 fields, found {len(fields)}: {line.strip()!r}")
            continue
        cellname, mtype, etype, n_txt, m_txt = fields
        n_me, n_m = _nonneg_int(n_txt), _nonneg_int(m_txt)
        if n_me is None or n_m is None:
            problems.add(f"{where}: columns 4-5 must be non-negative integers, got {n_txt!r} {m_txt!r}")
            continue
        if cellname != f"{mtype}_{etype}":
            problems.add(f"{where}: column 1 {cellname!r} != column 2 + '_' + column 3 ({mtype}_{etype})")
        me = METype(index=len(rows), cellname=cellname, mtype=mtype, etype=etype,
                    n_cells=n_me, n_mtype_cells=n_m)
        if me.label in lines:
            problems.add(f"{where}: me-type label {me.label!r} repeats line {lines[me.label]}")
        else:
            lines[me.label] = lineno
        rows.append(me)

    if not rows and not problems:
        problems.add(f"{path}: no rows")
    by_mtype: dict[str, list[METype]] = defaultdict(list)
    for me in rows:
        by_mtype[me.mtype].append(me)
    for mtype, members in by_mtype.items():
        first_line = lines.get(members[0].label, "?")
        n_m_values = {m.n_mtype_cells for m in members}
        total = sum(m.n_cells for m in members)
        if len(n_m_values) != 1:
            problems.add(f"{path}:{first_line}: m-type {mtype}: column 5 differs between its rows {sorted(n_m_values)}")
        elif total != members[0].n_mtype_cells:
            problems.add(f"{path}:{first_line}: m-type {mtype}: column 5 = {members[0].n_mtype_cells} "
                         f"but its rows sum to {total}")
        # Node ids give every m-type one contiguous block (S1 ids follow the file's row order); downstream relies on it.
        idx = [m.index for m in members]
        if idx != list(range(idx[0], idx[0] + len(idx))):
            problems.add(f"{path}:{first_line}: m-type {mtype}: rows are not contiguous")

    if strict and not problems:
        got = {
            "rows": len(rows), "mtypes": len(by_mtype), "cells": sum(m.n_cells for m in rows),
            "cells_E": sum(m.n_cells for m in rows if m.mtype in E_MTYPES),
            "cells_I": sum(m.n_cells for m in rows if m.mtype not in E_MTYPES),
            "clones": sum(m.n_clones for m in rows),
        }
        for key, want in EXPECTED_TOTALS.items():
            if got[key] != want:
                problems.add(f"{path}: {key} = {got[key]:,}, expected {want:,} (published data; "
                             "use strict=False for other tables)")
        missing_e = [m for m in E_MTYPES if m not in by_mtype]
        if missing_e:
            problems.add(f"{path}: excitatory m-types missing: {', '.join(missing_e)}")
    problems.raise_if_any()
    return rows
