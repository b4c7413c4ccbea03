"""Build options of the circuit rules: scale, seeds and every model decision switch in one place.

One frozen dataclass so that a build's provenance is simply ``dataclasses.asdict(options)`` and so that
nothing below reads global state. Defaults are the project decisions (README "Model decisions", P1–P12).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: Post-cell block size (cells) of the connection random streams (README P8/P12). It is part of the
#: *definition* of the streams (a constant, not a tuning knob): changing it changes the realisation.
#: Output chunking (``chunk_synapses``) is independent of it.
POST_BLOCK = 256


@dataclass(frozen=True)
class CircuitOptions:
    """Options of :func:`sonata_s1.circuit.build_circuit`.

    * ``density`` — S1 scale: cells per me-type = ``ceil(density * n)`` (NetPyNE ``scaleDensity``).
    * ``thalamus_density`` — thalamic scale: cells = ``ceil(thalamus_density * int(base * 1.96))``;
      NetPyNE never scales the thalamus (spec D15), so the default 1.0 is the published model.
    * ``radius`` — keep only cells whose soma lies within ``radius`` µm of the column axis
      (x, z) = (210, 210), applied after placement (positions/gids are those of the unreduced build).
      ``None`` keeps everything.
    * ``seed`` — connectivity/synapse-site seed (NetPyNE ``seeds['conn']``); ``seed_loc`` — placement
      (Random123 third id, NetPyNE ``seeds['loc']``).
    * ``with_thalamus`` / ``background`` — include the thalamic populations and their edges / the
      background virtual population and its edges.
    * ``s1_pom_rule`` — P3: ``"as_executed"`` (distance rule, default) or ``"intended_divergence"``.
    * ``forward_syn_x`` — measure the uniform-rule position from the section start (1 − x); NetPyNE
      measures it from the end.
    * ``syn_placement`` — P4: ``"uniform"`` (NetPyNE, default) or ``"random"`` (one section drawn
      uniformly by index per synapse, x ~ U(0, 1)).
    * ``exact_interp`` — P5: use the unrounded near-distance line of branch D.
    * ``gabab_ratio`` — P7: DetGABAAB ``GABAB_ratio`` of S1 inhibitory synapses (0 = published).
    * ``background_section_rule`` — D2: ``"netpyne"`` (one section per cell drawn once and shared by
      EXC and INH lists, all 5 sources of a kind on it) or ``"per_source_random"``.
    * ``chunk_synapses`` — target edge rows per :class:`EdgeChunk` (memory bound only; results do not
      depend on it).
    """

    density: float = 1.0
    thalamus_density: float = 1.0
    radius: float | None = None
    seed: int = 4322
    seed_loc: int = 4322
    with_thalamus: bool = True
    background: bool = True
    s1_pom_rule: Literal["as_executed", "intended_divergence"] = "as_executed"
    forward_syn_x: bool = False
    syn_placement: Literal["uniform", "random"] = "uniform"
    exact_interp: bool = False
    gabab_ratio: float = 0.0
    background_section_rule: Literal["netpyne", "per_source_random"] = "netpyne"
    chunk_synapses: int = 2_000_000
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.density <= 1:
            raise ValueError(f"density must be in (0, 1], got {self.density}")
        if not 0 < self.thalamus_density <= 1:
            raise ValueError(f"thalamus_density must be in (0, 1], got {self.thalamus_density}")
        if self.radius is not None and self.radius <= 0:
            raise ValueError(f"radius must be > 0 µm, got {self.radius}")
        if self.s1_pom_rule not in ("as_executed", "intended_divergence"):
            raise ValueError(f"s1_pom_rule must be 'as_executed' or 'intended_divergence', got {self.s1_pom_rule!r}")
        if self.syn_placement not in ("uniform", "random"):
            raise ValueError(f"syn_placement must be 'uniform' or 'random', got {self.syn_placement!r}")
        if self.background_section_rule not in ("netpyne", "per_source_random"):
            raise ValueError("background_section_rule must be 'netpyne' or 'per_source_random', "
                             f"got {self.background_section_rule!r}")
        if self.chunk_synapses < 1:
            raise ValueError("chunk_synapses must be >= 1")

    def provenance(self) -> dict[str, Any]:
        """Plain dict for provenance records (includes the stream block size)."""
        d = asdict(self)
        d["post_block"] = POST_BLOCK
        return d
