"""curate.coincidence: identical rows weighed against the table's near misses (planted tables; the
real ones are in test_duplicates.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curate.coincidence import MIN_CELL, coincidence, equal_pairs, mixed


def hashes(frame: pd.DataFrame) -> np.ndarray:
    return mixed(np.column_stack([pd.util.hash_pandas_object(frame[c], index=False).to_numpy() for c in frame.columns]))


def distinct_records(rows: int, seed: int) -> pd.DataFrame:
    """Records told apart by a measured value (a price to the cent) next to coarse attributes."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"kind": rng.integers(0, 4, rows), "size": rng.integers(0, 3, rows),
                         "price": rng.integers(0, 1_000_000, rows)})


def test_equal_pairs_counts_pairs_of_equal_values() -> None:
    assert equal_pairs(np.array([5, 5, 5, 1, 2, 2], dtype=np.uint64)) == 3 + 1
    assert equal_pairs(np.array([], dtype=np.uint64)) == 0


def test_values_moved_between_columns_do_not_make_rows_identical() -> None:
    frame = pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"]})
    assert coincidence(["a", "b"], hashes(frame)) is None  # (x, y) and (y, x): no identical pair


def test_copies_planted_among_distinct_records_are_copies() -> None:
    frame = distinct_records(5_000, seed=1)
    copied = pd.concat([frame, frame.iloc[:40]], ignore_index=True)
    found = coincidence(list(copied.columns), hashes(copied))
    assert found.identical >= 40 and found.copies
    assert found.expected is None  # distinct prices: no pair of columns has near misses enough to predict
    assert "too few rows that differ in only one or two columns" in found.describe()


def test_copies_planted_among_coarse_records_stand_out_when_they_are_many() -> None:
    """Coarse records coincide by chance; 600 copies on 3,000 rows are far more identical pairs than
    the near misses predict."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({c: rng.integers(0, 12, 3_000) for c in "abcd"})
    copied = pd.concat([frame, frame.iloc[:600]], ignore_index=True)
    found = coincidence(list(copied.columns), hashes(copied))
    assert found.expected is not None and found.copies and found.low > 1


def test_coarse_records_that_coincide_are_not_copies() -> None:
    """Four coarse attributes drawn independently: identical rows arise by chance, and rows that differ in
    one attribute are several times commoner."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({c: rng.integers(0, 6, 3_000) for c in "abcd"})
    found = coincidence(list(frame.columns), hashes(frame))
    assert found.identical > 100 and not found.copies
    assert found.low <= 1 <= found.high and min(found.near) >= MIN_CELL
    assert "predicted by those that differ only in" in found.describe()


@pytest.mark.parametrize("columns", [1, 0])
def test_one_column_or_none_is_not_judged(columns: int) -> None:
    frame = pd.DataFrame({"a": [1, 1, 2]}).iloc[:, :columns]
    assert coincidence(list(frame.columns), hashes(frame) if columns else np.empty((3, 0), np.uint64)) is None


def test_no_identical_rows_is_not_judged() -> None:
    frame = distinct_records(500, seed=3)
    assert coincidence(list(frame.columns), hashes(frame)) is None
