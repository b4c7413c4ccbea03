"""Edge generation on a synthetic circuit: statistics vs Σp, determinism, chunk-size independence,
no self-connections, sorted targets, labels, thalamic weights × weightNorm, background."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from circuit_synth import WN_RE, WN_TC

POPS = ("S1__S1", "thalamus__thalamus", "thalamus__S1", "S1__thalamus", "background__S1")


def collect(table):
    chunks = list(table.chunks)
    out = {"source": np.concatenate([c.source_node_id for c in chunks]),
           "target": np.concatenate([c.target_node_id for c in chunks]),
           "edge_type_id": np.concatenate([c.edge_type_id for c in chunks])}
    for k in chunks[0].columns:
        out[k] = np.concatenate([c.columns[k] for c in chunks])
    return out, len(chunks)


@pytest.fixture(scope="module")
def circuit(synthetic_source, synthetic_sections):
    from circuit_synth import numpy_uniforms

    from sonata_s1.circuit import CircuitOptions, build_circuit

    return build_circuit(synthetic_source, CircuitOptions(thalamus_density=0.05, chunk_synapses=5000),
                         uniforms=numpy_uniforms, sections=synthetic_sections)


@pytest.fixture(scope="module")
def edges(circuit):
    return {t.population: collect(t)[0] for t in circuit.edge_tables()}


def test_nodes(circuit):
    s1 = circuit.node_table("S1")
    assert s1.size == 400
    a = s1.attributes
    assert set(a["mtype"]) == {"L5_LBC", "L5_TTPC2"} and a["x"].dtype == np.float32
    assert a["model_template"][0] == f"s1_cell:{a['model_name'][0]}"
    assert set(a["morph_class"][a["ei"] == "E"]) == {"PYR"} and set(a["synapse_class"][a["ei"] == "I"]) == {"INH"}
    types = {r["node_type_id"]: r for r in s1.node_types}
    assert all(types[t]["morphology"] == f"{m}.swc" for t, m in zip(s1.node_type_id, a["model_name"], strict=True))
    th = circuit.node_table("thalamus")
    assert set(th.attributes["layer"]) == {"TH"} and th.size == sum(int(np.ceil(0.05 * n)) for n in
                                                                    (748, 748, 1499, 1285, 1644, 1342))


@pytest.mark.parametrize("pop", POPS)
def test_sorted_and_no_self(edges, pop):
    e = edges[pop]
    assert np.all(np.diff(e["target"].astype(np.int64)) >= 0)
    if pop in ("S1__S1", "thalamus__thalamus"):
        assert not np.any(e["source"] == e["target"])


def test_realised_counts_match_expected(circuit, edges):
    cells = {"S1": circuit.s1_cells, "thalamus": circuit.thalamic_cells}
    tables = {t.population: t for t in circuit.edges}
    z_all = []
    for exp in circuit.expected_connections():
        e = edges[exp.edge_population]
        t = tables[exp.edge_population]
        src, tgt = cells[t.source], cells[t.target]
        conn = np.unique(np.stack([e["source"], e["target"]]).astype(np.int64), axis=1)
        m = (src.group[conn[0]] == exp.pre_group) & (tgt.group[conn[1]] == exp.post_group)
        n = int(m.sum())
        if exp.kind == "probability" and exp.variance > 0:
            z = (n - exp.connections) / np.sqrt(exp.variance)
            assert abs(z) < 4.5, (exp, n)
            z_all.append(z)
        else:  # exact rules, or probabilities all 0/1
            assert n == exp.connections, exp
    assert abs(np.sum(z_all) / np.sqrt(len(z_all))) < 4


def test_determinism_and_chunk_independence(build):
    a = build(chunk_synapses=777)
    b = build(chunk_synapses=10**8)
    for ta, tb in zip(a.edge_tables(), b.edge_tables(), strict=True):
        ea, na = collect(ta)
        eb, nb = collect(tb)
        assert na >= nb
        for k in ea:
            assert np.array_equal(ea[k], eb[k]), (ta.population, k)
    c = build(seed=1)
    assert not np.array_equal(collect(c.edge_tables({"S1__S1"})[0])[0]["source"],
                              collect(a.edge_tables({"S1__S1"})[0])[0]["source"])


def test_s1_labels_sites_and_stp(circuit, edges, synthetic_sections):
    e = edges["S1__S1"]
    cells = circuit.s1_cells
    kinds = {r["edge_type_id"]: r for r in circuit.edges[0].edge_types}
    pre_g, post_g = cells.group[e["source"].astype(int)], cells.group[e["target"].astype(int)]
    pre_me = np.asarray(circuit.node_table("S1").attributes["metype"])[e["source"].astype(int)]
    post_me = np.asarray(circuit.node_table("S1").attributes["metype"])[e["target"].astype(int)]
    # IE split by pre e-type: cNA -> 5, dNA -> 10; EI split by post e-type: cNA -> 115, dNA -> 134
    ie = (pre_g == "L5_LBC") & (post_g == "L5_TTPC2")
    assert set(e["syn_type_id"][ie & (pre_me == "L5_LBC_cNA")]) == {5}
    assert set(e["syn_type_id"][ie & (pre_me == "L5_LBC_dNA")]) == {10}
    ei = (pre_g == "L5_TTPC2") & (post_g == "L5_LBC")
    assert set(e["syn_type_id"][ei & (post_me == "L5_LBC_cNA")]) == {115}
    assert set(e["syn_type_id"][ei & (post_me == "L5_LBC_dNA")]) == {134}
    assert {kinds[t]["synapse_label"] for t in np.unique(e["edge_type_id"][ei])} == {
        "S1_EIproximal_STP_Det_115", "S1_EIproximal_STP_Det_134"}
    # STP columns: Use × use_frac; weights = gsyn
    ee = (pre_g == "L5_TTPC2") & (post_g == "L5_TTPC2")
    np.testing.assert_allclose(e["u_syn"][ee], 0.46 * 0.25, rtol=1e-6)
    np.testing.assert_allclose(e["syn_weight"][ee], 0.68)
    np.testing.assert_allclose(e["u_syn"][ei & (post_me == "L5_LBC_dNA")], 0.72 * 0.75, rtol=1e-6)
    np.testing.assert_allclose(e["decay_time"][ie & (pre_me == "L5_LBC_cNA")], 6.44, rtol=1e-6)
    # synapses per connection and lists: EE int(3.2+.5)=3 on spinyEE (no soma/axon); IE n=1 at x=0.5 on spiny
    conn, counts = np.unique(np.stack([e["source"], e["target"]])[:, ee], axis=1, return_counts=True)
    assert set(counts) == {3}
    assert set(e["afferent_section_type"][ee]) <= {3, 4}
    assert np.all(e["afferent_section_pos"][ie] == 0.5) and set(e["afferent_section_type"][ie]) <= {1, 3, 4}
    ii = (pre_g == "L5_LBC") & (post_g == "L5_LBC")
    _, counts = np.unique(np.stack([e["source"], e["target"]])[:, ii], axis=1, return_counts=True)
    assert set(counts) == {12}
    assert 2 not in set(e["afferent_section_type"])  # never on the axon stubs
    # delay = 0.1 + dist_3D / 300
    p = cells.pos
    d3 = np.linalg.norm(p[e["source"].astype(int)] - p[e["target"].astype(int)], axis=1)
    np.testing.assert_allclose(e["delay"], 0.1 + d3 / 300, rtol=1e-12)
    assert set(kinds[t]["model_template"] for t in np.unique(e["edge_type_id"])) == {"s1_det_ampanmda", "s1_det_gabaab"}
    assert circuit.edges[0].synaptic_models["EE_119.json"]["NMDA_ratio"] == 0.8


def test_thalamic_weights_and_double_rows(circuit, edges):
    th = circuit.thalamic_cells
    e = edges["thalamus__thalamus"]
    pre, post = th.group[e["source"].astype(int)], th.group[e["target"].astype(int)]
    ids = {r["synapse_label"]: r["edge_type_id"] for r in circuit.edge_tables({"thalamus__thalamus"})[0].edge_types}
    rr = np.char.startswith(pre, "ss_RTN") & np.char.startswith(post, "ss_RTN")
    np.testing.assert_allclose(e["syn_weight"][rr], 2.0 * WN_RE)
    tr = np.char.endswith(pre, "sTC") | (pre == "POm_sTC_s1")
    np.testing.assert_allclose(e["syn_weight"][tr], 1.5 * WN_RE)
    rt = np.char.startswith(pre, "ss_RTN") & ~np.char.startswith(post, "ss_RTN")
    ga = rt & (e["edge_type_id"] == ids["GABAA_Th"])
    gb = rt & (e["edge_type_id"] == ids["GABAB_Th"])
    assert ga.sum() == gb.sum() == rt.sum() // 2 > 0
    np.testing.assert_allclose(e["syn_weight"][ga], 0.35 * 0.6 * WN_TC)
    np.testing.assert_allclose(e["syn_weight"][gb], 0.35 * 0.4 * WN_TC)
    assert np.all(e["afferent_section_id"] == 0) and np.all(e["afferent_section_pos"] == 0.5)
    # POm -> RTN_i and RTN_i -> POm: divergence 10 per pre cell
    for a, b in (("POm_sTC_s1", "ss_RTN_i"), ("ss_RTN_i", "POm_sTC_s1")):
        m = (pre == a) & (post == b) & (e["edge_type_id"] != ids["GABAB_Th"])
        c = collections.Counter(e["source"][m].tolist())
        assert set(c.values()) == {10} and len(c) == th.ranges[a][1] - th.ranges[a][0]
    s = edges["S1__thalamus"]
    post = th.group[s["target"].astype(int)]
    rtn = np.char.startswith(post, "ss_RTN")
    np.testing.assert_allclose(s["syn_weight"][rtn], 0.5 * WN_RE)
    np.testing.assert_allclose(s["syn_weight"][~rtn], 0.25 * WN_TC)
    assert set(circuit.s1_cells.group[s["source"].astype(int)]) == {"L5_TTPC2"}


def test_tc_s1(circuit, edges):
    e = edges["thalamus__S1"]
    th, s1 = circuit.thalamic_cells, circuit.s1_cells
    np.testing.assert_allclose(e["syn_weight"], 0.19)
    np.testing.assert_allclose(e["u_syn"], 0.72, rtol=1e-6)
    assert set(e["afferent_section_type"]) <= {3, 4}
    conn, counts = np.unique(np.stack([e["source"], e["target"]]), axis=1, return_counts=True)
    assert set(counts) == {9}
    pom = th.group[conn[0].astype(int)] == "POm_sTC_s1"
    per_post = collections.Counter(conn[1][pom].tolist())
    want = {"L5_TTPC2": 8, "L5_LBC": 5}  # ceil(69/9), ceil(41/9)
    assert all(per_post[j] == want[s1.group[j]] for j in range(s1.size))
    fo = ~pom
    d2 = np.hypot(*(th.pos[conn[0][fo].astype(int)] - s1.pos[conn[1][fo].astype(int)])[:, [0, 2]].T)
    assert d2.max() < 50.0


def test_intended_pom_divergence(build):
    c = build(s1_pom_rule="intended_divergence")
    e, _ = collect(c.edge_tables({"S1__thalamus"})[0])
    th = c.thalamic_cells
    pom = th.group[e["target"].astype(int)] == "POm_sTC_s1"
    per_pre = collections.Counter(e["source"][pom].tolist())
    n_ct = c.s1_cells.ranges["L5_TTPC2"][1] - c.s1_cells.ranges["L5_TTPC2"][0]
    assert len(per_pre) == n_ct and set(per_pre.values()) == {5}  # divergence divergenceHO/2 per CT cell
    assert np.all(np.diff(e["target"].astype(np.int64)) >= 0)
    assert np.any(~pom)


def test_background(circuit, edges, synthetic_source):
    bg = circuit.node_table("background")
    s1 = circuit.s1_cells
    a = bg.attributes
    assert bg.size == 10 * s1.size and bg.model_type == "virtual"
    rates = a["rate_hz"].reshape(s1.size, 2, 5)
    stats = synthetic_source.s1.background
    s_e = np.array([stats[g].syn_e for g in s1.group])
    s_i = np.array([stats[g].syn_i for g in s1.group])
    np.testing.assert_allclose(rates.sum(axis=2), np.stack([s_e * 9, s_i * 9], axis=1), rtol=1e-12)
    np.testing.assert_allclose(rates[0, 0] / rates[0, 0, 2], [0.8, 0.9, 1.0, 1.1, 1.2])
    e = edges["background__S1"]
    assert np.array_equal(e["target"].astype(int), a["target_node_id"]) and np.array_equal(e["source"], np.arange(bg.size))
    sec = e["afferent_section_id"].reshape(s1.size, 2, 5)
    assert np.all(sec == sec[:, :, :1])  # the 5 sources of a kind share one section (D2 faithful)
    typ = e["afferent_section_type"].reshape(s1.size, 2, 5)
    is_e = s1.group == "L5_TTPC2"
    assert not np.any(typ[is_e, 0] == 1)  # EXC onto E cells: spinyEE (no soma)
    assert np.any(typ[~is_e, 0] == 1) and np.any(typ[:, 1] == 1)  # spiny includes the soma
    g = np.array([stats[x].gsyn_e for x in s1.group])
    np.testing.assert_allclose(e["syn_weight"].reshape(s1.size, 2, 5)[:, 0, 0], 0.001 * g)
    np.testing.assert_allclose(e["delay"], 0.1)


def test_radius_and_optional_blocks(build):
    full = build()
    c = build(radius=100.0, background=False)
    assert [t.population for t in c.nodes] == ["S1", "thalamus"]
    assert [t.population for t in c.edges] == ["S1__S1", "thalamus__thalamus", "thalamus__S1", "S1__thalamus"]
    for cells, ref in ((c.s1_cells, full.s1_cells), (c.thalamic_cells, full.thalamic_cells)):
        assert np.all(np.hypot(cells.pos[:, 0] - 210, cells.pos[:, 2] - 210) <= 100)
        assert 0 < cells.size < ref.size
        keep = np.isin(ref.netpyne_gid, cells.netpyne_gid)  # same positions/gids as the unreduced build
        np.testing.assert_array_equal(ref.pos[keep], cells.pos)
    for t in c.edges:
        e, _ = collect(t)
        n_src = c.node_table(t.source).size
        n_tgt = c.node_table(t.target).size
        assert e["source"].max() < n_src and e["target"].max() < n_tgt
    s1_only = build(with_thalamus=False)
    assert [t.population for t in s1_only.edges] == ["S1__S1", "background__S1"]
    assert s1_only.expected_connections()[0].edge_population == "S1__S1"


def test_options_validation():
    from sonata_s1.circuit import CircuitOptions

    for bad in (dict(density=0), dict(thalamus_density=1.5), dict(radius=-1.0), dict(s1_pom_rule="x"),
                dict(syn_placement="y"), dict(background_section_rule="z")):
        with pytest.raises(ValueError):
            CircuitOptions(**bad)
    assert CircuitOptions().provenance()["post_block"] == 256


def test_switches(build):
    base = collect(build().edge_tables({"S1__S1"})[0])[0]
    fwd = collect(build(forward_syn_x=True).edge_tables({"S1__S1"})[0])[0]
    multi = fwd["afferent_section_pos"] != 0.5
    assert np.array_equal(base["source"], fwd["source"])
    np.testing.assert_allclose(fwd["afferent_section_pos"][multi], 1 - base["afferent_section_pos"][multi])
    rnd = collect(build(syn_placement="random").edge_tables({"S1__S1"})[0])[0]
    assert np.array_equal(base["target"], rnd["target"]) and not np.array_equal(base["afferent_section_pos"],
                                                                                   rnd["afferent_section_pos"])
    gb = build(gabab_ratio=0.3).edge_tables({"S1__S1"})[0].synaptic_models
    assert gb["II_1.json"]["GABAB_ratio"] == 0.3
    bg = collect(build(background_section_rule="per_source_random").edge_tables({"background__S1"})[0])[0]
    sec = bg["afferent_section_id"].reshape(-1, 2, 5)
    assert np.any(sec != sec[:, :, :1])


DET = {"syn_weight", "delay", "afferent_section_id", "afferent_section_pos", "afferent_section_type", "u_syn",
       "depression_time", "facilitation_time", "decay_time", "syn_type_id", "n_rrp_vesicles"}
EXP2 = {"syn_weight", "delay", "afferent_section_id", "afferent_section_pos", "afferent_section_type"}


@pytest.mark.parametrize("pop", POPS)
def test_edge_columns_and_compact_dtypes(edges, pop):
    """No `conductance` copy of syn_weight; integer columns in their declared narrow dtypes (bytes/row)."""
    from sonata_s1.sonata.tables import EDGE_COLUMN_DTYPES

    e = edges[pop]
    cols = set(e) - {"source", "target", "edge_type_id"}
    assert cols == (DET if pop in ("S1__S1", "thalamus__S1") else EXP2)
    for name in cols & set(EDGE_COLUMN_DTYPES):
        assert e[name].dtype == EDGE_COLUMN_DTYPES[name], name
    if "n_rrp_vesicles" in cols:
        assert set(e["n_rrp_vesicles"]) == {1}
    if pop == "thalamus__S1":
        assert set(e["syn_type_id"]) == {1000}


def test_narrow_refuses_to_wrap():
    from sonata_s1.sonata.tables import narrow

    assert narrow("afferent_section_id", np.array([0, 65535], np.int64)).dtype == np.uint16
    with pytest.raises(ValueError, match="afferent_section_id"):
        narrow("afferent_section_id", np.array([65536], np.uint32))
    with pytest.raises(ValueError, match="syn_type_id"):
        narrow("syn_type_id", np.array([-1]))
