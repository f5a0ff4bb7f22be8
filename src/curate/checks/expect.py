"""``expect``: any Great Expectations 1.x expectation, written in the suite, with row-level findings.

Suite syntax (both forms)::

    checks:
      - expect:                                   # bare list: every split, severity error
          - expect_column_values_to_not_be_null: {column: text}
          - expect_column_values_to_be_in_set: {column: label, value_set: [world, sports]}
      - expect:
          severity: warning
          splits: [test]                          # default: every split
          max_findings_per_expectation: 1000      # row findings per expectation and split
          expectations:
            - expect_column_value_lengths_to_be_between: {column: text, min_value: 10}
            - expect_table_row_count_to_be_between: {min_value: 1000}

Every name is looked up in GX's own expectation registry and every entry is built as its
(pydantic) GX model while the suite is parsed, so a typo or a bad argument is a located suite
error before any data is read. GX would silently drop a repeated expectation; curate refuses
it instead, and accounts for every listed expectation in the result: one that raises inside
GX is a failure finding carrying GX's message, never a pass.

GX is imported only when a suite uses ``expect`` (it takes seconds to import). It runs with
an in-memory ephemeral context: no files, no usage statistics, no progress bars, no network.
One ExpectationSuite is built per check and validated once per split.

Findings: one per unexpected row (split, 0-based row, key, column; at most
``max_findings_per_expectation`` per expectation and split, plus one summary finding with the
full count when capped), one per split for table/aggregate expectations (observed value), and
one per split for an expectation GX could not evaluate. Metrics: ``expectations``, ``failed``
(expectations failing on any split), ``errors`` (expectations GX raised on), ``splits``, and per
split ``failed.<split>`` and ``unexpected.<split>`` (unexpected rows of the failing expectations).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Iterator

import pandas as pd
from pydantic import BeforeValidator, Field, PrivateAttr

from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.corrections import finding_position, normalise_text, plain
from curate.dataset import Dataset
from curate.errors import CurateError, did_you_mean
from curate.findings import CheckResult, Finding
from curate.spec import CheckSpec, Path_

# arguments that name columns the expectation reads (checked against the data before running)
COLUMN_ARGS = ("column", "column_A", "column_B", "column_list")
# GX fields curate sets itself (results must come back row-indexed and with exceptions caught)
RESERVED_ARGS = {
    "id": "curate assigns expectation ids",
    "batch_id": "curate builds the batches",
    "result_format": "curate asks GX for row-level results",
    "catch_exceptions": "curate always catches GX errors and reports them as failures",
    "rendered_content": "curate does not render GX output",
    "severity": "set 'severity' on the expect check instead",
    "windows": "GX Cloud windows are not supported",
}
# where curate tags each GX expectation with its position in the suite, to map results back
META_KEY = "curate_entry"
ENTRY_EXAMPLE = "'- expect_column_values_to_not_be_null: {column: text}'"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class ExpectParams(CheckParams):
    expectations: list[Any]
    splits: Annotated[list[str] | None, BeforeValidator(_as_list)] = None
    max_findings_per_expectation: int = Field(1000, ge=0)

    _entries: list["Entry"] = PrivateAttr(default_factory=list)  # filled by validate_params


@dataclass(frozen=True)
class Entry:
    """One validated expectation of the suite."""

    index: int
    name: str  # snake_case expectation type, e.g. expect_column_values_to_not_be_null
    kwargs: dict[str, Any]
    path: Path_  # param path of the entry's name, relative to the check's parameters

    @property
    def column(self) -> str | None:
        column = self.kwargs.get("column")
        return column if isinstance(column, str) else None

    @property
    def table_level(self) -> bool:
        """Expectations about the table's shape (columns may legitimately be missing)."""
        return self.name.startswith("expect_table_") or self.name == "expect_column_to_exist"


# --------------------------------------------------------------------------- GX, lazily


