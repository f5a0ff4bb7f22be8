"""What ``balance`` keeps of one partition of rows: counts keyed by raw values, which add up.

A partition's rows become, per split, counts per combination of the sensitive attributes' values
and the label (:attr:`SplitCounts.joint`), rows with a missing value and rows ``label_errors``
flagged per combination, and per proxy candidate a small table of (combination, value) counts or,
for numeric columns with many values, per-combination sums and the column's moments. Values are
kept as they were read (numbers as numbers, so quantile bins can be cut once every partition is
counted; everything else as its text): the display groups (ranked, binned, ``(missing)``) are
decided only on the combined state, exactly as on whole columns.

Proxy tables are bounded: a candidate with more than ``cap`` distinct values in a partition keeps
no table (strings keep the 64-bit hashes of their distinct values, so the number of distinct
values, which decides whether a column is free text or an identifier, stays exact). When such a
column still needs its table, ``balance`` counts again without the bound.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Hashable

import numpy as np
import pandas as pd

Keys = tuple[Hashable, ...]  # one value per sensitive attribute (None: missing)


# --------------------------------------------------------------------------- values as text


def value_text(value: Any) -> str:
    """How one value is written in tables: 1.0 → '1', True → 'True'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_text(values: pd.Series) -> pd.Series:
    """Values as strings (None where missing), object dtype: 1.0 → '1', True → 'True'."""
    out = pd.Series([None] * len(values), index=values.index, dtype=object)
    mask = values.notna().to_numpy(dtype=bool)
    if not mask.any():
        return out
    present = values[mask]
    if pd.api.types.is_float_dtype(present.dtype):
        f = present.to_numpy(dtype=float)
        if np.all(np.isfinite(f)) and np.all(f == np.round(f)) and np.all(np.abs(f) < 2**53):
            text = f.astype(np.int64).astype(str).astype(object)
        else:
            text = np.array([f"{x:.10g}" for x in f], dtype=object)
    elif present.dtype == object and pd.api.types.infer_dtype(present, skipna=True) != "string":
        text = np.array([value_text(v) for v in present], dtype=object)
    else:
        text = present.astype(str).to_numpy(dtype=object)
    out[mask] = text
    return out


def text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's value as a code into the distinct texts of :func:`as_text` (−1 where missing).

    Only the distinct values are turned into text, so no per-row objects are built; object
    columns of mixed types (where 1 and True would hash alike) are converted row by row.
    """
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        codes, names = pd.factorize(as_text(values).to_numpy(dtype=object))
        return codes, list(names)
    codes, uniques = pd.factorize(values)
    text = as_text(pd.Series(uniques, dtype=values.dtype if len(uniques) else object))
    text_codes_, names = pd.factorize(text.to_numpy(dtype=object))
    return np.where(codes >= 0, text_codes_[np.maximum(codes, 0)], -1), list(names)


def dtype_class(values: pd.Series) -> str:
    """``int``, ``float``, ``bool``, ``datetime``, ``string`` (every value a str) or ``other``."""
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_numeric_dtype(values):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if isinstance(values.dtype, pd.StringDtype) or values.dropna().map(lambda v: isinstance(v, str)).all():
        return "string"
    return "other"


def combined_class(classes: list[str], absent: bool) -> str:
    """The class of the concatenation of columns of these classes (``absent``: some split lacks it,
    its rows missing): int and float make float, bools with missing rows or mixed classes make
    objects that are not all strings (``other``)."""
    kinds = set(classes)
    if not kinds:
        return "float"  # no rows have the column at all: all missing
    if kinds <= {"int", "float"}:
        return "int" if kinds == {"int"} and not absent else "float"
    if len(kinds) == 1:
        kind = kinds.pop()
        return "other" if kind == "bool" and absent else kind
    return "other"


def raw_keys(values: pd.Series) -> tuple[np.ndarray, list[Hashable], str]:
    """Per row a code into the column's distinct raw values (−1: missing): numbers as Python
    numbers, anything else as its text; and the column's :func:`dtype_class`."""
    kind = dtype_class(values)
    if kind in ("int", "float"):
        codes, uniques = pd.factorize(values)
        return codes, [v.item() if hasattr(v, "item") else v for v in np.asarray(uniques)], kind
    codes, names = text_codes(values)
    return codes, list(names), kind


