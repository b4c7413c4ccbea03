"""Make NEURON join MPI when we run under ``mpiexec`` — and refuse to run when it did not.

The traps: without an explicit ``nrnmpi_init`` every rank silently
runs the whole model alone (exit code 0, every spike N times); with the pip ``mpich`` wheel,
NEURON must be pointed at the real ``libmpi.so.12`` (the ``libmpi.so`` next to it is a linker
script). mpi4py is imported first so that it owns ``MPI_Init``/``MPI_Finalize``.
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass

from ..errors import SonataS1Error


class MPIMismatchError(SonataS1Error, RuntimeError):
    """MPI world size and NEURON's ``nhost`` disagree: the run would duplicate work silently."""


@dataclass(frozen=True)
class MPIInfo:
    rank: int
    size: int
    nhost: int


def launched_under_mpi() -> bool:
    """True when an MPI launcher (MPICH/Hydra, Open MPI, Slurm PMI) started this process."""
    keys = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS", "HYDRA_CONTROL_FD")
    return any(k in os.environ for k in keys)


def _mpi_library() -> str | None:
    for pattern in ("libmpi.so.[0-9]*", "libmpich.so.[0-9]*"):
        libs = sorted(glob.glob(os.path.join(sys.prefix, "lib", pattern)))
        if libs:
            return libs[0]
    return None


def init_neuron_mpi(*, force: bool = False) -> MPIInfo:
    """Initialise MPI for NEURON if launched under MPI (or ``force``); check that both agree.

    Must be called before anything creates NEURON sections (BMTK creates a ParallelContext at
    import, which NEURON 9 tolerates, but call this before importing bmtk to be safe).
    """
    if not (force or launched_under_mpi()):
        from neuron import h

        pc = h.ParallelContext()
        return MPIInfo(rank=0, size=1, nhost=int(pc.nhost()))
    lib = _mpi_library()
    if lib and "MPI_LIB_NRN_PATH" not in os.environ:
        os.environ["MPI_LIB_NRN_PATH"] = lib
    from mpi4py import MPI  # noqa: F401  (MPI_Init happens here)
    from neuron import h

    h.nrnmpi_init()
    pc = h.ParallelContext()
    comm = MPI.COMM_WORLD
    info = MPIInfo(rank=comm.Get_rank(), size=comm.Get_size(), nhost=int(pc.nhost()))
    if info.nhost != info.size:
        raise MPIMismatchError(
            f"MPI world size is {info.size} but NEURON sees nhost={info.nhost}: NEURON did not join MPI "
            f"(MPI_LIB_NRN_PATH={os.environ.get('MPI_LIB_NRN_PATH')!r}). Refusing to run {info.size} "
            "independent copies of the simulation. Use the mpiexec of the same environment as NEURON "
            "(pip 'mpich' wheel: .venv/bin/mpiexec) or set MPI_LIB_NRN_PATH to the real libmpi.so.N."
        )
    return info
