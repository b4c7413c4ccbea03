"""``sonata-s1 build``: NetPyNE source → SONATA circuit directory (nodes, edges, configs).

Why a thin command: the rules live in :mod:`sonata_s1.circuit` (pure numpy), the file formats in
:mod:`.writer`; this module validates the options up front (bad input → one message, exit 2,
before any expensive work), wraps the write in an atomic output directory (an interrupted build
leaves nothing half-written) and reports time per stage.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import signal
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import SonataS1Error
from ..outdir import atomic_build_dir, check_build_dir
from ..paths import COMPONENTS_DIR, SOURCE_HELP, expand_path
from ..sonata import config
from ..sonata.h5util import WriterInputError, WriterWarning
from ..sonata.tables import EdgeTable, NodeTable
from ..sonata.writer import CircuitFiles, write_circuit


class BuildInputError(SonataS1Error, ValueError):
    """Options or source data that make a build impossible (reported as one line, exit 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="DIR", help=f"NetPyNE source directory. {SOURCE_HELP}")
    parser.add_argument("--out", metavar="DIR", required=True, help="output circuit directory (created atomically)")
    parser.add_argument("--density", type=float, default=1.0, help="S1 scaleDensity in (0, 1] (default 1.0)")
    parser.add_argument("--thalamus-density", type=float, default=1.0,
                        help="thalamic cell fraction in (0, 1] (default 1.0 = published, spec D15)")
    parser.add_argument("--radius", type=float, default=None, metavar="UM",
                        help="keep only cells within UM µm of the column axis (default: whole column)")
    parser.add_argument("--seed", type=int, default=4322, help="connectivity seed (default 4322)")
    parser.add_argument("--seed-loc", type=int, default=4322, help="placement seed (default 4322)")
    parser.add_argument("--no-thalamus", action="store_true", help="S1 only (no thalamic populations/edges)")
    parser.add_argument("--no-background", action="store_true", help="no background virtual population/edges")
    parser.add_argument("--force", action="store_true",
                        help="replace --out if it is a previous sonata_s1 build (never another directory)")
    parser.add_argument("--tstop", type=float, default=300.0, help="simulation duration in config.json (ms)")
    parser.add_argument("--s1-pom-rule", choices=["as_executed", "intended_divergence"], default="as_executed",
                        help="S1→POm rule (README decision P3)")
    parser.add_argument("--syn-placement", choices=["uniform", "random"], default="uniform",
                        help="multi-synapse placement (README decision P4)")
    parser.add_argument("--forward-syn-x", action="store_true", help="measure uniform positions from the section start (NetPyNE measures from the end)")
    parser.add_argument("--exact-interp", action="store_true", help="unrounded near-distance line (P5)")
    parser.add_argument("--gabab-ratio", type=float, default=0.0, help="S1 GABAB_ratio (P7, default 0)")
    parser.add_argument("--background-section-rule", choices=["netpyne", "per_source_random"], default="netpyne",
                        help="background synapse placement (D2)")
    parser.add_argument("--cao-mode", choices=["configured", "published-run"], default="configured",
                        help="extracellular Ca handling recorded for the runner (P1)")
    parser.add_argument("--cao-s1", type=float, default=1.2, help="S1 [Ca]o in mM for cao-mode configured (P1)")
    parser.add_argument("--background-streams", choices=["independent", "netpyne"], default="independent",
                        help="background spike streams recorded for the runner (P2)")
    parser.add_argument("--chunk-synapses", type=int, default=None, help="edge rows per chunk (memory bound only)")
    parser.add_argument("--components", metavar="DIR", default=str(COMPONENTS_DIR),
                        help="shared components (morphologies, biophysics, mechanisms) referenced by the config")
    parser.add_argument("--relocatable", action="store_true",
                        help='write $BASE_DIR as "." (movable; BMTK must then run from the circuit dir)')
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def _validate(args: argparse.Namespace) -> None:
    """Reject impossible options before loading anything (exit code 2)."""
    if not 0 < args.density <= 1:
        raise BuildInputError(f"--density must be in (0, 1], got {args.density}")
    if not 0 < args.thalamus_density <= 1:
        raise BuildInputError(f"--thalamus-density must be in (0, 1], got {args.thalamus_density}")
    if args.radius is not None and not args.radius > 0:
        raise BuildInputError(f"--radius must be > 0 µm, got {args.radius}")
    if args.tstop is not None and not args.tstop > 0:
        raise BuildInputError(f"--tstop must be > 0 ms, got {args.tstop}")
    if args.gabab_ratio < 0:
        raise BuildInputError(f"--gabab-ratio must be >= 0, got {args.gabab_ratio}")
    if not args.cao_s1 > 0:
        raise BuildInputError(f"--cao-s1 must be > 0 mM, got {args.cao_s1}")
    if args.chunk_synapses is not None and args.chunk_synapses < 1:
        raise BuildInputError(f"--chunk-synapses must be >= 1, got {args.chunk_synapses}")
    for name in ("seed", "seed_loc"):
        if getattr(args, name) < 0:
            raise BuildInputError(f"--{name.replace('_', '-')} must be >= 0")
    out = expand_path(args.out, "--out").absolute()
    comps = expand_path(args.components, "--components").absolute()
    if comps == out or out in comps.parents:  # a rebuild replaces --out wholesale: the cell models would go too
        raise BuildInputError(f"--components {comps} lies inside --out {out}; keep the shared cell models "
                              "outside the circuit directory")


