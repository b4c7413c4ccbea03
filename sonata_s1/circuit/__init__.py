"""Circuit rules: NetPyNE source model -> node and edge arrays (``tables``), pure numpy, no file output.

Entry point: :func:`build_circuit` with :class:`CircuitOptions`; see ``docs/circuit.md`` for the
conventions (axes, scaling, streams, deviations).
"""

from ..sonata.tables import EdgeChunk, EdgeTable, NodeTable
from .build import CircuitTables, build_circuit
from .expected import ExpectedCount
from .options import CircuitOptions

__all__ = ["CircuitTables", "CircuitOptions", "EdgeChunk", "EdgeTable", "ExpectedCount", "NodeTable", "build_circuit"]
