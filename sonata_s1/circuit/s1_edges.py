"""S1→S1 edges: Bernoulli p(dist_2D) ≥ u per ordered pair, synapse sites, delays,
labels and STP parameters, streamed in target order with bounded memory.

Order and streams: post m-types in node order, each cut into blocks of ``POST_BLOCK`` cells (its own
index space, so a block never straddles two m-types); per block, every pathway into that m-type in
NetPyNE loop order draws from ``Philox(SeedSequence([seed, STREAM_S1_S1, pathway index, block]))``
(P12). The per-pair uniforms are drawn lazily (:func:`sonata_s1.circuit.rng.sample_candidates`).
Within a block rows are sorted by target (stable: then pathway, then pre), so the whole population
comes out sorted by ``target_node_id``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..sonata.tables import EDGE_COLUMN_DTYPES, EdgeChunk, EdgeTable, narrow
from .context import BuildContext
from .edge_common import delay, dist_2d, expand, rechunk
from .options import POST_BLOCK
from .rng import STREAM_S1_S1, block_generator, sample_candidates
from .s1_pathways import S1Pathway, SynapseKind
from .synapse_sites import place_synapses, section_types

DET_COLUMNS = ("syn_weight", "delay", "afferent_section_id", "afferent_section_pos", "afferent_section_type",
               "u_syn", "depression_time", "facilitation_time", "decay_time", "syn_type_id", "n_rrp_vesicles")


def post_blocks(ranges: dict[str, tuple[int, int]]) -> Iterator[tuple[str, int, int, int]]:
    """(group, block index, start, stop) in node order; blocks of POST_BLOCK cells within each group."""
    for group, (start, stop) in sorted(ranges.items(), key=lambda kv: kv[1][0]):
        for b, lo in enumerate(range(start, stop, POST_BLOCK)):
            yield group, b, lo, min(lo + POST_BLOCK, stop)


def draw_probability_block(pos_pre: np.ndarray, pre0: int, pos_post: np.ndarray, post0: int,
                           rule, p_max: float, rng: np.random.Generator, no_self: bool
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Accepted (pre ids, post ids) of one probability rule over pre block × post block.

    Pair (i, j) is index j_local·n_pre + i_local; ``rule`` maps (pre ids, post ids) to p.
    """
    n_pre, n_post = pos_pre.shape[0], pos_post.shape[0]
    idx, u = sample_candidates(rng, n_pre * n_post, p_max)
    post_l, pre_l = np.divmod(idx, n_pre)
    pre, post = pre_l + pre0, post_l + post0
    p = rule(pre_l, post_l)
    ok = p >= u
    if no_self:
        ok &= pre != post
    return pre[ok], post[ok]


class KindLookup:
    """Per-edge-type parameter arrays indexed by ``edge_type_id - base``."""

    def __init__(self, kinds: list[SynapseKind]):
        self.base = min(k.edge_type_id for k in kinds)
        n = max(k.edge_type_id for k in kinds) - self.base + 1
        self.weight = np.zeros(n)
        self.use = np.zeros(n, np.float32)
        self.dep = np.zeros(n, np.float32)
        self.fac = np.zeros(n, np.float32)
        self.decay = np.zeros(n, np.float32)
        self.conn_id = np.zeros(n, EDGE_COLUMN_DTYPES["syn_type_id"])
        for k in kinds:
            i = k.edge_type_id - self.base
            self.weight[i], self.conn_id[i] = k.gsyn, narrow("syn_type_id", np.array([k.conn_id]))[0]
            self.use[i], self.dep[i], self.fac[i] = k.params["Use"], k.params["Dep"], k.params["Fac"]
            self.decay[i] = k.decay_time


def det_synapse_chunk(ctx: BuildContext, lookup: KindLookup, pre: np.ndarray, post: np.ndarray,
                      edge_type: np.ndarray, n_syn: np.ndarray, list_kind: np.ndarray, pre_pos: np.ndarray,
                      post_pos: np.ndarray) -> EdgeChunk:
    """Expand connections (already in output order) into Det* synapse rows.

    ``list_kind`` is 0 for ``spiny`` and 1 for ``spinyEE`` per connection.
    """
    conn, rank = expand(n_syn)
    dly = delay(pre_pos, post_pos)[conn]
    s_pre, s_post = pre[conn], post[conn]
    model = ctx.s1.model_id[s_post]
    nn = n_syn[conn]
    sec = np.empty(conn.size, np.uint32)
    x = np.empty(conn.size, np.float64)
    for kind_i, kind in enumerate(("spiny", "spinyEE")):
        m = list_kind[conn] == kind_i
        if np.any(m):
            sec[m], x[m] = place_synapses(ctx.sections, ctx.sites, kind, model[m], nn[m], rank[m], s_pre[m],
                                          s_post[m], ctx.options.seed, ctx.options.syn_placement == "random")
    et = edge_type[conn]
    k = et - lookup.base
    w = lookup.weight[k]
    cols = {
        "syn_weight": w,
        "delay": dly,
        "afferent_section_id": narrow("afferent_section_id", sec),
        "afferent_section_pos": x,
        "afferent_section_type": narrow("afferent_section_type", section_types(ctx.sections, model, sec)),
        "u_syn": lookup.use[k],
        "depression_time": lookup.dep[k],
        "facilitation_time": lookup.fac[k],
        "decay_time": lookup.decay[k],
        "syn_type_id": lookup.conn_id[k],
        "n_rrp_vesicles": np.ones(conn.size, EDGE_COLUMN_DTYPES["n_rrp_vesicles"]),
    }
    return EdgeChunk(s_pre.astype(np.uint64), s_post.astype(np.uint64), et.astype(np.int64), cols)


