"""``outliers``: tabular rows unlike the rest, with the values that make them so.

Two views, chosen so that a reviewer can both rank and understand a row:

* **per column, robust statistics**: for each numeric feature, a robust z-score around the
  median, scaled by the MAD (×1.4826); in a zero-inflated column (one value in over half the
  rows, such as ``capital-gain``) that value scores 0 and the others are judged among
  themselves. A value is extreme beyond ``max_z`` *and* in the outer ``tail`` quantiles.
  Categorical features (at most ``max_categories`` distinct values) contribute categories seen in
  fewer than ``rare_share`` of the rows;
* **per row, an isolation forest** (scikit-learn, ``n_estimators`` trees on subsamples of 256,
  fixed seed) over the numeric features (median-imputed) and frequency-encoded categoricals: its
  score (0.5 ordinary, towards 1 isolated quickly) ranks rows, so a row with several mildly odd
  values can stand out as much as one with a single extreme value. The isolation forest was
  chosen over kNN distances because it needs no feature scaling and stays linear in the rows.

A row is reported when it has an extreme value, a rare category and an isolation score of at
least ``min_score``, or an isolation score of at least ``isolated_score`` (measured on Adult with
planted impossible ages: an isolation forest over many features barely notices one wild value,
so extreme values are reported on their own). Each finding's score is the
isolation score; its message names the unusual values with their z-scores. No suggestion: an
outlier may be an error or the most interesting row in the data, a human decides. The label,
key and text columns and id-like columns (``TrackId``, ``user_id``) are not features. Skipped when fewer than two feature columns or 50 rows.

Pass/fail: ``max_share`` of rows (default 1 %); ``max_count`` when set.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, LimitParams
from curate.context import RunContext
from curate.dataset import Split, row_refs
from curate.findings import CheckResult, Finding, plural
from curate.roles import ID_NAME

MIN_ROWS = 50
MAX_NAMED = 4  # unusual values named per finding


class OutliersParams(LimitParams):
    columns: list[str] | None = None  # default: every numeric / categorical column but key and label
    max_z: float = Field(default=10.0, gt=0)
    tail: float = Field(default=0.001, ge=0.0, lt=0.5)  # extreme values must also lie in this outer quantile
    rare_share: float = Field(default=0.001, ge=0.0, lt=1.0)
    max_categories: int = Field(default=100, ge=2)
    min_score: float = Field(default=0.6, ge=0.0, le=1.0)
    isolated_score: float = Field(default=0.75, ge=0.0, le=1.0)
    n_estimators: int = Field(default=100, ge=10, le=1000)
    max_share: float | None = Field(default=0.01, ge=0.0, le=1.0)


def robust_z(values: np.ndarray) -> np.ndarray:
    """|x − median| / (MAD × 1.4826). In a zero-inflated column (one value in over half the rows,
    e.g. ``capital-gain``) that value scores 0 and the others are judged among themselves."""
    z = np.zeros(len(values))
    finite = np.isfinite(values)
    if not finite.any():
        return z
    vals, counts = np.unique(values[finite], return_counts=True)
    mode = vals[counts.argmax()]
    inflated = counts.max() > finite.sum() / 2
    base = values[finite & (values != mode)] if inflated else values[finite]
    if len(base) < 10:
        return z
    median = np.median(base)
    scale = np.median(np.abs(base - median)) * 1.4826
    if scale == 0:
        return z
    z[finite] = np.abs(values[finite] - median) / scale
    if inflated:
        z[values == mode] = 0.0
    return z


def extreme_values(values: np.ndarray, z: np.ndarray, max_z: float, tail: float) -> np.ndarray:
    """Values beyond ``max_z`` *and* in the outer ``tail`` quantiles: a peaked column (hours a week,
    mostly 40) has a small MAD, and thousands of ordinary part-timers are not outliers."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(len(values), dtype=bool)
    low, high = np.quantile(values[finite], [tail, 1 - tail])
    return finite & (z > max_z) & ((values < low) | (values > high))


