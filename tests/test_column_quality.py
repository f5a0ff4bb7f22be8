"""``column_quality`` on real tables with known damage (UCI Adult, Twitter US Airline Sentiment,
Palmer penguins, Chinook; see tests/data/README.md and tests/data/real/README.md) and on a
planted table whose corrections round-trip through ``curate fix`` / ``curate apply``."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from conftest import family_result, write
from test_pii import fix_and_apply

import curate
from curate.cli import main

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"
ADULT_NAMES = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
               "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
               "income"]


def check(root: Path, tmp_path: Path, params: str = "{}", dataset: str = ""):
    suite = write(tmp_path / "cq.yaml", f"dataset: {{{dataset}}}\nchecks:\n  - column_quality: {params}\n")
    return family_result(curate.check(root, suite=suite), "column_quality")


def kinds(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.findings:
        out.setdefault(f.message.split(":", 1)[0], set()).add(f.column)
    return out


def adult_csv_dataset(tmp_path: Path) -> tuple[pd.DataFrame, Path]:
    """UCI Adult as shipped (headerless, values after ', ') written as a one-split CSV dataset."""
    frame = pd.read_csv(DATA / "adult.data.gz", header=None, names=ADULT_NAMES)
    root = tmp_path / "adult"
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    return frame, root

def test_adult_every_categorical_value_is_padded(tmp_path: Path) -> None:
    frame, root = adult_csv_dataset(tmp_path)
    result = check(root, tmp_path)
    strings = {c for c in ADULT_NAMES if frame[c].dtype != "int64"}
    assert all(frame[c].str.startswith(" ").all() for c in strings)  # the raw fact
    assert kinds(result) == {"padded values": strings}
    # one finding per column, no row edits: it is the file's ", " convention
    assert all(f.row is None and f.suggestion is None for f in result.findings)
    assert result.status.value == "fail"


def test_tweets_ids_in_scientific_notation_and_mostly_null_columns(tmp_path: Path) -> None:
    with gzip.open(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [r["tweet_id"] for r in rows]
    assert all("E+" in i for i in ids)
    collisions = len(ids) - len(set(ids))
    result = check(REAL / "twitter_airline_sentiment", tmp_path)
    (sci,) = [f for f in result.findings if f.message.startswith("scientific notation")]
    assert sci.column == "tweet_id" and f"{collisions:,} rows colliding" in sci.message
    null_share = {c: sum(r[c] == "" for r in rows) / len(rows) for c in rows[0]}
    assert kinds(result)["mostly-null"] == {c for c, s in null_share.items() if s >= 0.9}
    assert set(kinds(result)) == {"scientific notation", "mostly-null"}


def test_penguins_constant_columns(tmp_path: Path) -> None:
    result = check(REAL / "palmer_penguins_raw", tmp_path)
    raw = pd.read_csv(REAL / "palmer_penguins_raw" / "penguins_raw.csv", dtype=str, keep_default_na=False)
    constant = {c for c in raw.columns if raw[c].nunique() == 1}
    assert constant == {"Region", "Stage"} and kinds(result) == {"constant": constant}
    # Comments is 84 % null: under the mostly-null threshold (90 %) by default, over it at 80 %
    assert kinds(check(REAL / "palmer_penguins_raw", tmp_path, "{mostly_null: 0.8}"))["mostly-null"] == {"Comments"}


def test_chinook_trailing_space_in_a_city(tmp_path: Path) -> None:
    result = check(REAL / "chinook_kaggle", tmp_path)
    padded = {(f.split, f.row): f.suggestion for f in result.findings if f.message.startswith("padded value")}
    want = {}
    for table, column in (("Customer", "City"), ("Invoice", "BillingCity")):
        text = (REAL / "chinook_kaggle" / f"{table}.csv").read_text(encoding="utf-8")
        for i, row in enumerate(csv.DictReader(io.StringIO(text))):
            if row[column] != row[column].strip():
                want[(table, i)] = {column: row[column].strip(), "confidence": 1.0, "reason": "padded value"}
    assert want and padded == want
    assert all(v[next(iter(v))] == "Edinburgh" for v in want.values())


PLANTED_HEADER = "id,genre,empty,same,weight,legacy_id,row_url,genre\n"


def planted_rows() -> list[str]:
    genres = ["Sci-Fi"] * 14 + ["Drama"] * 14 + ["SciFi", "sci fi", "Drama "] + ["Comedy"] * 11
    lines = []
    for i, genre in enumerate(genres):
        weight = "?" if i == 7 else str(50 + i)
        lines.append(f"{i},{genre},,x,{weight},5.7030{i // 2 % 10}E+17,https://example.org/r/{i},{genre}\n")
    return lines


def test_planted_problems_are_each_found_once(tmp_path: Path) -> None:
    root = tmp_path / "planted"
    write(root / "train.csv", PLANTED_HEADER + "".join(planted_rows()))
    result = check(root, tmp_path, dataset="key: id")
    found = kinds(result)
    assert found == {
        "spelling variant": {"genre", "genre.1"},
        "padded value": {"genre", "genre.1"},
        "all-null": {"empty"},
        "constant": {"same"},
        "mixed types": {"weight"},
        "scientific notation": {"legacy_id"},
        "identifier-like": {"row_url"},
        "duplicate header": {"genre"},
    }
    variants = {f.row: f.suggestion["genre"] for f in result.findings
                if f.message.startswith("spelling variant") and f.column == "genre"}
    assert variants == {28: "Sci-Fi", 29: "Sci-Fi"}
    mixed = next(f for f in result.findings if f.message.startswith("mixed types"))
    assert "'?'" in mixed.message
    # the duplicate header was read from the file (the frame has genre and genre.1, whose own
    # variants are found too: it is a second copy of the column)
    (dup,) = [f for f in result.findings if f.message.startswith("duplicate header")]
    assert "'genre' names 2 columns of train.csv" in dup.message
    sci = next(f for f in result.findings if f.message.startswith("scientific notation"))
    assert "32 rows colliding" in sci.message


def test_fix_and_apply_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "planted"
    lines = planted_rows()
    write(root / "train.csv", "id,genre,note\n" + "".join(
        f"{line.split(',')[0]},{line.split(',')[1]},note {i}\n" for i, line in enumerate(lines * 2)))
    suite = write(tmp_path / "s.yaml", "dataset: {key: id}\nchecks:\n  - column_quality: {}\n")
    # ids repeat (lines * 2): give them unique keys first
    text = (root / "train.csv").read_text().split("\n")
    text = [text[0]] + [f"{i}," + line.split(",", 1)[1] for i, line in enumerate(text[1:-1])]
    (root / "train.csv").write_text("\n".join(text) + "\n")
    corrections, fixed = fix_and_apply(root, suite, tmp_path)
    assert sorted((c.row, c.old, c.new) for c in corrections) == [
        (28, "SciFi", "Sci-Fi"), (29, "sci fi", "Sci-Fi"), (30, "Drama ", "Drama"),
        (70, "SciFi", "Sci-Fi"), (71, "sci fi", "Sci-Fi"), (72, "Drama ", "Drama")]
    before = (root / "train.csv").read_bytes().split(b"\n")
    after = (fixed / "train.csv").read_bytes().split(b"\n")
    changed = {c.row + 1 for c in corrections}
    assert len(before) == len(after)
    assert all(a == b for i, (a, b) in enumerate(zip(before, after)) if i not in changed)
    assert after[31] == b"30,Drama,note 30"


def test_clean_table_passes_and_bad_parameters_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "clean"
    write(root / "train.csv", "id,colour,size\n" + "".join(f"{i},{'red' if i % 2 else 'blue'},{i % 3}\n" for i in range(30)))
    result = check(root, tmp_path, dataset="key: id")
    assert result.status.value == "pass", [f.message for f in result.findings]
    suite = write(tmp_path / "bad.yaml", "checks:\n  - column_quality: {mostly_null: 2}\n")
    out = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite)])
    assert out.exit_code == 2 and "mostly_null" in out.output
    assert Counter(f.column for f in result.findings) == Counter()
