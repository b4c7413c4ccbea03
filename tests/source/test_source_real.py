"""The published data through load_source: counts and example values of the published files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sonata_s1.source import SourceModel, load_source, split_conn_ids
from sonata_s1.source.cellcheck import check_cell_rule


@pytest.fixture(scope="module")
def model(source_dir: Path) -> SourceModel:
    return load_source(source_dir)


def test_metypes_and_cells(model: SourceModel) -> None:
    assert len(model.metypes) == 207 and len(model.mtypes) == 55
    assert sum(m.n_cells for m in model.metypes) == 31_346
    assert sum(m.n_cells for m in model.metypes if m.ei == "E") == 26_567
    assert model.metypes[0].label == "L1_DAC_bNA" and model.metypes[0].n_cells == 19
    # file order puts L6_BPC before L6_BP (Q17)
    assert model.mtypes.index("L6_BPC") < model.mtypes.index("L6_BP")
    pc = model.metype_by_label("L23_PC_cAD")
    assert (pc.n_cells, pc.etype, pc.n_clones) == (5877, "cADpyr229", 5)
    layer_cells = Counter()
    for m in model.metypes:
        layer_cells[m.layer] += m.n_cells
    assert layer_cells == {"1": 338, "23": 7524, "4": 4656, "5": 6114, "6": 12714}


def test_cell_files(model: SourceModel) -> None:
    assert len(model.cell_files) == 931
    s1 = [n for n in model.cell_files if n not in ("sTC_jv_00", "sRE_jv_00")]
    assert len(s1) == 929
    assert Counter(m.n_clones for m in model.metypes) == {5: 164, 4: 10, 3: 13, 2: 10, 1: 10}
    assert model.cell_files["L5_TTPC2_cADpyr232_3"].name.startswith("L5_TTPC2_cADpyr232_3_cellParams.json")


def test_pathways(model: SourceModel) -> None:
    pws = model.s1.pathways
    assert len(pws) == 1941
    assert Counter(p.klass for p in pws.values()) == {"II": 839, "IE": 482, "EI": 451, "EE": 169}
    assert Counter(p.best_fit for p in pws.values()) == {"gauss": 1303, "exp": 485, "expl": 153}
    assert Counter(len(p.conn_types) for p in pws.values()) == {1: 1571, 2: 323, 3: 47}
    assert ("L23_PC", "L4_BP") not in pws
    p = pws[("L23_PC", "L23_PC")]
    assert (p.pmat[12], p.pmat[25], p.pmat[50], p.pmat[375]) == (0.06589, 0.05691, 0.04476, 0.0003)
    assert (p.a0mat, p.lmat, p.d0, p.dfinal, p.best_fit) == (0.10239, 62.30, 50, 375.0, "gauss")
    assert (p.a0mat_exp, p.lmat_exp, p.d0_exp) == (0.08072, 73.71, 0)
    assert (p.a0mat_gauss, p.x0_gauss, p.lmat_gauss) == (0.11112, -104.25, 113.36)
    assert (p.conn_number, p.synperconn, p.conn_types) == (369455.6, 3.0, (119,))
    q = pws[("L23_LBC", "L23_PC")]
    assert (q.d0, q.best_fit, q.conn_number, q.synperconn, q.conn_types) == (0, "gauss", 17463.4, 16.0, (5, 10))
    assert type(q.synperconn) is float
    # Q5: negative length constants survive unchanged
    assert pws[("L5_TTPC1", "L1_DAC")].lmat < 0 and pws[("L5_TTPC1", "L1_DAC")].best_fit == "expl"
    assert sum(p.lmat_exp < 0 for p in pws.values()) == 18
    # L1 -> E pathways are IE although conn.pkl's EItype says II (Q6)
    assert pws[("L1_DAC", "L23_PC")].klass == "IE"


def test_netpyne_rule_count(model: SourceModel) -> None:
    by: dict[str, list] = {}
    for m in model.metypes:
        by.setdefault(m.mtype, []).append(m)
    parts = Counter()
    for p in model.s1.pathways.values():
        parts[p.klass] += len(split_conn_ids(model.s1, p, by[p.pre], by[p.post]))
    assert parts == {"II": 839, "IE": 677, "EE": 169, "EI": 673}


@pytest.mark.parametrize("cid,row", [
    (0, ("II", "I1", 0.83, 0.16, 45, 376, 10.4)),
    (11, ("IE", "I3", 0.83, 0.25, 706, 21, 36.55)),
    (13, ("IE", "I1", 0.75, 0.415, 162, 690, 10.4)),
    (116, ("EE", "E2", 0.72, 0.5, 671, 17, 1.74)),
    (123, ("EE", "E2", 1.5, 0.5, 671, 17, 1.74)),
    (132, ("EI", "E1", 0.72, 0.01, 242, 563, 1.74)),
    (134, ("EI", "E2", 0.72, 0.72, 227, 14, 1.74)),
])
def test_synapse_types(model: SourceModel, cid: int, row: tuple) -> None:
    st = model.s1.synapse_types[cid]
    assert (st.bbp_type, st.s_type, st.gsyn, st.use, st.dep, st.fac, st.decay) == row


def test_synapse_type_ids(model: SourceModel) -> None:
    ids = sorted(model.s1.synapse_types)
    assert len(ids) == 29
    assert [i for i in ids if i < 50] == [0, 1, 3, 4, 5, 8, 9, 10, 11, 12, 13]
    assert model.s1.conn_ie_type["SBC"] == {"cAC": 3, "dNA": 4, "bNA": 5}
    assert model.s1.conn_ei_type["BP"]["cAC"] == 114


def test_background_l23_pc(model: SourceModel) -> None:
    bg = model.s1.background
    assert len(bg) == 55
    b = bg["L23_PC"]
    assert b.syn_e == pytest.approx(244.536, abs=1e-3) and b.syn_i == pytest.approx(294.666, abs=1e-3)
    assert b.gsyn_e == pytest.approx(0.67158, abs=1e-5) and b.gsyn_i == pytest.approx(0.82874, abs=1e-5)
    assert type(b.syn_e) is float
    assert bg["L5_TTPC2"].syn_e == pytest.approx(2100.37, abs=0.01) and bg["L23_MC"].gsyn_e == pytest.approx(0.11)


def test_thalamic_cmat(model: SourceModel) -> None:
    assert model.thalamic.cmat == {
        ("ss_RTN_o", "ss_RTN_o"): 264.63, ("ss_RTN_o", "VPL_sTC"): 64.33,
        ("ss_RTN_m", "ss_RTN_m"): 264.63, ("ss_RTN_m", "VPM_sTC"): 64.33,
        ("ss_RTN_i", "ss_RTN_i"): 264.63, ("ss_RTN_i", "POm_sTC_s1"): 102.49,
        ("VPL_sTC", "ss_RTN_o"): 97.67, ("VPM_sTC", "ss_RTN_m"): 103.57, ("POm_sTC_s1", "ss_RTN_i"): 149.31,
    }


@pytest.mark.parametrize("mtype,fo,ho", [
    ("L23_PC", 129, 69), ("L4_SP", 197, 57), ("L4_SS", 188, 22), ("L5_UTPC", 150, 269),
    ("L5_TTPC1", 299, 277), ("L6_IPC", 131, 66), ("L1_NGC-DA", 0, 41), ("L23_SBC", 76, 41),
    ("L4_BP", 116, 31), ("L5_MC", 166, 164), ("L6_NGC", 77, 39),
])
def test_convergence(model: SourceModel, mtype: str, fo: int, ho: int) -> None:
    assert len(model.convergence.first_order) == 55
    assert (model.convergence.first_order[mtype], model.convergence.higher_order[mtype]) == (fo, ho)


def test_a_few_real_cells_pass_deep_checks(model: SourceModel) -> None:
    """A cheap sample (the full sweep is `sonata-s1 check-source --deep`)."""
    for label in ("L1_DAC_bNA", "L4_SS_cAD", "L6_BP_dST"):
        me = model.metype_by_label(label)
        name = me.clone_names[-1]
        assert check_cell_rule(model.load_cell(name), name=name, label=label, n_clones=me.n_clones) == []
    for name in ("sTC_jv_00", "sRE_jv_00"):
        assert check_cell_rule(model.load_cell(name), name=name, thalamic=True) == []


def test_cached(source_dir: Path, model: SourceModel) -> None:
    assert load_source(source_dir) is model
