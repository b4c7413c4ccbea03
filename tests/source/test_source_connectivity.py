"""conn.pkl / conn_Th.pkl / convergence parsing on synthetic data: values, types, and error reports."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from source_synth import CONVERGENCE, DISTRIBUTION, conn_dict, thal_dict, write_conn

from sonata_s1.source.connectivity import (
    parse_connectivity,
    parse_convergence,
    parse_thalamic,
    rule_order,
    split_conn_ids,
)
from sonata_s1.source.errors import SourceError
from sonata_s1.source.metypes import parse_metypes


@pytest.fixture
def metypes(tmp_path: Path):
    path = tmp_path / "dist.txt"
    path.write_text(DISTRIBUTION)
    return parse_metypes(path, strict=False)


def _conn(tmp_path: Path, metypes, edit: Callable[[dict[str, Any]], None] | None = None, *, strict: bool = False):
    data = conn_dict()
    if edit:
        edit(data)
    path = tmp_path / "conn.pkl"
    write_conn(path, data)
    return parse_connectivity(path, metypes, strict=strict)


def test_pathways_parsed_to_numbers(tmp_path: Path, metypes) -> None:
    conn = _conn(tmp_path, metypes)
    assert len(conn.pathways) == 5
    pc = conn.pathways[("L23_PC", "L23_PC")]
    assert (pc.conn_number, pc.d0, pc.dfinal, pc.a0mat, pc.lmat, pc.x0_gauss) == (369455.6, 50, 375.0, 0.10239, 62.3, -104.25)
    assert pc.lmat_exp == -73.71  # Q5: sign kept
    assert pc.pmat[12] == pytest.approx(0.06589 / 1.12, abs=1e-5) and sorted(pc.pmat)[-1] == 375
    assert type(pc.d0) is int and type(pc.d0_exp) is int and type(pc.a0mat) is float
    lbc = conn.pathways[("L23_LBC", "L23_PC")]
    assert lbc.synperconn == 16.0 and type(lbc.synperconn) is float  # from numpy float64
    assert lbc.conn_types == (5, 10)
    bg = conn.background["L23_PC"]
    assert (bg.syn_e, bg.gsyn_i) == (246.536, 2.82874) and type(bg.syn_e) is float


def test_ei_class_from_mtype_lists_not_eitype(tmp_path: Path, metypes) -> None:
    conn = _conn(tmp_path, metypes)
    klass = {k: p.klass for k, p in conn.pathways.items()}
    assert klass[("L1_DAC", "L23_PC")] == "IE"  # stored EItype says 'II' (quirk Q6)
    assert klass[("L23_PC", "L23_LBC")] == "EI" and klass[("L23_LBC", "L1_DAC")] == "II"
    # rule order: inhibitory m-types (file order) first, then the excitatory list
    assert rule_order(["L1_DAC", "L23_LBC", "L23_PC"]) == ["L1_DAC", "L23_LBC", "L23_PC"]
    assert list(conn.pathways)[0] == ("L1_DAC", "L23_PC") and list(conn.pathways)[-1] == ("L23_PC", "L23_PC")


def test_synapse_types_and_splits(tmp_path: Path, metypes) -> None:
    conn = _conn(tmp_path, metypes)
    st = conn.synapse_types[134]
    assert (st.bbp_type, st.s_type, st.gsyn, st.use, st.dep, st.fac, st.decay) == ("EI", "E2", 0.72, 0.72, 227.0, 14.0, 1.74)
    assert st.raw["ConnType"] == 6
    by = {m: [x for x in metypes if x.mtype == m] for m in ("L1_DAC", "L23_LBC", "L23_PC")}
    ie = split_conn_ids(conn, conn.pathways[("L23_LBC", "L23_PC")], by["L23_LBC"], by["L23_PC"])
    assert [(cid, [m.label for m in pre]) for cid, pre, _ in ie] == [(5, ["L23_LBC_cNA"]), (10, ["L23_LBC_dNA"])]
    ei = split_conn_ids(conn, conn.pathways[("L23_PC", "L23_LBC")], by["L23_PC"], by["L23_LBC"])
    assert [(cid, [m.label for m in post]) for cid, _, post in ei] == [(134, ["L23_LBC_dNA"]), (115, ["L23_LBC_cNA"])]
    plain = split_conn_ids(conn, conn.pathways[("L1_DAC", "L23_PC")], by["L1_DAC"], by["L23_PC"])
    assert [(cid, len(pre)) for cid, pre, _ in plain] == [(8, 2)]


def test_bad_numeric_string_names_file_and_key(tmp_path: Path, metypes) -> None:
    def edit(d):
        d["lmat"]["L23_PC"]["L23_LBC"] = "abc"
        d["a0mat_gauss"]["L1_DAC"]["L23_PC"] = "nan"

    with pytest.raises(SourceError) as err:
        _conn(tmp_path, metypes, edit)
    msg = str(err.value)
    assert "conn.pkl: lmat['L23_PC']['L23_LBC']: could not parse 'abc' as a number" in msg
    assert "a0mat_gauss['L1_DAC']['L23_PC']: 'nan' is not finite" in msg


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["d0"]["L23_PC"].__setitem__("L23_PC", "30"), r"d0\['L23_PC'\]\['L23_PC'\]: 30 is not a multiple of 25"),
    (lambda d: d["dfinal"]["L23_PC"].__setitem__("L23_PC", "37.5"), r"dfinal\['L23_PC'\]\['L23_PC'\]: '37.5' is not an integer"),
    (lambda d: d["ConnTypesNumber"]["L23_PC"].__setitem__("L23_PC", 2), r"ConnTypesNumber\['L23_PC'\]\['L23_PC'\]: 2 != len"),
    (lambda d: d["ConnTypes"]["L23_PC"].__setitem__("L23_PC", [5]), r"synapse type 5 is <= 50 but pre m-type L23_PC is excitatory"),
    (lambda d: d["ConnTypes"]["L23_PC"].__setitem__("L23_PC", [999]), r"synapse type 999 has no complete parameters_syn"),
    (lambda d: d["best_fit"]["L23_PC"].__setitem__("L23_PC", "linear"), r"best_fit\['L23_PC'\]\['L23_PC'\]: 'linear' is not one of"),
    (lambda d: d["gsyn"]["L23_PC"].pop("L23_PC"), r"gsyn: pairs differ from connNumber > 0; missing L23_PC->L23_PC"),
    (lambda d: d["pmat"]["L23_PC"].__setitem__("L1_DAC", "0.1"), r"pmat: pairs differ .* unexpected L23_PC->L1_DAC"),
    (lambda d: d["connNumber"]["L23_PC"].pop("L1_DAC"), r"connNumber\['L23_PC'\]: must list all 3 post m-types"),
    (lambda d: d["connNumber"]["L1_DAC"].__setitem__("L1_DAC", "-1.0"), r"negative connection count"),
    (lambda d: d["lmat"].pop("L1_DAC"), r"lmat: outer keys differ .*missing: \['L1_DAC'\]"),
    (lambda d: d["connIEtype"]["LBC"].pop("dNA"), r"ConnTypes\['L23_LBC'\]\['L23_PC'\]: pre me-type L23_LBC_dNA: no entry for e-type 'dNA'"),
    (lambda d: d["connEItype"]["LBC"].__setitem__("cNA", 117), r"post me-type L23_LBC_cNA: looked-up synapse type 117 not in"),
    (lambda d: d["GsynStimE"].__setitem__("L1_DAC", -0.5), r"GsynStimE\['L1_DAC'\]: -0.5 is not positive"),
    (lambda d: d["parameters_syn"].pop(("dep", 119)), r"parameters_syn\[\(…, 119\)\]: missing entries \['dep'\]"),
    (lambda d: d.pop("parameters_syn"), r"missing top-level keys: parameters_syn"),
])
def test_validation_errors(tmp_path: Path, metypes, edit, message: str) -> None:
    with pytest.raises(SourceError, match=message) as err:
        _conn(tmp_path, metypes, edit)
    assert "conn.pkl" in str(err.value)


def test_strict_mode_checks_published_counts(tmp_path: Path, metypes) -> None:
    with pytest.raises(SourceError, match=r"pathways = 5, expected 1941"):
        _conn(tmp_path, metypes, strict=True)


def test_thalamic_cmat_restricted_to_model_pairs(tmp_path: Path) -> None:
    path = tmp_path / "conn_Th.pkl"
    path.write_bytes(pickle.dumps(thal_dict(), protocol=3))
    th = parse_thalamic(path, strict=True)
    assert len(th.cmat) == 9 and ("ss_RTN_o", "mt_RTN") not in th.cmat
    assert th.cmat[("VPM_sTC", "ss_RTN_m")] == 103.57 and th.cmat[("ss_RTN_i", "POm_sTC_s1")] == 102.49
    data = thal_dict()
    del data["cmat"]["ss_RTN_m"]["VPM_sTC"]
    path.write_bytes(pickle.dumps(data, protocol=3))
    with pytest.raises(SourceError, match=r"pmat and cmat disagree.*ss_RTN_m->VPM_sTC"):
        parse_thalamic(path, strict=False)
    del data["pmat"]["ss_RTN_m"]["VPM_sTC"]
    path.write_bytes(pickle.dumps(data, protocol=3))
    with pytest.raises(SourceError, match=r"cmat lacks pairs ss_RTN_m->VPM_sTC"):
        parse_thalamic(path, strict=False)


def test_thalamic_pickle_with_any_global_is_refused(tmp_path: Path) -> None:
    import numpy as np

    data = thal_dict()
    data["cmat"]["VPL_sTC"]["ss_RTN_o"] = np.float64(97.67)
    path = tmp_path / "conn_Th.pkl"
    path.write_bytes(pickle.dumps(data, protocol=3))
    with pytest.raises(SourceError, match="conn_Th.pkl: refused pickle global"):
        parse_thalamic(path)


def test_convergence(tmp_path: Path) -> None:
    path = tmp_path / "conv.txt"
    mtypes = ["L1_DAC", "L23_LBC", "L23_PC"]
    path.write_text(CONVERGENCE)
    cv = parse_convergence(path, mtypes, strict=False)
    assert cv.first_order == {"L1_DAC": 0, "L23_LBC": 76, "L23_PC": 129}
    assert cv.higher_order["L23_PC"] == 69
    with pytest.raises(SourceError, match=r"3 rows, expected 55"):
        parse_convergence(path, mtypes, strict=True)
    path.write_text(CONVERGENCE.replace("76 41", "7.6 41"))
    with pytest.raises(SourceError, match=r"conv.txt:2: columns 2-3 must be non-negative integers"):
        parse_convergence(path, mtypes, strict=False)
    path.write_text("\n".join(CONVERGENCE.splitlines()[:2]) + "\nL4_XX 1 2 ref\n")
    with pytest.raises(SourceError) as err:
        parse_convergence(path, mtypes, strict=False)
    assert "conv.txt:3: m-type L4_XX is not in the distribution file" in str(err.value)
