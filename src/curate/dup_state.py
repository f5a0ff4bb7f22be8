"""What the exact-duplicate families (``duplicates``, ``conflicting_labels``) keep of one partition
of rows, and how partitions come together.

A partition becomes a :class:`Chunk`: the positions of its compared rows, their 128-bit content
digests (:func:`curate.dedup.row_digests`), each compared column's kind, and for
``conflicting_labels`` a code per row into the partition's own distinct labels, kept with their
original dtype. That is 24 bytes per compared row (28 with a label), never the texts. ``combine``
only gathers chunks, so any grouping of partitions gives the same chunks; :func:`rows_of` puts a
batch's chunks in row order and factorises the digests into the group ids that
:func:`curate.dedup.groups_from_codes` turns into groups, exactly as the whole-column code ids.

Labels stay per chunk because concatenating columns of different dtypes changes how their values
are written (an integer label next to a float split becomes ``1.0``): :func:`labels_of` concatenates
the chunks' distinct labels in row order once, which writes them as concatenating the whole
columns would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.dedup import digest_codes


@dataclass
class Chunk:
    """One partition of one split, reduced to what exact grouping needs."""

    start: int  # the first row position mapped (orders chunks)
    rows: int  # rows mapped
    compared: np.ndarray  # int64 positions (in the split) of the rows compared
    digests: np.ndarray  # (len(compared), 2) uint64 content digests
    kinds: tuple[str, ...] | None  # each compared column's kind; None: a column only whole columns compare
    labels: np.ndarray | None = None  # int32 code of each compared row's label in ``values``
    values: pd.Series | None = None  # the partition's distinct labels, in their dtype (a missing one last)


State = dict[str, list[Chunk]]


def combine(states: list[State]) -> State:
    """Every chunk of every state, per split (associative: order is restored by :func:`rows_of`)."""
    out: State = {}
    for state in states:
        for split, chunks in state.items():
            out.setdefault(split, []).extend(chunks)
    return out


def ordered(state: State, splits: list[str]) -> list[tuple[str, Chunk]]:
    """The chunks of ``splits`` in row order: split by split as listed, then by first row."""
    return [(name, c) for name in splits for c in sorted(state.get(name, []), key=lambda c: c.start)]


def comparable(chunks: list[tuple[str, Chunk]]) -> bool:
    """Whether the chunks' digests can be compared: every column digested by value, and of one kind
    in every chunk (concatenated whole columns would otherwise change type, e.g. numbers → text)."""
    kinds = {c.kinds for _, c in chunks if c.rows}
    return None not in kinds and len(kinds) <= 1


def rows_of(chunks: list[tuple[str, Chunk]], offsets: dict[str, int]) -> tuple[np.ndarray, int, int]:
    """(group id of every row of the batch, -1 where not compared; rows mapped; rows not compared).
    A row's place in the batch is its split's offset (``offsets``) plus its position."""
    total = sum(c.rows for _, c in chunks)
    size = max([offsets[name] + c.start + c.rows for name, c in chunks], default=0)
    codes = np.full(size, -1, dtype=np.int64)
    if chunks:
        places = np.concatenate([c.compared + offsets[name] for name, c in chunks])
        digests = np.concatenate([c.digests for _, c in chunks]).reshape(-1, 2)
        codes[places] = digest_codes(digests)
    compared = int(sum(len(c.compared) for _, c in chunks))
    return codes, total, total - compared


def labels_of(chunks: list[tuple[str, Chunk]], offsets: dict[str, int],
              size: int) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(index of each row's label in ``values``, -1 where not compared; every label written as text;
    ``values``: the chunks' distinct labels concatenated in row order, as whole columns would be)."""
    parts = [c.values for _, c in chunks if c.values is not None and len(c.values)]
    values = pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
    index = np.full(size, -1, dtype=np.int64)
    base = 0
    for name, c in chunks:
        if c.labels is not None and len(c.compared):
            index[c.compared + offsets[name]] = c.labels.astype(np.int64) + base
        base += len(c.values) if c.values is not None else 0
    return index, values.astype(str).to_numpy(dtype=object), values


def label_codes(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code of each value, -1 where missing; the distinct values in first-seen order with their
    dtype, one missing value appended when there is one so the dtype concatenates as the column's).
    Values of an object column are told apart by type too (1, 1.0 and True are three labels when
    written as text)."""
    missing = values.isna().to_numpy()
    if values.dtype == object:
        codes, _ = pd.factorize(pd.Series([(type(v), v) for v in values], dtype=object))
    else:
        codes, _ = pd.factorize(values)
    codes = codes.astype(np.int32)
    codes[missing] = -1
    present = codes >= 0
    first = np.full(int(codes.max()) + 1 if present.any() else 0, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[present], np.flatnonzero(present))
    take = first.tolist() + ([int(np.flatnonzero(missing)[0])] if missing.any() else [])
    return codes, values.iloc[take].reset_index(drop=True)


def canonical(state: State) -> dict[str, Any]:
    """A state as plain comparable values, independent of how its chunks were grouped (for tests)."""
    out: dict[str, Any] = {}
    for name in sorted(state):
        chunks = ordered(state, [name])
        codes, total, missing = rows_of(chunks, {name: 0})
        out[name] = (total, missing, codes.tolist())
        if any(c.values is not None for _, c in chunks):
            index, text, _ = labels_of(chunks, {name: 0}, len(codes))
            out[name] += ([text[i] if i >= 0 else None for i in index],)
    return out
