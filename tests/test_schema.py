"""The ``schema`` check and ``curate lock``: every kind of finding, against a lock and a card.

Datasets are written into tmp_path; the bundled examples are read in place and never written
to (their locks go to tmp_path and are passed with ``baseline:``).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES, write

import curate
from curate.baseline import LOCK_VERSION, column_profile, lock_dataset, read_lock
from curate.schema_compare import NO_SOURCES_MESSAGE, profiles_match
from curate.dataset import load_dataset
from curate.errors import CurateError
from curate.report import render

CATEGORIES = ["home", "toys", "sports"]


# --------------------------------------------------------------------------- helpers


def base_frame(n: int = 60, offset: int = 0) -> pd.DataFrame:
    """A small product table: id key, a category, a price, a stock count, a flag, a note."""
    rows = range(offset, offset + n)
    return pd.DataFrame(
        {
            "id": [f"p{i:03d}" for i in rows],
            "category": [CATEGORIES[i % 3] for i in rows],
            "price": [round(5 + (i * 37 % 100) / 3, 2) for i in rows],
            "stock": [i * 7 % 50 for i in rows],
            "active": [i % 4 != 0 for i in rows],
            "note": [None if i % 30 == 0 else f"note number {i}" for i in rows],
        }
    )


def write_jsonl(folder: Path, split: str, frame: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{split}.jsonl"
    frame.to_json(path, orient="records", lines=True)
    return path


def make_dataset(folder: Path, train: pd.DataFrame, test: pd.DataFrame | None = None) -> Path:
    write_jsonl(folder, "train", train)
    if test is not None:
        write_jsonl(folder, "test", test)
    return folder


def schema_suite(tmp_path: Path, params: str = "{}", name: str = "suite.yaml") -> Path:
    """A suite file outside the dataset folder (so checks leave the folder as it was)."""
    return write(tmp_path / name, f"checks:\n  - schema: {params}\n")


def run_schema(folder: Path, suite: Path, **kwargs):
    return curate.check(folder, suite=suite, **kwargs).result("schema")


def by_kind(result, prefix: str) -> list:
    return [f for f in result.findings if f.message.startswith(prefix + ":")]


def listing(folder: Path) -> dict[str, tuple[int, float]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    """A two-split dataset with its lock written at its root."""
    folder = make_dataset(tmp_path / "ds", base_frame(60), base_frame(30, offset=100))
    lock_dataset(folder)
    return folder


# --------------------------------------------------------------------------- curate lock


def test_lock_writes_only_the_lock_and_replaces_it_atomically(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(40), base_frame(10, offset=50))
    before = listing(folder)
    path = lock_dataset(folder)
    assert path == folder / "curate.lock.json"
    after = listing(folder)
    assert set(after) == set(before) | {"curate.lock.json"}
    assert {k: after[k] for k in before} == before  # data files untouched
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o044, f"lock must be readable by others (committed to repos), got {oct(mode)}"

    doc = read_lock(path)
    assert doc["curate_lock"] == LOCK_VERSION
    assert set(doc["splits"]) == {"train", "test"}
    assert doc["splits"]["train"]["rows"] == 40
    assert doc["dataset"]["key"] == "id"

    path.write_text("stale", encoding="utf-8")
    assert lock_dataset(folder) == path
    assert read_lock(path) == doc  # replaced, and deterministic
    assert set(os.listdir(folder)) == set(before) | {"curate.lock.json"}  # no temp files left


def test_lock_output_elsewhere_leaves_the_folder_alone(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(20))
    before = listing(folder)
    out = lock_dataset(folder, output=tmp_path / "elsewhere.json")
    assert out == tmp_path / "elsewhere.json" and out.is_file()
    assert listing(folder) == before
    (tmp_path / "locks").mkdir()
    assert lock_dataset(folder, output=tmp_path / "locks") == tmp_path / "locks" / "curate.lock.json"
    with pytest.raises(CurateError, match="output folder does not exist"):
        lock_dataset(folder, output=tmp_path / "missing" / "x.json")


def test_lock_uses_the_key_from_curate_yaml_and_the_hf_card(hf_folder: Path, tmp_path: Path) -> None:
    # only the dataset section matters to lock: a broken check is `curate check`'s to report
    write(hf_folder / "curate.yaml", "dataset:\n  key: text\nchecks:\n  - not_a_check: {}\n")
    doc = read_lock(lock_dataset(hf_folder, output=tmp_path / "l.json"))
    assert doc["dataset"]["key"] == "text"
    assert set(doc["splits"]) == {"train", "test"}  # plain str split names, not NamedSplit
    assert doc["dataset"]["layout"] == "huggingface"


# --------------------------------------------------------------------------- against the lock


def test_unchanged_dataset_passes(locked: Path, tmp_path: Path) -> None:
    result = run_schema(locked, schema_suite(tmp_path))
    assert result.status == "pass", [f.message for f in result.findings]
    assert result.message == "no schema changes against the baseline (curate.lock.json)"
    assert result.metrics["findings"] == 0


def test_every_kind_of_change_against_the_lock(locked: Path, tmp_path: Path) -> None:
    train = base_frame(60)
    train = train.drop(columns=["active"])  # removed
    train["color"] = ["red", "blue"] * 30  # added
    train["stock"] = train["stock"].astype(str)
    train.loc[[7, 9], "stock"] = "N/A"  # int64 → str
    train.loc[[11, 20, 41], "category"] = "garden"  # new category, first at row 11
    train.loc[50, "category"] = "pets"
    train.loc[0:19, "note"] = None  # null rate 2/60 → 21/60 (row 30 was null already)
    (locked / "test.jsonl").unlink()  # split removed
    write_jsonl(locked, "train", train)
    write_jsonl(locked, "validation", base_frame(10))  # split added
    result = run_schema(locked, schema_suite(tmp_path))

    assert result.status == "fail"
    (removed,) = by_kind(result, "column removed")
    assert (removed.column, removed.split, removed.row, removed.key) == ("active", "train", None, None)
    (added,) = by_kind(result, "column added")
    assert (added.column, added.split) == ("color", "train")
    (typed,) = by_kind(result, "type changed")
    assert (typed.column, typed.split) == ("stock", "train")
    assert "int64 → str" in typed.message and "2 value(s) are not numbers, e.g. 'N/A'" in typed.message
    garden, pets = by_kind(result, "new category")
    assert (garden.column, garden.split, garden.row, garden.key) == ("category", "train", 11, "p011")
    assert "'garden'" in garden.message and "3 row(s)" in garden.message
    assert (pets.row, pets.key) == (50, "p050") and "1 row(s)" in pets.message
    (nulls,) = by_kind(result, "null rate jump")
    assert (nulls.column, nulls.split, nulls.row) == ("note", "train", None)
    assert "3.3% → 35.0%" in nulls.message and "21 of 60 rows null" in nulls.message
    (gone,) = by_kind(result, "split removed")
    assert gone.split == "test" and gone.column is None
    (new_split,) = by_kind(result, "split added")
    assert new_split.split == "validation"

    metrics = result.metrics
    assert metrics["findings"] == len(result.findings) == 8
    assert (metrics["columns_removed"], metrics["columns_added"], metrics["type_changes"]) == (1, 1, 1)
    assert (metrics["new_categories"], metrics["null_rate_jumps"]) == (2, 1)
    assert (metrics["splits_removed"], metrics["splits_added"], metrics["columns_renamed"]) == (1, 1, 0)
    assert result.message.startswith("8 schema finding(s) against the baseline (curate.lock.json)")


def test_rename_is_one_finding_instead_of_add_and_remove(locked: Path, tmp_path: Path) -> None:
    for split, frame in (("train", base_frame(60)), ("test", base_frame(30, offset=100))):
        frame = frame.rename(columns={"price": "price_usd", "category": "section"})
        frame = frame.iloc[: len(frame) - 3]  # a few rows fewer: profiles close, not identical
        write_jsonl(locked, split, frame)
    result = run_schema(locked, schema_suite(tmp_path))
    renames = by_kind(result, "column renamed")
    assert sorted((f.split, f.column) for f in renames) == [
        ("test", "price_usd"), ("test", "section"), ("train", "price_usd"), ("train", "section")
    ]
    assert any("'price' → 'price_usd'" in f.message for f in renames)
    assert not by_kind(result, "column added") and not by_kind(result, "column removed")
    assert result.metrics["columns_renamed"] == 4 and result.metrics["findings"] == 4


def test_different_data_under_a_new_name_is_not_a_rename(locked: Path, tmp_path: Path) -> None:
    train = base_frame(60).rename(columns={"price": "weight"})
    train["weight"] = train["weight"] * 10 + 500  # another distribution entirely
    write_jsonl(locked, "train", train)
    result = run_schema(locked, schema_suite(tmp_path, "{ignore_columns: [note]}"))
    assert [f.column for f in by_kind(result, "column removed")] == ["price"]
    assert [f.column for f in by_kind(result, "column added")] == ["weight"]
    assert not by_kind(result, "column renamed")


def test_profiles_match_rules() -> None:
    a = column_profile(pd.Series(["x", "y", "z"] * 20))
    assert profiles_match(a, column_profile(pd.Series(["z", "y", "x"] * 19)))
    assert not profiles_match(a, column_profile(pd.Series(["x", "y", "w"] * 20)))  # other categories
    assert not profiles_match(a, column_profile(pd.Series(["x"] * 50 + ["y", "z"] * 5)))  # other shares
    assert not profiles_match(a, column_profile(pd.Series(range(60))))  # other kind


def test_whole_floats_after_nulls_are_not_a_type_change(locked: Path, tmp_path: Path) -> None:
    train = base_frame(60)
    train["stock"] = train["stock"].astype(float)
    train.loc[3, "stock"] = None  # pandas reads int + null as float64
    write_jsonl(locked, "train", train)
    result = run_schema(locked, schema_suite(tmp_path))
    assert result.status == "pass", [f.message for f in result.findings]
    train.loc[4, "stock"] = 2.5
    write_jsonl(locked, "train", train)
    (typed,) = by_kind(run_schema(locked, schema_suite(tmp_path)), "type changed")
    assert "int64 → float64" in typed.message


def test_parameters_tune_what_is_reported(locked: Path, tmp_path: Path) -> None:
    train = base_frame(60)
    train.loc[[5], "category"] = "garden"
    train.loc[0:4, "note"] = None  # 2/60 → 6/60: +6.7 points
    train["extra"] = 1
    write_jsonl(locked, "train", train)
    default = run_schema(locked, schema_suite(tmp_path))
    assert {f.message.split(":")[0] for f in default.findings} == {"new category", "null rate jump", "column added"}
    tuned = run_schema(
        locked,
        schema_suite(tmp_path, "{max_null_rate_increase: 0.1, new_categories: false, ignore_columns: [extra]}"),
    )
    assert tuned.status == "pass", [f.message for f in tuned.findings]
    warn = run_schema(locked, schema_suite(tmp_path, "{severity: warning}"))
    assert warn.status == "warn"


# --------------------------------------------------------------------------- no sources / bad baselines


def test_no_baseline_and_no_features_skips(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(10))
    result = run_schema(folder, schema_suite(tmp_path))
    assert result.status == "skip"
    assert result.message == NO_SOURCES_MESSAGE
    assert result.metrics["findings"] == 0


def test_missing_baseline_param_is_located_in_the_suite(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(10))
    suite = write(tmp_path / "suite.yaml", "dataset:\n  key: id\nchecks:\n  - schema:\n      baseline: nowhere.json\n")
    with pytest.raises(CurateError) as info:
        curate.check(folder, suite=suite)
    err = info.value
    assert err.file == str(suite) and err.line == 5
    assert "baseline file not found" in err.message and str(folder / "nowhere.json") in err.message


def test_relative_baseline_param_resolves_against_the_dataset_root(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(20))
    (folder / "locks").mkdir()
    lock_dataset(folder, output=folder / "locks" / "v1.json")
    train = base_frame(20).drop(columns=["active"])
    write_jsonl(folder, "train", train)
    result = run_schema(folder, schema_suite(tmp_path, "{baseline: locks/v1.json}"))
    assert [f.column for f in by_kind(result, "column removed")] == ["active"]
    assert "the baseline (locks/v1.json)" in result.message


def test_lock_option_of_check_is_used(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(20))
    lock = lock_dataset(folder, output=tmp_path / "v1.lock.json")
    write_jsonl(folder, "train", base_frame(20).drop(columns=["note"]))
    result = run_schema(folder, schema_suite(tmp_path), lock=lock)
    assert [f.column for f in by_kind(result, "column removed")] == ["note"]


@pytest.mark.parametrize(
    "content, fragment, line",
    [
        ('{"curate_lock": 1,\n "splits": {,}}', "invalid JSON", 2),
        ('{"curate_lock": 99, "splits": {}}', "unsupported lock version 99", None),
        ('{"splits": {}}', "not a curate lock file", None),
        ('[1, 2]', "not a curate lock file", None),
        ('{"curate_lock": 1, "splits": {"train": 3}}', "malformed lock", None),
    ],
)
def test_unreadable_lock_names_the_file(tmp_path: Path, content: str, fragment: str, line: int | None) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(10))
    for params in ("{}", "{baseline: other.json}"):
        lock = folder / ("curate.lock.json" if params == "{}" else "other.json")
        lock.write_text(content, encoding="utf-8")
        with pytest.raises(CurateError) as info:
            curate.check(folder, suite=schema_suite(tmp_path, params))
        assert info.value.file == str(lock)
        assert fragment in info.value.message
        assert info.value.line == line
        lock.unlink()


# --------------------------------------------------------------------------- against declared features


CARD = """
---
configs:
- config_name: default
  data_files:
  - split: train
    path: train.{ext}
