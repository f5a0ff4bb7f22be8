"""The real-data acceptance corpus (issue 10): facts known without curate, checked against
what curate loads and reports. Data and provenance: tests/data/real/README.md."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REAL = Path(__file__).resolve().parent / "data" / "real"
sys.path.insert(0, str(REAL))
import real_corpus as rc  # noqa: E402

REPO = REAL.parents[2]


# --------------------------------------------------------------------------- the files themselves


@pytest.mark.parametrize("name", sorted(rc.CORPUS))
def test_files_are_the_documented_copies(name):
    entry = rc.CORPUS[name]
    for rel, digest in entry.md5.items():
        assert rc.md5(entry.folder / rel) == digest, f"{name}/{rel} is not the copy described in the README"


def test_each_dataset_is_documented_with_licence_and_source():
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for name in rc.CORPUS:
        if name == "uci_adult":
            continue
        section = readme.split(f"## `{name}/", 1)
        assert len(section) == 2, f"README has no section for {name}"
        body = section[1].split("\n## ", 1)[0]
        assert "**Licence**" in body and "commit" in body, name


def test_corpus_suites_run_the_default_checks_unchanged():
    default = yaml.safe_load((REPO / "checks" / "default.yaml").read_text(encoding="utf-8"))["checks"]
    for suite in REAL.glob("*/curate.yaml"):
        assert yaml.safe_load(suite.read_text(encoding="utf-8"))["checks"] == default, suite


# --------------------------------------------------------------------------- raw facts (plain Python)


def test_iris_raw_facts():
    _, rows = rc.csv_records(REAL / "uci_iris" / "iris.data", header=False)
    assert len(rows) == 150 and {len(r) for r in rows} == {5}
    assert rc.duplicate_positions([tuple(r) for r in rows]) == {34: 9, 37: 9, 142: 101}


def test_sms_raw_facts():
    recs = rc.tab_records(REAL / "sms_spam_collection" / "SMSSpamCollection")
    assert len(recs) == 5574 and {len(r) for r in recs} == {2}
    assert sum(r[0] == "spam" for r in recs) == 747
    assert len(rc.duplicate_positions([r[1] for r in recs])) == 403


def test_sentiment_sentences_raw_facts():
    dups = {}
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        recs = rc.tab_records(REAL / "sentiment_labelled_sentences" / name, split_from_right=True)
        assert len(recs) == 1000 and {r[1].strip() for r in recs} == {"0", "1"}
        dups[name] = len(rc.duplicate_positions([r[0] for r in recs]))
    assert dups == {"amazon_cells_labelled.txt": 10, "imdb_labelled.txt": 3, "yelp_labelled.txt": 4}


def test_tweets_raw_facts():
    header, rows = rc.csv_records(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz")
    assert len(rows) == 14640 and len(header) == 15
    ids = [r[header.index("tweet_id")] for r in rows]
    assert all("E+17" in i for i in ids) and len(set(ids)) == 2434
    dups = rc.duplicate_positions([tuple(r) for r in rows])
    assert len(dups) == 36 and all("" in rows[i] for i in dups)


def test_chinook_raw_facts():
    counts = {p.stem: len(rc.csv_records(p)[1]) for p in (REAL / "chinook_kaggle").glob("*.csv")}
    assert sum(counts.values()) == 15607 and counts["Track"] == 3503 and counts["Customer"] == 59


def test_penguins_raw_facts():
    header, rows = rc.csv_records(REAL / "palmer_penguins_raw" / "penguins_raw.csv")
    assert len(rows) == 344
    comments = [r[header.index("Comments")] for r in rows]
    assert sum(c == "NA" for c in comments) == 290
