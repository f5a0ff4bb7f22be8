"""``duplicates``: rows that are exact copies of an earlier row of the same split, after normalisation.

Exact means exact: values are compared after normalising only what cannot change their meaning
(``normalize``: Unicode NFKC, case, whitespace on by default; punctuation removal on request),
using pandas/pyarrow hash factorisation (:func:`curate.dedup.row_codes`). Emoji, symbols and
digits are content. Rows with equal values in every compared column form a group; the first row
of the group is kept and every later copy is a finding that points at it through ``related``
and suggests deleting the copy (``{"action": "delete", "confidence": 1.0}``).

Columns: all but the key by default, so rows that differ only in their identifier are
duplicates; list ``columns`` to compare fewer (e.g. ``[text]`` for repeated texts whatever their
label; identical texts with *different* labels are the ``conflicting_labels`` check's).

Missing values: when whole rows are compared, missing values equal each other (as in
``pandas.DataFrame.duplicated``), so a mostly-null column hides nothing. The text that is a
row's content (the text column, or the one column compared) is different: a row whose text is
missing, empty, or has fewer than ``min_chars`` letters or digits after normalisation (default
3: "ok", ":)") is never a duplicate of anything. The message and metrics count the rows not
compared; when most rows could not be compared and nothing was found the result is ``skip``.
Copies in *different* splits are the ``leakage`` check's business.

Identical rows of a table (whole rows compared, no text that is the rows' content) may be distinct
records with equal values; :mod:`curate.coincidence` weighs them against the table's near misses.
Where these predict them, the split's repeated rows are reported for review with no suggestion,
the check warns rather than fails, and the message says which columns predicted them
(``coincidence: false`` takes every identical row for a copy). This costs one more pass, over the
splits with repeated rows only, that hashes each compared column on its own.

Pass/fail: ``max_count`` (rows to delete) and/or ``max_share`` (of the compared rows); with
neither set, any duplicate fails the check. Rows reported as possible distinct records never count.

Partitions (``needs = "partitions"``): each partition reduces its compared rows to their positions
and 128-bit content digests (:func:`curate.dedup.row_digests`, :mod:`curate.dup_state`), equal
exactly when :func:`curate.dedup.row_codes` would give them one code; the client groups equal
digests per split, and a second pass over the groups' rows only digests them un-normalised
(exact copy or copy after normalisation). On the pandas engine each split's text columns are
normalised once through ``ctx.shared``, for the other duplicate families too (:func:`mapped_states`).
A column whose type differs between a split's files (numbers in one, text in another: concatenated
they are text) or holds values digests cannot compare (intervals, periods) is compared on whole
columns (:meth:`Duplicates.collect`), as before partitions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field, field_validator, model_validator

from curate.checks import register
from curate.checks.base import Check, CheckParams, LimitParams, Plan
from curate.coincidence import Coincidence, coincidence, mixed
from curate.context import RunContext
from curate.dataset import Split, row_refs
from curate.dedup import (
    Normalization,
    coerce_normalization,
    groups_from_codes,
    is_text,
    normalize_strings,
    row_codes,
    row_digests,
)
from curate.dup_state import Chunk, State, combine, comparable, label_codes, ordered, rows_of
from curate.engines import frames_at_hand, partitions, plan_columns
from curate.findings import CheckResult, Finding, RowRef, Status, plural

# ---------------------------------------------------------------------------- shared by the
# duplicate families (duplicates, conflicting_labels, near_duplicates, leakage)


class NormalizeParams(CheckParams):
    normalize: Normalization = Field(default_factory=Normalization)
    min_chars: int = Field(default=3, ge=0)  # a text with fewer letters/digits never matches anything

    @field_validator("normalize", mode="before")
    @classmethod
    def _normalize_shorthand(cls, value: Any) -> Any:
        return coerce_normalization(value)


IDENTIFYING_SHARE = 0.5  # a column with more distinct values than this share of rows tells rows apart


@dataclass
class Content:
    """What the duplicate families compare, and how.

    ``required`` are the columns that hold a row's content (its text): a row whose required
    value is missing or has fewer than ``min_chars`` letters or digits is never compared. Other
    columns compare missing values as equal when ``nulls_equal`` (whole rows, as
    ``DataFrame.duplicated`` does)."""

    columns: list[str]
    required: list[str]
    nulls_equal: bool
    source: str  # "column", "columns", "text column" or "all columns"
    note: str = ""  # why whole rows are compared although the dataset has a text column

    def describe(self, *, all_but: str = "the key") -> str:
        return f"all columns but {all_but}" if self.source == "all columns" else ", ".join(self.columns)


def identifying_columns(ctx: RunContext, exclude: tuple[str | None, ...]) -> list[str]:
    """Columns other than ``exclude`` whose values tell most rows apart (names, prices, dates)."""
    splits = list(ctx.dataset.splits.values())
    if not splits or not len(largest := max(splits, key=len)):
        return []
    # distinct counts need the rows (on the Dask engine: this split gathered; streamed: one pass)
    many = largest.many_distinct(common_columns(ctx, exclude), IDENTIFYING_SHARE * len(largest))
    return [c for c, yes in many.items() if yes]


def text_is_content(ctx: RunContext) -> tuple[bool, str]:
    """Whether the text column is what the rows are (a text dataset), and if not, why.

    A declared text column always is, and so is one inferred by its name (``text``, ``review``,
    ``comment``…: a tweet dump's ids, handles and dates tell its rows apart, but the same tweet twice
    is still a copy). One inferred as the longest string column is, unless other columns tell the rows
    apart: in a product table with a templated ``description`` next to ``name`` and ``price``, two
    products that share a description are still two products."""
    text = ctx.roles.text
    if text is None:
        return False, ""
    if not ctx.roles.text_by_length:
        return True, ""
    others = identifying_columns(ctx, (ctx.roles.key, ctx.roles.label, text, *ctx.roles.sensitive))
    if not others:
        return True, ""
    shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
    return False, (f"the inferred text column '{text}' is one attribute of rows told apart by {shown} "
                   f"(declare `dataset.text: {text}` to compare texts alone)")


def content_of(ctx: RunContext, *, column: str | None = None, columns: list[str] | None = None,
               exclude_label: bool = True, prefer_text: bool = True, available: list[str] | None = None) -> Content:
    """The content a duplicate-family check compares: ``column`` / ``columns`` when the suite names
    them, else the text column when it is the rows' content (``prefer_text``), else whole rows
    (every column but the key, and the label unless ``exclude_label`` is false, of ``available``:
    one split's columns, by default those every split has)."""
    is_content, note = text_is_content(ctx)
    text = ctx.roles.text
    if column:
        return Content([column], [column], False, "column")
    if columns:
        if len(columns) == 1:
            return Content(list(columns), list(columns), False, "columns")
        required = [text] if is_content and text in columns else []
        return Content(list(columns), required, True, "columns")
    if prefer_text and is_content:
        return Content([text], [text], False, "text column")
    skip = (ctx.roles.key, ctx.roles.label) if exclude_label else (ctx.roles.key,)
    cols = [c for c in available if c not in skip] if available is not None else common_columns(ctx, skip)
    required = [text] if is_content and text in cols else []
    if len(cols) == 1:
        required = cols
    return Content(cols, required, len(cols) > 1, "all columns", note if text in cols else "")


NORMALIZED = "normalized"  # ctx.shared kind: one split's text column normalised


def normalized_columns(ctx: RunContext, splits: list[Split], columns: list[str], norm: Normalization) -> dict[str, pa.Array]:
    """The text columns among ``columns`` of the rows of ``splits`` taken one after the other,
    normalised with ``norm``: each split's column once per run (``ctx.shared``), whichever duplicate
    family asks first. A column that is not text in every split is left out (the caller then
    normalises the concatenated column, as before)."""
    out: dict[str, pa.Array] = {}
    for c in columns:
        if not all(c in s.frame.columns and is_text(s.frame[c]) for s in splits):
            continue
        parts = [ctx.shared.get_or_compute(NORMALIZED, s.name, s.frame, (c, norm),
                                           lambda s=s: normalize_strings(s.frame[c], norm)) for s in splits]
        out[c] = parts[0] if len(parts) == 1 else pa.concat_arrays(parts)
    return out


def unjudged(rows: int, total: int) -> bool:
    """Whether a check looked at too few rows to say it found nothing (most were not compared)."""
    return total == 0 or rows > total / 2


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
    coincidence: bool = True  # whole rows of a table: identical rows that look like distinct records are not deleted

    @model_validator(mode="after")
    def _columns_not_empty(self) -> DuplicatesParams:
        if self.columns is not None and not self.columns:
            raise ValueError("columns: list at least one column (or leave it out for all but the key)")
        return self


def common_columns(ctx: RunContext, exclude: tuple[str | None, ...] = ()) -> list[str]:
    """Columns present in every split, in first-seen order, less ``exclude``."""
    names = [set(s.columns) for s in ctx.dataset.splits.values()]
    return [c for c in ctx.dataset.columns if c not in exclude and all(c in n for n in names)]


@dataclass(frozen=True)
class ContentPlan(Plan):
    """What the exact-duplicate families compare in each split, decided before rows are read (sent
    to the workers: column names and flags only)."""

    content: dict[str, Content] = field(default_factory=dict)  # split → what its rows are compared by
    summary: Content | None = None  # what the message describes
    normalize: Normalization = field(default_factory=Normalization)
    min_chars: int = 3
    seed: int = 0  # of the row digests: drawn per run, so no file can be written to collide with another row


@dataclass(frozen=True)
class RawPlan(ContentPlan):
    """The second, small pass of ``duplicates``: the un-normalised digests of the rows of its groups
    only (which copies are byte for byte the kept row)."""

    rows: dict[str, np.ndarray] = field(default_factory=dict)  # split → sorted positions to digest


@dataclass(frozen=True)
class CoincidencePlan(ContentPlan):
    """The pass that hashes every compared column of each row on its own, for the splits whose
    identical rows :mod:`curate.coincidence` weighs against their near misses."""


RAW = Normalization(unicode=False, case=False, whitespace=False)


def judged_by_coincidence(content: Content) -> bool:
    """Whole rows of a table (no text that is the rows' content): identical rows may be distinct records."""
    return content.source == "all columns" and not content.required and len(content.columns) > 1


def column_hashes(partition: pd.DataFrame, columns: list[str], norm: Normalization, seed: int,
                  normalized: dict[str, pa.Array] | None = None) -> np.ndarray:
    """(rows, columns) uint64: each column's normalised values hashed on their own, missing values
    equal, comparable across partitions (the first half of :func:`curate.dedup.row_digests`' digest)."""
    parts = []
    for c in columns:
        out = row_digests(partition, [c], norm, seed=seed, nulls_equal=True, normalized=normalized)
        if out is None:  # a value only whole columns compare: its code (this partition is the whole split)
            parts.append(row_codes(partition, [c], norm, nulls_equal=True).astype(np.uint64))
        else:
            parts.append(out[0][:, 0])
    return mixed(np.column_stack(parts), seed) if parts else np.empty((len(partition), 0), np.uint64)


def content_chunk(plan: ContentPlan, split: str, partition: Any, normalized: dict[str, pa.Array] | None,
                  label: str | None = None) -> Chunk:
    """One partition's compared rows and their content digests (:func:`curate.dedup.row_digests`);
    with ``label``, only rows with a label are compared, and their labels are kept."""
    content = plan.content[split]
    index = partition.index.to_numpy(dtype=np.int64)
    start = int(index[0]) if len(index) else 0
    codes, values = label_codes(partition[label]) if label is not None else (None, None)
    out = row_digests(partition, content.columns, plan.normalize, seed=plan.seed, nulls_equal=content.nulls_equal,
                      required=content.required, min_chars=plan.min_chars, normalized=normalized)
    if out is None:  # a column only whole columns can compare: judge collects
        return Chunk(start, len(partition), np.empty(0, np.int64), np.empty((0, 2), np.uint64), None, None, values)
    digests, compared, kinds = out
    if codes is not None:
        compared &= codes >= 0
        codes = codes[compared]
    return Chunk(start, len(partition), index[compared], digests[compared], kinds, codes, values)


def mapped_states(check: Check, plan: ContentPlan, ctx: RunContext) -> list[Any]:
    """The engine's states of ``plan``. In process, each split's text columns are normalised once
    through ``ctx.shared`` (reused by the other duplicate families) and each of its files maps a
    slice of them; on another engine, or a streamed split, each partition normalises its own rows
    where it is."""
    if not frames_at_hand(ctx.engine, [ctx.dataset.splits[name] for name in plan.splits]):
        return ctx.engine.states(check, plan, ctx.dataset)
    out = []
    for name in plan.splits:
        split = ctx.dataset.splits[name]
        texts = normalized_columns(ctx, [split], plan.content[name].columns, plan.normalize)
        for part in partitions(split):
            out.append(check.map(plan, name, plan_columns(part, plan), normalized=_rows(texts, part.index)))
    return out


def _rows(texts: dict[str, pa.Array], index: pd.Index) -> dict[str, pa.Array]:
    if isinstance(index, pd.RangeIndex) and index.step == 1:
        return {c: a.slice(index.start, len(index)) for c, a in texts.items()}
    take = pa.array(index.to_numpy(dtype=np.int64))
    return {c: a.take(take) for c, a in texts.items()}


@register
class Duplicates(Check):
    name: ClassVar[str] = "duplicates"
    description: ClassVar[str] = "Rows that repeat an earlier row of the same split (after normalising case, whitespace, Unicode)"
    Params = DuplicatesParams
    shares: ClassVar[tuple[str, ...]] = (NORMALIZED,)
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    def run(self, ctx: RunContext) -> CheckResult:
        plan = self.plan(ctx)
        return self.judge(plan, self.combine(plan, mapped_states(self, plan, ctx)), ctx)

    # partitioned: a row is its content digest; groups are equal digests over every partition of a split
    def plan(self, ctx: RunContext) -> ContentPlan:
        p: DuplicatesParams = self.params
        content = content_of(ctx, columns=p.columns, exclude_label=False, prefer_text=False)
        specs: dict[str, Content] = {}
        for split in ctx.dataset.splits.values():
            if not p.columns:  # each split (or table) by its own columns
                content = content_of(ctx, exclude_label=False, prefer_text=False, available=split.columns)
            if content.columns and all(c in split.columns for c in content.columns):
                specs[split.name] = content
        columns = tuple(dict.fromkeys(c for spec in specs.values() for c in spec.columns))
        return ContentPlan(tuple(specs), columns, specs, content, p.normalize, p.min_chars, secrets.randbits(64))

    def map(self, plan: ContentPlan, split: str, partition: pd.DataFrame,
            normalized: dict[str, pa.Array] | None = None) -> State:
        """The partition's compared rows and digests; for a :class:`RawPlan`, the un-normalised
        digests of the listed rows it holds."""
        if isinstance(plan, CoincidencePlan):
            index = partition.index.to_numpy(dtype=np.int64)
            hashes = column_hashes(partition, plan.content[split].columns, plan.normalize, plan.seed, normalized)
            return {split: [Chunk(int(index[0]) if len(index) else 0, len(partition), index, hashes, ())]}
        if not isinstance(plan, RawPlan):
            return {split: [content_chunk(plan, split, partition, normalized)]}
        index = partition.index.to_numpy(dtype=np.int64)
        keep = np.isin(index, plan.rows[split])
        out = row_digests(partition[keep], plan.content[split].columns, RAW, seed=plan.seed, nulls_equal=True)
        digests = out[0] if out is not None else np.zeros((int(keep.sum()), 2), np.uint64)
        return {split: [Chunk(int(index[0]) if len(index) else 0, len(partition), index[keep], digests, ())]}

    def combine(self, plan: ContentPlan, states: list[State]) -> State:
        return combine(states)

    def judge(self, plan: ContentPlan, state: State, ctx: RunContext) -> CheckResult:
        chunks = {name: ordered(state, [name]) for name in plan.splits}
        if not all(comparable(c) for c in chunks.values()):
            return self.collect(ctx)  # a column whose type changes between files, or is not digested by value
        total = missing = groups = 0
        grouped: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name in plan.splits:
            codes, rows, not_compared = rows_of(chunks[name], {name: 0})
            total += rows
            missing += not_compared
            grouped[name] = groups_from_codes(codes)
        raw = self._raw_digests(plan, grouped, ctx)
        chance = self._coincidences(plan, grouped, ctx)
        findings: list[Finding] = []
        per_split: dict[str, int] = {}
        for name in plan.splits:
            rows, offsets = grouped[name]
            found = 0
            if len(rows):
                positions, digests = raw[name]
                same = digests[np.searchsorted(positions, rows)]
                refs = row_refs(ctx.dataset.splits[name], rows)
                column = plan.content[name].columns[0] if len(plan.content[name].columns) == 1 else None
                distinct = name in chance and not chance[name].copies
                for g in range(len(offsets) - 1):
                    kept, kept_raw, size = refs[offsets[g]], same[offsets[g]], offsets[g + 1] - offsets[g]
                    groups += 1
                    for m in range(offsets[g] + 1, offsets[g + 1]):
                        identical = bool((same[m] == kept_raw).all())
                        findings.append(self._finding(refs[m], kept, identical, size, column, distinct=distinct))
                        found += 1
            per_split[name] = found
        return self._summary(plan.summary, findings, groups, total, missing, per_split, chance)

    def _coincidences(self, plan: ContentPlan, grouped: dict[str, tuple[np.ndarray, np.ndarray]],
                      ctx: RunContext) -> dict[str, Coincidence]:
        """Split → its identical pairs against its near misses, for the splits of a table whose rows
        are compared whole and have duplicates (one more pass over those splits only)."""
        names = [n for n in plan.splits if len(grouped[n][0]) and judged_by_coincidence(plan.content[n])]
        if not self.params.coincidence or not names:
            return {}
        chance_plan = CoincidencePlan(tuple(names), plan.columns, plan.content, plan.summary, plan.normalize,
                                      plan.min_chars, plan.seed)
        state = combine(mapped_states(self, chance_plan, ctx))
        out = {}
        for name in names:
            hashes = np.concatenate([c.digests for _, c in ordered(state, [name])])
            found = coincidence(plan.content[name].columns, hashes)
            if found is not None:
                out[name] = found
        return out

    def _raw_digests(self, plan: ContentPlan, grouped: dict[str, tuple[np.ndarray, np.ndarray]],
                     ctx: RunContext) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Split → (sorted positions, un-normalised digests) of the rows in groups, from a second
        pass that reads only the splits with groups."""
        rows = {name: np.sort(r) for name, (r, _) in grouped.items() if len(r)}
        if not rows:
            return {}
        raw_plan = RawPlan(tuple(rows), plan.columns, plan.content, plan.summary, plan.normalize, plan.min_chars,
                           plan.seed, rows)
        state = combine(ctx.engine.states(self, raw_plan, ctx.dataset))
        out = {}
        for name in rows:
            parts = ordered(state, [name])
            positions = np.concatenate([c.compared for _, c in parts])
            digests = np.concatenate([c.digests for _, c in parts]).reshape(-1, 2)
            order = np.argsort(positions, kind="stable")
            out[name] = (positions[order], digests[order])
        return out

    def collect(self, ctx: RunContext) -> CheckResult:
        """Whole columns, for splits whose columns change type between files or hold values that
        are compared only whole (intervals, periods, other extension types): ``row_codes``."""
        p: DuplicatesParams = self.params
        findings: list[Finding] = []
        total = groups = missing = 0
        per_split: dict[str, int] = {}
        chance: dict[str, Coincidence] = {}
        splits = list(ctx.dataset.splits.values())
        content = content_of(ctx, columns=p.columns, exclude_label=False, prefer_text=False)
        for split in ctx.progress.track(splits, len(splits), "duplicates"):
            frame = split.frame
            if not p.columns:  # each split (or table) by its own columns
                content = content_of(ctx, exclude_label=False, prefer_text=False, available=list(frame.columns))
            column = content.columns[0] if len(content.columns) == 1 else None
            if not content.columns or any(c not in frame.columns for c in content.columns):
                continue
            codes = row_codes(frame, content.columns, p.normalize, nulls_equal=content.nulls_equal,
                              required=content.required, min_chars=p.min_chars,
                              normalized=normalized_columns(ctx, [split], content.columns, p.normalize))
            total += len(frame)
            missing += int((codes < 0).sum())
            rows, offsets = groups_from_codes(codes)
            found = 0
            if len(rows):
                # which copies are byte-identical to the kept row (no normalisation needed)
                raw = row_codes(frame.iloc[rows], content.columns, RAW, nulls_equal=True)
                refs = row_refs(split, rows)
                if p.coincidence and judged_by_coincidence(content):
                    found_chance = coincidence(content.columns, column_hashes(frame, content.columns, p.normalize, 0))
                    if found_chance is not None:
                        chance[split.name] = found_chance
                distinct = split.name in chance and not chance[split.name].copies
                for g in range(len(offsets) - 1):
                    kept, kept_raw, size = refs[offsets[g]], raw[offsets[g]], offsets[g + 1] - offsets[g]
                    groups += 1
                    for m in range(offsets[g] + 1, offsets[g + 1]):
                        findings.append(self._finding(refs[m], kept, raw[m] == kept_raw, size, column, distinct=distinct))
                        found += 1
            per_split[split.name] = found
        return self._summary(content, findings, groups, total, missing, per_split, chance)

    @staticmethod
    def _finding(ref: RowRef, kept: RowRef, identical: bool, size: int, column: str | None, *,
                 distinct: bool = False) -> Finding:
        """A repeated row; ``distinct``: its table's identical rows look like distinct records that
        coincide (:mod:`curate.coincidence`), so it is reported for review, not deleted."""
        where = describe_ref(kept.split, kept.row, kept.key, same_split=ref.split) + (f"; group of {size}" if size > 2 else "")
        if distinct:
            how = "identical" if identical else "identical after normalisation"
            text = f"{how} to {where}; may be a distinct record with equal values (no deletion suggested)"
            return Finding(text, split=ref.split, row=ref.row, key=ref.key, column=column, related=[kept], score=0.5)
        text = f"{'exact duplicate' if identical else 'duplicate after normalisation'} of {where}"
        return Finding(text, split=ref.split, row=ref.row, key=ref.key, column=column, related=[kept],
                       suggestion={"action": "delete", "confidence": 1.0, "reason": text}, score=1.0)

    def _summary(self, content: Content, findings: list[Finding], groups: int, total: int, missing: int,
                 per_split: dict[str, int], chance: dict[str, Coincidence] | None = None) -> CheckResult:
        p: DuplicatesParams = self.params
        chance = chance or {}
        count = len(findings)
        distinct = {name for name, c in chance.items() if not c.copies}
        copies = sum(n for name, n in per_split.items() if name not in distinct)
        compared = total - missing
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {
            "duplicates": count,
            "groups": groups,
            "share": round(share, 6),
            "rows": total,
            "rows_compared": compared,
            "rows_not_compared": missing,
        }
        for name, n in per_split.items():
            metrics[f"duplicates.{name}"] = n
        for name, c in chance.items():
            metrics[f"identical_pairs.{name}"] = c.identical
            metrics[f"predicted_pairs.{name}"] = None if c.expected is None else round(c.expected, 1)
        metrics["possibly_distinct"] = count - copies
        how = (f"compared {content.describe()}; normalised: {p.normalize.describe()}"
               + ("; missing values equal" if content.nulls_equal else ""))
        why = self._not_compared(content, missing)
        if not total:
            return self.skip(f"nothing to compare: no column but the key ({how})", metrics=metrics)
        if not count and unjudged(missing, total):
            return self.skip(f"could not judge: {why} ({how})", metrics=metrics)
        if count:
            noun = "duplicate row" if copies else "identical row"
            message = f"{plural(count, noun)} in {plural(groups, 'group')} ({share:.2%} of {total:,} rows; {how})"
        else:
            message = f"no duplicate rows in {total:,} rows ({how})"
        message += p.limit_text(copies, copies / total)
        for name in [n for n in per_split if n in distinct]:  # in split order, not a set's
            message += (f"; in '{name}' they may be distinct records with equal values ({chance[name].describe()}), "
                        "so no deletions are suggested (`coincidence: false` treats them as copies)")
        if missing:
            message += f"; {why}"
        result = self.result(failed=p.exceeded(copies, copies / total), message=message, metrics=metrics, findings=findings)
        if distinct and result.status is Status.PASS:
            result = replace(result, status=Status.WARN)  # reported for review, never failed on
        return result

    def _not_compared(self, content: Content, missing: int) -> str:
        if content.required:
            what = "/".join(content.required)
            return (f"{plural(missing, 'row')} not compared (no {what}, or fewer than "
                    f"{self.params.min_chars} letters or digits in it)")
        return f"{plural(missing, 'row')} not compared (no value to compare)"