@functools.cache
def _gx() -> Any:
    """Import great_expectations quietly (first use only)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:
        gx_logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations  # noqa: F401  (registers every core expectation)
    return gx


@functools.cache
def expectation_types() -> dict[str, type]:
    """Every expectation GX knows, by snake_case name (its own registry, not a hand list)."""
    _gx()
    from great_expectations.expectations.registry import (
        get_expectation_impl,
        list_registered_expectation_implementations,
    )

    return {name: get_expectation_impl(name) for name in sorted(list_registered_expectation_implementations())}


def _build(entry: Entry, types: dict[str, type], meta: dict[str, Any] | None = None) -> Any:
    kwargs = dict(entry.kwargs)
    if meta:
        kwargs["meta"] = {**(kwargs.get("meta") or {}), **meta}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return types[entry.name](catch_exceptions=True, **kwargs)


@contextmanager
def _gx_context() -> Iterator[Any]:
    """An in-memory GX context with progress bars and analytics off; the caller's GX context
    (GX keeps a process-wide "current" one) is restored afterwards."""
    gx = _gx()
    from great_expectations.data_context.data_context.context_factory import project_manager
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    try:
        previous = project_manager.get_current_project()
    except Exception:  # no current context (GX raises DataContextRequiredError)
        previous = None
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    with warnings.catch_warnings(), _no_batch_fingerprints():
        warnings.simplefilter("ignore")
        try:
            yield gx.get_context(mode="ephemeral", project_config=config)
        finally:
            project_manager.set_project(previous)


@contextmanager
def _no_batch_fingerprints() -> Iterator[None]:
    """GX's pandas engine marks every batch under ``HASH_THRESHOLD`` bytes (1 GB) with a fingerprint:
    the md5 of pandas' hash of every cell of every column, for its data docs. curate never reads it,
    and on text it cost more than the expectations themselves (bench/RESULTS.md). The threshold is
    GX's module setting, put back on exit; a GX without it is left alone."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    saved = getattr(engine, "HASH_THRESHOLD", None)
    if saved is None:
        yield
        return
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = saved


def _in_sets(specs: list[CheckSpec]) -> dict[str, list[list[Any]]]:
    """column → value sets of the ``expect_column_values_to_be_in_set`` entries of ``specs``."""
    out: dict[str, list[list[Any]]] = {}
    for spec in specs:
        for entry in getattr(spec.params, "expectations", None) or []:
            if not isinstance(entry, dict) or len(entry) != 1:
                continue
            ((name, args),) = entry.items()
            if name == "expect_column_values_to_be_in_set" and isinstance(args, dict):
                column, values = args.get("column"), args.get("value_set")
                if isinstance(column, str) and isinstance(values, list):
                    out.setdefault(column, []).append(values)
    return out


# --------------------------------------------------------------------------- the check


