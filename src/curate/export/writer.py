"""Rewrite one data file with row deletes and cell updates, leaving every other byte alone.

Text formats are patched at the level of the file's raw records, never re-serialised from a
DataFrame, so an untouched row keeps its exact bytes (quoting, spacing, line endings, column
order) and an updated row changes only inside the updated field:

* CSV/TSV: the file's bytes are scanned into records (quote-aware: a quoted field may span
  lines) the way pandas reads them (blank lines skipped, first record the header); a deleted
  record is dropped with its line ending, an updated field is replaced by the new value, quoted
  when the original field was quoted or when the value needs it. The suite's reading options
  are honoured: ``header: false`` (every record is a row, columns named by ``names``),
  ``quoting: none`` (one record per line, quotes are text, a new value may not hold the
  separator or a line break), ``skip_initial_space`` (the spaces after a separator stay in
  front of an updated field), ``sep`` and ``format`` (for any extension).
* JSON Lines: one record per non-blank line; an updated member's value is replaced in place.
* JSON (a list of objects, or ``{"data": [...]}``): element spans are found with the stdlib
  JSON scanner; a deleted element is dropped with its separator.
* Parquet: pyarrow, keeping the schema (and its metadata), compression and row-group size.

Gzip/bz2/xz files are decompressed, patched and recompressed (the content keeps the guarantees
above; the compressed bytes are new). Every rewrite is checked by the caller by reading the file
back (:func:`verify_written`).
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import re
from collections.abc import Callable
from json.decoder import scanstring
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import CurateError
from curate.readers import ReadOptions, unreadable_parquet

_COMPRESSORS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    ".gz": (gzip.decompress, lambda b: gzip.compress(b, mtime=0)),
    ".bz2": (bz2.decompress, bz2.compress),
    ".xz": (lzma.decompress, lzma.compress),
}
Updates = dict[int, dict[str, Any]]  # position in file → {column: new value}


# =========================================================================== entry points


def rewrite(
    path: Path,
    deletes: set[int],
    updates: Updates,
    *,
    expected_rows: int,
    sep: str | None = None,
    encoding: str | None = None,
    integer_columns: set[str] | frozenset[str] = frozenset(),
    options: ReadOptions | None = None,
) -> bytes:
    """The bytes of ``path`` with the rows at ``deletes`` removed and ``updates`` set.

    Positions are 0-based data rows of this file, as pandas reads it (``expected_rows`` is how
    many it read: if the raw records do not line up with that, the file is not patched).
    ``integer_columns`` are written without a decimal point when a new value is a whole float.
    ``options`` are the reading options the file was read with.
    """
    path = Path(path)
    options = (options or ReadOptions()).with_defaults(sep, encoding)
    fmt = options.format_of(path)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    decompress = compress = None
    if suffix in (".zst", ".zip"):
        raise CurateError(f"cannot rewrite {suffix} files (gzip, bz2 and xz are supported)", file=path)
    if suffix in _COMPRESSORS:
        decompress, compress = _COMPRESSORS[suffix]
        data = decompress(data)
    encoding = options.text_encoding
    if fmt in ("csv", "tsv"):
        out = _rewrite_delimited(data, options.separator(path), options, deletes, updates, expected_rows,
                                 integer_columns, path)
    elif fmt == "jsonl":
        out = _rewrite_json_lines(data, encoding, deletes, updates, expected_rows, path)
    elif fmt == "json":
        out = _rewrite_json(data, encoding, deletes, updates, expected_rows, path)
    elif fmt == "parquet":
        out = _rewrite_parquet(path, deletes, updates)
    else:
        raise CurateError(f"cannot rewrite files of type '{path.suffix}'", file=path)
    return compress(out) if compress else out


def verify_written(
    path: Path,
    expected: pd.DataFrame,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    label: str | None = None,
    options: ReadOptions | None = None,
) -> None:
    """Read ``path`` back as curate reads data and compare with the frame the edits should give.

    Raises CurateError naming the first difference: a rewrite that does not read back as
    intended (say a new value pandas reads as missing, like the string 'NA') is never kept.
    """
    from curate.readers import read_table

    name = label or str(path)
    if len(expected) == 0:
        return  # every row deleted: a header-only file, which the readers reject as empty
    got = read_table(path, options, sep=sep, encoding=encoding)
    got.columns = [str(c) for c in got.columns]
    if list(got.columns) != list(expected.columns):
        raise CurateError(
            f"the rewritten file has columns {list(got.columns)}, expected {list(expected.columns)}", file=name
        )
    if len(got) != len(expected):
        raise CurateError(f"the rewritten file reads back as {len(got)} rows, expected {len(expected)}", file=name)
    for column in expected.columns:
        bad = _first_difference(expected[column], got[column])
        if bad is not None:
            from curate.corrections import show

            raise CurateError(
                f"the rewritten file does not read back as intended: row {bad} column '{column}' reads as "
                f"{show(_cell(got[column], bad))}, expected {show(_cell(expected[column], bad))} "
                "(a value the reader turns into something else, e.g. the string 'NA' in a CSV)",
                file=name,
            )


def _cell(values: pd.Series, position: int) -> Any:
    from curate.corrections import plain

    return plain(values.iat[position])


def _first_difference(a: pd.Series, b: pd.Series) -> int | None:
    """Position of the first value that differs (None == NaN; 1 == 1.0), or None."""
    from curate.corrections import plain

    left = a.astype(object).where(a.notna(), None).to_numpy(dtype=object)
    right = b.astype(object).where(b.notna(), None).to_numpy(dtype=object)
    try:
        equal = np.asarray(left == right, dtype=bool)
        if equal.shape != left.shape:
            raise ValueError
    except (ValueError, TypeError):  # nested values (lists, dicts) do not compare elementwise
        equal = np.array([plain(x) == plain(y) for x, y in zip(left, right)], dtype=bool)
    if equal.all():
        return None
    for position in np.flatnonzero(~equal):  # NaN-ish and numpy nested values: compare as JSON
        if plain(left[position]) != plain(right[position]):
            return int(position)
    return None


# =========================================================================== CSV / TSV


def _check_ascii_compatible(encoding: str, path: Path) -> None:
    try:
        probe = '\n\r,"\t;|'.encode(encoding)
    except LookupError as exc:
        raise CurateError(f"unknown encoding '{encoding}'", file=path) from exc
    if probe != b'\n\r,"\t;|':
        raise CurateError(
            f"cannot patch {encoding} files in place (only ASCII-compatible encodings such as UTF-8)", file=path
        )


def _csv_patterns(sep: bytes, quoted: bool = True, skip_spaces: bool = False) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(one field, one record) patterns; ``quoted=False`` (``quoting: none``): quotes are plain text;
    ``skip_spaces`` (``skip_initial_space``): a quoted field may follow the spaces after a separator."""
    s = re.escape(sep)
    stop = rb"(?:" + s + rb"|[\r\n])" if len(sep) > 1 else rb"[" + s + rb"\r\n]"
    plain_run = rb"(?:(?!" + stop + rb").)*" if len(sep) > 1 else rb"[^" + s + rb"\r\n]*"
    lead = rb" *" if skip_spaces else b""
    one = rb'(?:' + lead + rb'"[^"]*(?:""[^"]*)*"' + plain_run + rb"|" + plain_run + rb")" if quoted else plain_run
    return re.compile(one, re.DOTALL), re.compile(one + rb"(?:" + s + one + rb")*", re.DOTALL)


