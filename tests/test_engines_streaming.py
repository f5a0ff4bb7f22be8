"""Streamed splits (``--max-partition-rows``): rows read from the files piece by piece give the
loaded split's values, keys, notes and reports, and no pass holds more than one piece."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, REPO, write
import curate.engines.streaming as streaming
import curate.readers as readers
from curate.cli import main
from curate.dataset import assemble, load_dataset, resolve_reading
from curate.engines.streaming import StreamSplit, load_pandas
from curate.readers import ReadOptions, csv_block_rows, read_pieces
from curate.report.json_report import render
from curate.runner import check
from curate.suite import Roles

REAL = REPO / "tests" / "data" / "real"
PARTITIONED = """
  - schema: {}
  - duplicates: {}
  - conflicting_labels: {}
  - leakage: {}
  - near_duplicates: {}
  - drift: {}
  - balance: {}
  - class_imbalance: {}
  - column_quality: {}
  - text_quality: {}
  - pii: {}
  - outliers: {}
"""


def streamed(root: Path, rows: int, options: ReadOptions = ReadOptions()):
    """The dataset streamed in pieces of ``rows`` rows, and loaded whole, with the same reading options."""
    layout, opts = resolve_reading(root, options=options)
    splits = {n: streaming._read_stream_split(n, paths, opts, rows) for n, paths in layout.splits.items()}
    return assemble(layout, splits, None), load_dataset(root, options=options)


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes, values and Python types of the values (ints stay ints in object columns)."""
    assert list(got.columns) == list(want.columns)
    for column in want.columns:
        a, b = got[column].reset_index(drop=True), want[column].reset_index(drop=True)
        assert a.dtype == b.dtype, column
        assert a.equals(b), column
        assert a.map(type).tolist() == b.map(type).tolist(), column


def assert_same_split(stream_ds, loaded_ds) -> None:
    assert list(stream_ds.splits) == list(loaded_ds.splits)
    assert stream_ds.notes == loaded_ds.notes
    assert (stream_ds.key_column, stream_ds.key_source) == (loaded_ds.key_column, loaded_ds.key_source)
    for name, split in stream_ds.splits.items():
        assert isinstance(split, StreamSplit)
        loaded = loaded_ds.splits[name]
        assert len(split) == len(loaded) and split.columns == loaded.columns
        assert [(f.path, f.first_row, f.rows) for f in split.files] == [(f.path, f.first_row, f.rows) for f in loaded.files]
        assert_same_frame(pd.concat(list(split.partitions())), loaded.frame)
        assert split.keys.equals(loaded.keys)
        assert not split.loaded  # none of this read the whole split


def kinds(split: StreamSplit) -> list[str]:
    return ["whole" if s.frame is not None else "streamed" for s in split._sources]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("root", sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "planted"))
def test_examples_stream_to_the_loaded_values(root: Path):
    stream_ds, loaded_ds = streamed(root, 7)
    assert_same_split(stream_ds, loaded_ds)