@register
class ExpectCheck(Check):
    name = "expect"
    description = "Great Expectations expectations written in the suite, with row-level findings"
    Params = ExpectParams

    @classmethod
    def suggest(cls, finding: Finding, dataset: Dataset, specs: list[CheckSpec]) -> dict[str, Any] | None:
        """The canonical spelling of a value outside an ``expect_column_values_to_be_in_set`` set of
        the suite, when exactly one member normalises (NFKC, case, spaces) to the row's value."""
        in_sets = _in_sets(specs)
        if finding.column not in in_sets or finding.split not in dataset.splits:
            return None
        split = dataset.splits[finding.split]
        position = finding_position(split, finding.key, finding.row)
        if position is None or finding.column not in split.frame.columns:
            return None
        value = plain(split.frame[finding.column].iat[position])
        if not isinstance(value, str):
            return None
        candidates: set[str] = set()
        for values in in_sets[finding.column]:
            if value in values:
                return None  # valid for this expectation: the finding is about something else
            candidates |= {v for v in values if isinstance(v, str) and normalise_text(v) == normalise_text(value)}
        if len(candidates) != 1:
            return None
        (canonical,) = candidates
        return {
            finding.column: canonical,
            "confidence": 1.0,
            "reason": f"{finding.message}; canonical spelling in the expected set is {canonical!r}",
        }

    # ---------------------------------------------------------------- suite time

    @classmethod
    def prepare_params(cls, raw: Any) -> Any:
        return {"expectations": raw} if isinstance(raw, list) else raw

    @classmethod
    def validate_params(cls, spec: CheckSpec) -> None:
        prefix = _entries_prefix(spec)
        raw_entries = spec.params.expectations
        if not raw_entries:
            raise spec.error(prefix, f"expect: list at least one expectation, like {ENTRY_EXAMPLE}")
        types = expectation_types()
        entries: list[Entry] = []
        seen: dict[Any, Entry] = {}
        for index, raw in enumerate(raw_entries):
            entry, built = _parse_entry(spec, prefix, index, raw, types)
            identity = (entry.name, repr(built.dict(exclude={"id", "rendered_content", "notes", "meta"})))
            if identity in seen:
                first = seen[identity]
                where = spec.error(prefix + first.path, "")
                raise spec.error(
                    prefix + entry.path,
                    f"expect: {entry.name} repeats expectation #{first.index + 1}"
                    f"{f' (line {where.line})' if where.line else ''} with the same arguments; remove one",
                )
            seen[identity] = entry
            entries.append(entry)
        spec.params._entries = entries

    # ---------------------------------------------------------------- run time

    @property
    def entries(self) -> list[Entry]:
        if not self.params._entries:  # a spec built without the suite loader: validate it now
            type(self).validate_params(self.spec)
        return self.params._entries

    def _prefix(self) -> Path_:
        return _entries_prefix(self.spec)

    def _split_names(self, ctx: RunContext) -> list[str]:
        return list(self.params.splits) if self.params.splits else [str(s) for s in ctx.dataset.splits]

    def validate(self, ctx: RunContext) -> None:
        names = [str(s) for s in ctx.dataset.splits]  # split keys may be datasets.NamedSplit, not str
        for i, split in enumerate(self.params.splits or []):
            if split not in names:
                raise self.error(
                    ("splits", i),
                    f"{self.name}: unknown split '{split}'{did_you_mean(split, names)}; splits: {', '.join(names)}",
                )
        splits = self._split_names(ctx)
        prefix = self._prefix()
        for entry in self.entries:
            if entry.table_level:  # e.g. expect_column_to_exist: a missing column is its finding
                continue
            for arg in COLUMN_ARGS:
                value = entry.kwargs.get(arg)
                columns = [(value, (arg,))] if isinstance(value, str) else []
                if isinstance(value, (list, tuple)):
                    columns = [(str(column), (arg, k)) for k, column in enumerate(value)]
                for column, where in columns:
                    try:
                        self.require_column(ctx, column, prefix + entry.path + where, splits)
                    except CurateError as exc:
                        exc.message = exc.message.replace(f"{self.name}: ", f"{self.name}: {entry.name}: ", 1)
                        exc.args = (exc.message,)
                        raise

    def run(self, ctx: RunContext) -> CheckResult:
        gx = _gx()
        types = expectation_types()
        cap = self.params.max_findings_per_expectation
        result_format = (
            {"result_format": "SUMMARY", "partial_unexpected_count": cap, "return_unexpected_index_query": False}
            if cap
            else {"result_format": "BASIC", "return_unexpected_index_query": False}
        )
        splits = self._split_names(ctx)
        outcomes: dict[tuple[int, str], _Outcome] = {}
        with _gx_context() as context:
            batch_definition = (
                context.data_sources.add_pandas("curate")
                .add_dataframe_asset("frame")
                .add_batch_definition_whole_dataframe("whole")
            )
            suite = gx.ExpectationSuite(name=f"curate-{self.display_name}")
            for entry in self.entries:
                suite.add_expectation(_build(entry, types, meta={META_KEY: entry.index}))
            for split_name in ctx.progress.track(splits, len(splits), f"{self.display_name}: validating"):
                split = ctx.dataset.split(split_name)
                frame = split.frame
                if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1):
                    frame = frame.reset_index(drop=True)  # GX reports index labels; make them positions
                try:
                    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
                    results = batch.validate(suite, result_format=result_format).results
                except Exception as exc:  # the whole batch failed: every expectation is unaccounted for
                    results = []
                    batch_error = f"{type(exc).__name__}: {exc}"
                else:
                    batch_error = None
                by_entry = {}
                for res in results:
                    meta = res.expectation_config.meta or {}
                    by_entry[meta.get(META_KEY)] = res
                for entry in self.entries:
                    res = by_entry.get(entry.index)
                    if res is None:
                        reason = batch_error or "GX returned no result for this expectation"
                        outcomes[(entry.index, split_name)] = _Outcome(False, error=reason)
                    else:
                        outcomes[(entry.index, split_name)] = _outcome(res)
        return self._report(ctx, splits, outcomes, cap)

    def _report(
        self, ctx: RunContext, splits: list[str], outcomes: dict[tuple[int, str], "_Outcome"], cap: int
    ) -> CheckResult:
        findings: list[Finding] = []
        failed_entries: set[int] = set()
        failed_per_split = {s: 0 for s in splits}
        unexpected_per_split = {s: 0 for s in splits}
        raised: set[int] = set()
        for entry in self.entries:
            for split_name in splits:
                outcome = outcomes[(entry.index, split_name)]
                if outcome.success:
                    continue
                failed_entries.add(entry.index)
                failed_per_split[split_name] += 1
                unexpected_per_split[split_name] += outcome.unexpected_count or 0
                if outcome.error is not None:
                    raised.add(entry.index)
                findings.extend(_findings(entry, ctx.dataset.split(split_name), outcome, cap))

        total = len(self.entries)
        failed = len(failed_entries)
        errors = len(raised)
        metrics: dict[str, Any] = {"expectations": total, "failed": failed, "errors": errors, "splits": len(splits)}
        for split_name in splits:
            metrics[f"failed.{split_name}"] = failed_per_split[split_name]
            metrics[f"unexpected.{split_name}"] = unexpected_per_split[split_name]
        where = ", ".join(splits)
        if failed:
            per_split = ", ".join(f"{s}: {n}" for s, n in failed_per_split.items() if n)
            message = f"{failed} of {total} expectation{'s' if total != 1 else ''} failed ({per_split})"
            if errors:
                message += f"; {errors} raised an error in Great Expectations"
        else:
            message = f"all {total} expectation{'s' if total != 1 else ''} passed on {where}"
        return self.result(failed=bool(failed), message=message, metrics=metrics, findings=findings)


