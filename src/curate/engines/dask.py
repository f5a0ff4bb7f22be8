"""The Dask engine (``curate check --engine dask [--scheduler ADDRESS]``): rows stay on the workers.

Reading. Each data file is read on the workers into partitions that stay there (persisted):

* Parquet with ``dask.dataframe.read_parquet``, one partition per row group, strings as the
  pandas loader converts them (``dataframe.convert-string`` off: pandas' own string dtype, not
  pyarrow strings with ``pd.NA``), so a partition holds the values the pandas engine reads;
* every other format (CSV, TSV, JSON, JSONL, compressed files) with curate's own reader
  (:func:`curate.readers.read_table`), one delayed partition per file. ``dask.dataframe.read_csv``
  has no equivalent of the pandas loader's reading: it types each byte block on its own (a column
  of numbers with one ``n/a`` in a late block is ``int64`` in one partition and text in another,
  and dask then raises "Mismatched dtypes"), cuts blocks at newlines inside quoted fields, and
  would bypass the bounded decompression of :mod:`curate.confine`. Reading whole files with the
  pandas reader keeps the engines' values, keys and errors identical.

The client holds no rows. What loading needs from them is asked of the workers
(:class:`DaskSplit`): row counts, column names, each file's misreading notes, whether an id-like
column is unique, and the row keys. Keys are the one step that needs the global view of a split:
a repeated key gets a ``~N`` suffix in row order, so each partition's base keys (key column as
text, or a hash of the row, see :func:`curate.dataset.base_keys`) are computed on the workers and
gathered, in partition order, to the client, which suffixes them with the pandas engine's
:func:`curate.dataset.suffix_repeats` (one pass; a few tens of bytes per row on the client).

Running. A partitioned family (``needs = "partitions"``) has its ``map`` run per partition on the
workers; the small states come back and ``combine`` / ``judge`` run on the client. A collecting
family reads ``split.frame``: the split's partitions are gathered to the client and concatenated
once (as the pandas loader concatenates files), then kept for the following families.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pandas as pd

from curate.dataset import DataFile, Dataset, Split, assemble, base_keys, resolve_reading, suffix_repeats
from curate.engines import plan_columns
from curate.errors import CurateError
from curate.readers import ReadOptions, read_table

if TYPE_CHECKING:  # annotations only
    from curate.checks.base import Check, Plan
    from curate.suite import Roles

WORKERS = 2  # the LocalCluster started when no scheduler address is given


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
        with distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, dashboard_address=":0") as local:
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


# ----------------------------------------------------------------------------- worker tasks


def _read_parquet_parts(path: Path) -> list[Any]:
    """Delayed partitions (one per row group) of a Parquet file, values as the pandas loader reads them."""
    import dask
    import dask.dataframe as dd

    with dask.config.set({"dataframe.convert-string": False}):
        return list(dd.read_parquet(str(path), split_row_groups=True).to_delayed())


def _concat(parts: tuple[pd.DataFrame, ...]) -> pd.DataFrame:
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _file_notes(path: Path, options: ReadOptions, root: Path, *parts: pd.DataFrame) -> list[str]:
    from curate.sniff import misreadings

    return misreadings(path, _concat(parts), options, root)


def _unique_id(column: str, *parts: pd.DataFrame) -> bool:
    from curate.dataset import _is_unique_id

    return _is_unique_id(pd.concat([p[column] for p in parts], ignore_index=True))


def _base_keys(frame: pd.DataFrame, key_column: str | None) -> pd.Series:
    frame = frame.copy(deep=False)
    frame.columns = [str(c) for c in frame.columns]
    return base_keys(frame, key_column)


def _map(check: Check, plan: Plan, split: str, offset: int, frame: pd.DataFrame) -> Any:
    """``check.map`` on one partition, indexed by its rows' positions in the split (as in the pandas engine)."""
    frame = frame.copy(deep=False)
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(offset, offset + len(frame))
    return check.map(plan, split, plan_columns(frame, plan))


# ----------------------------------------------------------------------------- the client side


@dataclass
class _File:
    data_file: DataFile
    parts: list[Any]  # futures of the file's partitions, on the workers


