"""The ``label_errors`` check and ``curate.find_label_issues``: planted flips found on the bundled
examples, the same answer as cleanlab on the same inputs, and clear behaviour on bad inputs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, write

import curate
from curate.cli import main
from curate.errors import CurateError
from curate.findings import Status
from curate.labels import FILTER_BY, LabelInputError, unflagged_error

PLANTED = json.loads((EXAMPLES / "planted" / "hf_news.json").read_text(encoding="utf-8"))

# hf_news as measured with the default max_swap_ratio (precision 1.00 against flipped + conflicting
# labels, recall 58/72 of the flips, test split 11/15) and with every Confident Learning flag
# (max_swap_ratio: null, recall 70/72), asserted with one row of slack.
HF_MIN_PRECISION = 0.95
HF_MIN_RECALL = 57 / 72
HF_MIN_TEST_RECALL = 10 / 15
HF_MIN_RECALL_EVERY_FLAG = 69 / 72


def run_check(path: Path, tmp_path: Path, params: str = "{}", roles: str = "", name: str = "suite.yaml"):
    suite = write(tmp_path / name, f"dataset: {{{roles}}}\nchecks:\n  - label_errors: {params}\n")
    return curate.check(path, suite=suite).result("label_errors")


@pytest.fixture(scope="module")
def hf_result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hf")
    return run_check(EXAMPLES / "hf_news", tmp, "{max_share: 0.02}", "key: id, label: label, text: text")


# --------------------------------------------------------------------------- bundled examples


def test_hf_news_finds_the_planted_flipped_labels(hf_result) -> None:
    flipped = {(f["split"], f["id"]): f for f in PLANTED["flipped_labels"]}
    conflicting = {("train", c["id"]) for c in PLANTED["conflicting_labels"]}  # a copy relabelled: also wrong
    invalid = {(f["split"], f["id"]) for f in PLANTED["invalid_labels"]}
    found = {(f.split, f.key): f for f in hf_result.findings}
    flagged = set(found) - invalid
    hits = flagged & set(flipped)
    precision = len(flagged & (set(flipped) | conflicting)) / len(flagged)
    recall = len(hits) / len(flipped)
    test_flips = {k for k in flipped if k[0] == "test"}
    assert precision >= HF_MIN_PRECISION, precision
    assert recall >= HF_MIN_RECALL, recall
    assert len(hits & test_flips) / len(test_flips) >= HF_MIN_TEST_RECALL
    # the suggested label is the true one for (nearly) every hit, with the documented update shape
    right = [found[k].suggestion["label"] == flipped[k]["true"] for k in hits]
    assert sum(right) >= 0.95 * len(right)
    for k in hits:
        f = found[k]
        assert set(f.suggestion) == {"label", "confidence"} and 0.5 <= f.suggestion["confidence"] <= 1
        assert f.column == "label" and 0 < f.score <= 1
        assert f"given '{flipped[k]['given']}'" in f.message and f"suggested '{f.suggestion['label']}'" in f.message


def test_every_confident_learning_flag_without_the_swap_cut(hf_result, tmp_path: Path) -> None:
    # the cut only drops flags whose label the model finds plausible: the rest are the same rows
    roles = "key: id, label: label, text: text"
    every = run_check(EXAMPLES / "hf_news", tmp_path, "{max_share: 0.02, max_swap_ratio: null}", roles)
    cut = run_check(EXAMPLES / "hf_news", tmp_path, "{max_share: 0.02, cut_min_error: null}", roles, name="cut.yaml")
    flipped = {(f["split"], f["id"]) for f in PLANTED["flipped_labels"]}
    found = {(f.split, f.key) for f in every.findings}
    assert len(found & flipped) / len(flipped) >= HF_MIN_RECALL_EVERY_FLAG
    assert {(f.split, f.key) for f in cut.findings} < found
    dropped = len(found) - len(cut.findings)
    assert cut.metrics["plausible_not_reported"] == dropped and f"{dropped:,} more flagged" in cut.message
    assert every.metrics["plausible_not_reported"] == 0 and every.metrics["label_issues"] == cut.metrics["label_issues"]
    assert cut.metrics["swap_cut"] == 1 and every.metrics["swap_cut"] == 0


def test_a_model_all_but_never_wrong_outside_its_flags_reports_every_flag(hf_result, tmp_path: Path) -> None:
    # hf_news is generated: its model contradicts almost none of the labels it does not flag, so its
    # flags are the planted flips and the default reports them all (the cut would drop true flips)
    m = hf_result.metrics
    assert m["unflagged_error_upper"] < 0.01 and m["swap_cut"] == 0 and m["plausible_not_reported"] == 0
    assert m["flagged"] == m["label_issues"] + m["rare_label_rows"]
    assert "every Confident Learning flag reported" in hf_result.message and "cut_min_error 1%" in hf_result.message
    # the bound, not the rate: 0 errors in 150 rows is no evidence of a model below 1 %
    rate, upper = unflagged_error(np.zeros(150, dtype=int), np.tile([0.9, 0.1], (150, 1)), np.zeros(150, dtype=bool))
    assert rate == 0.0 and 0.01 < upper < 0.03
    rate, upper = unflagged_error(np.array([0, 1] * 100), np.tile([0.9, 0.1], (200, 1)), np.array([False, True] * 100))
    assert rate == 0.0 and upper < 0.03  # the flagged rows (the model's 100 disagreements) are not counted


def test_swap_rates_use_the_flags_own_direction_unless_it_is_disputed() -> None:
    from curate.labels import swap_rates

    # P(given, true): 20 % of true-b rows labelled a, 10 % of true-a rows labelled b; c: 30 % of true-c
    # rows labelled a, 2.5 % of true-a rows labelled c (one-way: a disputed boundary)
    joint = np.array([[0.36, 0.08, 0.06], [0.04, 0.32, 0.0], [0.0, 0.0, 0.14]])
    joint[0, 0] -= 0.01
    joint[2, 0] += 0.01
    s = swap_rates(joint, 4)
    true_share = joint.sum(axis=0)
    given_if_true = joint / true_share
    assert s[0, 1] == pytest.approx(given_if_true[0, 1])  # 2× the reverse: its own direction
    assert s[1, 0] == pytest.approx(given_if_true[1, 0])
    assert given_if_true[0, 2] > 4 * given_if_true[2, 0]
    assert s[0, 2] == pytest.approx(given_if_true[2, 0])  # disputed: the lower, reverse rate
    assert s[2, 0] == pytest.approx(given_if_true[2, 0])  # the low direction is unchanged
    assert np.allclose(swap_rates(joint), given_if_true)  # None: every direction its own
    lower = swap_rates(joint, 1)
    assert np.allclose(lower, np.minimum(given_if_true, given_if_true.T))


def test_swap_cut_keeps_flips_of_the_noisier_direction(tmp_path: Path) -> None:
    # labels with one-way noise (rows of a and b relabelled c): the lower direction alone
    # (max_swap_asymmetry: 1) drops flips of the noisier direction that the default keeps
    root, _ = small_folder(tmp_path / "d")
    default = run_check(root, tmp_path, "{max_share: 1.0}", "key: id, label: label")
    lower = run_check(root, tmp_path, "{max_share: 1.0, max_swap_asymmetry: 1}", "key: id, label: label", name="lower.yaml")
    every = run_check(root, tmp_path, "{max_share: 1.0, max_swap_ratio: null}", "key: id, label: label", name="every.yaml")
    keys = lambda r: {f.key for f in r.findings}  # noqa: E731
    assert keys(lower) < keys(default) < keys(every)
    assert default.metrics["plausible_not_reported"] == len(every.findings) - len(default.findings)


def test_max_self_confidence_keeps_only_rows_whose_label_is_improbable(tmp_path: Path) -> None:
    root, _ = small_folder(tmp_path / "d")
    loose = run_check(root, tmp_path, "{max_share: 1.0, max_swap_ratio: null}", "key: id, label: label")
    strict = run_check(root, tmp_path, "{max_share: 1.0, max_swap_ratio: null, max_self_confidence: 0.05}",
                       "key: id, label: label", name="strict.yaml")
    assert strict.findings and len(strict.findings) < len(loose.findings)
    assert all(1 - f.score <= 0.05 for f in strict.findings)  # score = 1 - the label's probability
    assert {f.key for f in strict.findings} == {f.key for f in loose.findings if 1 - f.score <= 0.05}


def test_hf_news_result_shape_metrics_and_order(hf_result) -> None:
    r = hf_result
    assert r.status == Status.FAIL  # ~3 % of labels are wrong: above max_share 2 %
    m = r.metrics
    assert m["flagged"] == len(r.findings) and m["rows"] == 2503  # 2,505 rows minus 2 without text
    assert m["share"] == pytest.approx(len(r.findings) / 2503)
    assert m["skipped_rows"] == 2 and m["rare_label_rows"] == 3 and m["missing_label_rows"] == 0
    assert m["classes"] == 4 and m["folds"] == 5 and m["cv_accuracy"] > 0.9
    assert m["flagged.train"] + m["flagged.test"] == m["flagged"] and m["flagged.test"] >= 11
    for c in ("world", "sports", "business", "science"):
        assert 0.0 < m[f"noise_rate.{c}"] < 0.1
    joint = np.array([[m[f"joint.{a}.{b}"] for b in sorted(PLANTED["label_counts"]["test"])] for a in sorted(PLANTED["label_counts"]["test"])])
    assert joint.sum() == pytest.approx(1.0) and np.trace(joint) == pytest.approx(1 - m["estimated_noise"])
    assert all(isinstance(v, (int, float)) for v in m.values())
    scores = [f.score for f in r.findings]
    assert scores == sorted(scores, reverse=True)  # worst first
    assert "TF-IDF" in r.message and "5 folds" in r.message and "train" in r.message and "test" in r.message


def test_hf_news_labels_outside_the_label_set_and_empty_texts(hf_result) -> None:
    """The 3 misspelt labels (one row each) are their own findings, suggesting the intended label;
    the 2 rows without text are skipped, never flagged."""
    found = {(f.split, f.key): f for f in hf_result.findings}
    for planted in PLANTED["invalid_labels"]:
        f = found[(planted["split"], planted["id"])]
        assert f.suggestion["label"] == planted["intended_label"]
        assert "outside the label set" in f.message and f.score == 1.0
    assert not {("train", e["id"]) for e in PLANTED["empty_texts"]} & set(found)
    assert "outside the label set" in hf_result.message and "without text skipped" in hf_result.message


def test_message_shows_text_given_suggested_confidence(hf_result) -> None:
    from curate.report.console import render

    top = hf_result.worst_findings(10)[-1]
    assert top.message.startswith("'") and "…" in top.message  # truncated text first
    assert "given '" in top.message and "suggested '" in top.message and re.search(r"confidence [01]\.\d\d", top.message)
    report = curate.Report({"path": "x"}, [hf_result])
    text = render(report, max_findings=3, width=120)
    assert "label_errors" in text and "suggested" in text and "confidence" in text


def chosen_tabular_model(message: str) -> str:
    """The tabular model a message names, asserting it is the candidate with the lowest log-loss it lists."""
    model = message.split("Model: ")[1].split(", on ")[0]
    losses = dict(re.findall(r"(31-leaf trees|255-leaf trees|logistic regression) (\d\.\d+)", message))
    assert set(losses) == {"31-leaf trees", "255-leaf trees", "logistic regression"}, message
    best = min(losses, key=lambda name: float(losses[name]))
    assert model == (best if best == "logistic regression" else f"gradient boosting, {best}"), message
    return model


def test_kaggle_loans_tabular_model(tmp_path: Path) -> None:
    r = run_check(EXAMPLES / "kaggle_loans", tmp_path, "{max_share: 1.0}", "key: applicant_id, label: approved")
    assert r.status == Status.PASS
    chosen_tabular_model(r.message)
    assert "applicant_id" not in r.message.split("Model:")[1].split("(")[0]
    assert r.metrics["classes"] == 2 and r.metrics["rows"] == 2000
    assert r.findings and all(f.suggestion["approved"] in ("yes", "no") for f in r.findings)
    assert all(f.suggestion["approved"] != f.message.split("given '")[1].split("'")[0] for f in r.findings)
    assert r.findings[0].message.startswith("age=") and "— given '" in r.findings[0].message  # column values first


# --------------------------------------------------------------------------- planted tabular noise


def tabular_folder(root: Path, n: int = 1200, flip: float = 0.06, seed: int = 3) -> tuple[Path, set[int]]:
    """Three separable classes from two numbers and a category; ``flip`` of the labels changed."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    frame = pd.DataFrame(
        {
            "uid": [f"u{i}" for i in range(n)],
            "a": y * 2.0 + rng.normal(0, 0.45, n),
            "b": rng.normal(0, 1, n),
            "colour": np.where(rng.random(n) < 0.8, np.array(["red", "green", "blue"])[y], "grey"),
        }
    )
    flipped = rng.choice(n, size=int(flip * n), replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, 3, len(flipped))) % 3
    frame["label"] = np.array(["low", "mid", "high"])[noisy]
    root.mkdir(parents=True, exist_ok=True)
    frame.to_csv(root / "train.csv", index=False)
    return root, set(flipped.tolist())


