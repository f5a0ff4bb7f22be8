"""Report renderers: each format's real output, built from hand-made reports."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from curate.findings import CheckResult, Finding, Report, RowRef, Status
from curate.report import FORMATS, github, print_report, render, write_step_summary

MiB = 1024 * 1024


def _locate(split: str, row: int) -> tuple[str, int | None]:
    """Fake Dataset.locate: train rows are CSV lines (header + 1-based), test is parquet (no lines)."""
    if split == "train":
        return "data/train.csv", row + 2
    if split == "test":
        return "data/test.parquet", None
    raise KeyError(split)


def make_report(*, locate=_locate) -> Report:
    duplicates = [
        Finding(
            f"exact duplicate of train:{i}",
            split="train",
            row=100 + i,
            key=f"id-{100 + i}",
            column="text",
            related=[RowRef("train", i, f"id-{i}")],
            score=float(i),
        )
        for i in range(14)
    ]
    label_errors = [
        Finding(
            "labelled 'business' | but looks like sports\nsecond line",
            split="test",
            row=7,
            key="t-7",
            column="label",
            suggestion={"label": "sports", "confidence": np.float64(0.93)},
            score=0.9,
        ),
        Finding("labelled 'world' but looks like sci/tech", split="train", row=3, key="id-3", column="label", score=0.5),
    ]
    return Report(
        dataset={
            "path": "datasets/news",
            "layout": "huggingface",
            "config": "default",
            "splits": {"train": {"rows": 1200, "files": ["data/train.csv"]}, "test": {"rows": 300, "files": []}},
            "suite": "curate.yaml",
        },
        results=[
            CheckResult("schema", "schema", Status.PASS, "schema matches the lock file", {"columns": 3}),
            CheckResult(
                "duplicates",
                "duplicates",
                Status.FAIL,
                "14 duplicate rows (1.2%)",
                {"duplicates": np.int64(14), "share": np.float64(0.0117), "drift": float("nan"), "inf": np.float32("inf")},
                duplicates,
                seconds=0.25,
            ),
            CheckResult(
                "label_errors",
                "label_errors",
                Status.WARN,
                "2 likely label errors",
                {"issues": 2, "share": np.float32(0.5)},
                label_errors,
                severity="warning",
            ),
            CheckResult("drift", "drift[train→test]", Status.ERROR, "the check crashed: KeyError: 'x'", seconds=0.01),
        ],
        notes=["label inferred: label (by column name)"],
        locate=locate,
    )


EMPTY = Report(dataset={"path": "."}, results=[])


# ---------------------------------------------------------------- entry point


def test_formats_and_unknown_format():
    assert FORMATS == ("console", "json", "markdown", "junit", "github", "pr-comment", "sarif")
    with pytest.raises(ValueError, match="html"):
        render(make_report(), "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_empty_report(fmt):
    out = render(EMPTY, fmt, width=80)
    assert isinstance(out, str) and out.strip()
    if fmt == "json":
        data = json.loads(out)
        assert data["results"] == [] and data["summary"] == {"pass": 0, "warn": 0, "fail": 0, "error": 0, "skip": 0}
    if fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite.get("tests") == "0" and suite.findall("testcase") == []
    if fmt == "github":
        assert not any(line.startswith("::") for line in out.splitlines())
        assert "no checks ran" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_dataset_block_missing(fmt):
    """Hand-built reports from library users may have an almost empty dataset block."""
    report = Report(dataset={}, results=[CheckResult("x", "x", Status.FAIL, "bad", findings=[Finding("m")])])
    assert "x" in render(report, fmt)


# ---------------------------------------------------------------- json


def _strict_loads(text: str):
    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=reject)


def test_json_is_strict_and_matches_contract():
    report = make_report()
    data = _strict_loads(render(report, "json"))
    assert set(data) >= {"dataset", "summary", "results"}
    assert data["dataset"]["path"] == "datasets/news"
    assert data["summary"] == {"pass": 1, "warn": 1, "fail": 1, "error": 1, "skip": 0}
    assert [r["check"] for r in data["results"]] == ["schema", "duplicates", "label_errors", "drift"]
    dup = data["results"][1]
    assert dup["name"] == "duplicates" and dup["status"] == "fail" and dup["message"] == "14 duplicate rows (1.2%)"
    assert dup["metrics"] == {"duplicates": 14, "share": 0.0117, "drift": None, "inf": None}
    assert isinstance(dup["metrics"]["duplicates"], int)
    assert len(dup["findings"]) == 14  # JSON holds every finding, not just the worst
    first = dup["findings"][0]
    assert {k: first[k] for k in ("split", "row", "key", "column", "message")} == {
        "split": "train",
        "row": 100,
        "key": "id-100",
        "column": "text",
        "message": "exact duplicate of train:0",
    }
    assert first["related"] == [{"split": "train", "row": 0, "key": "id-0"}]
    assert first["suggestion"] is None
    label = data["results"][2]["findings"][0]
    assert label["suggestion"] == {"label": "sports", "confidence": 0.93}
    assert label["message"] == "labelled 'business' | but looks like sports\nsecond line"
    assert data["results"][2]["metrics"]["share"] == 0.5
    assert data["results"][3]["status"] == "error" and data["results"][3]["findings"] == []


def test_json_writes_one_line_per_finding_and_equals_the_indented_document():
    """Findings are written by the C encoder, one per line; the document is the one ``json`` would
    indent, value for value, even when a finding's text looks like the placeholder a list stands for."""
    from curate.report import json_report
    from curate.report._common import plain

    report = make_report()
    mimic = Finding('"findings": "0123abcd-1"\n  ]', split="train", row=7, suggestion={"label": "x\u2028y"})
    report.results[0].findings.append(mimic)
    text = json_report.render(report)
    assert _strict_loads(text) == plain(report.to_dict())
    finding_lines = [line for line in text.split("\n") if line.lstrip().startswith('{"split"')]
    assert len(finding_lines) == sum(len(r.findings) for r in report.results)
    assert _strict_loads(finding_lines[0].strip().rstrip(",")) == plain(report.results[0].findings[0].to_dict())
    assert json_report.render(report, indent=None).count("\n") == 0


