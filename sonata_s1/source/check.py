"""``sonata-s1 check-source``: load + validate the NetPyNE source and print what it contains.

Run it first on a new machine or data copy: a wrong or damaged data folder then fails here, with
every problem named by file and key, instead of deep inside a build.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..paths import MODFILES_DIR, SOURCE_HELP, SourceNotFoundError
from ..progress import progress_bar
from .errors import SourceError

#: The machine is shared (DEVELOPING.md): never more than two worker processes.
MAX_JOBS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="DIR", help=SOURCE_HELP)
    parser.add_argument("--deep", action="store_true",
                        help="also parse every cell JSON and check its sections, geometry and mechanisms (~5 s on 2 cores)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS, metavar="N",
                        help=f"worker processes for --deep (1..{MAX_JOBS}, default {MAX_JOBS})")
    parser.add_argument("--not-strict", dest="strict", action="store_false",
                        help="skip the exact published counts (for reduced or synthetic data sets)")


def summarise(model: Any) -> dict[str, Any]:
    """Counts of a loaded SourceModel (what the text and JSON reports print)."""
    from .connectivity import split_conn_ids
    from .model import THALAMIC_CELL_MODELS

    by_mtype: dict[str, list[Any]] = {}
    for me in model.metypes:
        by_mtype.setdefault(me.mtype, []).append(me)
    klass = Counter(p.klass for p in model.s1.pathways.values())
    rules = sum(len(split_conn_ids(model.s1, p, by_mtype[p.pre], by_mtype[p.post]))
                for p in model.s1.pathways.values())
    cells_e = sum(me.n_cells for me in model.metypes if me.ei == "E")
    n_thal_files = sum(1 for n in THALAMIC_CELL_MODELS if n in model.cell_files)
    return {
        "source": str(model.root),
        "me_types": len(model.metypes),
        "m_types": len(by_mtype),
        "cells": sum(me.n_cells for me in model.metypes),
        "cells_E": cells_e,
        "cells_I": sum(me.n_cells for me in model.metypes) - cells_e,
        "cell_files": len(model.cell_files),
        "cell_files_S1": len(model.cell_files) - n_thal_files,
        "cell_files_thalamic": n_thal_files,
        "pathways": len(model.s1.pathways),
        "pathways_by_class": {k: klass.get(k, 0) for k in ("II", "IE", "EI", "EE")},
        "netpyne_rules": rules,
        "synapse_types": len(model.s1.synapse_types),
        "background_mtypes": len(model.s1.background),
        "thalamic_pairs": len(model.thalamic.cmat),
        "convergence_rows": len(model.convergence.first_order),
    }


def _check_file(job: tuple[str, str, str | None, int | None, bool]) -> tuple[list[str], list[str]]:
    """Worker: parse one cell file, return (problems, mechanism names used)."""
    from .cellcheck import check_cell_rule
    from .cellparams import read_cell_params

    name, path, label, n_clones, thalamic = job
    try:
        rule = read_cell_params(path)
    except SourceError as exc:
        return [str(exc)], []
    problems = check_cell_rule(rule, name=name, label=label, n_clones=n_clones, thalamic=thalamic)
    secs = rule.get("secs") if isinstance(rule, dict) else None
    mechs = {m for sec in (secs.values() if isinstance(secs, dict) else ()) if isinstance(sec, dict)
             if isinstance(sec.get("mechs"), dict) for m in sec["mechs"]}
    return problems, sorted(mechs)


def deep_check(model: Any, *, jobs: int = MAX_JOBS, progress: bool = True) -> dict[str, Any]:
    """Parse every cell file of ``model`` and run :func:`~.cellcheck.check_cell_rule` on it."""
    from .cellcheck import BUILTIN_MECHANISMS, nmodl_suffixes
    from .model import THALAMIC_CELL_MODELS

    work: list[tuple[str, str, str | None, int | None, bool]] = [
        (name, str(model.cell_files[name]), me.label, me.n_clones, False)
        for me in model.metypes for name in me.clone_names if name in model.cell_files
    ]
    work += [(n, str(model.cell_files[n]), None, None, True) for n in THALAMIC_CELL_MODELS if n in model.cell_files]
    problems: list[str] = []
    used: set[str] = set()
    jobs = max(1, min(MAX_JOBS, jobs))
    bar = progress_bar(total=len(work), desc="cell files", unit="file", disable=not progress)
    try:
        if jobs == 1:
            results = map(_check_file, work)
            for probs, mechs in results:
                problems += probs
                used.update(mechs)
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for probs, mechs in pool.map(_check_file, work, chunksize=8):
                    problems += probs
                    used.update(mechs)
                    bar.update()
    finally:
        bar.close()
    mod_files = sorted(Path(MODFILES_DIR).glob("*.mod"))
    if mod_files:
        provided = nmodl_suffixes(p.read_text(errors="replace") for p in mod_files) | BUILTIN_MECHANISMS
        missing = sorted(used - provided)
        nmodl = {"checked": True, "modfiles": str(MODFILES_DIR), "missing": missing}
    else:
        nmodl = {"checked": False, "missing": [], "note": f"no .mod files in {MODFILES_DIR} yet"}
    return {"files_checked": len(work), "mechanisms_used": sorted(used), "nmodl": nmodl, "problems": problems}


def _print_text(summary: dict[str, Any], deep: dict[str, Any] | None) -> None:
    c = summary
    print(f"NetPyNE source: {c['source']}")
    print(f"  me-types        {c['me_types']:>8,}   m-types {c['m_types']}")
    print(f"  S1 cells        {c['cells']:>8,}   (E {c['cells_E']:,}, I {c['cells_I']:,})")
    print(f"  cell files      {c['cell_files']:>8,}   (S1 {c['cell_files_S1']}, thalamic {c['cell_files_thalamic']})")
    by = c["pathways_by_class"]
    print(f"  S1 pathways     {c['pathways']:>8,}   (II {by['II']}, IE {by['IE']}, EI {by['EI']}, EE {by['EE']}; "
          f"{c['netpyne_rules']:,} NetPyNE rules)")
    print(f"  synapse types   {c['synapse_types']:>8}")
    print(f"  background      {c['background_mtypes']:>8}   m-types")
    print(f"  thalamic pairs  {c['thalamic_pairs']:>8}   (cmat)")
    print(f"  convergence     {c['convergence_rows']:>8}   rows")
    if deep is not None:
        print(f"  deep check      {deep['files_checked']:>8}   files, {len(deep['mechanisms_used'])} mechanisms, "
              f"{len(deep['problems'])} problem(s)")
        if not deep["nmodl"]["checked"]:
            print(f"  NMODL coverage  skipped: {deep['nmodl']['note']}")
        else:
            missing = deep["nmodl"]["missing"]
            print(f"  NMODL coverage  {'complete' if not missing else 'MISSING ' + ', '.join(missing)}")


def run(args: argparse.Namespace) -> int:
    from . import load_source

    try:
        model = load_source(args.source, strict=getattr(args, "strict", True))
    except SourceNotFoundError as exc:
        return _fail(args, str(exc), [str(exc)])
    except SourceError as exc:
        return _fail(args, f"invalid NetPyNE source data:\n{exc}", exc.problems)
    summary = summarise(model)
    deep = deep_check(model, jobs=args.jobs, progress=not args.json) if args.deep else None
    problems = deep["problems"] if deep else []
    missing_mechs = deep["nmodl"]["missing"] if deep else []
    if args.json:
        print(json.dumps({"valid": not problems and not missing_mechs, **summary, "deep": deep,
                          "problems": problems}, indent=1))
    else:
        _print_text(summary, deep)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        print(f"check-source: INVALID cell files ({len(problems)} problem(s)):\n{shown}{more}", file=sys.stderr)
    if missing_mechs:
        # the project must implement every mechanism the cells use, or a converted cell would lack it
        print(f"check-source: the project's NMODL ({MODFILES_DIR}) lacks {len(missing_mechs)} mechanism(s) "
              f"the cell files use: {', '.join(missing_mechs)}", file=sys.stderr)
    if problems or missing_mechs:
        return 1
    if not args.json:
        print("check-source: OK")
    return 0


def _fail(args: argparse.Namespace, message: str, problems: list[str]) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"valid": False, "problems": problems}, indent=1))
    print(f"check-source: {message}", file=sys.stderr)
    return 1
