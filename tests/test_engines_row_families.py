"""The row-level families (``column_quality``, ``pii``, ``text_quality``) partitioned: both engines
give the same reports, a split cut into several partitions gives the findings of one partition
(no row is lost between partitions or passes), and partition states combine in any grouping.

The planted table has every problem these families find in every one of its files (padded and
variant categories, mixed types, ids in scientific notation and as rounded floats, an identifier
column, a repeated header, emails, phones and cards, empty, short, long, mojibake, controls,
HTML and boilerplate texts), so a state that dropped a partition's rows would change the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import EXAMPLES, write
from curate.checks.base import Check, Plan
from curate.checks.column_quality import ColumnQuality
from curate.checks.pii import Pii
from curate.checks.text_quality import TextQuality
from curate.context import RunContext
from curate.dataset import load_dataset
from curate.engines import PandasEngine, plan_columns
from curate.report.json_report import render
from curate.roles import ResolvedRoles
from curate.runner import check
from curate.spec import CheckSpec
from curate.suite import load_suite

distributed = pytest.importorskip("distributed")

CHECKS = """
  - column_quality: {}
  - column_quality: {name: narrow, max_categories: 2, mostly_null: 0.5, max_mixed_share: 0.2}
  - pii: {}
  - pii: {name: gb, regions: [GB], entities: [email, phone, credit_card]}
  - text_quality: {}
  - text_quality: {name: loose, min_share: 0.02, max_z: 2.0, min_boilerplate: 4}
"""
DATASET = "dataset: {key: id, text: text, label: label}\n"
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def planted(n: int, seed: int, start: int) -> pd.DataFrame:
    """``n`` rows (global positions from ``start``) with the families' problems on a cycle of 23 rows."""
    rng = np.random.default_rng(seed)
    texts = []
    for i in range(start, start + n):
        text = " ".join(rng.choice(WORDS, int(rng.integers(5, 30))))
        k = i % 23
        text = {
            1: "Posted by admin: " + text, 3: text.replace("a", "Ã©", 1), 4: text + " that\x92s",
            5: "<p>" + text + "</p> &amp; more", 6: "   ", 7: "x", 8: text * 40,
            9: f"{text} mail me at john.doe{i}@gmail.com or +44 20 7946 0{i % 1000:03d}",
            10: text + " card 4111 1111 1111 1111", 11: "Posted by admin: " + text + " ... Read more",
            12: "Posted by admin: " + text,
        }.get(k, text + (" ... Read more" if k in (13, 14, 15) else ""))
        texts.append(text)
    genres = ["Sci-Fi"] * 14 + ["Drama"] * 14 + ["SciFi", "sci fi", "Drama "] + ["Comedy"] * 11
    rows = np.arange(start, start + n)
    return pd.DataFrame({
        "id": rows, "text": texts, "genre": rng.choice(genres, n),
        "weight": ["?" if i % 97 == 0 else str(50 + i % 40) for i in rows],
        "legacy": [f"5.7030{i // 2 % 10}E+17" for i in rows],
        "url": [f"https://example.org/r/{i}" for i in rows], "same": "x", "empty": None,
        "email": [f"user{i}@example.com" if i % 5 == 0 else None for i in rows],
        "step": 1000 + 3 * rows,  # an evenly spaced sequence across the files
        "bigid": [float(f"{x:.5e}") for x in rng.integers(10**17, 10**17 + 10**13, n).astype(float)],
        "city": ["Edinburgh " if i % 101 == 50 else ("paris" if i % 103 == 7 else ["Paris", "Rome", "Oslo", "Edinburgh"][i % 4])
                 for i in rows],
        "label": rng.choice(["a", "b"], n),
    })


SIZES = (("train", 300), ("train", 250), ("train", 200), ("test", 150), ("test", 120))


def planted_csv(root: Path, *, one_file: bool = False) -> Path:
    """The planted splits as CSV files (several per split, or one), a repeated header in every file."""
    root.mkdir(parents=True)
    frames: dict[str, list[pd.DataFrame]] = {}
    start = 0
    for i, (split, n) in enumerate(SIZES):
        frames.setdefault(split, []).append(planted(n, i + 1, start))
        start += n
    for split, parts in frames.items():
        pieces = [pd.concat(parts, ignore_index=True)] if one_file else parts
        for j, frame in enumerate(pieces):
            frame = frame.assign(city2=frame["city"]).rename(columns={"city2": "city"})  # a second 'city' column
            frame.to_csv(root / f"{split}-{j}.csv", index=False)
    write(root / "curate.yaml", DATASET)
    return root


def suite(tmp_path: Path, head: str = DATASET, checks: str = CHECKS) -> Path:
    return write(tmp_path / "rows.yaml", head + "checks:" + checks)


