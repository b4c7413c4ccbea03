"""The writer's files are read identically by libsonata, bluepysnap and BMTK, and are reproducible."""

from __future__ import annotations

import filecmp
import json
import os
from pathlib import Path

import h5py
import libsonata
import numpy as np
import pytest
import synthetic
from synthetic import write_synthetic

from sonata_s1.sonata import edges as edges_mod
from sonata_s1.sonata.h5util import WriterInputError
from sonata_s1.sonata.indices import build_index
from sonata_s1.sonata.tables import EdgeChunk, EdgeTable


def test_libsonata_reads_nodes_and_enums(circuit_dir):
    out, _ = circuit_dir
    cfg = libsonata.CircuitConfig.from_file(str(out / "circuit_config.json"))
    assert cfg.node_populations == {"S1", "thalamus", "background"}
    assert cfg.node_population_properties("background").type == "virtual"
    assert cfg.edge_population_properties("background__S1").type == "chemical_virtual"
    s1 = cfg.node_population("S1")
    ref = synthetic.s1_nodes()
    assert s1.size == ref.size
    assert {"mtype", "etype", "layer"} <= s1.enumeration_names
    assert "model_type" not in s1.attribute_names  # BMTK-critical keys stay in the CSV only
    sel = s1.select_all()
    np.testing.assert_array_equal(s1.get_attribute("mtype", sel), ref.attributes["mtype"])
    np.testing.assert_array_equal(s1.get_attribute("layer", sel), ref.attributes["layer"])
    np.testing.assert_allclose(s1.get_attribute("x", sel), ref.attributes["x"], rtol=1e-6)
    with h5py.File(out / "network/S1_nodes.h5") as f:
        np.testing.assert_array_equal(f["nodes/S1/node_type_id"][()], ref.node_type_id)
    table = list(s1.enumeration_values("mtype"))
    codes = s1.get_enumeration("mtype", sel)
    np.testing.assert_array_equal(np.array(table)[codes], ref.attributes["mtype"])
    bg = cfg.node_population("background")
    np.testing.assert_allclose(bg.get_attribute("rate_hz", bg.select_all()), np.linspace(0.5, 2.0, 4))


def test_dtypes_follow_policy(circuit_dir):
    out, _ = circuit_dir
    with h5py.File(out / "network/S1_nodes.h5") as f:
        g = f["nodes/S1"]
        assert g["node_id"].dtype == np.uint64 and g["node_type_id"].dtype == np.int64
        assert g["node_group_id"].dtype == np.uint32 and g["node_group_index"].dtype == np.uint64
        assert g["0/x"].dtype == np.float32 and g["0/mtype"].dtype == np.uint32
        assert g["0/x"].compression is None
    with h5py.File(out / "network/S1__S1_edges.h5") as f:
        g = f["edges/S1__S1"]
        assert g["source_node_id"].attrs["node_population"] == "S1"
        assert g["target_node_id"].attrs["node_population"] == "S1"
        # compact structural columns (bytes per synapse row): uint32 ids/rows, int16 type ids, uint8 group id
        assert g["source_node_id"].dtype == g["target_node_id"].dtype == np.uint32
        assert g["edge_type_id"].dtype == np.int16 and g["edge_group_id"].dtype == np.uint8
        assert g["edge_group_index"].dtype == np.uint32
        assert g["0/afferent_section_id"].dtype.kind == "u"
        for c in ("syn_weight", "delay", "afferent_section_pos"):
            assert g[f"0/{c}"].dtype == np.float32
        for name in ("target_to_source", "source_to_target"):
            idx = g["indices"][name]
            assert idx["node_id_to_range"].id == idx["node_id_to_ranges"].id  # a hard link, not a copy
            assert idx["node_id_to_range"].dtype == idx["range_to_edge_id"].dtype == np.uint32
        assert all(ds.compression is None for ds in (g["source_node_id"], g["0/delay"]))


