"""Suspected misreadings of a data file, reported as notes (never fixed silently).

A parser that succeeds can still have read a file wrongly, and every check downstream then
judges the wrong rows. These are the corruptions seen on real community datasets, each
detected cheaply from the frame as read (plus, for CSV/TSV, the raw header record) and
reported as one line naming the file and the reading option that fixes it:

* a header row that is data: a headerless file read with a header (UCI ``.data`` files);
* quoted fields that swallow records: an unbalanced ``"`` in a corpus whose fields are never
  quoted makes the reader join the records after it into one field (confirmed by reading the
  file again with ``quoting: none``, only when a field holds a line that looks like a record);
* ids in scientific notation (``5.70306E+17``): a spreadsheet re-save lost their digits, and
  distinct ids now collide;
* duplicate header names, which pandas renames silently (``name``, ``name.1``);
* values that all start with a space: a file separated by ``, `` (UCI's ``adult.data``), read
  without ``skip_initial_space``, so every text value is `` Male`` and never equals ``Male``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.cells import shorten
from curate.readers import TEXT_FORMATS, ReadOptions, csv_arguments, first_record

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_SCIENTIFIC = re.compile(r"^\s*[-+]?\d(\.\d+)?[eE]\+?\d{2}\s*$")
_ID_NAME = re.compile(r"(^|[_\-\s])(id|ids|uuid|key|number|no|code)$|^id[_\-\s]|id$", re.IGNORECASE)
MAX_SHOWN = 4  # header values quoted in a note …
SHOWN_CHARS = 40  # … each cut at a word boundary to this many characters
FREE_TEXT_MIN_VALUES = 20  # a header name reads like a free-text value only over this many values …
FREE_TEXT_DISTINCT = 0.9  # … of which at least this share are distinct
SAMPLE = 10_000  # values of a column the detectors look at
BIG_ID = 1e11  # a float at least this big may be an id Excel wrote in scientific notation …
MOSTLY = 0.5  # … when at least this share of the column is


def misreadings(path: Path, frame: pd.DataFrame, options: ReadOptions, root: Path) -> list[str]:
    """Notes about ``path`` as read into ``frame`` with ``options`` (empty when nothing looks wrong)."""
    return piece_misreadings(path, lambda: iter([frame]), options, root)


def piece_misreadings(path: Path, pieces: Pieces, options: ReadOptions, root: Path) -> list[str]:
    """:func:`misreadings` of the file whose rows ``pieces()`` yields, in order, a piece at a time
    (every call starts again; a loaded file is one piece): the detectors read one pass of counts
    and first values (:class:`_Scan`), and pass again only for what a suspicion needs (the
    distinct values of a column)."""
    name = _relative(path, root)
    notes: list[str] = []
    fmt = options.format_of(path)
    text = fmt in TEXT_FORMATS
    sep = options.separator(path)
    swallow = text and options.quoting != "none"
    scan = _Scan.of(pieces, re.compile("\n[^\n]*" + re.escape(sep)) if swallow else None)
    if text:
        data_like = options.header and options.names is None and _data_like_header(scan)
        if data_like:
            shown = ", ".join(shorten(str(c).strip(), SHOWN_CHARS) for c in scan.columns[:MAX_SHOWN])
            notes.append(
                f"{name}: the header row looks like data ({shown}, …): the file seems to have no header; "
                f"set 'header: false' and 'names: [...]' under dataset: in curate.yaml"
            )
        elif options.header and options.names is None:
            notes += _duplicate_header(path, options, name)
        if swallow:
            notes += _swallowed_records(path, scan, pieces, options, name)
        if not options.skip_initial_space:
            notes += _initial_spaces(scan, name, sep)
    notes += _scientific_ids(scan, pieces, name)
    return notes


Pieces = Callable[[], Iterator[pd.DataFrame]]
CELLS = 1000  # cells of a text column searched for swallowed records


@dataclass
class _Scan:
    """One pass over a file's rows: per column (by position) what the detectors read."""

    columns: list[Any]
    dtypes: list[Any]
    rows: int = 0
    present: list[int] = field(default_factory=list)  # non-missing values
    sample: list[pd.Series] = field(default_factory=list)  # the first SAMPLE non-missing values
    big: list[tuple[int, list[np.ndarray]]] = field(default_factory=list)  # float columns: |x| ≥ BIG_ID, the first SAMPLE such
    cells: list[list[str]] = field(default_factory=list)  # text columns: the first CELLS cells matching the suspect pattern

    @classmethod
    def of(cls, pieces: Pieces, suspect: re.Pattern[str] | None) -> "_Scan":
        scan: _Scan | None = None
        for piece in pieces():
            if scan is None:
                width = piece.shape[1]
                scan = cls(list(piece.columns), list(piece.dtypes), 0, [0] * width, [piece.iloc[:0, i] for i in range(width)],
                           [(0, []) for _ in range(width)], [[] for _ in range(width)])
            scan.add(piece, suspect)
        if scan is None:
            raise ValueError("no pieces")
        return scan

    def add(self, piece: pd.DataFrame, suspect: re.Pattern[str] | None) -> None:
        self.rows += len(piece)
        for i in range(piece.shape[1]):
            values = piece.iloc[:, i].dropna()
            self.present[i] += len(values)
            if len(self.sample[i]) < SAMPLE:
                self.sample[i] = pd.concat([self.sample[i], values.head(SAMPLE - len(self.sample[i]))])
            if pd.api.types.is_float_dtype(values):
                array = values.to_numpy(dtype=float)
                big = array[np.abs(array) >= BIG_ID]
                count, first = self.big[i]
                kept = sum(map(len, first))
                self.big[i] = (count + len(big), first + ([big[: SAMPLE - kept]] if kept < SAMPLE else []))
            if suspect is not None and _is_text(values) and len(self.cells[i]) < CELLS and piece.shape[1] >= 2:
                found = values[values.astype("string").str.contains(suspect, na=False)].astype(str)
                self.cells[i] += found.head(CELLS - len(self.cells[i])).tolist()


