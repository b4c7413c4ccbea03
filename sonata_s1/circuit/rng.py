"""Counter-based random streams (README decision P8/P12: independent of chunking and ranks).

Two kinds, both pure functions of their keys, so a circuit does not depend on chunk sizes, on the
order in which blocks are generated or on the number of processes:

* :func:`block_generator` — a numpy ``Philox`` generator keyed through ``SeedSequence`` by
  ``(seed, stream, rule index, block index)``; used for the connection draws of one rule and one
  block of post (or, for divergence rules, pre) cells.
* :func:`keyed_uniform` — a vectorised stateless hash (SplitMix64 finaliser chain) of
  ``(seed, stream, a, b, c)`` to a uniform in [0, 1); used where the spec keys a draw by the cell ids
  of a pair (single-synapse section choice, background sections), so one draw never depends on any
  other connection.
"""

from __future__ import annotations

import numpy as np

# Stream identifiers (second SeedSequence word / hash word). Never renumber: they define realisations.
STREAM_S1_S1 = 1
STREAM_THALAMUS = 2
STREAM_TC_S1 = 3
STREAM_S1_TH = 4
STREAM_SYN_SECTION = 11  # single-synapse / random placement section draws, keyed by (pre, post, k)
STREAM_SYN_X = 12  # random placement x, keyed by (pre, post, k)
STREAM_BG_SECTION = 21  # background sections, keyed by (cell, kind, q)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))


def block_generator(seed: int, stream: int, rule: int, block: int) -> np.random.Generator:
    """Philox generator for one (rule, block) of one stream."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([int(seed), int(stream), int(rule), int(block)])))


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def keyed_uniform(seed: int, stream: int, a: np.ndarray | int, b: np.ndarray | int = 0,
                  c: np.ndarray | int = 0) -> np.ndarray:
    """Uniform [0, 1) doubles, one per broadcast element of (a, b, c), keyed by (seed, stream)."""
    a, b, c = (np.asarray(v).astype(np.uint64) for v in (a, b, c))
    start = (int(seed) + 0x9E3779B97F4A7C15 * int(stream)) & 0xFFFFFFFFFFFFFFFF
    h = _mix(np.full(np.broadcast_shapes(a.shape, b.shape, c.shape), np.uint64(start)))
    for word in (a, b, c):
        h = _mix(h + _GOLDEN + word)
    return (h >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)


def sample_candidates(rng: np.random.Generator, n_pairs: int, p_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Lazily draw the per-pair uniforms u that can matter (u < p_max) over ``n_pairs`` pairs.

    Equivalent in distribution to drawing one u ~ U(0, 1) per pair: a pair is a *candidate* with
    probability ``p_max`` (geometric gaps), and a candidate's u is U(0, p_max). A pair with
    p ≤ p_max connects iff ``p >= u`` — exactly NetPyNE's Bernoulli test — while non-candidates
    (u ≥ p_max ≥ p) never connect. Returns (pair indices, u) with indices increasing.
    """
    if n_pairs <= 0 or p_max <= 0.0:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    p_max = min(float(p_max), 1.0)
    if p_max >= 1.0:
        idx = np.arange(n_pairs, dtype=np.int64)
        return idx, rng.random(n_pairs)
    mean = n_pairs * p_max
    parts: list[np.ndarray] = []
    last = -1
    while last < n_pairs - 1:
        m = int(mean + 6.0 * np.sqrt(mean) + 16)
        pos = last + np.cumsum(rng.geometric(p_max, size=m), dtype=np.int64)
        parts.append(pos)
        last = int(pos[-1])
        mean = max((n_pairs - 1 - last) * p_max, 1.0)
    idx = np.concatenate(parts)
    idx = idx[idx < n_pairs]
    return idx, rng.random(idx.shape[0]) * p_max
