"""BMTK cell loader: ``model_template = "s1_cell:<name>"`` builds the NetPyNE cell from our two components.

Why a custom loader: BMTK's built-in path reads the SWC through Import3d, which would merge sections and
change diameters (README decision P10), and would renumber sections. Here every section comes from the
biophysics JSON (``dynamics_params``) through :func:`sonata_s1.cells.builder.build_sections`, in NetPyNE's
creation order, and ``hobj.all`` is in SONATA order (the order ``afferent_section_id`` indexes).

What else NetPyNE does to a cell at run time, reproduced here:

* per-section ``vinit`` (TC soma −70 mV): a type-0 ``FInitializeHandler`` sets that section's v, as NetPyNE does;
* rule ``globals`` (``erev_kl``, ``q10m_ittc``, ``q10h_itre``) are set as hoc globals unless they are
  run-level hParams (``v_init``, ``celsius``, …); first cell model wins on a conflict (NetPyNE sets globals once);
* extracellular Ca (README decision P1): a type-1 ``FInitializeHandler`` (after ion initialisation, which resets
  ``cao`` from the global ``cao0_ca_ion``) writes ``seg.cao`` on every ca-section. ``cao_mode="configured"`` (default): S1 ca-sections ``cao_s1`` (1.2 mM), thalamic cells their
  JSON value (2.0 mM); ``cao_mode="published-run"``: 2.0 mM everywhere. The global ``cao0_ca_ion`` is never
  changed (it would also move the thalamic T-currents, which read ``cao``).

BMTK must run with ``"run": {"dL": null}`` so that it does not recompute nseg (the models' nseg is part of their numerics);
:func:`s1_cell` keeps the JSON nseg and :func:`check_nseg` lets callers verify it after BMTK built a cell.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..paths import BIOPHYS_DIR, MORPHOLOGIES_DIR
from . import biophysics
from .builder import build_sections
from .catalog import THALAMUS

log = logging.getLogger(__name__)

DIRECTIVE = "s1_cell"
MODEL_TYPE = "biophysical"
CAO_MODES = ("configured", "published-run")
CAO_PUBLISHED_RUN = 2.0
#: hoc globals that NetPyNE's hParams own (a rule's ``globals`` entry of the same name is ignored)
HPARAMS = frozenset({"celsius", "v_init", "clamp_resist", "tstop", "dt", "steps_per_ms"})

_config: dict[str, Any] = {"cao_mode": "configured", "cao_s1": biophysics.CAO_S1_CONFIGURED}
_globals_set: dict[str, float] = {}


def configure(cao_mode: str = "configured", cao_s1: float = biophysics.CAO_S1_CONFIGURED) -> dict[str, Any]:
    """Set the extracellular-Ca policy (README decision P1) for cells built from now on; returns the new config."""
    if cao_mode not in CAO_MODES:
        raise ValueError(f"cao_mode must be one of {CAO_MODES}, not {cao_mode!r}")
    cao_s1 = float(cao_s1)
    if not cao_s1 > 0:
        raise ValueError(f"cao_s1 must be a positive concentration in mM, not {cao_s1!r}")
    _config.update(cao_mode=cao_mode, cao_s1=cao_s1)
    return current_config()


def current_config() -> dict[str, Any]:
    """The cao settings in force, for provenance (record them wherever results are written)."""
    return {
        "cao_mode": _config["cao_mode"],
        "cao_s1": _config["cao_s1"] if _config["cao_mode"] == "configured" else CAO_PUBLISHED_RUN,
        "cao_thalamus": 2.0 if _config["cao_mode"] == "configured" else CAO_PUBLISHED_RUN,
    }


def cao_for(spec: dict[str, Any], section: dict[str, Any]) -> float | None:
    """Extracellular Ca (mM) the loader applies to one section, None if it has no ca ion."""
    ca = section["ions"].get("ca")
    if ca is None:
        return None
    if _config["cao_mode"] == "published-run":
        return CAO_PUBLISHED_RUN
    if spec["population"] == THALAMUS:
        return float(ca.get("o", CAO_PUBLISHED_RUN))
    return float(_config["cao_s1"])


def _set_globals(spec: dict[str, Any]) -> None:
    from neuron import h

    for name, value in spec["globals"].items():
        if name in HPARAMS or value is None:
            continue  # NetPyNE: hParams win (TC's globals.v_init = -70 is ignored)
        if name in _globals_set:
            if _globals_set[name] != value:
                log.warning("global %s=%s of %s ignored: already %s (first cell model wins, as in NetPyNE)",
                            name, value, spec["cell_model"], _globals_set[name])
            continue
        try:
            setattr(h, name, value)
        except (LookupError, AttributeError, TypeError) as exc:
            raise biophysics.CellModelError(
                f"cell {spec['cell_model']!r}: global {name!r} does not exist (mechanism not loaded?) ({exc})"
            ) from None
        _globals_set[name] = value


class S1Cell:
    """A built cell as BMTK expects it: ``.all`` (SONATA order), ``.soma`` (list), ``.dend``/``.apic``/``.axon``.

    ``.secs`` maps NetPyNE section names to sections, ``.section_lists`` the named lists (``spiny`` …) to
    lists of sections, ``.cao`` the Ca value applied to its ca-sections (None without ca), ``.nl`` the SWC
    read by Import3d (created on first access; BMTK needs it only for full-morphology reports).
    """

    def __init__(self, spec: dict[str, Any], swc_path: str | Path | None = None, gid: int | None = None):
        from neuron import h

        self.name = spec["cell_model"]
        self.gid = gid
        self.swc_path = str(swc_path) if swc_path else None
        self.spec = spec
        _set_globals(spec)
        self.all = build_sections(spec, owner=self)
        self.secs = {s["name"]: sec for s, sec in zip(spec["sections"], self.all, strict=True)}
        self.section_lists = {k: [self.secs[n] for n in v] for k, v in spec["section_lists"].items()}
        by_prefix: dict[str, list[Any]] = {"soma": [], "dend": [], "apic": [], "axon": []}
        for s, sec in zip(spec["sections"], self.all, strict=True):
            by_prefix.setdefault(s["name"].split("_", 1)[0], []).append(sec)
        self.soma, self.dend, self.apic, self.axon = (by_prefix[k] for k in ("soma", "dend", "apic", "axon"))
        if not self.soma:
            raise biophysics.CellModelError(f"cell {self.name!r}: no section named 'soma'")
        self._nl = None
        self._handlers: list[Any] = []
        vinit = [(sec, s["vinit"]) for s, sec in zip(spec["sections"], self.all, strict=True) if s.get("vinit") is not None]
        if vinit:
            self._vinit = vinit
            self._handlers.append(h.FInitializeHandler(0, self._apply_vinit))
        cao = [(sec, c) for s, sec in zip(spec["sections"], self.all, strict=True) if (c := cao_for(spec, s)) is not None]
        self.cao = cao[0][1] if cao else None
        if cao:
            self._cao = cao
            self._handlers.append(h.FInitializeHandler(1, self._apply_cao))

    def __repr__(self) -> str:  # becomes the prefix of section names: no '.' allowed
        return f"S1Cell[{self.name},{self.gid if self.gid is not None else id(self)}]"

    def _apply_vinit(self) -> None:
        for sec, v in self._vinit:
            for seg in sec:
                seg.v = v

    def _apply_cao(self) -> None:
        for sec, cao in self._cao:
            for seg in sec:
                seg.cao = cao  # eca follows (Nernst) in the ion's current step where cai is written

    @property
    def nl(self) -> Any:
        if self._nl is None:
            if not self.swc_path:
                raise AttributeError(f"cell {self.name!r} was built without an SWC path (needed for hobj.nl)")
            from neuron import h

            h.load_file("import3d.hoc")
            reader = h.Import3d_SWC_read()
            reader.quiet = 1
            reader.input(self.swc_path)
            self._nl = reader
        return self._nl


def load_cell(name: str, biophys_dir: str | Path = BIOPHYS_DIR, morph_dir: str | Path = MORPHOLOGIES_DIR,
              gid: int | None = None) -> S1Cell:
    """Build cell model ``name`` from ``<biophys_dir>/<name>.json`` (SWC path from ``morph_dir``)."""
    spec = biophysics.read(Path(biophys_dir) / f"{name}.json")
    if spec["cell_model"] != name:
        raise biophysics.CellModelError(f"{biophys_dir}/{name}.json describes cell model {spec['cell_model']!r}")
    swc = Path(morph_dir) / f"{name}.swc"
    return S1Cell(spec, swc if swc.exists() else None, gid=gid)


def s1_cell(node: Any, template_name: str, dynamics_params: dict[str, Any] | None) -> S1Cell:
    """The BMTK cell-model function (``model_template = "s1_cell:<name>"``)."""
    if dynamics_params is None:
        spec = biophysics.read(BIOPHYS_DIR / f"{template_name}.json")
    else:
        spec = biophysics.validate(dynamics_params, f"dynamics_params of s1_cell:{template_name}")
    if spec["cell_model"] != template_name:
        raise biophysics.CellModelError(
            f"model_template s1_cell:{template_name} but dynamics_params describe {spec['cell_model']!r}"
        )
    swc = getattr(node, "morphology_file", None)
    gid = getattr(node, "node_id", None)
    return S1Cell(spec, swc, gid=gid)


def check_nseg(hobj: S1Cell) -> None:
    """Raise if something (e.g. BMTK's dL) changed the nseg of a built cell."""
    changed = [(s["name"], s["nseg"], sec.nseg) for s, sec in zip(hobj.spec["sections"], hobj.all, strict=True)
               if sec.nseg != s["nseg"]]
    if changed:
        raise RuntimeError(f"nseg of {hobj.name} changed after building (set \"run\": {{\"dL\": null}}): {changed[:3]}")


def register() -> None:
    """Register :func:`s1_cell` with BMTK bionet (directive ``s1_cell``, model_type ``biophysical``)."""
    from bmtk.simulator.bionet.pyfunction_cache import add_cell_model

    add_cell_model(s1_cell, directive=DIRECTIVE, model_type=MODEL_TYPE, overwrite=True)
    log.info("cell loader %r registered (%s)", DIRECTIVE, current_config())
