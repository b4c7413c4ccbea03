"""Placement bit-exact with NEURON's Random123, population plans and clone assignment."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sonata_s1.circuit.placement import clone_indices, cylinder_positions, plan_populations, radius_mask

# (name, N, gid0, ynorm range, i, x, y, z) — test vectors computed with NetPyNE's placement
VECTORS = [
    ("L1_DAC_bNA", 19, 0, (0.0, 0.079), 0, 110.331665, 118.085704, 293.849571),
    ("L1_DAC_bNA", 19, 0, (0.0, 0.079), 1, 250.214931, 121.927811, 68.643267),
    ("L1_DAC_bNA", 19, 0, (0.0, 0.079), 2, 213.342329, 152.897936, 40.597504),
    ("L23_PC_cAD", 5877, 1819, (0.079, 0.320), 0, 398.975471, 270.367293, 127.329372),
    ("L5_TTPC2_cAD", 2003, 16287, (0.412, 0.664), 0, 205.648554, 927.218798, 393.172603),
    ("ss_RTN_o", 748, 31346, (2688 / 2082, 2766 / 2082), 0, 136.493980, 2743.253493, 184.840832),
    ("VPM_sTC", 1644, 35626, (3156 / 2082, 3312 / 2082), 0, 243.815450, 3243.273569, 6.506703),
    ("POm_sTC_s1", 1342, 37270, (3312 / 2082, 3624 / 2082), 0, 54.100168, 3499.020296, 188.416741),
]


def test_random123_test_vectors(py):
    code = (
        "import json\nfrom sonata_s1.circuit.placement import random123_uniforms\n"
        f"out = {{}}\nfor n, g in {sorted({(v[1], v[2]) for v in VECTORS})!r}:\n"
        "    out[f'{n},{g}'] = random123_uniforms(n, g, 4322)[:3].tolist()\n"
        "print(json.dumps(out))\n"
    )
    res = py(code, timeout=120)
    assert res.returncode == 0, res.stderr
    u = json.loads(res.stdout.strip().splitlines()[-1])
    first6 = np.ravel(u["19,0"])[:6]
    np.testing.assert_allclose(first6, [0.384683161, 0.717942241, 0.388684914, 0.489772484, 0.741301638,
                                        0.794112932], atol=5e-10)
    for name, n, gid0, yr, i, x, y, z in VECTORS:
        pos = cylinder_positions(np.asarray(u[f"{n},{gid0}"]), yr)
        np.testing.assert_allclose(pos[i], [x, y, z], atol=5e-7, err_msg=name)


def test_cylinder_transform_inside_disk():
    u = np.random.default_rng(1).random((5000, 3))
    pos = cylinder_positions(u, (0.1, 0.2))
    r = np.hypot(pos[:, 0] - 210, pos[:, 2] - 210)
    assert r.max() <= 210 + 1e-9
    assert 0.1 * 2082 <= pos[:, 1].min() and pos[:, 1].max() <= 0.2 * 2082
    keep = radius_mask(pos, 100.0)
    assert np.all(r[keep] <= 100) and np.all(r[~keep] > 100)
    assert radius_mask(pos, None).all()


@pytest.mark.parametrize("n, expected", [
    (19, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5]),
    (4, [1, 2, 3, 4]),
    (3, [1, 2, 3]),
    (1, [1]),
])
def test_clone_examples(n, expected):
    assert clone_indices(n).tolist() == expected


def test_clone_counts_and_limits():
    c = clone_indices(5877)
    counts = np.bincount(c)[1:]
    assert counts.tolist() == [-(-k * 5877 // 5) + (-(k - 1) * 5877 // 5) for k in range(1, 6)]
    assert counts.tolist() == [1176, 1175, 1176, 1175, 1175]
    assert np.all(np.diff(c) >= 0)
    with pytest.raises(ValueError):
        clone_indices(4, n_files=3)


def test_plans_scaled(synthetic_source):
    from sonata_s1.circuit import CircuitOptions

    plans = plan_populations(synthetic_source, CircuitOptions(density=0.1, thalamus_density=0.5))
    assert [p.n for p in plans[:3]] == [4, 6, 30]  # ceil(0.1 n)
    assert [p.gid0 for p in plans[:4]] == [0, 4, 10, 40]
    th = plans[3:]
    assert [p.n_full for p in th] == [748, 748, 1499, 1285, 1644, 1342]
    assert [p.n for p in th] == [374, 374, 750, 643, 822, 671]  # ceil(0.5 N)
    assert th[1].gid0 == th[0].gid0 + 374


def test_full_scale_plans(real_source):
    from sonata_s1.circuit import CircuitOptions

    plans = plan_populations(real_source, CircuitOptions())
    by = {p.name: p for p in plans}
    assert (by["L23_PC_cAD"].n, by["L23_PC_cAD"].gid0) == (5877, 1819)
    assert (by["L5_TTPC2_cAD"].n, by["L5_TTPC2_cAD"].gid0) == (2003, 16287)
    assert [by[n].gid0 for n in ("ss_RTN_o", "VPM_sTC", "POm_sTC_s1")] == [31346, 35626, 37270]
    assert sum(p.n for p in plans) == 38612