def test_json_handles_numpy_everywhere():
    odd = Finding(
        "m",
        split="train",
        row=np.int64(4),
        suggestion={"values": np.array([1.0, np.nan]), np.int64(3): np.bool_(True), "p": np.float32(0.1)},
    )
    report = Report({"path": Path("x/y"), "n": np.int32(5)}, [CheckResult("c", "c", Status.FAIL, "m", findings=[odd])])
    data = _strict_loads(render(report, "json"))
    assert data["dataset"] == {"path": "x/y", "n": 5}
    finding = data["results"][0]["findings"][0]
    assert finding["row"] == 4
    assert finding["suggestion"] == {"values": [1.0, None], "3": True, "p": 0.1}


# ---------------------------------------------------------------- console


def test_console_plain_at_width_80():
    out = render(make_report(), "console", width=80, color=False)
    assert "\x1b[" not in out  # no escape codes without colour
    assert all(len(line) <= 80 for line in out.splitlines())
    for name in ("schema", "duplicates", "label_errors", "drift[train→test]"):
        assert name in out
    for status in ("pass", "warn", "fail", "error"):
        assert status in out
    # header: path, layout, splits with row counts, suite; notes
    assert "datasets/news" in out and "huggingface" in out and "train 1,200 rows" in out and "curate.yaml" in out
    assert "label inferred: label (by column name)" in out
    # the worst finding (highest score) is shown, the least bad is cut, with a count of the rest
    assert "train:113" in out and "exact duplicate of train:13" in out
    assert "train:100 " not in out and "exact duplicate of train:0\n" not in out
    assert "… and 4 more" in out
    # suggestion and key shown compactly
    assert "label=sports, confidence=0.93" in out and "t-7" in out
    # metrics compactly, NaN shown as a dash
    assert "share=0.0117" in out
    assert out.rstrip().splitlines()[-1].startswith("FAILED")
    assert "4 checks: 1 passed, 1 warning, 1 failed, 1 error" in out


