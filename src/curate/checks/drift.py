"""``drift``: distribution drift between two splits, or between the recorded baseline and now.

The family chooses what to compare (splits, columns, the lock file's profiles) and words the
result; the statistics — which test or distance for which column, binning, the significance guard,
comparisons against a profile — live in :mod:`curate.drift_measures`, which ``curate diff`` uses too,
so a check and a diff measure drift the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from curate.baseline import LOCK_FILENAME, MAX_CATEGORIES, column_kind
from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.drift_measures import (
    DEFAULT_SIGNIFICANCE,
    IDENTIFIER_UNIQUE_SHARE,
    PVALUE_METHODS,
    DriftResult,
    column_drift,
    drift_findings,
)
from curate.errors import did_you_mean
from curate.findings import CheckResult, Finding


# --------------------------------------------------------------------------- the check


class DriftParams(CheckParams):
    reference: str = "train"  # a split name, or "baseline" for curate.lock.json's profile of each split
    current: str | list[str] | None = None  # default: every other split (baseline: every locked split)
    columns: list[str] | None = None  # default: shared columns except key, free text, datetime, identifiers
    ignore_columns: list[str] = Field(default_factory=list)
    text_length: bool = False  # compare free-text columns by their length distribution
    method: Literal["auto", "psi", "jensenshannon", "wasserstein", "chisquare", "ks"] = "auto"
    threshold: float | None = Field(default=None, gt=0)  # default per method (p-value tests: 0.05, distances: 0.1)
    significance: float | None = Field(default=DEFAULT_SIGNIFICANCE, gt=0, lt=1)
    max_drifted_share: float = Field(default=0.0, ge=0, le=1)


@dataclass
class _Plan:
    """What to compare: per current split, the columns (with their kind) and the skipped ones."""

    reference: str
    baseline: dict[str, Any] | None
    splits: list[str]
    columns: dict[str, list[tuple[str, str]]]  # split → [(column, kind)]
    skipped: dict[str, list[tuple[str, str]]]  # split → [(column, why)]


@register
class DriftCheck(Check):
    name = "drift"
    description = "Distribution drift between splits, or between the recorded baseline and now (Evidently-style tests)"
    Params = DriftParams

    @classmethod
    def validate_params(cls, spec) -> None:
        params: DriftParams = spec.params
        if params.threshold is not None:
            if params.method == "auto":
                raise spec.error(
                    ("threshold",),
                    "drift: 'threshold' needs an explicit 'method' (auto mixes p-value tests and distances; "
                    "defaults: p < 0.05 for ks/chisquare, ≥ 0.1 for psi/jensenshannon/wasserstein)",
                )
            if params.method in PVALUE_METHODS and params.threshold >= 1:
                raise spec.error(("threshold",), f"drift: the {params.method} threshold is a p-value and must be below 1")
        current = [params.current] if isinstance(params.current, str) else (params.current or [])
        for i, name in enumerate(current):
            if name == params.reference:
                where = ("current",) if isinstance(params.current, str) else ("current", i)
                raise spec.error(where, f"drift: current split '{name}' is also the reference; compare it with another split or with reference: baseline")

    # ---------------------------------------------------------------- validation

    def _current_names(self) -> list[tuple[str, tuple]]:
        current = self.params.current
        if current is None:
            return []
        if isinstance(current, str):
            return [(current, ("current",))]
        return [(name, ("current", i)) for i, name in enumerate(current)]

    def validate(self, ctx: RunContext) -> None:
        self._plan = self._make_plan(ctx)

    def _make_plan(self, ctx: RunContext) -> _Plan:
        p: DriftParams = self.params
        splits = list(ctx.dataset.splits)
        baseline = None
        if p.reference == "baseline":
            baseline = ctx.baseline()
            if baseline is None:
                where = ctx.lock_path or (ctx.dataset.root / LOCK_FILENAME)
                raise self.error(
                    ("reference",),
                    f"drift: reference 'baseline' needs a lock file, and {where} does not exist; run `curate lock` first",
                )
            locked = [str(s) for s in (baseline.get("splits") or {})]
            for name, where in self._current_names():
                self.require_split(ctx, name, where)
                if name not in locked:
                    raise self.error(
                        where,
                        f"drift: split '{name}' is not in the baseline{did_you_mean(name, locked)}; "
                        f"the lock file has: {', '.join(locked) or 'no splits'}",
                    )
            current = [n for n, _ in self._current_names()] or [s for s in splits if s in locked]
            if not current:
                raise self.error(
                    ("reference",),
                    f"drift: no split is in both the dataset ({', '.join(splits)}) and the baseline ({', '.join(locked) or 'none'}); "
                    "run `curate lock` again",
                )
        else:
            if p.reference not in splits and "reference" not in p.model_fields_set and p.current is None:
                # a bare `drift: {}` (e.g. in a default suite) on a dataset without a train split
                return _Plan(p.reference, None, [], {}, {})
            self.require_split(ctx, p.reference, ("reference",))
            for name, where in self._current_names():
                self.require_split(ctx, name, where)
            current = [n for n, _ in self._current_names()] or [s for s in splits if s != p.reference]

        # columns each side has
        def ref_columns(split: str) -> list[str]:
            if baseline is not None:
                return list(baseline["splits"][split].get("columns") or {})
            return list(ctx.dataset.splits[p.reference].frame.columns)

        for i, column in enumerate(p.columns or []):
            for split in current:
                self.require_column(ctx, column, ("columns", i), splits=[split])
                if baseline is not None and column not in ref_columns(split):
                    raise self.error(
                        ("columns", i),
                        f"drift: column '{column}' is not in the baseline of split '{split}'"
                        f"{did_you_mean(column, ref_columns(split))}; run `curate lock` again to record it",
                    )
            if baseline is None:
                self.require_column(ctx, column, ("columns", i), splits=[p.reference])
        known = set(ctx.dataset.columns)
        for i, column in enumerate(p.ignore_columns):
            if column not in known:
                raise self.error(
                    ("ignore_columns", i),
                    f"drift: column '{column}' not found{did_you_mean(column, sorted(known))}",
                )

        columns: dict[str, list[tuple[str, str]]] = {}
        skipped: dict[str, list[tuple[str, str]]] = {}
        kinds: dict[str, str] = {}  # raw reference kinds, computed once
        for split in current:
            cur_cols = set(ctx.dataset.splits[split].frame.columns)
            chosen: list[tuple[str, str]] = []
            skip: list[tuple[str, str]] = []
            explicit = p.columns is not None
            names = p.columns if explicit else [c for c in ref_columns(split) if c in cur_cols]
            for column in names:
                if column in p.ignore_columns or (not explicit and column == ctx.roles.key):
                    continue
                if baseline is not None:
                    kind = (baseline["splits"][split]["columns"][column] or {}).get("kind", "other")
                else:
                    if column not in kinds:
                        kinds[column] = column_kind(ctx.dataset.splits[p.reference].frame[column])
                    kind = kinds[column]
                why = None if explicit else self._default_exclusion(ctx, column, kind, baseline, split)
                if why is None:
                    chosen.append((column, kind))
                elif why:
                    skip.append((column, why))
            columns[split] = chosen
            skipped[split] = skip
        return _Plan(p.reference, baseline, current, columns, skipped)

    def _default_exclusion(self, ctx: RunContext, column: str, kind: str, baseline, split: str) -> str | None:
        """Why a column is left out by default: None to compare it, "" to leave it out silently."""
        if kind == "text":
            return None if self.params.text_length else ""
        if kind == "datetime":
            return ""  # compared as timestamps only when listed
        if kind == "other":
            return "values are lists, mappings or mixed types"
        if kind == "categorical":
            if baseline is not None:
                return None  # column_drift reports a profile without category counts
            values = ctx.dataset.splits[self.params.reference].frame[column]
            unique = values.nunique()
            count = values.notna().sum()
            if unique > MAX_CATEGORIES and count and unique / count > IDENTIFIER_UNIQUE_SHARE:
                return f"identifier-like, {unique} distinct values in {count} rows"
        return None

    # ---------------------------------------------------------------- run

    def run(self, ctx: RunContext) -> CheckResult:
        p: DriftParams = self.params
        plan = getattr(self, "_plan", None) or self._make_plan(ctx)
        if not plan.splits:
            return self.skip(
                (
                    f"nothing to compare: '{p.reference}' is the only split"
                    if p.reference in ctx.dataset.splits
                    else f"nothing to compare: no '{p.reference}' split to use as the reference (set reference:)"
                )
                + f"; reference: baseline compares with {LOCK_FILENAME}",
                metrics={"columns_drifted": 0, "share_drifted": 0.0, "columns_compared": 0},
            )
        results: list[tuple[str, str, DriftResult]] = []
        skipped: list[tuple[str, str, str]] = [(s, c, why) for s in plan.splits for c, why in plan.skipped[s]]
        pairs = [(split, column, kind) for split in plan.splits for column, kind in plan.columns[split]]
        for split, column, kind in ctx.progress.track(pairs, len(pairs), "drift"):
            current = ctx.dataset.splits[split].frame[column]
            if plan.baseline is not None:
                reference: Any = plan.baseline["splits"][split]["columns"][column]
            else:
                reference = ctx.dataset.splits[p.reference].frame[column]
            result = column_drift(
                reference,
                current,
                method=p.method,
                threshold=p.threshold,
                significance=p.significance,
                kind=kind if plan.baseline is None else None,
            )
            if result.compared:
                results.append((split, column, result))
            else:
                skipped.append((split, column, result.detail.removeprefix("not compared: ")))

        findings: list[Finding] = []
        for split in plan.splits:
            where = f"{split} (baseline)" if plan.baseline is not None else p.reference
            findings += drift_findings([r for r in results if r[0] == split], reference=where)
        findings.sort(key=lambda f: -(f.score or 0.0))
        compared = len(results)
        drifted = [(s, c, r) for s, c, r in results if r.drifted]
        share = len(drifted) / compared if compared else 0.0
        metrics: dict[str, Any] = {
            "columns_drifted": len(drifted),
            "share_drifted": round(share, 4),
            "columns_compared": compared,
            "columns_skipped": len(skipped),
        }
        for split, column, result in results:
            metrics[f"{split}.{column}"] = float(f"{result.value:.6g}")
        reference_name = p.reference if plan.baseline is None else "baseline"
        failed = share > p.max_drifted_share
        message = self._message(plan, results, drifted, skipped, share, reference_name)
        return self.result(failed=failed, message=message, metrics=metrics, findings=findings)

    def _message(self, plan, results, drifted, skipped, share, reference_name) -> str:
        p: DriftParams = self.params
        multi = len(plan.splits) > 1
        arrow = f"{reference_name} → {', '.join(plan.splits)}"
        if not results:
            text = f"no column could be compared ({arrow})"
        elif not drifted:
            text = f"no drift in {len(results)} column{'s' if len(results) != 1 else ''} ({arrow})"
        else:
            names = ", ".join(f"{s}.{c}" if multi else c for s, c, _ in sorted(drifted, key=lambda t: -t[2].score))
            text = f"{len(drifted)} of {len(results)} columns drifted ({arrow}): {names}"
            if share <= p.max_drifted_share:
                text += f"; {share:.0%} is within max_drifted_share {p.max_drifted_share:.0%}"
        if skipped:
            grouped: dict[tuple[str, str], list[str]] = {}
            for split, column, why in skipped:
                grouped.setdefault((column, why), []).append(split)
            parts = [
                f"{column} ({why}{'' if len(where) == len(plan.splits) else ' in ' + ', '.join(where)})"
                for (column, why), where in grouped.items()
            ]
            more = f"; and {len(parts) - 5} more" if len(parts) > 5 else ""
            text += f". Not compared: {'; '.join(parts[:5])}{more}"
        return text
