"""The contract every check family implements, modelled on one-class-per-issue-type registries.

A family is one module in ``curate.checks`` holding one :class:`Check` subclass decorated
with :func:`curate.checks.register`. It declares ``name``, ``description`` and a pydantic
``Params`` model (unknown parameters are rejected by the suite loader), checks its columns in
:meth:`Check.validate` before anything runs, and returns a :class:`CheckResult` from
:meth:`Check.run`.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from curate.context import RunContext
from curate.errors import CurateError, did_you_mean
from curate.findings import CheckResult, Finding, Status
from curate.suite import CheckSpec, Path_


class CheckParams(BaseModel):
    """Parameters every check accepts."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["error", "warning"] = "error"
    name: str | None = None  # display name in reports (defaults to the family name)


class Check:
    """Base class of a check family."""

    name: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[CheckParams]] = CheckParams

    def __init__(self, spec: CheckSpec) -> None:
        self.spec = spec
        self.params: Any = spec.params

    # ---------------------------------------------------------------- suite-time hooks

    @classmethod
    def prepare_params(cls, raw: Any) -> Any:
        """Reshape shorthand YAML (e.g. a bare list) into the Params mapping."""
        return raw

    @classmethod
    def validate_params(cls, spec: CheckSpec) -> None:
        """Checks that need no data (e.g. that an expectation type exists). Raise CurateError."""

    # ---------------------------------------------------------------- run-time hooks

    def validate(self, ctx: RunContext) -> None:
        """Check the parameters against the loaded data (columns, splits). Raise CurateError."""

    def run(self, ctx: RunContext) -> CheckResult:
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers

    @property
    def display_name(self) -> str:
        return self.params.name or self.name

    def error(self, param_path: Path_, message: str) -> CurateError:
        """A suite error located at one of this check's parameters."""
        return self.spec.error(param_path, message)

    def require_column(self, ctx: RunContext, column: str, param_path: Path_, splits: list[str] | None = None) -> None:
        """Raise a located error unless ``column`` exists in every named split (default: all)."""
        for split_name in splits or list(ctx.dataset.splits):
            columns = list(ctx.dataset.splits[split_name].frame.columns)
            if column not in columns:
                raise self.error(
                    param_path,
                    f"{self.name}: column '{column}' not found in split '{split_name}'"
                    f"{did_you_mean(column, columns)}",
                )

    def require_columns(self, ctx: RunContext, columns: list[str] | None, param: str) -> None:
        """``require_column`` for each entry of a list parameter (errors point at the entry)."""
        for i, column in enumerate(columns or []):
            self.require_column(ctx, column, (param, i))

    def require_split(self, ctx: RunContext, split: str, param_path: Path_) -> None:
        if split not in ctx.dataset.splits:
            names = list(ctx.dataset.splits)
            raise self.error(param_path, f"{self.name}: unknown split '{split}'{did_you_mean(split, names)}; splits: {', '.join(names)}")

    def result(
        self,
        *,
        failed: bool,
        message: str,
        metrics: dict[str, Any] | None = None,
        findings: list[Finding] | None = None,
        tables: dict[str, list[dict[str, Any]]] | None = None,
    ) -> CheckResult:
        """A result whose status follows the check's ``severity`` when it fails."""
        status = Status.PASS
        if failed:
            status = Status.FAIL if self.params.severity == "error" else Status.WARN
        return CheckResult(
            check=self.name,
            name=self.display_name,
            status=status,
            message=message,
            metrics=metrics or {},
            findings=findings or [],
            severity=self.params.severity,
            tables=tables or {},
        )


    def skip(
        self,
        message: str,
        metrics: dict[str, Any] | None = None,
        tables: dict[str, list[dict[str, Any]]] | None = None,
    ) -> CheckResult:
        """A ``skip`` result: the check could not judge (``message`` says why); never fails a run."""
        return CheckResult(
            check=self.name,
            name=self.display_name,
            status=Status.SKIP,
            message=message,
            metrics=metrics or {},
            severity=self.params.severity,
            tables=tables or {},
        )


def timed_run(check: Check, ctx: RunContext) -> CheckResult:
    """Run a check, recording its wall time."""
    start = time.perf_counter()
    result = check.run(ctx)
    result.seconds = time.perf_counter() - start
    return result
