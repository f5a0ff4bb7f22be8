"""``leakage``: rows of one split that also appear, exactly or nearly, in an earlier split.

Splits are ranked train → validation → test → others (``order`` overrides); a row leaks when a
row of an earlier-ranked split has the same normalised content (``exact``: identical after
normalisation, never merely a Jaccard similarity of 1) or, with ``near: true`` (the default), a
verified Jaccard similarity at or above ``threshold`` (``near``). The row in the earlier split is
kept: each leaked row is a finding whose ``related`` names its best *direct* match (an exact copy
first, else the most similar verified pair, then the earliest split and row), so a near match
always meets the threshold itself; the suggestion deletes the leaked copy (confidence =
similarity).

Content follows the rules of ``duplicates`` (:func:`curate.checks.duplicates.content_of`): the
text column when it is what the rows are, compared with the MinHash/LSH engine of
``near_duplicates`` run once over every split together (each split's normalised texts and MinHash
signatures are shared with ``near_duplicates`` within a run, see curate.shared); a missing text, or one with fewer than
``min_chars`` letters or digits, is never compared. Otherwise whole rows (every column but the
key and label; missing values equal) are compared exactly: similar-looking records of a table
are different records, and templated text that is one attribute among identifying columns (a
product description next to name and price) would make most of a test split look leaked. The
message says which content was compared and why. Parameters as ``near_duplicates``, plus
``near``, ``order`` and ``max_count`` / ``max_share`` (share of the rows of the later splits;
default: any leaked row fails).

Partitions: texts as ``near_duplicates`` maps them (:mod:`curate.near_state`), all splits in
precedence order numbered together, so an exact leak is a text first seen in an earlier split
and a near leak a verified pair of the combined band keys' candidates, whose signatures and texts
only a later pass fetches. Whole rows as ``duplicates`` maps them (128-bit content digests,
:mod:`curate.dup_state`), compared on the concatenated columns (:meth:`Leakage.collect`) when a
column's type differs between the files or splits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from curate.checks import register
from curate.checks.base import LimitParams, Plan
from curate.checks.duplicates import (
    Content,
    ContentPlan,
    content_chunk,
    content_of,
    mapped_states,
    normalized_columns,
    unjudged,
)
from curate.checks.near_duplicates import (
    CandidateTexts,
    MinHashFamily,
    TextColumnsParams,
    TextSource,
    near_pairs,
    require_content_columns,
)
from curate.context import RunContext
from curate.dataset import row_refs, split_order
from curate.dedup import MinHashConfig, row_codes
from curate.dup_state import comparable, ordered, rows_of
from curate.findings import CheckResult, Finding, RowRef, plural
from curate.near_state import MinHashPlan, batch, kinds_agree


class LeakageParams(TextColumnsParams, LimitParams):
    near: bool = True  # also near copies (MinHash + LSH); false: exact copies only
    order: list[str] | None = None  # split precedence; default train → validation → test → others


@dataclass(frozen=True)
class RowsPlan(ContentPlan):
    """Whole rows compared exactly across the splits (in precedence order), by content digests."""


@dataclass
class Matches:
    """Which text (or row content) every row of the splits, one after the other, holds, and the
    verified near pairs between those texts."""

    sizes: np.ndarray
    text_of_row: np.ndarray
    left: np.ndarray
    right: np.ndarray
    sim: np.ndarray


NO_PAIRS = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))


@register
class Leakage(MinHashFamily):
    name: ClassVar[str] = "leakage"
    description: ClassVar[str] = "Rows of one split also present (exactly or nearly) in an earlier split, e.g. test rows in train"
    Params = LeakageParams

    def validate(self, ctx: RunContext) -> None:
        for i, name in enumerate(self.params.order or []):
            self.require_split(ctx, name, ("order", i))
        require_content_columns(self, ctx)
        if not (self.params.column or self.params.columns) and ctx.roles.text:
            self.require_column(ctx, ctx.roles.text, ("column",))

    def run(self, ctx: RunContext) -> CheckResult:
        plan = self.plan(ctx)
        if isinstance(plan, RowsPlan):  # in process, columns normalised once through ctx.shared
            return self.judge(plan, self.combine(plan, mapped_states(self, plan, ctx)), ctx)
        return self.run_with(ctx, TextSource(self, ctx), plan)

    def plan(self, ctx: RunContext) -> Plan | CheckResult:
        """Texts: a :class:`MinHashPlan` over the splits in precedence order (no band keys without
        ``near``); whole rows: a :class:`RowsPlan` of content digests, as ``duplicates`` compares."""
        p: LeakageParams = self.params
        names = split_order(list(ctx.dataset.splits), p.order)
        empty = {"leaked": 0, "exact": 0, "near": 0, "share": 0.0, "rows": 0}
        if len(names) < 2:
            return self.skip(f"nothing to compare: '{names[0]}' is the only split", metrics=empty)
        content = content_of(ctx, column=p.column, columns=p.columns, exclude_label=True)
        if not content.columns:
            return self.skip("nothing to compare: no column but the key and label", metrics=empty)
        columns = tuple(content.columns)
        if content.source == "all columns":
            return RowsPlan(tuple(names), columns, {n: content for n in names}, content, p.normalize, p.min_chars,
                            secrets.randbits(64))
        return MinHashPlan(tuple(names), columns, columns, p.normalize, p.min_chars, p.minhash() if p.near else None,
                           content)

    def map(self, plan: Plan, split: str, partition: pd.DataFrame, given: tuple | None = None,
            normalized: dict | None = None) -> Any:
        if isinstance(plan, ContentPlan):
            return {split: [content_chunk(plan, split, partition, normalized)]}
        return super().map(plan, split, partition, given)

    def judge(self, plan: Plan, state: Any, ctx: RunContext, source: TextSource | None = None) -> CheckResult:
        names = list(plan.splits)
        if isinstance(plan, RowsPlan):
            chunks = ordered(state, names)
            if not comparable(chunks):  # a column whose type differs between files or splits
                return self.collect(ctx)
            sizes = np.array([sum(c.rows for n, c in chunks if n == name) for name in names], dtype=np.int64)
            codes, _, _ = rows_of(chunks, dict(zip(names, (np.cumsum(sizes) - sizes).tolist())))
            return self._report(ctx, plan.summary, names, Matches(sizes, codes, *NO_PAIRS), None)
        assert isinstance(plan, MinHashPlan)
        if not all(kinds_agree(state, [name]) for name in names):
            return self.whole_columns(ctx)
        b = batch(state, names)
        pairs = NO_PAIRS
        if plan.config is not None:  # each split's texts and signatures shared with near_duplicates (ctx.shared)
            v = near_pairs(ctx, plan.config, b, CandidateTexts(source or TextSource(self, ctx), plan, b))
            pairs = (v.left, v.right, v.similarity)
        return self._report(ctx, plan.source, names, Matches(b.sizes, b.text_of_row, *pairs), plan.config)

    def collect(self, ctx: RunContext) -> CheckResult:
        """Whole columns of every split together: whole rows by ``row_codes`` of the concatenated
        splits (a column that is numbers in one split and text in another is text there), texts
        by each split's whole frame."""
        plan = self.plan(ctx)
        if not isinstance(plan, RowsPlan):
            return plan if isinstance(plan, CheckResult) else self.whole_columns(ctx)
        p, content = self.params, plan.summary
        splits = [ctx.dataset.splits[n] for n in plan.splits]
        frame = pd.concat([s.frame[content.columns] for s in splits], ignore_index=True)
        text_of_row = row_codes(frame, content.columns, p.normalize, nulls_equal=content.nulls_equal,
                                required=content.required, min_chars=p.min_chars,
                                normalized=normalized_columns(ctx, splits, content.columns, p.normalize))
        sizes = np.array([len(s) for s in splits], dtype=np.int64)
        return self._report(ctx, content, list(plan.splits), Matches(sizes, text_of_row, *NO_PAIRS), None)

    def _report(self, ctx: RunContext, content: Content, names: list[str], m: Matches,
                cfg: MinHashConfig | None) -> CheckResult:
        """Findings, metrics and message from which content every row holds and the near pairs."""
        p: LeakageParams = self.params
        splits = [ctx.dataset.splits[n] for n in names]
        sizes = m.sizes
        rank = np.repeat(np.arange(len(splits)), sizes)
        local = np.arange(len(rank)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        whole_rows = content.source == "all columns"
        near = cfg is not None
        cfg = cfg or p.minhash()
        leaks = _matches(m.text_of_row, rank, m.left, m.right, m.sim)
        later = int(sizes[1:].sum())
        missing = int((m.text_of_row[rank > 0] < 0).sum())
        findings, per_split, n_exact = self._findings(leaks, splits, names, rank, local, content, cfg)
        count = len(findings)
        share = count / later if later else 0.0
        metrics: dict[str, Any] = {
            "leaked": count,
            "exact": n_exact,
            "near": count - n_exact,
            "share": round(share, 6),
            "rows": later,
            "rows_compared": later - missing,
            "rows_not_compared": missing,
        }
        for name, n in per_split.items():
            metrics[f"leaked.{name}"] = n
        what = content.describe(all_but="the key and label")
        order = " → ".join(names)
        how = cfg.describe() if near else ("exact copies of whole rows, missing values equal" if whole_rows else "exact matches only")
        setting = f"{order}; {what}; {how}" + (f"; whole rows compared: {content.note}" if content.note else "")
        why = ""
        if missing:
            why = (f"; {plural(missing, 'row')} of the later splits not compared (no {'/'.join(content.required)}, or "
                   f"fewer than {p.min_chars} letters or digits)" if content.required
                   else f"; {plural(missing, 'row')} of the later splits not compared (no value)")
        if not count and unjudged(missing, later):
            return self.skip(f"could not judge: {why[2:] or 'no rows in the later splits'} ({setting})", metrics=metrics)
        if count:
            parts = ", ".join(f"{n} in {name}" for name, n in per_split.items() if n)
            message = (f"{plural(count, 'row')} leaked from an earlier split ({parts}; {n_exact} exact, "
                       f"{count - n_exact} near; {share:.2%} of {later:,} rows; {setting})")
        else:
            message = f"no leakage between splits ({setting})"
        message += p.limit_text(count, share) + why
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)

    def _findings(self, leaks: pd.DataFrame, splits: list[Any], names: list[str], rank: np.ndarray, local: np.ndarray,
                  content: Content, cfg: Any) -> tuple[list[Finding], dict[str, int], int]:
        findings: list[Finding] = []
        column = content.columns[0] if len(content.columns) == 1 else None
        unit = f"{'word' if cfg.shingle == 'word' else 'character'} {cfg.n}-grams"
        per_split: dict[str, int] = {n: 0 for n in names[1:]}
        n_exact = 0
        r_all, m_all = leaks["row"].to_numpy(), leaks["match"].to_numpy()
        s_all, e_all = leaks["sim"].to_numpy(), leaks["exact"].to_numpy()
        refs: dict[int, RowRef] = {}
        for i, split in enumerate(splits):  # keys gathered split by split, in one go each
            for rows in (r_all, m_all):
                sel = rows[rank[rows] == i]
                refs.update(zip(sel.tolist(), row_refs(split, local[sel])))
        for r, m, s, exact in zip(r_all.tolist(), m_all.tolist(), s_all.tolist(), e_all.tolist()):
            split, other = splits[rank[r]], splits[rank[m]]
            ref, mref = refs[r], refs[m]
            per_split[split.name] += 1
            if exact:
                n_exact += 1
                how = f"exact copy of {other.name} row {mref.row} (key {mref.key})"
            else:
                how = f"near copy of {other.name} row {mref.row} (key {mref.key}): Jaccard {s:.3f} on {unit}"
            message = f"{split.name} row also in {other.name}: {how}"
            findings.append(Finding(message, split=ref.split, row=ref.row, key=ref.key, column=column, related=[mref],
                                    suggestion={"action": "delete", "confidence": round(float(s), 4), "reason": message},
                                    score=round(float(s), 4)))
        return findings, per_split, n_exact


