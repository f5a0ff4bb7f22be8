"""The ``expect`` check: Great Expectations expectations from the suite, mapped to row findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import curate
from curate.errors import CurateError
from curate.suite import parse_suite

TRAIN = """\
id,text,label,n
t0,a perfectly fine text,world,1
t1,,sports,2
t2,another fine text here,business,3
t3,yet another long text,foo,4
t4,short,science,5
t5,the last training text,world,6
"""
# planted: train row 1 null text, row 3 label 'foo', row 4 text too short;
#          test row 0 label 'bar', row 1 text too short, row 2 null text
TEST = """\
id,text,label,n
s0,a fine test text,bar,10
s1,tiny,sports,20
s2,,world,30
s3,an ok test sentence,science,40
"""
LABELS = "[world, sports, business, science]"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("news")
    (root / "train.csv").write_text(TRAIN, encoding="utf-8")
    (root / "test.csv").write_text(TEST, encoding="utf-8")
    return root


@pytest.fixture
def run(dataset: Path, tmp_path: Path):
    """Run a suite (YAML text) on the planted dataset and return the report."""

    def _run(suite: str, path: Path | None = None) -> curate.Report:
        suite_file = tmp_path / "curate.yaml"
        suite_file.write_text(textwrap.dedent(suite), encoding="utf-8")
        return curate.check(path or dataset, suite=suite_file)

    return _run


def rows(result: curate.CheckResult) -> set[tuple]:
    return {(f.split, f.row, f.key, f.column, f.message) for f in result.findings if f.row is not None}


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line)


def parse_error(text: str) -> CurateError:
    with pytest.raises(CurateError) as info:
        parse_suite(textwrap.dedent(text), "curate.yaml")
    return info.value


# --------------------------------------------------------------------------- findings


def test_bare_list_form_flags_the_planted_rows(run) -> None:
    report = run(f"""\
        checks:
          - expect:
              - expect_column_values_to_not_be_null: {{column: text}}
              - expect_column_values_to_be_in_set: {{column: label, value_set: {LABELS}}}
        """)
    result = report.result("expect")
    assert result.check == "expect"
    assert result.status == curate.Status.FAIL
    assert rows(result) == {
        ("train", 1, "t1", "text", "expect_column_values_to_not_be_null: value is null"),
        ("test", 2, "s2", "text", "expect_column_values_to_not_be_null: value is null"),
        ("train", 3, "t3", "label", "expect_column_values_to_be_in_set: value 'foo' not in set"),
        ("test", 0, "s0", "label", "expect_column_values_to_be_in_set: value 'bar' not in set"),
    }
    assert len(result.findings) == 4
    assert result.metrics == {
        "expectations": 2,
        "failed": 2,
        "errors": 0,
        "splits": 2,
        "failed.train": 2,
        "unexpected.train": 2,
        "failed.test": 2,
        "unexpected.test": 2,
    }
    assert result.message == "2 of 2 expectations failed (train: 2, test: 2)"
    assert report.exit_code() == 1
    json.dumps([r.to_dict() for r in report.results])  # findings are plain JSON


def test_mapping_form_with_severity_and_splits(run) -> None:
    report = run("""\
        checks:
          - expect:
              severity: warning
              splits: [test]
              expectations:
                - expect_column_value_lengths_to_be_between: {column: text, min_value: 10}
                - expect_column_values_to_not_be_null: {column: text}
                - expect_column_values_to_be_unique: {column: id}
        """)
    result = report.result("expect")
    assert result.status == curate.Status.WARN
    assert rows(result) == {
        (
            "test", 1, "s1", "text",
            "expect_column_value_lengths_to_be_between: value 'tiny' has length 4, expected at least 10",
        ),
        ("test", 2, "s2", "text", "expect_column_values_to_not_be_null: value is null"),
    }
    assert all(f.split == "test" for f in result.findings)
    assert result.metrics["expectations"] == 3
    assert result.metrics["failed"] == 2
    assert result.metrics["failed.test"] == 2
    assert "failed.train" not in result.metrics
    assert result.message == "2 of 3 expectations failed (test: 2)"
    assert report.exit_code("error") == 0 and report.exit_code("warning") == 1


def test_passing_expectations(run) -> None:
    report = run("""\
        checks:
          - expect:
              - expect_column_values_to_be_unique: {column: id}
              - expect_column_values_to_be_between: {column: n, min_value: 0, max_value: 100}
              - expect_column_values_to_be_in_set: {column: label, value_set: [world, sports], mostly: 0.3}
              - expect_column_to_exist: {column: label}
        """)
    result = report.result("expect")
    assert result.status == curate.Status.PASS
    assert result.findings == []
    assert result.metrics["failed"] == 0
    assert result.message == "all 4 expectations passed on train, test"


def test_gx_batch_fingerprints_are_not_computed_and_the_setting_comes_back(run, monkeypatch) -> None:
    """GX would hash every cell of each batch for a fingerprint curate never reads."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    hashed = []
    monkeypatch.setattr(engine, "hash_pandas_dataframe", lambda df: hashed.append(len(df)) or "x")
    before = engine.HASH_THRESHOLD
    report = run("""\
        checks:
          - expect:
              - expect_column_values_to_be_unique: {column: id}
        """)
    assert report.result("expect").status == curate.Status.PASS
    assert hashed == [] and engine.HASH_THRESHOLD == before > 0


