"""``leakage``: rows of a later split that are (near) copies of rows of an earlier split."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES, HF_NEWS_ROLES, loose, planted, run

from curate.dataset import split_order
from curate.errors import CurateError

PLANTED = planted("hf_news")
# hf_news's planted near copies are light edits (see test_near_duplicates.CHECKS): threshold 0.5
CHECKS = """
  - leakage: {threshold: 0.5}
  - leakage: {name: exact_only, near: false}
  - leakage: {name: reversed, order: [test, train], threshold: 0.5}
"""


@pytest.fixture(scope="module")
def hf_report(tmp_path_factory):
    return run(EXAMPLES / "hf_news", tmp_path_factory.mktemp("suite"), CHECKS, HF_NEWS_ROLES)


def test_hf_news_finds_exactly_the_planted_leaked_rows(hf_report) -> None:
    result = hf_report.result("leakage")
    planted = {(d["test_id"], d["train_id"], d["kind"]) for d in PLANTED["leakage"]}
    found = {(f.key, f.related[0].key, "exact" if f.score == 1.0 else "near") for f in result.findings}
    assert found == planted
    assert result.status.value == "fail"
    assert (result.metrics["leaked"], result.metrics["exact"], result.metrics["near"]) == (15, 10, 5)
    assert result.metrics["leaked.test"] == 15 and result.metrics["share"] == 0.03
    jaccard = {d["test_id"]: d["jaccard"] for d in PLANTED["leakage"]}
    for f in result.findings:
        assert f.split == "test" and f.related[0].split == "train" and f.column == "text"
        assert f.suggestion == {"action": "delete", "confidence": f.score, "reason": f.message}
        assert f.message.startswith("test row also in train: ")
        if jaccard[f.key] < 1:  # the planted (word-set) similarity is higher than the bigram one
            assert 0.5 <= f.score < jaccard[f.key] and "near copy of train row" in f.message


def test_exact_only_and_reversed_order(hf_report) -> None:
    exact = {d["test_id"] for d in PLANTED["leakage"] if d["kind"] == "exact"}
    assert {f.key for f in hf_report.result("exact_only").findings} == exact
    reversed_ = hf_report.result("reversed")
    assert {f.related[0].key for f in reversed_.findings} == {d["test_id"] for d in PLANTED["leakage"]}
    assert all(f.split == "train" for f in reversed_.findings)


def test_three_splits_keep_the_earliest(tmp_path: Path) -> None:
    base = "the quick brown fox jumps over the lazy dog near the river bank today"
    train = pd.DataFrame({"id": ["t1", "t2"], "text": [base, "completely different words about cooking pasta at home"]})
    validation = pd.DataFrame({"id": ["v1", "v2"], "text": [base.upper(), "a fresh sentence that appears only in validation and test"]})
    test = pd.DataFrame({"id": ["e1", "e2", "e3"], "text": [
        base.replace("lazy", "sleepy"),
        "a fresh sentence that appears only in validation and test",
        "unrelated",
    ]})
    root = loose(tmp_path / "d", test=test, validation=validation, train=train)
    result = run(root, tmp_path, "  - leakage: {threshold: 0.5}\n").result("leakage")
    found = {(f.split, f.key, f.related[0].split, f.related[0].key, f.score == 1.0) for f in result.findings}
    assert found == {
        ("validation", "v1", "train", "t1", True),
        ("test", "e1", "train", "t1", False),  # near both t1 and v1: the earliest split wins
        ("test", "e2", "validation", "v2", True),
    }
    assert result.metrics["leaked.validation"] == 1 and result.metrics["leaked.test"] == 2
    assert "train → validation → test" in result.message


def test_tabular_default_ignores_key_and_label(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": [1, 2], "age": [31, 45], "city": ["Oslo", "Lima"], "label": ["yes", "no"]})
    test = pd.DataFrame({"id": [3, 4], "age": [31, 45], "city": ["oslo", "Quito"], "label": ["no", "no"]})
    root = loose(tmp_path / "d", train=train, test=test)
    result = run(root, tmp_path, "  - leakage: {near: false}\n", dataset="  key: id\n  label: label\n").result("leakage")
    assert [(f.key, f.related[0].key) for f in result.findings] == [("3", "1")]
    assert "all columns but the key and label" in result.message


def test_clean_and_single_split_datasets_pass(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": [1, 2], "text": ["one text here", "another text there"]})
    test = pd.DataFrame({"id": [3], "text": ["something else entirely"]})
    result = run(loose(tmp_path / "a", train=train, test=test), tmp_path, "  - leakage: {}\n").result("leakage")
    assert result.status.value == "pass" and result.findings == [] and "no leakage" in result.message
    result = run(loose(tmp_path / "b", train=train), tmp_path, "  - leakage: {}\n").result("leakage")
    assert result.status.value == "skip" and "only split" in result.message


def test_limits(hf_report, tmp_path: Path) -> None:
    report = run(EXAMPLES / "hf_news", tmp_path, "  - leakage: {max_share: 0.05, threshold: 0.5}\n  - leakage: {max_count: 14, name: strict, threshold: 0.5}\n",
                 dataset="  key: id\n  text: text\n")
    assert report.result("leakage").status.value == "pass"
    assert report.result("strict").status.value == "fail"


@pytest.mark.parametrize(
    "params, fragment",
    [
        ("{order: [tset]}", "unknown split 'tset' (did you mean 'test'?)"),
        ("{columns: [txt]}", "column 'txt' not found"),
        ("{near: maybe}", "near"),
    ],
)
def test_parameter_errors_are_located(tmp_path: Path, params: str, fragment: str) -> None:
    root = loose(tmp_path / "d", train=pd.DataFrame({"id": [1], "text": ["a"]}), test=pd.DataFrame({"id": [2], "text": ["b"]}))
    with pytest.raises(CurateError) as caught:
        run(root, tmp_path, f"  - leakage: {params}\n")
    assert caught.value.line == 4 and fragment in caught.value.message


def test_split_order() -> None:
    assert split_order(["test", "validation", "train"]) == ["train", "validation", "test"]
    assert split_order(["eval", "extra", "dev", "train_clean"]) == ["train_clean", "dev", "eval", "extra"]
    assert split_order(["a", "b", "c"], ["c"]) == ["c", "a", "b"]


# --------------------------------------------------------------------------- what counts as leaked


def test_templated_product_descriptions_are_not_leakage() -> None:
    """products_v1: descriptions come from three templates ("Built for travel: this colander comes
    with a carry handle."), so most test rows share a description, or most of its word pairs, with
    a train row, yet name, price and weight show they are different products. The inferred text
    column is one attribute of these rows: whole rows are compared, and the message says why."""
    import curate

    report = curate.check(EXAMPLES / "products_v1", only=["leakage", "near_duplicates"])
    leakage = report.result("leakage")
    assert leakage.status.value == "pass" and leakage.findings == []
    assert "inferred text column 'description' is one attribute" in leakage.message
    assert "declare `dataset.text: description`" in leakage.message
    near = report.result("near_duplicates")
    assert near.status.value == "skip" and near.findings == []
    train = pd.read_json(EXAMPLES / "products_v1" / "train.jsonl", lines=True)
    test = pd.read_json(EXAMPLES / "products_v1" / "test.jsonl", lines=True)
    shared = test.merge(train, on="description", suffixes=("", "_train"))
    assert len(shared) >= 10 and (shared["name"] != shared["name_train"]).all()  # same words, other products


def test_a_declared_text_column_is_compared_alone(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": [1, 2], "text": ["the same review text here", "RT @USER: 🇮🇳🏆 [LINK]"], "stars": [4.5, 3.2]})
    test = pd.DataFrame({"id": [3, 4], "text": ["The same review text here!", "RT @USER: 😈😅 [LINK]"], "stars": [1.1, 2.2]})
    root = loose(tmp_path / "d", train=train, test=test)
    result = run(root, tmp_path, "  - leakage: {}\n", dataset="  key: id\n  text: text\n").result("leakage")
    # the punctuation-only difference is a near copy (Jaccard 1 on words), never an "exact" one;
    # the tweets differ in their emoji: no leak
    assert [(f.key, f.related[0].key, f.score) for f in result.findings] == [("3", "1", 1.0)]
    assert "near copy" in result.findings[0].message and result.metrics["exact"] == 0


def test_whole_rows_leak_with_missing_values_equal(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": [1, 2], "age": [31, None], "city": ["Oslo", None], "label": ["yes", "no"]})
    test = pd.DataFrame({"id": [3, 4], "age": [31, None], "city": ["Oslo", None], "label": ["no", "no"]})
    root = loose(tmp_path / "d", train=train, test=test)
    result = run(root, tmp_path, "  - leakage: {}\n", dataset="  key: id\n  label: label\n").result("leakage")
    assert [(f.key, f.related[0].key) for f in result.findings] == [("3", "1"), ("4", "2")]
    assert "exact copies of whole rows, missing values equal" in result.message
