"""The duplicate-finding engine shared by ``duplicates``, ``conflicting_labels``, ``near_duplicates``
and ``leakage``: normalisation, exact row grouping, MinHash signatures, LSH banding, candidate
verification and star clustering (groups that never chain).

Everything works on whole columns. Text is handled as Arrow string buffers: the UTF-8 bytes of
a chunk of rows are one numpy ``uint8`` array and its offsets, so tokenising, hashing, shingling
and permuting never loop over documents in Python.

Normalisation (:class:`Normalization`)
    Unicode NFKC (pyarrow's ``utf8_normalize``), case folding, punctuation removal and whitespace
    collapsing. ASCII bytes are classified and lower-cased by byte arithmetic in numpy; only
    strings that contain non-ASCII characters go through Unicode-aware code (``str.casefold``,
    pyarrow's ``\\p{P}``, ``\\p{S}``, ``\\p{Z}`` regular expressions), so ASCII text pays no
    regex cost. On ordinary text the result agrees with
    ``re.sub(r"\\s+", " ", unicodedata.normalize("NFKC", s).casefold()).strip()``.

Exact duplicates (:func:`row_codes`)
    Each compared column is normalised and factorised with pandas' hash tables; the per-column codes
    are combined into one group id per row. Rows that are never compared get ``-1``: a row whose
    content text is missing (null, NaN, empty after normalisation) or has too few letters or
    digits (:func:`content_mask`), and, unless missing values are to compare as equal (whole
    rows, as ``DataFrame.duplicated``), a row with any missing value.

Near duplicates (:func:`near_duplicate_pairs`)
    1. Rows whose normalised text is identical (same 64-bit hash of its bytes) collapse to one
       *unique text*; only unique texts are sketched (exact copies are the exact-duplicate check's
       business, and a large group of copies would otherwise flood the LSH buckets).
    2. Tokens are runs of word characters (letters, digits, marks, ``_``) and single symbols
       (emoji, ``€``, ``$``: content, so texts differing only in emoji differ); every other
       character separates. Tokens are hashed in bulk with a polynomial rolling hash over the
       byte buffer (prefix sums modulo 2**64, so each token's hash is independent of its
       position) and a 64-bit finaliser.
       Shingles are word n-grams (token hashes combined) or character n-grams of the tokens joined
       by single spaces (hashed from the same prefix sums at UTF-8 character boundaries).
    3. MinHash: ``num_perm`` seeded permutations ``a*x mod 2**32`` (``a`` odd) of the shingles'
       32-bit hashes, minimised per document. Documents are processed in blocks of
       similar shingle count laid out as a padded ``(length, documents)`` matrix (padding repeats
       a document's own first shingle, which cannot change its minimum), so one permutation of a
       block is two array operations and a column minimum.
    4. LSH: ``bands`` bands of ``rows`` values each; a band's values are hashed to a 32-bit key,
       and one sort of (key, document) packed into 64 bits per band puts documents with equal keys
       next to each other: they become candidate pairs (deduplicated over bands by another sort).
       Buckets larger than :data:`MAX_BUCKET` only pair each member with its next
       :data:`MAX_BUCKET` neighbours, which bounds the work on degenerate inputs.
    5. Verification: every candidate pair's Jaccard similarity is estimated from 16-bit slices of
       the signatures (gathered for the candidates' texts only); pairs that clearly fall short are
       dropped, and the rest get their **exact** Jaccard similarity from their shingle sets
       (``verify="exact"``, the default) or keep the estimate (``verify="estimate"``). A pair is a
       near duplicate when the similarity is at least ``threshold``.
    6. Grouping (by the checks): :func:`star_clusters` over the verified pairs, so every member of
       a group is itself a verified pair with the group's representative (no chaining).

Stages 2-3 (:func:`sketch`: :class:`Signatures`) and 4-5 (:func:`signature_pairs`) are separate
so that checks can share one split's signatures (``near_duplicates`` per split, ``leakage`` over
the splits merged with :func:`merge_texts`; see curate.shared): signatures do not depend on the
threshold or the LSH bands. Memory is bounded by chunking: text is processed in chunks of about
:data:`CHUNK_BYTES` bytes; what is kept for all documents is their signatures (``num_perm``
32-bit values, 512 bytes per unique text at 128 permutations) and, while LSH runs, one 32-bit
key per band. Chunks run on a thread pool (numpy
and pyarrow release the GIL), by default one thread per core, at most :data:`MAX_WORKERS`.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")

CHUNK_BYTES = 1 << 20  # text bytes per chunk of work (per-byte temporaries stay in cache)
BLOCK_ELEMENTS = 1 << 15  # padded shingle matrix size per MinHash block
MAX_BUCKET = 64  # LSH buckets larger than this pair each member with its next MAX_BUCKET members
MAX_WORKERS = 8
PAIR_CHUNK = 1 << 18  # candidate pairs per verification chunk
TARGET_RECALL = 0.995  # LSH shape: probability that a pair at the threshold becomes a candidate
ESTIMATE_MARGIN_SIGMAS = 4.0  # candidates estimated this many standard errors below the threshold are dropped

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)


# --------------------------------------------------------------------------- parameters


class Normalization(BaseModel):
    """How values are normalised before they are compared. ``normalize: false`` in a suite turns
    everything off; a mapping switches single steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unicode: bool = True  # NFKC: full-width forms, ligatures, non-breaking spaces → plain forms
    case: bool = True  # case-insensitive
    whitespace: bool = True  # runs of whitespace → one space; leading/trailing removed
    punctuation: bool = False  # remove punctuation and symbols

    def describe(self) -> str:
        steps = [name for name, on in (("NFKC", self.unicode), ("case", self.case),
                                       ("whitespace", self.whitespace), ("punctuation", self.punctuation)) if on]
        return ", ".join(steps) if steps else "none"


def coerce_normalization(value: Any) -> Any:
    """``true``/``false`` shorthands for the ``normalize`` parameter."""
    if value is True:
        return Normalization()
    if value is False:
        return Normalization(unicode=False, case=False, whitespace=False, punctuation=False)
    return value


ShingleKind = Literal["word", "char"]
DEFAULT_NGRAM = {"word": 2, "char": 5}


class MinHashConfig(BaseModel):
    """Near-duplicate search settings (the ``near_duplicates`` / ``leakage`` suite parameters).

    Defaults, chosen by measurement (see ``bench/near_duplicates.py`` and the ``near_duplicates``
    module docs): word bigrams, 128 permutations, threshold 0.5.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    shingle: ShingleKind = "word"
    ngram: int | None = Field(default=None, ge=1, le=64)  # default: 2 for words, 5 for characters
    num_perm: int = Field(default=128, ge=8, le=1024)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    bands: int | None = Field(default=None, ge=1)  # default: derived from threshold and num_perm
    verify: Literal["exact", "estimate"] = "exact"
    seed: int = Field(default=1, ge=0)

    @property
    def n(self) -> int:
        return self.ngram or DEFAULT_NGRAM[self.shingle]

    @model_validator(mode="after")
    def _bands_fit(self) -> MinHashConfig:
        if self.bands is not None and self.bands > self.num_perm:
            raise ValueError(f"bands ({self.bands}) cannot exceed num_perm ({self.num_perm})")
        return self

    def lsh_shape(self) -> tuple[int, int]:
        """(bands, rows per band)."""
        return lsh_shape(self.threshold, self.num_perm, self.bands)

    def describe(self) -> str:
        bands, rows = self.lsh_shape()
        unit = "word" if self.shingle == "word" else "character"
        return (f"{unit} {self.n}-grams, {self.num_perm} permutations, {bands}×{rows} LSH bands, "
                f"Jaccard ≥ {self.threshold:g} ({self.verify})")


def lsh_shape(threshold: float, num_perm: int, bands: int | None = None) -> tuple[int, int]:
    """LSH bands × rows for a similarity threshold.

    With ``bands`` given, rows = num_perm // bands. Otherwise the most selective shape (most rows
    per band, hence fewest chance collisions between unrelated texts) whose probability of making
    a pair at exactly the threshold a candidate, ``1 - (1 - t**r)**b``, is still at least
    :data:`TARGET_RECALL`; pairs above the threshold are caught with higher probability.
    """
    if bands is not None:
        return bands, max(1, num_perm // bands)
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        b = num_perm // rows
        if b < 1:
            break
        if 1.0 - (1.0 - threshold**rows) ** b >= TARGET_RECALL:
            best = (b, rows)
    return best


# --------------------------------------------------------------------------- small helpers


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def _map(fn: Callable[[Any], T], items: Sequence[Any], workers: int) -> Iterator[T]:
    """``map`` in order, on a thread pool when there is more than one item and worker."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield fn(item)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(fn, items)