def test_structural_dtypes_widen_only_when_needed():
    from sonata_s1.sonata.h5util import row_dtype, type_id_dtype

    assert row_dtype(2**32 - 1) == np.uint32 and row_dtype(2**32) == np.uint64 and row_dtype(-1) == np.uint32
    assert type_id_dtype([1, 2]) == np.int16 and type_id_dtype([100, 4001]) == np.int16
    assert type_id_dtype([-40000, 0]) == np.int32 and type_id_dtype([2**31]) == np.int64


def test_small_population_is_contiguous_and_exact(tmp_path):
    """Below one write block the datasets are contiguous and exactly rows x itemsize (no chunk padding)."""
    rows = synthetic.random_edges(15, 15, 4)
    rows["afferent_section_id"] = rows["afferent_section_id"].astype(np.uint16)
    rows["afferent_section_type"] = np.full(rows["edge_type_id"].size, 3, np.uint8)
    (tmp_path / "m").mkdir()
    files = edges_mod.write_edges(_table(rows), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    n = files.n_edges
    with h5py.File(tmp_path / "x_edges.h5") as f:
        g = f["edges/x"]
        for name in ("source_node_id", "target_node_id", "edge_type_id", "0/syn_weight", "0/afferent_section_id",
                     "0/afferent_section_type"):
            assert g[name].chunks is None and g[name].shape == (n,)
            assert g[name].id.get_storage_size() == n * g[name].dtype.itemsize
        assert g["0/afferent_section_id"].dtype == np.uint16 and g["0/afferent_section_type"].dtype == np.uint8
    pop = libsonata.EdgeStorage(str(tmp_path / "x_edges.h5")).open_population("x")
    sel = libsonata.Selection([(0, n)])
    np.testing.assert_array_equal(pop.source_nodes(sel), rows["source_node_id"])
    np.testing.assert_array_equal(pop.get_attribute("afferent_section_type", sel), 3)
    t = int(rows["target_node_id"][-1])
    np.testing.assert_array_equal(pop.afferent_edges([t]).flatten(), np.flatnonzero(rows["target_node_id"] == t))


@pytest.mark.parametrize("name", ["S1__S1", "thalamus__S1", "S1__thalamus", "background__S1"])
def test_edges_rows_and_both_indices(circuit_dir, name):
    out, rows = circuit_dir
    ref = rows[name]
    pop = libsonata.EdgeStorage(str(out / f"network/{name}_edges.h5")).open_population(name)
    n = ref["target_node_id"].size
    assert pop.size == n
    allsel = libsonata.Selection([(0, n)])
    np.testing.assert_array_equal(pop.source_nodes(allsel), ref["source_node_id"])
    np.testing.assert_array_equal(pop.target_nodes(allsel), ref["target_node_id"])
    np.testing.assert_array_equal(pop.get_attribute("afferent_section_id", allsel), ref["afferent_section_id"])
    np.testing.assert_allclose(pop.get_attribute("syn_weight", allsel), ref["syn_weight"], rtol=1e-6)
    with h5py.File(out / f"network/{name}_edges.h5") as f:  # libsonata 0.2.2 exposes no type-id accessor
        np.testing.assert_array_equal(f[f"edges/{name}/edge_type_id"][()], ref["edge_type_id"])
    cfg = libsonata.CircuitConfig.from_file(str(out / "circuit_config.json"))
    src_n, tgt_n = cfg.node_population(pop.source).size, cfg.node_population(pop.target).size
    seen_aff, seen_eff = [], []
    for t in range(tgt_n):  # every target node, including those without edges
        e = pop.afferent_edges([t]).flatten()
        assert np.all(ref["target_node_id"][e] == t)
        assert e.size == np.count_nonzero(ref["target_node_id"] == t)
        seen_aff.append(e)
    for s in range(src_n):
        e = pop.efferent_edges([s]).flatten()
        assert np.all(ref["source_node_id"][e] == s)
        assert e.size == np.count_nonzero(ref["source_node_id"] == s)
        seen_eff.append(e)
    np.testing.assert_array_equal(np.sort(np.concatenate(seen_aff)), np.arange(n))
    np.testing.assert_array_equal(np.sort(np.concatenate(seen_eff)), np.arange(n))
    # connecting_edges combines both indices
    s, t = int(ref["source_node_id"][0]), int(ref["target_node_id"][0])
    e = pop.connecting_edges([s], [t]).flatten()
    assert e.size == np.count_nonzero((ref["source_node_id"] == s) & (ref["target_node_id"] == t))


def test_session_circuit_mixes_layouts(circuit_dir):
    """The shared circuit (32-row blocks) has chunked and contiguous populations, so the reader tests cover both."""
    out, rows = circuit_dir
    layouts = {}
    for name in rows:
        with h5py.File(out / f"network/{name}_edges.h5") as f:
            layouts[name] = f[f"edges/{name}/source_node_id"].chunks is None
            assert layouts[name] == (rows[name]["target_node_id"].size < 32)
    assert set(layouts.values()) == {True, False}


def test_build_index_matches_definition():
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 50, 5000)
    node_to_range, r2e = build_index(ids, 60)
    assert node_to_range.shape == (60, 2) and r2e.dtype == np.uint64
    for node in range(60):
        a, b = node_to_range[node]
        rows = np.concatenate([np.arange(s, e) for s, e in r2e[a:b]]) if b > a else np.array([], int)
        np.testing.assert_array_equal(rows, np.flatnonzero(ids == node))
    # sorted input: exactly one range per node with edges
    n2r, r2e = build_index(np.sort(ids), 60)
    assert r2e.shape[0] == np.unique(ids).size


