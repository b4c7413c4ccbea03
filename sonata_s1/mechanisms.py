"""Compile the project's NMODL once per content and load it into NEURON.

Why a cache keyed by content: nobody should run ``nrnivmodl`` by hand, a changed ``.mod`` must
recompile, an unchanged one must not, and compiled output must never land in the project root
(NEURON auto-loads a stray ``x86_64/`` from the working directory). The key covers the NEURON
version, the machine, the C++ compiler and the names and bytes of every ``.mod`` file. Builds
happen in a temporary directory that is renamed into place, under a file lock, so concurrent
processes (pytest workers, MPI ranks) never see half a build.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import SonataS1Error
from .paths import MODFILES_DIR, cache_dir


class MechanismBuildError(SonataS1Error, RuntimeError):
    """nrnivmodl failed; the message carries the end of its log."""


def _cxx_version() -> str:
    cxx = os.environ.get("CXX", "g++")
    try:
        return subprocess.run([cxx, "-dumpversion"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "unknown"


def _modfiles(source: Path | Iterable[Path]) -> list[Path]:
    if isinstance(source, (str, Path)):
        files = sorted(Path(source).glob("*.mod"))
    else:
        files = sorted(Path(p) for p in source)
    if not files:
        raise MechanismBuildError(f"no .mod files in {source}")
    return [f.resolve() for f in files]


def mechanisms_key(files: list[Path]) -> str:
    """Content hash of a set of .mod files plus the toolchain that compiles them."""
    h = hashlib.sha256()
    h.update(f"neuron={importlib.metadata.version('neuron')} arch={platform.machine()} cxx={_cxx_version()}\n".encode())
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _nrnivmodl() -> str:
    candidate = Path(sys.executable).with_name("nrnivmodl")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nrnivmodl")
    if not found:
        raise MechanismBuildError("nrnivmodl not found: install the 'neuron' package (pip install neuron)")
    return found


def compiled_mechanisms_dir(source: Path | Iterable[Path] = MODFILES_DIR, *, quiet: bool = True) -> Path:
    """Return a directory holding ``<arch>/libnrnmech.so`` for these .mod files, compiling if needed.

    The directory is ``cache_dir()/mechanisms/<key>`` (:func:`mechanisms_key`); a cached directory
    without the library (an interrupted or pruned cache) is rebuilt, never returned.
    """
    files = _modfiles(source)
    key = mechanisms_key(files)
    root = cache_dir() / "mechanisms"
    root.mkdir(parents=True, exist_ok=True)
    out = root / key
    lib = out / platform.machine() / "libnrnmech.so"
    if lib.exists():
        return out
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if lib.exists():
            return out
        tmp = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
        stage = tmp / "mod"
        stage.mkdir()
        for f in files:
            shutil.copy2(f, stage / f.name)
        proc = subprocess.run(
            [_nrnivmodl(), "mod"], cwd=tmp, capture_output=True, text=True, check=False
        )
        (tmp / "nrnivmodl.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0 or not (tmp / platform.machine() / "libnrnmech.so").exists():
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
            shutil.rmtree(tmp, ignore_errors=True)
            raise MechanismBuildError(f"nrnivmodl failed for {[f.name for f in files]}:\n{tail}")
        if not quiet:
            print(f"compiled {len(files)} mechanisms into {out}", file=sys.stderr)
        if out.exists():  # under the lock and without a library: a broken leftover, replace it
            shutil.rmtree(out)
        os.replace(tmp, out)
    return out


_loaded: set[str] = set()


def load_mechanisms(source: Path | Iterable[Path] = MODFILES_DIR) -> Path:
    """Compile (if needed) and load the mechanisms into this process's NEURON; idempotent."""
    path = compiled_mechanisms_dir(source)
    key = str(path.resolve())
    if key in _loaded:
        return path
    import neuron

    if not neuron.load_mechanisms(key, warn_if_already_loaded=False):
        raise MechanismBuildError(f"NEURON could not load mechanisms from {key}")
    _loaded.add(key)
    return path
