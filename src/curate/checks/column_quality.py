"""``column_quality``: columns that are broken as a whole — the problems a curator sees at a glance.

Per split and column (all columns by default, or ``columns``):

* **all-null**, **constant** (one value in every non-null row) and **mostly-null**
  (null share ≥ ``mostly_null``) columns: column-level findings, nothing to learn from them;
* **padded categories**: leading/trailing whitespace in the values of a categorical column (a
  string column with at most ``max_categories`` distinct values, not the text column). Where the
  padded values are a minority (≤ ``max_fix_share`` of the column's rows) each row is a finding
  whose suggestion is the trimmed value; where nearly every value is padded (UCI Adult's
  ``", "`` separator) it is a reading convention, reported once for the column (read with
  ``skipinitialspace`` or strip the column) without thousands of row edits;
* **spelling variants**: categories equal after Unicode NFKC, case folding and dropping
  spaces, hyphens, underscores, dots and apostrophes (``Sci-Fi`` / ``SciFi`` / ``sci fi``); rows with a minority
  spelling suggest the group's most frequent one;
* **mixed types**: a string column whose values are numbers except a few (``?``, ``n/a``,
  ``12 kg``), reported with examples;
* **spreadsheet damage**: ids in scientific notation (``5.70306E+17`` as text, or large
  integral floats with ≤ 6 significant digits that collide) — the digits are gone for good;
* **identifier-like columns**: a column other than the key whose every value is distinct and
  that looks like an id (id-like name, a 0/1-step integer sequence, or URLs): a model would learn
  nothing from it but row identity;
* **duplicate header names** in CSV/TSV files, read from the raw header line (readers rename
  the second copy, so the frame alone cannot tell).

Pass/fail: any finding fails (set ``severity: warning`` to report without failing).

Partitioned. Per partition and column, ``map`` counts rows and missing values, the distinct
values with their counts and first rows (up to ``max_categories`` of them: a column with more is
not categorical, and its distinct values are not kept), string cells by shape (scientific
notation, numbers, URLs) and the few numbers the damage and sequence tests need (large floats,
an integer column's range and step). ``judge`` decides on the combined counts, in the order and
with the tie-breaks of ``value_counts`` over the whole column; where a decision needs more (the
rows of a padded or variant value, the exact number of distinct values of a column over the
bound, the value counts behind a message's examples), a second pass fetches just that. The raw
header lines are read by ``judge`` (a few bytes of each file).
"""



from __future__ import annotations

import csv
import gzip
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, CheckParams, Plan
from curate.context import RunContext
from curate.dataset import Split, row_refs
from curate.findings import CheckResult, Finding, plural
from curate.roles import ID_NAME

# id-like column names: ``id``, ``user_id``, ``image-url``, ``TrackId`` (camel case only: not ``paid``)
_SCI = r"^[+-]?\d(?:\.\d+)?[eE][+]?\d+$"
_NUMBER = r"^\s*[+-]?(?:\d+(?:[.,]\d+)*|\d*\.\d+)(?:[eE][+-]?\d+)?\s*$"
_URL = r"^(?:https?://|www\.)"
MAX_EXAMPLES = 5
BIG = 1e11  # a float this large and integral is an id, not a measurement
SHORT_SAMPLE = 10000  # large floats whose significant digits are tested (the first in row order)


class ColumnQualityParams(CheckParams):
    columns: list[str] | None = None  # default: every column
    mostly_null: float = Field(default=0.9, gt=0.0, le=1.0)
    max_categories: int = Field(default=1000, ge=2)
    max_fix_share: float = Field(default=0.1, ge=0.0, le=1.0)
    max_mixed_share: float = Field(default=0.05, ge=0.0, lt=0.5)  # odd-type values tolerated as "mixed"


def show(value: Any, limit: int = 40) -> str:
    """A value quoted for a message, control characters escaped, long ones cut."""
    text = repr(str(value))[1:-1]
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def is_text(values: pd.Series | Any) -> bool:
    return pd.api.types.is_string_dtype(values) or getattr(values, "dtype", values) == object


