"""A loaded dataset: splits of pandas DataFrames, each row with a stable key and a position.

Checks never touch files: they read :class:`Split` frames and point at rows with
:class:`~curate.findings.RowRef`. Where a row came from (file and line) is worked out only
when a report needs it, for CI annotations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from curate.errors import CurateError, did_you_mean
from curate.findings import RowRef
from curate.layout import Layout, resolve_layout
from curate.readers import read_table, record_lines

# column names that are, by convention, row identifiers
_ID_NAMES = {"id", "_id", "uid", "uuid", "guid", "key", "idx", "sku", "row_id", "example_id"}
_ID_SUFFIX = re.compile(r"(^|[_\-\s])(id|uuid|key)$", re.IGNORECASE)


@dataclass
class DataFile:
    """One file of a split: its path and the rows it contributes."""

    path: Path
    first_row: int  # position of its first row within the split
    rows: int


@dataclass
class Split:
    """One split (train, test, …): its rows, their keys and the files they came from."""

    name: str
    frame: pd.DataFrame
    keys: pd.Series  # str key per row, aligned with ``frame``
    files: list[DataFile]
    reader_options: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    def ref(self, row: int) -> RowRef:
        return RowRef(self.name, int(row), str(self.keys.iat[row]))

    def locate(self, row: int) -> tuple[Path, int | None]:
        """The file a row came from and its 1-based line there (None where files have no lines)."""
        for data_file in self.files:
            if data_file.first_row <= row < data_file.first_row + data_file.rows:
                lines = self._lines(data_file.path)
                offset = row - data_file.first_row
                return data_file.path, (lines[offset] if lines and offset < len(lines) else None)
        raise IndexError(row)

    def _lines(self, path: Path) -> list[int] | None:
        cache = self.__dict__.setdefault("_line_cache", {})
        if path not in cache:
            cache[path] = record_lines(path, sep=self.reader_options.get("sep"), encoding=self.reader_options.get("encoding"))
        return cache[path]


@dataclass
class Dataset:
    """A dataset folder, loaded."""

    layout: Layout
    splits: dict[str, Split]
    key_column: str | None
    key_source: str  # "declared", "inferred" or "content hash"
    notes: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.layout.root

    @cached_property
    def columns(self) -> list[str]:
        """Every column of every split, in first-seen order."""
        seen: dict[str, None] = {}
        for split in self.splits.values():
            seen.update(dict.fromkeys(map(str, split.frame.columns)))
        return list(seen)

    def split(self, name: str) -> Split:
        if name not in self.splits:
            raise CurateError(f"unknown split '{name}'{did_you_mean(name, list(self.splits))}; splits: {', '.join(self.splits)}")
        return self.splits[name]

    def relpath(self, path: Path) -> str:
        """A path as written relative to the dataset root (for reports and annotations)."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def locate(self, split: str, row: int) -> tuple[str, int | None]:
        """File (relative to the root) and 1-based line of a row, for annotations."""
        path, line = self.splits[split].locate(row)
        return self.relpath(path), line

    def describe(self) -> dict:
        """The ``dataset`` block of the JSON report."""
        return {
            "path": str(self.root),
            "layout": self.layout.kind,
            "config": self.layout.config,
            "key": self.key_column,
            "key_source": self.key_source,
            "splits": {
                name: {"rows": len(s), "files": [self.relpath(f.path) for f in s.files]} for name, s in self.splits.items()
            },
        }


def load_dataset(
    path: str | Path,
    *,
    key: str | None = None,
    config: str | None = None,
    encoding: str | None = None,
) -> Dataset:
    """Load a dataset folder (or one data file) into splits with stable row keys."""
    layout = resolve_layout(Path(path), config)
    options = dict(layout.reader_options)
    if encoding:
        options["encoding"] = encoding
    splits = {name: _read_split(name, files, options) for name, files in layout.splits.items()}
    key_column, key_source = _choose_key(splits, key)
    notes: list[str] = []
    for split in splits.values():
        split.keys = _row_keys(split.frame, key_column, split.name, notes)
    if key_source == "content hash":  # an inferred key column is reported with the other roles

        notes.append("no key column: rows are identified by a hash of their content")
    return Dataset(layout, splits, key_column, key_source, notes)


def _read_split(name: str, files: list[Path], options: dict) -> Split:
    frames: list[pd.DataFrame] = []
    data_files: list[DataFile] = []
    position = 0
    for path in files:
        frame = read_table(path, sep=options.get("sep") or options.get("delimiter"), encoding=options.get("encoding"))
        frames.append(frame)
        data_files.append(DataFile(path, position, len(frame)))
        position += len(frame)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(frame) == 0:
        raise CurateError(f"split '{name}' has no rows", file=files[0])
    frame.columns = [str(c) for c in frame.columns]
    return Split(name, frame.reset_index(drop=True), pd.Series(dtype=str), data_files, options)


def _choose_key(splits: dict[str, Split], declared: str | None) -> tuple[str | None, str]:
    frames = [s.frame for s in splits.values()]
    if declared:
        for split in splits.values():
            if declared not in split.frame.columns:
                cols = list(split.frame.columns)
                raise CurateError(
                    f"key column '{declared}' not found in split '{split.name}'{did_you_mean(declared, cols)}",
                    file=split.files[0].path,
                )
        return declared, "declared"
    for column in frames[0].columns:
        if _looks_like_id(column) and all(column in f.columns and _is_unique_id(f[column]) for f in frames):
            return column, "inferred"
    return None, "content hash"


def _looks_like_id(column: str) -> bool:
    return column.lower() in _ID_NAMES or bool(_ID_SUFFIX.search(column))


def _is_unique_id(values: pd.Series) -> bool:
    return bool(values.notna().all() and values.is_unique)


def _content_hashes(frame: pd.DataFrame) -> np.ndarray:
    """64-bit hash of each row's values (pandas' fixed-key hashing: stable across runs)."""
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists, dicts from JSON): hash their text instead
        nested = [c for c in frame.columns if frame[c].dtype == object]
        return pd.util.hash_pandas_object(frame.astype({c: str for c in nested}), index=False).to_numpy()


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype="S1")


def _hex(values: np.ndarray) -> np.ndarray:
    """uint64 → 16-character lowercase hex strings, vectorised (np.char.mod is 8x slower)."""
    octets = values.astype(">u8").view(np.uint8).reshape(-1, 8)
    digits = np.empty((len(values), 16), dtype="S1")
    digits[:, 0::2] = _HEX_DIGITS[octets >> 4]
    digits[:, 1::2] = _HEX_DIGITS[octets & 15]
    return digits.view("S16").ravel().astype(str)


def _row_keys(frame: pd.DataFrame, key_column: str | None, split: str, notes: list[str]) -> pd.Series:
    """String keys, one per row; repeats get a ``~N`` suffix so every key stays unique."""
    if key_column is not None:
        base = frame[key_column].astype(str).reset_index(drop=True)
    else:
        base = pd.Series(_hex(_content_hashes(frame)), dtype=str)
    repeat = base.groupby(base, sort=False).cumcount()
    if (repeat > 0).any():
        if key_column is not None:
            notes.append(f"split '{split}': key column '{key_column}' repeats {int((repeat > 0).sum())} value(s); repeats were suffixed '~N'")
        base = base.where(repeat == 0, base + "~" + repeat.astype(str))
    return base
