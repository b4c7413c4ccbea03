"""The one error type of the source reader: it always names the file (and key) at fault."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import SonataS1Error

#: How many problems a :class:`SourceError` message lists before summarising the rest.
MAX_LISTED = 25


class SourceError(SonataS1Error, ValueError):
    """Invalid or missing NetPyNE source data.

    ``problems`` holds every individual finding (one line each, each naming file and key) so that a
    user fixing a broken data folder sees all of them at once rather than one per run.
    """

    def __init__(self, message: str, problems: Iterable[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems is not None else [message]


class Problems:
    """Collects validation findings and raises them together as one :class:`SourceError`."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        """Raise a single error listing (up to ``MAX_LISTED``) findings."""
        if not self.items:
            return
        listed = self.items[:MAX_LISTED]
        more = len(self.items) - len(listed)
        lines = [f"{self.what}: {len(self.items)} problem(s)", *(f"  - {p}" for p in listed)]
        if more:
            lines.append(f"  ... and {more} more")
        raise SourceError("\n".join(lines), self.items)


def read_ascii(path: str | Path) -> str:
    """Text of a plain-text source table; a missing or unreadable file is a :class:`SourceError` naming it."""
    path = Path(path)
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read as ASCII text ({exc})") from exc
