"""Reading a built circuit back through libsonata (stats, the runner, NWB export).

Why libsonata and not h5py: it is the reference SONATA reader, so whatever we can read here other
SONATA tools can read too (enumerations decoded, both index names resolved, manifest applied).
These helpers only add typing and block-wise iteration so callers never load 40 M rows at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libsonata
import numpy as np

from .config import CIRCUIT_CONFIG, SIMULATION_CONFIG

#: Rows per read when iterating edges (~8 MB per uint64 column).
READ_BLOCK = 1 << 20


class CircuitReadError(RuntimeError):
    """A circuit directory or config that cannot be read (names the path)."""


@dataclass
class Circuit:
    """A circuit directory opened through ``circuit_config.json``."""

    root: Path
    config: libsonata.CircuitConfig
    simulation: dict[str, Any] = field(default_factory=dict)  # config.json, if present

    @property
    def node_population_names(self) -> list[str]:
        return sorted(self.config.node_populations)

    @property
    def edge_population_names(self) -> list[str]:
        return sorted(self.config.edge_populations)

    def nodes(self, name: str) -> libsonata.NodePopulation:
        return self.config.node_population(name)

    def edges(self, name: str) -> libsonata.EdgePopulation:
        return self.config.edge_population(name)

    def node_type(self, name: str) -> str:
        """SONATA population type from the circuit config ('biophysical', 'virtual', ...)."""
        return str(self.config.node_population_properties(name).type)

    @property
    def project(self) -> dict[str, Any]:
        """The ``sonata_s1`` block of config.json (seed, scale, build options, source path)."""
        return dict(self.simulation.get("sonata_s1", {}))


def open_circuit(path: str | Path) -> Circuit:
    """Open a circuit directory (or its ``circuit_config.json``)."""
    path = Path(path).expanduser().absolute()
    cfg = path if path.is_file() else path / CIRCUIT_CONFIG
    if not cfg.is_file():
        raise CircuitReadError(f"no {CIRCUIT_CONFIG} in {path}")
    try:
        config = libsonata.CircuitConfig.from_file(str(cfg))
    except libsonata.SonataError as exc:
        raise CircuitReadError(f"{cfg}: {exc}") from exc
    sim_path = cfg.parent / SIMULATION_CONFIG
    simulation = json.loads(sim_path.read_text()) if sim_path.is_file() else {}
    return Circuit(cfg.parent, config, simulation)


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
