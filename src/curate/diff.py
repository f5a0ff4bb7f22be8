"""``curate diff OLD NEW``: what changed between two versions of a dataset.

The report has up to three results, rendered like any ``curate check`` report:

- ``schema``: NEW against a baseline profiled in memory from OLD, through the very comparison
  the ``schema`` check runs against ``curate.lock.json`` (fails on any finding);
- ``drift``: distribution drift per shared split and column, computed by the ``drift``
  family's :func:`column_drift` (fails when a column drifted);
- ``rows``: rows added, removed and changed per shared split, matched by key. A row diff is
  information, not a defect: it passes when nothing changed and otherwise *warns* (severity
  ``warning``), so ``curate diff --fail-on error`` gates only on schema and drift.

Row positions: a finding's ``row`` is a position in NEW, the version the report describes (its
annotations point into NEW's files), so added and changed rows carry theirs; a removed row has
no NEW position (``row`` is None, its ``key`` names it) and its message gives its OLD position.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.baseline import build_baseline, column_profile, suite_roles
from curate.schema_compare import (
    SchemaOptions,
    compare_schema,
    is_category_profile,
    renamed_columns,
    schema_result,
    type_family,
)
from curate.dataset import Dataset, Split, load_with_roles
from curate.drift_measures import column_drift, drift_findings
from curate.findings import CheckResult, Finding, Report, Status
from curate.suite import dataset_section

VALUE_PREVIEW = 40  # characters of an old/new value shown in a changed-row message


def diff_datasets(
    old: str | Path,
    new: str | Path,
    *,
    key: str | None = None,
    config: str | None = None,
    max_null_rate_increase: float = 0.05,
) -> Report:
    """Compare two versions of a dataset folder; see the module docstring for the results."""
    old_ds, new_ds = load_pair(Path(old), Path(new), key=key, config=config)
    baseline = build_baseline(old_ds)
    notes = _pair_notes(old_ds, new_ds)
    start = time.perf_counter()
    issues = compare_schema(
        baseline, new_ds, None,
        options=SchemaOptions(max_null_rate_increase=max_null_rate_increase),
        baseline_name="the old version",
    )
    schema = schema_result(issues, [f"the old version ({old_ds.root})"])
    schema.seconds = time.perf_counter() - start
    renames = renamed_columns(issues)
    results = [schema]
    results.append(drift_result(old_ds, new_ds, baseline, renames))
    results.append(rows_result(old_ds, new_ds, renames))
    info = {"path": str(new_ds.root), "old": old_ds.describe(), "new": new_ds.describe()}
    return Report(info, results, notes=notes, locate=new_ds.locate)


# --------------------------------------------------------------------------- loading


def load_pair(old: Path, new: Path, *, key: str | None, config: str | None) -> tuple[Dataset, Dataset]:
    """Load both versions so their rows are keyed by the same column where possible.

    The key is the explicit one, else the one declared in either version's curate.yaml, else
    the one the loader infers; when the two versions infer different keys, the first one present
    in both is used for both.
    """
    roles_new, roles_old = suite_roles(new), suite_roles(old)
    key = key or roles_new.get("key") or roles_old.get("key")
    config = config or roles_new.get("config") or roles_old.get("config")
    old_ds = load_with_roles(old, dataset_section(old), key=key, config=config)
    new_ds = load_with_roles(new, dataset_section(new), key=key, config=config)
    if key is None and old_ds.key_column != new_ds.key_column:
        shared = [c for c in (new_ds.key_column, old_ds.key_column) if c and _in_every_split(c, old_ds, new_ds)]
        if shared:
            return load_pair(old, new, key=shared[0], config=config)
    return old_ds, new_ds


def _in_every_split(column: str, *datasets: Dataset) -> bool:
    return all(column in split.frame.columns for ds in datasets for split in ds.splits.values())


def _pair_notes(old: Dataset, new: Dataset) -> list[str]:
    """The loaders' notes, each tagged with the version it is about."""
    notes = [f"old: {n}" for n in old.notes] + [f"new: {n}" for n in new.notes]
    if old.key_column != new.key_column:
        notes.append(
            f"the versions are keyed differently (old: {old.key_column or 'content hash'}, "
            f"new: {new.key_column or 'content hash'}): rows cannot be matched; pass --key"
        )
    return notes


