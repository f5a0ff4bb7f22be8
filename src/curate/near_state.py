"""What the MinHash families (``near_duplicates``, ``leakage``) keep of one partition of texts, how
partitions come together, and the later pass that fetches only the candidates.

First pass: a partition becomes a :class:`TextChunk`: the positions of its rows with a text, a code
per row into the partition's distinct normalised texts, each distinct text's 64-bit hash (the
identity :func:`curate.dedup.distinct_texts` gives texts) and, for a near search, its LSH band
keys (4 bytes per band) and whether it has shingles. Never the texts. ``combine`` only gathers
chunks (:func:`curate.dup_state.combine`). :func:`batch` puts the chunks of some splits in row
order and numbers the distinct texts by first appearance, the numbering
:func:`curate.dedup.distinct_texts` / :func:`curate.dedup.merge_texts` give whole columns, so the
LSH candidates (a large bucket pairs each member with its next ones in that order), the star
clusters and the leakage matches are those of whole columns.

Later pass: for the texts of candidate pairs only, the partition holding a text's first row
normalises and sketches just that row and sends back its 16-bit signature values and its
normalised text (:class:`Fetched`): the estimate and the exact Jaccard verification
(:func:`curate.dedup.verify_candidates`) need nothing else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.checks.base import Plan
from curate.dedup import (
    MinHashConfig,
    Normalization,
    Signatures,
    band_keys_of,
    distinct_texts,
    is_text,
    joined_text,
    pairs_in_buckets,
    sketch,
)
from curate.dup_state import ordered
from curate.errors import CurateError


@dataclass(frozen=True)
class MinHashPlan(Plan):
    """What a MinHash family reads: the content columns, how texts are normalised, and the MinHash
    settings (None: exact matches only, no band keys)."""

    text_columns: tuple[str, ...] = ()
    normalize: Normalization = field(default_factory=Normalization)
    min_chars: int = 3
    config: MinHashConfig | None = None
    source: Any = None  # the family's description of the content (curate.checks.duplicates.Content)
    band_keys: bool = True  # the first pass sends band keys (False: an engine groups them where they are)


@dataclass(frozen=True)
class FetchPlan(MinHashPlan):
    """The later pass: the signatures and texts of these rows (split → sorted positions, each the
    first row of a candidate text)."""

    want: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class TextChunk:
    """One partition of one split, reduced to what grouping and LSH need."""

    start: int  # the first row position mapped (orders chunks)
    rows: int  # rows mapped
    compared: np.ndarray  # int64 positions of the rows with a text
    codes: np.ndarray  # int32: each compared row's distinct text (below)
    hashes: np.ndarray  # uint64 hash of each distinct text, in first-appearance order
    keys: np.ndarray | None  # (bands, texts) uint32 LSH band keys; None: no near search
    valid: np.ndarray | None  # each text has shingles (its keys mean something)
    kinds: tuple[str, ...]  # each content column's kind (text, or its dtype)


@dataclass
class Fetched:
    """The later pass's answer from one partition: the wanted rows it holds."""

    rows: np.ndarray  # int64 positions in the split
    sig16: np.ndarray  # (texts, num_perm) uint16: the high halves of their signature values
    texts: pa.Array


def column_kinds(partition: pd.DataFrame, columns: tuple[str, ...]) -> tuple[str, ...]:
    """What each content column is here: a column that is text in one file and numbers in another
    is written differently once the files are concatenated, so such partitions are not comparable."""
    return tuple("text" if is_text(partition[c]) else str(partition[c].dtype) for c in columns)


def partition_text(plan: MinHashPlan, partition: pd.DataFrame) -> pa.Array:
    return joined_text(partition, list(plan.text_columns), plan.normalize, min_chars=plan.min_chars)


