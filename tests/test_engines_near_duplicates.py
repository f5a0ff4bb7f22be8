"""``near_duplicates`` and ``leakage`` on partitions: the states of any cut of a split combine, in
any grouping, to the result of each split's whole frame, the in-process path (texts and signatures
shared through ``ctx.shared``) gives that result too, and the pandas and Dask engines give the same
JSON reports, with near-duplicate groups and leaks whose rows sit in different files.

The planted texts are lower-case ASCII words, so normalisation leaves them as they are and the
tests can compute each reported similarity themselves (Jaccard of word bigrams).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write
from curate.checks.base import Plan
from curate.checks.leakage import Leakage
from curate.checks.near_duplicates import NearDuplicates, TextSource
from curate.context import RunContext
from curate.dedup import distinct_texts
from curate.near_state import Candidates, batch, keys_of, partition_text, sketch_of
from curate.roles import ResolvedRoles
from curate.runner import check
from test_engines_duplicates import family_and_context as shared_family_and_context, outcome  # noqa: E402

ROLES = ResolvedRoles(key="id", label="label", text="text")
DATASET = "dataset: {key: id, text: text, label: label}\n"
VOCAB = [f"w{i}" for i in range(400)]
ENTRIES = [
    "near_duplicates: {}",
    "near_duplicates: {name: est, verify: estimate, threshold: 0.7}",
    "near_duplicates: {name: incl, include_exact: true}",
    "near_duplicates: {name: chars, shingle: char, threshold: 0.75}",
    "leakage: {}",
    "leakage: {name: exact, near: false}",
    "leakage: {name: loose, threshold: 0.6}",
]
CHECKS = "".join(f"\n  - {e}" for e in ENTRIES) + "\n"
FILES = {"train": 3, "test": 2}


def edit(words: list[str], rng: np.random.Generator, changes: int = 1) -> list[str]:
    out = list(words)
    for i in rng.choice(np.arange(3, len(out) - 3), changes, replace=False):
        out[i] = f"x{rng.integers(10**6)}"
    return out


def bigram_jaccard(a: str, b: str) -> float:
    pa_, pb = (set(zip(t.split(), t.split()[1:])) for t in (a, b))
    return len(pa_ & pb) / len(pa_ | pb)


def planted() -> dict[str, pd.DataFrame]:
    """Train (900 rows) and test (300 rows) of distinct 30-word texts, with near copies of train
    rows placed in other thirds of train (the files), exact copies, a chain of one-word edits (one
    link per file), and test rows copied or nearly copied from every third of train."""
    rng = np.random.default_rng(11)
    base = [list(rng.choice(VOCAB, 30)) for _ in range(1200)]
    train, test = base[:900], base[900:]
    for k in range(30):  # a near copy of a row of the first third in the second and the third
        original = train[k * 7]
        train[300 + k * 9] = edit(original, rng)
        train[600 + k * 9] = edit(original, rng)
    for k in range(10):  # exact copies across files
        train[650 + k] = list(train[40 + k])
    chain = [list(rng.choice(VOCAB, 30))]
    for _ in range(2):
        chain.append(chain[-1][:3] + edit(chain[-1][3:], rng, 2))
    for i, at in enumerate((100, 400, 800)):  # one link in each file
        train[at] = chain[i]
    for k in range(40):  # leaks from each third of train, into both test files
        source = train[(k * 23) % 900]
        test[k * 7] = list(source) if k % 2 else edit(source, rng)
    test[299] = ["short"]  # too few words to shingle but long enough to compare exactly
    frames = {}
    for name, rows in (("train", train), ("test", test)):
        frames[name] = pd.DataFrame({"id": [f"{name[:2]}{i}" for i in range(len(rows))],
                                     "text": [" ".join(r) for r in rows],
                                     "label": rng.choice(["a", "b"], len(rows))})
    frames["train"].loc[5, "text"] = None  # a row without text, in the first file
    return frames


def write_files(root: Path, frames: dict[str, pd.DataFrame], parquet: bool = False) -> Path:
    root.mkdir(parents=True)
    for name, frame in frames.items():
        for i, rows in enumerate(np.array_split(np.arange(len(frame)), FILES[name])):
            part = frame.iloc[rows]
            if parquet:
                part.to_parquet(root / f"{name}-{i}.parquet", index=False, row_group_size=70)
            else:
                part.to_csv(root / f"{name}-{i}.csv", index=False)
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_files(tmp_path_factory.mktemp("near") / "csv", planted())


def family_and_context(root: Path, tmp_path: Path, entry: str) -> tuple[Any, RunContext]:
    return shared_family_and_context(root, tmp_path, entry, ROLES)


def pieces(family, plan: Plan, ctx: RunContext, cuts: dict[str, tuple[int, ...]]) -> list:
    """States of every split cut at ``cuts`` (positions), each piece mapped from its own rows."""
    states = []
    for name in plan.splits:
        frame = ctx.dataset.splits[name].frame[list(plan.columns)]
        bounds = [0, *[c for c in cuts.get(name, ()) if 0 < c < len(frame)], len(frame)]
        states += [family.map(plan, name, frame.iloc[a:b]) for a, b in zip(bounds, bounds[1:])]
    return states


CUTS = [{}, {"train": (1,)}, {"train": (17, 401, 402, 777), "test": (150,)}, {"train": (299, 300, 600), "test": (1, 2)}]


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("cuts", CUTS)
def test_any_cut_and_grouping_gives_the_whole_frames_result(folder: Path, tmp_path: Path, entry: str, cuts) -> None:
    family, ctx = family_and_context(folder, tmp_path, entry)
    plan = family.plan(ctx)
    assert isinstance(plan, Plan)
    whole = outcome(family.collect(ctx))  # each split's whole frame as one partition
    assert whole[3]  # something to agree on
    assert outcome(family.run(ctx)) == whole  # in process: a state per file, from the shared texts
    parts = pieces(family, plan, ctx, cuts)
    nested = [family.combine(plan, [family.combine(plan, parts[:1]), family.combine(plan, parts[1:][::-1])])]
    for grouping in (parts, parts[::-1], [family.combine(plan, parts[1::2]), family.combine(plan, parts[::2])], nested):
        assert outcome(family.judge(plan, family.combine(plan, grouping), ctx)) == whole


def test_a_group_spans_files_and_never_chains(folder: Path, tmp_path: Path) -> None:
    """Members of a group sit in other files than their kept row, every member is itself a verified
    pair with it (its score is its own Jaccard similarity), and the chain's ends, one file apart
    from its middle, are never one group."""
    frames = planted()
    texts = {row.id: row.text for frame in frames.values() for row in frame.itertuples()}
    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {}")
    result = family.run(ctx)
    files_of = lambda row: row // 300  # noqa: E731  (train's three files of 300 rows)
    spans = [f for f in result.findings if files_of(f.row) != files_of(f.related[0].row)]
    assert len(spans) >= 55
    for f in result.findings:
        kept = f.related[0]
        assert f.score == round(bigram_jaccard(texts[f.key], texts[kept.key]), 4) >= 0.8
    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {threshold: 0.7}")
    looser = family.run(ctx)
    chain = {f.key: f.related[0].key for f in looser.findings if f.key in ("tr100", "tr400", "tr800")}
    assert chain in ({"tr100": "tr400", "tr800": "tr400"}, {"tr400": "tr100"}, {"tr400": "tr800"})
    assert bigram_jaccard(texts["tr100"], texts["tr800"]) < 0.7
    assert min(bigram_jaccard(texts["tr100"], texts["tr400"]), bigram_jaccard(texts["tr400"], texts["tr800"])) >= 0.7


def test_leaks_from_every_file_of_train(folder: Path, tmp_path: Path) -> None:
    family, ctx = family_and_context(folder, tmp_path, "leakage: {}")
    result = family.run(ctx)
    assert result.metrics["exact"] == 20 and result.metrics["near"] == 20
    assert {f.related[0].row // 300 for f in result.findings} == {0, 1, 2}
    assert {f.row // 150 for f in result.findings} == {0, 1}


@pytest.mark.parametrize("entry, key, dropped, split, start", [
    ("near_duplicates: {}", "near_duplicates", 2, "train", 600),  # train's last third
    ("leakage: {}", "leaked", 4, "test", 150),  # test's second half
])
def test_combine_keeps_every_state(folder: Path, tmp_path: Path, entry: str, key: str, dropped: int, split: str,
                                   start: int) -> None:
    """A state dropped by ``combine`` loses its rows and their findings: every state counts."""
    family, ctx = family_and_context(folder, tmp_path, entry)
    plan = family.plan(ctx)
    parts = pieces(family, plan, ctx, {"train": (300, 600), "test": (150,)})
    full = family.judge(plan, family.combine(plan, parts), ctx)
    assert outcome(full) == outcome(family.collect(ctx))
    found = {(f.split, f.row) for f in full.findings}
    assert any(f.split == split and f.row >= start for f in full.findings)
    lost = family.judge(plan, family.combine(plan, parts[:dropped] + parts[dropped + 1:]), ctx)
    assert lost.metrics["rows"] < full.metrics["rows"] and lost.metrics[key] < full.metrics[key]
    assert {(f.split, f.row) for f in lost.findings} < found
    assert not any(f.split == split and f.row >= start for f in lost.findings)


def test_first_pass_states_hold_hashes_and_band_keys_not_texts(folder: Path, tmp_path: Path) -> None:
    family, ctx = family_and_context(folder, tmp_path, "leakage: {}")
    plan = family.plan(ctx)
    state = family.combine(plan, pieces(family, plan, ctx, {"train": (300, 600)}))
    blob = pickle.dumps(state)
    rows = sum(len(ctx.dataset.splits[n]) for n in plan.splits)
    bands = plan.config.lsh_shape()[0]
    assert len(blob) < (24 + 4 * bands) * rows  # per row a position and a code, per text a hash and its band keys
    words = ctx.dataset.splits["train"].frame["text"].dropna()
    assert not any(t.split()[5].encode() + b" " + t.split()[6].encode() in blob for t in words.head(200))


def test_the_later_pass_fetches_only_candidate_texts(folder: Path, tmp_path: Path, monkeypatch) -> None:
    asked: list[int] = []
    real = TextSource.fetch
    monkeypatch.setattr(TextSource, "fetch", lambda self, plan: asked.append(sum(map(len, plan.want.values())))
                        or real(self, plan))
    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {}")
    result = family.run(ctx)
    assert result.findings and len(asked) == 1  # one later pass, for train: test has no candidate pair
    assert result.metrics["near_duplicates"] + result.metrics["groups"] <= asked[0] < 0.2 * result.metrics["rows"]


def test_a_text_not_fetched_is_an_error_not_a_guess(folder: Path, tmp_path: Path) -> None:
    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {}")
    plan = family.plan(ctx)
    b = batch(family.combine(plan, pieces(family, plan, ctx, {})), ["train"])
    with pytest.raises(RuntimeError, match="not fetched"):
        Candidates(b, {}).texts(np.array([0, 1]))


@pytest.mark.parametrize("cuts", [(), (7,), (40, 41, 150)])
def test_a_batch_reads_the_whole_columns_band_keys_one_band_at_a_time(folder: Path, tmp_path: Path,
                                                                       cuts: tuple[int, ...]) -> None:
    """The batch's band keys, assembled per band from its chunks (never copied whole), are those of
    the split's distinct texts sketched in one piece, in the same numbering."""
    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {}")
    plan = family.plan(ctx)
    b = batch(family.combine(plan, pieces(family, plan, ctx, {"train": cuts})), ["train"])
    unique = distinct_texts(partition_text(plan, ctx.dataset.splits["train"].frame))
    keys, valid = keys_of(sketch_of(unique.texts, plan.config), plan.config)
    assert b.keys.shape == keys.shape and keys.shape[0] > 1
    assert all(np.array_equal(b.keys[j], keys[j]) for j in range(keys.shape[0]))
    assert np.array_equal(np.asarray(b.keys), keys) and np.array_equal(b.valid, valid)
    assert np.array_equal(b.hashes, unique.hashes)


