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
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.checks.duplicates import plural, row_refs
from curate.context import RunContext
from curate.dataset import Split
from curate.findings import CheckResult, Finding

# id-like column names: ``id``, ``user_id``, ``image-url``, ``TrackId`` (camel case only: not ``paid``)
ID_NAME = re.compile(r"(?i:(^|[_\-\s])(id|uuid|guid|key|url|uri|link|hash)s?$|^(id|uuid|guid|url)[_\-\s])|[a-z](Id|ID|Url|URL)s?$")
_SCI = r"^[+-]?\d(?:\.\d+)?[eE][+]?\d+$"
_NUMBER = r"^\s*[+-]?(?:\d+(?:[.,]\d+)*|\d*\.\d+)(?:[eE][+-]?\d+)?\s*$"
MAX_EXAMPLES = 5


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


def is_text(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values) or values.dtype == object


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


@register
class ColumnQuality(Check):
    name: ClassVar[str] = "column_quality"
    description: ClassVar[str] = (
        "Empty, constant and mostly-null columns, padded or variant category spellings, mixed types, "
        "ids in scientific notation, identifier-like columns, duplicate headers")
    Params = ColumnQualityParams

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    def run(self, ctx: RunContext) -> CheckResult:
        p: ColumnQualityParams = self.params
        findings: list[Finding] = []
        kinds: dict[str, int] = {}
        splits = list(ctx.dataset.splits.values())
        for split in ctx.progress.track(splits, len(splits), "column_quality"):
            out = _Findings(split)
            for column in p.columns or [str(c) for c in split.frame.columns]:
                if column in split.frame.columns:
                    self._column(out, split.frame[column], column, ctx, split.frame.columns[0] == column)
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

    # ------------------------------------------------------------------------ one column

    def _column(self, out: _Findings, values: pd.Series, column: str, ctx: RunContext, first: bool) -> None:
        p: ColumnQualityParams = self.params
        rows = len(values)
        if not rows:
            return
        present = values.dropna()
        nulls = rows - len(present)
        if not len(present):
            out.column("all-null", column, f"every one of {rows:,} values is missing", 1.0)
            return
        if nulls / rows >= p.mostly_null:
            out.column("mostly-null", column, f"{nulls / rows:.1%} missing ({nulls:,} of {rows:,})", 0.4)
        counts = present.value_counts(sort=True)
        if len(counts) == 1 and rows > 1:
            out.column("constant", column, f"every non-null value is {show(counts.index[0])} ({len(present):,} rows)", 0.5)
            return
        if is_text(values):
            self._text_column(out, values, present, counts, column, ctx)
        elif pd.api.types.is_float_dtype(values) and self._lost_precision(out, present, column):
            return  # a damaged id: not also an identifier-like feature
        first_key = first and ID_NAME.search(column)  # a table's own primary key, by convention
        if column != ctx.roles.key and not first_key and len(counts) == len(present) == rows and rows >= 20:
            self._identifier(out, present, column, ctx)

    def _text_column(self, out: _Findings, values: pd.Series, present: pd.Series, counts: pd.Series, column: str,
                     ctx: RunContext) -> None:
        """Checks on the distinct values (weighted by their counts), so a column costs one pass."""
        p: ColumnQualityParams = self.params
        distinct = [v for v in counts.index if isinstance(v, str)]
        weights = counts[distinct].to_numpy() if distinct else np.zeros(0)
        total = weights.sum()
        if not total:
            return
        sci = matches(distinct, _SCI)
        if weights[sci].sum() / total > 0.5:  # (read as text when some value is not a number)
            dupes = int(len(present) - len(counts))
            out.column("scientific notation", column,
                       f"{weights[sci].sum() / total:.0%} of values are numbers in scientific notation (e.g. "
                       f"{show(distinct[int(np.argmax(sci))])}); {dupes:,} rows collide with an earlier value", 0.9)
        if column != ctx.roles.text and len(counts) <= p.max_categories:
            self._padding(out, values, distinct, weights, column)
            self._variants(out, values, counts, column)
        numeric = matches(distinct, _NUMBER)
        odd = weights[~numeric].sum()
        if 0 < odd and odd / total <= p.max_mixed_share and weights[numeric].sum() >= 10:
            examples = ", ".join(show(v) for v in [v for v, n in zip(distinct, numeric) if not n][:MAX_EXAMPLES])
            out.column("mixed types", column,
                       f"{1 - odd / total:.1%} of values are numbers, {int(odd):,} are not: {examples}", 0.6)

    def _padding(self, out: _Findings, values: pd.Series, distinct: list[str], weights: np.ndarray,
                 column: str) -> None:
        p: ColumnQualityParams = self.params
        padded = np.array([v != v.strip() for v in distinct], dtype=bool)
        n = int(weights[padded].sum())
        if not n:
            return
        share = n / int(weights.sum())
        examples = ", ".join(show(v) for v in np.array(distinct, dtype=object)[padded][:MAX_EXAMPLES])
        if share > p.max_fix_share:
            out.column("padded values", column,
                       f"{share:.1%} of values carry leading/trailing whitespace ({examples}): strip the column "
                       f"(or, when a space follows every separator, set 'skip_initial_space: true' under dataset:)", 0.5)
            return
        fixes = {v: v.strip() for v, bad in zip(distinct, padded) if bad}
        target = values.map(fixes)
        rows = np.flatnonzero(target.notna().to_numpy())
        new = target.iloc[rows].tolist()
        out.rows("padded value", column, rows, [f"leading/trailing whitespace; trimmed: {show(v)}" for v in new],
                 new, 0.4, 1.0)

    def _variants(self, out: _Findings, values: pd.Series, counts: pd.Series, column: str) -> None:
        p: ColumnQualityParams = self.params
        spellings = pd.DataFrame({"value": counts.index.astype(str).str.strip(), "n": counts.to_numpy()})
        spellings = spellings.groupby("value", sort=False)["n"].sum().reset_index()
        spellings = spellings[spellings["value"].str.contains(r"[^\W\d_]", regex=True)]
        spellings["key"] = spellings["value"].map(spelling_key)
        spellings = spellings[(spellings["key"] != "") & spellings.duplicated("key", keep=False)]
        if spellings.empty:
            return
        present = int(values.notna().sum())
        fixes: dict[str, tuple[str, str]] = {}  # minority spelling → (majority spelling, message)
        for _, group in spellings.groupby("key", sort=False):
            group = group.sort_values("n", ascending=False, kind="stable")
            keep, keep_n = group["value"].iloc[0], int(group["n"].iloc[0])
            minority = group.iloc[1:]
            others = ", ".join(f"{show(v)} ({n:,})" for v, n in zip(minority["value"], minority["n"]))
            if keep_n == int(minority["n"].iloc[0]) or int(minority["n"].sum()) / present > p.max_fix_share:
                out.column("spelling variants", column, f"{show(keep)} ({keep_n:,}) is also spelt {others}", 0.6)
                continue
            message = f"{others} look like {show(keep)} ({keep_n:,} rows); suggested: {show(keep)}"
            fixes.update({v: (keep, message) for v in minority["value"]})
        if not fixes:
            return
        target = values.map({raw: fixes[raw.strip()] for raw in counts.index
                             if isinstance(raw, str) and raw.strip() in fixes})
        rows = np.flatnonzero(target.notna().to_numpy())
        pairs = target.iloc[rows].tolist()
        out.rows("spelling variant", column, rows, [m for _, m in pairs], [k for k, _ in pairs], 0.5, 0.8)

    def _lost_precision(self, out: _Findings, present: pd.Series, column: str) -> bool:
        v = present.to_numpy(dtype=float)
        big = np.abs(v) >= 1e11
        if big.mean() < 0.9 or not np.all(np.mod(v[big], 1) == 0):
            return False
        short = np.array([float(f"{x:.5e}") == x for x in v[big][:10000]])
        if short.mean() > 0.9:
            dupes = int(present.duplicated().sum())
            out.column("scientific notation", column,
                       f"large integers with at most 6 significant digits (e.g. {v[big][0]:.6g}), {dupes:,} rows "
                       "colliding with an earlier value: ids mangled by a spreadsheet, the lost digits cannot be "
                       "recovered from this file", 0.9)
            return True
        return False

    def _identifier(self, out: _Findings, present: pd.Series, column: str, ctx: RunContext) -> None:
        why = None
        if ID_NAME.search(column):
            why = "its name"
        elif pd.api.types.is_integer_dtype(present) and len(np.unique(np.diff(np.sort(present.to_numpy())))) == 1:
            why = "an evenly spaced integer sequence"
        elif is_text(present) and present.astype(str).str.match(r"^(?:https?://|www\.)").mean() > 0.9:
            why = "URLs"
        if why and column != ctx.roles.label:
            out.column("identifier-like", column,
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