def _scan_records(data: bytes, record: re.Pattern[bytes]) -> list[tuple[int, int, int]]:
    """(start, end, end including the line ending) of every record, blank ones included."""
    records: list[tuple[int, int, int]] = []
    i, n = 0, len(data)
    while i < n:
        end = record.match(data, i).end()
        if data.startswith(b"\r\n", end):
            stop = end + 2
        elif end < n and data[end] in (10, 13):
            stop = end + 1
        else:
            stop = end
            if stop < n:  # cannot happen: a record ends at a line ending or the end of the file
                raise ValueError(f"unexpected byte at {stop}")
        records.append((i, end, stop))
        i = stop
    return records


def _field_spans(data: bytes, start: int, end: int, field: re.Pattern[bytes], sep: bytes) -> list[tuple[int, int]]:
    spans = []
    i = start
    while True:
        stop = field.match(data, i, end).end()
        spans.append((i, stop))
        if stop < end and data.startswith(sep, stop):
            i = stop + len(sep)
            continue
        return spans


def _unquote(raw: bytes, encoding: str) -> str:
    text = raw.decode(encoding)
    if text.startswith('"') and '"' in text[1:]:
        closing = text.rindex('"')
        text = text[1:closing].replace('""', '"') + text[closing + 1 :]
    return text


