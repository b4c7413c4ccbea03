"""``sonata-s1 stats``: connection counts of a built circuit against the model's expectation.

Why: connectivity is a statistical reproduction (README decision P8: each pair is drawn, not copied), so the check is that every
S1 pathway's connection count is within sampling noise of Σ p(d) over the pairs that exist in
*this* circuit. Each ordered pair (pre ≠ post) is an independent Bernoulli draw with p = p(dist_2D)
clipped to [0, 1], so the count is Poisson-binomial with mean E = Σp and variance V = Σp(1−p);
``z = (connections − E)/√V`` (exact variance, not the √E approximation). Counting is vectorised:
edges are read in blocks holding whole targets and de-duplicated with ``unique(tgt·N + src)``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..sonata.reader import SonataCircuit, iter_edge_blocks, node_group_labels, open_circuit

S1_POP = "S1"
S1_EDGES = "S1__S1"
CLASSES = ("EE", "EI", "IE", "II")
#: Pairs evaluated per numpy call when summing p(d) (bounds memory to ~100 MB).
PAIR_BLOCK = 4_000_000


@dataclass(frozen=True)
class PathwayRule:
    """What stats needs of one S1 pathway: p(dist_2D) (vectorised), class and synapses per connection."""

    p: Callable[[np.ndarray], np.ndarray]
    klass: str
    n_syn: int


@dataclass
class PathwayStats:
    pre: str
    post: str
    klass: str
    n_pre: int
    n_post: int
    connections: int
    synapses: int
    expected_connections: float | None
    variance: float | None
    expected_synapses: float | None
    z: float | None


def rules_from_source(source_root: str | Path | None, exact_interp: bool = False) -> dict[tuple[str, str], PathwayRule]:
    """The circuit module's pathway rules (the same objects the build sampled from)."""
    from ..circuit.s1_pathways import build_s1_pathways
    from ..source import load_source

    source = load_source(source_root)
    return {(pw.pre, pw.post): PathwayRule(pw.rule, pw.klass, pw.n_syn)
            for pw in build_s1_pathways(source, exact_interp=exact_interp)}


def circuit_options_from_build(build_options: Mapping[str, Any]) -> Any:
    """``CircuitOptions`` equal to the ones recorded in config.json (``sonata_s1.build_options``)."""
    import dataclasses

    from ..circuit.options import CircuitOptions

    names = {f.name for f in dataclasses.fields(CircuitOptions)} - {"extra"}
    return CircuitOptions(**{k: v for k, v in build_options.items() if k in names})


def expected_other(source_root: str | Path | None, build_options: Mapping[str, Any],
                   populations: set[str]) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """Circuit module's expectations for non-S1→S1 populations: (pop, pre, post) -> (E, V, E[rows]).

    Rebuilds the circuit context (placement only; edges are lazy and never generated) with the
    recorded build options, so the pairs are those of the built circuit.
    """
    from ..circuit import build_circuit
    from ..source import load_source

    circ = build_circuit(load_source(source_root), circuit_options_from_build(build_options))
    return {(e.edge_population, e.pre_group, e.post_group): (e.connections, e.variance, e.edge_rows)
            for e in circ.expected_connections(populations)}