def test_uci_iris_species_overlap_is_not_flagged() -> None:
    # UCI Iris as published (its species labels are right; its two known errors are in the features):
    # 31-leaf trees' overconfident mistakes on the overlapping versicolor/virginica rows were all
    # flagged (8 findings, none an error); the calibrated linear model wins the log-loss selection
    r = curate.check(DATA / "real" / "uci_iris", only=["label_errors"]).result("label_errors")
    assert r.metrics["rows"] == 150 and chosen_tabular_model(r.message) == "logistic regression"
    assert len(r.findings) <= 1, [f.message for f in r.findings]


def test_tabular_planted_flips_found(tmp_path: Path) -> None:
    root, flipped = tabular_folder(tmp_path / "tab")
    r = run_check(root, tmp_path, "{max_share: 0.02, seed: 1}", "key: uid, label: label")
    found = {f.row for f in r.findings}
    assert len(found & flipped) / len(found) >= 0.8
    assert len(found & flipped) / len(flipped) >= 0.8
    assert r.status == Status.FAIL and "on 3 columns" in r.message
    chosen_tabular_model(r.message)


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    root, _ = tabular_folder(tmp_path / "tab", n=400)
    a = run_check(root, tmp_path, "{max_share: 1.0, seed: 7}", "key: uid, label: label")
    b = run_check(root, tmp_path, "{max_share: 1.0, seed: 7}", "key: uid, label: label", name="again.yaml")
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings] and a.metrics == b.metrics


