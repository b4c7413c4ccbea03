"""Background Poisson spike trains for the virtual ``background`` population (README decision P2).

Why generated at run time rather than read from a file: at full scale the background is ~3e8
events per simulated second, far too much to pre-compute. BMTK calls the
registered generator once per virtual source that has a target on the local rank (on every rank
that needs it), so a train must depend only on (seed, source) — never on call order or rank count.

Two modes (``sonata_s1.background_streams`` in the config):

* ``independent`` (project default): one Poisson stream per source, ``numpy`` generator seeded by
  ``SeedSequence([seed, STREAM_TAG, source node_id])``.
* ``netpyne``: the published structure — every S1 cell's sources are time-rescaled copies of one
  unit-rate sequence S_k = d_1 + … + d_k with d_j the Exp(1) variates of NEURON's
  ``Random123(1428063344, gid, seed)`` stream; source spike k is at ``S_k · 1000 / rate`` ms
  (bit-exact to NetPyNE's NetStims when gid = the NetPyNE gid of the target cell, i.e. the S1
  node id of an unreduced build; checked against ``h.NetStim`` with ``noiseFromRandom123`` in
  tests/sim/test_plugins.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import SonataS1Error

GENERATOR_NAME = "s1_background_poisson"
MODES = ("independent", "netpyne")
#: Distinguishes background streams from any other use of the run seed.
STREAM_TAG = 0x42_47  # "BG"
#: NetPyNE's hashStr('NetStim'): the stream id NetPyNE gives NetStim's Random123 generator.
NETPYNE_NETSTIM_ID = 1428063344


class BackgroundConfigError(SonataS1Error, ValueError):
    """The background generator is misconfigured (mode, missing target map, bad rate)."""


@dataclass
class _State:
    seed: int = 0
    mode: str = "independent"
    tstop: float = 0.0
    source_target: Mapping[int, int] | None = None
    unit_sequences: dict[int, np.ndarray] = field(default_factory=dict)


_STATE = _State()


def configure(*, seed: int, tstop: float, mode: str = "independent",
              source_target: Mapping[int, int] | None = None) -> None:
    """Set what :func:`generate` needs; ``source_target`` (source node id -> target gid) for ``netpyne``."""
    if mode not in MODES:
        raise BackgroundConfigError(f"sonata_s1.background_streams must be one of {MODES}, got {mode!r}")
    if mode == "netpyne" and source_target is None:
        raise BackgroundConfigError("background_streams 'netpyne' needs the source -> target cell map")
    _STATE.seed, _STATE.tstop, _STATE.mode = int(seed), float(tstop), mode
    _STATE.source_target = source_target
    _STATE.unit_sequences = {}


def _check_rate(rate_hz: float, node_id: int) -> float:
    rate = float(rate_hz)
    if not np.isfinite(rate) or rate < 0:
        raise BackgroundConfigError(f"background node {node_id}: rate_hz must be a finite value >= 0, got {rate_hz!r}")
    return rate


def independent_train(seed: int, node_id: int, rate_hz: float, tstop: float) -> np.ndarray:
    """Homogeneous Poisson train on (0, tstop) ms, a pure function of (seed, node_id, rate, tstop)."""
    rate = _check_rate(rate_hz, node_id)
    if rate == 0 or tstop <= 0:
        return np.empty(0)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), STREAM_TAG, int(node_id)]))
    mean_isi = 1000.0 / rate
    expected = rate * tstop / 1000.0
    parts: list[np.ndarray] = []
    t = 0.0
    while t < tstop:
        n = int(expected + 6.0 * np.sqrt(expected) + 16)
        times = t + np.cumsum(rng.exponential(mean_isi, n))
        parts.append(times)
        t = float(times[-1])
    times = np.concatenate(parts)
    return times[times < tstop]


def netpyne_increments(seed: int, gid: int, min_length: int, cache: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """d_1, d_2, … of NEURON's Random123(1428063344, gid, seed) ``negexp(1)`` stream, ≥ ``min_length`` long."""
    from neuron import h

    if cache is not None and gid in cache and cache[gid].shape[0] >= min_length:
        return cache[gid]
    n = max(1024, int(min_length * 1.25) + 16)
    r = h.Random()
    r.Random123(NETPYNE_NETSTIM_ID, int(gid), int(seed))
    first = r.negexp(1)  # selecting the distribution also draws d_1
    vec = h.Vector(n - 1)
    vec.setrand(r)
    d = np.concatenate(([first], vec.as_numpy()))
    if cache is not None:
        cache[gid] = d
    return d


def netpyne_train(seed: int, gid: int, rate_hz: float, tstop: float,
                  cache: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """One NetPyNE background source of the cell ``gid``: t_k = t_{k-1} + (1000 / rate)·d_k (ms), t < tstop.

    Accumulated in NetStim's order (one addition per event) so the times equal NEURON's bit for bit.
    """
    rate = _check_rate(rate_hz, gid)
    if rate == 0 or tstop <= 0:
        return np.empty(0)
    interval = 1000.0 / rate
    need = int(tstop / interval + 6.0 * np.sqrt(tstop / interval) + 16)
    while True:
        times = np.cumsum(netpyne_increments(seed, gid, need, cache) * interval)
        if times[-1] >= tstop:
            break
        need = int(times.shape[0] * 2)
    return times[times < tstop]


def train_for(node_id: int, rate_hz: float) -> np.ndarray:
    """The configured train of one background source (ms, sorted)."""
    if _STATE.mode == "independent":
        return independent_train(_STATE.seed, node_id, rate_hz, _STATE.tstop)
    assert _STATE.source_target is not None
    try:
        gid = int(_STATE.source_target[int(node_id)])
    except KeyError:
        raise BackgroundConfigError(f"background node {node_id} has no target cell (needed by 'netpyne' streams)") from None
    return netpyne_train(_STATE.seed, gid, rate_hz, _STATE.tstop, _STATE.unit_sequences)


def generate(node, sim) -> np.ndarray:  # noqa: ANN001  (BMTK node and simulator objects)
    """BMTK ``spikes_function``: called as ``f(node, sim)`` per virtual source; returns times in ms."""
    try:
        rate = node["rate_hz"]
    except KeyError:
        raise BackgroundConfigError(f"background node {node.node_id} has no 'rate_hz' attribute") from None
    return train_for(int(node.node_id), float(rate))


def register() -> None:
    """Register :func:`generate` under :data:`GENERATOR_NAME` (call :func:`configure` first)."""
    from bmtk.simulator.bionet.pyfunction_cache import add_spikes_generator

    add_spikes_generator(generate, name=GENERATOR_NAME, overwrite=True)
