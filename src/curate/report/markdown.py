"""The markdown report: for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Dataset values end up in table cells, so cells are escaped: a ``|`` would split the row, a
newline would end the table, and ``<!--`` or other HTML would hide the rest of the comment.
"""

from __future__ import annotations

from typing import Any

from curate.cells import cell
from curate.checks.base import hooks
from curate.findings import CheckResult, Report, Status
from curate.gating import NEW, ordered_findings
from curate.report._common import (
    counts_text,
    fmt_number,
    problem_results,
    related_text,
    split_sizes,
    suggestion_text,
    verdict,
)

STATUS_MD = {Status.PASS: "✅ pass", Status.WARN: "⚠️ warn", Status.FAIL: "❌ fail", Status.ERROR: "💥 error", Status.SKIP: "⏭️ skip"}


def _row(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def header(report: Report) -> list[str]:
    """Title with the verdict, then dataset, splits and suite, then notes."""
    ds: dict[str, Any] = report.dataset or {}
    lines = [f"## curate: {verdict(report)}", "", f"{counts_text(report)}.", ""]
    facts = [f"**Dataset:** {cell(ds.get('path', '?'))}"]
    if ds.get("layout"):
        facts.append(f"layout {cell(ds['layout'])}")
    sizes = split_sizes(ds)
    if sizes:
        facts.append("splits: " + ", ".join(cell(n) if r is None else f"{cell(n)} ({fmt_number(r)} rows)" for n, r in sizes))
    if ds.get("suite"):
        facts.append(f"suite: {cell(ds['suite'])}")
    lines += [" · ".join(facts), ""]
    lines += [f"> {cell(note, 1000)}  " for note in report.notes]
    if report.notes:
        lines.append("")
    return lines


def summary_table(report: Report) -> list[str]:
    """check | status | findings | message, one row per check in suite order."""
    if not report.results:
        return ["_No checks ran._", ""]
    lines = [_row(["check", "status", "findings", "message"]), "|---|---|---:|---|"]
    for r in report.results:
        lines.append(_row([cell(r.name), STATUS_MD[Status(r.status)], f"{len(r.findings):,}", cell(r.message, 300)]))
    return lines + [""]


def findings_section(result: CheckResult, max_findings: int, report: Report | None = None) -> list[str]:
    """A heading per failing/warning check and a table of its worst findings (new ones first, marked)."""
    lines = [f"### {STATUS_MD[Status(result.status)]}: {cell(result.name)}", ""]
    if result.message:
        lines += [cell(result.message, 1000), ""]
    shown = ordered_findings(report, result, max_findings) if report is not None else [
        (f, None) for f in result.worst_findings(max_findings)]
    if shown:
        lines += [_row(["split", "row", "key", "column", "message", "suggestion"]), "|---|---:|---|---|---|---|"]
        for f, state in shown:
            message = ("🆕 " if state == NEW else "") + cell(f.message + (f" (related: {related_text(f)})" if f.related else ""))
            lines.append(
                _row(
                    [
                        cell(f.split or ""),
                        "" if f.row is None else str(f.row),
                        cell(f.key if f.key is not None else "", 40),
                        cell(f.column or ""),
                        message,
                        cell(suggestion_text(f.suggestion)),
                    ]
                )
            )
        lines.append("")
    hidden = len(result.findings) - len(shown)
    if hidden > 0 and shown:
        lines += [f"_… and {hidden:,} more (see the JSON report for all findings)._", ""]
    elif hidden > 0:
        lines += [f"_{hidden:,} finding{'s' if hidden != 1 else ''}, not listed here (see the JSON report)._", ""]
    return lines


def render(report: Report, *, max_findings: int = 10, findings: bool = True) -> str:
    """The markdown document; ``findings=False`` leaves out the per-check findings tables."""
    lines = header(report) + summary_table(report)
    for result in problem_results(report):
        lines += findings_section(result, max_findings if findings else 0, report)
    if report.gate is not None:
        lines += gate_section(report, max_findings if findings else 0)
    if findings:
        lines += group_tables(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def gate_section(report: Report, max_findings: int) -> list[str]:
    """The baseline comparison: counts, then a table of the first fixed findings."""
    lines = ["### Baseline", "", f"{cell(report.gate.summary_text(), 1000)}.", ""]
    fixed = list(report.gate.fixed_findings())
    if fixed and max_findings:
        lines += [_row(["fixed in", "split", "row", "key", "message"]), "|---|---|---:|---|---|"]
        for name, f in fixed[:max_findings]:
            row = f.get("row")
            lines.append(_row([cell(name), cell(f.get("split") or ""), "" if row is None else cell(row),
                               cell(f.get("key") if f.get("key") is not None else "", 40), cell(f.get("message"))]))
        lines.append("")
        if len(fixed) > max_findings:
            lines += [f"_… and {len(fixed) - max_findings:,} more fixed._", ""]
    return lines


def group_tables(report: Report) -> list[str]:
    """The tables some checks keep besides findings (``Check.render_tables``: ``balance``'s groups)."""
    lines: list[str] = []
    for result in report.results:
        tables = hooks(result.check).render_tables(result, "markdown")
        if tables:
            lines += [f"### Groups: {cell(result.name)}", ""] + tables
    return lines
