"""Schema comparison: a dataset against a recorded baseline and against its owner's declared
features, shared by the ``schema`` family and ``curate diff``.

The comparison lives in :func:`compare_schema`, a plain function of (baseline document, dataset,
declared features), so ``curate check`` (baseline = ``curate.lock.json``) and ``curate diff``
(baseline = the old version, profiled in memory) report the same things in the same words.

Each finding's message starts with its kind (``"type changed: ..."``) and the check's metrics
count findings per kind, so CI logs can be grepped and scripts can gate on one kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches
from typing import Any, Iterable

import numpy as np
import pandas as pd

from curate.baseline import column_profile
from curate.dataset import Dataset, Split
from curate.findings import CheckResult, Finding, Status
from curate.layout import Feature, file_format

# kind id → (message prefix, metric name); the order is the order of the metrics
KINDS: dict[str, tuple[str, str]] = {
    "split_removed": ("split removed", "splits_removed"),
    "split_added": ("split added", "splits_added"),
    "column_removed": ("column removed", "columns_removed"),
    "column_added": ("column added", "columns_added"),
    "column_renamed": ("column renamed", "columns_renamed"),
    "type_changed": ("type changed", "type_changes"),
    "new_category": ("new category", "new_categories"),
    "null_rate_jump": ("null rate jump", "null_rate_jumps"),
    "declared_missing": ("declared column missing", "declared_columns_missing"),
    "undeclared_column": ("undeclared column", "undeclared_columns"),
    "declared_type_mismatch": ("declared type mismatch", "declared_type_mismatches"),
    "label_outside_names": ("label outside ClassLabel names", "labels_outside_names"),
}
# how bad each kind is, for ordering the worst findings first
_SCORES = {
    "split_removed": 1.0, "column_removed": 0.95, "type_changed": 0.9, "declared_missing": 0.9,
    "declared_type_mismatch": 0.85, "label_outside_names": 0.8, "column_renamed": 0.75, "split_added": 0.6,
    "new_category": 0.5, "null_rate_jump": 0.5, "column_added": 0.4, "undeclared_column": 0.3,
}
MAX_VALUE_FINDINGS = 20  # per column and split: new categories / bad labels reported one by one
RENAME_MEAN_TOLERANCE = 0.1  # |mean difference| within this many standard deviations
RENAME_STD_TOLERANCE = 0.2  # relative difference of standard deviations
RENAME_SHARE_TOLERANCE = 0.1  # total variation distance between category shares
NO_SOURCES_MESSAGE = "no baseline (run `curate lock`) and no declared features: nothing to compare"

# declared dtypes (HF features, Kaggle/Frictionless field types) → the kind of values they allow
_DECLARED: list[tuple[str, str]] = [
    (r"(large_)?string|str|utf8", "string"),
    (r"u?int\d*|integer|year", "integer"),
    (r"float\d*|double|half|number|decimal.*", "number"),
    (r"bool|boolean", "boolean"),
    (r"timestamp.*|date(32|64)?|datetime|time(32|64)?.*|time", "datetime"),
]
_BOOLEAN_WORDS = {"true", "false", "t", "f", "yes", "no", "y", "n", "0", "1"}


@dataclass(frozen=True)
class SchemaOptions:
    """Tunables shared by the check's parameters and ``curate diff``."""

    max_null_rate_increase: float = 0.05
    new_categories: bool = True
    ignore_columns: frozenset[str] = frozenset()


@dataclass
class SchemaIssue:
    """One finding with its kind (a key of :data:`KINDS`) and machine-readable details."""

    kind: str
    finding: Finding
    detail: dict[str, Any] = field(default_factory=dict)


# =========================================================================== the comparison


