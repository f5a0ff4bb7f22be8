"""Read one data file into a DataFrame, turning every parser failure into a located error.

pandas and pyarrow do the parsing; this module only knows how to name the file, line and
column of a problem (a ragged CSV row, a bad byte, a broken JSON line) in one sentence, and
how to apply the suite's reading options (:class:`ReadOptions`), which exist because real
files are often not what their extension says: headerless ``.data`` tables, TSV corpora whose
fields are never quoted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Iterator

import pandas as pd

from curate.confine import decompress_error, is_compressed, open_decompressed
from curate.errors import CurateError
from curate.layout import FORMATS, file_format

_CSV_LINE = re.compile(r"line (\d+)")
_CSV_ROW = re.compile(r"row (\d+)")
TEXT_FORMATS = ("csv", "tsv")
READ_FORMATS = tuple(dict.fromkeys(FORMATS.values()))  # csv, tsv, json, jsonl, parquet


@dataclass(frozen=True)
class ReadOptions:
    """How to read a dataset's files (the suite's ``dataset:`` reading options).

    ``None`` everywhere means "as the file's extension says": CSV with a header row and
    minimal quoting, UTF-8. ``header=False`` makes the first record data (``names`` then
    names the columns; with a header, ``names`` replaces it). ``quoting="none"`` reads
    quote characters as text: the right reading of corpora whose fields are never quoted,
    where the default would let an unbalanced quote swallow the records after it.
    """

    format: str | None = None
    sep: str | None = None
    header: bool = True
    names: tuple[str, ...] | None = None
    quoting: str | None = None  # None (minimal, the CSV convention) or "none"
    encoding: str | None = None
    skip_initial_space: bool = False

    def with_defaults(self, sep: str | None = None, encoding: str | None = None) -> "ReadOptions":
        """These options, with ``sep``/``encoding`` filled in where they are unset (e.g. from a card)."""
        return replace(self, sep=self.sep or sep, encoding=self.encoding or encoding)

    def format_of(self, path: Path) -> str | None:
        """The reader format of ``path``: the ``format`` option, else its extension."""
        return self.format or file_format(path)

    def separator(self, path: Path) -> str:
        return self.sep or ("\t" if self.format_of(path) == "tsv" else ",")

    @property
    def text_encoding(self) -> str:
        return self.encoding or "utf-8"

    @property
    def is_default(self) -> bool:
        return self == ReadOptions(encoding=self.encoding)


def read_table(
    path: Path, options: ReadOptions | None = None, *, sep: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a CSV/TSV/JSON/JSONL/Parquet file; raise CurateError naming what is wrong."""
    options = readable((options or ReadOptions()).with_defaults(sep, encoding), path)
    fmt = options.format_of(path)
    try:
        if fmt in TEXT_FORMATS:
            frame = _read_csv(path, options)
        elif fmt == "jsonl":
            frame = _read_json_lines(path, options.text_encoding)
        elif fmt == "json":
            frame = _read_json(path, options.text_encoding)
        elif fmt == "parquet":
            frame = _read_parquet(path)
        else:
            raise CurateError(
                f"unsupported file type '{path.suffix}'; set 'format:' under dataset: in curate.yaml "
                f"({', '.join(READ_FORMATS)})",
                file=path,
            )
    except UnicodeDecodeError as exc:
        raise _decode_error(path, options.text_encoding) from exc
    except (EOFError, OSError, ValueError) as exc:
        if not is_compressed(path) or isinstance(exc, CurateError):
            raise
        raise decompress_error(path, exc) from exc
    return frame


def readable(options: ReadOptions, path: Path) -> ReadOptions:
    """``options`` for ``path`` after the errors a file gets before any of it is read (an unknown
    encoding, an empty file, ``header: false`` on a format without a header row); engines that read
    a file in pieces ask this first so their errors are :func:`read_table`'s."""
    options = replace(options, encoding=_known_encoding(options.text_encoding, path))
    fmt = options.format_of(path)
    if path.stat().st_size == 0:
        raise CurateError("file is empty", file=path)
    if fmt not in TEXT_FORMATS and not options.header:
        raise CurateError(f"'header: false' applies to CSV/TSV files; this is {fmt or path.suffix}", file=path)
    return options


