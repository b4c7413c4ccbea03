"""Post-run work on a simulation output: rates, figures, NWB, SONATA post-processing.

Depends on the format layer (``sonata_s1.sonata``), never on the runner (``sonata_s1.sim``).
"""