def report(root: Path, suite_path: Path, **engine: Any) -> dict:
    data = json.loads(render(check(root, suite_path, **engine)))
    for result in data["results"]:
        result.pop("seconds", None)
    return data


def assert_same(a: dict, b: dict) -> None:
    assert [r["status"] for r in a["results"]] == [r["status"] for r in b["results"]]
    for ra, rb in zip(a["results"], b["results"]):
        assert ra == rb, ra["name"]
    assert a == b


# ----------------------------------------------------------------------------- both engines


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "planted"))
def test_engines_agree_on_examples(example: str, tmp_path: Path, scheduler: str) -> None:
    root = EXAMPLES / example
    own = root / "curate.yaml"
    dataset = yaml.safe_load(own.read_text()).get("dataset") if own.is_file() else None
    suite_path = suite(tmp_path, yaml.safe_dump({"dataset": dataset}) if dataset else "")
    pandas_report = report(root, suite_path)
    assert {r["check"] for r in pandas_report["results"]} == {"column_quality", "pii", "text_quality"}
    assert_same(pandas_report, report(root, suite_path, engine="dask", scheduler=scheduler))


def test_engines_agree_on_planted_files_and_row_groups(tmp_path: Path, scheduler: str) -> None:
    """Several CSV files per split, and the same rows as Parquet in row groups of 130 rows."""
    csv_root = planted_csv(tmp_path / "csv")
    pq_root = tmp_path / "pq"
    (pq_root / "data").mkdir(parents=True)
    for split in ("train", "test"):
        frames = [pd.read_csv(f) for f in sorted(csv_root.glob(f"{split}-*.csv"))]
        pd.concat(frames, ignore_index=True).to_parquet(pq_root / f"data/{split}.parquet", index=False, row_group_size=130)
    write(pq_root / "curate.yaml", DATASET)
    for root in (csv_root, pq_root):
        pandas_report = report(root, suite(tmp_path))
        assert all(r["status"] == "fail" for r in pandas_report["results"]), root
        assert_same(pandas_report, report(root, suite(tmp_path), engine="dask", scheduler=scheduler))


def test_engines_agree_on_generated_parquet(tmp_path: Path, scheduler: str) -> None:
    """The benchmark's generated dataset (two splits) in row groups of 500 rows."""
    from test_bench_end_to_end import bench_module

    bench = bench_module()
    root = tmp_path / "gen"
    bench.generate(root, 3000)
    for name in ("train", "test"):
        path = root / f"data/{name}.parquet"
        pd.read_parquet(path).to_parquet(path, index=False, row_group_size=500)
    suite_path = suite(tmp_path, bench.DATASET)
    pandas_report = report(root, suite_path)
    assert any(r["status"] != "skip" for r in pandas_report["results"])
    assert_same(pandas_report, report(root, suite_path, engine="dask", scheduler=scheduler))


# ----------------------------------------------------------------------------- no row lost


def test_several_files_give_the_findings_of_one(tmp_path: Path) -> None:
    """A split in three files (three partitions) and the same split in one file: the same
    findings, and every file holds some of them (a lost partition would be missed)."""
    many = report(planted_csv(tmp_path / "many"), suite(tmp_path))
    one = report(planted_csv(tmp_path / "one", one_file=True), suite(tmp_path))
    bounds = np.cumsum([0, 300, 250, 200])
    for a, b in zip(many["results"], one["results"]):
        # a repeated header is named per file: one finding per file, else the same findings
        files = [f for f in a["findings"] if f["message"].startswith("duplicate header")]
        assert len(files) == (5 if a["check"] == "column_quality" else 0)
        assert [f for f in a["findings"] if f not in files] == [
            f for f in b["findings"] if not f["message"].startswith("duplicate header")]
        if a["check"] != "column_quality":
            assert a["metrics"] == b["metrics"] and a["message"] == b["message"] and a["tables"] == b["tables"]
        if a["name"] == "narrow":  # (categories over its bound: no row findings)
            continue
        rows = [f["row"] for f in a["findings"] if f["split"] == "train" and f["row"] is not None]
        assert all(any(lo <= r < hi for r in rows) for lo, hi in zip(bounds, bounds[1:])), a["name"]
    kinds = {f["message"].split(":")[0] for f in many["results"][0]["findings"]}
    assert {"padded value", "spelling variant", "mixed types", "scientific notation", "identifier-like",
            "duplicate header", "all-null", "constant"} <= kinds
    identifiers = {f["column"] for f in many["results"][0]["findings"] if f["message"].startswith("identifier-like")}
    assert identifiers == {"url", "step"}
    problems = " ".join(f["message"] for f in many["results"][4]["findings"])
    for problem in ("boilerplate prefix ('Posted by admin:'", "boilerplate suffix ('Read more'", "mojibake",
                    "control characters", "HTML tags", "HTML entities", "empty text", "too short", "too long"):
        assert problem in problems


