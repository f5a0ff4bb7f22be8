"""``near_duplicates``: near-identical texts within a split, by MinHash + LSH.

The engine is :mod:`curate.dedup`'s, as :func:`curate.dedup.near_duplicate_pairs` runs it: normalise, collapse identical texts,
MinHash word (or character) n-gram shingles, LSH banding for candidates, and verification of
every candidate pair by its exact Jaccard similarity. Pairs at or above ``threshold`` are then
grouped by **star clustering** (:func:`curate.dedup.star_clusters`), never by following pairs
transitively: taking texts in row order, a text becomes a group's kept representative unless an
earlier representative is one of its verified pairs; every other text joins the representative
it is most similar to. Why this clustering:

- no chaining: every reported row is itself a verified pair with the row that is kept, so its
  similarity to that row (the finding's ``score`` and the delete suggestion's ``confidence``) is
  at least the threshold. Transitive grouping let chains of small edits pull unrelated rows
  into one group (on a census table, most of the rows), and a fix would delete them all;
- the kept row is the earliest of its group, as in ``duplicates`` and ``leakage`` (the row a
  maintainer would keep), and appending rows never changes which earlier row is kept;
- it needs only the verified pairs, in vectorised rounds, so it costs no more than the
  union-find it replaces; complete linkage within LSH buckets would need every pair of each
  bucket verified.

A row whose text is in no verified pair, or is a representative, is not a finding. Rows with a
missing text, or one with fewer than ``min_chars`` letters or digits after normalisation, are
never compared (the message and metrics count them; when most rows could not be compared and
nothing was found the check is ``skip``).

Content: ``column`` / ``columns`` (values joined, then shingled as one text), else the
dataset's text column when it is what the rows are (see
:func:`curate.checks.duplicates.text_is_content`). Tabular rows without such a text are not
near-duplicate-checked by default (``skip``): similar-looking rows of a table are usually
different records, and exact copies are the ``duplicates`` check's.

Parameters: ``shingle`` (``word`` | ``char``), ``ngram`` (default 2 for words, 5 for
characters), ``num_perm``, ``threshold`` (Jaccard), ``bands`` (default: derived, see
:func:`curate.dedup.lsh_shape`), ``verify`` (``exact`` | ``estimate``; with ``estimate`` the
pairs are found by their MinHash estimate, and each reported row's similarity to its kept row is
still computed exactly and must meet the threshold), ``seed``, ``normalize`` and ``min_chars``
(as ``duplicates``), ``include_exact`` (false: rows whose normalised text is identical to the
kept row's are left to ``duplicates`` / ``conflicting_labels``), ``max_count`` / ``max_share``.
The defaults are word bigrams and Jaccard 0.8. The threshold was chosen on real data, by reading
the pairs (tests/data/real/verdicts.csv, ``bench/real_precision.py``): below 0.8, short texts that
differ in their one content word ("I love this place" / "I love this phone") and quote-retweets
that add the quoter's own reaction pass as copies, so a fix would delete messages of their own.
Data whose near copies are lighter edits of long texts (the bundled hf_news example) lowers it in
its suite. ``bench/near_duplicates.py --sweep`` measures the shingle/threshold trade-off on
planted edits.

Partitions (``needs = "partitions"``, :mod:`curate.near_state`): each partition sends its rows'
codes into its distinct normalised texts, each text's 64-bit hash and its LSH band keys, never
the texts; the client numbers a split's texts by first appearance (as whole columns number them),
takes LSH candidates from the combined band keys, and a later pass fetches the 16-bit signatures
and texts of the candidate pairs' texts only, for the estimate and the exact verification. Star
groups are then formed on the client from the verified pairs, so groups and their kept rows are
those of the whole split, whichever partition a member lies in. An engine may keep the band
keys where they are instead (the Dask engine above ``curate.band-keys-on-client``): the first pass
then sends none, and :meth:`TextSource.candidates` asks the engine for each batch's LSH candidates,
the same pairs (:mod:`curate.near_state`, "band keys grouped where they are"). In process each split's texts,
distinct texts and signatures are computed once per run (``ctx.shared``, with ``leakage``) and
each data file maps its slice of them (:class:`TextSource`). A content column whose type differs
between a split's files is joined from the split's whole frame (:meth:`MinHashFamily.whole_columns`):
concatenated, numbers become text and are written as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field, model_validator

from curate.checks import register
from curate.checks.base import Check, LimitParams, Plan
from curate.checks.duplicates import (
    NORMALIZED,
    Content,
    NormalizeParams,
    content_of,
    describe_ref,
    normalized_columns,
    unjudged,
)
from curate.context import RunContext
from curate.dataset import Split, row_refs
from curate.dedup import (
    MinHashConfig,
    Signatures,
    UniqueTexts,
    default_workers,
    distinct_texts,
    exact_jaccard,
    joined_text,
    lsh_candidates,
    shingle_sets,
    sketch,
    sorted_unique,
    star_clusters,
    verify_candidates,
)
from curate.dup_state import combine
from curate.engines import WholeFrames, frames_at_hand, partitions, plan_columns
from curate.findings import CheckResult, Finding, plural
from curate.near_state import (
    Batch,
    Candidates,
    Fetched,
    FetchPlan,
    MinHashPlan,
    batch,
    chunk_of,
    fetched,
    keys_of,
    kinds_agree,
    sig16_of,
    text_chunk,
)


class TextColumnsParams(NormalizeParams):
    """Which column(s) hold the content, and the MinHash settings (see :class:`MinHashConfig`)."""

    column: str | None = None
    columns: list[str] | None = None
    shingle: Literal["word", "char"] = "word"
    ngram: int | None = Field(default=None, ge=1, le=64)
    num_perm: int = Field(default=128, ge=8, le=1024)
    threshold: float = Field(default=0.8, gt=0.0, le=1.0)
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


def require_content_columns(check: Check, ctx: RunContext, splits: list[str] | None = None) -> None:
    p: TextColumnsParams = check.params
    if p.column:
        check.require_column(ctx, p.column, ("column",), splits)
    for i, column in enumerate(p.columns or []):
        check.require_column(ctx, column, ("columns", i), splits)


@dataclass
class VerifiedPairs:
    """What the result cache keeps of :class:`NearDuplicatePairs` (arrays and counts only)."""

    text_of_row: np.ndarray
    n_texts: int
    left: np.ndarray
    right: np.ndarray
    similarity: np.ndarray
    candidates: int


# ctx.shared kinds (see curate.shared): one split's content text, its distinct texts, their signatures;
# on an engine other than pandas, the first-pass states of one split's partitions
TEXTS, UNIQUE, SIGNATURES, CHUNKS = "texts", "unique_texts", "signatures", "text_chunks"
SHARES = (NORMALIZED, TEXTS, UNIQUE, SIGNATURES, CHUNKS)


class SplitText:
    """One split's content text as the MinHash families compare it. Each stage (normalised joined
    text, distinct texts, MinHash signatures) is computed once per run and shared between
    ``near_duplicates`` and ``leakage`` through ``ctx.shared``, keyed by the split's frame and
    every parameter that shapes it (the LSH threshold and bands do not: they only read the
    signatures)."""

    def __init__(self, ctx: RunContext, split: Split, columns: list[str], params: MinHashPlan) -> None:
        self.ctx, self.split, self.columns, self.params = ctx, split, columns, params
        self._key = (tuple(columns), params.normalize, params.min_chars)
        self._got: dict[Any, Any] = {}  # what this object already fetched (the memo may hand an entry out once)

    def _get(self, kind: str, extra: tuple, compute: Callable[[], Any]) -> Any:
        if (kind, extra) not in self._got:
            self._got[kind, extra] = self.ctx.shared.get_or_compute(kind, self.split.name, self.split.frame,
                                                                    self._key + extra, compute)
        return self._got[kind, extra]

    def text(self) -> pa.Array:
        """Normalised values of the content columns, one text per row (null: not compared)."""
        p, frame = self.params, self.split.frame

        def compute() -> pa.Array:
            normalized = normalized_columns(self.ctx, [self.split], self.columns, p.normalize)
            return joined_text(frame, self.columns, p.normalize, min_chars=p.min_chars, normalized=normalized)

        return self._get(TEXTS, (), compute)

    def unique(self) -> UniqueTexts:
        return self._get(UNIQUE, (), lambda: distinct_texts(self.text(), default_workers()))

    def signatures(self, cfg: MinHashConfig) -> Signatures:
        """MinHash signatures of the distinct texts (``num_perm`` × texts uint32, see curate.shared)."""
        return self._get(SIGNATURES, (cfg.shingle, cfg.n, cfg.num_perm, cfg.seed),
                         lambda: sketch(self.unique().texts, cfg.shingle, cfg.n, cfg.num_perm, cfg.seed,
                                        progress=self.ctx.progress))


class TextSource:
    """Where a MinHash family's states come from. In process (the pandas engine) each split's texts,
    distinct texts and signatures are computed once per run through ``ctx.shared`` (:class:`SplitText`,
    shared with the other MinHash family) and each data file maps its rows' slice of them; on another
    engine (or :class:`curate.engines.WholeFrames`) each partition computes its own where it is."""

    def __init__(self, check: Check, ctx: RunContext, engine: Any = None) -> None:
        self.check, self.ctx = check, ctx
        self.engine = engine or ctx.engine
        self._texts: dict[str, SplitText] = {}  # held for the later pass (the memo may hand an entry out once)

    @property
    def in_process(self) -> bool:
        return frames_at_hand(self.engine, list(self.ctx.dataset.splits.values()))

    def _shared(self, name: str, plan: MinHashPlan) -> SplitText:
        if name not in self._texts:
            self._texts[name] = SplitText(self.ctx, self.ctx.dataset.splits[name], list(plan.text_columns), plan)
        return self._texts[name]

    def states(self, plan: MinHashPlan) -> list[Any]:
        if isinstance(self.engine, WholeFrames):
            return self.engine.states(self.check, plan, self.ctx.dataset)
        if not self.in_process:
            return [state for name in plan.splits for state in self._mapped(name, plan)]
        out = []
        for name in plan.splits:
            shared = self._shared(name, plan)
            unique = shared.unique()
            keys = valid = None
            if plan.config is not None:
                keys, valid = keys_of(shared.signatures(plan.config), plan.config, default_workers())
            for part in partitions(self.ctx.dataset.splits[name]):
                rows = unique.text_of_row[part.index.to_numpy(dtype=np.int64)]
                out.append(self.check.map(plan, name, plan_columns(part, plan), given=(rows, unique.hashes, keys, valid)))
        return out

    def _mapped(self, name: str, plan: MinHashPlan) -> list[Any]:
        """One split's first-pass states from the engine, mapped once per run for both MinHash
        families (``ctx.shared``): a partition's state depends on its content columns,
        normalisation, sketch and LSH shape, not on the family or its other settings."""
        cfg = plan.config
        if cfg is not None and not self._gathers_band_keys(cfg):
            plan = replace(plan, band_keys=False)
        sketch = None if cfg is None else (cfg.shingle, cfg.n, cfg.num_perm, cfg.seed, cfg.lsh_shape(), plan.band_keys)
        key = (plan.columns, plan.text_columns, plan.normalize, plan.min_chars, sketch)
        split = self.ctx.dataset.splits[name]
        return self.ctx.shared.get_or_compute(CHUNKS, name, split, key, lambda: self.engine.states(
            self.check, replace(plan, splits=(name,)), self.ctx.dataset))

    def _gathers_band_keys(self, cfg: MinHashConfig) -> bool:
        """Whether the engine's first pass sends band keys (one choice per dataset, so that every
        batch of every MinHash family finds its splits' chunks alike)."""
        gathers = getattr(self.engine, "gathers_band_keys", None)
        rows = sum(len(split) for split in self.ctx.dataset.splits.values())
        return gathers is None or gathers(rows, cfg.lsh_shape()[0])

    def candidates(self, plan: MinHashPlan, b: Batch, workers: int) -> np.ndarray:
        """A batch's LSH candidate pairs: from its gathered band keys, else grouped by the engine
        where the keys are (:meth:`curate.engines.dask.DaskEngine.band_candidates`)."""
        if b.keys is not None:
            return lsh_candidates(b.keys, b.valid, workers=workers)
        return self.engine.band_candidates(plan, self.ctx.dataset, b)  # the batch names its splits

    def fetch(self, plan: FetchPlan) -> list[Any]:
        """The later pass: the wanted texts' signatures and texts (in process: from the shared ones)."""
        if not self.in_process:
            return self.engine.states(self.check, plan, self.ctx.dataset)
        out = []
        for name, rows in plan.want.items():
            shared = self._shared(name, plan)
            unique = shared.unique()
            texts = unique.text_of_row[rows]
            sig = sig16_of(shared.signatures(plan.config), texts)
            out.append({name: [Fetched(rows, sig, unique.texts.take(pa.array(texts)))]})
        return out


