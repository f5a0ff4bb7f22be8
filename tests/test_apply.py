"""``curate apply`` and the file writer: exact round trips, byte-identical untouched rows, safe writes.

The writer is tested on files built record by record, so the expected bytes are written down
independently of the code under test; the round trips compare ``curate apply``'s output with
``curate fix``'s corrected files byte for byte.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, write
from test_corrections import fix_example, news_suite, registered_test_checks

from curate.cli import main
from curate.corrections import read_corrections
from curate.errors import CurateError
from curate.export.writer import rewrite, verify_written
from curate.readers import read_table


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def tree(root: Path) -> dict[str, str]:
    """relative path → sha256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def rows_of(path: Path) -> int:
    return len(read_table(path))


# =========================================================================== the writer, format by format


CSV_RECORDS = [
    "id,text,label,score\r\n",
    "1,plain,pos,1.5\r\n",
    '2,"quoted, with comma",neg,2.5\n',
    '3,"multi\nline ""quoted""",pos,3.5\r\n',
    "\n",  # a blank line: pandas skips it
    '4,  spaced  ,"pos",4.5\n',
    "5,é ünïcödé,neg,5.5",  # no newline at the end of the file
]


def test_csv_untouched_records_keep_their_bytes(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("".join(CSV_RECORDS).encode("utf-8"))
    assert rows_of(path) == 5
    out = rewrite(
        path, {1}, {2: {"label": "neg"}, 3: {"label": "neg, maybe", "text": "x"}, 4: {"score": 6.0}}, expected_rows=5
    )
    want = (
        CSV_RECORDS[0]
        + CSV_RECORDS[1]
        + '3,"multi\nline ""quoted""",neg,3.5\r\n'
        + "\n"
        + '4,x,"neg, maybe",4.5\n'
        + "5,é ünïcödé,neg,6.0"
    )
    assert out == want.encode("utf-8")


def test_csv_quoting_rules_for_new_values(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", 'id,a,b\n1,"x",y\n2,x,y\n')
    out = rewrite(path, set(), {0: {"a": "plain"}, 1: {"a": 'say "hi"', "b": None}}, expected_rows=2)
    assert out == b'id,a,b\n1,"plain",y\n2,"say ""hi""",\n'  # quoted stays quoted; quotes escaped; null empty
    ints = write(tmp_path / "i.csv", "id,n\n1,5\n")
    assert rewrite(ints, set(), {0: {"n": 7.0}}, expected_rows=1, integer_columns={"n"}) == b"id,n\n1,7\n"


def test_tsv_bom_and_header_mapping(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes("\ufeffid\tlabel\n1\tpos\n2\tneg\n".encode("utf-8"))
    out = rewrite(path, {0}, {1: {"label": "pos"}}, expected_rows=2)
    assert out == "\ufeffid\tlabel\n2\tpos\n".encode("utf-8")


def test_csv_that_does_not_line_up_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,a\n1,x\n2,y\n")
    with pytest.raises(CurateError, match="cannot line up the file's records"):
        rewrite(path, {0}, {}, expected_rows=3)


JSONL_LINES = [
    '{"id": 1, "label": "pos"}\n',
    '{"id":2,"label":"neg","tags":["a","b"]}\r\n',
    "\n",
    '{ "id" : 3 , "label" : "caf\\u00e9" , "n": 1.50 }\n',
    '{"id": 4}\n',
]


def test_jsonl_patches_values_in_place(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text("".join(JSONL_LINES), encoding="utf-8")
    assert rows_of(path) == 4
    out = rewrite(path, {1}, {2: {"label": "thé"}, 3: {"label": "new"}, 0: {"tags": ["z"]}}, expected_rows=4)
    want = (
        '{"id": 1, "label": "pos", "tags": ["z"]}\n'
        + "\n"
        + '{ "id" : 3 , "label" : "th\\u00e9" , "n": 1.50 }\n'
        + '{"id": 4, "label": "new"}\n'
    )
    assert out.decode("utf-8") == want


def test_json_array_keeps_its_layout(tmp_path: Path) -> None:
    text = '[\n  {"id": 1, "label": "a"},\n  {"id": 2, "label": "b"},\n  {"id": 3, "label": "c"}\n]\n'
    path = write(tmp_path / "t.json", text)
    assert (
        rewrite(path, {0}, {2: {"label": "z"}}, expected_rows=3)
        == b'[\n  {"id": 2, "label": "b"},\n  {"id": 3, "label": "z"}\n]\n'
    )
    wrapped = write(tmp_path / "w.json", '{"version": 1, "data": [{"id": 1}, {"id": 2}]}')
    assert rewrite(wrapped, {1}, {}, expected_rows=2) == b'{"version": 1, "data": [{"id": 1}]}'


def test_parquet_keeps_its_schema(tmp_path: Path) -> None:
    schema = pa.schema(
        [("id", pa.int32()), ("label", pa.string()), ("tags", pa.list_(pa.string()))],
        metadata={b"huggingface": b'{"info": {"features": {}}}'},
    )
    table = pa.table({"id": [1, 2, 3], "label": ["a", "b", "c"], "tags": [["x"], [], ["y", "z"]]}, schema=schema)
    for compliant in (True, False):  # list items named 'element' (today's default) or 'item' (older writers)
        legacy = tmp_path / f"legacy-{compliant}.parquet"
        pq.write_table(table, legacy, use_compliant_nested_type=compliant)
        legacy_out = tmp_path / f"legacy-out-{compliant}.parquet"
        legacy_out.write_bytes(rewrite(legacy, {0}, {}, expected_rows=3))
        assert pq.read_schema(legacy_out).equals(pq.read_schema(legacy), check_metadata=True)
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, compression="zstd")
    out = tmp_path / "o.parquet"
    out.write_bytes(rewrite(path, {1}, {2: {"label": "q"}}, expected_rows=3))
    back = pq.read_table(out)
    assert back.schema.equals(pq.read_schema(path), check_metadata=True)
    assert back.to_pydict() == {"id": [1, 3], "label": ["a", "q"], "tags": [["x"], ["y", "z"]]}
    assert pq.ParquetFile(out).metadata.row_group(0).column(0).compression == "ZSTD"
    with pytest.raises(CurateError, match="cannot store the new value"):
        rewrite(path, set(), {0: {"id": "not a number"}}, expected_rows=3)


def test_gzip_csv_content_is_patched(tmp_path: Path) -> None:
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"id,a\n1,x\n2,y\n"))
    assert gzip.decompress(rewrite(path, {0}, {}, expected_rows=2)) == b"id,a\n2,y\n"


def test_a_value_that_would_not_read_back_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,label\n1,pos\n")
    path.write_bytes(rewrite(path, set(), {0: {"label": "NA"}}, expected_rows=1))
    with pytest.raises(CurateError, match="does not read back as intended: row 0 column 'label' reads as null"):
        verify_written(path, pd.DataFrame({"id": [1], "label": ["NA"]}))


# =========================================================================== fix → apply round trips


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    """``curate fix`` of hf_news with copies, leaks, flips and label typos; the example is not modified."""
    base = tmp_path_factory.mktemp("news")
    before = tree(EXAMPLES / "hf_news")
    with registered_test_checks():
        suite = news_suite(base)
        outcome = fix_example("hf_news", base / "out", suite=suite)
        yield outcome, base / "out", suite
    assert tree(EXAMPLES / "hf_news") == before


def test_fix_never_touches_the_dataset_and_writes_a_full_corrected_copy(news) -> None:
    outcome, out, _ = news
    assert set(tree(out / "data")) == {"README.md", "curate.yaml", "data/train.csv", "data/test.csv"}
    assert {f.rel for f in outcome.files} == {"data/train.csv", "data/test.csv"}
    for f in outcome.files:
        assert rows_of(out / "data" / f.rel) == f.rows_after == f.rows_before - f.deleted


def test_apply_reproduces_fix_exactly(news, tmp_path: Path) -> None:
    _, out, _ = news
    result = run(
        "apply", EXAMPLES / "hf_news", out / "corrections.jsonl", "--include-proposed", "--out", tmp_path / "a"
    )
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "a") == tree(out / "data")


