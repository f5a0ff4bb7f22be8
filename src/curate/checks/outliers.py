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

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, LimitParams, Plan
from curate.context import RunContext
from curate.dataset import Split, row_refs
from curate.engines import Engine, WholeFrames
from curate.findings import CheckResult, Finding, plural
from curate.outlier_measures import (
    RobustScale,
    extreme,
    finite_part,
    fit_forest,
    impute,
    isolation_scores,
    median_of,
    merge_value_counts,
    robust_scale,
    robust_z,
    sampled_rows,
    tail_bounds,
    value_counts,
)
from curate.roles import ID_NAME

MIN_ROWS = 50
MAX_NAMED = 4  # unusual values named per finding
_MISSING = "missing"  # the dtype of a column a partition lacks (its files differ): the check collects


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


@dataclass
class _Column:
    """One candidate feature column over some partitions: its dtypes, and the counts of its
    values (numbers: distinct values and counts; others: value → rows, None over the cap)."""

    dtypes: set[str]
    numbers: tuple[np.ndarray, np.ndarray] | None = None
    counts: dict[Any, int] | None = None

    @classmethod
    def of(cls, values: pd.Series, cap: int) -> "_Column":
        dtypes = {str(values.dtype)}
        if pd.api.types.is_bool_dtype(values):
            return cls(dtypes)
        if pd.api.types.is_numeric_dtype(values):
            return cls(dtypes, numbers=value_counts(values.to_numpy(dtype=float, na_value=np.nan)))
        counts = values.value_counts(sort=False)
        return cls(dtypes, counts=dict(zip(counts.index, counts.tolist())) if len(counts) <= cap else None)

    def add(self, other: "_Column", cap: int) -> "_Column":
        numbers = None if self.numbers is None or other.numbers is None else merge_value_counts([self.numbers, other.numbers])
        counts = None
        if self.counts is not None and other.counts is not None:
            counts = dict(self.counts)
            for value, n in other.counts.items():
                counts[value] = counts.get(value, 0) + n
            counts = counts if len(counts) <= cap else None
        return _Column(self.dtypes | other.dtypes, numbers, counts)


