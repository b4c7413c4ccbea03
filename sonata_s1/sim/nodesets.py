"""Resolve SONATA node sets to explicit (population, node ids) before BMTK uses them.

Why: BMTK 1.2.0 compares node-set attributes with the raw HDF5 values, so ``{"mtype": "VPL_sTC"}``
never matches an ``@library`` enumeration, it reads a compound node set (a list of names) as a
list of node ids, and one ``node_id`` list spanning two populations selects the same ids in both.
The runner resolves every node set with SONATA semantics and hands BMTK a node set object with
preselected gids (:class:`ResolvedNodeSet`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SonataS1Error
from ..sonata.reader import SonataCircuit

Selection = dict[str, np.ndarray]  # population -> sorted unique node ids


class NodeSetError(SonataS1Error, ValueError):
    """A node set cannot be resolved (unknown name, population or attribute); the message names it."""


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _resolve_dict(name: str, spec: Mapping[str, Any], circuit: SonataCircuit) -> Selection:
    spec = dict(spec)
    pops_value = spec.pop("population", spec.pop("populations", None))
    if pops_value is None:
        pops = list(circuit.nodes)
    else:
        pops = [str(p) for p in _as_list(pops_value)]
        unknown = [p for p in pops if p not in circuit.nodes]
        if unknown:
            raise NodeSetError(f"node set {name!r}: unknown population {unknown[0]!r} "
                               f"(circuit populations: {sorted(circuit.nodes)})")
    node_ids = spec.pop("node_id", None)
    out: Selection = {}
    used: set[str] = set()
    for pop_name in pops:
        pop = circuit.nodes[pop_name]
        mask = np.ones(pop.size, dtype=bool)
        if node_ids is not None:
            ids = np.asarray(_as_list(node_ids), dtype=np.int64)
            if ids.size and (ids.min() < 0 or ids.max() >= pop.size) and pops_value is not None:
                raise NodeSetError(f"node set {name!r}: node_id out of range for population {pop_name!r} "
                                   f"(size {pop.size})")
            mask &= np.isin(np.arange(pop.size), ids)
        skip = False
        for attr, wanted in spec.items():
            if not pop.has_attribute(attr):
                skip = True
                break
            used.add(attr)
            values = pop.attribute(attr)
            wanted_list = _as_list(wanted)
            if values.dtype.kind in "US":
                mask &= np.isin(values.astype(str), [str(w) for w in wanted_list])
            else:
                mask &= np.isin(values, wanted_list)
        if skip:
            continue
        out[pop_name] = np.flatnonzero(mask).astype(np.int64)
    missing = set(spec) - used
    if missing:
        raise NodeSetError(f"node set {name!r}: attribute {sorted(missing)[0]!r} not found in population(s) {pops}")
    return out


def resolve(name: str, node_sets: Mapping[str, Any], circuit: SonataCircuit, _stack: tuple[str, ...] = ()) -> Selection:
    """Resolve node set ``name`` (compound sets recursively) to population -> node ids."""
    if name in _stack:
        raise NodeSetError(f"node set {name!r} refers to itself ({' -> '.join((*_stack, name))})")
    if name not in node_sets:
        if name in circuit.nodes:
            return {name: np.arange(circuit.nodes[name].size, dtype=np.int64)}
        if name == "all":
            return {p.name: np.arange(p.size, dtype=np.int64) for p in circuit.nodes.values()}
        raise NodeSetError(f"unknown node set {name!r} (defined: {sorted(node_sets)})")
    spec = node_sets[name]
    if isinstance(spec, (list, tuple)):
        if all(isinstance(s, str) for s in spec):
            out: dict[str, set[int]] = {}
            for sub in spec:
                for pop, ids in resolve(sub, node_sets, circuit, (*_stack, name)).items():
                    out.setdefault(pop, set()).update(int(i) for i in ids)
            return {p: np.array(sorted(v), dtype=np.int64) for p, v in out.items()}
        spec = {"node_id": list(spec)}
    if not isinstance(spec, Mapping):
        raise NodeSetError(f"node set {name!r}: expected an object or a list of node set names, got {type(spec).__name__}")
    return _resolve_dict(name, spec, circuit)


def resolve_all(node_sets: Mapping[str, Any], circuit: SonataCircuit) -> dict[str, Selection]:
    return {name: resolve(name, node_sets, circuit) for name in node_sets}


def referenced_node_sets(config: Mapping[str, Any]) -> dict[str, str]:
    """Node-set names used by inputs and reports -> the config key that uses them."""
    used: dict[str, str] = {}
    for key, block in (("inputs", "node_set"), ("reports", "cells")):
        for entry_name, entry in (config.get(key) or {}).items():
            value = entry.get(block)
            if isinstance(value, str):
                used.setdefault(value, f"{key}.{entry_name}.{block}")
    return used


def bmtk_placeholder(selection: Selection) -> dict[str, Any]:
    """A node-set dict BMTK can construct without failing; replaced by :class:`ResolvedNodeSet` later."""
    return {"population": sorted(selection)} if selection else {"node_id": []}


def make_bmtk_node_set(network: Any, selection: Selection) -> Any:
    """A BMTK ``NodeSet`` whose gids/node ids are exactly ``selection`` (built after the network is loaded)."""
    from bmtk.simulator.core.node_sets import NodeSet

    class ResolvedNodeSet(NodeSet):
        """NodeSet with explicit per-population node ids (BMTK filters cannot express them)."""

        def __init__(self) -> None:
            self._network = network
            self._filter = {}
            self._selection = {p: np.asarray(ids, dtype=np.int64) for p, ids in selection.items() if len(ids)}
            self._populations = [network.get_node_population(p) for p in self._selection]
            pool = network.gid_pool
            self._preselected_gids = [int(pool.get_gid(name=p, node_id=int(i)))
                                      for p, ids in self._selection.items() for i in ids]

        @property
        def node_ids(self) -> list[int]:
            return [int(i) for ids in self._selection.values() for i in ids]

        def fetch_nodes(self):  # noqa: ANN201
            for pop in self._populations:
                wanted = set(int(i) for i in self._selection[pop.name])
                for node in pop.filter({}):
                    if node.node_id in wanted:
                        yield node

        def __len__(self) -> int:
            return len(self._preselected_gids)

    return ResolvedNodeSet()