def _rewrite_delimited(
    data: bytes,
    sep: str,
    options: ReadOptions,
    deletes: set[int],
    updates: Updates,
    expected_rows: int,
    integer_columns: set[str] | frozenset[str],
    path: Path,
) -> bytes:
    encoding = options.text_encoding
    _check_ascii_compatible(encoding, path)
    sep_b = sep.encode(encoding)
    quoted = options.quoting != "none"
    field, record = _csv_patterns(sep_b, quoted, options.skip_initial_space)
    records = _scan_records(data, record)
    non_blank = [r for r in records if r[1] > r[0]]
    if not non_blank:
        raise CurateError("no header row", file=path)
    header, rows = (non_blank[0], non_blank[1:]) if options.header else (None, non_blank)
    if len(rows) != expected_rows:
        raise CurateError(
            f"cannot line up the file's records with its rows (the reader found {expected_rows} rows, the CSV "
            f"scanner {len(rows)} records), so it cannot be patched without rewriting untouched rows",
            file=path,
        )
    index = {name: i for i, name in enumerate(_column_names(data, header, rows, options, field, sep_b))}
    deleted_records = {rows[p][0] for p in deletes}
    patched: dict[int, bytes] = {}  # record start → new record bytes (without line ending)
    for position, values in updates.items():
        start, end, _ = rows[position]
        spans = _field_spans(data, start, end, field, sep_b)
        replaced = {}
        for column, value in values.items():
            if column not in index:
                raise CurateError(f"column '{column}' is not in the header", file=path)
            at = index[column]
            if at >= len(spans):
                raise CurateError(
                    f"data row {position + 1} has {len(spans)} fields, fewer than the header: "
                    f"cannot set column '{column}'",
                    file=path,
                )
            a, b = spans[at]
            # skip_initial_space: the spaces after the separator are layout, not the value: they stay
            lead = len(data[a:b]) - len(data[a:b].lstrip(b" ")) if options.skip_initial_space else 0
            if quoted:
                new = _csv_field(value, sep, data[a + lead : a + lead + 1] == b'"', column in integer_columns)
            else:
                new = _unquoted_field(value, sep, column in integer_columns, path)
            replaced[at] = data[a : a + lead] + new.encode(encoding)
        pieces = []
        for i, (a, b) in enumerate(spans):
            pieces.append(replaced.get(i, data[a:b]))
        patched[start] = sep_b.join(pieces)
    out = bytearray()
    for start, end, stop in records:
        if start in deleted_records:
            continue
        if start in patched:
            out += patched[start] + data[end:stop]
        else:
            out += data[start:stop]
    return bytes(out)


def _column_names(
    data: bytes,
    header: tuple[int, int, int] | None,
    rows: list[tuple[int, int, int]],
    options: ReadOptions,
    field: re.Pattern[bytes],
    sep: bytes,
) -> list[str]:
    """Column names in field order: ``names``, else the header record, else the reader's ``column_N``."""
    if options.names is not None:
        return list(options.names)
    if header is None:
        width = len(_field_spans(data, rows[0][0], rows[0][1], field, sep)) if rows else 0
        return [f"column_{i + 1}" for i in range(width)]
    spans = _field_spans(data, header[0], header[1], field, sep)
    raw = [data[a:b].lstrip(b" ") if options.skip_initial_space else data[a:b] for a, b in spans]
    names = [_unquote(r, options.text_encoding) if options.quoting != "none" else r.decode(options.text_encoding)
             for r in raw]
    if names:
        names[0] = names[0].lstrip("\ufeff")
    return names


