"""Synthetic NetPyNE cell rules for the cells tests (only NEURON built-ins hh and pas: no .mod files needed).

Test modules import the fixtures from here (no conftest.py in this folder: a second ``conftest`` module would
shadow ``tests/conftest.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

N_EXTRA_DENDS = 9  # dend_2 .. dend_10: makes JSON key order (dend_10 before dend_2) differ from natural order


def ball_and_stick() -> dict:
    """A NetPyNE-style S1 rule: soma (5 pt3d), a dendritic tree, BBP axon stubs without pt3d."""
    na = {"e": 50.0, "i": 10.0, "o": 140.0}
    k = {"e": -77.0, "i": 54.4, "o": 2.5}
    hh = {"gnabar": 0.5, "gkbar": 0.1, "gl": 0.0003, "el": -54.3}  # squid hh would not spike at 34 °C
    secs = {
        "soma": {
            "geom": {"L": 20.0, "Ra": 100.0, "cm": 1.0, "diam": 20.0, "nseg": 1,
                     "pt3d": [[0.0, -10.0, 0.0, 20.0], [0.0, -5.0, 0.0, 20.5], [0.0, 0.0, 0.0, 21.0],
                              [0.0, 5.0, 0.0, 20.5], [0.0, 10.0, 0.0, 20.0]]},
            "topol": {}, "mechs": {"hh": dict(hh)},
            "ions": {"ca": {"e": 132.4579341637009, "i": 5e-05, "o": 2.0}, "k": dict(k), "na": dict(na)},
        },
        "dend_0": {
            "geom": {"L": 100.0, "Ra": 100.0, "cm": 2.0, "diam": 1.5, "nseg": 3,
                     "pt3d": [[0.0, 0.0, 10.0, 2.0], [0.1 + 0.2, 0.0, 60.0, 1.5], [0.30000000000000004, 0.0, 110.0, 1.0]]},
            "topol": {"parentSec": "soma", "parentX": 0.5, "childX": 0.0},
            "mechs": {"pas": {"g": [1e-4, 2e-4, 3e-4], "e": -65.0}},
        },
        "dend_1": {
            "geom": {"L": 43.86, "Ra": 100.0, "cm": 2.0, "diam": 0.7, "nseg": 1,
                     "pt3d": [[0.30000000000000004, 0.0, 110.0, 0.8], [0.3, 20.0, 150.0, 0.6]]},
            "topol": {"parentSec": "dend_0", "parentX": 1.0, "childX": 0.0},
            "mechs": {"pas": {"g": 1e-4, "e": -65.0}},
        },
        "axon_0": {
            "geom": {"L": 30.0, "Ra": 100.0, "cm": 1.0, "diam": 1.0, "nseg": 1},
            "topol": {"parentSec": "soma", "parentX": 1.0, "childX": 0.0},
            "mechs": {"hh": dict(hh)}, "ions": {"ca": {"e": 132.4579341637009, "i": 5e-05, "o": 2.0},
                                               "k": dict(k), "na": dict(na)},
        },
        "axon_1": {
            "geom": {"L": 30.0, "Ra": 100.0, "cm": 1.0, "diam": 0.800000011920929, "nseg": 1},
            "topol": {"parentSec": "axon_0", "parentX": 1.0, "childX": 0.0},
            "mechs": {"hh": dict(hh)}, "ions": {"k": dict(k), "na": dict(na)},
        },
    }
    for i in range(2, 2 + N_EXTRA_DENDS):
        secs[f"dend_{i}"] = {
            "geom": {"L": 20.0, "Ra": 100.0, "cm": 1.0, "diam": 1.0, "nseg": 1,
                     "pt3d": [[0.0, 0.0, -10.0, 1.0], [float(i), 0.0, -10.0 - (400.0 - i * i) ** 0.5, 1.0]]},
            "topol": {"parentSec": "soma", "parentX": 0.5, "childX": 0.0},
            "mechs": {"pas": {"g": 1e-4, "e": -65.0}},
        }
    dends = [f"dend_{i}" for i in range(2 + N_EXTRA_DENDS)]
    all_ = ["soma", *dends, "axon_0", "axon_1"]
    return {
        "conds": {"cellModel": "HH_full", "cellType": "BS"},
        "diversityFraction": 1.0,
        "globals": {},
        "secLists": {"SectionList[0]": [], "all": all_, "apical": [], "axonal": ["axon_0", "axon_1"],
                     "basal": dends, "somatic": ["soma"], "spiny": all_[:-2], "spinyEE": all_[1:-2]},
        "secs": dict(sorted(secs.items())),  # NetPyNE files store secs keys lexicographically
    }


def single_soma_thalamic() -> dict:
    """A thalamic-style rule: one cylinder soma, vinit, weightNorm, globals (v_init is an hParam: ignored)."""
    return {
        "conds": {"cellModel": "HH_reduced", "cellType": "TC"},
        "globals": {"v_init": -70.0},
        "secLists": {},
        "secs": {"soma": {
            "geom": {"L": 30, "Ra": 100.0, "cm": 1.0, "diam": 30.0, "nseg": 1, "pt3d": [[0, 0, 0, 30.0], [0, 30.0, 0, 30.0]]},
            "topol": {}, "mechs": {"pas": {"g": 5e-5, "e": -70}, "hh": {"gnabar": 0.5, "gkbar": 0.1}},
            "ions": {"ca": {"e": 132.0, "i": 5e-05, "o": 2.0}},
            "vinit": -70.0, "weightNorm": [0.002]}},
    }


@pytest.fixture
def fixture_source(tmp_path: Path) -> Path:
    """A source directory (``cells/``) holding the two synthetic rules."""
    cells = tmp_path / "src" / "cells"
    cells.mkdir(parents=True)
    (cells / "bs_cellParams.json").write_text(json.dumps(ball_and_stick()))
    (cells / "sXX_jv_00.json").write_text(json.dumps(single_soma_thalamic()))
    return tmp_path / "src"


@pytest.fixture
def fixture_components(fixture_source: Path, tmp_path: Path) -> Path:
    """The synthetic rules converted into a components directory."""
    from sonata_s1.cells.convert import convert_one

    out = tmp_path / "components"
    for f in sorted((fixture_source / "cells").iterdir()):
        convert_one(f, out)
    return out
