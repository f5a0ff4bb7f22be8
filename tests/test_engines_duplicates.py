"""``duplicates`` and ``conflicting_labels`` on partitions: the states of any cut of a split combine,
in any grouping, to the result of whole columns (the families' ``collect``, the code they ran
before), and the pandas and Dask engines give the same JSON reports, with duplicates and conflicts
that span files, Parquet row groups and splits.

The Dask cluster is a ``LocalCluster`` of 2 threaded workers (``processes=False``), as in
tests/test_engines.py: the comparison is about what the engine computes.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import EXAMPLES, HF_NEWS_ROLES, loose, run, sms_frame, write
from curate.checks import duplicates as duplicates_module
from curate.checks import family as registered
from curate.checks.base import Plan
from curate.checks.conflicting_labels import ConflictingLabels
from curate.checks.duplicates import Duplicates
from curate.context import RunContext
from curate.dataset import load_dataset
from curate.dup_state import canonical
from curate.report.json_report import render
from curate.roles import ResolvedRoles
from curate.runner import check
from curate.suite import load_suite

FAMILIES = """
  - duplicates: {}
  - duplicates: {name: texts, columns: [text]}
  - duplicates: {name: loose, columns: [text], normalize: {punctuation: true}, min_chars: 0}
  - conflicting_labels: {}
  - conflicting_labels: {name: within, across_splits: false}
"""


def family_and_context(root: Path, tmp_path: Path, entry: str, roles: ResolvedRoles) -> tuple[object, RunContext]:
    """The suite entry's family, validated on the folder's dataset (shared with the MinHash families' tests)."""
    spec = load_suite(write(tmp_path / "one.yaml", "checks:\n  - " + entry + "\n"), root, None).checks[0]
    family, ctx = registered(spec.family)(spec), RunContext(load_dataset(root), roles)
    family.validate(ctx)
    return family, ctx


def outcome(result) -> tuple:
    return (result.status, result.message, result.metrics, [f.to_dict() for f in result.findings])


def pieces(family, plan, ctx: RunContext, cuts: dict[str, tuple[int, ...]]) -> list:
    """States of every split cut at ``cuts`` (positions), one state per piece."""
    states = []
    for name in plan.splits:
        frame = ctx.dataset.splits[name].frame[[c for c in plan.columns if c in ctx.dataset.splits[name].columns]]
        bounds = [0, *[c for c in cuts.get(name, ()) if 0 < c < len(frame)], len(frame)]
        states += [family.map(plan, name, frame.iloc[a:b]) for a, b in zip(bounds, bounds[1:])]
    return states


def sms_dataset(tmp_path: Path) -> Path:
    """SMS messages (hundreds repeated word for word) in two splits, with a few relabelled copies
    and whole-row columns holding numbers, missing values, -0.0 and dates."""
    frame = sms_frame().head(1800).copy()
    rng = np.random.default_rng(3)
    flip = rng.choice(len(frame), 40, replace=False)
    frame.loc[flip, "label"] = np.where(frame.loc[flip, "label"] == "spam", "ham", "spam")
    frame["score"] = np.where(np.arange(len(frame)) % 5 == 0, np.nan, (np.arange(len(frame)) % 3) * 1.5)
    frame.loc[frame.index % 11 == 0, "score"] = -0.0
    frame.loc[frame.index % 13 == 0, "score"] = 0.0
    frame["day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(frame)) % 4, unit="D")
    frame["tag"] = np.where(np.arange(len(frame)) % 9 == 0, None, "x")
    return loose(tmp_path / "sms", train=frame.iloc[:1300], test=frame.iloc[1300:].reset_index(drop=True))


SMS_ROLES = ResolvedRoles(key="id", label="label", text="text")


@pytest.mark.parametrize("entry", [e.strip()[2:] for e in FAMILIES.strip().splitlines()] + [
    "duplicates: {columns: [text, score]}", "duplicates: {columns: [score, day]}",
    "conflicting_labels: {columns: [text, tag]}"])
@pytest.mark.parametrize("cuts", [{}, {"train": (1,)}, {"train": (17, 640, 641), "test": (250,)},
                                  {"train": (5, 1299), "test": (1, 2, 3)}])
def test_any_cut_and_grouping_gives_the_whole_columns_result(tmp_path: Path, entry: str, cuts) -> None:
    family, ctx = family_and_context(sms_dataset(tmp_path), tmp_path, entry, SMS_ROLES)
    plan = family.plan(ctx)
    assert isinstance(plan, Plan)
    whole = family.combine(plan, pieces(family, plan, ctx, {}))
    parts = pieces(family, plan, ctx, cuts)
    for grouping in (parts, parts[::-1], [family.combine(plan, parts[:2]), family.combine(plan, parts[2:])],
                     [family.combine(plan, parts[1::2]), family.combine(plan, parts[::2])]):
        assert canonical(family.combine(plan, grouping)) == canonical(whole)
    nested = family.combine(plan, [family.combine(plan, parts[:1]), family.combine(plan, parts[1:][::-1])])
    partitioned = family.judge(plan, nested, ctx)
    assert outcome(partitioned) == outcome(family.collect(ctx))
    assert partitioned.findings or "conflicting" not in entry or "within" in entry  # something to agree on


def typed(tmp_path: Path, files: int = 1) -> Path:
    """Nullable integers and booleans, dates and categories (Parquet keeps their dtypes); with
    several files, each file's categories are those it uses."""
    n = 600
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "votes": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 3, n)), dtype="Int64"),
        "ok": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.5), dtype="boolean"),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 3, n), unit="D"),
        "kind": pd.Categorical(rng.choice(["Alpha", "alpha ", "beta"], n)),
        "label": rng.choice(["x", "y"], n),
    })
    root = tmp_path / f"typed{files}"
    root.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(n), files)):
        part = frame.iloc[rows].copy()
        part["kind"] = part["kind"].cat.remove_unused_categories() if files > 1 else part["kind"]
        part.to_parquet(root / f"train-{i}.parquet", index=False)
    return root


