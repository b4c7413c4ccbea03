#!/usr/bin/env python
"""Run a sonata_s1 simulation config with BMTK bionet: ``python run_bionet.py [config.json]``.

Under MPI: ``mpiexec -n 2 python run_bionet.py config.json`` (the venv's mpiexec). NEURON is
made to join MPI *before* bmtk is imported, and the run is refused when MPI's world size and
NEURON's ``nhost`` disagree (otherwise every rank would silently simulate the whole circuit).

The flow is BMTK's standard one (``bionet.Config`` → ``build_env`` → ``BioNetwork.from_config`` →
``BioSimulator.from_config`` → ``run``) with the project's plug-ins; see
:mod:`sonata_s1.sim.runner` for the checks done first and the outputs written afterwards
(spikes.h5, soma report, log.txt, provenance.json, rates.json/csv, raster.png, rates.png, NWB).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback

#: Exit codes: 0 ok, 1 failure during the run, 2 configuration/setup refused before anything ran.
EXIT_CONFIG = 2
EXIT_RUN = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="run_bionet.py", description=__doc__.splitlines()[0])
    p.add_argument("config", nargs="?", default="config.json", help="simulation config (default config.json)")
    p.add_argument("--progress-ms", type=float, default=50.0, help="progress line every N ms of simulated time")
    p.add_argument("--no-nwb", action="store_true", help="do not write the NWB file")
    p.add_argument("--no-figures", action="store_true", help="do not draw raster.png / rates.png")
    return p.parse_args(argv)


def _fail(msg: str, code: int, rank: int, size: int) -> int:
    print(f"run_bionet.py: error{f' (rank {rank})' if size > 1 else ''}: {msg}", file=sys.stderr, flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the config; a :class:`SonataS1Error` is reported here, once, as one line and exit 2."""
    args = parse_args(argv)
    t_start = time.perf_counter()
    from sonata_s1.errors import SonataS1Error
    from sonata_s1.paths import expand_path
    from sonata_s1.sim.mpi import init_neuron_mpi

    rank, size, started, plan = 0, 1, False, None
    try:
        mpi = init_neuron_mpi()
        rank, size = mpi.rank, mpi.size
        from sonata_s1.sim import runner  # imports bmtk: only after NEURON joined MPI

        plan = runner.prepare(expand_path(args.config, "config"))
        runner.claim_output_dir(plan, mpi)  # locked for the whole run; rank 0 decides, every rank agrees
        started = True
        result = runner.simulate(plan, mpi, progress_ms=args.progress_ms)
        if mpi.rank == 0:
            result["timings"]["total_s"] = time.perf_counter() - t_start
            runner.finish(plan, mpi, result, nwb=not args.no_nwb, figures=not args.no_figures)
            print(f"run_bionet.py: outputs in {plan.output_dir} "
                  f"({time.perf_counter() - t_start:.1f} s wall)", flush=True)
    except SonataS1Error as exc:
        code = _fail(str(exc), EXIT_CONFIG, rank, size)
        if started:  # prepare() and the claim fail alike on every rank; later, other ranks may wait in a collective
            if rank == 0 and plan is not None:
                runner.mark_failed(plan)
            _abort(size, code)
        return code
    except Exception:  # noqa: BLE001  - any failure must not leave other ranks waiting forever
        traceback.print_exc()
        if rank == 0 and plan is not None:
            runner.mark_failed(plan)  # record what the failed run left, so later additions stay the user's
        code = _fail("simulation failed (traceback above)", EXIT_RUN, rank, size)
        _abort(size, code)
        return code
    from neuron import h

    h.ParallelContext().barrier()
    return 0


def _abort(size: int, code: int) -> None:
    """Under MPI a failure on one rank would leave the others blocked in a collective: abort them all."""
    if size > 1:
        from mpi4py import MPI

        MPI.COMM_WORLD.Abort(code)


if __name__ == "__main__":
    sys.exit(main())
