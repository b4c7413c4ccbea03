"""Deep validation of one NetPyNE cell rule: labels and clone counts, sections and their topology,
geometry, mechanisms and their parameters, ions.

Kept separate from loading because the 929 S1 files are 0.5 GB of JSON: ``load_source`` only
resolves them, and ``sonata-s1 check-source --deep`` runs these checks on every file. The converter
can call :func:`check_cell_rule` on the rule it is about to convert.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

#: The 16 mechanisms the S1 cell files use; ``pas`` is built into NEURON.
S1_MECHANISMS: frozenset[str] = frozenset({
    "pas", "Ih", "SKv3_1", "Im", "NaTs2_t", "K_Pst", "K_Tst", "Nap_Et2", "NaTa_t", "CaDynamics_E2",
    "Ca_LVAst", "SK_E2", "Ca", "Ca_HVA", "StochKv_deterministic", "KdShu2007",
})
#: Mechanisms of the two thalamic files (item 14).
THALAMIC_MECHANISMS: frozenset[str] = frozenset({"cadad", "hh2ad", "htc", "ia", "ittc", "itre", "kl", "pas"})
BUILTIN_MECHANISMS: frozenset[str] = frozenset({"pas"})
S1_TOP_KEYS: tuple[str, ...] = ("conds", "diversityFraction", "globals", "secLists", "secs")
IONS: frozenset[str] = frozenset({"na", "k", "ca"})
_SECTION_NAME = re.compile(r"^(soma|axon_[01]|(dend|apic)_(0|[1-9][0-9]*))$")


def _num(value: Any) -> bool:
    """A JSON number (not a bool, not a string) that is finite (item 12)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_cell_rule(rule: Any, *, name: str, label: str | None = None, n_clones: int | None = None,
                    thalamic: bool = False) -> list[str]:
    """Return every problem found in one cell rule (empty list = valid); messages start with ``name``.

    ``label``/``n_clones`` (S1 only) are the me-type label and min(n_me, 5) from the distribution
    file, used for the ``conds.cellType`` and ``diversityFraction`` checks (item 8).
    """
    out: list[str] = []

    def bad(where: str, msg: str) -> None:
        out.append(f"{name}: {where}: {msg}")

    if not isinstance(rule, dict):
        return [f"{name}: top level must be an object"]
    secs = rule.get("secs")
    if not isinstance(secs, dict) or not secs:
        return [f"{name}: secs: missing or empty"]

    if not all(isinstance(k, str) for k in secs):
        return [f"{name}: secs: section names must be strings"]
    _check_common(rule, secs, bad)
    if thalamic:
        if set(secs) != {"soma"}:
            bad("secs", f"thalamic cell must have exactly one section 'soma', has {sorted(secs)}")
    else:
        # item 8
        if tuple(rule) != S1_TOP_KEYS:
            bad("top level", f"keys {list(rule)} != {list(S1_TOP_KEYS)}")
        conds = rule.get("conds", {})
        if label is not None and (not isinstance(conds, dict) or conds.get("cellType") != label):
            bad("conds.cellType", f"{conds.get('cellType') if isinstance(conds, dict) else conds!r} != me-type label {label!r}")
        if n_clones is not None:
            df = rule.get("diversityFraction")
            if not _num(df) or abs(df - 1.0 / n_clones) > 1e-12:
                bad("diversityFraction", f"{df!r} != 1/{n_clones}")
        _check_s1_structure(rule, secs, bad)

    allowed_mechs = THALAMIC_MECHANISMS if thalamic else S1_MECHANISMS
    for sname, sec in secs.items():
        if not isinstance(sec, dict):
            bad(f"secs.{sname}", "must be an object")
            continue
        _check_section(sname, sec, allowed_mechs, thalamic, bad)
    return out


