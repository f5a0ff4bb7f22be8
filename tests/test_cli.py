"""The command line: exit codes, formats, and one-line errors (never a traceback) for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from curate.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_check_passes_with_exit_0_and_json_contract(hf_folder: Path, suite_file) -> None:
    suite = suite_file("checks:\n  - schema: {}\n")
    result = run("check", str(hf_folder), "--suite", str(suite), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= {"dataset", "summary", "results"}
    assert report["summary"]["pass"] == 1
    (only,) = report["results"]
    assert {"check", "name", "status", "metrics", "message", "findings"} <= set(only)
    assert report["dataset"]["splits"]["train"]["rows"] == 4
    assert report["dataset"]["inferred"]["label"].startswith("label")


def test_output_file_and_fail_on(hf_folder: Path, suite_file, tmp_path: Path) -> None:
    # the card declares 'label' as ClassLabel neg/pos: a 'meh' label is a schema finding
    (hf_folder / "data/test.csv").write_text("id,text,label,gender\nb1,so so,meh,male\n")
    suite = suite_file("checks:\n  - schema: {severity: warning}\n")
    out = tmp_path / "out/report.json"
    result = run("check", str(hf_folder), "-s", str(suite), "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output  # a warning does not fail by default
    assert json.loads(out.read_text())["results"][0]["status"] == "warn"
    assert run("check", str(hf_folder), "-s", str(suite), "--fail-on", "warning").exit_code == 1
    suite_err = suite_file("checks:\n  - schema: {}\n", "err.yaml")
    assert run("check", str(hf_folder), "-s", str(suite_err)).exit_code == 1
    assert run("check", str(hf_folder), "-s", str(suite_err), "--fail-on", "never").exit_code == 0


def test_missing_path() -> None:
    assert_one_line_error(run("check", "no/such/folder"), "no/such/folder", "no such file")


def test_malformed_csv_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "a,b\n1,2\n3,4,5\n")
    assert_one_line_error(run("check", str(tmp_path)), "train.csv:3", "malformed CSV", "Expected 2 fields")


def test_wrong_encoding_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_bytes("name\nok\ncaf\xe9\n".encode("latin-1"))
    assert_one_line_error(run("check", str(tmp_path)), "train.csv:3:4", "cannot decode byte 0xe9", "encoding")


def test_a_windows_file_is_told_to_read_as_windows_1252(tmp_path: Path) -> None:
    """Curly quotes and dashes are bytes 0x91-0x97 in Windows-1252; read as Latin-1 they would be
    invisible control characters, so the hint names cp1252, and following it reads the right text."""
    text = "name,quote\nann,\u201cit\u2019s fine\u201d \u2013 really\nbob,caf\u00e9\n"
    (tmp_path / "train.csv").write_bytes(text.encode("cp1252"))
    assert_one_line_error(run("check", str(tmp_path)), "train.csv:2", "cannot decode byte 0x93", "{encoding: cp1252}")
    write(tmp_path / "curate.yaml", "dataset:\n  encoding: cp1252\nchecks:\n  - schema: {}\n")
    assert run("check", str(tmp_path)).exit_code == 0
    from curate.readers import ReadOptions, read_table

    frame = read_table(tmp_path / "train.csv", ReadOptions(encoding="cp1252"))
    assert frame["quote"].iloc[0] == "\u201cit\u2019s fine\u201d \u2013 really"


def test_bytes_windows_1252_leaves_undefined_are_told_to_read_as_latin_1(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_bytes(b"name\nok\ncaf\xe9 \x9d\n")  # 0x9d: undefined in Windows-1252
    assert_one_line_error(run("check", str(tmp_path)), "train.csv:3", "{encoding: latin-1}")


def test_declared_encoding_reads_the_file(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_bytes("name\nok\ncaf\xe9\n".encode("latin-1"))
    write(tmp_path / "curate.yaml", "dataset:\n  encoding: latin-1\nchecks:\n  - schema: {}\n")
    assert run("check", str(tmp_path)).exit_code == 0


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("")
    assert_one_line_error(run("check", str(tmp_path)), "train.csv", "file is empty")


def test_empty_split(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "a\n1\n")
    write(tmp_path / "test.csv", "a\n")
    assert_one_line_error(run("check", str(tmp_path)), "test.csv", "split 'test' has no rows")


def test_malformed_jsonl(tmp_path: Path) -> None:
    write(tmp_path / "train.jsonl", '{"a": 1}\n{"a": 2,}\n')
    assert_one_line_error(run("check", str(tmp_path)), "train.jsonl:2", "malformed JSON")


def test_malformed_parquet(tmp_path: Path) -> None:
    (tmp_path / "train.parquet").write_bytes(b"PAR1 this is not parquet")
    assert_one_line_error(run("check", str(tmp_path)), "train.parquet", "Parquet")


def test_no_data_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "hello\n")
    assert_one_line_error(run("check", str(tmp_path)), "no CSV")


def test_misspelled_role_column(hf_folder: Path) -> None:
    write(hf_folder / "curate.yaml", "dataset:\n  label: lable\nchecks:\n  - schema: {}\n")
    assert_one_line_error(run("check", str(hf_folder)), "curate.yaml:2", "label column 'lable' not found", "did you mean 'label'")


def test_invalid_suite_yaml(hf_folder: Path) -> None:
    write(hf_folder / "curate.yaml", "checks:\n  - schema: {\n")
    assert_one_line_error(run("check", str(hf_folder)), "curate.yaml:", "invalid YAML")


def test_unknown_check(hf_folder: Path) -> None:
    write(hf_folder / "curate.yaml", "checks:\n  - schema: {}\n  - shcema: {}\n")
    assert_one_line_error(run("check", str(hf_folder)), "curate.yaml:3", "unknown check 'shcema'", "did you mean 'schema'")


def test_unknown_only(hf_folder: Path) -> None:
    assert_one_line_error(run("check", str(hf_folder), "--only", "shcema"), "unknown check 'shcema'")


def test_missing_suite_file(hf_folder: Path) -> None:
    assert_one_line_error(run("check", str(hf_folder), "--suite", "nope.yaml"), "nope.yaml", "suite file not found")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("")
    result = run("--debug", "check", str(tmp_path))
    assert isinstance(result.exception, Exception) and result.exit_code != 0


def test_usage_error_exit_2(hf_folder: Path) -> None:
    result = run("check", str(hf_folder), "--format", "yaml")
    assert result.exit_code == 2


@pytest.mark.parametrize("fmt", ["console", "markdown", "junit", "github"])
def test_every_format_renders(hf_folder: Path, suite_file, fmt: str) -> None:
    suite = suite_file("checks:\n  - schema: {}\n")
    result = run("check", str(hf_folder), "-s", str(suite), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "schema" in result.output


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """`curate check … | head -1` ends quietly, without an 'internal error' line."""
    import subprocess
    import sys

    # 3,000 row-level findings: far more JSON than a pipe buffer holds, so the write must break
    write(tmp_path / "train.csv", "a,b\n" + "".join(f"{i},\n" for i in range(3000)))
    write(tmp_path / "curate.yaml", "checks:\n  - expect: {max_findings_per_expectation: 5000, expectations: "
          "[expect_column_values_to_not_be_null: {column: b}]}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate", "check", str(tmp_path), "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdout.read(1)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert b"internal error" not in err and b"Traceback" not in err, err