def compare_schema(
    baseline: dict[str, Any] | None,
    dataset: Dataset,
    features: dict[str, Feature] | None,
    *,
    options: SchemaOptions | None = None,
    baseline_name: str = "the baseline",
    features_source: str = "the declared features",
) -> list[SchemaIssue]:
    """Everything that differs between ``dataset`` and a baseline and/or declared features."""
    views = {str(name): SplitView(split) for name, split in dataset.splits.items()}
    return compare_views(baseline, dataset, views, features, options=options, baseline_name=baseline_name,
                         features_source=features_source)


def compare_views(
    baseline: dict[str, Any] | None,
    dataset: Dataset,
    views: dict[str, "SplitView"],
    features: dict[str, Feature] | None,
    *,
    options: SchemaOptions | None = None,
    baseline_name: str = "the baseline",
    features_source: str = "the declared features",
) -> list[SchemaIssue]:
    """:func:`compare_schema` asking ``views`` (one per split) about the rows instead of frames."""
    options = options or SchemaOptions()
    issues: list[SchemaIssue] = []
    if baseline:
        issues += _compare_baseline(baseline, dataset, views, options, baseline_name)
    if features:
        issues += _compare_features(features, dataset, views, options, features_source)
    return issues


class SplitView:
    """What the comparison asks of one split's rows, answered here from its frame. A partitioned
    check answers the same questions from its partitions' states (:mod:`curate.schema_state`)."""

    def __init__(self, split: Split) -> None:
        self.split = split
        self.name = str(split.name)

    @property
    def rows(self) -> int:
        return len(self.split)

    @property
    def columns(self) -> list[str]:
        return self.split.columns

    def key(self, row: int) -> str:
        return str(self.split.keys.iat[row])

    def values(self, column: str) -> pd.Series:
        return self.split.frame[column]

    def profile(self, column: str, *, full: bool = False) -> dict[str, Any]:
        """The column's profile: type, kind and nulls; ``full``: everything renames are matched by."""
        return column_profile(self.values(column))

    def kind(self, column: str, profile: dict[str, Any]) -> str:
        """The column's kind as a type change words it (``profile``: its profile)."""
        return profile["kind"]

    def has_fractions(self, column: str) -> bool:
        """Whether a float column holds a value that is not whole (else integer → float is no change)."""
        finite = self.values(column).dropna().to_numpy(dtype=float)
        return bool(len(finite)) and not bool(np.all(np.mod(finite[np.isfinite(finite)], 1) == 0))

    def unparsable_note(self, old: dict[str, Any], column: str) -> str:
        """For a numeric column now holding strings: how many values are not numbers, e.g. 'N/A'."""
        values = self.values(column)
        if old.get("kind") != "numeric" or pd.api.types.is_numeric_dtype(values):
            return ""
        non_null = values.dropna()
        bad = non_null[pd.to_numeric(non_null.astype(str), errors="coerce").isna()]
        if not len(bad):
            return "; every value still parses as a number"
        examples = ", ".join(repr(str(v)) for v in bad.astype(str).value_counts().index[:3])
        return f"; {len(bad)} value(s) are not numbers, e.g. {examples}"

    def new_values(self, column: str, recorded: Iterable[str]) -> list[tuple[str, int, int]]:
        """(value, rows, first row) of the values whose text is not among ``recorded``, most rows first."""
        values = self.values(column)
        as_text = values.astype(str)
        return value_groups(as_text, values.notna().to_numpy() & ~as_text.isin(list(recorded)).to_numpy())

    def declared_mismatch(self, column: str, want: str, untyped: bool) -> tuple[int, list[str], str]:
        """(rows a reader of the declared kind could not read, up to 3 of them as text, the dtype)."""
        values = self.values(column)
        bad = incompatible(values, want, untyped=untyped)
        examples = [str(v) for v in pd.unique(values[bad].astype(str))[:3]] if bad.any() else []
        return int(bad.sum()), examples, str(values.dtype)

    def outside_names(self, column: str, names: list[str]) -> list[tuple[str, int, int]]:
        """(label, rows, first row) of the labels outside a ClassLabel's ``names``, most rows first."""
        return label_groups(self.values(column), names)


