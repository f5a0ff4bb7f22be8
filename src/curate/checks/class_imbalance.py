"""``class_imbalance``: how the labels are spread, per split, and how the splits disagree.

On the label column (``label``, else the dataset's label role; skipped without one):

* **rare classes**: a class holding less than ``min_share`` of a split's labelled rows (default:
  a fifth of a uniform share, ``0.2 / K`` for K classes) or fewer than ``min_count`` rows while
  another class has more — too few to learn or to evaluate on (a split too small for any class
  to reach ``min_count`` is judged by shares alone);
* **missing classes**: a class seen in one split but absent from another (a test split without a
  class measures nothing about it; a class only in test was never trained on);
* **label drift**: each split's label distribution against the reference split (the first
  training split), by Jensen–Shannon distance (base 2) over ``max_distance`` — the drift
  family's categorical measure, so the two agree — and a chi-square p-value under
  ``max_pvalue`` (0.01), so a split too small to tell is not called drifted.

The ``distribution`` table holds every split's count and share per class. Findings are about a
split and the label column, not rows (no suggestion: rebalancing is a modelling decision).
Pass/fail: any finding fails (``severity: warning`` reports without failing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, CheckParams, Plan
from curate.context import RunContext
from curate.dataset import split_order
from curate.findings import CheckResult, Finding, plural
from curate.stats import chisquare_pvalue, jensenshannon_distance


class ClassImbalanceParams(CheckParams):
    label: str | None = None  # default: the label column
    min_share: float | None = Field(default=None, gt=0.0, lt=1.0)  # default 0.2 / number of classes
    min_count: int = Field(default=10, ge=0)
    max_distance: float = Field(default=0.1, gt=0.0, le=1.0)  # Jensen–Shannon distance between splits
    max_pvalue: float = Field(default=0.01, gt=0.0, le=1.0)  # drift must also be unlikely by chance
    reference: str | None = None  # default: the first training split


@dataclass(frozen=True)
class LabelPlan(Plan):
    label: str = ""


def label_key(value: Any) -> str:
    """Labels compared as text, so 1 and "1" (a CSV and a Parquet split) are one class."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


