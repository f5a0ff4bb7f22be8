"""The Dask engine reads large CSV/TSV and JSON Lines files in byte ranges cut between records,
and only when reading the ranges back gives exactly what reading the whole file gives.

Parser blocks and ranges are made small here (``readers.CSV_BLOCK_BYTES``, ``SPAN_ROWS``,
``SPAN_BYTES``) so that files of a few thousand rows have several ranges; the cluster's workers
are threads of this process, so the patched values hold on them too.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write
import curate.engines.dask as dask_engine
import curate.readers as readers
from curate.readers import NotStreamable, ReadOptions, read_table, record_starts
from curate.runner import check
from curate.suite import Roles, dataset_section
from test_engines import assert_same, comparable
from test_engines_streaming import blocks_of_every_kind

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture
def small_ranges(monkeypatch) -> None:
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 1200)  # 4-column files: blocks of 256 rows
    monkeypatch.setattr(dask_engine, "SPAN_ROWS", 600)  # two blocks per range
    monkeypatch.setattr(dask_engine, "SPAN_BYTES", 0)


def _frame(n: int, seed: int = 0) -> pd.DataFrame:
    """Texts with commas, doubled quotes and newlines inside quoted fields; a score column whose
    only missing value is in a late block (integers in every other block, floats over the file)."""
    rng = np.random.default_rng(seed)
    words = np.array(["alpha", "beta", 'say "hi"', "one, two", "line\nbreak", "omega", "gamma", "delta"])
    score = pd.array(rng.integers(0, 9, n), dtype="Int64")
    score[n - 40] = pd.NA
    frame = pd.DataFrame({
        "uid": [f"u{i}" for i in range(n)],
        "text": [" ".join(rng.choice(words, 5)) for _ in range(n)],
        "score": score,
        "label": rng.choice(["a", "b", "c"], n),
    })
    frame.loc[[100, 900, n - 100], "text"] = frame.loc[7, "text"]  # copies across ranges
    return frame


def _pieces_equal_whole(client: Any, root: Path, roles: Roles | None = None, columns: tuple[str, ...] = ("label", "nope", "score")) -> list:
    """The split's pieces, after checking that together they are the file read whole."""
    split = dask_engine.load_dask(client, root, roles or Roles()).splits["train"]
    for data_file in split.files:
        whole = read_table(data_file.path, split.reader_options)
        whole.columns = [str(c) for c in whole.columns]
        whole.index = pd.RangeIndex(data_file.first_row, data_file.first_row + len(whole))
        mine = [p for p in split.pieces if p.path == data_file.path]
        pd.testing.assert_frame_equal(pd.concat([dask_engine.read_piece(p) for p in mine]), whole)
        for piece in mine:  # and any columns, in the order asked
            part = dask_engine.read_piece(piece, columns)
            pd.testing.assert_frame_equal(part, whole.loc[piece.offset:piece.stop - 1, [c for c in columns if c in whole]])
    return split.pieces


# ----------------------------------------------------------------------------- record boundaries


def _written(path: Path, records: list[str], newline: str = "\n") -> list[int]:
    """Write ``records`` (already CSV-quoted) one per line; the byte offset of each."""
    offsets, data = [], b""
    for record in records:
        offsets.append(len(data))
        data += (record + newline).encode()
    path.write_bytes(data)
    return offsets


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_record_starts_are_the_records_offsets(tmp_path: Path, newline: str, monkeypatch) -> None:
    monkeypatch.setattr(readers, "SCAN_BYTES", 7)  # records and quotes across the scan's blocks
    records = ["a,b", '1,"x, ""quoted""\nover two lines"', "2,plain", "", '3,"ends with a newline\n"', " \t ", "4,é", " 5,last"]
    offsets = _written(tmp_path / "f.csv", records, newline)
    data = [o for o, r in zip(offsets, records) if r.strip()][1:]  # no header, no blank line (pandas skips whitespace-only ones)
    size = (tmp_path / "f.csv").stat().st_size
    assert record_starts(tmp_path / "f.csv", ReadOptions(), 1) == data + [size]
    assert record_starts(tmp_path / "f.csv", ReadOptions(), 2) == data[::2] + [size]
    assert record_starts(tmp_path / "f.csv", ReadOptions(header=False), 1) == [offsets[0]] + data + [size]