def matches(values: list[str], pattern: str) -> np.ndarray:
    """Which values match an anchored RE2 ``pattern`` (pyarrow, one pass over the distinct values)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not values:
        return np.zeros(0, dtype=bool)
    return pc.match_substring_regex(pa.array(values, type=pa.string()), pattern).to_numpy(zero_copy_only=False)


def spelling_key(value: str) -> str:
    """What two spellings of one category share: NFKC, case folded, without spaces, hyphens,
    underscores, dots and apostrophes (other signs, such as ``<=`` or ``+``, carry meaning)."""
    return re.sub(r"[\s\-_.'’]+", "", unicodedata.normalize("NFKC", value).casefold())


# ---------------------------------------------------------------------------- what partitions hold


@dataclass(frozen=True)
class Need:
    """What the second pass fetches for one column of one split."""

    counts: bool = False  # every distinct value with its count and first row (a message's examples)
    distinct: bool = False  # the number of distinct values (hashes of them)
    values: tuple[str, ...] = ()  # the rows holding these values (padding and spelling fixes)


@dataclass(frozen=True)
class ColumnPlan(Plan):
    cap: int = 1000  # distinct values kept per column (max_categories)
    stage: str = "stats"  # then "details" (the second pass)
    needs: tuple[tuple[str, str, Need], ...] = ()  # (split, column, what to fetch)


Counts = dict[Any, list]  # value → [rows, first row, the value as first seen]


def merge_counts(a: Counts, b: Counts) -> Counts:
    """Value counts of two sets of rows; the value kept is its first spelling in row order (1 and
    True are one value to pandas and to Python alike)."""
    out = {k: list(v) for k, v in a.items()}
    for key, (n, first, value) in b.items():
        mine = out.get(key)
        if mine is None:
            out[key] = [n, first, value]
        else:
            mine[0] += n
            if first < mine[1]:
                mine[1], mine[2] = first, value
    return out


def sorted_counts(counts: Counts) -> pd.Series:
    """The counts as ``value_counts()`` orders them over the whole column: most rows first, ties in
    order of first appearance (its stable sort)."""
    items = sorted(counts.values(), key=lambda e: (-e[0], e[1]))
    return pd.Series([e[0] for e in items], index=pd.Index([e[2] for e in items], dtype=object), dtype="int64")


@dataclass
class ColumnStats:
    """One column of one split over some partitions. Every field adds up (see :meth:`add`)."""

    rows: int = 0
    nulls: int = 0
    dtypes: set = field(default_factory=set)
    counts: Counts | None = field(default_factory=dict)  # None: more distinct values than the cap
    strings: int = 0  # string cells
    sci: int = 0  # … in scientific notation
    numeric: int = 0  # … that are numbers
    urls: int | None = 0  # … that are URLs; None: a repeat or a null (not an identifier column)
    big: int = 0  # numbers of at least BIG
    integral: bool = True  # every one of them integral
    first_big: list[tuple[int, float]] = field(default_factory=list)  # (row, value), the first SHORT_SAMPLE
    ints: tuple | None = ()  # integers: (min, max, gcd of the differences); None: not a distinct integer column
    hashes: frozenset[int] | None = None  # second pass: hashes of the distinct values
    located: dict[int, str] = field(default_factory=dict)  # second pass: row → its value

    def add(self, other: "ColumnStats", cap: int | None) -> None:
        self.rows += other.rows
        self.nulls += other.nulls
        self.dtypes |= other.dtypes
        if self.counts is None or other.counts is None:
            self.counts = None
        else:
            self.counts = merge_counts(self.counts, other.counts)
            if cap is not None and len(self.counts) > cap:
                self.counts = None
        self.strings += other.strings
        self.sci += other.sci
        self.numeric += other.numeric
        self.urls = None if self.urls is None or other.urls is None else self.urls + other.urls
        self.big += other.big
        self.integral = self.integral and other.integral
        self.first_big = sorted(self.first_big + other.first_big)[:SHORT_SAMPLE]
        self.ints = _merge_ints(self.ints, other.ints)
        if other.hashes is not None:
            self.hashes = other.hashes if self.hashes is None else self.hashes | other.hashes
        self.located.update(other.located)

    @property
    def present(self) -> int:
        return self.rows - self.nulls

    @property
    def dtype(self) -> Any:
        """The column's dtype over the whole split (as concatenating its files gives it)."""
        if len(self.dtypes) == 1:
            return next(iter(self.dtypes))
        if not self.dtypes:
            return np.dtype(object)
        return pd.concat([pd.Series([], dtype=d) for d in self.dtypes]).dtype


