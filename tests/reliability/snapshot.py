"""Byte snapshots of directory trees: "every pre-existing user file is byte-identical afterwards"."""

from __future__ import annotations

from pathlib import Path


def snapshot(*roots: Path) -> dict[str, bytes | None]:
    """Absolute path -> bytes of every file below ``roots`` (a directory maps to ``None``; symlinks by target).

    The empty lock files a killed run leaves next to its output directory are the project's and are
    skipped.
    """
    out: dict[str, bytes | None] = {}
    for root in roots:
        root = Path(root)
        if root.is_file():
            out[str(root)] = root.read_bytes()
            continue
        for p in sorted(root.rglob("*")):
            if p.name.startswith(".") and p.name.endswith(".lock") and p.is_file() and not p.stat().st_size:
                continue  # the project's own (empty) lock files come and go
            if p.is_symlink():
                out[str(p)] = f"-> {p.readlink()}".encode()
            elif p.is_file():
                out[str(p)] = p.read_bytes()
            elif p.is_dir():
                out[str(p)] = None
    return out


def assert_unchanged(before: dict[str, bytes | None], after: dict[str, bytes | None]) -> None:
    """Every path of ``before`` still exists with the same bytes (new paths are allowed)."""
    lost = [p for p in before if p not in after]
    changed = [p for p in before if p in after and before[p] != after[p]]
    assert not lost and not changed, f"lost: {lost[:5]}, changed: {changed[:5]}"