class CandidateTexts:
    """Signatures and texts of some of a batch's texts, fetched in a later pass when first asked for
    (only candidate pairs' texts are ever asked for)."""

    def __init__(self, source: TextSource, plan: MinHashPlan, b: Batch) -> None:
        self.source, self.plan, self.batch = source, plan, b
        self._ids = np.empty(0, np.int64)
        self._got: Candidates | None = None

    def _have(self, texts: np.ndarray) -> Candidates:
        if not len(texts):
            return self._got or Candidates(self.batch, {})
        if self._got is None or not np.isin(texts, self._ids).all():
            self._ids = sorted_unique(np.concatenate([self._ids, np.asarray(texts, dtype=np.int64)]))
            want = self.batch.want(self._ids)
            p = self.plan
            fetch = FetchPlan(tuple(want), p.columns, p.text_columns, p.normalize, p.min_chars, p.config, p.source, want=want)
            state = combine(self.source.fetch(fetch))
            self._got = Candidates(self.batch, state)
        return self._got

    def sig16(self, texts: np.ndarray) -> np.ndarray:
        return self._have(texts).sig16(texts)

    def texts(self, texts: np.ndarray) -> pa.Array:
        return self._have(texts).texts(texts)


def near_pairs(ctx: RunContext, cfg: MinHashConfig, b: Batch, texts: CandidateTexts) -> VerifiedPairs:
    """Verified near-duplicate pairs among a batch's texts: LSH on the combined band keys, then
    :func:`curate.dedup.verify_candidates` on the candidates' fetched signatures and texts, through
    the run's result cache (keyed by the rows' text hashes and the MinHash settings): a CI re-run
    on unchanged texts reuses them."""

    def compute() -> VerifiedPairs:
        none = np.empty(0, np.int64)
        if b.n_texts < 2:
            return VerifiedPairs(b.text_of_row, b.n_texts, none, none, np.empty(0), 0)
        workers = default_workers()
        pairs = texts.source.candidates(texts.plan, b, workers)
        kept, sim = verify_candidates(pairs, texts.sig16, texts.texts, cfg, workers=workers)
        return VerifiedPairs(b.text_of_row, b.n_texts, kept[:, 0], kept[:, 1], sim, len(pairs))

    digests = [b.digest()] if ctx.cache is not None else []
    return ctx.memo("near_duplicates.pairs", VerifiedPairs, cfg.model_dump(mode="json"), digests, compute)