def _label_lut(ctx: BuildContext, pw: S1Pathway) -> np.ndarray | int:
    """Edge type id per plan index of the split side, or one id when the pathway is not split."""
    kinds = ctx.synapse_kinds
    if pw.split == "none":
        return kinds[(pw.flavour, pw.conn_id)].edge_type_id
    lut = np.full(len(ctx.s1.plans), -1, dtype=np.int64)
    for i, plan in enumerate(ctx.s1.plans):
        cid = pw.conn_id_by_metype.get(plan.name)
        if cid is not None:
            lut[i] = kinds[(pw.flavour, cid)].edge_type_id
    return lut


def s1_connection_blocks(ctx: BuildContext) -> Iterator[tuple[str, int, int, int, dict[str, np.ndarray]]]:
    """Connections of every post block (unsorted within the block, pathway order kept)."""
    cells = ctx.s1
    pos = cells.pos
    into: dict[str, list[S1Pathway]] = {}
    for pw in ctx.s1_pathways:
        if pw.pre in cells.ranges and pw.post in cells.ranges:
            into.setdefault(pw.post, []).append(pw)
    luts = {pw.index: _label_lut(ctx, pw) for pws in into.values() for pw in pws}
    pmax = {pw.index: pw.rule.p_max() for pws in into.values() for pw in pws}
    for group, b, lo, hi in post_blocks(cells.ranges):
        parts: dict[str, list[np.ndarray]] = {"pre": [], "post": [], "et": [], "n": [], "kind": []}
        for pw in into.get(group, []):
            ps, pe = cells.ranges[pw.pre]
            rng = block_generator(ctx.options.seed, STREAM_S1_S1, pw.index, b)
            pre_pos, post_pos = pos[ps:pe], pos[lo:hi]

            def rule(pre_l, post_l, pw=pw, pre_pos=pre_pos, post_pos=post_pos):
                return pw.rule(dist_2d(pre_pos[pre_l], post_pos[post_l]))

            pre, post = draw_probability_block(pre_pos, ps, post_pos, lo, rule, pmax[pw.index], rng,
                                               no_self=pw.pre == pw.post)
            lut = luts[pw.index]
            if isinstance(lut, np.ndarray):
                side = pre if pw.split == "pre" else post
                et = lut[cells.plan_index[side]]
            else:
                et = np.full(pre.size, lut, dtype=np.int64)
            parts["pre"].append(pre)
            parts["post"].append(post)
            parts["et"].append(et)
            parts["n"].append(np.full(pre.size, pw.n_syn, dtype=np.int64))
            parts["kind"].append(np.full(pre.size, 1 if pw.section_list == "spinyEE" else 0, dtype=np.int8))
        yield group, b, lo, hi, {k: (np.concatenate(v) if v else np.zeros(0, np.int64)) for k, v in parts.items()}


def s1_edge_blocks(ctx: BuildContext) -> Iterator[EdgeChunk]:
    lookup = KindLookup(list(ctx.synapse_kinds.values()))
    pos = ctx.s1.pos
    for _g, _b, _lo, _hi, c in s1_connection_blocks(ctx):
        if c["pre"].size == 0:
            continue
        order = np.argsort(c["post"], kind="stable")
        pre, post = c["pre"][order], c["post"][order]
        yield det_synapse_chunk(ctx, lookup, pre, post, c["et"][order], c["n"][order], c["kind"][order],
                                pos[pre], pos[post])


def s1_edge_table(ctx: BuildContext) -> EdgeTable:
    kinds = sorted(ctx.synapse_kinds.values(), key=lambda k: k.edge_type_id)
    return EdgeTable(
        population="S1__S1", source="S1", target="S1",
        edge_types=[k.edge_type_row() for k in kinds],
        chunks=rechunk(s1_edge_blocks(ctx), ctx.options.chunk_synapses),
        synaptic_models={k.dynamics_params: dict(k.params) for k in kinds},
    )


__all__ = ["DET_COLUMNS", "KindLookup", "det_synapse_chunk", "draw_probability_block", "post_blocks",
           "s1_edge_table"]
