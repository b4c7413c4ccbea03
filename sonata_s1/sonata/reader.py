"""The project's one SONATA circuit reader (stats, the runner, rates, figures, NWB export).

Why libsonata: it is the reference SONATA reader, so whatever we can read here other SONATA tools
can read too (enumerations decoded, both index names resolved, manifest applied). This module adds
what libsonata leaves to its callers: the node/edge *types* CSV joined to the node rows, a circuit
opened either from a circuit directory or from BMTK's resolved ``networks`` block (a user's config
need not be one of our circuit directories), every file checked up front with an error that names
the config key at fault, and block-wise edge iteration so callers never load 40 M rows at once.
BMTK is not used to read because it ignores ``@library`` enumerations (a node's ``mtype`` is an
integer code to BMTK) and reports a missing file deep inside its build.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import libsonata
import numpy as np
import pandas as pd

from ..errors import SonataS1Error
from .config import CIRCUIT_CONFIG, SIMULATION_CONFIG

#: Rows per read when iterating edges (~8 MB per uint64 column).
READ_BLOCK = 1 << 20


class CircuitReadError(SonataS1Error, RuntimeError):
    """A circuit directory, config or file that cannot be read (the message names the path)."""


class CircuitFileError(CircuitReadError, FileNotFoundError):
    """A file named by the circuit config is missing or unreadable (the message names file and key)."""


def _types_table(path: Path) -> pd.DataFrame:
    """A SONATA node/edge types CSV (space separated, ``NONE`` = missing)."""
    return pd.read_csv(path, sep=" ", na_values="NONE")


@dataclass
class NodePopulation:
    """One node population: files, SONATA type and lazily read attribute columns."""

    name: str
    model_type: str
    nodes_file: Path
    node_types_file: Path
    size: int
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def sonata(self) -> libsonata.NodePopulation:
        """The population opened through libsonata."""
        return libsonata.NodeStorage(str(self.nodes_file)).open_population(self.name)

    def attribute_names(self) -> list[str]:
        names = set(self.sonata().attribute_names)
        types = self.types_table()
        return sorted(names | (set(types.columns) - {"node_type_id"}))

    def types_table(self) -> pd.DataFrame:
        return _types_table(self.node_types_file)

    def attribute(self, name: str) -> np.ndarray:
        """Column ``name`` for every node (enumerations decoded by libsonata; CSV columns joined by type)."""
        if name in self._cache:
            return self._cache[name]
        pop = self.sonata()
        if name == "node_type_id":  # libsonata does not expose it; it is a plain dataset
            with h5py.File(self.nodes_file, "r") as f:
                values = f[f"nodes/{self.name}/node_type_id"][()]
        elif name in pop.attribute_names:
            values = node_attribute(pop, name)
        else:
            types = self.types_table()
            if name not in types.columns:
                raise KeyError(name)
            type_ids = self.attribute("node_type_id")
            lookup = dict(zip(types["node_type_id"].to_numpy(), types[name].to_numpy(), strict=True))
            values = np.array([lookup[t] for t in type_ids])
        self._cache[name] = values
        return values

    def has_attribute(self, name: str) -> bool:
        return name in ("node_id", "node_type_id") or name in self.attribute_names()


@dataclass
class EdgePopulation:
    """One edge population: files, the node populations it connects and its row count."""

    name: str
    source: str
    target: str
    edges_file: Path
    edge_types_file: Path
    size: int

    def sonata(self) -> libsonata.EdgePopulation:
        """The population opened through libsonata."""
        return libsonata.EdgeStorage(str(self.edges_file)).open_population(self.name)

    def types_table(self) -> pd.DataFrame:
        return _types_table(self.edge_types_file)

    def ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(source_node_id, target_node_id) columns."""
        pop = self.sonata()
        sel = pop.select_all()
        return np.asarray(pop.source_nodes(sel)), np.asarray(pop.target_nodes(sel))