def _merge_ints(a: tuple | None, b: tuple | None) -> tuple | None:
    if a is None or b is None:
        return None
    if not a or not b:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1]), math.gcd(a[2], b[2], abs(a[0] - b[0]))


def _value_hashes(values: pd.Series) -> frozenset[int]:
    """64-bit hashes of a column's distinct values: numbers by their float value (1, 1.0 and True
    are one value, as in value_counts), text by its characters."""
    strings = values.map(type) == str
    out = set()
    if strings.any():
        out.update(pd.util.hash_array(values[strings].to_numpy(dtype=object)).tolist())
    rest = values[~strings]
    if len(rest):
        try:
            numbers = rest.to_numpy(dtype=float) + 0.0  # (-0.0 is 0.0)
            out.update(pd.util.hash_array(numbers).tolist())
        except (TypeError, ValueError):
            out.update(pd.util.hash_array(rest.map(lambda v: f"{type(v).__name__}:{v!r}").to_numpy(dtype=object)).tolist())
    return frozenset(out)


def first_counts(present: pd.Series, codes: np.ndarray, uniques: Any, n: np.ndarray) -> Counts:
    """Value counts with each value's first row, from ``pd.factorize`` (the hashing value_counts uses)."""
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = present.index.to_numpy()[::-1]
    return {u: [int(c), int(f), u] for u, c, f in zip(uniques.tolist(), n.tolist(), first.tolist())}


def column_stats(values: pd.Series, column: str, cap: int) -> ColumnStats:
    """What one partition's values of ``column`` add to the column's statistics."""
    present = values.dropna()
    out = ColumnStats(rows=len(values), nulls=len(values) - len(present), dtypes={values.dtype})
    if not len(present):
        out.ints = None if len(values) else ()
        out.urls = None if len(values) else 0
        return out
    codes, uniques = pd.factorize(present)
    n = np.bincount(codes, minlength=len(uniques))
    distinct_rows = len(uniques) == len(values)  # every row has a value and no value repeats
    out.counts = first_counts(present, codes, uniques, n) if len(uniques) <= cap else None
    if is_text(values):
        every = uniques.tolist()
        if values.dtype == object:  # strings among other values
            keep = np.array([isinstance(u, str) for u in every], dtype=bool)
            texts, weights = [u for u, k in zip(every, keep) if k], n[keep]
        else:
            texts, weights = every, n
        out.strings = int(weights.sum())
        out.sci = int(weights[matches(texts, _SCI)].sum())
        out.numeric = int(weights[matches(texts, _NUMBER)].sum())
        # URLs only matter to a column whose every value is distinct (an identifier)
        out.urls = int(weights[matches(texts, _URL)].sum()) if distinct_rows and not ID_NAME.search(column) else None
    else:
        out.urls = None if not distinct_rows else 0
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        v = present.to_numpy(dtype=float)
        big = np.abs(v) >= BIG
        out.big = int(big.sum())
        out.integral = bool(np.all(np.mod(v[big], 1) == 0))
        rows = present.index.to_numpy()[big][:SHORT_SAMPLE]
        out.first_big = list(zip(rows.tolist(), v[big][:SHORT_SAMPLE].tolist()))
    out.ints = None
    if distinct_rows and pd.api.types.is_integer_dtype(values):
        ints = present.to_numpy(dtype=np.int64)
        low = int(ints.min())
        out.ints = (low, int(ints.max()), int(np.gcd.reduce(ints - low)) if len(ints) > 1 else 0)
    return out


def column_details(values: pd.Series, need: Need) -> ColumnStats:
    """The second pass over one partition's values of a column: what ``need`` asks for."""
    present = values.dropna()
    out = ColumnStats(counts={} if need.counts else None)
    if need.counts and len(present):
        codes, uniques = pd.factorize(present)
        out.counts = first_counts(present, codes, uniques, np.bincount(codes, minlength=len(uniques)))
    if need.distinct:
        out.hashes = _value_hashes(present)
    if need.values:
        hit = present[present.isin(list(need.values)).to_numpy(dtype=bool)]
        out.located = dict(zip(hit.index.tolist(), hit.tolist()))
    return out


# ---------------------------------------------------------------------------- judging