# --------------------------------------------------------------------------- curate.find_label_issues == cleanlab


def noisy_probs(n: int = 600, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), true] += 2.5
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < 0.1
    labels[flip] = (true[flip] + 1) % k
    return labels, probs


@pytest.mark.parametrize("filter_by", FILTER_BY)
def test_find_label_issues_equals_cleanlab(filter_by: str) -> None:
    from cleanlab.filter import find_label_issues

    labels, probs = noisy_probs()
    ours = curate.find_label_issues(labels, probs, filter_by=filter_by)
    theirs = find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)
    assert ours.dtype == bool and ours.shape == labels.shape
    np.testing.assert_array_equal(ours, theirs)
    assert 0 < ours.sum() < len(labels)


def test_find_label_issues_string_labels_are_sorted_classes() -> None:
    labels, probs = noisy_probs(k=3)
    names = np.array(["cat", "dog", "emu"])[labels]  # sorted: column j is the j-th smallest name
    np.testing.assert_array_equal(curate.find_label_issues(names, probs), curate.find_label_issues(labels, probs))
    assert "find_label_issues" in curate.__all__


@pytest.mark.parametrize(
    "labels, probs, fragment",
    [
        (np.zeros(10, dtype=int), np.full((10, 2), 0.5), "single class"),
        (np.array([0, 1] * 5), np.full((9, 2), 0.5), "9 rows but there are 10 labels"),
        (np.array([0, 1] * 5), np.full(10, 0.5), "must be 2-D"),
        (np.array([0, 1, 2] * 4), np.full((12, 2), 0.5), "2 columns but the labels have 3 classes"),
        (np.array(["a", "b"] * 5), np.full((10, 3), 1 / 3), "3 columns but the labels have 2 classes"),
        (np.array([0, 1] * 5), np.full((10, 2), np.nan), "NaN"),
        (np.array([0, 1] * 5), np.full((10, 2), 3.0), "logits"),
        (np.array([0, 1] * 5), np.full((10, 2), 0.3), "sum to 1"),
        (np.array([0.0, np.nan] * 5), np.full((10, 2), 0.5), "missing"),
        (np.array([-1, 1] * 5), np.full((10, 2), 0.5), "≥ 0"),
    ],
)
def test_find_label_issues_clear_errors(labels, probs, fragment: str) -> None:
    with pytest.raises(LabelInputError, match=None) as info:
        curate.find_label_issues(labels, probs)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(LabelInputError, match="unknown filter_by"):
        curate.find_label_issues(np.array([0, 1]), np.eye(2), filter_by="nope")


