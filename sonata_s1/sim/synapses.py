"""BMTK synapse models and the pass-through weight function of the project's circuits.

Why custom models: BMTK's built-in ``exp2syn``-style functions know a fixed parameter set and
rescale weights; our edge types carry the point-process RANGE parameters verbatim in their
``dynamics_params`` JSON (DEVELOPING.md contract) and ``syn_weight`` is already the final NetCon
weight (nS for Det*, µS for MyExp2SynBB, thalamic ``weightNorm`` folded in). So every model here
creates its point process at ``section(x)`` and copies *every* JSON key onto it, failing loudly
on a key the mechanism does not have, and ``s1_passthrough`` returns ``syn_weight`` untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SonataS1Error

#: BMTK model_template name -> NEURON point process (mechanism name in components/mechanisms).
SYNAPSE_MODELS: dict[str, str] = {
    "s1_det_ampanmda": "DetAMPANMDA",
    "s1_det_gabaab": "DetGABAAB",
    "s1_exp2syn": "MyExp2SynBB",
}
WEIGHT_FUNCTION = "s1_passthrough"


class SynapseParameterError(SonataS1Error, ValueError):
    """An edge type's dynamics_params names a parameter the point process does not define."""


def _factory(model: str, mechanism: str) -> Callable[[Mapping[str, Any], float, Any], Any]:
    def make(syn_params: Mapping[str, Any], sec_x: float, section: Any) -> Any:
        from neuron import h

        pp = getattr(h, mechanism)(section(sec_x))
        for key, value in syn_params.items():
            try:
                setattr(pp, key, value)
            except (LookupError, AttributeError, TypeError) as exc:
                raise SynapseParameterError(
                    f"synapse model {model!r} ({mechanism}): dynamics_params key {key!r}={value!r} cannot be set "
                    f"({exc}); the edge type's JSON must hold {mechanism} RANGE parameters only"
                ) from None
        return pp

    make.__name__ = model
    make.__doc__ = f"Create a {mechanism} at section(x) with the edge type's parameters (BMTK synapse model)."
    return make


def passthrough(edge: Any, src_node: Any, trg_node: Any) -> float:
    """Weight function: the stored ``syn_weight`` is final (no BMTK scaling)."""
    return float(edge["syn_weight"])


def register() -> None:
    """Register the synapse models and the weight function with BMTK (before ``BioSimulator.from_config``)."""
    from bmtk.simulator.bionet.pyfunction_cache import add_synapse_model, add_weight_function

    for model, mechanism in SYNAPSE_MODELS.items():
        add_synapse_model(_factory(model, mechanism), name=model, overwrite=True)
    add_weight_function(passthrough, name=WEIGHT_FUNCTION, overwrite=True)
