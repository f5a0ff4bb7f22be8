"""The contract every check family implements, modelled on one-class-per-issue-type registries.

A family is one module in ``curate.checks`` holding one :class:`Check` subclass decorated
with :func:`curate.checks.register`. It declares ``name``, ``description`` and a pydantic
``Params`` model (unknown parameters are rejected by the suite loader), checks its columns in
:meth:`Check.validate` before anything runs, and returns a :class:`CheckResult` from
:meth:`Check.run`.

What the rest of curate does with a family's results is declared on its class too, so no other
module names a family: corrections ask :attr:`Check.value_fix` and :meth:`Check.suggest`, the
reports and the dataset card ask :meth:`Check.render_tables` and :attr:`Check.card_section`, the
fairness impact of a fix asks :attr:`Check.tables_layout`, and families share work through named
artefacts (:attr:`Check.publishes`, :meth:`Check.artefact`, ``RunContext.publish/artefact``) and
intermediate results (:attr:`Check.shares`, ``RunContext.shared``).
Those modules find the class of a result with :func:`hooks`.

**Partitions.** A family whose evidence adds up over rows (counts per class, per group) or is
judged row by row (findings by row position) declares ``needs = "partitions"`` and splits its
work the way deepchecks' ``initialize_run / update / compute`` and pandera's API/backend split do,
so that an engine decides where rows are read:

* :meth:`Check.plan` ``(ctx) → Plan`` before any row is read: which splits and columns it reads
  (a :class:`Plan`, which it may subclass to carry its decisions), or a ``CheckResult`` decided
  without data (a skip), or None when this configuration needs every row at once (then
  :meth:`Check.collect` runs on pandas frames);
* :meth:`Check.map` ``(plan, split, partition) → state`` on one partition of one split, a pandas
  DataFrame of the plan's columns whose index is the rows' positions in their split; states
  must be small (counts), they travel from the workers;
* :meth:`Check.combine` ``(plan, states) → state``: associative, so partial results may be
  combined in any grouping;
* :meth:`Check.judge` ``(plan, state, ctx) → CheckResult`` from the combined state; where a
  decision needs more than the state holds (the rows of a value only judged on the combined
  counts), judge maps again with a plan naming just that (``ctx.engine.states(self, plan, ...)``).

``RunContext.engine`` yields the states: the pandas engine maps each data file's rows in
process, the Dask engine (:mod:`curate.engines.dask`) each partition on its workers. Both run
the same ``map`` / ``combine`` / ``judge``, so there is one implementation of a family's
arithmetic and the engines agree by construction. Families that must see every row at once
keep ``needs = "collect"`` (the default) and implement :meth:`Check.run` on pandas frames.
"""

from __future__ import annotations

import importlib.util
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from curate.checks import _REGISTRY, family
from curate.confine import inside
from curate.errors import CurateError, did_you_mean
from curate.findings import CheckResult, Finding, Status
from curate.spec import CheckSpec, Path_

if TYPE_CHECKING:  # annotations only: the run context holds checks' results, so it imports this module
    from curate.context import RunContext
    from curate.dataset import Dataset

Medium = Literal["markdown", "console", "card"]
Needs = Literal["collect", "partitions"]


@dataclass(frozen=True)
class Plan:
    """What a partitioned family reads, decided before any row is read (sent to the workers: keep
    it small and picklable). Families subclass it to carry their own decisions."""

    splits: tuple[str, ...]  # the splits whose partitions are mapped, in the order judge reports them
    columns: tuple[str, ...]  # the columns map reads (engines read only these where the format allows)


def merge_per_split(states: list[dict[str, dict[Any, Any]]], merge: Any) -> dict[str, dict[Any, Any]]:
    """The common ``combine`` of states shaped ``{split: {key: part}}`` (a part per column, say):
    parts under the same split and key are reduced with ``merge(a, b)``, associative as ``combine``
    must be; a key only one state has keeps its part."""
    out: dict[str, dict[Any, Any]] = {}
    for state in states:
        for split, parts in state.items():
            mine = out.setdefault(split, {})
            for key, part in parts.items():
                mine[key] = merge(mine[key], part) if key in mine else part
    return out


