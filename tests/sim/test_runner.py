"""End-to-end runner tests on a tiny real-cell circuit: serial vs 2 ranks, outputs, NWB, clear errors.

Every NEURON run happens in a subprocess (run_bionet.py); one circuit is built per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tiny_circuit  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "run_bionet.py"
ENV = {"NEURON_MODULE_OPTIONS": "-nogui", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
       "HDF5_USE_FILE_LOCKING": "FALSE"}


def run_bionet(config: Path, *extra: str, nproc: int | None = None, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(RUNNER), str(config), *extra]
    if nproc:
        cmd = [str(Path(sys.executable).with_name("mpiexec")), "-n", str(nproc), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(config.parent),
                          env={**os.environ, **ENV, **(env or {})})


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory, source_dir: Path) -> Path:
    base = tmp_path_factory.mktemp("tiny")
    tiny_circuit.convert_models(source_dir, base / "components")
    return tiny_circuit.write_tiny_circuit(base / "circuit", base / "components")


def make_config(tiny: Path, where: Path, **changes: object) -> Path:
    """A copy of the circuit's config.json in ``where`` pointing back at the circuit."""
    cfg = json.loads((tiny / "config.json").read_text())
    cfg["network"] = str(tiny / "circuit_config.json")
    cfg["output"]["output_dir"] = "output"
    for key, value in changes.items():
        cfg[key] = value
    where.mkdir(parents=True, exist_ok=True)
    path = where / "config.json"
    path.write_text(json.dumps(cfg, indent=2))
    return path


def read_spikes(path: Path) -> dict[str, list[tuple[int, float]]]:
    with h5py.File(path, "r") as f:
        return {pop: sorted(zip(g["node_ids"][()].tolist(), g["timestamps"][()].tolist(), strict=True))
                for pop, g in f["spikes"].items()}