def test_record_starts_without_quoting_and_in_json_lines(tmp_path: Path) -> None:
    offsets = _written(tmp_path / "f.tsv", ['label\ttext', 'ham\t"an unbalanced quote', 'spam\tnext "record"'])
    size = (tmp_path / "f.tsv").stat().st_size
    assert record_starts(tmp_path / "f.tsv", ReadOptions(quoting="none"), 1) == offsets[1:] + [size]
    offsets = _written(tmp_path / "f.jsonl", ['{"a": "x\\ny"}', "  ", '{"a": "\\"q"}'])
    assert record_starts(tmp_path / "f.jsonl", ReadOptions(), 1) == [offsets[0], offsets[2], (tmp_path / "f.jsonl").stat().st_size]


def test_a_last_record_without_a_newline_is_a_record(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_bytes(b"a,b\n1,x\n2,y")
    assert record_starts(tmp_path / "f.csv", ReadOptions(), 1) == [4, 8, 11]
    (tmp_path / "f.csv").write_bytes(b"a,b\n1,x\n \t ")  # only whitespace after the last newline: no record
    assert record_starts(tmp_path / "f.csv", ReadOptions(), 1) == [4, 11]


@pytest.mark.parametrize("name, data, why", [
    ("f.csv", b"a,b\r1,x\r2,y\r", "carriage return"),
    ("f.csv.gz", gzip.compress(b"a,b\n1,x\n"), "compressed"),
    ("f.csv", b"a,b\n" + b" \n" * 3000 + b"1,x\n", "whitespace"),  # each such line is re-read: bounded
])
def test_record_starts_refuses_what_it_cannot_cut(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(NotStreamable, match=why):
        record_starts(tmp_path / name, ReadOptions(format="csv"), 1)


def test_record_starts_refuses_an_encoding_whose_newline_is_not_a_byte(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_bytes("a,b\n1,x\n".encode("utf-16"))
    with pytest.raises(NotStreamable, match="ASCII"):
        record_starts(tmp_path / "f.csv", ReadOptions(encoding="utf-16"), 1)


# ----------------------------------------------------------------------------- ranges on the cluster


def test_a_csv_is_read_in_ranges_that_are_the_whole_file(tmp_path: Path, client: Any, small_ranges: None) -> None:
    (tmp_path / "d").mkdir()
    _frame(2000).to_csv(tmp_path / "d/train.csv", index=False)
    pieces = _pieces_equal_whole(client, tmp_path / "d")
    assert [p.rows for p in pieces] == [512] * 3 + [464] and all(p.span for p in pieces)
    assert pieces[0].span[0] == len(b"uid,text,score,label\n") and pieces[-1].span[1] == (tmp_path / "d/train.csv").stat().st_size
    assert dict(pieces[0].casts)["score"] == "float64"  # a range without the missing value is cast as the file


def test_json_lines_and_unquoted_tsv_are_read_in_ranges(tmp_path: Path, client: Any, small_ranges: None) -> None:
    frame = _frame(1500)
    (tmp_path / "j").mkdir()
    with open(tmp_path / "j/train.jsonl", "w") as handle:
        for i, row in enumerate(frame.astype(object).where(frame.notna(), None).to_dict("records")):
            handle.write(json.dumps(row) + ("\n\n" if i == 700 else "\n"))
    assert len(_pieces_equal_whole(client, tmp_path / "j")) == 3
    (tmp_path / "t").mkdir()
    quoted = 'a "quote'  # unbalanced: text, never quoting, with quoting: none
    lines = ["uid\ttext\tscore\tlabel"] + [f"u{i}\t{quoted if i % 9 else 'plain'} {i}\t{i % 7}\t{'ab'[i % 2]}" for i in range(1500)]
    (tmp_path / "t/train.tsv").write_text("\n".join(lines) + "\n")
    write(tmp_path / "t/curate.yaml", "dataset: {quoting: none}\n")
    assert len(_pieces_equal_whole(client, tmp_path / "t", dataset_section(tmp_path / "t/curate.yaml"))) == 3


def _stray_quote(path: Path) -> None:
    """A quote inside an unquoted field (text to both parsers), then records whose quoted field
    spans two lines: counting quotes, each record's inner newline looks like its end."""
    rows = ['u0,he is 5\'10" tall,1,a'] + [f'u{i},"two\nlines {i}",{i % 5},{"ab"[i % 2]}' for i in range(1, 1500)]
    path.write_text("uid,text,score,label\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("case", ["quote inside a field", "lone carriage return", "repeated header names"])
def test_a_file_whose_ranges_would_not_read_back_is_read_whole(tmp_path: Path, client: Any, small_ranges: None, case: str) -> None:
    (tmp_path / "d").mkdir()
    rows = [f"u{i},text {i},{i % 5},{'ab'[i % 2]}" for i in range(1500)]
    if case == "quote inside a field":
        _stray_quote(tmp_path / "d/train.csv")
    elif case == "lone carriage return":
        data = ("uid,text,score,label\n" + "\n".join(rows[:900]) + "\r" + "\n".join(rows[900:]) + "\n").encode()
        (tmp_path / "d/train.csv").write_bytes(data)
    else:
        (tmp_path / "d/train.csv").write_text("uid,text,score,score\n" + "\n".join(rows) + "\n")
    split = dask_engine.load_dask(client, tmp_path / "d", Roles()).splits["train"]
    assert [(p.rows, p.span) for p in split.pieces] == [(len(read_table(tmp_path / "d/train.csv")), None)]


def test_the_read_back_rejects_boundaries_inside_records(tmp_path: Path, client: Any, small_ranges: None, monkeypatch) -> None:
    """Ranges that start a few bytes into a record parse without an error (shorter and shifted
    records): only the comparison with the whole read sees them, and the file is read whole."""
    (tmp_path / "d").mkdir()
    _frame(1500).to_csv(tmp_path / "d/train.csv", index=False)
    real = dask_engine.record_starts
    shifted = lambda *args: [s + 3 if 0 < i < len(r) - 1 else s for r in [real(*args)] for i, s in enumerate(r)]  # noqa: E731
    starts = shifted(tmp_path / "d/train.csv", ReadOptions(), 512)
    names = ["uid", "text", "score", "label"]
    parts = [part for a, b in zip(starts, starts[1:]) for part in readers.read_span(tmp_path / "d/train.csv", ReadOptions(), a, b, names, 256)]
    whole = read_table(tmp_path / "d/train.csv")
    assert len(starts) == 4 and not pd.concat(parts, ignore_index=True).iloc[:, :2].equals(whole.iloc[:, :2])  # read, but wrong
    monkeypatch.setattr(dask_engine, "record_starts", shifted)
    split = dask_engine.load_dask(client, tmp_path / "d", Roles()).splits["train"]
    assert [(p.rows, p.span) for p in split.pieces] == [(1500, None)]


def test_maps_read_ranges_never_the_whole_file(tmp_path: Path, client: Any, small_ranges: None, monkeypatch) -> None:
    (tmp_path / "d").mkdir()
    _frame(2000).to_csv(tmp_path / "d/train.csv", index=False)
    dataset = dask_engine.load_dask(client, tmp_path / "d", Roles(key="uid"))

    def refuse(*args, **kwargs):
        raise AssertionError("a whole-file read")

    monkeypatch.setattr(dask_engine, "read_table", refuse)
    from test_engines_dask_pieces import Recorder
    from curate.checks.base import Plan

    states = dask_engine.DaskEngine(client).states(Recorder(), Plan(("train",), ("text",)), dataset)
    assert sorted(s[2:] for s in states) == [(0, 512), (512, 512), (1024, 512), (1536, 464)]


SUITE = """dataset: {key: uid, text: text, label: label}
checks:
  - duplicates: {columns: [text]}
  - near_duplicates: {}
  - conflicting_labels: {}
  - class_imbalance: {}
  - column_quality: {}
  - text_quality: {}
  - schema: {}
  - pii: {}
"""


def test_engines_agree_on_csv_ranges(tmp_path: Path, client: Any, small_ranges: None) -> None:
    """Findings, keys and the misreading notes (ids in scientific notation) match the pandas engine's."""
    (tmp_path / "d").mkdir()
    frame = _frame(2000, seed=3)
    frame["account"] = [f"{x:.5E}" for x in np.linspace(1.2e11, 9.9e11, 2000)]  # Excel-mangled ids
    frame.loc[1900, "account"] = frame.loc[3, "account"]
    frame.loc[1999, "text"] = "write to ann.lee@example.org about it"
    frame.to_csv(tmp_path / "d/train.csv", index=False)
    frame.iloc[:300].to_csv(tmp_path / "d/test.csv", index=False)
    suite = write(tmp_path / "suite.yaml", SUITE)
    pandas_report = comparable(check(tmp_path / "d", suite))
    dask_report = comparable(check(tmp_path / "d", suite, engine="dask", scheduler=client.scheduler.address))
    assert any("scientific" in n for n in pandas_report["notes"])
    assert {r["check"] for r in pandas_report["results"] if r["findings"]} >= {"duplicates", "near_duplicates", "pii"}
    assert_same(pandas_report, dask_report)
    split = dask_engine.load_dask(client, tmp_path / "d", Roles(key="uid")).splits["train"]
    assert len(split.pieces) == 4 and all(p.span for p in split.pieces)


@pytest.mark.parametrize("seed", [1])
def test_blocks_of_every_kind_read_in_ranges_as_the_whole_file(tmp_path: Path, client: Any, monkeypatch, seed: int) -> None:
    """pandas' own block size (nothing patched but the size threshold): each column's blocks are
    integers, decimals, blanks, words, booleans or numbers with one word, drawn at random, and the
    ranges, cast block by block, give every mix the whole read makes (Python ints among words,
    floats for integers with blanks elsewhere)."""
    monkeypatch.setattr(dask_engine, "SPAN_BYTES", 0)
    width, blocks = 64, 5
    block = readers.csv_block_rows(width)
    monkeypatch.setattr(dask_engine, "SPAN_ROWS", block)
    columns = blocks_of_every_kind(width, blocks, np.random.default_rng(seed), first="siss")  # uid, text, score, label
    names = ["uid", "text", "score", "label"] + [f"c{j}" for j in range(4, width)]
    lines = [",".join(names)] + [",".join(c[i] for c in columns) for i in range(blocks * block)]
    (tmp_path / "d").mkdir()
    write(tmp_path / "d/train.csv", "\n".join(lines) + "\n")
    pieces = _pieces_equal_whole(client, tmp_path / "d")
    assert len(pieces) == blocks and all(p.span for p in pieces)



REAL_SUITE = """dataset: {text: text}
checks:
  - duplicates: {}
  - near_duplicates: {}
  - column_quality: {}
  - text_quality: {}
  - pii: {}
"""


def test_real_tweets_with_quoted_newlines_read_in_ranges(tmp_path: Path, client: Any, monkeypatch) -> None:
    """Twitter US Airline Sentiment (tests/data/real, CC BY-NC-SA 4.0), decompressed: real quoting,
    tweets over several lines, commas in fields. Its ranges read back exactly and the reports agree."""
    source = Path(__file__).parent / "data/real/twitter_airline_sentiment/Tweets.csv.gz"
    (tmp_path / "d").mkdir()
    (tmp_path / "d/Tweets.csv").write_bytes(gzip.decompress(source.read_bytes()))
    assert b'"' in (tmp_path / "d/Tweets.csv").read_bytes()[:100_000]
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 30_000)  # 15 columns: blocks of 1,024 rows
    monkeypatch.setattr(dask_engine, "SPAN_ROWS", 2048)
    monkeypatch.setattr(dask_engine, "SPAN_BYTES", 0)
    pieces = _pieces_equal_whole(client, tmp_path / "d", Roles(text="text"), ("airline_sentiment", "nope", "text"))
    assert len(pieces) == 8 and all(p.span for p in pieces) and sum(p.rows for p in pieces) == 14_640
    suite = write(tmp_path / "suite.yaml", REAL_SUITE)
    pandas_report = comparable(check(tmp_path / "d", suite))
    dask_report = comparable(check(tmp_path / "d", suite, engine="dask", scheduler=client.scheduler.address))
    assert {r["check"]: len(r["findings"]) for r in pandas_report["results"]}["duplicates"] == 36  # the known copies
    assert_same(pandas_report, dask_report)
