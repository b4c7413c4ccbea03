"""Build NEURON sections from a biophysics section table — the one place the loader instantiates geometry.

Order of operations is NetPyNE's (``CompartCell.createNEURONObj``), because NEURON's node numbering (and so the last bits
of the published numerics, P9) follows creation order: create every section in creation order (the JSON
``secs`` order), connect them in that order, then per section in that order: scalar geometry
(L, Ra, cm, diam, nseg), pt3d cleared and re-added (3D points then define L, diam and areas; sections
without pt3d stay cylinders), density mechanisms with their parameters (scalars or per-segment lists),
ions (``e<ion>``, ``<ion>i``, ``<ion>o`` per segment).

Unlike NetPyNE, the builder does NOT write the global ion defaults (``<ion>i0_<ion>_ion``,
``<ion>o0_<ion>_ion``): they are process-wide, so in a network the last cell built would set them for all
(NetPyNE writes them per cell). Extracellular Ca is applied by the loader after ion initialisation instead.
"""

from __future__ import annotations

import re
from typing import Any

from .biophysics import GEOM_ORDER, CellModelError

_INDEXED = re.compile(r"^([A-Za-z]+)_(\d+)$")


def neuron_name(name: str) -> str:
    """NetPyNE section name -> NEURON section name BMTK can parse: 'dend_3' -> 'dend[3]', 'soma' -> 'soma[0]'.

    BMTK derives the SWC type from the text before ``[`` and the name index from ``[n]``.
    """
    m = _INDEXED.match(name)
    return f"{m.group(1)}[{m.group(2)}]" if m else f"{name}[0]"


def build_sections(spec: dict[str, Any], owner: object | None = None) -> list[Any]:
    """Instantiate the sections of ``spec`` (a validated biophysics dict); return them in SONATA order."""
    from neuron import h

    cell = spec["cell_model"]
    table = spec["sections"]
    order = spec["creation_order"]
    secs: list[Any] = [None] * len(table)
    for i in order:
        secs[i] = h.Section(name=neuron_name(table[i]["name"]), cell=owner) if owner is not None else \
            h.Section(name=f"{cell}.{neuron_name(table[i]['name'])}")
    for i in order:
        s = table[i]
        if s["parent"] >= 0:
            secs[i].connect(secs[s["parent"]](s["parent_x"]), s["child_x"])
    for i in order:
        _geometry(secs[i], table[i])
        _mechanisms(secs[i], table[i], cell)
        _ions(secs[i], table[i], cell)
    return secs


def _geometry(sec: Any, s: dict[str, Any]) -> None:
    from neuron import h

    for key in GEOM_ORDER:
        if key in s:
            setattr(sec, key, s[key])
    if s["pt3d"]:
        h.pt3dclear(sec=sec)
        for x, y, z, d in s["pt3d"]:
            h.pt3dadd(x, y, z, d, sec=sec)


def _mechanisms(sec: Any, s: dict[str, Any], cell: str) -> None:
    for mech, params in s["mechs"].items():
        try:
            sec.insert(mech)
        except ValueError:
            raise CellModelError(
                f"cell {cell!r}, section {s['name']!r}: unknown mechanism {mech!r} (not built into NEURON and "
                "not among the loaded mechanisms of components/mechanisms/modfiles)"
            ) from None
        segs = list(sec)
        for param, value in params.items():
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            if len(values) not in (1, len(segs)):
                raise CellModelError(
                    f"cell {cell!r}, section {s['name']!r}: {mech}.{param} has {len(values)} values for nseg {len(segs)}"
                )
            try:
                for k, seg in enumerate(segs):
                    setattr(getattr(seg, mech), param, values[0] if len(values) == 1 else values[k])
            except (AttributeError, LookupError, TypeError) as exc:
                raise CellModelError(
                    f"cell {cell!r}, section {s['name']!r}: mechanism {mech!r} has no parameter {param!r} ({exc})"
                ) from None


def _ions(sec: Any, s: dict[str, Any], cell: str) -> None:
    for ion, vals in s["ions"].items():
        try:
            sec.insert(f"{ion}_ion")
        except ValueError:
            raise CellModelError(f"cell {cell!r}, section {s['name']!r}: unknown ion {ion!r}") from None
        for field, value in vals.items():
            attr = {"e": f"e{ion}", "i": f"{ion}i", "o": f"{ion}o"}[field]
            for seg in sec:
                setattr(seg, attr, value)


def cell_metrics(sections: list[Any]) -> dict[str, Any]:
    """Section and segment counts and total membrane area (µm²) of a built cell."""
    n_seg = 0
    area = 0.0
    for sec in sections:
        for seg in sec:
            n_seg += 1
            area += seg.area()
    return {"n_sections": len(sections), "n_segments": n_seg, "area_um2": area}
