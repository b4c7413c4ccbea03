#!/usr/bin/env python
"""Simulation benchmark: instantiation cost per cell and per synapse, simulation cost per simulated
second, 1 vs 2 MPI ranks, peak memory, and the run's population rates next to the published ones.

Why a script (not a test): the numbers depend on the machine and its load; they are recorded with
command, machine and date in benchmarks/RESULTS.md under "## Simulation" (this script rewrites only
that section). Phases are timed from BMTK's log (cells / recurrent synapses / virtual synapses) and
the runner's provenance.json (simulate, peak RSS).

Usage: .venv/bin/python benchmarks/bench_sim.py [--network network] [--tstop 50] [--ranks 1 2]
       [--rates output/rates.json] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Simulation"
PUBLISHED = [("L23", "0.51"), ("L4", "3.8"), ("L5", "8.0"), ("L6", "4.9"), ("RTN", "11-12"), ("VPL", "2.6-3.5"),
             ("VPM", "2.6-3.5"), ("POm", "2.6-3.5")]
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \[INFO\] (.*)$")


def _t(stamp: str) -> float:
    return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def phases(log: Path) -> dict[str, float]:
    """Seconds spent building cells, recurrent synapses and virtual (background) synapses."""
    marks: dict[str, float] = {}
    for line in log.read_text().splitlines():
        m = _STAMP.match(line)
        if not m:
            continue
        for key, prefix in (("cells", "Building cells"), ("recurrent", "Building recurrent"),
                            ("virtual", "Building virtual"), ("built", "sonata_s1: built")):
            if m.group(2).startswith(prefix) and key not in marks:
                marks[key] = _t(m.group(1))
    return {"cells_s": marks["recurrent"] - marks["cells"], "recurrent_s": marks["virtual"] - marks["recurrent"],
            "virtual_s": marks["built"] - marks["virtual"]}


def run_one(network: Path, tstop: float, ranks: int, work: Path) -> dict:
    cfg = json.loads((ROOT / "config.json").read_text())
    cfg["network"] = str((network / "circuit_config.json").absolute())
    cfg["run"]["tstop"] = tstop
    cfg["output"]["output_dir"] = "output"
    cfg["sonata_s1"]["name"] = f"bench_np{ranks}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.json").write_text(json.dumps(cfg, indent=2))
    cmd = [sys.executable, str(ROOT / "run_bionet.py"), str(work / "config.json"), "--no-nwb", "--no-figures"]
    if ranks > 1:
        cmd = [str(Path(sys.executable).with_name("mpiexec")), "-n", str(ranks), *cmd]
    env = {**os.environ, "NEURON_MODULE_OPTIONS": "-nogui", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg",
           "HDF5_USE_FILE_LOCKING": "FALSE"}
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"run with {ranks} rank(s) failed:\n{proc.stderr[-3000:]}")
    prov = json.loads((work / "output" / "provenance.json").read_text())
    ph = phases(work / "output" / "log.txt")
    t = prov["timings"]
    n_cells, n_syn = prov["counts"]["cells"], prov["counts"]["synapses"]
    return {"ranks": ranks, "cells": n_cells, "synapses": n_syn, **ph,
            "ms_per_cell": 1000 * ph["cells_s"] / n_cells,
            "us_per_synapse": 1e6 * (ph["recurrent_s"] + ph["virtual_s"]) / max(n_syn, 1),
            "build_s": t["build_s"], "simulate_s": t["simulate_s"],
            "s_per_sim_s": t["simulate_s"] / (tstop / 1000.0), "peak_rss_mb_max": t["peak_rss_mb_max_rank"],
            "peak_rss_mb_sum": t["peak_rss_mb_sum"], "total_s": t.get("total_s"),
            "compartments": t.get("compartments_total", float("nan")),
            "compartments_max": t.get("compartments_max_rank", float("nan"))}


def rates_table(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    rows = {(r["level"], r["name"]): r for r in data["rows"]}
    t1 = data["windows_ms"]["after_transient"][0]
    lines = [f"| group | cells | rate [0, {data['tstop_ms']:.0f}] ms (Hz) | rate [{t1:.0f}, {data['tstop_ms']:.0f}] ms (Hz) "
             "| published (Hz) |", "|---|---:|---:|---:|---:|"]
    for name, pub in [("L1", "-"), *PUBLISHED]:
        r = rows.get(("layer", name)) or rows.get(("nucleus", name))
        if r:
            lines.append(f"| {name} | {r['n_cells']} | {r['rate_hz']:.2f} | {r['rate_hz_after_transient']:.2f} | {pub} |")
    for name in ("L23_E", "L23_I", "L4_E", "L4_I", "L5_E", "L5_I", "L6_E", "L6_I"):
        r = rows.get(("layer_ei", name))
        if r:
            lines.append(f"| {name} | {r['n_cells']} | {r['rate_hz']:.2f} | {r['rate_hz_after_transient']:.2f} | |")
    return lines


def section(results: list[dict], args: argparse.Namespace, job: dict | None) -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    r0 = results[0]
    out = [HEADING, "",
           f"Command: `.venv/bin/python benchmarks/bench_sim.py --network {args.network} --tstop {args.tstop:g} "
           f"--ranks {' '.join(map(str, args.ranks))}{' --rates ' + str(args.rates) if args.rates else ''} --write-results`  ",
           f"Machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}, shared with other developers' jobs; "
           f"date {dt.date.today().isoformat()}.  ",
           f"Circuit: `{args.network}` — {r0['cells']} biophysical cells, {r0['synapses']} synapses "
           f"(recurrent + background), {args.tstop:g} ms simulated, dt 0.025 ms.", "",
           "| ranks | cells: build (s) / per cell (ms) | synapses: build (s) / per synapse (µs) | simulate (s) "
           "| s per simulated s | peak RSS max rank / sum (MB) |", "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        out.append(f"| {r['ranks']} | {r['cells_s']:.2f} / {r['ms_per_cell']:.1f} | "
                   f"{r['recurrent_s'] + r['virtual_s']:.2f} / {r['us_per_synapse']:.0f} | {r['simulate_s']:.1f} | "
                   f"{r['s_per_sim_s']:.0f} | {r['peak_rss_mb_max']:.0f} / {r['peak_rss_mb_sum']:.0f} |")
    if len(results) > 1:
        out += ["", f"Speed-up of the simulation with {results[-1]['ranks']} ranks: "
                f"{results[0]['simulate_s'] / results[-1]['simulate_s']:.2f}× (compartments per rank: "
                f"{results[-1]['compartments_max']:.0f} of {results[-1]['compartments']:.0f} on the busiest rank; the "
                "cores were shared with other jobs, load average 2–3, so the second core was only partly free)."]
    if job:
        out += ["", f"Default job (`time bash scripts/run.sh`, network/ and components/ present, {job['ranks']} ranks, "
                f"{job['tstop']:g} ms, NWB + figures): {job['wall_s']:.0f} s wall."]
    if args.rates:
        out += ["", f"Rates of `{args.rates}` (NetPyNE definition, silent cells included) next to the published "
                "full-scale 15 s values (Borges et al. 2022):", "", *rates_table(Path(args.rates)), "",
                "Why a reduced circuit differs: at density 0.001 every me-type keeps at least one cell (ceil), so "
                "interneurons dominate (e.g. 42 of 48 L2/3 cells are inhibitory, against ≈ 22 % at full scale) and "
                "each cell receives about 1/1000 of its published recurrent S1 and thalamocortical synapses while "
                "the background input (per cell, unscaled) stays full; activity is therefore background-driven "
                "rather than network-shaped (no recurrent excitation for RTN, no corticothalamic drive for TC cells "
                "after their kick), the short run is dominated by the start-up transient (kicks at 0–5 ms, all "
                "cells leaving v_init together), and a handful of cells per group makes the means noisy. Only a "
                "full-scale 15 s run is comparable with the published rates."]
    return "\n".join(out) + "\n"


def write_section(text: str, path: Path) -> None:
    """Replace (or append) only the "## Simulation" section of RESULTS.md."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    start = old.find(HEADING + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        nxt = old.find("\n## ", start + len(HEADING))
        new = old[:start] + text + ("\n" + old[nxt + 1:] if nxt >= 0 else "")
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", default="network", help="circuit directory (default network/)")
    p.add_argument("--tstop", type=float, default=50.0, help="simulated ms per benchmark run (default 50)")
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    p.add_argument("--rates", default=None, help="rates.json of a longer run to compare with published rates")
    p.add_argument("--job-wall", type=float, default=None, help="measured wall time (s) of scripts/run.sh")
    p.add_argument("--job-ranks", type=int, default=2)
    p.add_argument("--job-tstop", type=float, default=250.0)
    p.add_argument("--write-results", action="store_true", help="rewrite the Simulation section of RESULTS.md")
    args = p.parse_args()
    work = ROOT / "benchmarks" / "out" / "sim"
    results = []
    for n in args.ranks:
        r = run_one(ROOT / args.network, args.tstop, n, work / f"np{n}")
        print(json.dumps(r), flush=True)
        results.append(r)
    job = {"wall_s": args.job_wall, "ranks": args.job_ranks, "tstop": args.job_tstop} if args.job_wall else None
    text = section(results, args, job)
    print(text)
    if args.write_results:
        write_section(text, ROOT / "benchmarks" / "RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