def _shared_splits(old: Dataset, new: Dataset) -> list[str]:
    """Split names present in both versions, in NEW's order (the others are schema findings)."""
    return [str(s) for s in new.splits if str(s) in {str(o) for o in old.splits}]


def _column_pairs(old: Split, new: Split, renames: dict[str, str]) -> list[tuple[str, str]]:
    """(old name, new name) of the columns both versions hold, renamed ones included."""
    same = [(c, c) for c in old.frame.columns if c in new.frame.columns]
    moved = [(a, b) for a, b in renames.items() if a in old.frame.columns and b in new.frame.columns]
    return same + moved


# --------------------------------------------------------------------------- drift


def drift_result(
    old: Dataset, new: Dataset, baseline: dict[str, Any], renames: dict[str, dict[str, str]]
) -> CheckResult:
    """Distribution drift of every comparable shared column.

    The statistics belong to :mod:`curate.drift_measures` (one implementation for ``drift`` checks
    and for diffs); this only chooses the column pairs and words the findings.
    """
    start = time.perf_counter()
    results: list[tuple[str, str, Any]] = []
    for name in _shared_splits(old, new):
        old_split, new_split = old.splits[name], new.splits[name]
        profiles = baseline["splits"][name]["columns"]
        for a, b in _column_pairs(old_split, new_split, renames.get(name, {})):
            if _drift_comparable(profiles[a], column_profile(new_split.frame[b]), b, new):
                results.append((name, b, column_drift(old_split.frame[a], new_split.frame[b])))
    findings = drift_findings(results, reference="the old version")
    tested = sum(1 for _, _, r in results if r.compared)
    status = Status.FAIL if findings else Status.PASS
    message = (
        f"{len(findings)} of {tested} column(s) drifted: " + ", ".join(f"{f.column} ({f.split})" for f in findings)
        if findings
        else f"no distribution drift in {tested} column(s) compared"
    )
    metrics = {"columns_drifted": len(findings), "columns_tested": tested}
    return CheckResult("drift", "drift", status, message, metrics, findings, seconds=time.perf_counter() - start)


def _drift_comparable(old: dict[str, Any], new: dict[str, Any], column: str, dataset: Dataset) -> bool:
    """Same type family, and numeric / boolean / low-cardinality (not keys, free text or ids)."""
    if column == dataset.key_column:
        return False
    if type_family(old["type"], old["kind"]) != type_family(new["type"], new["kind"]):
        return False  # a type change is a schema finding; its distributions are not comparable
    if old["kind"] in ("numeric", "boolean"):
        return True
    return is_category_profile(old) and bool(new.get("categories"))


# --------------------------------------------------------------------------- rows


@dataclass
class RowDiff:
    """Rows of one split matched by key between OLD and NEW."""

    split: str
    added: np.ndarray  # positions in NEW
    removed: np.ndarray  # positions in OLD
    # (NEW pos, OLD pos, [(OLD column, NEW column) that changed]), in NEW's column order
    changed: list[tuple[int, int, list[tuple[str, str]]]] = field(default_factory=list)
    unchanged: int = 0
    column_changes: dict[str, int] = field(default_factory=dict)  # NEW column → rows where it changed


