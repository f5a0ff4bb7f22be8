"""``drift``: distribution drift between two splits, or between the recorded baseline and now.

The family chooses what to compare (splits, columns, the lock file's profiles) and words the
result; the statistics — which test or distance for which column, binning, the significance guard,
comparisons against a profile — live in :mod:`curate.drift_measures`, which ``curate diff`` uses too,
so a check and a diff measure drift the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import Field

import pandas as pd

from curate.baseline import LOCK_FILENAME, MAX_CATEGORIES, KindEvidence, column_kind, kind_evidence
from curate.checks import register
from curate.checks.base import Check, CheckParams, Plan, merge_per_split
from curate.context import RunContext
from curate.drift_measures import (
    DEFAULT_SIGNIFICANCE,
    IDENTIFIER_UNIQUE_SHARE,
    NUMERIC_DOMAIN,
    PVALUE_METHODS,
    DriftResult,
    Sample,
    column_drift,
    drift_findings,
    merge_samples,
    raw_counts,
    sample,
    text_keyed,
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
class _Selection:
    """What to compare, decided from the parameters and the column names alone (no rows read):
    per current split, the candidate columns, in the order they are reported."""

    reference: str
    baseline: dict[str, Any] | None
    splits: list[str]
    names: dict[str, list[str]]  # split → candidate columns
    explicit: bool  # the columns were listed (no default exclusions)


@dataclass(frozen=True)
class DriftPlan(Plan):
    """``kinds``: the reference's columns' :class:`KindEvidence` (a column's kind decides how it is
    compared; ``distinct``: with the hashes of their distinct strings, for the columns whose kind
    the partitions' own counts leave open); ``samples``: each compared column's :class:`Sample` in
    its reference's terms."""

    stage: str = "kinds"
    domains: tuple[tuple[str, str, str], ...] = ()  # (split, column, reference kind) to sample


@dataclass
class _Part:
    """Some partitions' values of one compared column: the sample, and what tells whether the
    samples of parts add up to the whole column's (one dtype; one kind of non-text value)."""

    sample: Sample
    dtypes: set[str]
    types: frozenset[str] = frozenset()

    @classmethod
    def of(cls, values: pd.Series, kind: str) -> "_Part":
        if kind in NUMERIC_DOMAIN:
            return cls(sample(values, kind), {str(values.dtype)})
        counts, hashable = raw_counts(values)
        # 1, 1.0 and True are one value to value_counts, kept as whichever comes first: across
        # parts that could be a different one, so parts holding two such types are not summed
        types = frozenset(type(v).__name__ for v in counts.index if not isinstance(v, str)) if hashable else {"unhashable"}
        return cls(Sample(counts=text_keyed(counts)), {str(values.dtype)}, frozenset(types))

    def add(self, other: "_Part") -> "_Part":
        return _Part(merge_samples([self.sample, other.sample]), self.dtypes | other.dtypes, self.types | other.types)

    def exact(self, kind: str) -> bool:
        """Whether the merged sample is the whole column's (else the check collects)."""
        if len(self.dtypes) != 1 or len(self.types) > 1:
            return False
        return kind != "datetime" or "datetime" in next(iter(self.dtypes))  # (parsing text infers a format per part)


_MISSING = "missing"  # the dtype of a column a partition lacks (its files differ): the check collects


@register
class DriftCheck(Check):
    name = "drift"
    description = "Distribution drift between splits, or between the recorded baseline and now (Evidently-style tests)"
    Params = DriftParams
    needs = "partitions"

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
        self._select(ctx)

    def _select(self, ctx: RunContext) -> _Selection:
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
                return _Selection(p.reference, None, [], {}, False)
            self.require_split(ctx, p.reference, ("reference",))
            for name, where in self._current_names():
                self.require_split(ctx, name, where)
            current = [n for n, _ in self._current_names()] or [s for s in splits if s != p.reference]

        # columns each side has
        def ref_columns(split: str) -> list[str]:
            if baseline is not None:
                return list(baseline["splits"][split].get("columns") or {})
            return ctx.dataset.splits[p.reference].columns

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

        explicit = p.columns is not None
        names: dict[str, list[str]] = {}
        for split in current:
            cur_cols = set(ctx.dataset.splits[split].columns)
            listed = p.columns if explicit else [c for c in ref_columns(split) if c in cur_cols]
            names[split] = [c for c in listed if c not in p.ignore_columns and (explicit or c != ctx.roles.key)]
        return _Selection(p.reference, baseline, current, names, explicit)

    def _choose(self, sel: _Selection, kind_of, unique_of) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
        """Per current split, the compared columns with their reference kind, and the skipped
        ones with why. ``kind_of(column)``: the raw reference's kind; ``unique_of(column)``:
        its (distinct, non-null) counts (or a bound on the distinct ones where it settles the
        identifier test as well: see ``_distinct``)."""
        columns: dict[str, list[tuple[str, str]]] = {}
        skipped: dict[str, list[tuple[str, str]]] = {}
        for split in sel.splits:
            chosen: list[tuple[str, str]] = []
            skip: list[tuple[str, str]] = []
            for column in sel.names[split]:
                if sel.baseline is not None:
                    kind = (sel.baseline["splits"][split]["columns"][column] or {}).get("kind", "other")
                else:
                    kind = kind_of(column)
                why = None if sel.explicit else self._default_exclusion(column, kind, sel.baseline, unique_of)
                if why is None:
                    chosen.append((column, kind))
                elif why:
                    skip.append((column, why))
            columns[split] = chosen
            skipped[split] = skip
        return columns, skipped

    def _default_exclusion(self, column: str, kind: str, baseline, unique_of) -> str | None:
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
            unique, count = unique_of(column)
            if unique > MAX_CATEGORIES and count and unique / count > IDENTIFIER_UNIQUE_SHARE:
                return f"identifier-like, {unique} distinct values in {count} rows"
        return None

    # ---------------------------------------------------------------- partitioned (see curate.checks.base)

    def plan(self, ctx: RunContext) -> DriftPlan | CheckResult:
        sel = self._select(ctx)
        if not sel.splits:
            return self._nothing(ctx)
        if sel.baseline is not None:  # the kinds are the lock's
            return self._sample_plan(sel, self._choose(sel, None, None)[0])
        columns = tuple(dict.fromkeys(c for split in sel.splits for c in sel.names[split]))
        return DriftPlan((sel.reference,), columns, stage="kinds")

    def _sample_plan(self, sel: _Selection, columns: dict[str, list[tuple[str, str]]]) -> DriftPlan:
        """Sample every compared column of every current split, and of the reference split for
        each column in the kind of the reference."""
        domains = [(split, column, kind) for split in sel.splits for column, kind in columns[split]]
        if sel.baseline is None:
            domains = list(dict.fromkeys((sel.reference, c, k) for _, c, k in domains)) + domains
        splits = tuple(dict.fromkeys(s for s, _, _ in domains))
        return DriftPlan(splits, tuple(dict.fromkeys(c for _, c, _ in domains)), stage="samples", domains=tuple(domains))

    def map(self, plan: DriftPlan, split: str, partition: pd.DataFrame) -> dict[str, dict[str, Any]]:
        """Kinds stage: a :class:`KindEvidence` per column. Samples stage: a :class:`_Part` per
        compared column: numeric columns (and text lengths) send their finite values, since KS
        and Wasserstein need the whole sorted sample to be exact; other columns their value counts."""
        if plan.stage in ("kinds", "distinct"):
            return {split: {c: kind_evidence(partition[c], hashes=plan.stage == "distinct") if c in partition.columns
                            else KindEvidence(dtypes={_MISSING: None}) for c in plan.columns}}
        out: dict[str, Any] = {}
        for name, column, kind in plan.domains:
            if name == split and column in partition.columns:
                out[(column, kind)] = _Part.of(partition[column], kind)
            elif name == split:
                out[(column, kind)] = _Part(Sample(), {_MISSING})
        return {split: out}

    def combine(self, plan: DriftPlan, states: list[dict[str, dict[Any, Any]]]) -> dict[str, dict[Any, Any]]:
        if plan.stage == "samples":
            return merge_per_split(states, lambda a, b: a.add(b))
        return merge_per_split(states, lambda a, b: a.merged(b))

    def judge(self, plan: DriftPlan, state: dict[str, dict[Any, Any]], ctx: RunContext) -> CheckResult:
        sel = self._select(ctx)
        if plan.stage == "kinds":
            evidence: dict[str, KindEvidence] = state.get(sel.reference, {})
            if any(e.mixed for e in evidence.values()):  # a column whose type differs between the reference's files
                return self.collect(ctx)
            evidence.update(self._distinct(plan, evidence, ctx))
            columns, skipped = self._choose(sel, lambda c: evidence[c].kind(),
                                            lambda c: (evidence[c].unique_range[1], evidence[c].count))
            plan = self._sample_plan(sel, columns)
            state = self.combine(plan, ctx.engine.states(self, plan, ctx.dataset)) if plan.splits else {}
        else:
            columns, skipped = self._choose(sel, None, None)
        parts = {(split, column, kind): part for split, got in state.items() for (column, kind), part in got.items()}
        if not all(part.exact(kind) for (_, _, kind), part in parts.items()):
            return self.collect(ctx)
        if sel.baseline is not None:
            reference_of = lambda split, column, kind: sel.baseline["splits"][split]["columns"][column]  # noqa: E731
        else:
            reference_of = lambda split, column, kind: parts[(sel.reference, column, kind)].sample  # noqa: E731
        return self._report(ctx, sel, columns, skipped, reference_of,
                            lambda split, column, kind: parts[(split, column, kind)].sample)

    def _distinct(self, plan: DriftPlan, evidence: dict[str, KindEvidence], ctx: RunContext) -> dict[str, KindEvidence]:
        """The evidence, with the distinct strings counted exactly, of the reference's columns whose
        kind or identifier test the partitions' own counts do not settle (a pass over just those)."""
        def unsettled(e: KindEvidence) -> bool:
            low, high = e.unique_range
            if not e.settled:
                return True
            # the identifier test (see _default_exclusion) names the exact count when it holds
            return e.kind() == "categorical" and low != high and high > MAX_CATEGORIES and high / e.count > IDENTIFIER_UNIQUE_SHARE

        columns = tuple(c for c, e in evidence.items() if unsettled(e))
        if not columns:
            return {}
        later = replace(plan, columns=columns, stage="distinct")
        return self.combine(later, ctx.engine.states(self, later, ctx.dataset)).get(plan.splits[0], {})

    # ---------------------------------------------------------------- whole frames

    def collect(self, ctx: RunContext) -> CheckResult:
        """The same comparison on whole columns (a column whose type differs between files)."""
        sel = self._select(ctx)
        if not sel.splits:
            return self._nothing(ctx)
        frame = ctx.dataset.splits[sel.reference].frame if sel.baseline is None else None
        kinds: dict[str, str] = {}

        def kind_of(column: str) -> str:
            if column not in kinds:
                kinds[column] = column_kind(frame[column])
            return kinds[column]

        def unique_of(column: str) -> tuple[int, int]:
            return int(frame[column].nunique()), int(frame[column].notna().sum())

        columns, skipped = self._choose(sel, kind_of, unique_of)
        if sel.baseline is not None:
            reference_of = lambda split, column, kind: sel.baseline["splits"][split]["columns"][column]  # noqa: E731
        else:
            reference_of = lambda split, column, kind: frame[column]  # noqa: E731
        return self._report(ctx, sel, columns, skipped, reference_of,
                            lambda split, column, kind: ctx.dataset.splits[split].frame[column])

    # ---------------------------------------------------------------- the result

    def _nothing(self, ctx: RunContext) -> CheckResult:
        p: DriftParams = self.params
        return self.skip(
            (
                f"nothing to compare: '{p.reference}' is the only split"
                if p.reference in ctx.dataset.splits
                else f"nothing to compare: no '{p.reference}' split to use as the reference (set reference:)"
            )
            + f"; reference: baseline compares with {LOCK_FILENAME}",
            metrics={"columns_drifted": 0, "share_drifted": 0.0, "columns_compared": 0},
        )

    def _report(self, ctx: RunContext, sel: _Selection, columns, skipped_columns, reference_of, current_of) -> CheckResult:
        """Compare each chosen column (``reference_of`` / ``current_of`` ``(split, column, kind)``:
        raw values, a sample or a lock profile) and word the result."""
        p: DriftParams = self.params
        results: list[tuple[str, str, DriftResult]] = []
        skipped: list[tuple[str, str, str]] = [(s, c, why) for s in sel.splits for c, why in skipped_columns[s]]
        pairs = [(split, column, kind) for split in sel.splits for column, kind in columns[split]]
        for split, column, kind in ctx.progress.track(pairs, len(pairs), "drift"):
            result = column_drift(
                reference_of(split, column, kind),
                current_of(split, column, kind),
                method=p.method,
                threshold=p.threshold,
                significance=p.significance,
                kind=kind if sel.baseline is None else None,
            )
            if result.compared:
                results.append((split, column, result))
            else:
                skipped.append((split, column, result.detail.removeprefix("not compared: ")))

        findings: list[Finding] = []
        for split in sel.splits:
            where = f"{split} (baseline)" if sel.baseline is not None else p.reference
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
        reference_name = p.reference if sel.baseline is None else "baseline"
        failed = share > p.max_drifted_share
        message = self._message(sel, results, drifted, skipped, share, reference_name)
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
