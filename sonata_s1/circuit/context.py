"""Everything the edge generators share for one build (computed once by ``build_circuit``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..source.model import SourceModel
from .nodes import CellSet
from .options import CircuitOptions
from .s1_pathways import S1Pathway, SynapseKind
from .section_cache import SectionCache
from .synapse_sites import SiteTable


@dataclass
class BuildContext:
    source: SourceModel
    options: CircuitOptions
    sections: SectionCache
    s1: CellSet
    thalamus: CellSet | None
    s1_pathways: list[S1Pathway]
    synapse_kinds: dict[tuple[str, int], SynapseKind]
    sites: SiteTable