def diff_rows(old: Split, new: Split, renames: dict[str, str] | None = None) -> RowDiff:
    """Match rows by key; a kept row changed when any shared (or renamed) column's value differs.

    Values are compared as text with whole floats written as integers, so a column that went
    from int to str (41 → "41") changes only where the value did (41 → "N/A").
    """
    old_keys = pd.Index(old.keys.to_numpy(dtype=object))  # object: hashtable lookups, not per-value Arrow isin
    new_keys = pd.Index(new.keys.to_numpy(dtype=object))
    matched = old_keys.get_indexer(new_keys)  # keys are unique within a split (the loader suffixes repeats)
    kept = matched >= 0
    new_pos, old_pos = np.flatnonzero(kept), matched[kept]
    gone = np.ones(len(old_keys), dtype=bool)
    gone[old_pos] = False
    diff = RowDiff(str(new.name), np.flatnonzero(~kept), np.flatnonzero(gone))
    order = {c: i for i, c in enumerate(new.frame.columns)}
    pairs = sorted(_column_pairs(old, new, renames or {}), key=lambda p: order[p[1]])
    changed = np.zeros((len(new_pos), len(pairs)), dtype=bool)
    for j, (a, b) in enumerate(pairs):
        changed[:, j] = values_differ(old.frame[a], new.frame[b], old_pos, new_pos)
        diff.column_changes[b] = int(changed[:, j].sum())
    rows = np.flatnonzero(changed.any(axis=1))
    diff.changed = [
        (int(new_pos[i]), int(old_pos[i]), [pairs[j] for j in np.flatnonzero(changed[i])]) for i in rows
    ]
    diff.unchanged = len(new_pos) - len(diff.changed)
    return diff


def values_differ(old: pd.Series, new: pd.Series, old_pos: np.ndarray, new_pos: np.ndarray) -> np.ndarray:
    """Per matched row, whether the value differs (null = null); numbers compare as numbers.

    Columns of different types compare as canonical text (:func:`_canonical`).
    """
    numeric = [pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v) for v in (old, new)]
    if all(numeric):
        both_int = pd.api.types.is_integer_dtype(old) and pd.api.types.is_integer_dtype(new)
        kind = np.int64 if both_int else float
        a = old.to_numpy(dtype=kind, na_value=np.nan if kind is float else 0)[old_pos]
        b = new.to_numpy(dtype=kind, na_value=np.nan if kind is float else 0)[new_pos]
        same = (a == b) | (np.isnan(a) & np.isnan(b)) if kind is float else a == b
        return ~same
    return _canonical(old)[old_pos] != _canonical(new)[new_pos]


def _canonical(values: pd.Series) -> np.ndarray:
    """Each value as comparable text (None for nulls); see :func:`diff_rows`.

    Numeric, boolean and string columns are converted in bulk; mixed object columns value by value.
    """
    present = values.notna().to_numpy()
    if pd.api.types.is_bool_dtype(values):
        text = values.astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_integer_dtype(values):
        text = values.astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        whole = (np.abs(np.nan_to_num(numbers, nan=0.5)) < 2**53) & (np.mod(np.nan_to_num(numbers, nan=0.5), 1) == 0)
        as_int = np.where(whole, numbers, 0).astype(np.int64).astype(str)
        text = np.where(whole, as_int, numbers.astype(str)).astype(object)
    elif isinstance(values.dtype, pd.StringDtype):  # every non-null value is a str
        text = values.to_numpy(dtype=object)
    else:
        return np.array([_canonical_value(v) for v in values.astype(object)], dtype=object)
    text[~present] = None
    return text