def test_bluepysnap_opens_and_decodes(circuit_dir):
    import bluepysnap  # a declared test dependency: a missing install must fail, not skip
    out, rows = circuit_dir
    circ = bluepysnap.Circuit(str(out / "circuit_config.json"))
    assert set(circ.nodes.population_names) == {"S1", "thalamus", "background"}
    df = circ.nodes["S1"].get(properties=["mtype", "x"])
    assert list(df["mtype"].iloc[:1]) == ["L23_PC"]
    assert list(circ.nodes["thalamus"].ids("VPL_sTC")) == [2, 3, 4]  # node set on an enum attribute
    aff = circ.edges["S1__S1"].afferent_edges(3, properties=["syn_weight"])
    assert len(aff) == np.count_nonzero(rows["S1__S1"]["target_node_id"] == 3)


def test_bmtk_reader_loads_every_population(circuit_dir):
    from bmtk.utils.sonata import File

    out, rows = circuit_dir
    net = out / "network"
    for name in rows:
        f = File(data_files=[str(net / f"{name}_edges.h5")], data_type_files=[str(net / f"{name}_edge_types.csv")])
        pop = f.edges[name]
        ref = rows[name]
        t = int(ref["target_node_id"][-1])
        got = [(e.source_node_id, e["model_template"], e["dynamics_params"]) for e in pop.get_target(t)]
        assert len(got) == np.count_nonzero(ref["target_node_id"] == t)
        assert {g[1] for g in got} <= {"s1_det_ampanmda", "s1_det_gabaab"}
        s = int(ref["source_node_id"][0])
        assert sum(1 for _ in pop.get_source(s)) == np.count_nonzero(ref["source_node_id"] == s)
    nf = File(data_files=[str(net / "S1_nodes.h5")], data_type_files=[str(net / "S1_node_types.csv")])
    node = nf.nodes["S1"].get_node_id(8)
    assert node["model_template"] == "s1_cell:L23_MC_cACint209_1" and node["model_processing"] is None


def test_bmtk_config_parses_circuit_and_node_sets(circuit_dir, tmp_path):
    """BMTK resolves the manifest (absolute $BASE_DIR) from any working directory."""
    from bmtk.utils.sonata.config import SonataConfig

    out, _ = circuit_dir
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        conf = SonataConfig.from_json(str(out / "config.json"))
    finally:
        os.chdir(cwd)
    assert Path(conf["networks"]["nodes"][0]["nodes_file"]).is_file()
    assert Path(conf["components"]["synaptic_models_dir"]).is_dir()
    assert conf["node_sets"]["recorded_S1"] == {"population": "S1", "node_id": [0, 7, 10]}


