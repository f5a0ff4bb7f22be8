"""Column profiles and the ``curate.lock.json`` baseline that schema and drift checks compare to.

A profile summarises one column of one split compactly enough to commit to a dataset repo
(types, null rate, category counts, quantile bins) and richly enough to test drift later
without the old data. ``curate lock`` writes one profile per column per split.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.atomic import atomic_write_bytes
from curate.dataset import Dataset, load_with_roles
from curate.errors import CurateError
from curate.suite import SUITE_FILENAME, dataset_section, read_yaml

LOCK_FILENAME = "curate.lock.json"
LOCK_VERSION = 1
MAX_CATEGORIES = 50  # columns with at most this many distinct values keep their value counts
NUMERIC_BINS = 20  # quantile bins recorded for numeric columns
TEXT_MIN_MEAN_LENGTH = 30  # strings longer than this on average are free text, not categories


def column_kind(values: pd.Series) -> str:
    """numeric | boolean | datetime | categorical | text | other."""
    by_type = _dtype_kind(values.dtype)
    if by_type:
        return by_type
    non_null = values.dropna()
    all_strings = isinstance(values.dtype, pd.StringDtype) or non_null.map(lambda v: isinstance(v, str)).all()
    if len(non_null) and not all_strings:  # (a string dtype needs no per-value test: it is slow)
        return "other"  # lists, dicts, mixed types
    unique = non_null.nunique()
    return _string_kind(len(non_null), unique, lambda: non_null.str.len().mean() if len(non_null) else 0)


def _dtype_kind(dtype: Any) -> str | None:
    """The kind a column's type alone decides (None for object and string columns)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return None


def _string_kind(count: int, unique: int, mean_length: Any) -> str:
    """categorical | text for ``count`` strings, ``unique`` of them distinct (``mean_length()``: asked last)."""
    if unique <= MAX_CATEGORIES or (count and unique / count < 0.05):
        return "categorical"
    return "text" if mean_length() >= TEXT_MIN_MEAN_LENGTH else "categorical"


@dataclass
class KindEvidence:
    """What :func:`column_kind` decides from, kept so that it adds up over parts of a column
    (:meth:`merged`): a partitioned check learns a column's kind without holding the column.

    The number of distinct strings is known exactly only from their hashes (``hashes``, collected
    when asked: hashing long texts costs more than the rest); without them each part's own
    count bounds it (:attr:`unique_range`), which settles the kind of most columns (:attr:`settled`)."""

    dtypes: dict[str, Any] = field(default_factory=dict)  # str(dtype) → dtype, of every part
    count: int = 0  # non-null values
    strings: bool = True  # every non-null value is a string
    length: int = 0  # total length of the strings
    distinct: tuple[int, ...] = ()  # distinct strings of each part
    hashes: np.ndarray | None = None  # of the distinct strings, when collected in every part

    def merged(self, other: "KindEvidence") -> "KindEvidence":
        hashes = None
        if self.hashes is not None and other.hashes is not None:
            hashes = np.union1d(self.hashes, other.hashes)
        return KindEvidence({**self.dtypes, **other.dtypes}, self.count + other.count, self.strings and other.strings,
                            self.length + other.length, self.distinct + other.distinct, hashes)

    @property
    def unique_range(self) -> tuple[int, int]:
        """Bounds on the distinct non-null strings of the whole column (equal when exact)."""
        if self.hashes is not None:
            return len(self.hashes), len(self.hashes)
        if len(self.distinct) == 1:
            return self.distinct[0], self.distinct[0]
        return max(self.distinct, default=0), sum(self.distinct)

    @property
    def mixed(self) -> bool:
        """The parts' types differ: the concatenated type, and so the kind, is a question for the
        whole column."""
        return len(self.dtypes) != 1

    @property
    def settled(self) -> bool:
        """Whether :meth:`kind` is decided by what is kept (else the hashes are needed)."""
        return not self.mixed and self._kind() is not None

    def kind(self) -> str:
        """:func:`column_kind` of the whole column (when :attr:`settled`)."""
        kind = self._kind()
        if kind is None:
            raise ValueError("the kind needs the distinct values' hashes")
        return kind

    def _kind(self) -> str | None:
        by_type = _dtype_kind(next(iter(self.dtypes.values())))
        if by_type:
            return by_type
        if self.count and not self.strings:
            return "other"
        mean_length = self.length / self.count if self.count else 0
        low, high = self.unique_range
        if _string_kind(self.count, high, lambda: mean_length) == _string_kind(self.count, low, lambda: mean_length):
            return _string_kind(self.count, low, lambda: mean_length)
        return None


