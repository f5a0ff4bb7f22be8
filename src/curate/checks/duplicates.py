"""``duplicates``: rows that are exact copies of an earlier row of the same split, after normalisation.

Values are compared column by column after the normalisation the suite chooses (``normalize``:
Unicode NFKC, case, whitespace on by default; punctuation off), using pandas/pyarrow hash
factorisation (:func:`curate.dedup.row_codes`). Rows with equal values in every compared column
form a group; the first row of the group is kept and every later copy is a finding that points
at it through ``related`` and suggests deleting the copy (``{"action": "delete", "confidence":
1.0}``).

Columns: all but the key by default, so rows that differ only in their identifier are
duplicates; list ``columns`` to compare fewer (e.g. ``[text]`` for repeated texts whatever their
label; identical texts with *different* labels are the ``conflicting_labels`` check's).

A missing value (null, NaN, or a text that is empty after normalisation) never equals anything,
not even another missing value: rows with one in a compared column are never duplicates, and
the metrics count them (``rows_with_missing``). Copies in *different* splits are the ``leakage``
check's business; this check compares rows within each split.

Pass/fail: ``max_count`` (rows to delete) and/or ``max_share`` (of the compared rows); with
neither set, any duplicate fails the check.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, field_validator, model_validator

from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.dataset import Split
from curate.dedup import Normalization, coerce_normalization, groups_from_codes, row_codes
from curate.findings import CheckResult, Finding, RowRef

# ---------------------------------------------------------------------------- shared by the
# duplicate families (duplicates, conflicting_labels, near_duplicates, leakage)


class LimitParams(CheckParams):
    """Pass/fail limits: the check fails when the count of flagged rows exceeds ``max_count`` or
    their share exceeds ``max_share``; with neither set, when any row is flagged."""

    max_count: int | None = Field(default=None, ge=0)
    max_share: float | None = Field(default=None, ge=0.0, le=1.0)

    def exceeded(self, count: int, share: float) -> bool:
        if self.max_count is None and self.max_share is None:
            return count > 0
        return (self.max_count is not None and count > self.max_count) or (
            self.max_share is not None and share > self.max_share
        )

    def limit_text(self, count: int, share: float) -> str:
        """'; within max_share 5%' when flagged rows are tolerated by a limit."""
        if count and not self.exceeded(count, share):
            parts = []
            if self.max_count is not None:
                parts.append(f"max_count {self.max_count}")
            if self.max_share is not None:
                parts.append(f"max_share {self.max_share:.2%}")
            return f"; within {' and '.join(parts)}"
        return ""


class NormalizeParams(CheckParams):
    normalize: Normalization = Field(default_factory=Normalization)

    @field_validator("normalize", mode="before")
    @classmethod
    def _normalize_shorthand(cls, value: Any) -> Any:
        return coerce_normalization(value)


def split_order(names: list[str], order: list[str] | None = None) -> list[str]:
    """Splits by precedence: ``order`` first (as given), then training splits, then validation,
    then test, then the rest, each in dataset order. The earliest split keeps shared rows."""
    if order:
        return list(order) + [n for n in names if n not in order]

    def rank(name: str) -> int:
        low = name.lower()
        if re.match(r"^(train|training)(\b|_|-|$)", low) or low.startswith("train"):
            return 0
        if re.match(r"^(validation|valid|val|dev|development)(\b|_|-|$)", low):
            return 1
        if low.startswith(("test", "eval")):
            return 2
        return 3

    return sorted(names, key=lambda n: (rank(n), names.index(n)))


def row_refs(split: Split, rows: Any) -> list[RowRef]:
    """``split.ref`` for many rows at once (one vectorised gather of the keys)."""
    rows = np.asarray(rows, dtype=np.int64)
    keys = split.keys.take(rows).tolist() if len(rows) else []
    return [RowRef(split.name, int(r), str(k)) for r, k in zip(rows.tolist(), keys)]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def describe_ref(split: str, row: int, key: str, *, same_split: str | None = None) -> str:
    where = "row" if split == same_split else f"{split} row"
    return f"{where} {row} (key {key})"


def python_value(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value (for JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------------- the check


class DuplicatesParams(LimitParams, NormalizeParams):
    columns: list[str] | None = None  # default: every column except the key

    @model_validator(mode="after")
    def _columns_not_empty(self) -> DuplicatesParams:
        if self.columns is not None and not self.columns:
            raise ValueError("columns: list at least one column (or leave it out for all but the key)")
        return self


def common_columns(ctx: RunContext, exclude: tuple[str | None, ...] = ()) -> list[str]:
    """Columns present in every split, in first-seen order, less ``exclude``."""
    frames = [s.frame for s in ctx.dataset.splits.values()]
    return [c for c in ctx.dataset.columns if c not in exclude and all(c in f.columns for f in frames)]


@register
class Duplicates(Check):
    name: ClassVar[str] = "duplicates"
    description: ClassVar[str] = "Rows that repeat an earlier row of the same split (after normalising case, whitespace, Unicode)"
    Params = DuplicatesParams

    def validate(self, ctx: RunContext) -> None:
        for i, column in enumerate(self.params.columns or []):
            self.require_column(ctx, column, ("columns", i))

    def run(self, ctx: RunContext) -> CheckResult:
        p: DuplicatesParams = self.params
        findings: list[Finding] = []
        total = groups = missing = 0
        per_split: dict[str, int] = {}
        compared: list[str] = []
        splits = list(ctx.dataset.splits.values())
        for split in ctx.progress.track(splits, len(splits), "duplicates"):
            frame = split.frame
            columns = p.columns or [c for c in frame.columns if c != ctx.roles.key]
            if not columns:
                continue
            compared = columns
            codes = row_codes(frame, columns, p.normalize)
            total += len(frame)
            missing += int((codes < 0).sum())
            rows, offsets = groups_from_codes(codes)
            if not len(rows):
                continue
            # which copies are byte-identical to the kept row (no normalisation needed)
            raw = row_codes(frame.iloc[rows], columns, Normalization(unicode=False, case=False, whitespace=False))
            column = columns[0] if len(columns) == 1 else None
            found = 0
            refs = row_refs(split, rows)
            for g in range(len(offsets) - 1):
                members = range(offsets[g], offsets[g + 1])
                kept = refs[offsets[g]]
                kept_raw = raw[offsets[g]]
                size = offsets[g + 1] - offsets[g]
                groups += 1
                for m in list(members)[1:]:
                    ref = refs[m]
                    how = "exact duplicate" if raw[m] == kept_raw and kept_raw >= 0 else "duplicate after normalisation"
                    others = f"; group of {size}" if size > 2 else ""
                    text = f"{how} of {describe_ref(kept.split, kept.row, kept.key, same_split=ref.split)}{others}"
                    findings.append(
                        Finding(
                            text,
                            split=ref.split,
                            row=ref.row,
                            key=ref.key,
                            column=column,
                            related=[kept],
                            suggestion={"action": "delete", "confidence": 1.0, "reason": text},
                            score=1.0,
                        )
                    )
                    found += 1
            per_split[split.name] = found
        count = len(findings)
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {
            "duplicates": count,
            "groups": groups,
            "share": round(share, 6),
            "rows": total,
            "rows_with_missing": missing,
        }
        for name, n in per_split.items():
            metrics[f"duplicates.{name}"] = n
        cols = ", ".join(compared) if p.columns else "all columns but the key"
        if count:
            message = (f"{plural(count, 'duplicate row')} in {plural(groups, 'group')} "
                       f"({share:.2%} of {total:,} rows; compared {cols}; normalised: {p.normalize.describe()})")
        else:
            message = f"no duplicate rows in {total:,} rows (compared {cols}; normalised: {p.normalize.describe()})"
        message += p.limit_text(count, share)
        if missing:
            message += f"; {plural(missing, 'row')} with a missing value not compared"
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)