def test_simulation_config_contract(circuit_dir):
    out, _ = circuit_dir
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["network"] == "circuit_config.json"
    assert cfg["run"]["dL"] is None and cfg["run"]["spike_threshold"] == -10.0 and cfg["run"]["dt"] == 0.025
    assert cfg["conditions"] == {"celsius": 34.0, "v_init": -65.0}
    kicks = {k: (v["node_set"], v["amp"], v["delay"], v["duration"]) for k, v in cfg["inputs"].items()
             if v["input_type"] == "current_clamp"}
    assert kicks == {"kick_VPL": ("VPL_sTC", 2.0, 0.0, 5.0), "kick_VPM": ("VPM_sTC", 12.0, 0.0, 5.0),
                     "kick_POm": ("POm_sTC_s1", 22.0, 0.0, 5.0)}
    assert cfg["inputs"]["background"]["spikes_function"] == "s1_background_poisson"
    assert cfg["output"]["compression"] is None
    assert cfg["node_sets"]["recorded"] == ["recorded_S1", "recorded_thalamus"]
    assert cfg["node_sets"]["recorded_thalamus"]["node_id"] == [0, 2, 5, 7]  # first of each thalamic population
    assert cfg["reports"]["soma_v"]["cells"] == "recorded"
    assert set(cfg["sonata_s1"]) >= {"seed", "cao_mode", "background_streams", "scale", "source", "build_options"}
    ns = libsonata.NodeSets.from_file(str(out / "node_sets.json"))
    s1 = libsonata.CircuitConfig.from_file(str(out / "circuit_config.json")).node_population("S1")
    assert ns.materialize("recorded", s1).flatten().tolist() == [0, 7, 10]


@pytest.mark.parametrize("layout", ["chunked", "contiguous"])
def test_byte_identical_and_independent_of_chunking(tmp_path, monkeypatch, layout):
    if layout == "chunked":  # tiny write blocks: every population spans several blocks and partial chunks
        monkeypatch.setattr(edges_mod, "BLOCK_ROWS", 32)
        monkeypatch.setattr(edges_mod, "CHUNK_ROWS", 8)
    a, b, c = tmp_path / "a" / "x", tmp_path / "b" / "x", tmp_path / "c" / "x"
    write_synthetic(a)
    write_synthetic(b)
    write_synthetic(c, chunk_sizes=(3, 100))
    for other in (b, c):
        for path in sorted(p for p in a.rglob("*") if p.is_file()):
            rel = path.relative_to(a)
            if rel.name == "circuit_config.json":  # holds the (different) absolute $BASE_DIR
                continue
            assert filecmp.cmp(path, other / rel, shallow=False), f"{rel} differs"


def _table(rows: dict, **over: object) -> EdgeTable:
    types, models = synthetic.edge_types("x")
    chunks = synthetic.chunked(rows, [7])
    return EdgeTable("x", "S1", "S1", over.get("types", types), over.get("chunks", chunks), models)  # type: ignore[arg-type]


