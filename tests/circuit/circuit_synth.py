"""Synthetic source model, section cache and placement uniforms for fast circuit tests (no NEURON,
no data). Two S1 m-types (one E, one I with an e-type split) and the six thalamic populations."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sonata_s1.circuit.section_cache import SectionCache
from sonata_s1.source.model import (
    BackgroundStats,
    METype,
    Pathway,
    S1Connectivity,
    SourceModel,
    SynapseType,
    ThalamicTables,
    ThalamoCorticalConvergence,
)

WN_RE, WN_TC = 0.0006295171905871062, 0.002091023573256415


def pathway(pre: str, post: str, klass: str, *, a: float, l: float,  # noqa: E741
            dfinal: float = 375.0, spc: float = 3.0,
            conn_types: tuple[int, ...] = (116,), best_fit: str = "exp", d0: int = 0, **kw) -> Pathway:
    base = dict(pre=pre, post=post, klass=klass, conn_number=100.0, best_fit=best_fit, d0=d0, dfinal=dfinal,
                a0mat=a, lmat=l, a0mat_exp=a, lmat_exp=l, d0_exp=0, a0mat_gauss=a, x0_gauss=0.0, lmat_gauss=l,
                pmat={12: 0.1, 25: 0.1, 50: 0.1}, synperconn=spc, conn_types=conn_types)
    base.update(kw)
    return Pathway(**base)


def make_source() -> SourceModel:
    metypes = [
        METype(0, "L5_LBC_cNAC187", "L5_LBC", "cNAC187", 40, 100),
        METype(1, "L5_LBC_dNAC222", "L5_LBC", "dNAC222", 60, 100),
        METype(2, "L5_TTPC2_cADpyr232", "L5_TTPC2", "cADpyr232", 300, 300),
    ]
    pws = {
        ("L5_TTPC2", "L5_TTPC2"): pathway("L5_TTPC2", "L5_TTPC2", "EE", a=0.3, l=120.0, spc=3.2, conn_types=(119,)),
        ("L5_TTPC2", "L5_LBC"): pathway("L5_TTPC2", "L5_LBC", "EI", a=0.2, l=1e9, dfinal=150.0, spc=4.6,
                                       conn_types=(134, 115), best_fit="gauss"),
        ("L5_LBC", "L5_TTPC2"): pathway("L5_LBC", "L5_TTPC2", "IE", a=0.4, l=80.0, spc=1.0, conn_types=(5, 10)),
        ("L5_LBC", "L5_LBC"): pathway("L5_LBC", "L5_LBC", "II", a=0.5, l=100.0, spc=12.4, conn_types=(1,)),
    }
    def st(i, t, g, use, dep, fac, dec):
        return SynapseType(i, t, "X", g, use, dep, fac, dec)
    types = {1: st(1, "II", 0.83, 0.25, 706, 21, 8.3), 5: st(5, "IE", 0.91, 0.32, 144, 62, 6.44),
             10: st(10, "IE", 0.91, 0.14, 875, 22, 8.3), 115: st(115, "EI", 0.72, 0.02, 194, 507, 1.74),
             119: st(119, "EE", 0.68, 0.46, 671, 17, 1.74), 134: st(134, "EI", 0.72, 0.72, 227, 14, 1.74)}
    ie = {k: {"cNA": 5, "dNA": 10, "cAC": 10} for k in ("SBC", "LBC", "NBC")}
    ei = {k: {"cNA": 115, "dNA": 134} for k in ("LBC", "NBC")}
    bg = {"L5_TTPC2": BackgroundStats(244.5, 294.7, 0.67, 0.83), "L5_LBC": BackgroundStats(283.1, 243.6, 0.72, 0.83)}
    cmat = {("ss_RTN_o", "ss_RTN_o"): 264.63, ("ss_RTN_m", "ss_RTN_m"): 264.63, ("ss_RTN_i", "ss_RTN_i"): 264.63,
            ("VPL_sTC", "ss_RTN_o"): 97.67, ("VPM_sTC", "ss_RTN_m"): 103.57, ("POm_sTC_s1", "ss_RTN_i"): 149.31,
            ("ss_RTN_o", "VPL_sTC"): 64.33, ("ss_RTN_m", "VPM_sTC"): 64.33, ("ss_RTN_i", "POm_sTC_s1"): 102.49}
    conv = ThalamoCorticalConvergence({"L5_TTPC2": 129, "L5_LBC": 76}, {"L5_TTPC2": 69, "L5_LBC": 41})
    files = {name: Path(f"/nonexistent/{name}.json") for me in metypes for name in me.clone_names}
    files.update({"sTC_jv_00": Path("/nonexistent/sTC.json"), "sRE_jv_00": Path("/nonexistent/sRE.json")})
    return SourceModel(Path("/nonexistent"), metypes, files, S1Connectivity(pws, types, ie, ei, bg),
                       ThalamicTables(cmat), conv)


def make_sections(source: SourceModel) -> SectionCache:
    """S1 models: soma, 3 dend, 1 apic, axon_0, axon_1 (lengths vary per model); thalamic: soma only."""
    models = sorted(source.cell_files)
    lengths, swc, spiny, spiny_ee, wn = [], [], [], [], []
    for i, m in enumerate(models):
        if m in ("sTC_jv_00", "sRE_jv_00"):
            lengths.append(np.array([96.0]))
            swc.append(np.array([1]))
            spiny.append(np.array([0]))
            spiny_ee.append(np.zeros(0, int))
            wn.append(WN_TC if m == "sTC_jv_00" else WN_RE)
        else:
            lengths.append(np.array([20.0, 10.0 + i, 20.0, 30.0, 40.0, 30.0, 30.0]))
            swc.append(np.array([1, 3, 3, 3, 4, 2, 2]))
            spiny.append(np.arange(5))
            spiny_ee.append(np.arange(1, 5))
            wn.append(1.0)

    def off(parts):
        return np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)

    cat = np.concatenate
    return SectionCache(tuple(models), off(lengths), cat(lengths).astype(float), cat(swc).astype(np.uint8),
                        np.ones(sum(len(x) for x in lengths), np.int32), off(spiny), cat(spiny).astype(np.int32),
                        off(spiny_ee), cat(spiny_ee).astype(np.int32), np.array(wn))


def numpy_uniforms(n: int, gid0: int, seed: int) -> np.ndarray:
    """Stand-in for NEURON's Random123 in tests (same call signature)."""
    return np.random.default_rng([n, gid0, seed]).random((n, 3))


