"""Make BMTK's output files readable by libsonata 0.2.2 (the reference SONATA reader).

Why: BMTK writes the spikes ``sorting`` attribute as a variable-length string and, by default,
gzip-compressed datasets; its soma report has ``index_pointer`` (singular), no ``units`` and
float64 data. libsonata 0.2.2 rejects each of these. The runner fixes them on rank 0 after the
run, in place (datasets rewritten through a temporary file renamed over the original).
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

SORTING_ENUM = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype=np.uint8)


def _copy_attrs(src: h5py.AttributeManager, dst: h5py.AttributeManager, skip: tuple[str, ...] = ()) -> None:
    for k, v in src.items():
        if k not in skip:
            dst[k] = v


def fix_spikes(path: Path) -> dict[str, int]:
    """Rewrite ``spikes.h5`` uncompressed with an enum ``sorting``; return spike counts per population."""
    path = Path(path)
    tmp = path.with_suffix(".tmp.h5")
    counts: dict[str, int] = {}
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        _copy_attrs(src.attrs, dst.attrs)
        out = dst.create_group("spikes")
        if "spikes" in src:
            _copy_attrs(src["spikes"].attrs, out.attrs)
            for pop, grp in src["spikes"].items():
                g = out.create_group(pop)
                sorting = grp.attrs.get("sorting", "none")
                sorting = sorting.decode() if isinstance(sorting, bytes) else str(sorting)
                _copy_attrs(grp.attrs, g.attrs, skip=("sorting",))
                g.attrs.create("sorting", {"none": 0, "by_id": 1, "by_time": 2}.get(sorting, 0), dtype=SORTING_ENUM)
                ts = grp["timestamps"][()].astype(np.float64)
                ids = grp["node_ids"][()].astype(np.uint64)
                d = g.create_dataset("timestamps", data=ts)
                _copy_attrs(grp["timestamps"].attrs, d.attrs)
                d.attrs["units"] = "ms"
                d = g.create_dataset("node_ids", data=ids)
                _copy_attrs(grp["node_ids"].attrs, d.attrs)
                counts[pop] = int(ts.shape[0])
    os.replace(tmp, path)
    return counts


def fix_report(path: Path, units: str = "mV") -> None:
    """Soma/compartment report: float32 uncompressed ``data`` with units, ``index_pointers`` link, time units."""
    path = Path(path)
    tmp = path.with_suffix(".tmp.h5")
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        _copy_attrs(src.attrs, dst.attrs)

        def copy(name: str, obj: h5py.HLObject) -> None:
            if isinstance(obj, h5py.Group):
                g = dst.require_group(name)
                _copy_attrs(obj.attrs, g.attrs)
            elif isinstance(obj, h5py.Dataset):
                base = name.rsplit("/", 1)[-1]
                if base == "index_pointers" and name.replace("index_pointers", "index_pointer") in src:
                    return  # re-created as a hard link below
                data = obj[()]
                if base == "data":
                    data = data.astype(np.float32)
                d = dst.create_dataset(name, data=data)
                _copy_attrs(obj.attrs, d.attrs)
                if base == "data":
                    d.attrs["units"] = units
                elif base == "time":
                    d.attrs["units"] = "ms"

        src.visititems(copy)
        if "report" in dst:
            for pop in dst["report"].values():
                mapping = pop.get("mapping")
                if mapping is not None and "index_pointer" in mapping and "index_pointers" not in mapping:
                    mapping["index_pointers"] = mapping["index_pointer"]
    os.replace(tmp, path)