# --------------------------------------------------------------------------- parsing entries


def _entries_prefix(spec: CheckSpec) -> Path_:
    """Param path of the expectations list: ``expectations`` in the mapping form, the check
    itself in the bare-list form (``prepare_params`` wrapped it)."""
    return ("expectations",) if spec.path + ("expectations",) in spec.source.marks else ()


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _parse_entry(spec: CheckSpec, prefix: Path_, index: int, raw: Any, types: dict[str, type]) -> tuple[Entry, Any]:
    """One entry of the list, checked by building it as its GX model (returned too)."""
    if isinstance(raw, str):
        raw = {raw: None}
    if not isinstance(raw, dict) or len(raw) != 1:
        raise spec.error(
            prefix + (index,), f"expect: each expectation must be a single-key mapping like {ENTRY_EXAMPLE}"
        )
    name, kwargs = next(iter(raw.items()))
    path: Path_ = (index, name)
    name = str(name)
    if name not in types:
        hint = did_you_mean(name, types)
        if not hint and _camel_to_snake(name) in types:
            hint = f" (did you mean '{_camel_to_snake(name)}'?)"
        raise spec.error(
            prefix + path,
            f"expect: unknown expectation '{name}'{hint}; see great_expectations.expectations for the list",
        )
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, dict):
        raise spec.error(prefix + path, f"expect: arguments of {name} must be a mapping, like {{column: text}}")
    cls = types[name]
    allowed = [f for f in cls.__fields__ if f not in RESERVED_ARGS]
    for arg in kwargs:
        if not isinstance(arg, str):
            raise spec.error(prefix + path, f"expect: {name}: argument names must be strings, got {arg!r}")
        if arg in RESERVED_ARGS:
            raise spec.error(
                prefix + path + (arg,), f"expect: {name}: argument '{arg}' is not allowed ({RESERVED_ARGS[arg]})"
            )
        if arg not in cls.__fields__:
            raise spec.error(
                prefix + path + (arg,),
                f"expect: {name}: unknown argument '{arg}'{did_you_mean(arg, allowed)}; "
                f"arguments: {', '.join(_user_fields(cls))}",
            )
    entry = Entry(index, name, dict(kwargs), path)
    try:
        built = _build(entry, types)
    except Exception as exc:  # GX expectations are pydantic (v1 API) models
        raise _argument_error(spec, prefix + path, name, exc) from exc
    return entry, built


def _user_fields(cls: type) -> list[str]:
    """The arguments worth listing in an error: the expectation's own, not GX bookkeeping."""
    common = {"meta", "notes", "description"}
    return [f for f in cls.__fields__ if f not in RESERVED_ARGS and f not in common]


