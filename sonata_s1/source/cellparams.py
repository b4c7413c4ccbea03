"""Reading one NetPyNE cell rule (``*_cellParams.json`` or ``.json.xz``, thalamic ``*.json(.xz)``)."""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

from .errors import SourceError


def read_cell_params(path: str | Path) -> dict[str, Any]:
    """Load a cell rule, decompressing ``.xz`` transparently; errors name the file."""
    path = Path(path)
    try:
        if path.suffix == ".xz":
            with lzma.open(path, "rt", encoding="utf-8") as fh:
                return json.load(fh)
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise SourceError(f"{path}: cell file not found") from None
    except (json.JSONDecodeError, lzma.LZMAError, UnicodeDecodeError, EOFError) as exc:
        raise SourceError(f"{path}: not a valid cell JSON ({exc})") from exc


def read_checked_cell(path: str | Path) -> dict[str, Any]:
    """:func:`read_cell_params` plus the structural checks of ``check-source --deep``, as one line.

    Why: the builders index the rule directly (``secs[...]['geom']['L']``); a structurally wrong
    file must stop with the file and key at fault, not with a TypeError deep inside them.
    """
    from .cellcheck import check_structure

    rule = read_cell_params(path)
    problems = check_structure(rule, name=cell_name_from_path(path))
    if problems:
        more = f" (and {len(problems) - 1} more problem(s); see `sonata-s1 check-source --deep`)" if len(problems) > 1 else ""
        raise SourceError(f"{path}: invalid cell rule: {problems[0]}{more}", [f"{path}: {p}" for p in problems])
    return rule


def cell_name_from_path(path: str | Path) -> str:
    """'L5_TTPC1_cADpyr232_1_cellParams.json.xz' -> 'L5_TTPC1_cADpyr232_1'; 'sTC_jv_00.json' -> 'sTC_jv_00'."""
    name = Path(path).name
    for suffix in (".xz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith("_cellParams"):
        name = name[: -len("_cellParams")]
    return name
