"""The one guard of every directory the project writes: a circuit build (``--out``) or a run's ``output_dir``.

Why: both commands replace a whole directory (a build renames a new tree over the old one, BMTK
``rmtree``s its output directory at start), so a mistake there deletes a user's work. The rules:

* A directory may be replaced only if it carries our marker (``.sonata_s1.json``) **with a complete
  file list** (relative path, size, mtime) and holds nothing else: any other file, or a listed file
  changed since, is the user's and the replacement is refused naming it. A marker without a complete
  list (a killed run, an older version of the tool) means "unknown": a non-empty directory is refused.
* Every path a run writes must resolve inside its output directory (:func:`check_written_paths`).
* One writer at a time: an exclusive ``flock`` on a sibling ``.NAME.lock`` file is held for the whole
  build or run; a second one is refused at once. The kernel drops the lock when the process dies, so
  a ``kill -9`` never leaves the directory locked.
* A build writes into a temporary sibling ``.NAME.tmp-XXXXXXXX`` and renames it into place; the
  next build of the same ``--out`` (holding the lock, so no build is running) reports and removes
  temporaries a ``kill -9`` left behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import SonataS1Error

#: The marker of a directory written by this project (one schema for builds and runs).
MARKER_NAME = ".sonata_s1.json"
TOOL = "sonata_s1"
#: Markers of earlier versions: read for compatibility (a run's top-level file list), never written.
LEGACY_MARKERS = {".sonata_s1_build.json": "build", ".sonata_s1_output.json": "run"}
KINDS = ("build", "run")
#: Marker states: ``running`` (no file list yet), ``complete``/``failed`` (file list recorded at the end).
STATES = ("running", "complete", "failed")
#: How many paths an error message names before summarising.
MAX_NAMED = 8


class OutputDirError(SonataS1Error):
    """An output directory must not be written or replaced; the message says why and what to do."""


# ----------------------------------------------------------------------------------------------- marker


def scan(root: Path) -> dict[str, list[int]]:
    """Every file, symlink and empty directory below ``root`` except our marker: relative path -> [size, mtime_ns].

    Empty directories are listed as ``"name/"`` so that an empty folder a user made counts as theirs.
    """
    root = Path(root)
    files: dict[str, list[int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in filenames + dirnames:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel in (MARKER_NAME, MARKER_NAME + ".tmp") or rel in LEGACY_MARKERS:
                continue
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    files[rel + "/"] = [0, 0]
                continue
            st = os.lstat(path)
            files[rel] = [int(st.st_size), int(st.st_mtime_ns)]
    return files


def read_marker(path: Path) -> dict[str, Any] | None:
    """The marker of ``path`` (current schema, or a legacy one translated to it), ``None`` if not ours."""
    path = Path(path)
    for name, kind in ((MARKER_NAME, None), *LEGACY_MARKERS.items()):
        try:
            data = json.loads((path / name).read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        if kind is None and data.get("tool") == TOOL and data.get("kind") in KINDS:
            return data
        if kind is not None and str(data.get("tool", "")).startswith(TOOL):
            legacy = data.get("files")
            return {**data, "tool": TOOL, "kind": kind, "legacy": name,
                    "state": "complete" if isinstance(legacy, list) else "running",
                    "files": None, "top_level": legacy if isinstance(legacy, list) else None}
    return None


def write_marker(path: Path, kind: str, state: str, info: dict[str, Any] | None = None, *,
                 files: dict[str, list[int]] | None = None) -> None:
    """Write (atomically) the marker of ``path``; ``files`` only once the writer has finished."""
    assert kind in KINDS and state in STATES
    data = {**(info or {}), "tool": TOOL, "kind": kind, "state": state,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": files}
    tmp = Path(path) / (MARKER_NAME + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, Path(path) / MARKER_NAME)
    for legacy in LEGACY_MARKERS:
        (Path(path) / legacy).unlink(missing_ok=True)


def finish_marker(path: Path, state: str = "complete") -> None:
    """At the end of a run or build: record every file now in ``path`` so that later additions are never ours."""
    data = read_marker(path) or {"kind": "run"}
    info = {k: v for k, v in data.items() if k not in ("tool", "kind", "state", "updated", "files", "legacy",
                                                      "top_level")}
    write_marker(path, data["kind"], state, info, files=scan(path))


def owned_file(path: Path) -> bool:
    """True if ``path`` is a file a finished run of ours wrote and nobody changed since."""
    path = Path(path).absolute()
    for root in path.parents:
        marker = read_marker(root)
        if marker is not None and marker["kind"] == "run":
            rec = (marker.get("files") or {}).get(path.relative_to(root).as_posix())
            return rec is not None and path.is_file() and list(rec) == scan_one(path)
    return False


def scan_one(path: Path) -> list[int]:
    st = os.lstat(path)
    return [int(st.st_size), int(st.st_mtime_ns)]


def record_file(path: Path) -> None:
    """Add (or refresh) ``path`` in the file list of the finished run directory that holds it (if any)."""
    path = Path(path).absolute()
    for root in path.parents:
        marker = read_marker(root)
        if marker is not None and marker["kind"] == "run":
            if isinstance(marker.get("files"), dict) and not marker.get("legacy"):
                marker["files"][path.relative_to(root).as_posix()] = scan_one(path)
                info = {k: v for k, v in marker.items() if k not in ("tool", "kind", "state", "updated", "files")}
                write_marker(root, marker["kind"], marker["state"], info, files=marker["files"])
            return


def foreign_paths(path: Path, marker: dict[str, Any]) -> list[str] | None:
    """What in ``path`` the marked writer did not write (or changed since); ``None`` if its list is unknown."""
    if marker.get("legacy") and marker.get("top_level") is not None:
        listed = {str(f) for f in marker["top_level"]}
        return sorted(n for n in os.listdir(path) if n not in listed and n not in LEGACY_MARKERS)
    files = marker.get("files")
    if marker.get("state") not in ("complete", "failed") or not isinstance(files, dict):
        return None
    out = []
    for rel, now in sorted(scan(path).items()):
        rec = files.get(rel)
        if rec is None:
            out.append(rel)
        elif list(rec) != now:
            out.append(f"{rel} (changed since it was written)")
    return [o for o in out if not _is_lock_litter(path, o)]


def _is_lock_litter(root: Path, rel: str) -> bool:
    """An empty ``.NAME.lock`` left by a killed writer of a sub-directory (nothing of value)."""
    p = root / rel
    return "/" not in rel and bool(re.fullmatch(r"\..+\.lock", rel)) and p.is_file() and p.stat().st_size == 0


def _named(paths: list[str]) -> str:
    more = len(paths) - MAX_NAMED
    return ", ".join(paths[:MAX_NAMED]) + (f", ... ({more} more)" if more > 0 else "")


def check_replaceable(path: Path, kind: str, *, what: str) -> None:
    """Raise :class:`OutputDirError` unless the existing, non-empty ``path`` may be deleted and rewritten.

    ``kind`` is the writer about to replace it (``build``/``run``): a directory marked by the other
    kind is never replaced (a circuit is not a run output and vice versa).
    """
    marker = read_marker(path)
    if marker is None:
        raise OutputDirError(f"{what} {path} exists, is not empty and was not written by sonata_s1 (no {MARKER_NAME}); "
                             "refusing to replace it. Move the files away, delete the directory yourself or "
                             "choose another directory.")
    if marker["kind"] != kind:
        raise OutputDirError(f"{what} {path} is a sonata_s1 {marker['kind']} directory, not a {kind} output; "
                             "refusing to replace it. Choose another directory.")
    foreign = foreign_paths(path, marker)
    if foreign is None:
        why = (f"was written by an older sonata_s1 ({marker['legacy']}) that did not record its files"
               if marker.get("legacy") else "holds an unfinished or killed write (its marker has no complete "
               "file list)")
        raise OutputDirError(f"{what} {path} {why}, so what else it holds is unknown; refusing to replace it. "
                             "Check its contents and delete the directory yourself, or choose another directory.")
    if foreign:
        raise OutputDirError(f"{what} {path} holds files the previous {kind} did not write: {_named(foreign)}. "
                             "Refusing to replace it (they would be deleted). Move them away or choose another "
                             "directory.")


# ----------------------------------------------------------------------------------------------- paths


def _protected_locations() -> dict[Path, str]:
    from .paths import COMPONENTS_DIR, NETWORK_DIR, REPO_ROOT

    return {Path("/"): "the filesystem root", Path.home().resolve(): "your home directory",
            REPO_ROOT: "the repository root", NETWORK_DIR.resolve(): "the default circuit directory",
            COMPONENTS_DIR.resolve(): "the components directory"}


def check_location(out: Path, what: str, *, protected: Iterable[str | os.PathLike[str]] = (),
                   allow: Iterable[Path] = ()) -> Path:
    """The resolved ``out``, refused if it is a symlink, a protected place or contains a ``protected`` path."""
    out = Path(out).absolute()
    if out.is_symlink():
        raise OutputDirError(f"{what} {out} is a symbolic link; its target would be replaced. Give the real directory.")
    out = out.resolve()
    fixed = {k: v for k, v in _protected_locations().items() if k not in set(allow)}
    if out in fixed or out == Path(out.anchor):
        raise OutputDirError(f"refusing {what} {out}: it is {fixed.get(out, 'a filesystem root')}, which would be "
                             "replaced. Use a dedicated sub-directory.")
    for p in protected:
        q = Path(p).absolute().resolve()
        if out == q or out in q.parents:
            raise OutputDirError(f"refusing {what} {out}: it contains {q}, which is needed and would be deleted. "
                                 "Use a dedicated sub-directory such as 'output'.")
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"{what} {out} exists and is not a directory")
    return out


def check_written_paths(output_dir: Path, paths: dict[str, str | os.PathLike[str]], origin: str) -> None:
    """Every ``key -> path`` a run writes must resolve strictly inside ``output_dir`` (relative = inside it)."""
    out = Path(output_dir).absolute().resolve()
    for key, value in paths.items():
        p = Path(os.fspath(value))
        resolved = (p if p.is_absolute() else out / p).resolve()
        if out not in resolved.parents:
            raise OutputDirError(f"{origin}: {key} = {os.fspath(value)!r} resolves to {resolved}, outside output_dir "
                                 f"{out}; every file a run writes must lie inside output_dir (refused before "
                                 "anything was written)")


# ----------------------------------------------------------------------------------------------- lock


class DirLock:
    """An exclusive, non-blocking ``flock`` on ``PARENT/.NAME.lock`` for one writer of directory ``NAME``.

    The lock file is a sibling, not inside the directory, because a run's directory is deleted and
    recreated while the lock is held. It is removed on release; the inode check after locking makes
    a concurrent remove-and-recreate harmless.
    """

    def __init__(self, directory: Path, what: str) -> None:
        self.directory = Path(directory).absolute()
        self.path = self.directory.parent / f".{self.directory.name}.lock"
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> DirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise OutputDirError(f"{self.what} {self.directory}: cannot lock {self.path}: {exc}") from None
                raise OutputDirError(f"{self.what} {self.directory} is in use by another sonata_s1 process ({self.path} "
                                     "is locked); refusing to write into it at the same time. Wait for that "
                                     "process to finish or choose another directory.") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # the file stays empty: a lock left by a killed process holds nothing of value
                self._fd = fd
                return self
            os.close(fd)  # the file was removed by the previous holder between our open and flock: retry

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# ----------------------------------------------------------------------------------------------- build


def _temporaries(out: Path) -> list[Path]:
    pat = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-[A-Za-z0-9_]{{8}}")
    try:
        return sorted(p for p in out.parent.iterdir() if pat.fullmatch(p.name) and p.is_dir() and not p.is_symlink())
    except FileNotFoundError:
        return []


def clean_stale_temporaries(out: Path, report: Any = None) -> list[Path]:
    """Remove the temporaries an interrupted build of ``out`` left (call with ``out``'s lock held).

    If a build was killed between moving the previous circuit aside and moving the new one in, the
    previous circuit is put back first, so nothing of it is lost.
    """
    out = Path(out).absolute()
    removed = []
    for tmp in _temporaries(out):
        previous = tmp / "previous"
        if tmp.name.startswith(f".{out.name}.old-") and previous.is_dir() and not out.exists():
            os.rename(previous, out)
            if report:
                report(f"restored the previous build {out} from the interrupted replacement {tmp.name}")
        size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file() and not f.is_symlink())
        shutil.rmtree(tmp)
        removed.append(tmp)
        if report:
            report(f"removed {tmp} ({size / 1e6:.1f} MB) left by an interrupted build of {out}")
    return removed


def check_build_dir(out: Path, *, force: bool) -> Path:
    """Raise :class:`OutputDirError` unless ``--out`` may be written (call before any work and under the lock)."""
    out = check_location(Path(out), "output directory")
    if not out.exists():
        return out
    if not force:
        if not any(out.iterdir()):
            return out
        raise OutputDirError(f"output directory {out} already exists; use --force to replace a previous build")
    if any(out.iterdir()):
        check_replaceable(out, "build", what="output directory")
    return out


@contextmanager
def atomic_build_dir(out: Path, *, force: bool = False, info: dict[str, Any] | None = None,
                     report: Any = None) -> Iterator[Path]:
    """Lock ``out``, yield a temporary sibling, and on success move it into place with a complete marker.

    On any exception (including ``KeyboardInterrupt``) the temporary directory is removed and ``out``
    is left exactly as it was.
    """
    out = Path(out).absolute()
    check_build_dir(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    with DirLock(out, "output directory"):
        clean_stale_temporaries(out, report)
        check_build_dir(out, force=force)  # under the lock: nobody else writes it now
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a circuit is an ordinary directory
        old: Path | None = None
        try:
            yield tmp
            write_marker(tmp, "build", "complete", info, files=scan(tmp))
            if out.exists():
                check_build_dir(out, force=force)
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


# ----------------------------------------------------------------------------------------------- run


def check_run_dir(output_dir: Path, protected: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """The resolved run ``output_dir``, or :class:`OutputDirError` if BMTK must not delete and recreate it."""
    out = check_location(Path(output_dir), "output_dir", protected=protected)
    if out.exists() and any(out.iterdir()):
        check_replaceable(out, "run", what="output_dir")
    return out


def claim_run_dir(output_dir: Path, protected: Iterable[str | os.PathLike[str]] = ()) -> DirLock:
    """Lock ``output_dir`` for a run and check it under the lock (rank 0 only; the caller tells the others)."""
    out = check_location(Path(output_dir), "output_dir", protected=protected)
    lock = DirLock(out, "output_dir").acquire()
    try:
        check_run_dir(out, protected)
    except BaseException:
        lock.release()
        raise
    return lock