def renamed_columns(issues: Iterable[SchemaIssue]) -> dict[str, dict[str, str]]:
    """split → {old name: new name} for the renames among ``issues`` (diff aligns rows with it)."""
    out: dict[str, dict[str, str]] = {}
    for issue in issues:
        if issue.kind == "column_renamed":
            out.setdefault(issue.finding.split or "", {})[issue.detail["old"]] = issue.detail["new"]
    return out


def schema_metrics(issues: list[SchemaIssue]) -> dict[str, int]:
    """The total, then finding counts per kind: kinds found first (renderers show the first few)."""
    counts = {metric: 0 for _, metric in KINDS.values()}
    for issue in issues:
        counts[KINDS[issue.kind][1]] += 1
    found = {k: n for k, n in counts.items() if n}
    return {"findings": len(issues), **found, **{k: n for k, n in counts.items() if not n}}


def schema_result(
    issues: list[SchemaIssue],
    compared: list[str],
    *,
    name: str = "schema",
    severity: str = "error",
) -> CheckResult:
    """The check result for a comparison against ``compared`` (names of baselines/feature sources)."""
    metrics = schema_metrics(issues)
    if not compared:
        message, status = NO_SOURCES_MESSAGE, Status.SKIP
    elif not issues:
        message, status = f"no schema changes against {' and '.join(compared)}", Status.PASS
    else:
        counts = ", ".join(f"{KINDS[k][0]} ×{n}" for k, n in _kind_counts(issues).items())
        message = f"{len(issues)} schema finding(s) against {' and '.join(compared)}: {counts}"
        status = Status.FAIL if severity == "error" else Status.WARN
    findings = [issue.finding for issue in issues]
    return CheckResult("schema", name, status, message, dict(metrics), findings, severity=severity)


def _kind_counts(issues: list[SchemaIssue]) -> dict[str, int]:
    counts = {kind: 0 for kind in KINDS}
    for issue in issues:
        counts[issue.kind] += 1
    return {kind: n for kind, n in counts.items() if n}


def _issue(kind: str, text: str, split: str | None, column: str | None = None, **detail: Any) -> SchemaIssue:
    """A column- or split-level issue (no row); ``text`` follows the kind prefix."""
    score = detail.pop("score", _SCORES[kind])
    finding = Finding(f"{KINDS[kind][0]}: {text}", split=split, column=column, score=score)
    return SchemaIssue(kind, finding, detail)


# --------------------------------------------------------------------------- against a baseline


def _compare_baseline(
    baseline: dict[str, Any], dataset: Dataset, views: dict[str, SplitView], options: SchemaOptions, name: str
) -> list[SchemaIssue]:
    """Splits added/removed, then each shared split column by column."""
    recorded: dict[str, Any] = baseline.get("splits") or {}
    issues = [
        _issue("split_removed", f"split '{s}' ({recorded[s].get('rows', '?')} rows) is in {name}, not in the data", s)
        for s in recorded
        if s not in dataset.splits
    ]
    issues += [
        _issue("split_added", f"split '{s}' ({len(dataset.splits[s])} rows) is not in {name}", s)
        for s in map(str, dataset.splits)
        if s not in recorded
    ]
    for split_name in dataset.splits:
        if str(split_name) in recorded:
            columns = recorded[str(split_name)].get("columns") or {}
            issues += _compare_split(columns, views[str(split_name)], options, name, dataset.key_column)
    return issues