def test_console_max_findings_and_colour():
    out = render(make_report(), "console", max_findings=2, width=120)
    assert "… and 12 more" in out
    assert "metrics" in out  # wide consoles get a metrics column
    coloured = render(make_report(), "console", color=True)
    assert "\x1b[" in coloured


def test_console_does_not_interpret_markup_in_data():
    report = Report({"path": "[red]p"}, [CheckResult("c", "c", Status.FAIL, "[bold]m[/bold]", findings=[Finding("[x]")])])
    out = render(report, "console", width=80)
    assert "[red]p" in out and "[bold]m[/bold]" in out and "[x]" in out


def test_console_passing_report_verdict():
    report = Report({"path": "."}, [CheckResult("schema", "schema", Status.PASS, "ok")])
    out = render(report, "console", width=80)
    assert out.rstrip().splitlines()[-1] == "PASSED — 1 check: 1 passed"


def test_print_report_writes_to_given_console():
    import io

    from rich.console import Console

    buf = io.StringIO()
    print_report(make_report(), "console", Console(file=buf, width=80, force_terminal=False))
    assert "duplicates" in buf.getvalue()
    buf = io.StringIO()
    print_report(make_report(), "json", Console(file=buf, width=20))
    assert _strict_loads(buf.getvalue())["summary"]["fail"] == 1  # not wrapped at width 20


# ---------------------------------------------------------------- markdown


def test_markdown_tables_and_escaping():
    out = render(make_report(), "markdown")
    lines = out.splitlines()
    assert "| check | status | findings | message |" in lines
    assert "| duplicates | ❌ fail | 14 | 14 duplicate rows (1.2%) |" in lines
    assert any(line.startswith("| label\\_errors | ⚠️ warn | 2 |") for line in lines)
    assert any(line.startswith("| schema | ✅ pass | 0 |") for line in lines)
    # findings table for failing and warning checks, none for the passing one
    assert "### ❌ fail: duplicates" in lines and "### ⚠️ warn: label\\_errors" in lines
    assert not any(line.startswith("### ") and "schema" in line for line in lines)
    assert "| train | 113 | id-113 | text | exact duplicate of train:13 (related: train:13) |  |" in lines
    assert "_… and 4 more (see the JSON report for all findings)._" in lines
    # pipes escaped and newlines kept inside the cell, so every table row has the right column count
    row = next(line for line in lines if "business" in line)
    assert "\\| but looks like sports<br>second line" in row
    assert row.count("|") - row.count("\\|") == 7
    assert "label=sports, confidence=0.93" in row


def test_markdown_cell_escapes_html():
    from curate.cells import CELL_LIMIT, cell

    assert cell("a|b\r\nc<!-- d") == "a\\|b<br>c\\<!-- d"
    assert len(cell("x" * 10_000)) <= CELL_LIMIT


# ---------------------------------------------------------------- junit


def test_junit_counts_and_elements():
    out = render(make_report(), "junit")
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite.get("name") == "curate"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("4", "1", "1", "0")
    assert float(suite.get("time")) == pytest.approx(0.26)
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["duplicates"].get("classname") == "curate.duplicates"
    assert cases["duplicates"].get("time") == "0.250"
    failure = cases["duplicates"].find("failure")
    assert failure.get("type") == "fail" and failure.get("message") == "14 duplicate rows (1.2%)"
    assert "exact duplicate of train:13" in failure.text and "… and 4 more" in failure.text
    assert cases["drift[train→test]"].find("error") is not None
    assert cases["schema"].find("failure") is None and cases["schema"].find("error") is None
    warn = cases["label_errors"]
    assert warn.find("failure") is None and warn.find("error") is None
    assert "sports" in warn.find("system-out").text
    props = {p.get("name"): p.get("value") for p in warn.find("properties")}
    assert props["status"] == "warn" and props["metric.issues"] == "2"
    dup_props = {p.get("name"): p.get("value") for p in cases["duplicates"].find("properties")}
    assert dup_props["metric.share"] == "0.0117" and dup_props["metric.drift"] == "null"


