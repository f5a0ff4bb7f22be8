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
from pathlib import Path

import numpy as np
import pandas as pd

from curate.readers import TEXT_FORMATS, ReadOptions, csv_arguments, first_record

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_SCIENTIFIC = re.compile(r"^\s*[-+]?\d(\.\d+)?[eE]\+?\d{2}\s*$")
_ID_NAME = re.compile(r"(^|[_\-\s])(id|ids|uuid|key|number|no|code)$|^id[_\-\s]|id$", re.IGNORECASE)
MAX_SHOWN = 4  # header values quoted in a note
SAMPLE = 10_000  # values of a column the detectors look at
BIG_ID = 1e11  # a float at least this big may be an id Excel wrote in scientific notation …
MOSTLY = 0.5  # … when at least this share of the column is


def misreadings(path: Path, frame: pd.DataFrame, options: ReadOptions, root: Path) -> list[str]:
    """Notes about ``path`` as read into ``frame`` with ``options`` (empty when nothing looks wrong)."""
    name = _relative(path, root)
    notes: list[str] = []
    fmt = options.format_of(path)
    if fmt in TEXT_FORMATS:
        data_like = options.header and options.names is None and _data_like_header(frame)
        if data_like:
            shown = ", ".join(str(c).strip() for c in frame.columns[:MAX_SHOWN])
            notes.append(
                f"{name}: the header row looks like data ({shown}, …): the file seems to have no header; "
                f"set 'header: false' and 'names: [...]' under dataset: in curate.yaml"
            )
        elif options.header and options.names is None:
            notes += _duplicate_header(path, options, name)
        if options.quoting != "none":
            notes += _swallowed_records(path, frame, options, name)
        if not options.skip_initial_space:
            notes += _initial_spaces(frame, name, options.separator(path))
    notes += _scientific_ids(frame, name)
    return notes


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


# --------------------------------------------------------------------------- header row


def _data_like_header(frame: pd.DataFrame) -> bool:
    """True when most header names look like values of their own columns.

    A name "looks like data" when it is a number heading a numeric column, or one of the
    string values of its column (``State-gov`` above a column of workclasses). Numbers alone
    are not enough (``1990, 1991`` year columns, ``0, 1, 2`` column numbers are real headers):
    some name must be a value of its column, or every name a number that is not a column index.
    """
    if len(frame) == 0 or frame.shape[1] < 2:
        return False
    names = [str(c) for c in frame.columns]
    bases = [re.sub(r"\.\d+$", "", n) for n in names]  # pandas renames repeats: "0", "0.1"
    numeric = [bool(_NUMBER.match(b)) for b in bases]
    as_value = []
    for column, base, is_number in zip(frame.columns, bases, numeric):
        values = frame[column]
        if is_number:
            as_value.append(pd.api.types.is_numeric_dtype(values))
        else:
            as_value.append(_is_value_of(base, values))
    looks = sum(as_value)
    if looks < 0.5 * len(names):
        return False
    strings_seen = any(v and not n for v, n in zip(as_value, numeric))
    return strings_seen or (all(numeric) and not _column_numbers(bases))


def _is_value_of(name: str, values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values):
        return False
    sample = values.dropna().head(SAMPLE).astype(str).str.strip()
    return name.strip() in set(sample)


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


def _swallowed_records(path: Path, frame: pd.DataFrame, options: ReadOptions, name: str) -> list[str]:
    """Records joined into a quoted field: a field holding lines that look like records of this file.

    A line inside a field "looks like a record" when it splits on the separator into at most as
    many fields as the file has columns, and one of them is a value of a categorical column at
    that position (``ham\tFree entry…`` inside a message, ``ham`` being a label). Genuine
    multi-line fields (an address, a paragraph with commas) rarely do. The rows the file would
    have with quoting off are counted by reading it again, only then.
    """
    sep = options.separator(path)
    width = frame.shape[1]
    if width < 2:
        return []
    suspect = re.compile("\n[^\n]*" + re.escape(sep))
    categories = _categories(frame)
    swallowed = 0
    for column in frame.columns:
        values = frame[column]
        if not _is_text(values):
            continue
        cells = values[values.astype("string").str.contains(suspect, na=False)].astype(str).head(1000)
        swallowed += sum(_record_like(line, sep, width, categories) for cell in cells for line in cell.split("\n")[1:])
    if not swallowed:
        return []
    measured = _rows_unquoted(path, options, frame.shape[1])
    rows = f"read with quoting: none it has {measured:,} rows, not {len(frame):,}" if measured else (
        f"{swallowed:,} line(s) inside fields look like records")
    return [
        f"{name}: quoted fields swallow records ({rows}); if its fields are never quoted, set 'quoting: none' "
        "under dataset: in curate.yaml"
    ]