TYPED = "  - duplicates: {}\n  - conflicting_labels: {columns: [votes, ok, when, kind]}\n"


def test_nullable_and_category_columns_are_digested_by_value(tmp_path: Path) -> None:
    """Those columns are compared on partitions, as whole columns compare them: no fallback."""
    root = typed(tmp_path)
    for entry in ("duplicates: {}", "conflicting_labels: {columns: [votes, ok, when, kind]}"):
        family, ctx = family_and_context(root, tmp_path, entry, ResolvedRoles(key="id", label="label"))
        assert str(ctx.dataset.splits["train"].frame["votes"].dtype) == "Int64"
        plan = family.plan(ctx)
        state = family.combine(plan, pieces(family, plan, ctx, {"train": (100, 101, 450)}))
        assert all(c.kinds is not None for chunks in state.values() for c in chunks)
        result = family.judge(plan, state, ctx)
        assert result.findings and outcome(result) == outcome(family.collect(ctx))


def test_states_hold_digests_not_texts(tmp_path: Path) -> None:
    """A state is a few bytes per row: positions, 128-bit digests, label codes; no text travels."""
    family, ctx = family_and_context(sms_dataset(tmp_path), tmp_path, "conflicting_labels: {}", SMS_ROLES)
    plan = family.plan(ctx)
    state = family.combine(plan, pieces(family, plan, ctx, {"train": (400, 800)}))
    rows = sum(len(ctx.dataset.splits[n]) for n in plan.splits)
    blob = pickle.dumps(state)
    assert len(blob) < 40 * rows
    text = ctx.dataset.splits["train"].frame["text"]
    assert not any(t.encode() in blob for t in text.head(50) if len(t) > 12)


def mixed_types(tmp_path: Path) -> tuple[Path, Path]:
    """A ``code`` column of numbers in one file of train and of text in the other, and of numbers
    in test: concatenated, train's column is text; train next to test, so is the batch's."""
    root = tmp_path / "mixed"
    write(root / "train-0.csv", "id,text,code,label\n1,first text here,7,a\n2,second text here,8,b\n3,first text here,7,b\n")
    write(root / "train-1.csv", "id,text,code,label\n4,first text here,7,a\n5,second text here,x8,b\n6,third text,7,a\n")
    write(root / "test.csv", "id,text,code,label\n7,first text here,7,b\n8,third text,7,b\n")
    suite = write(tmp_path / "s.yaml", "dataset: {key: id, label: label}\nchecks:\n  - duplicates: {columns: [text, code]}\n"
                                       "  - conflicting_labels: {columns: [text, code]}\n")
    return root, suite


