"""The real-data acceptance corpus: where each dataset lives and the facts about it that can be
known without curate (read with Python's own parsers, never with curate's readers).

Shared by ``tests/test_real_data.py`` and ``bench/real_precision.py``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
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
