"""``outliers`` on UCI Adult (real; tests/data/README.md) with planted impossible values, and its skip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import write
from test_column_quality import ADULT_NAMES

import curate

DATA = Path(__file__).parent / "data"
PLANTED = {101: ("age", 250), 2002: ("hours-per-week", 700), 15003: ("age", 190), 30004: ("hours-per-week", 999)}


def adult(tmp_path: Path, plant: bool) -> Path:
    frame = pd.read_csv(DATA / "adult.data.gz", header=None, names=ADULT_NAMES)
    if plant:
        for row, (column, value) in PLANTED.items():
            frame.loc[row, column] = value
    root = tmp_path / ("planted" if plant else "adult")
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    return root


def check(root: Path, tmp_path: Path, params: str = "{}", dataset: str = "label: income"):
    suite = write(tmp_path / "ol.yaml", f"dataset: {{{dataset}}}\nchecks:\n  - outliers: {params}\n")
    return curate.check(root, suite=suite).result("outliers")


def test_planted_impossible_values_are_found_and_explained(tmp_path: Path) -> None:
    result = check(adult(tmp_path, plant=True), tmp_path)
    by_row = {f.row: f for f in result.findings}
    for row, (column, value) in PLANTED.items():
        assert row in by_row, row
        assert f"{column} {value:,} (robust z" in by_row[row].message
        assert by_row[row].suggestion is None
    assert len(result.findings) < 0.01 * 32561
    assert "income" not in " ".join(f.message for f in result.findings)  # the label is not a feature


def test_real_adult_rows_reported_are_isolated(tmp_path: Path) -> None:
    result = check(adult(tmp_path, plant=False), tmp_path)
    assert 0 < len(result.findings) < 0.01 * 32561 and result.status.value == "pass"
    frame = pd.read_csv(DATA / "adult.data.gz", header=None, names=ADULT_NAMES)
    top = max(result.findings, key=lambda f: f.score)
    named = [c for c in ADULT_NAMES if f"{c} " in top.message]
    assert named, top.message  # the values behind the score are named
    for column in named:
        if pd.api.types.is_numeric_dtype(frame[column]) and f"{column} " in top.message:
            assert f"{column} {frame[column][top.row]:,}" in top.message


def test_skips_text_only_data(tmp_path: Path) -> None:
    root = tmp_path / "t"
    write(root / "train.csv", "text,label\n" + "".join(f"text {i},{i % 2}\n" for i in range(60)))
    result = check(root, tmp_path, dataset="label: label")
    assert result.status.value == "skip"
