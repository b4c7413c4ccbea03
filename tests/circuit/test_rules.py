"""p(d) decision tree, P5 rounding and p_max (the thinning bound)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from circuit_synth import pathway

from sonata_s1.circuit.rules import DistanceRule, round6, rule_from_pathway


def _pw(**kw):
    kw.setdefault("pmat", {12: 0.02, 25: 0.03, 50: 0.04, 125: 0.05})
    return pathway("A", "B", "II", **kw)


def test_round6_matches_percent_f_not_numpy():
    # L5_TTPC2 -> L4_PC branch D: intercept 0.0168275 -> %f gives 0.016827, numpy rounding 0.016828
    pw = _pw(best_fit="expl", d0=125, a=0.02995, l=130.84, pmat={12: 0.01589, 25: 0.01571, 125: 0.01124})
    r = rule_from_pathway(pw)
    assert r.branch == "D"
    s_exact = (0.01124 - 0.01571) / 100
    c_exact = 0.01124 - 125 * s_exact
    assert r.near_c == 0.016827 == round6(c_exact)
    assert np.round(c_exact * 1e6) / 1e6 == 0.016828  # what a naive rounding would give
    assert r.near_s == round6(s_exact) == -0.000045
    exact = rule_from_pathway(pw, exact_interp=True)
    assert exact.near_c == c_exact and exact.near_s == s_exact


def test_branch_d_worked_example():
    # L1_DAC -> L1_DAC: 0.07513·exp(−d/71.91)·[d<350] if d > 50, else 0.000174·d + 0.028420
    pw = _pw(best_fit="expl", d0=50, a=0.07513, l=71.91, dfinal=350.0, pmat={12: 0.01534, 25: 0.03276, 50: 0.0371})
    r = rule_from_pathway(pw)
    assert (r.near_s, r.near_c) == (0.000174, 0.02842)
    d = np.array([0.0, 10.0, 50.0, 50.0001, 200.0, 349.9, 350.0])
    want = [0.02842, 0.000174 * 10 + 0.02842, 0.000174 * 50 + 0.02842, 0.07513 * math.exp(-50.0001 / 71.91),
            0.07513 * math.exp(-200 / 71.91), 0.07513 * math.exp(-349.9 / 71.91), 0.0]
    np.testing.assert_allclose(r(d), want, rtol=1e-12)


def test_branch_c_worked_example():
    # L1_NGC-DA -> L1_NGC-DA: 0.07684·exp(−d/62.84)·[d<200] if d > 25, else 0.025720
    pw = _pw(best_fit="expl", d0=25, a=0.07684, l=62.84, dfinal=200.0, pmat={12: 0.02572, 25: 0.04566})
    r = rule_from_pathway(pw)
    assert r.branch == "C"
    np.testing.assert_allclose(r(np.array([0.0, 25.0, 26.0, 199.0, 200.0])),
                               [0.02572, 0.02572, 0.07684 * math.exp(-26 / 62.84), 0.07684 * math.exp(-199 / 62.84), 0.0])


def test_branch_g_worked_example():
    # L23_PC -> L23_PC: 0.11112·exp(−(d+104.25)²/(2·113.36²))·[d<375]
    pw = _pw(best_fit="gauss", d0=50, a=0.0, l=1.0, a0mat_gauss=0.11112, x0_gauss=-104.25, lmat_gauss=113.36)
    r = rule_from_pathway(pw)
    assert r.branch == "G"
    d = np.array([0.0, 100.0, 374.0, 375.0])
    want = 0.11112 * np.exp(-((d + 104.25) ** 2) / (2 * 113.36**2)) * (d < 375)
    np.testing.assert_allclose(r(d), want, rtol=1e-12)


@pytest.mark.parametrize("kw, branch", [
    (dict(best_fit="exp", d0=0), "A"),
    (dict(best_fit="gauss", d0=0), "B"),
    (dict(best_fit="exp", d0=50, pmat={12: 0.05, 25: 0.03, 50: 0.02}), "E"),
    (dict(best_fit="exp", d0=50, d0_exp=25, pmat={12: 0.02, 25: 0.03, 50: 0.02}), "F"),
])
def test_other_branches(kw, branch):
    r = rule_from_pathway(_pw(a=0.1, l=50.0, dfinal=300.0, **kw))
    assert r.branch == branch
    if branch == "F":  # near constant P12.5 up to and including d0_exp = 25, not cut by dfinal
        np.testing.assert_allclose(r(np.array([0.0, 25.0, 25.5])), [0.02, 0.02, 0.1 * math.exp(-25.5 / 50)])
    assert r(np.array([300.0]))[0] == 0.0 and r(np.array([299.0]))[0] > 0


def test_negative_near_part_never_connects():
    # L5_TTPC1 -> L1_DAC: s rounds to 0, c = -0.000005 -> p < 0 up to d0 = 175
    pw = _pw(best_fit="expl", d0=175, a=6e-05, l=-1210.31, pmat={12: 0.0, 25: 0.0, 175: 3e-05})
    r = rule_from_pathway(pw)
    assert (r.near_s, r.near_c) == (0.0, -0.000005) or (r.near_s == 0.0 and r.near_c == -5e-06)
    assert np.all(r(np.linspace(0, 175, 50)) < 0)
    assert r.p_max() > 0  # growing exponential beyond d0 up to dfinal


@pytest.mark.parametrize("rule", [
    DistanceRule("G", "gauss", 0.2, 50.0, 80.0, 300.0),
    DistanceRule("G", "gauss", 0.2, 50.0, -80.0, 300.0),
    DistanceRule("A", "exp", 0.1, -500.0, 0.0, 200.0),
    DistanceRule("D", "exp", 0.05, 40.0, 0.0, 300.0, near_d=100.0, near_s=0.0004, near_c=0.01),
    DistanceRule("D", "exp", 0.05, 40.0, 0.0, 300.0, near_d=100.0, near_s=-0.0001, near_c=0.03),
])
def test_p_max_is_an_upper_bound(rule):
    d = np.linspace(0, 421, 200_001)
    p = rule(d)
    assert rule.p_max() >= p.max()
    assert rule.p_max() <= p.max() * (1 + 1e-4) + 1e-12  # tight (grid step 2e-3 µm)