class CheckParams(BaseModel):
    """Parameters every check accepts."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["error", "warning"] = "error"
    name: str | None = None  # display name in reports (defaults to the family name)


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


class Check:
    """Base class of a check family."""

    name: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[CheckParams]] = CheckParams

    # ---------------------------------------------------------------- declarations other modules read

    value_fix: ClassVar[bool] = False
    """True when an ``update`` suggestion corrects a *value* (a misspelt label), not one row: the
    corrections engine applies it to every row of the split holding that value in that column."""

    publishes: ClassVar[tuple[str, ...]] = ()
    """Names of the run-context artefacts this family provides to families that run after it
    (see :meth:`artefact` and ``RunContext.artefact``)."""

    shares: ClassVar[tuple[str, ...]] = ()
    """Kinds of shared intermediate results this family reads from ``ctx.shared`` (see
    :mod:`curate.shared`): the runner keeps a kind's values only while a check still to run
    declares it."""

    consumes: ClassVar[dict[str, tuple[str, ...]]] = {}
    """Artefact name → the tables of this family's result built from it. Those tables are kept out
    of published text (the dataset card) when the result that provided the artefact distrusts its
    own model (``metrics["guard"]``)."""

    card_section: ClassVar[str | None] = None
    """Heading of the dataset-card section this family's result writes (through
    :meth:`render_tables` with medium ``card``); None: the family feeds no card section."""

    tables_layout: ClassVar[str | None] = None
    """The layout of ``result.tables`` when other modules read its rows: ``"group_rates"`` is the
    layout of group shares and label rates (``summary``, ``base_rates``, ``disparities``, …) that
    ``curate.export.impact`` compares before and after a fix."""

    needs: ClassVar[Needs] = "collect"
    """``"collect"``: :meth:`run` gets pandas frames of whole splits. ``"partitions"``: the family
    implements :meth:`plan`, :meth:`map`, :meth:`combine` and :meth:`judge` (see the module
    docstring) and any engine can run it partition by partition."""

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

    # ---------------------------------------------------------------- result-time hooks

    @classmethod
    def suggest(cls, finding: Finding, dataset: Dataset, specs: list[CheckSpec]) -> dict[str, Any] | None:
        """A correction for one of this family's findings that carries no ``suggestion``, derived
        when fixes are built (``specs``: the suite's entries of this family; empty without a
        suite). Same shape as ``Finding.suggestion``; None: no fix."""
        return None

    @classmethod
    def render_tables(cls, result: Any, medium: Medium, *, heading_level: int | None = None) -> Any:
        """The tables this family keeps besides findings (``result.tables``), rendered for a report
        or the card: ``markdown`` → a list of lines, ``console`` → a rich renderable or None,
        ``card`` → the markdown of :attr:`card_section` (heading at ``heading_level``, default 2)
        or None. ``result`` may be a CheckResult or its JSON form. Default: nothing to show."""
        return [] if medium == "markdown" else None

    @classmethod
    def artefact(cls, name: str, result: CheckResult) -> Any:
        """The artefact ``name`` (one of :attr:`publishes`) as it follows from one of this family's
        results, for artefacts that are a function of the result; None when the result provides
        none. Artefacts computed along the way are published with ``ctx.publish`` instead."""
        return None

    # ---------------------------------------------------------------- run-time hooks

    def validate(self, ctx: RunContext) -> None:
        """Check the parameters against the loaded data (columns, splits). Raise CurateError."""

    def run(self, ctx: RunContext) -> CheckResult:
        """Run the check. A partitioned family is run through ``plan`` → the engine's ``map`` per
        partition → ``combine`` → ``judge``; a collecting family overrides this."""
        if self.needs != "partitions":
            raise NotImplementedError
        plan = self.plan(ctx)
        if isinstance(plan, CheckResult):
            return plan
        if plan is None:
            return self.collect(ctx)
        return self.judge(plan, self.combine(plan, ctx.engine.states(self, plan, ctx.dataset)), ctx)

    # ---------------------------------------------------------------- the partition protocol

    def plan(self, ctx: RunContext) -> Plan | CheckResult | None:
        """Before rows are read: what to read (a :class:`Plan`), a result that needs no rows (a
        skip), or None when this configuration must see every row at once (:meth:`collect`)."""
        raise NotImplementedError

    def map(self, plan: Plan, split: str, partition: Any) -> Any:
        """The small state (counts) of one partition of ``split`` (a pandas DataFrame of
        ``plan.columns``, indexed by row position in the split). Runs on a worker."""
        raise NotImplementedError

    def combine(self, plan: Plan, states: list[Any]) -> Any:
        """One state from several (associative: any grouping of partitions gives the same state)."""
        raise NotImplementedError

    def judge(self, plan: Plan, state: Any, ctx: RunContext) -> CheckResult:
        """The result from the combined state of every partition of the plan's splits."""
        raise NotImplementedError

    def collect(self, ctx: RunContext) -> CheckResult:
        """A partitioned family's run on whole pandas frames, for the configurations whose
        :meth:`plan` returns None."""
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers

    @property
    def display_name(self) -> str:
        return self.params.name or self.name

    def error(self, param_path: Path_, message: str) -> CurateError:
        """A suite error located at one of this check's parameters."""
        return self.spec.error(param_path, message)

    def suite_came_with_data(self, ctx: RunContext) -> bool:
        """Whether this entry's suite file lies in the dataset folder (untrusted, like the data)."""
        return _inside_folder(self.spec.source.file, ctx.dataset.root)

    def param_path(self, ctx: RunContext, value: str, param_path: Path_) -> Path:
        """A file or folder named by a parameter, relative to the dataset folder. A suite that came
        with the data (the dataset's own curate.yaml) is untrusted: its paths must stay inside the
        dataset folder (SECURITY.md). A suite given with --suite may name any path."""
        if not self.suite_came_with_data(ctx):
            return ctx.dataset.root / value
        try:
            return inside(ctx.dataset.root, value, what=f"{self.name} parameter")
        except CurateError as exc:
            raise self.error(param_path, exc.message) from None

    def require_column(self, ctx: RunContext, column: str, param_path: Path_, splits: list[str] | None = None) -> None:
        """Raise a located error unless ``column`` exists in every named split (default: all)."""
        for split_name in splits or list(ctx.dataset.splits):
            columns = ctx.dataset.splits[split_name].columns
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


def _inside_folder(file: str, folder: Path) -> bool:
    """Whether the suite file ``file`` lies in the dataset ``folder`` (a suite that came with the data)."""
    try:
        Path(file).resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def hooks(check: str) -> type[Check]:
    """The class of the family named ``check`` (a result's ``check``), or :class:`Check` itself for a
    name no family has (a hand-written correction, a report from elsewhere): its hooks do nothing."""
    if not isinstance(check, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", check) or check == "base":
        return _REGISTRY.get(check, Check) if isinstance(check, str) else Check
    if check not in _REGISTRY and importlib.util.find_spec(f"curate.checks.{check}") is None:
        return Check  # not a family: no need to import every family module to find out
    return family(check) or Check


def timed_run(check: Check, ctx: RunContext) -> CheckResult:
    """Run a check, recording its wall time."""
    start = time.perf_counter()
    result = check.run(ctx)
    result.seconds = time.perf_counter() - start
    return result