def check_structure(rule: Any, *, name: str) -> list[str]:
    """Only the shapes readers index into (objects, lists, numbers), for any cell rule; empty = usable.

    Unlike :func:`check_cell_rule` it knows no published-data conventions (key order, section
    names, mechanism lists), so the converter can run it on every rule it reads.
    """
    out: list[str] = []

    def bad(where: str, msg: str) -> None:
        out.append(f"{name}: {where}: {msg}")

    if not isinstance(rule, dict):
        return [f"{name}: top level must be an object"]
    secs = rule.get("secs")
    if not isinstance(secs, dict) or not secs:
        return [f"{name}: secs: missing or empty"]
    if not all(isinstance(k, str) for k in secs):
        return [f"{name}: secs: section names must be strings"]
    _check_common(rule, secs, bad)
    all_list = rule["secLists"].get("all") if isinstance(rule.get("secLists"), dict) else None
    if all_list is not None and (not isinstance(all_list, list) or len(all_list) != len(secs)
                                 or set(map(str, all_list)) != set(secs)):
        bad("secLists.all", "must list every section of secs exactly once")
    for sname, sec in secs.items():
        where = f"secs.{sname}"
        if not isinstance(sec, dict):
            bad(where, "must be an object")
            continue
        geom = sec.get("geom")
        if not isinstance(geom, dict):
            bad(f"{where}.geom", "missing or not an object")
        else:
            nseg = geom.get("nseg", 1)
            if not (isinstance(nseg, int) and not isinstance(nseg, bool) and nseg > 0):
                bad(f"{where}.geom.nseg", f"{nseg!r} is not a positive integer")
            for key in ("L", "diam", "Ra", "cm"):
                if key in geom and not _num(geom[key]):
                    bad(f"{where}.geom.{key}", f"{geom[key]!r} is not a finite number")
            pt3d = geom.get("pt3d")
            if pt3d is not None and not (isinstance(pt3d, list) and all(
                    isinstance(r, list) and len(r) == 4 and all(_num(v) for v in r) for r in pt3d)):
                bad(f"{where}.geom.pt3d", "must be a list of [x, y, z, diam] numbers")
        for key in ("mechs", "ions"):
            block = sec.get(key, {})
            if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
                bad(f"{where}.{key}", "must be an object of objects")
                continue
            for mech, params in block.items():
                for pname, value in params.items():
                    if not (_num(value) or (key == "mechs" and isinstance(value, list)
                                            and all(_num(v) for v in value))):
                        bad(f"{where}.{key}.{mech}.{pname}", f"{value!r} is not a finite number (or list of them)")
        wn = sec.get("weightNorm")
        if wn is not None and not (isinstance(wn, list) and wn and all(_num(v) for v in wn)):
            bad(f"{where}.weightNorm", f"{wn!r} is not a list of finite numbers")
    return out


def _check_common(rule: dict[str, Any], secs: dict[str, Any], bad: Any) -> None:
    """Shapes every reader relies on, S1 or thalamic: a wrong type here must be a finding, not a crash."""
    for key in ("globals", "secLists", "conds"):
        if key in rule and not isinstance(rule[key], dict):
            bad(key, f"must be an object, got {type(rule[key]).__name__}")
    sec_lists = rule.get("secLists")
    if isinstance(sec_lists, dict):
        for lname, members in sec_lists.items():
            if not isinstance(members, list) or not all(isinstance(m, str) and m in secs for m in members):
                bad(f"secLists.{lname}", "must be a list of section names of secs")
    for sname, sec in secs.items():
        if not isinstance(sec, dict):
            continue
        topol = sec.get("topol")
        if topol in (None, {}):
            continue
        if not isinstance(topol, dict):
            bad(f"secs.{sname}.topol", f"must be an object, got {type(topol).__name__}")
            continue
        if not isinstance(topol.get("parentSec"), str) or topol["parentSec"] not in secs:
            bad(f"secs.{sname}.topol.parentSec", f"{topol.get('parentSec')!r} is not a section of secs")
        for key in ("parentX", "childX"):
            if key in topol and not _num(topol[key]):
                bad(f"secs.{sname}.topol.{key}", f"{topol[key]!r} is not a finite number")


def _check_s1_structure(rule: dict[str, Any], secs: dict[str, Any], bad: Any) -> None:
    """Items 9-10: names, section lists and the parent tree."""
    for required in ("soma", "axon_0", "axon_1"):
        if required not in secs:
            bad("secs", f"missing section {required!r}")
    for kind in ("dend", "apic"):
        idx = sorted(int(s.split("_")[1]) for s in secs if s.startswith(kind + "_") and s.split("_")[1].isdigit())
        if idx != list(range(len(idx))):
            bad("secs", f"{kind}_* indices are not 0..{len(idx) - 1} without gaps")
    for sname in secs:
        if not _SECTION_NAME.match(sname):
            bad("secs", f"unexpected section name {sname!r}")
    sec_lists = rule.get("secLists")
    if not isinstance(sec_lists, dict):
        bad("secLists", "must be an object")
    else:
        all_list = sec_lists.get("all")
        if (not isinstance(all_list, list) or not all(isinstance(m, str) for m in all_list)
                or set(all_list) != set(secs) or len(all_list) != len(secs)):
            bad("secLists.all", "must list every section of secs exactly once")
        for lname, members in sec_lists.items():
            if not isinstance(members, list):
                bad(f"secLists.{lname}", "must be a list")
                continue
            unknown = [m for m in members if not isinstance(m, str) or m not in secs]
            if unknown:
                bad(f"secLists.{lname}", f"unknown sections {unknown[:5]}")
    # item 10: a single tree rooted at soma
    for sname, sec in secs.items():
        topol = sec.get("topol") if isinstance(sec, dict) else None
        if sname == "soma":
            if topol not in ({}, None):
                bad("secs.soma.topol", "soma must have an empty topol")
            continue
        if not isinstance(topol, dict) or not topol:
            bad(f"secs.{sname}.topol", "only the soma may have an empty topol")
            continue
        if not isinstance(topol.get("parentSec"), str) or topol.get("parentSec") not in secs:
            bad(f"secs.{sname}.topol.parentSec", f"unknown parent {topol.get('parentSec')!r}")
        if topol.get("childX") != 0:
            bad(f"secs.{sname}.topol.childX", f"{topol.get('childX')!r} != 0")
        if topol.get("parentX") not in (0.5, 1.0):
            bad(f"secs.{sname}.topol.parentX", f"{topol.get('parentX')!r} not in {{0.5, 1.0}}")
    for sname in secs:
        seen = set()
        cur = sname
        while cur != "soma":
            if not isinstance(cur, str) or cur in seen or cur not in secs:
                bad(f"secs.{sname}", "parent chain does not reach soma (cycle or broken link)")
                break
            seen.add(cur)
            topol = secs[cur].get("topol") if isinstance(secs[cur], dict) else None
            cur = topol.get("parentSec") if isinstance(topol, dict) else None


