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

from curate.dataset import Dataset, Split, positional

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
    """In process, one partition per data file of each loaded split (rows indexed by their
    position in the split, as ``Split.frame`` is), or per piece of a streamed split's files
    (:mod:`curate.engines.streaming`: rows read on each pass, a piece at a time)."""

    name = "pandas"

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        out = []
        for name in plan.splits:
            split = dataset.splits[name]
            parts = split.partitions(None if split.loaded else plan.columns)  # a loaded file's slice is a view
            out += [check.map(plan, name, plan_columns(part, plan)) for part in parts]
        return out


def partitions(split: Split) -> list[pd.DataFrame]:
    """A loaded split's rows per data file (see :meth:`curate.dataset.Split.partitions`)."""
    return list(split.partitions())


def frames_at_hand(engine: Engine, splits: list[Split]) -> bool:
    """Whether ``engine`` maps these splits in process from frames already loaded, so that a family
    may prepare whole columns once (normalised texts, signatures) and map slices of them; else each
    partition computes its own where it is (another engine, a streamed split)."""
    return isinstance(engine, PandasEngine) and all(split.loaded for split in splits)


class WholeFrames:
    """Each split's whole frame as its one partition: a partitioned family's :meth:`collect` for a
    configuration its partitions cannot judge exactly (a column whose type differs between files
    has the concatenated column's type here), running the same ``map`` / ``combine`` / ``judge``."""

    name = "whole"

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        return [check.map(plan, name, plan_columns(positional(dataset.splits[name].frame), plan)) for name in plan.splits]
