"""Work shared between families within one run (``ctx.shared``, curate.shared): computed once,
never reused for other inputs, freed when no later family needs it, and invisible in the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import EXAMPLES, HF_NEWS_ROLES, run

from curate import checks as check_registry
from curate import dedup
from curate.checks import duplicates as duplicates_module
from curate.checks import registry
from curate.checks.base import Check
from curate.checks.near_duplicates import SIGNATURES
from curate.shared import SharedWork

NEWS = EXAMPLES / "hf_news"
NEAR = "  - near_duplicates: {threshold: 0.5}\n"
LEAK = "  - leakage: {threshold: 0.5}\n"


@pytest.fixture
def sketched(monkeypatch) -> list[int]:
    """The number of documents of every dedup.minhash call of a run."""
    docs: list[int] = []
    real = dedup.minhash

    def counting(hashes: np.ndarray, doc: np.ndarray, n_docs: int, a: np.ndarray) -> Any:
        docs.append(n_docs)
        return real(hashes, doc, n_docs, a)

    monkeypatch.setattr(dedup, "minhash", counting)
    return docs


@pytest.fixture
def normalized(monkeypatch) -> list[int]:
    """The length of every column the duplicate families normalise through ctx.shared."""
    sizes: list[int] = []
    real = duplicates_module.normalize_strings

    def counting(values: Any, norm: Any, **kw: Any) -> Any:
        sizes.append(len(values))
        return real(values, norm, **kw)

    monkeypatch.setattr(duplicates_module, "normalize_strings", counting)
    return sizes


def sketches(tmp_path: Path, sketched: list[int], *checks: str) -> list[tuple[Any, int]]:
    """Run hf_news with each checks list in turn: the report and the documents MinHash-sketched."""
    runs = []
    for entries in checks:
        sketched.clear()
        runs.append((run(NEWS, tmp_path, entries, HF_NEWS_ROLES), sum(sketched)))
    return runs


def outcome(report: Any) -> list[tuple]:
    """Everything a result says but its time."""
    return [(r.name, r.status, r.message, r.metrics, [f.to_dict() for f in r.findings]) for r in report.results]


def distinct_per_split() -> int:
    """How many distinct compared texts hf_news's splits hold (each split counted on its own)."""
    splits = [pd.read_csv(NEWS / "data" / f"{s}.csv") for s in ("train", "test")]
    texts = [dedup.joined_text(f, ["text"], dedup.Normalization(), min_chars=3) for f in splits]
    return sum(len(dedup.distinct_texts(t).texts) for t in texts)


# ---------------------------------------------------------------------------- the memo itself


def test_a_value_is_computed_once_per_frame_and_parameters() -> None:
    memo = SharedWork()
    frame, same_content = pd.DataFrame({"t": ["a"]}), pd.DataFrame({"t": ["a"]})
    calls: list[str] = []

    def compute(tag: str) -> Any:
        return lambda: calls.append(tag) or tag

    assert memo.get_or_compute("k", "train", frame, ("t", 1), compute("first")) == "first"
    assert memo.get_or_compute("k", "train", frame, ("t", 1), compute("again")) == "first"
    assert memo.get_or_compute("k", "train", same_content, ("t", 1), compute("other frame")) == "other frame"
    assert memo.get_or_compute("k", "train", frame, ("t", 2), compute("other params")) == "other params"
    assert memo.get_or_compute("k", "test", frame, ("t", 1), compute("other split")) == "other split"
    assert memo.get_or_compute("j", "train", frame, ("t", 1), compute("other kind")) == "other kind"
    assert calls == ["first", "other frame", "other params", "other split", "other kind"]
    assert memo.computed["k"] == 4 and memo.reused["k"] == 1
    memo.clear()
    assert len(memo) == 0


def test_values_are_kept_only_for_later_readers() -> None:
    memo = SharedWork()
    frame = pd.DataFrame({"t": ["a"]})
    memo.plan(now={"k"}, later=set())  # nobody after this check reads "k": nothing is kept
    memo.get_or_compute("k", "s", frame, (), lambda: 1)
    assert len(memo) == 0
    memo.plan(now={"k"}, later={"k"})
    memo.get_or_compute("k", "s", frame, (), lambda: 2)
    memo.get_or_compute("j", "s", frame, (), lambda: 3)  # "j": no later reader
    assert len(memo) == 1
    memo.plan(now={"k"}, later=set())  # the last reader takes the value out of the memo
    assert memo.get_or_compute("k", "s", frame, (), lambda: 4) == 2 and len(memo) == 0
    memo.plan(now={"k"}, later={"k"})
    memo.get_or_compute("k", "s", frame, (), lambda: 5)
    memo.plan(now=set(), later=set())  # a check that reads nothing: the rest is dropped before it runs
    assert len(memo) == 0


# ---------------------------------------------------------------------------- near_duplicates + leakage


def test_signatures_are_computed_once_for_both_families(tmp_path: Path, sketched: list[int]) -> None:
    (both, together), (near, near_alone), (leak, leak_alone) = sketches(tmp_path, sketched, NEAR + LEAK, NEAR, LEAK)
    assert together == near_alone == leak_alone == distinct_per_split()  # each split's texts sketched once
    assert outcome(both) == outcome(near) + outcome(leak)
    assert both.result("leakage").metrics["leaked"] == 15 and both.result("near_duplicates").findings