class _Findings:
    """Collects one split's findings and which columns had which kind of problem."""

    def __init__(self, split: Split) -> None:
        self.split = split
        self.items: list[Finding] = []
        self.columns: set[tuple[str, str]] = set()  # (kind, column)

    def column(self, kind: str, column: str, message: str, score: float) -> None:
        self.columns.add((kind, column))
        self.items.append(Finding(f"{kind}: {message}", split=self.split.name, column=column, score=score))

    def rows(self, kind: str, column: str, rows: np.ndarray, messages: list[str], new: list[Any], score: float,
             confidence: float) -> None:
        """Row findings, each suggesting its ``new`` value for ``column``."""
        self.columns.add((kind, column))
        for ref, message, value in zip(row_refs(self.split, rows), messages, new):
            self.items.append(Finding(f"{kind}: {message}", split=ref.split, row=ref.row, key=ref.key, column=column,
                                      suggestion={column: value, "confidence": confidence, "reason": kind},
                                      score=score))


@dataclass
class _Column:
    """One column as judged: its combined statistics and what follows from them."""

    name: str
    stats: ColumnStats
    first: bool  # the split's first column

    @property
    def counts(self) -> pd.Series | None:
        return sorted_counts(self.stats.counts) if self.stats.counts is not None else None

    @property
    def distinct(self) -> int | None:
        if self.stats.counts is not None:
            return len(self.stats.counts)
        return len(self.stats.hashes) if self.stats.hashes is not None else None


def padding(distinct: list[str], weights: np.ndarray) -> tuple[np.ndarray, int]:
    padded = np.array([v != v.strip() for v in distinct], dtype=bool)
    return padded, int(weights[padded].sum())


def variant_groups(counts: pd.Series, present: int, max_fix_share: float) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """Spelling variants among the categories: messages of groups reported as a whole, and
    minority spelling → (majority spelling, message) for the rows to fix."""
    spellings = pd.DataFrame({"value": counts.index.astype(str).str.strip(), "n": counts.to_numpy()})
    spellings = spellings.groupby("value", sort=False)["n"].sum().reset_index()
    spellings = spellings[spellings["value"].str.contains(r"[^\W\d_]", regex=True)]
    spellings["key"] = spellings["value"].map(spelling_key)
    spellings = spellings[(spellings["key"] != "") & spellings.duplicated("key", keep=False)]
    wholes: list[str] = []
    fixes: dict[str, tuple[str, str]] = {}
    for _, group in spellings.groupby("key", sort=False):
        group = group.sort_values("n", ascending=False, kind="stable")
        keep, keep_n = group["value"].iloc[0], int(group["n"].iloc[0])
        minority = group.iloc[1:]
        others = ", ".join(f"{show(v)} ({n:,})" for v, n in zip(minority["value"], minority["n"]))
        if keep_n == int(minority["n"].iloc[0]) or int(minority["n"].sum()) / present > max_fix_share:
            wholes.append(f"{show(keep)} ({keep_n:,}) is also spelt {others}")
            continue
        message = f"{others} look like {show(keep)} ({keep_n:,} rows); suggested: {show(keep)}"
        fixes.update({v: (keep, message) for v in minority["value"]})
    return wholes, fixes


def text_weights(counts: pd.Series) -> tuple[list[str], np.ndarray]:
    distinct = [v for v in counts.index if isinstance(v, str)]
    keep = [i for i, v in enumerate(counts.index) if isinstance(v, str)]
    return distinct, counts.to_numpy()[keep] if keep else np.zeros(0, dtype=np.int64)