class DaskSplit(Split):
    """A split whose rows are partitions on the cluster; ``frame`` gathers them on first use."""

    def __init__(self, name: str, files: list[_File], options: ReadOptions, client: Any,
                 columns: list[str], lengths: list[int]) -> None:
        self._client = client
        self._files = files
        self._columns = columns
        self._lengths = lengths
        self._frame: pd.DataFrame | None = None
        super().__init__(name, None, pd.Series(dtype=str), [f.data_file for f in files], options)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = _concat(tuple(self._client.gather(self.parts)))
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame = value

    @property
    def parts(self) -> list[Any]:
        return [part for f in self._files for part in f.parts]

    @property
    def offsets(self) -> list[int]:
        out, start = [], 0
        for n in self._lengths:
            out.append(start)
            start += n
        return out

    def __len__(self) -> int:
        return sum(self._lengths)

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def file_notes(self, data_file: DataFile, root: Path) -> list[str]:
        f = next(f for f in self._files if f.data_file is data_file)
        return self._client.submit(_file_notes, data_file.path, self.reader_options, root, *f.parts).result()

    def unique_id(self, column: str) -> bool:
        return bool(self._client.submit(_unique_id, column, *self.parts).result())

    def row_keys(self, key_column: str | None, notes: list[str]) -> pd.Series:
        parts = self._client.gather(self._client.map(_base_keys, self.parts, key_column=key_column, pure=False))
        base = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return suffix_repeats(base, key_column, self.name, notes)


def _read_file(client: Any, path: Path, options: ReadOptions) -> list[Any]:
    """Futures of one file's partitions, read on the workers."""
    if options.format_of(path) == "parquet":
        try:
            return client.compute([d for d in _read_parquet_parts(path)])
        except (OSError, ValueError) as exc:
            raise CurateError(f"not a readable Parquet file: {exc}".splitlines()[0], file=path) from None
    return [client.submit(read_table, path, options, pure=False)]


def _heads(client: Any, parts: list[Any]) -> list[pd.DataFrame]:
    return client.gather(client.map(lambda frame: frame.iloc[:0], parts, pure=False))


def _read_split(client: Any, name: str, paths: list[Path], options: ReadOptions) -> DaskSplit:
    files, position = [], 0
    columns: dict[str, None] = {}
    lengths: list[int] = []
    for path in paths:
        parts = _read_file(client, path, options)
        try:
            sizes = client.gather(client.map(len, parts, pure=False))
        except CurateError:
            raise
        except Exception as exc:  # a worker's parser error that is not curate's own
            raise CurateError(f"cannot read the file: {type(exc).__name__}: {exc}".splitlines()[0], file=path) from None
        for head in _heads(client, parts):
            columns.update(dict.fromkeys(map(str, head.columns)))
        files.append(_File(DataFile(path, position, sum(sizes)), parts))
        lengths += sizes
        position += sum(sizes)
    if position == 0:
        raise CurateError(f"split '{name}' has no rows", file=paths[0])
    return DaskSplit(name, files, options, client, list(columns), lengths)


def load_dask(client: Any, root: Path, roles: Roles, *, config: str | None = None, table: str | None = None) -> Dataset:
    """The dataset as :func:`curate.dataset.load_with_roles` loads it, its rows on the cluster."""
    layout, options = resolve_reading(root, config=config or roles.config, options=roles.read_options(),
                                      files=roles.files, table=table or roles.table)
    splits: dict[str, Split] = {name: _read_split(client, name, paths, options) for name, paths in layout.splits.items()}
    return assemble(layout, splits, roles.key)


class DaskEngine:
    """Maps partitioned families on the cluster's workers, partition by partition."""

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    def states(self, check: Check, plan: Plan, dataset: Dataset) -> list[Any]:
        futures = []
        for name in plan.splits:
            split = dataset.splits[name]
            if not isinstance(split, DaskSplit):  # a split made on the client (a table view keeps DaskSplits)
                raise TypeError(f"split '{name}' was not loaded by the Dask engine")
            futures += [self.client.submit(_map, check, plan, name, offset, part, pure=False)
                        for offset, part in zip(split.offsets, split.parts)]
        return self.client.gather(futures)