@register
class Outliers(Check):
    name: ClassVar[str] = "outliers"
    description: ClassVar[str] = "Unusual tabular rows: robust per-column z-scores and rare categories, ranked by an isolation forest"
    Params = OutliersParams

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    def run(self, ctx: RunContext) -> CheckResult:
        p: OutliersParams = self.params
        findings: list[Finding] = []
        total = 0
        judged: list[str] = []
        for split in ctx.progress.track(list(ctx.dataset.splits.values()), len(ctx.dataset.splits), "outliers"):
            numeric, categorical = self._features(split, ctx)
            if len(numeric) + len(categorical) < 2 or len(split) < MIN_ROWS:
                continue
            judged.append(split.name)
            total += len(split)
            findings += self._split(split, numeric, categorical)
        if not judged:
            return self.skip(f"no split with at least two numeric or categorical feature columns and {MIN_ROWS} rows")
        count = len(findings)
        share = count / total if total else 0.0
        metrics = {"outlier_rows": count, "rows": total, "share": round(share, 6)}
        message = (f"{plural(count, 'unusual row')} ({share:.2%} of {total:,} rows in {', '.join(judged)})"
                   if count else f"no unusual rows in {total:,} rows")
        return self.result(failed=p.exceeded(count, share), message=message + p.limit_text(count, share),
                           metrics=metrics, findings=findings)

    def _features(self, split: Split, ctx: RunContext) -> tuple[list[str], list[str]]:
        p: OutliersParams = self.params
        frame = split.frame
        columns = p.columns or [str(c) for c in frame.columns if c not in (ctx.roles.key, ctx.roles.label, ctx.roles.text)
                                and not ID_NAME.search(str(c))]  # ids (PlaylistId, TrackId) are no measurements
        numeric, categorical = [], []
        for column in columns:
            values = frame[column]
            if pd.api.types.is_bool_dtype(values):
                continue
            if pd.api.types.is_numeric_dtype(values):
                if values.nunique() > 2:
                    numeric.append(column)
            elif 2 <= values.nunique() <= p.max_categories:
                categorical.append(column)
        return numeric, categorical

    def _split(self, split: Split, numeric: list[str], categorical: list[str]) -> list[Finding]:
        p: OutliersParams = self.params
        frame = split.frame
        n = len(frame)
        matrix = frame[numeric].to_numpy(dtype=float) if numeric else np.zeros((n, 0))
        z = np.column_stack([robust_z(matrix[:, j]) for j in range(matrix.shape[1])]) if numeric else np.zeros((n, 0))
        freq = np.column_stack([frame[c].map(frame[c].value_counts(normalize=True)).fillna(0).to_numpy(dtype=float)
                                for c in categorical]) if categorical else np.zeros((n, 0))
        score = self._isolation(matrix, freq)
        far = (np.column_stack([extreme_values(matrix[:, j], z[:, j], p.max_z, p.tail) for j in range(len(numeric))])
               if numeric else np.zeros((n, 0), dtype=bool))
        rare = (freq < p.rare_share) & (freq > 0)
        flagged = np.flatnonzero(far.any(axis=1) | (rare.any(axis=1) & (score >= p.min_score))
                                 | (score >= p.isolated_score))
        medians = np.nanmedian(matrix, axis=0) if numeric else np.zeros(0)
        out = []
        for ref in row_refs(split, flagged):
            r = ref.row
            parts = [(z[r, j], f"{numeric[j]} {_num(matrix[r, j])} (robust z {z[r, j]:.1f}; median {_num(medians[j])})")
                     for j in range(len(numeric)) if far[r, j] or z[r, j] > p.max_z / 2]
            parts += [(1 / max(freq[r, j], 1e-9), f"{categorical[j]} {str(frame[categorical[j]].iat[r])!r} "
                       f"(in {freq[r, j]:.2%} of rows)") for j in range(len(categorical))
                      if 0 < freq[r, j] < max(p.rare_share, 0.01)]
            parts.sort(key=lambda t: -t[0])
            named = "; ".join(text for _, text in parts[:MAX_NAMED]) or "no single extreme value: an unusual combination"
            out.append(Finding(f"isolation score {score[r]:.2f}; {named}", split=ref.split, row=r, key=ref.key,
                               score=round(float(score[r]), 4)))
        return out

    def _isolation(self, matrix: np.ndarray, freq: np.ndarray) -> np.ndarray:
        from sklearn.ensemble import IsolationForest

        data = np.hstack([matrix, freq])
        medians = np.nanmedian(np.where(np.isfinite(data), data, np.nan), axis=0)
        data = np.where(np.isfinite(data), data, np.nan_to_num(medians)[None, :])
        forest = IsolationForest(n_estimators=self.params.n_estimators, max_samples=min(256, len(data)),
                                 random_state=0, n_jobs=1).fit(data)
        return -forest.score_samples(data)


def _num(value: float) -> str:
    if not np.isfinite(value):
        return "missing"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
