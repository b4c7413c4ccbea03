"""The biophysics JSON: one file per cell model that holds everything needed to rebuild the NetPyNE cell.

Why a section table and not "SWC + a few parameters": the SWC route loses information the published
numerics depend on (README decision P10: a generic SWC importer merges single-child sections and gives a child
the parent's end diameter; the axon stubs have no 3D points at all). So the loader builds every section
from this table, and the SWC is written only for viewers and other simulators.

Schema (``format`` = ``"sonata_s1.biophysics"``, ``format_version`` = 1)::

    {
      "format": "sonata_s1.biophysics", "format_version": 1,
      "cell_model": "L5_TTPC1_cADpyr232_1",          # = file stem = BMTK template name
      "population": "S1" | "thalamus",
      "source": {"file": "<source file name>"},
      "globals": {"erev_kl": -95.0, ...},             # NetPyNE rule globals (thalamic cells only)
      "section_lists": {"all": [...], "somatic": [...], "axonal": [...], "basal": [...],
                        "apical": [...], "spiny": [...], "spinyEE": [...]},   # section names
      "creation_order": [ids ...],                    # NetPyNE creation order (JSON ``secs`` order)
      "sections": [                                   # index = SONATA section id (= secLists['all'] order)
        {"id": 0, "name": "soma", "swc_type": 1,
         "parent": -1, "parent_x": 1.0, "child_x": 0.0,        # parent id (-1 = root)
         "L": 20.1, "Ra": 100.0, "cm": 1.0, "diam": 15.2, "nseg": 1,   # applied in this order
         "pt3d": [[x, y, z, d], ...] | null,          # null: cylinder from L and diam (axon stubs)
         "mechs": {"pas": {"g": 3e-5, "e": -75.0}, "Ih": {"gIhbar": [.. nseg values ..]}, ...},
         "ions": {"ca": {"e": 132.45, "i": 5e-5, "o": 1.2}, ...},   # may be {}
         "vinit": -70.0,                              # optional (TC soma)
         "weightNorm": [0.00209]}                     # optional (thalamic somata)
      ]
    }

The S1 post-processing of netParams.py (extracellular Ca of S1 ca-sections, ``spiny`` lists) is applied at conversion: ``ions.ca.o`` is the
configured 1.2 mM on S1 ca-sections, and ``spiny``/``spinyEE`` are recomputed from ``all``. Values keep
full float precision (``json`` writes ``repr`` of each float). Mechanism parameter values are scalars or
per-segment lists exactly as in the source (a list of length 1 means "all segments").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import SonataS1Error
from ..paths import MODFILES_DIR
from .catalog import S1, THALAMUS
from .sections import AXON_STUBS, section_table

FORMAT = "sonata_s1.biophysics"
FORMAT_VERSION = 1
#: Order in which the scalar geometry is applied (the JSON key order of every source file, which NetPyNE follows).
GEOM_ORDER = ("L", "Ra", "cm", "diam", "nseg")
#: The configured extracellular Ca of S1 ca-sections (``cfg.cao_secs``; README decision P1).
CAO_S1_CONFIGURED = 1.2
#: Density mechanisms built into NEURON (usable without shipping a .mod file).
BUILTIN_MECHANISMS = frozenset({"pas", "hh", "fastpas"})
SECTION_LIST_NAMES = ("all", "somatic", "axonal", "basal", "apical", "spiny", "spinyEE")


class CellModelError(SonataS1Error, ValueError):
    """Invalid cell model (source rule or biophysics JSON); the message names cell, section and key."""


_SUFFIX_RE = re.compile(r"^\s*SUFFIX\s+(\w+)", re.MULTILINE)


def known_mechanisms(modfiles: Path | None = MODFILES_DIR) -> frozenset[str]:
    """Density-mechanism names the project can insert: NEURON built-ins + SUFFIXes of the shipped .mod files."""
    names = set(BUILTIN_MECHANISMS)
    if modfiles is not None and Path(modfiles).is_dir():
        for mod in Path(modfiles).glob("*.mod"):
            text = re.sub(r"COMMENT.*?ENDCOMMENT", "", mod.read_text(errors="replace"), flags=re.DOTALL)
            names.update(_SUFFIX_RE.findall(text))
    return frozenset(names)


def check_mechanisms(spec: dict[str, Any], known: frozenset[str] | set[str]) -> None:
    """Raise :class:`CellModelError` naming cell, section and mechanism for the first unknown mechanism."""
    for sec in spec["sections"]:
        for mech in sec["mechs"]:
            if mech not in known:
                raise CellModelError(
                    f"cell {spec['cell_model']!r}, section {sec['name']!r}: unknown mechanism {mech!r} "
                    f"(not built into NEURON and no .mod file with SUFFIX {mech} in components/mechanisms/modfiles)"
                )


def _num(value: Any, where: str) -> Any:
    """Numbers as float (thalamic files store some as JSON integers), lists element-wise; None kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellModelError(f"{where}: boolean value {value!r} where a number is expected")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_num(v, where) for v in value]
    raise CellModelError(f"{where}: unsupported value {value!r} (string functions are not supported)")


