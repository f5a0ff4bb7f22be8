"""Whether a table's identical rows look like copies or like distinct records that coincide.

A table of attributes with no identifier (a passenger list without names, survey answers, flower
measurements) can hold two distinct records with equal values in every column, and deleting one
would damage the data. The rows alone cannot say which identical rows are copies, but the table's
near misses can: the pairs of rows equal in every column but one or two.

Take the pairs of rows equal in every column except possibly *c* and *d*. Cross "equal in *c*" with
"equal in *d*": the identical pairs are one cell (``A``), the pairs that differ only in *d* or only
in *c* two more (``B_d``, ``B_c``), and those that differ in both the last (``C``). If whatever
makes distinct records coincide acts on *c* and *d* independently, the identical pairs number
about ``B_c · B_d / C``. Copying a record adds identical pairs and nothing else. So the rows are
judged copies unless some pair of columns predicts the identical pairs within the 95 % interval
of the ratio (Woolf's interval of an odds ratio), counting only pairs of columns whose four cells
hold at least :data:`MIN_CELL` pairs each. Columns whose agreements go together (a fare and a
class) make the prediction too low, which errs towards copies, as curate judged every identical
row before this test.

When no pair of columns has near misses enough to predict anything, the rows are copies too: a
table whose rows never come close to each other, other than by being identical, was copied.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_CELL = 5  # pairs of rows in each cell of a 2 × 2 table that is allowed to predict
CANDIDATE_COLUMNS = 4  # pairs are formed among this many columns with the most near misses …
CHOOSING_ROWS = 100_000  # … counted on at most this many rows (a seeded sample; then exactly on every row)
Z = 1.96  # 95 % two-sided normal quantile
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Coincidence:
    """A split's identical pairs of rows against the best prediction from its near misses."""

    identical: int  # pairs of rows equal in every compared column (A)
    expected: float | None  # identical pairs predicted by ``columns``' near misses; None: nothing predicts
    low: float  # 95 % interval of identical / expected
    high: float
    columns: tuple[str, ...] = ()  # (c, d)
    near: tuple[int, ...] = ()  # (B_c, B_d, C)

    @property
    def copies(self) -> bool:
        """Whether identical pairs are too many for coincidence (copying made them)."""
        return self.expected is None or self.low > 1.0

    def describe(self) -> str:
        if self.expected is None:
            return f"{self.identical:,} identical pairs, and too few rows that differ in only one or two columns to predict them"
        (c, d), (bc, bd, both) = self.columns, self.near
        return (f"{self.identical:,} identical pairs, {self.expected:,.1f} predicted by those that differ only in "
                f"'{c}' ({bc:,}), only in '{d}' ({bd:,}) or in both ({both:,}): ratio "
                f"{self.identical / self.expected:.1f}, 95% {self.low:.1f}–{self.high:.1f}")


def mixed(column_hashes: np.ndarray, seed: int = 0) -> np.ndarray:
    """Per-column 64-bit hashes of values, each column salted and mixed, so that the sum of a row's
    hashes changes when values move between columns: (rows, columns) uint64."""
    salts = np.random.default_rng(seed).integers(1, 2**63, size=column_hashes.shape[1], dtype=np.int64)
    h = (column_hashes ^ salts.astype(np.uint64)) * _MIX
    return h ^ (h >> np.uint64(31))


def equal_pairs(keys: np.ndarray) -> int:
    """Pairs of positions holding equal values."""
    if not len(keys):
        return 0
    counts = np.bincount(pd.factorize(keys)[0])
    return int((counts * (counts - 1) // 2).sum())


def coincidence(names: list[str], hashes: np.ndarray) -> Coincidence | None:
    """The identical pairs of the rows whose per-column hashes (:func:`mixed`) are ``hashes``, against
    the prediction that comes closest to explaining them; None when no two rows are identical or
    there is a single column."""
    if hashes.shape[1] < 2:
        return None
    total = hashes.sum(axis=1, dtype=np.uint64)
    identical = equal_pairs(total)
    if not identical:
        return None
    near = {c: equal_pairs(total - hashes[:, c]) - identical for c in _candidates(hashes, total)}
    candidates = [c for c in near if near[c] >= MIN_CELL]
    best = Coincidence(identical, None, math.inf, math.inf)
    for c, d in itertools.combinations(candidates, 2):
        both = equal_pairs(total - hashes[:, c] - hashes[:, d]) - identical - near[c] - near[d]
        if both < MIN_CELL:
            continue
        expected = near[c] * near[d] / both
        spread = Z * math.sqrt(1 / identical + 1 / near[c] + 1 / near[d] + 1 / both)
        ratio = identical / expected
        found = Coincidence(identical, expected, ratio * math.exp(-spread), ratio * math.exp(spread),
                            (names[c], names[d]), (near[c], near[d], both))
        if found.low < best.low:
            best = found
    return best


def _candidates(hashes: np.ndarray, total: np.ndarray) -> list[int]:
    """The columns with the most near misses, most first: counted on a sample of the rows when
    there are many (every count shrinks by about the same factor, so the order holds)."""
    rows, width = hashes.shape
    if rows > CHOOSING_ROWS:
        keep = np.sort(np.random.default_rng(0).choice(rows, CHOOSING_ROWS, replace=False))
        hashes, total = hashes[keep], total[keep]
    counts = [equal_pairs(total - hashes[:, c]) for c in range(width)]
    return [int(c) for c in np.argsort(counts, kind="stable")[::-1][:CANDIDATE_COLUMNS]]

