#!/usr/bin/env python
"""NetPyNE S1+thalamus source -> SONATA circuit with NEURON components.

Thin entry point, equivalent to ``sonata-s1 convert-cells`` followed by ``sonata-s1 build``:

    python converters/netpyne_to_sonata.py --out circuits/full [--source DIR] [--density F] [...]

Every option after the first two steps is passed to ``sonata-s1 build`` unchanged.
"""

import sys

from sonata_s1.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    source = [a for i, a in enumerate(args) if a.startswith("--source") or (i and args[i - 1] == "--source")]
    rc = main(["convert-cells", *source])
    sys.exit(rc or main(["build", *args]))
