"""Population sizes, NetPyNE gids, soma positions and clone assignment (which cell-model file each cell uses).

Positions are bit-identical to NetPyNE's ``Pop.createCellsFixedNum``: NEURON's Random123 generator
with ids (N, gid0, seeds['loc']) gives 3N uniforms, reshaped N×3 row-major, then the cylinder
transform below in the same IEEE operation order. Only this module touches NEURON (``h.Random``; no
mechanisms are needed).

Axis convention (NetPyNE's cell tags): y is cortical depth in µm, 0 at the pia and increasing
*downward* (S1 0–2082, thalamus 2688–3624); the x–z plane is horizontal and the column axis is the
vertical line (x, z) = (210, 210); ``dist_2D`` is measured in the x–z plane.

Scaling (documented choices):

* S1 me-type populations: N = ceil(density · n) (NetPyNE ``scaleDensity``).
* Thalamic populations: N_full = int(base · 1.96) (the published counts 748, 748, 1499, 1285, 1644,
  1342), N = ceil(thalamus_density · N_full); NetPyNE itself never scales them (spec D15).
* gid0 = cumulative sum of the *scaled* sizes in creation order (207 me-types in file order, then
  ss_RTN_o, ss_RTN_m, ss_RTN_i, VPL_sTC, VPM_sTC, POm_sTC_s1), exactly as NetPyNE numbers gids at that
  scale; so positions change with the scale, as in NetPyNE.
* ``radius`` selection is applied after placement: cells keep the positions/gids they would have in
  the unreduced build, and the rules are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..source.model import THALAMIC_POPULATIONS, METype, SourceModel
from .options import CircuitOptions

SIZE_X, SIZE_Y, SIZE_Z = 420.0, 2082.0, 420.0
COLUMN_RADIUS = 210.0
AXIS_X, AXIS_Z = 210.0, 210.0
THALAMUS_AREA_FACTOR = 210.0**2 / 150.0**2  # 1.96 (mouse -> rat column area)

#: ynormRange per layer digit (netParams ``layer`` dict; '2' means the merged L2/3 range).
LAYER_YNORM: dict[str, tuple[float, float]] = {
    "1": (0.0, 0.079), "2": (0.079, 0.320), "4": (0.320, 0.412), "5": (0.412, 0.664), "6": (0.664, 1.0),
}

UniformSource = Callable[[int, int, int], np.ndarray]


@dataclass(frozen=True)
class PopulationPlan:
    """One NetPyNE population at the chosen scale."""

    name: str  # me-type label (S1) or thalamic population name
    region: str  # "S1" or "thalamus"
    n_full: int  # full-scale size
    n: int  # scaled size (NetPyNE numCells)
    gid0: int  # first NetPyNE gid at this scale
    ynorm_range: tuple[float, float]
    cell_model: str | None  # thalamic cell model; None for S1 (clones, see clone_models)
    metype: METype | None = None

    def clone_models(self) -> list[str]:
        """Cell-model name of every cell i = 0..n-1 (see :func:`clone_indices`)."""
        if self.metype is None:
            assert self.cell_model is not None
            return [self.cell_model] * self.n
        names = self.metype.clone_names
        return [names[k - 1] for k in clone_indices(self.n, len(names))]


def clone_indices(n: int, n_files: int | None = None) -> np.ndarray:
    """clone(i) = floor(K·i/N) + 1 with K = min(N, 5), 1-based (NetPyNE's diversity rule).

    With density < 1 the scaled N is ≤ the full-scale n, so K = min(N, 5) ≤ min(n_full, 5) and only
    existing clone files are used; ``n_files`` (the number of clone files) is checked.
    """
    k = min(n, 5)
    if n_files is not None and k > n_files:
        raise ValueError(f"clone assignment needs {k} clone files, only {n_files} exist")
    i = np.arange(n, dtype=np.int64)
    return (k * i) // n + 1


def plan_populations(source: SourceModel, options: CircuitOptions) -> list[PopulationPlan]:
    """Sizes and gid0 of all populations in NetPyNE creation order."""
    plans: list[PopulationPlan] = []
    gid = 0
    for me in source.metypes:
        n = int(math.ceil(options.density * me.n_cells))
        plans.append(PopulationPlan(me.label, "S1", me.n_cells, n, gid, LAYER_YNORM[me.label[1]], None, me))
        gid += n
    if options.with_thalamus:
        for name, model, base, y0, y1 in THALAMIC_POPULATIONS:
            n_full = int(base * THALAMUS_AREA_FACTOR)
            n = int(math.ceil(options.thalamus_density * n_full))
            plans.append(PopulationPlan(name, "thalamus", n_full, n, gid, (y0 / SIZE_Y, y1 / SIZE_Y), model))
            gid += n
    return plans


def random123_uniforms(n: int, gid0: int, seed: int) -> np.ndarray:
    """3n uniforms of NEURON's ``Random123(n, gid0, seed)``, ``uniform(0, 1)``, as an n×3 array."""
    from neuron import h

    r = h.Random()
    r.Random123(n, gid0, seed)
    r.uniform(0, 1)
    v = h.Vector(3 * n)
    v.setrand(r)
    return np.array(v.as_numpy(), dtype=np.float64).reshape(n, 3)


def cylinder_positions(u: np.ndarray, ynorm_range: tuple[float, float]) -> np.ndarray:
    """NetPyNE's cylinder transform of an n×3 uniform array (operation order kept for bit-identity)."""
    u = np.array(u, dtype=np.float64, copy=True)
    rho = u[:, 0].copy()
    phi = 2.0 * math.pi * u[:, 2]
    u[:, 0] = (1.0 + np.sqrt(rho) * np.cos(phi)) / 2.0
    u[:, 2] = (1.0 + np.sqrt(rho) * np.sin(phi)) / 2.0
    lo, hi = ynorm_range
    u[:, 1] = u[:, 1] * (hi - lo) + lo
    return np.column_stack([SIZE_X * u[:, 0], SIZE_Y * u[:, 1], SIZE_Z * u[:, 2]])


def place(plan: PopulationPlan, seed_loc: int, uniforms: UniformSource = random123_uniforms) -> np.ndarray:
    """Soma positions (n×3 float64, µm) of one population."""
    if plan.n == 0:
        return np.zeros((0, 3))
    return cylinder_positions(uniforms(plan.n, plan.gid0, seed_loc), plan.ynorm_range)


def radius_mask(pos: np.ndarray, radius: float | None) -> np.ndarray:
    """Cells whose soma is within ``radius`` µm (x–z plane) of the column axis."""
    if radius is None:
        return np.ones(pos.shape[0], dtype=bool)
    return (pos[:, 0] - AXIS_X) ** 2 + (pos[:, 2] - AXIS_Z) ** 2 <= radius * radius
