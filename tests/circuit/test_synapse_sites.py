"""Synapse sites: uniform rule measured from the section end, forward switch, single-synapse draw."""

from __future__ import annotations

import numpy as np

from sonata_s1.circuit.synapse_sites import build_site_table, place_synapses, random_sections, uniform_sites


def test_spec_example():
    k, x = uniform_sites(np.array([10.0, 20.0, 30.0]), 4)
    assert k.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(x, [0.25, 0.375, 0.75, 0.25])
    _, xf = uniform_sites(np.array([10.0, 20.0, 30.0]), 4, forward=True)
    np.testing.assert_allclose(xf, [0.75, 0.625, 0.25, 0.75])


def test_point_on_section_end_gives_zero():
    k, x = uniform_sites(np.array([10.0, 10.0]), 2)  # a = 5, 15 -> (s0, 0.5), (s1, 0.5)
    np.testing.assert_allclose(x, [0.5, 0.5])
    k, x = uniform_sites(np.array([5.0, 10.0, 15.0]), 3)  # a = 5 (end of s0 -> x = 0), 15 (end of s1), 25
    assert k.tolist() == [0, 1, 2] and x[0] == 0.0 and x[1] == 0.0


def test_site_table_and_single_synapse(synthetic_sections):
    sc = synthetic_sections
    m = 0
    table = build_site_table(sc, np.array([m]), [2, 3, 9])
    off, flat = sc.section_list("spinyEE")
    ids = flat[off[m]:off[m + 1]]
    k, x = uniform_sites(sc.length[sc.sec_offset[m] + ids], 9)
    n = np.full(9, 9)
    sec, xs = place_synapses(sc, table, "spinyEE", np.full(9, m), n, np.arange(9), np.zeros(9, int), np.ones(9, int), 1)
    assert sec.tolist() == ids[k].tolist()
    np.testing.assert_allclose(xs, x)
    # n = 1: one section by index from the list, x = 0.5, keyed by (pre, post)
    pre = np.arange(2000)
    sec1, x1 = place_synapses(sc, table, "spiny", np.full(2000, m), np.ones(2000, int), np.zeros(2000, int), pre,
                              np.full(2000, 7), 4322)
    assert np.all(x1 == 0.5)
    counts = np.bincount(sec1, minlength=5)
    assert counts[5:].sum() == 0 and counts.min() > 300  # uniform by index over 5 spiny sections (axon excluded)
    again, _ = place_synapses(sc, table, "spiny", np.full(2000, m), np.ones(2000, int), np.zeros(2000, int), pre,
                              np.full(2000, 7), 4322)
    assert np.array_equal(sec1, again)


def test_random_sections_by_index(synthetic_sections):
    u = np.array([0.0, 0.2, 0.999999])
    s = random_sections(synthetic_sections, "spinyEE", np.zeros(3, int), u)
    assert s.tolist() == [1, 1, 4]
