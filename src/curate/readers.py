"""Read one data file into a DataFrame, turning every parser failure into a located error.

pandas and pyarrow do the parsing; this module only knows how to name the file, line and
column of a problem (a ragged CSV row, a bad byte, a broken JSON line) in one sentence.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path
from typing import IO

import pandas as pd

from curate.confine import decompress_error, is_compressed, open_decompressed
from curate.errors import CurateError
from curate.layout import file_format

_CSV_LINE = re.compile(r"line (\d+)")
_CSV_ROW = re.compile(r"row (\d+)")


def read_table(path: Path, *, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/JSON/JSONL/Parquet file; raise CurateError naming what is wrong."""
    fmt = file_format(path)
    encoding = _known_encoding(encoding or "utf-8", path)
    if path.stat().st_size == 0:
        raise CurateError("file is empty", file=path)
    try:
        if fmt in ("csv", "tsv"):
            frame = _read_csv(path, sep or ("\t" if fmt == "tsv" else ","), encoding)
        elif fmt == "jsonl":
            frame = _read_json_lines(path, encoding)
        elif fmt == "json":
            frame = _read_json(path, encoding)
        elif fmt == "parquet":
            frame = _read_parquet(path)
        else:
            raise CurateError(f"unsupported file type '{path.suffix}'", file=path)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding) from exc
    except (EOFError, OSError, ValueError) as exc:
        if not is_compressed(path) or isinstance(exc, CurateError):
            raise
        raise decompress_error(path, exc) from exc
    return frame


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


def _read_csv(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    try:
        with _open(path) as handle:
            return pd.read_csv(handle, sep=sep, encoding=encoding, compression=None)
    except pd.errors.EmptyDataError as exc:
        raise CurateError("file is empty (no header row)", file=path) from exc
    except pd.errors.ParserError as exc:
        text = str(exc).strip().splitlines()[-1]
        match = _CSV_LINE.search(text) or _CSV_ROW.search(text)
        line = int(match.group(1)) if match else None
        detail = text.split("C error: ")[-1]
        raise CurateError(f"malformed CSV: {detail}", file=path, line=line) from exc


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
        raise CurateError(f"not a readable Parquet file: {exc}".splitlines()[0], file=path) from exc


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
                f"cannot decode byte 0x{raw[exc.start]:02x} as {encoding}; set 'dataset: {{encoding: latin-1}}' "
                "(or the file's real encoding) in curate.yaml",
                file=path,
                line=number,
                column=exc.start + 1,
            )
    return CurateError(f"cannot decode as {encoding}", file=path)


def record_lines(path: Path, *, sep: str | None = None, encoding: str | None = None) -> list[int] | None:
    """1-based line number where each record of a text file starts (None for binary formats).

    Used only to point CI annotations at real lines, so it runs lazily, for a handful of
    findings, not on every check.
    """
    fmt = file_format(path)
    if fmt not in ("csv", "tsv", "jsonl") or path.suffix.lower() in (".gz", ".bz2", ".xz", ".zst", ".zip"):
        return None
    encoding = encoding or "utf-8"
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        if fmt == "jsonl":
            return [n for n, line in enumerate(handle, start=1) if line.strip()]
        reader = csv.reader(handle, delimiter=sep or ("\t" if fmt == "tsv" else ","))
        starts: list[int] = []
        line_before = 0
        header_seen = False
        for record in reader:
            if record and header_seen:  # pandas skips blank lines and the header too
                starts.append(line_before + 1)
            header_seen = header_seen or bool(record)
            line_before = reader.line_num
        return starts