def templated(rng: np.random.Generator) -> pd.DataFrame:
    """The planted train split with 150 texts that differ in their last word only (one LSH bucket
    far larger than ``MAX_BUCKET`` in every band) and exact copies of them spread over the rows."""
    frame = planted()["train"].copy()
    stem = " ".join(rng.choice(VOCAB, 40))
    at = rng.choice(np.arange(10, 890), 150 + 60, replace=False)
    frame.loc[at[:150], "text"] = [f"{stem} end{i}" for i in range(150)]
    frame.loc[at[150:], "text"] = frame.loc[rng.choice(at[:150], 60), "text"].to_numpy()
    return frame


@pytest.mark.parametrize("cuts, shuffled", [((), 1), ((300, 600), 3), ((1, 2, 3, 450, 899), 7)])
def test_band_rows_grouped_anywhere_give_the_whole_batch_candidates(folder: Path, tmp_path: Path,
                                                                    cuts: tuple[int, ...], shuffled: int) -> None:
    """The candidates of band rows mapped per piece (``cuts``) of a batch made without band keys,
    paired per bucket partition (``shuffled`` of them, in any order, as a shuffle on ``bucket`` leaves them), are
    ``lsh_candidates`` of the whole batch's keys: large buckets paired in first-appearance order, a
    text repeated in several pieces counted once, texts without shingles left out."""
    from dataclasses import replace

    from curate.dedup import MAX_BUCKET, lsh_candidates
    from curate.near_state import band_rows, bucket_pairs, unpack_pairs

    family, ctx = family_and_context(folder, tmp_path, "near_duplicates: {}")
    plan = family.plan(ctx)
    frame = templated(np.random.default_rng(len(cuts)))[list(plan.columns)]
    bounds = [0, *cuts, len(frame)]
    parts = [frame.iloc[a:b] for a, b in zip(bounds, bounds[1:])]
    whole = batch(family.combine(plan, [family.map(plan, "train", part) for part in parts]), ["train"])
    keyless = replace(plan, band_keys=False)
    b = batch(family.combine(keyless, [family.map(keyless, "train", part) for part in parts]), ["train"])
    assert b.keys is None and np.array_equal(b.text_of_row, whole.text_of_row)
    rows = pd.concat([band_rows(plan, part, b.numbering("train", start)) for part, start in zip(parts, bounds)],
                     ignore_index=True)
    rows = rows.sample(frac=1.0, random_state=shuffled)  # a shuffle keeps no order within a partition
    where = rows["bucket"].to_numpy() % np.uint64(shuffled)
    found = np.concatenate([bucket_pairs(rows[where == i]) for i in range(shuffled)])
    expected = lsh_candidates(whole.keys, whole.valid)
    assert len(expected) > 150 * MAX_BUCKET // 2  # the templated bucket is paired, not whole
    assert np.array_equal(unpack_pairs(found), expected)