@pytest.fixture(scope="session")
def serial_run(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = make_config(tiny, tmp_path_factory.mktemp("serial"))
    proc = run_bionet(cfg)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return cfg.parent / "output"


@pytest.mark.mpi
def test_two_ranks_bit_identical(serial_run: Path, tiny: Path, tmp_path: Path) -> None:
    cfg = make_config(tiny, tmp_path / "mpi")
    proc = run_bionet(cfg, "--no-nwb", "--no-figures", nproc=2)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    one, two = read_spikes(serial_run / "spikes.h5"), read_spikes(cfg.parent / "output" / "spikes.h5")
    assert sum(len(v) for v in one.values()) > 20  # the circuit is active (kicks + background)
    assert one == two  # same (node, time) pairs, same floats: not doubled, not perturbed
    prov = json.loads((cfg.parent / "output" / "provenance.json").read_text())
    assert prov["mpi"] == {"size": 2, "nhost": 2}


def test_outputs_readable(serial_run: Path, tiny: Path) -> None:
    import libsonata

    names = {p.name for p in serial_run.iterdir()}
    assert {"spikes.h5", "soma_v.h5", "log.txt", "provenance.json", "rates.json", "rates.csv", "raster.png",
            "rates.png", "s1_thalamus.nwb"} <= names
    spikes = libsonata.SpikeReader(str(serial_run / "spikes.h5"))
    assert set(spikes.get_population_names()) == {"S1", "thalamus"}
    assert spikes["thalamus"].sorting == "by_time"
    report = libsonata.ElementReportReader(str(serial_run / "soma_v.h5"))
    # "recorded" = first cell of every me-type / thalamic population, a compound node set over 2 populations
    assert sorted(report["S1"].get_node_ids()) == [0, 3]
    assert sorted(report["thalamus"].get_node_ids()) == [0, 1, 2, 4, 5]
    v = np.asarray(report["thalamus"].get().data)
    assert v.dtype == np.float32 and v.shape[0] == int(tiny_circuit.TSTOP / 0.1)
    assert abs(float(v[0, 2]) - (-70.0)) < 1.0  # TC soma starts at its vinit (-70), RTN at v_init
    assert abs(float(v[0, 0]) - (-65.0)) < 1.0
    # kicks (IClamp 0-5 ms on node sets selected by the enumerated mtype) fire exactly the TC cells early
    early = {nid for nid, t in read_spikes(serial_run / "spikes.h5")["thalamus"] if t < 8.0}
    assert early == {2, 3, 4, 5}  # VPL 2,3  VPM 4  POm 5; RTN 0,1 get no kick
    prov = json.loads((serial_run / "provenance.json").read_text())
    assert prov["seed"] == 4322 and prov["cao"]["cao_mode"] == "configured" and prov["mpi"]["size"] == 1
    assert prov["versions"]["bmtk"] == "1.2.0"
    log = (serial_run / "log.txt").read_text()
    assert "progress: t_sim" in log and "ETA" in log
    rates = json.loads((serial_run / "rates.json").read_text())
    levels = {(r["level"], r["name"]) for r in rates["rows"]}
    assert {("nucleus", "RTN"), ("nucleus", "VPL"), ("layer", "L4"), ("layer_ei", "L23_I")} <= levels


def test_nwb(serial_run: Path, tiny: Path) -> None:
    import pynwb

    from sonata_s1.analysis.nwb import inspect

    path = serial_run / "s1_thalamus.nwb"
    assert inspect(path) == []  # DANDI config: not even suggestions
    spikes = read_spikes(serial_run / "spikes.h5")
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        df = nwb.units.to_dataframe()
        assert len(df) == 11  # every simulated cell, silent or not; virtual background excluded
        assert list(df.population[:5]) == ["S1"] * 5 and set(df.layer[5:]) == {"TH"}
        assert nwb.units.resolution == pytest.approx(2.5e-5)
        row = df[(df.population == "thalamus") & (df.node_id == 2)].iloc[0]
        want = [t / 1000.0 for nid, t in spikes["thalamus"] if nid == 2]
        assert np.allclose(row.spike_times, want) and row.mtype == "VPL_sTC"
        cells = nwb.processing["misc"]["soma_v_cells"].to_dataframe(index=True)
        rows = nwb.processing["misc"]["soma_v_cells"]["unit"].data[:]
        assert list(rows) == sorted(rows)  # natural order: Units order, not text order of names
        j = int(np.flatnonzero((cells.population == "thalamus").to_numpy() & (cells.node_id == 2).to_numpy())[0])
        unit = df.iloc[int(rows[j])]  # the reference leads to the cell's own Units row
        assert (unit.population, unit.node_id) == ("thalamus", 2)
        ts = nwb.processing["misc"]["soma_v"]
        assert ts.unit == "volts" and ts.data.shape[1] == len(cells) and 0 < ts.resolution < 1e-8
        assert -0.08 < float(ts.data[0, j]) * ts.conversion < -0.06
        for text in (nwb.experiment_description, nwb.notes):
            assert str(ROOT) not in text and str(serial_run) not in text  # no machine paths
        assert nwb.subject.species == "Rattus norvegicus" and nwb.subject.strain == "Wistar Han"
    with h5py.File(path, "r") as f:  # no namespaces cached that the file does not use (BMTK loads one)
        assert set(f["specifications"]) == {"core", "hdmf-common", "hdmf-experimental"}


def test_nwb_passes_dandi_validate(serial_run: Path, tmp_path: Path) -> None:
    """``dandi validate`` checks a file inside a Dandiset: lay one out around a copy of the run's NWB."""
    dandi = Path(sys.executable).with_name("dandi")
    if not dandi.is_file():
        pytest.skip("dandi (test dependency) not installed")
    (tmp_path / "dandiset.yaml").write_text('identifier: "000000"\nname: test\ndescription: sonata_s1 test\n')
    (tmp_path / "sub-model").mkdir()
    shutil.copy(serial_run / "s1_thalamus.nwb", tmp_path / "sub-model" / "sub-model_ecephys.nwb")
    proc = subprocess.run([str(dandi), "validate", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "No errors found" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_to_nwb_and_plot_cli(serial_run: Path, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.nwb"
    env = {**os.environ, **ENV}
    proc = subprocess.run([sys.executable, "-m", "sonata_s1", "to-nwb", str(serial_run), "--network", str(tiny),
                           "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.is_file()
    (serial_run / "raster.png").unlink()
    proc = subprocess.run([sys.executable, "-m", "sonata_s1", "plot", str(serial_run), "--network", str(tiny)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (serial_run / "raster.png").stat().st_size > 10_000


# ---- configurations that must be refused, each with one clear message and exit code 2 ----

def _refused(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("run_bionet.py: error")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert "Traceback" not in proc.stderr
    return errors[0]


def test_missing_circuit_file(tiny: Path, tmp_path: Path) -> None:
    cfg = make_config(tiny, tmp_path / "a", network=str(tmp_path / "nope" / "circuit_config.json"))
    _refused(run_bionet(cfg), "network", "does not exist")
    broken = tmp_path / "circuit"
    shutil.copytree(tiny, broken)
    (broken / "network" / "thalamus_nodes.h5").unlink()
    cfg = make_config(broken, tmp_path / "b")
    _refused(run_bionet(cfg), "networks.nodes[", "thalamus_nodes.h5", "does not exist")


def test_missing_mechanisms(tiny: Path, tmp_path: Path) -> None:
    broken = tmp_path / "circuit"
    shutil.copytree(tiny, broken)
    cc = json.loads((broken / "circuit_config.json").read_text())
    (tmp_path / "nomech").mkdir()
    cc["components"]["mechanisms_dir"] = str(tmp_path / "nomech")
    (broken / "circuit_config.json").write_text(json.dumps(cc))
    _refused(run_bionet(make_config(broken, tmp_path / "run")), "mechanisms_dir", "no .mod files")


def test_unknown_population_in_node_set(tiny: Path, tmp_path: Path) -> None:
    cfg = json.loads((tiny / "config.json").read_text())
    sets = dict(cfg["node_sets"], VPL_sTC={"population": "thalamos", "mtype": "VPL_sTC"})
    _refused(run_bionet(make_config(tiny, tmp_path, node_sets=sets)), "VPL_sTC", "unknown population 'thalamos'")


@pytest.mark.mpi
def test_mpi_mismatch_refused(tiny: Path, tmp_path: Path) -> None:
    cfg = make_config(tiny, tmp_path)
    proc = run_bionet(cfg, nproc=2, env={"MPI_LIB_NRN_PATH": "libm.so.6"})
    assert proc.returncode != 0
    assert "MPI world size is 2 but NEURON sees nhost=1" in proc.stderr
    assert not (tmp_path / "output").exists()  # refused before anything was written


def test_output_guard_keeps_user_directory(tiny: Path, tmp_path: Path) -> None:
    cfg = make_config(tiny, tmp_path)
    user = tmp_path / "mine"
    user.mkdir()
    (user / "thesis.tex").write_text("precious")
    data = json.loads(cfg.read_text())
    data["output"]["output_dir"] = "mine"
    cfg.write_text(json.dumps(data))
    _refused(run_bionet(cfg), "not empty", "mine")
    assert (user / "thesis.tex").read_text() == "precious"
    data["output"]["output_dir"] = "."
    cfg.write_text(json.dumps(data))
    _refused(run_bionet(cfg), "contains")