def chunk_of(plan: MinHashPlan, partition: pd.DataFrame, text_of_row: np.ndarray, hashes: np.ndarray,
             keys: np.ndarray | None, valid: np.ndarray | None) -> TextChunk:
    """A chunk from each row's text id in some numbering (``text_of_row``, -1: no text) and that
    numbering's hashes, band keys and validity: the partition's own texts, renumbered in order."""
    index = partition.index.to_numpy(dtype=np.int64)
    ok = text_of_row >= 0
    codes, texts = pd.factorize(text_of_row[ok])
    return TextChunk(int(index[0]) if len(index) else 0, len(partition), index[ok], codes.astype(np.int32),
                     hashes[texts], None if keys is None else keys[:, texts], None if valid is None else valid[texts],
                     column_kinds(partition, plan.text_columns))


def text_chunk(plan: MinHashPlan, partition: pd.DataFrame) -> TextChunk:
    """A partition's chunk computed from its own rows (on a worker)."""
    unique = distinct_texts(partition_text(plan, partition))
    keys = valid = None
    if plan.config is not None and plan.band_keys:
        keys, valid = keys_of(sketch_of(unique.texts, plan.config), plan.config)
    return chunk_of(plan, partition, unique.text_of_row, unique.hashes, keys, valid)


# ----------------------------------------------------------------------------- band keys grouped where they are
#
# A dataset too large for its band keys to be gathered (an engine's choice: the Dask engine's
# ``curate.band-keys-on-client``) has its first pass send no keys (``band_keys=False``). For each
# batch, its chunks' texts are then numbered as :func:`batch` numbers them (:meth:`Batch.numbering`:
# a text at its first chunk only), each partition is sketched again into :func:`band_rows` (a
# bucket ``band << 32 | key`` and a text id per band of each numbered text with shingles), an
# engine shuffles them on ``bucket`` so that every bucket's rows meet in one partition, and
# :func:`bucket_pairs` pairs them there. The pairs are exactly :func:`curate.dedup.lsh_candidates`'
# from the whole batch's keys: each text once, a bucket's members paired in id order.

BAND_ROWS = {"bucket": np.uint64, "text": np.uint32}


@dataclass(frozen=True)
class Numbering:
    """Which of a chunk's distinct texts (in its first-appearance order) the batch numbers there,
    and from which id: ``first`` is a bit per text (``numpy.packbits``), set where no earlier chunk
    holds the text, and those texts take the ids ``start``, ``start + 1``, … in order. An eighth of
    a byte per text, so that it can travel in a task graph."""

    start: int
    first: np.ndarray
    texts: int

    def ids(self) -> np.ndarray:
        """The batch id of each of the chunk's texts, -1 where an earlier chunk numbers it."""
        first = np.unpackbits(self.first, count=self.texts).astype(bool)
        return np.where(first, self.start + np.cumsum(first) - 1, -1)


def band_rows(plan: MinHashPlan, partition: pd.DataFrame, numbering: Numbering) -> pd.DataFrame:
    """One row per band for each distinct text of the partition the batch numbers there
    (:meth:`Batch.numbering`) that has shingles."""
    assert plan.config is not None
    unique = distinct_texts(partition_text(plan, partition))
    if numbering.texts != len(unique.hashes):
        raise CurateError("changed while curate read it (its texts differ between two passes)")
    ids = numbering.ids()
    keep = np.flatnonzero(ids >= 0)
    keys, valid = keys_of(sketch_of(unique.texts.take(pa.array(keep)), plan.config), plan.config)
    keys, keep = keys[:, valid], keep[valid]
    bands = keys.shape[0]
    bucket = (np.arange(bands, dtype=np.uint64)[:, None] << np.uint64(32)) | keys.astype(np.uint64)
    return pd.DataFrame({"bucket": bucket.ravel(), "text": np.tile(ids[keep].astype(np.uint32), bands)})


def bucket_pairs(rows: pd.DataFrame) -> np.ndarray:
    """Candidate pairs (``lo << 32 | hi`` uint64 of text ids) of the texts sharing a bucket, from
    rows holding whole buckets."""
    texts = rows["text"].to_numpy()
    order = np.argsort(texts, kind="stable")  # members in id order, as LSH on the whole batch pairs them
    codes = pd.factorize(rows["bucket"].to_numpy()[order])[0].astype(np.uint32)
    return pairs_in_buckets(codes, texts[order].astype(np.int64))