def test_rejects_inconsistent_tables(tmp_path):
    rows = synthetic.random_edges(15, 15, 1)
    (tmp_path / "m").mkdir()
    edges_mod.write_edges(_table(rows), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    unsorted = {k: v[::-1].copy() for k, v in rows.items()}
    with pytest.raises(WriterInputError, match="not sorted"):
        edges_mod.write_edges(_table(unsorted), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    with pytest.raises(WriterInputError, match="out of range"):
        edges_mod.write_edges(_table(rows), tmp_path, tmp_path / "m", n_source=15, n_target=5)
    bad_type = dict(rows, edge_type_id=np.full(rows["edge_type_id"].size, 9, dtype=np.int64))
    with pytest.raises(WriterInputError, match="edge_type_id"):
        edges_mod.write_edges(_table(bad_type), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    neg = dict(rows, afferent_section_id=-rows["afferent_section_id"] - 1)
    with pytest.raises(WriterInputError, match="afferent_section_id"):
        edges_mod.write_edges(_table(neg), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    chunk = EdgeChunk(np.zeros(2, np.uint64), np.zeros(2, np.uint64), np.ones(2, np.int64), {"delay": np.ones(3)})
    with pytest.raises(WriterInputError, match="shape"):
        edges_mod.write_edges(_table(rows, chunks=iter([chunk])), tmp_path, tmp_path / "m", n_source=15, n_target=15)


def test_empty_population_is_readable(tmp_path):
    (tmp_path / "m").mkdir()
    types, models = synthetic.edge_types("e")
    files = edges_mod.write_edges(EdgeTable("e", "S1", "S1", types, iter([]), models), tmp_path, tmp_path / "m",
                                  n_source=4, n_target=4)
    assert files.n_edges == 0
    pop = libsonata.EdgeStorage(str(tmp_path / "e_edges.h5")).open_population("e")
    assert pop.size == 0 and pop.afferent_edges([3]).flatten().size == 0
    with h5py.File(tmp_path / "e_edges.h5") as f:
        assert f["edges/e/source_node_id"].shape == (0,) and f["edges/e/edge_group_index"].shape == (0,)


def test_bmtk_type_keys_only_in_csv(tmp_path):
    """An HDF5 model_type/model_template would shadow the CSV in BMTK (as an enum code)."""
    from bmtk.utils.sonata import File

    from sonata_s1.sonata.nodes import write_nodes

    table = synthetic.s1_nodes()
    by_type = {r["node_type_id"]: r["model_template"] for r in table.node_types}
    table.attributes["model_template"] = np.array([by_type[t] for t in table.node_type_id.tolist()])
    a, b, c = (tmp_path / k for k in "abc")
    for d in (a, b, c):
        d.mkdir()
    write_nodes(table, a)
    node = File(data_files=[str(a / "S1_nodes.h5")], data_type_files=[str(a / "S1_node_types.csv")]).nodes["S1"].get_node_id(0)
    assert node["model_type"] == "biophysical" and node["model_template"] == "s1_cell:L23_PC_cADpyr229_1"
    with h5py.File(a / "S1_nodes.h5") as f:
        assert "model_template" not in f["nodes/S1/0"] and "model_type" not in f["nodes/S1/0"]
    write_nodes(table, b, keep_bmtk_type_columns=True)
    with h5py.File(b / "S1_nodes.h5") as f:
        assert "model_template" in f["nodes/S1/0"]
    table.attributes["model_template"][2] = "s1_cell:wrong"
    with pytest.raises(WriterInputError, match="model_template"):
        write_nodes(table, c)


def test_signed_unsigned_columns(tmp_path):
    """Negative syn_type_id: kept signed with a warning; a later chunk that no longer fits: error."""
    from sonata_s1.sonata.h5util import WriterWarning

    (tmp_path / "m").mkdir()
    rows = synthetic.random_edges(15, 15, 2)
    rows["syn_type_id"] = np.full(rows["edge_type_id"].size, -1, dtype=np.int64)
    with pytest.warns(WriterWarning, match="syn_type_id"):
        edges_mod.write_edges(_table(rows), tmp_path, tmp_path / "m", n_source=15, n_target=15)
    with h5py.File(tmp_path / "x_edges.h5") as f:
        assert f["edges/x/0/syn_type_id"].dtype.kind == "i" and f["edges/x/0/syn_type_id"][0] == -1
    grow = dict(rows, syn_type_id=np.where(np.arange(rows["edge_type_id"].size) < 7, 3, 2**40).astype(np.int64))
    with pytest.raises(WriterInputError, match="do not fit"):
        edges_mod.write_edges(_table(grow), tmp_path, tmp_path / "m", n_source=15, n_target=15)