# ---------------------------------------------------------------------------- pandas vs Dask

distributed = pytest.importorskip("distributed")

from test_engines_duplicates import comparable, scheduler  # noqa: E402,F401  (the cluster fixture and the report's fields)


@pytest.fixture
def whole(monkeypatch) -> list[str]:
    """The families that fell back to whole frames."""
    names: list[str] = []
    for cls in (NearDuplicates, Leakage):
        real = cls.whole_columns
        monkeypatch.setattr(cls, "whole_columns", lambda self, ctx, real=real: names.append(self.name) or real(self, ctx))
    return names


@pytest.mark.parametrize("parquet", [False, True])
def test_engines_agree_on_planted_files_and_row_groups(tmp_path: Path, scheduler: str, parquet: bool,
                                                       whole: list[str]) -> None:
    root = write_files(tmp_path / "d", planted(), parquet=parquet)
    suite = write(tmp_path / "s.yaml", DATASET + "checks:" + CHECKS)
    pandas_report = comparable(check(root, suite))
    assert all(r["findings"] for r in pandas_report["results"])
    assert pandas_report == comparable(check(root, suite, engine="dask", scheduler=scheduler))
    assert whole == []  # partitioned on both engines


def test_engines_agree_when_a_column_changes_type_between_files(tmp_path: Path, scheduler: str,
                                                                whole: list[str]) -> None:
    """``code`` is numbers in one file of train and text in the other: concatenated it is text, so
    on Dask (a partition per file) the texts joined with it are made from whole frames, as in process."""
    frames = planted()
    train = frames["train"].assign(code=[str(i % 7) if i < 450 else f"c{i % 7}" for i in range(900)])
    test = frames["test"].assign(code=[str(i % 7) for i in range(300)])
    root = tmp_path / "mixed"
    root.mkdir()
    train.iloc[:450].to_csv(root / "train-0.csv", index=False)
    train.iloc[450:].to_csv(root / "train-1.csv", index=False)
    test.to_csv(root / "test.csv", index=False)
    suite = write(tmp_path / "s.yaml", DATASET + "checks:\n  - near_duplicates: {columns: [text, code], threshold: 0.7}\n"
                                                 "  - leakage: {columns: [text, code], threshold: 0.7}\n")
    pandas_report = comparable(check(root, suite))
    assert all(r["findings"] for r in pandas_report["results"])
    assert pandas_report == comparable(check(root, suite, engine="dask", scheduler=scheduler))
    assert whole == ["near_duplicates", "leakage"]  # on Dask only


