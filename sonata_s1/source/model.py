"""Typed, validated in-memory form of the NetPyNE S1+thalamus source (cells, pathways, thalamus, inputs).

These dataclasses are the contract between ``sonata_s1.source`` (the only code that knows the
NetPyNE file formats) and everything downstream (cells, circuit). Numbers that the source stores
as strings are already floats/ints here; nothing downstream parses text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The 13 excitatory m-types in the order the model code lists them.
E_MTYPES: tuple[str, ...] = (
    "L23_PC", "L4_PC", "L4_SS", "L4_SP", "L5_TTPC1", "L5_TTPC2", "L5_STPC", "L5_UTPC",
    "L6_TPC_L1", "L6_TPC_L4", "L6_BPC", "L6_IPC", "L6_UTPC",
)

#: Thalamic populations in NetPyNE creation order (which fixes their node ids), with cell model and y range (µm).
THALAMIC_POPULATIONS: tuple[tuple[str, str, int, float, float], ...] = (
    # name, cell model, base count (mouse), y_min, y_max
    ("ss_RTN_o", "sRE_jv_00", 382, 2688.0, 2766.0),
    ("ss_RTN_m", "sRE_jv_00", 382, 2766.0, 2844.0),
    ("ss_RTN_i", "sRE_jv_00", 765, 2844.0, 3000.0),
    ("VPL_sTC", "sTC_jv_00", 656, 3000.0, 3156.0),
    ("VPM_sTC", "sTC_jv_00", 839, 3156.0, 3312.0),
    ("POm_sTC_s1", "sTC_jv_00", 685, 3312.0, 3624.0),
)
THALAMIC_CELL_MODELS: tuple[str, str] = ("sTC_jv_00", "sRE_jv_00")


@dataclass(frozen=True)
class METype:
    """One row of ``S1-cells-distributions-Rat.txt``: an me-type, its m-type and their cell counts."""

    index: int  # row number, 0-based (NetPyNE population creation order)
    cellname: str  # e.g. "L1_DAC_bNAC219" (stem of the clone files)
    mtype: str  # e.g. "L1_DAC"
    etype: str  # e.g. "bNAC219"
    n_cells: int  # column 4
    n_mtype_cells: int  # column 5

    @property
    def label(self) -> str:
        """NetPyNE population name: m-type + '_' + first three characters of the e-type."""
        return f"{self.mtype}_{self.etype[:3]}"

    @property
    def layer(self) -> str:
        """'1', '23', '4', '5' or '6'."""
        return self.mtype.split("_", 1)[0][1:]

    @property
    def ei(self) -> str:
        return "E" if self.mtype in E_MTYPES else "I"

    @property
    def etype_family(self) -> str:
        """One of the 11 e-type classes (README decision P11: e-type families), e.g. 'cADpyr', 'bNAC', 'cACint'."""
        return self.etype.rstrip("0123456789")

    @property
    def n_clones(self) -> int:
        return min(self.n_cells, 5)

    @property
    def clone_names(self) -> list[str]:
        """Cell-model names of the clones, k = 1..K (e.g. 'L1_DAC_bNAC219_1')."""
        return [f"{self.cellname}_{k}" for k in range(1, self.n_clones + 1)]


@dataclass(frozen=True)
class Pathway:
    """One S1→S1 m-type pathway of ``conn.pkl`` with every field the rules read."""

    pre: str
    post: str
    klass: str  # "EE", "EI", "IE", "II" from the E/I m-type lists (not conn.pkl's EItype)
    conn_number: float
    best_fit: str  # "exp", "expl", "gauss"
    d0: int
    dfinal: float
    a0mat: float
    lmat: float
    a0mat_exp: float
    lmat_exp: float
    d0_exp: int
    a0mat_gauss: float
    x0_gauss: float
    lmat_gauss: float
    pmat: dict[int, float]  # keyed by the file's bin name in µm: 12 (=12.5 µm), 25, 50, ..., 375
    synperconn: float  # mean synapses per connection (n_syn = int(x + 0.5))
    conn_types: tuple[int, ...]  # ConnTypes (length 1-3)


@dataclass(frozen=True)
class SynapseType:
    """One connID of ``parameters_syn`` (raw values: conductance, STP parameters and their spreads)."""

    conn_id: int
    bbp_type: str  # 'EE', 'EI', 'IE', 'II' as in the table
    s_type: str  # 'E1'..'I3'
    gsyn: float  # nS
    use: float
    dep: float  # ms
    fac: float  # ms
    decay: float  # ms (GABA_A decay for inhibitory types)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BackgroundStats:
    """Spontaneous-input (background) table row for one S1 m-type."""

    syn_e: float  # synperNeuronStimE
    syn_i: float  # synperNeuronStimI
    gsyn_e: float  # GsynStimE (nS)
    gsyn_i: float  # GsynStimI (nS)


@dataclass(frozen=True)
class S1Connectivity:
    """Everything of ``conn.pkl`` the model uses."""

    pathways: dict[tuple[str, str], Pathway]  # 1,941 entries
    synapse_types: dict[int, SynapseType]  # 29 connIDs
    conn_ie_type: dict[str, dict[str, int]]  # [pre m-type suffix SBC/LBC/NBC][e-type 3-char] -> connID
    conn_ei_type: dict[str, dict[str, int]]  # [post suffix NBC/LBC/BP/DBC/BTC][e-type 3-char] -> connID
    background: dict[str, BackgroundStats]  # by m-type (55)


@dataclass(frozen=True)
class ThalamicTables:
    """``conn_Th.pkl``: only ``cmat`` (µm) matters; pairs restricted to this model's populations."""

    cmat: dict[tuple[str, str], float]


@dataclass(frozen=True)
class ThalamoCorticalConvergence:
    """``convergence_Th_S1.txt``: synapses per S1 cell from first-order and higher-order nuclei."""

    first_order: dict[str, int]  # by S1 m-type
    higher_order: dict[str, int]


@dataclass
class SourceModel:
    """The whole NetPyNE source, validated."""

    root: Path
    metypes: list[METype]  # 207, file order
    cell_files: dict[str, Path]  # 931: cell-model name -> .json or .json.xz path
    s1: S1Connectivity
    thalamic: ThalamicTables
    convergence: ThalamoCorticalConvergence

    @property
    def mtypes(self) -> list[str]:
        """55 m-types in first-appearance order of the distribution file."""
        return list(dict.fromkeys(m.mtype for m in self.metypes))

    def metype_by_label(self, label: str) -> METype:
        for m in self.metypes:
            if m.label == label:
                return m
        raise KeyError(f"unknown me-type {label!r}")

    def load_cell(self, name: str) -> dict[str, Any]:
        """The raw NetPyNE cell rule of one cell model (see ``sonata_s1.source.cellparams``)."""
        from .cellparams import read_checked_cell

        try:
            path = self.cell_files[name]
        except KeyError:
            raise KeyError(f"unknown cell model {name!r}; run 'sonata-s1 convert-cells --list' to see valid names") from None
        return read_checked_cell(path)
