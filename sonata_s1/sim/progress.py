"""Progress lines with simulated time, wall time and ETA during ``sim.run()``.

Why: a reduced circuit runs for minutes and a full one for hours; BMTK only logs every
``nsteps_block`` steps without an estimate. This BMTK simulator module counts steps and, every
``interval_ms`` of simulated time, logs through BMTK's logger (rank 0 only, so the log file and
console get one line per report).
"""

from __future__ import annotations

import time
from typing import Any

from bmtk.simulator.bionet.io_tools import io
from bmtk.simulator.bionet.modules.sim_module import SimulatorMod


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

    def initialize(self, sim: Any) -> None:
        self._every = max(1, int(round(self.interval_ms / sim.dt)))
        self._nsteps = max(1, int(round((sim.tstop - sim.tstart) / sim.dt)))
        self._t0 = time.perf_counter()
        io.log_info(f"progress: simulating {sim.tstop:.1f} ms (dt {sim.dt} ms, {self._nsteps} steps)")

    def step(self, sim: Any, tstep: int) -> None:
        done = tstep + 1
        if done % self._every:
            return
        wall = time.perf_counter() - self._t0
        frac = done / self._nsteps
        eta = wall * (1 - frac) / frac if frac > 0 else float("nan")
        io.log_info(f"progress: t_sim {done * sim.dt:8.1f} / {sim.tstop:.1f} ms ({100 * frac:5.1f} %), "
                    f"wall {format_seconds(wall)}, ETA {format_seconds(eta)}")

    def finalize(self, sim: Any) -> None:
        self.wall_s = time.perf_counter() - self._t0
        io.log_info(f"progress: done, {format_seconds(self.wall_s)} of wall time for {sim.tstop:.1f} ms "
                    f"({self.wall_s / max(sim.tstop, 1e-9) * 1000:.1f} s per simulated s)")
