"""Reading a SONATA simulation config the way the runner and the post-run tools need it.

Why not BMTK's ``Config.from_json`` alone: BMTK resolves ``"$BASE_DIR": "."`` against the working
directory (SONATA means the config's own directory), lets the simulation's node sets lose to the
circuit's, writes gzip-compressed outputs libsonata cannot read, and its ``validate=True`` is a
no-op. :func:`load_config` applies the project's defaults and those fixes, then hands the dict to
BMTK's parser, so the result is exactly what BMTK would run. No side effects (nothing is written).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import SonataS1Error
from ..paths import expand_config_paths
from .reader import CircuitFileError

#: Defaults for run keys a config may omit: dt 0.025 ms, no nseg rewriting (``dL`` null keeps the cell
#: models' nseg), spike threshold -10 mV at soma(0.5); 34 °C and v_init -65 mV, as the published model.
RUN_DEFAULTS: dict[str, Any] = {"dt": 0.025, "dL": None, "spike_threshold": -10.0}
CONDITION_DEFAULTS: dict[str, Any] = {"celsius": 34.0, "v_init": -65.0}


class RunConfigError(SonataS1Error, ValueError):
    """The simulation config cannot be run as written (message names file and key)."""


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise RunConfigError(f"{what} {path} does not exist")
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise RunConfigError(f"{what} {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RunConfigError(f"{what} {path} must hold a JSON object")
    return data


def _absolute(value: str, base: Path) -> str:
    if value.startswith("$") or os.path.isabs(value):
        return value
    return str((base / value).resolve())


def _absolute_manifest(conf: dict[str, Any], base: Path) -> None:
    """Make relative manifest values absolute against the config's own directory.

    BMTK resolves ``"$BASE_DIR": "."`` against the *working directory*, libsonata against the
    config file; the latter is what a circuit directory means, so the runner applies it for BMTK.
    """
    man = conf.get("manifest") or {}
    for k, v in list(man.items()):
        if isinstance(v, str) and not v.startswith("$") and not os.path.isabs(v):
            man[k] = str((base / v).resolve())


def parse_circuit_config(net_path: Path, origin: str = "") -> dict[str, Any]:
    """A circuit config parsed by BMTK with its manifest made absolute (no bmtk bookkeeping keys)."""
    from bmtk.utils.sonata.config.sonata_config import ConfigParser

    child = _read_json(net_path, "circuit config")
    expand_config_paths(child, str(net_path))  # ~ and $VARIABLES are never taken literally
    _absolute_manifest(child, net_path.parent)
    child["config_path"], child["config_dir"] = str(net_path), str(net_path.parent)
    try:
        parsed = ConfigParser().parse(child)
    except Exception as exc:  # noqa: BLE001  (BMTK raises bare Exception for manifest errors)
        raise RunConfigError(f"{origin or net_path}: BMTK could not parse the circuit config {net_path}: {exc}") from None
    for k in ("config_path", "config_dir", "manifest"):
        parsed.pop(k, None)
    return parsed


def _inline_network(raw: dict[str, Any], config_path: Path) -> str | None:
    """Parse the ``network`` circuit config ourselves and merge it like BMTK does (child keys win)."""
    net = raw.get("network")
    if not isinstance(net, str):
        return None
    net_path = Path(net) if os.path.isabs(net) else config_path.parent / net
    if not net_path.is_file():
        raise CircuitFileError(f"{config_path}: network = {net!r} -> {net_path} does not exist "
                               "(build a circuit with `sonata-s1 build --out DIR` or fix the path)")
    del raw["network"]
    user_sets = raw.get("node_sets")
    if user_sets is None and isinstance(raw.get("node_sets_file"), str):
        sets_path = Path(_absolute(raw["node_sets_file"], config_path.parent))
        user_sets = _read_json(sets_path, "node_sets_file")
    raw.update(parse_circuit_config(net_path, str(config_path)))
    if user_sets is not None:  # the simulation's node sets win over the circuit's (SONATA), unlike BMTK
        raw["node_sets"] = user_sets
    return str(net_path.resolve())


def load_config(config_path: Path) -> dict[str, Any]:
    """Read the user's config, apply project defaults and resolve it with BMTK's parser (no side effects)."""
    from bmtk.utils.sonata.config.sonata_config import ConfigParser

    config_path = Path(config_path).absolute()
    raw = _read_json(config_path, "simulation config")
    expand_config_paths(raw, str(config_path))  # ~ and $VARIABLES are never taken literally
    base = config_path.parent
    _absolute_manifest(raw, base)
    network = _inline_network(raw, config_path)
    run = raw.setdefault("run", {})
    for k, v in RUN_DEFAULTS.items():
        run.setdefault(k, v)
    if "tstop" not in run:
        raise RunConfigError(f"{config_path}: run.tstop is required")
    cond = raw.setdefault("conditions", {})
    for k, v in CONDITION_DEFAULTS.items():
        cond.setdefault(k, v)
    out = raw.setdefault("output", {})
    out["output_dir"] = _absolute(str(out.get("output_dir", "output")), base)
    out.setdefault("spikes_file", "spikes.h5")
    out.setdefault("log_file", "log.txt")
    out["compression"] = None  # libsonata 0.2.2 cannot read BMTK's gzip-compressed outputs
    out.setdefault("spikes_sort_order", "by_time")
    raw["config_path"] = str(config_path)
    raw["config_dir"] = str(base)
    try:
        conf = ConfigParser().parse(raw)
    except (OSError, ValueError, KeyError) as exc:
        raise RunConfigError(f"{config_path}: BMTK could not parse the config: {exc}") from None
    if network:
        conf["network"] = network
    return conf


def validate_schema(conf: dict[str, Any], origin: str) -> None:
    """BMTK's JSON-schema check of the simulation config (what ``validate=True`` promises).

    BMTK's ``validate=True`` is a no-op (it only becomes a manifest variable), so the runner calls
    the schema itself. The schema requires a number for ``run.dL``, but ``null`` is how nseg
    rewriting is switched off (the cell models' own nseg is kept), so that key is checked here instead.
    """
    from bmtk.simulator import bionet

    copy = json.loads(json.dumps({k: v for k, v in conf.items()}, default=str))
    if copy.get("run", {}).get("dL", 0) is None:
        del copy["run"]["dL"]
    dL = conf.get("run", {}).get("dL")
    if dL is not None and not (isinstance(dL, (int, float)) and dL > 0):
        raise RunConfigError(f"{origin}: run.dL must be null (keep the cell models' nseg) or a positive number")
    cfg = bionet.Config(copy)
    try:
        errors = [e for e in cfg.validator.iter_errors(cfg)
                  if not (list(e.absolute_path)[:1] == ["reports"] and "'input_type' is a required" in e.message)]
    except Exception as exc:  # noqa: BLE001  (BMTK's path checks raise from inside the iteration)
        raise RunConfigError(f"{origin}: config rejected by BMTK's validator: {getattr(exc, 'message', exc)}") from None
    if errors:  # (BMTK's schema wrongly requires input_type in every report entry: ignored above)
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "<root>"
        raise RunConfigError(f"{origin}: config does not match BMTK's schema at {where}: {e.message.splitlines()[0]}")