def circuit_options(args: argparse.Namespace) -> Any:
    """Map CLI arguments onto :class:`sonata_s1.circuit.options.CircuitOptions`."""
    from ..circuit.options import CircuitOptions

    kw: dict[str, Any] = dict(
        density=args.density, thalamus_density=args.thalamus_density, radius=args.radius, seed=args.seed,
        seed_loc=args.seed_loc, with_thalamus=not args.no_thalamus, background=not args.no_background,
        s1_pom_rule=args.s1_pom_rule, forward_syn_x=args.forward_syn_x, syn_placement=args.syn_placement,
        exact_interp=args.exact_interp, gabab_ratio=args.gabab_ratio,
        background_section_rule=args.background_section_rule,
    )
    if args.chunk_synapses is not None:
        kw["chunk_synapses"] = args.chunk_synapses
    known = {f.name for f in dataclasses.fields(CircuitOptions)}
    try:
        return CircuitOptions(**{k: v for k, v in kw.items() if k in known})
    except ValueError as exc:  # CircuitOptions' own checks name the option
        raise BuildInputError(str(exc)) from None


def _split_circuit(circuit: Any) -> tuple[Sequence[NodeTable], Iterable[EdgeTable]]:
    """Accept the circuit module's result as an object with ``nodes``/``edges`` or a 2-tuple."""
    if isinstance(circuit, tuple) and len(circuit) == 2:
        nodes, edges = circuit
    else:
        nodes, edges = circuit.nodes, circuit.edges
    return (list(nodes.values()) if isinstance(nodes, dict) else list(nodes)), edges