@pytest.mark.parametrize("second, shared", [
    ("  - leakage: {threshold: 0.9}\n", True),  # another threshold (other LSH bands), same signatures
    ("  - near_duplicates: {threshold: 0.7, verify: estimate, name: again}\n", True),
    ("  - leakage: {ngram: 3}\n", False),  # other shingles: other signatures
    ("  - leakage: {num_perm: 64, threshold: 0.5}\n", False),
    ("  - leakage: {seed: 7, threshold: 0.5}\n", False),
    ("  - leakage: {shingle: char, threshold: 0.5}\n", False),
    ("  - leakage: {normalize: {case: false}, threshold: 0.5}\n", False),
])
def test_what_decides_whether_signatures_are_shared(tmp_path: Path, sketched: list[int], second: str,
                                                    shared: bool) -> None:
    runs = sketches(tmp_path, sketched, NEAR + second, NEAR, second)
    (both, together), (first, first_alone), (alone, second_alone) = runs
    assert first_alone == distinct_per_split()
    assert together == (first_alone if shared else first_alone + second_alone)
    assert outcome(both) == outcome(first) + outcome(alone)


def test_leakage_from_split_signatures_equals_one_pass_over_the_concatenation() -> None:
    """leakage sketches each split and merges them; the pairs are those of sketching the splits'
    rows as one column (same text ids, candidates, pairs and similarities)."""
    base = [f"story number {i} about the river town and its {i % 7} bridges over water" for i in range(300)]
    train = base + [t.replace("river", "lake") for t in base[:40]] + [None, "", base[3]]
    test = [t.replace("town", "city") for t in base[100:160]] + base[:20] + ["only in test, never seen before"] * 3
    cfg = dedup.MinHashConfig(threshold=0.6)
    parts = [dedup.normalize_strings(pd.Series(v, dtype=object), dedup.Normalization()) for v in (train, test)]
    uniques = [dedup.distinct_texts(p) for p in parts]
    merged, ids = dedup.merge_texts(uniques)
    sigs = [dedup.sketch(u.texts, cfg.shingle, cfg.n, cfg.num_perm, cfg.seed) for u in uniques]
    split_wise = dedup.signature_pairs(merged, list(zip(sigs, ids)), cfg)
    one_pass = dedup.near_duplicate_pairs(pa.concat_arrays(parts), cfg)
    assert np.array_equal(split_wise.text_of_row, one_pass.text_of_row)
    assert split_wise.n_texts == one_pass.n_texts and split_wise.candidates == one_pass.candidates > 0
    assert np.array_equal(split_wise.left, one_pass.left) and np.array_equal(split_wise.right, one_pass.right)
    assert np.array_equal(split_wise.similarity, one_pass.similarity) and len(one_pass.left) > 60


# ---------------------------------------------------------------------------- duplicates + conflicting_labels


def test_duplicate_families_normalise_each_column_once(tmp_path: Path, normalized: list[int]) -> None:
    checks = "  - duplicates: {columns: [text]}\n  - conflicting_labels: {}\n"
    both = run(NEWS, tmp_path, checks, HF_NEWS_ROLES)
    rows = sum(len(pd.read_csv(NEWS / "data" / f"{s}.csv")) for s in ("train", "test"))
    assert sum(normalized) == rows  # the text column of each split, once
    normalized.clear()
    apart = [run(NEWS, tmp_path, line + "\n", HF_NEWS_ROLES) for line in checks.splitlines()]
    assert sum(normalized) == 2 * rows
    assert outcome(both) == outcome(apart[0]) + outcome(apart[1])
    assert both.result("duplicates").findings and both.result("conflicting_labels").findings


def test_other_normalisation_is_not_shared(tmp_path: Path, normalized: list[int]) -> None:
    checks = "  - duplicates: {columns: [text], normalize: {case: false}}\n  - conflicting_labels: {}\n"
    run(NEWS, tmp_path, checks, HF_NEWS_ROLES)
    rows = sum(len(pd.read_csv(NEWS / "data" / f"{s}.csv")) for s in ("train", "test"))
    assert sum(normalized) == 2 * rows


# ---------------------------------------------------------------------------- lifetime within a run


class Peek(Check):
    """Test-only family: records how many shared entries exist when it runs."""

    name: ClassVar[str] = "peek"
    description: ClassVar[str] = "test only"
    seen: ClassVar[list[int]] = []

    def run(self, ctx: Any) -> Any:
        Peek.seen.append(len(ctx.shared))
        return self.result(failed=False, message="looked")


class PeekSignatures(Peek):
    name: ClassVar[str] = "peek_signatures"
    shares: ClassVar[tuple[str, ...]] = (SIGNATURES,)


@pytest.fixture
def peeks(monkeypatch) -> list[int]:
    registry()
    for cls in (Peek, PeekSignatures):
        monkeypatch.setitem(check_registry._REGISTRY, cls.name, cls)
    Peek.seen = []
    return Peek.seen


def test_signatures_live_until_the_last_family_that_reads_them(tmp_path: Path, peeks: list[int],
                                                               monkeypatch) -> None:
    memos: list[SharedWork] = []
    real_init = SharedWork.__init__

    def remember(self: SharedWork) -> None:
        real_init(self)
        memos.append(self)

    monkeypatch.setattr(SharedWork, "__init__", remember)
    run(NEWS, tmp_path, "  - peek: {}\n" + NEAR + "  - peek_signatures: {}\n  - peek: {}\n", HF_NEWS_ROLES)
    # nothing before near_duplicates; then only what a later family reads (train's and test's
    # signatures: the normalised and distinct texts are dropped); nothing once no reader is left
    assert peeks == [0, 2, 0]
    peeks.clear()
    run(NEWS, tmp_path, NEAR + "  - peek: {}\n" + LEAK + "  - peek: {}\n", HF_NEWS_ROLES)
    assert peeks == [8, 0]  # texts, distinct texts, signatures, normalised column of both splits
    assert len(memos) == 2 and all(len(m) == 0 for m in memos)  # freed at the end of each run