def _categories(frame: pd.DataFrame) -> dict[int, set[str]]:
    """Position → values of the low-cardinality columns (labels, codes), as text."""
    out: dict[int, set[str]] = {}
    for i, column in enumerate(frame.columns):
        values = frame[column].dropna()
        if len(values) and values.nunique() <= max(2, 0.05 * len(values)):
            out[i] = set(values.astype(str).str.strip())
    return out


def _record_like(line: str, sep: str, width: int, categories: dict[int, set[str]]) -> bool:
    fields = line.split(sep)
    if not 2 <= len(fields) <= width:
        return False
    return any(fields[i].strip() in categories.get(i, ()) for i in range(len(fields)))


def _rows_unquoted(path: Path, options: ReadOptions, width: int) -> int | None:
    """How many rows the file has with quoting off (None when it does not read that way)."""
    args = csv_arguments(path, options)
    args["quoting"] = csv.QUOTE_NONE
    try:
        unquoted = pd.read_csv(path, **args)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        return None
    return len(unquoted) if unquoted.shape[1] == width else None


# --------------------------------------------------------------------------- spaces after the separator

SPACED_SHARE = 0.95  # of a text column's values starting with a space, for the column to count


def _initial_spaces(frame: pd.DataFrame, name: str, sep: str) -> list[str]:
    """A note when most text columns have (nearly) every value starting with a space: the file's
    separator is followed by a space that belongs to the layout, not to the values."""
    text_columns = [c for c in frame.columns if _is_text(frame[c])]
    spaced = []
    for column in text_columns:
        values = frame[column].dropna().head(SAMPLE).astype(str)
        values = values[values.str.strip() != ""]
        if len(values) and values.str.startswith(" ").mean() >= SPACED_SHARE:
            spaced.append(column)
    if len(spaced) < 2 or len(spaced) * 2 < len(text_columns):
        return []
    example = str(frame[spaced[0]].dropna().iloc[0])
    return [
        f"{name}: {len(spaced)} of {len(text_columns)} text columns have every value starting with a space "
        f"(e.g. {example!r}): the separator is {sep + ' '!r}; set 'skip_initial_space: true' under dataset: "
        "in curate.yaml"
    ]


# --------------------------------------------------------------------------- ids


def _scientific_ids(frame: pd.DataFrame, name: str) -> list[str]:
    """Id-like columns holding numbers in scientific notation (a spreadsheet re-save), with collisions."""
    notes = []
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) == 0:
            continue
        shown = _mangled(values)
        if shown is None:
            continue
        collisions = int(len(values) - values.nunique())
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


def _mangled(values: pd.Series) -> str | None:
    """An example value when most of a column looks like big integers written with 6-7 significant digits."""
    if pd.api.types.is_float_dtype(values):
        array = values.to_numpy(dtype=float)
        big = np.abs(array) >= BIG_ID
        if big.mean() < MOSTLY:
            return None
        rounded = np.array([float(f"{v:.6g}") for v in array[big][:SAMPLE]])
        if (rounded == array[big][:SAMPLE]).mean() < 0.9:
            return None
        return f"{array[big][0]:.6G}"
    if _is_text(values):
        text = values.head(SAMPLE).astype(str)
        matches = text.str.match(_SCIENTIFIC)
        if matches.mean() < MOSTLY:
            return None
        return str(text[matches].iloc[0]).strip()
    return None