def late_types_csv(path: Path, rows: int) -> Path:
    """A CSV whose late block changes types: a number column with one ``n/a`` (float over the file),
    one with a word (text, and Python ints in the blocks before it), a boolean column with a blank,
    and a text column with a block of nothing but blanks (float there)."""
    rng = np.random.default_rng(0)
    ints = rng.integers(0, 1000, rows).astype(str)
    na, word = ints.copy(), ints.copy()
    na[rows - 10], word[rows - 10] = "n/a", "unknown"
    flags = np.where(rng.random(rows) < 0.5, "True", "False")
    flags[rows - 10] = ""
    texts = np.array([f"t{i}" for i in range(rows)], dtype=object)
    texts[rows // 3 : rows - 1000] = ""
    lines = ["a,b,c,t"] + [f"{na[i]},{word[i]},{flags[i]},{texts[i]}" for i in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_late_block_that_changes_a_column_type_types_every_piece_as_the_whole_file(tmp_path: Path):
    block = csv_block_rows(4)
    late_types_csv(tmp_path / "d" / "train.csv", 2 * block + 5000)
    pieces = list(read_pieces(tmp_path / "d" / "train.csv", ReadOptions(), block))
    assert [len(p) for p in pieces] == [block, block, 5000]
    assert pieces[0]["a"].dtype == np.int64 and pieces[2]["a"].dtype == np.float64  # per piece, types differ
    stream_ds, loaded_ds = streamed(tmp_path / "d", block)
    frame = loaded_ds.splits["train"].frame
    assert frame["a"].dtype == np.float64 and frame["b"].dtype == object
    assert {type(v) for v in frame["b"]} == {int, str}  # the whole-file read's own mix, kept
    assert_same_split(stream_ds, loaded_ds)


def test_reading_options_stream_to_the_loaded_values(tmp_path: Path):
    rows = csv_block_rows(3) + 100
    lines = [f'{i}\t"quoted {i}\tx' if i % 1000 == 0 else f"{i}\tplain {i}\ty" for i in range(rows)]
    write(tmp_path / "tsv" / "train.tsv", "\n".join(lines) + "\n")
    for options in (ReadOptions(header=False, names=("n", "text", "z"), quoting="none"),
                    ReadOptions(header=False, quoting="none"), ReadOptions(quoting="none", sep="\t", format="csv")):
        stream_ds, loaded_ds = streamed(tmp_path / "tsv", 1000, options)
        assert_same_split(stream_ds, loaded_ds)
        assert kinds(stream_ds.splits["train"]) == ["streamed"]
    latin = tmp_path / "latin" / "train.csv"
    latin.parent.mkdir()
    latin.write_bytes(("name;v\n" + "\n".join(f"café {i};{i}" for i in range(500)) + "\n").encode("latin-1"))
    stream_ds, loaded_ds = streamed(latin.parent, 10, ReadOptions(encoding="latin-1", sep=";"))
    assert_same_split(stream_ds, loaded_ds)
    (tmp_path / "gz").mkdir()
    with gzip.open(tmp_path / "gz" / "train.csv.gz", "wt") as handle:
        handle.write("x,y\n" + "\n".join(f"{i},{'a' if i < 900 else 'b'}" for i in range(1000)) + "\n")
    stream_ds, loaded_ds = streamed(tmp_path / "gz", 1)
    assert_same_split(stream_ds, loaded_ds)
    assert kinds(stream_ds.splits["train"]) == ["streamed"]


def test_parquet_files_in_row_groups_and_a_split_of_unlike_files(tmp_path: Path):
    (tmp_path / "data").mkdir()
    first = pd.DataFrame({"id": [f"r{i}" for i in range(5000)], "x": np.arange(5000), "flag": [True] * 5000})
    second = pd.DataFrame({"id": [f"s{i}" for i in range(5000)], "x": [None if i % 7 == 0 else i for i in range(5000)],
                           "flag": [None if i == 3 else False for i in range(5000)], "extra": ["e"] * 5000})
    pq.write_table(pa.Table.from_pandas(first), tmp_path / "data/train-00000-of-00002.parquet", row_group_size=700)
    pq.write_table(pa.Table.from_pandas(second, preserve_index=True), tmp_path / "data/train-00001-of-00002.parquet",
                   row_group_size=700)
    stream_ds, loaded_ds = streamed(tmp_path, 512)
    frame = loaded_ds.splits["train"].frame
    assert frame["x"].dtype == np.float64 and frame["flag"].dtype == object and frame["extra"].isna().sum() == 5000
    assert_same_split(stream_ds, loaded_ds)
    assert kinds(stream_ds.splits["train"]) == ["streamed", "streamed"]


def test_content_keys_hash_nested_cells_as_the_whole_split_does(tmp_path: Path):
    """No key column: rows are keyed by a hash of their content, which hashes object columns as text
    when any cell is a list; a piece whose list column holds only nulls must hash as text too."""
    frame = pd.DataFrame({"text": [f"t{i % 50}" for i in range(2000)],
                          "tags": [None if i < 700 else [f"x{i % 3}"] for i in range(2000)]})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "train.parquet", row_group_size=500)
    stream_ds, loaded_ds = streamed(tmp_path, 500)
    assert loaded_ds.key_source == "content hash"
    assert_same_split(stream_ds, loaded_ds)


def test_json_lines_stream_and_unlike_pieces_are_read_whole(tmp_path: Path):
    with open(write(tmp_path / "ok" / "train.jsonl", ""), "w") as handle:
        for i in range(3000):
            handle.write(json.dumps({"id": i, "v": None if i % 500 == 0 else i, "s": f"x{i}", "l": [i]}) + "\n")
        handle.write("\n")
    stream_ds, loaded_ds = streamed(tmp_path / "ok", 1000)
    assert_same_split(stream_ds, loaded_ds)
    assert kinds(stream_ds.splits["train"]) == ["streamed"]
    with open(write(tmp_path / "unlike" / "train.jsonl", ""), "w") as handle:
        for i in range(3000):  # a field without values in the first piece, and a number among texts late
            handle.write(json.dumps({"id": i, "v": None if i < 1500 else i, "s": "x" if i != 2900 else 3}) + "\n")
    stream_ds, loaded_ds = streamed(tmp_path / "unlike", 1000)
    assert_same_split(stream_ds, loaded_ds)
    assert kinds(stream_ds.splits["train"]) == ["whole"]


def test_misreading_notes_come_from_the_pieces(tmp_path: Path):
    rows = 3000
    ids = [f"{5.70306e17 + (i // 2) * 1e12:.5E}" for i in range(rows)]  # a spreadsheet's ids, colliding in pairs
    lines = ["male,1,Hello there"] + [f"{'male' if i % 2 else 'female'},{ids[i]}, value {i}" for i in range(rows)]
    write(tmp_path / "train.csv", "\n".join(lines) + "\n")
    stream_ds, loaded_ds = streamed(tmp_path, 100)
    assert len(loaded_ds.notes) >= 2  # a data-like header and mangled ids, at least
    assert_same_split(stream_ds, loaded_ds)


# --------------------------------------------------------------------------- bounded


def test_every_pass_reads_pieces_of_at_most_n_rows(tmp_path: Path, monkeypatch):
    """The partitioned families map pieces of at most N rows, the reader is asked for that many at a
    time, and a whole run of them never loads a split."""
    asked: list[int] = []
    real = pq.ParquetFile.iter_batches

    def recording(self, batch_size=65536, **kwargs):
        asked.append(batch_size)
        return real(self, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", recording)
    frame = pd.read_json(EXAMPLES / "products_v1" / "train.jsonl", lines=True)
    (tmp_path / "data").mkdir()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "data" / "train.parquet", row_group_size=300)
    test = pd.read_json(EXAMPLES / "products_v1" / "test.jsonl", lines=True)
    pq.write_table(pa.Table.from_pandas(test, preserve_index=False), tmp_path / "data" / "test.parquet")
    sizes: list[int] = []
    real_states = streaming.StreamSplit.partitions

    def counting(self, columns=None):
        for piece in real_states(self, columns):
            sizes.append(len(piece))
            yield piece

    monkeypatch.setattr(streaming.StreamSplit, "partitions", counting)
    suite = write(tmp_path / "suite.yaml", "checks:" + PARTITIONED)
    loads: list[str] = []
    monkeypatch.setattr(streaming.StreamSplit, "_load", lambda self: loads.append(self.name) or pd.DataFrame())
    report = check(tmp_path, suite, partition_rows=50)
    assert report.results and not any(r.status == "error" for r in report.results)
    assert asked and set(asked) == {50} and max(sizes) == 50 and len(sizes) > 100
    assert loads == []


def test_csv_pieces_are_one_parser_block(tmp_path: Path, monkeypatch):
    chunks: list[int] = []
    real = pd.read_csv

    def recording(*args, **kwargs):
        chunks.append(kwargs.get("chunksize"))
        return real(*args, **kwargs)

    monkeypatch.setattr(readers.pd, "read_csv", recording)
    width = 64
    block = csv_block_rows(width)
    lines = [",".join(f"c{j}" for j in range(width))] + [",".join(str(i + j) for j in range(width)) for i in range(3 * block)]
    write(tmp_path / "train.csv", "\n".join(lines) + "\n")
    for rows in (10, 2 * block + 1):
        chunks.clear()
        assert [len(p) for p in read_pieces(tmp_path / "train.csv", ReadOptions(), rows)] == [block] * 3
        assert chunks == [block]


def blocks_of_every_kind(width: int, blocks: int, rng: np.random.Generator, first: str = "") -> list[np.ndarray]:
    """CSV field values of ``width`` columns, ``blocks`` parser blocks each: per block integers,
    decimals, blanks, words, booleans or numbers with one word, drawn at random (``first``: the
    kinds of the leading columns, the same in every block)."""
    block = csv_block_rows(width)
    rows = np.arange(block)
    kinds = {
        "i": rows.astype(str), "f": (rows + 0.5).astype(str), "n": np.array([""] * block),
        "s": np.array([f"w{i}" for i in rows]), "b": np.where(rows % 2 == 0, "True", "False"),
        "x": np.where(rows == block // 2, "word", rows.astype(str)),
    }
    drawn = [np.concatenate([kinds[k] for k in rng.choice(list(kinds), blocks)]) for _ in range(width)]
    return [np.concatenate([kinds[k]] * blocks) for k in first] + drawn[len(first):]


@pytest.mark.parametrize("seed", [0, 1])
def test_csv_blocks_of_every_kind_in_any_order_stream_to_the_loaded_values(tmp_path: Path, seed: int):
    """Each column's blocks are integers, decimals, blanks, words, booleans or numbers with one word,
    drawn at random: every mix pandas' block-by-block typing makes is kept."""
    width, blocks = 64, 5
    block = csv_block_rows(width)
    columns = blocks_of_every_kind(width, blocks, np.random.default_rng(seed))
    lines = [",".join(f"c{j}" for j in range(width))] + [",".join(c[i] for c in columns) for i in range(blocks * block)]
    write(tmp_path / "train.csv", "\n".join(lines) + "\n")
    stream_ds, loaded_ds = streamed(tmp_path, block)
    assert_same_split(stream_ds, loaded_ds)


def test_a_pieces_first_values_do_not_keep_its_rows_in_memory() -> None:
    """The survey keeps one row per piece for the whole run: a one-row slice of an Arrow-backed
    column would keep the piece's whole string buffers (every piece's, for a streamed split)."""
    import gc

    before = pa.total_allocated_bytes()
    piece = pd.DataFrame({"text": pd.array(["a text of some length " * 4] * 200_000, dtype="str"), "n": np.arange(200_000)})
    assert pa.total_allocated_bytes() - before > 10_000_000
    row = streaming.first_values(piece)
    del piece
    gc.collect()
    assert pa.total_allocated_bytes() - before < 100_000
    assert row["text"].tolist() == ["a text of some length " * 4] and str(row["text"].dtype) == "str"


# --------------------------------------------------------------------------- reports


def suite_for(root: Path, tmp_path: Path) -> Path:
    own = root / "curate.yaml"
    dataset = yaml.safe_load(own.read_text()).get("dataset") if own.is_file() else None
    head = yaml.safe_dump({"dataset": dataset}) if dataset else ""
    return write(tmp_path / f"{root.name}.yaml", head + "checks:" + PARTITIONED)


def report_json(root: Path, suite: Path, rows: int) -> dict:
    out = json.loads(render(check(root, suite, partition_rows=rows)))
    for result in out["results"]:
        result.pop("seconds", None)
    return out


@pytest.mark.parametrize("root", [EXAMPLES / "hf_news", EXAMPLES / "kaggle_loans", EXAMPLES / "products_v2",
                                  REAL / "sms_spam_collection", REAL / "chinook_kaggle"], ids=lambda p: p.name)
def test_partitioned_families_report_the_same_streamed(root: Path, tmp_path: Path):
    suite = suite_for(root, tmp_path)
    assert report_json(root, suite, 40) == report_json(root, suite, 0)


def test_the_option_and_the_size_rule_choose_the_path(tmp_path: Path, monkeypatch):
    root = EXAMPLES / "products_v1"
    roles = Roles()
    assert all(s.loaded and not isinstance(s, StreamSplit) for s in load_pandas(root, roles).splits.values())
    assert all(isinstance(s, StreamSplit) for s in load_pandas(root, roles, rows=100).splits.values())
    assert all(not isinstance(s, StreamSplit) for s in load_pandas(root, roles, rows=0).splits.values())
    monkeypatch.setattr(streaming, "STREAM_BYTES", 1000)
    split = load_pandas(root, roles).splits["train"]
    assert isinstance(split, StreamSplit) and split.piece_rows == streaming.PIECE_ROWS
    result = CliRunner().invoke(main, ["check", str(root), "--max-partition-rows", "-1"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["check", str(root), "--engine", "dask", "--max-partition-rows", "10"])
    assert result.exit_code == 2 and "--max-partition-rows" in result.output


def test_a_collecting_family_loads_the_split_once_and_later_passes_slice_it(tmp_path: Path):
    stream_ds, loaded_ds = streamed(EXAMPLES / "products_v1", 25)
    split = stream_ds.splits["train"]
    assert_same_frame(split.frame, loaded_ds.splits["train"].frame)
    assert split.loaded
    assert_same_frame(pd.concat(list(split.partitions())), loaded_ds.splits["train"].frame)
