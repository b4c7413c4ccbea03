"""Which circuit, duration and provenance a simulation output came from.

Why a module of its own: the figures and the NWB export both redo work on an output directory
after the run, possibly on another machine; they need the circuit the run simulated (named by
``--network`` or by the run's ``provenance.json``) and its duration, and a clear one-line error
naming the file when either is missing or damaged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..sonata.outputs import OutputFileError, read_spikes
from ..sonata.reader import SonataCircuit, from_networks
from ..sonata.simulation_config import load_config, parse_circuit_config


def circuit_for_output(out_dir: Path, network: str | None = None) -> tuple[SonataCircuit, float, dict[str, Any]]:
    """The circuit, tstop and provenance record of a simulation output (circuit from ``--network`` or the
    output's provenance). Raises a :class:`~sonata_s1.errors.SonataS1Error` naming the file at fault."""
    out_dir = Path(out_dir)
    if not (out_dir / "spikes.h5").is_file():
        raise OutputFileError(f"{out_dir / 'spikes.h5'} not found")
    prov_path = out_dir / "provenance.json"
    try:
        prov = json.loads(prov_path.read_text()) if prov_path.is_file() else {}
    except ValueError as exc:
        raise OutputFileError(f"{prov_path} is not valid JSON ({exc})") from None
    tstop = float(prov.get("run", {}).get("tstop") or 0.0)
    if network:
        cfg = Path(network).absolute()
        cfg = cfg / "circuit_config.json" if cfg.is_dir() else cfg
        if not cfg.is_file():
            raise OutputFileError(f"--network {network}: no circuit_config.json")
        conf = parse_circuit_config(cfg)
    else:
        if not prov.get("config"):
            raise OutputFileError(f"{prov_path} missing or without 'config'; pass --network DIR")
        conf = load_config(Path(prov["config"]))
        tstop = tstop or float(conf["run"]["tstop"])
    if not tstop:
        tstop = _tstop_from_output(out_dir)
    return from_networks(conf.get("networks", {}), str(network or prov.get("config"))), tstop, prov


def _tstop_from_output(out_dir: Path) -> float:
    for name in ("config.json", "simulation_config.json"):
        p = out_dir / name
        if p.is_file():
            try:
                return float(json.loads(p.read_text())["run"]["tstop"])
            except (KeyError, ValueError):
                pass
    spikes = read_spikes(out_dir / "spikes.h5")
    return max((float(t.max()) for _, t in spikes.values() if t.size), default=1.0)
