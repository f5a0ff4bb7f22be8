"""Column roles (key, label, text, sensitive): declared in the suite, else inferred and reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from curate.dataset import Dataset
from curate.errors import did_you_mean
from curate.labels import LabelKind, label_kind
from curate.suite import Suite

# a column name that reads as an identifier (ids, keys, URLs, hashes): such a column tells rows apart, it
# describes nothing (column_quality, outliers)
ID_NAME = re.compile(r"(?i:(^|[_\-\s])(id|uuid|guid|key|url|uri|link|hash)s?$|^(id|uuid|guid|url)[_\-\s])|[a-z](Id|ID|Url|URL)s?$")

LABEL_NAMES = ("label", "labels", "target", "class", "y", "outcome", "sentiment")
TEXT_MIN_DISTINCT = 20  # an inferred free-text column has more distinct values than this …
TEXT_DISTINCT_SHARE = 0.2  # … and than this share of the rows
NOT_CLASSES = ("continuous", "identifier", "text")  # label kinds a column named like a label is not inferred from
TEXT_NAMES = ("text", "sentence", "content", "review", "comment", "body", "document", "question", "prompt")
# name tokens that mark a column as a demographic attribute worth auditing
SENSITIVE_TOKENS = {
    "sex", "gender", "race", "ethnicity", "ethnic", "age", "religion", "religious", "nationality",
    "national", "disability", "disabled", "orientation", "pregnancy", "marital", "caste", "citizenship",
}


@dataclass
class ResolvedRoles:
    """The roles checks use, and which of them were inferred rather than declared."""

    key: str | None = None
    label: str | None = None
    text: str | None = None
    sensitive: list[str] = field(default_factory=list)
    inferred: dict[str, str] = field(default_factory=dict)  # role → why it was inferred
    declined: dict[str, str] = field(default_factory=dict)  # role → why a column named for it was not taken
    text_by_length: bool = False  # the text was inferred as the longest string column, not by its name

    def notes(self) -> list[str]:
        return ([f"{role} inferred: {why}" for role, why in self.inferred.items()]
                + [f"{role} not inferred: {why}" for role, why in self.declined.items()])


def resolve_roles(dataset: Dataset, suite: Suite, *, within: Dataset | None = None) -> ResolvedRoles:
    """Check declared roles exist; infer the rest from names, card features and values.

    ``dataset`` may be one table of ``within`` (a multi-table folder): declared columns must
    exist somewhere in ``within``; a table without them does not have that role, and nothing
    is inferred for it from another table.
    """
    declared = suite.roles
    everywhere = (within or dataset).columns
    for role in ("label", "text"):
        _require(getattr(declared, role), role, everywhere, suite)
    for i, name in enumerate(declared.sensitive or []):
        _require(name, "sensitive", everywhere, suite, index=i)
    columns = dataset.columns
    roles = ResolvedRoles(key=dataset.key_column)
    for role, infer in (("label", _infer_label), ("text", _infer_text)):
        name = getattr(declared, role)
        setattr(roles, role, (name if name in columns else None) if name else infer(dataset, roles))
    if declared.sensitive is not None:
        roles.sensitive = [c for c in declared.sensitive if c in columns]
    else:
        roles.sensitive = [c for c in columns if _is_sensitive_name(c) and c not in (roles.label, roles.key)]
        if roles.sensitive:
            roles.inferred["sensitive"] = f"{', '.join(roles.sensitive)} (by column name)"
    if dataset.key_source == "inferred":
        roles.inferred["key"] = f"{dataset.key_column} (unique identifier column)"
    return roles


def _require(name: str | None, role: str, columns: list[str], suite: Suite, index: int | None = None) -> None:
    if name is None or name in columns:
        return
    path = ("dataset", role) + ((index,) if index is not None else ())
    raise suite.source.error(path, f"{role} column '{name}' not found{did_you_mean(name, columns)}; columns: {', '.join(columns)}")


def _infer_label(dataset: Dataset, roles: ResolvedRoles) -> str | None:
    class_labels = [f.name for f in dataset.layout.features.values() if f.dtype == "class_label" and f.name in dataset.columns]
    if len(class_labels) == 1:
        roles.inferred["label"] = f"{class_labels[0]} (ClassLabel in the dataset card)"
        return class_labels[0]
    for column in dataset.columns:
        if column.lower() in LABEL_NAMES:
            kind = _sampled_label_kind(dataset, column)
            if kind.kind in NOT_CLASSES:  # diamonds' `y` is a width in millimetres
                roles.declined["label"] = (f"'{column}' is named like a label but holds {kind.kind} values "
                                           f"({kind.reason}); declare dataset.label if it is one")
                continue
            roles.inferred["label"] = f"{column} (by column name)"
            return column
    return None


def _sampled_label_kind(dataset: Dataset, column: str) -> LabelKind:
    """The label kind of ``column``'s values in the first split's first partition (a bounded read)."""
    split = next(s for s in dataset.splits.values() if column in s.columns)
    first = next(iter(split.partitions([column])), None)
    return label_kind(first[column] if first is not None else pd.Series(dtype=object), column)


def _infer_text(dataset: Dataset, roles: ResolvedRoles) -> str | None:
    split = next(iter(dataset.splits.values()))
    for column in dataset.columns:
        if column.lower() in TEXT_NAMES and column in split.columns:
            roles.inferred["text"] = f"{column} (by column name)"
            return column
    strings = [c for c, dtype in split.dtypes.items() if c not in (roles.key, roles.label) and _is_string(dtype)]
    lengths = split.text_lengths(strings)  # one pass over a streamed split
    # free text: strings averaging over 30 characters, and not a few answers repeated (a survey's choices)
    long = sorted((c for c, n in lengths.items() if n and n > 30.0), key=lambda c: -lengths[c])
    limit = max(TEXT_MIN_DISTINCT, TEXT_DISTINCT_SHARE * len(split))
    varied = split.many_distinct(long, limit) if long else {}
    for column in long:
        if varied[column]:
            roles.inferred["text"] = f"{column} (longest free-text column, {lengths[column]:.0f} characters on average)"
            roles.text_by_length = True
            return column
    if long:
        column = long[0]
        roles.declined["text"] = (f"'{column}' averages {lengths[column]:.0f} characters but repeats its values (not more "
                                  f"than {limit:,.0f} distinct): answers from a list, not free text; declare dataset.text "
                                  "if it is one")
    return None


def _is_string(dtype: object) -> bool:
    return pd.api.types.is_string_dtype(dtype) or dtype == object


def _is_sensitive_name(column: str) -> bool:
    tokens = re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", column).lower())
    return any(t in SENSITIVE_TOKENS for t in tokens)


__all__ = ["ResolvedRoles", "resolve_roles"]