def test_on_dask_the_second_family_reuses_the_first_families_first_pass(tmp_path: Path, scheduler: str,
                                                                       monkeypatch) -> None:
    """``leakage`` after ``near_duplicates`` (same content, normalisation and sketch) maps no split
    again: each split's first pass runs once on the workers, only the later passes (candidates'
    texts) are the family's own; a different sketch is mapped again."""
    import curate.engines.dask as dask_engine
    from curate.near_state import FetchPlan

    passes: list[tuple[str, ...]] = []
    real = dask_engine.DaskEngine.states

    def recording(self, check_, plan, dataset):
        if not isinstance(plan, FetchPlan):
            passes.append(plan.splits)
        return real(self, check_, plan, dataset)

    monkeypatch.setattr(dask_engine.DaskEngine, "states", recording)
    root = write_files(tmp_path / "d", planted(), parquet=True)
    suite = write(tmp_path / "s.yaml", DATASET + "checks:\n  - near_duplicates: {}\n  - leakage: {}\n"
                                                 "  - leakage: {name: chars, shingle: char}\n")
    pandas_report = comparable(check(root, suite))
    assert all(r["findings"] for r in pandas_report["results"])
    assert pandas_report == comparable(check(root, suite, engine="dask", scheduler=scheduler))
    assert sorted(passes) == [("test",), ("test",), ("train",), ("train",)]  # near_duplicates, then chars


