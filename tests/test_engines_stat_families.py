"""The column-statistics families (``schema``, ``drift``, ``outliers``) partitioned: both engines
give the same reports, a split cut into several partitions gives the result of whole columns (no
partition's rows are lost between passes), and partition states combine in any grouping.

The planted splits are spread over several files: a category present in one file only, missing
values in one file only, an extreme value in every file, a card declaring types and ClassLabel
names the data does not keep, and a test split that changed since the lock file was written
(shifted ages, a new category, more nulls, a renamed column, numbers turned into text). In one
variant a column's type differs between files, which the families judge on whole columns
(``collect``) to stay exact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write
from test_engines_row_families import CutEngine, report
from curate.baseline import lock_dataset
from curate.checks.base import Check, Plan
from curate.checks.drift import DriftCheck
from curate.checks.outliers import Outliers
from curate.checks.schema import SchemaCheck
from curate.context import RunContext
from curate.dataset import load_dataset
from curate.engines import PandasEngine
from curate.outlier_measures import fit_forest, impute, isolation_scores, sampled_rows
from curate.roles import ResolvedRoles
from curate.spec import CheckSpec
from curate.suite import load_suite

distributed = pytest.importorskip("distributed")

DATASET = "dataset: {key: id}\n"
CHECKS = """
  - schema: {}
  - schema: {name: strict, new_categories: false, max_null_rate_increase: 0.0, check_card: false}
  - drift: {}
  - drift: {name: ks, method: ks, columns: [age, income, gain, region, score, text]}
  - drift: {name: psi, method: psi, text_length: true}
  - drift: {name: base, reference: baseline, text_length: true}
  - outliers: {}
  - outliers: {name: loose, max_z: 3.0, tail: 0.01, rare_share: 0.01, min_score: 0.55, max_share: null}
"""
SIZES = (("train", 300), ("train", 250), ("train", 200), ("test", 150), ("test", 120))
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
WILD_ROW = 7  # in every file, the row of an impossible age
# 45 long phrases: a category (at most 50 values), though each file's own count of them cannot tell
NOTES = [f"customer note number {i}: {' '.join(WORDS[i % 8:] + WORDS[:i % 8])}" for i in range(45)]
CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train*
  - split: test
    path: data/test*
dataset_info:
  features:
  - name: id
    dtype: int64
  - name: income
    dtype: int64
  - name: region
    dtype:
      class_label:
        names:
          '0': north
          '1': south
          '2': east
          '3': west
  - name: text
    dtype: string
---
"""


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def planted(n: int, seed: int, start: int, file: int, *, later: bool, mixed: bool) -> pd.DataFrame:
    """One file's rows; ``later``: the test split's version after the lock was written."""
    rng = np.random.default_rng(seed)
    rows = np.arange(start, start + n)
    frame = pd.DataFrame({
        "id": rows,
        "age": rng.normal(40, 10, n).round() + (8 if later else 0),
        "income": rng.lognormal(10, 0.5, n).round(2),
        "hours": np.where(rng.random(n) < 0.6, 40, rng.integers(10, 80, n)),
        "gain": np.where(rng.random(n) < 0.9, 0, rng.integers(1000, 20000, n)),  # zero-inflated
        "region": rng.choice(["north", "south", "east", "west"], n),
        "score": rng.integers(1, 4, n),  # three values: compared as categories
        "text": [" ".join(rng.choice(WORDS, int(rng.integers(6, 14)))) for _ in range(n)],
        "code": rng.integers(100, 110, n),
        "note": rng.choice(NOTES[file * 6:file * 6 + 30], n),
    })
    frame.loc[WILD_ROW, "age"] = 400.0 + file
    if file == 1:
        frame.loc[:2, "region"] = "Martian"  # a category of one file only
    if file == 4:
        frame.loc[:59 if later else 29, "income"] = np.nan  # missing values in one file only
    if mixed and file == 2:
        frame["code"] = frame["code"].astype(str).where(frame.index % 50 != 3, "n/a")  # text here, numbers elsewhere
    if later:
        if file == 3:
            frame.loc[:4, "region"] = "Atlantis"
        frame["code"] = "c" + frame["code"].astype(str)
        frame = frame.rename(columns={"hours": "weekly_hours"})
    return frame


