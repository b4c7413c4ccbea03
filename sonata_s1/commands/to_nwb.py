"""``sonata-s1 to-nwb OUTPUT_DIR --network NETWORK_DIR [--out FILE]``: a SONATA output as one NWB file.

The file is checked with nwbinspector's DANDI configuration afterwards (exit 1 on any message)
unless ``--no-inspect``. An existing file is replaced only if a finished run of ours wrote it (it is
listed, unchanged, in the run's marker) or with ``--overwrite``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import outdir
from ..analysis.nwb import inspect, write_run_nwb
from ..analysis.origin import circuit_for_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output_dir", metavar="OUTPUT_DIR", help="simulation output directory (spikes.h5, soma_v.h5)")
    parser.add_argument("--network", metavar="NETWORK_DIR", required=True,
                        help="circuit directory (or its circuit_config.json) the run simulated")
    parser.add_argument("--out", metavar="FILE", default=None, help="NWB file (default OUTPUT_DIR/<name>.nwb)")
    parser.add_argument("--no-inspect", action="store_true", help="skip the nwbinspector (DANDI config) check")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --out file that is not the NWB file a run of ours wrote")


def run(args: argparse.Namespace) -> int:
    out_dir = Path(args.output_dir)
    circuit, tstop, prov = circuit_for_output(out_dir, args.network)
    name = str((prov.get("project") or {}).get("name") or "s1_thalamus")
    target = Path(args.out) if args.out else out_dir / f"{name}.nwb"
    if target.is_dir() or (target.exists() and not args.overwrite and not outdir.owned_file(target)):
        raise outdir.OutputDirError(
            f"--out {target} {'is a directory' if target.is_dir() else 'exists and was not written by sonata_s1'}; "
            "refusing to overwrite it (use --overwrite to replace a file, or choose another name)")
    conf = {"run": {"tstop": tstop, "dt": (prov.get("run") or {}).get("dt", 0.025)},
            "reports": (prov.get("config_content") or {}).get("reports")
            or {"soma_v": {"module": "membrane_report", "file_name": "soma_v.h5", "sections": "soma"}},
            "config_path": prov.get("config")}
    project = dict(prov.get("project") or {})
    project.setdefault("mpi_size", (prov.get("mpi") or {}).get("size"))
    path = write_run_nwb(out_dir, circuit, conf=conf, project=project, circuit_project=prov.get("circuit") or {
        "circuit_dir": str(Path(args.network).absolute())}, out=target)
    outdir.record_file(path)  # inside a run's output directory the file is the run's: a rerun may replace it
    print(path)
    if not args.no_inspect:
        messages = inspect(path)
        for m in messages:
            print(f"nwbinspector: {m.importance.name} {m.check_function_name}: {m.message}")
        if messages:
            return 1
    return 0