def test_untouched_rows_are_byte_identical(news) -> None:
    outcome, out, _ = news
    for name in ("train", "test"):
        changed = {c.key for c in outcome.plan_corrections if c.split == name}
        original = (EXAMPLES / "hf_news" / "data" / f"{name}.csv").read_bytes().splitlines(keepends=True)
        fixed = (out / "data" / "data" / f"{name}.csv").read_bytes().splitlines(keepends=True)
        keep = [line for line in original if line.split(b",", 1)[0].decode() not in changed]
        assert [line for line in fixed if line.split(b",", 1)[0].decode() not in changed] == keep
        updated = {c.key for c in outcome.plan_corrections if c.split == name and c.op == "update"}
        assert len(fixed) == len(original) - len(changed - updated)


def test_corrected_copy_passes_the_copy_check(news) -> None:
    import curate

    _, out, suite = news
    with registered_test_checks():
        before = curate.check(EXAMPLES / "hf_news", suite, only="test_copies")
        after = curate.check(out / "data", suite, only="test_copies")
    assert before.result("test_copies").status.value == "fail"
    assert after.result("test_copies").status.value == "pass" and after.result("test_copies").findings == []


def test_corrected_copy_loads_with_datasets(news, tmp_path: Path) -> None:
    """The card's num_examples follow the deletes, so ``datasets`` loads the corrected folder (its
    split-size check passes) — and the label typos that made the original fail to load are fixed."""
    import datasets

    outcome, out, _ = news
    loaded = datasets.load_dataset(str(out / "data"), cache_dir=str(tmp_path / "cache"))
    rows = {f.split: f.rows_after for f in outcome.all_files}
    assert {name: loaded[name].num_rows for name in loaded} == rows
    assert loaded["train"].features["label"].names == ["world", "sports", "business", "science"]


