"""Expected connection counts of the built circuit, per pathway (for the z-scores of ``sonata-s1 stats``).

For probability rules the expectation over the *built* ordered pairs (same positions, no self-pairs)
is Σ clip(p, 0, 1) and the variance Σ p(1 − p) (independent Bernoulli draws); convergence and
divergence rules give exact counts (variance 0). Vectorised over blocks of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .context import BuildContext
from .nodes import CellSet
from .pair_rules import PairRule

PAIRS_PER_BLOCK = 2_000_000


@dataclass(frozen=True)
class ExpectedCount:
    edge_population: str  # 'S1__S1', 'thalamus__thalamus', ...
    pre_group: str
    post_group: str
    kind: str  # 'probability', 'convergence', 'divergence'
    n_pairs: int  # ordered pairs considered (self-pairs excluded)
    connections: float  # expected connections
    variance: float
    synapses_per_connection: int
    rows_per_connection: int  # edge rows per synapse (2 for RTN→TC: GABAA + GABAB)

    @property
    def pathway(self) -> str:
        return f"{self.pre_group}->{self.post_group}"

    @property
    def edge_rows(self) -> float:
        return self.connections * self.synapses_per_connection * self.rows_per_connection


def _sum_pairs(pre: CellSet, pre_range: tuple[int, int], post: CellSet, post_range: tuple[int, int], prob,
               same: bool, broadcast: bool) -> tuple[float, float]:
    ps, pe = pre_range
    qs, qe = post_range
    n_pre = pe - ps
    step = max(1, PAIRS_PER_BLOCK // max(n_pre, 1))
    total = var = 0.0
    for lo in range(qs, qe, step):
        hi = min(lo + step, qe)
        if broadcast:  # prob takes a 2-D distance array (S1 distance rules)
            dx = pre.pos[None, ps:pe, 0] - post.pos[lo:hi, None, 0]
            dz = pre.pos[None, ps:pe, 2] - post.pos[lo:hi, None, 2]
            p = prob(np.sqrt(dx * dx + dz * dz))
        else:
            pi = np.tile(np.arange(ps, pe), hi - lo)
            qi = np.repeat(np.arange(lo, hi), n_pre)
            p = prob(pre.pos[pi], post.pos[qi]).reshape(hi - lo, n_pre)
        p = np.clip(p, 0.0, 1.0)
        if same:
            j = np.arange(lo, hi)
            inside = (j >= ps) & (j < pe)
            p[np.flatnonzero(inside), j[inside] - ps] = 0.0
        total += float(p.sum())
        var += float((p * (1.0 - p)).sum())
    return total, var


def _n_pairs(n_pre: int, n_post: int, same: bool) -> int:
    return n_pre * n_post - (n_pre if same else 0)


def expected_s1(ctx: BuildContext) -> list[ExpectedCount]:
    cells = ctx.s1
    out = []
    for pw in ctx.s1_pathways:
        if pw.pre not in cells.ranges or pw.post not in cells.ranges:
            continue
        same = pw.pre == pw.post
        pr, qr = cells.ranges[pw.pre], cells.ranges[pw.post]
        e, v = _sum_pairs(cells, pr, cells, qr, pw.rule, same, broadcast=True)
        out.append(ExpectedCount("S1__S1", pw.pre, pw.post, "probability",
                                 _n_pairs(pr[1] - pr[0], qr[1] - qr[0], same), e, v, pw.n_syn, 1))
    return out


def expected_rules(population: str, rules: list[PairRule], pre: CellSet, post: CellSet) -> list[ExpectedCount]:
    out = []
    for r in rules:
        if r.pre_group not in pre.ranges or r.post_group not in post.ranges:
            continue
        pr, qr = pre.ranges[r.pre_group], post.ranges[r.post_group]
        n_pre, n_post = pr[1] - pr[0], qr[1] - qr[0]
        if r.kind == "probability":
            e, v = _sum_pairs(pre, pr, post, qr, r.prob, r.same_population, broadcast=False)
        elif r.kind == "convergence":
            e, v = float(n_post * max(min(int(round(r.count)), n_pre - 1), 0)), 0.0
        else:
            e, v = float(n_pre * max(min(int(round(r.count)), n_post - 1), 0)), 0.0
        out.append(ExpectedCount(population, r.pre_group, r.post_group, r.kind,
                                 _n_pairs(n_pre, n_post, r.same_population), e, v, r.n_syn, len(r.mechs)))
    return out


def expected_connections(ctx: BuildContext, populations: set[str] | None = None) -> list[ExpectedCount]:
    """Expected counts of every pathway built (optionally only the given edge populations)."""
    from .thalamus import s1_thalamus_rules, tc_s1_rules, thalamic_rules

    want = (lambda p: True) if populations is None else populations.__contains__
    out: list[ExpectedCount] = []
    if want("S1__S1"):
        out += expected_s1(ctx)
    if ctx.thalamus is not None:
        if want("thalamus__thalamus"):
            out += expected_rules("thalamus__thalamus", thalamic_rules(ctx), ctx.thalamus, ctx.thalamus)
        if want("thalamus__S1"):
            out += expected_rules("thalamus__S1", tc_s1_rules(ctx), ctx.thalamus, ctx.s1)
        if want("S1__thalamus"):
            out += expected_rules("S1__thalamus", s1_thalamus_rules(ctx), ctx.s1, ctx.thalamus)
    return out
