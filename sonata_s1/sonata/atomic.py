"""Atomic output directories: a build either lands completely or not at all.

Why: a circuit is a set of files that only make sense together (node ids in the edges refer to the
nodes files, configs name every file). A build interrupted half-way must not leave something that
looks like a circuit, and ``--force`` must never delete a directory the user made by hand. So we
write into a temporary sibling (same filesystem, so ``rename`` is atomic), drop a marker file that
identifies it as ours, and only then move it into place. An existing target is replaced only with
``force=True`` *and* only if it carries our marker.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: File written into every completed build; its presence is what allows ``--force`` to replace it.
MARKER_NAME = ".sonata_s1_build.json"
MARKER_TOOL = "sonata_s1"


class OutputDirError(RuntimeError):
    """The output directory cannot be (re)placed; the message says why and what to do."""


def _forbidden(path: Path) -> bool:
    """Directories that must never be replaced whatever the marker says (defence in depth)."""
    from ..paths import COMPONENTS_DIR, REPO_ROOT

    home = Path.home().resolve()
    return path in {Path("/"), home, REPO_ROOT, COMPONENTS_DIR} or path == Path(path.anchor)


def read_marker(path: Path) -> dict[str, Any] | None:
    """The marker of a previous build in ``path``, or ``None`` if it is not one of ours."""
    marker = path / MARKER_NAME
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != MARKER_TOOL:
        return None
    return data


def check_output_dir(out: Path, *, force: bool) -> None:
    """Raise :class:`OutputDirError` unless ``out`` may be written (called before any work starts)."""
    out = Path(out).absolute()
    if out.is_symlink():
        raise OutputDirError(f"output {out} is a symbolic link; give the real directory")
    if _forbidden(out.resolve()):
        raise OutputDirError(f"refusing to write a circuit to {out} (a protected directory)")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputDirError(f"output {out} exists and is not a directory")
    if not force:
        raise OutputDirError(f"output directory {out} already exists; use --force to replace a previous build")
    if read_marker(out) is None:
        raise OutputDirError(
            f"output directory {out} exists but is not a sonata_s1 build (no valid {MARKER_NAME}); "
            "refusing to replace it even with --force"
        )


@contextmanager
def atomic_output_dir(out: Path, *, force: bool = False, marker: dict[str, Any] | None = None) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``out`` when the block finishes without error.

    On any exception (including ``KeyboardInterrupt``) the temporary directory is removed and
    ``out`` is left exactly as it was. The marker is written last, so a directory with a marker
    is always a complete build.
    """
    out = Path(out).absolute()
    check_output_dir(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a circuit is an ordinary directory
    old: Path | None = None
    try:
        yield tmp
        info = {"tool": MARKER_TOOL, **(marker or {})}
        (tmp / MARKER_NAME).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
        if out.exists():
            check_output_dir(out, force=force)  # re-check: it may have appeared while we worked
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "previous")
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / "previous").exists() and not out.exists():
            os.rename(old / "previous", out)  # put the previous build back
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