def test_apply_only_accepted_and_never_rejected(news, tmp_path: Path) -> None:
    _, out, _ = news
    lines = [json.loads(line) for line in (out / "corrections.jsonl").read_text().splitlines()]
    delete = next(c for c in lines if c["op"] == "delete")
    update = next(c for c in lines if c["op"] == "update")
    rejected = next(c for c in lines if c["op"] == "update" and c is not update)
    delete["status"] = update["status"] = "accepted"
    rejected["status"] = "rejected"
    edited = tmp_path / "reviewed.jsonl"
    edited.write_text("".join(json.dumps(c) + "\n" for c in lines))
    result = run("apply", EXAMPLES / "hf_news", edited, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert f"applied 2 of {len(lines)} correction(s) (accepted): 1 delete, 1 update" in result.output
    frame = read_table(tmp_path / "a" / "data" / f"{delete['split']}.csv")
    assert delete["key"] not in set(frame["id"])
    split = read_table(tmp_path / "a" / "data" / f"{update['split']}.csv").set_index("id")
    assert split.loc[update["key"], "label"] == update["new"]
    result = run("apply", EXAMPLES / "hf_news", edited, "--include-proposed", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    split = read_table(tmp_path / "b" / "data" / f"{rejected['split']}.csv").set_index("id")
    assert split.loc[rejected["key"], "label"] == rejected["old"]


@pytest.fixture
def news_copy(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    shutil.copytree(EXAMPLES / "hf_news", root)
    return root


def test_apply_in_place_is_atomic_with_a_backup(news, news_copy: Path, tmp_path: Path) -> None:
    _, out, _ = news
    original = tree(news_copy)
    result = run(
        "apply",
        news_copy,
        out / "corrections.jsonl",
        "--include-proposed",
        "--in-place",
        "--backup-dir",
        tmp_path / "backup",
    )
    assert result.exit_code == 0, result.output
    assert f"originals saved in {tmp_path / 'backup'}" in result.output
    assert tree(news_copy) == tree(out / "data")  # the same bytes curate fix wrote, card included
    backup = tree(tmp_path / "backup")
    assert backup == {rel: original[rel] for rel in ("README.md", "data/test.csv", "data/train.csv")}
    # applying again: every correction is now stale
    again = run("apply", news_copy, out / "corrections.jsonl", "--include-proposed", "--in-place")
    assert again.exit_code == 2 and "stale correction" in again.output


def test_in_place_failure_rolls_back(news, news_copy: Path, tmp_path: Path, monkeypatch) -> None:
    import os

    from curate.export import fix as fix_module
    from curate.export.fix import apply_corrections

    _, out, _ = news
    original = tree(news_copy)
    calls = []
    real_replace = os.replace

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(fix_module.os, "replace", flaky)
    with pytest.raises(OSError):
        apply_corrections(
            news_copy, out / "corrections.jsonl", in_place=True, include_proposed=True, backup_dir=tmp_path / "backup"
        )
    assert tree(news_copy) == original  # the first replaced file was restored; no temp files left


def test_stale_patch_is_refused_and_named(news, news_copy: Path, tmp_path: Path) -> None:
    _, out, _ = news
    corrections = read_corrections(out / "corrections.jsonl")
    target = next(c for c in corrections if c.op == "update" and c.split == "train")
    train = news_copy / "data" / "train.csv"
    lines = train.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(target.key + ","))
    lines[at] = lines[at].replace(f",{target.old},", ",world," if target.old != "world" else ",sports,")
    train.write_text("".join(lines), encoding="utf-8")
    result = run("apply", news_copy, out / "corrections.jsonl", "--include-proposed", "--out", tmp_path / "a")
    assert result.exit_code == 2
    assert f"{out / 'corrections.jsonl'}:{target.line}: stale correction {target.id}:" in result.output
    assert f"train/{target.key} label is" in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "a").exists()


def test_output_folder_rules(news, tmp_path: Path) -> None:
    _, out, _ = news
    corrections = out / "corrections.jsonl"
    busy = tmp_path / "busy"
    write(busy / "keep.txt", "x")
    result = run("apply", EXAMPLES / "hf_news", corrections, "--out", busy)
    assert result.exit_code == 2 and "--out exists and is not empty (use --force to replace it)" in result.output
    result = run("apply", EXAMPLES / "hf_news", corrections, "--out", busy, "--force", "--include-proposed")
    assert result.exit_code == 0 and not (busy / "keep.txt").exists() and (busy / "data" / "train.csv").is_file()
    inside = run("apply", EXAMPLES / "hf_news", corrections, "--out", EXAMPLES / "hf_news" / "fixed")
    assert inside.exit_code == 2 and "--out must be outside the dataset folder" in inside.output
    assert run("apply", EXAMPLES / "hf_news", corrections).exit_code == 2
    both = run("apply", EXAMPLES / "hf_news", corrections, "--out", tmp_path / "x", "--in-place")
    assert both.exit_code == 2 and "not both" in both.output


def test_jsonl_and_parquet_datasets_round_trip(tmp_path: Path) -> None:
    """Hand-written corrections on a JSON Lines and a Parquet dataset: apply, then compare."""
    lines = write(
        tmp_path / "lines" / "train.jsonl",
        '{"id": "a", "label": "x", "n": 1}\n{"id":"b","label":"y","n":2}\n{"id": "c", "label": "x", "n": 3}\n',
    )
    corrections = write(
        tmp_path / "c.jsonl",
        """
        {"split": "train", "key": "b", "op": "delete", "old": {"id": "b", "label": "y", "n": 2}, "status": "accepted"}
        {"split": "train", "key": "c", "op": "update", "column": "label", "old": "x", "new": "z", "status": "accepted"}
        """,
    )
    result = run("apply", lines.parent, corrections, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / "out" / "train.jsonl"
    ).read_text() == '{"id": "a", "label": "x", "n": 1}\n{"id": "c", "label": "z", "n": 3}\n'

    schema = pa.schema([("id", pa.string()), ("label", pa.string()), ("n", pa.int16())])
    (tmp_path / "pq").mkdir()
    pq.write_table(
        pa.table({"id": ["d", "e"], "label": ["x", "y"], "n": [4, 5]}, schema=schema), tmp_path / "pq" / "train.parquet"
    )
    corrections = write(
        tmp_path / "p.jsonl",
        """
        {"split": "train", "key": "e", "op": "update", "column": "n", "old": 5, "new": 50, "status": "accepted"}
        """,
    )
    result = run("apply", tmp_path / "pq", corrections, "--out", tmp_path / "pq-out")
    assert result.exit_code == 0, result.output
    back = pq.read_table(tmp_path / "pq-out" / "train.parquet")
    assert back.schema.equals(pq.read_schema(tmp_path / "pq" / "train.parquet"), check_metadata=True)
    assert back.column("n").to_pylist() == [4, 50]


# =========================================================================== review diffs


def test_tabular_diff_follows_the_highlighter_format() -> None:
    from curate.export.tabdiff import tabular_diff, to_csv, to_html

    frame = pd.DataFrame(
        {"id": ["a", "b", "c", "d", "e"], "note": ["x", "a->b", None, "NULL", "y"], "n": [1, 2, 3, 4, 5]}
    )
    rows = tabular_diff(frame, {2}, {1: {"n": 20}, 3: {"note": None}})
    assert rows == [
        ["@@", "id", "note", "n"],
        ["...", "...", "...", "..."],
        ["-->", "b", "a->b", "2-->20"],  # a cell of the row holds '->': the row uses a longer arrow
        ["---", "c", "NULL", "3"],
        ["->", "d", "_NULL->NULL", "4"],  # the string 'NULL' is escaped, a missing value is NULL
        ["...", "...", "...", "..."],
    ]
    assert to_csv(rows).splitlines()[2] == "-->,b,a->b,2-->20"
    page = to_html(rows, "diff <t>")
    assert "<title>diff &lt;t&gt;</title>" in page
    assert (
        '<tr class="modify"><td class="action">--&gt;</td><td>b</td><td>a-&gt;b</td>'
        '<td class="modify">2--&gt;20</td></tr>'
        in page
    )
    assert '<tr class="remove"><td class="action">---</td>' in page


# =========================================================================== reading options


def test_quoting_none_patches_lines_and_keeps_quotes_as_text(tmp_path: Path) -> None:
    from curate.readers import ReadOptions

    path = tmp_path / "SMSSpamCollection"
    path.write_bytes(b'ham\t"Hi" she said\nspam\tFree "prize\nham\tok\r\nham\tbye')
    options = ReadOptions(format="tsv", header=False, names=("label", "text"), quoting="none")
    assert read_table(path, options)["text"].tolist() == ['"Hi" she said', 'Free "prize', "ok", "bye"]
    out = rewrite(path, {3}, {1: {"label": "ham"}, 2: {"text": 'a "b'}}, expected_rows=4, options=options)
    assert out == b'ham\t"Hi" she said\nham\tFree "prize\nham\ta "b\r\n'  # no quoting added, line endings kept
    with pytest.raises(CurateError, match="quoting: none.*cannot hold the separator"):
        rewrite(path, set(), {0: {"text": "a\tb"}}, expected_rows=4, options=options)


def test_headerless_file_with_any_extension_and_separator(tmp_path: Path) -> None:
    from curate.readers import ReadOptions

    path = tmp_path / "table.data"
    path.write_bytes(b"1|x|a\n2|y|b\n\n3|z|c\n")
    options = ReadOptions(format="csv", sep="|", header=False, names=("n", "s", "t"))
    out = rewrite(path, {0}, {2: {"s": "w"}}, expected_rows=3, options=options, integer_columns={"n"})
    assert out == b"2|y|b\n\n3|w|c\n"  # no header record to keep; the first record is a row
    unnamed = ReadOptions(format="csv", sep="|", header=False)
    assert read_table(path, unnamed).columns.tolist() == ["column_1", "column_2", "column_3"]
    assert rewrite(path, set(), {1: {"column_3": "q"}}, expected_rows=3, options=unnamed) == b"1|x|a\n2|y|q\n\n3|z|c\n"
    renamed = tmp_path / "dup.csv"
    renamed.write_bytes(b"id,score,score\n1,2,3\n")  # names replace a header with repeated names
    options = ReadOptions(names=("id", "first", "second"))
    assert rewrite(renamed, set(), {0: {"second": 9}}, expected_rows=1, options=options) == b"id,score,score\n1,2,9\n"


def test_skip_initial_space_keeps_the_space_after_the_separator(tmp_path: Path) -> None:
    """', '-separated records (UCI adult.data): the values are read without the space; an updated field
    keeps the space before it (and its quotes), every other byte stays, and the file reads back the same way."""
    from curate.readers import ReadOptions

    path = tmp_path / "adult.data"
    path.write_bytes(b'39, State-gov, Male, <=50K\n50,  "Self, emp", Female, >50K\r\n38, Private, Male, <=50K\n')
    options = ReadOptions(format="csv", header=False, names=("age", "work", "sex", "income"), skip_initial_space=True)
    frame = read_table(path, options)
    assert frame["work"].tolist() == ["State-gov", "Self, emp", "Private"] and frame["sex"].tolist()[1] == "Female"
    out = rewrite(path, {2}, {0: {"income": ">50K"}, 1: {"work": 'Self-emp "inc"'}}, expected_rows=3, options=options)
    assert out == b'39, State-gov, Male, >50K\n50,  "Self-emp ""inc""", Female, >50K\r\n'
    patched = tmp_path / "patched.data"
    patched.write_bytes(out)
    assert read_table(patched, options)["work"].tolist() == ["State-gov", 'Self-emp "inc"']
    with pytest.raises(CurateError, match="malformed CSV"):  # without it, '  "Self, emp"' is not a quoted field
        read_table(path, ReadOptions(format="csv", header=False, names=("age", "work", "sex", "income")))


def _real(kind: str, tmp_path: Path) -> tuple[Path, str]:
    from test_loading import ADULT_NAMES, adult_folder, sms_folder

    if kind == "sms":
        options = "  files: SMSSpamCollection\n  format: tsv\n  header: false\n  names: [label, text]\n  quoting: none\n"
        return sms_folder(tmp_path, options), "SMSSpamCollection"
    options = f"  files: adult.data\n  format: csv\n  header: false\n  names: [{ADULT_NAMES}]\n"
    if kind == "adult spaced":
        options += "  skip_initial_space: true\n"
    return adult_folder(tmp_path, options), "adult.data"


@pytest.mark.parametrize("kind", ["sms", "adult", "adult spaced"])
def test_fix_and_apply_round_trip_real_files_under_reading_options(kind: str, tmp_path: Path) -> None:
    """The real SMS corpus (quoting: none, headerless TSV) and UCI Adult (headerless .data): fix deletes
    the exact copies, apply reproduces it byte for byte, and every other record keeps its bytes."""
    from curate.export.fix import fix_dataset

    folder, name = _real(kind, tmp_path)
    outcome = fix_dataset(folder, tmp_path / "out", bundles="none")
    deleted = {c.row for c in outcome.plan_corrections if c.op == "delete"}
    assert deleted and not [c for c in outcome.plan_corrections if c.op != "delete"]
    records = [line for line in (folder / name).read_bytes().splitlines(keepends=True) if line.strip()]
    fixed = (tmp_path / "out" / "data" / name).read_bytes()
    assert [line for line in fixed.splitlines(keepends=True) if line.strip()] == [
        line for i, line in enumerate(records) if i not in deleted
    ]
    result = run("apply", folder, tmp_path / "out" / "corrections.jsonl", "--include-proposed", "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / name).read_bytes() == fixed