@pytest.fixture
def collected(monkeypatch) -> list[str]:
    """The families that fell back to whole columns."""
    names: list[str] = []
    for cls in (Duplicates, ConflictingLabels):
        real = cls.collect
        monkeypatch.setattr(cls, "collect", lambda self, ctx, real=real: names.append(self.name) or real(self, ctx))
    return names


def test_a_column_whose_type_differs_between_splits_is_compared_whole(tmp_path: Path, collected: list[str]) -> None:
    """Digests of numbers (test) cannot be compared with digests of text (train, whose files
    concatenate to text): conflicting_labels, which groups the splits together, compares whole
    columns; duplicates, split by split, needs not."""
    root, suite = mixed_types(tmp_path)
    report = check(root, suite)
    assert collected == ["conflicting_labels"]
    assert [(f.key, f.related[0].key) for f in report.result("duplicates").findings] == [("3", "1"), ("4", "1")]
    assert {f.key for f in report.result("conflicting_labels").findings} == {"3", "7", "8"}  # ties: not the earliest row's label


def test_labels_are_written_as_the_concatenated_column_writes_them(tmp_path: Path) -> None:
    """Integer labels in train, float labels (a missing one) in test: concatenated they are floats,
    so the suggestion is 1.0 and the message says '1.0', as whole columns say it."""
    train = pd.DataFrame({"id": ["a", "b", "c"], "text": ["same words here", "other words", "same words here"], "label": [1, 0, 1]})
    test = pd.DataFrame({"id": ["d", "e"], "text": ["same words here", "other words"], "label": [0.0, None]})
    root = loose(tmp_path / "d", train=train, test=test)
    family, ctx = family_and_context(root, tmp_path, "conflicting_labels: {}", ResolvedRoles(key="id", label="label", text="text"))
    plan = family.plan(ctx)
    result = family.judge(plan, family.combine(plan, pieces(family, plan, ctx, {"train": (1,)})), ctx)
    assert outcome(result) == outcome(family.collect(ctx))
    [finding] = result.findings
    assert finding.key == "d" and finding.suggestion["label"] == 1.0 and "labelled '0.0'" in finding.message


def test_duplicates_share_normalised_texts_with_near_duplicates(tmp_path: Path, monkeypatch) -> None:
    """In process, the text column of each split is normalised once for duplicates,
    conflicting_labels and near_duplicates together, and the results are those of separate runs."""
    sizes: list[int] = []
    real = duplicates_module.normalize_strings
    monkeypatch.setattr(duplicates_module, "normalize_strings", lambda v, n, **kw: sizes.append(len(v)) or real(v, n, **kw))
    news = EXAMPLES / "hf_news"
    checks = "  - duplicates: {columns: [text]}\n  - conflicting_labels: {}\n  - near_duplicates: {threshold: 0.7}\n"
    together = run(news, tmp_path, checks, HF_NEWS_ROLES)
    rows = sum(len(s) for s in load_dataset(news).splits.values())
    assert sum(sizes) == rows
    apart = [run(news, tmp_path, line + "\n", HF_NEWS_ROLES) for line in checks.splitlines()]
    assert [outcome(r) for r in together.results] == [outcome(r.results[0]) for r in apart]


# ---------------------------------------------------------------------------- pandas vs Dask

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def comparable(report) -> dict:
    data = json.loads(render(report))
    for result in data["results"]:
        result.pop("seconds", None)
    return data


def both(root: Path, suite: Path, scheduler: str) -> tuple[dict, dict]:
    return comparable(check(root, suite)), comparable(check(root, suite, engine="dask", scheduler=scheduler))


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "planted"))
def test_engines_agree_on_examples(example: str, tmp_path: Path, scheduler: str) -> None:
    root = EXAMPLES / example
    own = root / "curate.yaml"
    dataset = yaml.safe_load(own.read_text()).get("dataset") if own.is_file() else None
    head = yaml.safe_dump({"dataset": dataset}) if dataset else ""
    columns = set(load_dataset(root).columns)
    entries = FAMILIES if "text" in columns else "\n".join(e for e in FAMILIES.splitlines() if "[text]" not in e) + "\n"
    pandas_report, dask_report = both(root, write(tmp_path / "s.yaml", head + "checks:" + entries), scheduler)
    assert any(r["status"] not in ("skip", "error") for r in pandas_report["results"])
    assert pandas_report == dask_report