@dataclass
class _Model:
    """How one split's rows are judged: its features and the column statistics, then the forest."""

    numeric: list[str]
    categorical: list[str]
    scales: list[RobustScale]
    bounds: list[tuple[float, float] | None]
    medians: np.ndarray  # per numeric column (for messages)
    fill: np.ndarray  # per feature (imputing missing values for the forest)
    shares: list[pd.Series]  # per categorical column: value → share of the split's non-null values
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # rows the forest draws
    forest: Any = None

    def features(self, partition: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The numeric matrix and the category shares of a partition's rows."""
        n = len(partition)
        matrix = partition[self.numeric].to_numpy(dtype=float) if self.numeric else np.zeros((n, 0))
        freq = (np.column_stack([partition[c].map(share).fillna(0).to_numpy(dtype=float)
                                 for c, share in zip(self.categorical, self.shares)])
                if self.categorical else np.zeros((n, 0)))
        return matrix, freq


@dataclass(frozen=True)
class OutlierPlan(Plan):
    """``stats``: the candidate columns' counts; ``rows``: the features of the rows each split's
    forest draws; ``score``: every row scored, only the flagged ones kept."""

    stage: str = "stats"
    cap: int = 100  # max_categories
    models: tuple[tuple[str, _Model], ...] = ()


@dataclass
class _Flagged:
    """A flagged row with what its message names."""

    row: int
    score: float
    z: np.ndarray
    far: np.ndarray
    values: np.ndarray  # numeric values
    freq: np.ndarray
    categories: list[str]  # the categorical values as text


@register
class Outliers(Check):
    name: ClassVar[str] = "outliers"
    description: ClassVar[str] = "Unusual tabular rows: robust per-column z-scores and rare categories, ranked by an isolation forest"
    Params = OutliersParams
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    def _candidates(self, split: Split, ctx: RunContext) -> list[str]:
        return self.params.columns or [c for c in split.columns if c not in (ctx.roles.key, ctx.roles.label, ctx.roles.text)
                                       and not ID_NAME.search(c)]  # ids (PlaylistId, TrackId) are no measurements

    # ---------------------------------------------------------------- partitioned (see curate.checks.base)

    def plan(self, ctx: RunContext) -> OutlierPlan:
        splits = tuple(ctx.dataset.splits)
        columns = dict.fromkeys(c for name in splits for c in self._candidates(ctx.dataset.splits[name], ctx))
        return OutlierPlan(splits, tuple(columns), cap=self.params.max_categories)

    def map(self, plan: OutlierPlan, split: str, partition: pd.DataFrame) -> dict[str, Any]:
        """Stats: per column, the counts of its values (numbers: every distinct value, since the
        median, the MAD and the tail quantiles are exact only on the whole column; categories up to
        ``max_categories``). Rows: the drawn rows' features. Score: the flagged rows."""
        if plan.stage == "stats":
            return {split: {c: _Column.of(partition[c], plan.cap) if c in partition.columns else _Column({_MISSING})
                            for c in plan.columns}}
        model = dict(plan.models).get(split)
        if model is None:
            return {}
        if plan.stage == "rows":
            hit = partition.iloc[np.flatnonzero(np.isin(partition.index.to_numpy(), model.rows))]
            matrix, freq = model.features(hit)
            return {split: (hit.index.to_numpy(), impute(np.hstack([matrix, freq]), model.fill))}
        return {split: self._flag(model, partition)}

    def combine(self, plan: OutlierPlan, states: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for state in states:
            for split, got in state.items():
                if split not in out:
                    out[split] = got
                elif plan.stage == "stats":
                    mine = out[split]
                    out[split] = {c: mine[c].add(got[c], plan.cap) if c in mine else got[c] for c in {**mine, **got}}
                elif plan.stage == "rows":
                    out[split] = (np.concatenate([out[split][0], got[0]]), np.vstack([out[split][1], got[1]]))
                else:
                    out[split] = out[split] + got
        return out

    def judge(self, plan: OutlierPlan, state: dict[str, Any], ctx: RunContext, engine: Engine | None = None) -> CheckResult:
        """Decide the features and their statistics, then map twice more: the drawn rows' features
        (to fit each split's forest) and the flagged rows (``engine``: ctx's, or whole frames)."""
        p: OutliersParams = self.params
        engine = engine or ctx.engine
        models: dict[str, _Model] = {}
        for name in plan.splits:
            split = ctx.dataset.splits[name]
            columns = [state[name][c] for c in self._candidates(split, ctx)]
            if any(len(c.dtypes) > 1 for c in columns) and not isinstance(engine, WholeFrames):
                return self.collect(ctx)  # a column whose type differs between the split's files
            model = self._model(split, ctx, state[name])
            if model is not None:
                models[name] = model
        if not models:
            return self.skip(f"no split with at least two numeric or categorical feature columns and {MIN_ROWS} rows")
        for name, model in models.items():
            n = len(ctx.dataset.splits[name])
            model.rows = sampled_rows(n, len(model.numeric) + len(model.categorical), p.n_estimators)
        rows_plan = replace(plan, splits=tuple(models), stage="rows", models=tuple(models.items()))
        drawn = self.combine(rows_plan, engine.states(self, rows_plan, ctx.dataset))
        for name, model in models.items():
            positions, data = drawn[name]
            order = np.argsort(positions)
            model.forest = fit_forest(len(ctx.dataset.splits[name]), positions[order], data[order], p.n_estimators)
        score_plan = replace(rows_plan, stage="score")
        flagged = self.combine(score_plan, engine.states(self, score_plan, ctx.dataset))
        return self._result(ctx, models, flagged)

    def collect(self, ctx: RunContext) -> CheckResult:
        """The same judgement with each split's whole frame as its one partition (a column whose
        type differs between files has the type of the concatenated column there)."""
        plan, whole = self.plan(ctx), WholeFrames()
        return self.judge(plan, self.combine(plan, whole.states(self, plan, ctx.dataset)), ctx, whole)

    # ---------------------------------------------------------------- judging

    def _model(self, split: Split, ctx: RunContext, columns: dict[str, _Column]) -> _Model | None:
        """The split's features and their statistics; None when it is not judged."""
        p: OutliersParams = self.params
        numeric, categorical = [], []
        for name in self._candidates(split, ctx):
            c = columns[name]
            if c.numbers is not None and len(c.numbers[0]) > 2:
                numeric.append(name)
            elif c.counts is not None and 2 <= len(c.counts) <= p.max_categories:
                categorical.append(name)
        if len(numeric) + len(categorical) < 2 or len(split) < MIN_ROWS:
            return None
        counts = [columns[c].numbers for c in numeric]
        shares = []
        for name in categorical:
            got = columns[name].counts
            total = sum(got.values())
            shares.append(pd.Series([n / total for n in got.values()], index=pd.Index(list(got), dtype=object)))
        fill = [median_of(*finite_part(*c)) for c in counts] + [0.0] * len(categorical)
        return _Model(numeric, categorical, [robust_scale(*c) for c in counts], [tail_bounds(*c, p.tail) for c in counts],
                      np.array([median_of(*c) for c in counts]), np.nan_to_num(np.array(fill)), shares)

    def _flag(self, model: _Model, partition: pd.DataFrame) -> list[_Flagged]:
        """The partition's rows with an extreme value, a rare category and an unusual score, or a
        very unusual score."""
        p: OutliersParams = self.params
        matrix, freq = model.features(partition)
        z = (np.column_stack([robust_z(matrix[:, j], s) for j, s in enumerate(model.scales)])
             if model.numeric else np.zeros((len(partition), 0)))
        far = (np.column_stack([extreme(matrix[:, j], z[:, j], p.max_z, b) for j, b in enumerate(model.bounds)])
               if model.numeric else np.zeros((len(partition), 0), dtype=bool))
        score = isolation_scores(model.forest, impute(np.hstack([matrix, freq]), model.fill))
        rare = (freq < p.rare_share) & (freq > 0)
        hit = np.flatnonzero(far.any(axis=1) | (rare.any(axis=1) & (score >= p.min_score)) | (score >= p.isolated_score))
        rows = partition.index.to_numpy()
        return [_Flagged(int(rows[i]), float(score[i]), z[i], far[i], matrix[i], freq[i],
                         [str(partition[c].iat[i]) for c in model.categorical]) for i in hit]

    def _result(self, ctx: RunContext, models: dict[str, _Model], flagged: dict[str, list[_Flagged]]) -> CheckResult:
        p: OutliersParams = self.params
        findings: list[Finding] = []
        for name, model in models.items():
            rows = sorted(flagged.get(name, []), key=lambda f: f.row)
            for ref, f in zip(row_refs(ctx.dataset.splits[name], np.array([f.row for f in rows], dtype=np.int64)), rows):
                findings.append(Finding(f"isolation score {f.score:.2f}; {self._named(model, f)}", split=ref.split,
                                        row=ref.row, key=ref.key, score=round(f.score, 4)))
        total = sum(len(ctx.dataset.splits[name]) for name in models)
        count = len(findings)
        share = count / total if total else 0.0
        metrics = {"outlier_rows": count, "rows": total, "share": round(share, 6)}
        message = (f"{plural(count, 'unusual row')} ({share:.2%} of {total:,} rows in {', '.join(models)})"
                   if count else f"no unusual rows in {total:,} rows")
        return self.result(failed=p.exceeded(count, share), message=message + p.limit_text(count, share),
                           metrics=metrics, findings=findings)

    def _named(self, model: _Model, f: _Flagged) -> str:
        """The unusual values of a flagged row, the most unusual first."""
        p: OutliersParams = self.params
        parts = [(f.z[j], f"{name} {_num(f.values[j])} (robust z {f.z[j]:.1f}; median {_num(model.medians[j])})")
                 for j, name in enumerate(model.numeric) if f.far[j] or f.z[j] > p.max_z / 2]
        parts += [(1 / max(f.freq[j], 1e-9), f"{name} {f.categories[j]!r} (in {f.freq[j]:.2%} of rows)")
                  for j, name in enumerate(model.categorical) if 0 < f.freq[j] < max(p.rare_share, 0.01)]
        parts.sort(key=lambda t: -t[0])
        return "; ".join(text for _, text in parts[:MAX_NAMED]) or "no single extreme value: an unusual combination"


def _num(value: float) -> str:
    if not np.isfinite(value):
        return "missing"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