def render(keys: list[Hashable], kind: str) -> list[str]:
    """The table text of raw values of a column of (combined) class ``kind``, as :func:`as_text`
    writes the concatenated column's values."""
    if kind == "int":
        return list(as_text(pd.Series(keys, dtype="int64")))
    if kind == "float":
        return list(as_text(pd.Series(keys, dtype="float64")))
    return [k if isinstance(k, str) else value_text(k) for k in keys]


# --------------------------------------------------------------------------- the state


@dataclass
class ProxyCounts:
    """One proxy candidate in one split: its class, non-null rows, text length, distinct values."""

    kind: str
    count: int = 0
    length: int = 0  # characters of the non-null values (strings)
    table: Counter | None = field(default_factory=Counter)  # (Keys, value) → rows; None: over the cap
    hashes: np.ndarray | None = None  # distinct values' hashes (strings over the cap)
    sums: Counter = field(default_factory=Counter)  # Keys → (finite rows, sum) of a numeric column
    moments: tuple[int, float, float] = (0, 0.0, 0.0)  # finite rows, mean, sum of squared deviations

    def merge(self, other: ProxyCounts, cap: int | None) -> ProxyCounts:
        table = None
        if self.table is not None and other.table is not None:
            table = self.table + other.table
            if cap is not None and len({v for _, v in table if v is not None}) > cap:
                table = None
        hashes = None
        if table is None and self.kind == other.kind == "string":
            hashes = np.union1d(_hashes(self), _hashes(other))
        sums = Counter({k: (self.sums.get(k, (0, 0.0))[0] + other.sums.get(k, (0, 0.0))[0],
                            self.sums.get(k, (0, 0.0))[1] + other.sums.get(k, (0, 0.0))[1])
                        for k in {*self.sums, *other.sums}})
        kind = self.kind if self.kind == other.kind else combined_class([self.kind, other.kind], False)
        return ProxyCounts(kind, self.count + other.count, self.length + other.length, table, hashes, sums,
                           _merge_moments(self.moments, other.moments))

    def distinct(self) -> int | None:
        """Distinct non-null values (None when neither a table nor hashes are kept)."""
        if self.table is not None:
            return len({v for _, v in self.table if v is not None})
        return None if self.hashes is None else len(self.hashes)


def _hashes(counts: ProxyCounts) -> np.ndarray:
    if counts.hashes is not None:
        return counts.hashes
    values = np.array([v for v in {v for _, v in counts.table or {} if v is not None}], dtype=object)
    return np.unique(pd.util.hash_array(values)) if len(values) else np.empty(0, dtype=np.uint64)


def _merge_moments(a: tuple[int, float, float], b: tuple[int, float, float]) -> tuple[int, float, float]:
    """Rows, mean and sum of squared deviations of two parts together (Chan et al.'s update)."""
    (na, ma, sa), (nb, mb, sb) = a, b
    if not na or not nb:
        return a if na else b
    n = na + nb
    delta = mb - ma
    return n, ma + delta * nb / n, sa + sb + delta * delta * na * nb / n


@dataclass
class SplitCounts:
    """Everything ``balance`` needs from the rows of one split (or part of it)."""

    rows: int = 0
    classes: dict[str, list[str]] = field(default_factory=dict)  # attribute → dtype classes seen
    labelled_column: bool = False  # some partition had the label column
    joint: Counter = field(default_factory=Counter)  # (Keys, label text or None) → rows
    missing: dict[str, Counter] = field(default_factory=dict)  # "any" / a missing_columns entry → Keys → rows
    nulls: Counter = field(default_factory=Counter)  # (Keys, audited column) → missing cells
    flagged: Counter = field(default_factory=Counter)  # Keys → rows label_errors flagged
    proxies: dict[str, ProxyCounts] = field(default_factory=dict)

    def merge(self, other: SplitCounts, cap: int | None) -> SplitCounts:
        classes = {a: self.classes.get(a, []) + other.classes.get(a, []) for a in {*self.classes, *other.classes}}
        missing = {c: self.missing.get(c, Counter()) + other.missing.get(c, Counter())
                   for c in {*self.missing, *other.missing}}
        proxies = dict(self.proxies)
        for column, counts in other.proxies.items():
            proxies[column] = proxies[column].merge(counts, cap) if column in proxies else counts
        return SplitCounts(self.rows + other.rows, classes, self.labelled_column or other.labelled_column,
                           self.joint + other.joint, missing, self.nulls + other.nulls,
                           self.flagged + other.flagged, proxies)


