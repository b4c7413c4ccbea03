"""Run a SONATA simulation config with BMTK bionet plus the project's plug-ins.

Why a runner around BMTK's three-line pattern: BMTK checks little before it builds (a missing
file, an unknown population or a swallowed mechanism load surface late or not at all), deletes
the output directory unconditionally, cannot select cells by enumerated string attributes, and
writes files libsonata cannot read. :func:`prepare` does every check and resolution up front, on
every rank, before anything is written; :func:`simulate` is BMTK's standard pattern
(``Config`` → ``build_env`` → ``BioNetwork.from_config`` → ``BioSimulator.from_config`` → ``run``)
with the plug-ins registered; :func:`finish` post-processes on rank 0.

Must be imported after :func:`sonata_s1.sim.mpi.init_neuron_mpi` (it imports bmtk, which creates
NEURON's ParallelContext at import).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import outdir
from ..errors import SonataS1Error
from ..paths import REPO_ROOT
from ..sonata.reader import CircuitFileError, SonataCircuit, from_networks
from ..sonata.simulation_config import RunConfigError, load_config, validate_schema
from . import background, nodesets, provenance, synapses
from .mpi import MPIInfo

#: Defaults of the ``sonata_s1`` block of a simulation config.
PROJECT_DEFAULTS: dict[str, Any] = {"seed": 4322, "cao_mode": "configured", "cao_s1": 1.2,
                                    "background_streams": "independent", "name": "s1_thalamus"}


class MechanismError(SonataS1Error, RuntimeError):
    """A mechanism the circuit needs is not available after loading the project's mechanisms."""


@dataclass
class RunPlan:
    """Everything :func:`simulate` needs, computed identically on every rank."""

    config_path: Path
    bmtk_config: dict[str, Any]  # manifest-resolved dict handed to bionet.Config
    circuit: SonataCircuit
    node_sets: dict[str, nodesets.Selection]
    project: dict[str, Any]
    output_dir: Path
    mechanisms: dict[str, Any]
    circuit_project: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    lock: outdir.DirLock | None = None  # rank 0 holds the output directory's lock for the whole run


def _mod_dir(mech_dir: str | None, origin: str) -> Path:
    if not mech_dir:
        raise MechanismError(f"{origin}: components.mechanisms_dir is not set (the circuit needs the project's "
                             "mechanisms, components/mechanisms)")
    p = Path(mech_dir)
    for cand in (p, p / "modfiles"):
        if cand.is_dir() and any(cand.glob("*.mod")):
            return cand
    raise MechanismError(f"{origin}: components.mechanisms_dir = {p} holds no .mod files (nor {p / 'modfiles'})")


def load_mechanisms(conf: dict[str, Any], circuit: SonataCircuit, origin: str) -> dict[str, Any]:
    """Compile (content-hash cache) and load the circuit's NMODL; check that every needed mechanism exists."""
    from neuron import h

    from ..mechanisms import MechanismBuildError
    from ..mechanisms import load_mechanisms as load

    mod_dir = _mod_dir(conf.get("components", {}).get("mechanisms_dir"), origin)
    try:
        compiled = load(mod_dir)
    except MechanismBuildError as exc:
        raise MechanismError(f"{origin}: mechanisms in {mod_dir} could not be compiled/loaded: {exc}") from None
    needed: dict[str, str] = {}
    for e in circuit.edges.values():
        types = e.types_table()
        for tid, tmpl in zip(types["edge_type_id"], types["model_template"], strict=True):
            if tmpl in synapses.SYNAPSE_MODELS:
                needed.setdefault(synapses.SYNAPSE_MODELS[tmpl], f"edge population {e.name!r} type {tid} ({tmpl})")
        if circuit.nodes[e.source].model_type == "virtual":
            needed.setdefault("VecStim", f"virtual sources of edge population {e.name!r}")
    missing = {m: why for m, why in needed.items() if not hasattr(h, m)}
    if missing:
        lines = "; ".join(f"{m} (needed by {why})" for m, why in missing.items())
        raise MechanismError(f"{origin}: mechanisms not available after loading {mod_dir}: {lines}")
    return {"modfiles": str(mod_dir), "compiled": str(compiled), "checked": sorted(needed)}