def kind_evidence(values: pd.Series, *, hashes: bool = False) -> KindEvidence:
    """The :class:`KindEvidence` of one part of a column (``hashes``: with its distinct strings' hashes)."""
    out = KindEvidence(dtypes={str(values.dtype): values.dtype}, hashes=np.zeros(0, dtype=np.uint64))
    if _dtype_kind(values.dtype):
        return out
    non_null = values.dropna()
    out.count = len(non_null)
    out.strings = isinstance(values.dtype, pd.StringDtype) or bool(non_null.map(lambda v: isinstance(v, str)).all())
    if out.strings and len(non_null):
        out.length = int(non_null.str.len().sum())
        uniques = pd.unique(non_null.to_numpy(dtype=object))
        out.distinct = (len(uniques),)
        out.hashes = np.unique(pd.util.hash_array(uniques)) if hashes else None
    return out


def column_profile(values: pd.Series) -> dict[str, Any]:
    """A JSON-ready summary of one column."""
    kind = column_kind(values)
    non_null = values.dropna()
    profile: dict[str, Any] = {
        "type": str(values.dtype),
        "kind": kind,
        "count": int(len(non_null)),
        "nulls": int(len(values) - len(non_null)),
        "null_rate": float((len(values) - len(non_null)) / len(values)) if len(values) else 0.0,
        "unique": _nunique(non_null),
        "categories": None,
        "numeric": None,
        "text": None,
    }
    if kind in ("categorical", "boolean") or (kind == "numeric" and profile["unique"] <= 20):
        if profile["unique"] <= MAX_CATEGORIES:
            counts = non_null.astype(str).value_counts()
            profile["categories"] = {str(k): int(v) for k, v in sorted(counts.items())}
    if kind == "numeric" and len(non_null):
        profile["numeric"] = numeric_summary(non_null.astype(float).to_numpy())
    if kind == "text" and len(non_null):
        lengths = non_null.str.len().astype(float).to_numpy()
        profile["text"] = {"mean_length": float(lengths.mean()), "length": numeric_summary(lengths)}
    return profile


