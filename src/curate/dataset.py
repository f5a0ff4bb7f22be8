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
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pandas as pd

from curate.errors import CurateError, did_you_mean
from curate.findings import RowRef
from curate.layout import Layout, resolve_layout
from curate.readers import ReadOptions, read_table, record_lines

if TYPE_CHECKING:
    from curate.suite import Roles

# column names that are, by convention, row identifiers
_ID_NAMES = {"id", "_id", "uid", "uuid", "guid", "key", "idx", "sku", "row_id", "example_id"}
_ID_SUFFIX = re.compile(r"(^|[_\-\s])(id|uuid|key)$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID|Uuid|UUID|Key)$")  # AlbumId, customerID (Kaggle/SQL exports)


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
    reader_options: ReadOptions = field(default_factory=ReadOptions)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        """The split's column names (an engine may know them without reading the rows)."""
        return list(map(str, self.frame.columns))

    @property
    def dtypes(self) -> dict[str, Any]:
        """Each column's dtype, in column order (a streamed split knows them without the rows)."""
        return {str(c): t for c, t in self.frame.dtypes.items()}

    # what loading asks of a split's rows; the Dask engine's splits answer on the workers
    def file_notes(self, data_file: DataFile, root: Path) -> list[str]:
        """Suspected misreadings of one of the split's files (see :mod:`curate.sniff`)."""
        from curate.sniff import misreadings

        return misreadings(data_file.path, file_frame(self, data_file), self.reader_options, root)

    def unique_id(self, column: str) -> bool:
        """Whether ``column`` has a value in every row and no value twice (an id column)."""
        return _is_unique_id(self.frame[column])

    def row_keys(self, key_column: str | None, notes: list[str]) -> pd.Series:
        """Every row's key (see :func:`suffix_repeats`); a note when the key column repeats values."""
        return _row_keys(self.frame, key_column, self.name, notes)

    @property
    def loaded(self) -> bool:
        """Whether the rows are in memory (``frame``); a streamed split reads them on each pass."""
        return True

    def partitions(self, columns: list[str] | tuple[str, ...] | None = None) -> Iterator[pd.DataFrame]:
        """The split's rows per data file (``columns`` only; None: all), indexed by row position,
        or the whole frame when its files do not tile it (a split built in memory, e.g. the
        corrected copy ``curate fix`` re-checks, has no files)."""
        frame = self.frame
        wanted = None if columns is None else [c for c in dict.fromkeys(columns) if c in frame.columns]
        spans = [(f.first_row, f.rows) for f in self.files]
        starts = [0] + [a + n for a, n in spans]
        if spans and [a for a, _ in spans] == starts[:-1] and starts[-1] == len(frame):
            parts = (file_frame(self, f) for f in self.files)
        else:
            parts = iter([positional(frame)])
        for part in parts:
            yield part if wanted is None else part[wanted]

    def text_lengths(self, columns: list[str]) -> dict[str, float]:
        """Each column's mean length of its values as text (missing values left out; NaN: none)."""
        return {c: float(self.frame[c].dropna().astype(str).str.len().mean()) for c in columns}

    def many_distinct(self, columns: list[str], limit: float) -> dict[str, bool]:
        """Whether each column has more than ``limit`` distinct values (missing values left out)."""
        return {c: _distinct_count(self.frame[c]) > limit for c in columns}

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
            cache[path] = record_lines(path, self.reader_options)
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
            seen.update(dict.fromkeys(split.columns))
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

    @property
    def tables(self) -> dict[str, list[str]]:
        """Table → its split names. One table unless the folder holds unrelated tables (Kaggle)."""
        return dict(self.layout.tables) or {self.layout.config or "default": list(self.splits)}

    def table(self, name: str) -> "Dataset":
        """One table as a dataset of its own (the same Split objects, its own key and features)."""
        if not self.layout.tables:
            return self
        keys = self.__dict__.get("_table_keys", {})
        key_column, key_source = keys.get(name, (self.key_column, self.key_source))
        names = self.tables[name]
        return Dataset(self.layout.table_layout(name), {s: self.splits[s] for s in names}, key_column, key_source, [])

    def describe(self) -> dict:
        """The ``dataset`` block of the JSON report."""
        info = {
            "path": str(self.root),
            "layout": self.layout.kind,
            "config": self.layout.config,
            "key": self.key_column,
            "key_source": self.key_source,
            "splits": {
                name: {"rows": len(s), "files": [self.relpath(f.path) for f in s.files]} for name, s in self.splits.items()
            },
        }
        if self.layout.tables:
            info["tables"] = {}
            for name, splits in self.tables.items():
                view = self.table(name)
                info["tables"][name] = {
                    "splits": splits,
                    "rows": sum(len(self.splits[s]) for s in splits),
                    "key": view.key_column,
                    "key_source": view.key_source,
                }
        return info