def test_junit_survives_control_characters():
    bad = "nul\x00 bell\x07 <tag> & \"quote\""
    report = Report({"path": "."}, [CheckResult("c", bad, Status.FAIL, bad, findings=[Finding(bad, key=bad)])])
    root = ET.fromstring(render(report, "junit"))
    case = root.find("testsuite/testcase")
    assert "<tag> & \"quote\"" in case.get("name")
    assert "<tag>" in case.find("failure").text


# ---------------------------------------------------------------- github


def test_github_annotation_lines():
    lines = render(make_report(), "github").splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 10
    # worst check first: the crashed check, without a location
    assert commands[0] == "::error title=curate drift[train→test]::the check crashed: KeyError: 'x'"
    # then the failing check's worst finding, located in the data file under the dataset path
    assert commands[1] == (
        "::error file=datasets/news/data/train.csv,line=115,title=curate duplicates::"
        "train:113 (key id-113) [text]: exact duplicate of train:13 (related: train:13)"
    )
    assert all(c.startswith("::error ") for c in commands)  # the 10 slots go to the worst checks
    # then every check on a plain line, and the verdict last
    assert "  pass   schema — schema matches the lock file" in lines
    assert "  fail   duplicates — 14 duplicate rows (1.2%) (14 findings)" in lines
    assert lines[-1] == "curate: FAILED — 4 checks: 1 passed, 1 warning, 1 failed, 1 error"


def test_github_warnings_escaping_and_missing_line():
    out = render(make_report(), "github", max_findings=20).splitlines()
    warnings = [line for line in out if line.startswith("::warning ")]
    assert len(warnings) == 2
    assert warnings[0] == (
        "::warning file=datasets/news/data/test.parquet,title=curate label_errors::"
        "test:7 (key t-7) [label]: labelled 'business' | but looks like sports%0Asecond line"
        " → suggestion: label=sports, confidence=0.93"
    )
    assert warnings[1].startswith("::warning file=datasets/news/data/train.csv,line=5,")


def test_github_escaping_rules():
    assert github.escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.command("error", "x", title="t: 1, 2", file="a,b:c.csv", line=3)
    assert line == "::error file=a%2Cb%3Ac.csv,line=3,title=t%3A 1%2C 2::x"


def test_github_locate_failures_and_paths(monkeypatch):
    def broken(split, row):
        raise IndexError(row)

    out = render(make_report(locate=broken), "github")
    assert "::error title=curate duplicates::train:113" in out  # no file=, still reported
    out = render(make_report(locate=None), "github")
    assert "file=" not in out

    report = make_report(locate=lambda s, r: ("./sub/../train.csv", None))
    report.dataset["path"] = "./datasets//news/"
    assert "::error file=datasets/news/train.csv,title=" in render(report, "github")
    report.dataset["path"] = "."
    assert "::error file=train.csv,title=" in render(report, "github")
    monkeypatch.setenv("GITHUB_WORKSPACE", "/home/runner/work/repo")
    report.dataset["path"] = "/home/runner/work/repo/data"
    assert "::error file=data/train.csv,title=" in render(report, "github")


