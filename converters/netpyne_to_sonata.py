#!/usr/bin/env python
"""NetPyNE S1+thalamus source -> SONATA circuit with NEURON components.

Thin entry point, equivalent to ``sonata-s1 convert-cells`` followed by ``sonata-s1 build``:

    python converters/netpyne_to_sonata.py --out circuits/full [--source DIR] [--components DIR] [--density F] [...]

Every option goes to ``sonata-s1 build`` unchanged. ``--source DIR`` also goes to
``convert-cells``, and so does ``--components DIR`` (as its ``--out``), so the cell models are
converted into the components directory the circuit config will reference.
"""

from __future__ import annotations

import sys


def _option(args: list[str], name: str) -> str | None:
    """The last value of ``--name VALUE`` or ``--name=VALUE`` in ``args`` (argparse semantics), or None."""
    value = None
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(name + "="):
            value = a.split("=", 1)[1]
    return value


def convert_cells_args(args: list[str]) -> list[str]:
    """The ``convert-cells`` arguments implied by the ``build`` arguments ``args``."""
    out = ["convert-cells"]
    source = _option(args, "--source")
    if source is not None:
        out += ["--source", source]
    components = _option(args, "--components")
    if components is not None:
        out += ["--out", components]
    return out


def main(argv: list[str] | None = None) -> int:
    from sonata_s1.cli import main as cli

    args = sys.argv[1:] if argv is None else list(argv)
    if "-h" in args or "--help" in args:
        return cli(["build", *args])
    return cli(convert_cells_args(args)) or cli(["build", *args])


if __name__ == "__main__":
    sys.exit(main())
