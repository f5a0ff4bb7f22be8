"""``duplicates`` and ``conflicting_labels``: exact copies after normalisation, identical content
with different labels; and the normalisation / row grouping they share (``curate.dedup``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import adult_rows, reference_text, sms_frame, write, DATA, EXAMPLES, HF_NEWS_ROLES, loose, planted, run

from curate.dedup import Normalization, groups_from_codes, normalize_strings, row_codes
from curate.errors import CurateError

PLANTED = planted("hf_news")
CHECKS = """
  - duplicates: {}
  - conflicting_labels: {}
"""


@pytest.fixture(scope="module")
def hf_report(tmp_path_factory):
    return run(EXAMPLES / "hf_news", tmp_path_factory.mktemp("suite"), CHECKS, HF_NEWS_ROLES)


# --------------------------------------------------------------------------- duplicates on hf_news


def test_hf_news_finds_exactly_the_planted_duplicate_groups(hf_report) -> None:
    result = hf_report.result("duplicates")
    planted = {(d["id"], d["original_id"]) for d in PLANTED["exact_duplicates"] + PLANTED["normalized_duplicates"]}
    found = {(f.key, f.related[0].key) for f in result.findings}
    assert found == planted
    assert result.status.value == "fail"
    assert result.metrics["duplicates"] == result.metrics["groups"] == 18
    assert result.metrics["rows_not_compared"] == 2  # the two empty texts: never duplicates of each other
    for f in result.findings:
        assert f.split == "train" and f.related[0].split == "train" and len(f.related) == 1
        assert f.suggestion["action"] == "delete" and f.suggestion["confidence"] == 1.0
        assert f.score == 1.0 and f.row == int(f.key[3:]) - 1  # ids are 1-based row numbers


def test_messages_tell_exact_copies_from_normalised_ones(hf_report) -> None:
    by_key = {f.key: f.message for f in hf_report.result("duplicates").findings}
    for d in PLANTED["exact_duplicates"]:
        assert by_key[d["id"]].startswith("exact duplicate of row ")
    for d in PLANTED["normalized_duplicates"]:
        assert by_key[d["id"]].startswith("duplicate after normalisation of row "), d


def test_empty_and_null_values_are_never_duplicates(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "text": ["", None, "   ", "xyz", "XYZ ", None], "label": ["a"] * 6})
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - duplicates: {columns: [text]}\n").result("duplicates")
    assert [(f.key, f.related[0].key) for f in result.findings] == [("5", "4")]
    assert result.metrics["rows_not_compared"] == 4 and "4 rows not compared" in result.message
    # all columns: a null text makes the row incomparable even when the label matches
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - duplicates: {}\n").result("duplicates")
    assert [f.key for f in result.findings] == ["5"]


def test_normalisation_is_tunable(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "id": range(8),
        "text": ["Hello, World!", "hello world", "HELLO,  world!", "Ｈｅｌｌｏ， Ｗｏｒｌｄ！", "Straße", "STRASSE", "ab\u00a0c", "ab c"],
    })
    root = loose(tmp_path / "d", train=frame)
    pairs = lambda r: sorted((f.key, f.related[0].key) for f in r.findings)
    default = run(root, tmp_path, "  - duplicates: {}\n").result("duplicates")
    assert pairs(default) == [("2", "0"), ("3", "0"), ("5", "4"), ("7", "6")]
    punct = run(root, tmp_path, "  - duplicates: {normalize: {punctuation: true}}\n").result("duplicates")
    assert pairs(punct) == [("1", "0"), ("2", "0"), ("3", "0"), ("5", "4"), ("7", "6")]
    case = run(root, tmp_path, "  - duplicates: {normalize: {case: false}}\n").result("duplicates")
    assert pairs(case) == [("3", "0"), ("7", "6")]
    none = run(root, tmp_path, "  - duplicates: {normalize: false}\n").result("duplicates")
    assert pairs(none) == []


def test_a_group_of_three_points_every_copy_at_the_first_row(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "text": ["x y z", "other", "X Y Z", "x  y z", "other"], "n": [1, 2, 1, 1, 3]})
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - duplicates: {}\n").result("duplicates")
    assert [(f.key, [r.key for r in f.related]) for f in result.findings] == [("c", ["a"]), ("d", ["a"])]
    assert "group of 3" in result.findings[0].message
    assert result.metrics["groups"] == 1


def test_duplicates_are_per_split(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": ["a", "b"], "text": ["same", "other"]})
    test = pd.DataFrame({"id": ["c", "d"], "text": ["same", "more"]})
    result = run(loose(tmp_path / "d", train=train, test=test), tmp_path, "  - duplicates: {}\n").result("duplicates")
    assert result.findings == [] and result.status.value == "pass"  # across splits it is leakage


def test_limits_and_severity(hf_report, tmp_path: Path) -> None:
    root = EXAMPLES / "hf_news"
    checks = ("  - duplicates: {max_count: 18}\n  - duplicates: {max_share: 0.005, name: strict}\n"
              "  - duplicates: {max_share: 0.01, name: lenient}\n  - duplicates: {severity: warning, name: warn}\n")
    report = run(root, tmp_path, checks)
    assert report.result("duplicates").status.value == "pass"
    assert "within max_count 18" in report.result("duplicates").message
    assert report.result("strict").status.value == "fail"
    assert report.result("lenient").status.value == "pass"
    assert report.result("warn").status.value == "warn"


def test_real_data_iris_has_its_known_repeated_row(tmp_path: Path) -> None:
    """Fisher's iris as shipped with scikit-learn (a dependency) repeats one row: samples 102 and
    143 (1-based) are both 5.8, 2.7, 5.1, 1.9, virginica. Read from the package's CSV directly
    (importing scikit-learn would cost seconds)."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    csv = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "iris.csv"
    iris = pd.read_csv(csv, skiprows=1, header=None, names=["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    assert len(iris) == 150
    iris.insert(0, "id", [f"s{i + 1:03d}" for i in range(len(iris))])
    root = loose(tmp_path / "iris", train=iris)
    result = run(root, tmp_path, "  - duplicates: {}\n").result("duplicates")
    assert [(f.key, f.related[0].key) for f in result.findings] == [("s143", "s102")]
    assert result.metrics["rows"] == 150
    # two flowers measured alike to 0.1 cm: rows equal in all but one measurement are commoner (curate.coincidence)
    assert result.status.value == "warn" and result.findings[0].suggestion is None
    assert result.findings[0].message.startswith("identical to row 101") and "distinct record" in result.findings[0].message
    assert ("1 identical pairs, 1.7 predicted by those that differ only in 'sepal_length' (6), only in "
            "'petal_width' (5) or in both (18)") in result.message
    copies = run(root, tmp_path, "  - duplicates: {coincidence: false}\n").result("duplicates")
    assert copies.status.value == "fail" and copies.findings[0].message.startswith("exact duplicate of row 101")
    assert copies.findings[0].suggestion["action"] == "delete"


@pytest.mark.parametrize(
    "checks, line, fragment",
    [
        ("  - duplicates: {columns: [txt]}\n", 5, "column 'txt' not found in split 'train' (did you mean 'text'?)"),
        ("  - duplicates: {columns: []}\n", 5, "list at least one column"),
        ("  - duplicates: {max_share: 2}\n", 5, "max_share"),
        ("  - duplicates: {normalize: {nfkc: true}}\n", 5, "nfkc"),
        ("  - conflicting_labels: {label: labl}\n", 5, "column 'labl' not found"),
        ("  - conflicting_labels: {columns: [label]}\n", 5, "cannot also be content"),
    ],
)
def test_parameter_errors_are_located(tmp_path: Path, checks: str, line: int, fragment: str) -> None:
    root = loose(tmp_path / "d", train=pd.DataFrame({"id": [1, 2], "text": ["a", "b"], "label": ["x", "y"]}))
    with pytest.raises(CurateError) as caught:
        run(root, tmp_path, checks, dataset="  key: id\n  label: label\n")
    assert caught.value.line == line and fragment in caught.value.message


def test_conflicting_labels_needs_a_label_column(tmp_path: Path) -> None:
    root = loose(tmp_path / "d", train=pd.DataFrame({"id": [1, 2], "text": ["a", "a"], "kind": ["x", "y"]}))
    with pytest.raises(CurateError) as caught:
        run(root, tmp_path, "  - conflicting_labels: {columns: [text]}\n")
    assert "no label column" in caught.value.message and caught.value.line == 4
    # a bare entry, as in a default suite, passes on unlabelled data
    result = run(root, tmp_path, "  - conflicting_labels: {}\n").result("conflicting_labels")
    assert result.status.value == "skip" and "no label column" in result.message


# --------------------------------------------------------------------------- conflicting labels


def test_hf_news_finds_exactly_the_planted_conflicting_labels(hf_report) -> None:
    result = hf_report.result("conflicting_labels")
    planted = {(d["id"], d["original_id"], d["original_label"], d["label"]) for d in PLANTED["conflicting_labels"]}
    found = {(f.key, f.related[0].key, f.message.split("'")[3], f.message.split("'")[1]) for f in result.findings}
    assert found == planted
    assert result.status.value == "fail" and result.metrics["groups"] == result.metrics["ties"] == 5
    for f in result.findings:  # one row each way: a tie, which nothing in the data can settle
        assert f.column == "label" and f.suggestion is None and "a tie" in f.message
        related = f.related[0]
        assert f"row {related.row} (key {related.key})" in f.message


def test_majority_label_wins_and_ties_get_no_suggestion(tmp_path: Path) -> None:
    train = pd.DataFrame({"id": ["t1", "t2", "t3", "t4"], "text": ["Same words", "same words", "same  words", "solo"],
                          "label": ["pos", "neg", "pos", "pos"]})
    test = pd.DataFrame({"id": ["e1", "e2"], "text": ["solo", "other"], "label": ["neg", "pos"]})
    root = loose(tmp_path / "d", train=train, test=test)
    result = run(root, tmp_path, "  - conflicting_labels: {}\n", dataset="  key: id\n  label: label\n").result("conflicting_labels")
    found = {(f.key, (f.suggestion or {}).get("label"), (f.suggestion or {}).get("confidence"), tuple(r.key for r in f.related))
             for f in result.findings}
    assert found == {("t2", "pos", 0.6667, ("t1", "t3")), ("e1", None, None, ("t4",))}  # e1/t4: a tie
    assert "train row 3 (key t4)" in next(f.message for f in result.findings if f.key == "e1")
    within = run(root, tmp_path, "  - conflicting_labels: {across_splits: false}\n",
                 dataset="  key: id\n  label: label\n").result("conflicting_labels")
    assert [f.key for f in within.findings] == ["t2"]


def test_numeric_labels_are_suggested_as_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "text": ["ab cd", "AB cd", "ab  cd", "efg"], "label": [1, 0, 1, 0]})
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - conflicting_labels: {}\n",
                 dataset="  key: id\n  label: label\n  text: text\n").result("conflicting_labels")
    assert [(f.key, f.suggestion["label"]) for f in result.findings] == [("2", 1)]
    assert isinstance(result.findings[0].suggestion["label"], int)


