"""The 1,941 S1→S1 pathways as build rules: p(d), synapse counts, lists, connID splits, flavours, STP
parameters and edge types.

A pathway is an ordered m-type pair. Its IE (pre SBC/LBC/NBC) or EI (post LBC/NBC/BP/DBC/BTC) me-type
splits only change the synapse label (connID) per pre or post me-type; p(d), n_syn and the section list
are shared, so connections are drawn once per pathway and labelled per me-type afterwards — the same
distribution as NetPyNE's separate A/B/C rules, whose pre/post sets partition the m-type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..source.model import E_MTYPES, SourceModel
from .rules import DistanceRule, rule_from_pathway

USE_FRAC = {"EE": 0.25, "EIproximal": 0.75, "EIdistal": 0.25, "II": 0.5, "IE": 0.5}
NMDA_RATIO = {"EE": 0.8, "EIproximal": 0.4, "EIdistal": 0.4}
DISTAL_MARKERS = ("DBC", "BTC", "MC", "BP")
AMPANMDA_FIXED = {"tau_r_AMPA": 0.2, "tau_d_AMPA": 1.74, "tau_r_NMDA": 0.29, "tau_d_NMDA": 43.0, "mg": 1.0}
GABAAB_FIXED = {"tau_r_GABAA": 0.2, "tau_r_GABAB": 3.5, "tau_d_GABAB": 260.9}
TEMPLATE_AMPANMDA = "s1_det_ampanmda"
TEMPLATE_GABAAB = "s1_det_gabaab"
WEIGHT_FUNCTION = "s1_passthrough"
S1_EDGE_TYPE_BASE = 100


@dataclass(frozen=True)
class SynapseKind:
    """One used (flavour, connID) = one NetPyNE synMech label = one SONATA edge type."""

    edge_type_id: int
    flavour: str
    conn_id: int
    label: str  # e.g. 'S1_EE_STP_Det_116'
    template: str
    gsyn: float  # nS (= syn_weight)
    params: dict[str, float]  # the point-process RANGE parameters (dynamics_params JSON)

    @property
    def dynamics_params(self) -> str:
        return f"{self.flavour}_{self.conn_id}.json"

    @property
    def decay_time(self) -> float:
        return self.params.get("tau_d_GABAA", self.params.get("tau_d_AMPA", 0.0))

    def edge_type_row(self) -> dict[str, Any]:
        return {"edge_type_id": self.edge_type_id, "model_template": self.template,
                "dynamics_params": self.dynamics_params, "weight_function": WEIGHT_FUNCTION,
                "synapse_label": self.label, "flavour": self.flavour, "conn_id": self.conn_id}


@dataclass(frozen=True)
class S1Pathway:
    """One m-type pathway as built."""

    index: int  # position in NetPyNE's loop order (pre I then E, post I then E); keys the streams
    pre: str
    post: str
    klass: str  # 'EE', 'EI', 'IE', 'II'
    rule: DistanceRule
    n_syn: int
    section_list: str  # 'spiny' or 'spinyEE'
    flavour: str
    split: str  # 'none', 'pre' (IE by pre e-type) or 'post' (EI by post e-type)
    conn_id_by_metype: dict[str, int] = field(default_factory=dict)  # me-type label -> connID (split side)
    conn_id: int = -1  # connID when split == 'none'


def flavour_of(klass: str, post: str) -> str:
    if klass == "EE":
        return "EE"
    if klass == "EI":
        return "EIdistal" if any(m in post for m in DISTAL_MARKERS) else "EIproximal"
    return klass  # 'II' or 'IE'


def _split(source: SourceModel, klass: str, pre: str, post: str, conn_types: tuple[int, ...]
           ) -> tuple[str, dict[str, int]]:
    """Which side is split by e-type and the connID of each me-type of that side (as the model code splits them)."""
    s1 = source.s1
    if klass == "IE" and pre[-3:] in ("SBC", "LBC", "NBC"):
        side, table, mtype = "pre", s1.conn_ie_type[pre[-3:]], pre
    elif klass == "EI" and conn_types[0] not in (131, 132) and any(
            k in post for k in ("LBC", "NBC", "BP", "DBC", "BTC")):
        key = "BP" if post.endswith("_BP") else post[-3:]
        side, table, mtype = "post", s1.conn_ei_type[key], post
    else:
        return "none", {}
    out: dict[str, int] = {}
    for me in source.metypes:
        if me.mtype != mtype:
            continue
        e3 = me.label[-3:]
        if e3 not in table:
            raise ValueError(f"conn.pkl: no connection type for me-type {me.label} in the {klass} split of {pre}->{post}")
        cid = table[e3]
        if cid not in conn_types:
            raise ValueError(f"conn.pkl: {pre}->{post} me-type {me.label} maps to connID {cid}, not in ConnTypes {conn_types}")
        out[me.label] = cid
    return side, out


def build_s1_pathways(source: SourceModel, exact_interp: bool = False) -> list[S1Pathway]:
    """All S1 pathways in NetPyNE loop order."""
    mtypes = source.mtypes
    i_types = [m for m in mtypes if m not in E_MTYPES]
    order = i_types + [m for m in E_MTYPES if m in mtypes]
    out: list[S1Pathway] = []
    for pre in order:
        for post in order:
            pw = source.s1.pathways.get((pre, post))
            if pw is None:
                continue
            klass = ("E" if pre in E_MTYPES else "I") + ("E" if post in E_MTYPES else "I")
            split, by_me = _split(source, klass, pre, post, pw.conn_types)
            out.append(S1Pathway(
                index=len(out), pre=pre, post=post, klass=klass,
                rule=rule_from_pathway(pw, exact_interp=exact_interp),
                n_syn=int(pw.synperconn + 0.5),
                section_list="spinyEE" if klass == "EE" else "spiny",
                flavour=flavour_of(klass, post), split=split, conn_id_by_metype=by_me,
                conn_id=pw.conn_types[0] if split == "none" else -1,
            ))
    return out


def synapse_kind_params(source: SourceModel, flavour: str, conn_id: int, gabab_ratio: float = 0.0) -> dict[str, float]:
    """RANGE parameters of one S1 synapse label (``parameters_syn`` means; the spreads are not used)."""
    st = source.s1.synapse_types[conn_id]
    use = st.use * USE_FRAC[flavour]
    if flavour in NMDA_RATIO:
        return {"Use": use, "Dep": st.dep, "Fac": st.fac, **AMPANMDA_FIXED, "NMDA_ratio": NMDA_RATIO[flavour]}
    return {"Use": use, "Dep": st.dep, "Fac": st.fac, "tau_d_GABAA": st.decay, **GABAAB_FIXED,
            "GABAB_ratio": float(gabab_ratio)}


def build_synapse_kinds(source: SourceModel, pathways: list[S1Pathway], gabab_ratio: float = 0.0
                        ) -> dict[tuple[str, int], SynapseKind]:
    """The used (flavour, connID) labels, with edge type ids S1_EDGE_TYPE_BASE + rank (sorted)."""
    used: set[tuple[str, int]] = set()
    for p in pathways:
        ids = set(p.conn_id_by_metype.values()) if p.split != "none" else {p.conn_id}
        used.update((p.flavour, c) for c in ids)
    kinds: dict[tuple[str, int], SynapseKind] = {}
    for rank, (flavour, cid) in enumerate(sorted(used)):
        template = TEMPLATE_AMPANMDA if flavour in NMDA_RATIO else TEMPLATE_GABAAB
        kinds[(flavour, cid)] = SynapseKind(
            edge_type_id=S1_EDGE_TYPE_BASE + rank, flavour=flavour, conn_id=cid,
            label=f"S1_{flavour}_STP_Det_{cid}", template=template,
            gsyn=source.s1.synapse_types[cid].gsyn,
            params=synapse_kind_params(source, flavour, cid, gabab_ratio))
    return kinds