def _distinct(pieces: Pieces, position: int, bound: float | None = None) -> tuple[pd.Series, set[str]] | None:
    """A column's distinct non-missing values (and their stripped texts), over every piece;
    None as soon as there are more than ``bound``."""
    seen: pd.Series | None = None
    texts: set[str] = set()
    for piece in pieces():
        values = piece.iloc[:, position].dropna()
        seen = values.drop_duplicates() if seen is None else pd.concat([seen, values]).drop_duplicates()
        if bound is not None:
            texts |= set(values.astype(str).str.strip())
            if len(seen) > bound:
                return None
    return (seen if seen is not None else pd.Series(dtype=object)), texts


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


# --------------------------------------------------------------------------- header row


def _data_like_header(scan: _Scan) -> bool:
    """True when most header names look like values of their own columns.

    A name "looks like data" when it is a number heading a numeric column, one of the string
    values of its column (``State-gov`` above a column of workclasses), or a sentence as long as
    the free texts below it (:func:`_is_value_of`). Numbers alone
    are not enough (``1990, 1991`` year columns, ``0, 1, 2`` column numbers are real headers):
    some name must be a value of its column, or every name a number that is not a column index.
    """
    if scan.rows == 0 or len(scan.columns) < 2:
        return False
    names = [str(c) for c in scan.columns]
    bases = [re.sub(r"\.\d+$", "", n) for n in names]  # pandas renames repeats: "0", "0.1"
    numeric = [bool(_NUMBER.match(b)) for b in bases]
    as_value = []
    for sample, base, is_number in zip(scan.sample, bases, numeric):
        if is_number:
            as_value.append(pd.api.types.is_numeric_dtype(sample))
        else:
            as_value.append(_is_value_of(base, sample))
    looks = sum(as_value)
    if looks < 0.5 * len(names):
        return False
    strings_seen = any(v and not n for v, n in zip(as_value, numeric))
    return strings_seen or (all(numeric) and not _column_numbers(bases))


