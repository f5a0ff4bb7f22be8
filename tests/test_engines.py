"""The pandas and Dask engines give the same reports; partition states combine in any grouping.

The cluster is a ``distributed.LocalCluster`` of 2 workers started here, with ``processes=False``
(threads in this process): starting worker processes costs several seconds per cluster and the
comparison is about what the engine computes, not about process isolation. One CLI test runs the
default cluster (worker processes, so checks and partitions are pickled to them) end to end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, write
import curate.checks.balance as balance_module
from curate.balance_state import quantiles
from curate.checks.balance import BalanceCheck
from curate.checks.base import Plan
from curate.checks.class_imbalance import ClassImbalance
from curate.cli import main
from curate.context import RunContext
from curate.dataset import load_dataset
from curate.report.json_report import render
from curate.roles import ResolvedRoles
from curate.runner import check
from curate.spec import CheckSpec
from curate.suite import load_suite

distributed = pytest.importorskip("distributed")

# partitioned families (class_imbalance, balance) next to collecting ones, with row findings (keys) among them
CHECKS = """
  - class_imbalance: {}
  - balance: {}
  - duplicates: {}
  - column_quality: {}
  - schema: {}
"""


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def suite_for(root: Path, tmp_path: Path) -> Path:
    """The fixed checks with the dataset's own ``dataset:`` section (roles, reading options)."""
    own = root / "curate.yaml"
    dataset = yaml.safe_load(own.read_text()).get("dataset") if own.is_file() else None
    head = yaml.safe_dump({"dataset": dataset}) if dataset else ""
    return write(tmp_path / f"{root.name}.yaml", head + "checks:" + CHECKS)


def comparable(report) -> dict:
    """The JSON report without wall times."""
    data = json.loads(render(report))
    for result in data["results"]:
        result.pop("seconds", None)
    return data


def assert_same(a: dict, b: dict) -> None:
    metrics_a = [r.pop("metrics") for r in a["results"]]
    metrics_b = [r.pop("metrics") for r in b["results"]]
    assert a == b
    for ma, mb in zip(metrics_a, metrics_b):
        assert ma.keys() == mb.keys()
        for key, value in ma.items():
            if isinstance(value, float):
                assert mb[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            else:
                assert mb[key] == value, key


def both(root: Path, suite: Path, scheduler: str) -> tuple[dict, dict]:
    pandas_report = comparable(check(root, suite))
    dask_report = comparable(check(root, suite, engine="dask", scheduler=scheduler))
    return pandas_report, dask_report


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "planted"))
def test_engines_agree_on_examples(example: str, tmp_path: Path, scheduler: str) -> None:
    root = EXAMPLES / example
    pandas_report, dask_report = both(root, suite_for(root, tmp_path), scheduler)
    assert any(r["status"] not in ("skip", "error") for r in pandas_report["results"])  # something to agree on
    assert_same(pandas_report, dask_report)


def test_engines_agree_on_generated_parquet(tmp_path: Path, scheduler: str) -> None:
    """Generated Parquet (two splits) written in several row groups: several partitions per file."""
    from test_bench_end_to_end import bench_module

    bench = bench_module()
    root = tmp_path / "gen"
    bench.generate(root, 3000)
    for name in ("train", "test"):  # rewrite in row groups of 500 rows, so each file has several partitions
        path = root / f"data/{name}.parquet"
        pd.read_parquet(path).to_parquet(path, index=False, row_group_size=500)
    suite = write(tmp_path / "gen.yaml", bench.DATASET + "checks:" + CHECKS.replace("duplicates: {}", "duplicates: {columns: [text]}"))
    pandas_report, dask_report = both(root, suite, scheduler)
    statuses = {r["check"]: r["status"] for r in pandas_report["results"]}
    assert statuses["class_imbalance"] in ("pass", "fail") and statuses["duplicates"] == statuses["balance"] == "fail"
    assert_same(pandas_report, dask_report)


def test_repeated_keys_get_the_same_suffixes(tmp_path: Path, scheduler: str) -> None:
    """Repeat suffixes need every key of the split in row order: across files, both engines agree."""
    root = tmp_path / "rep"
    write(root / "train-a.csv", "id,text,label\n1,alpha,a\n2,beta,b\n1,alpha,a\n")
    write(root / "train-b.csv", "id,text,label\n2,gamma,a\n1,alpha,a\n3,delta,b\n")
    suite = write(tmp_path / "rep.yaml", "dataset: {key: id}\nchecks:\n  - duplicates: {}\n  - class_imbalance: {}\n")
    pandas_report, dask_report = both(root, suite, scheduler)
    keys = [f["key"] for f in pandas_report["results"][0]["findings"]]
    assert "1~1" in keys and "1~2" in keys
    assert_same(pandas_report, dask_report)