def combine(states: list[dict[str, SplitCounts]], cap: int | None) -> dict[str, SplitCounts]:
    """The states of several partitions as one (associative: counts add, tables unite)."""
    out: dict[str, SplitCounts] = {}
    for state in states:
        for split, counts in state.items():
            out[split] = out[split].merge(counts, cap) if split in out else counts
    return out


def _keys(frame: pd.DataFrame, attributes: tuple[str, ...], counts: SplitCounts) -> tuple[np.ndarray, list[Keys]]:
    """Per row a code into the distinct combinations of the attributes' raw values."""
    codes, values = [], []
    for attribute in attributes:
        if attribute in frame.columns:
            c, v, kind = raw_keys(frame[attribute])
            counts.classes.setdefault(attribute, []).append(kind)
        else:
            c, v = np.full(len(frame), -1, dtype=np.int64), []
            counts.classes.setdefault(attribute, []).append("absent")
        codes.append(c + 1)  # 0: missing
        values.append([None, *v])
    combined = np.zeros(len(frame), dtype=np.int64)
    for c, v in zip(codes, values):
        combined = combined * len(v) + c
    rows, uniques = pd.factorize(combined)
    keys: list[Keys] = []
    for u in np.asarray(uniques, dtype=np.int64):
        parts = []
        for v in reversed(values):
            u, r = divmod(int(u), len(v))
            parts.append(v[r])
        keys.append(tuple(reversed(parts)))
    return rows, keys


def _tally(rows: np.ndarray, keys: list[Keys], weights: np.ndarray | None = None) -> Counter:
    n = np.bincount(rows, weights=weights, minlength=len(keys))
    return Counter({k: int(round(x)) for k, x in zip(keys, n) if x})


