"""Helpers shared by test files (a plain module: ``conftest`` names clash between test folders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_py(code: str, *, nproc: int | None = None, env: dict[str, str] | None = None, timeout: float = 600,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh interpreter (optionally under the venv's mpiexec)."""
    cmd = [sys.executable, "-c", code]
    if nproc:
        cmd = [str(Path(sys.executable).with_name("mpiexec")), "-n", str(nproc), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})), cwd=cwd or ROOT)