# --------------------------------------------------------------------------- the shared engine


def test_normalisation_matches_python_reference() -> None:
    import re
    import unicodedata

    values = ["  Hello,\tWorld!  ", "ＡＢＣ　ｄｅｆ", "Straße ΣΊΣΥΦΟΣ", "ﬁne\u00a0print", "a\u2003\u2003b", "", None, "x\r\ny"]
    got = normalize_strings(pd.Series(values, dtype=object), Normalization()).to_pylist()
    want = [None if v is None else re.sub(r"\s+", " ", unicodedata.normalize("NFKC", v).casefold()).strip() for v in values]
    assert got == want


def test_row_codes_and_groups() -> None:
    frame = pd.DataFrame({"a": ["x", "X", None, "y", "x"], "b": [1.0, 1.0, 1.0, np.nan, 2.0]})
    codes = row_codes(frame, ["a", "b"], Normalization())
    assert codes[0] == codes[1] and codes[2] == -1 and codes[3] == -1 and codes[4] not in (codes[0], -1)
    rows, offsets = groups_from_codes(np.array([5, -1, 5, 2, 2, 5, 7]))
    assert rows.tolist() == [0, 2, 5, 3, 4] and offsets.tolist() == [0, 3, 5]


# --------------------------------------------------------------------------- real data: what exact means