def unpack_pairs(packed: np.ndarray) -> np.ndarray:
    """``(P, 2)`` unique pairs (lo < hi) from :func:`bucket_pairs`' packed pairs of every partition."""
    pairs = np.unique(packed.astype(np.uint64))
    return np.column_stack([(pairs >> np.uint64(32)).astype(np.int64), (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)])


def sketch_of(texts: pa.Array, cfg: MinHashConfig) -> Signatures:
    return sketch(texts, cfg.shingle, cfg.n, cfg.num_perm, cfg.seed)


def keys_of(sig: Signatures, cfg: MinHashConfig, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    bands, rows = cfg.lsh_shape()
    return band_keys_of(sig, bands, rows, workers)


def fetched(plan: FetchPlan, split: str, partition: pd.DataFrame) -> Fetched:
    """The wanted rows a partition holds: their texts, and their signatures sketched here (only
    those rows are normalised and sketched)."""
    index = partition.index.to_numpy(dtype=np.int64)
    pick = np.isin(index, plan.want.get(split, np.empty(0, np.int64)))
    texts = partition_text(plan, partition[pick])
    return Fetched(index[pick], sig16_of(sketch_of(texts, plan.config)), texts)


def sig16_of(sig: Signatures, columns: np.ndarray | None = None) -> np.ndarray:
    """``(texts, num_perm)`` uint16: the high halves of some signature columns (all by default)."""
    values = sig.values if columns is None else sig.values[:, columns]
    return (values >> np.uint32(16)).astype(np.uint16).T


def kinds_agree(state: dict[str, list[TextChunk]], splits: list[str]) -> bool:
    return len({c.kinds for _, c in ordered(state, splits) if c.rows}) <= 1


@dataclass
class Batch:
    """The rows of some splits one after the other, their texts numbered by first appearance."""

    splits: list[str]
    sizes: np.ndarray  # rows of each split
    text_of_row: np.ndarray  # int64 per row of the batch, -1 where not compared
    hashes: np.ndarray  # uint64 per distinct text
    keys: BandKeys | None  # (bands, texts)
    valid: np.ndarray | None
    numbered: dict[tuple[str, int], Numbering] = field(default_factory=dict)  # without keys: see numbering

    @property
    def n_texts(self) -> int:
        return len(self.hashes)

    def digest(self) -> str:
        """A SHA-256 of which text each row holds (texts by their 64-bit hashes): the result cache's key."""
        h = hashlib.sha256(self.text_of_row.tobytes())
        h.update(self.hashes.tobytes())
        return h.hexdigest()

    @property
    def offsets(self) -> dict[str, int]:
        return dict(zip(self.splits, (np.cumsum(self.sizes) - self.sizes).tolist()))

    def numbering(self, split: str, start: int) -> Numbering:
        """How the batch numbers the texts of the chunk of ``split`` starting at row ``start`` (a
        batch made without band keys, for :func:`band_rows`)."""
        return self.numbered.get((split, start), Numbering(0, np.empty(0, np.uint8), 0))

    def first_rows(self) -> np.ndarray:
        """Each text's first row (its place in the batch)."""
        ok = np.flatnonzero(self.text_of_row >= 0)
        first = np.full(self.n_texts, len(self.text_of_row), dtype=np.int64)
        np.minimum.at(first, self.text_of_row[ok], ok)
        return first

    def want(self, texts: np.ndarray) -> dict[str, np.ndarray]:
        """Split → sorted positions of the first rows of ``texts``."""
        rows = np.sort(self.first_rows()[texts])
        split_of = np.searchsorted(np.cumsum(self.sizes), rows, side="right")
        offsets = self.offsets
        return {name: rows[split_of == i] - offsets[name] for i, name in enumerate(self.splits) if (split_of == i).any()}


def batch(state: dict[str, list[TextChunk]], splits: list[str]) -> Batch:
    chunks = ordered(state, splits)
    sizes = np.array([sum(c.rows for name, c in chunks if name == s) for s in splits], dtype=np.int64)
    offsets = dict(zip(splits, np.cumsum(sizes) - sizes))
    hashes = np.concatenate([c.hashes for _, c in chunks]) if chunks else np.empty(0, np.uint64)
    ids, _ = pd.factorize(hashes)  # first appearance in chunk order = first appearance in the rows
    ids = ids.astype(np.int64)
    n = int(ids.max()) + 1 if len(ids) else 0
    text_of_row = np.full(int(sizes.sum()), -1, dtype=np.int64)
    first = np.full(n, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids)))
    near = bool(chunks) and chunks[0][1].keys is not None
    valid = np.zeros(n, dtype=bool) if near else None
    placed: list[tuple[np.ndarray, np.ndarray]] = []
    numbered: dict[tuple[str, int], Numbering] = {}
    base = numbered_so_far = 0
    for name, c in chunks:
        mine = ids[base : base + len(c.hashes)]
        text_of_row[offsets[name] + c.compared] = mine[c.codes]
        if near:
            placed.append((mine, c.keys))
            valid[mine] = c.valid
        elif c.rows:
            here = first[mine] == base + np.arange(len(mine))
            numbered[name, c.start] = Numbering(numbered_so_far, np.packbits(here), len(mine))
            numbered_so_far += int(here.sum())
        base += len(c.hashes)
    keys = BandKeys(chunks[0][1].keys.shape[0], n, placed) if near else None
    return Batch(list(splits), sizes, text_of_row, hashes[first], keys, valid, numbered)


