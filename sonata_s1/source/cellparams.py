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


def cell_name_from_path(path: str | Path) -> str:
    """'L5_TTPC1_cADpyr232_1_cellParams.json.xz' -> 'L5_TTPC1_cADpyr232_1'; 'sTC_jv_00.json' -> 'sTC_jv_00'."""
    name = Path(path).name
    for suffix in (".xz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith("_cellParams"):
        name = name[: -len("_cellParams")]
    return name