@dataclass
class SonataCircuit:
    """A SONATA circuit on disk, opened for reading: its node and edge populations by name.

    ``root`` and ``simulation`` are set when it was opened from a circuit directory
    (:func:`open_circuit`); a circuit opened from a simulation config's ``networks`` block
    (:func:`from_networks`) has neither.
    """

    nodes: dict[str, NodePopulation]
    edges: dict[str, EdgePopulation]
    root: Path | None = None
    simulation: dict[str, Any] = field(default_factory=dict)  # the directory's config.json, if present

    @property
    def node_population_names(self) -> list[str]:
        return sorted(self.nodes)

    @property
    def edge_population_names(self) -> list[str]:
        return sorted(self.edges)

    def population(self, name: str, where: str = "") -> NodePopulation:
        if name not in self.nodes:
            raise KeyError(f"{where}unknown node population {name!r} (circuit has {sorted(self.nodes)})")
        return self.nodes[name]

    @property
    def biophysical(self) -> list[NodePopulation]:
        return [p for p in self.nodes.values() if p.model_type != "virtual"]

    @property
    def project(self) -> dict[str, Any]:
        """The ``sonata_s1`` block of config.json (seed, scale, build options, source path)."""
        return dict(self.simulation.get("sonata_s1", {}))


def _existing(path: Any, key: str, origin: str) -> Path:
    if not path:
        raise CircuitFileError(f"{origin}: {key} is not set")
    p = Path(str(path))
    if not p.is_file():
        raise CircuitFileError(f"{origin}: {key} = {p} does not exist")
    return p


def _population_type(declared: str | None, types_file: Path) -> str:
    """The declared population type, else 'virtual' when every node type in the CSV is virtual."""
    if declared:
        return str(declared)
    types = _types_table(types_file)
    if "model_type" in types.columns and set(types["model_type"].dropna()) == {"virtual"}:
        return "virtual"
    return "biophysical"


def _node_populations(h5: Path, csv: Path, declared: dict[str, Any], origin: str) -> dict[str, NodePopulation]:
    try:
        storage = libsonata.NodeStorage(str(h5))
        sizes = {name: int(storage.open_population(name).size) for name in sorted(storage.population_names)}
    except (OSError, KeyError, libsonata.SonataError) as exc:
        raise CircuitFileError(f"{origin}: {h5} is not a SONATA nodes file ({exc})") from None
    return {name: NodePopulation(name, _population_type((declared.get(name) or {}).get("type"), csv), h5, csv, size)
            for name, size in sizes.items()}


def _edge_populations(h5: Path, csv: Path, origin: str) -> dict[str, EdgePopulation]:
    try:
        storage = libsonata.EdgeStorage(str(h5))
        out = {}
        for name in sorted(storage.population_names):
            pop = storage.open_population(name)
            out[name] = EdgePopulation(name, str(pop.source), str(pop.target), h5, csv, int(pop.size))
    except (OSError, KeyError, libsonata.SonataError) as exc:
        raise CircuitFileError(f"{origin}: {h5} is not a SONATA edges file ({exc})") from None
    return out


def _check_ends(nodes: dict[str, NodePopulation], edges: dict[str, EdgePopulation], origin: str) -> None:
    for e in edges.values():
        for end in (e.source, e.target):
            if end not in nodes:
                raise CircuitFileError(f"{origin}: edge population {e.name!r} refers to node population {end!r}, "
                                       f"which no nodes file defines (have {sorted(nodes)})")


def from_networks(networks: dict[str, Any], origin: str) -> SonataCircuit:
    """Open every population named by a (manifest-resolved) ``networks`` block; check all files exist."""
    nodes: dict[str, NodePopulation] = {}
    for i, entry in enumerate(networks.get("nodes", [])):
        h5 = _existing(entry.get("nodes_file"), f"networks.nodes[{i}].nodes_file", origin)
        csv = _existing(entry.get("node_types_file"), f"networks.nodes[{i}].node_types_file", origin)
        nodes.update(_node_populations(h5, csv, entry.get("populations") or {}, origin))
    if not nodes:
        raise CircuitFileError(f"{origin}: no node populations (networks.nodes is empty)")
    edges: dict[str, EdgePopulation] = {}
    for i, entry in enumerate(networks.get("edges", [])):
        if not entry.get("enabled", True):
            continue
        h5 = _existing(entry.get("edges_file"), f"networks.edges[{i}].edges_file", origin)
        csv = _existing(entry.get("edge_types_file"), f"networks.edges[{i}].edge_types_file", origin)
        edges.update(_edge_populations(h5, csv, origin))
    _check_ends(nodes, edges, origin)
    return SonataCircuit(nodes, edges)


