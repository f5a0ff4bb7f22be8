"""``schema``: the data against its recorded baseline (``curate.lock.json``) and against the owner's
declared features (the card's, or Kaggle / Frictionless metadata).

The family finds the baseline and the declared features and gates on the result; the comparison
itself is :func:`curate.schema_compare.compare_schema`, which ``curate diff`` uses too, so both report
the same things in the same words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from curate.baseline import LOCK_FILENAME, check_lock, read_lock
from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.errors import CurateError
from curate.findings import CheckResult
from curate.schema_compare import SchemaOptions, compare_schema, schema_result


# =========================================================================== the check


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

    def validate(self, ctx: RunContext) -> None:
        """Load the baseline now so a missing or broken lock stops the run before any check starts."""
        self._loaded = self._load_baseline(ctx)

    def run(self, ctx: RunContext) -> CheckResult:
        baseline, lock_path = getattr(self, "_loaded", None) or self._load_baseline(ctx)
        layout = ctx.dataset.layout
        features = layout.features if self.params.check_card else {}
        baseline_name = f"the baseline ({ctx.dataset.relpath(lock_path)})" if baseline and lock_path else None
        features_source = f"the {layout.features_source or 'declared features'}"
        compared = [name for name, used in ((baseline_name, baseline), (features_source, features)) if name and used]
        options = SchemaOptions(
            self.params.max_null_rate_increase, self.params.new_categories, frozenset(self.params.ignore_columns)
        )
        issues = compare_schema(
            baseline, ctx.dataset, features, options=options,
            baseline_name=baseline_name or "the baseline", features_source=features_source,
        )
        return schema_result(issues, compared, name=self.display_name, severity=self.params.severity)

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
