"""``provenance.json``: everything needed to tell later what a simulation output is.

Why: every model switch (cao mode, background streams, …; README "Model decisions") changes the
result, so each is recorded with it, and a rates table means little without the circuit, seed, MPI size,
package versions and git revision that produced it.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PACKAGES = ("sonata_s1", "bmtk", "neuron", "numpy", "h5py", "libsonata", "pynwb", "mpi4py", "mpich", "pandas",
            "matplotlib")


def package_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def git_revision(repo: Path) -> dict[str, Any]:
    """Commit and dirty flag of ``repo`` (read-only git calls; empty if git or the repo is unavailable)."""
    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def machine() -> dict[str, Any]:
    return {"hostname": platform.node(), "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "executable": sys.executable}


def write(path: Path, record: dict[str, Any]) -> None:
    """Atomic JSON write."""
    record = {"written": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **record}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, default=str) + "\n")
    os.replace(tmp, path)
