"""Background ("spontaneous synapse") sources of S1 (README decisions P2 and D2).

Virtual population ``background``: 10 nodes per S1 cell c, id = 10·c + 5·kind + q (kind 0 = EXC,
1 = INH; q = 0…4), each with ``rate_hz`` = (0.8 + 0.4·q/4)·S_kind(m)·9/5 so the five rates of a kind
sum to S·9 Hz, ``target_node_id`` = c (and its NetPyNE gid, for the "netpyne" stream mode of the
runner). Edges ``background__S1``: source → its cell, MyExp2SynBB ``AMPA`` (0.2/1.74 ms, e 0) or
``GABAA`` (0.2/8.3 ms, e −80), syn_weight 0.001·GsynStim µS, delay 0.1 ms, x = 0.5.

Sections (D2, default ``"netpyne"``): one uniform u per cell, keyed by (seed, cell) like NetPyNE's
single (postGid, preGid 0) stream; EXC index ⌊n·u⌋ in ``spinyEE`` (E cells) or ``spiny`` (I cells),
INH index ⌊n·u⌋ in ``spiny`` — all 5 sources of a kind on that one section.
``"per_source_random"`` draws an independent section per source.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..sonata.tables import EdgeChunk, EdgeTable, NodeTable, narrow
from .context import BuildContext
from .edge_common import DEFAULT_DELAY, rechunk
from .rng import STREAM_BG_SECTION, keyed_uniform
from .s1_pathways import WEIGHT_FUNCTION
from .synapse_sites import random_sections, section_types

RATE_STIM_E = RATE_STIM_I = 9.0  # Hz (cfg.rateStimE / rateStimI)
SOURCES_PER_KIND = 5
SCALE_NETSTIM_WEIGHT = 0.001  # netParams.scaleConnWeightNetStims (nS -> µS)
BG_EDGE_TYPES = {"AMPA": 4000, "GABAA": 4001}
BG_MECHS = {"AMPA": {"tau1": 0.2, "tau2": 1.74, "e": 0.0}, "GABAA": {"tau1": 0.2, "tau2": 8.3, "e": -80.0}}
BG_NODE_TYPE_ID = 5000
CELL_BLOCK = 8192


def rate_factors() -> np.ndarray:
    q = np.arange(SOURCES_PER_KIND, dtype=np.float64)
    return 0.8 + 0.4 * q / 4


def _per_cell(ctx: BuildContext) -> dict[str, np.ndarray]:
    """Per S1 cell: S_E, S_I, G_E, G_I and E/I flag (from its m-type)."""
    bg = ctx.source.s1.background
    groups = ctx.s1.group
    out = {k: np.empty(ctx.s1.size) for k in ("syn_e", "syn_i", "gsyn_e", "gsyn_i")}
    for g, (a, b) in ctx.s1.ranges.items():
        try:
            st = bg[g]
        except KeyError:
            raise KeyError(f"conn.pkl: no synperNeuronStim/GsynStim entry for m-type {g!r}") from None
        out["syn_e"][a:b], out["syn_i"][a:b] = st.syn_e, st.syn_i
        out["gsyn_e"][a:b], out["gsyn_i"][a:b] = st.gsyn_e, st.gsyn_i
    from ..source.model import E_MTYPES

    out["is_e"] = np.isin(groups, list(E_MTYPES))
    return out


def background_node_table(ctx: BuildContext) -> NodeTable:
    n = ctx.s1.size
    pc = _per_cell(ctx)
    f = rate_factors()
    rate = np.empty((n, 2, SOURCES_PER_KIND))
    rate[:, 0, :] = f[None, :] * pc["syn_e"][:, None] * RATE_STIM_E / SOURCES_PER_KIND
    rate[:, 1, :] = f[None, :] * pc["syn_i"][:, None] * RATE_STIM_I / SOURCES_PER_KIND
    target = np.repeat(np.arange(n, dtype=np.int64), 2 * SOURCES_PER_KIND)
    kind = np.tile(np.repeat(np.array(["EXC", "INH"]), SOURCES_PER_KIND), n)
    q = np.tile(np.arange(SOURCES_PER_KIND, dtype=np.int32), 2 * n)
    attrs = {
        "rate_hz": rate.ravel(),
        "target_node_id": target,
        "target_netpyne_gid": ctx.s1.netpyne_gid[target],
        "kind": kind,
        "q": q,
        "mtype": ctx.s1.group[target].astype(str),
        "model_type": np.full(target.size, "virtual"),
    }
    return NodeTable("background", "virtual", np.full(target.size, BG_NODE_TYPE_ID, np.int64), attrs,
                     [{"node_type_id": BG_NODE_TYPE_ID, "model_type": "virtual"}])


def _blocks(ctx: BuildContext) -> Iterator[EdgeChunk]:
    pc = _per_cell(ctx)
    n = ctx.s1.size
    seed = ctx.options.seed
    per_source = ctx.options.background_section_rule == "per_source_random"
    k = 2 * SOURCES_PER_KIND
    for lo in range(0, n, CELL_BLOCK):
        hi = min(lo + CELL_BLOCK, n)
        cells = np.arange(lo, hi, dtype=np.int64)
        tgt = np.repeat(cells, k)
        src = tgt * k + np.tile(np.arange(k), hi - lo)
        is_inh = np.tile(np.repeat([False, True], SOURCES_PER_KIND), hi - lo)
        q = np.tile(np.arange(SOURCES_PER_KIND), 2 * (hi - lo))
        if per_source:
            u = keyed_uniform(seed, STREAM_BG_SECTION, tgt, is_inh.astype(np.int64) + 1, q + 1)
        else:
            u = keyed_uniform(seed, STREAM_BG_SECTION, tgt)
        model = ctx.s1.model_id[tgt]
        use_ee = ~is_inh & pc["is_e"][tgt]
        sec = np.empty(tgt.size, np.uint32)
        for kind, m in (("spinyEE", use_ee), ("spiny", ~use_ee)):
            if np.any(m):
                sec[m] = random_sections(ctx.sections, kind, model[m], u[m])
        g = np.where(is_inh, pc["gsyn_i"][tgt], pc["gsyn_e"][tgt])
        w = SCALE_NETSTIM_WEIGHT * g
        cols = {
            "syn_weight": w,
            "delay": np.full(tgt.size, DEFAULT_DELAY),
            "afferent_section_id": narrow("afferent_section_id", sec),
            "afferent_section_pos": np.full(tgt.size, 0.5),
            "afferent_section_type": narrow("afferent_section_type", section_types(ctx.sections, model, sec)),
        }
        et = np.where(is_inh, BG_EDGE_TYPES["GABAA"], BG_EDGE_TYPES["AMPA"]).astype(np.int64)
        yield EdgeChunk(src.astype(np.uint64), tgt.astype(np.uint64), et, cols)


def background_edge_table(ctx: BuildContext) -> EdgeTable:
    rows = [{"edge_type_id": et, "model_template": "s1_exp2syn", "dynamics_params": f"{m}.json",
             "weight_function": WEIGHT_FUNCTION, "synapse_label": m} for m, et in BG_EDGE_TYPES.items()]
    return EdgeTable("background__S1", "background", "S1", rows, rechunk(_blocks(ctx), ctx.options.chunk_synapses),
                     {f"{m}.json": dict(p) for m, p in BG_MECHS.items()})
