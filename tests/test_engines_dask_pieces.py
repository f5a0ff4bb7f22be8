"""The Dask engine reads pieces on demand: a Parquet row group (only the plan's columns) per task,
values as the pandas loader converts whole files, nothing kept on the workers between tasks, and
the loading questions (lengths, columns, notes, unique ids, keys) answered piece by piece.

Files here are written by pyarrow without pandas metadata (as ``datasets`` writes them), so an
integer or boolean column with nulls in only some row groups converts differently per row group
than per file, which the engine must correct.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import write
import curate.engines.dask as dask_engine
from curate.checks.base import Plan
from curate.dataset import load_dataset
from curate.readers import read_table
from curate.runner import check
from curate.suite import Roles
from test_engines import assert_same, comparable

distributed = pytest.importorskip("distributed")

GROUP = 40  # rows per row group


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _frame(n: int, start: int, nulls_at: slice | None) -> pd.DataFrame:
    rng = np.random.default_rng(start)
    words = np.array(["alpha", "beta", "gamma", "delta", "omega"])
    score = pd.array(rng.integers(0, 9, n), dtype="Int64")
    flag = pd.array(rng.random(n) < 0.5, dtype="boolean")
    if nulls_at is not None:  # nulls in one row group of the file only
        score[nulls_at] = pd.NA
        flag[nulls_at] = pd.NA
    return pd.DataFrame({
        "uid": [f"u{start + i}" for i in range(n)],
        "text": [" ".join(rng.choice(words, 6)) for _ in range(n)],
        "label": rng.choice(["a", "b"], n),
        "score": score,
        "flag": flag,
    })


def _write(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, row_group_size=GROUP)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """train: two files of 3 row groups (nulls in the second group of the first file), test: one."""
    root = tmp_path / "data"
    _write(root / "train-00000-of-00002.parquet", _frame(120, 0, slice(GROUP + 3, GROUP + 9)))
    repeated = _frame(100, 1000, None)
    repeated.loc[[10, 70], "text"] = repeated.loc[5, "text"]  # copies across row groups
    _write(root / "train-00001-of-00002.parquet", repeated)
    _write(root / "test-00000-of-00001.parquet", _frame(90, 5000, slice(0, 2)))
    return root


SUITE = """checks:
  - duplicates: {}
  - duplicates: {name: texts, columns: [text]}
  - column_quality: {}
  - class_imbalance: {label: label}
  - schema: {}
  - conflicting_labels: {label: label}
