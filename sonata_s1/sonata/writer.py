"""Write a whole circuit directory (nodes, edges, components, configs) from the circuit tables.

Why separate from ``build``: tests and other tools write synthetic tables through exactly the
same path as the real build, and the build command stays a thin CLI. Writing into ``out_dir`` is
not atomic by itself; callers wrap it in :func:`sonata_s1.outdir.atomic_build_dir`.

Layout of a written circuit::

    circuit_config.json  config.json  node_sets.json  .sonata_s1.json
    network/<pop>_nodes.h5  network/<pop>_node_types.csv
    network/<edge pop>_edges.h5  network/<edge pop>_edge_types.csv
    components/synaptic_models/<dynamics_params>.json
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..progress import progress_bar
from . import config
from .edges import EdgeFiles, write_edges
from .h5util import WriterInputError
from .nodes import NodeFiles, write_nodes
from .tables import EdgeTable, NodeTable


@dataclass
class CircuitFiles:
    """What was written, plus wall-clock seconds per stage (for the build summary)."""

    nodes: list[NodeFiles] = field(default_factory=list)
    edges: list[EdgeFiles] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def write_circuit(out_dir: Path, nodes: Sequence[NodeTable], edges: Iterable[EdgeTable], *,
                  sim: config.SimulationOptions, components: str, base_dir: str = ".",
                  progress: bool = False) -> CircuitFiles:
    """Write every population and both configs into ``out_dir`` (which must exist and be empty).

    ``edges`` may be lazy: each table (and its chunks) is produced only when the writer reaches it,
    so circuit computation time is included in that population's stage timing. ``base_dir`` is
    the manifest ``$BASE_DIR`` (the *final* directory when absolute, not the temporary one).
    """
    out_dir = Path(out_dir)
    network = out_dir / config.NETWORK_SUBDIR
    models = out_dir / config.SYNAPTIC_MODELS_SUBDIR
    network.mkdir(parents=True, exist_ok=True)
    models.mkdir(parents=True, exist_ok=True)
    result = CircuitFiles()

    sizes: dict[str, int] = {}
    t0 = time.perf_counter()
    for table in nodes:
        if table.population in sizes:
            raise WriterInputError(f"node population {table.population!r} given twice")
        result.nodes.append(write_nodes(table, network))
        sizes[table.population] = table.size
    result.timings["nodes"] = time.perf_counter() - t0

    t_edges = time.perf_counter()
    iterator = iter(edges)
    while True:
        t0 = time.perf_counter()
        try:
            table = next(iterator)
        except StopIteration:
            break
        for end in (table.source, table.target):
            if end not in sizes:
                raise WriterInputError(f"edge population {table.population!r} refers to unknown node population {end!r}")
        if any(e.population == table.population for e in result.edges):
            raise WriterInputError(f"edge population {table.population!r} given twice")
        with progress_bar(desc=f"edges {table.population}", unit="rows", unit_scale=True, disable=not progress,
                          leave=True) as bar:
            files = write_edges(table, network, models, n_source=sizes[table.source], n_target=sizes[table.target],
                                on_rows=bar.update)
        result.edges.append(files)
        result.timings[f"edges {table.population}"] = time.perf_counter() - t0
    result.timings["edges (all)"] = time.perf_counter() - t_edges

    t0 = time.perf_counter()
    sets = config.node_sets(nodes)
    config.write_json(out_dir / config.CIRCUIT_CONFIG, config.circuit_config(result.nodes, result.edges,
                                                                             components=components,
                                                                             base_dir=base_dir))
    config.write_json(out_dir / config.NODE_SETS, sets)
    config.write_json(out_dir / config.SIMULATION_CONFIG, config.simulation_config(nodes, sets, sim))
    result.timings["configs"] = time.perf_counter() - t0
    return result