def test_importing_curate_does_not_import_cleanlab_or_sklearn() -> None:
    code = "import sys, curate; curate.find_label_issues; print('cleanlab' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


# --------------------------------------------------------------------------- user probabilities and embeddings


def small_folder(root: Path, n: int = 300, seed: int = 0) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "x": y + rng.normal(0, 0.3, n), "label": np.array(["a", "b", "c"])[y]})
    frame.loc[rng.choice(n, 15, replace=False), "label"] = "c"
    root.mkdir(parents=True, exist_ok=True)
    frame.iloc[:200].to_csv(root / "train.csv", index=False)
    frame.iloc[200:].to_csv(root / "test.csv", index=False)
    return root, frame


def test_user_pred_probs_npy_matches_find_label_issues(tmp_path: Path) -> None:
    root, frame = small_folder(tmp_path / "d")
    _, probs = noisy_probs(len(frame), k=3, seed=5)
    np.save(root / "probs.npy", probs)
    # guard off: these random probabilities are a weak model; this test is about equality with cleanlab
    r = run_check(root, tmp_path, "{pred_probs: probs.npy, max_share: 1.0, guard: false}", "key: id, label: label")
    expected = curate.find_label_issues(frame["label"].to_numpy(), probs)
    flagged = {(f.split, f.row) for f in r.findings}
    assert flagged == {("train" if i < 200 else "test", i if i < 200 else i - 200) for i in np.flatnonzero(expected)}
    assert "user-supplied" in r.message and r.metrics["folds"] == 0