"""


@pytest.mark.parametrize("key", ["uid", None])
def test_engines_agree_on_row_groups_with_nulls_in_some(folder: Path, tmp_path: Path, client: Any, key: str | None) -> None:
    """Whole-row digests and content-hash keys see every column: a row group read as int64 where
    its file is float64 would change them."""
    head = f"dataset: {{key: {key}}}\n" if key else ""
    suite = write(tmp_path / "suite.yaml", head + SUITE)
    pandas_report = comparable(check(folder, suite))
    dask_report = comparable(check(folder, suite, engine="dask", scheduler=client.scheduler.address))
    assert pandas_report["dataset"]["key_source"] == ("declared" if key else "inferred")
    assert any(r["findings"] for r in pandas_report["results"])
    assert_same(pandas_report, dask_report)


def test_a_row_group_converts_as_its_file(folder: Path, client: Any) -> None:
    """The pandas loader converts each file whole (then concatenates the split's files)."""
    split = dask_engine.load_dask(client, folder, Roles()).splits["train"]
    assert [p.rows for p in split.pieces] == [GROUP] * 3 + [GROUP, GROUP, 20]
    for data_file in split.files:
        whole = read_table(data_file.path)
        whole.index = pd.RangeIndex(data_file.first_row, data_file.first_row + len(whole))
        for piece in [p for p in split.pieces if p.path == data_file.path]:
            part = dask_engine.read_piece(piece, ("flag", "score"))
            pd.testing.assert_frame_equal(part, whole.loc[piece.offset:piece.stop - 1, ["flag", "score"]])
    assert [str(d) for d in dask_engine.read_piece(split.pieces[0]).dtypes[["score", "flag"]]] == ["float64", "object"]


class Recorder:
    """A family stand-in whose map reports what it was given."""

    def map(self, plan: Plan, split: str, partition: pd.DataFrame) -> tuple:
        return split, list(partition.columns), int(partition.index[0]), len(partition)


def test_each_task_reads_one_row_group_and_only_the_plan_columns(folder: Path, client: Any, monkeypatch) -> None:
    read: list[tuple[int | None, tuple[str, ...] | None]] = []
    real = dask_engine._read_row_group

    def recording(piece, columns):
        read.append((piece.row_group, columns))
        return real(piece, columns)

    dataset = dask_engine.load_dask(client, folder, Roles(key="uid"))
    monkeypatch.setattr(dask_engine, "_read_row_group", recording)  # the workers are threads of this process
    states = dask_engine.DaskEngine(client).states(Recorder(), Plan(("train", "test"), ("label", "nope")), dataset)
    assert sorted(s[2:] for s in states if s[0] == "train") == [(i * GROUP, GROUP) for i in range(5)] + [(200, 20)]
    assert all(s[1] == ["label"] and s[3] <= GROUP for s in states)  # never a whole file's rows
    assert len(read) == 9 and all(columns == ("label", "nope") for _, columns in read)
    assert _released(client)  # nothing is kept on the workers


class Holding:
    """A family stand-in whose map reports how many results its worker still holds as it starts
    (after a pause in which results already fetched by the client can be released)."""

    def map(self, plan: Plan, split: str, partition: pd.DataFrame) -> tuple:
        time.sleep(0.15)
        held = [k for k in distributed.get_worker().data if str(k).startswith("_map-")]  # not the scattered check and plan
        return int(partition.index[0]), len(held), np.zeros(1000)


def test_a_workers_states_are_released_as_the_client_receives_them(folder: Path, client: Any) -> None:
    """A worker holds the states of its running piece and of the ones the client has not fetched
    yet, never those of every piece it mapped (they would grow with the rows, not with a piece)."""
    dataset = dask_engine.load_dask(client, folder, Roles(key="uid"))
    states = dask_engine.DaskEngine(client).states(Holding(), Plan(("train", "test"), ("label",)), dataset)
    pieces = [p.offset for name in ("train", "test") for p in dataset.splits[name].pieces]
    assert [s[0] for s in states] == pieces  # in piece order, whatever the completion order
    assert len(states) == 9 and max(s[1] for s in states) <= 1  # gathered at the end: up to 4 on a worker
    assert _released(client)


def test_a_failing_piece_is_raised_as_gather_raises_it(folder: Path, client: Any) -> None:
    class Failing:
        def map(self, plan: Plan, split: str, partition: pd.DataFrame) -> tuple:
            if int(partition.index[0]) == GROUP:
                raise ValueError("piece at 40")
            return ()

    dataset = dask_engine.load_dask(client, folder, Roles(key="uid"))
    with pytest.raises(ValueError, match="piece at 40"):
        dask_engine.DaskEngine(client).states(Failing(), Plan(("train",), ("label",)), dataset)


def _released(client: Any, wait: float = 5.0) -> bool:
    """Whether the cluster holds no data once the released futures' messages have arrived."""
    deadline = time.monotonic() + wait
    while any(client.has_what().values()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_loading_reads_no_whole_file(folder: Path, client: Any, monkeypatch) -> None:
    """Lengths and columns come from the footers; keys, ids and notes are asked piece by piece."""
    seen: list[int] = []
    real = dask_engine.read_piece

    def recording(piece, columns=None):
        frame = real(piece, columns)
        seen.append(len(frame))
        return frame

    monkeypatch.setattr(dask_engine, "read_piece", recording)
    dataset = dask_engine.load_dask(client, folder, Roles())
    assert dataset.key_column == "uid" and dataset.key_source == "inferred"  # unique over both files
    assert seen and max(seen) <= GROUP
    assert len(dataset.splits["train"]) == 220 and dataset.splits["train"].columns == ["uid", "text", "label", "score", "flag"]


def test_an_inferred_labels_kind_is_read_from_one_piece_of_its_column(folder: Path, client: Any, monkeypatch) -> None:
    """The roles' look at a column named like a label reads one piece of that column on a worker,
    never the whole split gathered to the client."""
    from curate.roles import resolve_roles
    from curate.suite import parse_suite

    dataset = dask_engine.load_dask(client, folder, Roles())
    seen: list[tuple[int, tuple[str, ...] | None]] = []
    real = dask_engine.read_piece

    def recording(piece, columns=None):
        frame = real(piece, columns)
        seen.append((len(frame), columns))
        return frame

    monkeypatch.setattr(dask_engine, "read_piece", recording)
    roles = resolve_roles(dataset, parse_suite("dataset: {text: text}\n", "t.yaml"))
    assert roles.label == "label" and "label" in roles.inferred
    assert seen == [(GROUP, ("label",))]
    assert all(split._frame is None for split in dataset.splits.values())


def test_an_id_repeated_across_row_groups_is_not_unique(tmp_path: Path, client: Any) -> None:
    frame = _frame(100, 0, None)
    frame.loc[90, "uid"] = frame.loc[3, "uid"]  # row groups 0 and 2
    _write(tmp_path / "d/train.parquet", frame)
    dataset = dask_engine.load_dask(client, tmp_path / "d", Roles())
    assert (dataset.key_column, dataset.key_source) == (None, "content hash")
    assert dataset.splits["train"].keys.tolist() == load_dataset(tmp_path / "d").splits["train"].keys.tolist()


def test_ids_in_scientific_notation_are_noted_from_the_flagged_columns(tmp_path: Path, client: Any) -> None:
    frame = _frame(100, 0, None)
    frame["customer_id"] = np.round(np.linspace(1.2e11, 9.9e11, 100), -6)
    frame.loc[50, "customer_id"] = frame.loc[10, "customer_id"]
    _write(tmp_path / "d/train.parquet", frame)
    notes = [n for n in load_dataset(tmp_path / "d").notes if "scientific" in n]
    assert notes and dask_engine.load_dask(client, tmp_path / "d", Roles()).notes == load_dataset(tmp_path / "d").notes


def _corrupt_row_group(path: Path) -> None:
    """A Parquet file whose footer reads but whose middle row group does not decode."""
    frame = pd.DataFrame({"uid": [f"u{i}" for i in range(600)], "text": [f"text number {i} here" for i in range(600)]})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=100, compression="none")
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))