def _imbalance(tmp_path: Path) -> tuple[ClassImbalance, RunContext]:
    root = tmp_path / "ci"
    write(root / "train.csv", "text,label\n" + "".join(f"t{i},{'abc'[i % 3] if i % 7 else 1}\n" for i in range(200)))
    write(root / "test.csv", "text,label\n" + "".join(f"u{i},{'ab'[i % 2]}\n" for i in range(90)))
    dataset = load_dataset(root)
    spec = load_suite(write(tmp_path / "s.yaml", "checks:\n  - class_imbalance: {label: label}\n"), root, None).checks[0]
    assert isinstance(spec, CheckSpec)
    return ClassImbalance(spec), RunContext(dataset, ResolvedRoles(label="label"))


@pytest.mark.parametrize("cuts", [(1,), (17, 80, 81), (5, 150, 199)])
def test_map_combine_is_associative(tmp_path: Path, cuts: tuple[int, ...]) -> None:
    """States of any partitioning, combined in any grouping, equal the state of whole splits."""
    family, ctx = _imbalance(tmp_path)
    plan = family.plan(ctx)
    assert isinstance(plan, Plan)
    whole = family.combine(plan, [family.map(plan, s, ctx.dataset.splits[s].frame[["label"]]) for s in plan.splits])
    train = ctx.dataset.splits["train"].frame[["label"]]
    bounds = [0, *cuts, len(train)]
    parts = [family.map(plan, "train", train.iloc[a:b]) for a, b in zip(bounds, bounds[1:])]
    parts.append(family.map(plan, "test", ctx.dataset.splits["test"].frame[["label"]]))
    assert family.combine(plan, parts) == whole
    nested = family.combine(plan, [family.combine(plan, parts[:2]), family.combine(plan, parts[2:])])
    assert nested == family.combine(plan, parts[::-1]) == whole
    assert family.judge(plan, nested, ctx).metrics == family.run(ctx).metrics


