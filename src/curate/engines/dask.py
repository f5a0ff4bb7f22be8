"""The Dask engine (``curate check --engine dask [--scheduler ADDRESS]``): rows stay on the workers.

Reading. A split is a list of *pieces*, read on the workers when a task needs them and dropped
when it ends (nothing is persisted), so a worker holds the pieces its running tasks read, not its
share of the dataset:

* a Parquet file is one piece per row group, read with pyarrow (``ParquetFile.read_row_group``),
  only the columns the task needs. Values are those of the pandas loader, which converts the whole
  file at once (``pyarrow.Table.to_pandas``): a row group converts to the same dtypes except that
  an integer or boolean column with nulls elsewhere in the file would come out ``int64`` /
  ``bool`` where the file's column is ``float64`` / ``object``, so the file's null counts (from its
  footer's statistics, else counted on a worker) decide a cast per column. Strings are pandas'
  own string dtype, as the loader reads them (``dask.dataframe``'s reader, with its
  ``dataframe.convert-string`` default, would give pyarrow strings with ``pd.NA``; it is not used);
* a CSV/TSV or JSON Lines file over :data:`SPAN_BYTES` is one piece per byte range of about
  :data:`SPAN_ROWS` rows (CSV/TSV: whole blocks of pandas' parser), cut at record boundaries
  found in the bytes (:func:`curate.readers.record_starts`: newlines outside quotes). A range is
  parsed on its own, without a header, block by block, each block cast to the whole file's dtypes
  (as the streamed pandas engine casts its pieces, :mod:`curate.engines.streaming`). The ranges are
  used only when a read-back at loading shows them exact: on one worker, every range's blocks are
  compared with the blocks the streamed pandas engine reads from the whole file (rows, columns,
  dtypes, values). ``dask.dataframe.read_csv`` has no such guarantee: it types each byte block on
  its own (a column of numbers with one ``n/a`` in a late block is ``int64`` in one partition and
  text in another) and cuts blocks at newlines inside quoted fields;
* every other file (JSON documents, compressed files, small files, and text files whose ranges do
  not read back exactly: a quote inside an unquoted field, a lone carriage return, header names
  pandas renames) is one piece, read whole with curate's own reader
  (:func:`curate.readers.read_table`) by the task that needs it. Memory for these files is bounded
  by the largest of them, not by a partition.

The client holds no rows. It reads Parquet footers (row counts, columns, statistics); what loading
asks of the rows is asked of the workers piece by piece (:class:`DaskSplit`): misreading notes
(each piece names the columns that may hold mangled ids, :func:`curate.sniff.mangled_candidates`,
and only those are read whole), whether an id-like column is unique (64-bit hashes per piece; a
repeated hash is settled on the column's values), and the row keys. Keys are the one step that
needs the global view of a split: a repeated key gets a ``~N`` suffix in row order, so each
piece's base keys (key column as text, or a hash of the row, see :func:`curate.dataset.base_keys`)
are computed on the workers and gathered, in row order, to the client, which suffixes them with
the pandas engine's :func:`curate.dataset.suffix_repeats`.

Running. A partitioned family (``needs = "partitions"``) has its ``map`` run per piece on the
workers: one task reads the piece's plan columns and maps them; the check and the plan are sent to
the cluster once per pass, and the small states come back for ``combine`` / ``judge`` on the
client. A collecting family reads ``split.frame``: the split's pieces are read and gathered to the
client and concatenated once (as the pandas loader concatenates files), then kept for the
following families.

Band keys. The MinHash families' LSH band keys (4 bytes per band per text) are part of their first
pass's states, gathered and paired on the client, up to the Dask config :data:`BAND_KEYS_ON_CLIENT`.
Above it the first pass leaves them out and each batch's candidates come from a shuffle on the
workers (:meth:`DaskEngine.band_candidates`), so that the client's memory does not grow by them
with the rows. Gathering is the default below the bound because it is the faster on a few workers:
the shuffle sketches every text a second time and moves one row per band and text between workers
(bench/RESULTS.md).
"""

from __future__ import annotations

import functools
import os

from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pandas as pd