def planted_csv(root: Path, *, one_file: bool = False, mixed: bool = False, parquet: bool = False) -> Path:
    """The planted splits (several files per split, or one), locked before the test split changed."""
    (root / "data").mkdir(parents=True)

    def write_files(later: bool) -> None:
        frames: dict[str, list[pd.DataFrame]] = {}
        start = 0
        for i, (split, n) in enumerate(SIZES):
            frames.setdefault(split, []).append(planted(n, i + 1, start, i, later=later and split == "test", mixed=mixed))
            start += n
        for split, parts in frames.items():
            if parquet:
                pd.concat(parts, ignore_index=True).to_parquet(root / f"data/{split}.parquet", index=False, row_group_size=110)
                continue
            for j, frame in enumerate([pd.concat(parts, ignore_index=True)] if one_file else parts):
                frame.to_csv(root / f"data/{split}-{j}.csv", index=False)

    write_files(later=False)
    write(root / "curate.yaml", DATASET)
    lock_dataset(root)
    for old in (root / "data").iterdir():
        old.unlink()
    write_files(later=True)
    write(root / "README.md", CARD)
    return root


def suite(tmp_path: Path, checks: str = CHECKS) -> Path:
    return write(tmp_path / "stat.yaml", DATASET + "checks:" + checks)


def no_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a fall-back to whole columns fail the run (the data has nothing that needs one)."""
    def refuse(self: Check, ctx: RunContext) -> None:
        raise AssertionError(f"{self.name} collected")

    for cls in (SchemaCheck, DriftCheck, Outliers):
        monkeypatch.setattr(cls, "collect", refuse)


# ----------------------------------------------------------------------------- both engines


@pytest.mark.parametrize("layout", ["csv", "parquet", "mixed"])
def test_engines_agree(tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """Several CSV files per split, Parquet row groups, and files whose ``code`` column differs in
    type (on Dask each partition has its own type: the families judge whole columns there)."""
    root = planted_csv(tmp_path / layout, mixed=layout == "mixed", parquet=layout == "parquet")
    if layout != "mixed":
        no_collect(monkeypatch)
    pandas_report = report(root, suite(tmp_path))
    statuses = {r["name"]: r["status"] for r in pandas_report["results"]}
    assert statuses == {"schema": "fail", "strict": "fail", "drift": "fail", "ks": "fail", "psi": "fail", "base": "fail",
                        "outliers": "pass", "loose": "fail"}
    dask_report = report(root, suite(tmp_path), engine="dask", scheduler=scheduler)
    for a, b in zip(pandas_report["results"], dask_report["results"]):
        assert a == b, a["name"]
    assert pandas_report == dask_report


def test_every_file_reaches_the_comparisons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The label of one file, the nulls of another, the examples of the first rows: each is found
    where the files put it, through the partition states (no family collects here)."""
    no_collect(monkeypatch)
    root = planted_csv(tmp_path / "csv")
    results = {r["name"]: r for r in report(root, suite(tmp_path))["results"]}
    messages = [f["message"] for f in results["schema"]["findings"]]

    def found(text: str) -> bool:
        return any(text in m for m in messages)

    assert found("'Martian' in 'region' in split 'train': 3 row(s), first at row 300")
    assert found("new category: 'Atlantis' in 'region' in split 'test': 5 row(s) (1.9%), first at row 0")
    assert found("'income' in split 'test': 11.1% → 22.2% (60 of 270 rows null")
    assert found("column renamed: 'hours' → 'weekly_hours'")
    assert found("type changed: 'code' in split 'test': int64 → ") and found("270 value(s) are not numbers, e.g. 'c1")
    train = pd.concat([pd.read_csv(f) for f in sorted((root / "data").glob("train-*.csv"))], ignore_index=True)
    fractions = train["income"][train["income"] % 1 != 0]
    examples = ", ".join(repr(str(v)) for v in pd.unique(fractions.astype(str))[:3])
    mismatch = next(f for f in results["schema"]["findings"] if f["message"].startswith("declared type mismatch") and f["split"] == "train")
    assert f"{len(fractions)} of 750 row(s) are not integer, e.g. {examples}" in mismatch["message"]
    assert results["ks"]["metrics"]["columns_compared"] == 6
    assert {f["column"] for f in results["ks"]["findings"]} == {"age", "region"}


# ----------------------------------------------------------------------------- no row lost