def numeric_summary(values: np.ndarray) -> dict[str, Any]:
    """Moments plus quantile bin edges and the counts that fall in each bin."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {"min": None, "max": None, "mean": None, "std": None, "bin_edges": [], "bin_counts": []}
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, NUMERIC_BINS + 1)))
    counts = bin_counts(finite, edges)
    return {
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(finite.mean()),
        "std": float(finite.std()),
        "bin_edges": [float(e) for e in edges],
        "bin_counts": [int(c) for c in counts],
    }


def bin_counts(values: np.ndarray, edges: np.ndarray | list[float]) -> np.ndarray:
    """Counts per bin of ``edges``; values outside the range fall into the first/last bin.

    With a single distinct edge (a constant column) everything is one bin.
    """
    edges = np.asarray(edges, dtype=float)
    if len(edges) < 2:
        return np.array([len(values)])
    inner = edges[1:-1]
    index = np.searchsorted(inner, values, side="right")
    return np.bincount(index, minlength=len(edges) - 1)


def _nunique(values: pd.Series) -> int:
    try:
        return int(values.nunique())
    except TypeError:  # unhashable cells (lists, dicts)
        return int(values.astype(str).nunique())


def build_baseline(dataset: Dataset) -> dict[str, Any]:
    """The lock document for a dataset: per split, its row count and column profiles."""
    from curate import __version__

    return {
        "curate_lock": LOCK_VERSION,
        "created_with": f"curate {__version__}",
        "dataset": {"layout": dataset.layout.kind, "config": dataset.layout.config, "key": dataset.key_column},
        "splits": {
            str(name): {  # str(): Hugging Face layouts name splits with datasets.NamedSplit
                "rows": len(split),
                "columns": {col: column_profile(split.frame[col]) for col in split.frame.columns},
            }
            for name, split in dataset.splits.items()
        },
    }


def write_lock(baseline: dict[str, Any], path: Path) -> None:
    """Write the lock file atomically, with ordinary permissions: it is committed to the dataset repo."""
    text = json.dumps(baseline, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    atomic_write_bytes(Path(path), text.encode("utf-8"))


# --------------------------------------------------------------------------- reading and writing locks


def read_lock(path: Path) -> dict[str, Any]:
    """Read and validate a lock file; any problem is a CurateError naming the file.

    A lock is committed to dataset repos and edited by hand in merges, so a bad one must say
    where it is and what is wrong rather than crash a check halfway.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CurateError("baseline file not found (run `curate lock`)", file=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CurateError(f"cannot read the baseline: {exc}", file=path) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CurateError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise CurateError("JSON nested too deeply", file=path) from exc
    check_lock(document, path)
    return document


def check_lock(document: Any, path: Path | str) -> None:
    """Raise CurateError unless ``document`` is a lock this version of curate understands."""
    if not isinstance(document, dict) or "curate_lock" not in document:
        raise CurateError("not a curate lock file (no 'curate_lock' version; run `curate lock`)", file=path)
    version = document["curate_lock"]
    if version != LOCK_VERSION:
        hint = "upgrade curate" if isinstance(version, int) and version > LOCK_VERSION else "re-run `curate lock`"
        raise CurateError(f"unsupported lock version {version!r} (this curate reads {LOCK_VERSION}); {hint}", file=path)
    splits = document.get("splits")
    if not isinstance(splits, dict) or not all(
        isinstance(s, dict) and isinstance(s.get("columns"), dict) for s in splits.values()
    ):
        raise CurateError("malformed lock: 'splits' must map split names to {rows, columns}", file=path)


def lock_dataset(
    path: str | Path,
    *,
    output: str | Path | None = None,
    config: str | None = None,
    key: str | None = None,
) -> Path:
    """``curate lock``: profile a dataset and write its baseline; returns the lock's path.

    Key, config and encoding default to the dataset's own ``curate.yaml`` so the lock sees
    the rows exactly as ``curate check`` will. Only the lock file is written (atomically).
    """
    dataset = load_with_roles(Path(path), dataset_section(Path(path)), key=key, config=config)
    target = Path(output) if output is not None else dataset.root / LOCK_FILENAME
    if target.is_dir():
        target = target / LOCK_FILENAME
    if not target.parent.is_dir():
        raise CurateError("output folder does not exist", file=target.parent)
    write_lock(build_baseline(dataset), target)
    return target


def suite_roles(path: Path) -> dict[str, str]:
    """``key``, ``config`` and ``encoding`` from the ``dataset`` section of the folder's curate.yaml.

    Only those are read (the checks are not validated), so a typo in some check of the suite
    does not stop ``curate lock`` or ``curate diff``; ``curate check`` reports it.
    """
    root = path if path.is_dir() else path.parent
    suite = root / SUITE_FILENAME
    if not suite.is_file():
        return {}
    try:
        text = suite.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError("suite is not valid UTF-8", file=suite) from exc
    data, _ = read_yaml(text, str(suite))
    section = data.get("dataset") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        return {}
    return {k: section[k] for k in ("key", "config", "encoding") if isinstance(section.get(k), str)}
