"""The real-data acceptance corpus: where each dataset lives and the facts about it that can be
known without curate (read with Python's own parsers, never with curate's readers).

Shared by ``tests/test_real_data.py`` and ``bench/real_precision.py``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADULT = HERE.parent / "adult.data.gz"


@dataclass(frozen=True)
class Entry:
    """One corpus dataset: its folder and the MD5 of each data file (decompressed)."""

    name: str
    folder: Path
    md5: dict[str, str]  # relative path → MD5 of the (decompressed) bytes


CORPUS = {
    e.name: e
    for e in [
        Entry("uci_iris", HERE / "uci_iris", {"iris.data": "2d25ad87214fbfc81aca5cddd3115c52"}),
        Entry(
            "sms_spam_collection",
            HERE / "sms_spam_collection",
            {"SMSSpamCollection": "1949b64a224790d01335c2bf8a0e48b2"},
        ),
        Entry(
            "sentiment_labelled_sentences",
            HERE / "sentiment_labelled_sentences",
            {
                "amazon_cells_labelled.txt": "f737b1e64487b2d2518fcefdb0257e63",
                "imdb_labelled.txt": "ccea809cf06938e64b783737778f5ca0",
                "yelp_labelled.txt": "3a7fe2c38dc373d2ca8e687d6226a82e",
            },
        ),
        Entry(
            "twitter_airline_sentiment",
            HERE / "twitter_airline_sentiment",
            {"Tweets.csv.gz": "f0a8982af6ea1f284e4cd73df8c4abea"},
        ),
        Entry(
            "chinook_kaggle",
            HERE / "chinook_kaggle",
            {
                "Album.csv": "4a343030c4f0750597243936a7105f1a",
                "Artist.csv": "2f8596721b59e7be384f105933b574fc",
                "Customer.csv": "1d0e8b7f3bca56350e32500f837b2bbe",
                "Employee.csv": "d3cb0d27bec28ca9ed4d82657b324c9f",
                "Genre.csv": "e5ce35d1340ac45b674ba640f4aebb05",
                "Invoice.csv": "00fc9bd51158075fa0a0b15169b0e451",
                "InvoiceLine.csv": "dc7dd68dd11fb8561ffe46ea424ad7e6",
                "MediaType.csv": "e89de9f4155b6bf44b3599669a8cd424",
                "Playlist.csv": "64a92726447fbe5ed9220cb2d9897205",
                "PlaylistTrack.csv": "74088becec59c6b955ff85b0b56b5ff4",
                "Track.csv": "9d44152aa20bc29603722dd0b13d89a0",
            },
        ),
        Entry(
            "palmer_penguins_raw",
            HERE / "palmer_penguins_raw",
            {"penguins_raw.csv": "049da101568e078f9845c8b366481810"},
        ),
        Entry(
            "hate_speech_offensive_hf",
            HERE / "hate_speech_offensive_hf",
            {
                "README.md": "84c9abb7b460814fcb5107e8f7381d42",
                "data/train-00000-of-00001.parquet": "516493bce8770b555d1bf62e4954c81d",
            },
        ),
        Entry("comma_survey_538", HERE / "comma_survey_538", {"comma-survey.csv.gz": "792ae048162a0ec1c6cb88ee65b21489"}),
        Entry("uci_adult", ADULT.parent, {"adult.data.gz": "5d7c39d7b8804f071cdd1f2a7c460872"}),
    ]
}


def raw_bytes(path: Path) -> bytes:
    """A data file's bytes, decompressed if it is gzip."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def md5(path: Path) -> str:
    return hashlib.md5(raw_bytes(path)).hexdigest()


# --------------------------------------------------------------------------- raw records


def tab_records(path: Path, *, split_from_right: bool = False) -> list[list[str]]:
    """``a<TAB>b`` lines split on ``\\n`` only (no quoting; U+0085 and friends are text)."""
    text = raw_bytes(path).decode("utf-8")
    lines = [line for line in text.split("\n") if line]
    return [line.rsplit("\t", 1) if split_from_right else line.split("\t", 1) for line in lines]


