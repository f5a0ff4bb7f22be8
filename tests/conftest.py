"""Shared fixtures. Tests never touch the network: the Hub is switched offline before
``datasets`` or ``huggingface_hub`` are imported anywhere."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# the CLI's result cache defaults to the user's cache folder: keep test runs out of it
if "CURATE_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["CURATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="curate-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CURATE_CACHE_DIR"], ignore_errors=True)  # one per run, not left behind

import json  # noqa: E402
import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "example_datasets"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write dedented text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path


@pytest.fixture
def hf_folder(tmp_path: Path) -> Path:
    """A small Hugging Face-layout folder: a card with configs and features, train/test CSVs."""
    root = tmp_path / "hf"
    write(
        root / "README.md",
        """
        ---
        license: cc0-1.0
        configs:
        - config_name: default
          data_files:
          - split: train
            path: data/train.csv
          - split: test
            path: data/test.csv
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
          - name: gender
            dtype: string
        ---
        # A tiny dataset
        """,
    )
    write(
        root / "data/train.csv",
        """
        id,text,label,gender
        a1,"a good film, well acted and warmly shot",pos,female
        a2,"a dull film with a plot that goes nowhere",neg,male
        a3,"loved every minute of this clever comedy",pos,male
        a4,"the worst two hours I have spent in a cinema",neg,female
        """,
    )
    write(
        root / "data/test.csv",
        """
        id,text,label,gender
        b1,"a charming story, beautifully told",pos,female
        b2,"tedious, long and badly edited throughout",neg,male
        """,
    )
    return root


@pytest.fixture
def suite_file(tmp_path: Path):
    """Write a suite YAML file and return its path."""

    def make(text: str, name: str = "suite.yaml") -> Path:
        return write(tmp_path / name, text)

    return make


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def loose(root: Path, **splits) -> Path:
    """A plain-files dataset: one CSV per split, from DataFrames."""
    root.mkdir(parents=True, exist_ok=True)
    for name, frame in splits.items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


HF_NEWS_ROLES = "  key: id\n  label: label\n  text: text\n"  # the dataset section for example_datasets/hf_news


def planted(name: str) -> dict:
    """Ground truth of a bundled example (``example_datasets/planted/NAME.json``)."""
    return read_json(EXAMPLES / "planted" / f"{name}.json")


def run(root: Path, tmp_path: Path, checks: str, dataset: str = "  key: id\n"):
    """``curate.check`` with a suite made of a dataset section and a checks section (YAML text)."""
    import curate

    suite = write(tmp_path / "suite.yaml", f"dataset:\n{dataset}checks:\n{checks}")
    return curate.check(root, suite=suite)


# --------------------------------------------------------------------------- real data for the duplicate families

DATA = REPO / "tests" / "data"
ADULT_NAMES = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
               "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
               "income"]


def sms_frame():
    """The UCI SMS Spam Collection (tests/data/real/README.md): 5,574 rows, label + text, with an id."""
    import csv

    import pandas as pd

    frame = pd.read_csv(DATA / "real" / "sms_spam_collection" / "SMSSpamCollection", sep="\t", header=None,
                        names=["label", "text"], quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)
    frame.insert(0, "id", range(len(frame)))
    return frame


def adult_rows():
    """UCI Adult's training file (``?`` read as missing), with an id column."""
    import pandas as pd

    frame = pd.read_csv(DATA / "adult.data.gz", header=None, names=ADULT_NAMES, skipinitialspace=True, na_values="?")
    frame.insert(0, "id", range(len(frame)))
    return frame


def reference_text(s) -> str | None:
    """What ``duplicates`` compares, written plainly: NFKC, case folding, whitespace collapsed;
    None for a text with fewer than 3 letters or digits (too little content to match)."""
    import re
    import unicodedata

    if not isinstance(s, str):
        return None
    t = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).casefold()).strip()
    return t if sum(ch.isalnum() for ch in t) >= 3 else None


def family_result(report, family: str):
    """One family's result over every table of a run: a multi-table folder reports one result per
    table (``pii[Customer]``), so findings are concatenated and numeric metrics summed."""
    from types import SimpleNamespace

    results = [r for r in report.results if r.check == family]
    if len(results) == 1:
        return results[0]
    metrics: dict[str, float] = {}
    for r in results:
        for name, value in r.metrics.items():
            metrics[name] = metrics.get(name, 0) + value
    return SimpleNamespace(findings=[f for r in results for f in r.findings], metrics=metrics)