def _check_components(conf: dict[str, Any], circuit: SonataCircuit, origin: str) -> None:
    comps = conf.get("components", {})
    for pop in circuit.biophysical:
        types = pop.types_table()
        used = set(np.unique(pop.attribute("node_type_id")).tolist())
        types = types[types["node_type_id"].isin(used)]
        if "model_template" in types.columns:
            for tmpl in types["model_template"].dropna().unique():
                if ":" not in str(tmpl):
                    raise RunConfigError(f"{origin}: {pop.node_types_file}: model_template {tmpl!r} must be "
                                         "'directive:name' (e.g. s1_cell:sTC_jv_00)")
        for col, key in (("dynamics_params", "biophysical_neuron_models_dir"), ("morphology", "morphologies_dir")):
            if col not in types.columns:
                continue
            base = Path(str(comps.get(key, "")))
            for name in types[col].dropna().unique():
                path = base / str(name)
                if col == "morphology" and not path.exists() and not str(name).endswith(".swc"):
                    path = path.with_name(path.name + ".swc")
                if not path.is_file():
                    raise CircuitFileError(f"{origin}: {col} {name!r} of population {pop.name!r} not found at {path} "
                                           f"(components.{key}; convert the cell models with `sonata-s1 convert-cells`)")
    syn_dir = Path(str(comps.get("synaptic_models_dir", "")))
    for e in circuit.edges.values():
        types = e.types_table()
        for name in types.get("dynamics_params", []):
            if isinstance(name, str) and not (syn_dir / name).is_file():
                raise CircuitFileError(f"{origin}: synaptic model {name!r} of edge population {e.name!r} not found "
                                       f"at {syn_dir / name} (components.synaptic_models_dir)")


def _protected_paths(conf: dict[str, Any], circuit: SonataCircuit, config_path: Path) -> list[Path]:
    paths = [config_path]
    if isinstance(conf.get("network"), str):
        paths.append(Path(conf["network"]))
    for p in circuit.nodes.values():
        paths += [p.nodes_file, p.node_types_file]
    for e in circuit.edges.values():
        paths += [e.edges_file, e.edge_types_file]
    for v in conf.get("components", {}).values():
        if isinstance(v, str) and v:
            paths.append(Path(v))
    return paths


def _circuit_project(conf: dict[str, Any]) -> dict[str, Any]:
    """The ``sonata_s1`` block and build marker of the circuit directory (when it is one of ours)."""
    net = conf.get("network")
    if not isinstance(net, str):
        return {}
    root = Path(conf.get("config_dir", ".")) / net if not os.path.isabs(net) else Path(net)
    root = root.parent
    out: dict[str, Any] = {"circuit_dir": str(root)}
    sim_cfg = root / "config.json"
    if sim_cfg.is_file():
        try:
            out["config"] = json.loads(sim_cfg.read_text()).get("sonata_s1", {})
        except ValueError:
            pass
    marker = outdir.read_marker(root)
    if marker:
        out["build_marker"] = marker
    return out