def _provenance(args: argparse.Namespace, options: Any) -> dict[str, Any]:
    opts = options.provenance() if hasattr(options, "provenance") else dataclasses.asdict(options)
    return {k: v for k, v in opts.items() if k != "extra"}


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("sonata_s1", "numpy", "h5py"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


class _Termination:
    """SIGTERM/SIGINT → a flag checked between edge chunks.

    Why not raise from the handler: Python runs the handler at an arbitrary bytecode, including
    inside weakref callbacks and ``__del__`` where the exception is printed and *ignored* (observed:
    a SIGTERM during the edge stage let the build run to completion). Checking a flag at chunk
    boundaries stops within one chunk (~1 s) and unwinds through the atomic writer, which removes
    its temporary directory. A second signal raises immediately.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def handler(self, signum: int, frame: FrameType | None) -> None:  # noqa: ARG002
        if self.signum is not None:
            raise KeyboardInterrupt(f"signal {signum}")
        self.signum = signum

    def check(self) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt(f"signal {self.signum}")

    def chunks(self, chunks: Iterable[Any]) -> Iterator[Any]:
        for chunk in chunks:
            self.check()
            yield chunk
        self.check()

    def tables(self, tables: Iterable[EdgeTable]) -> Iterator[EdgeTable]:
        for table in tables:
            self.check()
            yield dataclasses.replace(table, chunks=self.chunks(table.chunks))


def print_summary(files: CircuitFiles, timings: dict[str, float], out: Path, stream: Any = None) -> None:
    stream = stream or sys.stdout
    print(f"circuit written to {out}", file=stream)
    for n in files.nodes:
        print(f"  nodes {n.population:<12} {n.model_type:<12} {n.size:>12,d}", file=stream)
    total = 0
    for e in files.edges:
        total += e.n_edges
        print(f"  edges {e.population:<22} {e.n_edges:>14,d} rows", file=stream)
    print(f"  edges total {total:>27,d} rows", file=stream)
    print("  time per stage:", file=stream)
    for stage, sec in timings.items():
        print(f"    {stage:<28} {sec:9.1f} s", file=stream)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:  # noqa: ARG001
    print(f"sonata-s1 build: warning: {message}", file=sys.stderr)


def _report(message: str) -> None:
    print(f"sonata-s1 build: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("once", WriterWarning)
        warnings.showwarning = _show_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    t_start = time.perf_counter()
    out = expand_path(args.out, "--out").absolute()
    args.components = str(expand_path(args.components, "--components"))
    _validate(args)
    check_build_dir(out, force=args.force)  # an OutputDirError is a SonataS1Error: one line, exit 2 (CLI)
    options = circuit_options(args)

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        from ..source import load_source
        from ..source.errors import SourceError

        source = load_source(args.source)
    except (OSError, SourceError) as exc:  # SourceNotFoundError is an OSError
        raise BuildInputError(f"cannot read the source: {exc}") from None
    timings["load source"] = time.perf_counter() - t0

    from .. import circuit as circuit_pkg

    sim = config.SimulationOptions(
        tstop=args.tstop, seed=args.seed, cao_mode=args.cao_mode, cao_s1=args.cao_s1,
        background_streams=args.background_streams,
        scale={"density": args.density, "thalamus_density": args.thalamus_density, "radius": args.radius,
               "thalamus": not args.no_thalamus, "background": not args.no_background},
        source=str(source.root), build_options=_provenance(args, options),
    )
    components = config.components_reference(out, Path(args.components))
    base_dir = "." if args.relocatable else str(out)
    marker = {"versions": _versions(), "build_options": sim.build_options}

    term = _Termination()
    previous = {sig: signal.signal(sig, term.handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with atomic_build_dir(out, force=args.force, info=marker, report=_report) as tmp:
            t0 = time.perf_counter()
            circuit = circuit_pkg.build_circuit(source, options)
            nodes, edges = _split_circuit(circuit)
            timings["circuit setup (placement, rules)"] = time.perf_counter() - t0
            term.check()
            files = write_circuit(tmp, nodes, term.tables(edges), sim=sim, components=components,
                                  base_dir=base_dir, progress=not args.no_progress)
            term.check()
            timings.update({f"write {k}" if k in ("nodes", "configs") else k: v for k, v in files.timings.items()})
    except WriterInputError as exc:  # the circuit produced inconsistent tables: a bug, not bad input
        print(f"sonata-s1 build: internal error (circuit tables): {exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    timings["total"] = time.perf_counter() - t_start
    print_summary(files, timings, out)
    return 0
