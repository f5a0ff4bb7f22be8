"""The pandas engine's streamed splits: rows read from the files piece by piece, never all at once.

A :class:`StreamSplit` holds no rows. Each pass over it (a partitioned family's ``map``, or one
of the questions loading asks) reads its files again in pieces of a bounded number of rows
(:func:`curate.readers.read_pieces`: Parquet by row-group batches, CSV/TSV in whole blocks of
pandas' C parser, JSON Lines in chunks of lines), so a run of partitioned families holds one
piece's rows at a time, plus the small states and the split's row keys.

Exactness. A piece must hold the values of the loaded split's rows (:func:`curate.dataset.load_dataset`),
whose dtypes are decided over whole files and then over the concatenation of the split's files.
A first pass at loading (the survey) reads every piece and keeps, per piece, one row per column
(its first non-missing value, in the piece's dtype). The file's dtypes follow from those rows
with pandas' own rule for concatenating a CSV's blocks (``concat_compat``); the split's from
``pandas.concat`` of one such row per file, as the loader concatenates the files. Every later
piece is cast to those dtypes (an integer piece of a column that is float over the file becomes
float; a numeric piece of a column that is text elsewhere becomes Python numbers in an object
column, as a whole-file read leaves them). CSV pieces are whole parser blocks, so each piece's
inference is the whole-file read's. A file that cannot be read so (a JSON document, a
multi-character separator, JSON Lines whose pieces type a field differently, dictionary-encoded
Parquet, a file that fails to parse) is read whole at loading and its frame kept: its memory is
the file's, and any parser error is the loaded path's.

Loading's questions (row counts, columns, misreading notes, id columns, row keys, the text
columns' lengths that infer the text role) are answered by passes over the pieces, as the Dask
engine's splits answer them on workers; ``frame`` loads the whole split on first use (a
collecting family, corrections) and later passes then slice it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from curate.dataset import DataFile, Dataset, Split, _is_unique_id, _read_split, assemble, base_keys, resolve_reading, suffix_repeats
from curate.readers import ReadOptions, read_pieces, read_table

if TYPE_CHECKING:  # annotations only
    from curate.suite import Roles

PIECE_ROWS = 262_144  # rows per piece by default (CSV/TSV: rounded to the parser's blocks)
STREAM_BYTES = 256 << 20  # data files larger than this in all are streamed by default


@dataclass
class _Source:
    """One data file of a streamed split: what the survey learnt, or its frame when read whole."""

    data_file: DataFile
    prototype: pd.DataFrame  # one row: per column a value in the file's dtype (missing only if all are)
    frame: pd.DataFrame | None = None  # the file read whole (not streamable)

    @property
    def columns(self) -> list[str]:
        return list(self.prototype.columns)


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c) for c in frame.columns]
    return frame


def first_values(piece: pd.DataFrame) -> pd.DataFrame:
    """One row: each column's first non-missing value (its first value when all are missing)."""
    columns = {}
    for i, name in enumerate(piece.columns):
        values = piece.iloc[:, i]
        present = values.notna().to_numpy()
        at = int(present.argmax()) if present.any() else 0
        # taken, not sliced: a slice of an Arrow-backed column keeps the piece's whole buffers alive
        columns[name] = (values.iloc[[at]] if len(values) else values.iloc[:0]).reset_index(drop=True)
    return pd.DataFrame(columns) if columns else pd.DataFrame(index=range(1))