def _compare_split(
    recorded: dict[str, dict[str, Any]], split: SplitView, options: SchemaOptions, name: str, key: str | None
) -> list[SchemaIssue]:
    """Columns removed, renamed and added in one split, then per-column changes."""
    where = split.name
    old = {c: p for c, p in recorded.items() if c not in options.ignore_columns}
    current = [c for c in split.columns if c not in options.ignore_columns]
    removed = [c for c in old if c not in current]
    added = [c for c in current if c not in old]
    profiles = {c: split.profile(c, full=bool(removed) and c in added) for c in current}
    renames = _pair_renames(removed, added, old, profiles)
    issues = [
        _issue(
            "column_renamed",
            f"'{a}' → '{b}' in split '{where}' (same {old[a]['kind']} profile; "
            f"{name} has '{a}', the data has '{b}')",
            where, b, old=a, new=b,
        )
        for a, b in renames.items()
    ]
    issues += [
        _issue("column_removed", f"'{c}' ({old[c].get('type')}) is in {name} but not in split '{where}'", where, c)
        for c in removed
        if c not in renames
    ]
    issues += [
        _issue("column_added", f"'{c}' ({profiles[c]['type']}) in split '{where}' is not in {name}", where, c)
        for c in added
        if c not in renames.values()
    ]
    pairs = [(c, c) for c in old if c in profiles] + list(renames.items())
    for old_name, new_name in pairs:
        issues += _compare_column(old[old_name], profiles[new_name], split, old_name, new_name, options, name, key)
    return issues


def _compare_column(
    old: dict[str, Any],
    new: dict[str, Any],
    split: SplitView,
    old_name: str,
    column: str,
    options: SchemaOptions,
    name: str,
    key: str | None,
) -> list[SchemaIssue]:
    """Type change, null-rate jump and new categories of one column against its recorded profile.

    New values of the key column are new rows, not new categories (``curate diff`` counts them).
    """
    where = split.name
    label = f"'{column}'" + (f" (was '{old_name}')" if old_name != column else "") + f" in split '{where}'"
    issues: list[SchemaIssue] = []
    if _type_changed(old, new, split, column):
        issues.append(
            _issue(
                "type_changed",
                f"{label}: {old.get('type')} → {new['type']} (was {old.get('kind')}, now {split.kind(column, new)})"
                f"{split.unparsable_note(old, column)}",
                where, column, old=old.get("type"), new=new["type"],
            )
        )
    increase = new["null_rate"] - float(old.get("null_rate") or 0.0)
    if increase > options.max_null_rate_increase + 1e-12:
        issues.append(
            _issue(
                "null_rate_jump",
                f"{label}: {float(old.get('null_rate') or 0):.1%} → {new['null_rate']:.1%} "
                f"({new['nulls']} of {split.rows} rows null; allowed increase {options.max_null_rate_increase:.1%})",
                where, column, score=0.5 + increase / 2,
            )
        )
    same_family = type_family(old.get("type", ""), old.get("kind", "")) == type_family(new["type"], new["kind"])
    if options.new_categories and same_family and is_category_profile(old) and column != key:
        issues += _new_categories(old["categories"], split, column, label, name)
    return issues