def count_partition(
    frame: pd.DataFrame,
    *,
    attributes: tuple[str, ...],
    label: str | None,
    audited: tuple[str, ...],
    missing_columns: tuple[str, ...],
    flagged: frozenset[int],
    candidates: tuple[str, ...],
    cap: int | None,
    numeric_cap: int,
) -> SplitCounts:
    """The counts of one partition of one split (``frame``: its rows, indexed by position in the split)."""
    counts = SplitCounts(rows=len(frame))
    rows, keys = _keys(frame, attributes, counts)
    if label is not None and label in frame.columns:
        counts.labelled_column = True
        codes, names = text_codes(frame[label])
        labels = [*names, None]
        codes = np.where(codes >= 0, codes, len(names))
    else:
        labels, codes = [None], np.zeros(len(frame), dtype=np.int64)
    pair, pairs = pd.factorize(rows * len(labels) + codes)
    tally = np.bincount(pair, minlength=len(pairs))
    counts.joint = Counter({(keys[p // len(labels)], labels[p % len(labels)]): int(n)
                            for p, n in zip(np.asarray(pairs, dtype=np.int64), tally)})
    present = [c for c in audited if c in frame.columns]
    nulls = frame[present].isna() if present else pd.DataFrame(index=frame.index)
    any_null = nulls.any(axis=1).to_numpy() if present else np.zeros(len(frame), bool)
    counts.missing["any"] = _tally(rows, keys, any_null.astype(float))
    for column in present:
        for k, n in _tally(rows, keys, nulls[column].to_numpy(dtype=float)).items():
            counts.nulls[(k, column)] = n
    for column in missing_columns:
        flag = frame[column].isna().to_numpy() if column in frame.columns else np.ones(len(frame), bool)
        counts.missing[column] = _tally(rows, keys, flag.astype(float))
    if flagged:
        counts.flagged = _tally(rows, keys, frame.index.isin(list(flagged)).astype(float))
    for column in candidates:
        if column in frame.columns:
            counts.proxies[column] = _proxy_counts(frame[column], rows, keys, cap, numeric_cap)
        counts.classes.setdefault(f"proxy:{column}", []).append(
            counts.proxies[column].kind if column in frame.columns else "absent")
    return counts


def _proxy_counts(values: pd.Series, rows: np.ndarray, keys: list[Keys], cap: int | None, numeric_cap: int) -> ProxyCounts:
    codes, distinct, kind = raw_keys(values)
    out = ProxyCounts(kind, count=int(values.notna().sum()))
    if kind == "string":
        out.length = int(values.dropna().str.len().sum())
    limit = numeric_cap if kind in ("int", "float") else cap
    if limit is not None and len(distinct) > limit:
        out.table = None
        if kind == "string":
            out.hashes = np.unique(pd.util.hash_array(np.array(distinct, dtype=object)))
    else:
        cells = [*distinct, None]
        pair, pairs = pd.factorize(rows * len(cells) + np.where(codes >= 0, codes, len(distinct)))
        tally = np.bincount(pair, minlength=len(pairs))
        out.table = Counter({(keys[p // len(cells)], cells[p % len(cells)]): int(n)
                             for p, n in zip(np.asarray(pairs, dtype=np.int64), tally)})
    if kind in ("int", "float"):
        v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(v)
        n = np.bincount(rows[finite], minlength=len(keys))
        s = np.bincount(rows[finite], weights=v[finite], minlength=len(keys))
        out.sums = Counter({k: (int(a), float(b)) for k, a, b in zip(keys, n, s) if a})
        if finite.any():
            f = v[finite]
            mean = float(f.mean())
            out.moments = (int(finite.sum()), mean, float(((f - mean) ** 2).sum()))
    return out


# --------------------------------------------------------------------------- measures on counts


def quantiles(values: np.ndarray, weights: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile`` (method ``linear``) of the multiset where ``values[i]`` occurs ``weights[i]``
    times, without building it."""
    order = np.argsort(values, kind="stable")
    values, cum = values[order], np.cumsum(weights[order])
    n = int(cum[-1])
    virtual = q * (n - 1)
    lo = np.floor(virtual)
    gamma = virtual - lo
    lo_i = lo.astype(np.int64)
    hi_i = np.minimum(lo_i + 1, n - 1)
    a = values[np.searchsorted(cum, lo_i, side="right")]
    b = values[np.searchsorted(cum, hi_i, side="right")]
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)  # numpy's _lerp


def cramers_v_table(table: np.ndarray, *, corrected: bool = True) -> float:
    """Cramér's V of a contingency table (Bergsma's bias correction when ``corrected``)."""
    import math

    table = table.astype(float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, k = table.shape
    n = table.sum()
    if r < 2 or k < 2 or n < 2:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    phi2 = chi2 / n
    if not corrected:
        return float(math.sqrt(min(1.0, phi2 / min(r - 1, k - 1))))
    phi2 = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    kc = k - (k - 1) ** 2 / (n - 1)
    denominator = min(rc - 1, kc - 1)
    return float(math.sqrt(min(1.0, phi2 / denominator))) if denominator > 0 else 0.0


def correlation_ratio_sums(counts: np.ndarray, sums: np.ndarray, moments: tuple[int, float, float],
                           *, corrected: bool = True) -> float:
    """Correlation ratio η from per-group finite rows and sums and the column's moments (ε² when
    ``corrected``, Kelley 1935), as computed on the rows themselves."""
    import math

    n, mean, total = moments
    if n < 3:
        return 0.0
    keep = counts > 0
    counts, sums = counts[keep].astype(float), sums[keep]
    n_groups = len(counts)
    if n_groups < 2 or total <= 0:
        return 0.0
    means = sums / counts
    between = float((counts * (means - mean) ** 2).sum())
    if not corrected:
        return float(math.sqrt(min(1.0, between / total)))
    if n <= n_groups:
        return 0.0
    within_ms = (total - between) / (n - n_groups)
    eps2 = (between - (n_groups - 1) * within_ms) / total
    return float(math.sqrt(min(1.0, max(0.0, eps2))))
