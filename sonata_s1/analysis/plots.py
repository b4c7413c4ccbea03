"""Raster and firing-rate figures of a simulation output (``raster.png``, ``rates.png``).

Why these two: they are what the published model shows (NetPyNE ``plotRaster``, printed
population rates) and what a user checks first after a run — is every population
present, is anything silent or epileptic. Cells are ordered by layer, then me-type population,
then node id (S1), then thalamic nucleus, so layers appear as bands. Matplotlib Agg only.

``sonata-s1 plot`` (:mod:`sonata_s1.commands.plot`) redraws them from the files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..sonata.outputs import read_spikes
from ..sonata.reader import SonataCircuit
from . import rates as rates_mod

LAYER_ORDER = ["L1", "L23", "L4", "L5", "L6", "TH"]
NUCLEUS_ORDER = ["RTN", "VPL", "VPM", "POm"]
COLORS = {"L1": "#7f7f7f", "L23": "#1f77b4", "L4": "#2ca02c", "L5": "#d62728", "L6": "#9467bd",
          "RTN": "#ff7f0e", "VPL": "#8c564b", "VPM": "#e377c2", "POm": "#17becf"}


def cell_order(circuit: SonataCircuit) -> list[tuple[str, np.ndarray, np.ndarray, list[tuple[str, int, int]]]]:
    """Per biophysical population: (name, node ids in plot order, group label per ordered cell, bands)."""
    out = []
    for pop in circuit.biophysical:
        labels = rates_mod.group_labels(circuit, pop.name)
        ids = np.arange(pop.size)
        if "nucleus" in labels:
            major = labels["nucleus"]
            rank = np.array([NUCLEUS_ORDER.index(m) if m in NUCLEUS_ORDER else 99 for m in major])
        elif "layer" in labels:
            major = labels["layer"]
            rank = np.array([LAYER_ORDER.index(m) if m in LAYER_ORDER else 99 for m in major])
        else:
            major = labels["node_population"]
            rank = np.zeros(pop.size, dtype=int)
        minor = labels.get("population", labels["node_population"])
        order = np.lexsort((ids, minor, rank)) if pop.size else ids
        ordered_major = major[order]
        bands: list[tuple[str, int, int]] = []
        start = 0
        for k in range(1, pop.size + 1):
            if k == pop.size or ordered_major[k] != ordered_major[start]:
                bands.append((str(ordered_major[start]), start, k))
                start = k
        out.append((pop.name, ids[order], ordered_major, bands))
    return out


def draw_raster(out_dir: Path, circuit: SonataCircuit, tstop: float, path: Path | None = None) -> Path:
    plt = _pyplot()

    spikes = read_spikes(Path(out_dir) / "spikes.h5")
    order = cell_order(circuit)
    total = sum(len(o[1]) for o in order)
    fig, ax = plt.subplots(figsize=(10, 6), dpi=120)
    offset = 0
    for pop_name, ids, major, bands in order:
        row_of = np.empty(ids.size, dtype=np.int64)
        row_of[ids] = np.arange(ids.size)
        sid, st = spikes.get(pop_name, (np.empty(0, np.int64), np.empty(0)))
        rows = offset + row_of[sid] if sid.size else np.empty(0)
        grp = major[row_of[sid]] if sid.size else np.empty(0, dtype=str)
        for name, lo, hi in bands:
            color = COLORS.get(name, "k")
            mask = grp == name
            small = total < 400
            ax.scatter(st[mask], rows[mask], s=20 if small else 0.5, c=color, marker="|" if small else ".",
                       linewidths=1.0 if small else 0)
            ax.axhspan(offset + lo - 0.5, offset + hi - 0.5, color=color, alpha=0.06, lw=0)
            ax.text(1.005, offset + (lo + hi - 1) / 2, f"{name} ({hi - lo})", transform=ax.get_yaxis_transform(),
                    fontsize=7, va="center", color=color)
        offset += ids.size
        ax.axhline(offset - 0.5, color="k", lw=0.5)
    ax.set_xlim(0, tstop)
    ax.set_ylim(total - 0.5, -0.5)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("cell (ordered by layer / nucleus, population)")
    n_spk = sum(v[0].size for v in spikes.values())
    ax.set_title(f"{total} cells, {n_spk} spikes")
    fig.tight_layout()
    return _save(fig, path or Path(out_dir) / "raster.png")


def draw_rates(out_dir: Path, table: dict[str, Any], path: Path | None = None) -> Path:
    plt = _pyplot()

    rows = table["rows"]
    summary = [r for r in rows if r["level"] in ("layer_ei", "nucleus")]
    pops = [r for r in rows if r["level"] == "population"]
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(12, 7), dpi=120, gridspec_kw={"height_ratios": [1, 1.3]})
    names = [r["name"] for r in summary]
    x = np.arange(len(summary))
    a1.bar(x - 0.2, [r["rate_hz"] for r in summary], 0.4, label="whole run",
           color=[COLORS.get(n.split("_")[0], "gray") for n in names])
    a1.bar(x + 0.2, [r["rate_hz_after_transient"] for r in summary], 0.4, label="after transient",
           color=[COLORS.get(n.split("_")[0], "gray") for n in names], alpha=0.5)
    for r in rows:
        if r["level"] in ("layer", "nucleus") and r["published_hz"]:
            lo, _, hi = r["published_hz"].partition("-")
            targets = [i for i, n in enumerate(names) if n == r["name"] or n.startswith(r["name"] + "_")]
            for i in targets:
                a1.plot([i - 0.45, i + 0.45], [float(lo)] * 2, "k--", lw=0.8)
                if hi:
                    a1.plot([i - 0.45, i + 0.45], [float(hi)] * 2, "k--", lw=0.8)
    a1.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
    a1.set_ylabel("rate (Hz)")
    a1.set_title("per layer E/I and thalamic nucleus (dashed: published layer/nucleus means)")
    a1.legend(fontsize=8)
    xp = np.arange(len(pops))
    a2.bar(xp, [r["rate_hz"] for r in pops], 0.8, color="C0")
    a2.set_xticks(xp, [r["name"] for r in pops], rotation=90, fontsize=4 if len(pops) > 60 else 7)
    a2.set_ylabel("rate (Hz)")
    a2.set_title(f"per population ({len(pops)}), whole run [0, {table['tstop_ms']:.0f}] ms")
    fig.tight_layout()
    return _save(fig, path or Path(out_dir) / "rates.png")


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (figures are files; no display is assumed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    """Write ``fig`` atomically to ``path`` and release it."""
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp)
    os.replace(tmp, path)
    _pyplot().close(fig)
    return path


def draw_all(out_dir: Path, circuit: SonataCircuit, tstop: float) -> dict[str, Path]:
    """rates.json/csv + raster.png + rates.png from the spikes of ``out_dir``."""
    table = rates_mod.compute(Path(out_dir) / "spikes.h5", circuit, tstop)
    rates_mod.write(table, out_dir)
    return {"raster": draw_raster(out_dir, circuit, tstop), "rates": draw_rates(out_dir, table)}