from curate.dataset import DataFile, Dataset, Split, assemble, base_keys, resolve_reading, suffix_repeats
from curate.engines import plan_columns
from curate.errors import CurateError
from curate.readers import (TEXT_FORMATS, ReadOptions, csv_block_rows, csv_names, first_record, read_pieces, read_span, read_table, readable,
                            record_starts, unreadable_parquet)

if TYPE_CHECKING:  # annotations only
    from curate.checks.base import Check, Plan
    from curate.near_state import Batch, MinHashPlan, Numbering
    from curate.suite import Roles

WORKERS = 2  # the LocalCluster started when no scheduler address is given
SPAN_BYTES = 32 << 20  # CSV/TSV and JSON Lines files larger than this are read in byte ranges (smaller: whole)
SPAN_ROWS = 131_072  # rows per byte range (CSV/TSV: rounded down to whole parser blocks, at least one)

# The Dask config key (bytes, or a size such as "512MiB"; environment: DASK_CURATE__BAND_KEYS_ON_CLIENT)
# bounding the LSH band keys a MinHash family gathers on the client; a dataset whose keys would
# exceed it has them grouped on the workers by a shuffle instead (DaskEngine.band_candidates).
BAND_KEYS_ON_CLIENT = "curate.band-keys-on-client"
BAND_KEYS_ON_CLIENT_DEFAULT = "512MiB"  # about 6 million texts at the default 21 bands

# Dask's nanny starts each worker process with MALLOC_TRIM_THRESHOLD_=65536, to hand freed memory
# back to the system sooner. Setting the trim threshold (as setting the mmap threshold) also turns
# off glibc's adaptive mmap threshold (mallopt(3)), so every array over 128 KiB becomes a fresh mmap
# whose pages fault in, zeroed, on first touch and are unmapped when freed: the MinHash first pass,
# which allocates such temporaries per text chunk, then spends most of its time in the kernel.
# Workers started here keep glibc's defaults, as the client process has them (a value set in the
# environment still wins); a cluster of one's own is configured likewise (README, "On a Dask cluster").
KEEP_MALLOC_DEFAULTS = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def require_dask() -> None:
    """A one-line error when Dask is not installed (it is the optional extra ``curate[dask]``)."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise CurateError(f"--engine dask needs Dask: pip install 'curate[dask]' ({exc})") from None


@contextmanager
def cluster(scheduler: str | None, *, timeout: float = 10) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``scheduler``, else of a ``LocalCluster`` of
    :data:`WORKERS` workers started here and closed on exit."""
    require_dask()
    import distributed

    if scheduler is None:
        with local_cluster() as local:
            with distributed.Client(local) as client:
                yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CurateError(f"cannot reach the Dask scheduler at {scheduler!r}: {message}") from None
    with client:
        yield client