def test_real_sms_corpus_repeated_messages_are_found(tmp_path: Path) -> None:
    """The SMS Spam Collection repeats hundreds of messages word for word (5,574 rows, 5,169
    distinct texts). Every repeat of an earlier message with the same label is found, and nothing
    else: the reference is the plain normalisation of :func:`conftest.reference_text`."""
    frame = sms_frame()
    root = loose(tmp_path / "sms", train=frame)
    report = run(root, tmp_path, "  - duplicates: {}\n  - duplicates: {name: texts, columns: [text]}\n",
                 dataset="  key: id\n  label: label\n  text: text\n")
    norm = frame["text"].map(reference_text)
    comparable = norm.notna()
    want_rows = set(frame["id"][comparable & frame.assign(t=norm).duplicated(["t", "label"])].astype(str))
    want_texts = set(frame["id"][comparable & norm.duplicated()].astype(str))
    assert len(want_rows) > 350 and frame["text"].duplicated().sum() == 403
    rows = report.result("duplicates")
    assert {f.key for f in rows.findings} == want_rows
    assert {f.key for f in report.result("texts").findings} == want_texts
    assert rows.metrics["rows_not_compared"] == int((~comparable).sum()) > 0  # "Ok", ":)", "K." …
    for f in rows.findings:  # each points at the earliest row with that text
        kept = int(f.related[0].key)
        assert norm[kept] == norm[int(f.key)] and kept == norm[norm == norm[int(f.key)]].index.min()