def count_connections(pop: Any, src_codes: np.ndarray, tgt_codes: np.ndarray, n_src_groups: int,
                      n_tgt_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(connections, synapses) matrices [pre group, post group] of one edge population.

    A connection is a unique (source, target) pair; a synapse is an edge row.
    """
    conns = np.zeros(n_src_groups * n_tgt_groups, dtype=np.int64)
    syns = np.zeros_like(conns)
    n_src = np.uint64(max(int(src_codes.shape[0]), 1))
    for blk in iter_edge_blocks(pop, whole_targets=True):
        src = blk.source.astype(np.uint64)
        tgt = blk.target.astype(np.uint64)
        syns += np.bincount(src_codes[src] * n_tgt_groups + tgt_codes[tgt], minlength=conns.size)
        key = np.unique(tgt * n_src + src)
        u_src = (key % n_src).astype(np.int64)
        u_tgt = (key // n_src).astype(np.int64)
        conns += np.bincount(src_codes[u_src] * n_tgt_groups + tgt_codes[u_tgt], minlength=conns.size)
    return conns.reshape(n_src_groups, n_tgt_groups), syns.reshape(n_src_groups, n_tgt_groups)


def expected_pairs(rule: Callable[[np.ndarray], np.ndarray], pre_ids: np.ndarray, post_ids: np.ndarray,
                   xz: np.ndarray) -> tuple[float, float]:
    """(Σp, Σp(1−p)) over ordered pairs pre ≠ post, p = clip(rule(dist_2D), 0, 1)."""
    total = 0.0
    var = 0.0
    if pre_ids.size == 0 or post_ids.size == 0:
        return 0.0, 0.0
    post_xz = xz[post_ids]
    step = max(1, PAIR_BLOCK // post_ids.size)
    for a in range(0, pre_ids.size, step):
        ids = pre_ids[a:a + step]
        d = np.sqrt(((xz[ids][:, None, :] - post_xz[None, :, :]) ** 2).sum(axis=2))
        p = np.clip(rule(d), 0.0, 1.0)
        p[ids[:, None] == post_ids[None, :]] = 0.0  # no self-connections
        total += float(p.sum())
        var += float((p * (1.0 - p)).sum())
    return total, var


def _z(obs: float, mean: float | None, var: float | None) -> float | None:
    if mean is None or var is None or var <= 0:
        return None
    return (obs - mean) / math.sqrt(var)


def _klass(pre: str, post: str) -> str:
    from ..source.model import E_MTYPES

    return ("E" if pre in E_MTYPES else "I") + ("E" if post in E_MTYPES else "I")


def s1_pathway_stats(circuit: SonataCircuit, rules: Mapping[tuple[str, str], PathwayRule] | None) -> list[PathwayStats]:
    """Per S1 m-type pathway: observed counts and, with ``rules``, the expectation."""
    nodes = circuit.nodes[S1_POP].sonata()
    labels = node_group_labels(nodes, "mtype")
    names, codes = np.unique(labels, return_inverse=True)
    codes = codes.astype(np.int64)
    n_groups = names.size
    if S1_EDGES in circuit.edge_population_names:
        conns, syns = count_connections(circuit.edges[S1_EDGES].sonata(), codes, codes, n_groups, n_groups)
    else:
        conns = syns = np.zeros((n_groups, n_groups), dtype=np.int64)
    counts = np.bincount(codes, minlength=n_groups)
    xz = None
    if rules is not None:
        sel = nodes.select_all()
        xz = np.stack([np.asarray(nodes.get_attribute(k, sel), dtype=np.float64) for k in ("x", "z")], axis=1)
    members = [np.flatnonzero(codes == i) for i in range(n_groups)]
    out: list[PathwayStats] = []
    pairs = set(rules) if rules is not None else set()
    pairs |= {(str(names[i]), str(names[j])) for i, j in zip(*np.nonzero(conns), strict=True)}
    index = {str(n): i for i, n in enumerate(names)}
    for pre, post in sorted(pairs):
        if pre not in index or post not in index:
            continue  # pathway of an m-type absent from this (reduced) circuit
        i, j = index[pre], index[post]
        rule = rules.get((pre, post)) if rules is not None else None
        mean = var = esyn = None
        if rule is not None and xz is not None:
            mean, var = expected_pairs(rule.p, members[i], members[j], xz)
            esyn = mean * rule.n_syn
        elif rules is not None:
            mean, var, esyn = 0.0, 0.0, 0.0  # connections where the model has no pathway
        out.append(PathwayStats(pre, post, rule.klass if rule is not None else _klass(pre, post),
                                int(counts[i]), int(counts[j]), int(conns[i, j]), int(syns[i, j]),
                                mean, var, esyn, _z(int(conns[i, j]), mean, var)))
    return out


def _total(rows: list[PathwayStats]) -> dict[str, Any]:
    have = all(r.expected_connections is not None for r in rows)
    conn = sum(r.connections for r in rows)
    mean = sum(r.expected_connections or 0.0 for r in rows) if have else None
    var = sum(r.variance or 0.0 for r in rows) if have else None
    return {
        "pathways": len(rows), "connections": conn, "synapses": sum(r.synapses for r in rows),
        "expected_connections": mean,
        "expected_synapses": sum(r.expected_synapses or 0.0 for r in rows) if have else None,
        "z": _z(conn, mean, var),
        "relative_difference": (conn - mean) / mean if mean else None,
    }


def other_population_stats(circuit: SonataCircuit, expected: Mapping[tuple[str, str, str], tuple[float, float, float]]
                           | None = None) -> list[dict[str, Any]]:
    """Thalamic, thalamocortical, corticothalamic and background blocks: counts per m-type pair,
    with the circuit module's expectation where one is given (convergence/divergence rules are exact:
    variance 0, z undefined)."""
    out = []
    for name in circuit.edge_population_names:
        if name == S1_EDGES:
            continue
        pop = circuit.edges[name].sonata()
        src_labels = node_group_labels(circuit.nodes[pop.source].sonata(), "mtype")
        tgt_labels = node_group_labels(circuit.nodes[pop.target].sonata(), "mtype")
        s_names, s_codes = np.unique(src_labels, return_inverse=True)
        t_names, t_codes = np.unique(tgt_labels, return_inverse=True)
        conns, syns = count_connections(pop, s_codes.astype(np.int64), t_codes.astype(np.int64),
                                        s_names.size, t_names.size)
        s_idx = {str(n): i for i, n in enumerate(s_names)}
        t_idx = {str(n): j for j, n in enumerate(t_names)}
        keys = {(str(s_names[i]), str(t_names[j])) for i, j in zip(*np.nonzero(syns), strict=True)}
        has_expected = expected is not None and any(k[0] == name for k in expected)
        if has_expected:
            keys |= {(pre, post) for (p, pre, post) in expected if p == name and pre in s_idx and post in t_idx}
        rows = []
        tot_e = tot_v = tot_rows = 0.0
        for pre, post in sorted(keys):
            c = int(conns[s_idx[pre], t_idx[post]]) if pre in s_idx and post in t_idx else 0
            row: dict[str, Any] = {"pre": pre, "post": post, "connections": c,
                                   "synapses": int(syns[s_idx[pre], t_idx[post]]) if c else 0}
            if has_expected:
                assert expected is not None
                e, v, r = expected.get((name, pre, post), (0.0, 0.0, 0.0))
                row.update(expected_connections=e, expected_synapses=r, z=_z(c, e, v))
                tot_e, tot_v, tot_rows = tot_e + e, tot_v + v, tot_rows + r
            rows.append(row)
        blk: dict[str, Any] = {"population": name, "source": pop.source, "target": pop.target,
                               "connections": int(conns.sum()), "synapses": int(syns.sum())}
        if has_expected:
            blk.update(expected_connections=tot_e, expected_synapses=tot_rows, z=_z(int(conns.sum()), tot_e, tot_v))
        blk["pathways"] = rows
        out.append(blk)
    return out


def compute_stats(circuit: SonataCircuit, rules: Mapping[tuple[str, str], PathwayRule] | None,
                  expected: Mapping[tuple[str, str, str], tuple[float, float, float]] | None = None) -> dict[str, Any]:
    """The full stats document (see module docstring for definitions)."""
    rows = s1_pathway_stats(circuit, rules) if S1_POP in circuit.node_population_names else []
    totals = {k: _total([r for r in rows if r.klass == k]) for k in CLASSES}
    totals["S1"] = _total(rows)
    return {
        "circuit": str(circuit.root),
        "z_definition": "(connections - sum p) / sqrt(sum p(1-p)), p = clip(p(dist_2D), 0, 1) over built pairs, pre != post",
        "pathways": [{k: v for k, v in asdict(r).items() if k != "variance"} for r in rows],
        "totals": totals,
        "other_populations": other_population_stats(circuit, expected),
    }


def write_figure(doc: dict[str, Any], path: Path, order: list[str] | None = None) -> None:
    """Two m-type × m-type panels: connection probability and z-score."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    rows = doc["pathways"]
    names = order or sorted({r["pre"] for r in rows} | {r["post"] for r in rows})
    idx = {n: i for i, n in enumerate(names)}
    prob = np.full((len(names), len(names)), np.nan)
    zmat = np.full_like(prob, np.nan)
    for r in rows:
        if r["pre"] in idx and r["post"] in idx and r["n_pre"] and r["n_post"]:
            i, j = idx[r["pre"]], idx[r["post"]]
            if r["connections"]:
                prob[i, j] = r["connections"] / (r["n_pre"] * r["n_post"])
            if r["z"] is not None:
                zmat[i, j] = r["z"]
    fig, axes = plt.subplots(1, 2, figsize=(16, 7.5), constrained_layout=True)
    finite = prob[np.isfinite(prob)]
    norm = LogNorm(vmin=max(finite.min(), 1e-5), vmax=finite.max()) if finite.size else None
    im0 = axes[0].imshow(prob, cmap="viridis", norm=norm, interpolation="nearest")
    fig.colorbar(im0, ax=axes[0], shrink=0.8, label="connections / (n_pre·n_post)")
    im1 = axes[1].imshow(zmat, cmap="RdBu_r", vmin=-4, vmax=4, interpolation="nearest")
    fig.colorbar(im1, ax=axes[1], shrink=0.8, label="z = (observed − expected)/σ")
    for ax, title in zip(axes, ("S1→S1 connection probability", "deviation from Σp(d)"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("post m-type")
        ax.set_ylabel("pre m-type")
        ticks = np.arange(len(names))
        fs = 5 if len(names) > 30 else 8
        ax.set_xticks(ticks, names, rotation=90, fontsize=fs)
        ax.set_yticks(ticks, names, fontsize=fs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")  # same format as the target, then renamed
    try:
        fig.savefig(tmp, dpi=150)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)


def _fmt(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def print_report(doc: dict[str, Any], stream: Any = None) -> None:
    stream = stream or sys.stdout
    print(f"circuit: {doc['circuit']}", file=stream)
    print(f"{'class':<6} {'pathways':>8} {'connections':>12} {'expected':>12} {'rel.diff':>9} {'z':>7} "
          f"{'synapses':>12} {'exp.syn':>12}", file=stream)
    for k, t in doc["totals"].items():
        print(f"{k:<6} {t['pathways']:>8} {t['connections']:>12,d} {_fmt(t['expected_connections'], '12,.1f')} "
              f"{_fmt(t['relative_difference'], '+9.2%')} {_fmt(t['z'], '7.2f')} {t['synapses']:>12,d} "
              f"{_fmt(t['expected_synapses'], '12,.0f')}", file=stream)
    zs = [r for r in doc["pathways"] if r["z"] is not None]
    if zs:
        worst = sorted(zs, key=lambda r: -abs(r["z"]))[:10]
        n_out = sum(abs(r["z"]) > 3 for r in zs)
        print(f"pathways with |z| > 3: {n_out} of {len(zs)}; largest |z|:", file=stream)
        for r in worst:
            print(f"  {r['pre']:>12} -> {r['post']:<12} {r['connections']:>8} vs {r['expected_connections']:10.1f}"
                  f"  z={r['z']:+.2f}", file=stream)
    for blk in doc["other_populations"]:
        exp = ""
        if blk.get("expected_connections") is not None:
            exp = f"  expected {blk['expected_connections']:>12,.1f}  z {_fmt(blk['z'], '+.2f')}"
        print(f"{blk['population']:<22} connections {blk['connections']:>10,d}  synapses {blk['synapses']:>11,d}{exp}",
              file=stream)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("circuit", metavar="DIR", help="built circuit directory (or its circuit_config.json)")
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON on stdout")
    parser.add_argument("--figure", metavar="PATH", help="write the connectivity-matrix PNG here")
    parser.add_argument("--source", metavar="DIR",
                        help="NetPyNE source for the p(d) rules (default: the one recorded in config.json)")
    parser.add_argument("--no-expected", action="store_true", help="only count (no source needed)")
    parser.add_argument("--no-other-expected", action="store_true",
                        help="skip expectations of the thalamic/background blocks (they re-place the cells)")


def run(args: argparse.Namespace) -> int:
    circuit = open_circuit(args.circuit)
    rules = None
    expected = None
    if not args.no_expected:
        project = circuit.project
        src = args.source or project.get("source") or None
        build_options = project.get("build_options", {})
        try:
            rules = rules_from_source(src, exact_interp=bool(build_options.get("exact_interp", False)))
        except Exception as exc:  # noqa: BLE001 - any source problem: report and count only
            print(f"sonata-s1 stats: warning: no S1 expectations ({type(exc).__name__}: {exc})", file=sys.stderr)
        others = set(circuit.edge_population_names) - {S1_EDGES}
        if rules is not None and others and not args.no_other_expected:
            try:
                expected = expected_other(src, build_options, others)
            except Exception as exc:  # noqa: BLE001 - report and count only
                print(f"sonata-s1 stats: warning: no expectations for {sorted(others)} "
                      f"({type(exc).__name__}: {exc})", file=sys.stderr)
    doc = compute_stats(circuit, rules, expected)
    if args.figure:
        present = {r["pre"] for r in doc["pathways"]} | {r["post"] for r in doc["pathways"]}
        write_figure(doc, Path(args.figure), sorted(present, key=lambda m: (m.split("_")[0], m)))  # by layer
    if args.json:
        print(json.dumps(doc, indent=1))
    else:
        print_report(doc)
        if args.figure:
            print(f"figure: {args.figure}")
    return 0
