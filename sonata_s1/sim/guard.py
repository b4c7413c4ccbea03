"""Refuse to let BMTK delete a directory that is not a previous simulation output.

Why: ``bionet.Config.build_env`` calls ``shutil.rmtree(output_dir)`` whenever the directory exists,
ignoring ``overwrite_output_dir`` (BMTK 1.2.0). A config with ``"output_dir": "."`` or
a typo pointing at a home directory would silently wipe it. So the runner checks the target before
BMTK sees it: a missing or empty directory is fine, a directory carrying our marker (written right
after BMTK recreated it in a previous run) is fine, anything else is refused. Protected locations
(``/``, home, the repository root, anything holding the circuit, its components or the config
itself) are refused even with a marker.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Marker written into every output directory this runner created.
MARKER_NAME = ".sonata_s1_output.json"
MARKER_TOOL = "sonata_s1.run_bionet"


class OutputGuardError(RuntimeError):
    """The configured output directory must not be (re)created by BMTK; the message says why."""


def _is_within(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def has_marker(path: Path) -> bool:
    """True if ``path`` holds a marker of a previous run of this runner."""
    try:
        data = json.loads((path / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == MARKER_TOOL


def check_output_dir(output_dir: str | os.PathLike[str], protected: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Return the resolved output directory or raise :class:`OutputGuardError`.

    ``protected`` lists files and directories that must survive the run (config, circuit files,
    components): the output directory may neither be one of them nor contain one of them.
    """
    from ..paths import COMPONENTS_DIR, NETWORK_DIR, REPO_ROOT

    out = Path(output_dir).expanduser().absolute()
    if out.is_symlink():
        raise OutputGuardError(f"output_dir {out} is a symbolic link; BMTK would delete its target. Give a real directory.")
    out = out.resolve()
    home = Path.home().resolve()
    fixed = {Path("/"): "the filesystem root", home: "your home directory", REPO_ROOT: "the repository root",
             NETWORK_DIR.resolve(): "the default circuit directory", COMPONENTS_DIR.resolve(): "the components directory"}
    if out in fixed or out == Path(out.anchor):
        raise OutputGuardError(f"refusing output_dir {out}: it is {fixed.get(out, 'a filesystem root')} and BMTK "
                               "deletes the output directory at start. Use a dedicated sub-directory such as 'output'.")
    for p in protected:
        q = Path(p).expanduser().absolute().resolve()
        if out == q or _is_within(q, out):
            raise OutputGuardError(f"refusing output_dir {out}: it contains {q}, which the run needs (BMTK deletes the "
                                   "output directory at start). Use a dedicated sub-directory such as 'output'.")
    if not out.exists():
        return out
    if not out.is_dir():
        raise OutputGuardError(f"output_dir {out} exists and is not a directory")
    if not any(out.iterdir()):
        return out
    if has_marker(out):
        foreign = sorted(set(os.listdir(out)) - set(_recorded_files(out)) - {MARKER_NAME})
        if foreign and _recorded_files(out):
            raise OutputGuardError(
                f"output_dir {out} holds files the previous run did not write ({', '.join(foreign[:5])}"
                f"{', ...' if len(foreign) > 5 else ''}). BMTK deletes the output directory at start, so the run is "
                "refused. Move those files away or choose another output_dir."
            )
        return out
    raise OutputGuardError(
        f"output_dir {out} exists, is not empty and was not written by run_bionet.py (no {MARKER_NAME}). "
        "BMTK deletes the output directory at start, so the run is refused. Move the files away, delete the "
        "directory yourself or choose another output_dir."
    )


def _recorded_files(out: Path) -> list[str]:
    """Names the finished run listed in its marker ([] if it did not finish: anything then counts as ours)."""
    try:
        files = json.loads((out / MARKER_NAME).read_text()).get("files")
    except (OSError, ValueError, AttributeError):
        return []
    return [str(f) for f in files] if isinstance(files, list) else []


def record_outputs(out: Path) -> None:
    """At the end of a run: list what the run left in ``out``, so that files added later are never deleted."""
    try:
        data = json.loads((out / MARKER_NAME).read_text())
    except (OSError, ValueError):
        data = {"tool": MARKER_TOOL}
    data["files"] = sorted(set(os.listdir(out)) - {MARKER_NAME})
    _write_json(out, data)


def write_marker(out: Path, info: dict[str, Any] | None = None) -> None:
    """Mark ``out`` as ours so that the next run may replace it."""
    data = {"tool": MARKER_TOOL, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(info or {})}
    _write_json(out, data)


def _write_json(out: Path, data: dict[str, Any]) -> None:
    tmp = out / (MARKER_NAME + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, out / MARKER_NAME)