def _canonical_value(value: Any) -> str | None:
    if isinstance(value, (list, tuple, dict, np.ndarray)):
        return str(list(value) if isinstance(value, np.ndarray) else value)
    if pd.isna(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else str(number)
    return str(value)


def rows_result(old: Dataset, new: Dataset, renames: dict[str, dict[str, str]]) -> CheckResult:
    """Per shared split: one finding per added, removed and changed row, and their counts."""
    start = time.perf_counter()
    diffs = [diff_rows(old.splits[s], new.splits[s], renames.get(s, {})) for s in _shared_splits(old, new)]
    findings = [f for d in diffs for f in _row_findings(d, old, new)]
    metrics = _row_metrics(diffs)
    hashed = new.key_column is None or old.key_column is None
    how = (
        "rows matched by content hash (no key column), so a changed row shows as one removed plus one added row"
        if hashed
        else f"rows matched by key '{new.key_column}'"
    )
    parts = [f"{d.split}: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed, "
             f"{d.unchanged} unchanged" for d in diffs]
    status = Status.WARN if findings else Status.PASS
    message = f"{how}; " + ("; ".join(parts) if parts else "no split in both versions")
    if len(diffs) < max(len(old.splits), len(new.splits)):
        message += " (splits in only one version are reported by schema)"
    return CheckResult("rows", "rows", status, message, metrics, findings, severity="warning",
                       seconds=time.perf_counter() - start)


def _row_metrics(diffs: list[RowDiff]) -> dict[str, int]:
    """Totals first, then per split, then per split and changed column."""
    kinds = {
        "added": lambda d: len(d.added),
        "removed": lambda d: len(d.removed),
        "changed": lambda d: len(d.changed),
        "unchanged": lambda d: d.unchanged,
    }
    metrics = {kind: sum(count(d) for d in diffs) for kind, count in kinds.items()}
    for d in diffs:
        metrics.update({f"{d.split}.{kind}": count(d) for kind, count in kinds.items()})
    for d in diffs:
        metrics.update({f"{d.split}.changed.{c}": n for c, n in d.column_changes.items() if n})
    return metrics


def _row_findings(diff: RowDiff, old: Dataset, new: Dataset) -> list[Finding]:
    """Removed rows (no NEW row; OLD position in the message), added rows and changed rows (NEW positions)."""
    old_split, new_split = old.splits[diff.split], new.splits[diff.split]
    old_keys, new_keys = old_split.keys.to_numpy(dtype=object), new_split.keys.to_numpy(dtype=object)
    out = [
        Finding(
            f"row removed: key '{old_keys[i]}' (row {i} of split '{diff.split}' in the OLD version) "
            "is not in the new version",
            split=diff.split, row=None, key=str(old_keys[i]), score=0.3,
        )
        for i in diff.removed
    ]
    out += [
        Finding(
            f"row added: key '{new_keys[i]}' (row {i} of split '{diff.split}' in the NEW version) "
            "is not in the old version",
            split=diff.split, row=int(i), key=str(new_keys[i]), score=0.2,
        )
        for i in diff.added
    ]
    if diff.changed:
        columns = {c for _, _, pairs in diff.changed for pair in pairs for c in pair}
        old_values = {c: old_split.frame[c].to_numpy(dtype=object) for c in columns if c in old_split.frame}
        new_values = {c: new_split.frame[c].to_numpy(dtype=object) for c in columns if c in new_split.frame}
        width = max(len(new_split.frame.columns), 1)
        out += [
            _changed_finding(diff.split, n, o, pairs, str(new_keys[n]), old_values, new_values, width)
            for n, o, pairs in diff.changed
        ]
    return out


def _changed_finding(
    split: str,
    new_row: int,
    old_row: int,
    pairs: list[tuple[str, str]],
    key: str,
    old_values: dict[str, np.ndarray],
    new_values: dict[str, np.ndarray],
    width: int,
) -> Finding:
    """One changed row: every changed column, with its old and new value."""
    columns = [b for _, b in pairs]
    values = "; ".join(f"{b}: {_show(old_values[a][old_row])} → {_show(new_values[b][new_row])}" for a, b in pairs)
    return Finding(
        f"row changed: key '{key}' (row {new_row} in the NEW version, row {old_row} in the old) "
        f"changed in {len(columns)} column(s): {', '.join(columns)} — {values}",
        split=split, row=new_row, key=key, column=columns[0], score=0.1 * len(columns) / width,
    )


def _show(value: Any) -> str:
    """A value as it would be written in Python, shortened; nulls as ``null``."""
    text = "null" if _canonical_value(value) is None else repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= VALUE_PREVIEW else text[: VALUE_PREVIEW - 1] + "…"
