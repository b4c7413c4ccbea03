"""``sonata-s1 cell-response NAME``: somatic step-current responses of one cell model.

The cell is built through the same loader BMTK uses (:mod:`sonata_s1.cells.loader`) from the converted
components — or, with ``--path reference``, directly from the NetPyNE source rule (:mod:`.reference`),
which is what ``validate-cells`` compares against. Protocol (docs/reference/README.md): celsius 34 °C,
v_init −65 mV (the TC soma starts at its own vinit −70), fixed dt, one simulation per amplitude with an
IClamp at soma(0.5) from ``delay`` for ``duration`` ms, spikes = upward crossings of −10 mV at soma(0.5).

With ``--json`` stdout carries exactly one JSON object::

    {"cell": NAME, "cao": float, "n_sections": int, "n_segments": int, "area_um2": float,
     "steps": {"<amp as given>": [spike times, ms], ...}}

NEURON writes to fd 1 from C, so fd 1 points to stderr while NEURON runs (so ``--json`` output stays clean).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import SonataS1Error
from ..mechanisms import MechanismBuildError
from ..paths import COMPONENTS_DIR, MODFILES_DIR, SOURCE_HELP, SourceNotFoundError, source_dir
from .biophysics import CAO_S1_CONFIGURED, CellModelError
from .catalog import THALAMUS, cell_files, population_of

CELSIUS = 34.0
V_INIT = -65.0
THRESHOLD = -10.0


class UnknownCellError(SonataS1Error, LookupError):
    """NAME is not a cell model; the message says how to list the valid names."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="cell model name = file stem, e.g. L5_TTPC1_cADpyr232_1, sTC_jv_00")
    parser.add_argument("--amps", default="0.1,0.3,0.6", help="comma-separated step amplitudes in nA (default %(default)s)")
    parser.add_argument("--delay", type=float, default=100.0, help="step onset, ms (default %(default)s)")
    parser.add_argument("--duration", type=float, default=500.0, help="step duration, ms (default %(default)s)")
    parser.add_argument("--tstop", type=float, default=700.0, help="simulated time, ms (default %(default)s)")
    parser.add_argument("--dt", type=float, default=0.025, help="fixed time step, ms (default %(default)s)")
    parser.add_argument("--cao", type=float, default=None, metavar="MM",
                        help=f"extracellular Ca of S1 ca-sections, mM (default {CAO_S1_CONFIGURED}; "
                             "thalamic cells keep 2.0, README decision P1)")
    parser.add_argument("--cao-mode", choices=("configured", "published-run"), default="configured",
                        help="'published-run' = 2.0 mM everywhere, as the published simulation ran (README decision P1)")
    parser.add_argument("--json", action="store_true", help="print only the result JSON on stdout")
    parser.add_argument("--path", choices=("sonata", "reference"), default="sonata",
                        help="'sonata': SONATA components + BMTK loader (default); 'reference': the NetPyNE JSON "
                             "instantiated directly (what validate-cells compares against)")
    parser.add_argument("--components", default=str(COMPONENTS_DIR),
                        help="components directory with biophysical_neuron_models/ and morphologies/ (default %(default)s)")
    parser.add_argument("--source", default=None, help="NetPyNE source directory (for --path reference). " + SOURCE_HELP)
    parser.add_argument("--mechanisms", default=str(MODFILES_DIR), help="directory of .mod files (default %(default)s)")


def parse_amps(text: str) -> list[tuple[str, float]]:
    """'0.1,0.3,0.6' -> [('0.1', 0.1), ...]; keys are kept exactly as given."""
    out = []
    for part in text.split(","):
        key = part.strip()
        if not key:
            continue
        try:
            out.append((key, float(key)))
        except ValueError:
            raise argparse.ArgumentTypeError(f"--amps: {key!r} is not a number") from None
    if not out:
        raise argparse.ArgumentTypeError("--amps: no amplitudes given")
    return out


def _unknown(name: str, known: list[str], where: str, hint: str) -> UnknownCellError:
    close = difflib.get_close_matches(name, known, n=3)
    did = f" Did you mean {', '.join(close)}?" if close else ""
    return UnknownCellError(f"unknown cell model {name!r}: not in {where}.{did} {hint}")


