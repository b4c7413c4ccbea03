"""Synthetic circuit tables for the SONATA writer tests (no source data needed).

Small but shaped like the real thing: an S1 population with string m-types/e-types, a thalamus,
a virtual background, multi-synapse connections, target-sorted edges delivered in uneven chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sonata_s1.sonata import config, writer
from sonata_s1.sonata.tables import EdgeChunk, EdgeTable, NodeTable

S1_METYPES = [("L23_PC", "cADpyr229", 7), ("L23_MC", "cACint209", 3), ("L5_TTPC2", "cADpyr232", 5)]
TH_POPS = [("ss_RTN_o", 2), ("VPL_sTC", 3), ("VPM_sTC", 2), ("POm_sTC_s1", 2)]


def s1_nodes(seed: int = 1) -> NodeTable:
    rng = np.random.default_rng(seed)
    mtype, etype, type_id = [], [], []
    for i, (m, e, n) in enumerate(S1_METYPES):
        mtype += [m] * n
        etype += [e] * n
        type_id += [100 + i] * n
    n = len(mtype)
    types = [{"node_type_id": 100 + i, "model_type": "biophysical", "model_template": f"s1_cell:{m}_{e}_1",
              "morphology": f"{m}_{e}_1.swc", "model_processing": None, "dynamics_params": f"{m}_{e}_1.json"}
             for i, (m, e, _) in enumerate(S1_METYPES)]
    return NodeTable("S1", "biophysical", np.array(type_id, dtype=np.int64), {
        "x": rng.uniform(0, 420, n), "y": rng.uniform(0, 2082, n), "z": rng.uniform(0, 420, n),
        "rotation_angle_yaxis": rng.uniform(0, 6.28, n),
        "mtype": np.array(mtype), "etype": np.array(etype),
        "layer": np.array([m.split("_")[0][1:] for m in mtype]),
        "model_type": np.array(["biophysical"] * n),
    }, types)


def thalamus_nodes() -> NodeTable:
    mtype: list[str] = []
    for name, n in TH_POPS:
        mtype += [name] * n
    n = len(mtype)
    etype = ["RE" if m.startswith("ss_RTN") else "TC" for m in mtype]
    tid = [201 if e == "RE" else 200 for e in etype]
    types = [{"node_type_id": 200, "model_type": "biophysical", "model_template": "s1_cell:sTC_jv_00",
              "morphology": "sTC_jv_00.swc", "dynamics_params": "sTC_jv_00.json"},
             {"node_type_id": 201, "model_type": "biophysical", "model_template": "s1_cell:sRE_jv_00",
              "morphology": "sRE_jv_00.swc", "dynamics_params": "sRE_jv_00.json"}]
    return NodeTable("thalamus", "biophysical", np.array(tid, dtype=np.int64), {
        "x": np.linspace(0, 400, n), "y": np.linspace(2700, 3600, n), "z": np.full(n, 210.0),
        "mtype": np.array(mtype), "etype": np.array(etype)}, types)


def background_nodes(n: int = 4) -> NodeTable:
    return NodeTable("background", "virtual", np.full(n, 300, dtype=np.int64),
                     {"rate_hz": np.linspace(0.5, 2.0, n), "model_type": np.array(["virtual"] * n)},
                     [{"node_type_id": 300, "model_type": "virtual"}])


def random_edges(n_src: int, n_tgt: int, seed: int, *, max_conn: int = 4, max_syn: int = 3,
                 self_ok: bool = False) -> dict[str, np.ndarray]:
    """Target-sorted rows: each target gets some sources, each connection 1..max_syn rows."""
    rng = np.random.default_rng(seed)
    src, tgt = [], []
    for t in range(n_tgt):
        k = int(rng.integers(0, max_conn + 1))
        cands = np.array([s for s in range(n_src) if self_ok or s != t])
        for s in rng.choice(cands, size=min(k, cands.size), replace=False):
            m = int(rng.integers(1, max_syn + 1))
            src += [int(s)] * m
            tgt += [t] * m
    n = len(src)
    return {
        "source_node_id": np.array(src, dtype=np.uint64), "target_node_id": np.array(tgt, dtype=np.uint64),
        "edge_type_id": rng.integers(1, 3, n).astype(np.int64),
        "syn_weight": rng.uniform(0.1, 1.0, n), "delay": rng.uniform(0.5, 3.0, n),
        "afferent_section_id": rng.integers(0, 50, n).astype(np.int64),
        "afferent_section_pos": rng.uniform(0, 1, n),
    }


def chunked(rows: dict[str, np.ndarray], sizes: list[int], fail_after: int | None = None) -> Iterator[EdgeChunk]:
    """Yield the rows as uneven chunks (cycling through ``sizes``); optionally raise mid-way."""
    n = rows["target_node_id"].shape[0]
    start, i = 0, 0
    while start < n:
        if fail_after is not None and i >= fail_after:
            raise RuntimeError("simulated failure while computing edges")
        stop = min(n, start + sizes[i % len(sizes)])
        cols = {k: v[start:stop] for k, v in rows.items()
                if k not in ("source_node_id", "target_node_id", "edge_type_id")}
        yield EdgeChunk(rows["source_node_id"][start:stop], rows["target_node_id"][start:stop],
                        rows["edge_type_id"][start:stop], cols)
        start, i = stop, i + 1


def edge_types(prefix: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    types = [{"edge_type_id": 1, "model_template": "s1_det_ampanmda", "dynamics_params": f"{prefix}_AMPA.json",
              "weight_function": "s1_passthrough"},
             {"edge_type_id": 2, "model_template": "s1_det_gabaab", "dynamics_params": f"{prefix}_GABA.json",
              "weight_function": "s1_passthrough"}]
    models = {f"{prefix}_AMPA.json": {"Use": 0.125, "Dep": 671.0, "Fac": 17.0},
              f"{prefix}_GABA.json": {"Use": 0.25, "Dep": 700.0, "Fac": 20.0, "tau_d_GABAA": 8.3}}
    return types, models


def circuit(seed: int = 7, chunk_sizes: tuple[int, ...] = (5, 17, 1, 40), fail_after: int | None = None
            ) -> tuple[list[NodeTable], list[EdgeTable], dict[str, dict[str, np.ndarray]]]:
    """Nodes, lazily chunked edge tables and the raw edge rows (for comparisons)."""
    s1, th, bg = s1_nodes(), thalamus_nodes(), background_nodes()
    rows = {
        "S1__S1": random_edges(s1.size, s1.size, seed),
        "thalamus__S1": random_edges(th.size, s1.size, seed + 1, self_ok=True),
        "S1__thalamus": random_edges(s1.size, th.size, seed + 2, max_syn=1, self_ok=True),
        "background__S1": random_edges(bg.size, s1.size, seed + 3, max_syn=1, self_ok=True),
    }
    tables = []
    for name, r in rows.items():
        src, tgt = name.split("__")
        types, models = edge_types(name)
        fa = fail_after if name == "thalamus__S1" else None
        tables.append(EdgeTable(name, src, tgt, types, chunked(r, list(chunk_sizes), fa), models,
                                "chemical_virtual" if src == "background" else "chemical"))
    return [s1, th, bg], tables, rows


def write_synthetic(out: Path, **kw: Any) -> tuple[writer.CircuitFiles, dict]:
    """Write the synthetic circuit into ``out`` exactly as the build does."""
    nodes, tables, rows = circuit(**kw)
    out.mkdir(parents=True, exist_ok=True)
    files = writer.write_circuit(out, nodes, tables, sim=config.SimulationOptions(tstop=50.0),
                                 components=str(Path(__file__).resolve().parents[2] / "components"),
                                 base_dir=str(out))
    return files, rows
