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

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, write
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

# partitioned families (class_imbalance) next to collecting ones, with row findings (keys) among them
CHECKS = """
  - class_imbalance: {}
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
    suite = write(tmp_path / "gen.yaml", bench.DATASET + "checks:" + CHECKS.replace("duplicates: {}", "duplicates: {columns: [text]}")
                  + "  - balance: {}\n")
    pandas_report, dask_report = both(root, suite, scheduler)
    statuses = {r["check"]: r["status"] for r in pandas_report["results"]}
    assert statuses["class_imbalance"] in ("pass", "fail") and statuses["duplicates"] == "fail"
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
    suite = write(tmp_path / "s.yaml", "checks:\n  - class_imbalance: {}\n  - duplicates: {}\n")
    root = EXAMPLES / "hf_news"
    result = CliRunner().invoke(main, ["check", str(root), "-s", str(suite), "--engine", "dask", "--no-progress",
                                       "--format", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output  # both checks find problems in hf_news
    assert_same(comparable(check(root, suite)), {**json.loads(out.read_text()), "results": [
        {k: v for k, v in r.items() if k != "seconds"} for r in json.loads(out.read_text())["results"]]})


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
