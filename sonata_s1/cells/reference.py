"""Direct instantiation of a NetPyNE cell rule, the way NetPyNE 1.1.1 does it.

This is the *reference* path of the fidelity harness: it reads the source JSON, not our components, and
deliberately shares no building code with the loader (a bug common to both would otherwise go unseen).
It follows ``CompartCell.createNEURONObj``: create all sections in ``secs`` order, connect, then per
section geometry (scalar ``geom`` entries in key order, then pt3d cleared and re-added), mechanisms,
ions — including NetPyNE's writes of the global ion defaults ``<ion>i0_<ion>_ion``/``<ion>o0_<ion>_ion``,
which is how a single NetPyNE cell ends up with its configured ``cao`` after ``finitialize``.
S1 rules first get netParams.py's post-processing (``ions.ca.o = cao_s1``); rule ``globals`` are set
unless they are hParams; ``vinit`` gets a type-0 FInitializeHandler.

Use one process per reference cell (the ion globals are process-wide).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..source.cellparams import cell_name_from_path, read_cell_params
from .catalog import S1, population_of

HPARAMS = frozenset({"celsius", "v_init", "clamp_resist", "tstop", "dt", "steps_per_ms"})


class ReferenceCell:
    """NEURON sections of one NetPyNE rule: ``.secs`` (name -> Section, creation order), ``.all``, ``.soma``."""

    def __init__(self, rule: dict[str, Any], name: str):
        from neuron import h

        self.name = name
        self.rule = rule
        secs_params: dict[str, Any] = rule["secs"]
        self.secs: dict[str, Any] = {}
        for sname in secs_params:  # 1. create
            self.secs[sname] = h.Section(name=sname, cell=self)
        for sname, sp in secs_params.items():  # 2. connect
            topol = sp.get("topol") or {}
            if topol:
                parent = self.secs[topol["parentSec"]]
                self.secs[sname].connect(parent(topol["parentX"]), topol["childX"])
        for sname, sp in secs_params.items():  # 3. geometry, mechanisms, ions
            sec = self.secs[sname]
            geom = sp.get("geom", {})
            for key, value in geom.items():
                if not isinstance(value, (list, dict)):
                    setattr(sec, key, value)
            if geom.get("pt3d"):
                h.pt3dclear(sec=sec)
                for x, y, z, d in geom["pt3d"]:
                    h.pt3dadd(x, y, z, d, sec=sec)
            for mech, params in (sp.get("mechs") or {}).items():
                try:
                    sec.insert(mech)
                except ValueError:
                    raise ValueError(f"{name}: section {sname}: cannot insert mechanism {mech!r}") from None
                for pname, pvalue in params.items():
                    for iseg, seg in enumerate(sec):
                        value = pvalue
                        if isinstance(pvalue, list):
                            value = pvalue[0] if len(pvalue) == 1 else pvalue[iseg]
                        if value is not None:
                            setattr(getattr(seg, mech), pname, value)
            for ion, ion_params in (sp.get("ions") or {}).items():
                sec.insert(ion + "_ion")
                for field, value in ion_params.items():
                    for seg in sec:
                        if field == "e":
                            setattr(seg, "e" + ion, value)
                        elif field == "o":
                            setattr(seg, ion + "o", value)
                        elif field == "i":
                            setattr(seg, ion + "i", value)
                    if field in ("i", "o"):
                        setattr(h, f"{ion}{field}0_{ion}_ion", float(value))  # NetPyNE: h('%s%s0_%s_ion = %s')
        order = (rule.get("secLists") or {}).get("all") or list(self.secs)
        self.all = [self.secs[n] for n in order]
        self.soma = [self.secs["soma"]]
        self._vinit = [(self.secs[n], sp["vinit"]) for n, sp in secs_params.items() if "vinit" in sp]
        self._fih = h.FInitializeHandler(0, self._apply_vinit) if self._vinit else None

    def __repr__(self) -> str:
        return f"Ref[{self.name}]"

    def _apply_vinit(self) -> None:
        for sec, v in self._vinit:
            for seg in sec:
                seg.v = v


def prepare_rule(rule: dict[str, Any], population: str, cao_s1: float = 1.2) -> dict[str, Any]:
    """netParams.py's post-processing of a loaded rule (S1 cao, thalamic rules untouched); returns a copy."""
    rule = copy.deepcopy(rule)
    if population == S1:
        all_secs = rule.get("secLists", {}).get("all") or list(rule["secs"])
        for sname in all_secs:
            ions = rule["secs"][sname].get("ions") or {}
            if "ca" in ions:
                ions["ca"]["o"] = float(cao_s1)
        lists = rule.setdefault("secLists", {})
        lists["spiny"] = [s for s in all_secs if s not in ("axon_0", "axon_1")]
        lists["spinyEE"] = [s for s in all_secs if s not in ("axon_0", "axon_1", "soma")]
    else:
        rule["conds"] = {}
    return rule


def set_rule_globals(rule: dict[str, Any]) -> None:
    """NetPyNE ``setGlobals``: a rule's globals unless hParams define them."""
    from neuron import h

    for gname, value in (rule.get("globals") or {}).items():
        if gname not in HPARAMS:
            setattr(h, gname, value)


def build_reference(path: str | Path, cao_s1: float = 1.2) -> ReferenceCell:
    """Read a source cell file and instantiate it NetPyNE-style (mechanisms must already be loaded)."""
    rule = prepare_rule(read_cell_params(path), population_of(path), cao_s1)
    set_rule_globals(rule)
    return ReferenceCell(rule, cell_name_from_path(path))