def _known_encoding(encoding: str, path: Path) -> str:
    """The encoding name, or a located error when Python does not know it (a suite typo)."""
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise CurateError(f"unknown encoding '{encoding}' (e.g. utf-8, latin-1, cp1252)", file=path) from exc
    return encoding


def _open(path: Path) -> IO[bytes]:
    """The file's bytes: a bounded decompressing stream for .gz/.bz2/.xz/.zst/.zip, else the file."""
    return open_decompressed(path) if is_compressed(path) else open(path, "rb")


def _open_text(path: Path, encoding: str) -> IO[str]:
    return io.TextIOWrapper(_open(path), encoding=encoding)


def csv_arguments(path: Path, options: ReadOptions) -> dict:
    """The ``pandas.read_csv`` arguments for these options (shared with the misreading sniffer)."""
    args: dict = {"sep": options.separator(path), "encoding": options.text_encoding}
    if not options.header:
        args["header"] = None
    if options.names is not None:
        args["names"] = list(options.names)
        if options.header:
            args["header"] = 0  # the file's own header row is replaced
    if options.quoting == "none":
        args["quoting"] = csv.QUOTE_NONE
    if options.skip_initial_space:
        args["skipinitialspace"] = True
    return args


def csv_dialect(path: Path, options: ReadOptions) -> dict:
    """The stdlib ``csv.reader`` arguments that read records as ``pandas.read_csv`` does with these options."""
    return {
        "delimiter": options.separator(path),
        "quoting": csv.QUOTE_NONE if options.quoting == "none" else csv.QUOTE_MINIMAL,
        "skipinitialspace": options.skip_initial_space,
    }


def _read_csv(path: Path, options: ReadOptions) -> pd.DataFrame:
    args = csv_arguments(path, options)
    if options.names is not None:
        _check_names(path, options, args["sep"])
    try:
        with _open(path) as handle:
            frame = pd.read_csv(handle, compression=None, **args)
    except pd.errors.EmptyDataError as exc:
        raise CurateError("file is empty (no header row)", file=path) from exc
    except pd.errors.ParserError as exc:
        text = str(exc).strip().splitlines()[-1]
        match = _CSV_LINE.search(text) or _CSV_ROW.search(text)
        line = int(match.group(1)) if match else None
        detail = text.split("C error: ")[-1]
        raise CurateError(f"malformed CSV: {detail}", file=path, line=line) from exc
    if not options.header and options.names is None:
        frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
    return frame


def _check_names(path: Path, options: ReadOptions, sep: str) -> None:
    """``names`` must name every field: pandas would silently turn extra leading fields into an index."""
    first = first_record(path, options)
    if first is not None and len(first) != len(options.names or ()):
        raise CurateError(
            f"'names' lists {len(options.names or ())} column(s) but the first record has {len(first)} field(s) "
            f"(separator {sep!r})",
            file=path,
            line=1,
        )


def first_record(path: Path, options: ReadOptions) -> list[str] | None:
    """The first non-blank record of a CSV/TSV file as raw fields (the header, when it has one)."""
    with open_text(path, options.text_encoding) as handle:
        head = handle.read(1 << 20)
    for record in csv.reader(io.StringIO(head), **csv_dialect(path, options)):
        if record:
            return record
    return None


def open_text(path: Path, encoding: str) -> IO[str]:
    """A data file as text (bounded decompression as in :func:`_open`; undecodable bytes replaced)."""
    return io.TextIOWrapper(_open(path), encoding=encoding, errors="replace", newline="")