@register
class ColumnQuality(Check):
    name: ClassVar[str] = "column_quality"
    description: ClassVar[str] = (
        "Empty, constant and mostly-null columns, padded or variant category spellings, mixed types, "
        "ids in scientific notation, identifier-like columns, duplicate headers")
    Params = ColumnQualityParams
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    # partitioned: see the module docstring
    def plan(self, ctx: RunContext) -> ColumnPlan:
        p: ColumnQualityParams = self.params
        every = list(dict.fromkeys(c for split in ctx.dataset.splits.values() for c in split.columns))
        columns = list(dict.fromkeys(p.columns)) if p.columns else every
        return ColumnPlan(tuple(ctx.dataset.splits), tuple(c for c in columns if c in every), cap=p.max_categories)

    def map(self, plan: ColumnPlan, split: str, partition: pd.DataFrame) -> dict[str, dict[str, ColumnStats]]:
        out: dict[str, ColumnStats] = {}
        if plan.stage == "stats":
            for column in plan.columns:
                if column in partition.columns:
                    out[column] = column_stats(partition[column], column, plan.cap)
                else:  # a file without the column: its rows are missing values there
                    out[column] = ColumnStats(rows=len(partition), nulls=len(partition), ints=None, urls=None)
            return {split: out}
        for name, column, need in plan.needs:
            if name == split:
                values = partition[column] if column in partition.columns else pd.Series([None] * len(partition), dtype=object)
                out[column] = column_details(values, need)
        return {split: out}

    def combine(self, plan: ColumnPlan, states: list[dict[str, dict[str, ColumnStats]]]) -> dict[str, dict[str, ColumnStats]]:
        cap = plan.cap if plan.stage == "stats" else None
        out: dict[str, dict[str, ColumnStats]] = {}
        for state in states:
            for split, columns in state.items():
                mine = out.setdefault(split, {})
                for column, stats in columns.items():
                    if column not in mine:  # (the identity: no rows, and counts if the states keep counts)
                        mine[column] = ColumnStats(counts={} if stats.counts is not None else None)
                    mine[column].add(stats, cap)
        return out

    def judge(self, plan: ColumnPlan, state: dict[str, dict[str, ColumnStats]], ctx: RunContext) -> CheckResult:
        p: ColumnQualityParams = self.params
        views = {name: self._views(plan, ctx.dataset.splits[name], state.get(name, {})) for name in plan.splits}
        needs = tuple((name, c.name, need) for name, columns in views.items() for c in columns
                      if (need := self._need(c, ctx)) != Need())
        if needs:
            later = replace(plan, splits=tuple(dict.fromkeys(n for n, _, _ in needs)), stage="details", needs=needs)
            details = self.combine(later, ctx.engine.states(self, later, ctx.dataset))
            for name, column, need in needs:
                got = details.get(name, {}).get(column, ColumnStats(counts=None))
                stats = next(c for c in views[name] if c.name == column).stats
                if need.counts:
                    stats.counts = got.counts
                stats.hashes, stats.located = got.hashes, got.located
        findings: list[Finding] = []
        kinds: dict[str, int] = {}
        for name in plan.splits:
            split = ctx.dataset.splits[name]
            out = _Findings(split)
            for column in views[name]:
                self._column(out, column, ctx)
            self._headers(out, split)
            findings += out.items
            for kind, _ in sorted(out.columns):
                kinds[kind] = kinds.get(kind, 0) + 1
        metrics: dict[str, Any] = {"findings": len(findings), **{f"columns.{k}": n for k, n in kinds.items()}}
        if findings:
            message = "; ".join(f"{plural(n, 'column')} {k}" for k, n in kinds.items())
        else:
            message = f"no column problems in {plural(len(ctx.dataset.columns), 'column')}"
        return self.result(failed=bool(findings), message=message, metrics=metrics, findings=findings)

    def _views(self, plan: ColumnPlan, split: Split, state: dict[str, ColumnStats]) -> list[_Column]:
        names = split.columns
        return [_Column(c, state.get(c, ColumnStats()), names[0] == c) for c in (self.params.columns or names) if c in names]

    # ------------------------------------------------------------------------ what a column needs

    def _need(self, c: _Column, ctx: RunContext) -> Need:
        """What judging column ``c`` needs beyond the first pass's statistics."""
        p: ColumnQualityParams = self.params
        s = c.stats
        if not s.rows or not s.present or (s.counts is not None and len(s.counts) == 1 and s.rows > 1):
            return Need()  # all-null or constant: nothing more is judged
        counts_needed, values, damaged = False, (), False
        if is_text(s.dtype) and s.strings:
            if s.counts is None:  # not a category: its examples need the value counts when it is damaged
                counts_needed = s.sci / s.strings > 0.5 or self._mixed(s)
            elif c.name != ctx.roles.text:
                counts = c.counts
                distinct, weights = text_weights(counts)
                padded, n = padding(distinct, weights)
                fixable = n and n / int(weights.sum()) <= p.max_fix_share  # (else one column finding)
                wanted = [v for v, bad in zip(distinct, padded) if bad] if fixable else []
                _, fixes = variant_groups(counts, s.present, p.max_fix_share)
                wanted += [raw for raw in counts.index if isinstance(raw, str) and raw.strip() in fixes]
                values = tuple(dict.fromkeys(wanted))
        elif pd.api.types.is_float_dtype(s.dtype):
            damaged = self._damaged(s)
        distinct = s.counts is None and not counts_needed and (damaged or self._maybe_identifier(c, ctx))
        return Need(counts=counts_needed, distinct=distinct, values=values)

    def _mixed(self, s: ColumnStats) -> bool:
        odd = s.strings - s.numeric
        return 0 < odd and odd / s.strings <= self.params.max_mixed_share and s.numeric >= 10

    @staticmethod
    def _damaged(s: ColumnStats) -> bool:
        """Large integral floats with at most 6 significant digits: ids a spreadsheet rounded."""
        if s.big / s.present < 0.9 or not s.integral:
            return False
        short = np.array([float(f"{x:.5e}") == x for _, x in s.first_big])
        return bool(short.mean() > 0.9)

    def _maybe_identifier(self, c: _Column, ctx: RunContext) -> bool:
        """Whether the identifier test can pass, before the distinct values are counted."""
        s = c.stats
        first_key = c.first and ID_NAME.search(c.name)
        if c.name == ctx.roles.key or first_key or s.nulls or s.rows < 20 or c.name == ctx.roles.label:
            return False
        return self._why_identifier(c) is not None

    @staticmethod
    def _why_identifier(c: _Column) -> str | None:
        s = c.stats
        if ID_NAME.search(c.name):
            return "its name"
        if pd.api.types.is_integer_dtype(s.dtype) and s.ints:
            low, high, step = s.ints
            if step and (high - low) % step == 0 and (high - low) // step + 1 == s.present:
                return "an evenly spaced integer sequence"
        elif is_text(s.dtype) and s.urls is not None and s.urls / s.present > 0.9:
            return "URLs"
        return None

    # ------------------------------------------------------------------------ one column

    def _column(self, out: _Findings, c: _Column, ctx: RunContext) -> None:
        p: ColumnQualityParams = self.params
        s, column = c.stats, c.name
        rows = s.rows
        if not rows:
            return
        nulls = s.nulls
        if not s.present:
            out.column("all-null", column, f"every one of {rows:,} values is missing", 1.0)
            return
        if nulls / rows >= p.mostly_null:
            out.column("mostly-null", column, f"{nulls / rows:.1%} missing ({nulls:,} of {rows:,})", 0.4)
        counts = c.counts
        if counts is not None and len(counts) == 1 and rows > 1:
            out.column("constant", column, f"every non-null value is {show(counts.index[0])} ({s.present:,} rows)", 0.5)
            return
        if is_text(s.dtype):
            self._text_column(out, c, counts, ctx)
        elif pd.api.types.is_float_dtype(s.dtype) and self._lost_precision(out, c):
            return  # a damaged id: not also an identifier-like feature
        first_key = c.first and ID_NAME.search(column)  # a table's own primary key, by convention
        if column != ctx.roles.key and not first_key and c.distinct == s.present == rows and rows >= 20:
            self._identifier(out, c, ctx)

    def _text_column(self, out: _Findings, c: _Column, counts: pd.Series | None, ctx: RunContext) -> None:
        """Checks on the distinct values (weighted by their counts), so a column costs one pass."""
        p: ColumnQualityParams = self.params
        s, column = c.stats, c.name
        total = s.strings
        if not total:
            return
        if s.sci / total > 0.5:  # (read as text when some value is not a number)
            distinct, _ = text_weights(counts)
            sci = matches(distinct, _SCI)
            dupes = int(s.present - c.distinct)
            out.column("scientific notation", column,
                       f"{s.sci / total:.0%} of values are numbers in scientific notation (e.g. "
                       f"{show(distinct[int(np.argmax(sci))])}); {dupes:,} rows collide with an earlier value", 0.9)
        if column != ctx.roles.text and s.counts is not None and len(s.counts) <= p.max_categories:
            distinct, weights = text_weights(counts)
            self._padding(out, c, distinct, weights)
            self._variants(out, c, counts)
        if self._mixed(s):
            odd = total - s.numeric
            distinct, _ = text_weights(counts)
            numeric = matches(distinct, _NUMBER)
            examples = ", ".join(show(v) for v in [v for v, n in zip(distinct, numeric) if not n][:MAX_EXAMPLES])
            out.column("mixed types", column,
                       f"{1 - odd / total:.1%} of values are numbers, {int(odd):,} are not: {examples}", 0.6)

    def _padding(self, out: _Findings, c: _Column, distinct: list[str], weights: np.ndarray) -> None:
        p: ColumnQualityParams = self.params
        padded, n = padding(distinct, weights)
        if not n:
            return
        share = n / int(weights.sum())
        examples = ", ".join(show(v) for v in np.array(distinct, dtype=object)[padded][:MAX_EXAMPLES])
        if share > p.max_fix_share:
            out.column("padded values", c.name,
                       f"{share:.1%} of values carry leading/trailing whitespace ({examples}): strip the column "
                       f"(or, when a space follows every separator, set 'skip_initial_space: true' under dataset:)", 0.5)
            return
        fixes = {v: v.strip() for v, bad in zip(distinct, padded) if bad}
        rows = [r for r in sorted(c.stats.located) if c.stats.located[r] in fixes]
        new = [fixes[c.stats.located[r]] for r in rows]
        out.rows("padded value", c.name, np.array(rows, dtype=np.int64), [f"leading/trailing whitespace; trimmed: {show(v)}" for v in new],
                 new, 0.4, 1.0)

    def _variants(self, out: _Findings, c: _Column, counts: pd.Series) -> None:
        p: ColumnQualityParams = self.params
        wholes, fixes = variant_groups(counts, c.stats.present, p.max_fix_share)
        for message in wholes:
            out.column("spelling variants", c.name, message, 0.6)
        if not fixes:
            return
        located = c.stats.located
        rows = [r for r in sorted(located) if located[r].strip() in fixes]
        pairs = [fixes[located[r].strip()] for r in rows]
        out.rows("spelling variant", c.name, np.array(rows, dtype=np.int64), [m for _, m in pairs], [k for k, _ in pairs], 0.5, 0.8)

    def _lost_precision(self, out: _Findings, c: _Column) -> bool:
        s = c.stats
        if not self._damaged(s):
            return False
        dupes = int(s.present - c.distinct)
        out.column("scientific notation", c.name,
                   f"large integers with at most 6 significant digits (e.g. {s.first_big[0][1]:.6g}), {dupes:,} rows "
                   "colliding with an earlier value: ids mangled by a spreadsheet, the lost digits cannot be "
                   "recovered from this file", 0.9)
        return True

    def _identifier(self, out: _Findings, c: _Column, ctx: RunContext) -> None:
        why = self._why_identifier(c)
        if why and c.name != ctx.roles.label:
            out.column("identifier-like", c.name,
                       f"every value is distinct and it looks like an identifier ({why}): a model learns only row "
                       "identity from it; declare it as the key or leave it out of the features", 0.3)

    # ------------------------------------------------------------------------ raw headers

    def _headers(self, out: _Findings, split: Split) -> None:
        options = split.reader_options  # the suite's reading options (readers.ReadOptions)
        if not options.header:
            return
        for data_file in split.files:
            sep = options.separator(data_file.path) if options.format in ("csv", "tsv") else options.sep
            header = raw_header(data_file.path, sep)
            if not header:
                continue
            seen: dict[str, int] = {}
            for name in header:
                seen[name] = seen.get(name, 0) + 1
            for name, n in seen.items():
                if n > 1:
                    out.column("duplicate header", name,
                               f"{show(name)} names {n} columns of {data_file.path.name}; readers rename the later "
                               "copies, so checks see them as different columns", 0.7)


def raw_header(path: Path, sep: str | None) -> list[str] | None:
    """The first record of a CSV/TSV file as written (None for other formats or unreadable files)."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    base = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if base not in (".csv", ".tsv") and sep is None:
        return None
    try:
        raw = (gzip.open(path, "rb") if compressed else open(path, "rb")).read(1 << 16)
    except OSError:
        return None
    line = raw.decode("utf-8", errors="replace").split("\n", 1)[0].rstrip("\r")
    delimiter = sep or ("\t" if base == ".tsv" else ",")
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
