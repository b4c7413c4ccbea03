"""Cells of the S1 and thalamus populations: rule-side arrays (:class:`CellSet`) and the SONATA node
tables (positions, me-types and clones; labels as README decision P11).

Node ids are 0..N-1 per population in NetPyNE gid order restricted to the kept cells (me-type file
order then position in the block for S1; ss_RTN_o, ss_RTN_m, ss_RTN_i, VPL_sTC, VPM_sTC, POm_sTC_s1
for the thalamus). Every m-type (S1) and every thalamic population is one contiguous id range.

Labels: S1 ``etype`` is the e-type family (P11, e.g. ``cADpyr``; the full BBP e-type is in
``etype_detail``), ``layer`` is ``L1``/``L23``/``L4``/``L5``/``L6``, ``morph_class`` ``PYR`` for the 13
excitatory m-types (incl. L4_SS, as in the BBP taxonomy) and ``INT`` otherwise. Thalamic cells: mtype =
population name, etype ``TC``/``RE``, layer ``TH``, ``morph_class`` ``INT`` (single-compartment,
non-pyramidal), synapse_class ``EXC`` (TC) / ``INH`` (RE). ``netpyne_gid`` keeps the published gid, which
the "netpyne" background streams (P2 switch) and any cross-check with NetPyNE need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sonata.tables import NodeTable
from ..source.model import E_MTYPES
from .placement import PopulationPlan, UniformSource, place, radius_mask
from .section_cache import SectionCache

S1_NODE_TYPE_BASE = 100
THALAMUS_NODE_TYPES = {"sRE_jv_00": 1100, "sTC_jv_00": 1101}


@dataclass
class CellSet:
    """Rule-side arrays of one node population (float64 positions for every distance)."""

    population: str
    pos: np.ndarray  # (n, 3) float64, µm (x, y depth downward, z)
    netpyne_gid: np.ndarray  # int64
    plan_index: np.ndarray  # int32, index into ``plans``
    group: np.ndarray  # str: m-type (S1) or population name (thalamus)
    model_id: np.ndarray  # int32, index into the SectionCache
    model_name: np.ndarray  # str
    plans: list[PopulationPlan]
    ranges: dict[str, tuple[int, int]]  # group -> [start, stop) node ids

    @property
    def size(self) -> int:
        return int(self.pos.shape[0])


def build_cell_set(population: str, plans: list[PopulationPlan], sections: SectionCache, seed_loc: int,
                   radius: float | None, uniforms: UniformSource) -> CellSet:
    """Place every population of ``plans``, assign clones and apply the radius selection."""
    mid = sections.model_index()
    pos, gid, pidx, group, models = [], [], [], [], []
    for k, plan in enumerate(plans):
        p = place(plan, seed_loc, uniforms)
        keep = radius_mask(p, radius)
        names = np.asarray(plan.clone_models(), dtype=object)[keep]
        pos.append(p[keep])
        gid.append(plan.gid0 + np.flatnonzero(keep))
        pidx.append(np.full(int(keep.sum()), k, dtype=np.int32))
        grp = plan.metype.mtype if plan.metype is not None else plan.name
        group.append(np.full(int(keep.sum()), grp, dtype=object))
        models.append(names)
    cat = np.concatenate
    group_arr = cat(group) if group else np.zeros(0, object)
    model_name = cat(models) if models else np.zeros(0, object)
    try:
        model_id = np.array([mid[m] for m in model_name], dtype=np.int32)
    except KeyError as exc:
        raise KeyError(f"cell model {exc.args[0]!r} is missing from the section cache") from None
    ranges: dict[str, tuple[int, int]] = {}
    for g in dict.fromkeys(group_arr):
        idx = np.flatnonzero(group_arr == g)
        if idx[-1] - idx[0] + 1 != idx.size:
            raise ValueError(f"group {g!r} is not contiguous in population {population}")
        ranges[str(g)] = (int(idx[0]), int(idx[-1]) + 1)
    return CellSet(population, cat(pos) if pos else np.zeros((0, 3)), cat(gid).astype(np.int64),
                   cat(pidx), group_arr.astype(str), model_id, model_name.astype(str), plans, ranges)


def _strings(values: list[str], index: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=str)[index]


def s1_node_table(cells: CellSet, model_order: list[str]) -> NodeTable:
    """SONATA node table of population ``S1``; one node type per cell model (ids by ``model_order``)."""
    plans = cells.plans
    me = [p.metype for p in plans]
    assert all(m is not None for m in me)
    pi = cells.plan_index
    mtype = _strings([m.mtype for m in me], pi)
    ei = _strings(["E" if m.mtype in E_MTYPES else "I" for m in me], pi)
    type_of = {name: S1_NODE_TYPE_BASE + i for i, name in enumerate(model_order)}
    node_type_id = np.array([type_of[m] for m in cells.model_name], dtype=np.int64)
    attrs = _common_attributes(cells)
    attrs.update({
        "mtype": mtype,
        "etype": _strings([m.etype_family for m in me], pi),
        "etype_detail": _strings([m.etype for m in me], pi),
        "metype": _strings([m.label for m in me], pi),
        "layer": _strings(["L" + m.layer for m in me], pi),
        "ei": ei,
        "morph_class": np.where(ei == "E", "PYR", "INT"),
        "synapse_class": np.where(ei == "E", "EXC", "INH"),
    })
    used = list(dict.fromkeys(cells.model_name))
    node_types = [_node_type_row(type_of[m], m) for m in sorted(used, key=type_of.__getitem__)]
    return NodeTable("S1", "biophysical", node_type_id, attrs, node_types)


def thalamus_node_table(cells: CellSet) -> NodeTable:
    """SONATA node table of population ``thalamus``."""
    names = cells.group
    is_tc = np.char.find(names.astype(str), "sTC") >= 0
    attrs = _common_attributes(cells)
    attrs.update({
        "mtype": names.astype(str),
        "etype": np.where(is_tc, "TC", "RE"),
        "etype_detail": np.where(is_tc, "TC", "RE"),
        "metype": names.astype(str),
        "layer": np.full(cells.size, "TH"),
        "ei": np.where(is_tc, "E", "I"),
        "morph_class": np.full(cells.size, "INT"),
        "synapse_class": np.where(is_tc, "EXC", "INH"),
    })
    node_type_id = np.array([THALAMUS_NODE_TYPES[m] for m in cells.model_name], dtype=np.int64)
    used = sorted(set(cells.model_name), key=THALAMUS_NODE_TYPES.__getitem__)
    return NodeTable("thalamus", "biophysical", node_type_id, attrs,
                     [_node_type_row(THALAMUS_NODE_TYPES[m], m) for m in used])


def _common_attributes(cells: CellSet) -> dict[str, np.ndarray]:
    n = cells.size
    models = cells.model_name.astype(str)
    return {
        "x": cells.pos[:, 0].astype(np.float32),
        "y": cells.pos[:, 1].astype(np.float32),
        "z": cells.pos[:, 2].astype(np.float32),
        "orientation_w": np.ones(n, np.float32),
        "orientation_x": np.zeros(n, np.float32),
        "orientation_y": np.zeros(n, np.float32),
        "orientation_z": np.zeros(n, np.float32),
        "model_name": models,
        "model_type": np.full(n, "biophysical"),
        "model_template": np.char.add("s1_cell:", models),
        "morphology": models,
        "dynamics_params": np.char.add(models, ".json"),
        "netpyne_gid": cells.netpyne_gid.astype(np.int64),
    }


def _node_type_row(node_type_id: int, model: str) -> dict[str, object]:
    return {"node_type_id": node_type_id, "model_type": "biophysical", "model_template": f"s1_cell:{model}",
            "morphology": f"{model}.swc", "dynamics_params": f"{model}.json", "model_processing": "NONE",
            "model_name": model}
