"""Counts per (group, class): the one pass over the rows that every balance measure is derived from.

A table of counts per group and label value is all that shares, base rates, their ratios and
differences, and their intervals need, so ``balance`` reads each row once (integer codes and
``np.bincount``, no per-row objects) and does the rest on a few numbers per group. Tables of two
partitions of the rows add up (:meth:`GroupCounts.merge`), which is what lets the counting run
per file or per chunk. The measures follow fairlearn's definitions (``count``,
``selection_rate`` with the label as the prediction, ``MetricFrame.ratio()`` / ``difference()``
between groups); ``tests/test_balance_fairlearn.py`` checks them against fairlearn on real data.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


def combined_codes(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One code per row for a combination of attributes, in ``itertools.product`` order (the last varies fastest)."""
    out = np.zeros(len(codes[0]), dtype=np.int64)
    for c, size in zip(codes, sizes):
        out = out * size + c
    return out


@dataclass
class GroupCounts:
    """Rows per group (a tuple of attribute values) and label value; the last column counts rows without a label."""

    groups: list[tuple[str, ...]]
    labels: list[str]
    table: np.ndarray  # (groups, labels + 1) int64

    @classmethod
    def count(
        cls,
        codes: list[np.ndarray],
        names: list[list[str]],
        label_codes: np.ndarray | None,
        labels: list[str],
    ) -> GroupCounts:
        """Count the rows of one partition.

        ``codes[i]`` indexes ``names[i]`` per row; ``label_codes`` indexes ``labels`` (−1: no label).
        """
        sizes = [len(n) for n in names]
        n_groups, width = int(np.prod(sizes)), len(labels) + 1
        group = combined_codes(codes, sizes)
        if label_codes is None:
            label = np.full(len(group), len(labels), dtype=np.int64)
        else:
            label = np.where(label_codes < 0, len(labels), label_codes).astype(np.int64)
        table = np.bincount(group * width + label, minlength=n_groups * width).reshape(n_groups, width)
        return cls(list(itertools.product(*names)), list(labels), table)

    def merge(self, other: GroupCounts) -> GroupCounts:
        """The counts of both partitions' rows (groups and labels aligned by name)."""
        groups = dict.fromkeys(self.groups + other.groups)
        labels = dict.fromkeys(self.labels + other.labels)
        group_at = {g: i for i, g in enumerate(groups)}
        label_at = {v: i for i, v in enumerate(labels)}
        table = np.zeros((len(groups), len(labels) + 1), dtype=np.int64)
        for part in (self, other):
            rows = [group_at[g] for g in part.groups]
            cols = [label_at[v] for v in part.labels] + [len(labels)]
            table[np.ix_(rows, cols)] += part.table
        return GroupCounts(list(groups), list(labels), table)

    @property
    def rows(self) -> np.ndarray:
        return self.table.sum(axis=1)

    @property
    def labelled(self) -> np.ndarray:
        return self.table[:, :-1].sum(axis=1)

    def positives(self, label: str) -> np.ndarray:
        """Rows per group whose label is ``label`` (0 when no row has it)."""
        if label not in self.labels:
            return np.zeros(len(self.groups), dtype=np.int64)
        return self.table[:, self.labels.index(label)]


def rates(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """k / n per group; nan for empty groups (fairlearn's ``selection_rate`` of the group's rows)."""
    return np.where(n > 0, k / np.maximum(n, 1), np.nan)


def between_groups(rate: np.ndarray, compared: np.ndarray) -> tuple[int, int, float | None, float]:
    """Lowest and highest group among ``compared`` (indices), min/max and max − min of their rates.

    fairlearn's ``MetricFrame.ratio()`` / ``.difference()`` with ``method="between_groups"``;
    the ratio is None when the highest rate is 0.
    """
    values = rate[compared]
    lo, hi = int(compared[np.argmin(values)]), int(compared[np.argmax(values)])
    ratio = rate[lo] / rate[hi] if rate[hi] > 0 else None
    return lo, hi, ratio, float(rate[hi] - rate[lo])


def flagged_counts(codes: np.ndarray, flag: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and flagged rows per group code."""
    n = np.bincount(codes, minlength=n_groups)
    k = np.bincount(codes, weights=flag.astype(np.float64), minlength=n_groups).round().astype(np.int64)
    return n, k


def bootstrap_rates(k: np.ndarray, n: np.ndarray, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """``iterations`` × groups resampled rates: Beta(k + ½, n − k + ½) (Bayesian bootstrap, Jeffreys' prior)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    return rng.beta(k + 0.5, n - k + 0.5, size=(iterations, len(k)))
