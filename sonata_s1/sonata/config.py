"""``circuit_config.json``, ``node_sets.json`` and the BMTK ``config.json`` of a built circuit.

Why one circuit config for three readers: BMTK reads ``manifest``/``components``/``networks``,
libsonata and bluepysnap additionally need a ``populations`` block with the SONATA type inside each
``networks`` entry (SONATA's circuit config); BMTK ignores the extra keys. Paths go through manifest variables
anchored at ``$BASE_DIR``.

``$BASE_DIR`` is the *absolute* circuit directory by default: libsonata/bluepysnap resolve a
relative manifest value against the config file's directory, but BMTK 1.2.0 resolves it against
the current working directory (verified: ``"."`` fails unless BMTK runs from the circuit dir), and
no single relative spelling satisfies both (libsonata leaves BMTK's ``${configdir}`` literal).
``relocatable=True`` writes ``"."`` instead (movable; BMTK must then run with cwd = the circuit).
The simulation config follows the contract in docs/DEVELOPING.md (read by ``run_bionet.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .edges import EdgeFiles
from .nodes import NodeFiles
from .tables import NodeTable

NETWORK_SUBDIR = "network"
SYNAPTIC_MODELS_SUBDIR = "components/synaptic_models"
CIRCUIT_CONFIG = "circuit_config.json"
SIMULATION_CONFIG = "config.json"
NODE_SETS = "node_sets.json"

#: The published thalamic kicks: every cell of each TC population gets a 0–5 ms current step, 2 + 10·i nA.
THALAMIC_KICKS: tuple[tuple[str, str, float], ...] = (
    ("kick_VPL", "VPL_sTC", 2.0),
    ("kick_VPM", "VPM_sTC", 12.0),
    ("kick_POm", "POm_sTC_s1", 22.0),
)
KICK_DELAY_MS = 0.0
KICK_DURATION_MS = 5.0


@dataclass
class SimulationOptions:
    """What the simulation config records beyond the circuit itself: duration, seed, cao policy (README P1),
    background streams (P2), scale, source and build options."""

    tstop: float = 300.0
    dt: float = 0.025
    seed: int = 4322
    cao_mode: str = "configured"  # or "published-run" (P1)
    cao_s1: float = 1.2
    background_streams: str = "independent"  # or "netpyne" (P2)
    report_dt: float = 0.1
    scale: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    build_options: dict[str, Any] = field(default_factory=dict)


def write_json(path: Path, obj: Any) -> None:
    """Deterministic JSON (fixed indentation, insertion order kept, trailing newline)."""
    path.write_text(json.dumps(obj, indent=2) + "\n")


def components_reference(out_dir: Path, components_dir: Path) -> str:
    """Path of the shared components as seen from the circuit directory.

    Relative when both live under a common directory other than ``/`` (e.g. ``network/`` in the
    repository → ``../components``), so the repository can be moved; absolute otherwise.
    """
    out_dir, components_dir = Path(out_dir).absolute(), Path(components_dir).absolute()
    common = os.path.commonpath([out_dir, components_dir])
    if common == os.path.sep:
        return str(components_dir)
    return os.path.relpath(components_dir, out_dir)


def circuit_config(nodes: Sequence[NodeFiles], edges: Sequence[EdgeFiles], *, components: str,
                   base_dir: str = ".") -> dict[str, Any]:
    """The circuit config; ``components`` is the shared components dir (absolute or relative to
    the circuit dir), ``base_dir`` the manifest value of ``$BASE_DIR`` (see module docstring)."""
    comp_base = components if os.path.isabs(components) else f"$BASE_DIR/{components}"
    return {
        "version": 2,
        "manifest": {
            "$BASE_DIR": base_dir,
            "$NETWORK_DIR": f"$BASE_DIR/{NETWORK_SUBDIR}",
            "$COMPONENTS_DIR": comp_base,
        },
        "components": {
            "morphologies_dir": "$COMPONENTS_DIR/morphologies",
            "biophysical_neuron_models_dir": "$COMPONENTS_DIR/biophysical_neuron_models",
            "mechanisms_dir": "$COMPONENTS_DIR/mechanisms",
            "synaptic_models_dir": f"$BASE_DIR/{SYNAPTIC_MODELS_SUBDIR}",
        },
        "node_sets_file": f"$BASE_DIR/{NODE_SETS}",
        "networks": {
            "nodes": [
                {
                    "nodes_file": f"$NETWORK_DIR/{n.nodes_file}",
                    "node_types_file": f"$NETWORK_DIR/{n.node_types_file}",
                    "populations": {n.population: {"type": n.model_type}},
                }
                for n in nodes
            ],
            "edges": [
                {
                    "edges_file": f"$NETWORK_DIR/{e.edges_file}",
                    "edge_types_file": f"$NETWORK_DIR/{e.edge_types_file}",
                    "populations": {e.population: {"type": e.sonata_type}},
                }
                for e in edges
            ],
        },
    }


def _group_key(table: NodeTable) -> np.ndarray:
    """One label per node identifying its me-type (S1) or population (thalamus)."""
    attrs = table.attributes
    for name in ("metype", "me_type"):
        if name in attrs:
            return np.asarray(attrs[name]).astype(str)
    if "mtype" in attrs and "etype" in attrs:
        return np.char.add(np.char.add(np.asarray(attrs["mtype"]).astype(str), "|"), np.asarray(attrs["etype"]).astype(str))
    if "mtype" in attrs:
        return np.asarray(attrs["mtype"]).astype(str)
    return np.asarray(table.node_type_id).astype(str)


def recorded_nodes(table: NodeTable) -> list[int]:
    """Default recorded cells: the first node of every me-type (S1) / of every thalamic population."""
    if table.size == 0:
        return []
    _, first = np.unique(_group_key(table), return_index=True)
    return sorted(int(i) for i in first)


def node_sets(tables: Sequence[NodeTable]) -> dict[str, Any]:
    """Node sets used by the simulation config (also written as ``node_sets.json``).

    ``recorded`` is a SONATA compound node set of per-population sets: node ids restart at 0 in
    every population, so one ``node_id`` list over two populations would select the wrong cells.
    """
    sets: dict[str, Any] = {}
    recorded: list[str] = []
    by_name = {t.population: t for t in tables}
    for t in tables:
        if t.model_type == "virtual":
            sets[t.population] = {"population": t.population}
    if "thalamus" in by_name and "mtype" in by_name["thalamus"].attributes:
        present = set(np.unique(np.asarray(by_name["thalamus"].attributes["mtype"]).astype(str)).tolist())
        for name in sorted(present):
            sets[name] = {"population": "thalamus", "mtype": name}
    for t in tables:
        if t.model_type == "biophysical":
            sets[t.population] = {"population": t.population}
            ids = recorded_nodes(t)
            if ids:
                name = f"recorded_{t.population}"
                sets[name] = {"population": t.population, "node_id": ids}
                recorded.append(name)
    if recorded:
        sets["recorded"] = recorded
    return sets


def simulation_config(tables: Sequence[NodeTable], sets: Mapping[str, Any], opts: SimulationOptions) -> dict[str, Any]:
    """BMTK simulation config + the ``sonata_s1`` project block (DEVELOPING.md contract)."""
    inputs: dict[str, Any] = {}
    if "background" in sets:
        inputs["background"] = {
            "input_type": "spikes", "module": "function", "spikes_function": "s1_background_poisson",
            "node_set": "background",
        }
    for name, pop, amp in THALAMIC_KICKS:
        if pop in sets:
            inputs[name] = {"input_type": "current_clamp", "module": "IClamp", "node_set": pop,
                            "amp": amp, "delay": KICK_DELAY_MS, "duration": KICK_DURATION_MS}
    reports: dict[str, Any] = {}
    if "recorded" in sets:
        reports["soma_v"] = {"module": "membrane_report", "cells": "recorded", "variable_name": "v",
                             "sections": "soma", "file_name": "soma_v.h5", "dt": opts.report_dt}
    return {
        "network": CIRCUIT_CONFIG,
        "run": {"tstop": float(opts.tstop), "dt": opts.dt, "dL": None, "spike_threshold": -10.0,
                "nsteps_block": 4000},
        "conditions": {"celsius": 34.0, "v_init": -65.0},
        "inputs": inputs,
        "reports": reports,
        "output": {"output_dir": "output", "spikes_file": "spikes.h5", "log_file": "log.txt",
                   "compression": None, "spikes_sort_order": "by_time"},
        "node_sets": dict(sets),
        "sonata_s1": {
            "seed": int(opts.seed),
            "cao_mode": opts.cao_mode,
            "cao_s1": opts.cao_s1,
            "background_streams": opts.background_streams,
            "scale": opts.scale,
            "source": opts.source,
            "build_options": opts.build_options,
        },
    }

