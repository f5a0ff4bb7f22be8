"""Engines: where a partitioned family's ``map`` runs (see :mod:`curate.checks.base`).

An engine turns a family's :class:`~curate.checks.base.Plan` into the list of states of every
partition of the plan's splits; the family combines and judges them. The pandas engine
(:class:`PandasEngine`, the default) maps each data file's rows of an already loaded split in
process; :mod:`curate.engines.dask` maps partitions on a Dask cluster. Families that collect
(``needs = "collect"``) never meet an engine: they read ``ctx.dataset``'s pandas frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from curate.dataset import Dataset, Split, file_frame

if TYPE_CHECKING:  # annotations only
    from curate.checks.base import Check, Plan


class Engine(Protocol):
    name: str

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        """``check.map(plan, split, partition)`` of every partition of every split of ``plan``
        (``check``: a family, or any picklable object with that ``map``)."""
        ...


def plan_columns(partition: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The plan's columns of a partition (those the split has, in the plan's order)."""
    return partition[[c for c in plan.columns if c in partition.columns]]


class PandasEngine:
    """In process, one partition per data file of each split (rows indexed by their position in
    the split, as ``Split.frame`` is). Memory is the loaded dataset's; the states are small."""

    name = "pandas"

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        out = []
        for name in plan.splits:
            out += [check.map(plan, name, plan_columns(part, plan)) for part in partitions(dataset.splits[name])]
        return out


def partitions(split: Split) -> list[pd.DataFrame]:
    """A split's rows per data file, or the whole frame when its files do not tile it (a split
    built in memory, e.g. the corrected copy ``curate fix`` re-checks, has no files)."""
    spans = [(f.first_row, f.rows) for f in split.files]
    starts = [0] + [a + n for a, n in spans]
    if spans and [a for a, _ in spans] == starts[:-1] and starts[-1] == len(split.frame):
        return [file_frame(split, f) for f in split.files]
    return [_positions(split.frame)]


def _positions(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame indexed by row position."""
    return frame if frame.index.equals(pd.RangeIndex(len(frame))) else frame.reset_index(drop=True)


class WholeFrames:
    """Each split's whole frame as its one partition: a partitioned family's :meth:`collect` for a
    configuration its partitions cannot judge exactly (a column whose type differs between files
    has the concatenated column's type here), running the same ``map`` / ``combine`` / ``judge``."""

    name = "whole"

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        return [check.map(plan, name, plan_columns(_positions(dataset.splits[name].frame), plan)) for name in plan.splits]
