"""``sonata-s1 stats`` counts connections/synapses exactly and sums p(d) over the built pairs."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest
import synthetic

from sonata_s1.cli import main
from sonata_s1.commands import stats
from sonata_s1.sonata.reader import open_circuit


def rules() -> dict:
    return {
        ("L23_PC", "L23_PC"): stats.PathwayRule(lambda d: 0.9 * np.exp(-d / 150.0), "EE", 3),
        ("L23_MC", "L23_PC"): stats.PathwayRule(lambda d: np.where(d < 200, 1.5, 0.2), "IE", 2),  # clipped to 1
        ("L5_TTPC2", "L23_MC"): stats.PathwayRule(lambda d: np.full_like(d, 0.25), "EI", 1),
    }


def test_counts_match_brute_force(circuit_dir):
    out, rows = circuit_dir
    doc = stats.compute_stats(open_circuit(out), rules())
    ref = rows["S1__S1"]
    mt = synthetic.s1_nodes().attributes["mtype"]
    pairs = set(zip(ref["source_node_id"].tolist(), ref["target_node_id"].tolist(), strict=True))
    by_pw: dict = {}
    for s, t in pairs:
        by_pw.setdefault((mt[s], mt[t]), [0, 0])[0] += 1
    for s, t in zip(ref["source_node_id"].tolist(), ref["target_node_id"].tolist(), strict=True):
        by_pw[(mt[s], mt[t])][1] += 1
    got = {(r["pre"], r["post"]): [r["connections"], r["synapses"]] for r in doc["pathways"] if r["synapses"]}
    assert got == {k: v for k, v in by_pw.items()}
    assert doc["totals"]["S1"]["connections"] == len(pairs)
    assert doc["totals"]["S1"]["synapses"] == ref["source_node_id"].size


def test_expected_matches_pairwise_sum(circuit_dir):
    out, _ = circuit_dir
    doc = stats.compute_stats(open_circuit(out), rules())
    nodes = synthetic.s1_nodes()
    mt, x, z = nodes.attributes["mtype"], nodes.attributes["x"].astype(np.float32), nodes.attributes["z"].astype(np.float32)
    for (pre, post), rule in rules().items():
        e = v = 0.0
        for i in np.flatnonzero(mt == pre):
            for j in np.flatnonzero(mt == post):
                if i != j:
                    p = float(np.clip(rule.p(np.array(math.hypot(float(x[i]) - float(x[j]), float(z[i]) - float(z[j])))), 0, 1))
                    e, v = e + p, v + p * (1 - p)
        row = next(r for r in doc["pathways"] if (r["pre"], r["post"]) == (pre, post))
        assert row["expected_connections"] == pytest.approx(e, rel=1e-9)
        assert row["expected_synapses"] == pytest.approx(e * rule.n_syn, rel=1e-9)
        assert row["n_pre"] == np.count_nonzero(mt == pre) and row["n_post"] == np.count_nonzero(mt == post)
        if v > 0:
            assert row["z"] == pytest.approx((row["connections"] - e) / math.sqrt(v), rel=1e-9)
    assert set(doc["totals"]) == {"EE", "EI", "IE", "II", "S1"}


def test_other_populations_counted(circuit_dir):
    out, rows = circuit_dir
    doc = stats.compute_stats(open_circuit(out), None)
    blocks = {b["population"]: b for b in doc["other_populations"]}
    assert set(blocks) == {"thalamus__S1", "S1__thalamus", "background__S1"}
    for name, blk in blocks.items():
        ref = rows[name]
        assert blk["synapses"] == ref["source_node_id"].size
        assert blk["connections"] == len(set(zip(ref["source_node_id"].tolist(), ref["target_node_id"].tolist(), strict=True)))
        assert sum(r["synapses"] for r in blk["pathways"]) == blk["synapses"]
    assert {r["pre"] for r in blocks["background__S1"]["pathways"]} == {"background"}  # no mtype: population name
    assert all(r["expected_connections"] is None for r in doc["pathways"])


def test_block_iteration_keeps_targets_whole(circuit_dir, monkeypatch):
    """Tiny read blocks must not split a (source, target) pair across blocks."""
    out, _ = circuit_dir
    whole = stats.compute_stats(open_circuit(out), None)
    monkeypatch.setattr("sonata_s1.sonata.reader.READ_BLOCK", 3)
    import sonata_s1.sonata.reader as reader

    orig = reader.iter_edge_blocks
    monkeypatch.setattr(stats, "iter_edge_blocks", lambda pop, **kw: orig(pop, block=3, **kw))
    assert stats.compute_stats(open_circuit(out), None)["totals"] == whole["totals"]


def test_cli_json_and_figure(circuit_dir, tmp_path, capsys, monkeypatch):
    out, _ = circuit_dir
    monkeypatch.setattr(stats, "rules_from_source", lambda src, exact_interp=False: rules())
    parser = argparse.ArgumentParser()
    stats.add_arguments(parser)
    fig = tmp_path / "m.png"
    assert stats.run(parser.parse_args([str(out), "--json", "--figure", str(fig)])) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"pre", "post", "n_pre", "n_post", "connections", "synapses", "expected_connections", "z"} <= set(doc["pathways"][0])
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["stats", str(tmp_path / "nothing")]) == 2


def test_other_expectations_attached(circuit_dir):
    out, rows = circuit_dir
    exp = {("thalamus__S1", "VPL_sTC", "L23_PC"): (4.0, 2.0, 12.0), ("S1__thalamus", "L23_PC", "ss_RTN_o"): (1.0, 0.0, 1.0),
           ("thalamus__S1", "POm_sTC_s1", "L5_TTPC2"): (2.0, 1.0, 6.0)}
    doc = stats.compute_stats(open_circuit(out), None, exp)
    blk = next(b for b in doc["other_populations"] if b["population"] == "thalamus__S1")
    row = next(r for r in blk["pathways"] if (r["pre"], r["post"]) == ("VPL_sTC", "L23_PC"))
    assert row["expected_connections"] == 4.0 and row["z"] == pytest.approx((row["connections"] - 4.0) / math.sqrt(2.0))
    assert blk["expected_connections"] == 6.0 and blk["expected_synapses"] == 18.0
    zero_var = next(b for b in doc["other_populations"] if b["population"] == "S1__thalamus")
    assert next(r for r in zero_var["pathways"] if (r["pre"], r["post"]) == ("L23_PC", "ss_RTN_o"))["z"] is None