def test_table_and_aggregate_expectations_give_one_finding_per_split(run) -> None:
    report = run("""\
        checks:
          - expect:
              - expect_table_row_count_to_be_between: {min_value: 5}
              - expect_column_mean_to_be_between: {column: n, max_value: 10}
              - expect_column_to_exist: {column: author}
        """)
    result = report.result("expect")
    assert result.status == curate.Status.FAIL
    assert all(f.row is None and f.key is None for f in result.findings)
    by_message = {(f.split, f.column, f.message) for f in result.findings}
    assert by_message == {
        ("test", None, "expect_table_row_count_to_be_between: observed value 4 (expected min_value=5)"),
        ("test", "n", "expect_column_mean_to_be_between: observed value 25.0 (expected max_value=10)"),
        ("train", "author", "expect_column_to_exist: column 'author' is missing"),
        ("test", "author", "expect_column_to_exist: column 'author' is missing"),
    }
    assert result.metrics["failed.train"] == 1 and result.metrics["failed.test"] == 3


def test_findings_are_capped_but_counts_are_not(run) -> None:
    report = run("""\
        checks:
          - expect:
              max_findings_per_expectation: 1
              splits: train
              expectations:
                - expect_column_values_to_be_in_set: {column: label, value_set: [world]}
        """)
    result = report.result("expect")
    row_findings = [f for f in result.findings if f.row is not None]
    assert [(f.row, f.key) for f in row_findings] == [(1, "t1")]
    summary = [f for f in result.findings if f.row is None]
    assert [f.message for f in summary] == [
        "expect_column_values_to_be_in_set: 4 of 6 rows unexpected, 1 listed (max_findings_per_expectation: 1)"
    ]
    assert result.metrics["unexpected.train"] == 4


def test_an_expectation_that_raises_in_gx_is_a_failure(run) -> None:
    report = run("""\
        checks:
          - expect:
              - expect_column_values_to_match_regex: {column: text, regex: "(["}
              - unexpected_rows_expectation: {unexpected_rows_query: "SELECT * FROM {batch}"}
              - expect_column_values_to_be_unique: {column: id}
        """)
    result = report.result("expect")
    assert result.status == curate.Status.FAIL
    assert result.metrics["errors"] == 2
    assert result.metrics["failed"] == 2
    assert result.message == "2 of 3 expectations failed (train: 2, test: 2); 2 raised an error in Great Expectations"
    regex = [f for f in result.findings if f.message.startswith("expect_column_values_to_match_regex")]
    assert sorted(f.split for f in regex) == ["test", "train"]
    assert all("raised an error" in f.message and "regular expression" in f.message for f in regex)
    sql = [f for f in result.findings if f.message.startswith("unexpected_rows_expectation")]
    assert len(sql) == 2 and all("PandasExecutionEngine" in f.message for f in sql)


def test_several_expect_checks_and_other_columns(run) -> None:
    report = run("""\
        checks:
          - expect:
              - expect_column_pair_values_a_to_be_greater_than_b: {column_A: n, column_B: n, or_equal: true}
          - expect:
              name: lengths
              expectations:
                - expect_column_value_lengths_to_be_between: {column: text, min_value: 10}
        """)
    assert report.result("expect").status == curate.Status.PASS
    lengths = report.result("lengths")
    assert {(f.split, f.row) for f in lengths.findings} == {("train", 4), ("test", 1)}


# --------------------------------------------------------------------------- suite errors


def test_unknown_expectation_is_located_with_a_hint() -> None:
    suite = """\
        checks:
          - expect:
              - expect_column_values_to_not_be_null: {column: text}
              - expect_column_values_to_be_in_sett: {column: label, value_set: [a]}
        """
    error = parse_error(suite)
    assert error.line == line_of(suite, "in_sett")
    assert "unknown expectation 'expect_column_values_to_be_in_sett'" in error.message
    assert "did you mean 'expect_column_values_to_be_in_set'" in error.message


def test_unknown_expectation_in_mapping_form_and_before_any_data_is_read(tmp_path: Path) -> None:
    suite = """\
        checks:
          - expect:
              severity: warning
              expectations:
                - ExpectColumnValuesToNotBeNull: {column: text}
        """
    suite_file = tmp_path / "suite.yaml"
    suite_file.write_text(textwrap.dedent(suite), encoding="utf-8")
    with pytest.raises(CurateError) as info:
        curate.check(tmp_path / "no-such-dataset", suite=suite_file)  # the suite fails first
    assert info.value.line == line_of(suite, "ExpectColumn")
    assert "did you mean 'expect_column_values_to_not_be_null'" in info.value.message


