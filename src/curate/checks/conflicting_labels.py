"""``conflicting_labels``: identical content carrying different labels.

Rows are grouped by their content (the ``text`` column by default, else every column but the
key and the label) after the same normalisation as ``duplicates``; a group whose rows carry two
or more different labels is a conflict. The fix differs from a duplicate's: each row whose
label disagrees with the group's majority label gets an update suggestion
(``{"<label column>": majority, "confidence": share of the group carrying it}``), and ``related``
names the rows that carry the majority label. A tie (one row each way, the usual case) is broken
in favour of the earliest row (split precedence train → validation → test, then row order),
with confidence 0.5: that is a guess, and the reviewer decides.

Groups span every split by default (``across_splits: false`` compares within each split): the
same text labelled differently in train and test is a contradiction either way. Rows with a
missing label or missing content are not compared. Pass/fail: ``max_count`` / ``max_share`` of
rows to relabel (default: any conflict fails).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from curate.checks import register
from curate.checks.base import Check
from curate.checks.duplicates import LimitParams, NormalizeParams, common_columns, plural, python_value, split_order
from curate.context import RunContext
from curate.dedup import groups_from_codes, row_codes
from curate.findings import CheckResult, Finding, RowRef

MAX_RELATED = 10


class ConflictingLabelsParams(LimitParams, NormalizeParams):
    columns: list[str] | None = None  # content; default: the text column, else all but key and label
    label: str | None = None  # default: the dataset's label column
    across_splits: bool = True


@register
class ConflictingLabels(Check):
    name: ClassVar[str] = "conflicting_labels"
    description: ClassVar[str] = "Identical content (after normalisation) carrying different labels"
    Params = ConflictingLabelsParams

    def _label(self, ctx: RunContext) -> str | None:
        return self.params.label or ctx.roles.label

    def _columns(self, ctx: RunContext) -> list[str]:
        if self.params.columns:
            return list(self.params.columns)
        if ctx.roles.text:
            return [ctx.roles.text]
        return common_columns(ctx, (ctx.roles.key, self._label(ctx)))

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
        if not self._columns(ctx):
            raise self.error(("columns",), "conflicting_labels: no content column to compare")

    def run(self, ctx: RunContext) -> CheckResult:
        p: ConflictingLabelsParams = self.params
        label = self._label(ctx)
        if label is None:
            return self.skip("nothing to compare: the dataset has no label column (set `label:`)",
                               metrics={"conflicting": 0, "groups": 0, "share": 0.0, "rows": 0})
        columns = self._columns(ctx)
        order = split_order(list(ctx.dataset.splits))
        batches = [order] if p.across_splits else [[name] for name in order]
        findings: list[Finding] = []
        groups = total = 0
        for names in ctx.progress.track(batches, len(batches), "conflicting labels"):
            splits = [ctx.dataset.splits[n] for n in names]
            frame = pd.concat([s.frame[columns + [label]] for s in splits], ignore_index=True)
            sizes = np.array([len(s) for s in splits])
            split_of = np.repeat(np.arange(len(splits)), sizes)
            row_of = np.arange(len(split_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes)

            ref = _RefMaker(splits, split_of, row_of)

            total += len(frame)
            codes = row_codes(frame, columns, p.normalize)
            labels = frame[label]
            codes[labels.isna().to_numpy()] = -1
            rows, offsets = groups_from_codes(codes)
            if not len(rows):
                continue
            label_text = labels.astype(str).to_numpy()
            sizes_g = np.diff(offsets)
            m = pd.DataFrame({"group": np.repeat(np.arange(len(sizes_g)), sizes_g), "row": rows,
                              "label": label_text[rows], "pos": np.arange(len(rows))})
            # groups with two or more labels; per group the majority label (ties: the earliest row's)
            m = m[m.groupby("group")["label"].transform("nunique").to_numpy() > 1]
            if not len(m):
                continue
            tally = m.groupby(["group", "label"], sort=False).agg(n=("row", "size"), first=("pos", "min")).reset_index()
            tally.sort_values(["group", "n", "first"], ascending=[True, False, True], inplace=True, kind="stable")
            best = tally.drop_duplicates("group").set_index("group")
            m["majority"] = best.loc[m["group"], "label"].to_numpy()
            m["best"] = best.loc[m["group"], "n"].to_numpy()
            m["size"] = sizes_g[m["group"].to_numpy()]
            groups += len(best)
            majority_rows = m[m["label"].to_numpy() == m["majority"].to_numpy()]
            related_of = {g: [ref(int(r)) for r in rs[:MAX_RELATED]] for g, rs in majority_rows.groupby("group")["row"]}
            value_of = {g: python_value(labels.iat[int(r)]) for g, r in majority_rows.groupby("group")["row"].first().items()}
            flagged = m[m["label"].to_numpy() != m["majority"].to_numpy()]
            for g, r, value, majority, n_best, size in flagged[["group", "row", "label", "majority", "best", "size"]].itertuples(index=False):
                row_ref = ref(int(r))
                related = related_of[g]
                confidence = round(float(n_best) / size, 4)
                text = (
                    f"labelled '{value}', but {plural(int(n_best), 'row')} with the same "
                    f"{'/'.join(columns)} {'is' if n_best == 1 else 'are'} labelled '{majority}' "
                    f"({_refs(related, row_ref.split)})"
                )
                findings.append(
                    Finding(
                        text,
                        split=row_ref.split,
                        row=row_ref.row,
                        key=row_ref.key,
                        column=label,
                        related=related,
                        suggestion={label: value_of[g], "confidence": confidence, "reason": text},
                        score=confidence,
                    )
                )
        count = len(findings)
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {"conflicting": count, "groups": groups, "share": round(share, 6), "rows": total}
        scope = "across splits" if p.across_splits else "within each split"
        if count:
            message = (f"{plural(groups, 'group')} of identical {'/'.join(columns)} with different labels; "
                       f"{plural(count, 'row')} to relabel ({share:.2%}, {scope})")
        else:
            message = f"no conflicting labels in {total:,} rows (compared {'/'.join(columns)} {scope})"
        message += p.limit_text(count, share)
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)


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
    shown = ", ".join(f"{'' if r.split == split else r.split + ' '}{r.key}" for r in refs[:3])
    return shown + (", …" if len(refs) > 3 else "")