def _matches(text_of_row: np.ndarray, rank: np.ndarray, left: np.ndarray, right: np.ndarray, sim: np.ndarray) -> pd.DataFrame:
    """Each leaked row's best direct match in an earlier split: the same text (exact) first, else
    its most similar verified pair, then the earliest split and row. Every match is a direct
    pair, never one reached through other rows, so a near match always meets the threshold."""
    ok = np.flatnonzero(text_of_row >= 0)
    rows = pd.DataFrame({"row": ok, "text": text_of_row[ok], "rank": rank[ok]})
    # each text's earliest split and its first row there
    first = rows.sort_values(["rank", "row"], kind="stable").drop_duplicates("text").set_index("text")
    exact = rows[rows["rank"].to_numpy() > first.loc[rows["text"], "rank"].to_numpy()].copy()
    exact["match"] = first.loc[exact["text"], "row"].to_numpy()
    exact["match_rank"] = first.loc[exact["text"], "rank"].to_numpy()
    exact["sim"] = 1.0
    exact["exact"] = True
    candidates = [exact[["row", "match", "match_rank", "sim", "exact"]]]
    if len(left):
        edges = pd.DataFrame({"text": np.r_[left, right], "other": np.r_[right, left], "sim": np.r_[sim, sim]})
        near = rows.merge(edges, on="text")
        near["match"] = first.loc[near["other"], "row"].to_numpy()
        near["match_rank"] = first.loc[near["other"], "rank"].to_numpy()
        near["exact"] = False
        near = near[near["rank"] > near["match_rank"]]
        candidates.append(near[["row", "match", "match_rank", "sim", "exact"]])
    leaks = pd.concat(candidates, ignore_index=True)
    leaks = leaks.sort_values(["row", "exact", "sim", "match_rank", "match"], ascending=[True, False, False, True, True],
                              kind="stable")
    return leaks.drop_duplicates("row").sort_values("row", kind="stable")
