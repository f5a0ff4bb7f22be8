"""``leakage``: rows of one split that also appear, exactly or nearly, in an earlier split.

Splits are ranked train → validation → test → others (``order`` overrides); a row leaks when a
row of an earlier-ranked split has the same normalised content (``exact``) or, with ``near: true``
(the default), a verified Jaccard similarity at or above ``threshold`` (``near``). The row in the
earlier split is kept: each leaked row is a finding whose ``related`` names its best match
(an exact copy first, else the most similar row, then the earliest split and row) and whose
suggestion deletes the leaked copy (confidence = similarity).

It reuses the machinery of ``duplicates`` and ``near_duplicates``: the same normalisation
(:func:`curate.dedup.joined_text`), identical texts collapsed by hash, and the same MinHash/LSH
engine (:func:`curate.dedup.near_duplicate_pairs`) run once over the rows of every split
together, keeping only pairs that cross splits. Content is the text column by default, else
every column but the key and the label (a copied input leaks whatever its label). Parameters as
``near_duplicates``, plus ``near``, ``order`` and ``max_count`` / ``max_share`` (share of the
rows of the later splits; default: any leaked row fails).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.checks import register
from curate.checks.base import Check
from curate.checks.duplicates import LimitParams, plural, row_refs, split_order
from curate.checks.near_duplicates import TextColumnsParams, content_columns, require_content_columns
from curate.context import RunContext
from curate.dedup import joined_text, near_duplicate_pairs, unique_texts
from curate.findings import CheckResult, Finding, RowRef


class LeakageParams(TextColumnsParams, LimitParams):
    near: bool = True  # also near copies (MinHash + LSH); false: exact copies only
    order: list[str] | None = None  # split precedence; default train → validation → test → others


@register
class Leakage(Check):
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
        p: LeakageParams = self.params
        names = split_order(list(ctx.dataset.splits), p.order)
        if len(names) < 2:
            return self.skip(f"nothing to compare: '{names[0]}' is the only split",
                               metrics={"leaked": 0, "exact": 0, "near": 0, "share": 0.0, "rows": 0})
        columns, source = content_columns(self, ctx, exclude_label=True)
        if not columns:
            return self.skip("nothing to compare: no column but the key and label",
                               metrics={"leaked": 0, "exact": 0, "near": 0, "share": 0.0, "rows": 0})
        cfg = p.minhash()
        splits = [ctx.dataset.splits[n] for n in names]
        text = pa.concat_arrays([joined_text(s.frame, columns, p.normalize) for s in splits])
        sizes = np.array([len(s) for s in splits])
        rank = np.repeat(np.arange(len(splits)), sizes)
        local = np.arange(len(rank)) - np.repeat(np.cumsum(sizes) - sizes, sizes)

        if p.near:
            result = near_duplicate_pairs(text, cfg, progress=ctx.progress)
            text_of_row, left, right, sim = result.text_of_row, result.left, result.right, result.similarity
        else:
            text_of_row, _ = unique_texts(text)
            left = right = np.empty(0, np.int64)
            sim = np.empty(0)
        ok = np.flatnonzero(text_of_row >= 0)
        rows = pd.DataFrame({"row": ok, "text": text_of_row[ok], "rank": rank[ok]})
        # each text's earliest split and its first row there
        first = rows.sort_values(["rank", "row"], kind="stable").drop_duplicates("text").set_index("text")
        exact = rows[rows["rank"].to_numpy() > first.loc[rows["text"], "rank"].to_numpy()].copy()
        exact["match"] = first.loc[exact["text"], "row"].to_numpy()
        exact["match_rank"] = first.loc[exact["text"], "rank"].to_numpy()
        exact["sim"] = 1.0
        candidates = [exact[["row", "match", "match_rank", "sim"]]]
        if len(left):
            edges = pd.DataFrame({"text": np.r_[left, right], "other": np.r_[right, left], "sim": np.r_[sim, sim]})
            near = rows.merge(edges, on="text")
            near["match"] = first.loc[near["other"], "row"].to_numpy()
            near["match_rank"] = first.loc[near["other"], "rank"].to_numpy()
            near = near[near["rank"] > near["match_rank"]]
            candidates.append(near[["row", "match", "match_rank", "sim"]])
        leaks = pd.concat(candidates, ignore_index=True)
        leaks = leaks.sort_values(["row", "sim", "match_rank", "match"], ascending=[True, False, True, True], kind="stable")
        leaks = leaks.drop_duplicates("row")

        findings: list[Finding] = []
        column = columns[0] if len(columns) == 1 else None
        unit = f"{'word' if cfg.shingle == 'word' else 'character'} {cfg.n}-grams"
        per_split: dict[str, int] = {n: 0 for n in names[1:]}
        n_exact = 0
        leaks = leaks.sort_values("row", kind="stable")
        r_all, m_all, s_all = leaks["row"].to_numpy(), leaks["match"].to_numpy(), leaks["sim"].to_numpy()
        refs: dict[int, RowRef] = {}
        for i, split in enumerate(splits):  # keys gathered split by split, in one go each
            for rows in (r_all, m_all):
                sel = rows[rank[rows] == i]
                refs.update(zip(sel.tolist(), row_refs(split, local[sel])))
        for r, m, s in zip(r_all.tolist(), m_all.tolist(), s_all.tolist()):
            split, other = splits[rank[r]], splits[rank[m]]
            ref, mref = refs[r], refs[m]
            per_split[split.name] += 1
            if s >= 1.0:
                n_exact += 1
                how = f"exact copy of {other.name} row {mref.row} (key {mref.key})"
            else:
                how = f"near copy of {other.name} row {mref.row} (key {mref.key}): Jaccard {s:.3f} on {unit}"
            message = f"{split.name} row also in {other.name}: {how}"
            findings.append(
                Finding(
                    message,
                    split=ref.split,
                    row=ref.row,
                    key=ref.key,
                    column=column,
                    related=[mref],
                    suggestion={"action": "delete", "confidence": round(float(s), 4), "reason": message},
                    score=round(float(s), 4),
                )
            )
        count = len(findings)
        later = int(sizes[1:].sum())
        share = count / later if later else 0.0
        metrics: dict[str, Any] = {
            "leaked": count,
            "exact": n_exact,
            "near": count - n_exact,
            "share": round(share, 6),
            "rows": later,
        }
        for name, n in per_split.items():
            metrics[f"leaked.{name}"] = n
        what = ", ".join(columns) if source != "all columns" else "all columns but the key and label"
        order = " → ".join(names)
        how = cfg.describe() if p.near else "exact matches only"
        if count:
            parts = ", ".join(f"{n} in {name}" for name, n in per_split.items() if n)
            message = (f"{plural(count, 'row')} leaked from an earlier split ({parts}; {n_exact} exact, "
                       f"{count - n_exact} near; {share:.2%} of {later:,} rows; {order}; {what}; {how})")
        else:
            message = f"no leakage between splits ({order}; {what}; {how})"
        message += p.limit_text(count, share)
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)
