"""Thalamic, thalamocortical and corticothalamic rules and edge tables.

Weights onto thalamic cells are multiplied by the target soma's ``weightNorm`` (P6/D9; read from the
cell JSONs through the section cache: sRE 6.295e-4, sTC 2.091e-3) and stored final in ``syn_weight``
(µS, MyExp2SynBB). Multi-mechanism connections (RTN→TC: GABAA_Th ×0.6, GABAB_Th ×0.4) become two edge
rows per connection, GABAA first.

Scaling choices (documented): the FO probability c/N_pre·(210²/50²) of TC→S1 uses the placed size of
the thalamic population (the published N at thalamus_density 1); S1→thalamus uses the full-scale
``popNumber`` of the pre m-type as the source does (so a reduced build keeps the published probability); convergence/divergence draw from the
cells present (after any radius selection).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..sonata.tables import EDGE_COLUMN_DTYPES, EdgeChunk, EdgeTable
from .context import BuildContext
from .edge_common import delay, dist_2d, dist_3d, rechunk
from .pair_rules import PairRule, target_sorted_connections
from .rng import STREAM_S1_TH, STREAM_TC_S1, STREAM_THALAMUS
from .rules import round6
from .s1_edges import KindLookup, det_synapse_chunk
from .s1_pathways import AMPANMDA_FIXED, TEMPLATE_AMPANMDA, WEIGHT_FUNCTION, SynapseKind

RTN = ("ss_RTN_o", "ss_RTN_m", "ss_RTN_i")
TC = ("VPL_sTC", "VPM_sTC", "POm_sTC_s1")
FO = ("VPL_sTC", "VPM_sTC")
HO = ("POm_sTC_s1",)
CT_MTYPES = ("L5_TTPC2", "L6_TPC_L4")  # pops_CT

# the published model's cfg.py values
CONN_PROB_RTN_RTN, CONN_WEIGHT_RTN_RTN = 0.5, 2.0
CONN_PROB_TC_RTN, CONN_WEIGHT_TC_RTN = 1.0, 1.5
CONN_PROB_RTN_TC, CONN_WEIGHT_RTN_TC = 1.0, 0.35
RTN_TC_FACTORS = (0.6, 0.4)
DIVERGENCE_HO = 10
SYNS_PER_CONN_TH_S1 = 9
WEIGHT_TH_S1 = 0.19
RADIUS_CYLINDER, RADIUS_2D = 210.0, 50.0
CONVERGENCE_S1_TH = 30
WEIGHT_S1_RTN, WEIGHT_S1_TC = 0.5, 0.25

#: MyExp2SynBB mechanisms of the thalamic synapses: name -> (edge-type id offset, parameters)
EXP2SYN = {
    "AMPA_Th": {"tau1": 0.05, "tau2": 5.3, "e": 0.0},
    "GABAA_Th": {"tau1": 0.07, "tau2": 18.2, "e": -80.0},
    "GABAB_Th": {"tau1": 3.5, "tau2": 260.9, "e": -93.0},
}
TEMPLATE_EXP2SYN = "s1_exp2syn"
TH_TH_EDGE_TYPES = {"AMPA_Th": 1000, "GABAA_Th": 1001, "GABAB_Th": 1002}
S1_TH_EDGE_TYPES = {"AMPA_Th": 3000}
TC_S1_EDGE_TYPE = 2000
TC_S1_PARAMS = {"Use": 0.72, "Dep": 227.0, "Fac": 13.0, **AMPANMDA_FIXED, "NMDA_ratio": 0.4}
EXP2SYN_COLUMNS = ("syn_weight", "delay", "afferent_section_id", "afferent_section_pos", "afferent_section_type")


def exp2syn_edge_type(edge_type_id: int, mech: str) -> dict[str, object]:
    return {"edge_type_id": edge_type_id, "model_template": TEMPLATE_EXP2SYN, "dynamics_params": f"{mech}.json",
            "weight_function": WEIGHT_FUNCTION, "synapse_label": mech}


def _y_range(pop: str) -> tuple[float, float]:
    """Absolute y range (µm) of a thalamic population (yRange, not the ynorm round trip)."""
    from ..source.model import THALAMIC_POPULATIONS

    for name, _m, _b, y0, y1 in THALAMIC_POPULATIONS:
        if name == pop:
            return y0, y1
    raise KeyError(pop)


def weight_norm(ctx: BuildContext, model: str) -> float:
    return float(ctx.sections.weight_norm[ctx.sections.model_index()[model]])


def _topographic(cmat: float, l_div: float, pre_range: tuple[float, float], post_range: tuple[float, float]):
    """FO TC↔RTN rule: exp(−d2/l)·[d2 < cmat]·[|Y(pre_y) − post_y| < cmat/5]."""
    length, ythr = cmat / l_div, cmat / 5.0
    (a0, a1), (b0, b1) = pre_range, post_range

    def prob(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
        d2 = dist_2d(pre, post)
        y_map = b0 + (pre[:, 1] - a0) * (b1 - b0) / (a1 - a0)
        return np.exp(-d2 / length) * (d2 < cmat) * (np.abs(y_map - post[:, 1]) < ythr)

    return prob


def _rtn_rtn(cmat: float):
    length, ythr = cmat / 4.0, cmat / 10.0

    def prob(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
        d2 = dist_2d(pre, post)
        return (CONN_PROB_RTN_RTN * np.exp(-dist_3d(pre, post) / length) * (d2 < cmat)
                * (np.abs(pre[:, 1] - post[:, 1]) < ythr))

    return prob


def _disk(p: float, radius: float = RADIUS_2D):
    def prob(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
        return np.where(dist_2d(pre, post) < radius, p, 0.0)

    return prob


def thalamic_rules(ctx: BuildContext) -> list[PairRule]:
    """Intrathalamic rules in a fixed order (the stream rule index)."""
    cmat = ctx.source.thalamic.cmat
    wn_re, wn_tc = weight_norm(ctx, "sRE_jv_00"), weight_norm(ctx, "sTC_jv_00")
    et = TH_TH_EDGE_TYPES
    rules: list[PairRule] = []

    def add(**kw) -> None:
        rules.append(PairRule(stream=STREAM_THALAMUS, index=len(rules), **kw))

    for r in RTN:  # RTN -> RTN (same population only, where cmat exists)
        if (r, r) in cmat:
            add(name=f"{r}->{r}", pre_group=r, post_group=r, kind="probability", prob=_rtn_rtn(cmat[(r, r)]),
                p_max=CONN_PROB_RTN_RTN, mechs=((et["GABAA_Th"], CONN_WEIGHT_RTN_RTN * wn_re),), same_population=True)
    for tc in TC:  # TC -> RTN
        for r in RTN:
            if (tc, r) not in cmat:
                continue
            mech = ((et["AMPA_Th"], CONN_WEIGHT_TC_RTN * wn_re),)
            if tc in HO:
                add(name=f"{tc}->{r}", pre_group=tc, post_group=r, kind="divergence", count=DIVERGENCE_HO, mechs=mech)
            else:
                add(name=f"{tc}->{r}", pre_group=tc, post_group=r, kind="probability", p_max=CONN_PROB_TC_RTN,
                    prob=_topographic(cmat[(tc, r)], 4.0, _y_range(tc), _y_range(r)), mechs=mech)
    for r in RTN:  # RTN -> TC (GABAA_Th + GABAB_Th)
        for tc in TC:
            if (r, tc) not in cmat:
                continue
            w = CONN_WEIGHT_RTN_TC
            mech = ((et["GABAA_Th"], w * RTN_TC_FACTORS[0] * wn_tc), (et["GABAB_Th"], w * RTN_TC_FACTORS[1] * wn_tc))
            if tc in HO:
                add(name=f"{r}->{tc}", pre_group=r, post_group=tc, kind="divergence", count=DIVERGENCE_HO, mechs=mech)
            else:
                add(name=f"{r}->{tc}", pre_group=r, post_group=tc, kind="probability", p_max=CONN_PROB_RTN_TC,
                    prob=_topographic(cmat[(r, tc)], 1.0, _y_range(r), _y_range(tc)), mechs=mech)
    return rules


def fo_probability(conv_syn: int, n_pre: int) -> float:
    """TC→S1 FO probability, %f-rounded as in the rule text (6 decimals)."""
    c = math.ceil(conv_syn / SYNS_PER_CONN_TH_S1)
    return round6(c / n_pre * (RADIUS_CYLINDER**2 / RADIUS_2D**2))


def ct_probability(pop_number: int) -> float:
    """S1→thalamus probability, %f-rounded: 30/popNumber[pre]·(210²/50²)."""
    return round6(CONVERGENCE_S1_TH / pop_number * (RADIUS_CYLINDER**2 / RADIUS_2D**2))


def tc_s1_rules(ctx: BuildContext) -> list[PairRule]:
    """VPL/VPM (probability within 50 µm) and POm (convergence) onto every S1 m-type."""
    assert ctx.thalamus is not None
    conv = ctx.source.convergence
    n_placed = {p.name: p.n for p in ctx.thalamus.plans}
    rules: list[PairRule] = []
    for mi, m in enumerate(ctx.source.mtypes):
        for ni, nuc in enumerate(TC):
            index = ni * 1000 + mi
            mech = ((TC_S1_EDGE_TYPE, WEIGHT_TH_S1),)
            if nuc in HO:
                c = math.ceil(conv.higher_order[m] / SYNS_PER_CONN_TH_S1)
                rules.append(PairRule(f"{nuc}->{m}", STREAM_TC_S1, index, nuc, m, "convergence", count=c,
                                      n_syn=SYNS_PER_CONN_TH_S1, mechs=mech))
            else:
                p = fo_probability(conv.first_order[m], n_placed[nuc])
                rules.append(PairRule(f"{nuc}->{m}", STREAM_TC_S1, index, nuc, m, "probability", prob=_disk(p),
                                      p_max=p, n_syn=SYNS_PER_CONN_TH_S1, mechs=mech))
    return rules


def s1_thalamus_rules(ctx: BuildContext) -> list[PairRule]:
    """L5_TTPC2 / L6_TPC_L4 → RTN and TC (POm per ``s1_pom_rule``, README decision P3)."""
    pop_number = {me.mtype: me.n_mtype_cells for me in ctx.source.metypes}
    wn_re, wn_tc = weight_norm(ctx, "sRE_jv_00"), weight_norm(ctx, "sTC_jv_00")
    rules: list[PairRule] = []
    for pi, post in enumerate(RTN + TC):
        w = WEIGHT_S1_RTN * wn_re if post in RTN else WEIGHT_S1_TC * wn_tc
        mech = ((S1_TH_EDGE_TYPES["AMPA_Th"], w),)
        for ci, pre in enumerate(CT_MTYPES):
            index = pi * 10 + ci
            if pre not in pop_number:
                continue
            if post in HO and ctx.options.s1_pom_rule == "intended_divergence":
                rules.append(PairRule(f"{pre}->{post}", STREAM_S1_TH, index, pre, post, "divergence",
                                      count=DIVERGENCE_HO // 2, mechs=mech))
            else:
                p = ct_probability(pop_number[pre])
                rules.append(PairRule(f"{pre}->{post}", STREAM_S1_TH, index, pre, post, "probability",
                                      prob=_disk(p), p_max=p, mechs=mech))
    return rules


def _exp2syn_blocks(rules: list[PairRule], ctx: BuildContext, pre_cells, post_cells) -> Iterator[EdgeChunk]:
    """Somatic single-site rows (section 0 = soma, x = 0.5), one per mechanism of each connection."""
    n_mech = np.array([len(r.mechs) for r in rules], dtype=np.int64)
    max_m = int(n_mech.max()) if rules else 1
    et_tab = np.zeros((len(rules), max_m), dtype=np.int64)
    w_tab = np.zeros((len(rules), max_m))
    for i, r in enumerate(rules):
        for j, (et, w) in enumerate(r.mechs):
            et_tab[i, j], w_tab[i, j] = et, w
    for pre, post, ri in target_sorted_connections(rules, ctx.options.seed, pre_cells, post_cells):
        if pre.size == 0:
            continue
        reps = n_mech[ri]
        conn = np.repeat(np.arange(pre.size), reps)
        mech = np.arange(conn.size) - (np.cumsum(reps) - reps)[conn]
        r = ri[conn]
        w = w_tab[r, mech]
        n = conn.size
        cols = {
            "syn_weight": w,
            "delay": delay(pre_cells.pos[pre], post_cells.pos[post])[conn],
            "afferent_section_id": np.zeros(n, EDGE_COLUMN_DTYPES["afferent_section_id"]),
            "afferent_section_pos": np.full(n, 0.5),
            "afferent_section_type": np.ones(n, EDGE_COLUMN_DTYPES["afferent_section_type"]),
        }
        yield EdgeChunk(pre[conn].astype(np.uint64), post[conn].astype(np.uint64), et_tab[r, mech], cols)


def thalamus_edge_table(ctx: BuildContext) -> EdgeTable:
    assert ctx.thalamus is not None
    rules = thalamic_rules(ctx)
    used = sorted({et for r in rules for et, _ in r.mechs})
    names = {v: k for k, v in TH_TH_EDGE_TYPES.items()}
    return EdgeTable("thalamus__thalamus", "thalamus", "thalamus",
                     [exp2syn_edge_type(et, names[et]) for et in used],
                     rechunk(_exp2syn_blocks(rules, ctx, ctx.thalamus, ctx.thalamus), ctx.options.chunk_synapses),
                     {f"{names[et]}.json": dict(EXP2SYN[names[et]]) for et in used})


def s1_thalamus_edge_table(ctx: BuildContext) -> EdgeTable:
    assert ctx.thalamus is not None
    rules = s1_thalamus_rules(ctx)
    return EdgeTable("S1__thalamus", "S1", "thalamus", [exp2syn_edge_type(S1_TH_EDGE_TYPES["AMPA_Th"], "AMPA_Th")],
                     rechunk(_exp2syn_blocks(rules, ctx, ctx.s1, ctx.thalamus), ctx.options.chunk_synapses),
                     {"AMPA_Th.json": dict(EXP2SYN["AMPA_Th"])})


#: syn_type_id of TC:S1 synapses: the label has no BBP connID, so it gets one outside the table's range (0-134).
TC_S1_SYN_TYPE_ID = 1000


def tc_s1_kind() -> SynapseKind:
    return SynapseKind(edge_type_id=TC_S1_EDGE_TYPE, flavour="TC_S1", conn_id=TC_S1_SYN_TYPE_ID, label="TC:S1",
                       template=TEMPLATE_AMPANMDA, gsyn=WEIGHT_TH_S1, params=dict(TC_S1_PARAMS))


def _tc_s1_blocks(ctx: BuildContext, rules: list[PairRule]) -> Iterator[EdgeChunk]:
    assert ctx.thalamus is not None
    lookup = KindLookup([tc_s1_kind()])
    for pre, post, _ri in target_sorted_connections(rules, ctx.options.seed, ctx.thalamus, ctx.s1):
        if pre.size == 0:
            continue
        n = pre.size
        yield det_synapse_chunk(ctx, lookup, pre, post, np.full(n, TC_S1_EDGE_TYPE, np.int64),
                                np.full(n, SYNS_PER_CONN_TH_S1, np.int64), np.ones(n, np.int8),
                                ctx.thalamus.pos[pre], ctx.s1.pos[post])


def tc_s1_edge_table(ctx: BuildContext) -> EdgeTable:
    kind = tc_s1_kind()
    row = kind.edge_type_row()
    row["dynamics_params"] = "TC_S1.json"
    return EdgeTable("thalamus__S1", "thalamus", "S1", [row],
                     rechunk(_tc_s1_blocks(ctx, tc_s1_rules(ctx)), ctx.options.chunk_synapses),
                     {"TC_S1.json": dict(kind.params)})
