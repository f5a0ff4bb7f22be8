"""The pull-request comment (``--format pr-comment``): a verdict a reviewer reads in seconds.

Compact markdown: the verdict, one table row per check, then each problem check's findings
(new ones first against a baseline) collapsed in ``<details>``. It always stays under GitHub's
comment limit, and starts with a hidden marker that never changes, so a workflow can find its
previous comment and edit it instead of adding one per push.
"""

from __future__ import annotations

from curate import escape
from curate.findings import CheckResult, Report, Status
from curate.gating import NEW, ordered_findings
from curate.report._common import counts_text, problem_results, related_text, suggestion_text, verdict
from curate.report.markdown import STATUS_MD, cell

MARKER = "<!-- curate:pr-comment -->"
COMMENT_LIMIT = 65_536  # GitHub rejects longer comment bodies (characters)
TRUNCATED = "\n_… cut to fit GitHub's comment size; the JSON report has every finding._\n"


def _row(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _new_count(report: Report, result: CheckResult) -> int | None:
    gate = report.gate.of(result) if report.gate is not None else None
    return gate.new if gate is not None else None


def head(report: Report) -> list[str]:
    """Marker, verdict, counts and the baseline comparison."""
    lines = [MARKER, f"### curate: {verdict(report)}", "", f"{counts_text(report)}."]
    if report.gate is not None:
        t = report.gate.totals()
        lines[-1] += f" Against the baseline: **{t['new']:,} new**, {t['fixed']:,} fixed, {t['unchanged']:,} unchanged."
    return lines + [""]


def checks_table(report: Report) -> list[str]:
    """check | status | findings (| new) | message — problem checks first."""
    if not report.results:
        return ["_No checks ran._", ""]
    gated = report.gate is not None
    lines = [_row(["check", "status", "findings", *(["new"] if gated else []), "message"]),
             "|---|---|---:|" + ("---:|" if gated else "") + "---|"]
    quiet = [r for r in report.results if Status(r.status) in (Status.PASS, Status.SKIP)]
    for r in problem_results(report) + quiet:
        new = _new_count(report, r)
        extra = [f"{new:,}" if new is not None else "–"] if gated else []
        lines.append(_row([cell(r.name), STATUS_MD[Status(r.status)], f"{len(r.findings):,}", *extra, cell(r.message, 160)]))
    return lines + [""]


def details(report: Report, result: CheckResult, max_findings: int) -> list[str]:
    """One collapsed block: the check's first findings, new ones first and marked."""
    shown = ordered_findings(report, result, max_findings)
    if not shown:
        return []
    new = _new_count(report, result)
    label = f"{escape.markdown_html(result.name)}: {len(result.findings):,} finding{'s' if len(result.findings) != 1 else ''}"
    label += f" ({new:,} new)" if new else ""
    lines = ["<details>", f"<summary>{STATUS_MD[Status(result.status)]} {label}</summary>", "",
             _row(["", "split:row", "key", "column", "message", "suggestion"]), "|---|---|---|---|---|---|"]
    for f, state in shown:
        place = f.split or "" if f.row is None else f"{f.split}:{f.row}"
        message = f.message + (f" (related: {related_text(f)})" if f.related else "")
        lines.append(_row(["🆕" if state == NEW else "", cell(place, 60), cell(f.key if f.key is not None else "", 40),
                           cell(f.column or "", 60), cell(message, 300), cell(suggestion_text(f.suggestion), 120)]))
    hidden = len(result.findings) - len(shown)
    if hidden > 0:
        lines += ["", f"_… and {hidden:,} more in the JSON report._"]
    return lines + ["", "</details>", ""]


def _compose(report: Report, max_findings: int) -> str:
    lines = head(report) + checks_table(report)
    for result in problem_results(report):
        lines += details(report, result, max_findings)
    return "\n".join(lines).rstrip("\n") + "\n"


def length(text: str) -> int:
    """The comment's size as GitHub may count it: UTF-16 units, never fewer than characters (emoji count 2)."""
    return len(text.encode("utf-16-le")) // 2


def render(report: Report, *, max_findings: int = 10, limit: int = COMMENT_LIMIT) -> str:
    """The comment body, strictly shorter than ``limit``, measured as posted.

    The size is taken after every escape (markdown, and the workflow-command guard that
    :func:`curate.report.render` applies to stdout), since escaping can make data text several
    times longer. Fewer findings per check are shown until it fits; if even the table alone is
    too long (a suite with thousands of checks), it is cut at a line boundary with a note.
    """
    for n in dict.fromkeys((max_findings, 5, 2, 0)):
        if n > max_findings:
            continue
        text = escape.command_safe(_compose(report, n))
        if length(text) < limit:
            return text
    budget = limit - 1 - length(TRUNCATED)
    cut = text[:budget]
    cut = cut[: budget - (length(cut) - len(cut))]  # each emoji beyond the BMP counts twice
    return cut[: cut.rfind("\n") + 1] + TRUNCATED