dataset_info:
  features:
  - name: id
    dtype: string
  - name: text
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
          '0': neg
          '1': pos
  - name: score
    dtype: int32
  - name: source
    dtype: string
---
# card
"""


def card_dataset(folder: Path, frame: pd.DataFrame, ext: str = "csv") -> Path:
    write(folder / "README.md", CARD.replace("{ext}", ext))
    if ext == "csv":
        frame.to_csv(folder / "train.csv", index=False)
    else:
        frame.to_json(folder / "train.jsonl", orient="records", lines=True)
    return folder


def card_frame(n: int = 12) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "text": [f"some text number {i}" for i in range(n)],
            "label": ["pos" if i % 2 else "neg" for i in range(n)],
            "score": [i * 3 for i in range(n)],
            "source": ["web"] * n,
        }
    )


def test_data_matching_its_card_passes(tmp_path: Path) -> None:
    result = run_schema(card_dataset(tmp_path / "ds", card_frame()), schema_suite(tmp_path))
    assert result.status == "pass", [f.message for f in result.findings]
    assert result.message == "no schema changes against the dataset card (dataset_info.features)"


def test_card_features_mismatches(tmp_path: Path) -> None:
    frame = card_frame().drop(columns=["source"])
    frame["lang"] = "en"  # undeclared
    frame["score"] = frame["score"].astype(object)
    frame.loc[4, "score"] = "high"  # not an integer
    frame.loc[6, "label"] = "neutral"  # outside the ClassLabel names
    frame.loc[9, "label"] = "neutral"
    result = run_schema(card_dataset(tmp_path / "ds", frame), schema_suite(tmp_path))
    assert result.status == "fail"
    (missing,) = by_kind(result, "declared column missing")
    assert (missing.column, missing.split, missing.row) == ("source", "train", None)
    (undeclared,) = by_kind(result, "undeclared column")
    assert (undeclared.column, undeclared.split) == ("lang", "train")
    (mismatch,) = by_kind(result, "declared type mismatch")
    assert (mismatch.column, mismatch.split) == ("score", "train")
    assert "declared int32" in mismatch.message and "1 of 12 row(s)" in mismatch.message
    assert "'high'" in mismatch.message
    (label,) = by_kind(result, "label outside ClassLabel names")
    assert (label.column, label.split, label.row, label.key) == ("label", "train", 6, "r6")
    assert "'neutral'" in label.message and "2 row(s)" in label.message
    assert result.metrics["findings"] == 4
    assert curate.check(tmp_path / "ds", suite=schema_suite(tmp_path, "{check_card: false}")).result(
        "schema"
    ).message == NO_SOURCES_MESSAGE


def test_class_labels_stored_as_ids(tmp_path: Path) -> None:
    frame = card_frame()
    frame["label"] = [i % 2 for i in range(12)]
    frame.loc[3, "label"] = 2  # only 0 and 1 exist
    frame.loc[5, "label"] = -1  # the "no label" convention is allowed
    result = run_schema(card_dataset(tmp_path / "ds", frame, ext="jsonl"), schema_suite(tmp_path))
    (label,) = by_kind(result, "label outside ClassLabel names")
    assert (label.row, label.key) == (3, "r3") and "'2'" in label.message
    assert len(result.findings) == 1, [f.message for f in result.findings]


def test_typed_files_must_hold_declared_strings(tmp_path: Path) -> None:
    frame = card_frame()
    frame["source"] = list(range(12))  # JSON numbers where the card declares string
    result = run_schema(card_dataset(tmp_path / "ds", frame, ext="jsonl"), schema_suite(tmp_path))
    (mismatch,) = by_kind(result, "declared type mismatch")
    assert mismatch.column == "source" and "12 of 12 row(s) are not string" in mismatch.message
    # in CSV nothing is typed: numbers are valid strings
    csv = run_schema(card_dataset(tmp_path / "csv", frame), schema_suite(tmp_path))
    assert csv.status == "pass", [f.message for f in csv.findings]


def test_kaggle_schema_fields(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    write(folder / "data.csv", "uid,amount,when,ok\n1,2.5,2024-01-02,true\n2,x,2024-02-30,false\n")
    fields = [
        {"name": "uid", "type": "integer"}, {"name": "amount", "type": "number"},
        {"name": "when", "type": "datetime"}, {"name": "ok", "type": "boolean"}, {"name": "gone", "type": "string"},
    ]
    meta = {"title": "t", "resources": [{"path": "data.csv", "schema": {"fields": fields}}]}
    write(folder / "dataset-metadata.json", json.dumps(meta))
    result = run_schema(folder, schema_suite(tmp_path))
    assert sorted((f.message.split(":")[0], f.column) for f in result.findings) == [
        ("declared column missing", "gone"),
        ("declared type mismatch", "amount"),
        ("declared type mismatch", "when"),
    ]
    assert "dataset-metadata.json" in result.message


def test_kaggle_tables_are_checked_against_their_own_fields(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    write(folder / "loans.csv", "loan_id,amount\n1,2.5\n2,3.0\n")
    write(folder / "people.csv", "person_id,name,extra\n1,ann,x\n")
    write(folder / "notes.csv", "note\nhello\n")
    meta = {"title": "t", "resources": [
        {"path": "loans.csv", "schema": {"fields": [{"name": "loan_id", "type": "integer"},
                                                    {"name": "amount", "type": "number"}]}},
        {"path": "people.csv", "schema": {"fields": [{"name": "person_id", "type": "integer"},
                                                     {"name": "name", "type": "string"}]}},
        {"path": "notes.csv"},  # no schema: not compared
    ]}
    write(folder / "dataset-metadata.json", json.dumps(meta))
    report = curate.check(folder, suite=schema_suite(tmp_path))  # each table is checked on its own
    assert [r.name for r in report.results] == ["schema[loans]", "schema[notes]", "schema[people]"]
    findings = [f for r in report.results for f in r.findings]
    assert [(f.message.split(":")[0], f.split, f.column) for f in findings] == [("undeclared column", "people", "extra")]


# --------------------------------------------------------------------------- the bundled examples


def _planted() -> dict:
    return json.loads((EXAMPLES / "planted" / "products.json").read_text(encoding="utf-8"))


needs_products = pytest.mark.skipif(
    not (EXAMPLES / "planted" / "products.json").is_file(), reason="example datasets not generated"
)


@needs_products
def test_products_v2_against_the_v1_lock_names_every_planted_drift(tmp_path: Path) -> None:
    planted = _planted()["drift"]
    before = listing(EXAMPLES / "products_v1"), listing(EXAMPLES / "products_v2")
    lock = lock_dataset(EXAMPLES / "products_v1", output=tmp_path / "v1.lock.json")
    suite = schema_suite(tmp_path, f"{{baseline: {json.dumps(str(lock))}}}")
    result = run_schema(EXAMPLES / "products_v2", suite)
    assert (listing(EXAMPLES / "products_v1"), listing(EXAMPLES / "products_v2")) == before

    assert result.status == "fail"
    splits = {"train", "test"}
    found = {(f.message.split(":")[0], f.column, f.split) for f in result.findings}
    expected: set[tuple[str, str, str]] = set()
    for rename in planted["renamed_columns"]:
        expected |= {("column renamed", rename["to"], s) for s in splits}
        assert all(f"'{rename['from']}' → '{rename['to']}'" in f.message for f in by_kind(result, "column renamed"))
    expected |= {("column removed", c, s) for c in planted["removed_columns"] for s in splits}
    expected |= {("column added", c, s) for c in planted["added_columns"] for s in splits}
    expected |= {("type changed", t["column"], s) for t in planted["type_changes"] for s in splits}
    expected |= {("new category", c["column"], s) for c in planted["new_category_values"] for s in splits}
    for change in planted["null_rate_changes"]:
        jumped = {s for s in splits if change["v2"][s] - change["v1"][s] > 0.05}
        expected |= {("null rate jump", change["column"], s) for s in jumped}
    assert found == expected

    for change in planted["type_changes"]:
        for f in by_kind(result, "type changed"):
            assert f"{change['na_count'][f.split]} value(s) are not numbers, e.g. '{change['na_token']}'" in f.message
    v2 = load_dataset(EXAMPLES / "products_v2")
    for new in planted["new_category_values"]:
        for f in by_kind(result, "new category"):
            assert f"'{new['value']}'" in f.message and f"{new['count'][f.split]} row(s)" in f.message
            frame = v2.splits[f.split].frame
            assert f.row == int((frame[new["column"]] == new["value"]).to_numpy().argmax())
            assert f.key == frame["sku"].iat[f.row]
    assert result.metrics["findings"] == len(expected)


@pytest.mark.skipif(not (EXAMPLES / "planted" / "hf_news.json").is_file(), reason="example datasets not generated")
def test_hf_news_against_its_card_reports_exactly_the_planted_labels(tmp_path: Path) -> None:
    planted = json.loads((EXAMPLES / "planted" / "hf_news.json").read_text(encoding="utf-8"))
    invalid = planted.get("invalid_labels", [])
    result = run_schema(EXAMPLES / "hf_news", schema_suite(tmp_path))
    assert "dataset card (dataset_info.features)" in result.message
    assert result.status == ("fail" if invalid else "pass")
    assert all(f.message.startswith("label outside ClassLabel names:") for f in result.findings)
    assert sorted((f.split, f.key, f.column) for f in result.findings) == sorted(
        (i["split"], i["id"], "label") for i in invalid
    )
    frame = load_dataset(EXAMPLES / "hf_news").splits["train"].frame
    for finding, truth in zip(sorted(result.findings, key=lambda f: f.key), sorted(invalid, key=lambda i: i["id"])):
        assert f"'{truth['label']}'" in finding.message
        assert frame["id"].iat[finding.row] == truth["id"]
        assert finding.suggestion == {"label": truth["intended_label"]}


@pytest.mark.skipif(not (EXAMPLES / "kaggle_loans").is_dir(), reason="example datasets not generated")
def test_kaggle_loans_matches_its_metadata(tmp_path: Path) -> None:
    result = run_schema(EXAMPLES / "kaggle_loans", schema_suite(tmp_path))
    assert result.status == "pass", [f.message for f in result.findings]
    assert "dataset-metadata.json" in result.message


def test_json_report_holds_the_findings(locked: Path, tmp_path: Path) -> None:
    write_jsonl(locked, "train", base_frame(60).drop(columns=["price"]))
    report = curate.check(locked, suite=schema_suite(tmp_path))
    data = json.loads(render(report, "json"))
    (result,) = data["results"]
    assert result["check"] == "schema" and result["status"] == "fail"
    assert result["findings"][0]["column"] == "price" and result["findings"][0]["split"] == "train"
    assert result["metrics"]["columns_removed"] == 1  # train only; test is unchanged


def test_hf_layout_lock_then_check_passes(hf_folder: Path, tmp_path: Path) -> None:
    lock_dataset(hf_folder)
    result = run_schema(hf_folder, schema_suite(tmp_path))
    assert result.status == "pass", [f.message for f in result.findings]
    assert "the baseline (curate.lock.json) and the dataset card (dataset_info.features)" in result.message


def test_explicit_lock_option_must_exist(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", base_frame(10))
    with pytest.raises(CurateError) as info:
        curate.check(folder, suite=schema_suite(tmp_path), lock=tmp_path / "missing.json")
    assert info.value.file == str(tmp_path / "missing.json") and "baseline file not found" in info.value.message


def test_lock_is_not_read_as_data_in_a_loose_folder(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    write(folder / "products.csv", "id,x\n1,a\n2,b\n")
    lock_dataset(folder)
    assert [f.path.name for f in load_dataset(folder).splits["train"].files] == ["products.csv"]
