"""``sonata-s1`` command line: parse, dispatch, report. No logic lives here.

Errors are reported here and nowhere else: a :class:`~sonata_s1.errors.SonataS1Error` (bad input,
whose message names the file and key) becomes one line on stderr and exit code 2; any other
exception is a bug and keeps its traceback. Each subcommand is implemented by a module exposing ``add_arguments(parser)`` and
``run(args) -> int``; modules are imported only when their command runs, so ``--help`` is fast
and a command never pays for NEURON or BMTK imports it does not need.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import EXIT_REFUSED, SonataS1Error

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check-source": ("sonata_s1.source.check", "validate the NetPyNE source data and summarise it"),
    "convert-cells": ("sonata_s1.cells.convert", "NetPyNE cell JSONs -> SWC morphologies + biophysics JSON"),
    "cell-response": ("sonata_s1.cells.response", "step-current response of one cell model (JSON on stdout)"),
    "validate-cells": ("sonata_s1.cells.validate", "compare every converted cell with the NetPyNE JSON instantiation"),
    "build": ("sonata_s1.commands.build", "build the S1+thalamus SONATA circuit"),
    "stats": ("sonata_s1.commands.stats", "connection statistics of a built circuit vs. expectations"),
    "to-nwb": ("sonata_s1.commands.to_nwb", "convert a SONATA simulation output to NWB"),
    "plot": ("sonata_s1.commands.plot", "redraw the raster and rate figures of a simulation output"),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command named in ``argv`` (or all of them, for ``--help``) imports its module."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="sonata-s1", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if "--help" in argv or "-h" in argv or (argv and argv[0] == name):
            try:
                importlib.import_module(module).add_arguments(p)
            except ModuleNotFoundError as exc:  # a command whose module is not there yet
                p.set_defaults(_missing=str(exc))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` (without the program name) defaults to ``sys.argv[1:]``, which is never modified."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        parser.error(f"command {args.command!r} is not available: {args._missing}")
    from .paths import expand_path

    try:  # every path option: ~ and $VARIABLES expanded (a quoted option or a script does not expand them)
        for key, value in vars(args).items():
            if isinstance(value, str) and not key.startswith("_") and ("~" in value[:1] or "$" in value):
                setattr(args, key, str(expand_path(value, f"--{key.replace('_', '-')}")))
    except SonataS1Error as exc:
        print(f"sonata-s1 {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except SonataS1Error as exc:
        print(f"sonata-s1 {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
