"""What the runner needs to know about a circuit before BMTK builds it (and after, for outputs).

Why the runner reads the circuit itself: BMTK ignores ``@library`` enumerations (a node's ``mtype``
is an integer code to BMTK, sonata-bmtk-notes §3.1), treats a compound node set as a node-id list
and reports a missing file deep inside its build. Reading the files first lets the runner resolve
node sets by string attributes, check every file up front and name the config key that is wrong.
Node attributes come through libsonata (:func:`sonata_s1.sonata.reader.node_attribute`, the
project's reader); the files are found from BMTK's resolved ``networks`` block because a user's
config need not be one of our circuit directories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd


class CircuitFileError(FileNotFoundError):
    """A file named by the circuit config is missing or unreadable (message names file and key)."""


@dataclass
class NodePopulation:
    """One node population: files, SONATA type and lazily read attribute columns."""

    name: str
    model_type: str
    nodes_file: Path
    node_types_file: Path
    size: int
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def _libsonata(self) -> Any:
        import libsonata

        return libsonata.NodeStorage(str(self.nodes_file)).open_population(self.name)

    def attribute_names(self) -> list[str]:
        names = set(self._libsonata().attribute_names)
        types = self.types_table()
        return sorted(names | (set(types.columns) - {"node_type_id"}))

    def types_table(self) -> pd.DataFrame:
        return pd.read_csv(self.node_types_file, sep=" ", na_values="NONE")

    def attribute(self, name: str) -> np.ndarray:
        """Column ``name`` for every node (enumerations decoded by libsonata; CSV columns joined by type)."""
        from ..sonata.reader import node_attribute

        if name in self._cache:
            return self._cache[name]
        pop = self._libsonata()
        if name == "node_type_id":
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
    name: str
    source: str
    target: str
    edges_file: Path
    edge_types_file: Path
    size: int

    def types_table(self) -> pd.DataFrame:
        return pd.read_csv(self.edge_types_file, sep=" ", na_values="NONE")

    def ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(source_node_id, target_node_id) columns."""
        with h5py.File(self.edges_file, "r") as f:
            g = f[f"edges/{self.name}"]
            return g["source_node_id"][()], g["target_node_id"][()]


@dataclass
class Circuit:
    nodes: dict[str, NodePopulation]
    edges: dict[str, EdgePopulation]

    def population(self, name: str, where: str = "") -> NodePopulation:
        if name not in self.nodes:
            raise KeyError(f"{where}unknown node population {name!r} (circuit has {sorted(self.nodes)})")
        return self.nodes[name]

    @property
    def biophysical(self) -> list[NodePopulation]:
        return [p for p in self.nodes.values() if p.model_type != "virtual"]


def _existing(path: Any, key: str, origin: str) -> Path:
    if not path:
        raise CircuitFileError(f"{origin}: {key} is not set")
    p = Path(str(path))
    if not p.is_file():
        raise CircuitFileError(f"{origin}: {key} = {p} does not exist")
    return p


def _population_type(entry: dict[str, Any], pop: str, types_file: Path) -> str:
    declared = (entry.get("populations") or {}).get(pop, {}).get("type")
    if declared:
        return str(declared)
    types = pd.read_csv(types_file, sep=" ", na_values="NONE")
    if "model_type" in types.columns and set(types["model_type"].dropna()) == {"virtual"}:
        return "virtual"
    return "biophysical"


def from_networks(networks: dict[str, Any], origin: str) -> Circuit:
    """Open every population named by a (manifest-resolved) ``networks`` block; check all files exist."""
    nodes: dict[str, NodePopulation] = {}
    for i, entry in enumerate(networks.get("nodes", [])):
        h5 = _existing(entry.get("nodes_file"), f"networks.nodes[{i}].nodes_file", origin)
        csv = _existing(entry.get("node_types_file"), f"networks.nodes[{i}].node_types_file", origin)
        try:
            with h5py.File(h5, "r") as f:
                pops = {name: int(f[f"nodes/{name}/node_id"].shape[0]) for name in f["nodes"]}
        except (OSError, KeyError) as exc:
            raise CircuitFileError(f"{origin}: {h5} is not a SONATA nodes file ({exc})") from None
        for name, size in pops.items():
            nodes[name] = NodePopulation(name, _population_type(entry, name, csv), h5, csv, size)
    if not nodes:
        raise CircuitFileError(f"{origin}: no node populations (networks.nodes is empty)")
    edges: dict[str, EdgePopulation] = {}
    for i, entry in enumerate(networks.get("edges", [])):
        if not entry.get("enabled", True):
            continue
        h5 = _existing(entry.get("edges_file"), f"networks.edges[{i}].edges_file", origin)
        csv = _existing(entry.get("edge_types_file"), f"networks.edges[{i}].edge_types_file", origin)
        try:
            with h5py.File(h5, "r") as f:
                for name in f["edges"]:
                    g = f[f"edges/{name}"]
                    src = g["source_node_id"].attrs["node_population"]
                    trg = g["target_node_id"].attrs["node_population"]
                    src = src.decode() if isinstance(src, bytes) else str(src)
                    trg = trg.decode() if isinstance(trg, bytes) else str(trg)
                    edges[name] = EdgePopulation(name, src, trg, h5, csv, int(g["target_node_id"].shape[0]))
        except (OSError, KeyError) as exc:
            raise CircuitFileError(f"{origin}: {h5} is not a SONATA edges file ({exc})") from None
    for e in edges.values():
        for end in (e.source, e.target):
            if end not in nodes:
                raise CircuitFileError(f"{origin}: edge population {e.name!r} refers to node population {end!r}, "
                                       f"which no nodes file defines (have {sorted(nodes)})")
    return Circuit(nodes, edges)