def load_dataset(
    path: str | Path,
    *,
    key: str | None = None,
    config: str | None = None,
    encoding: str | None = None,
    options: ReadOptions | None = None,
    files: object = None,
    table: str | None = None,
) -> Dataset:
    """Load a dataset folder (or one data file) into splits with stable row keys.

    ``options`` and ``files`` are the suite's reading options (see :class:`ReadOptions` and
    :func:`curate.layout.resolve_files`); ``table`` keeps one table of a multi-table folder.
    Suspected misreadings (a data-like header, records swallowed by quotes, mangled ids,
    duplicate header names) become notes; nothing is changed silently.
    """
    layout, options = resolve_reading(path, config=config, encoding=encoding, options=options, files=files, table=table)
    splits = {name: _read_split(name, paths, options) for name, paths in layout.splits.items()}
    return assemble(layout, splits, key)


def assemble(layout: Layout, splits: dict[str, Split], key: str | None) -> Dataset:
    """The dataset of read splits: misreading notes per file, the key of each table, row keys.

    Both engines call this; a split that holds no frame (the Dask engine's) answers the
    questions asked here (:meth:`Split.file_notes`, :meth:`Split.unique_id`,
    :meth:`Split.row_keys`) where its rows are."""
    notes: list[str] = []
    for split in splits.values():
        for data_file in split.files:
            notes += split.file_notes(data_file, layout.root)
    table_of = {s: t for t, names in (layout.tables or {"": list(splits)}).items() for s in names}
    keys: dict[str, tuple[str | None, str]] = {}
    for name in dict.fromkeys(table_of.values()):
        members = {s: splits[s] for s, t in table_of.items() if t == name}
        keys[name] = _choose_key(members, key, lenient=bool(layout.tables))
        for split in members.values():
            split.keys = split.row_keys(keys[name][0], notes)
    if key and not any(k == key for k, _ in keys.values()):
        _choose_key(splits, key, lenient=False)  # raises the not-found error
    chosen = set(keys.values())
    key_column, key_source = chosen.pop() if len(chosen) == 1 else (None, "per table")
    for name, (column, source) in keys.items():
        if source == "content hash":  # an inferred key column is reported with the other roles
            where = f"table '{name}': " if layout.tables else ""
            notes.append(f"{where}no key column: rows are identified by a hash of their content")
    dataset = Dataset(layout, splits, key_column, key_source, notes)
    dataset.__dict__["_table_keys"] = keys
    return dataset


def resolve_reading(
    path: str | Path,
    *,
    config: str | None = None,
    encoding: str | None = None,
    options: ReadOptions | None = None,
    files: object = None,
    table: str | None = None,
) -> tuple[Layout, ReadOptions]:
    """Which files make up which split, and the reading options (the card's separator and encoding
    filled in): the part of loading that reads no data, shared by both engines."""
    options = options or ReadOptions()
    layout = resolve_layout(Path(path), config, files=files, fmt=options.format)
    if table is not None:
        layout = layout.select_table(table)
    card = layout.reader_options
    options = options.with_defaults(card.get("sep") or card.get("delimiter"), encoding or card.get("encoding"))
    return layout, options


def load_with_roles(
    root: Path, roles: Roles, *, key: str | None = None, config: str | None = None, table: str | None = None
) -> Dataset:
    """Load a dataset as a suite's ``dataset:`` section describes it (key, config, reading options).

    Here rather than in the runner because ``curate lock``, ``diff`` and ``apply`` load data this way
    too without running checks."""
    return load_dataset(
        root,
        key=key or roles.key,
        config=config or roles.config,
        options=roles.read_options(),
        files=roles.files,
        table=table or roles.table,
    )


