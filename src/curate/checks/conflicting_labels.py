"""``conflicting_labels``: identical content carrying different labels.

Rows are grouped by their content under the same rules as ``duplicates`` and ``leakage``
(:func:`curate.checks.duplicates.content_of`): the text column when it is what the rows are,
else every column but the key and the label, with missing values equal; a text that is
missing or has fewer than ``min_chars`` letters or digits never matches. A group whose rows
carry two or more different labels is a conflict. When one label has a strict majority, each
row carrying another label gets an update suggestion (``{"<label column>": majority,
"confidence": share of the group carrying it}``) and ``related`` names the majority rows. A tie
(one row each way, the usual case) is a finding with **no** suggestion: nothing in the data
says which label is right, so ``curate fix`` proposes nothing and a reviewer decides. The rows
flagged in a tie are those not carrying the earliest row's label (split precedence train →
validation → test, then row order); their message says it is a tie.

Groups span every split by default (``across_splits: false`` compares within each split): the
same text labelled differently in train and test is a contradiction either way. Rows with a
missing label are not compared. Pass/fail: ``max_count`` / ``max_share`` of flagged rows
(default: any conflict fails).

Partitions: like ``duplicates``, each partition keeps its compared rows' positions and content
digests, and a code per row into its own distinct labels (kept in their dtype, so that labels
are written as concatenating the splits writes them: an integer label next to a float split is
``1.0``); the client groups each batch of splits. A content column whose type differs between
the files or splits of a batch is compared on whole columns (:meth:`ConflictingLabels.collect`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.checks import register
from curate.checks.base import Check, LimitParams
from curate.checks.duplicates import (
    NORMALIZED,
    Content,
    ContentPlan,
    NormalizeParams,
    content_chunk,
    content_of,
    mapped_states,
    describe_ref,
    normalized_columns,
    python_value,
    unjudged,
)
from curate.context import RunContext
from curate.dataset import split_order
from curate.dedup import groups_from_codes, row_codes
from curate.dup_state import State, combine, comparable, labels_of, ordered, rows_of
from curate.findings import CheckResult, Finding, RowRef, plural

MAX_RELATED = 10
EMPTY = {"conflicting": 0, "groups": 0, "ties": 0, "share": 0.0, "rows": 0}


@dataclass(frozen=True)
class LabelledPlan(ContentPlan):
    label: str = ""
    batches: tuple[tuple[str, ...], ...] = ()  # splits whose rows are grouped together, in precedence order


class ConflictingLabelsParams(LimitParams, NormalizeParams):
    columns: list[str] | None = None  # content; default: the text column, else all but key and label
    label: str | None = None  # default: the dataset's label column
    across_splits: bool = True


@register
class ConflictingLabels(Check):
    name: ClassVar[str] = "conflicting_labels"
    description: ClassVar[str] = "Identical content (after normalisation) carrying different labels"
    Params = ConflictingLabelsParams
    shares: ClassVar[tuple[str, ...]] = (NORMALIZED,)
    needs = "partitions"

    def _label(self, ctx: RunContext) -> str | None:
        return self.params.label or ctx.roles.label

    def _content(self, ctx: RunContext) -> Content:
        p: ConflictingLabelsParams = self.params
        label = self._label(ctx)
        content = content_of(ctx, columns=p.columns, exclude_label=True)
        content.columns = [c for c in content.columns if c != label]
        return content

    def validate(self, ctx: RunContext) -> None:
        p: ConflictingLabelsParams = self.params
        label = self._label(ctx)
        if label is None:
            if p.columns:
                raise self.error(("label",), "conflicting_labels: no label column; declare `label:` in the suite's dataset section or set `label:` here")
            return  # a bare `conflicting_labels: {}` (e.g. in a default suite) on unlabelled data passes
        self.require_column(ctx, label, ("label",))
        for i, column in enumerate(p.columns or []):
            self.require_column(ctx, column, ("columns", i))
            if column == label:
                raise self.error(("columns", i), f"conflicting_labels: the label column '{label}' cannot also be content")
        if not p.columns and ctx.roles.text:
            self.require_column(ctx, ctx.roles.text, ("columns",))
        if not self._content(ctx).columns:
            raise self.error(("columns",), "conflicting_labels: no content column to compare")

    def run(self, ctx: RunContext) -> CheckResult:
        plan = self.plan(ctx)
        if isinstance(plan, CheckResult):
            return plan
        return self.judge(plan, self.combine(plan, mapped_states(self, plan, ctx)), ctx)

    # partitioned: each row is its content digest and label code; groups are formed per batch of splits
    def plan(self, ctx: RunContext) -> LabelledPlan | CheckResult:
        p: ConflictingLabelsParams = self.params
        label = self._label(ctx)
        if label is None:
            return self.skip("nothing to compare: the dataset has no label column (set `label:`)", metrics=dict(EMPTY))
        content = self._content(ctx)
        order = tuple(split_order(list(ctx.dataset.splits)))
        batches = (order,) if p.across_splits else tuple((name,) for name in order)
        return LabelledPlan(order, (*content.columns, label), {name: content for name in order}, content, p.normalize,
                            p.min_chars, secrets.randbits(64), label, batches)

    def map(self, plan: LabelledPlan, split: str, partition: pd.DataFrame,
            normalized: dict[str, pa.Array] | None = None) -> State:
        """The partition's compared rows (content and label present), their digests and labels."""
        return {split: [content_chunk(plan, split, partition, normalized, plan.label)]}

    def combine(self, plan: LabelledPlan, states: list[State]) -> State:
        return combine(states)

    def judge(self, plan: LabelledPlan, state: State, ctx: RunContext) -> CheckResult:
        batches = [ordered(state, list(names)) for names in plan.batches]
        if not all(comparable(chunks) for chunks in batches):
            return self.collect(ctx)  # a content column whose type differs between files or splits
        columns = list(plan.summary.columns)
        findings: list[Finding] = []
        groups = ties = total = missing = 0
        for names, chunks in zip(plan.batches, batches):
            splits = [ctx.dataset.splits[n] for n in names]
            sizes = np.array([sum(c.rows for name, c in chunks if name == n) for n in names], dtype=np.int64)
            offsets = dict(zip(names, (np.cumsum(sizes) - sizes).tolist()))
            codes, rows, not_compared = rows_of(chunks, offsets)
            codes = np.concatenate([codes, np.full(int(sizes.sum()) - len(codes), -1, np.int64)])
            index, text, values = labels_of(chunks, offsets, len(codes))
            total += rows
            missing += not_compared
            labels = text[index] if len(text) else np.full(len(index), "", dtype=object)  # read where index >= 0 only
            value_at = lambda r, v=values, i=index: python_value(v.iat[int(i[r])])  # noqa: E731
            found, n_groups, n_ties = self._conflicts(codes, labels, value_at, _ref_maker(splits, sizes), plan.label,
                                                      columns)
            findings += found
            groups += n_groups
            ties += n_ties
        return self._summary(findings, groups, ties, total, missing, plan.summary, plan.label)

    def collect(self, ctx: RunContext) -> CheckResult:
        """Whole columns concatenated, when a content column's type differs between the files or
        splits of a batch (concatenation changes it, e.g. numbers next to text become text) or holds
        values compared only whole (intervals, periods, other extension types)."""
        p: ConflictingLabelsParams = self.params
        label = self._label(ctx)
        assert label is not None  # plan skipped otherwise
        content = self._content(ctx)
        columns = content.columns
        order = split_order(list(ctx.dataset.splits))
        batches = [order] if p.across_splits else [[name] for name in order]
        findings: list[Finding] = []
        groups = ties = total = missing = 0
        for names in ctx.progress.track(batches, len(batches), "conflicting labels"):
            splits = [ctx.dataset.splits[n] for n in names]
            frame = pd.concat([s.frame[columns + [label]] for s in splits], ignore_index=True)
            total += len(frame)
            codes = row_codes(frame, columns, p.normalize, nulls_equal=content.nulls_equal,
                              required=content.required, min_chars=p.min_chars,
                              normalized=normalized_columns(ctx, splits, columns, p.normalize))
            labels = frame[label]
            codes[labels.isna().to_numpy()] = -1
            missing += int((codes < 0).sum())
            refs = _ref_maker(splits, np.array([len(s) for s in splits]))
            found, n_groups, n_ties = self._conflicts(codes, labels.astype(str).to_numpy(),
                                                      lambda r, v=labels: python_value(v.iat[r]), refs, label, columns)
            findings += found
            groups += n_groups
            ties += n_ties
        return self._summary(findings, groups, ties, total, missing, content, label)

    def _conflicts(self, codes: np.ndarray, label_text: np.ndarray, value_at: Callable[[int], Any], ref: _RefMaker,
                   label: str, columns: list[str]) -> tuple[list[Finding], int, int]:
        """Findings of one batch of splits: every row whose label is not its group's majority
        (update suggestion), or, in a tie, every row not carrying the earliest row's label (no
        suggestion: nothing says which label is right). ``label_text``: each row's label as text;
        ``value_at(row)``: its value as the data holds it."""
        rows, offsets = groups_from_codes(codes)
        if not len(rows):
            return [], 0, 0
        sizes_g = np.diff(offsets)
        m = pd.DataFrame({"group": np.repeat(np.arange(len(sizes_g)), sizes_g), "row": rows,
                          "label": label_text[rows], "pos": np.arange(len(rows))})
        m = m[m.groupby("group")["label"].transform("nunique").to_numpy() > 1]
        if not len(m):
            return [], 0, 0
        tally = m.groupby(["group", "label"], sort=False).agg(n=("row", "size"), first=("pos", "min")).reset_index()
        tally.sort_values(["group", "n", "first"], ascending=[True, False, True], inplace=True, kind="stable")
        best = tally.drop_duplicates("group").set_index("group")
        runner_up = tally[tally.duplicated("group")].drop_duplicates("group").set_index("group")["n"]
        tied = (best["n"] == runner_up.reindex(best.index)).to_numpy()
        tied_of = dict(zip(best.index.tolist(), tied.tolist()))
        m["top"] = best.loc[m["group"], "label"].to_numpy()
        m["best"] = best.loc[m["group"], "n"].to_numpy()
        m["size"] = sizes_g[m["group"].to_numpy()]
        top_rows = m[m["label"].to_numpy() == m["top"].to_numpy()]
        related_of = {g: [ref(int(r)) for r in rs[:MAX_RELATED]] for g, rs in top_rows.groupby("group")["row"]}
        value_of = {g: value_at(int(r)) for g, r in top_rows.groupby("group")["row"].first().items()}
        flagged = m[m["label"].to_numpy() != m["top"].to_numpy()]
        what = "/".join(columns)
        findings = []
        for g, r, value, top, n_best, size in flagged[["group", "row", "label", "top", "best", "size"]].itertuples(index=False):
            row_ref = ref(int(r))
            related = related_of[g]
            others = f"{plural(int(n_best), 'row')} with the same {what} {'is' if n_best == 1 else 'are'} labelled '{top}'"
            where = _refs(related, row_ref.split)
            if tied_of[g]:
                text = f"labelled '{value}', but {others} ({where}): a tie, no majority label to suggest"
                suggestion = None
                score = 0.5
            else:
                confidence = round(float(n_best) / size, 4)
                text = f"labelled '{value}', but {others} ({where})"
                suggestion = {label: value_of[g], "confidence": confidence, "reason": text}
                score = confidence
            findings.append(Finding(text, split=row_ref.split, row=row_ref.row, key=row_ref.key, column=label,
                                    related=related, suggestion=suggestion, score=score))
        return findings, len(best), int(tied.sum())

    def _summary(self, findings: list[Finding], groups: int, ties: int, total: int, missing: int, content: Content,
                 label: str) -> CheckResult:
        p: ConflictingLabelsParams = self.params
        count = len(findings)
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {"conflicting": count, "groups": groups, "ties": ties, "share": round(share, 6),
                                   "rows": total, "rows_compared": total - missing, "rows_not_compared": missing}
        scope = "across splits" if p.across_splits else "within each split"
        what = "/".join(content.columns)
        why = ""
        if missing:
            need = "/".join(content.required + [label]) if content.required else label
            why = f"; {plural(missing, 'row')} not compared (no {need}, or too little content)"
        if not count and unjudged(missing, total):
            return self.skip(f"could not judge: {why[2:] or 'no rows'} (compared {what} {scope})", metrics=metrics)
        if count:
            tie_text = f", {plural(ties, 'tie')} without a suggestion" if ties else ""
            message = (f"{plural(groups, 'group')} of identical {what} with different labels{tie_text}; "
                       f"{plural(count, 'row')} flagged ({share:.2%}, {scope})")
        else:
            message = f"no conflicting labels in {total:,} rows (compared {what} {scope})"
        message += p.limit_text(count, share) + why
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)


def _ref_maker(splits: list[Any], sizes: np.ndarray) -> _RefMaker:
    """RowRefs of positions in the splits taken one after the other (``sizes``: their rows)."""
    split_of = np.repeat(np.arange(len(splits)), sizes)
    row_of = np.arange(len(split_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return _RefMaker(splits, split_of, row_of)


class _RefMaker:
    """RowRef of a position in the concatenated splits (keys converted once per split, on demand)."""

    def __init__(self, splits: list[Any], split_of: np.ndarray, row_of: np.ndarray) -> None:
        self.splits, self.split_of, self.row_of = splits, split_of, row_of
        self.keys: dict[int, np.ndarray] = {}

    def __call__(self, r: int) -> RowRef:
        i, row = int(self.split_of[r]), int(self.row_of[r])
        if i not in self.keys:
            self.keys[i] = self.splits[i].keys.to_numpy(dtype=object)
        return RowRef(self.splits[i].name, row, str(self.keys[i][row]))


def _refs(refs: list[RowRef], split: str) -> str:
    shown = ", ".join(describe_ref(r.split, r.row, r.key, same_split=split) for r in refs[:3])
    return shown + (", …" if len(refs) > 3 else "")


