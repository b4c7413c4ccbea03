"""Where the synapses of a connection sit (S1→S1, thalamocortical and background rules).

* n ≥ 2, ``uniform`` (NetPyNE ``_distributeSynsUniformly``, P4 default): deterministic, a function of
  the post cell model, the section list and n only. Points a_i = i·(T/n) + T/n/2 along the concatenated
  ``geom.L`` of the list; section = first k with C_k ≥ a_i; x = (C_k − a_i)/L_k, i.e. measured from the
  section END as NetPyNE does (``forward`` gives 1 − x). Precomputed once per (model, list, n) in a
  :class:`SiteTable`.
* n = 1 (``connRandomSecFromList``): one section drawn uniformly *by index* from the list, x = 0.5; the
  draw is keyed by (seed, pre id, post id) (:func:`sonata_s1.circuit.rng.keyed_uniform`).
* ``random`` placement switch (n ≥ 2): each synapse on a section drawn uniformly by index, x ~ U(0, 1),
  keyed by (seed, pre, post, synapse rank).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rng import STREAM_SYN_SECTION, STREAM_SYN_X, keyed_uniform
from .section_cache import SectionCache

LIST_KINDS = ("spiny", "spinyEE")


def uniform_sites(lengths: np.ndarray, n: int, forward: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(list positions, x) of n synapses placed by NetPyNE's uniform rule on sections of ``lengths``."""
    lengths = np.asarray(lengths, dtype=np.float64)
    cum = np.cumsum(lengths)
    total = float(cum[-1])
    step = total / n
    a = np.arange(n, dtype=np.float64) * step + step / 2
    k = np.searchsorted(cum, a, side="left")
    k = np.minimum(k, lengths.size - 1)
    x = (cum[k] - a) / lengths[k]
    if forward:
        x = 1.0 - x
    return k.astype(np.int64), x


@dataclass(frozen=True)
class SiteTable:
    """Uniform-rule sites of every (model, list kind, n) for n = 2..n_max, flattened."""

    offset: np.ndarray  # int64 (n_models, 2, n_max + 1); -1 where not computed
    section_id: np.ndarray  # uint32 section id (SONATA order)
    x: np.ndarray  # float64

    def lookup(self, model: np.ndarray, kind: int, n: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = self.offset[model, kind, n] + rank
        return self.section_id[idx], self.x[idx]


def build_site_table(sections: SectionCache, models: np.ndarray, n_values: list[int], forward: bool = False
                     ) -> SiteTable:
    """Precompute uniform-rule sites for the given model ids and synapse counts (all n ≥ 2)."""
    n_max = max([2, *n_values])
    offset = np.full((len(sections.models), 2, n_max + 1), -1, dtype=np.int64)
    secs: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    pos = 0
    ns = sorted({int(n) for n in n_values if n >= 2})
    for m in np.unique(models):
        s0 = sections.sec_offset[m]
        for kind_i, kind in enumerate(LIST_KINDS):
            off, flat = sections.section_list(kind)
            ids = flat[off[m]:off[m + 1]]
            if ids.size == 0:
                continue
            lengths = sections.length[s0 + ids]
            for n in ns:
                k, x = uniform_sites(lengths, n, forward)
                offset[m, kind_i, n] = pos
                secs.append(ids[k].astype(np.uint32))
                xs.append(x)
                pos += n
    cat = np.concatenate
    return SiteTable(offset, cat(secs) if secs else np.zeros(0, np.uint32), cat(xs) if xs else np.zeros(0))


def random_sections(sections: SectionCache, kind: str, model: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Section id drawn uniformly by index from the model's list: ids[floor(len · u)]."""
    off, flat = sections.section_list(kind)
    n = off[model + 1] - off[model]
    if np.any(n == 0):
        raise ValueError(f"section list {kind!r} is empty for a target cell model")
    k = np.minimum((n * u).astype(np.int64), n - 1)
    return flat[off[model] + k].astype(np.uint32)


def place_synapses(sections: SectionCache, sites: SiteTable | None, kind: str, model: np.ndarray, n_syn: np.ndarray,
                   rank: np.ndarray, pre: np.ndarray, post: np.ndarray, seed: int, random_placement: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(afferent_section_id, afferent_section_pos) of synapses given per-synapse model/n/rank/pre/post."""
    sec = np.empty(model.shape[0], dtype=np.uint32)
    x = np.empty(model.shape[0], dtype=np.float64)
    single = n_syn == 1
    rnd = single | random_placement
    if np.any(rnd):
        r = np.flatnonzero(rnd)
        u = keyed_uniform(seed, STREAM_SYN_SECTION, pre[r], post[r], rank[r])
        sec[r] = random_sections(sections, kind, model[r], u)
        x[r] = np.where(single[r], 0.5, keyed_uniform(seed, STREAM_SYN_X, pre[r], post[r], rank[r]))
    if not np.all(rnd):
        assert sites is not None
        d = np.flatnonzero(~rnd)
        sec[d], x[d] = sites.lookup(model[d], LIST_KINDS.index(kind), n_syn[d], rank[d])
    return sec, x


def section_types(sections: SectionCache, model: np.ndarray, sec: np.ndarray) -> np.ndarray:
    """SWC code of each (model, section id)."""
    return sections.swc_type[sections.sec_offset[model] + sec]