def _argument_error(spec: CheckSpec, path: Path_, name: str, exc: Exception) -> Exception:
    errors = exc.errors() if callable(getattr(exc, "errors", None)) else []
    if not errors:
        return spec.error(path, f"expect: {name}: invalid arguments: {exc}")
    # one problem per argument: pydantic reports each failed union member separately
    first: dict[str, dict] = {}
    for err in errors:
        loc = err.get("loc") or ("__root__",)
        first.setdefault(str(loc[0]), err)
    arg, err = next(iter(first.items()))
    if err.get("type") == "value_error.missing":
        return spec.error(path, f"expect: {name}: missing required argument '{arg}'")
    if arg == "__root__":
        return spec.error(path, f"expect: {name}: {err.get('msg')}")
    return spec.error(path + (arg,), f"expect: {name}: argument '{arg}': {err.get('msg')}")


# --------------------------------------------------------------------------- results → findings


@dataclass
class _Outcome:
    """What GX said about one expectation on one split."""

    success: bool
    error: str | None = None  # GX raised while evaluating the expectation
    unexpected_count: int | None = None
    element_count: int | None = None
    rows: list[int] | None = None  # first unexpected row positions (None: not a row-level expectation)
    values: list[Any] | None = None  # their values, aligned with ``rows`` when GX returned them
    observed: Any = None
    has_observed: bool = False
    details: Any = None


def _outcome(res: Any) -> _Outcome:
    error = _exception_message(res.exception_info)
    result = dict(res.result or {})
    if error is not None:
        return _Outcome(False, error=error)
    outcome = _Outcome(bool(res.success))
    outcome.unexpected_count = result.get("unexpected_count")
    outcome.element_count = result.get("element_count")
    rows = result.get("unexpected_index_list", result.get("partial_unexpected_index_list"))
    if rows is not None:
        outcome.rows = [int(r) for r in rows if _is_int(r)]
        values = result.get("unexpected_list", result.get("partial_unexpected_list"))
        if values is not None and len(values) == len(rows):
            outcome.values = list(values)
    if "observed_value" in result:
        outcome.has_observed = True
        outcome.observed = result["observed_value"]
    outcome.details = result.get("details")
    return outcome


def _is_int(value: Any) -> bool:
    try:
        return int(value) == value
    except (TypeError, ValueError):
        return False


def _exception_message(info: Any) -> str | None:
    """GX's error message when the expectation raised, else None.

    ``exception_info`` is either one ``{raised_exception, exception_message, ...}`` record or a
    mapping of metric ids to such records (one per metric that failed to compute).
    """
    if not info:
        return None
    records = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    messages = []
    for record in records:
        if record.get("raised_exception"):
            message = str(record.get("exception_message") or "unknown error").strip()
            if message not in messages:
                messages.append(message)
    return "; ".join(messages) if messages else None


def _findings(entry: Entry, split: Any, outcome: _Outcome, cap: int) -> list[Finding]:
    split_name = str(split.name)
    column = entry.column
    if outcome.error is not None:
        message = f"{entry.name}: Great Expectations raised an error: {outcome.error}"
        return [Finding(message, split=split_name, column=column)]
    if outcome.rows is None and outcome.unexpected_count is None:  # table/aggregate expectation
        if entry.name == "expect_column_to_exist":
            message = f"{entry.name}: column {_show(column)} is missing"
            if entry.kwargs.get("column_index") is not None:
                message = f"{entry.name}: column {_show(column)} is missing or not at the expected position"
            return [Finding(message, split=split_name, column=column)]
        if outcome.has_observed:
            message = f"{entry.name}: observed value {_show(outcome.observed)}"
        else:
            message = f"{entry.name}: expectation not met"
        if isinstance(outcome.details, dict) and outcome.details.get("mismatched"):
            message += f", mismatched {_show(outcome.details['mismatched'])}"
        expected = _expected(entry)
        return [Finding(f"{message} (expected {expected})" if expected else message, split=split_name, column=column)]
    findings = []
    rows = (outcome.rows or [])[:cap]
    for i, row in enumerate(rows):
        if not 0 <= row < len(split):
            continue
        ref = split.ref(row)
        value = outcome.values[i] if outcome.values is not None else _MISSING
        findings.append(
            Finding(
                f"{entry.name}: {_row_phrase(entry, value)}",
                split=str(ref.split),
                row=ref.row,
                key=ref.key,
                column=column,
            )
        )
    unexpected = outcome.unexpected_count or 0
    if unexpected > len(findings):
        of = f" of {outcome.element_count:,}" if outcome.element_count is not None else ""
        listed = f", {len(findings):,} listed (max_findings_per_expectation: {cap})" if cap else ""
        message = f"{entry.name}: {unexpected:,}{of} rows unexpected{listed}"
        findings.append(Finding(message, split=split_name, column=column))
    return findings


