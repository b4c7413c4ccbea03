"""Checks of the thalamic density mechanisms hh2ad, ittc, itre, htc, ia, kl and cadad.

Why: the thalamic cells are built from these seven mechanisms only (plus NEURON's ``pas``), and
they must reproduce the published mechanisms to the printed digits of the reference values
(computed with the published model's original .mod files), with the names (RANGE, GLOBAL, implicit GLOBAL) the cell
JSONs set. Per-channel numbers come from one compartment with every channel inserted,
``finitialize(v)`` and the RANGE variables read back. The whole-soma check
then runs the TC and RE somata for 1.5 s, which exercises the integration (cnexp, htc's
KINETIC/sparse step, cadad's clamp) and the interplay of all the mechanisms. Only this file's
own .mod files are compiled. NEURON runs once, in a subprocess, which prints every measured number
as JSON; the assertions are made here.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from testutils import run_py

from sonata_s1.mechanisms import compiled_mechanisms_dir
from sonata_s1.paths import MODFILES_DIR

MECHS = ("hh2ad", "ittc", "itre", "htc", "ia", "kl", "cadad")

# hh2ad: (v, vtraub) -> m_inf, h_inf, n_inf, tau_m, tau_h, tau_n.
HH2AD = {
    (-65.0, -63.0): ("0.009732404516", "0.9975610872", "0.02707447896", "0.1048749647", "3.378561494", "1.795748439"),
    (-65.0, -38.0): ("3.097689778e-05", "0.9999958914", "2.396772358e-04", "0.06640141063", "0.8445079911",
                     "0.9877061271"),
    (-65.0, -55.0): ("0.001675687025", "0.9996835491", "0.006540136526", "0.08882764451", "2.170876432",
                     "1.501264903"),
    (-20.0, -63.0): ("0.9038539462", "0.01155544416", "0.8040870383", "0.1172225079", "0.4767768678", "1.113808080"),
    (-20.0, -38.0): ("0.2644732276", "0.7139461895", "0.3420010477", "0.1469186880", "7.345261005", "2.002342406"),
    (-20.0, -55.0): ("0.7614337161", "0.04193649203", "0.7089614716", "0.1341853787", "1.109432444", "1.354686440"),
}
HH2AD_VARS = ("m_inf", "h_inf", "n_inf", "tau_m", "tau_h", "tau_n")
VTRAUBS = (-63.0, -38.0, -55.0)

# ittc: v -> m_inf, h_inf, tau_m (q10m 3), tau_m (q10m 3.55), tau_h (q10h 3), i/g.
ITTC = {
    -65.0: ("0.2753308111", "0.01098694263", "3.936565822", "3.326675342", "21.14371946", "-184.477429"),
    -20.0: ("0.9981492698", "1.444980037e-07", "0.6008169317", "0.5077326184", "10.33498268", "-139.477429"),
}
# ittc/itre: Nernst carev at 34 degC, cao 2 mM.
CAREV = {2.4e-4: "119.4774290", 5e-5: "140.2366011"}

# itre: v -> m_inf, h_inf, tau_m (q10m 2.5), tau_h (q10h 2.5), tau_h (q10h 3).
ITRE = {
    -65.0: ("0.1471969986", "0.04742587318", "1.630906371", "60.08524855", "50.07104046"),
    -20.0: ("0.9869305771", "6.144174602e-06", "0.4654120114", "34.00036475", "28.33363729"),
}

# htc: v -> h_inf, tau_s, alpha, beta, k1ca, steady-state m (activation).
HTC = {
    -65.0: ("0.1396521834", "754.7675315", "1.850267501e-04", "1.139884508e-03", "8.2944e-08", "0.1450227642"),
    -20.0: ("4.539786870e-05", "58.05152774", "7.820271141e-07", "0.01722529348", "8.2944e-08", "4.728017429e-05"),
}
HTC_VARS = ("h_inf", "tau_s", "alpha", "beta", "k1ca", "m_act")

# ia: v -> m_inf, h_inf, tau_m, tau_h.
IA = {
    -65.0: ("0.3570398621", "0.1027840249", "0.6991829887", "9.753630063"),
    -20.0: ("0.9910390914", "6.335669175e-05", "0.2574503395", "5.994821877"),
}

# kl (defaults gmax 4e-4, erev -100).
KL = {-65.0: "0.014", -20.0: "0.032"}

# cadad: ica = -1e-4 mA/cm2.
CADAD = {"drive": "5.181937837e-06", "cai_ss": "2.659096892e-04"}

# Defaults of every RANGE/GLOBAL parameter, as specified.
DEFAULTS = {
    "gnabar_hh2ad": 0.003, "gkbar_hh2ad": 0.005, "vtraub_hh2ad": -63.0,
    "gmax_ittc": 0.0022, "shift_ittc": 2.0, "q10m_ittc": 3.0, "q10h_ittc": 3.0, "exptemp_ittc": 24.0,
    "gmax_itre": 0.003, "shift_itre": 2.0, "exptemp_itre": 24.0, "q10m_itre": 2.5, "q10h_itre": 2.5,
    "gmax_htc": 2e-5, "cac_htc": 0.002, "k2_htc": 0.0004, "Pc_htc": 0.01, "k4_htc": 0.001, "nca_htc": 4.0,
    "nexp_htc": 1.0, "ginc_htc": 2.0, "taum_htc": 20.0, "shift_htc": 0.0, "exptemp_htc": 36.0,
    "eh_htc": -40.0, "q10_htc": 3.0,
    "gmax_ia": 0.0, "exptemp_ia": 23.5, "q10_ia": 3.0,
    "gmax_kl": 4e-4, "erev_kl": -100.0,
    "depth_cadad": 1.0, "taur_cadad": 5.0, "cainf_cadad": 2.4e-4, "kt_cadad": 0.0, "kd_cadad": 0.0,
}
GLOBALS = ("q10m_ittc", "q10h_ittc", "exptemp_ittc", "exptemp_itre", "q10m_itre", "q10h_itre",
           "eh_htc", "q10_htc", "erev_kl")
# Internal temperature factors must not be visible from hoc (they are computed per temperature).
HIDDEN = ("tadj_hh2ad", "phi_m_ittc", "phi_h_ittc", "phim_itre", "phih_itre", "tadj_htc", "tadj_ia")

CHANNELS = r'''
import json, math, sys
import neuron
from neuron import h

if not neuron.load_mechanisms(@MECH_DIR@, warn_if_already_loaded=False):
    sys.exit("could not load mechanisms")
MECHS = @MECHS@
VTRAUBS = @VTRAUBS@
h.celsius = 34.0
h.dt = 0.025
# cai = 2.4e-4 for every mechanism's INITIAL, whatever order NEURON initialises them in.
h.cai0_ca_ion = 2.4e-4
h.cao0_ca_ion = 2.0
sec = h.Section(name="soma")
sec.L = sec.diam = 10.0
sec.nseg = len(VTRAUBS)
for m in MECHS:
    sec.insert(m)
segs = list(sec)

def lookup(obj, name):
    """(found, value); range variables raise TypeError when read through h."""
    try:
        return True, getattr(obj, name)
    except (AttributeError, TypeError, LookupError):
        return False, None

out = {"defaults": {}, "globals_present": {}, "hidden_present": {}}
for name in @DEFAULTS@:
    found, val = lookup(h, name)
    out["defaults"][name] = val if found else lookup(segs[0], name)[1]
for name in @GLOBALS@:
    out["globals_present"][name] = lookup(h, name)[0]
for name in @HIDDEN@:
    out["hidden_present"][name] = lookup(h, name)[0] or lookup(segs[0], name)[0]
for seg, vt in zip(segs, VTRAUBS, strict=True):
    seg.vtraub_hh2ad = vt
seg = segs[0]
# Channel checks need no membrane dynamics, only the state after finitialize.

def read(v):
    h.finitialize(v)
    r = {"v": seg.v, "cai": seg.cai}
    r["hh2ad"] = {str(vt): {k: getattr(s, f"{k}_hh2ad") for k in
                            ("m_inf", "h_inf", "n_inf", "tau_m", "tau_h", "tau_n", "m_exp", "h_exp", "n_exp",
                             "m", "h", "n")} for s, vt in zip(segs, VTRAUBS, strict=True)}
    r["ittc"] = {k: getattr(seg, f"{k}_ittc") for k in ("m_inf", "h_inf", "tau_m", "tau_h", "m", "h", "g", "i")}
    r["itre"] = {k: getattr(seg, f"{k}_itre") for k in ("m_inf", "h_inf", "tau_m", "tau_h", "m", "h", "i",
                                                         "carev")}
    r["htc"] = {k: getattr(seg, f"{k}_htc") for k in ("h_inf", "tau_s", "alpha", "beta", "k1ca", "k3p", "m",
                                                       "i", "c1", "o1", "o2", "p0", "p1")}
    r["htc"]["ih"] = seg.ih_htc
    r["ia"] = {k: getattr(seg, f"{k}_ia") for k in ("m_inf", "h_inf", "tau_m", "tau_h", "m", "h")}
    r["kl"] = {"i": seg.i_kl}
    r["ica"] = seg.ica
    r["ik"] = seg.ik
    r["ek"] = seg.ek
    r["ina"] = seg.ina
    # Steady-state activation helper of htc (sets RANGE m).
    seg.htc.activation(v, seg.cai)
    r["htc"]["m_act"] = seg.m_htc
    return r

res = {}
for v in (-65.0, -20.0):
    res[str(v)] = {"default": read(v)}
    h.q10m_ittc = 3.55
    h.q10h_itre = 3.0
    res[str(v)]["model"] = read(v)
    h.q10m_ittc = 3.0
    h.q10h_itre = 2.5
out["init"] = res

# Temperature factors are computed at finitialize only: one step after changing celsius must give
# the same gating states as one step without the change. Huge cm and no Ca conductance (carev
# follows celsius) keep v identical in both runs. A control run initialised cold must differ.
GATES = {"hh2ad": "mhn", "ittc": "mh", "itre": "mh", "ia": "mh", "htc": ("c1", "o1", "o2", "p1")}
def one_step(init_celsius, step_celsius):
    h.celsius = init_celsius
    h.finitialize(-65.0)
    h.celsius = step_celsius
    h.fadvance()
    h.celsius = 34.0
    return {f"{m}.{g}": getattr(seg, f"{g}_{m}") for m, gs in GATES.items() for g in gs}
sec.cm = 1e9
for s in segs:
    s.gmax_ittc = s.gmax_itre = 0.0
out["celsius_step"] = {"warm": one_step(34.0, 34.0), "changed": one_step(34.0, 6.3), "cold": one_step(6.3, 6.3)}
sec.cm = 1.0
for s in segs:
    s.gmax_ittc, s.gmax_itre = 0.0022, 0.003

# Nernst carev at cai = 5e-5 (cadad's cainf sets cai at INITIAL).
for s in segs:
    s.cainf_cadad = 5e-5
h.finitialize(-65.0)
out["carev_low"] = {"cai": seg.cai, "itre": seg.carev_itre, "ittc": seg.v - seg.i_ittc / seg.g_ittc}
for s in segs:
    s.cainf_cadad = 2.4e-4

# kl with the model's erev: still only ik, driving force from erev not ek.
seg.ek = -50.0
h.erev_kl = -95.0
h.finitialize(-65.0)
out["kl_model"] = {"i": seg.i_kl, "ek": seg.ek}
h.erev_kl = -100.0

# cadad: one step with a known inward ica. Only ittc carries calcium current here; scale its gmax
# so that ica = -1e-4 mA/cm2 at t = 0. The state update of the first step uses exactly that ica.
for s in segs:
    for m, p in (("hh2ad", "gnabar"), ("hh2ad", "gkbar"), ("itre", "gmax"), ("htc", "gmax"), ("kl", "gmax")):
        setattr(s, f"{p}_{m}", 0.0)
def cadad_step(target):
    h.finitialize(-65.0)
    scale = target / seg.ica
    for s in segs:
        s.gmax_ittc *= scale
    h.finitialize(-65.0)
    ica0, cai0 = seg.ica, seg.cai
    h.fadvance()
    return {"ica": ica0, "cai0": cai0, "cai1": seg.cai, "dt": h.dt}
out["cadad_in"] = cadad_step(-1e-4)
out["cadad_out"] = cadad_step(+1e-4)
print("JSON" + json.dumps(out))
'''

SOMA = r'''
import json, sys
import neuron
from neuron import h

if not neuron.load_mechanisms(@MECH_DIR@, warn_if_already_loaded=False):
    sys.exit("could not load mechanisms")
h.load_file("stdrun.hoc")

# the single-section thalamic templates (JSON key order: L, Ra, cm, diam, nseg).
TEMPLATES = {
    "TC": {"geom": {"L": 96.0, "Ra": 100.0, "cm": 1.0, "diam": 96.0, "nseg": 1},
           "pt3d": [(0, 0, 0, 96.0), (0, 96.0, 0, 96.0)],
           "mechs": {"cadad": {"cainf": 0.00024, "depth": 1.0, "kd": 0.0, "kt": 0.0, "taur": 5.0},
                     "hh2ad": {"gkbar": 0.01, "gnabar": 0.09, "vtraub": -38.0},
                     "htc": {"Pc": 0.01, "cac": 0.002, "exptemp": 36.0, "ginc": 2.0, "gmax": 2e-05,
                             "k2": 0.0004, "k4": 0.001, "nca": 4.0, "nexp": 1.0, "shift": 0.0, "taum": 20.0},
                     "ia": {"exptemp": 23.5, "gmax": 0.0, "q10": 3.0},
                     "ittc": {"gmax": 0.0022, "shift": 2},
                     "kl": {"gmax": 4e-06},
                     "pas": {"e": -70, "g": 1e-05}}},
    "RE": {"geom": {"L": 64.86, "Ra": 100.0, "cm": 1.0, "diam": 70.0, "nseg": 1},
           "pt3d": [(0, 0, 0, 70.0), (0, 64.86, 0, 70.0)],
           "mechs": {"cadad": {"cainf": 0.00024, "depth": 1.0, "kd": 0.0, "kt": 0.0, "taur": 5.0},
                     "hh2ad": {"gkbar": 0.02, "gnabar": 0.2, "vtraub": -55.0},
                     "itre": {"gmax": 0.003, "shift": 2.0},
                     "kl": {"gmax": 3e-06},
                     "pas": {"e": -80.0, "g": 5e-05}}},
}
IONS = {"ca": {"e": 132.4579341637009, "i": 5e-05, "o": 2.0}, "k": {"e": -95.0, "i": 54.4, "o": 2.5},
        "na": {"e": 50.0, "i": 10.0, "o": 140.0}}

def build(name, tpl):
    sec = h.Section(name=name)
    for k, val in tpl["geom"].items():
        setattr(sec, k, val)
    h.pt3dclear(sec=sec)
    for x, y, z, d in tpl["pt3d"]:
        h.pt3dadd(x, y, z, d, sec=sec)
    for mech, params in tpl["mechs"].items():
        sec.insert(mech)
        for p, val in params.items():
            for seg in sec:
                setattr(seg, f"{p}_{mech}", val)
    for ion, vals in IONS.items():
        sec.insert(f"{ion}_ion")
        for seg in sec:
            setattr(seg, f"e{ion}", vals["e"])
            setattr(seg, f"{ion}i", vals["i"])
            setattr(seg, f"{ion}o", vals["o"])
        setattr(h, f"{ion}i0_{ion}_ion", vals["i"])
        setattr(h, f"{ion}o0_{ion}_ion", vals["o"])
    return sec

h.erev_kl = -95.0
h.q10m_ittc = 3.55
h.q10h_itre = 3.0
h.celsius = 34.0
h.cvode_active(0)
h.dt = 0.025
h.steps_per_ms = 40
h.tstop = 1500.0
keep = []
cases = {}
for cell in ("TC", "RE"):
    for amp in (None, -0.1, 0.1):
        key = f"{cell}:{amp}"
        sec = build(key, TEMPLATES[cell])
        seg = sec(0.5)
        if amp is not None:
            stim = h.IClamp(seg)
            stim.delay, stim.dur, stim.amp = 500.0, 300.0, amp
            keep.append(stim)
        nc = h.NetCon(seg._ref_v, None, sec=sec)
        nc.threshold = 0.0
        spikes = h.Vector()
        nc.record(spikes)
        vrec, crec = h.Vector(), h.Vector()
        vrec.record(seg._ref_v)
        crec.record(seg._ref_cai)
        keep += [sec, nc]
        cases[key] = (sec, spikes, vrec, crec)
trec = h.Vector()
trec.record(h._ref_t)
h.finitialize(-65.0)
h.continuerun(h.tstop)
t = trec.as_numpy()
out = {}
for key, (sec, spikes, vrec, crec) in cases.items():
    v, cai = vrec.as_numpy(), crec.as_numpy()
    idx = {str(tt): int(round(tt / h.dt)) for tt in (499.0, 799.0, 1500.0)}
    out[key] = {"area": sec(0.5).area(), "spikes": list(spikes),
                "v": {k: float(v[i]) for k, i in idx.items()},
                "t": {k: float(t[i]) for k, i in idx.items()},
                "cai": float(cai[idx["1500.0"]]), "n_samples": len(v)}
print("JSON" + json.dumps(out))
'''

# whole-soma check: cell:amp -> (n spikes, {spike index: printed time}, v(499), v(799), v(1500), cai(1500)).
SOMA_CHECKS = {
    "TC:None": (0, {}, "-59.0884", "-58.9966", "-58.9111", "3.01325e-4"),
    "TC:-0.1": (10, dict(enumerate("837.95 840.73 843.28 846.08 849.18 852.75 856.98 862.50 870.98 897.98".split())),
                "-59.0884", "-87.6204", "-55.8254", "2.83305e-4"),
    "TC:0.1": (0, {}, "-59.0884", "-48.7192", "-58.9769", "3.01735e-4"),
    "RE:None": (12, dict(enumerate(("522.92 526.82 530.97 535.92 542.60 555.30 1048.38 1052.25 1056.43 1061.38 "
                                    "1068.05 1080.85").split())),
                "-72.5074", "-78.1642", "-75.3231", "3.20951e-4"),
    "RE:-0.1": (23, {0: "880.43", 16: "951.15", 17: "1439.63", 22: "1472.05"},
                "-72.5074", "-93.9688", "-76.0439", "2.93518e-4"),
    "RE:0.1": (20, {**dict(enumerate(("510.70 514.27 517.95 522.05 526.87 532.92 541.65 558.05 588.63 627.18 "
                                      "668.18 709.93 751.90 793.95").split())), 14: "1289.00", 19: "1321.38"},
               "-72.5074", "-76.4801", "-78.8967", "2.68760e-4"),
}
AREAS = {"TC": "28952.918", "RE": "14263.459"}


def _within_printed(value: float, printed: str) -> bool:
    """True when ``value`` equals ``printed`` to its last printed digit (half a unit of it)."""
    unit = float(Decimal(1).scaleb(Decimal(printed).as_tuple().exponent))
    return abs(value - float(printed)) <= 0.5 * unit * (1 + 1e-9)


def _run(code: str) -> dict:
    files = [MODFILES_DIR / f"{m}.mod" for m in MECHS]
    mech_dir = compiled_mechanisms_dir(files)
    subs = {"@MECH_DIR@": repr(str(mech_dir)), "@MECHS@": repr(MECHS), "@VTRAUBS@": repr(VTRAUBS),
            "@DEFAULTS@": repr(tuple(DEFAULTS)), "@GLOBALS@": repr(GLOBALS), "@HIDDEN@": repr(HIDDEN)}
    for k, val in subs.items():
        code = code.replace(k, val)
    proc = run_py(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON"))
    return json.loads(line[4:])


@pytest.fixture(scope="module")
def channels() -> dict:
    return _run(CHANNELS)


@pytest.fixture(scope="module")
def soma() -> dict:
    return _run(SOMA)


def _mismatches(pairs: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    return [(label, printed, got) for label, printed, got in pairs if not _within_printed(got, printed)]


def test_defaults_and_name_visibility(channels: dict) -> None:
    assert channels["defaults"] == DEFAULTS
    assert all(channels["globals_present"].values()), channels["globals_present"]
    assert not any(channels["hidden_present"].values()), channels["hidden_present"]


def test_hh2ad(channels: dict) -> None:
    pairs = []
    for (v, vt), printed in HH2AD.items():
        got = channels["init"][str(v)]["default"]["hh2ad"][str(vt)]
        pairs += [(f"{k} v={v} vtraub={vt}", p, got[k]) for k, p in zip(HH2AD_VARS, printed, strict=True)]
        # Initial states are the steady states; m_exp etc. are 1 - exp(-dt/tau).
        for g in "mhn":
            assert got[g] == got[f"{g}_inf"]
            assert math.isclose(got[f"{g}_exp"], -math.expm1(-0.025 / got[f"tau_{g}"]), rel_tol=1e-12)
    assert not _mismatches(pairs), _mismatches(pairs)


def test_ittc(channels: dict) -> None:
    pairs = []
    for v, (minf, hinf, taum3, taum355, tauh3, drive) in ITTC.items():
        d, m = channels["init"][str(v)]["default"]["ittc"], channels["init"][str(v)]["model"]["ittc"]
        pairs += [(f"m_inf {v}", minf, d["m_inf"]), (f"h_inf {v}", hinf, d["h_inf"]),
                  (f"tau_m q10m=3 {v}", taum3, d["tau_m"]), (f"tau_m q10m=3.55 {v}", taum355, m["tau_m"]),
                  (f"tau_h q10h=3 {v}", tauh3, d["tau_h"]), (f"tau_h model {v}", tauh3, m["tau_h"]),
                  (f"i/g {v}", drive, d["i"] / d["g"])]
        assert d["m"] == d["m_inf"] and d["h"] == d["h_inf"]
        assert math.isclose(d["g"], 0.0022 * d["m"] ** 2 * d["h"], rel_tol=1e-12)
    low = channels["carev_low"]
    assert low["cai"] == 5e-5
    pairs += [("carev cai=5e-5 (ittc)", CAREV[5e-5], low["ittc"])]
    assert not _mismatches(pairs), _mismatches(pairs)


def test_itre(channels: dict) -> None:
    pairs = []
    for v, (minf, hinf, taum, tauh25, tauh3) in ITRE.items():
        d, m = channels["init"][str(v)]["default"]["itre"], channels["init"][str(v)]["model"]["itre"]
        pairs += [(f"m_inf {v}", minf, d["m_inf"]), (f"h_inf {v}", hinf, d["h_inf"]),
                  (f"tau_m {v}", taum, d["tau_m"]), (f"tau_m model {v}", taum, m["tau_m"]),
                  (f"tau_h q10h=2.5 {v}", tauh25, d["tau_h"]), (f"tau_h q10h=3 {v}", tauh3, m["tau_h"]),
                  (f"carev {v}", CAREV[2.4e-4], d["carev"])]
        assert d["m"] == d["m_inf"] and d["h"] == d["h_inf"]
        assert math.isclose(d["i"], 0.003 * d["m"] ** 2 * d["h"] * (v - d["carev"]), rel_tol=1e-12)
    pairs += [("carev cai=5e-5", CAREV[5e-5], channels["carev_low"]["itre"])]
    assert not _mismatches(pairs), _mismatches(pairs)


def test_ca_currents_sum_into_ica(channels: dict) -> None:
    d = channels["init"]["-65.0"]["default"]
    assert d["cai"] == 2.4e-4
    assert math.isclose(d["ica"], d["ittc"]["i"] + d["itre"]["i"], rel_tol=1e-12)


def test_htc(channels: dict) -> None:
    pairs = []
    for v, printed in HTC.items():
        d = channels["init"][str(v)]["default"]["htc"]
        pairs += [(f"{k} {v}", p, d[k]) for k, p in zip(HTC_VARS, printed, strict=True)]
        # INITIAL is not steady state: closed, unbound, no current.
        assert (d["c1"], d["o1"], d["o2"], d["p0"], d["p1"]) == (1.0, 0.0, 0.0, 1.0, 0.0)
        assert d["m"] == 0.0 and d["k3p"] == 0.0 and d["i"] == 0.0 and d["ih"] == 0.0
    assert not _mismatches(pairs), _mismatches(pairs)


def test_ia(channels: dict) -> None:
    pairs = []
    for v, printed in IA.items():
        d = channels["init"][str(v)]["default"]["ia"]
        pairs += [(f"{k} {v}", p, d[k]) for k, p in zip(("m_inf", "h_inf", "tau_m", "tau_h"), printed, strict=True)]
        assert d["m"] == d["m_inf"] and d["h"] == d["h_inf"]
    assert not _mismatches(pairs), _mismatches(pairs)


def test_kl(channels: dict) -> None:
    pairs = [(f"i {v}", p, channels["init"][str(v)]["default"]["kl"]["i"]) for v, p in KL.items()]
    assert not _mismatches(pairs), _mismatches(pairs)
    # erev_kl is the driving force (ek is read but unused) and the current goes into ik.
    assert math.isclose(channels["kl_model"]["i"], 4e-4 * (-65.0 + 95.0), rel_tol=1e-12)
    d = channels["init"]["-65.0"]["default"]
    ik_hh2ad = 0.005 * d["hh2ad"]["-63.0"]["n"] ** 4 * (-65.0 - d["ek"])
    assert math.isclose(d["ik"], d["kl"]["i"] + ik_hh2ad, rel_tol=1e-12)  # ia has gmax 0


def test_temperature_factors_fixed_at_init(channels: dict) -> None:
    st = channels["celsius_step"]
    assert st["changed"] == st["warm"]
    moved = [k for k in st["warm"] if k != "htc.p1" and st["cold"][k] != st["warm"][k]]
    assert len(moved) == len(st["warm"]) - 1, moved  # every temperature-dependent gate follows a cold init


def test_cadad(channels: dict) -> None:
    inward, outward = channels["cadad_in"], channels["cadad_out"]
    assert inward["cai0"] == 2.4e-4
    assert math.isclose(inward["ica"], -1e-4, rel_tol=1e-12)
    taur = 5.0
    drive = (inward["cai1"] - inward["cai0"]) / (-math.expm1(-inward["dt"] / taur) * taur)
    pairs = [("drive", CADAD["drive"], drive), ("cai_ss", CADAD["cai_ss"], 2.4e-4 + taur * drive)]
    assert not _mismatches(pairs), _mismatches(pairs)
    # Outward calcium current cannot pump calcium in: cai stays at cainf.
    assert outward["ica"] > 0 and outward["cai1"] == outward["cai0"] == 2.4e-4


@pytest.mark.parametrize("case", list(SOMA_CHECKS))
def test_whole_soma(soma: dict, case: str) -> None:
    n, times, v499, v799, v1500, cai = SOMA_CHECKS[case]
    got = soma[case]
    assert got["n_samples"] == 60001
    assert all(math.isclose(got["t"][k], float(k), abs_tol=1e-6) for k in got["t"])
    pairs = [("area", AREAS[case.split(":")[0]], got["area"]), ("v(499)", v499, got["v"]["499.0"]),
             ("v(799)", v799, got["v"]["799.0"]), ("v(1500)", v1500, got["v"]["1500.0"]),
             ("cai(1500)", cai, got["cai"])]
    assert len(got["spikes"]) == n, got["spikes"]
    pairs += [(f"spike {i}", p, got["spikes"][i]) for i, p in times.items()]
    assert not _mismatches(pairs), _mismatches(pairs)
