"""Checks of the cortical channels NaTa_t, NaTs2_t, Nap_Et2, K_Pst, K_Tst, SKv3_1, Im, Ih.

Why: these channels must reproduce the published BBP mechanisms to the last printed digit
(reference values computed with the original .mod files; two bIR215 cells are chaotic at ~1e-6 relative
error). Style follows NEURON's own mechanism tests: one compartment with every channel
inserted, ``finitialize(v)`` and read the states back. Time constants come from the
large-``cm`` jump method: initialise at ``v0``, set ``v = v1``, one ``fadvance``; with all
maximal conductances 0 the membrane carries no current, so ``v`` stays exactly ``v1`` and the
cnexp update ``x1 = x0 + (1 - exp(-dt/tau))(xinf - x0)`` gives ``tau(v1)`` (this also makes the
guard-point tau of Ih reachable). Only this file's own .mod files are compiled, so the test
does not depend on other mechanisms in the folder. NEURON runs once, in a subprocess, which
prints every measured number as JSON; the assertions are made here.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from testutils import run_py

from sonata_s1.mechanisms import compiled_mechanisms_dir
from sonata_s1.paths import MODFILES_DIR

MECHS = {"NaTa_t": "mh", "NaTs2_t": "mh", "Nap_Et2": "mh", "K_Pst": "mh", "K_Tst": "mh",
         "SKv3_1": "m", "Im": "m", "Ih": "m"}

# (mechanism, gate) -> (xinf(-65), tau(-65), xinf(-20), tau(-20)), as printed in the spec.
TABLES = {
    ("NaTa_t", "m"): ("0.0160435478", "0.09842211", "0.967192015", "0.09500436"),
    ("NaTa_t", "h"): ("0.458429517", "1.877058", "0.000467956726", "0.4903408"),
    ("NaTs2_t", "m"): ("0.00596256044", "0.0819299", "0.915577814", "0.1227564"),
    ("NaTs2_t", "h"): ("0.697059284", "1.779588", "0.00127101626", "0.5629854"),
    ("Nap_Et2", "m"): ("0.0632303993", "0.5905327", "0.999164761", "0.5700262"),
    ("Nap_Et2", "h"): ("0.83479513", "2192.013", "0.0531511364", "1038.002"),
    ("K_Pst", "m"): ("0.0109869426", "14.60818", "0.320821301", "6.133021"),
    ("K_Pst", "h"): ("0.522711633", "409.4406", "0.01798621", "235.0258"),
    ("K_Tst", "m"): ("0.0524143539", "0.4046112", "0.371376581", "0.2221222"),
    ("K_Tst", "h"): ("0.249739894", "11.70326", "0.0036842399", "2.718369"),
    ("SKv3_1", "m"): ("0.000178835382", "1.58821", "0.0181692074", "2.584201"),
    ("Im", "m"): ("0.00247262316", "5.096608", "0.952574127", "21.81207"),
    ("Ih", "m"): ("0.0110592251", "36.51381", "9.81343658e-05", "9.480116"),
}

# Initialised states at the guard voltages (the guard shifts a local copy of v by +1e-4).
GUARD_STATES = {
    ("NaTa_t", -38.0): {"m": "0.594775259", "h": "0.00931580553"},
    ("NaTa_t", -66.0): {"m": "0.0136141012", "h": "0.499995833"},
    ("NaTs2_t", -32.0): {"m": "0.594775259", "h": "0.00931580553"},
    ("NaTs2_t", -60.0): {"m": "0.0136141012", "h": "0.499995833"},
    ("Nap_Et2", -38.0): {"m": "0.959840691", "h": "0.253504124"},
    ("Nap_Et2", -17.0): {"m": "0.999564739", "h": "0.0399249506"},
    ("Nap_Et2", -64.4): {"m": "0.0714107957", "h": "0.826351918"},
    ("Ih", -154.9): {"m": "0.977125086"},
}
GUARD_TAUS = {("Ih", "m", -154.9): "12.77009"}
# K_Pst branch switch at v = -60 (u = -50 exactly takes the second mTau branch).
KPST_BRANCH = {"minf": "0.0165719441", "mtau": "16.57731", "hinf": "0.410079591", "htau": "413.6725"}

GUARD_VOLTAGES = (-38.0, -66.0, -32.0, -60.0, -17.0, -64.4, -154.9)
# Conductances for the current-equation check: negative K_Tst/Im and zero Nap_Et2 occur in the cell files.
GBARS = {"NaTa_t": 3.2, "NaTs2_t": 0.9, "Nap_Et2": 0.0, "K_Pst": 0.5, "K_Tst": -0.0025,
         "SKv3_1": 1.9, "Im": -3.2e-4, "Ih": 0.0116902}

CHILD = r'''
import json, math, sys
import neuron
from neuron import h

MECHS = {mechs!r}
GBARS = {gbars!r}
GUARDS = {guards!r}
if not neuron.load_mechanisms({mech_dir!r}, warn_if_already_loaded=False):
    sys.exit("could not load mechanisms")
h.celsius = 34.0
h.dt = 0.025
sec = h.Section(name="soma")
sec.L = sec.diam = 10.0
sec.nseg = 1
seg = sec(0.5)
for mech in MECHS:
    sec.insert(mech)
out = {{"defaults": {{m: getattr(seg, f"g{{m}}bar_{{m}}") for m in MECHS}}, "ehcn": h.ehcn_Ih}}

def set_gbar(values):
    for m in MECHS:
        setattr(seg, f"g{{m}}bar_{{m}}", values.get(m, 0.0))

def states():
    return {{f"{{m}}.{{g}}": getattr(seg, f"{{g}}_{{m}}") for m, gates in MECHS.items() for g in gates}}

def init(v):
    h.finitialize(v)
    return states()

def taus(v0, v1):
    """Time constants at v1 from one step after a jump v0 -> v1 with no membrane current."""
    inf1 = init(v1)
    x0 = init(v0)
    seg.v = v1
    h.fadvance()
    assert seg.v == v1, seg.v
    x1 = states()
    res = {{}}
    for k in x1:
        frac = (x1[k] - x0[k]) / (inf1[k] - x0[k]) if inf1[k] != x0[k] else float("nan")
        res[k] = -h.dt / math.log1p(-frac) if 0 < frac < 1 else float("nan")
    return res

set_gbar({{}})
sec.cm = 1e9
out["inf"] = {{str(v): init(v) for v in (-65.0, -20.0, -60.0, *GUARDS)}}
out["tau"] = {{"-65.0": taus(-20.0, -65.0), "-20.0": taus(-65.0, -20.0), "-60.0": taus(-65.0, -60.0),
              "-154.9": taus(-65.0, -154.9)}}
h.celsius = 6.3
out["tau_cold"] = taus(-20.0, -65.0)
h.celsius = 34.0
# Guard voltages with real conductances: states and currents must be finite, after init and
# after a few steps (normal cm, so v leaves the guard point).
sec.cm = 1.0
set_gbar(GBARS)
finite = {{}}
for v in GUARDS:
    h.finitialize(v)
    vals = [*states().values(), seg.ina, seg.ik, seg.ihcn_Ih]
    for _ in range(4):
        h.fadvance()
        vals += [*states().values(), seg.ina, seg.ik, seg.ihcn_Ih, seg.v]
    finite[str(v)] = all(math.isfinite(x) for x in vals)
out["finite"] = finite
# Current equations with negative/zero conductances, at a non-special voltage.
seg.ena = 50.0
seg.ek = -85.0
h.finitialize(-50.0)
cur = {{m: {{"g": getattr(seg, f"g{{m}}_{{m}}"), "gbar": getattr(seg, f"g{{m}}bar_{{m}}")}} for m in MECHS}}
for m in ("NaTa_t", "NaTs2_t", "Nap_Et2"):
    cur[m]["i"] = getattr(seg, f"ina_{{m}}")
for m in ("K_Pst", "K_Tst", "SKv3_1", "Im"):
    cur[m]["i"] = getattr(seg, f"ik_{{m}}")
cur["Ih"]["i"] = seg.ihcn_Ih
out["current"] = {{"v": seg.v, "ena": seg.ena, "ek": seg.ek, "ina": seg.ina, "ik": seg.ik,
                  "states": states(), "mechs": cur}}
print("JSON" + json.dumps(out))
'''


def _within_printed(value: float, printed: str) -> bool:
    """True when ``value`` equals ``printed`` to its last printed digit (half a unit of it)."""
    unit = float(Decimal(1).scaleb(Decimal(printed).as_tuple().exponent))
    return abs(value - float(printed)) <= 0.5 * unit * (1 + 1e-9)


@pytest.fixture(scope="module")
def results() -> dict:
    files = [MODFILES_DIR / f"{m}.mod" for m in MECHS]
    mech_dir = compiled_mechanisms_dir(files)
    code = CHILD.format(mechs=MECHS, gbars=GBARS, guards=GUARD_VOLTAGES, mech_dir=str(mech_dir))
    proc = run_py(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON"))
    return json.loads(line[4:])


def test_steady_states_and_time_constants(results: dict) -> None:
    bad = []
    for (mech, gate), (inf65, tau65, inf20, tau20) in TABLES.items():
        key = f"{mech}.{gate}"
        for v, printed, got in (("-65.0", inf65, results["inf"]["-65.0"][key]),
                                ("-65.0", tau65, results["tau"]["-65.0"][key]),
                                ("-20.0", inf20, results["inf"]["-20.0"][key]),
                                ("-20.0", tau20, results["tau"]["-20.0"][key])):
            if not _within_printed(got, printed):
                bad.append((key, v, printed, got))
    assert not bad, bad


def test_guard_voltage_states(results: dict) -> None:
    bad = [(mech, v, gate, printed, results["inf"][str(v)][f"{mech}.{gate}"])
           for (mech, v), gates in GUARD_STATES.items() for gate, printed in gates.items()
           if not _within_printed(results["inf"][str(v)][f"{mech}.{gate}"], printed)]
    for (mech, gate, v), printed in GUARD_TAUS.items():
        got = results["tau"][str(v)][f"{mech}.{gate}"]
        if not _within_printed(got, printed):
            bad.append((mech, v, f"tau_{gate}", printed, got))
    assert not bad, bad


def test_guard_voltages_give_finite_values(results: dict) -> None:
    assert set(results["finite"]) == {str(v) for v in GUARD_VOLTAGES}
    assert all(results["finite"].values()), results["finite"]


def test_k_pst_branch_switch(results: dict) -> None:
    got = {"minf": results["inf"]["-60.0"]["K_Pst.m"], "mtau": results["tau"]["-60.0"]["K_Pst.m"],
           "hinf": results["inf"]["-60.0"]["K_Pst.h"], "htau": results["tau"]["-60.0"]["K_Pst.h"]}
    bad = {k: (KPST_BRANCH[k], got[k]) for k in KPST_BRANCH if not _within_printed(got[k], KPST_BRANCH[k])}
    assert not bad, bad


def test_time_constants_ignore_celsius(results: dict) -> None:
    """QT is fixed for 34 degC and SKv3_1/Ih have no temperature factor: tau must not follow celsius."""
    warm, cold = results["tau"]["-65.0"], results["tau_cold"]
    assert all(math.isclose(warm[k], cold[k], rel_tol=1e-12) for k in warm), (warm, cold)


def test_defaults(results: dict) -> None:
    assert results["defaults"] == {m: 1e-5 for m in MECHS}
    assert results["ehcn"] == -45.0


def test_current_equations_accept_negative_and_zero_gbar(results: dict) -> None:
    cur = results["current"]
    st, mechs, v = cur["states"], cur["mechs"], cur["v"]
    powers = {"NaTa_t": (3, 1), "NaTs2_t": (3, 1), "Nap_Et2": (3, 1), "K_Pst": (2, 1), "K_Tst": (4, 1),
              "SKv3_1": (1, 0), "Im": (1, 0), "Ih": (1, 0)}
    erev = {"NaTa_t": cur["ena"], "NaTs2_t": cur["ena"], "Nap_Et2": cur["ena"], "Ih": -45.0}
    for mech, (pm, ph) in powers.items():
        assert mechs[mech]["gbar"] == GBARS[mech]
        g = GBARS[mech] * st[f"{mech}.m"] ** pm * (st[f"{mech}.h"] ** ph if ph else 1.0)
        assert math.isclose(mechs[mech]["g"], g, rel_tol=1e-12, abs_tol=1e-300), mech
        i = g * (v - erev.get(mech, cur["ek"]))
        assert math.isclose(mechs[mech]["i"], i, rel_tol=1e-12, abs_tol=1e-300), mech
    assert mechs["K_Tst"]["i"] < 0 < mechs["SKv3_1"]["i"]  # negative gbar flips the outward K current
    assert mechs["Nap_Et2"]["i"] == 0.0
    # Ion totals: Ih is non-specific and must not appear in ina or ik.
    assert math.isclose(cur["ina"], sum(mechs[m]["i"] for m in ("NaTa_t", "NaTs2_t", "Nap_Et2")), rel_tol=1e-12)
    assert math.isclose(cur["ik"], sum(mechs[m]["i"] for m in ("K_Pst", "K_Tst", "SKv3_1", "Im")), rel_tol=1e-12)
