"""The package's layering (issue 10.1): import-linter contracts in pyproject.toml, checked on every run.

Why a test: a layering that is only written down erodes with the first convenient import; here an
upward import (e.g. post-run analysis reaching into the runner) or an import cycle fails the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_declares_the_layers_and_acyclic_contracts() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    by_id = {c["id"]: c for c in contracts}
    assert by_id["layers"]["type"] == "layers"
    top = [layer.split(":")[0].strip() for layer in by_id["layers"]["layers"]]
    assert top[:7] == ["cli", "sim", "analysis", "circuit", "cells", "sonata", "source"]
    assert by_id["acyclic"]["type"] == "acyclic_siblings"


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