def positional(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame indexed by row position."""
    return frame if frame.index.equals(pd.RangeIndex(len(frame))) else frame.reset_index(drop=True)


def file_frame(split: Split, data_file: DataFile) -> pd.DataFrame:
    """The rows one file contributes to its split."""
    return split.frame.iloc[data_file.first_row : data_file.first_row + data_file.rows]


def _read_split(name: str, files: list[Path], options: ReadOptions) -> Split:
    frames: list[pd.DataFrame] = []
    data_files: list[DataFile] = []
    position = 0
    for path in files:
        frame = read_table(path, options)
        frames.append(frame)
        data_files.append(DataFile(path, position, len(frame)))
        position += len(frame)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(frame) == 0:
        raise CurateError(f"split '{name}' has no rows", file=files[0])
    frame.columns = [str(c) for c in frame.columns]
    return Split(name, frame.reset_index(drop=True), pd.Series(dtype=str), data_files, options)


def _choose_key(splits: dict[str, Split], declared: str | None, *, lenient: bool = False) -> tuple[str | None, str]:
    """The declared key (which every split must have; ``lenient``: else infer), or an obvious id column."""
    if declared:
        for split in splits.values():
            if declared not in split.columns:
                if lenient:  # one table of several: the declared key is another table's
                    return _choose_key(splits, None)
                cols = split.columns
                raise CurateError(
                    f"key column '{declared}' not found in split '{split.name}'{did_you_mean(declared, cols)}",
                    file=split.files[0].path,
                )
        return declared, "declared"
    for column in next(iter(splits.values())).columns:
        if _looks_like_id(column) and all(column in s.columns and s.unique_id(column) for s in splits.values()):
            return column, "inferred"
    return None, "content hash"


def _looks_like_id(column: str) -> bool:
    return column.lower() in _ID_NAMES or bool(_ID_SUFFIX.search(column) or _CAMEL_ID.search(column))


def _distinct_count(values: pd.Series) -> int:
    try:
        return int(values.nunique(dropna=True))
    except TypeError:  # unhashable values
        return int(values.astype(str).nunique(dropna=True))


def _is_unique_id(values: pd.Series) -> bool:
    return bool(values.notna().all() and values.is_unique)


def _content_hashes(frame: pd.DataFrame, as_text: bool | None = None) -> np.ndarray:
    """64-bit hash of each row's values (pandas' fixed-key hashing: stable across runs). Unhashable
    cells (lists, dicts from JSON) make every object column hashed as text: ``as_text`` None decides
    from this frame, True / False from the whole split's (a piece may hold no such cell)."""
    if not as_text:
        try:
            return pd.util.hash_pandas_object(frame, index=False).to_numpy()
        except TypeError:
            if as_text is False:
                raise
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
    return suffix_repeats(base_keys(frame, key_column), key_column, split, notes)


def base_keys(frame: pd.DataFrame, key_column: str | None, as_text: bool | None = None) -> pd.Series:
    """Each row's key before repeats are told apart: the key column as text, else a hash of the row's
    content. A function of the row alone, so any partition of the rows computes its own (with
    ``as_text`` as the whole split decides it, see :func:`_content_hashes`)."""
    if key_column is not None:
        return frame[key_column].astype(str).reset_index(drop=True)
    return pd.Series(_hex(_content_hashes(frame, as_text)), dtype=str)


def suffix_repeats(base: pd.Series, key_column: str | None, split: str, notes: list[str]) -> pd.Series:
    """The split's keys: a repeated base key gets ``~N`` (its N-th repeat in row order). This needs
    every base key of the split in row order (the global view of the keys). Repeats are counted
    among the rows whose 64-bit key hash repeats (:func:`_maybe_repeated`), not by grouping every
    key, which builds a table of every distinct string: the hashes are arrays of a few numbers per
    row (bench/RESULTS.md)."""
    base = base.reset_index(drop=True)
    maybe = _maybe_repeated(base)
    if not len(maybe):
        return base
    candidates = base.iloc[maybe]
    repeat = candidates.groupby(candidates, sort=False).cumcount().to_numpy()
    again = maybe[repeat > 0]
    if len(again):
        if key_column is not None:
            notes.append(f"split '{split}': key column '{key_column}' repeats {len(again)} value(s); repeats were suffixed '~N'")
        base = base.copy()
        base.iloc[again] = base.iloc[again].str.cat(pd.Series(repeat[repeat > 0], index=again).astype(str), sep="~")
    return base


def _maybe_repeated(base: pd.Series) -> np.ndarray:
    """Sorted positions of the keys whose 64-bit hash (:func:`curate.dedup.string_hashes`) another
    key shares: every repeated key's rows, and rarely a distinct key whose hash collides."""
    import pyarrow as pa

    from curate.dedup import string_hashes

    values = pa.array(base, type=pa.large_string())
    hashes = string_hashes(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    order = np.argsort(hashes, kind="stable")
    same = hashes[order[1:]] == hashes[order[:-1]]
    shared = np.zeros(len(order), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    return np.sort(order[shared])


def split_order(names: list[str], order: list[str] | None = None) -> list[str]:
    """Splits by precedence: ``order`` first (as given), then training splits, then validation,
    then test, then the rest, each in dataset order. The earliest split keeps shared rows."""
    if order:
        return list(order) + [n for n in names if n not in order]

    def rank(name: str) -> int:
        low = name.lower()
        if re.match(r"^(train|training)(\b|_|-|$)", low) or low.startswith("train"):
            return 0
        if re.match(r"^(validation|valid|val|dev|development)(\b|_|-|$)", low):
            return 1
        if low.startswith(("test", "eval")):
            return 2
        return 3

    return sorted(names, key=lambda n: (rank(n), names.index(n)))


def row_refs(split: Split, rows: Any) -> list[RowRef]:
    """``split.ref`` for many rows at once (one vectorised gather of the keys)."""
    rows = np.asarray(rows, dtype=np.int64)
    keys = split.keys.take(rows).tolist() if len(rows) else []
    return [RowRef(split.name, int(r), str(k)) for r, k in zip(rows.tolist(), keys)]