def _is_value_of(name: str, sample: pd.Series) -> bool:
    """Whether ``name`` is one of a column's first values (``sample``), as text, or reads like one
    of a free-text column's values: words as long as its typical values, over values that are
    almost all distinct (a headerless news file's first headline above the other headlines; a
    survey's long question above its few answers is a real header)."""
    if pd.api.types.is_numeric_dtype(sample):
        return False
    values = sample.astype(str).str.strip()
    name = name.strip()
    if name in set(values):
        return True
    if len(values) < FREE_TEXT_MIN_VALUES or values.nunique() < FREE_TEXT_DISTINCT * len(values) or " " not in name:
        return False
    low, high = values.str.len().quantile([0.1, 0.9])
    return bool(low <= len(name) <= high)


def _column_numbers(bases: list[str]) -> bool:
    try:
        numbers = [float(b) for b in bases]
    except ValueError:
        return False
    return numbers in ([float(i) for i in range(len(numbers))], [float(i + 1) for i in range(len(numbers))])


def _duplicate_header(path: Path, options: ReadOptions, name: str) -> list[str]:
    """Header names written twice, as the raw header record has them."""
    try:
        header = first_record(path, options)
    except (OSError, csv.Error):
        return []
    if not header:
        return []
    cleaned = [h.lstrip("\ufeff") for h in header]
    repeated = [h for h, n in pd.Series(cleaned).value_counts(sort=False).items() if n > 1]
    if not repeated:
        return []
    shown = ", ".join(f"'{h}' ×{cleaned.count(h)}" for h in repeated[:MAX_SHOWN])
    return [
        f"{name}: duplicate header names {shown} (pandas renames the repeats '{repeated[0]}.1', …); "
        f"set 'names: [...]' under dataset: in curate.yaml to name every column"
    ]


# --------------------------------------------------------------------------- quoting


def _swallowed_records(path: Path, scan: _Scan, pieces: Pieces, options: ReadOptions, name: str) -> list[str]:
    """Records joined into a quoted field: a field holding lines that look like records of this file.

    A line inside a field "looks like a record" when it splits on the separator into at most as
    many fields as the file has columns, and one of them is a value of a categorical column at
    that position (``ham\tFree entry…`` inside a message, ``ham`` being a label). Genuine
    multi-line fields (an address, a paragraph with commas) rarely do. The rows the file would
    have with quoting off are counted by reading it again, only then.
    """
    sep = options.separator(path)
    width = len(scan.columns)
    if width < 2 or not any(scan.cells):
        return []
    categories = _categories(scan, pieces)
    swallowed = sum(_record_like(line, sep, width, categories) for cells in scan.cells for cell in cells
                    for line in cell.split("\n")[1:])
    if not swallowed:
        return []
    measured = _rows_unquoted(path, options, width)
    rows = f"read with quoting: none it has {measured:,} rows, not {scan.rows:,}" if measured else (
        f"{swallowed:,} line(s) inside fields look like records")
    return [
        f"{name}: quoted fields swallow records ({rows}); if its fields are never quoted, set 'quoting: none' "
        "under dataset: in curate.yaml"
    ]


def _categories(scan: _Scan, pieces: Pieces) -> dict[int, set[str]]:
    """Position → values of the low-cardinality columns (labels, codes), as text."""
    out: dict[int, set[str]] = {}
    for i, present in enumerate(scan.present):
        if not present:
            continue
        distinct = _distinct(pieces, i, bound=max(2, 0.05 * present))
        if distinct is not None:
            out[i] = distinct[1]
    return out


def _record_like(line: str, sep: str, width: int, categories: dict[int, set[str]]) -> bool:
    fields = line.split(sep)
    if not 2 <= len(fields) <= width:
        return False
    return any(fields[i].strip() in categories.get(i, ()) for i in range(len(fields)))