def _unquoted_field(value: Any, sep: str, integral: bool, path: Path) -> str:
    """A field of a file read with ``quoting: none``: written as is, so it cannot hold the separator."""
    text = "" if value is None else _text_value(value, integral)
    if sep in text or "\n" in text or "\r" in text:
        raise CurateError(
            f"cannot write {text[:40]!r}: the file is read with 'quoting: none', so a field cannot hold "
            "the separator or a line break",
            file=path,
        )
    return text


def _csv_field(value: Any, sep: str, quoted: bool, integral: bool) -> str:
    """One CSV field for a new value: quoted when the old field was, or when the value needs it."""
    if value is None:
        return ""
    text = _text_value(value, integral)
    if quoted or text == "" or any(ch in text for ch in (sep, '"', "\r", "\n")) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_value(value: Any, integral: bool) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if integral and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# =========================================================================== JSON Lines / JSON

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _members(text: str, start: int) -> tuple[dict[str, tuple[int, int]], int]:
    """Value spans of a JSON object's members, and the index of its closing brace."""
    i = _ws(text, start)
    if i >= len(text) or text[i] != "{":
        raise ValueError("expected '{'")
    members: dict[str, tuple[int, int]] = {}
    i = _ws(text, i + 1)
    if text[i] == "}":
        return members, i
    while True:
        if text[i] != '"':
            raise ValueError("expected a member name")
        name, i = scanstring(text, i + 1)
        i = _ws(text, i)
        if text[i] != ":":
            raise ValueError("expected ':'")
        i = _ws(text, i + 1)
        _, end = _DECODER.raw_decode(text, i)
        members[name] = (i, end)
        i = _ws(text, end)
        if text[i] == ",":
            i = _ws(text, i + 1)
            continue
        if text[i] == "}":
            return members, i
        raise ValueError("expected ',' or '}'")