def test_too_little_content_never_matches(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(8), "text": ["Ok", "ok", ":)", ":)", "K...", "k", "Ok lar", "OK LAR"]})
    root = loose(tmp_path / "d", train=frame)
    report = run(root, tmp_path, "  - duplicates: {columns: [text]}\n  - duplicates: {name: two, columns: [text], min_chars: 2}\n")
    assert [(f.key, f.related[0].key) for f in report.result("duplicates").findings] == [("7", "6")]
    assert [(f.key, f.related[0].key) for f in report.result("two").findings] == [("1", "0"), ("7", "6")]


def test_emoji_symbols_and_digits_are_content(tmp_path: Path) -> None:
    """Short tweets that differ only in their emoji were called copies; so were prices that differ
    only in the currency sign when punctuation was removed. Punctuation removal drops
    punctuation only."""
    texts = ["RT @USER: 🇮🇳🏆 [LINK]", "RT @USER: 😈😅 [LINK]", "RT @USER: 😈😅 [LINK]", "Price: 5€", "Price 5$",
             "Price: 6€", "call me now!!", "Call me now"]
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    root = loose(tmp_path / "d", train=frame)
    checks = ("  - duplicates: {columns: [text]}\n  - duplicates: {name: punct, columns: [text], normalize: {punctuation: true}}\n"
              "  - near_duplicates: {column: text, include_exact: true}\n")
    report = run(root, tmp_path, checks)
    assert [(f.key, f.related[0].key) for f in report.result("duplicates").findings] == [("2", "1")]
    assert [(f.key, f.related[0].key) for f in report.result("punct").findings] == [("2", "1"), ("7", "6")]
    near = report.result("near_duplicates")  # (7, 6) differ in punctuation only: Jaccard 1 on words
    assert [(f.key, f.related[0].key) for f in near.findings] == [("2", "1"), ("7", "6")]


def test_whole_rows_compare_missing_values_as_equal(tmp_path: Path) -> None:
    """As ``DataFrame.duplicated``: a mostly-null or all-null column no longer hides every row,
    while a missing text still never makes two rows copies."""
    frame = sms_frame().head(2000)
    frame["coordinates"] = None  # one column entirely null
    frame["reason"] = np.where(np.arange(len(frame)) % 7 == 0, "late", None)
    root = loose(tmp_path / "d", train=frame)
    result = run(root, tmp_path, "  - duplicates: {}\n", dataset="  key: id\n").result("duplicates")
    want = set(frame["id"][frame.drop(columns="id").assign(text=frame["text"].map(reference_text)).duplicated()
                           & frame["text"].map(reference_text).notna()].astype(str))
    assert len(want) > 50 and {f.key for f in result.findings} == want
    assert result.metrics["rows_not_compared"] < 0.05 * len(frame) and "missing values equal" in result.message
    nulls = pd.DataFrame({"id": range(4), "a": [1, 1, None, None], "b": [None, None, None, None], "text": [None, None, None, None]})
    result = run(loose(tmp_path / "n", train=nulls), tmp_path, "  - duplicates: {columns: [a, b]}\n").result("duplicates")
    assert [(f.key, f.related[0].key) for f in result.findings] == [("1", "0"), ("3", "2")]


