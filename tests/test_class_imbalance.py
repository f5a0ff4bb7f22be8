"""``class_imbalance`` on real labels (the hate-speech tweets, the SMS Spam Collection, UCI Adult)
and on splits cut from them with planted missing classes and drift; plus every new family
rendered in every report format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import write
from test_column_quality import adult_csv_dataset
from test_pii import sms_folder

import curate
from curate.cli import main

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"


def check(root: Path, tmp_path: Path, params: str = "{}", dataset: str = ""):
    suite = write(tmp_path / "ci.yaml", f"dataset: {{{dataset}}}\nchecks:\n  - class_imbalance: {params}\n")
    return curate.check(root, suite=suite).result("class_imbalance")


def test_hate_speech_class_is_rare(tmp_path: Path) -> None:
    root = REAL / "hate_speech_offensive_hf"
    labels = pq.read_table(root / "data" / "train-00000-of-00001.parquet").column("class").to_pylist()
    counts = pd.Series(labels).value_counts()
    result = check(root, tmp_path)
    (finding,) = result.findings
    assert finding.message.startswith(f"rare class '0': {counts[0]:,} of {len(labels):,} rows")
    assert counts[0] / len(labels) < 0.2 / 3 < counts[2] / len(labels)  # under a fifth of uniform; 'neither' is not
    table = {(r["split"], r["class"]): r["count"] for r in result.tables["distribution"]}
    assert table == {("train", str(k)): int(v) for k, v in counts.items()}


def split_sms(tmp_path: Path, test_spam: int) -> Path:
    """The SMS corpus as train (first 4,000 messages) and test (the rest, with ``test_spam`` spams)."""
    frame = pd.read_csv(sms_folder(tmp_path) / "train.csv")
    root = tmp_path / "sms_splits"
    root.mkdir()
    frame.iloc[:4000].to_csv(root / "train.csv", index=False)
    test = frame.iloc[4000:]
    spam = test[test["label"] == "spam"].iloc[:test_spam]
    pd.concat([test[test["label"] == "ham"], spam]).sort_index().to_csv(root / "test.csv", index=False)
    return root


def test_sms_single_split_is_within_limits(tmp_path: Path) -> None:
    result = check(sms_folder(tmp_path), tmp_path)
    assert result.status.value == "pass" and "ham 86.6%, spam 13.4%" in result.message


def test_a_small_balanced_split_has_no_rare_class(hf_folder: Path, tmp_path: Path) -> None:
    """Four train rows and two test rows, half of each class: no class reaches min_count (10),
    so counts say nothing about balance and only shares are judged."""
    result = check(hf_folder, tmp_path)
    assert result.status.value == "pass" and not result.findings
    skewed = write(hf_folder / "data/train.csv", "id,text,label,gender\n" + "".join(
        f"r{i},text number {i},{'pos' if i else 'neg'},x\n" for i in range(12)))
    assert skewed.is_file()
    rare = check(hf_folder, tmp_path).findings
    assert [(f.split, f.message.split(":")[0]) for f in rare] == [("train", "rare class 'neg'")]


def test_a_class_missing_from_test(tmp_path: Path) -> None:
    result = check(split_sms(tmp_path, test_spam=0), tmp_path)
    missing = [f for f in result.findings if "missing" in f.message]
    assert [(f.split, f.message.split(" is")[0]) for f in missing] == [("test", "class 'spam'")]
    assert any(f.message.startswith("label drift vs train") for f in result.findings)


def test_label_drift_between_splits(tmp_path: Path) -> None:
    frame = pd.read_csv(sms_folder(tmp_path) / "train.csv")
    same = check(split_sms(tmp_path / "a", test_spam=10**6), tmp_path)  # the natural split: no drift
    assert not [f for f in same.findings if "drift" in f.message], [f.message for f in same.findings]
    test_share = 20 / ((frame.iloc[4000:]["label"] == "ham").sum() + 20)
    drifted = check(split_sms(tmp_path / "b", test_spam=20), tmp_path)
    (drift,) = [f for f in drifted.findings if "drift" in f.message]
    train_share = (frame.iloc[:4000]["label"] == "spam").mean()
    assert drift.split == "test" and f"spam {train_share:.1%} → {test_share:.1%}" in drift.message


def test_adult_income_and_the_skip_without_a_label(tmp_path: Path) -> None:
    frame, root = adult_csv_dataset(tmp_path)
    skipped = check(root, tmp_path)
    assert skipped.status.value == "skip" and "no label column" in skipped.message
    result = check(root, tmp_path, dataset="label: income")
    assert result.status.value == "pass"
    assert result.metrics["smallest_share.train"] == round(7841 / 32561, 6)
    strict = check(root, tmp_path, "{min_share: 0.3}", dataset="label: income")
    assert [f.message.split(":")[0] for f in strict.findings] == ["rare class ' >50K'"]


# =========================================================================== every family, every format

FAMILIES = "  - pii: {}\n  - text_quality: {}\n  - column_quality: {}\n  - class_imbalance: {}\n  - outliers: {}\n"


@pytest.mark.parametrize("fmt", ["console", "json", "markdown", "junit", "github", "sarif", "pr-comment"])
def test_new_families_render_in_every_format(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "d"
    rows = [f"{i},{'spam' if i % 25 == 0 else 'ham'},{'mail me: a.b@example.com' if i == 4 else f'message number {i}'},"
            f"{i % 7 + (900 if i == 11 else 0)},{'x ' if i == 5 else 'x'}\n" for i in range(120)]
    write(root / "train.csv", "id,label,text,amount,flag\n" + "".join(rows))
    suite = write(tmp_path / "s.yaml", "dataset: {key: id, label: label, text: text}\nchecks:\n" + FAMILIES)
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite), "--format", fmt, "--output", str(out),
                                       "--no-progress"])
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8")
    for family in ("pii", "text_quality", "column_quality", "class_imbalance", "outliers"):
        assert family in text or family.replace("_", "\\_") in text, (fmt, family)
    assert "a.b@example.com" not in text
