"""``sonata-s1 convert-cells``: NetPyNE cell rules -> ``morphologies/<name>.swc`` + ``biophysical_neuron_models/<name>.json``.

One source file in, two component files out, independently per cell model — so the work is spread over
processes (``--jobs``, default 2 = the machine) and every file is written atomically (temp + rename), which
makes an interrupted conversion harmless. Every mechanism must be one the project ships (a .mod SUFFIX in
``components/mechanisms/modfiles``) or a NEURON built-in; otherwise the conversion fails naming cell,
section and mechanism.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..paths import COMPONENTS_DIR, MODFILES_DIR, SOURCE_HELP, source_dir
from ..progress import progress_bar
from ..source.cellparams import cell_name_from_path, read_checked_cell
from ..source.errors import SourceError
from . import biophysics, swc
from .catalog import cell_files, population_of, select


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default=None, help="NetPyNE source directory. " + SOURCE_HELP)
    parser.add_argument("--out", default=str(COMPONENTS_DIR), help="components directory (default %(default)s)")
    parser.add_argument("--models", default=None, metavar="PATTERN",
                        help="only these cell models (comma-separated names or glob patterns)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default %(default)s)")
    parser.add_argument("--mechanisms", default=str(MODFILES_DIR),
                        help="directory of the project's .mod files, to check mechanism names (default %(default)s)")
    parser.add_argument("--no-mechanism-check", action="store_true",
                        help="do not require every mechanism to have a .mod file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory + rename (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def convert_one(src: str | Path, out: str | Path, known: frozenset[str] | None = None) -> tuple[str, int]:
    """Convert one source cell file; returns (name, number of sections)."""
    src, out = Path(src), Path(out)
    name = cell_name_from_path(src)
    spec = biophysics.from_cell_params(read_checked_cell(src), name, population_of(src),
                                       source_file=src.name, known=known)
    atomic_write_text(out / "morphologies" / f"{name}.swc", swc.swc_text(spec))
    atomic_write_text(out / "biophysical_neuron_models" / f"{name}.json", biophysics.dumps(spec))
    return name, len(spec["sections"])


def _worker(args: tuple[str, str, frozenset[str] | None]) -> tuple[str, int | None, str | None]:
    src, out, known = args
    try:
        name, n = convert_one(src, out, known)
        return name, n, None
    except (SourceError, biophysics.CellModelError, ValueError, OSError) as exc:
        return cell_name_from_path(src), None, str(exc)


def run(args: argparse.Namespace) -> int:
    src = source_dir(args.source)  # a SourceNotFoundError is reported by the CLI
    files = cell_files(src)
    names = select(list(files), args.models)
    if not names:
        print(f"convert-cells: no cell models match {args.models!r} in {src / 'cells'}", file=sys.stderr)
        return 2
    known = None if args.no_mechanism_check else biophysics.known_mechanisms(Path(args.mechanisms))
    out = Path(args.out)
    jobs = [(str(files[n]), str(out), known) for n in names]
    t0 = time.perf_counter()
    errors: list[tuple[str, str]] = []
    bar = progress_bar(total=len(jobs), desc="convert-cells", unit="cell", disable=args.quiet)
    if args.jobs <= 1:
        results = (_worker(j) for j in jobs)
        for name, _, err in results:
            if err:
                errors.append((name, err))
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(_worker, j) for j in jobs]
            for fut in as_completed(futures):
                name, _, err = fut.result()
                if err:
                    errors.append((name, err))
                bar.update(1)
    bar.close()
    elapsed = time.perf_counter() - t0
    done = len(jobs) - len(errors)
    print(f"convert-cells: {done}/{len(jobs)} cell models written to {out} in {elapsed:.1f} s", file=sys.stderr)
    for name, err in sorted(errors)[:20]:
        print(f"  {name}: {err}", file=sys.stderr)
    if len(errors) > 20:
        print(f"  ... and {len(errors) - 20} more errors", file=sys.stderr)
    return 1 if errors else 0