def test_several_files_give_the_result_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A split in several files (partitions) and the same split in one file: the same results,
    and the wild age of every file is found (a lost partition would lose its row)."""
    no_collect(monkeypatch)
    many = report(planted_csv(tmp_path / "many"), suite(tmp_path))
    one = report(planted_csv(tmp_path / "one", one_file=True), suite(tmp_path))
    assert many["results"] == one["results"]
    loose = next(r for r in many["results"] if r["name"] == "loose")
    starts = {"train": [0, 300, 550], "test": [0, 150]}
    flagged = {(f["split"], f["row"]) for f in loose["findings"]}
    for split, firsts in starts.items():
        for first in firsts:
            assert (split, first + WILD_ROW) in flagged
    wild = [f for f in loose["findings"] if f["row"] == WILD_ROW]
    assert all("age 40" in f["message"] and "robust z" in f["message"] for f in wild)


# ----------------------------------------------------------------------------- combining states


class DropEngine(CutEngine):
    """The pandas engine's partitions cut again at ``cuts``, without the state of one of them."""

    def __init__(self, cuts: tuple[int, ...], drop: int) -> None:
        super().__init__(cuts, "flat")
        self.drop = drop

    def states(self, family: Check, plan: Plan, dataset: Any) -> list[Any]:
        states = super().states(family, plan, dataset)
        del states[self.drop]
        return states


FAMILIES = [
    (SchemaCheck, "schema: {}"),
    (SchemaCheck, "schema: {new_categories: false, check_card: false}"),
    (DriftCheck, "drift: {}"),
    (DriftCheck, "drift: {method: ks, columns: [age, income, gain, region, score, text]}"),
    (DriftCheck, "drift: {reference: baseline, text_length: true}"),
    (Outliers, "outliers: {max_z: 3.0, tail: 0.01, rare_share: 0.01, min_score: 0.55}"),
]


def _family(tmp_path: Path, cls: type[Check], entry: str) -> tuple[Check, RunContext]:
    root = planted_csv(tmp_path / "assoc", one_file=True)
    spec = load_suite(write(tmp_path / "a.yaml", f"checks:\n  - {entry}\n"), root, None).checks[0]
    assert isinstance(spec, CheckSpec)
    ctx = RunContext(load_dataset(root, key="id"), ResolvedRoles(key="id"))
    family = cls(spec)
    family.validate(ctx)
    return family, ctx


def _outcome(result: Any) -> tuple:
    return result.status, result.message, result.metrics, result.findings


@pytest.mark.parametrize("cls, entry", FAMILIES)
@pytest.mark.parametrize("cuts", [(1,), (17, 80, 81, 299, 600), (5, 150, 400, 749)])
def test_any_partitioning_and_grouping_gives_the_whole_result(tmp_path: Path, cls: type[Check], entry: str,
                                                              cuts: tuple[int, ...]) -> None:
    """Through every pass, any cut of the splits combined in any grouping gives the result of
    whole columns, and that is the result of the collect path."""
    family, ctx = _family(tmp_path, cls, entry)
    reference = family.collect(ctx)
    assert reference.findings  # the planted drift and outliers are found
    assert _outcome(family.run(ctx)) == _outcome(reference)
    for grouping in ("flat", "reversed", "nested"):
        ctx.engine = CutEngine(cuts, grouping)
        assert _outcome(family.run(ctx)) == _outcome(reference), grouping


@pytest.mark.parametrize("cls, entry", FAMILIES)
def test_a_dropped_state_changes_the_result(tmp_path: Path, cls: type[Check], entry: str) -> None:
    """Losing one partition's state (in any pass) shows: the counts behind the result no longer
    add up to the split's rows, so the result differs from the whole columns'."""
    family, ctx = _family(tmp_path, cls, entry)
    reference = _outcome(family.run(ctx))
    for drop in (0, 2):
        ctx.engine = DropEngine((100, 200, 500), drop)
        assert _outcome(family.run(ctx)) != reference, drop