def open_circuit(path: str | Path) -> SonataCircuit:
    """Open a circuit directory (or its ``circuit_config.json``) through libsonata's circuit config."""
    path = Path(path).expanduser().absolute()
    cfg = path if path.is_file() else path / CIRCUIT_CONFIG
    if not cfg.is_file():
        raise CircuitReadError(f"no {CIRCUIT_CONFIG} in {path}")
    try:
        config = libsonata.CircuitConfig.from_file(str(cfg))
        node_props = {name: config.node_population_properties(name) for name in sorted(config.node_populations)}
        edge_props = {name: config.edge_population_properties(name) for name in sorted(config.edge_populations)}
    except libsonata.SonataError as exc:
        raise CircuitReadError(f"{cfg}: {exc}") from exc
    nodes: dict[str, NodePopulation] = {}
    for name, p in node_props.items():
        h5 = _existing(p.elements_path, f"populations.{name}.nodes_file", str(cfg))
        csv = _existing(p.types_path, f"populations.{name}.node_types_file", str(cfg))
        nodes.update({k: v for k, v in _node_populations(h5, csv, {name: {"type": p.type}}, str(cfg)).items()
                      if k == name})
    edges: dict[str, EdgePopulation] = {}
    for name, p in edge_props.items():
        h5 = _existing(p.elements_path, f"populations.{name}.edges_file", str(cfg))
        csv = _existing(p.types_path, f"populations.{name}.edge_types_file", str(cfg))
        edges.update({k: v for k, v in _edge_populations(h5, csv, str(cfg)).items() if k == name})
    _check_ends(nodes, edges, str(cfg))
    sim_path = cfg.parent / SIMULATION_CONFIG
    simulation = json.loads(sim_path.read_text()) if sim_path.is_file() else {}
    return SonataCircuit(nodes, edges, cfg.parent, simulation)


def node_attribute(pop: libsonata.NodePopulation, name: str) -> np.ndarray:
    """One attribute for the whole population (enumerations decoded to strings)."""
    if name not in pop.attribute_names:
        raise CircuitReadError(f"node population {pop.name!r} has no attribute {name!r}")
    return np.asarray(pop.get_attribute(name, pop.select_all()))


def node_group_labels(pop: libsonata.NodePopulation, attribute: str = "mtype") -> np.ndarray:
    """Per-node label used to group pathways: ``attribute`` when present, else the population name."""
    if attribute in pop.attribute_names:
        return node_attribute(pop, attribute).astype(str)
    return np.full(pop.size, pop.name)


def positions(pop: libsonata.NodePopulation) -> np.ndarray:
    """(N, 3) float64 soma positions in µm."""
    return np.stack([node_attribute(pop, k).astype(np.float64) for k in ("x", "y", "z")], axis=1)


@dataclass
class EdgeBlock:
    """A contiguous block of edge rows ``[start, start + len)``."""

    start: int
    source: np.ndarray  # node ids, uint64
    target: np.ndarray
    columns: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(self.target.shape[0])


def iter_edge_blocks(pop: libsonata.EdgePopulation, columns: Sequence[str] = (), *, block: int = READ_BLOCK,
                     whole_targets: bool = False) -> Iterator[EdgeBlock]:
    """Iterate over all rows in blocks.

    ``whole_targets=True`` cuts blocks only where the target id changes, so every (source, target)
    pair of a target-sorted population lies inside one block (needed to count unique connections
    block by block). Raises if the population is not sorted by target in that mode.
    """
    n = pop.size
    start = 0
    prev_last = -1
    while start < n:
        stop = min(n, start + block)
        sel = libsonata.Selection([(start, stop)])
        tgt = np.asarray(pop.target_nodes(sel))
        if whole_targets:
            if (tgt.size and int(tgt[0]) < prev_last) or (tgt.size > 1 and bool(np.any(tgt[1:] < tgt[:-1]))):
                raise CircuitReadError(f"edge population {pop.name!r} is not sorted by target")
            if stop < n:
                cut = int(np.searchsorted(tgt, tgt[-1], side="left"))
                if cut == 0:  # one target fills the whole block: read a bigger one
                    block *= 2
                    continue
                stop = start + cut
                sel = libsonata.Selection([(start, stop)])
                tgt = tgt[:cut]
            prev_last = int(tgt[-1])
        src = np.asarray(pop.source_nodes(sel))
        cols = {c: np.asarray(pop.get_attribute(c, sel)) for c in columns}
        yield EdgeBlock(start, src, tgt, cols)
        start = stop
