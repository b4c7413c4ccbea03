"""The compiled-mechanism cache: keyed by content, rebuilt when a cached directory lost its library.

``nrnivmodl`` is replaced by a stub that writes ``<arch>/libnrnmech.so``, so these checks take
milliseconds and never touch the real cache (``$SONATA_S1_CACHE`` points into ``tmp_path``).
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import pytest

from sonata_s1 import mechanisms


@pytest.fixture
def fake_nrnivmodl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []

    def run(cmd, cwd=None, **kw):  # noqa: ANN001, ANN003
        if cmd and cmd[0] == "nrnivmodl-stub":
            calls.append(Path(cwd))
            lib = Path(cwd) / platform.machine() / "libnrnmech.so"
            lib.parent.mkdir(parents=True)
            lib.write_bytes(b"stub")
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return subprocess.CompletedProcess(cmd, 0, "12\n", "")  # the compiler-version probe

    monkeypatch.setenv("SONATA_S1_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(mechanisms, "_nrnivmodl", lambda: "nrnivmodl-stub")
    monkeypatch.setattr(mechanisms.subprocess, "run", run)
    return calls


def test_compiled_once_per_content_and_rebuilt_when_broken(tmp_path: Path, fake_nrnivmodl: list[Path]) -> None:
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "a.mod").write_text("NEURON { SUFFIX a }\n")
    out = mechanisms.compiled_mechanisms_dir(mods)
    lib = out / platform.machine() / "libnrnmech.so"
    assert lib.read_bytes() == b"stub" and len(fake_nrnivmodl) == 1
    assert mechanisms.compiled_mechanisms_dir(mods) == out and len(fake_nrnivmodl) == 1  # cached
    lib.unlink()  # an interrupted or pruned cache entry: the directory exists, the library does not
    assert mechanisms.compiled_mechanisms_dir(mods) == out and lib.is_file() and len(fake_nrnivmodl) == 2
    (mods / "a.mod").write_text("NEURON { SUFFIX a }\n: changed\n")
    assert mechanisms.compiled_mechanisms_dir(mods) != out and len(fake_nrnivmodl) == 3
    assert not [p for p in out.parent.iterdir() if p.is_dir() and "." in p.name]  # no temporaries left