def _track(progress: Any, items: Iterable[T], total: int, description: str) -> Iterable[T]:
    return progress.track(items, total, description) if progress is not None else items


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, elementwise (a bijection that spreads every input bit)."""
    x = x ^ (x >> _U64(33))
    x *= _U64(0xFF51AFD7ED558CCD)
    x ^= x >> _U64(33)
    x *= _U64(0xC4CEB9FE1A85EC53)
    x ^= x >> _U64(33)
    return x


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy's default hash-based unique is several times slower here)."""
    s = np.sort(values)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + n)`` for every (s, n) pair, vectorised."""
    lengths = lengths.astype(np.int64, copy=False)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    out = np.ones(total, dtype=np.int64)
    nz = lengths > 0
    first = ends[nz] - lengths[nz]
    s = starts.astype(np.int64, copy=False)[nz]
    out[first[0]] = s[0]
    if len(first) > 1:
        prev_end = s[:-1] + lengths[nz][:-1]  # value after the previous segment's last element
        out[first[1:]] = s[1:] - prev_end + 1
    return np.cumsum(out)


# --------------------------------------------------------------------------- strings as bytes

# byte classes by arithmetic on uint8 arrays (several times faster than a lookup-table gather)
def _between(data: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """lo <= byte <= hi (one subtraction and compare, with uint8 wrap-around)."""
    return (data - np.uint8(lo)) <= np.uint8(hi - lo)


def _is_space(data: np.ndarray) -> np.ndarray:  # \t \n \v \f \r and space
    return (data == 32) | _between(data, 9, 13)


def _is_punct(data: np.ndarray) -> np.ndarray:
    """ASCII punctuation in Unicode's sense (category P: ``!"#%&'()*,-./:;?@[\\]_{}``); the ASCII
    symbols ``$+<=>^`|~`` are content, like every other symbol."""
    return ((_between(data, 33, 47) & (data != 36) & (data != 43)) | _between(data, 58, 59) | _between(data, 63, 64)
            | _between(data, 91, 93) | (data == 95) | (data == 123) | (data == 125))


def _is_word(data: np.ndarray) -> np.ndarray:  # ASCII letters, digits, '_' and every non-ASCII byte
    return (data >= 128) | _between(data | np.uint8(32), 97, 122) | _between(data, 48, 57) | (data == 95)


def _lower(data: np.ndarray) -> np.ndarray:  # ASCII A-Z → a-z
    return data | (_between(data, 65, 90).view(np.uint8) << np.uint8(5))


_NON_TOKEN_UNICODE = r"[^\p{L}\p{N}\p{M}\p{S}\p{Co}_]"  # separators, for the strings _tokenizable rewrites
_ASCII_SYMBOLS = "$+<=>^`|~"
_ASCII_SYMBOL = r"[$+<=>^`|~]"
_ASCII_NON_WORD = r"[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_PRESENTATION = r"[\x{FE0E}\x{FE0F}]"  # text / emoji presentation selectors


def as_strings(values: Any) -> pa.LargeStringArray:
    """Any column (pandas Series, list, Arrow array) as an Arrow large-string array; nulls stay null.

    Non-string values are written the way ``str()`` writes them (integers, floats, lists, …).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        if not (pd.api.types.is_string_dtype(series.dtype) and series.dtype != object):
            if series.dtype == object:
                def text(v: Any) -> Any:
                    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
                        return None
                    return v if isinstance(v, str) else str(v)

                series = pd.Series([text(v) for v in series], dtype=object)
            else:
                mask = series.isna().to_numpy()
                series = series.astype(str).astype(object)
                series[mask] = None
        arr = pa.array(series, type=pa.large_string(), from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


def _to_bytes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64 from 0, data uint8) of a null-free large-string array (zero copy)."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    if bufs[2] is None or len(arr) == 0:
        return np.zeros(len(arr) + 1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _from_bytes(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray | None = None) -> pa.LargeStringArray:
    n = len(offsets) - 1
    bitmap = None if valid is None or valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(np.ascontiguousarray(offsets, dtype=np.int64)), pa.py_buffer(np.ascontiguousarray(data)), bitmap
    )


def _drop(offsets: np.ndarray, data: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove the bytes at the (sorted) ``positions``; offsets follow."""
    if not len(positions):
        return offsets, data
    keep = np.ones(len(data), dtype=bool)
    keep[positions] = False
    return offsets - np.searchsorted(positions, offsets), data[keep]