class MinHashFamily(Check):
    """What ``near_duplicates`` and ``leakage`` share on partitions (see :mod:`curate.near_state`):
    the first pass maps each partition to text hashes and band keys, combine gathers them, and a
    later pass fetches only the candidate pairs' signatures and texts."""

    needs = "partitions"
    shares: ClassVar[tuple[str, ...]] = SHARES

    def run(self, ctx: RunContext) -> CheckResult:
        return self.run_with(ctx, TextSource(self, ctx))

    def run_with(self, ctx: RunContext, source: TextSource, plan: Plan | CheckResult | None = None) -> CheckResult:
        plan = plan or self.plan(ctx)
        if isinstance(plan, CheckResult):
            return plan
        return self.judge(plan, self.combine(plan, source.states(plan)), ctx, source)

    def map(self, plan: Plan, split: str, partition: pd.DataFrame, given: tuple | None = None, **_: Any) -> Any:
        """A :class:`TextChunk` (``given``: the partition's text ids and the split's hashes, band
        keys and validity, computed in process), or for a :class:`FetchPlan` the wanted texts."""
        if isinstance(plan, FetchPlan):
            return {split: [fetched(plan, split, partition)]}
        if given is None:
            return {split: [text_chunk(plan, partition)]}
        return {split: [chunk_of(plan, partition, *given)]}

    def combine(self, plan: Plan, states: list[Any]) -> Any:
        return combine(states)

    def whole_columns(self, ctx: RunContext) -> CheckResult:
        """Each split's whole frame as its one partition: for a content column whose type differs
        between a split's files (concatenated, numbers become text and are written as such)."""
        return self.run_with(ctx, TextSource(self, ctx, WholeFrames()))


