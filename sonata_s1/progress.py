"""Progress output that suits where it goes: a tqdm bar on a terminal, a plain line every few seconds elsewhere.

Why: a bar redraws itself with carriage returns, which in a log file (``scripts/run.sh > log``, a
batch job's output) becomes hundreds of partial lines in one. When the stream is not a terminal
the same tqdm object writes one complete line per refresh instead, at most every
:data:`LOG_INTERVAL_S` seconds, so a log shows steady progress and stays readable.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from tqdm import tqdm

#: Seconds between progress lines when the output is not a terminal.
LOG_INTERVAL_S = 10.0

#: Line layout when the output is not a terminal (no bar characters).
LINE_FORMAT = "{desc}: {n_fmt}/{total_fmt} {unit} ({percentage:3.0f} %) [{elapsed} elapsed, {remaining} left]{postfix}"
LINE_FORMAT_NO_TOTAL = "{desc}: {n_fmt} {unit} [{elapsed} elapsed, {rate_fmt}]{postfix}"


class _Lines:
    """A text stream adapter that turns tqdm's ``\\r``-redraws into whole lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        text = text.replace("\r", "").rstrip()
        if text:
            self.stream.write(text + "\n")

    def flush(self) -> None:
        self.stream.flush()


def is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress_bar(*, desc: str, total: float | None = None, unit: str = "it", disable: bool = False,
                 file: TextIO | None = None, **kwargs: Any) -> tqdm:
    """A tqdm bar on a terminal, else a tqdm that logs a plain line every :data:`LOG_INTERVAL_S` seconds."""
    stream = file if file is not None else sys.stderr
    if is_terminal(stream):
        return tqdm(desc=desc, total=total, unit=unit, disable=disable, file=stream, **kwargs)
    kwargs.pop("unit_scale", None)  # whole numbers read better in a log than "1.43k"
    return tqdm(desc=desc, total=total, unit=unit, disable=disable, file=_Lines(stream), mininterval=LOG_INTERVAL_S,
                maxinterval=LOG_INTERVAL_S, bar_format=LINE_FORMAT if total is not None else LINE_FORMAT_NO_TOTAL,
                dynamic_ncols=False, ascii=True, **kwargs)