def test_unknown_argument_names_entry_and_argument() -> None:
    suite = """\
        checks:
          - expect:
              - expect_column_values_to_be_in_set:
                  column: label
                  value_sett: [world]
        """
    error = parse_error(suite)
    assert error.line == line_of(suite, "value_sett")
    assert "expect_column_values_to_be_in_set" in error.message
    assert "unknown argument 'value_sett'" in error.message
    assert "did you mean 'value_set'" in error.message


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("expect_column_values_to_be_in_set: {column: label}", "missing required argument 'value_set'"),
        ("expect_column_values_to_be_in_set: {column: label, value_set: [a], mostly: 3}", "argument 'mostly'"),
        ("expect_column_value_lengths_to_be_between: {column: text}", "min_value and max_value cannot both be None"),
        ("expect_column_values_to_not_be_null: {column: text, result_format: BASIC}", "'result_format' is not"),
        ("expect_column_values_to_not_be_null: {column: text, severity: warning}", "'severity' is not allowed"),
        ("expect_column_values_to_not_be_null: text", "must be a mapping"),
        ("[1, 2]", "single-key mapping"),
    ],
)
def test_invalid_arguments_are_located_suite_errors(entry: str, expected: str) -> None:
    suite = f"checks:\n  - expect:\n      - {entry}\n"
    error = parse_error(suite)
    assert expected in error.message
    assert error.line == 3
    assert error.file == "curate.yaml"


def test_repeated_expectation_is_an_error_not_silently_dropped() -> None:
    suite = """\
        checks:
          - expect:
              - expect_column_values_to_not_be_null: {column: text}
              - expect_column_values_to_be_unique: {column: id}
              - expect_column_values_to_not_be_null: {column: text, meta: {note: again}}
        """
    error = parse_error(suite)
    assert error.line == 5
    assert "repeats expectation #1 (line 3)" in error.message


def test_empty_expectation_list_is_an_error() -> None:
    assert "at least one expectation" in parse_error("checks:\n  - expect: []\n").message


def test_missing_column_is_located_at_the_argument(run) -> None:
    suite = """\
        checks:
          - expect:
              expectations:
                - expect_column_values_to_not_be_null: {column: txt}
        """
    with pytest.raises(CurateError) as info:
        run(suite)
    assert info.value.line == line_of(suite, "txt")
    assert "column 'txt' not found" in info.value.message
    assert "expect_column_values_to_not_be_null" in info.value.message
    assert "did you mean 'text'" in info.value.message


def test_missing_column_in_column_list_and_unknown_split(run) -> None:
    suite = """\
        checks:
          - expect:
              - expect_compound_columns_to_be_unique:
                  column_list: [id, lable]
        """
    with pytest.raises(CurateError) as info:
        run(suite)
    assert info.value.line == line_of(suite, "lable") and "'lable'" in info.value.message

    suite = """\
        checks:
          - expect:
              splits: [train, tset]
              expectations:
                - expect_column_values_to_not_be_null: {column: text}
        """
    with pytest.raises(CurateError) as info:
        run(suite)
    assert info.value.line == line_of(suite, "tset")
    assert "unknown split 'tset'" in info.value.message and "did you mean 'test'" in info.value.message


# --------------------------------------------------------------------------- isolation


def _python(code: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_great_expectations_is_imported_only_when_used(tmp_path: Path) -> None:
    proc = _python(
        """\
        import curate, curate.checks, curate.runner
        assert "expect" in curate.checks.registry()
        import sys
        print("great_expectations" in sys.modules)
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_runs_offline_quietly_and_writes_nothing(dataset: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    suite = work / "suite.yaml"
    suite.write_text(
        "checks:\n  - expect:\n      - expect_column_values_to_not_be_null: {column: text}\n", encoding="utf-8"
    )
    before = sorted(p.relative_to(dataset) for p in dataset.rglob("*"))
    proc = _python(
        f"""\
        import socket

        def no_network(*args, **kwargs):
            raise OSError("network access attempted")

        socket.socket.connect = no_network
        socket.create_connection = no_network
        socket.getaddrinfo = no_network

        import curate
        report = curate.check({str(dataset)!r}, suite={str(suite)!r})
        result = report.result("expect")
        print(result.status.value, len(result.findings))
        """,
        work,
        env={"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "fail 2"
    assert proc.stderr.strip() == ""  # no progress bars, logs or warnings
    assert sorted(p.relative_to(work) for p in work.rglob("*")) == [Path("suite.yaml")]
    assert [p for p in home.rglob("*") if "great_expectations" in str(p) or "gx" in p.name] == []
    assert sorted(p.relative_to(dataset) for p in dataset.rglob("*")) == before


def test_the_callers_gx_context_stays_current(run) -> None:
    import great_expectations as gx
    from great_expectations.data_context.data_context.context_factory import project_manager

    mine = gx.get_context(mode="ephemeral")
    run("checks:\n  - expect:\n      - expect_column_values_to_be_unique: {column: id}\n")
    assert project_manager.get_current_project() is mine
