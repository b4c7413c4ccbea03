"""Unit tests of the runner's plug-ins that need no circuit: background streams, output-directory guard, node sets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from testutils import run_py  # noqa: E402

from sonata_s1 import outdir  # noqa: E402
from sonata_s1.sim import background  # noqa: E402


def test_independent_streams_are_pure_functions_of_seed_and_source() -> None:
    a = background.independent_train(4322, 7, 200.0, 1000.0)
    # other sources drawn first (another rank, another order) must not change source 7's train
    for nid in (3, 9, 1):
        background.independent_train(4322, nid, 200.0, 1000.0)
    b = background.independent_train(4322, 7, 200.0, 1000.0)
    assert np.array_equal(a, b)
    assert np.all(np.diff(a) > 0) and a[0] > 0 and a[-1] < 1000.0
    assert not np.array_equal(a[:20], background.independent_train(4322, 8, 200.0, 1000.0)[:20])
    assert not np.array_equal(a[:20], background.independent_train(1, 7, 200.0, 1000.0)[:20])
    # rate: 5000 trains' worth of counts through one long train
    long = background.independent_train(4322, 11, 1000.0, 100_000.0)
    assert abs(long.size - 100_000) < 5 * np.sqrt(100_000)
    isi = np.diff(long)
    assert abs(isi.std() / isi.mean() - 1.0) < 0.02  # Poisson: CV of ISIs = 1
    assert background.independent_train(4322, 7, 0.0, 1000.0).size == 0
    with pytest.raises(background.BackgroundConfigError):
        background.independent_train(4322, 7, -1.0, 1000.0)


def test_netpyne_streams_match_neuron_netstim() -> None:
    """'netpyne' mode reproduces NetStim(noise=1) + noiseFromRandom123(1428063344, gid, seed) bit for bit."""
    code = """
import numpy as np
from neuron import h
h.load_file('stdrun.hoc')
from sonata_s1.sim import background as bg
cache = {}
ok = True
for gid, rate in ((5, 120.0), (5, 40.0), (12, 300.0)):
    s = h.NetStim(); s.noise = 1; s.interval = 1000.0 / rate; s.start = 0; s.number = 1e9
    s.noiseFromRandom123(1428063344, gid, 4322)
    tv = h.Vector(); nc = h.NetCon(s, None); nc.record(tv)
    h.finitialize(-65); h.continuerun(500)
    ours = bg.netpyne_train(4322, gid, rate, 500.0, cache)
    ok &= np.array_equal(np.asarray(tv), ours)
    print(gid, rate, len(tv), len(ours))