def local_cluster(workers: int = WORKERS) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` worker processes, one thread each, whose
    allocator behaves as the client's (:data:`KEEP_MALLOC_DEFAULTS`); also the benchmarks' cluster."""
    require_dask()
    import dask
    import distributed

    own = dict(os.environ)
    try:
        with dask.config.set(KEEP_MALLOC_DEFAULTS):  # read when the nannies are made, in the constructor
            return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    finally:  # each nanny writes its workers' variables (OMP_NUM_THREADS=1, …) into this process's
        # environment before spawning them, and again for a restart; left there, they would make
        # the client's later OpenMP imports (label_errors' gradient boosting) single-threaded
        _restore_environment(own)


def _restore_environment(own: dict[str, str]) -> None:
    for name in set(os.environ) - set(own):
        del os.environ[name]
    os.environ.update(own)


# ----------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class Piece:
    """One partition of a split as a worker reads it (small and picklable: no rows)."""

    path: Path
    options: ReadOptions
    row_group: int | None  # a Parquet row group; None: the whole file, read by curate's reader
    offset: int  # the split position of its first row
    rows: int
    casts: tuple[tuple[str, Any], ...] = ()  # column → the whole file's dtype, where the piece read alone may differ
    span: tuple[int, int] | None = None  # bytes start:stop of a CSV/TSV or JSON Lines file, whole records
    names: tuple[str, ...] = ()  # a span's columns (it has no header)
    block: int = 0  # a CSV/TSV span's rows per parser block

    @property
    def stop(self) -> int:
        return self.offset + self.rows


def read_piece(piece: Piece, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The piece's rows (``columns``: only those it has, in that order; None: all), indexed by
    their positions in the split, values as the pandas loader converts them."""
    if piece.span is not None:
        frame = _read_span(piece, columns)
    elif piece.row_group is None:
        frame = read_table(piece.path, piece.options)
        frame.columns = [str(c) for c in frame.columns]
        if columns is not None:
            frame = frame[[c for c in columns if c in frame.columns]]
    else:
        import pyarrow as pa

        try:
            frame = _read_row_group(piece, columns)
        except (pa.ArrowException, OSError) as exc:  # the footer read, this row group does not decode
            raise unreadable_parquet(exc, piece.path, f" (row group {piece.row_group})") from None
    frame.index = pd.RangeIndex(piece.offset, piece.offset + len(frame))
    return frame


def _read_row_group(piece: Piece, columns: tuple[str, ...] | None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(piece.path)
    names = _parquet_columns(handle)
    wanted = names if columns is None else [c for c in columns if c in names]
    frame = handle.read_row_group(piece.row_group, columns=wanted).to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    return _cast(frame, piece.casts)


def _cast(frame: pd.DataFrame, casts: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    """``frame`` with its columns in the whole file's dtypes (``casts``: column → dtype)."""
    changed = {c: d for c, d in casts if c in frame.columns and frame[c].dtype != d}
    return frame.astype(changed) if changed else frame


def _read_span(piece: Piece, columns: tuple[str, ...] | None) -> pd.DataFrame:
    """A span's rows, block by block in the whole file's dtypes (as the streamed pandas engine
    conforms its pieces), so that they are the rows a whole-file read gives there."""
    assert piece.span is not None
    wanted = list(piece.names) if columns is None else [c for c in columns if c in piece.names]
    if not wanted:
        return pd.DataFrame(index=range(piece.rows))
    parts = read_span(piece.path, piece.options, *piece.span, list(piece.names), piece.block, wanted)
    return _concat([_cast(part[wanted] if list(part.columns) != wanted else part, piece.casts) for part in parts])


def _text_pieces(path: Path, options: ReadOptions, offset: int, rows: int) -> tuple[list[Piece], list[str]] | None:
    """A CSV/TSV or JSON Lines file as byte ranges of about ``rows`` rows (CSV/TSV: whole parser
    blocks), or None when it cannot be read so exactly.

    Exact means read back: record boundaries are looked for in the bytes
    (:func:`curate.readers.record_starts`), and each range, parsed on its own, must give the very
    blocks the streamed pandas engine reads from the whole file (:func:`curate.readers.read_pieces`:
    rows, columns, dtypes, values), compared one block at a time. A quote the boundary rule
    misreads, a stray carriage return or a parser error leaves the file whole, as before."""
    from curate.engines.streaming import file_prototype, first_values

    names: list[str] = []
    if options.format_of(path) in TEXT_FORMATS:
        first = first_record(path, options)
        names = (csv_names(first, options) if first else None) or []
        if not names:  # header names pandas renames (repeats, a byte-order mark): left to it
            return None
        block = csv_block_rows(len(first))
        every = block * max(1, rows // block)
    else:
        block = every = rows
    starts = record_starts(path, options, every)
    if len(starts) < 3:  # one range: the file whole
        return None
    exact = iter(read_pieces(path, options, block))
    pieces: list[Piece] = []
    firsts: list[pd.DataFrame] = []
    at = 0
    for start, stop in zip(starts, starts[1:]):
        count = 0
        for part in read_span(path, options, start, stop, names, block):
            whole = next(exact, None)
            if whole is None or not _same(part, whole):
                return None
            names = list(map(str, part.columns))
            firsts.append(first_values(part))
            count += len(part)
        pieces.append(Piece(path, options, None, offset + at, count, span=(start, stop)))
        at += count
    if next(exact, None) is not None or len(names) != len(set(names)):
        return None
    casts = tuple(file_prototype(firsts).dtypes.items())
    return [replace(p, names=tuple(names), casts=casts, block=block) for p in pieces], names


def _same(part: pd.DataFrame, whole: pd.DataFrame) -> bool:
    """Whether a range's block is the whole read's: columns, dtypes and values (NaN equal to NaN)."""
    part.columns = [str(c) for c in part.columns]
    whole.columns = [str(c) for c in whole.columns]
    return (list(part.columns) == list(whole.columns) and list(part.dtypes) == list(whole.dtypes)
            and part.reset_index(drop=True).equals(whole.reset_index(drop=True)))


def _parquet_columns(handle: Any) -> list[str]:
    """A Parquet file's columns as the pandas loader sees them (pandas' index columns are dropped)."""
    meta = handle.schema_arrow.pandas_metadata or {}
    index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    return [n for n in handle.schema_arrow.names if n not in index]


def _parquet_pieces(path: Path, options: ReadOptions, offset: int, client: Any) -> tuple[list[Piece], list[str]]:
    """The row groups of one Parquet file (from its footer) and its columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    readable(options, path)  # read_table's errors before reading
    try:
        handle = pq.ParquetFile(path)
        columns = _parquet_columns(handle)
        casts = _casts(handle, path, columns, client)
    except (pa.ArrowInvalid, OSError) as exc:
        raise unreadable_parquet(exc, path) from None
    meta, pieces = handle.metadata, []
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        pieces.append(Piece(path, options, group, offset, rows, casts))
        offset += rows
    if not pieces:  # a file of no row groups: the reader gives its (empty) frame
        pieces.append(Piece(path, options, None, offset, 0))
    return pieces, columns


def _casts(handle: Any, path: Path, columns: list[str], client: Any) -> tuple[tuple[str, str], ...]:
    """Column → the whole file's dtype, for the integer and boolean columns a row group alone would
    convert differently (no nulls in the row group, nulls elsewhere in the file)."""
    dtypes = handle.schema_arrow.empty_table().to_pandas().dtypes
    exposed = [c for c in columns if c in dtypes.index and dtypes[c].kind in "iub" and isinstance(dtypes[c], np.dtype)]
    if not exposed or handle.metadata.num_row_groups < 2:
        return ()
    nulls = _null_counts(handle, exposed)
    unknown = [c for c in exposed if nulls[c] is None]
    if unknown:
        nulls.update(client.submit(_count_nulls, path, unknown, pure=False).result())
    return tuple((c, "float64" if dtypes[c].kind in "iu" else "object") for c in exposed if nulls[c])


def _null_counts(handle: Any, columns: list[str]) -> dict[str, int | None]:
    """Each column's nulls in the file from its row groups' statistics (None: not recorded)."""
    meta = handle.metadata
    where = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    out: dict[str, int | None] = {}
    for column in columns:
        total: int | None = 0
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(where[column]).statistics if column in where else None
            if stats is None or not stats.has_null_count:
                total = None
                break
            total += stats.null_count
        out[column] = total
    return out


def _count_nulls(path: Path, columns: list[str]) -> dict[str, int]:
    """Nulls per column, counted on a worker one row group at a time (statistics were not written)."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    out = dict.fromkeys(columns, 0)
    for group in range(handle.metadata.num_row_groups):
        table = handle.read_row_group(group, columns=columns)
        for column in columns:
            out[column] += table.column(column).null_count
    return out


# ----------------------------------------------------------------------------- worker tasks


@dataclass(frozen=True)
class _Refused:
    """A task's user-fixable error (a file that does not read, a bad value), returned instead of
    raised: a worker logs every exception its task raises ("Compute Failed", with the task) on its
    stderr, which on the cluster curate starts is the user's terminal, around the one-line error."""

    error: CurateError


def _task(function: Any) -> Any:
    """``function`` as a worker task whose :class:`CurateError` comes back as a :class:`_Refused`
    (raised again on the client by :func:`_results`); any other exception is a bug and stays one."""

    @functools.wraps(function)  # the module attribute is the wrapper: pickled by reference as before
    def task(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CurateError as exc:
            return _Refused(exc)

    return task


def _results(futures: list[Any]) -> list[Any]:
    """The futures' results in order, each fetched as its task ends and its future then released
    (:func:`in_order_as_completed`), a refused task's error raised here."""
    return [_accepted(result) for result in in_order_as_completed(futures)]


def _result(future: Any) -> Any:
    return _accepted(future.result())


def _accepted(result: Any) -> Any:
    if isinstance(result, _Refused):
        raise result.error
    return result


@_task
def _file_pieces(path: Path, options: ReadOptions, offset: int, rows: int, span_bytes: int) -> tuple[list[Piece], list[str]]:
    """The pieces and columns of a file that is not Parquet: byte ranges of about ``rows`` rows
    when it is a CSV/TSV or JSON Lines file over ``span_bytes`` that reads exactly so
    (:func:`_text_pieces`), else the file read whole."""
    if options.format_of(path) in TEXT_FORMATS + ("jsonl",) and path.stat().st_size > span_bytes:
        try:
            found = _text_pieces(path, readable(options, path), offset, rows)
        except Exception:  # noqa: BLE001 - not streamable, or a parser error: the whole-file read decides
            found = None
        if found is not None:
            return found
    frame = read_piece(Piece(path, options, None, offset, 0))
    return [Piece(path, options, None, offset, len(frame))], list(frame.columns)


@_task
def _note_candidates(piece: Piece) -> list[str]:
    from curate.sniff import mangled_candidates

    return mangled_candidates(read_piece(piece))


@_task
def _file_notes(pieces: list[Piece], columns: tuple[str, ...] | None, root: Path) -> list[str]:
    """Misreading notes of one file from its pieces' ``columns`` (None: every column)."""
    from curate.sniff import misreadings, piece_misreadings

    if pieces[0].span is not None:  # ranges of a text file: one at a time
        return piece_misreadings(pieces[0].path, lambda: (read_piece(p, columns) for p in pieces), pieces[0].options, root)
    frame = _concat([read_piece(p, columns) for p in pieces])
    return misreadings(pieces[0].path, frame, pieces[0].options, root)


@_task
def _id_hashes(piece: Piece, column: str) -> tuple[bool, str, np.ndarray | None]:
    """Whether the piece's ``column`` has no null, its dtype, and the values' 64-bit hashes."""
    values = read_piece(piece, (column,))[column]
    try:
        hashes = pd.util.hash_pandas_object(values, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists): decided on the values
        hashes = None
    return bool(values.notna().all()), str(values.dtype), hashes


@_task
def _unique_values(pieces: list[Piece], column: str) -> bool:
    from curate.dataset import _is_unique_id

    return _is_unique_id(pd.concat([read_piece(p, (column,))[column] for p in pieces], ignore_index=True))


@_task
def _base_keys(piece: Piece, key_column: str | None) -> pd.Series:
    return base_keys(read_piece(piece, None if key_column is None else (key_column,)), key_column)


@_task
def _map(check: Check, plan: Plan, split: str, piece: Piece) -> Any:
    """``check.map`` on one piece's plan columns, indexed by the rows' positions in the split."""
    return check.map(plan, split, plan_columns(read_piece(piece, plan.columns), plan))


def _band_rows(piece: Piece, numbering: Numbering, plan: MinHashPlan) -> pd.DataFrame:
    """A piece's band rows (:func:`curate.near_state.band_rows`), the input of the band-key shuffle."""
    from curate.near_state import band_rows

    try:
        return band_rows(plan, plan_columns(read_piece(piece, plan.columns), plan), numbering)
    except CurateError as exc:
        raise CurateError(exc.message, file=exc.file or piece.path) from None


def _bucket_pair_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One shuffled partition's candidate pairs (:func:`curate.near_state.bucket_pairs`)."""
    from curate.near_state import bucket_pairs

    return pd.DataFrame({"pair": bucket_pairs(rows)})


@_task
def _read_task(piece: Piece, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A piece's rows for a collecting family (``DaskSplit.frame``), or its ``columns`` for a look
    at the split piece by piece (``DaskSplit.partitions``)."""
    return read_piece(piece, columns)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------------------- the client side


class DaskSplit(Split):
    """A split whose rows are pieces read on the cluster; ``frame`` gathers them on first use."""

    def __init__(self, name: str, pieces: list[Piece], files: list[DataFile], options: ReadOptions, client: Any,
                 columns: list[str]) -> None:
        self._client = client
        self.pieces = pieces
        self._columns = columns
        self._frame: pd.DataFrame | None = None
        super().__init__(name, None, pd.Series(dtype=str), files, options)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = _concat(_results(self._client.map(_read_task, self.pieces, pure=False)))
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame = value

    def partitions(self, columns: list[str] | tuple[str, ...] | None = None) -> Iterator[pd.DataFrame]:
        """The pieces' rows one at a time, each read on a worker (``columns`` only), unless the split
        is already gathered: a look at one column's first rows (an inferred label's kind) reads one
        piece's column, not the whole split."""
        if self._frame is not None:
            yield from super().partitions(columns)
            return
        wanted = None if columns is None else tuple(columns)
        for piece in self.pieces:
            yield _result(self._client.submit(_read_task, piece, wanted, pure=False))

    def __len__(self) -> int:
        return sum(p.rows for p in self.pieces)

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def file_notes(self, data_file: DataFile, root: Path) -> list[str]:
        pieces = self._pieces_of(data_file)
        if not pieces:
            return []
        columns: tuple[str, ...] | None = None
        if pieces and pieces[0].row_group is not None:  # Parquet: only the columns some piece flags
            found = set().union(*_results(self._client.map(_note_candidates, pieces, pure=False)))
            if not found:
                return []
            columns = tuple(c for c in self._columns if c in found)
        return _result(self._client.submit(_file_notes, pieces, columns, root, pure=False))

    def _pieces_of(self, data_file: DataFile) -> list[Piece]:
        start, stop = data_file.first_row, data_file.first_row + data_file.rows
        return [p for p in self.pieces if p.path == data_file.path and (start <= p.offset < stop or p.offset == start == stop)]

    def unique_id(self, column: str) -> bool:
        parts = _results(self._client.map(_id_hashes, self.pieces, column=column, pure=False))
        if not all(full for full, _, _ in parts):
            return False
        hashes = [h for _, _, h in parts]
        dtypes = {d for _, d, _ in parts}
        if len(dtypes) == 1 and _hashed_exactly(dtypes.pop()) and all(h is not None for h in hashes):
            joined = np.concatenate(hashes)
            if len(np.unique(joined)) == len(joined):
                return True  # distinct hashes: distinct values
        return bool(_result(self._client.submit(_unique_values, self.pieces, column, pure=False)))

    def row_keys(self, key_column: str | None, notes: list[str]) -> pd.Series:
        parts = _results(self._client.map(_base_keys, self.pieces, key_column=key_column, pure=False))
        base = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return suffix_repeats(base, key_column, self.name, notes)


def _hashed_exactly(dtype: str) -> bool:
    """Whether equal values of this dtype always hash equal (strings, integers; not objects or floats)."""
    return dtype in ("str", "string") or dtype.startswith(("int", "uint", "Int", "UInt"))


def _read_split(client: Any, name: str, paths: list[Path], options: ReadOptions) -> DaskSplit:
    pieces: list[Piece] = []
    files: list[DataFile] = []
    columns: dict[str, None] = {}
    position = 0
    for path in paths:
        if options.format_of(path) == "parquet":
            mine, names = _parquet_pieces(path, options, position, client)
        else:
            task = client.submit(_file_pieces, path, options, position, SPAN_ROWS, SPAN_BYTES, pure=False)
            mine, names = _worker_result(task, path)
        columns.update(dict.fromkeys(names))
        rows = sum(p.rows for p in mine)
        files.append(DataFile(path, position, rows))
        pieces += mine
        position += rows
    if position == 0:
        raise CurateError(f"split '{name}' has no rows", file=paths[0])
    return DaskSplit(name, [p for p in pieces if p.rows or p.row_group is None], files, options, client, list(columns))


def _worker_result(future: Any, path: Path) -> Any:
    """A loading task's result; a worker's parser error that is not curate's own becomes one line."""
    try:
        return _result(future)
    except CurateError:
        raise
    except Exception as exc:
        raise CurateError(f"cannot read the file: {type(exc).__name__}: {exc}".splitlines()[0], file=path) from None


def load_dask(client: Any, root: Path, roles: Roles, *, config: str | None = None, table: str | None = None) -> Dataset:
    """The dataset as :func:`curate.dataset.load_with_roles` loads it, its rows on the cluster."""
    layout, options = resolve_reading(root, config=config or roles.config, options=roles.read_options(),
                                      files=roles.files, table=table or roles.table)
    splits: dict[str, Split] = {name: _read_split(client, name, paths, options) for name, paths in layout.splits.items()}
    return assemble(layout, splits, roles.key)


class DaskEngine:
    """Maps partitioned families on the cluster's workers, piece by piece."""

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        pieces = [(name, p) for name in plan.splits for p in self._pieces(dataset, name)]
        if not pieces:
            return []
        sent = self.client.scatter([check, plan], hash=False, broadcast=True)  # pickled once, not per task
        futures = [self.client.submit(_map, sent[0], sent[1], name, piece, pure=False) for name, piece in pieces]
        return _results(futures)

    def _pieces(self, dataset: Dataset, name: str) -> list[Piece]:
        split = dataset.splits[name]
        if not isinstance(split, DaskSplit):  # a split made on the client (a table view keeps DaskSplits)
            raise TypeError(f"split '{name}' was not loaded by the Dask engine")
        return split.pieces

    def gathers_band_keys(self, rows: int, bands: int) -> bool:
        """Whether a MinHash family's first pass sends the band keys of ``rows`` rows (4 bytes per
        band per text) to the client, where LSH pairs them, or leaves them to
        :meth:`band_candidates`: the Dask config :data:`BAND_KEYS_ON_CLIENT` bounds them. Gathering
        is the faster on a few workers; grouping keeps the keys, which grow with the rows, off the
        client."""
        import dask
        from dask.utils import parse_bytes

        value = dask.config.get(BAND_KEYS_ON_CLIENT, BAND_KEYS_ON_CLIENT_DEFAULT)
        try:
            limit = parse_bytes(value)
        except (ValueError, TypeError):
            raise CurateError(f"Dask config {BAND_KEYS_ON_CLIENT}: not a size in bytes: {str(value)[:40]!r}") from None
        return rows * bands * 4 <= limit

    def band_candidates(self, plan: MinHashPlan, dataset: Dataset, b: Batch) -> np.ndarray:
        """A batch's LSH candidate pairs (``(P, 2)`` text ids), its band keys grouped on the
        workers: each piece is sketched again into band rows for the texts the batch numbers there
        (:func:`curate.near_state.band_rows`), ``dask.dataframe`` shuffles them on their bucket
        (peer-to-peer: buffered on the workers' disks rather than held in their memory), and each
        shuffled partition pairs its buckets. Only the pairs come to the client."""
        import dask.dataframe as dd

        from curate.near_state import BAND_ROWS, unpack_pairs

        work = [(p, b.numbering(name, p.offset)) for name in b.splits for p in self._pieces(dataset, name) if p.rows]
        if not work:
            return unpack_pairs(np.empty(0, np.uint64))
        meta = pd.DataFrame({c: np.empty(0, t) for c, t in BAND_ROWS.items()})
        rows = dd.from_map(_band_rows, [p for p, _ in work], [numbering for _, numbering in work], args=(plan,), meta=meta,
                           enforce_metadata=False, label="curate-band-rows")
        grouped = rows.shuffle("bucket", npartitions=len(work), shuffle_method="p2p")
        pairs = grouped.map_partitions(_bucket_pair_frame, meta=pd.DataFrame({"pair": np.empty(0, np.uint64)}))
        with _quiet_shuffle():
            frame = self.client.compute(pairs, sync=True)
        return unpack_pairs(frame["pair"].to_numpy())


@contextmanager
def _quiet_shuffle() -> Iterator[None]:
    """Without the shuffle extension's warnings ("Shuffle … initialized by task …", "… deactivated"),
    which a local cluster's scheduler would print on the user's terminal around curate's report."""
    import logging

    log = logging.getLogger("distributed.shuffle")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def in_order_as_completed(futures: list[Any]) -> list[Any]:
    """The futures' results in their order, each fetched as soon as its task ends and its future
    then released, so that a worker drops a piece's state when the client has it. ``client.gather``
    of them all would fetch nothing until every task had ended, and each worker would hold the
    states of all its pieces meanwhile: memory that grows with the rows, not with a piece. The first
    task error is raised, as ``gather`` raises it."""
    from distributed import as_completed

    position = {future.key: i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    pending = as_completed(futures, with_results=True)
    futures.clear()  # only ``pending`` refers to them now, and it lets go of each once it is done
    for future, result in pending:
        results[position[future.key]] = result
        future.release()
    return results