@pytest.mark.parametrize("parquet", [False, True])
def test_band_keys_grouped_on_the_workers_give_the_same_reports(tmp_path: Path, scheduler: str, parquet: bool,
                                                                 whole: list[str], monkeypatch) -> None:
    """Over ``curate.band-keys-on-client`` (here 0 bytes) no band key reaches the client: the first
    pass sends none, and every batch's candidates (each split's for ``near_duplicates``, train and
    test together for ``leakage``) come from a shuffle of band rows on the workers; the reports are
    the pandas engine's."""
    import dask

    import curate.engines.dask as dask_engine

    grouped: list[tuple[str, ...]] = []
    real = dask_engine.DaskEngine.band_candidates

    def recording(self, plan, dataset, b):
        grouped.append(tuple(b.splits))
        return real(self, plan, dataset, b)

    monkeypatch.setattr(dask_engine.DaskEngine, "band_candidates", recording)
    root = write_files(tmp_path / "d", planted(), parquet=parquet)
    suite = write(tmp_path / "s.yaml", DATASET + "checks:" + CHECKS)
    pandas_report = comparable(check(root, suite))
    with dask.config.set({dask_engine.BAND_KEYS_ON_CLIENT: 0}):
        assert pandas_report == comparable(check(root, suite, engine="dask", scheduler=scheduler))
    assert whole == []
    per_split = sum(e.startswith("near_duplicates") for e in ENTRIES)
    across = sum(e.startswith("leakage") and "near: false" not in e for e in ENTRIES)
    assert sorted(grouped) == sorted([("train",), ("test",)] * per_split + [("train", "test")] * across)


def test_a_bound_that_is_not_a_size_is_a_one_line_error(tmp_path: Path, scheduler: str) -> None:
    import dask

    from curate.engines.dask import BAND_KEYS_ON_CLIENT
    from curate.errors import CurateError

    root = write_files(tmp_path / "d", planted(), parquet=True)
    suite = write(tmp_path / "s.yaml", DATASET + "checks:\n  - near_duplicates: {}\n")
    with dask.config.set({BAND_KEYS_ON_CLIENT: "lots\x1b[2J"}):
        with pytest.raises(CurateError, match=r"curate.band-keys-on-client: not a size in bytes: 'lots\\x1b\[2J'"):
            check(root, suite, engine="dask", scheduler=scheduler)