a = bg.netpyne_train(4322, 5, 120.0, 500.0, cache); b = bg.netpyne_train(4322, 5, 40.0, 500.0, cache)
ok &= np.allclose(a[:len(b)] * 3.0, b)  # one unit-rate sequence per cell, rescaled per source
print('OK' if ok else 'MISMATCH')
"""
    proc = run_py(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("OK"), proc.stdout


def test_guard(tmp_path: Path) -> None:
    from sonata_s1.paths import REPO_ROOT

    assert outdir.check_run_dir(tmp_path / "new") == (tmp_path / "new").resolve()
    (tmp_path / "empty").mkdir()
    outdir.check_run_dir(tmp_path / "empty")
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("x")
    with pytest.raises(outdir.OutputDirError, match="not empty"):
        outdir.check_run_dir(user)
    outdir.write_marker(user, "run", "complete", files=outdir.scan(user))
    outdir.check_run_dir(user)  # a previous run of ours (and only its files) may be replaced
    for bad in (Path("/"), Path.home(), REPO_ROOT, REPO_ROOT / "network", REPO_ROOT / "components"):
        with pytest.raises(outdir.OutputDirError, match="refusing"):
            outdir.check_run_dir(bad)
    cfg = tmp_path / "sim" / "config.json"
    cfg.parent.mkdir()
    cfg.write_text("{}")
    with pytest.raises(outdir.OutputDirError, match="contains"):
        outdir.check_run_dir(tmp_path / "sim", protected=[cfg])
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    with pytest.raises(outdir.OutputDirError, match="symbolic link"):
        outdir.check_run_dir(tmp_path / "link")
    json.loads((user / outdir.MARKER_NAME).read_text())


def test_guard_protects_files_added_after_a_finished_run(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    outdir.write_marker(out, "run", "running")
    (out / "spikes.h5").write_bytes(b"x")
    (out / "partial.tmp").write_bytes(b"x")
    with pytest.raises(outdir.OutputDirError, match="unfinished or killed"):
        outdir.check_run_dir(out)  # an unfinished run: its file list is unknown
    outdir.finish_marker(out)  # the run finished with these files
    outdir.check_run_dir(out)
    (out / "my_analysis.ipynb").write_text("{}")
    with pytest.raises(outdir.OutputDirError, match="my_analysis.ipynb"):
        outdir.check_run_dir(out)
    assert (out / "my_analysis.ipynb").exists()


def test_node_sets_resolve_by_enumerated_string_attributes(tmp_path: Path) -> None:
    from sonata_s1.sim import nodesets
    from sonata_s1.sonata.nodes import write_nodes
    from sonata_s1.sonata.reader import from_networks
    from sonata_s1.sonata.tables import NodeTable

    th = NodeTable("thalamus", "biophysical", np.full(5, 1, np.int64),
                   {"mtype": np.array(["ss_RTN_o", "VPL_sTC", "VPL_sTC", "VPM_sTC", "ss_RTN_o"])},
                   [{"node_type_id": 1, "model_type": "biophysical", "model_template": "s1_cell:x"}])
    s1 = NodeTable("S1", "biophysical", np.full(3, 2, np.int64), {"layer": np.array(["L4", "L5", "L4"])},
                   [{"node_type_id": 2, "model_type": "biophysical", "model_template": "s1_cell:y"}])
    files = [write_nodes(t, tmp_path) for t in (th, s1)]
    circuit = from_networks({"nodes": [{"nodes_file": str(tmp_path / f.nodes_file),
                                        "node_types_file": str(tmp_path / f.node_types_file)} for f in files]}, "test")
    sets = {"VPL": {"population": "thalamus", "mtype": "VPL_sTC"},
            "rec_th": {"population": "thalamus", "node_id": [0, 3]}, "rec_s1": {"population": "S1", "node_id": [1]},
            "recorded": ["rec_th", "rec_s1"], "L4": {"layer": "L4"},
            "bad": {"population": "thalamos"}, "loop": ["loop"]}
    assert nodesets.resolve("VPL", sets, circuit)["thalamus"].tolist() == [1, 2]
    rec = nodesets.resolve("recorded", sets, circuit)
    assert rec["thalamus"].tolist() == [0, 3] and rec["S1"].tolist() == [1]
    assert nodesets.resolve("L4", sets, circuit) == {"S1": pytest.approx(np.array([0, 2]))}
    with pytest.raises(nodesets.NodeSetError, match="unknown population 'thalamos'"):
        nodesets.resolve("bad", sets, circuit)
    with pytest.raises(nodesets.NodeSetError, match="refers to itself"):
        nodesets.resolve("loop", sets, circuit)
    with pytest.raises(nodesets.NodeSetError, match="unknown node set"):
        nodesets.resolve("nope", sets, circuit)


@pytest.mark.parametrize("command", ["to-nwb", "plot"])
def test_output_commands_report_bad_input_in_one_line(tmp_path: Path, command: str) -> None:
    """A wrong --network or a damaged provenance.json is an error message and exit 2, not a traceback."""
    import h5py

    from sonata_s1.cli import main

    out = tmp_path / "output"
    out.mkdir()
    missing = [command, str(out), "--network", str(tmp_path / "nowhere")]
    assert main(missing) == 2  # no spikes.h5 yet
    with h5py.File(out / "spikes.h5", "w") as f:
        f.create_group("spikes")
    assert main(missing) == 2  # --network names no circuit
    (out / "provenance.json").write_text("{broken")
    assert main(missing) == 2
    if command == "plot":  # plot may do without --network: then the broken provenance is the error
        assert main([command, str(out)]) == 2
    assert not (out / "raster.png").exists()


def test_output_command_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import h5py

    from sonata_s1.cli import main

    with h5py.File(tmp_path / "spikes.h5", "w") as f:
        f.create_group("spikes")
    assert main(["plot", str(tmp_path), "--network", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sonata-s1 plot: error:") and "nowhere" in err[0]
    (tmp_path / "provenance.json").write_text("{broken")
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sonata-s1 plot: error:") and "provenance.json" in err[0]


def test_project_block_checked_before_anything_runs() -> None:
    from sonata_s1.sim.runner import PROJECT_DEFAULTS, RunConfigError, check_project

    check_project(dict(PROJECT_DEFAULTS), "cfg.json")
    for key, bad in (("seed", "4322"), ("seed", -1), ("seed", 1.5), ("cao_s1", "1.2"), ("cao_s1", 0),
                     ("cao_s1", True), ("cao_mode", "both"), ("background_streams", "shared")):
        with pytest.raises(RunConfigError, match=f"cfg.json: sonata_s1.{key}"):
            check_project({**PROJECT_DEFAULTS, key: bad}, "cfg.json")
