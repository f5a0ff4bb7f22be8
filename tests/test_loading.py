"""Loading dataset folders: layouts, splits, keys, row locations, and agreement with `datasets`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import write

from curate.dataset import load_dataset
from curate.errors import CurateError


def test_hf_card_configs_define_splits(hf_folder: Path) -> None:
    ds = load_dataset(hf_folder)
    assert ds.layout.kind == "huggingface"
    assert {name: len(s) for name, s in ds.splits.items()} == {"train": 4, "test": 2}
    assert ds.key_column == "id" and ds.key_source == "inferred"
    assert list(ds.splits["test"].keys) == ["b1", "b2"]
    assert ds.layout.features["label"].names == ("neg", "pos")


def test_split_names_from_file_names(tmp_path: Path) -> None:
    write(tmp_path / "training.csv", "x,y\n1,2\n3,4\n")
    write(tmp_path / "dev.csv", "x,y\n5,6\n")
    write(tmp_path / "eval.csv", "x,y\n7,8\n9,10\n11,12\n")
    ds = load_dataset(tmp_path)
    assert ds.layout.kind == "files"
    assert {n: len(s) for n, s in ds.splits.items()} == {"train": 2, "validation": 1, "test": 3}


def test_split_folders_with_several_shards(tmp_path: Path) -> None:
    for i in range(2):
        write(tmp_path / f"data/train/shard_{i}.jsonl", "".join(json.dumps({"v": i * 10 + j}) + "\n" for j in range(3)))
    write(tmp_path / "data/test/shard_0.jsonl", '{"v": 100}\n')
    ds = load_dataset(tmp_path)
    train = ds.splits["train"]
    assert len(train) == 6 and [f.rows for f in train.files] == [3, 3]
    assert train.files[1].first_row == 3
    path, line = train.locate(4)  # second row of the second shard
    assert path.name == "shard_1.jsonl" and line == 2


def test_single_loose_file_is_train(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(tmp_path / "table.parquet")
    ds = load_dataset(tmp_path)
    assert list(ds.splits) == ["train"] and len(ds.splits["train"]) == 3
    assert ds.locate("train", 1) == ("table.parquet", None)  # binary formats have no lines


def test_tsv_and_json_array(tmp_path: Path) -> None:
    write(tmp_path / "a/train.tsv", "x\ty\n1\thello, world\n")
    ds = load_dataset(tmp_path / "a")
    assert ds.splits["train"].frame.loc[0, "y"] == "hello, world"
    write(tmp_path / "b/train.json", json.dumps([{"x": 1}, {"x": 2}]))
    assert len(load_dataset(tmp_path / "b").splits["train"]) == 2


def test_content_hash_keys_are_stable_and_unique(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "text,label\nhello,1\nworld,0\nhello,1\n")
    first = load_dataset(tmp_path).splits["train"].keys.tolist()
    again = load_dataset(tmp_path).splits["train"].keys.tolist()
    assert first == again
    assert len(set(first)) == 3
    assert first[2] == first[0] + "~1"  # the exact duplicate keeps its original's hash plus a suffix


def test_declared_key_and_repeated_values(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "code,v\nx,1\ny,2\nx,3\n")
    ds = load_dataset(tmp_path, key="code")
    assert ds.splits["train"].keys.tolist() == ["x", "y", "x~1"]
    assert any("repeats" in note for note in ds.notes)
    with pytest.raises(CurateError, match="key column 'cod' not found.*did you mean 'code'"):
        load_dataset(tmp_path, key="cod")


def test_csv_line_numbers_follow_multiline_quoted_fields(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'id,text\n1,"one\nline two"\n\n2,plain\n')
    ds = load_dataset(tmp_path)
    assert len(ds.splits["train"]) == 2
    assert ds.locate("train", 0) == ("train.csv", 2)
    assert ds.locate("train", 1) == ("train.csv", 5)


def test_kaggle_layout_uses_metadata_resources(tmp_path: Path) -> None:
    write(tmp_path / "people.csv", "pid,age\n1,30\n2,40\n")
    write(tmp_path / "orders.csv", "oid,pid\n1,1\n")
    write(tmp_path / "notes.csv", "ignored\n1\n")
    meta = {
        "title": "t",
        "id": "me/t",
        "resources": [
            {"path": "people.csv", "schema": {"fields": [{"name": "pid", "type": "integer"}, {"name": "age", "type": "integer"}]}},
            {"path": "orders.csv"},
        ],
    }
    write(tmp_path / "dataset-metadata.json", json.dumps(meta))
    ds = load_dataset(tmp_path)
    assert ds.layout.kind == "kaggle"
    assert {n: len(s) for n, s in ds.splits.items()} == {"orders": 1, "people": 2}  # tables stay separate
    assert ds.layout.features["age"].dtype == "integer"


def test_several_configs_need_a_choice(tmp_path: Path) -> None:
    write(
        tmp_path / "README.md",
        """
        ---
        configs:
        - config_name: en
          data_files: en/*.csv
        - config_name: fr
          data_files: fr/*.csv
        ---
        """,
    )
    write(tmp_path / "en/train.csv", "t\nhello\n")
    write(tmp_path / "fr/train.csv", "t\nbonjour\nsalut\n")
    with pytest.raises(CurateError, match="several configs"):
        load_dataset(tmp_path)
    assert len(load_dataset(tmp_path, config="fr").splits["train"]) == 2
    with pytest.raises(CurateError, match="did you mean 'fr'"):
        load_dataset(tmp_path, config="frr")


def test_one_format_per_folder_like_datasets(tmp_path: Path) -> None:
    """A stray JSON file next to CSV shards is not read as rows (datasets picks the commonest format)."""
    write(tmp_path / "part1.csv", "x\n1\n")
    write(tmp_path / "part2.csv", "x\n2\n")
    write(tmp_path / "stats.json", '{"rows": 2}')
    write(tmp_path / "curate.lock.json", '{"curate_lock": 1}')
    ds = load_dataset(tmp_path)
    assert [f.path.name for f in ds.splits["train"].files] == ["part1.csv", "part2.csv"]