_MISSING = object()


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _show(value: Any, limit: int = 80) -> str:
    """A short, readable rendering of a value from GX results."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        try:
            value = value.item()
        except (ValueError, TypeError, AttributeError):
            pass
    if _is_null(value):
        return "null"
    if isinstance(value, tuple):
        text = "(" + ", ".join(_show(v, limit) for v in value) + ")"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_show(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, (list, set)):
        text = "[" + ", ".join(_show(v, limit) for v in value) + "]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _expected(entry: Entry) -> str:
    """The expectation's own arguments, for messages (``min_value=10, max_value=20``)."""
    skip = set(COLUMN_ARGS) | {"meta", "notes", "description", "mostly", "row_condition", "condition_parser"}
    if entry.table_level:
        skip -= {"column", "column_list"}
    parts = [f"{k}={_show(v, 60)}" for k, v in entry.kwargs.items() if k not in skip]
    return ", ".join(parts)


def _bounds(kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and high is not None:
        return f"between {_show(low)} and {_show(high)}"
    if low is not None:
        return f"at least {_show(low)}"
    if high is not None:
        return f"at most {_show(high)}"
    return "within bounds"


def _row_phrase(entry: Entry, value: Any) -> str:
    """What is wrong with one row, in the words of its expectation."""
    kw = entry.kwargs
    if entry.name == "expect_column_values_to_not_be_null":
        return "value is null"
    if value is _MISSING:
        return "unexpected value"
    shown = _show(value)
    if _is_null(value):
        return "value is null"
    phrases = {
        "expect_column_values_to_be_null": f"value {shown} is not null",
        "expect_column_values_to_be_in_set": f"value {shown} not in set",
        "expect_column_values_to_not_be_in_set": f"value {shown} is in the excluded set",
        "expect_column_values_to_be_unique": f"value {shown} is not unique",
        "expect_column_values_to_be_between": f"value {shown} not {_bounds(kw)}",
        "expect_column_values_to_match_regex": f"value {shown} does not match {_show(kw.get('regex'))}",
        "expect_column_values_to_not_match_regex": f"value {shown} matches {_show(kw.get('regex'))}",
        "expect_column_values_to_match_like_pattern": f"value {shown} does not match {_show(kw.get('like_pattern'))}",
        "expect_column_values_to_not_match_like_pattern": f"value {shown} matches {_show(kw.get('like_pattern'))}",
        "expect_column_values_to_match_strftime_format": (
            f"value {shown} does not match format {_show(kw.get('strftime_format'))}"
        ),
        "expect_column_values_to_be_dateutil_parseable": f"value {shown} is not a parseable date",
        "expect_column_values_to_be_json_parseable": f"value {shown} is not valid JSON",
        "expect_column_values_to_be_increasing": f"value {shown} is not increasing",
        "expect_column_values_to_be_decreasing": f"value {shown} is not decreasing",
    }
    if entry.name in phrases:
        return phrases[entry.name]
    if entry.name in ("expect_column_value_lengths_to_be_between", "expect_column_value_lengths_to_equal"):
        length = len(value) if isinstance(value, str) else None
        expected = _bounds(kw) if entry.name.endswith("between") else f"exactly {_show(kw.get('value'))}"
        return f"value {shown} has length {length}, expected {expected}" if length is not None else f"value {shown}"
    if isinstance(value, (tuple, dict)):
        columns = kw.get("column_list") or [kw.get("column_A"), kw.get("column_B")]
        return f"unexpected values {shown} in ({', '.join(str(c) for c in columns)})"
    return f"unexpected value {shown}"