def test_a_row_group_that_does_not_decode_is_one_located_error_and_no_worker_log(
        tmp_path: Path, client: Any, caplog) -> None:
    _corrupt_row_group(tmp_path / "d/train.parquet")
    suite = write(tmp_path / "s.yaml", "dataset:\n  key: uid\nchecks:\n  - duplicates: {columns: [text]}\n")
    with caplog.at_level("ERROR", logger="distributed"):
        with pytest.raises(dask_engine.CurateError, match=r"not a readable Parquet file: .* \(row group \d\)") as err:
            check(tmp_path / "d", suite, engine="dask", scheduler=client.scheduler.address)
    assert err.value.file == str(tmp_path / "d/train.parquet") and "\n" not in str(err.value)
    assert not [r for r in caplog.records if "Compute Failed" in r.getMessage()]  # returned, not raised, on the worker


def test_the_cli_on_its_own_cluster_prints_one_line_for_a_row_group_that_does_not_decode(tmp_path: Path) -> None:
    """Worker processes write to the terminal the CLI shares with them: nothing but curate's line."""
    import subprocess
    import sys

    _corrupt_row_group(tmp_path / "d/train.parquet")
    done = subprocess.run([sys.executable, "-m", "curate", "check", str(tmp_path / "d"), "--engine", "dask", "--no-progress",
                           "--no-cache"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("curate: error: ") and "train.parquet" in lines[0], done.stderr


def test_an_unreadable_parquet_file_is_one_located_error(tmp_path: Path, client: Any) -> None:
    write(tmp_path / "d/train.parquet", "not parquet at all\n")
    with pytest.raises(dask_engine.CurateError, match="not a readable Parquet file") as err:
        dask_engine.load_dask(client, tmp_path / "d", Roles())
    assert "\n" not in str(err.value)
