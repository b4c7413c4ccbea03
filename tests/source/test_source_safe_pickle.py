"""The restricted unpickler: numpy scalars load as floats, anything executable is refused unrun."""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sonata_s1.source.errors import SourceError
from sonata_s1.source.safe_pickle import load_pickle


def _dump(path: Path, obj: object) -> Path:
    path.write_bytes(pickle.dumps(obj, protocol=3))
    return path


class _OsSystem:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Eval:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


class _Popen:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (subprocess.Popen, (["touch", str(self.marker)],))


class _ObjectScalar:
    """Uses only allowed globals, but asks numpy for an object-dtype 'scalar'."""

    def __reduce__(self):
        return (np._core.multiarray.scalar, (np.dtype(object), b"\0" * 8))


def test_numpy_scalars_become_python_floats(tmp_path: Path) -> None:
    path = _dump(tmp_path / "ok.pkl", {"a": np.float64(244.53600476433553), "b": [np.float64(1.5), 2], "c": "0.5"})
    # the published files name the NumPy-1 module; NumPy 2 writes numpy._core: both must load
    for blob in (path.read_bytes(),
                 path.read_bytes().replace(b"numpy._core.multiarray\nscalar", b"numpy.core.multiarray\nscalar")):
        path.write_bytes(blob)
        data = load_pickle(path)
        assert data == {"a": 244.53600476433553, "b": [1.5, 2], "c": "0.5"}
        assert type(data["a"]) is float and type(data["b"][0]) is float
    raw = load_pickle(path, plain=False)
    assert isinstance(raw["a"], np.float64)


@pytest.mark.parametrize("payload,refused", [(_OsSystem, "system"), (_Eval, "builtins.eval"),
                                             (_Popen, "subprocess.Popen")])
def test_malicious_pickle_refused_and_not_run(tmp_path: Path, payload, refused: str) -> None:
    marker = tmp_path / "pwned"
    path = _dump(tmp_path / "evil.pkl", {"x": [payload(marker)]})
    with pytest.raises(SourceError) as err:
        load_pickle(path)
    assert str(path) in str(err.value) and refused in str(err.value)
    assert not marker.exists(), "the payload ran"


def test_object_dtype_scalar_refused(tmp_path: Path) -> None:
    path = _dump(tmp_path / "obj.pkl", _ObjectScalar())
    with pytest.raises(SourceError, match="non-numeric dtype"):
        load_pickle(path)


def test_no_globals_at_all_when_allow_list_empty(tmp_path: Path) -> None:
    path = _dump(tmp_path / "th.pkl", {"cmat": {"a": {"b": np.float64(1.0)}}})
    with pytest.raises(SourceError, match=r"refused pickle global numpy\._core\.multiarray\.scalar"):
        load_pickle(path, allowed=())
    _dump(path, {"cmat": {"a": {"b": 1.0}}})
    assert load_pickle(path, allowed=()) == {"cmat": {"a": {"b": 1.0}}}


def test_missing_and_truncated_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="nope.pkl: file not found"):
        load_pickle(tmp_path / "nope.pkl")
    path = tmp_path / "cut.pkl"
    path.write_bytes(pickle.dumps({"a": list(range(100))}, protocol=3)[:40])
    with pytest.raises(SourceError, match="cut.pkl: not a valid pickle"):
        load_pickle(path)