def resolve(args: argparse.Namespace) -> dict[str, Any]:
    """Find the files for NAME on the chosen path (raises UnknownCellError with a listing hint)."""
    if args.path == "sonata":
        comp = Path(args.components)
        biophys = comp / "biophysical_neuron_models"
        if not (biophys / f"{args.name}.json").exists():
            known = sorted(p.stem for p in biophys.glob("*.json")) if biophys.is_dir() else []
            hint = (f"Valid names are the file stems in {biophys} (`ls {biophys}`)"
                    + ("; it is empty or missing: run `sonata-s1 convert-cells` first." if not known else "."))
            raise _unknown(args.name, known, str(biophys), hint)
        return {"biophys_dir": biophys, "morph_dir": comp / "morphologies"}
    try:
        src = source_dir(args.source)
    except SourceNotFoundError as exc:
        raise UnknownCellError(str(exc)) from None
    files = cell_files(src)
    if args.name not in files:
        hint = f"Valid names are the stems of the files in {src / 'cells'} (`ls {src / 'cells'}`), without _cellParams.json.xz."
        raise _unknown(args.name, list(files), str(src / "cells"), hint)
    return {"source_file": files[args.name]}


def simulate(cell: Any, amps: list[tuple[str, float]], delay: float, duration: float, tstop: float,
             dt: float) -> dict[str, list[float]]:
    """One run per amplitude; spike times (ms) of upward −10 mV crossings at soma(0.5)."""
    from neuron import h

    h.load_file("stdrun.hoc")
    h.celsius = CELSIUS
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.tstop = tstop
    h.CVode().active(0)
    soma = cell.soma[0]
    clamp = h.IClamp(soma(0.5))
    clamp.delay, clamp.dur = delay, duration
    times = h.Vector()
    nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    nc.threshold = THRESHOLD
    nc.record(times)
    steps: dict[str, list[float]] = {}
    for key, amp in amps:
        clamp.amp = amp
        times.resize(0)
        h.finitialize(V_INIT)
        h.continuerun(tstop)
        steps[key] = [round(float(t), 6) for t in times]
    return steps


def compute(args: argparse.Namespace) -> dict[str, Any]:
    """Build NAME on the chosen path, run the steps, return the result dict (NEURON output on fd 1 allowed)."""
    files = resolve(args)
    amps = parse_amps(args.amps)
    from ..mechanisms import load_mechanisms
    from .builder import cell_metrics

    load_mechanisms(Path(args.mechanisms))
    published = args.cao_mode == "published-run"
    cao_s1 = 2.0 if published else (args.cao if args.cao is not None else CAO_S1_CONFIGURED)
    if args.path == "sonata":
        from . import loader

        loader.configure(cao_mode=args.cao_mode, cao_s1=args.cao if args.cao is not None else CAO_S1_CONFIGURED)
        cell = loader.load_cell(args.name, files["biophys_dir"], files["morph_dir"])
        cao = cell.cao
        population = cell.spec["population"]
    else:
        from .reference import build_reference

        cell = build_reference(files["source_file"], cao_s1=cao_s1)
        population = population_of(files["source_file"])
        cao = cao_s1 if population != THALAMUS else 2.0
    if args.cao is not None and population == THALAMUS:
        print(f"note: --cao applies to S1 cells only; {args.name} keeps 2.0 mM (README decision P1)", file=sys.stderr)
    metrics = cell_metrics(cell.all)
    steps = simulate(cell, amps, args.delay, args.duration, args.tstop, args.dt)
    return {
        "cell": args.name,
        "cao": float(cao) if cao is not None else float(cao_s1),
        "n_sections": metrics["n_sections"],
        "n_segments": metrics["n_segments"],
        "area_um2": round(metrics["area_um2"], 6),
        "steps": steps,
    }


def run(args: argparse.Namespace) -> int:
    try:
        parse_amps(args.amps)
    except argparse.ArgumentTypeError as exc:
        print(f"cell-response: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        result = compute(args)
    except UnknownCellError as exc:
        error, code = str(exc), 2
    except (CellModelError, MechanismBuildError, OSError, ValueError) as exc:
        error, code = f"{type(exc).__name__}: {exc}", 1
    else:
        error, code = None, 0
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    if error is not None:
        print(f"cell-response: {error}", file=sys.stderr)
        return code
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['cell']}: {result['n_sections']} sections, {result['n_segments']} segments, "
              f"area {result['area_um2']:.3f} µm², cao {result['cao']} mM ({args.path} path)")
        for key, spikes in result["steps"].items():
            print(f"  {key} nA: {len(spikes)} spikes {spikes[:8]}{' ...' if len(spikes) > 8 else ''}")
    return 0
