"""Fixtures of the circuit tests (helpers in ``circuit_synth``)."""

from __future__ import annotations

import pytest
from circuit_synth import make_sections, make_source, numpy_uniforms

from sonata_s1.circuit.section_cache import SectionCache
from sonata_s1.source.model import SourceModel


@pytest.fixture(scope="session")
def synthetic_source() -> SourceModel:
    return make_source()


@pytest.fixture(scope="session")
def synthetic_sections(synthetic_source) -> SectionCache:
    return make_sections(synthetic_source)


@pytest.fixture
def build(synthetic_source, synthetic_sections):
    from sonata_s1.circuit import CircuitOptions, build_circuit

    def _build(**kw):
        kw.setdefault("thalamus_density", 0.05)
        return build_circuit(synthetic_source, CircuitOptions(**kw), uniforms=numpy_uniforms,
                             sections=synthetic_sections)

    return _build


@pytest.fixture(scope="session")
def real_source(source_dir):
    """The real SourceModel (skips until the source loader exists)."""
    try:
        from sonata_s1.source import load_source
    except ImportError:
        pytest.skip("sonata_s1.source.load_source is not available yet")
    return load_source(source_dir)