class NearDuplicatesParams(TextColumnsParams, LimitParams):
    include_exact: bool = False  # also report rows whose normalised text equals the kept row's


@register
class NearDuplicates(MinHashFamily):
    name: ClassVar[str] = "near_duplicates"
    description: ClassVar[str] = "Near-identical texts or rows within a split (MinHash + LSH, verified Jaccard ≥ threshold)"
    Params = NearDuplicatesParams

    def validate(self, ctx: RunContext) -> None:
        require_content_columns(self, ctx)
        if not (self.params.column or self.params.columns) and ctx.roles.text:
            self.require_column(ctx, ctx.roles.text, ("column",))

    def plan(self, ctx: RunContext) -> MinHashPlan | CheckResult:
        p = self.params
        content = content_of(ctx, column=p.column, columns=p.columns, exclude_label=False)
        if content.source == "all columns":
            why = content.note or "the dataset has no text column"
            empty = {"near_duplicates": 0, "groups": 0, "share": 0.0, "rows": 0}
            return self.skip(f"not applicable: {why}; rows are compared whole by `duplicates` (name `columns` "
                             "to compare rows by the similarity of their values)", metrics=empty)
        splits = tuple(s.name for s in ctx.dataset.splits.values() if all(c in s.columns for c in content.columns))
        columns = tuple(content.columns)
        return MinHashPlan(splits, columns, columns, p.normalize, p.min_chars, p.minhash(), content)

    def collect(self, ctx: RunContext) -> CheckResult:
        return self.whole_columns(ctx)

    def judge(self, plan: MinHashPlan, state: Any, ctx: RunContext, source: TextSource | None = None) -> CheckResult:
        """Each split's batch: its pairs, then star groups (:meth:`_split_findings`)."""
        if not all(kinds_agree(state, [name]) for name in plan.splits):
            return self.collect(ctx)
        source = source or TextSource(self, ctx)
        cfg, content = plan.config, plan.source
        findings: list[Finding] = []
        total = groups = candidates = verified = missing = 0
        column = content.columns[0] if len(content.columns) == 1 else None
        for name in plan.splits:
            b = batch(state, [name])
            texts = CandidateTexts(source, plan, b)
            result = near_pairs(ctx, cfg, b, texts)
            total += len(b.text_of_row)
            missing += int((b.text_of_row < 0).sum())
            candidates += int(result.candidates)
            verified += len(result.left)
            found, n_groups = self._split_findings(ctx.dataset.splits[name], texts, result, cfg, column)
            findings += found
            groups += n_groups
        return self._summary(findings, groups, total, missing, candidates, verified, content, cfg)

    def _summary(self, findings: list[Finding], groups: int, total: int, missing: int, candidates: int,
                 verified: int, content: Content, cfg: MinHashConfig) -> CheckResult:
        p = self.params
        count = len(findings)
        share = count / total if total else 0.0
        metrics: dict[str, Any] = {
            "near_duplicates": count,
            "groups": groups,
            "share": round(share, 6),
            "rows": total,
            "rows_compared": total - missing,
            "rows_not_compared": missing,
            "candidate_pairs": candidates,
            "verified_pairs": verified,
        }
        what = content.describe()
        why = (f"{plural(missing, 'row')} not compared (no {what}, or fewer than {p.min_chars} letters or digits)"
               if missing else "")
        if not count and unjudged(missing, total):
            return self.skip(f"could not judge: {why or 'no rows'} ({what}; {cfg.describe()})", metrics=metrics)
        if count:
            message = (f"{plural(count, 'near-duplicate row')} in {plural(groups, 'group')} ({share:.2%} of {total:,} rows; "
                       f"{what}; {cfg.describe()}; each at least {cfg.threshold:g} against its group's kept row)")
        else:
            message = f"no near duplicates in {total:,} rows ({what}; {cfg.describe()})"
        message += p.limit_text(count, share)
        if why:
            message += f"; {why}"
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)

    def _split_findings(self, split: Any, texts: CandidateTexts, result: VerifiedPairs, cfg: MinHashConfig,
                        column: str | None) -> tuple[list[Finding], int]:
        """One finding per row whose text joins another text's star group (see :func:`star_clusters`)."""
        p = self.params
        rep_of, sim = star_clusters(int(result.n_texts), result.left, result.right, result.similarity)
        rows = result.text_of_row
        ok = np.flatnonzero(rows >= 0)
        t = rows[ok]
        first = np.full(int(result.n_texts), -1, dtype=np.int64)
        first[t[::-1]] = ok[::-1]
        kept = first[rep_of[t]]
        report = ok != kept
        if not p.include_exact:
            report &= rep_of[t] != t
        m_rows, m_kept, m_text = ok[report], kept[report], t[report]
        m_sim = sim[m_text]
        if cfg.verify == "estimate":  # the guarantee is on the exact similarity
            m_sim = self._exact(texts, m_text, rep_of[m_text], cfg)
            keep = m_sim >= cfg.threshold - 1e-12
            m_rows, m_kept, m_text, m_sim = m_rows[keep], m_kept[keep], m_text[keep], m_sim[keep]
        unit = f"{'word' if cfg.shingle == 'word' else 'character'} {cfg.n}-grams"
        findings = []
        same = m_text == rep_of[m_text]
        for ref, kref, s, exact in zip(row_refs(split, m_rows), row_refs(split, m_kept), m_sim.tolist(), same.tolist()):
            of = describe_ref(kref.split, kref.row, kref.key, same_split=ref.split)
            msg = f"identical to {of} after normalisation" if exact else f"near duplicate of {of}: Jaccard {s:.3f} on {unit}"
            findings.append(Finding(msg, split=ref.split, row=ref.row, key=ref.key, column=column, related=[kref],
                                    suggestion={"action": "delete", "confidence": round(float(s), 4), "reason": msg},
                                    score=round(float(s), 4)))
        return findings, len(np.unique(m_kept))

    @staticmethod
    def _exact(texts: CandidateTexts, a: np.ndarray, b: np.ndarray, cfg: MinHashConfig) -> np.ndarray:
        """Exact Jaccard similarity of pairs of distinct texts (fetched: they are verified pairs)."""
        out = np.ones(len(a))
        differ = a != b
        if differ.any():
            involved = sorted_unique(np.concatenate([a[differ], b[differ]]))
            offsets, values = shingle_sets(texts.texts(involved), cfg.shingle, cfg.n)
            pairs = np.column_stack([np.searchsorted(involved, a[differ]), np.searchsorted(involved, b[differ])])
            out[differ] = exact_jaccard(offsets, values, pairs)
        return out