class BandKeys:
    """A batch's ``(bands, texts)`` band keys, read one band at a time from its chunks' keys (each
    text's keys are those of any of its rows): LSH needs one band at a time, and a copy of all of
    them would double the first pass's largest state (about 100 bytes per row) while the chunks are
    kept for the other MinHash family."""

    def __init__(self, bands: int, texts: int, placed: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.shape = (bands, texts)
        self._placed = placed  # (batch ids of a chunk's texts, that chunk's keys)

    def __getitem__(self, band: int) -> np.ndarray:
        out = np.empty(self.shape[1], np.uint32)
        for mine, keys in self._placed:
            out[mine] = keys[band]
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """All bands at once (tests, small batches)."""
        whole = np.stack([self[j] for j in range(self.shape[0])]) if self.shape[0] else np.empty(self.shape, np.uint32)
        return whole if dtype is None else whole.astype(dtype)


class Candidates:
    """The fetched signatures and texts of candidate texts (``answers``: split → the later pass's
    answers), looked up by batch text id through each text's first row."""

    def __init__(self, batch: Batch, answers: dict[str, list[Fetched]]) -> None:
        offsets = batch.offsets
        got = [(offsets[name] + f.rows, f) for name, fs in answers.items() for f in fs]
        rows = np.concatenate([r for r, _ in got]) if got else np.empty(0, np.int64)
        self._rows_seen, order = np.unique(rows, return_index=True)
        self._first = batch.first_rows()
        k = max((f.sig16.shape[1] for _, f in got), default=0)
        self._sig16 = (np.concatenate([f.sig16 for _, f in got]) if got else np.empty((0, k), np.uint16))[order]
        texts = pa.concat_arrays([f.texts for _, f in got]) if got else pa.array([], type=pa.large_string())
        self._texts = texts.take(pa.array(order))

    def _rows(self, texts: np.ndarray) -> np.ndarray:
        wanted = self._first[texts]
        seen = self._rows_seen
        at = np.minimum(np.searchsorted(seen, wanted), max(len(seen) - 1, 0))
        if len(wanted) and not (len(seen) and np.array_equal(seen[at], wanted)):
            raise RuntimeError("a candidate text was not fetched")  # a lost partition: never guess
        return at

    def sig16(self, texts: np.ndarray) -> np.ndarray:
        return self._sig16[self._rows(texts)]

    def texts(self, texts: np.ndarray) -> pa.Array:
        return self._texts.take(pa.array(self._rows(texts)))
