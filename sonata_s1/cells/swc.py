"""SWC morphology from a biophysics section table (for viewers, MorphIO/NeuroM and other simulators).

The loader never reads this file for geometry (README decision P10); it exists so the circuit is usable by
tools that expect SWC. Choices:

* every section is written with its own pt3d points and its own diameters (radius = d/2, exact), at full
  float precision (``repr``); the soma is its pt3d points as a chain of type-1 samples;
* the first sample of a child section is attached to the parent's sample nearest to ``parent_x``
  (the last sample for 1.0, the middle soma sample for 0.5);
* the BBP axon stubs (``axon_0``, ``axon_1``: no pt3d, cylinders of L and diam) are written as two samples
  each, along −y from the soma end (``axon_1`` continues ``axon_0``), so the SWC has an axon;
* sections are written parent-first (SWC requires parent ids to precede children); within that constraint
  in SONATA order.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

#: direction of generated axon-stub samples (cell-local frame; BBP morphologies have +y towards the pia)
AXON_DIRECTION = (0.0, -1.0, 0.0)


def _fmt(v: float) -> str:
    return repr(float(v))


def _attach_index(points: list[list[float]], x: float) -> int:
    """Index of the sample of a section nearest to normalised arc position ``x``."""
    if x >= 1.0 or len(points) == 1:
        return len(points) - 1
    if x <= 0.0:
        return 0
    arc = [0.0]
    for a, b in zip(points[:-1], points[1:], strict=True):
        arc.append(arc[-1] + math.dist(a[:3], b[:3]))
    total = arc[-1] or 1.0
    return min(range(len(points)), key=lambda i: abs(arc[i] / total - x))


def _parent_first(sections: list[dict[str, Any]]) -> list[int]:
    children: dict[int, list[int]] = {}
    roots = []
    for s in sections:
        (roots if s["parent"] < 0 else children.setdefault(s["parent"], [])).append(s["id"])
    order: list[int] = []
    stack = list(reversed(roots))
    while stack:
        sid = stack.pop()
        order.append(sid)
        stack.extend(reversed(children.get(sid, [])))
    if len(order) != len(sections):
        raise ValueError("section tree is not connected (a parent cycle or a missing parent)")
    return order


def swc_text(spec: dict[str, Any]) -> str:
    """The SWC file content for one biophysics spec (see module docstring for the conventions)."""
    sections = spec["sections"]
    points_of: dict[int, list[list[float]]] = {}
    first_id: dict[int, int] = {}
    lines = [
        f"# {spec['cell_model']}: written by sonata_s1 convert-cells from the NetPyNE cell rule",
        "# id type x y z radius parent; radius = pt3d diam / 2; axon stubs generated from L and diam",
        "# geometry for simulation comes from the biophysics JSON (model-spec P10), not from this file",
    ]
    next_id = 1
    for sid in _parent_first(sections):
        sec = sections[sid]
        parent = sec["parent"]
        if parent >= 0:
            ppts = points_of[parent]
            pidx = _attach_index(ppts, sec["parent_x"])
            parent_sample = first_id[parent] + pidx
            anchor = ppts[pidx]
        else:
            parent_sample, anchor = -1, None
        pts = sec["pt3d"]
        if not pts:
            start = anchor[:3] if anchor is not None else [0.0, 0.0, 0.0]
            d, length = float(sec["diam"]), float(sec["L"])
            end = [start[k] + length * AXON_DIRECTION[k] for k in range(3)]
            pts = [[*start, d], [*end, d]]
        points_of[sid] = pts
        first_id[sid] = next_id
        for k, (x, y, z, d) in enumerate(pts):
            pid = parent_sample if k == 0 else next_id - 1
            lines.append(f"{next_id} {sec['swc_type']} {_fmt(x)} {_fmt(y)} {_fmt(z)} {_fmt(float(d) / 2.0)} {pid}")
            next_id += 1
    return "\n".join(lines) + "\n"


def write_swc(spec: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(swc_text(spec))
