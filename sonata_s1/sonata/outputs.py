"""Reading SONATA simulation outputs (spike files and soma reports) through libsonata.

Why libsonata: it is the reference reader of these formats, so reading the run's files with it is
also the check that other SONATA tools can read them. The runner rewrites BMTK's raw files first
(:mod:`sonata_s1.analysis.postprocess`), because libsonata 0.2.2 rejects BMTK's variable-length
``sorting`` string, its gzip-compressed datasets and its singular ``index_pointer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import h5py
import libsonata
import numpy as np

from ..errors import SonataS1Error

Spikes = dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (node ids int64, times ms float64)


class OutputFileError(SonataS1Error, ValueError):
    """A simulation output file that cannot be read (the message names the file)."""


def _has_populations(path: Path, group: str) -> bool:
    """libsonata refuses a file whose top group is empty; such a file simply holds nothing."""
    with h5py.File(path, "r") as f:
        return bool(len(f.get(group, {})))


def read_spikes(path: Path) -> Spikes:
    """population -> (node_ids int64, times ms float64), in file order; empty if the file has no spikes."""
    path = Path(path)
    out: Spikes = {}
    if not path.is_file() or not _has_populations(path, "spikes"):
        return out
    try:
        reader = libsonata.SpikeReader(str(path))
        for pop in sorted(reader.get_population_names()):
            d = reader[pop].get_dict()
            out[pop] = (np.asarray(d["node_ids"], dtype=np.int64), np.asarray(d["timestamps"], dtype=np.float64))
    except libsonata.SonataError as exc:
        raise OutputFileError(f"{path}: not a readable SONATA spike file ({exc})") from None
    return out


@dataclass(frozen=True)
class SomaTrace:
    """The soma potential of one recorded cell: population, node id, start and step (ms), data (mV)."""

    population: str
    node_id: int
    t0_ms: float
    dt_ms: float
    data_mv: np.ndarray  # float32


def read_soma_report(path: Path) -> list[SomaTrace]:
    """One trace per recorded cell of a SONATA soma report, by population then node id."""
    path = Path(path)
    if not _has_populations(path, "report"):
        return []
    out = []
    try:
        reader = libsonata.ElementReportReader(str(path))
        for pop_name in sorted(reader.get_population_names()):
            pop = reader[pop_name]
            t0, _t1, step = (float(x) for x in pop.times)
            frame = pop.get()
            data = np.asarray(frame.data, dtype=np.float32)
            ids = [int(node) for node, _element in frame.ids]
            for col in np.argsort(ids, kind="stable"):  # one element (the soma) per cell
                out.append(SomaTrace(pop_name, ids[col], t0, step, np.ascontiguousarray(data[:, col])))
    except libsonata.SonataError as exc:
        raise OutputFileError(f"{path}: not a readable SONATA report ({exc})") from None
    return out