def _read_json_lines(path: Path, encoding: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.json as pj

    if encoding.lower().replace("-", "") in ("utf8",):
        try:
            with _open(path) as handle:
                table = pj.read_json(handle)
            try:
                table.validate(full=True)  # pyarrow's JSON reader does not check that strings are UTF-8
            except pa.ArrowInvalid as exc:
                raise _decode_error(path, encoding) from exc
            return table.to_pandas()
        except pa.ArrowInvalid as exc:
            if "changed from" not in str(exc):  # a syntax error: find it exactly
                _raise_first_json_line_error(path, encoding)
                raise CurateError(f"malformed JSON Lines: {exc}", file=path) from exc
    # mixed types within a column, or a non-UTF-8 encoding: parse record by record
    records = []
    with _open_text(path, encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                records.append(_json_object(line, path, number))
    return pd.DataFrame.from_records(records)


def _json_object(line: str, path: Path, number: int) -> dict:
    try:
        value = json.loads(line)
    except RecursionError as exc:
        raise CurateError("JSON nested too deeply", file=path, line=number) from exc
    except json.JSONDecodeError as exc:
        raise CurateError(f"malformed JSON: {exc.msg}", file=path, line=number, column=exc.colno) from exc
    if not isinstance(value, dict):
        raise CurateError("expected a JSON object on each line", file=path, line=number)
    return value


def _raise_first_json_line_error(path: Path, encoding: str) -> None:
    with _open_text(path, encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                _json_object(line, path, number)


def _read_json(path: Path, encoding: str) -> pd.DataFrame:
    with _open_text(path, encoding) as handle:
        text = handle.read()
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise CurateError("JSON nested too deeply", file=path) from exc
    except json.JSONDecodeError as exc:
        first = text.lstrip()[:1]
        if first == "{" and "\n" in text.strip():  # JSON Lines saved with a .json suffix
            return _read_json_lines(path, encoding)
        raise CurateError(f"malformed JSON: {exc.msg}", file=path, line=exc.lineno, column=exc.colno) from exc
    if isinstance(value, dict):
        lists = [k for k, v in value.items() if isinstance(v, list)]
        if len(lists) == 1:  # {"data": [...]} as datasets' `field` option would read it
            value = value[lists[0]]
        else:
            return pd.DataFrame.from_records([value])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CurateError("expected a list of JSON objects (one per row)", file=path)
    return pd.DataFrame.from_records(value)


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise unreadable_parquet(exc, path) from exc


_OPENING = re.compile(r"^Could not open Parquet input source '.*?': ")


def unreadable_parquet(exc: BaseException, path: Path, where: str = "") -> CurateError:
    """The one located error for a Parquet file pyarrow cannot read (whichever engine read it):
    pyarrow's first line, without its own "Could not open … '<path>'" (the location names the
    file), and ``where`` in the file (a row group) when known."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return CurateError(f"not a readable Parquet file: {_OPENING.sub('', first)}{where}", file=path)


# --------------------------------------------------------------------------- pieces of a file

CSV_BLOCK_BYTES = 1 << 20  # pandas' C parser converts a CSV in blocks of about this many cells' worth of rows


class NotStreamable(Exception):
    """This file cannot be read in pieces whose values are exactly those of :func:`read_table`
    (a JSON document, a multi-character separator, JSON Lines whose pieces type a field
    differently, dictionary-encoded Parquet): the caller reads it whole."""


def csv_block_rows(width: int) -> int:
    """The rows of one block of pandas' C parser for a file of ``width`` fields (its
    ``buffer_lines``). A whole-file read infers each block's types on its own and concatenates
    them, so a piece that is one block parses exactly what a whole-file read parses there."""
    heuristic = CSV_BLOCK_BYTES // max(width, 1)
    rows = 1
    while rows * 2 < heuristic:
        rows *= 2
    return rows


def read_pieces(
    path: Path, options: ReadOptions, rows: int, columns: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """The file's rows in consecutive pieces of at most ``rows`` rows (CSV/TSV: exactly one block
    of pandas' parser, whatever ``rows`` says, see :func:`csv_block_rows`), holding ``columns``
    (None: all) with the reading options of :func:`read_table`.

    Parquet is read by batches of its row groups, CSV/TSV block by block, JSON Lines in chunks of
    lines. Each piece's values are a whole-file read's, except that dtypes are inferred per piece
    (a column of integers with a missing value in one piece is float there): the caller unifies
    them (:mod:`curate.engines.streaming`). A CSV piece is one block because pandas types a
    column block by block and joins the blocks' arrays: a piece of two blocks, one of integers and
    one of decimals, would be floats where the whole file, text elsewhere, keeps Python ints.
    Raises :class:`NotStreamable` when a piece cannot be exact, and the reader's own errors otherwise."""
    options = readable(options, path)
    fmt = options.format_of(path)
    if fmt in TEXT_FORMATS:
        yield from _csv_pieces(path, options, rows, columns)
    elif fmt == "jsonl":
        yield from _jsonl_pieces(path, options, rows, columns)
    elif fmt == "parquet":
        yield from _parquet_pieces(path, rows, columns)
    else:
        raise NotStreamable(f"{fmt or path.suffix} files are read whole")


def _csv_pieces(path: Path, options: ReadOptions, rows: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    args = csv_arguments(path, options)
    if len(args["sep"]) != 1:
        raise NotStreamable("a multi-character separator is parsed by pandas' Python engine, whole")
    if options.names is not None:
        _check_names(path, options, args["sep"])
    first = first_record(path, options)
    if not first:
        raise NotStreamable("no header record")
    block = csv_block_rows(len(first))
    names = csv_names(first, options)
    if columns is not None and names is not None:
        args["usecols"] = [i for i, name in enumerate(names) if name in set(columns)]
    with _open(path) as handle:
        with pd.read_csv(handle, compression=None, chunksize=block, **args) as reader:
            for piece in reader:
                if not options.header and options.names is None:
                    positions = args.get("usecols", range(piece.shape[1]))
                    piece.columns = [f"column_{i + 1}" for i in positions]
                yield piece


def csv_names(first: list[str], options: ReadOptions) -> list[str] | None:
    """The column names of a CSV/TSV by field position, when they are certain before parsing
    (else None: read every column). Header names that repeat or carry a byte-order mark are
    renamed by pandas, so they are left to it."""
    if options.names is not None:
        return list(options.names)
    if not options.header:
        return [f"column_{i + 1}" for i in range(len(first))]
    if len(set(first)) != len(first) or any(name.startswith("\ufeff") or name == "" for name in first):
        return None
    return list(first)


def _jsonl_pieces(path: Path, options: ReadOptions, rows: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.json as pj

    if options.text_encoding.lower().replace("-", "") != "utf8":
        raise NotStreamable("JSON Lines in another encoding than UTF-8 are parsed record by record, whole")
    schema = None
    with _open(path) as handle:
        for lines in _line_chunks(handle, rows):
            try:
                table = pj.read_json(io.BytesIO(b"".join(lines)))
                table.validate(full=True)
            except pa.ArrowInvalid as exc:
                raise NotStreamable(f"JSON Lines piece: {exc}") from exc
            if schema is None:
                schema = table.schema
            elif not table.schema.equals(schema):
                raise NotStreamable("JSON Lines whose pieces type a field differently")
            if any(pa.types.is_null(field.type) for field in schema):
                raise NotStreamable("a JSON Lines field without values in a piece")
            if columns is not None:
                table = table.select([name for name in table.column_names if name in set(columns)])
            yield table.to_pandas()


def _line_chunks(handle: IO[bytes], rows: int) -> Iterator[list[bytes]]:
    """Non-blank lines, ``rows`` at a time (each ending with a newline)."""
    chunk: list[bytes] = []
    for line in handle:
        if not line.strip():
            continue
        chunk.append(line if line.endswith(b"\n") else line + b"\n")
        if len(chunk) == rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Byte ranges of a text file: pieces another process can read on its own (the Dask engine's).
WHITESPACE = list(b" \t\r\x0b\x0c")  # what pandas and JSON Lines skip a line of
ASCII_COMPATIBLE = ("utf8", "ascii", "latin1", "iso88591", "cp1252", "usascii")  # a newline byte is a newline


SCAN_BYTES = 2 << 20  # bytes of a file looked at at once when finding its record boundaries
MAX_SPACED_LINES = 1024  # lines per scanned block beginning with whitespace (each re-read to see if it is blank)


def record_starts(path: Path, options: ReadOptions, every: int) -> list[int]:
    """Byte offsets at which data records 0, ``every``, 2 × ``every``, … begin in a CSV/TSV or
    JSON Lines file (the header and blank lines not counted), and the file's size last.

    A record ends at a newline outside quotes: one where the count of quote characters before it
    is even, as in a file whose quotes all open, close or double inside quoted fields (with
    ``quoting: none``, and in JSON Lines, every newline). A quote inside an unquoted field breaks
    that rule, so the caller must compare the ranges' rows with a whole read.
    :class:`NotStreamable` says the offsets cannot even be looked for: a compressed file, an
    encoding whose bytes are not ASCII's, a carriage return ending a line on its own (a newline to
    pandas), more than :data:`MAX_SPACED_LINES` lines in a scanned block that begin with
    whitespace (each is re-read to see whether it is blank, which pandas skips)."""
    import numpy as np

    options = readable(options, path)
    fmt = options.format_of(path)
    if fmt not in TEXT_FORMATS + ("jsonl",):
        raise NotStreamable(f"{fmt} files are read whole")
    if is_compressed(path):
        raise NotStreamable("a compressed file has no byte offsets to start from")
    if codecs.lookup(options.text_encoding).name.replace("-", "").replace("_", "") not in ASCII_COMPATIBLE:
        raise NotStreamable(f"{options.text_encoding} bytes are not ASCII's")
    quotes = fmt in TEXT_FORMATS and options.quoting != "none"
    skip = 1 if fmt in TEXT_FORMATS and options.header else 0  # the header record
    found: list[np.ndarray] = []
    record, start, odd, base, cr_last = 0, 0, False, 0, False  # start: where the open record begins

    def count(heads: np.ndarray) -> None:  # the non-blank records beginning at ``heads``, in order
        nonlocal record
        number = record + np.arange(len(heads))
        found.append(heads[(number >= skip) & ((number - skip) % every == 0)])
        record += len(heads)

    with open(path, "rb") as handle:
        while block := handle.read(SCAN_BYTES):
            data = np.frombuffer(block, dtype=np.uint8)
            cr = np.flatnonzero(data == 13)
            if (cr_last and data[0] != 10) or np.any(data[cr[cr + 1 < len(data)] + 1] != 10):
                raise NotStreamable("a carriage return ends a line on its own")
            cr_last = bool(data[-1] == 13)
            lf = np.flatnonzero(data == 10)
            if quotes:
                quoted = np.flatnonzero(data == 34)
                parity = (np.searchsorted(quoted, lf) + odd) % 2  # quote characters before each newline
                lf = lf[parity == 0]
                odd = (len(quoted) + odd) % 2
            ends = lf + base
            heads = np.concatenate([[start], ends[:-1] + 1]).astype(np.int64) if len(ends) else np.zeros(0, np.int64)
            first = data[np.clip(heads - base, 0, len(data) - 1)]
            if len(heads) and heads[0] < base:  # the record begun in an earlier block
                first[0] = os.pread(handle.fileno(), 1, int(heads[0]))[0]
            blank = ends == heads
            maybe = ~blank & np.isin(first, WHITESPACE)  # a line of whitespace only?
            if np.count_nonzero(maybe) > MAX_SPACED_LINES:
                raise NotStreamable("many lines begin with whitespace")
            for i in np.flatnonzero(maybe).tolist():
                blank[i] = _only_whitespace(handle.fileno(), int(heads[i]), int(ends[i]))
            count(heads[~blank])
            if len(ends):
                start = int(ends[-1]) + 1
            base += len(data)
        if start < base and not _only_whitespace(handle.fileno(), start, base):  # a last record without a newline
            count(np.array([start], dtype=np.int64))
    return [int(x) for part in found for x in part] + [base]


def _only_whitespace(fd: int, start: int, stop: int) -> bool:
    """Whether bytes ``start:stop`` of the file are all whitespace (read a MiB at a time)."""
    while start < stop:
        if os.pread(fd, min(stop - start, 1 << 20), start).strip():
            return False
        start += 1 << 20
    return True


def read_span(path: Path, options: ReadOptions, start: int, stop: int, names: list[str], block: int,
              columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The rows of bytes ``start:stop`` of a CSV/TSV or JSON Lines file (whole records, from
    :func:`record_starts`), named ``names``, ``columns`` only (None: all): CSV/TSV in pieces of
    ``block`` rows, as :func:`read_pieces` parses them, JSON Lines as one piece."""
    options = readable(options, path)
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(stop - start)
    if options.format_of(path) == "jsonl":
        import pyarrow.json as pj

        lines = next(_line_chunks(io.BytesIO(data), -1), [])
        table = pj.read_json(io.BytesIO(b"".join(lines)))
        if columns is not None:
            table = table.select([name for name in table.column_names if name in set(columns)])
        yield table.to_pandas()
        return
    args = csv_arguments(path, options)
    args.update(header=None, names=list(names))
    if columns is not None:
        args["usecols"] = [name for name in names if name in set(columns)]
    with pd.read_csv(io.BytesIO(data), compression=None, chunksize=block, **args) as reader:
        yield from reader


def _parquet_pieces(path: Path, rows: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise NotStreamable(str(exc)) from exc
    schema = handle.schema_arrow
    if any(pa.types.is_dictionary(field.type) for field in schema):
        raise NotStreamable("dictionary-encoded columns (categories are unified over the whole file)")
    selected = None if columns is None else [name for name in schema.names if name in set(columns)]
    with handle:
        for batch in handle.iter_batches(batch_size=rows, columns=selected, use_pandas_metadata=columns is None):
            yield pa.Table.from_batches([batch]).to_pandas().reset_index(drop=True)


def suggested_encoding(data: bytes) -> str:
    """The encoding to suggest for bytes that are not UTF-8: Windows-1252 when it decodes them and
    they use its printable characters in 0x80-0x9F (curly quotes, dashes, the euro sign), which
    Latin-1 would read as invisible control characters; Latin-1 otherwise (it decodes any byte)."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252" if re.search(rb"[\x80-\x9f]", data) else "latin-1"


def _decode_error(path: Path, encoding: str) -> CurateError:
    """Find the first line that does not decode and say so, with a hint."""
    if is_compressed(path):
        return CurateError(f"cannot decode the decompressed content as {encoding}", file=path)
    data = path.read_bytes()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as exc:
            return CurateError(
                f"cannot decode byte 0x{raw[exc.start]:02x} as {encoding}; set 'dataset: {{encoding: "
                f"{suggested_encoding(data)}}}' (or the file's real encoding) in curate.yaml",
                file=path,
                line=number,
                column=exc.start + 1,
            )
    return CurateError(f"cannot decode as {encoding}", file=path)


def record_lines(
    path: Path, options: ReadOptions | None = None, *, sep: str | None = None, encoding: str | None = None
) -> list[int] | None:
    """1-based line number where each record of a text file starts (None for binary formats).

    Used only to point CI annotations at real lines, so it runs lazily, for a handful of
    findings, not on every check.
    """
    options = (options or ReadOptions()).with_defaults(sep, encoding)
    fmt = options.format_of(path)
    if fmt not in ("csv", "tsv", "jsonl") or path.suffix.lower() in (".gz", ".bz2", ".xz", ".zst", ".zip"):
        return None
    with open(path, encoding=options.text_encoding, errors="replace", newline="") as handle:
        if fmt == "jsonl":
            return [n for n, line in enumerate(handle, start=1) if line.strip()]
        reader = csv.reader(handle, **csv_dialect(path, options))
        starts: list[int] = []
        line_before = 0
        header_seen = not options.header
        for record in reader:
            if record and header_seen:  # pandas skips blank lines and the header too
                starts.append(line_before + 1)
            header_seen = header_seen or bool(record)
            line_before = reader.line_num
        return starts