@register
class ClassImbalance(Check):
    name: ClassVar[str] = "class_imbalance"
    description: ClassVar[str] = "Label distribution per split: rare classes, classes missing from a split, label drift"
    Params = ClassImbalanceParams
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        if self.params.label:
            self.require_column(ctx, self.params.label, ("label",))
        if self.params.reference:
            self.require_split(ctx, self.params.reference, ("reference",))

    # partitioned: the evidence is the rows per (split, class), which adds up over partitions
    def plan(self, ctx: RunContext) -> "LabelPlan | CheckResult":
        label = self.params.label or ctx.roles.label
        if not label:
            return self.skip("no label column (declare dataset.label or set label)")
        splits = tuple(name for name, split in ctx.dataset.splits.items() if label in split.columns)
        return LabelPlan(splits, (label,), label)

    def map(self, plan: "LabelPlan", split: str, partition: pd.DataFrame) -> dict[str, Counter[str]]:
        """Rows per class (as :func:`label_key` text) in one partition of ``split``."""
        values = partition[plan.label]
        counts: Counter[str] = Counter()
        if values.dtype == object:  # mixed values (1 and True hash alike): convert before counting
            counts.update(values.dropna().map(label_key).value_counts().to_dict())
        else:
            for value, n in values.value_counts(dropna=True).items():
                counts[label_key(value)] += int(n)
        return {split: counts}

    def combine(self, plan: "LabelPlan", states: list[dict[str, Counter[str]]]) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for state in states:
            for split, counts in state.items():
                out.setdefault(split, Counter()).update(counts)
        return out

    def judge(self, plan: "LabelPlan", state: dict[str, Counter[str]], ctx: RunContext) -> CheckResult:
        label = plan.label
        counts = {name: pd.Series(state.get(name, {}), dtype="int64") for name in plan.splits}
        counts = {name: c for name, c in counts.items() if c.sum()}
        if not counts:
            return self.skip(f"no labelled rows in '{label}'")
        classes = sorted(set().union(*[set(c.index) for c in counts.values()]), key=lambda c: (len(c), c))
        table = pd.DataFrame({name: c.reindex(classes, fill_value=0) for name, c in counts.items()}).astype(int)
        findings = self._rare(table, label) + self._missing(table, label) + self._drift(table, label, ctx)
        rows = [{"split": s, "class": c, "count": int(table.at[c, s]), "share": round(table.at[c, s] / table[s].sum(), 6)}
                for s in table.columns for c in classes]
        metrics: dict[str, Any] = {"classes": len(classes), "findings": len(findings)}
        for s in table.columns:
            shares = table[s] / table[s].sum()
            metrics[f"imbalance_ratio.{s}"] = round(float(table[s].max() / max(table[s][table[s] > 0].min(), 1)), 4)
            metrics[f"smallest_share.{s}"] = round(float(shares.min()), 6)
        spread = "; ".join(f"{s}: " + ", ".join(f"{c} {table.at[c, s] / table[s].sum():.1%}" for c in classes[:8])
                           + (" …" if len(classes) > 8 else "") for s in table.columns)
        if findings:
            message = f"{plural(len(findings), 'label distribution problem')} in '{label}' ({spread})"
        else:
            message = f"label distribution of '{label}' within limits ({spread})"
        return self.result(failed=bool(findings), message=message, metrics=metrics, findings=findings,
                           tables={"distribution": rows})

    def _rare(self, table: pd.DataFrame, label: str) -> list[Finding]:
        p: ClassImbalanceParams = self.params
        floor = p.min_share if p.min_share is not None else 0.2 / len(table.index)
        out = []
        for split in table.columns:
            total = int(table[split].sum())
            # a split where no class reaches min_count is small, not imbalanced: only shares count
            few_matter = int(table[split].max()) >= p.min_count
            for cls, n in table[split].items():
                share = n / total
                if n and (share < floor or (few_matter and n < p.min_count)):
                    why = f"under {floor:.2%}" if share < floor else f"fewer than {p.min_count} rows"
                    out.append(Finding(f"rare class {cls!r}: {n:,} of {total:,} rows ({share:.2%}, {why})",
                                       split=split, column=label, score=1 - share))
        return out

    def _missing(self, table: pd.DataFrame, label: str) -> list[Finding]:
        out = []
        for split in table.columns:
            absent = [c for c in table.index if table.at[c, split] == 0]
            for cls in absent:
                where = [s for s in table.columns if table.at[cls, s] > 0]
                out.append(Finding(f"class {cls!r} is missing here but present in {', '.join(where)} "
                                   f"({', '.join(f'{table.at[cls, s]:,}' for s in where)} rows)",
                                   split=split, column=label, score=1.0))
        return out

    def _drift(self, table: pd.DataFrame, label: str, ctx: RunContext) -> list[Finding]:
        p: ClassImbalanceParams = self.params
        if len(table.columns) < 2:
            return []
        reference = p.reference or split_order(list(table.columns))[0]
        ref = table[reference].to_numpy(dtype=float)
        out = []
        for split in table.columns:
            if split == reference:
                continue
            cur = table[split].to_numpy(dtype=float)
            distance = float(jensenshannon_distance(ref, cur))
            pvalue = chisquare_pvalue(ref, cur) if distance > p.max_distance else 1.0
            if pvalue < p.max_pvalue:  # a distance that chance explains (a two-row split) is not drift
                moved = np.argsort(-np.abs(cur / cur.sum() - ref / ref.sum()))[:3]
                detail = ", ".join(f"{table.index[i]} {ref[i] / ref.sum():.1%} → {cur[i] / cur.sum():.1%}" for i in moved)
                out.append(Finding(f"label drift vs {reference}: Jensen–Shannon distance {distance:.3f} > "
                                   f"{p.max_distance} (chi-square p={pvalue:.2g}); {detail}",
                                   split=split, column=label, score=distance))
        return out