def csv_records(path: Path, *, header: bool = True) -> tuple[list[str] | None, list[list[str]]]:
    """Rows of a CSV file read with Python's csv module (blank lines dropped)."""
    rows = [r for r in csv.reader(io.StringIO(raw_bytes(path).decode("utf-8"), newline="")) if r]
    return (rows[0], rows[1:]) if header else (None, rows)


def duplicate_positions(values: list) -> dict[int, int]:
    """0-based position of every later exact copy → position of its first occurrence."""
    first: dict = {}
    out: dict[int, int] = {}
    for i, v in enumerate(values):
        if v in first:
            out[i] = first[v]
        else:
            first[v] = i
    return out


def groups(values: list) -> dict:
    """value → positions, for values seen more than once."""
    seen: dict = defaultdict(list)
    for i, v in enumerate(values):
        seen[v].append(i)
    return {v: ps for v, ps in seen.items() if len(ps) > 1}


# --------------------------------------------------------------------------- comparison rules


def normalise(value: str) -> str:
    """The normalisation the duplicate families promise (design: NFKC, case, whitespace)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).casefold()).strip()


def has_content(text: str, min_chars: int = 3) -> bool:
    """Enough letters or digits to judge a copy (the duplicate families' documented ``min_chars``)."""
    return sum(unicodedata.category(ch)[0] in "LN" for ch in normalise(text)) >= min_chars


def _is_word_char(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch)[0] in "LNM"


def tokens(text: str) -> list[str]:
    """Tokens of the normalised text as the duplicate families define them: runs of word
    characters (letters, digits, marks, ``_``), and every symbol (emoji, ``$``, ``|``, ``+``…) a
    token of its own; emoji presentation selectors are dropped, anything else separates."""
    out: list[str] = []
    current: list[str] = []
    for ch in normalise(text):
        if ch in "\ufe0e\ufe0f":
            continue
        if _is_word_char(ch):
            current.append(ch)
            continue
        if current:
            out.append("".join(current))
            current = []
        if unicodedata.category(ch) in ("Sm", "Sc", "Sk", "So", "Co"):
            out.append(ch)
    if current:
        out.append("".join(current))
    return out


def shingles(text: str, n: int = 2) -> set[tuple[str, ...]]:
    """Word n-grams; a text with fewer than n words is one shingle of all of them."""
    words = tokens(text)
    if not words:
        return set()
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int = 2) -> float:
    sa, sb = shingles(a, n), shingles(b, n)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


# --------------------------------------------------------------------------- running curate


def folder(name: str, scratch: Path | None = None) -> Path:
    """The folder curate is run on. Adult ships as one gzip file beside other test data, so it
    is given a folder of its own (in ``scratch``) with a suite saying how to read it."""
    if name != "uci_adult":
        return CORPUS[name].folder
    assert scratch is not None, "uci_adult needs a scratch folder"
    root = scratch / "uci_adult"
    if not root.exists():
        root.mkdir(parents=True)
        shutil.copy(ADULT, root / "adult.data.gz")
        default = (HERE.parents[2] / "checks" / "default.yaml").read_text(encoding="utf-8")
        names = ", ".join(ADULT_COLUMNS)
        (root / "curate.yaml").write_text(
            "dataset:\n  files: adult.data.gz\n  format: csv\n  header: false\n"
            f"  names: [{names}]\n  label: income\n" + default[default.index("checks:") :],
            encoding="utf-8",
        )
    return root


ADULT_COLUMNS = (
    "age workclass fnlwgt education education_num marital_status occupation relationship race sex "
    "capital_gain capital_loss hours_per_week native_country income"
).split()


def run(name: str, scratch: Path | None = None, **kwargs):
    """curate's report for a corpus dataset with its own suite (else the default suite)."""
    import curate

    return curate.check(folder(name, scratch), **kwargs)