def test_first_pass_counts_add_up_to_the_rows(tmp_path: Path) -> None:
    """The combined statistics hold every row of every partition."""
    cut = CutEngine((50, 300, 301, 700), "nested")
    family, ctx = _family(tmp_path, Outliers, "outliers: {}")
    plan = family.plan(ctx)
    state = family.combine(plan, cut.states(family, plan, ctx.dataset))
    for name, split in ctx.dataset.splits.items():
        for column in ("age", "income", "gain"):
            assert state[name][column].numbers[1].sum() == split.frame[column].notna().sum()
        assert sum(state[name]["region"].counts.values()) == len(split)
    family, ctx = _family(tmp_path / "schema", SchemaCheck, "schema: {}")
    plan = family.plan(ctx)
    state = family.combine(plan, cut.states(family, plan, ctx.dataset))
    for name, split in ctx.dataset.splits.items():
        for column in split.columns:
            assert (state[name][column].rows, state[name][column].nulls) == (len(split), split.frame[column].isna().sum())
    assert state["test"]["region"].new == {"Atlantis": [5, 0]}
    assert state["train"]["region"].labels == {"Martian": [3, 300]}


# ----------------------------------------------------------------------------- the forest


@pytest.mark.parametrize("n, d", [(40, 2), (3000, 5)])
def test_forest_from_its_drawn_rows_is_the_forest_of_every_row(n: int, d: int) -> None:
    from sklearn.ensemble import IsolationForest

    rng = np.random.default_rng(n)
    data = rng.normal(size=(n, d))
    data[:, 0] = np.round(data[:, 0])
    direct = IsolationForest(n_estimators=50, max_samples=min(256, n), random_state=0, n_jobs=1).fit(data)
    rows = sampled_rows(n, d, 50)
    assert len(rows) <= min(n, 50 * 256)
    forest = fit_forest(n, rows, data[rows], 50)
    assert np.array_equal(isolation_scores(forest, data), -direct.score_samples(data))
    parts = np.concatenate([isolation_scores(forest, data[:n // 3]), isolation_scores(forest, data[n // 3:])])
    assert np.array_equal(parts, -direct.score_samples(data))
    assert np.array_equal(impute(np.array([[np.nan, 1.0]]), np.array([5.0, 0.0])), np.array([[5.0, 1.0]]))


class Spy:
    """An engine (the pandas engine by default) recording each pass's plan and states."""

    name = "spy"

    def __init__(self, engine: Any = None) -> None:
        self.engine = engine or PandasEngine()
        self.passes: list[tuple[Plan, list[Any]]] = []

    def states(self, family: Check, plan: Plan, dataset: Any) -> list[Any]:
        states = self.engine.states(family, plan, dataset)
        self.passes.append((plan, states))
        return states


def test_engine_states_are_small(tmp_path: Path) -> None:
    """The outliers' later passes send back the drawn rows and the flagged rows, not the splits."""
    family, ctx = _family(tmp_path, Outliers, "outliers: {}")
    ctx.engine = spy = Spy()
    family.run(ctx)
    assert [plan.stage for plan, _ in spy.passes] == ["stats", "rows", "score"]
    flagged = sum(len(v) for state in spy.passes[2][1] for v in state.values())
    assert flagged < 0.05 * sum(len(s) for s in ctx.dataset.splits.values())


def test_schema_reads_whole_only_the_columns_it_asks_more_of(tmp_path: Path) -> None:
    """One pass of states, then one that reads the renamed column (its whole profile) and the
    column whose numbers turned into text (examples of the unparsable values)."""
    family, ctx = _family(tmp_path, SchemaCheck, "schema: {}")
    ctx.engine = spy = Spy()
    assert family.run(ctx).status == "fail"
    assert [plan.stage for plan, _ in spy.passes] == ["states", "values"]
    assert [(s, c) for s, c, _ in spy.passes[1][0].asks] == [("test", "code"), ("test", "weekly_hours")]


def test_drift_counts_distinct_strings_only_where_the_partitions_leave_a_kind_open(tmp_path: Path) -> None:
    """Each partition's own count of the notes' phrases does not tell whether the column is a
    category (at most 50 values) or free text: one pass hashes that column's strings, no other."""
    family, ctx = _family(tmp_path, DriftCheck, "drift: {}")
    ctx.engine = spy = Spy(CutEngine((100, 200, 300, 500), "flat"))
    result = family.run(ctx)
    assert [(plan.stage, plan.columns) for plan, _ in spy.passes][:2] == [
        ("kinds", ("age", "income", "gain", "region", "score", "text", "code", "note")), ("distinct", ("note",))]
    assert "test.note" in result.metrics
    assert _outcome(result) == _outcome(family.collect(ctx))