# ----------------------------------------------------------------------------- associativity


class CutEngine:
    """The pandas engine's partitions cut again at ``cuts`` (positions in each split), their states
    combined in ``grouping`` before the family combines them: any partitioning, any grouping."""

    name = "cut"

    def __init__(self, cuts: tuple[int, ...], grouping: str) -> None:
        self.cuts, self.grouping = cuts, grouping

    def states(self, family: Check, plan: Plan, dataset: Any) -> list[Any]:
        states = []
        for name in plan.splits:
            frame = dataset.splits[name].frame
            bounds = sorted({0, len(frame), *(c for c in self.cuts if 0 < c < len(frame))})
            states += [family.map(plan, name, plan_columns(frame.iloc[a:b], plan)) for a, b in zip(bounds, bounds[1:])]
        if self.grouping == "reversed":
            return states[::-1]
        if self.grouping == "nested":
            middle = len(states) // 2
            return [family.combine(plan, states[:middle]), family.combine(plan, [family.combine(plan, states[middle:])])]
        return states


def _family(tmp_path: Path, cls: type[Check], entry: str) -> tuple[Check, RunContext]:
    root = planted_csv(tmp_path / "assoc", one_file=True)
    spec = load_suite(write(tmp_path / "a.yaml", f"checks:\n  - {entry}\n"), root, None).checks[0]
    assert isinstance(spec, CheckSpec)
    dataset = load_dataset(root, key="id")
    ctx = RunContext(dataset, ResolvedRoles(key="id", text="text", label="label"))
    family = cls(spec)
    family.validate(ctx)
    return family, ctx


FAMILIES = [
    (ColumnQuality, "column_quality: {}"),
    (ColumnQuality, "column_quality: {max_categories: 2, max_mixed_share: 0.2}"),
    (Pii, "pii: {regions: [GB]}"),
    (TextQuality, "text_quality: {}"),
    (TextQuality, "text_quality: {min_share: 0.02, max_z: 2.0, min_boilerplate: 4}"),
]


@pytest.mark.parametrize("cls, entry", FAMILIES)
@pytest.mark.parametrize("cuts", [(1,), (17, 80, 81, 299), (5, 150, 400, 749)])
def test_map_combine_is_associative(tmp_path: Path, cls: type[Check], entry: str, cuts: tuple[int, ...]) -> None:
    """States of one partitioning combine to the same state in any grouping and order, and any
    partitioning gives the result of whole splits, through every pass (a family's later passes
    go through the engine too). States of different partitionings may differ where they hold
    candidates (text_quality's frequent affixes: each partition's own) or a partition's local
    view (column_quality: whether its own rows repeat), which judge settles exactly."""
    family, ctx = _family(tmp_path, cls, entry)
    plan = family.plan(ctx)
    assert isinstance(plan, Plan)
    flat = family.combine(plan, CutEngine(cuts, "flat").states(family, plan, ctx.dataset))
    for grouping in ("reversed", "nested"):
        assert family.combine(plan, CutEngine(cuts, grouping).states(family, plan, ctx.dataset)) == flat, grouping
    whole = family.combine(plan, PandasEngine().states(family, plan, ctx.dataset))
    if cls is TextQuality:
        for name, state in whole.items():
            assert state.frequent <= flat[name].frequent  # every affix frequent in a split is frequent in a partition
            state.frequent = flat[name].frequent
    if cls is not ColumnQuality:
        assert flat == whole
    reference = family.run(ctx)
    assert reference.findings  # the planted problems are found
    for grouping in ("flat", "reversed", "nested"):
        ctx.engine = CutEngine(cuts, grouping)
        got = family.run(ctx)
        assert (got.status, got.message, got.metrics, got.tables) == (
            reference.status, reference.message, reference.metrics, reference.tables), grouping
        assert got.findings == reference.findings, grouping


def test_cli_worker_processes(tmp_path: Path) -> None:
    """The CLI's own LocalCluster (worker processes): plans, states and findings cross process
    boundaries pickled, and the report is still the pandas engine's."""
    from click.testing import CliRunner

    from curate.cli import main

    root = planted_csv(tmp_path / "csv")
    suite_path = suite(tmp_path, checks="\n  - column_quality: {}\n  - pii: {}\n  - text_quality: {}\n")
    out = tmp_path / "dask.json"
    result = CliRunner().invoke(main, ["check", str(root), "-s", str(suite_path), "--engine", "dask", "--no-progress",
                                       "--no-cache", "--format", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output  # every family finds its planted problems
    dask_report = json.loads(out.read_text())
    for r in dask_report["results"]:
        r.pop("seconds", None)
    assert_same(report(root, suite_path), dask_report)
