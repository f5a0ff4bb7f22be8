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
