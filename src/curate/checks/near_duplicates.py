"""``near_duplicates``: near-identical texts (or rows) within a split, by MinHash + LSH.

The engine is :func:`curate.dedup.near_duplicate_pairs`: normalise, collapse identical texts,
MinHash word (or character) n-gram shingles, LSH banding for candidates, verification of every
candidate pair by its Jaccard similarity (exact by default), union-find grouping. Each group
keeps its first row; every other row is a finding with ``related`` naming the kept row and a
``delete`` suggestion whose confidence (and ``score``) is the row's Jaccard similarity to the
kept row. Rows grouped only through intermediate rows can fall below the threshold against the
kept row; their message says so.

Parameters: ``column`` (or ``columns`` for tabular rows: the normalised values are joined, then
shingled as one text; default: the dataset's text column, else every column but the key),
``shingle`` (``word`` | ``char``), ``ngram`` (default 2 for words, 5 for characters),
``num_perm`` (128), ``threshold`` (Jaccard, 0.5), ``bands`` (default: derived, see
:func:`curate.dedup.lsh_shape`), ``verify`` (``exact`` | ``estimate``), ``seed``, ``normalize``
(as ``duplicates``), ``include_exact`` (false: rows whose normalised text is identical to the
kept row's are left to ``duplicates`` / ``conflicting_labels``), ``max_count`` / ``max_share``.

Defaults, by measurement (``python bench/near_duplicates.py --sizes 100000 --sweep``; table in
bench/RESULTS.md). On 100,000 short English-like texts with planted copies and realistic edits
(2-10 % of the words substituted, deleted or inserted, adjacent words swapped, sentences
reordered, truncation to 80-95 %, a few words appended), word bigrams at Jaccard ≥ 0.5 find the
planted groups with precision 1.0 and recall 0.991 from 50,500 LSH candidate pairs; word
unigrams reach that recall at 0.7-0.8, but words like "the" make unrelated texts overlap, so
LSH yields 4.5 million candidates at 0.7 (90× more work), and character 5-grams 8.2 million at
0.5-0.6. Unigrams also leave little room on templated text: in the bundled hf_news example,
unrelated rows share up to 45 % of their words, while every planted near duplicate has a bigram
Jaccard ≥ 0.54 and the most similar unrelated pair 0.32. Word trigrams are cheaper still but need
a threshold near 0.3, within 0.05 of hf_news's unrelated pairs (0.25).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field, model_validator

from curate.checks import register
from curate.checks.base import Check
from curate.checks.duplicates import LimitParams, NormalizeParams, common_columns, describe_ref, plural, row_refs
from curate.context import RunContext
from curate.dedup import (
    MinHashConfig,
    NearDuplicatePairs,
    exact_jaccard,
    joined_text,
    near_duplicate_pairs,
    shingle_sets,
    sorted_unique,
    union_find,
)
from curate.findings import CheckResult, Finding


class TextColumnsParams(NormalizeParams):
    """Which column(s) hold the content, and the MinHash settings (see :class:`MinHashConfig`)."""

    column: str | None = None
    columns: list[str] | None = None
    shingle: Literal["word", "char"] = "word"
    ngram: int | None = Field(default=None, ge=1, le=64)
    num_perm: int = Field(default=128, ge=8, le=1024)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    bands: int | None = Field(default=None, ge=1)
    verify: Literal["exact", "estimate"] = "exact"
    seed: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _one_way_to_name_columns(self) -> TextColumnsParams:
        if self.column is not None and self.columns is not None:
            raise ValueError("give either column or columns, not both")
        if self.columns is not None and not self.columns:
            raise ValueError("columns: list at least one column")
        if self.bands is not None and self.bands > self.num_perm:
            raise ValueError(f"bands ({self.bands}) cannot exceed num_perm ({self.num_perm})")
        return self

    def minhash(self) -> MinHashConfig:
        return MinHashConfig(shingle=self.shingle, ngram=self.ngram, num_perm=self.num_perm, threshold=self.threshold,
                             bands=self.bands, verify=self.verify, seed=self.seed)


def content_columns(check: Check, ctx: RunContext, *, exclude_label: bool) -> tuple[list[str], str]:
    """(columns, where the choice came from) for a TextColumnsParams check."""
    p: TextColumnsParams = check.params
    if p.column:
        return [p.column], "column"
    if p.columns:
        return list(p.columns), "columns"
    if ctx.roles.text:
        return [ctx.roles.text], "text column"
    skip = (ctx.roles.key, ctx.roles.label) if exclude_label else (ctx.roles.key,)
    return common_columns(ctx, skip), "all columns"


def require_content_columns(check: Check, ctx: RunContext, splits: list[str] | None = None) -> None:
    p: TextColumnsParams = check.params
    if p.column:
        check.require_column(ctx, p.column, ("column",), splits)
    for i, column in enumerate(p.columns or []):
        check.require_column(ctx, column, ("columns", i), splits)


def pair_similarity(result: NearDuplicatePairs, texts_a: np.ndarray, texts_b: np.ndarray, text: pa.Array) -> np.ndarray:
    """Jaccard similarity of pairs of unique texts (exact, or the verified estimate where known)."""
    cfg = result.config
    out = np.ones(len(texts_a))
    differ = texts_a != texts_b
    if not differ.any():
        return out
    a, b = texts_a[differ], texts_b[differ]
    involved = sorted_unique(np.concatenate([a, b]))
    first = np.full(result.n_texts, -1, dtype=np.int64)
    rows = result.text_of_row
    ok = np.flatnonzero(rows >= 0)
    first[rows[ok][::-1]] = ok[::-1]
    offsets, values = shingle_sets(text.take(pa.array(first[involved])), cfg.shingle, cfg.n)
    pairs = np.column_stack([np.searchsorted(involved, a), np.searchsorted(involved, b)])
    out[differ] = exact_jaccard(offsets, values, pairs)
    return out


class NearDuplicatesParams(TextColumnsParams, LimitParams):
    include_exact: bool = False  # also report rows whose normalised text equals the kept row's


@register
class NearDuplicates(Check):
    name: ClassVar[str] = "near_duplicates"
    description: ClassVar[str] = "Near-identical texts or rows within a split (MinHash + LSH, verified Jaccard ≥ threshold)"
    Params = NearDuplicatesParams

    def validate(self, ctx: RunContext) -> None:
        require_content_columns(self, ctx)
        if not (self.params.column or self.params.columns) and ctx.roles.text:
            self.require_column(ctx, ctx.roles.text, ("column",))

    def run(self, ctx: RunContext) -> CheckResult:
        p = self.params
        cfg = p.minhash()
        columns, source = content_columns(self, ctx, exclude_label=False)
        if not columns:
            return self.skip("nothing to compare: no column but the key",
                               metrics={"near_duplicates": 0, "groups": 0, "share": 0.0, "rows": 0})
        findings: list[Finding] = []
        total = groups = candidates = verified = 0
        column = columns[0] if len(columns) == 1 else None
        unit = f"{'word' if cfg.shingle == 'word' else 'character'} {cfg.n}-grams"
        for split in ctx.dataset.splits.values():
            if any(c not in split.frame.columns for c in columns):
                continue
            text = joined_text(split.frame, columns, p.normalize)
            total += len(text)
            result = near_duplicate_pairs(text, cfg, progress=ctx.progress)
            candidates += result.candidates
            verified += len(result.left)
            if not len(result.left) and not p.include_exact:
                continue
            label = union_find(result.n_texts, result.left, result.right)
            rows = result.text_of_row
            ok = np.flatnonzero(rows >= 0)
            comp = label[rows[ok]]
            if p.include_exact:  # identical texts form groups too
                grouped = np.bincount(comp, minlength=result.n_texts)[comp] > 1
            else:
                grouped = np.bincount(label, minlength=result.n_texts)[comp] > 1
            members = pd.DataFrame({"row": ok[grouped], "text": rows[ok][grouped], "comp": comp[grouped]})
            members.sort_values(["comp", "row"], inplace=True, kind="stable")
            kept = members.groupby("comp", sort=False)["row"].transform("first").to_numpy()
            kept_text = rows[kept]
            m_rows = members["row"].to_numpy()
            m_text = members["text"].to_numpy()
            report = m_rows != kept
            if not p.include_exact:
                report &= m_text != kept_text
            sim = pair_similarity(result, m_text[report], kept_text[report], text)
            refs, krefs = row_refs(split, m_rows[report]), row_refs(split, kept[report])
            groups += len(np.unique(members["comp"].to_numpy()[report]))
            for ref, kref, s in zip(refs, krefs, sim.tolist()):
                note = "" if s >= cfg.threshold else f" (below {cfg.threshold:g}: grouped through similar rows)"
                text_msg = (f"near duplicate of {describe_ref(kref.split, kref.row, kref.key, same_split=ref.split)}: "
                            f"Jaccard {s:.3f} on {unit}{note}")
                findings.append(
                    Finding(
                        text_msg,
                        split=ref.split,
                        row=ref.row,
                        key=ref.key,
                        column=column,
                        related=[kref],
                        suggestion={"action": "delete", "confidence": round(float(s), 4), "reason": text_msg},
                        score=round(float(s), 4),
                    )
                )
        count = len(findings)
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {
            "near_duplicates": count,
            "groups": groups,
            "share": round(share, 6),
            "rows": total,
            "candidate_pairs": candidates,
            "verified_pairs": verified,
        }
        what = ", ".join(columns) if source != "all columns" else "all columns but the key"
        if count:
            message = f"{plural(count, 'near-duplicate row')} in {plural(groups, 'group')} ({share:.2%} of {total:,} rows; {what}; {cfg.describe()})"
        else:
            message = f"no near duplicates in {total:,} rows ({what}; {cfg.describe()})"
        message += p.limit_text(count, share)
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)
