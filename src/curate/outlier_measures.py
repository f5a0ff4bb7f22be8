"""The ``outliers`` family's measures, in forms that add up over partitions of a column.

* **Robust scale** (:func:`robust_scale`, :func:`robust_z`): the median and MAD a robust z-score
  is measured by, from a column's distinct values and their counts. Medians and quantiles are
  order statistics, so the counts of the values give exactly the numbers ``np.median`` and
  ``np.quantile`` give on the raw column, wherever its rows were read.
* **Isolation forest from its samples** (:func:`sampled_rows`, :func:`fit_forest`): which rows a
  scikit-learn ``IsolationForest`` tree draws depends only on the row count, the feature count
  and the seed, never on the values, and a tree reads only the rows it drew. So the forest fitted
  on every row is the forest fitted on a matrix that holds just the drawn rows (at most
  ``n_estimators × 256`` of them) and zeros elsewhere; its scores are then computed row by row
  wherever the rows are (``tests/test_engines_stat_families.py`` compares it with a direct fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MAD_TO_SIGMA = 1.4826
FOREST_MAX_SAMPLES = 256
MIN_BASE = 10  # fewer ordinary values than this: no scale, every z is 0


def value_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct non-NaN values (infinities included) and their counts."""
    values = values[~np.isnan(values)]
    return np.unique(values, return_counts=True)


def merge_value_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The :func:`value_counts` of the union of the parts' rows."""
    if len(parts) == 1:
        return parts[0]
    values = np.concatenate([v for v, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, np.bincount(inverse, weights=counts, minlength=len(distinct)).astype(np.int64)


def expand(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The sorted column the counts describe (order statistics need it; it lives only as long as one)."""
    return np.repeat(values, counts)


def finite_part(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(values)
    return values[keep], counts[keep]


@dataclass(frozen=True)
class RobustScale:
    """What a robust z-score is measured by; ``scale`` 0: every z is 0. ``mode``: the value of a
    zero-inflated column (one value in over half the rows, e.g. ``capital-gain``), which scores 0
    while the others are judged among themselves."""

    median: float = 0.0
    scale: float = 0.0
    mode: float | None = None


def robust_scale(values: np.ndarray, counts: np.ndarray) -> RobustScale:
    """The median and MAD × 1.4826 of a column's finite values (distinct ``values``, ``counts``)."""
    values, counts = finite_part(values, counts)
    if not len(values):
        return RobustScale()
    mode = values[counts.argmax()]
    inflated = counts.max() > counts.sum() / 2
    keep = values != mode if inflated else np.ones(len(values), dtype=bool)
    base = expand(values[keep], counts[keep])
    if len(base) < MIN_BASE:
        return RobustScale()
    median = np.median(base)
    scale = np.median(np.abs(base - median)) * MAD_TO_SIGMA
    return RobustScale(float(median), float(scale), float(mode) if inflated else None)


def robust_z(values: np.ndarray, scale: RobustScale) -> np.ndarray:
    """|x − median| / scale per value (0 for missing values, the inflated value, or no scale)."""
    z = np.zeros(len(values))
    if scale.scale == 0:
        return z
    finite = np.isfinite(values)
    z[finite] = np.abs(values[finite] - scale.median) / scale.scale
    if scale.mode is not None:
        z[values == scale.mode] = 0.0
    return z


def tail_bounds(values: np.ndarray, counts: np.ndarray, tail: float) -> tuple[float, float] | None:
    """The ``tail`` and ``1 − tail`` quantiles of the finite values; None when there are none."""
    values, counts = finite_part(values, counts)
    if not len(values):
        return None
    low, high = np.quantile(expand(values, counts), [tail, 1 - tail])
    return float(low), float(high)


def extreme(values: np.ndarray, z: np.ndarray, max_z: float, bounds: tuple[float, float] | None) -> np.ndarray:
    """Values beyond ``max_z`` *and* outside the tail bounds: a peaked column (hours a week, mostly
    40) has a small MAD, and thousands of ordinary part-timers are not outliers."""
    if bounds is None:
        return np.zeros(len(values), dtype=bool)
    low, high = bounds
    return np.isfinite(values) & (z > max_z) & ((values < low) | (values > high))


def median_of(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.nanmedian`` of the column (infinities count; nan when it has no value)."""
    return float(np.median(expand(values, counts))) if len(values) else float("nan")


# --------------------------------------------------------------------------- the isolation forest


def _forest(n_rows: int, n_estimators: int) -> Any:
    from sklearn.ensemble import IsolationForest

    return IsolationForest(n_estimators=n_estimators, max_samples=min(FOREST_MAX_SAMPLES, n_rows),
                           random_state=0, n_jobs=1)


def sampled_rows(n_rows: int, n_features: int, n_estimators: int) -> np.ndarray:
    """The sorted positions of every row the forest's trees draw (a fit on zeros: the draws do
    not depend on the values)."""
    dummy = _forest(n_rows, n_estimators).fit(np.zeros((n_rows, n_features), dtype=np.float32))
    return np.unique(np.concatenate(dummy.estimators_samples_))


def fit_forest(n_rows: int, rows: np.ndarray, data: np.ndarray, n_estimators: int) -> Any:
    """The forest fitted on all ``n_rows`` rows, from just the drawn ``rows`` (``data``: their
    features, missing values already imputed)."""
    matrix = np.zeros((n_rows, data.shape[1]))
    matrix[rows] = data
    return _forest(n_rows, n_estimators).fit(matrix)


def impute(data: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """Non-finite features replaced by their column's ``fill`` (the median of its finite values)."""
    return np.where(np.isfinite(data), data, fill[None, :])


def isolation_scores(forest: Any, data: np.ndarray) -> np.ndarray:
    """0.5 ordinary, towards 1 isolated quickly (row by row: any partition of the rows gives the same)."""
    return -forest.score_samples(data)
