"""``--format pr-comment``: a compact comment under GitHub's size limit with a stable marker."""

from __future__ import annotations

import json

from curate.findings import CheckResult, Finding, Report, Status
from curate.gating import compare
from curate.report import render
from curate.report.pr_comment import COMMENT_LIMIT, MARKER

from test_gating import adult_rows, cli, dataset  # noqa: F401 — fixtures and helpers
from test_report import make_report


def test_layout_verdict_table_and_collapsed_details() -> None:
    text = render(make_report(), "pr-comment")
    lines = text.splitlines()
    assert lines[0] == MARKER and lines[1] == "### curate: FAILED"
    table = [line for line in lines[: lines.index("<details>")] if line.startswith("| ") and "|---" not in line]
    # problem checks first (worst first), then the quiet ones
    assert [row.split(" | ")[0][2:] for row in table[1:]] == ["drift\\[train→test\\]", "duplicates", "label\\_errors", "schema"]
    assert text.count("<details>") == text.count("</details>") == 2  # the crash has no findings to list
    assert "<summary>❌ fail duplicates: 14 findings</summary>" in text
    assert "_… and 4 more in the JSON report._" in text


def test_marker_is_stable_and_not_forgeable_by_data() -> None:
    report = make_report()
    report.results[1].findings[0].message = "<!-- curate:pr-comment --> </details> <summary>x"
    text = render(report, "pr-comment", max_findings=20)
    assert text.count(MARKER) == 1 and text.startswith(MARKER)
    assert text.count("</details>") == 2 and text.count("<summary>") == 2
    assert render(Report({"path": "."}, []), "pr-comment").startswith(MARKER + "\n")


def test_new_findings_first_against_a_baseline() -> None:
    before, now = make_report(), make_report()
    now.results[1].findings.append(Finding("exact duplicate of train:2", split="train", row=999, key="new-key", score=0.0))
    compare(now, "b.json", json.loads(render(before, "json")))
    text = render(now, "pr-comment", max_findings=3)
    assert "Against the baseline: **1 new**, 0 fixed, 16 unchanged." in text  # noqa: SIM
    block = text[text.index("<summary>❌ fail duplicates"):]
    first_row = block.splitlines()[4]
    assert first_row.startswith("| 🆕 | train:999 | new-key |")
    assert "| duplicates | ❌ fail | 15 | 1 |" in text


def test_always_under_githubs_limit() -> None:
    long = "y" * 5000
    many = [CheckResult("duplicates", f"dup{i}", Status.FAIL, long,
                        findings=[Finding(long, split="train", row=j, key=long, column=long) for j in range(50)])
            for i in range(500)]
    for report in (Report({"path": "."}, many[:3]), Report({"path": "."}, many)):
        text = render(report, "pr-comment", max_findings=50)
        assert len(text) < COMMENT_LIMIT and text.startswith(MARKER)
    assert "cut to fit GitHub's comment size" in text  # 500 checks: even the table is cut
    small = render(Report({"path": "."}, many[:3]), "pr-comment", max_findings=50)
    assert small.count("<details>") == 3  # fewer findings per check, every check still listed


def test_cli_on_real_data(tmp_path, adult_rows) -> None:
    result = cli("check", dataset(tmp_path, adult_rows), "--format", "pr-comment", "--max-findings", "2")
    assert result.exit_code == 1 and result.stdout.startswith(MARKER)
    assert "| duplicates | ❌ fail | 24 |" in result.stdout
