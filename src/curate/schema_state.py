"""What the ``schema`` family keeps of one partition of a column, how partitions combine, and the
split view of :mod:`curate.schema_compare` answered from the combined states.

A column's state holds what the comparison asks of every column (rows, nulls, the
:class:`~curate.baseline.KindEvidence` its kind follows from, whether a float column holds a
fraction) and what the plan asks of this one: the values outside the baseline's categories, the
values a reader of the declared type could not read, the labels outside a ClassLabel's names,
each with its rows and first row. Where the comparison needs more (a whole profile to match a
renamed column, examples of unparsable numbers, new values beyond :data:`GROUP_CAP`), the view
records the column and the family reads just that column in a later pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from curate.baseline import KindEvidence, column_kind, column_profile, kind_evidence
from curate.dataset import Split
from curate.schema_compare import SplitView, incompatible, label_groups, value_groups

GROUP_CAP = 10_000  # distinct values kept per column and question; more: the column is read whole
EXAMPLES = 3  # unreadable values a declared-type finding shows

Groups = dict[str, list[int]]  # value text → [rows, first row]


@dataclass(frozen=True)
class ColumnAsk:
    """What one column's partitions are asked beyond counts, decided from the baseline and the
    declared features before any row is read."""

    recorded: tuple[str, ...] | None = None  # the baseline's categories: the values outside them
    want: str | None = None  # a declared kind: the values a reader of it could not read
    untyped: bool = False  # (CSV/TSV: any value reads as a string)
    names: tuple[str, ...] | None = None  # ClassLabel names: the labels outside them


@dataclass
class ColumnState:
    """One column over some partitions; every field adds up (:meth:`add`)."""

    rows: int = 0
    nulls: int = 0
    kind: KindEvidence = field(default_factory=KindEvidence)
    numbers: bool = False  # a float column with a value
    fraction: bool = False  # … with a finite value that is not whole
    new: Groups | None = field(default_factory=dict)  # None: over GROUP_CAP
    bad: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)  # (first row, text) of the first distinct bad values
    labels: Groups | None = field(default_factory=dict)

    def add(self, other: "ColumnState") -> "ColumnState":
        kind = self.kind.merged(other.kind)
        firsts: dict[str, int] = {}
        for row, text in self.examples + other.examples:
            firsts[text] = min(row, firsts.get(text, row))
        examples = sorted((row, text) for text, row in firsts.items())[:EXAMPLES]
        return ColumnState(self.rows + other.rows, self.nulls + other.nulls, kind, self.numbers or other.numbers,
                           self.fraction or other.fraction, _merge(self.new, other.new), self.bad + other.bad,
                           examples, _merge(self.labels, other.labels))


def _merge(a: Groups | None, b: Groups | None) -> Groups | None:
    if a is None or b is None:
        return None
    out = {k: list(v) for k, v in a.items()}
    for value, (n, first) in b.items():
        mine = out.setdefault(value, [0, first])
        mine[0] += n
        mine[1] = min(mine[1], first)
    return out if len(out) <= GROUP_CAP else None


def _groups(groups: list[tuple[str, int, int]], index: pd.Index) -> Groups | None:
    """Groups with partition positions turned into the split's row positions."""
    if len(groups) > GROUP_CAP:
        return None
    return {value: [n, int(index[first])] for value, n, first in groups}


def column_state(values: pd.Series, ask: ColumnAsk) -> ColumnState:
    """What one partition's values of a column add to its state (``values`` indexed by row position)."""
    nulls = int(values.isna().sum())
    out = ColumnState(rows=len(values), nulls=nulls, kind=kind_evidence(values))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        finite = values.dropna().to_numpy(dtype=float)
        out.numbers = bool(len(finite))
        out.fraction = not bool(np.all(np.mod(finite[np.isfinite(finite)], 1) == 0))
    if ask.recorded is not None:
        as_text = values.astype(str)
        mask = values.notna().to_numpy() & ~as_text.isin(list(ask.recorded)).to_numpy()
        out.new = _groups(value_groups(as_text, mask), values.index)
    if ask.want is not None:
        bad = incompatible(values, ask.want, untyped=ask.untyped)
        offenders = values[bad].astype(str)
        firsts = offenders[~offenders.duplicated()].iloc[:EXAMPLES]
        out.bad = int(bad.sum())
        out.examples = list(zip(firsts.index.tolist(), firsts.tolist()))
    if ask.names is not None:
        out.labels = _groups(label_groups(values, list(ask.names)), values.index)
    return out


def _ranked(groups: Groups) -> list[tuple[str, int, int]]:
    """(value, rows, first row), most rows first, then first seen (as :func:`value_groups` orders them)."""
    return sorted(((v, n, first) for v, (n, first) in groups.items()), key=lambda g: (-g[1], g[2]))


class StateView(SplitView):
    """A split's answers from its columns' combined states. A question the states cannot answer
    reads the column's values (``fetched``); until they are fetched it records the column in
    ``needs`` and answers as if the column were empty, so one dry comparison finds every need."""

    def __init__(self, split: Split, states: dict[str, ColumnState], asks: dict[str, ColumnAsk],
                 fetched: dict[str, pd.Series]) -> None:
        super().__init__(split)
        self.states, self.asks, self.fetched = states, asks, fetched
        self.needs: set[str] = set()

    def values(self, column: str) -> pd.Series:
        if column in self.fetched:
            return self.fetched[column]
        self.needs.add(column)
        return pd.Series([], dtype=object)

    def profile(self, column: str, *, full: bool = False) -> dict[str, Any]:
        if full:
            return column_profile(self.values(column))
        s = self.states[column]
        (dtype,) = s.kind.dtypes
        # an unsettled kind is categorical or text: one type family, all the comparison reads but
        # the wording of a type change (see :meth:`kind`)
        kind = s.kind.kind() if s.kind.settled else "categorical"
        return {"type": dtype, "kind": kind, "count": s.rows - s.nulls, "nulls": s.nulls,
                "null_rate": float(s.nulls / s.rows) if s.rows else 0.0}

    def kind(self, column: str, profile: dict[str, Any]) -> str:
        if self.states[column].kind.settled:
            return profile["kind"]
        return column_kind(self.values(column))

    def has_fractions(self, column: str) -> bool:
        s = self.states[column]
        return s.numbers and s.fraction

    def unparsable_note(self, old: dict[str, Any], column: str) -> str:
        (dtype,) = self.states[column].kind.dtypes.values()
        if old.get("kind") != "numeric" or pd.api.types.is_numeric_dtype(dtype):
            return ""
        return super().unparsable_note(old, column)

    def new_values(self, column: str, recorded: Iterable[str]) -> list[tuple[str, int, int]]:
        ask, s = self.asks.get(column, ColumnAsk()), self.states[column]
        if ask.recorded is not None and list(ask.recorded) == list(recorded) and s.new is not None:
            return _ranked(s.new)
        return super().new_values(column, recorded)

    def declared_mismatch(self, column: str, want: str, untyped: bool) -> tuple[int, list[str], str]:
        ask, s = self.asks.get(column, ColumnAsk()), self.states[column]
        if ask.want != want or ask.untyped != untyped:
            return super().declared_mismatch(column, want, untyped)
        (dtype,) = s.kind.dtypes
        return s.bad, [text for _, text in s.examples], dtype

    def outside_names(self, column: str, names: list[str]) -> list[tuple[str, int, int]]:
        ask, s = self.asks.get(column, ColumnAsk()), self.states[column]
        if ask.names is not None and list(ask.names) == list(names) and s.labels is not None:
            return _ranked(s.labels)
        return super().outside_names(column, names)
