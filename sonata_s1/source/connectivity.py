"""``conn/conn.pkl``, ``conn/conn_Th.pkl`` and ``conn/convergence_Th_S1.txt`` -> typed tables.

The pickles store most numbers as strings (quirk Q1), mix numpy and Python floats (Q2), key the
synapse table by tuples (Q3) and carry a dense ``connNumber`` beside sparse tables (Q4). All of that
is resolved here, once, so downstream code only sees floats/ints in ``S1Connectivity``. Validation
(table shapes, keys, value ranges, published totals with ``strict``) names the file and the table key
of every finding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import Problems, SourceError, read_ascii
from .model import (
    E_MTYPES,
    THALAMIC_POPULATIONS,
    BackgroundStats,
    METype,
    Pathway,
    S1Connectivity,
    SynapseType,
    ThalamicTables,
    ThalamoCorticalConvergence,
)
from .safe_pickle import load_pickle

# --------------------------------------------------------------------------------------------- tables
#: Distance bins of the ``pmat<d>um`` tables; 12 stands for 12.5 µm (the file's own name).
PMAT_BINS: tuple[int, ...] = (12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275, 300, 325, 350, 375)
#: Bins the model reads (12.5, 25 and the bin at d0 <= 200); the longer ones are optional.
USED_PMAT_BINS: tuple[int, ...] = PMAT_BINS[:9]
#: Sparse tables whose values are numbers written as strings (Q1).
STRING_NUMBER_TABLES: tuple[str, ...] = (
    "pmat", *(f"pmat{b}um" for b in PMAT_BINS), "a0mat", "lmat", "d0", "dfinal",
    "a0mat_exp", "lmat_exp", "d0_exp", "a0mat_gauss", "x0_gauss", "lmat_gauss", "d0_gauss",
)
#: Of those, the ones that hold integers ('50', '375').
INTEGER_TABLES: tuple[str, ...] = ("d0", "d0_exp", "d0_gauss", "dfinal")
#: Sparse tables holding plain numbers / strings / lists.
OTHER_SPARSE_TABLES: tuple[str, ...] = (
    "synperconnNumber", "synperconnNumberStd", "use", "dep", "fac", "decay", "gsyn",
    "useStd", "depStd", "facStd", "decayStd", "gsynStd", "stypes", "EItype", "ConnTypes",
    "ConnTypesNumber", "best_fit",
)
SPARSE_TABLES: tuple[str, ...] = STRING_NUMBER_TABLES + OTHER_SPARSE_TABLES
BACKGROUND_TABLES: tuple[str, ...] = ("synperNeuronStimE", "synperNeuronStimI", "GsynStimE", "GsynStimI")
#: The 54 top-level keys of the published file (checked with ``strict``).
ALL_TOP_KEYS: frozenset[str] = frozenset(
    {*SPARSE_TABLES, "connNumber", *BACKGROUND_TABLES, "connDataSource", "connIEtype", "connEItype",
     "parameters_syn"}
)
#: Keys this reader needs; a synthetic file must have at least these.
REQUIRED_KEYS: tuple[str, ...] = (
    "connNumber", *(f"pmat{b}um" for b in USED_PMAT_BINS), "a0mat", "lmat", "d0", "dfinal",
    "a0mat_exp", "lmat_exp", "d0_exp", "a0mat_gauss", "x0_gauss", "lmat_gauss", "best_fit",
    "synperconnNumber", "ConnTypes", "connIEtype", "connEItype", "parameters_syn", *BACKGROUND_TABLES,
)
#: The 13 entries every synapse-type id has in ``parameters_syn``.
SYN_PARAM_NAMES: tuple[str, ...] = (
    "ConnType", "gsyn", "gsynStd", "decay", "decayStd", "use", "useStd", "dep", "depStd", "fac",
    "facStd", "s-types", "type",
)
BEST_FITS = frozenset({"exp", "expl", "gauss"})
#: connIDs of the E->I pathways that the model code never splits by post e-type.
EI_NO_SPLIT_IDS = frozenset({131, 132})

#: Published figures, checked only with ``strict``.
EXPECTED_S1 = {"pathways": 1941, "EE": 169, "EI": 451, "IE": 482, "II": 839, "synapse_types": 29,
               "connNumber_entries": 3025}

#: The intrathalamic pairs of this model: TC->RTN, RTN->TC, RTN->RTN per sector.
THALAMIC_PAIRS: tuple[tuple[str, str], ...] = (
    ("VPL_sTC", "ss_RTN_o"), ("VPM_sTC", "ss_RTN_m"), ("POm_sTC_s1", "ss_RTN_i"),
    ("ss_RTN_o", "VPL_sTC"), ("ss_RTN_m", "VPM_sTC"), ("ss_RTN_i", "POm_sTC_s1"),
    ("ss_RTN_o", "ss_RTN_o"), ("ss_RTN_m", "ss_RTN_m"), ("ss_RTN_i", "ss_RTN_i"),
)
THALAMIC_TABLES: tuple[str, ...] = ("pmat", "lmat", "wmat", "cmat")


# -------------------------------------------------------------------------------------------- helpers
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _key(table: str, *keys: Any) -> str:
    return table + "".join(f"[{k!r}]" for k in keys)


class _Reader:
    """Number parsing with error messages that name file and key; failures go to ``problems``."""

    def __init__(self, source: str, problems: Problems) -> None:
        self.source = source
        self.problems = problems

    def fail(self, where: str, message: str) -> None:
        self.problems.add(f"{self.source}: {where}: {message}")

    def number(self, value: Any, where: str) -> float | None:
        """A finite float from a JSON/pickle number or a numeric string (Q1)."""
        if _is_number(value):
            result = float(value)
        elif isinstance(value, str):
            try:
                result = float(value)
            except ValueError:
                self.fail(where, f"could not parse {value!r} as a number")
                return None
        else:
            self.fail(where, f"expected a number, got {type(value).__name__} {value!r}")
            return None
        if not math.isfinite(result):
            self.fail(where, f"{value!r} is not finite")
            return None
        return result

    def integer(self, value: Any, where: str) -> int | None:
        """An int via ``int(float(s))``, refusing values with a fractional part ('50', '375.0')."""
        result = self.number(value, where)
        if result is None:
            return None
        if result != int(result):
            self.fail(where, f"{value!r} is not an integer")
            return None
        return int(result)


def _table(data: Mapping[str, Any], name: str, source: str) -> dict[str, Any]:
    table = data[name]
    if not isinstance(table, dict):
        raise SourceError(f"{source}: {name}: expected a dict, got {type(table).__name__}")
    return table


def _describe_pairs(pairs: Iterable[tuple[str, str]], limit: int = 3) -> str:
    pairs = sorted(pairs)
    shown = ", ".join(f"{a}->{b}" for a, b in pairs[:limit])
    return shown + (f" (+{len(pairs) - limit} more)" if len(pairs) > limit else "")


def rule_order(mtypes: Sequence[str]) -> list[str]:
    """m-types in the order the model code loops over them: inhibitory (file order), then E_MTYPES."""
    return [m for m in mtypes if m not in E_MTYPES] + [m for m in E_MTYPES if m in mtypes]


# ------------------------------------------------------------------------------------------- conn.pkl
def parse_connectivity(path: str | Path, metypes: Sequence[METype], *, strict: bool = True) -> S1Connectivity:
    """Read and validate ``conn.pkl`` against the me-type table (every pathway's m-types exist, tables agree).

    ``pathways`` is ordered as the model code creates its rules (pre, then post, each inhibitory
    m-types first, see :func:`rule_order`); a pathway exists iff ``float(connNumber) > 0`` (Q4).
    Structural checks always run; the published counts (1,941 pathways, 29 synapse types, 54 keys)
    only with ``strict``.
    """
    path = Path(path)
    src = str(path)
    data = load_pickle(path)  # item 15: only the allowed globals
    if not isinstance(data, dict):
        raise SourceError(f"{src}: top level must be a dict, got {type(data).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise SourceError(f"{src}: missing top-level keys: {', '.join(missing)}")
    problems = Problems(src)
    rd = _Reader(src, problems)
    if strict:
        extra, absent = set(data) - ALL_TOP_KEYS, ALL_TOP_KEYS - set(data)
        if extra or absent:
            problems.add(f"{src}: top-level keys differ from the published 54 "
                         f"(unexpected: {sorted(extra)}, missing: {sorted(absent)})")

    mtypes = list(dict.fromkeys(m.mtype for m in metypes))
    mset = set(mtypes)

    # item 16: every 55x55 table has the distribution m-types as outer keys
    square = ["connNumber", *(t for t in SPARSE_TABLES if t in data)]
    tables = {name: _table(data, name, src) for name in square}
    for name, table in tables.items():
        keys = set(table)
        if keys != mset:
            problems.add(f"{src}: {name}: outer keys differ from the distribution m-types "
                         f"(missing: {sorted(mset - keys)[:5]}, unexpected: {sorted(keys - mset)[:5]})")
        for pre, inner in table.items():
            if not isinstance(inner, dict):
                problems.add(f"{src}: {_key(name, pre)}: expected a dict, got {type(inner).__name__}")
    problems.raise_if_any()

    # connNumber is the only dense table and decides which pathways exist (Q4).
    conn_number: dict[tuple[str, str], float] = {}
    for pre in mtypes:
        inner = tables["connNumber"][pre]
        if set(inner) != mset:
            problems.add(f"{src}: {_key('connNumber', pre)}: must list all {len(mset)} post m-types "
                         f"(missing: {sorted(mset - set(inner))[:5]}, unexpected: {sorted(set(inner) - mset)[:5]})")
        for post, raw in inner.items():
            value = rd.number(raw, _key("connNumber", pre, post))
            if value is not None and value < 0:
                rd.fail(_key("connNumber", pre, post), f"negative connection count {raw!r}")
            elif value is not None and value > 0:
                conn_number[(pre, post)] = value
    problems.raise_if_any()
    pairs = set(conn_number)
    for name in SPARSE_TABLES:
        if name not in tables:
            continue
        have = {(a, b) for a, inner in tables[name].items() for b in inner}
        if have != pairs:
            problems.add(f"{src}: {name}: pairs differ from connNumber > 0; missing "
                         f"{_describe_pairs(pairs - have) or 'none'}; unexpected {_describe_pairs(have - pairs) or 'none'}")
    problems.raise_if_any()

    # item 17: string-number tables parse; integer tables are integers
    for name in STRING_NUMBER_TABLES:
        if name not in tables or name in INTEGER_TABLES:
            continue
        for pre, inner in tables[name].items():
            for post, raw in inner.items():
                rd.number(raw, _key(name, pre, post))
    ints: dict[str, dict[tuple[str, str], int]] = {}
    for name in INTEGER_TABLES:
        if name in tables:
            ints[name] = {}
            for pre, inner in tables[name].items():
                for post, raw in inner.items():
                    v = rd.integer(raw, _key(name, pre, post))
                    if v is not None:
                        ints[name][(pre, post)] = v
    for (pre, post), d0 in ints["d0"].items():
        if not (0 <= d0 <= 200 and d0 % 25 == 0):
            rd.fail(_key("d0", pre, post), f"{d0} is not a multiple of 25 in 0..200 (no pmat<d0>um bin)")
    problems.raise_if_any()

    synapse_types = _synapse_types(data["parameters_syn"], rd)
    pathways: dict[tuple[str, str], Pathway] = {}
    order = rule_order(mtypes)
    for pre in order:
        for post in order:
            if (pre, post) in pairs:
                pw = _pathway(pre, post, conn_number[(pre, post)], tables, ints, rd, synapse_types)
                if pw is not None:
                    pathways[(pre, post)] = pw
    conn_ie = _id_lookup(data["connIEtype"], "connIEtype", rd)
    conn_ei = _id_lookup(data["connEItype"], "connEItype", rd)
    background = _background(data, mtypes, rd)
    problems.raise_if_any()

    conn = S1Connectivity(pathways=pathways, synapse_types=synapse_types, conn_ie_type=conn_ie,
                          conn_ei_type=conn_ei, background=background)
    # item 19: the e-type specific sub-pathway lookups succeed and pick listed ids
    by_mtype: dict[str, list[METype]] = {}
    for me in metypes:
        by_mtype.setdefault(me.mtype, []).append(me)
    for pw in pathways.values():
        try:
            split_conn_ids(conn, pw, by_mtype[pw.pre], by_mtype[pw.post])
        except KeyError as exc:
            problems.add(f"{src}: {_key('ConnTypes', pw.pre, pw.post)}: {exc.args[0]}")

    if strict:
        counts = {"pathways": len(pathways), "synapse_types": len(synapse_types),
                  "connNumber_entries": sum(len(v) for v in tables["connNumber"].values())}
        for klass in ("EE", "EI", "IE", "II"):
            counts[klass] = sum(1 for p in pathways.values() if p.klass == klass)
        for key, want in EXPECTED_S1.items():
            if counts[key] != want:
                problems.add(f"{src}: {key} = {counts[key]}, expected {want} (published data)")
    problems.raise_if_any()
    return conn


def _synapse_types(table: Any, rd: _Reader) -> dict[int, SynapseType]:
    """``parameters_syn`` ({(name, id): value}, Q3) -> one SynapseType per id (item 18)."""
    if not isinstance(table, dict):
        raise SourceError(f"{rd.source}: parameters_syn: expected a dict, got {type(table).__name__}")
    raw: dict[int, dict[str, Any]] = {}
    for key, value in table.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str)
                and isinstance(key[1], int) and not isinstance(key[1], bool)):
            rd.fail(f"parameters_syn[{key!r}]", "key must be a (name, id) tuple")
            continue
        raw.setdefault(key[1], {})[key[0]] = value
    result: dict[int, SynapseType] = {}
    for cid in sorted(raw):
        entries = raw[cid]
        missing = [n for n in SYN_PARAM_NAMES if n not in entries]
        if missing:
            rd.fail(f"parameters_syn[(…, {cid})]", f"missing entries {missing}")
            continue
        nums = {}
        for name in SYN_PARAM_NAMES:
            where = f"parameters_syn[({name!r}, {cid})]"
            if name in ("s-types", "type"):
                if not isinstance(entries[name], str):
                    rd.fail(where, f"expected a string, got {entries[name]!r}")
            elif name == "ConnType":
                rd.integer(entries[name], where)
            else:
                nums[name] = rd.number(entries[name], where)
        if any(v is None for v in nums.values()):
            continue
        if not 0.0 <= nums["use"] <= 1.0:  # U, the release probability of the Tsodyks-Markram model
            rd.fail(f"parameters_syn[('use', {cid})]", f"{nums['use']} is not a probability in [0, 1]")
            continue
        result[cid] = SynapseType(
            conn_id=cid, bbp_type=str(entries["type"]), s_type=str(entries["s-types"]),
            gsyn=nums["gsyn"], use=nums["use"], dep=nums["dep"], fac=nums["fac"], decay=nums["decay"],
            raw=dict(entries),
        )
    return result


def _pathway(pre: str, post: str, conn_number: float, tables: Mapping[str, dict[str, Any]],
             ints: Mapping[str, dict[tuple[str, str], int]], rd: _Reader,
             synapse_types: Mapping[int, SynapseType]) -> Pathway | None:
    """Assemble one pathway; returns None (after recording why) if any field is unusable."""
    n_before = len(rd.problems)

    def num(name: str) -> float:
        return rd.number(tables[name][pre][post], _key(name, pre, post)) or 0.0

    best_fit = tables["best_fit"][pre][post]
    if best_fit not in BEST_FITS:
        rd.fail(_key("best_fit", pre, post), f"{best_fit!r} is not one of {sorted(BEST_FITS)}")
    pmat = {b: num(f"pmat{b}um") for b in PMAT_BINS if f"pmat{b}um" in tables}
    for name in [f"pmat{b}um" for b in pmat] + (["a0mat_exp"] if "a0mat_exp" in tables else []):
        prob = num(name)
        if not 0.0 <= prob <= 1.0:  # connection probabilities: anything else is a corrupt table
            rd.fail(_key(name, pre, post), f"{prob} is not a probability in [0, 1]")
    synperconn = num("synperconnNumber")
    if synperconn < 1.0:
        rd.fail(_key("synperconnNumber", pre, post), f"{synperconn} < 1 synapse per connection")

    conn_types_raw = tables["ConnTypes"][pre][post]
    where = _key("ConnTypes", pre, post)
    conn_types: tuple[int, ...] = ()
    if (not isinstance(conn_types_raw, (list, tuple)) or not 1 <= len(conn_types_raw) <= 3
            or not all(isinstance(c, int) and not isinstance(c, bool) for c in conn_types_raw)):
        rd.fail(where, f"expected a list of 1-3 ints, got {conn_types_raw!r}")
    else:
        conn_types = tuple(conn_types_raw)
        if "ConnTypesNumber" in tables and tables["ConnTypesNumber"][pre][post] != len(conn_types):
            rd.fail(_key("ConnTypesNumber", pre, post),
                    f"{tables['ConnTypesNumber'][pre][post]!r} != len(ConnTypes) = {len(conn_types)}")
        pre_is_e = pre in E_MTYPES
        for cid in conn_types:
            if cid not in synapse_types:
                rd.fail(where, f"synapse type {cid} has no complete parameters_syn entry")
            elif (cid > 50) != pre_is_e:  # the model code picks the mechanism by id > 50
                rd.fail(where, f"synapse type {cid} is {'<=' if pre_is_e else '>'} 50 but pre m-type "
                        f"{pre} is {'excitatory' if pre_is_e else 'inhibitory'}")
    if len(rd.problems) > n_before:
        return None
    klass = ("E" if pre in E_MTYPES else "I") + ("E" if post in E_MTYPES else "I")
    return Pathway(
        pre=pre, post=post, klass=klass, conn_number=conn_number, best_fit=best_fit,
        d0=ints["d0"][(pre, post)], dfinal=float(ints["dfinal"][(pre, post)]),
        a0mat=num("a0mat"), lmat=num("lmat"), a0mat_exp=num("a0mat_exp"), lmat_exp=num("lmat_exp"),
        d0_exp=ints["d0_exp"][(pre, post)], a0mat_gauss=num("a0mat_gauss"), x0_gauss=num("x0_gauss"),
        lmat_gauss=num("lmat_gauss"), pmat=pmat, synperconn=synperconn, conn_types=conn_types,
    )


def _id_lookup(table: Any, name: str, rd: _Reader) -> dict[str, dict[str, int]]:
    """``connIEtype`` / ``connEItype``: {class: {e-type code: connID}} with int values."""
    if not isinstance(table, dict):
        rd.fail(name, f"expected a dict, got {type(table).__name__}")
        return {}
    result: dict[str, dict[str, int]] = {}
    for klass, inner in table.items():
        if not isinstance(inner, dict):
            rd.fail(_key(name, klass), f"expected a dict, got {type(inner).__name__}")
            continue
        result[klass] = {}
        for code, cid in inner.items():
            v = rd.integer(cid, _key(name, klass, code))
            if v is not None:
                result[klass][code] = v
    return result


def _background(data: Mapping[str, Any], mtypes: Sequence[str], rd: _Reader) -> dict[str, BackgroundStats]:
    """Item 20: one finite positive value per m-type in each of the four spontaneous-input tables."""
    values: dict[str, dict[str, float]] = {}
    for name in BACKGROUND_TABLES:
        table = data[name]
        if not isinstance(table, dict):
            rd.fail(name, f"expected a dict, got {type(table).__name__}")
            continue
        if set(table) != set(mtypes):
            rd.fail(name, f"keys differ from the distribution m-types (missing: {sorted(set(mtypes) - set(table))[:5]}, "
                    f"unexpected: {sorted(set(table) - set(mtypes))[:5]})")
        values[name] = {}
        for m in mtypes:
            if m in table:
                v = rd.number(table[m], _key(name, m))
                if v is not None and v <= 0:
                    rd.fail(_key(name, m), f"{v} is not positive")
                elif v is not None:
                    values[name][m] = v
    if len(values) < 4 or any(len(v) != len(mtypes) for v in values.values()):
        return {}
    return {m: BackgroundStats(syn_e=values["synperNeuronStimE"][m], syn_i=values["synperNeuronStimI"][m],
                               gsyn_e=values["GsynStimE"][m], gsyn_i=values["GsynStimI"][m]) for m in mtypes}


def _ei_split_class(post: str) -> str | None:
    """The ``connEItype`` key of a post m-type, or None if E->I onto it is not split (as the model code decides)."""
    if post.endswith("_BP"):
        return "BP"
    if any(s in post for s in ("LBC", "NBC", "DBC", "BTC")):
        return post[-3:]
    return None


def split_conn_ids(conn: S1Connectivity, pathway: Pathway, pre_metypes: Sequence[METype],
                   post_metypes: Sequence[METype]) -> list[tuple[int, list[METype], list[METype]]]:
    """The NetPyNE rules of one pathway as (connID, pre me-types, post me-types), non-empty parts only.

    I->E from ``*_SBC/LBC/NBC`` splits the pre me-types with ``connIEtype``; E->I onto
    ``LBC/NBC/BP/DBC/BTC`` (unless ConnTypes[0] is 131/132) splits the post me-types with
    ``connEItype``; every other pathway is one rule with ``ConnTypes[0]`` (the model code's rule set).
    Raises ``KeyError`` with a readable message when a lookup fails (the model code's 'ERROR').
    """
    ids = pathway.conn_types
    pre_l, post_l = list(pre_metypes), list(post_metypes)
    if pathway.klass == "IE" and pathway.pre[-3:] in ("SBC", "LBC", "NBC"):
        table, klass, split, candidates, side = conn.conn_ie_type, pathway.pre[-3:], pre_l, ids, "pre"
    elif pathway.klass == "EI" and ids[0] not in EI_NO_SPLIT_IDS and _ei_split_class(pathway.post):
        table, klass, split, candidates, side = (conn.conn_ei_type, _ei_split_class(pathway.post), post_l,
                                                 ids[:2], "post")
    else:
        return [(ids[0], pre_l, post_l)]
    if klass not in table:
        raise KeyError(f"no {'connIEtype' if side == 'pre' else 'connEItype'} entry for class {klass!r}")
    groups: dict[int, list[METype]] = {cid: [] for cid in candidates}
    for me in split:
        code = me.etype[:3]
        if code not in table[klass]:
            raise KeyError(f"{side} me-type {me.label}: no entry for e-type {code!r} under {klass!r}")
        cid = table[klass][code]
        if cid not in groups:
            raise KeyError(f"{side} me-type {me.label}: looked-up synapse type {cid} not in {list(candidates)}")
        groups[cid].append(me)
    if side == "pre":
        return [(cid, g, post_l) for cid, g in groups.items() if g]
    return [(cid, pre_l, g) for cid, g in groups.items() if g]


# ----------------------------------------------------------------------------------------- conn_Th.pkl
def parse_thalamic(path: str | Path, *, strict: bool = True) -> ThalamicTables:
    """Read ``conn_Th.pkl`` (no globals allowed at all, item 21) and keep ``cmat`` of this model's pairs.

    A thalamic pathway exists iff the pair is a key of ``pmat``, so the pairs
    among this model's six populations must agree between ``pmat`` and ``cmat``, and must include the
    nine pairs the model connects; with ``strict`` they must be exactly those nine.
    """
    path = Path(path)
    src = str(path)
    data = load_pickle(path, allowed=())
    if not isinstance(data, dict):
        raise SourceError(f"{src}: top level must be a dict, got {type(data).__name__}")
    missing = [k for k in ("pmat", "cmat") if k not in data]
    if missing:
        raise SourceError(f"{src}: missing top-level keys: {', '.join(missing)}")
    problems = Problems(src)
    rd = _Reader(src, problems)
    if strict and set(data) != set(THALAMIC_TABLES):
        problems.add(f"{src}: top-level keys {sorted(data)} differ from {list(THALAMIC_TABLES)}")
    pops = {p[0] for p in THALAMIC_POPULATIONS}
    ours: dict[str, set[tuple[str, str]]] = {}
    for name in ("pmat", "cmat"):
        table = _table(data, name, src)
        ours[name] = set()
        for pre, inner in table.items():
            if not isinstance(inner, dict):
                rd.fail(_key(name, pre), f"expected a dict, got {type(inner).__name__}")
                continue
            ours[name] |= {(pre, post) for post in inner if pre in pops and post in pops}
    if ours["pmat"] != ours["cmat"]:
        problems.add(f"{src}: pmat and cmat disagree on this model's pairs: "
                     f"{_describe_pairs(ours['pmat'] ^ ours['cmat'])}")
    want = set(THALAMIC_PAIRS)
    if not want <= ours["cmat"]:
        problems.add(f"{src}: cmat lacks pairs {_describe_pairs(want - ours['cmat'])}")
    if strict and ours["cmat"] - want:
        problems.add(f"{src}: cmat has unexpected pairs {_describe_pairs(ours['cmat'] - want)}")
    cmat: dict[tuple[str, str], float] = {}
    order = [p[0] for p in THALAMIC_POPULATIONS]
    for pre, post in sorted(ours["cmat"], key=lambda pp: (order.index(pp[0]), order.index(pp[1]))):
        v = rd.number(data["cmat"][pre][post], _key("cmat", pre, post))
        if v is not None and v <= 0:
            rd.fail(_key("cmat", pre, post), f"{v} is not a positive radius")
        elif v is not None:
            cmat[(pre, post)] = v
    problems.raise_if_any()
    return ThalamicTables(cmat=cmat)


# ------------------------------------------------------------------------------- convergence_Th_S1.txt
def parse_convergence(path: str | Path, mtypes: Sequence[str], *, strict: bool = True) -> ThalamoCorticalConvergence:
    """Read the thalamus->S1 convergence table (item 22): one row per distribution m-type."""
    path = Path(path)
    text = read_ascii(path)
    problems = Problems(str(path))
    first: dict[str, int] = {}
    higher: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{path}:{lineno}"
        if len(fields) != 4:
            problems.add(f"{where}: expected 4 fields, found {len(fields)}: {line.strip()!r}")
            continue
        mtype, fo, ho, _ref = fields
        if not (fo.isascii() and fo.isdigit() and ho.isascii() and ho.isdigit()):
            problems.add(f"{where}: columns 2-3 must be non-negative integers, got {fo!r} {ho!r}")
            continue
        if mtype in first:
            problems.add(f"{where}: m-type {mtype} listed twice")
        elif mtype not in mtypes:
            problems.add(f"{where}: m-type {mtype} is not in the distribution file")
        else:
            first[mtype], higher[mtype] = int(fo), int(ho)
    absent = [m for m in mtypes if m not in first]
    if absent and not problems:
        problems.add(f"{path}: no row for m-types {', '.join(absent)}")
    if strict and not problems and len(first) != 55:
        problems.add(f"{path}: {len(first)} rows, expected 55 (published data)")
    problems.raise_if_any()
    return ThalamoCorticalConvergence(first_order=first, higher_order=higher)
