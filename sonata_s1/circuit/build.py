"""Top-level API: ``build_circuit(source, options) -> CircuitTables`` (node tables + lazy edge tables)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sonata.tables import EdgeTable, NodeTable
from ..source.model import SourceModel
from .background import background_edge_table, background_node_table
from .context import BuildContext
from .expected import ExpectedCount, expected_connections
from .nodes import CellSet, build_cell_set, s1_node_table, thalamus_node_table
from .options import CircuitOptions
from .placement import UniformSource, plan_populations, random123_uniforms
from .s1_edges import s1_edge_table
from .s1_pathways import build_s1_pathways, build_synapse_kinds
from .section_cache import SectionCache, load_section_cache
from .synapse_sites import build_site_table
from .thalamus import SYNS_PER_CONN_TH_S1, s1_thalamus_edge_table, tc_s1_edge_table, thalamus_edge_table


@dataclass
class CircuitTables:
    """A built circuit: node tables (in memory) and edge tables whose chunks are generated on demand.

    ``edges`` is created once with fresh (unstarted) generators; call :meth:`edge_tables` for another
    independent set (each ``EdgeTable.chunks`` can be consumed only once).
    """

    options: CircuitOptions
    nodes: list[NodeTable]  # S1, thalamus (if built), background (if built)
    context: BuildContext
    edges: list[EdgeTable] = field(default_factory=list)

    def node_table(self, population: str) -> NodeTable:
        for t in self.nodes:
            if t.population == population:
                return t
        raise KeyError(f"no node population {population!r} in this circuit")

    @property
    def s1_cells(self) -> CellSet:
        return self.context.s1

    @property
    def thalamic_cells(self) -> CellSet | None:
        return self.context.thalamus

    def edge_tables(self, populations: set[str] | None = None) -> list[EdgeTable]:
        """Fresh edge tables (optionally only the named edge populations)."""
        ctx = self.context
        makers = [("S1__S1", s1_edge_table)]
        if ctx.thalamus is not None:
            makers += [("thalamus__thalamus", thalamus_edge_table), ("thalamus__S1", tc_s1_edge_table),
                       ("S1__thalamus", s1_thalamus_edge_table)]
        if self.options.background:
            makers.append(("background__S1", background_edge_table))
        return [make(ctx) for name, make in makers if populations is None or name in populations]

    def expected_connections(self, populations: set[str] | None = None) -> list[ExpectedCount]:
        return expected_connections(self.context, populations)


def build_circuit(source: SourceModel, options: CircuitOptions | None = None, *,
                  uniforms: UniformSource = random123_uniforms, sections: SectionCache | None = None) -> CircuitTables:
    """Place the cells and prepare every rule; edge rows are generated lazily by the returned tables.

    ``uniforms(n, gid0, seed)`` supplies the placement uniforms (default: NEURON's Random123, bit-exact
    with NetPyNE); ``sections`` a prebuilt section cache (default: the on-disk cache).
    """
    options = options or CircuitOptions()
    sections = sections if sections is not None else load_section_cache(source)
    plans = plan_populations(source, options)
    s1_plans = [p for p in plans if p.region == "S1"]
    th_plans = [p for p in plans if p.region == "thalamus"]
    s1 = build_cell_set("S1", s1_plans, sections, options.seed_loc, options.radius, uniforms)
    thal = (build_cell_set("thalamus", th_plans, sections, options.seed_loc, options.radius, uniforms)
            if th_plans else None)
    pathways = build_s1_pathways(source, exact_interp=options.exact_interp)
    kinds = build_synapse_kinds(source, pathways, gabab_ratio=options.gabab_ratio)
    n_values = sorted({p.n_syn for p in pathways} | {SYNS_PER_CONN_TH_S1})
    sites = build_site_table(sections, s1.model_id, n_values, forward=options.forward_syn_x)
    ctx = BuildContext(source, options, sections, s1, thal, pathways, kinds, sites)
    model_order = [name for me in source.metypes for name in me.clone_names]
    nodes = [s1_node_table(s1, model_order)]
    if thal is not None:
        nodes.append(thalamus_node_table(thal))
    if options.background:
        nodes.append(background_node_table(ctx))
    circuit = CircuitTables(options, nodes, ctx)
    circuit.edges = circuit.edge_tables()
    return circuit