def _rows_unquoted(path: Path, options: ReadOptions, width: int) -> int | None:
    """How many rows the file has with quoting off (None when it does not read that way), counted
    a chunk at a time."""
    args = csv_arguments(path, options)
    args["quoting"] = csv.QUOTE_NONE
    rows = 0
    try:
        with pd.read_csv(path, chunksize=1 << 16, **args) as reader:
            for chunk in reader:
                if chunk.shape[1] != width:
                    return None
                rows += len(chunk)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        return None
    return rows or None


# --------------------------------------------------------------------------- spaces after the separator

SPACED_SHARE = 0.95  # of a text column's values starting with a space, for the column to count


def _initial_spaces(scan: _Scan, name: str, sep: str) -> list[str]:
    """A note when most text columns have (nearly) every value starting with a space: the file's
    separator is followed by a space that belongs to the layout, not to the values."""
    text_columns = [i for i, sample in enumerate(scan.sample) if _is_text(sample)]
    spaced = []
    for i in text_columns:
        values = scan.sample[i].astype(str)
        values = values[values.str.strip() != ""]
        if len(values) and values.str.startswith(" ").mean() >= SPACED_SHARE:
            spaced.append(i)
    if len(spaced) < 2 or len(spaced) * 2 < len(text_columns):
        return []
    example = str(scan.sample[spaced[0]].iloc[0])
    return [
        f"{name}: {len(spaced)} of {len(text_columns)} text columns have every value starting with a space "
        f"(e.g. {example!r}): the separator is {sep + ' '!r}; set 'skip_initial_space: true' under dataset: "
        "in curate.yaml"
    ]


# --------------------------------------------------------------------------- ids


def _scientific_ids(scan: _Scan, pieces: Pieces, name: str) -> list[str]:
    """Id-like columns holding numbers in scientific notation (a spreadsheet re-save), with collisions."""
    notes = []
    for i, column in enumerate(scan.columns):
        if not scan.present[i]:
            continue
        shown = _mangled(scan, i)
        if shown is None:
            continue
        distinct = _distinct(pieces, i)
        collisions = int(scan.present[i] - (len(distinct[0]) if distinct else 0))
        if not collisions and not _ID_NAME.search(str(column)):
            continue
        notes.append(
            f"{name}: column '{column}' holds ids in scientific notation ({shown}), {collisions:,} row(s) share "
            "a value with another: their digits were lost (a spreadsheet re-save); restore the column from the "
            "original source (no reading option can), and key rows by another column ('key:' under dataset:)"
        )
    return notes


def mangled_candidates(frame: pd.DataFrame) -> list[str]:
    """The columns of one piece of a file (a Parquet row group) whose whole column in the file may
    hold ids in scientific notation: a necessary condition of :func:`_mangled` on the whole column
    (most of a float column big somewhere; a scientific-notation text among a piece's first
    :data:`SAMPLE` values), so an engine that reads files piece by piece reads only these columns
    whole to sniff them. In the frame's column order."""
    out = []
    for column in frame.columns:
        values = frame[column].dropna()
        if not len(values):
            continue
        if pd.api.types.is_float_dtype(values):
            if (np.abs(values.to_numpy(dtype=float)) >= BIG_ID).mean() >= MOSTLY:
                out.append(str(column))
        elif _is_text(values) and values.head(SAMPLE).astype(str).str.match(_SCIENTIFIC).any():
            out.append(str(column))
    return out


def _mangled(scan: _Scan, position: int) -> str | None:
    """An example value when most of a column looks like big integers written with 6-7 significant digits."""
    sample = scan.sample[position]
    if pd.api.types.is_float_dtype(sample):
        count, first = scan.big[position]
        if count / scan.present[position] < MOSTLY:
            return None
        big = np.concatenate(first)
        rounded = np.array([float(f"{v:.6g}") for v in big])
        if (rounded == big).mean() < 0.9:
            return None
        return f"{big[0]:.6G}"
    if _is_text(sample):
        text = sample.astype(str)
        matches = text.str.match(_SCIENTIFIC)
        if matches.mean() < MOSTLY:
            return None
        return str(text[matches].iloc[0]).strip()
    return None
