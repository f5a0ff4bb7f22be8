"""curate resolves splits the way `datasets.load_dataset(folder)` does: same splits, same row counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, write

from curate.dataset import load_dataset

datasets = pytest.importorskip("datasets")


def _hf_counts(folder: Path, cache: Path, **kwargs) -> dict[str, int]:
    loaded = datasets.load_dataset(str(folder), cache_dir=str(cache), **kwargs)
    return {name: split.num_rows for name, split in loaded.items()}


def _curate_counts(folder: Path) -> dict[str, int]:
    return {name: len(split) for name, split in load_dataset(folder).splits.items()}


def _layouts(tmp: Path) -> list[Path]:
    """A few layouts that exercise datasets' split-name patterns."""
    a = tmp / "keywords"
    write(a / "train.csv", "x\n1\n2\n3\n")
    write(a / "valid.csv", "x\n4\n")
    write(a / "testing.csv", "x\n5\n6\n")
    b = tmp / "folders"
    write(b / "data/train/part-0.jsonl", "".join(json.dumps({"t": f"r{i}"}) + "\n" for i in range(4)))
    write(b / "data/train/part-1.jsonl", json.dumps({"t": "x"}) + "\n")
    write(b / "data/validation/part-0.jsonl", json.dumps({"t": "y"}) + "\n")
    c = tmp / "sharded"
    write(c / "data/train-00000-of-00002.csv", "x\n1\n")
    write(c / "data/train-00001-of-00002.csv", "x\n2\n3\n")
    write(c / "data/test-00000-of-00001.csv", "x\n4\n")
    d = tmp / "plain"
    write(d / "whatever.csv", "x\n1\n2\n")
    return [a, b, c, d]


def test_generated_layouts_agree(tmp_path: Path) -> None:
    for folder in _layouts(tmp_path / "layouts"):
        assert _curate_counts(folder) == _hf_counts(folder, tmp_path / "cache"), folder.name


def test_card_configs_agree(hf_folder: Path, tmp_path: Path) -> None:
    assert _curate_counts(hf_folder) == _hf_counts(hf_folder, tmp_path / "cache") == {"train": 4, "test": 2}


@pytest.mark.parametrize("name", ["products_v1", "products_v2"])
def test_bundled_examples_agree(name: str, tmp_path: Path) -> None:
    folder = EXAMPLES / name
    assert _curate_counts(folder) == _hf_counts(folder, tmp_path / "cache")


def test_hf_news_agrees_once_its_planted_labels_are_read_as_strings(tmp_path: Path) -> None:
    """hf_news plants labels outside its ClassLabel names, on which `datasets` itself fails;
    read as plain strings, `datasets` resolves the same splits and rows as curate."""
    folder = EXAMPLES / "hf_news"
    with pytest.raises(Exception) as info:
        datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache1"))
    chain, exc = [], info.value
    while exc is not None:
        chain.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert any("Invalid string class label sport" in message for message in chain)
    as_strings = datasets.Features({c: datasets.Value("string") for c in ["id", "text", "label", "author_gender"]})
    assert _curate_counts(folder) == _hf_counts(folder, tmp_path / "cache2", features=as_strings)


def test_kaggle_split_table_agrees_and_other_tables_stay_apart(tmp_path: Path) -> None:
    """`datasets` loads train.csv/test.csv as the splits; curate too, with items.csv a table of its own."""
    folder = tmp_path / "kaggle"
    write(folder / "train.csv", "id,text\n1,a\n2,b\n3,c\n")
    write(folder / "test.csv", "id,text\n4,d\n")
    write(folder / "items.csv", "item_id,price\n10,2.5\n11,3.5\n")
    write(folder / "dataset-metadata.json", json.dumps({"title": "t", "id": "me/t"}))
    ds = load_dataset(folder)
    table = ds.table("default")
    assert {n: len(s) for n, s in table.splits.items()} == _hf_counts(folder, tmp_path / "cache") == {"train": 3, "test": 1}
    assert ds.tables["items"] == ["items"]


def test_reading_options_agree_with_datasets_csv_loader(tmp_path: Path) -> None:
    """The real headerless files read with curate's options give the rows `datasets`' csv builder
    gives with the same pandas options: the true record counts."""
    import csv

    from test_loading import ADULT_NAMES, _load, adult_folder, sms_folder

    names = [n.strip() for n in ADULT_NAMES.split(",")]
    sms = sms_folder(tmp_path, "  files: SMSSpamCollection\n  format: tsv\n  header: false\n"
                               "  names: [label, text]\n  quoting: none\n")
    theirs = datasets.load_dataset("csv", data_files=str(sms / "SMSSpamCollection"), sep="\t", header=None,
                                   names=["label", "text"], quoting=csv.QUOTE_NONE, cache_dir=str(tmp_path / "c1"))
    ours = _load(sms).splits["train"].frame
    assert len(ours) == theirs["train"].num_rows == 5_574
    assert ours["text"].tolist() == theirs["train"]["text"]
    adult = adult_folder(tmp_path, f"  files: adult.data\n  format: csv\n  header: false\n  names: [{ADULT_NAMES}]\n")
    theirs = datasets.load_dataset("csv", data_files=str(adult / "adult.data"), header=None, names=names,
                                   cache_dir=str(tmp_path / "c2"))
    assert len(_load(adult).splits["train"]) == theirs["train"].num_rows == 32_561
