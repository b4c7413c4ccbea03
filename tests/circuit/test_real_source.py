"""Circuit rules on the real NetPyNE source (skips without the data / loader)."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from circuit_synth import numpy_uniforms

from sonata_s1.circuit import CircuitOptions, build_circuit
from sonata_s1.circuit.rules import round6, rule_from_pathway
from sonata_s1.circuit.s1_pathways import build_s1_pathways, build_synapse_kinds
from sonata_s1.circuit.section_cache import load_section_cache
from sonata_s1.circuit.thalamus import ct_probability, fo_probability

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def pathways(real_source):
    return build_s1_pathways(real_source)


def test_pathway_table(real_source, pathways):
    assert len(pathways) == 1941
    assert collections.Counter(p.klass for p in pathways) == {"II": 839, "IE": 482, "EI": 451, "EE": 169}
    assert collections.Counter(p.rule.branch for p in pathways) == {
        "A": 188, "B": 198, "C": 10, "D": 143, "E": 158, "F": 139, "G": 1105}
    assert sum(p.n_syn == 1 for p in pathways) == 38
    assert collections.Counter(p.split for p in pathways) == {"none": 1571, "post": 222, "pre": 148}
    kinds = build_synapse_kinds(real_source, pathways)
    assert len(kinds) == 33
    assert kinds[("EIdistal", 133)].params["Use"] == pytest.approx(0.0225)
    by = {(p.pre, p.post): p for p in pathways}
    assert (by[("L1_DAC", "L1_DAC")].rule.near_s, by[("L1_DAC", "L1_DAC")].rule.near_c) == (0.000174, 0.02842)
    assert by[("L23_PC", "L23_PC")].rule.branch == "G" and by[("L23_PC", "L23_PC")].n_syn == 3
    assert by[("L5_TTPC1", "L6_BPC")].rule.branch == "B"
    # the 7 intercepts where %f and numpy rounding differ
    diff = set()
    for p in pathways:
        if p.rule.branch == "D":
            exact = rule_from_pathway(real_source.s1.pathways[(p.pre, p.post)], exact_interp=True)
            if round6(exact.near_c) != np.round(exact.near_c * 1e6) / 1e6:
                diff.add((p.pre, p.post))
    assert diff == {("L1_HAC", "L5_UTPC"), ("L5_BTC", "L5_ChC"), ("L5_TTPC1", "L4_NGC"), ("L5_TTPC1", "L4_SP"),
                    ("L5_TTPC2", "L4_PC"), ("L5_UTPC", "L6_BP"), ("L6_TPC_L4", "L5_ChC")}


def test_thalamocortical_probabilities():
    assert fo_probability(129, 1285) == 0.205914
    assert fo_probability(129, 1644) == 0.160949
    assert fo_probability(299, 1285) == 0.466739
    assert fo_probability(0, 1285) == 0.0
    assert ct_probability(2003) == 0.264204
    assert ct_probability(1440) == 0.3675


def test_section_cache(real_source, tmp_path):
    models = ["L1_DAC_bNAC219_1", "L5_TTPC1_cADpyr232_2", "sTC_jv_00", "sRE_jv_00"]
    c = load_section_cache(real_source, models, cache_dir=tmp_path)
    again = load_section_cache(real_source, models, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("section_tables_*.npz"))) == 1
    assert np.array_equal(c.length, again.length)
    for m in range(2):
        n = c.sec_offset[m + 1] - c.sec_offset[m]
        assert c.spiny[c.spiny_offset[m]:c.spiny_offset[m + 1]].tolist() == list(range(n - 2))
        assert c.spiny_ee[c.spiny_ee_offset[m]:c.spiny_ee_offset[m + 1]].tolist() == list(range(1, n - 2))
        assert c.swc_type[c.sec_offset[m]] == 1 and set(c.swc_type[c.sec_offset[m + 1] - 2:c.sec_offset[m + 1]]) == {2}
    assert c.weight_norm.tolist() == [1.0, 1.0, 0.002091023573256415, 0.0006295171905871062]


def test_small_build(real_source):
    c = build_circuit(real_source, CircuitOptions(density=0.02, thalamus_density=0.1), uniforms=numpy_uniforms)
    s1 = c.node_table("S1")
    assert s1.size == 765  # full-scale popNumber of the pre m-type, as the source uses
    assert set(s1.attributes["etype"]) == {"bAC", "bIR", "bNAC", "bSTUT", "cACint", "cADpyr", "cIR", "cNAC", "cSTUT",
                                           "dNAC", "dSTUT"}
    exp = {(e.edge_population, e.pathway): e for e in c.expected_connections({"S1__S1"})}
    table = c.edge_tables({"S1__S1"})[0]
    src, tgt = [], []
    for ch in table.chunks:
        src.append(ch.source_node_id)
        tgt.append(ch.target_node_id)
    src, tgt = np.concatenate(src).astype(int), np.concatenate(tgt).astype(int)
    assert np.all(np.diff(tgt) >= 0) and not np.any(src == tgt)
    conn = np.unique(np.stack([src, tgt]), axis=1)
    n = conn.shape[1]
    e = sum(x.connections for x in exp.values())
    v = sum(x.variance for x in exp.values())
    assert abs(n - e) < 4 * np.sqrt(v), (n, e)


def test_section_cache_survives_unwritable_cache_dir(real_source, tmp_path):
    """The cache is an optimisation: a cache directory that cannot be created must not fail the build."""
    models = ["sTC_jv_00", "sRE_jv_00"]
    (tmp_path / "file").write_text("not a directory")
    c = load_section_cache(real_source, models, cache_dir=tmp_path / "file" / "cache")
    assert c.models == tuple(models) and c.weight_norm.size == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