def test_user_pred_probs_columns_matched_by_name(tmp_path: Path) -> None:
    root, frame = small_folder(tmp_path / "d")
    _, probs = noisy_probs(len(frame), k=3, seed=5)
    for j, c in enumerate("abc"):
        frame[f"p_{c}"] = probs[:, j]
    shuffled = frame[["id", "x", "label", "p_c", "p_a", "p_b"]]  # columns not in class order
    shuffled.iloc[:200].to_csv(root / "train.csv", index=False)
    shuffled.iloc[200:].to_csv(root / "test.csv", index=False)
    r = run_check(root, tmp_path, "{pred_probs: [p_c, p_a, p_b], max_share: 1.0, guard: false}", "key: id, label: label")
    assert r.metrics["label_issues"] == int(curate.find_label_issues(frame["label"].to_numpy(), probs).sum())


def test_embeddings_column(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    vectors = rng.normal(0, 0.4, (300, 8)) + y[:, None]
    rows = [{"id": i, "emb": v.round(4).tolist(), "label": ["no", "yes"][t]} for i, (v, t) in enumerate(zip(vectors, y))]
    for i in range(10):
        rows[i]["label"] = ["yes", "no"][y[i]]  # 10 flips
    root = tmp_path / "e"
    root.mkdir()
    (root / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    r = run_check(root, tmp_path, "{embeddings: emb, max_share: 1.0}", "key: id, label: label")
    found = {f.row for f in r.findings}
    assert len(found & set(range(10))) >= 8 and len(found) <= 14
    assert "embeddings 'emb' (8 dims)" in r.message


# --------------------------------------------------------------------------- bad inputs


def test_one_class_is_a_skip_not_a_crash_or_a_failure(tmp_path: Path) -> None:
    """Nothing to learn from is a check that cannot judge: skip with the reason, never a failure
    that would turn a small dataset's CI red."""
    root = write(tmp_path / "d" / "train.csv", "id,text,label\n" + "".join(f"{i},some words {i},spam\n" for i in range(20))).parent
    r = run_check(root, tmp_path, "{}", "key: id, label: label, text: text")
    assert r.status == Status.SKIP and "needs at least two classes" in r.message and "'spam': 20" in r.message


def test_ragged_embeddings_are_an_error_and_no_labels_a_skip(tmp_path: Path) -> None:
    rows = [{"id": i, "emb": [0.1] * (2 if i else 3), "label": "ab"[i % 2]} for i in range(20)]
    root = tmp_path / "e"
    root.mkdir()
    (root / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    r = run_check(root, tmp_path, "{embeddings: emb}", "key: id, label: label")
    assert r.status == Status.ERROR and "cannot build its model: embedding vectors have different lengths" in r.message
    write(root / "train.jsonl", "".join(json.dumps({"id": i, "emb": [0.1, 0.2], "label": None}) + "\n" for i in range(20)))
    r = run_check(root, tmp_path, "{embeddings: emb}", "key: id, label: label", name="again.yaml")
    assert r.status == Status.SKIP and "no row has a label to check in 20 rows (20 without a label" in r.message


def test_missing_labels_are_skipped_and_counted(tmp_path: Path) -> None:
    root, frame = tabular_folder(tmp_path / "tab", n=300)
    frame = pd.read_csv(root / "train.csv")
    frame.loc[[3, 4, 5], "label"] = np.nan
    frame.loc[6, "label"] = "  "
    frame.to_csv(root / "train.csv", index=False)
    r = run_check(root, tmp_path, "{max_share: 1.0}", "key: uid, label: label")
    assert r.metrics["missing_label_rows"] == 4 and r.metrics["rows"] == 296
    assert not {3, 4, 5, 6} & {f.row for f in r.findings}
    assert "4 rows without a label skipped" in r.message


def test_a_class_with_one_row_is_reported_not_learnt(tmp_path: Path) -> None:
    root, _ = tabular_folder(tmp_path / "tab", n=300)
    frame = pd.read_csv(root / "train.csv")
    frame.loc[10, "label"] = "hgih"
    frame.to_csv(root / "train.csv", index=False)
    r = run_check(root, tmp_path, "{max_share: 1.0}", "key: uid, label: label")
    (rare,) = [f for f in r.findings if "outside the label set" in f.message]
    assert rare.row == 10 and rare.suggestion["label"] in ("low", "mid", "high") and r.metrics["classes"] == 3


@pytest.mark.parametrize(
    "params, fragment",
    [
        ("{pred_probs: probs.npy}", "pred_probs has 2 columns but the label column has 3 classes (a, b, c)"),
        ("{pred_probs: short.npy}", "short.npy has shape (299, 3); expected (300, classes)"),
        ("{pred_probs: nothere.npy}", "pred_probs file not found"),
        ("{pred_probs: probs.txt}", "must be a .npy file"),
        ("{pred_probs: {train: probs.npy}}", "names no file for split(s) test"),
        ("{label: lable}", "column 'lable' not found in split 'train' (did you mean 'label'?)"),
        ("{text: body}", "column 'body' not found"),
        ("{features: [x, nope]}", "column 'nope' not found"),
        ("{model: text}", "model text needs a text column"),
        ("{pred_probs: probs.npy, model: text}", "pred_probs replaces the built-in model"),
        ("{folds: 1}", "folds"),
        ("{filter_by: prune}", "filter_by"),
        ("{max_shares: 0.1}", "max_shares"),
        ("{splits: [tset]}", "unknown split 'tset'"),
    ],
)
def test_bad_parameters_are_located_suite_errors(tmp_path: Path, params: str, fragment: str) -> None:
    root, _ = small_folder(tmp_path / "d")
    np.save(root / "probs.npy", np.full((300, 2), 0.5))
    np.save(root / "short.npy", np.full((299, 3), 1 / 3))
    with pytest.raises(CurateError) as info:
        run_check(root, tmp_path, params, "key: id, label: label")
    assert fragment in str(info.value)
    assert "suite.yaml" in (info.value.file or "") and info.value.line == 3


def test_pred_probs_wrong_columns_or_values(tmp_path: Path) -> None:
    root, _ = small_folder(tmp_path / "d")
    np.save(root / "probs.npy", np.full((300, 4), 0.25))
    with pytest.raises(CurateError, match="4 columns but the label column has 3 classes"):
        run_check(root, tmp_path, "{pred_probs: probs.npy}", "key: id, label: label")
    np.save(root / "probs.npy", np.full((300, 3), 0.5))
    with pytest.raises(CurateError, match="sums to 1.5"):
        run_check(root, tmp_path, "{pred_probs: probs.npy}", "key: id, label: label")


def test_cli_one_line_error_for_wrong_shape(tmp_path: Path) -> None:
    root, _ = small_folder(tmp_path / "d")
    np.save(root / "probs.npy", np.zeros((5, 3)))
    suite = write(tmp_path / "s.yaml", "dataset: {key: id, label: label}\nchecks:\n  - label_errors: {pred_probs: probs.npy}\n")
    result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "has shape (5, 3)" in lines[0]


# --------------------------------------------------------------------------- label kinds and the weak-model guard (real data)

DATA = Path(__file__).parent / "data"
GERMAN_COLUMNS = [
    "checking", "duration", "history", "purpose", "amount", "savings", "employment", "rate", "status_sex", "debtors",
    "residence", "property", "age", "installments", "housing", "credits", "job", "liable", "telephone", "foreign", "credit",
]


def german_folder(root: Path) -> Path:
    """UCI Statlog German Credit: the recorded repayment outcome (1 good / 2 bad) as the label."""
    frame = pd.read_csv(DATA / "german.data.gz", sep=r"\s+", header=None, names=GERMAN_COLUMNS)
    frame["credit"] = frame["credit"].map({1: "good", 2: "bad"})
    root.mkdir(parents=True, exist_ok=True)
    frame.to_csv(root / "german.csv", index=False)
    return root


def wine_folder(root: Path) -> Path:
    """UCI Wine Quality (red): sensory quality scores 3–8 given by tasters."""
    root.mkdir(parents=True, exist_ok=True)
    pd.read_csv(DATA / "winequality-red.csv.gz").to_csv(root / "winequality-red.csv", index=False)
    return root


def test_real_outcome_label_is_not_judged_by_a_weak_model(tmp_path: Path) -> None:
    # credit risk is a recorded outcome that the columns predict only a little better than "always good"
    r = run_check(german_folder(tmp_path / "german"), tmp_path, "{}", "label: credit")
    m = r.metrics
    assert r.status == Status.SKIP and not r.findings
    assert m["guard"] == 1 and m["baseline_accuracy"] == pytest.approx(0.7)
    assert m["model_accuracy"] < 0.8 and m["accuracy_lift"] < 0.3
    assert m["would_flag"] > 100  # what an unguarded check would have reported as wrong labels
    assert "not clearly better than the majority class" in r.message and "0.70" in r.message


def test_rating_scores_are_skipped_by_default(tmp_path: Path) -> None:
    r = run_check(wine_folder(tmp_path / "wine"), tmp_path, "{}", "label: quality")
    assert r.status == Status.SKIP and not r.findings
    assert "ordinal scores" in r.message and "label_kind: categorical" in r.message


def test_rating_scores_as_classes_meet_the_guard(tmp_path: Path) -> None:
    # opting in treats 3..8 as six classes; the model, better than the majority class but not strong,
    # would flag most of the rows it gets wrong (neighbouring scores): a warning, no suggestions
    r = run_check(wine_folder(tmp_path / "wine"), tmp_path, "{label_kind: categorical, folds: 3}", "label: quality")
    assert r.metrics["guard"] == 1 and r.metrics["would_flag"] > 300 and r.status in (Status.WARN, Status.SKIP)
    assert len(r.findings) <= 5 and all(f.suggestion is None for f in r.findings)


def test_a_strong_model_on_real_text_is_not_guarded(tmp_path: Path) -> None:
    # UCI SMS Spam Collection, "label<TAB>message" lines (quotes are text, so split by hand)
    lines = (DATA / "real" / "sms_spam_collection" / "SMSSpamCollection").read_text(encoding="utf-8").split("\n")
    rows = [line.split("\t", 1) for line in lines if "\t" in line]
    root = tmp_path / "sms"
    root.mkdir()
    pd.DataFrame(rows, columns=["label", "text"]).to_parquet(root / "train.parquet")
    r = run_check(root, tmp_path, "{}", "label: label, text: text")
    assert r.metrics["rows"] == 5574 and r.metrics["guard"] == 0 and r.metrics["accuracy_lift"] > 0.5
    # real annotations: the model errs outside its flags often enough that the swap cut applies
    assert r.metrics["unflagged_error_upper"] >= 0.01 and r.metrics["swap_cut"] == 1
    assert r.status in (Status.PASS, Status.FAIL) and all(f.suggestion for f in r.findings)


@pytest.mark.parametrize(
    ("values", "name", "kind"),
    [
        ([0, 1, 2, 1, 0], "label", "categorical"),  # class codes
        (list(range(20)) * 3, "label", "categorical"),  # 20 topic codes
        (list(range(11)) * 3, "label", "ordinal"),  # a 0–10 scale
        ([1, 2, 3, 4, 5] * 3, "stars", "ordinal"),
        ([1, 2, 3, 4, 5], "reviewScore", "ordinal"),
        ([0.25, 1.5, 3.0], "label", "continuous"),
        (list(range(1000)), "label", "continuous"),
        ([f"user{i}" for i in range(100)], "label", "identifier"),
        ([f"a sentence number {i}" for i in range(100)], "label", "text"),
        ([["a", "b"], ["c"]], "tags", "multilabel"),
        (["pos", "neg", "pos"], "sentiment", "categorical"),
        ([True, False], "label", "categorical"),
    ],
)
def test_label_kind(values, name, kind) -> None:
    from curate.labels import label_kind

    assert label_kind(pd.Series(values), name).kind == kind
    assert label_kind(pd.Series(values), name, class_label=True).kind == "categorical"


def test_non_class_labels_skip_with_the_reason(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"text": [f"w{i % 7} w{i % 5}" for i in range(300)], "price": rng.gamma(2.0, 10.0, 300).round(2)})
    root = tmp_path / "d"
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    r = run_check(root, tmp_path, "{}", "label: price, text: text")
    assert r.status == Status.SKIP and "continuous values" in r.message


def test_outcome_labels_get_findings_without_suggestions(tmp_path: Path) -> None:
    root, _ = small_folder(tmp_path / "d")
    r = run_check(root, tmp_path, "{outcome: true, max_share: 0.0}", "key: id, label: label")
    assert r.findings and all(f.suggestion is None for f in r.findings)
    assert r.status == Status.WARN and "recorded outcome" in r.message and r.metrics["suggestions"] == 0


def test_indistinct_flags_are_capped_and_carry_no_suggestion(tmp_path: Path, monkeypatch) -> None:
    from curate import labels

    real = labels.guard

    def indistinct(*args):
        g = real(*args)
        g.verdict, g.reason = "indistinct", "flags are the model's own errors"
        return g

    monkeypatch.setattr(labels, "guard", indistinct)
    root, _ = small_folder(tmp_path / "d")
    r = run_check(root, tmp_path, "{max_share: 0.0}", "key: id, label: label")
    assert r.status == Status.WARN and 0 < len(r.findings) <= 5 and all(f.suggestion is None for f in r.findings)
    assert r.metrics["guard"] == 1 and r.metrics["would_flag"] >= len(r.findings) and "not judged" in r.message


def test_guard_verdicts() -> None:
    from curate.labels import guard

    rng = np.random.default_rng(0)
    y = (rng.random(1000) < 0.3).astype(np.int64)
    prior = np.tile([0.7, 0.3], (1000, 1))
    assert guard(y, prior, np.zeros(1000, bool)).verdict == "weak"  # the class shares themselves
    sharp = np.where(y[:, None] == np.arange(2), 0.95, 0.05)
    g = guard(y, sharp, np.zeros(1000, bool))
    assert g.verdict == "ok" and g.model_accuracy == 1.0 and g.accuracy_lift == 1.0 and g.log_loss_skill > 0.8


def test_default_suite_skips_without_a_label_or_anything_to_learn_from(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    pd.DataFrame({"name": ["a", "b", "c"] * 10, "n": range(30)}).to_csv(root / "train.csv", index=False)
    r = curate.check(root, suite="builtin:default").result("label_errors")
    assert r.status == Status.SKIP and "no label column" in r.message
    pd.DataFrame({"label": ["x", "y"] * 15}).to_csv(root / "train.csv", index=False)
    r = curate.check(root, suite="builtin:default", only="label_errors").result("label_errors")
    assert r.status == Status.SKIP and "nothing to learn" in r.message


# --------------------------------------------------------------------------- recorded outcomes (real data)

ADULT_COLUMNS = (
    "age workclass fnlwgt education education_num marital_status occupation relationship race sex "
    "capital_gain capital_loss hours_per_week native_country income"
).split()


def adult_folder(root: Path, label: str = "income") -> Path:
    """UCI Adult, the real training file (32,561 rows), read with pandas; its income column named ``label``."""
    frame = pd.read_csv(DATA / "adult.data.gz", header=None, names=ADULT_COLUMNS)
    root.mkdir(parents=True, exist_ok=True)
    frame.rename(columns={"income": label}).to_parquet(root / "train.parquet")
    return root


@pytest.mark.parametrize("label", ["income", "class"])
def test_adult_income_is_a_recorded_outcome_not_judged(tmp_path: Path, label: str) -> None:
    # by its name, or (named `class`, as OpenML calls it) by its values ' <=50K' / ' >50K'
    r = run_check(adult_folder(tmp_path / "adult", label), tmp_path, "{}", f"label: {label}")
    assert r.status == Status.SKIP and not r.findings and r.metrics == {"rows": 32561, "outcome": 1}
    assert "recorded outcome" in r.message and "outcome: false" in r.message
    assert ("'income'" if label == "income" else "<=50K, >50K") in r.message


def test_outcome_false_judges_a_label_named_like_an_outcome(tmp_path: Path) -> None:
    root, frame = small_folder(tmp_path / "d")
    frame.rename(columns={"label": "outcome"}).iloc[:200].to_csv(root / "train.csv", index=False)
    frame.rename(columns={"label": "outcome"}).iloc[200:].to_csv(root / "test.csv", index=False)
    inferred = run_check(root, tmp_path, "{}", "key: id, label: outcome")
    assert inferred.status == Status.SKIP and "reads as a recorded outcome" in inferred.message
    judged = run_check(root, tmp_path, "{outcome: false, max_share: 1.0}", "key: id, label: outcome", name="s2.yaml")
    assert judged.status == Status.PASS and judged.findings and all(f.suggestion for f in judged.findings)


@pytest.mark.parametrize(
    ("values", "name", "outcome"),
    [
        ([" <=50K", " >50K"], "class", True),
        (["18-25", "26-40", "65+"], "age_band", True),
        (["good", "bad"], "credit_default", True),
        ([0, 1], "two_year_recid", True),
        ([0, 1], "DEATH_EVENT", True),
        ([0, 1], "isFraud", True),
        (["setosa", "versicolor"], "species", False),
        ([1, 2], "class", False),
        (["pos", "neg"], "label", False),
        (["Adelie", "Gentoo"], "resultant", False),  # a token, not a substring
    ],
)
def test_recorded_outcome(values, name, outcome) -> None:
    from curate.labels import recorded_outcome

    assert (recorded_outcome(pd.Series(values), name) is not None) == outcome