def file_prototype(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """The file's prototype from its pieces' first values: dtypes as pandas concatenates a CSV's
    blocks (``concat_compat``; a block with no value, float to the parser, takes the text dtype
    of the others when some block is text, as pandas' reader leaves it within one read)."""
    from pandas.core.dtypes.concat import concat_compat

    out = {}
    for name in rows[0].columns:
        values = [row[name] for row in rows]
        if any(isinstance(v.dtype, pd.StringDtype) for v in values):
            values = [v for v in values if not (v.dtype == "float64" and v.isna().all())]
        dtype = concat_compat([v._values for v in values]).dtype
        present = next((v for v in values if v.notna().all()), values[0])
        out[name] = present.astype(dtype) if present.dtype != dtype else present
    return pd.DataFrame(out) if out else pd.DataFrame(index=range(1))


def _survey(path: Path, options: ReadOptions, rows: int, first_row: int) -> _Source:
    """Read the file's pieces once: their rows and first values (else the file read whole)."""
    firsts, count = [], 0
    try:
        for piece in read_pieces(path, options, rows):
            firsts.append(first_values(_named(piece)))
            count += len(piece)
    except Exception:  # noqa: BLE001 - not streamable, or a parser error: the whole-file read decides
        firsts = []
    if not firsts or not count:
        frame = _named(read_table(path, options))
        return _Source(DataFile(path, first_row, len(frame)), first_values(frame), frame)
    return _Source(DataFile(path, first_row, count), file_prototype(firsts))


class StreamSplit(Split):
    """A split whose rows stay in its files: every pass reads them piece by piece."""

    def __init__(self, name: str, sources: list[_Source], options: ReadOptions, rows: int) -> None:
        self._sources = sources
        self._rows = rows
        self._frame: pd.DataFrame | None = None
        if len(sources) == 1:
            shape = sources[0].prototype
        else:
            shape = pd.concat([s.prototype for s in sources], ignore_index=True)
        self._dtypes = dict(zip(map(str, shape.columns), shape.dtypes))
        super().__init__(name, None, pd.Series(dtype=str), [s.data_file for s in sources], options)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = self._load()
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame = value

    def _load(self) -> pd.DataFrame:
        """The whole split, exactly as the loader reads it (files kept whole at loading are reused)."""
        kept = [s.frame for s in self._sources]
        if all(f is None for f in kept):
            return _read_split(self.name, [s.data_file.path for s in self._sources], self.reader_options).frame
        frames = [f if f is not None else _named(read_table(s.data_file.path, self.reader_options))
                  for f, s in zip(kept, self._sources)]
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        return _named(frame).reset_index(drop=True)

    def __len__(self) -> int:
        return sum(s.data_file.rows for s in self._sources)

    @property
    def columns(self) -> list[str]:
        return list(self._dtypes)

    @property
    def dtypes(self) -> dict[str, object]:
        return dict(self._dtypes)

    @property
    def loaded(self) -> bool:
        return self._frame is not None

    @property
    def piece_rows(self) -> int:
        return self._rows

    # ------------------------------------------------------------------ passes over the pieces

    def partitions(self, columns: list[str] | tuple[str, ...] | None = None) -> Iterator[pd.DataFrame]:
        """The split's rows piece by piece, ``columns`` only (None: all), indexed by position."""
        wanted = list(self._dtypes) if columns is None else [c for c in dict.fromkeys(columns) if c in self._dtypes]
        if self._frame is not None:
            yield from super().partitions(wanted)
            return
        for source in self._sources:
            yield from self._file_pieces(source, wanted)

    def _file_pieces(self, source: _Source, wanted: list[str]) -> Iterator[pd.DataFrame]:
        start, end = source.data_file.first_row, source.data_file.first_row + source.data_file.rows
        offset = start
        mine = [c for c in wanted if c in source.columns]
        for piece in self._raw_pieces(source, mine, end - start):
            piece = self._conform(piece, wanted)
            piece.index = pd.RangeIndex(offset, offset + len(piece))
            offset += len(piece)
            yield piece
        if offset != end:
            raise RuntimeError(f"{source.data_file.path}: read {offset - start} rows, the survey counted {end - start}")

    def _raw_pieces(self, source: _Source, columns: list[str], rows: int) -> Iterator[pd.DataFrame]:
        if source.frame is not None:
            for at in range(0, rows, self._rows):
                yield source.frame.iloc[at : at + self._rows][columns]
        elif not columns:  # no column to read: pieces of the right length
            for at in range(0, rows, self._rows):
                yield pd.DataFrame(index=range(min(self._rows, rows - at)))
        else:
            for piece in read_pieces(source.data_file.path, self.reader_options, self._rows, columns):
                yield _named(piece)

    def _conform(self, piece: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
        """A piece with the split's columns and dtypes (a file's missing column: missing values)."""
        if list(piece.columns) != wanted:
            piece = piece.reindex(columns=wanted)
        changed = {c: self._dtypes[c] for c in wanted if piece[c].dtype != self._dtypes[c]}
        return piece.astype(changed) if changed else piece

    def column(self, name: str) -> pd.Series:
        """One whole column (the memory of one column, as the row keys take)."""
        parts = [p[name] for p in self.partitions([name])]
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    # ------------------------------------------------------------------ what loading asks

    def file_notes(self, data_file: DataFile, root: Path) -> list[str]:
        from curate.sniff import piece_misreadings

        if self._frame is not None:
            return super().file_notes(data_file, root)
        source = next(s for s in self._sources if s.data_file is data_file)
        return piece_misreadings(data_file.path, lambda: self._file_pieces(source, self.columns), self.reader_options, root)

    def unique_id(self, column: str) -> bool:
        if self._frame is not None:
            return super().unique_id(column)
        return _is_unique_id(self.column(column))

    def row_keys(self, key_column: str | None, notes: list[str]) -> pd.Series:
        if self._frame is not None:
            return super().row_keys(key_column, notes)
        if key_column is not None:
            parts = [base_keys(p, key_column) for p in self.partitions([key_column])]
        else:
            parts = self._content_keys()
        base = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return suffix_repeats(base, key_column, self.name, notes)

    def many_distinct(self, columns: list[str], limit: float) -> dict[str, bool]:
        """One pass; a column is decided as soon as it has more than ``limit`` distinct values, so
        each undecided column holds at most that many."""
        if self._frame is not None or not columns:
            return super().many_distinct(columns, limit)
        try:
            return self._many_distinct(columns, limit, lambda values: values)
        except TypeError:  # unhashable values somewhere: as the loaded path, count their texts
            return self._many_distinct(columns, limit, lambda values: values.astype(str))

    def _many_distinct(self, columns: list[str], limit: float, view: Callable[[pd.Series], pd.Series]) -> dict[str, bool]:
        seen: dict[str, pd.Series] = {}
        out = dict.fromkeys(columns, False)
        for piece in self.partitions(columns):
            for column in [c for c in columns if not out[c]]:
                values = view(piece[column]).dropna()
                values = pd.concat([seen[column], values]) if column in seen else values
                seen[column] = values.drop_duplicates()
                if len(seen[column]) > limit:
                    out[column] = True
                    del seen[column]
            if all(out.values()):
                break
        return out

    def _content_keys(self) -> list[pd.Series]:
        """Each piece's content hashes as the whole split's. pandas hashes an object column through
        its distinct values (``factorize``), so a value's hash depends on the rest of the column: the
        index of distinct values infers its dtype from every value's type (Python ints alone hash as
        int64, among words as text), and values equal across types (``0``, ``False``, ``0.0``) take
        the first one's hash. Each piece is hashed after witness rows that hold, per object column,
        those first values and a value of each type the column has; object columns are hashed as
        text when any piece has unhashable cells."""
        witness = self._witness()
        n = len(witness)

        def keys(piece: pd.DataFrame, as_text: bool) -> pd.Series:
            if not n:
                return base_keys(piece, None, as_text=as_text)
            return base_keys(pd.concat([witness, piece], ignore_index=True), None, as_text=as_text).iloc[n:]

        try:
            return [keys(p, False) for p in self.partitions()]
        except TypeError:
            return [keys(p, True) for p in self.partitions()]

    def _witness(self) -> pd.DataFrame:
        """The witness rows of :meth:`_content_keys` (other columns: the split's first row); empty
        when no column is of object dtype."""
        objects = [c for c, dtype in self._dtypes.items() if dtype == object]
        if not objects:
            return pd.DataFrame()
        seen = {c: _Kinds() for c in objects}
        for piece in self.partitions(objects):
            for column in objects:
                seen[column].add(piece[column].dropna())
        values = {c: seen[c].witness() for c in objects}
        rows = max([len(v) for v in values.values()] + [1])
        pieces = self.partitions()
        witness = next(pieces).iloc[[0] * rows].reset_index(drop=True)
        pieces.close()
        for column, found in values.items():
            found = found or [None]
            witness[column] = pd.Series(found + [found[0]] * (rows - len(found)), dtype=object)
        return witness

    def text_lengths(self, columns: list[str]) -> dict[str, float]:
        if self._frame is not None:
            return super().text_lengths(columns)
        totals = dict.fromkeys(columns, 0)
        counts = dict.fromkeys(columns, 0)
        for piece in self.partitions(columns):
            for column in columns:
                lengths = piece[column].dropna().astype(str).str.len()
                totals[column] += int(lengths.sum())
                counts[column] += len(lengths)
        return {c: (totals[c] / counts[c] if counts[c] else float("nan")) for c in columns}


class _Kinds:
    """What an object column's witness rows need: a value of each Python type (ints: the smallest and
    largest, which decide int64 or not), and the first value of each class of equal numbers that
    holds several types (``True`` before ``1`` and ``1.0``). Memory: the column's distinct numbers."""

    def __init__(self) -> None:
        self.types: dict[Any, Any] = {}
        self.first: dict[Any, Any] = {}  # equal numbers (Python equality) → the first one seen
        self.classes: dict[Any, set[type]] = {}

    def add(self, values: pd.Series) -> None:
        kinds = values.map(type)
        for kind, group in values.groupby(kinds, sort=False):
            if kind is int:
                low, high = min(group), max(group)
                self.types["int-low"] = min(low, self.types.get("int-low", low))
                self.types["int-high"] = max(high, self.types.get("int-high", high))
            else:
                self.types.setdefault(kind, group.iloc[0])
        for value in values[kinds.isin([bool, int, float])]:  # in row order
            first = self.first.setdefault(value, value)
            self.classes.setdefault(first, set()).add(type(value))

    def witness(self) -> list[Any]:
        shared = [first for first, types in self.classes.items() if len(types) > 1]
        return shared + list(self.types.values())


def _read_stream_split(name: str, paths: list[Path], options: ReadOptions, rows: int) -> StreamSplit:
    from curate.errors import CurateError

    sources, position = [], 0
    for path in paths:
        source = _survey(path, options, rows, position)
        sources.append(source)
        position += source.data_file.rows
    if position == 0:
        raise CurateError(f"split '{name}' has no rows", file=paths[0])
    return StreamSplit(name, sources, options, rows)


def piece_rows(paths: list[Path], rows: int | None) -> int | None:
    """Rows per piece when the dataset is to be streamed (``rows``: the option, 0 for never; None:
    :data:`PIECE_ROWS` when its data files are larger than :data:`STREAM_BYTES` in all), else None."""
    if rows is not None:
        return rows or None
    size = sum(p.stat().st_size for p in paths if p.is_file())
    return PIECE_ROWS if size > STREAM_BYTES else None


def load_pandas(root: Path, roles: Roles, *, rows: int | None = None, config: str | None = None,
                table: str | None = None) -> Dataset:
    """The dataset as :func:`curate.dataset.load_with_roles` loads it; its splits streamed in pieces
    of at most ``rows`` rows when :func:`piece_rows` says so, else loaded whole."""
    layout, options = resolve_reading(root, config=config or roles.config, options=roles.read_options(),
                                      files=roles.files, table=table or roles.table)
    size = piece_rows([p for paths in layout.splits.values() for p in paths], rows)
    if size is None:
        splits: dict[str, Split] = {name: _read_split(name, paths, options) for name, paths in layout.splits.items()}
    else:
        splits = {name: _read_stream_split(name, paths, options, size) for name, paths in layout.splits.items()}
    return assemble(layout, splits, roles.key)


__all__ = ["PIECE_ROWS", "STREAM_BYTES", "StreamSplit", "load_pandas", "piece_rows"]

