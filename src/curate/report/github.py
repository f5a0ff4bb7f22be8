"""GitHub Actions output: annotations on the offending file and line, and the step summary.

Annotations are workflow commands printed to stdout. GitHub shows at most 10 error and 10
warning annotations per step, so only the worst few are printed; the step summary (markdown)
and the JSON report carry the rest.
"""

from __future__ import annotations

import os
from pathlib import Path

from curate import escape
from curate.findings import Finding, Report, Status
from curate.gating import NEW, ordered_findings
from curate.report import markdown
from curate.report._common import (
    annotation_path,
    counts_text,
    finding_line,
    one_line,
    problem_results,
    short,
    verdict,
)

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects step summaries of 1 MiB or more
TRUNCATED_NOTE = "\n\n_… truncated: the report is larger than GitHub's step summary limit; see the JSON report._\n"


def escape_data(text: str) -> str:
    """Escape a command's message (GitHub's toolkit rules: %, CR, LF; control characters shown)."""
    return escape.workflow_message(text)


def escape_property(text: str) -> str:
    """Escape a command property value: as a message, plus ':' and ','."""
    return escape.workflow_property(text)


def location(report: Report, finding: Finding) -> tuple[str | None, int | None]:
    """(path relative to the checkout, 1-based line) of a finding's row, or (None, None).

    A row that cannot be located (locate raises, or the finding has no row) only loses its
    annotation's position; it must never stop the CI step from reporting.
    """
    if report.locate is None or finding.split is None or finding.row is None:
        return None, None
    try:
        relative, line = report.locate(finding.split, int(finding.row))
        path = annotation_path((report.dataset or {}).get("path"), os.fspath(relative))
        return path, (int(line) if line is not None else None)
    except Exception:  # noqa: BLE001 — any failure just drops the position
        return None, None


def command(level: str, message: str, *, title: str, file: str | None = None, line: int | None = None) -> str:
    """``::level file=F,line=N,title=T::message`` with absent properties left out."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line is not None:
            props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def annotations(report: Report, limit: int = 10) -> list[str]:
    """Up to ``limit`` annotations: worst checks first, each check's worst findings first.

    A failing check without findings (a crash, a metric over its threshold) gets one
    annotation with its message, so it is not invisible in the pull-request view. Against a
    baseline only new findings (and new metric-only failures) are annotated.
    """
    out: list[str] = []
    gate = report.gate
    for result in problem_results(report):
        if len(out) >= limit:
            break
        level = "warning" if Status(result.status) == Status.WARN else "error"
        title = f"curate {result.name}"
        shown = ordered_findings(report, result, limit - len(out))
        findings = [f for f, state in shown if gate is None or state == NEW]  # against a baseline: only new ones
        if not result.findings and (gate is None or gate.is_blocking(result)):
            out.append(command(level, result.message or Status(result.status).value, title=title))
        for finding in findings:
            file, line = location(report, finding)
            out.append(command(level, short(finding_line(finding), 2000), title=title, file=file, line=line))
    return out


def summary_lines(report: Report) -> list[str]:
    """One plain line per check (the log shows what ran, not only what failed), then the verdict.

    Every plain line passes through :func:`curate.escape.workflow_line`: the runner strips
    leading blanks before looking for ``::``, so indenting alone would not stop dataset text
    (a check name from the dataset's own curate.yaml) from being taken for a workflow command.
    """
    lines = []
    for r in report.results:
        n = len(r.findings)
        found = f" ({n:,} finding{'s' if n != 1 else ''})" if n else ""
        lines.append(f"  {Status(r.status).value:<5}  {r.name} — {short(one_line(r.message), 300)}{found}")
    if report.gate is not None:
        lines.append(f"  {one_line(report.gate.summary_text())}")
    return [escape.workflow_line(line) for line in [*lines, f"curate: {verdict(report)} — {counts_text(report)}"]]


def render(report: Report, *, max_findings: int = 10) -> str:
    """Annotation commands, then a plain line per check and the summary line."""
    return "\n".join([*annotations(report, max_findings), *summary_lines(report)]) + "\n"


def _fit(report: Report, budget: int, max_findings: int) -> bytes:
    """The largest markdown that fits ``budget`` bytes: full, then without findings tables, then cut."""
    for findings in (True, False):
        data = markdown.render(report, max_findings=max_findings, findings=findings).encode("utf-8")
        if len(data) <= budget:
            return data
    note = TRUNCATED_NOTE.encode("utf-8")
    if budget <= len(note):
        return b""
    head = data[: budget - len(note)].decode("utf-8", errors="ignore")  # never split a character
    head = head[: head.rfind("\n")] if "\n" in head else ""  # never split a table row
    return head.encode("utf-8") + note


def write_step_summary(
    report: Report,
    path: str | os.PathLike[str] | None = None,
    *,
    max_findings: int = 10,
    limit: int = STEP_SUMMARY_LIMIT,
) -> int:
    """Append the markdown report to ``path`` (default ``$GITHUB_STEP_SUMMARY``); return bytes written.

    GitHub's limit applies to the whole file, so the budget is ``limit`` minus what earlier
    commands of the step already wrote (kept strictly below the limit). Outside Actions
    (no path, no variable) this does nothing.
    """
    target = path if path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return 0
    target = Path(target)
    report = escape.for_terminal(report)
    existing = target.stat().st_size if target.exists() else 0
    separator = b"\n" if existing else b""
    data = _fit(report, limit - 1 - existing - len(separator), max_findings)
    if not data:
        return 0
    with target.open("ab") as fh:  # binary: no newline translation, exact byte budget
        fh.write(separator + data)
    return len(separator) + len(data)
