"""Progress output (issue 10.8): a bar on a terminal, whole lines (no carriage returns) in a log."""

from __future__ import annotations

import io

import pytest

from sonata_s1 import progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_gets_plain_lines_not_bar_redraws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "LOG_INTERVAL_S", 0.0)  # a line per update, to see every one
    log = io.StringIO()
    with progress.progress_bar(total=5, desc="convert-cells", unit="cell", file=log) as bar:
        for _ in range(5):
            bar.update(1)
    text = log.getvalue()
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    assert lines[-1].startswith("convert-cells: 5/5 cell (100 %)")
    assert all(line.startswith("convert-cells: ") for line in lines)


def test_log_lines_are_rate_limited() -> None:
    log = io.StringIO()
    with progress.progress_bar(total=1000, desc="x", file=log) as bar:
        for _ in range(1000):
            bar.update(1)
    assert len(log.getvalue().splitlines()) <= 3  # start, (maybe one refresh), final: not one per update


def test_terminal_gets_a_bar() -> None:
    term = FakeTerminal()
    with progress.progress_bar(total=3, desc="x", file=term) as bar:
        bar.update(3)
    assert "\r" in term.getvalue() and "|" in term.getvalue()
