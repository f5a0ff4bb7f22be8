"""Engines: where a partitioned family's ``map`` runs (see :mod:`curate.checks.base`).

An engine turns a family's :class:`~curate.checks.base.Plan` into the list of states of every
partition of the plan's splits; the family combines and judges them. The pandas engine
(:class:`PandasEngine`, the default) maps each data file's rows of an already loaded split in
process; :mod:`curate.engines.dask` maps partitions on a Dask cluster. Families that collect
(``needs = "collect"``) never meet an engine: they read ``ctx.dataset``'s pandas frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from curate.dataset import Dataset, file_frame

if TYPE_CHECKING:  # annotations only
    import pandas as pd

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
            split = dataset.splits[name]
            for data_file in split.files:
                out.append(check.map(plan, name, plan_columns(file_frame(split, data_file), plan)))
        return out
