"""The section-order contract (README decision P9/P10; ``afferent_section_id``) — defined here, once.

Two orders exist for the sections of a cell model and both matter:

* **SONATA order** (``afferent_section_id``, BMTK's ``hobj.all``, membrane-report element ids):
  the cell JSON's ``secLists['all']``, i.e. ``soma, dend_0..dend_n, apic_0..apic_m, axon_0, axon_1``
  in natural numeric order. ``spiny`` (all but the two axon stubs) is therefore ids ``0..n-3`` and
  ``spinyEE`` (``spiny`` without the soma) ids ``1..n-3``. Thalamic cells have one section, ``soma`` (id 0).
* **Creation order**: the order NetPyNE creates and connects sections, which is the JSON ``secs``
  key order (lexicographic: ``apic_0, apic_1, apic_10, …, axon_0, axon_1, dend_0, …, soma``).
  Building sections in this order reproduces NEURON's node numbering and so the published numerics
  to the last bit (two bIR215 cells are that sensitive).

Everything that maps between section names and ids (converter, loader, synapse placement, reports)
goes through :func:`section_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: SWC / SONATA section-type codes.
SWC_SOMA, SWC_AXON, SWC_BASAL, SWC_APICAL = 1, 2, 3, 4
AXON_STUBS = ("axon_0", "axon_1")


def swc_type_of(name: str) -> int:
    """SWC type code from a NetPyNE section name (soma / axon_* / dend_* / apic_*)."""
    prefix = name.split("_", 1)[0]
    try:
        return {"soma": SWC_SOMA, "axon": SWC_AXON, "dend": SWC_BASAL, "apic": SWC_APICAL}[prefix]
    except KeyError:
        raise ValueError(f"unexpected section name {name!r} (expected soma, axon_*, dend_*, apic_*)") from None


@dataclass(frozen=True)
class SectionTable:
    """Per-section facts of one cell model, indexed by SONATA section id."""

    names: tuple[str, ...]  # SONATA order
    parent: np.ndarray  # int32, parent section id, -1 for the root (soma)
    parent_x: np.ndarray  # float64, where on the parent the child attaches (1.0 or 0.5)
    child_x: np.ndarray  # float64, which end of the child attaches (0.0 in all data)
    length: np.ndarray  # float64, geom.L as stored in the JSON (what NetPyNE's placement reads)
    nseg: np.ndarray  # int32
    swc_type: np.ndarray  # uint8, SWC codes
    creation_order: tuple[int, ...]  # section ids in NetPyNE's creation order (JSON ``secs`` order)
    spiny: np.ndarray  # int32 ids of secLists 'spiny' (all but axon stubs), in list order
    spiny_ee: np.ndarray  # int32 ids of 'spinyEE' (spiny without soma), in list order

    @property
    def n_sections(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)


def sonata_section_order(cell: dict[str, Any]) -> list[str]:
    """Section names in SONATA order: ``secLists['all']`` if present, else the ``secs`` keys."""
    secs = cell["secs"]
    order = list(cell.get("secLists", {}).get("all") or secs.keys())
    if set(order) != set(secs):
        missing = set(secs) ^ set(order)
        raise ValueError(f"secLists['all'] and secs disagree on sections {sorted(missing)[:5]}")
    return order


def section_table(cell: dict[str, Any]) -> SectionTable:
    """Build the :class:`SectionTable` of a NetPyNE cell rule (raw JSON dict)."""
    secs = cell["secs"]
    names = sonata_section_order(cell)
    ids = {n: i for i, n in enumerate(names)}
    n = len(names)
    parent = np.full(n, -1, dtype=np.int32)
    parent_x = np.ones(n, dtype=np.float64)
    child_x = np.zeros(n, dtype=np.float64)
    length = np.zeros(n, dtype=np.float64)
    nseg = np.ones(n, dtype=np.int32)
    swc = np.zeros(n, dtype=np.uint8)
    for name, i in ids.items():
        sec = secs[name]
        topol = sec.get("topol") or {}
        if topol:
            parent[i] = ids[topol["parentSec"]]
            parent_x[i] = float(topol.get("parentX", 1.0))
            child_x[i] = float(topol.get("childX", 0.0))
        geom = sec.get("geom", {})
        length[i] = float(geom["L"]) if "L" in geom else _pt3d_length(geom.get("pt3d", []))
        nseg[i] = int(geom.get("nseg", 1))
        swc[i] = swc_type_of(name)
    spiny = np.array([ids[s] for s in names if s not in AXON_STUBS], dtype=np.int32)
    spiny_ee = np.array([ids[s] for s in names if s not in AXON_STUBS and s != "soma"], dtype=np.int32)
    return SectionTable(
        names=tuple(names),
        parent=parent,
        parent_x=parent_x,
        child_x=child_x,
        length=length,
        nseg=nseg,
        swc_type=swc,
        creation_order=tuple(ids[s] for s in secs),
        spiny=spiny,
        spiny_ee=spiny_ee,
    )


def _pt3d_length(points: list[list[float]]) -> float:
    if len(points) < 2:
        return 0.0
    p = np.asarray(points, dtype=np.float64)[:, :3]
    return float(np.sum(np.linalg.norm(np.diff(p, axis=0), axis=1)))
