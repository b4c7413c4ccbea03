"""Progress of ``sim.run()``: simulated time, wall time and ETA.

Why: a reduced circuit runs for minutes and a full one for hours; BMTK only logs every
``nsteps_block`` steps without an estimate. This BMTK simulator module counts steps and, every
``interval_ms`` of simulated time (but not more often than every
:data:`~sonata_s1.progress.LOG_INTERVAL_S` seconds of wall time), writes a line through BMTK's
logger (rank 0 only), so ``log.txt`` holds a few plain lines. When rank 0's stderr is a terminal, the console shows a tqdm bar
instead and the lines go to the log file only (a bar and interleaved log lines garble each other).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from bmtk.simulator.bionet.io_tools import io
from bmtk.simulator.bionet.modules.sim_module import SimulatorMod

from ..progress import LOG_INTERVAL_S, is_terminal


def format_seconds(s: float) -> str:
    s = max(0.0, float(s))
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.2f} h"


class ProgressMod(SimulatorMod):
    """Log ``t_sim / tstop``, elapsed wall time and ETA every ``interval_ms`` of simulated time."""

    def __init__(self, interval_ms: float = 50.0) -> None:
        self.interval_ms = float(interval_ms)
        self._every = 1
        self._t0 = 0.0
        self._nsteps = 0
        self.wall_s = 0.0
        self._bar: Any = None
        self._bar_steps = 0
        self._last_line = float("-inf")

    def _log(self, message: str) -> None:
        """A progress line: to BMTK's log (file and console), or to the file only while a bar is shown."""
        if self._bar is None:
            io.log_info(message)
            return
        logger = io.logger
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, None, None)
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler):
                handler.handle(record)

    def initialize(self, sim: Any) -> None:
        self._every = max(1, int(round(self.interval_ms / sim.dt)))
        self._nsteps = max(1, int(round((sim.tstop - sim.tstart) / sim.dt)))
        self._t0 = time.perf_counter()
        if io.mpi_rank == 0 and is_terminal(sys.stderr):
            from tqdm import tqdm

            self._bar = tqdm(total=round(sim.tstop - sim.tstart, 6), desc="simulating", unit="ms", file=sys.stderr,
                             bar_format="{desc}: {n:.1f}/{total:.1f} ms |{bar}| [{elapsed}<{remaining}]")
        self._log(f"progress: simulating {sim.tstop:.1f} ms (dt {sim.dt} ms, {self._nsteps} steps)")

    def step(self, sim: Any, tstep: int) -> None:
        done = tstep + 1
        if self._bar is not None and done - self._bar_steps >= max(1, self._every // 10):
            self._bar.update((done - self._bar_steps) * sim.dt)
            self._bar_steps = done
        if done % self._every:
            return
        now = time.perf_counter()
        if now - self._last_line < LOG_INTERVAL_S:
            return
        self._last_line = now
        wall = now - self._t0
        frac = done / self._nsteps
        eta = wall * (1 - frac) / frac if frac > 0 else float("nan")
        self._log(f"progress: t_sim {done * sim.dt:8.1f} / {sim.tstop:.1f} ms ({100 * frac:5.1f} %), "
                  f"wall {format_seconds(wall)}, ETA {format_seconds(eta)}")

    def finalize(self, sim: Any) -> None:
        self.wall_s = time.perf_counter() - self._t0
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._log(f"progress: done, {format_seconds(self.wall_s)} of wall time for {sim.tstop:.1f} ms "
                  f"({self.wall_s / max(sim.tstop, 1e-9) * 1000:.1f} s per simulated s)")