def test_a_check_that_could_not_look_says_so(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(6), "text": [None, None, None, None, "one text", "another text"]})
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - duplicates: {columns: [text]}\n").result("duplicates")
    assert result.status.value == "skip" and "could not judge: 4 rows not compared" in result.message


def test_real_adult_whole_rows_with_missing_values_are_compared(tmp_path: Path) -> None:
    """UCI Adult: 2,399 rows have a '?' (missing) somewhere; they are compared like the rest, and
    the duplicate rows are exactly those ``DataFrame.duplicated`` finds."""
    frame = adult_rows()
    result = run(loose(tmp_path / "adult", train=frame), tmp_path, "  - duplicates: {}\n",
                 dataset="  key: id\n  label: income\n").result("duplicates")
    want = set(frame["id"][frame.drop(columns="id").duplicated()].astype(str))
    assert len(want) == 24 and {f.key for f in result.findings} == want
    assert result.metrics["rows_not_compared"] == 0 and frame.drop(columns="id").isna().any(axis=1).sum() == 2399


# --------------------------------------------------------------------------- identical rows that may be distinct records


def test_real_adult_identical_rows_look_like_distinct_people(tmp_path: Path) -> None:
    """UCI Adult's 24 identical rows (curate.coincidence): the pairs of people that agree on every
    column but hours-per-week and relationship predict as many identical pairs as there are, so
    they are reported for review, the check warns instead of failing, and `fix` deletes nothing."""
    from curate.export.fix import fix_dataset

    frame = adult_rows()
    root = loose(tmp_path / "adult", train=frame)
    result = run(root, tmp_path, "  - duplicates: {}\n", dataset="  key: id\n  label: income\n").result("duplicates")
    assert result.status.value == "warn" and len(result.findings) == 24
    assert all(f.suggestion is None and "distinct record" in f.message for f in result.findings)
    assert result.metrics["identical_pairs.train"] == 25 and result.metrics["possibly_distinct"] == 24
    assert result.message.startswith("24 identical rows in 23 groups") and "may be distinct records" in result.message
    write(root / "curate.yaml", "dataset:\n  key: id\n  label: income\nchecks:\n  - duplicates: {}\n")
    outcome = fix_dataset(root, tmp_path / "out", bundles="none")
    assert not [c for c in outcome.plan_corrections if c.op == "delete"]


def test_real_wine_identical_rows_are_copies(tmp_path: Path) -> None:
    """UCI red wine: 240 rows repeat another in all eleven lab measurements and the grade, and almost no
    two rows differ in only one or two columns: copies, each suggested for deletion."""
    frame = pd.read_csv(DATA / "winequality-red.csv.gz")
    frame.insert(0, "id", range(len(frame)))
    result = run(loose(tmp_path / "wine", train=frame), tmp_path, "  - duplicates: {}\n").result("duplicates")
    want = set(frame["id"][frame.drop(columns="id").duplicated()].astype(str))
    assert len(want) == 240 and {f.key for f in result.findings} == want
    assert result.status.value == "fail" and result.metrics["possibly_distinct"] == 0
    assert result.metrics["predicted_pairs.train"] is None
    assert all(f.suggestion["action"] == "delete" for f in result.findings)


def test_identical_rows_of_a_text_dataset_are_not_weighed(tmp_path: Path) -> None:
    """The test is for tables: where a text column is the rows' content, an identical text is a copy."""
    frame = pd.DataFrame({"id": range(6), "text": ["the same message here"] * 2 + [f"message number {i}" for i in range(4)],
                          "label": ["a", "a", "b", "b", "a", "b"]})
    result = run(loose(tmp_path / "t", train=frame), tmp_path, "  - duplicates: {}\n",
                 dataset="  key: id\n  text: text\n").result("duplicates")
    assert result.status.value == "fail" and "identical_pairs.train" not in result.metrics