def _boundaries(offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of each non-empty document's first and last byte."""
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    first = np.zeros(n, dtype=bool)
    last = np.zeros(n, dtype=bool)
    first[offsets[:-1][nonempty]] = True
    last[offsets[1:][nonempty] - 1] = True
    return first, last


def _runs(mask: np.ndarray, first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (inclusive) positions of runs of True in ``mask`` that never cross documents."""
    cont_prev = np.zeros_like(mask)
    cont_prev[1:] = mask[:-1]
    cont_prev &= ~first
    cont_next = np.zeros_like(mask)
    cont_next[:-1] = mask[1:]
    cont_next &= ~last
    return np.flatnonzero(mask & ~cont_prev), np.flatnonzero(mask & ~cont_next)


def _normalize_chunk(arr: pa.Array, norm: Normalization) -> pa.LargeStringArray:
    valid = None
    if arr.null_count:
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        arr = pc.fill_null(arr, "")
    if norm.unicode:
        arr = pc.utf8_normalize(arr, form="NFKC")
    if norm.case or norm.punctuation or norm.whitespace:
        non_ascii = ~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
        if non_ascii.any():
            sub = arr.filter(pa.array(non_ascii))
            if norm.case:  # full Unicode case folding (ß → ss, ς → σ), as str.casefold
                sub = pa.array([v.casefold() for v in sub.to_pylist()], type=pa.large_string())
            if norm.punctuation:
                sub = pc.replace_substring_regex(sub, r"\p{P}", "")
            if norm.whitespace:
                sub = pc.replace_substring_regex(sub, r"[\p{Z}\x{85}\x{2028}\x{2029}]", " ")
            arr = pc.replace_with_mask(arr, pa.array(non_ascii), sub)
    offsets, data = _to_bytes(arr.cast(pa.large_string()) if not pa.types.is_large_string(arr.type) else arr)
    if norm.case:
        data = _lower(data)
    if norm.punctuation:
        offsets, data = _drop(offsets, data, np.flatnonzero(_is_punct(data)))
    arr = _from_bytes(offsets, data)
    if norm.whitespace and len(data):
        arr = _collapse_whitespace(arr, offsets, data)
    if valid is not None:
        arr = pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.large_string()))
    return arr


def _collapse_whitespace(arr: pa.Array, offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    """Runs of ASCII whitespace → one space, none at either end. Only the documents that need it
    (found by byte masks: a tab or newline, two whitespace bytes in a row, whitespace at an end)
    go through pyarrow's regex replacement; the usual single spaces between words cost one pass."""
    ws = _is_space(data)
    bad = ws & (data != 32)
    bad[:-1] |= ws[:-1] & ws[1:]
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    bad[offsets[:-1][nonempty]] |= ws[offsets[:-1][nonempty]]
    bad[offsets[1:][nonempty] - 1] |= ws[offsets[1:][nonempty] - 1]
    where = np.flatnonzero(bad)
    if not len(where):
        return arr
    docs = np.zeros(len(arr), dtype=bool)
    docs[np.searchsorted(offsets, where, side="right") - 1] = True
    mask = pa.array(docs)
    sub = pc.replace_substring_regex(arr.filter(mask), r"[\t\n\x0b\f\r ]+", " ")
    sub = pc.utf8_trim(sub, " ")
    return pc.replace_with_mask(arr, mask, sub.cast(arr.type))


def _chunks(arr: pa.Array, target_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """Row ranges of about ``target_bytes`` of text each."""
    n = len(arr)
    if n == 0:
        return []
    offsets, _ = _to_bytes(pc.fill_null(arr, "") if arr.null_count else arr)
    bounds = [0]
    total = int(offsets[-1])
    if total > target_bytes:
        cuts = np.searchsorted(offsets, np.arange(target_bytes, total, target_bytes))
        bounds += sorted({int(c) for c in cuts if 0 < c < n})
    bounds.append(n)
    return list(itertools.pairwise(bounds))


def normalize_strings(values: Any, norm: Normalization, *, workers: int | None = None) -> pa.LargeStringArray:
    """Normalised strings (nulls stay null; nothing else becomes null)."""
    arr = as_strings(values)
    if not (norm.unicode or norm.case or norm.punctuation or norm.whitespace) or len(arr) == 0:
        return arr
    parts = list(_map(lambda r: _normalize_chunk(arr.slice(r[0], r[1] - r[0]), norm), _chunks(arr), workers or default_workers()))
    return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def missing_mask(arr: pa.Array) -> np.ndarray:
    """True where a (normalised) string is null or empty."""
    return pc.fill_null(pc.equal(pc.binary_length(arr), 0), True).to_numpy(zero_copy_only=False)


def content_mask(arr: pa.Array, min_chars: int) -> np.ndarray:
    """True where a (normalised) string holds at least ``min_chars`` letters or digits: a text
    with less has too little content to call it a copy of anything (``"!!"``, ``"ok"``, ``"?"``)."""
    if min_chars <= 0:
        return ~missing_mask(arr)
    pattern = "(?s)" + ".*?".join([r"[\p{L}\p{N}]"] * min_chars)
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------- exact grouping


def is_text(series: pd.Series) -> bool:
    """Whether a column is compared as normalised text (others are compared by value)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def column_codes(series: pd.Series, norm: Normalization, *, nulls_equal: bool = False, min_chars: int = 0,
                 workers: int | None = None, normalized: pa.Array | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(group id of each value, mask of values with content).

    Equal after normalisation → same id. A missing value (null, NaN, a text empty after
    normalisation) gets ``-1``, or with ``nulls_equal`` one id shared by every missing value.
    The mask is False for missing values and for texts with fewer than ``min_chars`` letters or
    digits. ``normalized``: the text column already normalised with ``norm`` (shared by the caller)."""
    if is_text(series):
        arr = normalized if normalized is not None else normalize_strings(series, norm, workers=workers)
        codes = pc.fill_null(pc.dictionary_encode(arr).indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        missing = missing_mask(arr)
        codes[missing] = int(codes.max()) + 1 if nulls_equal and len(codes) else -1
        return codes, content_mask(arr, min_chars) if min_chars > 0 else ~missing
    try:
        codes, _ = pd.factorize(series, use_na_sentinel=not nulls_equal)
    except TypeError:  # unhashable values
        codes, _ = pd.factorize(series.astype(str).where(series.notna()), use_na_sentinel=not nulls_equal)
    return codes.astype(np.int64), series.notna().to_numpy()


def combine_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One group id per row from several columns' ids; -1 when any column is missing."""
    combined = columns[0].copy()
    for codes in columns[1:]:
        missing = (combined < 0) | (codes < 0)
        width = int(codes.max()) + 1 if len(codes) else 1
        merged = combined * width + np.maximum(codes, 0)
        combined, _ = pd.factorize(merged)
        combined = combined.astype(np.int64)
        combined[missing] = -1
    if len(columns) > 1:  # renumber the rows that are not missing densely
        ok = combined >= 0
        combined[ok] = pd.factorize(combined[ok])[0]
    return combined


def row_codes(frame: pd.DataFrame, columns: list[str], norm: Normalization, *, nulls_equal: bool = False,
              required: Sequence[str] = (), min_chars: int = 0, workers: int | None = None,
              normalized: Mapping[str, pa.Array] | None = None) -> np.ndarray:
    """Group id per row over ``columns`` (equal after normalisation → same id); -1 for rows that
    are never compared.

    Without ``nulls_equal`` a row with a missing value is never compared; with it, missing values
    equal each other (as in ``DataFrame.duplicated``). Either way a row whose ``required`` columns
    (the text that is the row's content) are missing or hold fewer than ``min_chars`` letters or
    digits is never compared. ``normalized``: text columns already normalised with ``norm``."""
    normalized = normalized or {}
    codes, masks = [], []
    for c in columns:
        code, mask = column_codes(frame[c], norm, nulls_equal=nulls_equal and c not in required,
                                  min_chars=min_chars if c in required else 0, workers=workers,
                                  normalized=normalized.get(c))
        codes.append(code)
        if c in required:
            masks.append(mask)
    combined = combine_codes(codes)
    for mask in masks:
        combined[~mask] = -1
    return combined


def joined_text(frame: pd.DataFrame, columns: list[str], norm: Normalization, *, min_chars: int = 0,
                workers: int | None = None, normalized: Mapping[str, pa.Array] | None = None) -> pa.LargeStringArray:
    """Normalised values of ``columns`` joined by a separator (one text per row); null when the
    row has fewer than ``min_chars`` letters or digits in all (or no value at all).
    ``normalized``: columns already normalised with ``norm``."""
    normalized = normalized or {}
    parts = [normalized[c] if c in normalized else normalize_strings(frame[c], norm, workers=workers) for c in columns]
    if len(parts) == 1:
        text = parts[0]
    else:
        text = pc.binary_join_element_wise(*[pc.fill_null(p, "") for p in parts], pa.scalar("\x1f", pa.large_string()))
        text = as_strings(text)
    if len(parts) == 1:
        missing = ~content_mask(text, min_chars)
    else:
        missing = np.all(np.column_stack([missing_mask(p) for p in parts]), axis=1) | ~content_mask(text, min_chars)
    if missing.any():
        text = pc.if_else(pa.array(missing), pa.scalar(None, pa.large_string()), text)
    return as_strings(text)


def groups_from_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, group offsets) of every code shared by two or more rows.

    ``rows`` lists the member rows group by group, each group in row order, groups ordered by their
    first row; group ``g`` is ``rows[offsets[g]:offsets[g + 1]]``.
    """
    ok = np.flatnonzero(codes >= 0)
    c = codes[ok]
    order = np.lexsort((ok, c))  # by code, then row
    c, r = c[order], ok[order]
    start = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else np.empty(0, np.int64)
    sizes = np.diff(np.r_[start, len(c)])
    multi = sizes >= 2
    start, sizes = start[multi], sizes[multi]
    rank = np.argsort(r[start], kind="stable")  # groups by their first row
    start, sizes = start[rank], sizes[rank]
    rows = r[_segments(start, sizes)]
    return rows.astype(np.int64), np.r_[0, np.cumsum(sizes)].astype(np.int64)


# --------------------------------------------------------------------------- exact grouping by digests
#
# The partitioned duplicate families cannot factorise a whole split: each partition reduces its rows
# to 128-bit digests, and rows with equal digests are grouped once every partition's digests are
# together. 128 bits because a collision would be a false finding: two different rows share a digest
# with probability about 2**-128 per pair, so even 10**9 rows (5·10**17 pairs) collide with
# probability about 10**-21, where 64 bits would give 3 % at that size. A text is digested with
# XXH3-128 (the ``xxhash`` dependency, seeded per run), a number, boolean or date is its own 64-bit
# pattern (a bijection: no collision at all), and a row of several columns combines its columns'
# digests with keyed multilinear hashing (:func:`combine_digests`). The seed is drawn per run, so
# a data file cannot be written to make two of its rows collide.

NULL_DIGEST = np.array([0, 0x6E756C6C], dtype=np.uint64)  # the digest of a missing value when missing values are equal
_VALUE_TAG = np.uint64(0x76616C7565)  # second word of a number's digest: its bits are the first
TEXT_BLOCK = 1 << 13  # texts digested at a time (each a Python bytes object while it is hashed)
COMBINE_ROWS = 1 << 13  # rows per block when column digests are combined (temporaries stay in cache)


def string_digests(arr: pa.Array, seed: int) -> np.ndarray:
    """XXH3-128 of each string's UTF-8 bytes, as an (n, 2) uint64 array (nulls digest like "")."""
    import xxhash

    out = np.empty((len(arr), 2), dtype=np.uint64)
    binary = pc.fill_null(arr, "").cast(pa.large_binary())
    for lo in range(0, len(arr), TEXT_BLOCK):
        data = binary.slice(lo, TEXT_BLOCK).to_pylist()
        out[lo:lo + len(data)] = np.frombuffer(b"".join(map(xxhash.xxh3_128_digest, data, itertools.repeat(seed))),
                                               dtype=np.uint64).reshape(-1, 2)
    return out


def category_digests(arr: pa.Array, seed: int) -> np.ndarray:
    """:func:`string_digests` through the column's distinct values (each digested once): for the
    columns of a row other than its text, which mostly repeat a few values."""
    encoded = pc.dictionary_encode(arr)
    if not len(encoded.dictionary):
        return np.zeros((len(arr), 2), dtype=np.uint64)
    codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
    return string_digests(encoded.dictionary, seed)[codes]


def value_bits(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(64-bit pattern of each value, missing mask) of a number, boolean or date column, such that
    equal patterns are equal values as ``pandas.factorize`` sees them (-0.0 is 0.0); None for other
    types (categories, extension types other than nullable integers and booleans), which only whole columns compare."""
    dtype = series.dtype
    missing = series.isna().to_numpy()
    if not isinstance(dtype, np.dtype):  # nullable integers and booleans (Int64, boolean, int64[pyarrow])
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        if getattr(dtype, "kind", "O") not in "biu" or not isinstance(numpy_dtype, np.dtype):
            return None
        dtype, values = numpy_dtype, series.to_numpy(dtype=numpy_dtype, na_value=0)
    elif dtype.kind in "biufmM":
        values = series.to_numpy()
    else:
        return None
    if dtype.kind == "f":
        values = values.astype(np.float64) + 0.0  # -0.0 → 0.0
        values[missing] = 0.0
        return values.view(np.uint64), missing
    if dtype.kind in "mM":
        return values.view(np.int64).view(np.uint64), missing
    if dtype.kind == "b":
        return values.astype(np.uint64), missing
    return values.astype(np.uint64 if dtype.kind == "u" else np.int64).view(np.uint64), missing


def value_digests(series: pd.Series, seed: int) -> tuple[np.ndarray, np.ndarray, str] | None:
    """(digest of each value of a column that is not compared as text, missing mask, its kind);
    None when only whole columns can compare it. A category is its value (not normalised, as
    ``pandas.factorize`` compares categories); its kind names the categories, because categorical
    columns with other categories concatenate to text."""
    import xxhash

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        categories = pd.Series(dtype.categories)
        if is_text(categories):
            values = string_digests(as_strings(categories), seed)
        elif (bits := value_bits(categories)) is not None:
            values = np.column_stack([bits[0], np.full(len(categories), _VALUE_TAG, dtype=np.uint64)])
        else:
            return None
        names = xxhash.xxh3_64_hexdigest(repr((dtype.ordered, categories.tolist())).encode())
        digests = values[np.maximum(codes, 0)] if len(values) else np.zeros((len(codes), 2), dtype=np.uint64)
        return digests, codes < 0, f"category[{names}]"
    bits = value_bits(series)
    if bits is None:
        return None
    return np.column_stack([bits[0], np.full(len(series), _VALUE_TAG, dtype=np.uint64)]), bits[1], str(dtype)


def combine_digests(parts: list[np.ndarray], seed: int) -> np.ndarray:
    """One 128-bit digest per row from several columns' digests: four keyed multilinear hashes
    (``k0 + Σ k_i·w_i mod 2**64``, top 32 bits, over the 32-bit words ``w_i`` of the row's column
    digests, keys drawn from ``seed``). Each is strongly universal (Lemire & Kaser, 2014), so two
    rows whose column digests differ get one digest with probability 2**-128, vectorised."""
    if len(parts) == 1:
        return parts[0]
    words = np.ascontiguousarray(np.hstack(parts)).view(np.uint32)
    keys = np.random.default_rng(seed).integers(0, np.iinfo(np.uint64).max, size=(4, words.shape[1] + 1),
                                                dtype=np.uint64, endpoint=True)
    out = np.empty((len(words), 4), dtype=np.uint32)
    for lo in range(0, len(words), COMBINE_ROWS):  # bounded temporaries
        x = words[lo:lo + COMBINE_ROWS].astype(np.uint64)
        for j in range(4):
            acc = (x * keys[j, 1:]).sum(axis=1, dtype=np.uint64) + keys[j, 0]
            out[lo:lo + COMBINE_ROWS, j] = (acc >> np.uint64(32)).astype(np.uint32)
    return out.view(np.uint64).reshape(-1, 2)


def row_digests(frame: pd.DataFrame, columns: list[str], norm: Normalization, *, seed: int, nulls_equal: bool = False,
                required: Sequence[str] = (), min_chars: int = 0, normalized: Mapping[str, pa.Array] | None = None,
                ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]] | None:
    """(128-bit digest of each row over ``columns``, mask of the rows compared, each column's kind)
    with :func:`row_codes`' rules: rows are equal exactly when :func:`row_codes` gives them one
    code, and the mask is False where it gives -1. A column's kind is ``"text"`` (compared as
    normalised text) or its dtype; digests of partitions are comparable when the kinds agree.
    None when a column's values cannot be digested by value (see :func:`value_bits`)."""
    normalized = normalized or {}
    n = len(frame)
    compared = np.ones(n, dtype=bool)
    parts, kinds = [], []
    for c in columns:
        series = frame[c]
        equal_nulls = nulls_equal and c not in required
        if is_text(series):
            arr = normalized[c] if c in normalized else normalize_strings(series, norm)
            missing = missing_mask(arr)
            digests = string_digests(arr, seed) if c in required else category_digests(arr, seed)
            if c in required and min_chars > 0:
                compared &= content_mask(arr, min_chars)
            kinds.append("text")
        else:
            by_value = value_digests(series, seed)
            if by_value is None:
                return None
            digests, missing, kind = by_value
            kinds.append(kind)
        if equal_nulls:
            digests[missing] = NULL_DIGEST
        else:
            compared &= ~missing
        parts.append(digests)
    return combine_digests(parts, seed), compared, tuple(kinds)


def digest_codes(digests: np.ndarray) -> np.ndarray:
    """A group id per row from (n, 2) digests: equal digests, equal ids (dense, first-seen order)."""
    if not len(digests):
        return np.empty(0, dtype=np.int64)
    high, _ = pd.factorize(digests[:, 0])
    high = high.astype(np.int64)
    first = np.full(int(high.max()) + 1, len(high), dtype=np.int64)
    np.minimum.at(first, high, np.arange(len(high)))
    if (digests[first[high], 1] == digests[:, 1]).all():  # the first 64 bits tell every pair apart
        return high
    low, _ = pd.factorize(digests[:, 1])
    return combine_codes([high, low.astype(np.int64)])


# --------------------------------------------------------------------------- shingles

_X = 0x9E3779B97F4A7C15  # odd multiplier of the polynomial byte hash (invertible modulo 2**64)
_XINV = pow(_X, -1, 1 << 64)
_POW_LOCK = threading.Lock()
_POWERS: dict[str, np.ndarray] = {}


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """X**i and X**-i modulo 2**64 for i < n (cached, grown as needed)."""
    with _POW_LOCK:
        have = _POWERS.get("x")
        if have is None or len(have) < n:
            size = max(n, CHUNK_BYTES + 1, 2 * (len(have) if have is not None else 0))
            x = np.full(size, _X, dtype=np.uint64)
            x[0] = 1
            xi = np.full(size, _XINV, dtype=np.uint64)
            xi[0] = 1
            _POWERS["x"] = np.cumprod(x, dtype=np.uint64)
            _POWERS["xi"] = np.cumprod(xi, dtype=np.uint64)
        return _POWERS["x"], _POWERS["xi"]


def _span_hashes(prefix: np.ndarray, xinv: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Position-independent hashes of byte spans [start, end) from polynomial prefix sums."""
    raw = (prefix[ends] - prefix[starts]) * xinv[starts]
    return fmix64(raw ^ (ends - starts).astype(np.uint64) * _U64(0x9FB21C651E98DF25))


def _tokenizable(arr: pa.Array) -> pa.Array:
    """Prepare strings for the bytewise tokeniser; plain ASCII text without symbols needs nothing.

    Symbols (emoji, ``€``, ``$``, ``+``, arrows, …) are content: each becomes a token of its own,
    so texts that differ only in their emoji are different texts. ASCII symbols are mapped to
    private-use characters first (the bytewise tokeniser treats every non-ASCII byte as part of a
    word, and ASCII symbols as separators). Emoji presentation selectors are dropped (they only
    choose how a symbol is drawn); every other non-word character separates tokens.
    """
    special = ~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    special |= pc.match_substring_regex(arr, _ASCII_SYMBOL).to_numpy(zero_copy_only=False)
    if special.any():
        sub = arr.filter(pa.array(special))
        sub = pc.replace_substring_regex(sub, _PRESENTATION, "")
        for symbol in _ASCII_SYMBOLS:
            sub = pc.replace_substring(sub, symbol, chr(0xE000 + ord(symbol)))
        sub = pc.replace_substring_regex(sub, _ASCII_NON_WORD, " ")
        sub = pc.replace_substring_regex(sub, r"(\p{S}|\p{Co})", r" \1 ")
        sub = pc.replace_substring_regex(sub, _NON_TOKEN_UNICODE, " ")
        arr = pc.replace_with_mask(arr, pa.array(special), sub)
    return arr


def shingle_hashes(arr: pa.Array, shingle: ShingleKind, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes (uint64) of every document of a null-free normalised string array, with the
    document index of each (sorted). A document with fewer than ``n`` units gets one shingle of
    all of them; a document without any word character gets none."""
    offsets, data = _to_bytes(_tokenizable(arr))
    size = len(data)
    if size == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    xp, xpinv = _powers(size + 1)
    word = _is_word(data)
    first, last = _boundaries(offsets, size)
    starts, ends = _runs(word, first, last)
    ends = ends + 1
    if len(starts) == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    n_docs = len(offsets) - 1
    tok_doc = np.repeat(np.arange(n_docs), np.diff(np.searchsorted(starts, offsets)))
    if shingle == "word":
        # a token's span holds word bytes only, so separators need not be masked out
        prefix = np.empty(size + 1, dtype=np.uint64)
        prefix[0] = 0
        vals = data.astype(np.uint64)
        vals *= xp[:size]
        np.cumsum(vals, out=prefix[1:])
        tokens = _span_hashes(prefix, xpinv, starts, ends)
        return _word_ngrams(tokens, tok_doc, n)
    # characters: the tokens joined by single spaces
    new_doc = np.ones(len(starts), dtype=bool)
    new_doc[1:] = tok_doc[1:] != tok_doc[:-1]
    spaces = starts[~new_doc] - 1
    drop = ~word
    drop[spaces] = False
    data = data.copy()
    data[spaces] = 32
    offsets, data = _drop(offsets, data, np.flatnonzero(drop))
    size = len(data)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(data.astype(np.uint64) * xp[:size], out=prefix[1:])
    chars = np.flatnonzero((data & np.uint8(0xC0)) != np.uint8(0x80))  # UTF-8 character starts
    char_doc = np.repeat(np.arange(n_docs), np.diff(np.searchsorted(chars, offsets)))
    total = len(chars)
    if n > 1:
        window_end_char = np.arange(total) + n - 1
        inside = window_end_char < total
        inside[inside] = char_doc[window_end_char[inside]] == char_doc[inside]
    else:
        inside = np.ones(total, dtype=bool)
    doc_first = np.ones(total, dtype=bool)
    doc_first[1:] = char_doc[1:] != char_doc[:-1]
    doc_chars = np.bincount(char_doc, minlength=len(offsets) - 1)
    short = doc_first & (doc_chars[char_doc] < n)  # whole short document as one shingle
    take = np.flatnonzero(inside | short)
    s = chars[take]
    nxt = take + n
    doc_end = offsets[char_doc[take] + 1]
    e = np.where(nxt < total, chars[np.minimum(nxt, total - 1)], size)
    e = np.where((nxt < total) & (char_doc[np.minimum(nxt, total - 1)] == char_doc[take]), e, doc_end)
    e = np.where(short[take], doc_end, e)
    return _span_hashes(prefix, xpinv, s, e), char_doc[take]


def _word_ngrams(tokens: np.ndarray, tok_doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if n == 1:
        return tokens, tok_doc
    total = len(tokens)
    acc = tokens.copy()
    for j in range(1, n):
        nxt = np.zeros(total, dtype=np.uint64)
        same = np.zeros(total, dtype=bool)
        same[: total - j] = tok_doc[j:] == tok_doc[: total - j]
        nxt[: total - j] = tokens[j:]
        nxt[~same] = 0
        acc = fmix64(acc * _U64(0x2127599BF4325C37) + nxt)
    full = np.zeros(total, dtype=bool)
    full[: total - n + 1] = tok_doc[n - 1 :] == tok_doc[: total - n + 1]
    doc_first = np.ones(total, dtype=bool)
    doc_first[1:] = tok_doc[1:] != tok_doc[:-1]
    counts = np.bincount(tok_doc)
    short = doc_first & (counts[tok_doc] < n)
    take = full | short
    return acc[take], tok_doc[take]


# --------------------------------------------------------------------------- MinHash


def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The seeded permutations ``x → a*x mod 2**32`` (``a`` odd, so each is a bijection of the
    32-bit hash values). Applied to well-mixed shingle hashes they behave like independent random
    permutations: measured over pairs of 28-element sets, the estimates' bias is below 0.001, their
    spread matches the binomial ``sqrt(J(1-J)/num_perm)``, and a band of 3 values collides with
    probability J**3 (0.1355 vs 0.1354 at J = 0.514)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)


def minhash(hashes: np.ndarray, docs: np.ndarray, n_docs: int, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures ``(num_perm, n_docs)`` uint32 of shingle ``hashes`` grouped by ``docs``
    (sorted), and a mask of the documents that have shingles (others' columns are meaningless)."""
    k = len(a)
    sig = np.full((k, n_docs), np.iinfo(np.uint32).max, dtype=np.uint32)
    counts = np.bincount(docs, minlength=n_docs)
    has = counts > 0
    if not len(hashes):
        return sig, has
    h32 = (hashes >> _U64(32)).astype(np.uint32)
    start = np.zeros(n_docs, dtype=np.int64)
    np.cumsum(counts[:-1], out=start[1:])
    order = np.flatnonzero(has)
    order = order[np.argsort(counts[order], kind="stable")]
    sorted_counts = counts[order]
    i = 0
    while i < len(order):
        # the widest block whose padded matrix (longest document × documents) stays small
        rest = sorted_counts[i : i + BLOCK_ELEMENTS]
        width = max(1, int(np.searchsorted(rest * np.arange(1, len(rest) + 1), BLOCK_ELEMENTS, side="right")))
        block = order[i : i + width]
        length = int(counts[block[-1]])  # the longest in the block (sorted by length)
        rows = np.minimum(np.arange(length)[:, None], counts[block][None, :] - 1)
        x = h32[start[block][None, :] + rows]  # (length, block) padded with each doc's own shingles
        y = np.empty_like(x)
        out = np.empty((k, len(block)), dtype=np.uint32)
        for p in range(k):
            np.multiply(x, a[p], out=y)
            y.min(axis=0, out=out[p])
        sig[:, block] = out
        i += len(block)
    return sig, has


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(bands, documents) uint32 hash of each band's ``rows`` signature values."""
    out = np.empty((bands, sig.shape[1]), dtype=np.uint32)
    for j in range(bands):
        acc = sig[j * rows].astype(np.uint64)
        for r in range(1, rows):
            acc *= _U64(0x9E3779B97F4A7C15)
            acc += sig[j * rows + r]
        out[j] = (fmix64(acc + _U64(j)) >> _U64(32)).astype(np.uint32)
    return out


# --------------------------------------------------------------------------- LSH candidates


def pairs_in_buckets(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Pairs (as ``lo << 32 | hi`` uint64 of ``ids``) of documents sharing a band key: a bucket's
    members in the order they are given here, each paired with its next :data:`MAX_BUCKET`."""
    if len(keys) < 2:
        return np.empty(0, np.uint64)
    # one sort of (key, position) packed in 64 bits: equal keys become neighbours, in position order
    packed = np.sort((keys.astype(np.uint64) << _U64(32)) | np.arange(len(keys), dtype=np.uint64))
    k = packed >> _U64(32)
    same_next = k[1:] == k[:-1]
    if not same_next.any():
        return np.empty(0, np.uint64)
    # keep only members of buckets with two or more documents
    member = np.zeros(len(packed), dtype=bool)
    member[1:] |= same_next
    member[:-1] |= same_next
    packed = packed[member]
    pos = (packed & _MASK32).astype(np.int64)
    bucket = np.cumsum(np.r_[True, (packed[1:] >> _U64(32)) != (packed[:-1] >> _U64(32))])
    out = []
    for d in range(1, MAX_BUCKET + 1):
        ok = bucket[d:] == bucket[:-d]
        if not ok.any():
            break
        lo = ids[pos[:-d][ok]].astype(np.uint64)
        hi = ids[pos[d:][ok]].astype(np.uint64)
        out.append((lo << _U64(32)) | hi)
    return np.concatenate(out)


def lsh_candidates(keys: Any, valid: np.ndarray, *, workers: int = 1, progress: Any = None) -> np.ndarray:
    """Unique candidate pairs ``(P, 2)`` (lo < hi) of valid documents sharing a key in any band.

    ``keys``: the ``(bands, documents)`` uint32 band keys, or anything with that ``shape`` whose
    ``keys[j]`` is band ``j``'s keys (one band at a time is all this reads)."""
    ids = np.flatnonzero(valid)
    if len(ids) < 2:
        return np.empty((0, 2), np.int64)
    everything = len(ids) == keys.shape[1]
    found = list(_map(lambda j: pairs_in_buckets(keys[j] if everything else keys[j][ids], ids), list(range(keys.shape[0])), workers))
    allp = np.concatenate(found) if found else np.empty(0, np.uint64)
    if not len(allp):
        return np.empty((0, 2), np.int64)
    allp = np.sort(allp)
    allp = allp[np.r_[True, allp[1:] != allp[:-1]]]
    return np.column_stack([(allp >> _U64(32)).astype(np.int64), (allp & _MASK32).astype(np.int64)])


# --------------------------------------------------------------------------- verification


def _prefilter_count(threshold: float, k: int, miss: float = 1e-6) -> int:
    """The largest count c such that a pair with Jaccard ``threshold`` shows fewer than c equal
    values among ``k`` with probability at most ``miss`` (binomial tail)."""
    total, c = 0.0, 0
    for i in range(k + 1):
        total += math.comb(k, i) * threshold**i * (1 - threshold) ** (k - i)
        if total > miss:
            break
        c = i + 1
    return c


def estimate_jaccard(sig16: np.ndarray, pairs: np.ndarray, *, workers: int = 1, floor: float | None = None) -> np.ndarray:
    """Share of equal signature values of each pair (rows of ``sig16`` are documents).

    With ``floor``, pairs whose first 32 values already show that their similarity is below
    ``floor`` (a pair at ``floor`` would show that few matches with probability under 1e-6) are
    not compared further and get an estimate of 0: most LSH candidates are chance collisions
    between unrelated texts, and this reads a quarter of their signatures. (At the default
    threshold 0.5, a pair needs 3 equal values among the first 32; one with Jaccard 0.05 has
    them with probability 0.21.)
    """
    if not len(pairs):
        return np.empty(0)
    k = sig16.shape[1]
    head = min(32, k)
    need = _prefilter_count(floor, head) if floor is not None and head < k else 0
    bounds = list(range(0, len(pairs), PAIR_CHUNK))

    def run(s: int) -> np.ndarray:
        p = pairs[s : s + PAIR_CHUNK]
        if need:
            first = np.count_nonzero(sig16[p[:, 0], :head] == sig16[p[:, 1], :head], axis=1)
            out = np.zeros(len(p), dtype=np.int64)
            sel = np.flatnonzero(first >= need)
            q = p[sel]
            out[sel] = first[sel] + np.count_nonzero(sig16[q[:, 0], head:] == sig16[q[:, 1], head:], axis=1)
            return out
        return np.count_nonzero(sig16[p[:, 0]] == sig16[p[:, 1]], axis=1)

    matches = np.concatenate(list(_map(run, bounds, workers)))
    # 16-bit values collide by chance with probability 2**-16; remove that bias
    chance = 1.0 / 65536.0
    return np.clip((matches / k - chance) / (1.0 - chance), 0.0, 1.0)


def shingle_sets(arr: pa.Array, shingle: ShingleKind, n: int, *, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, values): each document's sorted set of 32-bit shingle hashes."""

    def one(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = bounds
        hashes, docs = shingle_hashes(arr.slice(lo, hi - lo), shingle, n)
        key = sorted_unique((docs.astype(np.uint64) << _U64(32)) | (hashes >> _U64(32)))
        counts = np.bincount((key >> _U64(32)).astype(np.int64), minlength=hi - lo)
        return counts, (key & _MASK32).astype(np.uint32)

    parts = list(_map(one, _chunks(arr), workers))
    counts = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    values = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.uint32)
    return np.r_[0, np.cumsum(counts)].astype(np.int64), values


def exact_jaccard(offsets: np.ndarray, values: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of each pair of shingle sets (``pairs`` index the sets)."""
    out = np.empty(len(pairs))
    lengths = np.diff(offsets)
    step = max(1, (1 << 23) // max(1, int(2 * lengths.mean()) if len(lengths) else 1))
    for s in range(0, len(pairs), step):
        p = pairs[s : s + step]
        a, b = p[:, 0], p[:, 1]
        la, lb = lengths[a], lengths[b]
        seg_len = np.concatenate([la, lb])
        idx = _segments(np.concatenate([offsets[a], offsets[b]]), seg_len)
        owner = np.repeat(np.tile(np.arange(len(p), dtype=np.uint64), 2), seg_len)
        key = np.sort((owner << _U64(32)) | values[idx].astype(np.uint64))
        dup = key[1:] == key[:-1]
        inter = np.bincount((key[1:][dup] >> _U64(32)).astype(np.int64), minlength=len(p))
        union = la + lb - inter
        out[s : s + step] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return out


# --------------------------------------------------------------------------- union-find


def union_find(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of every node (the smallest node of its component), from undirected edges.

    Vectorised union-find: every round hooks each edge's larger root under its smaller root
    (``minimum.at``), then compresses paths by pointer jumping until every node points at a root.
    """
    parent = np.arange(n, dtype=np.int64)
    if not len(left):
        return parent
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while True:
        ru, rv = parent[left], parent[right]
        differ = ru != rv
        if not differ.any():
            return parent
        lo, hi = np.minimum(ru[differ], rv[differ]), np.maximum(ru[differ], rv[differ])
        np.minimum.at(parent, hi, lo)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


# --------------------------------------------------------------------------- star clusters

STAR_ROUNDS = 64  # vectorised rounds before the last undecided nodes are settled one by one


def star_clusters(n: int, left: np.ndarray, right: np.ndarray, similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups that never chain: (representative of every node, its similarity to it).

    The edges are verified pairs (similarity at least the threshold). Nodes are ranked by their
    number of verified pairs (most first; ties: the earliest node), and a node is a
    *representative* when no higher-ranked node adjacent to it is one (the lexicographically
    first maximal independent set in that ranking). Every other node joins its most similar
    adjacent representative (ties: the earliest), which exists because a higher-ranked
    neighbour is one. So every member of a group is itself a verified pair with its
    representative, and the representative is the node most of the group resembles: the
    original that several edited copies were made from, even when the copies come first.
    Nodes without edges are their own representatives (similarity 1).
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    similarity = np.asarray(similarity, dtype=np.float64)
    rep_of = np.arange(n, dtype=np.int64)
    sim = np.ones(n)
    if not len(left):
        return rep_of, sim
    degree = np.bincount(left, minlength=n) + np.bincount(right, minlength=n)
    order = np.lexsort((np.arange(n), -degree))  # node of each rank
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    a, b = rank[left], rank[right]
    is_rep = _first_independent_set(n, np.minimum(a, b), np.maximum(a, b))[rank]
    # members join their most similar representative
    node = np.r_[left, right]
    other = np.r_[right, left]
    s = np.r_[similarity, similarity]
    keep = ~is_rep[node] & is_rep[other]
    node, other, s = node[keep], other[keep], s[keep]
    pick = np.lexsort((other, -s, node))
    node, other, s = node[pick], other[pick], s[pick]
    first = np.r_[True, node[1:] != node[:-1]] if len(node) else np.empty(0, dtype=bool)
    rep_of[node[first]] = other[first]
    sim[node[first]] = s[first]
    return rep_of, sim


def _first_independent_set(n: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The lexicographically first maximal independent set of a graph (edges ``lo < hi``): node
    ``v`` is in it iff no smaller node adjacent to ``v`` is.

    Vectorised rounds settle every node whose smaller neighbours are all settled; after
    :data:`STAR_ROUNDS` rounds the nodes still open (long chains) are settled one by one."""
    state = np.zeros(n, dtype=np.int8)  # 0 open, 1 in the set, 2 out
    has_smaller = np.zeros(n, dtype=bool)
    has_smaller[hi] = True
    state[~has_smaller] = 1
    for _ in range(STAR_ROUNDS):
        open_ = state[hi] == 0
        lo, hi = lo[open_], hi[open_]
        if not len(hi):
            break
        s_lo = state[lo]
        state[hi[s_lo == 1]] = 2
        waiting = np.zeros(n, dtype=bool)
        waiting[hi[s_lo == 0]] = True
        state[(state == 0) & ~waiting] = 1
    rest = np.flatnonzero(state == 0)
    if len(rest):
        open_ = state[hi] == 0
        lo, hi = lo[open_], hi[open_]
        by_hi = np.argsort(hi, kind="stable")
        lo, hi = lo[by_hi], hi[by_hi]
        bounds = np.searchsorted(hi, np.r_[rest, rest[-1] + 1])
        for i, v in enumerate(rest.tolist()):
            state[v] = 2 if (state[lo[bounds[i] : bounds[i + 1]]] == 1).any() else 1
    return state == 1


# --------------------------------------------------------------------------- the pipeline


@dataclass
class NearDuplicatePairs:
    """Verified near-duplicate pairs between the unique normalised texts of a column.

    ``text_of_row`` maps every input row to its unique text (``-1`` for rows without text);
    ``left``/``right`` are unique-text ids (left < right) and ``similarity`` their Jaccard
    similarity (exact, or estimated with ``verify="estimate"``).
    """

    text_of_row: np.ndarray
    n_texts: int
    left: np.ndarray
    right: np.ndarray
    similarity: np.ndarray
    candidates: int = 0
    config: MinHashConfig = field(default_factory=MinHashConfig)
    seconds: dict[str, float] = field(default_factory=dict)


def string_hashes(arr: pa.Array, *, workers: int = 1) -> np.ndarray:
    """A 64-bit hash of every string (nulls hash like empty strings), computed chunk by chunk."""

    def one(bounds: tuple[int, int]) -> np.ndarray:
        lo, hi = bounds
        offsets, data = _to_bytes(pc.fill_null(arr.slice(lo, hi - lo), ""))
        xp, xpinv = _powers(len(data) + 1)
        prefix = np.empty(len(data) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(data.astype(np.uint64) * xp[: len(data)], out=prefix[1:])
        return _span_hashes(prefix, xpinv, offsets[:-1], offsets[1:])

    parts = list(_map(one, _chunks(arr), workers))
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


def text_digest(arr: pa.Array) -> str:
    """A SHA-256 of a string array's values and nulls (its slice offset ignored): the result
    cache's key for artefacts computed from these texts."""
    import hashlib

    arr = as_strings(arr)
    h = hashlib.sha256(f"{len(arr)}:{arr.null_count}".encode())
    if arr.null_count:
        h.update(np.packbits(pc.is_null(arr).to_numpy(zero_copy_only=False)).tobytes())
    offsets, data = _to_bytes(pc.fill_null(arr, ""))
    h.update(offsets.tobytes())
    h.update(data.tobytes())
    return h.hexdigest()



@dataclass
class UniqueTexts:
    """The distinct texts of a column of rows (texts are identified by a 64-bit hash of their
    bytes: two different texts share one with probability about 2**-64 per pair)."""

    text_of_row: np.ndarray  # int64: each row's text, -1 when missing (null or empty)
    texts: pa.LargeStringArray  # the distinct texts, in order of first appearance
    hashes: np.ndarray  # uint64 hash of each distinct text


def distinct_texts(text: pa.Array, workers: int = 1) -> UniqueTexts:
    """The distinct texts of ``text`` (already normalised) and which one each row holds."""
    missing = missing_mask(text)
    hashes = string_hashes(text, workers=workers)
    ids, _ = pd.factorize(hashes)
    ids = ids.astype(np.int64)
    if missing.any():
        ids[missing] = -1
        ok = ids >= 0
        ids[ok] = pd.factorize(ids[ok])[0]
    n = int(ids.max()) + 1 if len(ids) else 0
    first = np.full(n, len(ids), dtype=np.int64)
    np.minimum.at(first, ids[ids >= 0], np.flatnonzero(ids >= 0))
    return UniqueTexts(ids, as_strings(text.take(pa.array(first))), hashes[first])


def unique_texts(text: pa.Array, workers: int = 1) -> tuple[np.ndarray, pa.LargeStringArray]:
    """(id of each row's text or -1 when missing, the unique texts in first-seen order)."""
    unique = distinct_texts(text, workers)
    return unique.text_of_row, unique.texts


def merge_texts(parts: Sequence[UniqueTexts]) -> tuple[UniqueTexts, list[np.ndarray]]:
    """The distinct texts of several columns' rows taken one after the other (as
    :func:`distinct_texts` of their concatenation would find them, in the same order), and for
    each part the merged id of each of its texts."""
    hashes = np.concatenate([p.hashes for p in parts]) if parts else np.empty(0, np.uint64)
    ids, _ = pd.factorize(hashes)  # first appearance in part order = first appearance in the rows
    ids = ids.astype(np.int64)
    bounds = np.cumsum([0] + [len(p.hashes) for p in parts])
    ids_of = [ids[bounds[i] : bounds[i + 1]] for i in range(len(parts))]
    rows = [np.where(p.text_of_row >= 0, ids_of[i][np.maximum(p.text_of_row, 0)], -1) for i, p in enumerate(parts)]
    n = int(ids.max()) + 1 if len(ids) else 0
    first = np.full(n, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids)))
    texts = pa.concat_arrays([p.texts for p in parts]) if parts else pa.array([], type=pa.large_string())
    merged = UniqueTexts(np.concatenate(rows) if rows else np.empty(0, np.int64), as_strings(texts.take(pa.array(first))),
                         hashes[first])
    return merged, ids_of


@dataclass
class Signatures:
    """MinHash signatures of distinct texts: ``values`` ``(num_perm, texts)`` uint32 (4 × num_perm
    bytes per text: 512 at the default 128), ``valid`` the texts that have shingles (the others'
    columns are meaningless). Band keys and 16-bit values for verification derive from them, so
    checks with other thresholds or LSH bands reuse them."""

    values: np.ndarray
    valid: np.ndarray


def sketch(texts: pa.Array, shingle: ShingleKind, n: int, num_perm: int, seed: int, *, workers: int | None = None,
           progress: Any = None) -> Signatures:
    """MinHash signatures of (normalised, null-free) texts, chunk by chunk on the thread pool."""
    workers = workers or default_workers()
    a = permutations(num_perm, seed)
    values = np.empty((num_perm, len(texts)), dtype=np.uint32)
    valid = np.zeros(len(texts), dtype=bool)
    chunks = _chunks(texts)

    def one(bounds: tuple[int, int]) -> None:
        lo, hi = bounds
        hashes, docs = shingle_hashes(texts.slice(lo, hi - lo), shingle, n)
        values[:, lo:hi], valid[lo:hi] = minhash(hashes, docs, hi - lo, a)

    for _ in _track(progress, _map(one, chunks, workers), len(chunks), "near duplicates: MinHash"):
        pass
    return Signatures(values, valid)


KEY_BLOCK = 1 << 16  # texts per block of band-key computation


def _band_keys_of(parts: Sequence[tuple[Signatures, np.ndarray]], n: int, bands: int, rows: int,
                  workers: int) -> tuple[np.ndarray, np.ndarray]:
    """(band keys, valid) of ``n`` texts from parts ``(signatures, text id of each column)``; a
    text several parts hold gets the same values from each."""
    keys = np.empty((bands, n), dtype=np.uint32)
    valid = np.zeros(n, dtype=bool)
    for sig, ids in parts:
        valid[ids] = sig.valid

        def block(lo: int, sig: Signatures = sig, ids: np.ndarray = ids) -> None:
            keys[:, ids[lo : lo + KEY_BLOCK]] = band_keys(sig.values[:, lo : lo + KEY_BLOCK], bands, rows)

        for _ in _map(block, list(range(0, len(ids), KEY_BLOCK)), workers):
            pass
    return keys, valid


def band_keys_of(sig: Signatures, bands: int, rows: int, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(band keys, valid) of the texts of one set of signatures."""
    n = sig.values.shape[1]
    return _band_keys_of([(sig, np.arange(n))], n, bands, rows, workers)


def _sig16_of(parts: Sequence[tuple[Signatures, np.ndarray]], n: int, texts: np.ndarray) -> np.ndarray:
    """``(len(texts), num_perm)`` uint16: the high halves of the signatures of some texts."""
    part = np.full(n, -1, dtype=np.int64)
    column = np.zeros(n, dtype=np.int64)
    for i, (_, ids) in enumerate(parts):
        part[ids] = i
        column[ids] = np.arange(len(ids))
    k = parts[0][0].values.shape[0] if parts else 0
    out = np.empty((len(texts), k), dtype=np.uint16)
    for i, (sig, _) in enumerate(parts):
        mine = np.flatnonzero(part[texts] == i)
        out[mine] = (sig.values[:, column[texts[mine]]] >> np.uint32(16)).astype(np.uint16).T
    return out


def signature_pairs(unique: UniqueTexts, parts: Sequence[tuple[Signatures, np.ndarray]], config: MinHashConfig, *,
                    workers: int | None = None) -> NearDuplicatePairs:
    """Verified near-duplicate pairs among ``unique.texts`` from their signatures (LSH, then the
    estimate and, with ``verify="exact"``, the exact Jaccard similarity of the candidates).
    ``parts`` are ``(signatures, id in unique.texts of each of their columns)``; together they
    cover every text."""
    import time

    workers = workers or default_workers()
    u = len(unique.texts)
    timings: dict[str, float] = {}
    none = np.empty(0, np.int64)
    if u < 2:
        return NearDuplicatePairs(unique.text_of_row, u, none, none, np.empty(0), 0, config, timings)
    t0 = time.perf_counter()
    bands, rows = config.lsh_shape()
    keys, valid = _band_keys_of(parts, u, bands, rows, workers)
    pairs = lsh_candidates(keys, valid, workers=workers)
    del keys  # freed before verification
    timings["lsh"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    candidates = len(pairs)
    pairs, sim = verify_candidates(pairs, lambda texts: _sig16_of(parts, u, texts),
                                   lambda texts: unique.texts.take(pa.array(texts)), config, workers=workers)
    timings["verify"] = time.perf_counter() - t0
    return NearDuplicatePairs(unique.text_of_row, u, pairs[:, 0], pairs[:, 1], sim, candidates, config, timings)


def verify_candidates(pairs: np.ndarray, sig16_of: Callable[[np.ndarray], np.ndarray],
                      texts_of: Callable[[np.ndarray], pa.Array], config: MinHashConfig, *,
                      workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The LSH candidate ``pairs`` (text ids, lo < hi) that meet the threshold, and their similarity:
    the signature estimate first (``sig16_of``: the 16-bit signatures of sorted text ids), then,
    with ``verify="exact"``, the exact Jaccard similarity of the survivors (``texts_of``: their
    texts). Both are asked only for the texts of candidate pairs, so a partitioned family can
    fetch just those rows."""
    involved = sorted_unique(pairs.ravel())
    sig16 = sig16_of(involved)
    estimate = estimate_jaccard(sig16, np.searchsorted(involved, pairs), workers=workers, floor=config.threshold)
    del sig16
    if config.verify == "estimate":
        keep = estimate >= config.threshold
        return pairs[keep], estimate[keep]
    sigma = math.sqrt(max(config.threshold * (1 - config.threshold), 0.01) / config.num_perm)
    keep = estimate >= max(0.0, config.threshold - ESTIMATE_MARGIN_SIGMAS * sigma)
    survivors = pairs[keep]
    involved = sorted_unique(survivors.ravel())
    offsets, values = shingle_sets(texts_of(involved), config.shingle, config.n, workers=workers)
    sim = exact_jaccard(offsets, values, np.searchsorted(involved, survivors))
    ok = sim >= config.threshold - 1e-12
    return survivors[ok], sim[ok]


def near_duplicate_pairs(
    text: Any,
    config: MinHashConfig | None = None,
    *,
    workers: int | None = None,
    progress: Any = None,
) -> NearDuplicatePairs:
    """Near-duplicate pairs among already-normalised texts (see :func:`joined_text`).

    Identical texts are one unique text; pairs are between different texts only.
    """
    import time

    config = config or MinHashConfig()
    workers = workers or default_workers()
    t0 = time.perf_counter()
    unique = distinct_texts(as_strings(text), workers)
    t1 = time.perf_counter()
    if len(unique.texts) < 2:
        return signature_pairs(unique, [], config, workers=workers)
    sig = sketch(unique.texts, config.shingle, config.n, config.num_perm, config.seed, workers=workers, progress=progress)
    t2 = time.perf_counter()
    result = signature_pairs(unique, [(sig, np.arange(len(unique.texts)))], config, workers=workers)
    result.seconds = {"unique": t1 - t0, "minhash": t2 - t1, **result.seconds}
    return result
