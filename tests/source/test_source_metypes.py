"""Distribution-file parsing: structure always, published totals only in strict mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from source_synth import DISTRIBUTION

from sonata_s1.source.errors import SourceError
from sonata_s1.source.metypes import parse_metypes


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dist.txt"
    path.write_text(text)
    return path


def test_parses_rows_in_file_order(tmp_path: Path) -> None:
    rows = parse_metypes(_write(tmp_path, DISTRIBUTION + "\n"), strict=False)  # blank line tolerated
    assert [r.label for r in rows] == ["L1_DAC_bNA", "L1_DAC_cNA", "L23_LBC_cNA", "L23_LBC_dNA", "L23_PC_cAD"]
    assert [r.index for r in rows] == list(range(5))
    pc = rows[-1]
    assert (pc.n_cells, pc.n_mtype_cells, pc.n_clones, pc.ei, pc.layer) == (6, 6, 5, "E", "23")
    assert pc.clone_names[-1] == "L23_PC_cADpyr229_5"


def test_strict_requires_published_totals(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"rows = 5, expected 207.*strict=False"):
        parse_metypes(_write(tmp_path, DISTRIBUTION), strict=True)


@pytest.mark.parametrize("line,message", [
    ("L9_X_bAC217 L9_X bAC217 3", r":6: expected 5 fields, found 4"),
    ("L9_X_bAC217 L9_X bAC217 3.0 3", r":6: columns 4-5 must be non-negative integers"),
    ("L9_X_bAC217 L9_Y bAC217 3 3", r":6: column 1 'L9_X_bAC217' != column 2"),
    ("L1_DAC_bNAC999 L1_DAC bNAC999 0 3", r":6: me-type label 'L1_DAC_bNA' repeats line 1"),
    ("L9_X_bAC217 L9_X bAC217 3 4", r"m-type L9_X: column 5 = 4 but its rows sum to 3"),
])
def test_structural_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, DISTRIBUTION + line + "\n")
    with pytest.raises(SourceError, match=message) as err:
        parse_metypes(path, strict=False)
    assert str(path) in str(err.value)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path, DISTRIBUTION + "bad line\nL9_X_a L9_X a x 1\n")
    with pytest.raises(SourceError) as err:
        parse_metypes(path, strict=False)
    assert len(err.value.problems) == 2


def test_non_contiguous_mtype_rows(tmp_path: Path) -> None:
    lines = DISTRIBUTION.splitlines()
    text = "\n".join([lines[0], lines[4], lines[1], lines[2], lines[3]]) + "\n"
    with pytest.raises(SourceError, match="m-type L1_DAC: rows are not contiguous"):
        parse_metypes(_write(tmp_path, text), strict=False)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file not found"):
        parse_metypes(tmp_path / "absent.txt")