def test_engines_agree_when_duplicates_span_files_row_groups_and_splits(tmp_path: Path, scheduler: str) -> None:
    """Generated Parquet: train in three files of several row groups, test in two; copies of rows
    (exact and re-cased) and relabelled copies placed in other files, row groups and splits."""
    from test_bench_end_to_end import bench_module

    bench = bench_module()
    source = tmp_path / "gen"
    bench.generate(source, 4000)
    rng = np.random.default_rng(5)
    frames = {name: pd.read_parquet(source / f"data/{name}.parquet") for name in ("train", "test")}
    train, test = frames["train"], frames["test"]
    copies = train.iloc[rng.choice(len(train), 60, replace=False)].copy()
    copies["id"] = [f"copy{i}" for i in range(len(copies))]
    copies.loc[copies.index[::3], "text"] = copies["text"].iloc[::3].str.upper()
    copies.loc[copies.index[1::4], "label"] = "relabelled"
    train = pd.concat([copies.iloc[:30], train, copies.iloc[30:45]], ignore_index=True)
    test = pd.concat([test, copies.iloc[45:]], ignore_index=True)
    root = tmp_path / "parts"
    (root / "data").mkdir(parents=True)
    for name, frame, files in (("train", train, 3), ("test", test, 2)):
        for i, chunk in enumerate(np.array_split(np.arange(len(frame)), files)):
            frame.iloc[chunk].to_parquet(root / f"data/{name}-{i}.parquet", index=False, row_group_size=300)
    suite = write(tmp_path / "gen.yaml", bench.DATASET + "checks:" + FAMILIES)
    pandas_report, dask_report = both(root, suite, scheduler)
    results = {r["name"]: r for r in pandas_report["results"]}
    assert results["duplicates"]["status"] == results["texts"]["status"] == results["conflicting_labels"]["status"] == "fail"
    spans = {(f["split"], f["related"][0]["split"]) for f in results["conflicting_labels"]["findings"]}
    assert ("test", "train") in spans  # a conflict across splits
    assert pandas_report == dask_report


def test_engines_agree_when_a_column_changes_type_between_files(tmp_path: Path, scheduler: str, collected: list[str]) -> None:
    """On Dask each file is its own partition with its own types: train's ``code`` is numbers in
    one and text in the other, so both families compare whole columns there, as pandas does."""
    root, suite = mixed_types(tmp_path)
    pandas_report, dask_report = both(root, suite, scheduler)
    assert collected == ["conflicting_labels", "duplicates", "conflicting_labels"]
    assert pandas_report == dask_report


def test_engines_agree_on_typed_columns(tmp_path: Path, scheduler: str) -> None:
    """Two files whose categories differ (concatenated: text): the Dask engine's partitions see
    two category sets and compare whole columns, which pandas' concatenated split also does."""
    for files in (1, 2):
        root = typed(tmp_path, files)
        suite = write(tmp_path / "typed.yaml", "dataset: {key: id, label: label}\nchecks:\n" + TYPED)
        pandas_report, dask_report = both(root, suite, scheduler)
        assert all(r["findings"] for r in pandas_report["results"])
        assert pandas_report == dask_report


def test_engines_agree_on_identical_rows_that_may_be_distinct_records(tmp_path: Path, scheduler: str) -> None:
    """Real tables cut into files: UCI Adult (possible distinct records, curate.coincidence's extra pass)
    and UCI red wine (copies); the pass over several files and the collecting path agree too."""
    from conftest import DATA, adult_rows

    adult = adult_rows()
    wine = pd.read_csv(DATA / "winequality-red.csv.gz")
    wine.insert(0, "id", range(len(wine)))
    for name, frame, status in (("adult", adult, "warn"), ("wine", wine, "fail")):
        root = tmp_path / name
        root.mkdir()
        for i, chunk in enumerate(np.array_split(np.arange(len(frame)), 3)):
            frame.iloc[chunk].to_csv(root / f"train-{i}.csv", index=False)
        suite = write(tmp_path / f"{name}.yaml", "dataset: {key: id}\nchecks:\n  - duplicates: {}\n")
        pandas_report, dask_report = both(root, suite, scheduler)
        assert pandas_report["results"][0]["status"] == status
        assert pandas_report == dask_report