def test_cli_dask_engine_with_its_own_local_cluster(tmp_path: Path) -> None:
    """No --scheduler: a LocalCluster of worker processes is started, used and closed."""
    out = tmp_path / "dask.json"
    suite = write(tmp_path / "s.yaml", "checks:\n  - class_imbalance: {}\n  - duplicates: {}\n"
                                       "  - near_duplicates: {threshold: 0.7}\n  - leakage: {}\n")  # plans and later passes pickled
    root = EXAMPLES / "hf_news"
    result = CliRunner().invoke(main, ["check", str(root), "-s", str(suite), "--engine", "dask", "--no-progress",
                                       "--format", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output  # the checks find problems in hf_news
    assert_same(comparable(check(root, suite)), {**json.loads(out.read_text()), "results": [
        {k: v for k, v in r.items() if k != "seconds"} for r in json.loads(out.read_text())["results"]]})


def test_own_local_cluster_workers_keep_the_malloc_defaults() -> None:
    """Dask's nanny would start workers with MALLOC_TRIM_THRESHOLD_ set, which turns off glibc's
    adaptive mmap threshold (the MinHash pass then page-faults on every large temporary); the
    engine's own workers get the client's environment instead, and Dask's other defaults."""
    import os

    from curate.engines.dask import local_cluster

    own = dict(os.environ)
    with local_cluster(1) as cluster, distributed.Client(cluster) as client:
        client_env = dict(os.environ)  # the nanny's variables are not left in this process
        env = list(client.run(lambda: {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")}).values())
    assert env == [{"MALLOC_TRIM_THRESHOLD_": own.get("MALLOC_TRIM_THRESHOLD_"), "OMP_NUM_THREADS": "1"}]
    assert client_env == own


@pytest.mark.parametrize("args, expected", [
    (["--engine", "dask", "--scheduler", "bogus://nowhere"], "cannot reach the Dask scheduler at 'bogus://nowhere'"),
    (["--engine", "dask", "--scheduler", "no-port"], "cannot reach the Dask scheduler at 'no-port'"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
])
def test_cli_engine_errors(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "hf_news"), "--no-progress", *args])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2  # usage errors add a usage line


def test_cli_without_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "hf_news"), "--engine", "dask", "--no-progress"])
    assert result.exit_code == 2
    assert "--engine dask needs Dask: pip install 'curate[dask]'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _mixed(tmp_path: Path) -> Path:
    """Three Parquet files of several row groups: a free-text column with many distinct values, a
    category column, numbers, booleans, dates, missing values."""
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame({
        "gender": rng.choice(["f", "m", "x"], n), "label": rng.choice(["a", "b"], n),
        "title": [f"title number {i} " + "w" * int(rng.integers(0, 40)) for i in range(n)],
        "code": [f"c{int(i)}" for i in rng.integers(0, 1500, n)], "score": rng.normal(size=n),
        "flag": rng.random(n) < 0.3, "when": pd.date_range("2020-01-01", periods=n, freq="h"),
        "age": rng.integers(18, 90, n),
    })
    frame.loc[rng.choice(n, 150), "score"] = np.nan
    frame.loc[rng.choice(n, 100), "gender"] = None
    root = tmp_path / "mixed"
    root.mkdir()
    for i, start in enumerate(range(0, n, 1000)):
        frame.iloc[start:start + 1000].to_parquet(root / f"train-{i}.parquet", index=False, row_group_size=400)
    return root


SUITE_MIXED = """checks:
  - balance: {sensitive: [gender, age], missing_columns: [score]}
  - balance: {name: explicit, sensitive: [gender], proxy_columns: [title, code, when, flag, score, age]}
"""


def test_balance_proxy_tables_over_the_bound_are_counted_again(tmp_path: Path, scheduler: str, monkeypatch) -> None:
    """A proxy column with more distinct values per partition than the bound keeps no table; when it
    needs one (an explicit proxy column), balance counts again unbounded: the same result."""
    root = _mixed(tmp_path)
    suite = write(tmp_path / "mixed.yaml", SUITE_MIXED)
    unbounded = comparable(check(root, suite))
    monkeypatch.setattr(balance_module, "PROXY_TABLE_CAP", 50)
    decided = []
    proxy_plan = BalanceCheck._proxy_plan

    def recording(self, plan, state):
        out = proxy_plan(self, plan, state)
        decided.append((self.display_name, plan.cap, out is not None))
        return out

    monkeypatch.setattr(BalanceCheck, "_proxy_plan", recording)
    bounded = comparable(check(root, suite))
    # code (~1,300 values in 3,000 rows: a category, not an identifier) needs its table, over the
    # bound in every partition: each entry is counted again without the bound
    assert decided == [("balance", 50, False), ("balance", None, True), ("explicit", 50, False), ("explicit", None, True)]
    assert_same(json.loads(json.dumps(unbounded)), bounded)
    notes = " ".join(r["note"] for r in unbounded["results"][0]["tables"]["notes"])
    assert "quantile bins" in notes and "proxy search skipped" in notes  # age binned, title/when skipped
    assert_same(unbounded, comparable(check(root, suite, engine="dask", scheduler=scheduler)))


def test_balance_state_is_associative(tmp_path: Path) -> None:
    """Partition states of balance combine in any grouping to the state of whole splits."""
    root = _mixed(tmp_path)
    spec = load_suite(write(tmp_path / "b.yaml", SUITE_MIXED), root, None).checks[1]
    family = BalanceCheck(spec)
    dataset = load_dataset(root)
    ctx = RunContext(dataset, ResolvedRoles(label="label"))
    family.validate(ctx)
    plan = family.plan(ctx)
    frame = dataset.splits["train"].frame[list(plan.columns)]
    whole = family.map(plan, "train", frame)
    parts = [family.map(plan, "train", frame.iloc[a:b]) for a, b in [(0, 7), (7, 1400), (1400, 1401), (1401, 3000)]]
    for grouping in (parts, parts[::-1], [family.combine(plan, parts[:2]), family.combine(plan, parts[2:])]):
        combined = family.combine(plan, grouping)["train"]
        for field in ("rows", "joint", "missing", "nulls", "flagged"):
            assert getattr(combined, field) == getattr(whole["train"], field), field
        for column, counts in combined.proxies.items():
            expected = whole["train"].proxies[column]
            assert (counts.table, counts.count, counts.distinct(), counts.sums.keys()) == (
                expected.table, expected.count, expected.distinct(), expected.sums.keys())
            assert counts.moments == pytest.approx(expected.moments, rel=1e-9)
    assert family.judge(plan, family.combine(plan, parts), ctx).metrics == family.run(ctx).metrics


@pytest.mark.parametrize("seed", range(4))
def test_quantiles_of_counts_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.choice(rng.normal(size=30).round(2), 500)
    distinct, counts = np.unique(values, return_counts=True)
    q = np.linspace(0, 1, 6)
    assert quantiles(distinct, counts, q).tolist() == np.quantile(values, q).tolist()