def _elements(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """Spans of a JSON array's elements, and the index of its closing bracket."""
    i = _ws(text, start)
    if text[i] != "[":
        raise ValueError("expected '['")
    spans: list[tuple[int, int]] = []
    i = _ws(text, i + 1)
    if text[i] == "]":
        return spans, i
    while True:
        _, end = _DECODER.raw_decode(text, i)
        spans.append((i, end))
        i = _ws(text, end)
        if text[i] == ",":
            i = _ws(text, i + 1)
            continue
        if text[i] == "]":
            return spans, i
        raise ValueError("expected ',' or ']'")


def _json_value(value: Any, context: str) -> str:
    return json.dumps(value, ensure_ascii=context.isascii(), allow_nan=False)


def _patch_object(text: str, values: dict[str, Any]) -> str:
    """A JSON object's text with some members' values replaced (missing members appended)."""
    members, close = _members(text, 0)
    edits = []
    missing = []
    for column, value in values.items():
        if column in members:
            a, b = members[column]
            edits.append((a, b, _json_value(value, text)))
        else:
            missing.append((column, value))
    out = text
    if missing:
        comma = "," if members else ""
        extra = "".join(
            f"{comma if i == 0 else ','} {json.dumps(c, ensure_ascii=text.isascii())}: {_json_value(v, text)}"
            for i, (c, v) in enumerate(missing)
        )
        out = out[:close] + extra + out[close:]
    for a, b, new in sorted(edits, reverse=True):
        out = out[:a] + new + out[b:]
    return out


def _rewrite_json_lines(
    data: bytes, encoding: str, deletes: set[int], updates: Updates, expected_rows: int, path: Path
) -> bytes:
    lines = data.splitlines(keepends=True) if b"\r" not in data else re.findall(rb"[^\n]*\n|[^\n]+$", data)
    records = [i for i, line in enumerate(lines) if line.strip()]
    if len(records) != expected_rows:
        raise CurateError(
            f"cannot line up the file's lines with its rows (the reader found {expected_rows} rows, "
            f"{len(records)} non-blank lines)",
            file=path,
        )
    drop = {records[p] for p in deletes}
    for position, values in updates.items():
        i = records[position]
        raw = lines[i]
        body = raw.rstrip(b"\r\n")
        ending = raw[len(body) :]
        text = body.decode(encoding)
        try:
            lines[i] = _patch_object(text, values).encode(encoding) + ending
        except ValueError as exc:
            raise CurateError(f"cannot patch this line: {exc}", file=path, line=i + 1) from exc
    return b"".join(line for i, line in enumerate(lines) if i not in drop)


def _rewrite_json(
    data: bytes, encoding: str, deletes: set[int], updates: Updates, expected_rows: int, path: Path
) -> bytes:
    text = data.decode(encoding)
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return _rewrite_json_lines(data, encoding, deletes, updates, expected_rows, path)  # JSON Lines named .json
    try:
        start = _ws(text, 0)
        if text[start] == "{":
            members, _ = _members(text, start)
            lists = [span for span in members.values() if text[span[0]] == "["]
            if len(lists) != 1:
                raise CurateError('cannot patch a JSON object that is not {"<name>": [rows]}', file=path)
            start = lists[0][0]
        spans, _ = _elements(text, start)
    except ValueError as exc:
        raise CurateError(f"cannot patch this JSON file: {exc}", file=path) from exc
    if len(spans) != expected_rows:
        raise CurateError(
            f"cannot line up the JSON array ({len(spans)} elements) with its {expected_rows} rows", file=path
        )
    pieces: list[str] = []
    for i, (a, b) in enumerate(spans):
        if i in deletes:
            continue
        element = text[a:b]
        if i in updates:
            element = _patch_object(element, updates[i])
        if pieces:  # i > 0: keep the separator this element had before it
            pieces.append(text[spans[i - 1][1] : a])
        pieces.append(element)
    head = text[: spans[0][0]] if spans else text
    tail = text[spans[-1][1] :] if spans else ""
    return (head + "".join(pieces) + tail).encode(encoding)


# =========================================================================== Parquet


def _rewrite_parquet(path: Path, deletes: set[int], updates: Updates) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        table = parquet.read()
    except (pa.ArrowInvalid, OSError) as exc:
        raise unreadable_parquet(exc, path) from exc
    meta = parquet.metadata
    compression = "snappy"
    row_group_size = None
    if meta.num_row_groups and meta.num_columns:
        compression = str(meta.row_group(0).column(0).compression).lower()
        row_group_size = meta.row_group(0).num_rows or None
    compression = "none" if compression == "uncompressed" else compression
    by_column: dict[str, dict[int, Any]] = {}
    for position, values in updates.items():
        for column, value in values.items():
            by_column.setdefault(column, {})[position] = value
    for column, values in by_column.items():
        at = table.schema.get_field_index(column)
        if at < 0:
            raise CurateError(f"column '{column}' is not in the file", file=path)
        field = table.schema.field(at)
        cells = table.column(at).to_pylist()
        for position, value in values.items():
            cells[position] = value
        try:
            table = table.set_column(at, field, pa.array(cells, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise CurateError(
                f"cannot store the new value(s) of '{column}' as {field.type}: {exc}".splitlines()[0], file=path
            ) from exc
    if deletes:
        keep = np.ones(table.num_rows, dtype=bool)
        keep[sorted(deletes)] = False
        table = table.filter(pa.array(keep))
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression=compression,
        row_group_size=row_group_size,
        use_compliant_nested_type=not _legacy_list_names(table.schema),
    )
    return sink.getvalue().to_pybytes()


def _legacy_list_names(schema: Any) -> bool:
    """True when the file names list items ``item`` (older writers) rather than ``element``."""
    import pyarrow as pa

    def walk(kind: Any) -> bool:
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            return kind.value_field.name == "item" or walk(kind.value_type)
        if pa.types.is_struct(kind):
            return any(walk(kind.field(i).type) for i in range(kind.num_fields))
        if pa.types.is_map(kind):
            return walk(kind.item_type)
        return False

    return any(walk(field.type) for field in schema)