def is_category_profile(profile: dict[str, Any]) -> bool:
    """A low-cardinality column whose values repeat: new values there are news, not new rows.

    The profile keeps counts for up to 50 distinct values, so in a small split an id or name
    column has them too; requiring values to repeat (at most half distinct) leaves those out.
    """
    if profile.get("kind") not in ("categorical", "boolean") or not profile.get("categories"):
        return False
    return int(profile.get("unique") or 0) <= max(2, int(profile.get("count") or 0) // 2)


# --------------------------------------------------------------------------- types


def type_family(dtype: str, kind: str) -> str:
    """A dtype reduced to what readers care about: integer, float, boolean, datetime, string, other.

    ``object``/``str``/``string`` are one family so a lock written by pandas 2 matches pandas 3.
    """
    if kind == "boolean":
        return "boolean"
    if kind == "numeric":
        return "integer" if re.match(r"u?int", dtype.lower()) else "float"
    if kind == "datetime":
        return "datetime"
    if kind in ("categorical", "text"):
        return "string"
    return "other"


def _type_changed(old: dict[str, Any], new: dict[str, Any], split: SplitView, column: str) -> bool:
    """True when the column's type family changed.

    integer → float is not a change while every value is still whole (nulls force pandas to
    float); float → integer never is (every reader of floats reads integers).
    """
    before = type_family(str(old.get("type", "")), str(old.get("kind", "")))
    after = type_family(new["type"], new["kind"])
    if before == after or (before, after) == ("float", "integer"):
        return False
    if (before, after) == ("integer", "float"):
        return split.has_fractions(column)
    return True


# --------------------------------------------------------------------------- categories


def _new_categories(
    recorded: dict[str, int], split: SplitView, column: str, label: str, name: str
) -> list[SchemaIssue]:
    """One finding per value not in the recorded categories, at the first row holding it."""
    groups = split.new_values(column, recorded)
    issues = []
    for value, count, first in groups[:MAX_VALUE_FINDINGS]:
        share = count / split.rows
        finding = Finding(
            f"{KINDS['new_category'][0]}: '{value}' in {label}: {count} row(s) ({share:.1%}), first at row {first}; "
            f"{name} has {len(recorded)} categories ({_preview(recorded)})",
            split=split.name, row=first, key=split.key(first), column=column, score=0.5 + share / 2,
        )
        issues.append(SchemaIssue("new_category", finding, {"value": value, "count": count}))
    issues += _more_values("new_category", groups, split.name, column, label)
    return issues


def value_groups(values: pd.Series, mask: np.ndarray) -> list[tuple[str, int, int]]:
    """(value, count, first position) of the masked values, most frequent first."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    frame = pd.DataFrame({"value": values.to_numpy()[positions], "pos": positions})
    stats = frame.groupby("value", sort=False)["pos"].agg(["size", "min"])
    stats = stats.sort_values(["size", "min"], ascending=[False, True])
    return [(str(v), int(n), int(first)) for v, n, first in zip(stats.index, stats["size"], stats["min"])]


def _more_values(
    kind: str, groups: list[tuple[str, int, int]], split: str, column: str, label: str
) -> list[SchemaIssue]:
    """A single summary finding for the values beyond :data:`MAX_VALUE_FINDINGS`."""
    rest = groups[MAX_VALUE_FINDINGS:]
    if not rest:
        return []
    rows = sum(n for _, n, _ in rest)
    return [_issue(kind, f"{len(rest)} more value(s) in {label} ({rows} rows), e.g. '{rest[0][0]}'", split, column)]


def _preview(categories: Iterable[str], limit: int = 8) -> str:
    items = list(categories)
    text = ", ".join(items[:limit])
    return text + (f", … {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------- renames


def _pair_renames(
    removed: list[str], added: list[str], old: dict[str, dict[str, Any]], profiles: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Pair removed with added columns whose profiles match (best name similarity wins ties)."""
    candidates = [
        (_similarity(a, b), a, b)
        for a in removed
        for b in added
        if profiles_match(old[a], profiles[b])
    ]
    pairs: dict[str, str] = {}
    for _, a, b in sorted(candidates, key=lambda c: -c[0]):
        if a not in pairs and b not in pairs.values():
            pairs[a] = b
    return {a: pairs[a] for a in removed if a in pairs}


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def profiles_match(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Do two column profiles look like the same data under two names?

    Same kind and: equal category sets with similar shares, or numeric summaries within
    tolerance, or (free text) similar lengths and null rates, or equal count/unique/nulls.
    """
    if old.get("kind") != new.get("kind"):
        return False
    if old.get("categories") and new.get("categories"):
        return _categories_match(old["categories"], new["categories"])
    if old.get("numeric") and new.get("numeric"):
        return _numeric_match(old["numeric"], new["numeric"])
    if old.get("text") and new.get("text"):
        lengths = (old["text"]["mean_length"], new["text"]["mean_length"])
        close = abs(lengths[0] - lengths[1]) <= 0.05 * max(lengths)
        return close and abs(old.get("null_rate", 0) - new["null_rate"]) <= 0.05
    return all(old.get(k) == new.get(k) for k in ("count", "unique", "nulls"))


def _categories_match(old: dict[str, int], new: dict[str, int]) -> bool:
    if set(old) != set(new):
        return False
    total_old, total_new = sum(old.values()) or 1, sum(new.values()) or 1
    distance = 0.5 * sum(abs(old[k] / total_old - new[k] / total_new) for k in old)
    return distance <= RENAME_SHARE_TOLERANCE


def _numeric_match(old: dict[str, Any], new: dict[str, Any]) -> bool:
    if old.get("mean") is None or new.get("mean") is None:
        return old.get("mean") is None and new.get("mean") is None
    spread = max(old["std"], new["std"])
    if spread == 0:
        return old["mean"] == new["mean"]
    return (
        abs(old["mean"] - new["mean"]) <= RENAME_MEAN_TOLERANCE * spread
        and abs(old["std"] - new["std"]) <= RENAME_STD_TOLERANCE * spread
    )


# --------------------------------------------------------------------------- against declared features


def declared_columns(
    features: dict[str, Feature], split: Split, dataset: Dataset, options: SchemaOptions
) -> dict[str, Feature] | None:
    """The features declared for one split (None: a Kaggle table whose resource declares no schema)."""
    names = _declared_for(split, dataset)
    if names is not None and not names:
        return None
    return {n: f for n, f in features.items() if n not in options.ignore_columns and (names is None or n in names)}


def _compare_features(
    features: dict[str, Feature], dataset: Dataset, views: dict[str, SplitView], options: SchemaOptions, source: str
) -> list[SchemaIssue]:
    """Declared columns missing, undeclared columns, incompatible dtypes, labels outside names."""
    issues: list[SchemaIssue] = []
    for split in dataset.splits.values():
        where = str(split.name)
        declared = declared_columns(features, split, dataset, options)
        if declared is None:
            continue
        columns = [c for c in split.columns if c not in options.ignore_columns]
        issues += [
            _issue("declared_missing", f"'{n}' ({f.dtype}) is declared in {source}, not in split '{where}'", where, n)
            for n, f in declared.items()
            if n not in columns
        ]
        issues += [
            _issue("undeclared_column", f"'{c}' in split '{where}' is not declared in {source}", where, c)
            for c in columns
            if c not in declared
        ]
        for column in (c for c in columns if c in declared):
            issues += _check_declared(declared[column], views[where], source)
    return issues


def _declared_for(split: Split, dataset: Dataset) -> set[str] | None:
    """Names a Kaggle split's own resources declare (each table has its own schema); None elsewhere."""
    meta = dataset.layout.kaggle
    if dataset.layout.kind != "kaggle" or not isinstance(meta, dict):
        return None
    files = {f.path.resolve() for f in split.files}
    names: set[str] = set()
    for resource in meta.get("resources") or []:
        if isinstance(resource, dict) and (dataset.root / str(resource.get("path", ""))).resolve() in files:
            fields = (resource.get("schema") or {}).get("fields") or []
            names |= {f["name"] for f in fields if isinstance(f, dict) and "name" in f}
    return names


def _check_declared(feature: Feature, split: SplitView, source: str) -> list[SchemaIssue]:
    """One column against its declared dtype (or ClassLabel names)."""
    if feature.dtype == "class_label":
        return _check_class_label(feature, split, source)
    want = declared_kind(feature.dtype)
    if want is None:  # nested / list / image / any: not checked
        return []
    bad, offenders, dtype = split.declared_mismatch(feature.name, want, untyped(split.split))
    if not bad:
        return []
    examples = ", ".join(repr(v) for v in offenders)
    text = (
        f"'{feature.name}' in split '{split.name}' is declared {feature.dtype} in {source} but holds "
        f"{dtype} values: {bad} of {split.rows} row(s) are not {want}, e.g. {examples}"
    )
    return [_issue("declared_type_mismatch", text, split.name, feature.name, declared=feature.dtype)]


def declared_kind(dtype: str) -> str | None:
    """string | integer | number | boolean | datetime for a declared dtype; None when not checked."""
    for pattern, kind in _DECLARED:
        if re.fullmatch(pattern, dtype.strip().lower()):
            return kind
    return None


def untyped(split: Split) -> bool:
    """CSV/TSV carry no types: any value there can be read as a declared string."""
    return all(file_format(f.path) in ("csv", "tsv") for f in split.files)


def incompatible(values: pd.Series, want: str, *, untyped: bool) -> np.ndarray:
    """Mask of non-null values that a reader of the declared kind could not read."""
    present = values.notna().to_numpy()
    if want == "string":
        if untyped or pd.api.types.is_string_dtype(values):
            return np.zeros(len(values), bool)
        return present & ~values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(values):
        return present & (want not in ("boolean",))
    if want == "boolean":
        words = values.astype(str).str.strip().str.lower()
        return present & ~words.isin(_BOOLEAN_WORDS).to_numpy()
    if want == "datetime":
        if pd.api.types.is_datetime64_any_dtype(values):
            return np.zeros(len(values), bool)
        parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
        return present & (parsed.isna().to_numpy() | pd.api.types.is_numeric_dtype(values))
    numbers = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_numeric_dtype(values) else values
    numbers = numbers.to_numpy(dtype=float, na_value=np.nan)
    bad = present & np.isnan(numbers)
    if want == "integer":
        with np.errstate(invalid="ignore"):
            bad |= present & np.isfinite(numbers) & (np.mod(numbers, 1) != 0)
    return bad


def label_groups(values: pd.Series, names: list[str]) -> list[tuple[str, int, int]]:
    """(label, rows, first row) of the values outside a ClassLabel's names: labels may be stored
    as names or as integer ids; ``-1`` is the Hugging Face convention for "no label" (allowed)."""
    known = set(names)

    def allowed(value: Any) -> bool:
        if isinstance(value, str):
            return value in known
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return float(value).is_integer() and -1 <= value < len(names)
        return False

    as_text = values.map(lambda v: str(int(v)) if isinstance(v, (float, np.floating)) and v.is_integer() else str(v))
    return value_groups(as_text, values.notna().to_numpy() & ~values.map(allowed).to_numpy(dtype=bool))


def _check_class_label(feature: Feature, split: SplitView, source: str) -> list[SchemaIssue]:
    """Values outside a ClassLabel's names, one finding per value (up to a bound)."""
    names = list(feature.names or ())
    label = f"'{feature.name}' in split '{split.name}'"
    groups = split.outside_names(feature.name, names)
    issues = []
    for value, count, first in groups[:MAX_VALUE_FINDINGS]:
        closest = _closest_name(value, names)
        finding = Finding(
            f"{KINDS['label_outside_names'][0]}: '{value}' in {label}: {count} row(s), first at row {first}; "
            f"{source} declares names {_preview(names)} (ids 0-{len(names) - 1})"
            + (f"; did you mean '{closest}'?" if closest else ""),
            split=split.name, row=first, key=split.key(first), column=feature.name,
            score=_SCORES["label_outside_names"], suggestion={feature.name: closest} if closest else None,
        )
        issues.append(SchemaIssue("label_outside_names", finding, {"value": value, "count": count}))
    return issues + _more_values("label_outside_names", groups, split.name, feature.name, label)


def _closest_name(value: str, names: list[str]) -> str | None:
    """The declared name a misspelt or miscased label most likely meant, if any is close."""
    folded = {n.casefold(): n for n in names}
    if value.casefold() in folded:
        return folded[value.casefold()]
    close = get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None
