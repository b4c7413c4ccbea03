"""Generic pair rules (probability / convergence / divergence) used by the thalamic, thalamocortical
and corticothalamic blocks, and their streamed, target-sorted generation.

NetPyNE semantics kept: probability rules connect iff p ≥ u per ordered pair; ``convergence`` c gives
each post cell min(c, N_pre − 1) distinct pre cells drawn uniformly; ``divergence`` d gives each pre cell
min(d, N_post − 1) distinct post cells. No self-connections. Streams: probability and convergence rules
are keyed by (seed, stream, rule index, post block), divergence rules by (…, pre block) (P12).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .nodes import CellSet
from .options import POST_BLOCK
from .rng import block_generator, sample_candidates

ProbFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (pre positions, post positions) -> p


@dataclass(frozen=True)
class PairRule:
    """One NetPyNE connectivity rule between two node groups (a group = m-type or thalamic population)."""

    name: str  # e.g. 'VPL_sTC->ss_RTN_o'
    stream: int
    index: int  # rule index within the stream
    pre_group: str
    post_group: str
    kind: str  # 'probability', 'convergence' or 'divergence'
    prob: ProbFn | None = None
    p_max: float = 0.0
    count: int = 0
    n_syn: int = 1
    mechs: tuple[tuple[int, float], ...] = ()  # (edge_type_id, final syn_weight) per synapse mechanism
    same_population: bool = False  # pre and post groups live in the same node population


def _choose_distinct(rng: np.random.Generator, n_rows: int, n_from: int, k: int,
                     exclude: np.ndarray | None = None) -> np.ndarray:
    """k distinct column indices per row, uniformly (rows × n_from random keys, smallest k)."""
    keys = rng.random((n_rows, n_from))
    if exclude is not None:
        ok = (exclude >= 0) & (exclude < n_from)
        keys[np.flatnonzero(ok), exclude[ok]] = np.inf
    if k >= n_from:
        return np.tile(np.arange(n_from), (n_rows, 1))
    sel = np.argpartition(keys, k - 1, axis=1)[:, :k]
    return np.sort(sel, axis=1)


def rule_connections(rule: PairRule, seed: int, pre_cells: CellSet, post_cells: CellSet,
                     post_lo: int | None = None, post_hi: int | None = None, block: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Connections (pre ids, post ids) of a probability/convergence rule for one post block."""
    ps, pe = pre_cells.ranges[rule.pre_group]
    qs, qe = post_cells.ranges[rule.post_group]
    lo = qs if post_lo is None else post_lo
    hi = qe if post_hi is None else post_hi
    n_pre, n_post = pe - ps, hi - lo
    rng = block_generator(seed, rule.stream, rule.index, block)
    if rule.kind == "probability":
        idx, u = sample_candidates(rng, n_pre * n_post, rule.p_max)
        post_l, pre_l = np.divmod(idx, n_pre)
        pre, post = pre_l + ps, post_l + lo
        assert rule.prob is not None
        ok = rule.prob(pre_cells.pos[pre], post_cells.pos[post]) >= u
        if rule.same_population:
            ok &= pre != post
        return pre[ok], post[ok]
    if rule.kind == "convergence":
        k = min(int(round(rule.count)), n_pre - 1)
        if k <= 0 or n_post == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        excl = (np.arange(lo, hi) - ps) if rule.same_population else None
        sel = _choose_distinct(rng, n_post, n_pre, k, excl)
        return (sel + ps).ravel(), np.repeat(np.arange(lo, hi), k)
    raise ValueError(f"rule {rule.name}: kind {rule.kind!r} is not post-blocked")


def divergence_connections(rule: PairRule, seed: int, pre_cells: CellSet, post_cells: CellSet
                           ) -> tuple[np.ndarray, np.ndarray]:
    """All connections of a divergence rule, sorted by post then pre."""
    ps, pe = pre_cells.ranges[rule.pre_group]
    qs, qe = post_cells.ranges[rule.post_group]
    n_post = qe - qs
    k = min(int(round(rule.count)), n_post - 1)
    pres, posts = [], []
    if k > 0:
        for b, lo in enumerate(range(ps, pe, POST_BLOCK)):
            hi = min(lo + POST_BLOCK, pe)
            rng = block_generator(seed, rule.stream, rule.index, b)
            excl = (np.arange(lo, hi) - qs) if rule.same_population else None
            sel = _choose_distinct(rng, hi - lo, n_post, k, excl)
            pres.append(np.repeat(np.arange(lo, hi), k))
            posts.append((sel + qs).ravel())
    if not pres:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pre, post = np.concatenate(pres), np.concatenate(posts)
    order = np.lexsort((pre, post))
    return pre[order], post[order]


def target_sorted_connections(rules: list[PairRule], seed: int, pre_cells: CellSet, post_cells: CellSet
                              ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(pre, post, rule position) blocks over the post population, each sorted by post (stable in rule order).

    Rules are grouped by post group; probability/convergence rules are generated per post block,
    divergence rules for the whole group (they are keyed by pre blocks) and merged in.
    """
    by_post: dict[str, list[tuple[int, PairRule]]] = {}
    for i, r in enumerate(rules):
        if r.pre_group in pre_cells.ranges and r.post_group in post_cells.ranges:
            by_post.setdefault(r.post_group, []).append((i, r))
    for group, (qs, qe) in sorted(post_cells.ranges.items(), key=lambda kv: kv[1][0]):
        group_rules = by_post.get(group, [])
        if not group_rules:
            continue
        div = [(i, r) for i, r in group_rules if r.kind == "divergence"]
        div_conns = [(i, *divergence_connections(r, seed, pre_cells, post_cells)) for i, r in div]
        for b, lo in enumerate(range(qs, qe, POST_BLOCK)):
            hi = min(lo + POST_BLOCK, qe)
            pre_l, post_l, rid = [], [], []
            for i, r in group_rules:
                if r.kind == "divergence":
                    d = next(c for c in div_conns if c[0] == i)
                    m = (d[2] >= lo) & (d[2] < hi)
                    pre, post = d[1][m], d[2][m]
                else:
                    pre, post = rule_connections(r, seed, pre_cells, post_cells, lo, hi, b)
                pre_l.append(pre)
                post_l.append(post)
                rid.append(np.full(pre.size, i, dtype=np.int64))
            pre, post, ri = np.concatenate(pre_l), np.concatenate(post_l), np.concatenate(rid)
            order = np.argsort(post, kind="stable")
            yield pre[order], post[order], ri[order]