def test_step_summary_appends(tmp_path, monkeypatch):
    target = tmp_path / "summary.md"
    target.write_text("# earlier step output\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    written = write_step_summary(make_report())
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# earlier step output\n")
    assert "| duplicates | ❌ fail | 14 | 14 duplicate rows (1.2%) |" in text
    assert written == target.stat().st_size - len("# earlier step output\n")
    write_step_summary(make_report())
    assert target.read_text(encoding="utf-8").count("## curate: FAILED") == 2


def test_step_summary_without_target_does_nothing(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert write_step_summary(make_report()) == 0


def _big_report(findings: int) -> Report:
    many = [
        Finding(f"duplicate number {i} " + "x" * 80, split="train", row=i, key=f"k{i}", column="text", score=float(i))
        for i in range(findings)
    ]
    return Report({"path": "."}, [CheckResult("duplicates", "duplicates", Status.FAIL, "lots", findings=many)])


def test_step_summary_capped_with_100k_findings(tmp_path):
    target = tmp_path / "summary.md"
    report = _big_report(100_000)
    # every finding requested: far over 1 MiB, so the findings tables are dropped first
    write_step_summary(report, target, max_findings=100_000)
    text = target.read_text(encoding="utf-8")
    assert target.stat().st_size < MiB
    assert "| duplicates | ❌ fail | 100,000 | lots |" in text
    assert "100,000 findings, not listed here" in text
    # the default (10 worst) fits whole
    target.unlink()
    write_step_summary(report, target)
    assert "duplicate number 99999" in target.read_text(encoding="utf-8")


def test_step_summary_truncated_when_summary_alone_is_too_big(tmp_path):
    target = tmp_path / "summary.md"
    target.write_bytes(b"a" * 1000)
    checks = [CheckResult("expect", f"expectation {i} é", Status.WARN, "ü" * 150) for i in range(10_000)]
    report = Report({"path": "."}, checks)
    written = write_step_summary(report, target)
    size = target.stat().st_size
    assert written > 0 and size < MiB and size > MiB - 2000
    text = target.read_text(encoding="utf-8")  # valid UTF-8: no character cut in half
    assert text.rstrip().endswith("see the JSON report._")
    # a file already at the limit gets nothing more
    target.write_bytes(b"a" * MiB)
    assert write_step_summary(report, target) == 0
    assert target.stat().st_size == MiB


def test_json_nan_never_leaks():
    report = Report({"path": "."}, [CheckResult("c", "c", Status.PASS, "m", {"a": math.nan, "b": np.float64(np.nan)})])
    assert "NaN" not in render(report, "json")


# ---------------------------------------------------------------- skip


def _skip_report() -> Report:
    return Report(
        dataset={"path": "."},
        results=[
            CheckResult("duplicates", "duplicates", Status.PASS, "no duplicate rows in 10 rows"),
            CheckResult("balance", "balance", Status.SKIP, "nothing to audit: no sensitive columns"),
        ],
    )


def test_skip_is_its_own_status_in_every_format():
    report = _skip_report()
    assert report.exit_code("error") == 0 and report.exit_code("warning") == 0
    assert report.summary() == {"pass": 1, "warn": 0, "fail": 0, "error": 0, "skip": 1}
    console = render(report, "console")
    assert "– skip" in console and "✓ pass" in console and "1 passed, 1 skipped" in console
    assert "PASSED" in console
    data = json.loads(render(report, "json"))
    assert [r["status"] for r in data["results"]] == ["pass", "skip"]
    assert "⏭️ skip" in render(report, "markdown")
    root = ET.fromstring(render(report, "junit"))
    assert root.get("skipped") == "1"
    assert root.find(".//testcase[@name='balance']/skipped").get("message").startswith("nothing to audit")
    lines = render(report, "github").splitlines()
    assert not any(line.startswith("::") for line in lines)  # a skip is no annotation
    assert any(line.strip().startswith("skip") and "balance" in line for line in lines)


def test_all_skipped_says_nothing_was_checked():
    report = Report({"path": "."}, [CheckResult("drift", "drift", Status.SKIP, "nothing to compare")])
    assert "NOTHING CHECKED" in render(report, "console") and report.exit_code("warning") == 0
