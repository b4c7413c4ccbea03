"""``sonata-s1 plot OUTPUT_DIR [--network DIR]``: redraw the raster, the rate chart and the rates table.

For a run made with ``--no-figures``, or after the figures changed; the circuit comes from
``--network`` or from the run's ``provenance.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analysis.origin import circuit_for_output
from ..analysis.plots import draw_all


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output_dir", metavar="OUTPUT_DIR", help="simulation output directory (spikes.h5)")
    parser.add_argument("--network", metavar="DIR", default=None,
                        help="circuit directory or circuit_config.json (default: the one the run used)")


def run(args: argparse.Namespace) -> int:
    out = Path(args.output_dir)
    circuit, tstop, _ = circuit_for_output(out, args.network)
    paths = draw_all(out, circuit, tstop)
    for p in (*paths.values(), out / "rates.json", out / "rates.csv"):
        print(p)
    return 0