def check_project(project: dict[str, Any], origin: str) -> None:
    """Reject bad ``sonata_s1`` values in :func:`prepare`, before BMTK deletes the output directory."""
    if project["background_streams"] not in background.MODES:
        raise RunConfigError(f"{origin}: sonata_s1.background_streams must be one of {background.MODES}")
    if project["cao_mode"] not in ("configured", "published-run"):
        raise RunConfigError(f"{origin}: sonata_s1.cao_mode must be 'configured' or 'published-run'")
    seed, cao = project["seed"], project["cao_s1"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RunConfigError(f"{origin}: sonata_s1.seed must be a non-negative integer, got {seed!r}")
    if isinstance(cao, bool) or not isinstance(cao, (int, float)) or not 0 < cao < float("inf"):
        raise RunConfigError(f"{origin}: sonata_s1.cao_s1 must be a positive number (mM), got {cao!r}")


def prepare(config_path: Path) -> RunPlan:
    """Parse, check and resolve everything; raises a specific error naming file and key. No writes."""
    t0 = time.perf_counter()
    config_path = Path(config_path).absolute()
    conf = load_config(config_path)
    origin = str(config_path)
    networks = conf.get("networks") or {}
    if not networks.get("nodes"):
        raise RunConfigError(f"{origin}: no networks.nodes (set \"network\": \"<circuit>/circuit_config.json\")")
    circuit = from_networks(networks, origin)  # before the schema: names the config key of a missing file
    validate_schema(conf, origin)
    _check_components(conf, circuit, origin)

    circuit_project = _circuit_project(conf)
    project = dict(PROJECT_DEFAULTS)
    project.update({k: v for k, v in circuit_project.get("config", {}).items()
                    if k in ("seed", "cao_mode", "cao_s1", "background_streams")})
    project.update(conf.get("sonata_s1") or {})
    check_project(project, origin)

    sets = dict(conf.get("node_sets") or {})
    try:
        for name, where in nodesets.referenced_node_sets(conf).items():
            if name not in sets and name not in circuit.nodes and name != "all":
                raise nodesets.NodeSetError(f"{where} names node set {name!r}, which is not defined "
                                            f"(node sets: {sorted(sets)})")
        resolved = nodesets.resolve_all(sets, circuit)
        for name in nodesets.referenced_node_sets(conf):
            resolved.setdefault(name, nodesets.resolve(name, sets, circuit))
    except nodesets.NodeSetError as exc:
        raise RunConfigError(f"{origin}: {exc}") from None
    for name, entry in (conf.get("reports") or {}).items():
        sel = resolved.get(entry.get("cells", "all"), {})
        virtual = [p for p in sel if circuit.nodes[p].model_type == "virtual" and len(sel[p])]
        if virtual:
            raise RunConfigError(f"{origin}: report {name!r} records node set {entry.get('cells')!r}, which includes "
                                 f"virtual population(s) {virtual}")

    output_dir = Path(conf["output"]["output_dir"])
    outdir.check_written_paths(output_dir, written_paths(conf, project), origin)
    # where it is (not its contents: those are checked under the run's lock, see claim_output_dir)
    outdir.check_location(output_dir, "output_dir", protected=_protected_paths(conf, circuit, config_path))
    plan = RunPlan(config_path, conf, circuit, resolved, project, output_dir, {}, circuit_project)
    plan.timings["prepare_s"] = time.perf_counter() - t0
    return plan


def written_paths(conf: dict[str, Any], project: dict[str, Any]) -> dict[str, str]:
    """Config key -> every file the run writes (BMTK's outputs, reports, the NWB file), as configured."""
    out_dir = conf["output"]["output_dir"]
    paths = {f"output.{k}": str(v) for k, v in conf["output"].items()
             if isinstance(v, str) and (k == "log_file" or k.startswith("spikes_file"))}
    for name, rep in (conf.get("reports") or {}).items():
        paths[f"reports.{name}.file_name"] = str(rep.get("file_name", f"{name}.h5")) if isinstance(rep, dict) else ""
    paths["sonata_s1.name (NWB file)"] = os.path.join(out_dir, f"{project.get('name') or 's1_thalamus'}.nwb")
    return paths


def claim_output_dir(plan: RunPlan, mpi: MPIInfo) -> None:
    """Lock and re-check the output directory for the whole run: rank 0 decides, every rank agrees.

    Why: a second run into the same directory would see BMTK delete the first one's files while it
    runs. Rank 0 takes the lock (held until the process ends) and checks the directory under it;
    its verdict is broadcast so that every rank refuses with the same message or none does.
    """
    message = None
    if mpi.rank == 0:
        try:
            plan.lock = outdir.claim_run_dir(plan.output_dir, _protected_paths(plan.bmtk_config, plan.circuit,
                                                                               plan.config_path))
        except outdir.OutputDirError as exc:
            message = str(exc)
    if mpi.size > 1:
        from mpi4py import MPI

        message = MPI.COMM_WORLD.bcast(message, root=0)
    if message is not None:
        raise outdir.OutputDirError(message)


def mark_failed(plan: RunPlan) -> None:
    """Rank 0, after a failure: record what the failed run left so that a later run may replace exactly that."""
    marker = outdir.read_marker(plan.output_dir) if plan.output_dir.is_dir() else None
    if plan.lock is not None and marker is not None and marker.get("kind") == "run" and marker.get("state") == "running":
        outdir.finish_marker(plan.output_dir, "failed")


def _source_targets(circuit: SonataCircuit, population: str) -> np.ndarray:
    pop = circuit.nodes[population]
    for attr in ("target_netpyne_gid", "target_node_id"):
        if pop.has_attribute(attr):
            return np.asarray(pop.attribute(attr), dtype=np.int64)
    mapping = np.full(pop.size, -1, dtype=np.int64)
    for e in circuit.edges.values():
        if e.source == population:
            src, trg = e.ids()
            mapping[src.astype(np.int64)] = trg.astype(np.int64)
    return mapping


def simulate(plan: RunPlan, mpi: MPIInfo, progress_ms: float = 50.0) -> dict[str, Any]:
    """BMTK's standard run with the project's plug-ins; returns timings (all ranks)."""
    from bmtk.simulator import bionet
    from neuron import h

    from ..cells import loader
    from .progress import ProgressMod

    pc = h.ParallelContext()
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    plan.mechanisms = load_mechanisms(plan.bmtk_config, plan.circuit, str(plan.config_path))
    t["mechanisms_s"] = time.perf_counter() - t0

    conf = bionet.Config(dict(plan.bmtk_config))  # already parsed and validated in prepare()
    conf.mechanisms_dir = None  # loaded above with a hard failure; BMTK would only log a warning
    conf.node_sets = {name: nodesets.bmtk_placeholder(sel) for name, sel in plan.node_sets.items()}
    pc.barrier()  # every rank passed the checks before rank 0 lets BMTK recreate output_dir
    conf.build_env()
    if mpi.rank == 0:
        outdir.write_marker(plan.output_dir, "run", "running", {"config": str(plan.config_path)})
    log = conf.io
    log.log_info(f"sonata_s1: MPI size {mpi.size}, seed {plan.project['seed']}, cao_mode {plan.project['cao_mode']}, "
                 f"background_streams {plan.project['background_streams']}, mechanisms {plan.mechanisms['compiled']}")

    loader.register()
    loader.configure(cao_mode=plan.project["cao_mode"], cao_s1=float(plan.project["cao_s1"]))
    synapses.register()
    bg_pops = [p.name for p in plan.circuit.nodes.values() if p.model_type == "virtual"]
    mapping = None
    if plan.project["background_streams"] == "netpyne" and bg_pops:
        mapping = {int(i): int(g) for i, g in enumerate(_source_targets(plan.circuit, bg_pops[0]))}
    background.configure(seed=int(plan.project["seed"]), tstop=float(conf.tstop),
                         mode=plan.project["background_streams"], source_target=mapping)
    background.register()

    t0 = time.perf_counter()
    graph = bionet.BioNetwork.from_config(conf)
    for name, sel in plan.node_sets.items():
        graph.add_node_set(name, nodesets.make_bmtk_node_set(graph, sel))
    t["read_network_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = bionet.BioSimulator.from_config(conf, network=graph)
    pc.barrier()
    t["build_s"] = time.perf_counter() - t0
    local_cells = len(graph.get_local_cells())
    n_syn = sum(len(getattr(c, "_connections", []) or []) for c in graph.get_local_cells().values())
    counts = {"cells": int(pc.allreduce(local_cells, 1)), "synapses": int(pc.allreduce(n_syn, 1))}
    log.log_info(f"sonata_s1: built {counts['cells']} cells and {counts['synapses']} synapses in {t['build_s']:.1f} s")
    progress = ProgressMod(progress_ms)
    sim.add_mod(progress)
    t0 = time.perf_counter()
    sim.run()
    t["simulate_s"] = time.perf_counter() - t0
    t["tstop_ms"] = float(conf.tstop)
    nseg = sum(sec.nseg for c in graph.get_local_cells().values() for sec in c.hobj.all)
    t["compartments_max_rank"] = float(pc.allreduce(nseg, 2))
    t["compartments_total"] = float(pc.allreduce(nseg, 1))
    log.log_info(f"sonata_s1: {t['compartments_total']:.0f} compartments ({t['compartments_max_rank']:.0f} on the "
                 "busiest rank)")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t["peak_rss_mb_max_rank"] = float(pc.allreduce(peak_kb / 1024.0, 2))
    t["peak_rss_mb_sum"] = float(pc.allreduce(peak_kb / 1024.0, 1))
    return {"timings": t, "counts": counts, "conf": conf}


def finish(plan: RunPlan, mpi: MPIInfo, result: dict[str, Any], *, nwb: bool = True, figures: bool = True) -> None:
    """Rank 0: make outputs libsonata-readable, then rates, figures, NWB and provenance."""
    from ..analysis import postprocess, rates

    conf = result["conf"]
    out = plan.output_dir
    t = result["timings"]
    t0 = time.perf_counter()
    spikes_path = Path(conf.output["spikes_file"])
    counts = postprocess.fix_spikes(spikes_path) if spikes_path.is_file() else {}
    reports: dict[str, str] = {}
    for name, rep in (conf.reports or {}).items():
        path = out / rep.get("file_name", f"{name}.h5")
        if rep.get("module") == "membrane_report" and path.is_file():
            postprocess.fix_report(path, units="mV" if rep.get("variable_name", "v") == "v" else "")
            reports[name] = str(path)
    t["postprocess_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    table = rates.compute(spikes_path, plan.circuit, tstop=float(conf.tstop))
    rates.write(table, out)
    t["rates_s"] = time.perf_counter() - t0
    for line in rates.summary_lines(table):
        conf.io.log_info(f"rates: {line}")
    if figures:
        from ..analysis import plots

        t0 = time.perf_counter()
        plots.draw_raster(out, plan.circuit, float(conf.tstop))
        plots.draw_rates(out, table)
        t["figures_s"] = time.perf_counter() - t0
    nwb_path = None
    if nwb:
        from ..analysis import nwb as nwb_mod

        t0 = time.perf_counter()
        nwb_path = nwb_mod.write_run_nwb(out, plan.circuit, conf=dict(conf), project={**plan.project, "mpi_size": mpi.size},
                                         circuit_project=plan.circuit_project)
        t["nwb_s"] = time.perf_counter() - t0

    from ..cells import loader

    record = {
        "config": str(plan.config_path),
        "config_content": json.loads(plan.config_path.read_text()),
        "circuit": plan.circuit_project,
        "populations": {p.name: {"type": p.model_type, "size": p.size} for p in plan.circuit.nodes.values()},
        "edge_populations": {e.name: e.size for e in plan.circuit.edges.values()},
        "run": {k: conf.run.get(k) for k in ("tstop", "dt", "dL", "spike_threshold", "nsteps_block")},
        "conditions": dict(conf.conditions),
        "seed": plan.project["seed"],
        "project": plan.project,
        "cao": loader.current_config(),
        "background_streams": plan.project["background_streams"],
        "mpi": {"size": mpi.size, "nhost": mpi.nhost},
        "mechanisms": plan.mechanisms,
        "counts": result["counts"],
        "spikes": counts,
        "reports": reports,
        "nwb": str(nwb_path) if nwb_path else None,
        "node_sets": {k: {p: int(len(v)) for p, v in s.items()} for k, s in plan.node_sets.items()},
        "timings": {**plan.timings, **t},
        "versions": provenance.package_versions(),
        "git": provenance.git_revision(REPO_ROOT),
        "machine": provenance.machine(),
        "command": sys.argv,
    }
    provenance.write(out / "provenance.json", record)
    outdir.finish_marker(out, "complete")
