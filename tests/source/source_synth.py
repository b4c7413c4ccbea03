"""Synthetic NetPyNE source folders for the source-reader tests (written fresh in ``tmp_path``).

Three m-types keep it small but cover every branch the reader has: an L1 interneuron (I->E with a
deliberately wrong ``EItype``, quirk Q6), an LBC (I->E split by pre e-type, E->I split by post e-type)
and L23_PC (E). Numbers are stored the way ``conn.pkl`` stores them: strings, numpy float64 scalars
and int 0 for unconnected pairs.
"""

from __future__ import annotations

import json
import lzma
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DISTRIBUTION = """\
L1_DAC_bNAC219 L1_DAC bNAC219 1 3
L1_DAC_cNAC187 L1_DAC cNAC187 2 3
L23_LBC_cNAC187 L23_LBC cNAC187 1 3
L23_LBC_dNAC222 L23_LBC dNAC222 2 3
L23_PC_cADpyr229 L23_PC cADpyr229 6 6
"""
MTYPES = ("L1_DAC", "L23_LBC", "L23_PC")
# (pre, post) -> (connNumber, ConnTypes, EItype as stored)
PATHWAYS: dict[tuple[str, str], tuple[str, list[int], str]] = {
    ("L1_DAC", "L23_PC"): ("12.5", [8], "II"),  # Q6: mislabelled, really IE
    ("L23_LBC", "L23_PC"): ("17463.4", [5, 10], "IE"),
    ("L23_PC", "L23_PC"): ("369455.6", [119], "EE"),
    ("L23_PC", "L23_LBC"): ("4711.0", [134, 115], "EI"),
    ("L23_LBC", "L1_DAC"): ("3.3", [0], "II"),
}
SYN = {  # id: (type, s-type, gsyn, use, dep, fac, decay)
    0: ("II", "I1", 0.83, 0.16, 45.0, 376.0, 10.4),
    5: ("IE", "I3", 0.91, 0.32, 144.0, 62.0, 6.44),
    8: ("IE", "I2", 0.75, 0.25, 706.0, 21.0, 8.3),
    10: ("IE", "I2", 0.91, 0.14, 875.0, 22.0, 8.3),
    115: ("EI", "E1", 0.72, 0.02, 194.0, 507.0, 1.74),
    119: ("EE", "E2", 0.68, 0.46, 671.0, 17.0, 1.74),
    134: ("EI", "E2", 0.72, 0.72, 227.0, 14.0, 1.74),
}
PMAT_BINS = (12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275, 300, 325, 350, 375)
THAL_CMAT = {
    ("VPL_sTC", "ss_RTN_o"): 97.67, ("VPM_sTC", "ss_RTN_m"): 103.57, ("POm_sTC_s1", "ss_RTN_i"): 149.31,
    ("ss_RTN_o", "VPL_sTC"): 64.33, ("ss_RTN_m", "VPM_sTC"): 64.33, ("ss_RTN_i", "POm_sTC_s1"): 102.49,
    ("ss_RTN_o", "ss_RTN_o"): 264.63, ("ss_RTN_m", "ss_RTN_m"): 264.63, ("ss_RTN_i", "ss_RTN_i"): 264.63,
    ("ss_RTN_o", "mt_RTN"): 264.63,  # M1-era population: must be ignored
}
CONVERGENCE = "L1_DAC 0 41 L23_IN_POm\nL23_LBC 76 41 L23_IN\nL23_PC 129 69 L23_PY\n"


def sparse(fn: Callable[[str, str], Any]) -> dict[str, dict[str, Any]]:
    return {pre: {post: fn(pre, post) for (p, post) in PATHWAYS if p == pre} for pre in MTYPES}