def from_cell_params(
    cell: dict[str, Any],
    name: str,
    population: str = S1,
    *,
    source_file: str | None = None,
    cao_s1: float = CAO_S1_CONFIGURED,
    known: frozenset[str] | set[str] | None = None,
) -> dict[str, Any]:
    """NetPyNE cell rule (raw JSON dict) -> biophysics dict (schema in the module docstring).

    ``known``: if given, every mechanism must be in it (else :class:`CellModelError`).
    """
    if population not in (S1, THALAMUS):
        raise ValueError(f"population must be {S1!r} or {THALAMUS!r}, not {population!r}")
    secs = cell.get("secs")
    if not isinstance(secs, dict) or not secs:
        raise CellModelError(f"cell {name!r}: no 'secs' in the cell rule")
    for sname, sec in secs.items():
        if not isinstance(sec, dict) or not isinstance(sec.get("geom"), dict):
            raise CellModelError(f"cell {name!r}, section {sname!r}: missing 'geom'")
        parent = (sec.get("topol") or {}).get("parentSec")
        if parent is not None and parent not in secs:
            raise CellModelError(f"cell {name!r}, section {sname!r}: parentSec {parent!r} does not exist")
    try:
        table = section_table(cell)
    except (ValueError, KeyError) as exc:
        raise CellModelError(f"cell {name!r}: {exc}") from exc

    sections = []
    for sid, sname in enumerate(table.names):
        src = secs[sname]
        geom = src["geom"]
        where = f"cell {name!r}, section {sname!r}"
        entry: dict[str, Any] = {
            "id": sid,
            "name": sname,
            "swc_type": int(table.swc_type[sid]),
            "parent": int(table.parent[sid]),
            "parent_x": float(table.parent_x[sid]),
            "child_x": float(table.child_x[sid]),
        }
        for key in GEOM_ORDER:
            if key in geom:
                entry[key] = int(geom[key]) if key == "nseg" else _num(geom[key], f"{where}, geom.{key}")
        extra = set(geom) - set(GEOM_ORDER) - {"pt3d"}
        if extra:
            raise CellModelError(f"{where}: unsupported geom keys {sorted(extra)}")
        if "nseg" not in entry:
            entry["nseg"] = 1
        pts = geom.get("pt3d")
        if pts:
            if any(len(p) != 4 for p in pts):
                raise CellModelError(f"{where}: pt3d points must be [x, y, z, diam]")
            entry["pt3d"] = [[float(v) for v in p] for p in pts]
        else:
            entry["pt3d"] = None
            if "L" not in entry or "diam" not in entry:
                raise CellModelError(f"{where}: a section without pt3d needs geom L and diam")
        mechs: dict[str, dict[str, Any]] = {}
        for mech, params in (src.get("mechs") or {}).items():
            if known is not None and mech not in known:
                raise CellModelError(
                    f"{where}: unknown mechanism {mech!r} (not built into NEURON and no .mod file with "
                    f"SUFFIX {mech} in components/mechanisms/modfiles)"
                )
            mechs[mech] = {p: _num(v, f"{where}, mechs.{mech}.{p}") for p, v in (params or {}).items()}
            for p, v in mechs[mech].items():
                if isinstance(v, list) and len(v) not in (1, entry["nseg"]):
                    raise CellModelError(
                        f"{where}, mechs.{mech}.{p}: list of {len(v)} values for nseg {entry['nseg']}"
                    )
        entry["mechs"] = mechs
        ions: dict[str, dict[str, float]] = {}
        for ion, vals in (src.get("ions") or {}).items():
            ions[ion] = {k: _num(v, f"{where}, ions.{ion}.{k}") for k, v in vals.items()}
            bad = set(ions[ion]) - {"e", "i", "o"}
            if bad:
                raise CellModelError(f"{where}, ions.{ion}: unknown fields {sorted(bad)} (expected e, i, o)")
            if population == S1 and ion == "ca":
                ions[ion]["o"] = float(cao_s1)  # netParams.py: ions.ca.o = cfg.cao_secs
        entry["ions"] = ions
        if "vinit" in src:
            entry["vinit"] = _num(src["vinit"], f"{where}, vinit")
        if "weightNorm" in src:
            entry["weightNorm"] = _num(src["weightNorm"], f"{where}, weightNorm")
        unknown = set(src) - {"geom", "topol", "mechs", "ions", "vinit", "weightNorm"}
        if unknown:
            raise CellModelError(f"{where}: unsupported section keys {sorted(unknown)}")
        sections.append(entry)

    names = list(table.names)
    stored = cell.get("secLists") or {}

    def _list(key: str, default: list[str]) -> list[str]:
        value = stored.get(key)
        return list(value) if value else default

    lists = {
        "all": names,
        "somatic": _list("somatic", [n for n in names if n.startswith("soma")]),
        "axonal": _list("axonal", [n for n in names if n.startswith("axon")]),
        "basal": _list("basal", [n for n in names if n.startswith("dend")]),
        "apical": _list("apical", [n for n in names if n.startswith("apic")]),
        "spiny": [names[i] for i in table.spiny],
        "spinyEE": [names[i] for i in table.spiny_ee],
    }
    assert all(n not in AXON_STUBS for n in lists["spiny"])
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "cell_model": name,
        "population": population,
        "source": {"file": source_file} if source_file else {},
        "globals": {k: _num(v, f"cell {name!r}, globals.{k}") for k, v in (cell.get("globals") or {}).items()},
        "section_lists": lists,
        "creation_order": list(table.creation_order),
        "sections": sections,
    }


