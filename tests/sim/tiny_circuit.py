"""A tiny S1 + thalamus + background circuit for the runner tests, written with the project's writer.

Real cell models (two small S1 clones and both thalamic models, converted from the NetPyNE source)
and the project's mechanisms, every synapse model (DetAMPANMDA, DetGABAAB, MyExp2SynBB), a
Poisson background population, the thalamic kicks and a compound ``recorded`` node set: every
path of the runner, at a size that simulates 150 ms in a few seconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from sonata_s1.paths import COMPONENTS_DIR
from sonata_s1.sonata import config as sconfig
from sonata_s1.sonata.tables import EdgeChunk, EdgeTable, NodeTable
from sonata_s1.sonata.writer import write_circuit

S1_MODELS = [("L4_SS_cADpyr230_1", "L4_SS", "cADpyr", "L4", "E", 3), ("L23_BP_bNAC219_1", "L23_BP", "bNAC", "L23", "I", 2)]
TH_POPS = [("ss_RTN_o", "sRE_jv_00", 1), ("ss_RTN_m", "sRE_jv_00", 1), ("VPL_sTC", "sTC_jv_00", 2),
           ("VPM_sTC", "sTC_jv_00", 1), ("POm_sTC_s1", "sTC_jv_00", 1)]
TSTOP = 150.0

AMPANMDA = {"Use": 0.125, "Dep": 671.0, "Fac": 17.0, "tau_r_AMPA": 0.2, "tau_d_AMPA": 1.74, "tau_r_NMDA": 0.29,
            "tau_d_NMDA": 43.0, "NMDA_ratio": 0.8, "mg": 1.0}
GABAAB = {"Use": 0.125, "Dep": 706.0, "Fac": 21.0, "tau_r_GABAA": 0.2, "tau_d_GABAA": 8.3, "tau_r_GABAB": 3.5,
          "tau_d_GABAB": 260.9}
AMPA = {"tau1": 0.2, "tau2": 1.74, "e": 0.0}
GABAA = {"tau1": 0.2, "tau2": 8.3, "e": -80.0}
AMPA_TH = {"tau1": 0.05, "tau2": 5.3, "e": 0.0}
GABAA_TH = {"tau1": 0.07, "tau2": 18.2, "e": -80.0}


def convert_models(source: Path, components: Path) -> None:
    """Convert the four cell models into ``components`` and link the project's mechanisms."""
    from sonata_s1.cells.convert import convert_one

    names = [m[0] for m in S1_MODELS] + ["sTC_jv_00", "sRE_jv_00"]
    for name in names:
        if (components / "biophysical_neuron_models" / f"{name}.json").exists():
            continue
        cands = sorted((source / "cells").glob(f"{name}*.json*"))
        convert_one(cands[0], components)
    mech = components / "mechanisms"
    if not mech.exists():
        os.symlink(COMPONENTS_DIR / "mechanisms", mech)


def _s1() -> NodeTable:
    rows, attrs = [], {k: [] for k in ("mtype", "etype", "layer", "ei", "metype")}
    tid = []
    for i, (name, mtype, etype, layer, ei, n) in enumerate(S1_MODELS):
        rows.append({"node_type_id": 100 + i, "model_type": "biophysical", "model_template": f"s1_cell:{name}",
                     "morphology": f"{name}.swc", "model_processing": None, "dynamics_params": f"{name}.json"})
        tid += [100 + i] * n
        for k, v in (("mtype", mtype), ("etype", etype), ("layer", layer), ("ei", ei),
                     ("metype", f"{mtype}_{etype}")):
            attrs[k] += [v] * n
    n = len(tid)
    out = {k: np.array(v) for k, v in attrs.items()}
    out.update(x=np.linspace(100, 300, n), y=np.linspace(500, 1500, n), z=np.full(n, 210.0),
               model_type=np.array(["biophysical"] * n))
    return NodeTable("S1", "biophysical", np.array(tid, dtype=np.int64), out, rows)


def _thalamus() -> NodeTable:
    mtype, tid = [], []
    for pop, model, n in TH_POPS:
        mtype += [pop] * n
        tid += [201 if model.startswith("sRE") else 200] * n
    n = len(mtype)
    is_tc = np.array([t == 200 for t in tid])
    rows = [{"node_type_id": 200, "model_type": "biophysical", "model_template": "s1_cell:sTC_jv_00",
             "morphology": "sTC_jv_00.swc", "model_processing": None, "dynamics_params": "sTC_jv_00.json"},
            {"node_type_id": 201, "model_type": "biophysical", "model_template": "s1_cell:sRE_jv_00",
             "morphology": "sRE_jv_00.swc", "model_processing": None, "dynamics_params": "sRE_jv_00.json"}]
    return NodeTable("thalamus", "biophysical", np.array(tid, dtype=np.int64), {
        "x": np.linspace(0, 400, n), "y": np.linspace(2700, 3600, n), "z": np.full(n, 210.0),
        "mtype": np.array(mtype), "metype": np.array(mtype), "etype": np.where(is_tc, "TC", "RE"),
        "layer": np.full(n, "TH"), "ei": np.where(is_tc, "E", "I"), "model_type": np.array(["biophysical"] * n)},
        rows)


