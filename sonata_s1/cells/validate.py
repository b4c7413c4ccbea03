"""``sonata-s1 validate-cells``: every converted cell model vs. the NetPyNE rule instantiated directly.

For each model two fresh processes run ``cell-response`` (one per path: the SONATA components through the
BMTK loader, and :mod:`.reference` from the source JSON — separate processes because NetPyNE semantics
write process-wide ion globals). Compared: section and segment counts, total area, and the spike times at
each amplitude (equal counts, max |Δt| ≤ ``--tol``). Where ``docs/reference/cells.jsonl`` has the published
response of a model, the SONATA path is also compared with it (counts, area to its 3 decimals, spikes).

Resumable: each model's result is cached under ``OUT/cache/`` keyed by a hash of everything it depends on
(biophysics JSON, SWC, source rule, all .mod files, protocol, the cell-building code), so an interrupted sweep continues where it
stopped and a changed mechanism re-runs exactly the models it can affect (all of them). Outputs:
``OUT/cells.csv``, ``OUT/summary.md``, ``OUT/fI.png`` (f–I curves per e-type family).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from ..paths import COMPONENTS_DIR, MODFILES_DIR, REPO_ROOT, SOURCE_HELP, SourceNotFoundError, source_dir
from ..progress import progress_bar
from .catalog import cell_files, etype_family, select
from .response import parse_amps

REFERENCE_CELLS = REPO_ROOT.parent / "shared" / "docs" / "reference" / "cells.jsonl"
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "out" / "validate-cells"  # git-ignored
AREA_RTOL = 1e-9
PUBLISHED_AREA_ATOL = 1e-3  # published areas: 3 decimals, and NetPyNE placed the cell (pt3d translated, float32)
CSV_FIELDS = (
    "cell", "family", "status", "cao", "n_sections", "n_segments", "area_um2", "sections_match",
    "segments_match", "area_rel_diff", "spike_counts", "counts_match", "max_abs_dt_ms", "spikes_match",
    "published_match", "published_max_abs_dt_ms", "seconds", "error",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", default=None, metavar="PATTERN",
                        help="only these cell models (comma-separated names or glob patterns, e.g. 'L5_*,sTC*')")
    parser.add_argument("--sample", type=int, default=None, metavar="N", help="evenly spaced sample of N models")
    parser.add_argument("--jobs", type=int, default=2, help="models run concurrently (default %(default)s)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default %(default)s)")
    parser.add_argument("--components", default=str(COMPONENTS_DIR), help="components directory (default %(default)s)")
    parser.add_argument("--source", default=None, help="NetPyNE source directory. " + SOURCE_HELP)
    parser.add_argument("--mechanisms", default=str(MODFILES_DIR), help="directory of .mod files (default %(default)s)")
    parser.add_argument("--amps", default="0.1,0.3,0.6", help="step amplitudes, nA (default %(default)s)")
    parser.add_argument("--delay", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=500.0)
    parser.add_argument("--tstop", type=float, default=700.0)
    parser.add_argument("--dt", type=float, default=0.025)
    parser.add_argument("--cao", type=float, default=None, metavar="MM", help="extracellular Ca of S1 ca-sections")
    parser.add_argument("--cao-mode", choices=("configured", "published-run"), default="configured")
    parser.add_argument("--tol", type=float, default=0.1, help="spike-time tolerance, ms (default %(default)s)")
    parser.add_argument("--reference", default=str(REFERENCE_CELLS),
                        help="published single-cell responses (JSON lines; default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _sha(h: Any, path: Path) -> None:
    h.update(path.name.encode() + b"\0")
    h.update(path.read_bytes() if path.exists() else b"<missing>")
    h.update(b"\0")


#: Modules whose code decides a cell's response: a change to any of them invalidates every cached result.
SIMULATION_CODE = ("sections.py", "biophysics.py", "builder.py", "loader.py", "reference.py", "response.py")


def code_key() -> str:
    """Hash of the cell-building and simulation code of :data:`SIMULATION_CODE`."""
    h = hashlib.sha256()
    for module in SIMULATION_CODE:
        _sha(h, Path(__file__).with_name(module))
    return h.hexdigest()[:20]


def model_key(name: str, comp: Path, src_file: Path, mod_dir: Path, protocol: dict[str, Any]) -> str:
    """Hash of a model's components (JSON + SWC), its source rule, every .mod file, the protocol and the
    cell-building code (:func:`code_key`), so a cached result is reused only when nothing it depends on changed."""
    h = hashlib.sha256()
    h.update(code_key().encode())
    _sha(h, comp / "biophysical_neuron_models" / f"{name}.json")
    _sha(h, comp / "morphologies" / f"{name}.swc")
    _sha(h, src_file)
    for mod in sorted(mod_dir.glob("*.mod")):
        _sha(h, mod)
    h.update(json.dumps(protocol, sort_keys=True).encode())
    return h.hexdigest()[:20]


def _cell_response(name: str, path: str, args: argparse.Namespace, src: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "sonata_s1", "cell-response", name, "--json", "--path", path,
           "--amps", args.amps, "--delay", str(args.delay), "--duration", str(args.duration),
           "--tstop", str(args.tstop), "--dt", str(args.dt), "--cao-mode", args.cao_mode,
           "--components", str(args.components), "--source", str(src), "--mechanisms", str(args.mechanisms)]
    if args.cao is not None:
        cmd += ["--cao", str(args.cao)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"{path} path failed (exit {proc.returncode}): {tail}")
    return json.loads(proc.stdout)


def compare_steps(a: dict[str, list[float]], b: dict[str, list[float]]) -> tuple[bool, float | None]:
    """(all spike counts equal, max |Δt| over all amplitudes — None if a count differs)."""
    if set(a) != set(b):
        return False, None
    if any(len(a[k]) != len(b[k]) for k in a):
        return False, None
    diffs = [abs(x - y) for k in a for x, y in zip(a[k], b[k], strict=True)]
    return True, max(diffs) if diffs else 0.0


def compare(sonata: dict[str, Any], ref: dict[str, Any], published: dict[str, Any] | None, tol: float) -> dict[str, Any]:
    counts_ok, max_dt = compare_steps(sonata["steps"], ref["steps"])
    area_rel = abs(sonata["area_um2"] - ref["area_um2"]) / max(abs(ref["area_um2"]), 1e-300)
    row = {
        "cao": sonata["cao"],
        "n_sections": sonata["n_sections"],
        "n_segments": sonata["n_segments"],
        "area_um2": sonata["area_um2"],
        "sections_match": sonata["n_sections"] == ref["n_sections"],
        "segments_match": sonata["n_segments"] == ref["n_segments"],
        "area_rel_diff": area_rel,
        "spike_counts": "/".join(str(len(v)) for v in sonata["steps"].values()),
        "counts_match": counts_ok,
        "max_abs_dt_ms": max_dt,
        "spikes_match": counts_ok and max_dt is not None and max_dt <= tol,
        "published_match": None,
        "published_max_abs_dt_ms": None,
        "steps_sonata": sonata["steps"],
        "steps_reference": ref["steps"],
    }
    if published is not None and set(published["steps"]) <= set(sonata["steps"]):
        sub = {k: sonata["steps"][k] for k in published["steps"]}
        ok, dt = compare_steps(sub, published["steps"])
        geom_ok = all(published.get(k, sonata[k]) == sonata[k] for k in ("n_sections", "n_segments"))
        geom_ok = geom_ok and abs(published.get("area_um2", sonata["area_um2"]) - sonata["area_um2"]) <= PUBLISHED_AREA_ATOL
        row["published_match"] = geom_ok and ok and dt is not None and dt <= tol
        row["published_max_abs_dt_ms"] = dt
    ok = (row["sections_match"] and row["segments_match"] and area_rel <= AREA_RTOL and row["spikes_match"]
          and row["published_match"] is not False)
    row["status"] = "match" if ok else "MISMATCH"
    return row


def _load_published(path: str) -> dict[str, dict[str, Any]]:
    p = Path(path)
    if not p.exists():
        return {}
    out = {}
    for line in p.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            out[rec["cell"]] = rec
    return out


def run(args: argparse.Namespace) -> int:
    try:
        src = source_dir(args.source)
        amps = parse_amps(args.amps)
    except (SourceNotFoundError, argparse.ArgumentTypeError) as exc:
        print(f"validate-cells: {exc}", file=sys.stderr)
        return 2
    comp, mod_dir, out = Path(args.components), Path(args.mechanisms), Path(args.out)
    files = cell_files(src)
    names = select(list(files), args.models, args.sample)
    if not names:
        print(f"validate-cells: no cell models match {args.models!r}", file=sys.stderr)
        return 2
    missing = [n for n in names if not (comp / "biophysical_neuron_models" / f"{n}.json").exists()]
    if missing:
        print(f"validate-cells: {len(missing)} models not converted (e.g. {missing[0]}); run "
              f"`sonata-s1 convert-cells --out {comp}` first", file=sys.stderr)
        return 2
    # compile once up front so parallel workers do not all wait on the build lock
    from ..mechanisms import compiled_mechanisms_dir

    compiled_mechanisms_dir(mod_dir)
    published = _load_published(args.reference)
    protocol = {"amps": [k for k, _ in amps], "delay": args.delay, "duration": args.duration, "tstop": args.tstop,
                "dt": args.dt, "cao": args.cao, "cao_mode": args.cao_mode, "tol": args.tol}
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)

    def work(name: str) -> dict[str, Any]:
        key = model_key(name, comp, files[name], mod_dir, protocol)
        cached = cache / f"{name}-{key}.json"
        if cached.exists():
            return json.loads(cached.read_text())
        t0 = time.perf_counter()
        try:
            sonata = _cell_response(name, "sonata", args, src)
            ref = _cell_response(name, "reference", args, src)
            row = compare(sonata, ref, published.get(name), args.tol)
            row["error"] = ""
        except (RuntimeError, json.JSONDecodeError, OSError) as exc:
            return {"cell": name, "family": etype_family(name), "status": "error", "error": str(exc)}
        row.update(cell=name, family=etype_family(name), seconds=round(time.perf_counter() - t0, 1))
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(row))
        tmp.replace(cached)
        return row

    rows: dict[str, dict[str, Any]] = {}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(work, n): n for n in names}
        with progress_bar(total=len(names), desc="validate-cells", unit="model", disable=args.quiet) as bar:
            for fut in as_completed(futures):
                row = fut.result()
                rows[row["cell"]] = row
                bar.set_postfix_str(f"{row['cell']}: {row['status']}")
                bar.update(1)
    ordered = [rows[n] for n in names]
    write_outputs(ordered, out, protocol)
    bad = [r for r in ordered if r["status"] != "match"]
    print(f"validate-cells: {len(ordered) - len(bad)}/{len(ordered)} models match; results in {out}", file=sys.stderr)
    return 1 if bad else 0


def write_outputs(rows: list[dict[str, Any]], out: Path, protocol: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "cells.csv.tmp"
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in CSV_FIELDS})
    tmp.replace(out / "cells.csv")
    fam: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        fam[r["family"]].append(r)
    lines = [
        "# validate-cells summary", "",
        f"Protocol: {json.dumps(protocol)}. Paths: SONATA components + BMTK loader vs. the NetPyNE rule "
        "instantiated directly. A model matches when section/segment counts are equal, the total area agrees to "
        f"{AREA_RTOL:g} (relative), every spike count is equal and every |Δt| ≤ tol — and, where a published "
        "response exists, the same against it.", "",
        f"**{sum(r['status'] == 'match' for r in rows)} / {len(rows)} models match**; "
        f"{sum(r['status'] == 'error' for r in rows)} errors.", "",
        "| family | models | match | max abs dt (ms) |", "|---|---:|---:|---:|",
    ]
    for f in sorted(fam):
        rs = fam[f]
        dts = [r["max_abs_dt_ms"] for r in rs if r.get("max_abs_dt_ms") is not None]
        lines.append(f"| {f} | {len(rs)} | {sum(r['status'] == 'match' for r in rs)} | "
                     f"{max(dts) if dts else '–'} |")
    pub = [r for r in rows if r.get("published_match") is not None]
    if pub:
        lines += ["", "Published reference cells (docs/reference/cells.jsonl):", "",
                  "| cell | match | max abs dt (ms) |", "|---|---|---:|"]
        lines += [f"| {r['cell']} | {r['published_match']} | {r['published_max_abs_dt_ms']} |" for r in pub]
    bad = [r for r in rows if r["status"] != "match"]
    if bad:
        lines += ["", "Not matching:", ""]
        lines += [f"- {r['cell']}: {r['status']} {r.get('error') or ''} counts {r.get('spike_counts', '')} "
                  f"max dt {r.get('max_abs_dt_ms')}" for r in bad]
    tmp = out / "summary.md.tmp"
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(out / "summary.md")
    plot_fi(rows, out / "fI.png", protocol)


def plot_fi(rows: list[dict[str, Any]], path: Path, protocol: dict[str, Any]) -> None:
    """f–I curves (mean rate during the step) per e-type family: thin lines per model, both paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fam: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("steps_sonata"):
            fam[r["family"]].append(r)
    if not fam:
        return
    n = len(fam)
    ncol = min(4, n)
    nrow = (n + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.6 * nrow), squeeze=False)
    dur_s = protocol["duration"] / 1000.0
    t0, t1 = protocol["delay"], protocol["delay"] + protocol["duration"]
    for ax, f in zip(axes.flat, sorted(fam), strict=False):
        for r in fam[f]:
            amps = [float(k) for k in r["steps_sonata"]]
            for key, style in (("steps_reference", dict(color="0.6", lw=3)),
                               ("steps_sonata", dict(color="C3" if r["status"] != "match" else "C0", lw=1))):
                rates = [sum(t0 <= t < t1 for t in v) / dur_s for v in r[key].values()]
                ax.plot(amps, rates, marker=".", **style)
        ax.set_title(f"{f} (n={len(fam[f])})", fontsize=9)
        ax.set_xlabel("I (nA)", fontsize=8)
        ax.set_ylabel("rate (Hz)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("f–I per e-type family: grey = NetPyNE rule (reference), blue = SONATA/BMTK loader (red: mismatch)",
                 fontsize=9)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