@dataclass(frozen=True)
class Run:
    """One reviewed run: a dataset with its own suite (or the default one), or with a suite of
    ``suites/`` that looks at it the way a user of that data would."""

    name: str  # the ``dataset`` column of verdicts.csv
    dataset: str
    suite: str | None = None  # a file in suites/

    def report(self, scratch: Path | None = None, only: list[str] | None = None):
        if self.suite:  # the suites of suites/ hold only the families they are about
            return run(self.dataset, scratch, suite=str(HERE / "suites" / self.suite))
        return run(self.dataset, scratch, only=only)


def default_families() -> list[str]:
    import yaml

    suite = yaml.safe_load((HERE.parents[2] / "checks" / "default.yaml").read_text(encoding="utf-8"))
    return [next(iter(entry)) for entry in suite["checks"]]


# label_errors cross-validates a model per dataset (a minute on the HF tweets): the tests leave it
# to bench/real_precision.py, which runs every family
TEST_FAMILIES = [f for f in default_families() if f != "label_errors"]


RUNS = {
    r.name: r
    for r in [Run(n, n) for n in CORPUS]
    + [Run("twitter_airline_sentiment:text", "twitter_airline_sentiment", "twitter_text.yaml")]
}


# --------------------------------------------------------------------------- reviewed verdicts

VERDICTS = HERE / "verdicts.csv"
VERDICT_FIELDS = ["dataset", "check", "split", "key", "column", "related_key", "verdict", "note"]
FLOORS = {"duplicates": 1.0}  # every other family: DEFAULT_FLOOR
DEFAULT_FLOOR = 0.95
MIN_REVIEWED = 30  # per dataset and family: reviewed findings needed (all of them when fewer)


def finding_id(dataset: str, check: str, f) -> tuple[str, ...]:
    """How a verdict is matched to a finding: the baseline contract's check + split + key +
    column, plus the related row's key (a near-duplicate verdict is about one pair). A finding
    without a row (a balance group) is matched by its ``subject`` in the key's place."""
    related = f.related[0].key if f.related else ""
    return (dataset, check, f.split or "", f.key or f.subject or "", f.column or "", related)


def load_verdicts(path: Path = VERDICTS) -> dict[tuple[str, ...], tuple[str, str]]:
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {tuple(r[k] for k in VERDICT_FIELDS[:6]): (r["verdict"], r["note"]) for r in rows}


@dataclass
class FamilyScore:
    dataset: str
    check: str
    findings: int = 0
    reviewed: int = 0
    true: int = 0

    @property
    def precision(self) -> float | None:
        return self.true / self.reviewed if self.reviewed else None

    @property
    def needed(self) -> int:
        return min(MIN_REVIEWED, self.findings)


def score(reports: dict, verdicts: dict) -> tuple[list[FamilyScore], list[tuple[str, ...]]]:
    """Per dataset and family: findings now, how many were reviewed, how many judged true;
    and the ids of findings that have no verdict yet."""
    scores: list[FamilyScore] = []
    unreviewed: list[tuple[str, ...]] = []
    for dataset, report in reports.items():
        for result in report.results:
            s = FamilyScore(dataset, result.check)
            for f in result.findings:
                s.findings += 1
                fid = finding_id(dataset, result.check, f)
                if fid in verdicts:
                    s.reviewed += 1
                    s.true += verdicts[fid][0] == "true"
                else:
                    unreviewed.append(fid)
            if s.findings:
                scores.append(s)
    return scores, unreviewed


def by_family(scores: list[FamilyScore]) -> dict[str, FamilyScore]:
    out: dict[str, FamilyScore] = {}
    for s in scores:
        total = out.setdefault(s.check, FamilyScore("all", s.check))
        total.findings += s.findings
        total.reviewed += s.reviewed
        total.true += s.true
    return out