def conn_dict() -> dict[str, Any]:
    """A complete (54-key) conn.pkl content for the three synthetic m-types."""
    d: dict[str, Any] = {}
    d["pmat"] = sparse(lambda a, b: "0.01070")
    for b_ in PMAT_BINS:
        d[f"pmat{b_}um"] = sparse(lambda a, b, b_=b_: f"{0.06589 / (1 + b_ / 100):.5f}")
    d["a0mat"] = sparse(lambda a, b: "0.10239")
    d["lmat"] = sparse(lambda a, b: "62.30")
    d["d0"] = sparse(lambda a, b: "50" if (a, b) == ("L23_PC", "L23_PC") else "0")
    d["dfinal"] = sparse(lambda a, b: "375")
    d["a0mat_exp"] = sparse(lambda a, b: "0.08072")
    d["lmat_exp"] = sparse(lambda a, b: "-73.71")  # Q5: negative length constants are kept
    d["d0_exp"] = sparse(lambda a, b: "0")
    d["a0mat_gauss"] = sparse(lambda a, b: "0.11112")
    d["x0_gauss"] = sparse(lambda a, b: "-104.25")
    d["lmat_gauss"] = sparse(lambda a, b: "113.36")
    d["d0_gauss"] = sparse(lambda a, b: "0")
    d["best_fit"] = sparse(lambda a, b: "gauss" if a == "L23_PC" else "exp")
    d["connNumber"] = {a: {b: PATHWAYS.get((a, b), (0,))[0] for b in MTYPES} for a in MTYPES}
    # Q2: numpy float64 mixed with plain float
    d["synperconnNumber"] = sparse(lambda a, b: np.float64(16.0) if a == "L23_LBC" else 3.0)
    d["synperconnNumberStd"] = sparse(lambda a, b: np.float64(1.2))
    for key, idx in (("use", 3), ("dep", 4), ("fac", 5), ("decay", 6), ("gsyn", 2)):
        d[key] = sparse(lambda a, b, idx=idx: SYN[PATHWAYS[(a, b)][1][0]][idx])
        d[key + "Std"] = sparse(lambda a, b: 0.1)
    d["stypes"] = sparse(lambda a, b: SYN[PATHWAYS[(a, b)][1][0]][1])
    d["EItype"] = sparse(lambda a, b: PATHWAYS[(a, b)][2])
    d["ConnTypes"] = sparse(lambda a, b: list(PATHWAYS[(a, b)][1]))
    d["ConnTypesNumber"] = sparse(lambda a, b: len(PATHWAYS[(a, b)][1]))
    stim = {"synperNeuronStimE": 244.536, "synperNeuronStimI": 294.666, "GsynStimE": 0.67158, "GsynStimI": 0.82874}
    for key, base in stim.items():
        d[key] = {m: np.float64(base + i) for i, m in enumerate(MTYPES)}
    d["connDataSource"] = {"E->E/I": "BBP_S1", "I->E/I": "BBP_S1"}
    lbc = {"bAC": 10, "cAC": 10, "bNA": 10, "dNA": 10, "cIR": 10, "bIR": 10, "cNA": 5, "dST": 5, "cST": 5, "bST": 5}
    d["connIEtype"] = {"SBC": {"cAC": 3, "dNA": 4, "bNA": 5}, "LBC": lbc, "NBC": dict(lbc)}
    ei = {"cAC": 115, "cIR": 115, "bAC": 115, "bIR": 115, "cNA": 115, "bST": 134, "dNA": 134, "bNA": 134,
          "cST": 134, "dST": 134}
    d["connEItype"] = {"NBC": ei, "LBC": dict(ei), "BP": {"cAC": 114}, "DBC": {"cAC": 114}, "BTC": {"cAC": 114}}
    ps: dict[tuple[str, int], Any] = {}
    for row, (cid, (typ, st, gsyn, use, dep, fac, decay)) in enumerate(SYN.items()):
        vals = {"ConnType": row, "gsyn": gsyn, "gsynStd": 0.1, "decay": decay, "decayStd": 0.1, "use": use,
                "useStd": 0.1, "dep": dep, "depStd": 1.0, "fac": fac, "facStd": 1.0, "s-types": st, "type": typ}
        ps.update({(name, cid): v for name, v in vals.items()})
    d["parameters_syn"] = ps
    return d


def write_conn(path: Path, data: dict[str, Any]) -> None:
    """Pickle like the published file: protocol 3, numpy scalars under the NumPy-1 module name."""
    blob = pickle.dumps(data, protocol=3)
    blob = blob.replace(b"numpy._core.multiarray\nscalar", b"numpy.core.multiarray\nscalar")
    path.write_bytes(blob)


def thal_dict() -> dict[str, Any]:
    pops = sorted({p for pair in THAL_CMAT for p in pair} | {"CT5A_S1"})
    tables: dict[str, Any] = {}
    for name, value in (("pmat", 0.25), ("lmat", 500), ("wmat", 0.05)):
        tables[name] = {a: {b: value for (p, b) in THAL_CMAT if p == a} for a in pops}
    tables["cmat"] = {a: {b: v for (p, b), v in THAL_CMAT.items() if p == a} for a in pops}
    return tables


