#!/usr/bin/env python
"""SONATA simulation output -> NWB. Thin entry point, equivalent to ``sonata-s1 to-nwb``:

    python converters/sonata_to_nwb.py OUTPUT_DIR --network NETWORK_DIR [--out FILE]
"""

import sys

from sonata_s1.cli import main

if __name__ == "__main__":
    sys.exit(main(["to-nwb", *sys.argv[1:]]))
