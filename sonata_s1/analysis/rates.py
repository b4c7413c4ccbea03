"""Mean firing rates per me-type population, per layer E/I and per thalamic nucleus, as the paper reports them.

Why this definition: NetPyNE's ``printPopAvgRates`` divides a population's spikes by
(cells × duration), silent cells included; the paper's numbers are layer and nucleus means.
Both the whole run and the window after the start-up transient are reported (the
published rates depend on the start-up transient). Everything is vectorised (``bincount`` over node ids), so 38 k cells cost
milliseconds.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..sonata.outputs import read_spikes
from ..sonata.reader import SonataCircuit

#: Published mean rates (Hz; Borges et al. 2022), keyed by our group names.
PUBLISHED_HZ: dict[str, str] = {
    "L23": "0.51", "L4": "3.8", "L5": "8.0", "L6": "4.9",
    "RTN": "11-12", "VPL": "2.6-3.5", "VPM": "2.6-3.5", "POm": "2.6-3.5",
}


@dataclass
class RateRow:
    level: str  # "population" | "layer" | "layer_ei" | "nucleus" | "node_population"
    name: str
    n_cells: int
    n_silent: int
    n_spikes: int
    rate_hz: float
    n_spikes_after_transient: int
    rate_hz_after_transient: float
    published_hz: str = ""


def transient_ms(tstop: float) -> float:
    """Start of the 'after transient' window: 1 s for long runs (the published
    analysis skips the first second), a third of short ones."""
    return 1000.0 if tstop >= 3000.0 else tstop / 3.0


def nucleus_of(mtype: str) -> str:
    """Thalamic nucleus of a population name: ss_RTN_* -> RTN, VPL_sTC -> VPL, POm_sTC_s1 -> POm."""
    if "RTN" in mtype:
        return "RTN"
    return mtype.split("_", 1)[0]


def group_labels(circuit: SonataCircuit, pop_name: str) -> dict[str, np.ndarray]:
    """Per-node labels of each grouping level available for this population."""
    pop = circuit.nodes[pop_name]
    n = pop.size
    labels: dict[str, np.ndarray] = {"node_population": np.full(n, pop_name)}

    def attr(name: str) -> np.ndarray | None:
        return np.asarray(pop.attribute(name)).astype(str) if pop.has_attribute(name) else None

    mtype, layer, ei, metype = attr("mtype"), attr("layer"), attr("ei"), attr("metype")
    if metype is None and mtype is not None and attr("etype") is not None:
        metype = np.char.add(np.char.add(mtype, "_"), attr("etype"))
    if layer is not None and np.all(layer == "TH"):
        if mtype is not None:
            labels["population"] = mtype
            labels["nucleus"] = np.array([nucleus_of(m) for m in mtype]) if n else mtype
        return labels
    if metype is not None:
        labels["population"] = metype
    if layer is not None:
        labels["layer"] = layer
        if ei is not None:
            labels["layer_ei"] = np.char.add(np.char.add(layer, "_"), ei)
    return labels


def compute(spikes_path: Path, circuit: SonataCircuit, tstop: float) -> dict[str, Any]:
    """The rates table (dict ready for JSON)."""
    spikes = read_spikes(spikes_path)
    t1 = transient_ms(tstop)
    rows: list[RateRow] = []
    for pop in circuit.biophysical:
        ids, times = spikes.get(pop.name, (np.empty(0, np.int64), np.empty(0)))
        whole = np.bincount(ids, minlength=pop.size)[: pop.size]
        late = np.bincount(ids[times >= t1], minlength=pop.size)[: pop.size]
        for level, lab in group_labels(circuit, pop.name).items():
            names, inv = np.unique(lab, return_inverse=True)
            n_cells = np.bincount(inv, minlength=names.size)
            n_sp = np.bincount(inv, weights=whole, minlength=names.size).astype(np.int64)
            n_late = np.bincount(inv, weights=late, minlength=names.size).astype(np.int64)
            silent = np.bincount(inv, weights=(whole == 0), minlength=names.size).astype(np.int64)
            for k, name in enumerate(names):
                rows.append(RateRow(
                    level, str(name), int(n_cells[k]), int(silent[k]), int(n_sp[k]),
                    float(n_sp[k] / (n_cells[k] * tstop / 1000.0)) if tstop > 0 else 0.0,
                    int(n_late[k]),
                    float(n_late[k] / (n_cells[k] * (tstop - t1) / 1000.0)) if tstop > t1 else 0.0,
                    PUBLISHED_HZ.get(str(name), "") if level in ("layer", "nucleus") else "",
                ))
    order = {"node_population": 0, "nucleus": 1, "layer": 2, "layer_ei": 3, "population": 4}
    rows.sort(key=lambda r: (order.get(r.level, 9), r.name))
    return {
        "definition": "spikes / (cells x window), silent cells included (NetPyNE printPopAvgRates)",
        "tstop_ms": tstop,
        "windows_ms": {"whole": [0.0, tstop], "after_transient": [t1, tstop]},
        "rows": [asdict(r) for r in rows],
    }


def write(table: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """``rates.json`` and ``rates.csv`` in ``out_dir`` (atomic)."""
    out_dir = Path(out_dir)
    js, cs = out_dir / "rates.json", out_dir / "rates.csv"
    tmp = js.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(table, indent=2) + "\n")
    os.replace(tmp, js)
    tmp = cs.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        fields = list(RateRow.__dataclass_fields__)
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for row in table["rows"]:
            w.writerow(row)
    os.replace(tmp, cs)
    return js, cs


def summary_lines(table: dict[str, Any]) -> list[str]:
    """Short human-readable lines: node populations, nuclei, layers (with published values)."""
    lines = []
    t1 = table["windows_ms"]["after_transient"][0]
    for r in table["rows"]:
        if r["level"] in ("node_population", "nucleus", "layer"):
            pub = f"  (published {r['published_hz']} Hz)" if r["published_hz"] else ""
            lines.append(f"{r['level']:>15} {r['name']:<10} {r['n_cells']:6d} cells  {r['rate_hz']:7.2f} Hz  "
                         f"[{t1:.0f} ms-end: {r['rate_hz_after_transient']:7.2f} Hz]{pub}")
    return lines