def s1_cell(label: str, n_clones: int) -> dict[str, Any]:
    """A minimal valid S1 cell rule: soma, one dendrite, the two axon stubs."""
    ions = {"na": {"e": 50.0, "i": 10.0, "o": 140.0}, "k": {"e": -85.0, "i": 54.4, "o": 2.5}}
    return {
        "conds": {"cellModel": "HH_full", "cellType": label},
        "diversityFraction": 1.0 / n_clones,
        "globals": {},
        "secLists": {"SectionList[0]": [], "SectionList[1]": [], "all": ["soma", "dend_0", "axon_0", "axon_1"],
                     "somatic": ["soma"], "basal": ["dend_0"], "apical": [], "axonal": ["axon_0", "axon_1"],
                     "spiny": ["soma", "dend_0"], "spinyEE": ["dend_0"]},
        "secs": {
            "axon_0": {"geom": {"L": 30.0, "diam": 1.0, "Ra": 100.0, "cm": 1.0, "nseg": 1},
                       "topol": {"parentSec": "soma", "parentX": 1.0, "childX": 0.0},
                       "mechs": {"pas": {"e": -75.0, "g": 3e-05}}, "ions": ions},
            "axon_1": {"geom": {"L": 30.0, "diam": 1.0, "Ra": 100.0, "cm": 1.0, "nseg": 1},
                       "topol": {"parentSec": "axon_0", "parentX": 1.0, "childX": 0.0},
                       "mechs": {"pas": {"e": -75.0, "g": 3e-05}}, "ions": ions},
            "dend_0": {"geom": {"L": 10.0, "diam": 1.0, "Ra": 100.0, "cm": 1.0, "nseg": 3,
                                "pt3d": [[0.0, 5.0, 0.0, 1.0], [0.0, 15.0, 0.0, 1.0]]},
                       "topol": {"parentSec": "soma", "parentX": 0.5, "childX": 0.0},
                       "mechs": {"pas": {"e": -75.0, "g": 3e-05}, "Ih": {"gIhbar": [1e-5, 2e-5, 3e-5]}},
                       "ions": ions},
            "soma": {"geom": {"L": 10.0, "diam": 10.0, "Ra": 100.0, "cm": 1.0, "nseg": 1,
                              "pt3d": [[0.0, -5.0, 0.0, 10.0], [0.0, 5.0, 0.0, 10.0]]},
                     "topol": {}, "mechs": {"pas": {"e": -75.0, "g": 3e-05}}, "ions": ions},
        },
    }


def thal_cell(kind: str) -> dict[str, Any]:
    mechs = {"pas": {"e": -70, "g": 1e-05}, "hh2ad": {"gnabar": 0.09, "gkbar": 0.01, "vtraub": -38.0}}
    return {"conds": {"cellModel": "HH_reduced", "cellType": kind, "ynorm": [1.2, 1.4]},
            "globals": {"erev_kl": -95.0}, "secLists": {},
            "secs": {"soma": {"geom": {"L": 96.0, "diam": 96.0, "Ra": 100.0, "cm": 1.0, "nseg": 1,
                                       "pt3d": [[0, 0, 0, 96.0], [0, 96.0, 0, 96.0]]},
                              "topol": {}, "mechs": mechs, "weightNorm": [0.002091023573256415],
                              "ions": {"ca": {"e": 132.4579341637009, "i": 5e-05, "o": 2.0}}}}}


def write_json(path: Path, obj: Any, *, xz: bool) -> None:
    text = json.dumps(obj, indent=4)
    if xz:
        with lzma.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def make_source(root: Path) -> Path:
    """Write a complete synthetic source folder at ``root`` and return it."""
    cells, conn = root / "cells", root / "conn"
    cells.mkdir(parents=True)
    conn.mkdir()
    (cells / "S1-cells-distributions-Rat.txt").write_text(DISTRIBUTION)
    for i, line in enumerate(DISTRIBUTION.splitlines()):
        cellname, mtype, etype, n, _ = line.split()
        k_max = min(int(n), 5)
        for k in range(1, k_max + 1):
            # mix .json and .json.xz, as an unpacked copy would
            write_json(cells / f"{cellname}_{k}_cellParams.json{'.xz' if (i + k) % 2 else ''}",
                       s1_cell(f"{mtype}_{etype[:3]}", k_max), xz=bool((i + k) % 2))
    write_json(cells / "sTC_jv_00.json.xz", thal_cell("TC"), xz=True)
    write_json(cells / "sRE_jv_00.json", thal_cell("RE"), xz=False)
    write_conn(conn / "conn.pkl", conn_dict())
    (conn / "conn_Th.pkl").write_bytes(pickle.dumps(thal_dict(), protocol=3))
    (conn / "convergence_Th_S1.txt").write_text(CONVERGENCE)
    return root
