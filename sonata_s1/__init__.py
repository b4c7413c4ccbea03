"""sonata_s1: the NetPyNE rat S1 + thalamus model as a SONATA circuit with NEURON components."""

__version__ = "0.1.0"