def _check_section(sname: str, sec: dict[str, Any], allowed_mechs: Iterable[str], thalamic: bool, bad: Any) -> None:
    """Items 11-14 for one section: geometry, numbers, mechanisms, ions, thalamic extras."""
    where = f"secs.{sname}"
    geom = sec.get("geom")
    if not isinstance(geom, dict):
        bad(f"{where}.geom", "missing")
        return
    nseg = geom.get("nseg")
    if not (isinstance(nseg, int) and not isinstance(nseg, bool) and nseg > 0 and nseg % 2 == 1):
        bad(f"{where}.geom.nseg", f"{nseg!r} is not a positive odd integer")
        nseg = None
    for key in ("L", "diam", "Ra", "cm"):
        if key in geom and not _num(geom[key]):
            bad(f"{where}.geom.{key}", f"{geom[key]!r} is not a finite number")
    pt3d = geom.get("pt3d")
    if sname.startswith("axon"):
        if pt3d:
            bad(f"{where}.geom.pt3d", "axon stubs must have no pt3d")
    elif pt3d is not None:
        if not isinstance(pt3d, list):
            bad(f"{where}.geom.pt3d", "must be a list")
        else:
            for i, row in enumerate(pt3d):
                if not (isinstance(row, list) and len(row) == 4 and all(_num(v) for v in row) and row[3] > 0):
                    bad(f"{where}.geom.pt3d[{i}]", f"{row!r} is not [x, y, z, d>0]")
                    break
    mechs = sec.get("mechs", {})
    if not isinstance(mechs, dict):
        bad(f"{where}.mechs", "must be an object")
        mechs = {}
    for mech, params in mechs.items():
        if mech not in allowed_mechs:
            bad(f"{where}.mechs.{mech}", "unknown mechanism")
        if not isinstance(params, dict):
            bad(f"{where}.mechs.{mech}", "parameters must be an object")
            continue
        for pname, value in params.items():
            if isinstance(value, list):
                if not all(_num(v) for v in value) or (nseg is not None and len(value) != nseg):
                    bad(f"{where}.mechs.{mech}.{pname}", f"list must hold nseg={nseg} finite numbers")
            elif not _num(value):
                bad(f"{where}.mechs.{mech}.{pname}", f"{value!r} is not a finite number")
    ions = sec.get("ions", {})
    if not isinstance(ions, dict) or not set(ions) <= IONS:
        bad(f"{where}.ions", f"keys must be a subset of {sorted(IONS)}")
    else:
        for ion, vals in ions.items():
            if not isinstance(vals, dict) or set(vals) != {"e", "i", "o"} or not all(_num(v) for v in vals.values()):
                bad(f"{where}.ions.{ion}", "must have exactly finite numbers e, i, o")
    if thalamic:
        wn = sec.get("weightNorm")
        if not (isinstance(wn, list) and len(wn) == 1 and _num(wn[0]) and wn[0] > 0):
            bad(f"{where}.weightNorm", f"{wn!r} is not a 1-element list of a positive number")
        if nseg is not None and nseg != 1:
            bad(f"{where}.geom.nseg", f"{nseg} != 1 for a thalamic cell")
    else:
        for extra in ("weightNorm", "vinit", "pointps", "threshold"):
            if extra in sec:
                bad(f"{where}.{extra}", "unexpected in an S1 cell")


def nmodl_suffixes(modfiles: Iterable[str]) -> set[str]:
    """SUFFIX names declared by NMODL sources (text), so mechanism coverage can be checked (item 13)."""
    names: set[str] = set()
    for text in modfiles:
        names.update(re.findall(r"^\s*SUFFIX\s+(\w+)", text, flags=re.MULTILINE))
    return names
