"""The S1→S1 distance rule p(dist_2D) of one pathway (the model code's decision tree), vectorised.

Every branch A–G reduces to one form::

    p(d) = near_s·d + near_c                 if d <= near_d     (C, D, F; near_d = -inf otherwise)
           FIT(d) · [d < dfinal]             otherwise
    FIT  = a·exp(-d/l)                       (exponential fits)
         | a·exp(-(d - x0)²/(2·l²))          (Gaussian fit)

The near-distance part is *not* cut by dfinal (the source never multiplies it). Negative p never
connects and p ≥ 1 always does under the p ≥ u test, so nothing is clipped here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..source.model import Pathway


def round6(v: float) -> float:
    """The ``%f`` rounding NetPyNE's rule text applied (P5): ``float('%f' % v)``."""
    return float("%f" % v)  # noqa: UP031 (the exact formatting NetPyNE used)


@dataclass(frozen=True)
class DistanceRule:
    """A p(dist_2D) rule in the normal form of the module docstring."""

    branch: str  # 'A'..'G' (branches of the decision tree) or a free label for synthetic rules
    fit: str  # 'exp' or 'gauss'
    a: float
    l: float  # noqa: E741 (length constant / Gaussian width, µm)
    x0: float
    dfinal: float
    near_d: float = -math.inf
    near_s: float = 0.0
    near_c: float = 0.0

    def fitted(self, d: np.ndarray) -> np.ndarray:
        if self.fit == "exp":
            return self.a * np.exp(-d / self.l)
        return self.a * np.exp(-((d - self.x0) ** 2) / (2.0 * self.l**2))

    def __call__(self, d: np.ndarray) -> np.ndarray:
        d = np.asarray(d, dtype=np.float64)
        far = np.where(d < self.dfinal, self.fitted(d), 0.0)
        if self.near_d == -math.inf:
            return far
        return np.where(d > self.near_d, far, self.near_s * d + self.near_c)

    def p_max(self, d_max: float = 2 * 210.0 + 1.0) -> float:
        """Supremum of p over 0 ≤ d ≤ d_max (each piece is monotone or unimodal: check its ends/peak)."""
        cands: list[float] = [0.0]
        lo = max(self.near_d, 0.0) if self.near_d != -math.inf else 0.0
        hi = min(self.dfinal, d_max)
        if self.near_d != -math.inf and self.near_d >= 0.0:
            cands += [self.near_c, self.near_s * min(self.near_d, d_max) + self.near_c]
        if hi > lo:
            pts = [lo, hi]
            if self.fit == "gauss" and lo < self.x0 < hi:
                pts.append(self.x0)
            cands += [float(v) for v in self.fitted(np.asarray(pts, dtype=np.float64))]
        m = max(cands)
        return min(1.0, m * (1.0 + 1e-9)) if m > 0 else 0.0


def rule_from_pathway(pw: Pathway, exact_interp: bool = False) -> DistanceRule:
    """The decision tree of the model code; ``exact_interp`` disables the 6-decimal rounding of branch D (P5)."""
    d0 = int(pw.d0)
    gauss = dict(fit="gauss", a=pw.a0mat_gauss, l=pw.lmat_gauss, x0=pw.x0_gauss, dfinal=pw.dfinal)
    if d0 < 25:
        if "exp" in pw.best_fit:
            return DistanceRule("A", "exp", pw.a0mat, pw.lmat, 0.0, pw.dfinal)
        return DistanceRule("B", **gauss)
    p12, p25 = pw.pmat[12], pw.pmat[25]
    if "expl" in pw.best_fit:
        if d0 == 25:
            return DistanceRule("C", "exp", pw.a0mat, pw.lmat, 0.0, pw.dfinal, near_d=25.0, near_c=p12)
        pd0 = pw.pmat[d0]
        s = (pd0 - p25) / (d0 - 25)
        c = pd0 - d0 * s
        if not exact_interp:
            s, c = round6(s), round6(c)
        return DistanceRule("D", "exp", pw.a0mat, pw.lmat, 0.0, pw.dfinal, near_d=float(d0), near_s=s, near_c=c)
    if "exp" in pw.best_fit:
        if p12 > p25:
            return DistanceRule("E", "exp", pw.a0mat_exp, pw.lmat_exp, 0.0, pw.dfinal)
        return DistanceRule("F", "exp", pw.a0mat_exp, pw.lmat_exp, 0.0, pw.dfinal,
                            near_d=float(pw.d0_exp), near_c=p12)
    return DistanceRule("G", **gauss)