def _background(n_s1: int) -> NodeTable:
    target = np.repeat(np.arange(n_s1), 2)
    kind = np.tile(np.array(["EXC", "INH"]), n_s1)
    rate = np.where(kind == "EXC", 1500.0, 300.0)
    return NodeTable("background", "virtual", np.full(target.size, 300, np.int64), {
        "rate_hz": rate, "target_node_id": target, "target_netpyne_gid": target, "kind": kind,
        "model_type": np.array(["virtual"] * target.size)}, [{"node_type_id": 300, "model_type": "virtual"}])


def _edges(src: np.ndarray, trg: np.ndarray, etype: np.ndarray, w: np.ndarray, sec: np.ndarray,
           delay: float = 1.0) -> EdgeChunk:
    order = np.argsort(trg, kind="stable")
    n = src.size
    return EdgeChunk(src[order].astype(np.uint64), trg[order].astype(np.uint64), etype[order].astype(np.int64), {
        "syn_weight": w[order].astype(np.float64), "delay": np.full(n, delay),
        "afferent_section_id": sec[order].astype(np.uint32), "afferent_section_pos": np.full(n, 0.5)})


def _table(pop: str, source: str, target: str, types: list[tuple[int, str, str, dict]], chunk: EdgeChunk) -> EdgeTable:
    rows = [{"edge_type_id": t, "model_template": m, "dynamics_params": f"{name}.json"} for t, m, name, _ in types]
    return EdgeTable(pop, source, target, rows, iter([chunk]), {f"{name}.json": p for _, _, name, p in types})


def write_tiny_circuit(out: Path, components: Path, *, tstop: float = TSTOP, streams: str = "independent") -> Path:
    """Write the circuit into ``out`` (must not exist); returns ``out``."""
    s1, th = _s1(), _thalamus()
    bg = _background(s1.size)
    i = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    f = lambda *v: np.array(v, dtype=np.float64)  # noqa: E731
    # S1 -> S1: E (0..2) -> all; I (3, 4) -> E cells.  dendrite section 1 / soma 0
    s1s1 = _edges(i(0, 1, 2, 0, 3, 4, 3), i(1, 2, 0, 3, 0, 1, 2), i(1, 1, 1, 1, 2, 2, 2),
                  f(1.5, 1.5, 1.5, 1.0, 1.0, 1.0, 1.0), i(1, 1, 1, 1, 0, 0, 0))
    # thalamus (TC ids 2..5) -> S1 E cells
    ths1 = _edges(i(2, 3, 4, 5, 2, 3), i(0, 0, 1, 1, 2, 2), i(3, 3, 3, 3, 3, 3), f(3.0, 3.0, 3.0, 3.0, 3.0, 3.0),
                  i(1, 1, 1, 1, 1, 1), delay=2.0)
    # S1 -> thalamus (onto RTN 0, 1 and TC 2)
    s1th = _edges(i(0, 1, 2), i(0, 1, 2), i(4, 4, 4), f(0.002, 0.002, 0.002), i(0, 0, 0), delay=3.0)
    # RTN -> TC (GABAA_Th), TC -> RTN (AMPA_Th)
    thth = _edges(i(0, 1, 2, 3), i(2, 3, 0, 1), i(5, 5, 4, 4), f(0.001, 0.001, 0.002, 0.002), i(0, 0, 0, 0))
    # background -> S1 (source 2k = EXC onto cell k, 2k+1 = INH)
    src = np.arange(bg.size)
    bgs1 = _edges(src, src // 2, np.where(src % 2 == 0, 6, 7), np.where(src % 2 == 0, 0.004, 0.001),
                  np.ones(bg.size, dtype=np.int64), delay=0.1)
    edges = [
        _table("S1__S1", "S1", "S1", [(1, "s1_det_ampanmda", "tiny_EE", AMPANMDA), (2, "s1_det_gabaab", "tiny_IE", GABAAB)],
               s1s1),
        _table("thalamus__S1", "thalamus", "S1", [(3, "s1_det_ampanmda", "tiny_TC_S1", AMPANMDA)], ths1),
        _table("S1__thalamus", "S1", "thalamus", [(4, "s1_exp2syn", "AMPA_Th", AMPA_TH)], s1th),
        _table("thalamus__thalamus", "thalamus", "thalamus",
               [(4, "s1_exp2syn", "AMPA_Th", AMPA_TH), (5, "s1_exp2syn", "GABAA_Th", GABAA_TH)], thth),
        _table("background__S1", "background", "S1", [(6, "s1_exp2syn", "AMPA", AMPA), (7, "s1_exp2syn", "GABAA", GABAA)],
               bgs1),
    ]
    out.mkdir(parents=True)
    opts = sconfig.SimulationOptions(tstop=tstop, seed=4322, background_streams=streams,
                                     scale={"tiny": True}, source="tests/sim/tiny_circuit.py")
    write_circuit(out, [s1, th, bg], edges, sim=opts, components=str(components))
    cfg = json.loads((out / "config.json").read_text())
    cfg["run"]["nsteps_block"] = 2000
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    return out
