"""``schema``: the data against its recorded baseline (``curate.lock.json``) and against the owner's
declared features (the card's, or Kaggle / Frictionless metadata).

The family finds the baseline and the declared features and gates on the result; the comparison
itself is :mod:`curate.schema_compare`, which ``curate diff`` uses too, so both report the same things
in the same words.

Partitioned: each partition's columns become :class:`curate.schema_state.ColumnState` s (asked, from
the baseline and the declared features, for just the values a finding could name), and the
comparison asks a :class:`curate.schema_state.StateView` of the combined states; the few columns it
needs whole (a renamed column's profile, unparsable numbers) are read in one more pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import Field

from curate.baseline import LOCK_FILENAME, KindEvidence, check_lock, read_lock
from curate.checks import register
from curate.checks.base import Check, CheckParams, Plan, merge_per_split
from curate.context import RunContext
from curate.dataset import Split
from curate.errors import CurateError
from curate.findings import CheckResult
from curate.layout import Feature
from curate.schema_compare import (
    SchemaIssue,
    SchemaOptions,
    SplitView,
    compare_schema,
    compare_views,
    declared_columns,
    declared_kind,
    is_category_profile,
    schema_result,
    untyped,
)
from curate.schema_state import ColumnAsk, ColumnState, StateView, column_state

MAX_PASSES = 4  # a pass reads the columns the comparison asked more of; renames found then may ask for more
_MISSING = "missing"  # the dtype of a column a partition lacks


# =========================================================================== the check


@dataclass(frozen=True)
class SchemaPlan(Plan):
    """``states``: each column's :class:`ColumnState` with what its ``asks`` name; ``values``: the
    columns read whole."""

    stage: str = "states"
    asks: tuple[tuple[str, str, ColumnAsk], ...] = ()  # (split, column, what is asked of it)


@dataclass
class _Sources:
    """What the data is compared against."""

    baseline: dict[str, Any] | None
    features: dict[str, Feature]
    options: SchemaOptions
    baseline_name: str
    features_source: str
    compared: list[str]


class SchemaParams(CheckParams):
    """Parameters of ``schema``."""

    baseline: str | None = None  # lock file; relative to the dataset root; default curate.lock.json
    max_null_rate_increase: float = Field(0.05, ge=0.0, le=1.0)  # absolute, e.g. 0.02 → 0.07 is allowed
    check_card: bool = True  # also compare with the card's / Kaggle metadata's declared features
    new_categories: bool = True
    ignore_columns: list[str] = []


@register
class SchemaCheck(Check):
    """Schema drift against ``curate.lock.json`` and the dataset's declared features."""

    name = "schema"
    description = "columns added/removed/renamed, type changes, new categories, null-rate jumps vs the lock and card"
    Params = SchemaParams
    value_fix = True  # a did-you-mean for a label outside the declared names fixes that value everywhere
    needs = "partitions"

    def __getstate__(self) -> dict[str, Any]:
        """The check travels to the workers with each partition: without the lock document."""
        return {k: v for k, v in self.__dict__.items() if k != "_loaded"}

    def validate(self, ctx: RunContext) -> None:
        """Load the baseline now so a missing or broken lock stops the run before any check starts."""
        self._loaded = self._load_baseline(ctx)

    def _sources(self, ctx: RunContext) -> _Sources:
        baseline, lock_path = getattr(self, "_loaded", None) or self._load_baseline(ctx)
        layout = ctx.dataset.layout
        features = layout.features if self.params.check_card else {}
        baseline_name = f"the baseline ({ctx.dataset.relpath(lock_path)})" if baseline and lock_path else None
        features_source = f"the {layout.features_source or 'declared features'}"
        compared = [name for name, used in ((baseline_name, baseline), (features_source, features)) if name and used]
        options = SchemaOptions(
            self.params.max_null_rate_increase, self.params.new_categories, frozenset(self.params.ignore_columns)
        )
        return _Sources(baseline, features, options, baseline_name or "the baseline", features_source, compared)

    # partitioned: see curate.schema_state
    def plan(self, ctx: RunContext) -> SchemaPlan | CheckResult:
        src = self._sources(ctx)
        if not src.compared:
            return self._result(src, [])
        recorded = (src.baseline or {}).get("splits") or {}
        asks = []
        for name, split in ctx.dataset.splits.items():
            if str(name) not in recorded and not src.features:
                continue
            old = (recorded.get(str(name)) or {}).get("columns") or {}
            declared = declared_columns(src.features, split, ctx.dataset, src.options) if src.features else None
            for column in split.columns:
                if column not in src.options.ignore_columns:
                    asks.append((str(name), column, self._ask(column, old.get(column), declared, split, ctx, src)))
        splits = tuple(dict.fromkeys(s for s, _, _ in asks))
        return SchemaPlan(splits, tuple(dict.fromkeys(c for _, c, _ in asks)), asks=tuple(asks))

    def _ask(self, column: str, old: dict[str, Any] | None, declared: dict[str, Feature] | None, split: Split,
             ctx: RunContext, src: _Sources) -> ColumnAsk:
        """What the comparison will ask of the column's values (see schema_compare)."""
        recorded = None
        if old and src.options.new_categories and is_category_profile(old) and column != ctx.dataset.key_column:
            recorded = tuple(old["categories"])
        feature = (declared or {}).get(column)
        if feature is None:
            return ColumnAsk(recorded)
        if feature.dtype == "class_label":
            return ColumnAsk(recorded, names=tuple(feature.names or ()))
        return ColumnAsk(recorded, declared_kind(feature.dtype), untyped(split))

    def map(self, plan: SchemaPlan, split: str, partition: pd.DataFrame) -> dict[str, dict[str, Any]]:
        out: dict[str, Any] = {}
        for name, column, ask in plan.asks:
            if name != split:
                continue
            if plan.stage == "values":
                out[column] = [partition[column]]
            elif column in partition.columns:
                out[column] = column_state(partition[column], ask)
            else:  # a file without the column: the split is compared on whole frames
                out[column] = ColumnState(rows=len(partition), kind=KindEvidence(dtypes={_MISSING: None}))
        return {split: out}

    def combine(self, plan: SchemaPlan, states: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
        if plan.stage == "values":
            return merge_per_split(states, lambda a, b: a + b)
        return merge_per_split(states, lambda a, b: a.add(b))

    def judge(self, plan: SchemaPlan, state: dict[str, dict[str, Any]], ctx: RunContext) -> CheckResult:
        """Compare from the states; read whole the few columns the comparison asked more of."""
        if any(s.kind.mixed for columns in state.values() for s in columns.values()):
            return self.collect(ctx)  # a column whose type differs between a split's files
        src = self._sources(ctx)
        asks: dict[str, dict[str, ColumnAsk]] = {}
        for name, column, ask in plan.asks:
            asks.setdefault(name, {})[column] = ask
        views = {str(name): StateView(split, state.get(str(name), {}), asks.get(str(name), {}), {})
                 for name, split in ctx.dataset.splits.items()}
        for _ in range(MAX_PASSES):
            issues = self._compare(ctx, src, views)
            needs = tuple((name, column, ColumnAsk()) for name, view in views.items() for column in sorted(view.needs))
            if not needs:
                return self._result(src, issues)
            later = replace(plan, splits=tuple(dict.fromkeys(n for n, _, _ in needs)), stage="values", asks=needs)
            for name, columns in self.combine(later, ctx.engine.states(self, later, ctx.dataset)).items():
                for column, parts in columns.items():
                    views[name].fetched[column] = pd.concat(parts).sort_index() if len(parts) > 1 else parts[0]
            for view in views.values():
                view.needs = set()
        return self.collect(ctx)  # (not reached: a pass reads every column the comparison named)

    def collect(self, ctx: RunContext) -> CheckResult:
        """The comparison on whole frames."""
        src = self._sources(ctx)
        return self._result(src, self._compare(ctx, src, None))

    def _compare(self, ctx: RunContext, src: _Sources, views: dict[str, SplitView] | None) -> list[SchemaIssue]:
        if views is None:
            return compare_schema(src.baseline, ctx.dataset, src.features, options=src.options,
                                  baseline_name=src.baseline_name, features_source=src.features_source)
        return compare_views(src.baseline, ctx.dataset, views, src.features, options=src.options,
                             baseline_name=src.baseline_name, features_source=src.features_source)

    def _result(self, src: _Sources, issues: list[SchemaIssue]) -> CheckResult:
        return schema_result(issues, src.compared, name=self.display_name, severity=self.params.severity)

    def _load_baseline(self, ctx: RunContext) -> tuple[dict[str, Any] | None, Path | None]:
        """(lock document, its path), or (None, None) when the dataset has no lock."""
        if self.params.baseline is not None:
            path = Path(self.params.baseline)
            path = path if path.is_absolute() else ctx.dataset.root / path
            if not path.is_file():
                raise self.error(("baseline",), f"schema: baseline file not found: {path} (run `curate lock`)")
            return read_lock(path), path
        path = ctx.lock_path or ctx.dataset.root / LOCK_FILENAME
        if ctx.lock_path is not None and not ctx.lock_path.is_file():  # asked for explicitly (--lock)
            raise CurateError("baseline file not found (run `curate lock`)", file=ctx.lock_path)
        document = ctx.baseline()
        if document is None:
            return None, None
        check_lock(document, path)
        return document, path