def dumps(spec: dict[str, Any]) -> str:
    """Serialise at full precision: one line per section keeps diffs readable and the file compact."""
    head = {k: v for k, v in spec.items() if k != "sections"}
    parts = [json.dumps(s, separators=(",", ":")) for s in spec["sections"]]
    body = json.dumps(head, indent=1)[:-2]  # strip the closing "\n}"
    return body + ',\n "sections": [\n  ' + ",\n  ".join(parts) + "\n ]\n}\n"


def validate(spec: Any, where: str = "biophysics JSON") -> dict[str, Any]:
    """Check format, version and the structural invariants the builder relies on; return the spec."""
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise CellModelError(f"{where}: not a {FORMAT} file (missing or wrong 'format')")
    if spec.get("format_version") != FORMAT_VERSION:
        raise CellModelError(f"{where}: format_version {spec.get('format_version')!r}, expected {FORMAT_VERSION}")
    for key in ("cell_model", "population", "sections", "creation_order", "section_lists", "globals"):
        if key not in spec:
            raise CellModelError(f"{where}: missing key {key!r}")
    secs = spec["sections"]
    n = len(secs)
    if sorted(spec["creation_order"]) != list(range(n)):
        raise CellModelError(f"{where}: creation_order is not a permutation of the {n} section ids")
    for i, sec in enumerate(secs):
        if sec.get("id") != i:
            raise CellModelError(f"{where}: section {i} has id {sec.get('id')!r}")
        for key in ("name", "parent", "parent_x", "child_x", "nseg", "pt3d", "mechs", "ions"):
            if key not in sec:
                raise CellModelError(f"{where}, section {sec.get('name', i)!r}: missing key {key!r}")
        if not -1 <= sec["parent"] < n or sec["parent"] == i:
            raise CellModelError(f"{where}, section {sec['name']!r}: bad parent {sec['parent']!r}")
    return spec


def read(path: str | Path) -> dict[str, Any]:
    """Load and validate a biophysics JSON; errors name the file."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            spec = json.load(fh)
    except FileNotFoundError:
        raise CellModelError(f"{path}: biophysics file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CellModelError(f"{path}: not valid JSON ({exc})") from exc
    return validate(spec, str(path))
