"""``converters/netpyne_to_sonata.py`` forwards the options convert-cells needs (source, components dir)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("netpyne_to_sonata", ROOT / "converters" / "netpyne_to_sonata.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_convert_cells_gets_source_and_components() -> None:
    conv = _module().convert_cells_args
    assert conv(["--out", "c", "--density", "0.1"]) == ["convert-cells"]
    assert conv(["--out", "c", "--source", "/data/s1"]) == ["convert-cells", "--source", "/data/s1"]
    assert conv(["--source=/data/s1", "--components", "/x/comp", "--out", "c"]) == [
        "convert-cells", "--source", "/data/s1", "--out", "/x/comp"]
    # the circuit directory (--out of build) is never taken for the components directory
    assert "c" not in conv(["--out", "c", "--components=comp"])
