"""The console report: what a person reads in a terminal or a CI log.

Built from rich renderables so the same layout is printed in colour to a terminal and as
plain text (no escape codes) to a file or pipe. All data goes through ``Text`` objects, never
markup strings, so brackets in user data cannot be mistaken for rich markup.
"""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from curate.checks.base import hooks
from curate.findings import CheckResult, Report, Status
from curate.gating import NEW, ordered_findings
from curate.report._common import (
    counts_text,
    metrics_text,
    one_line,
    problem_results,
    related_text,
    short,
    split_sizes,
    suggestion_text,
    verdict,
    where,
    worst_status,
)

# A symbol as well as a colour, so the status still reads without colour.
STATUS_STYLE = {
    Status.PASS: ("✓ pass", "green"),
    Status.WARN: ("! warn", "yellow"),
    Status.FAIL: ("✗ fail", "bold red"),
    Status.ERROR: ("‼ error", "bold magenta"),
    Status.SKIP: ("– skip", "dim"),
}


def status_text(status: Status | str) -> Text:
    label, style = STATUS_STYLE[Status(status)]
    return Text(label, style=style)


def header(report: Report) -> Text:
    """'curate check PATH' plus layout, splits with row counts and suite."""
    ds: dict[str, Any] = report.dataset or {}
    text = Text.assemble(("curate check ", "bold"), (str(ds.get("path", "?")), "bold cyan"))
    details = [f"layout {ds['layout']}" if ds.get("layout") else "", f"config {ds['config']}" if ds.get("config") else ""]
    if any(details):
        text.append(f"  ({', '.join(d for d in details if d)})", style="dim")
    sizes = split_sizes(ds)
    if sizes:
        text.append("\nsplits: " + ", ".join(name if rows is None else f"{name} {rows:,} rows" for name, rows in sizes))
    if ds.get("suite"):
        text.append(f"\nsuite: {ds['suite']}")
    return text


def summary_table(report: Report, width: int = 100) -> Table:
    """One row per check; the message takes the remaining width and wraps.

    Metrics get their own column on wide consoles and a dim second line under the message
    on narrow ones (80 columns), where five columns would squeeze the message to a sliver.
    """
    wide = width >= 100
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("check", overflow="fold", max_width=24)
    table.add_column("status", no_wrap=True)
    table.add_column("findings", justify="right", no_wrap=True)
    if wide:
        table.add_column("metrics", overflow="fold", max_width=32, style="dim")
    table.add_column("message", overflow="fold", ratio=1)
    for r in report.results:
        message = Text(short(one_line(r.message), 300))
        metrics = metrics_text(r.metrics)
        cells = [Text(r.name), status_text(r.status), Text(f"{len(r.findings):,}")]
        if wide:
            cells.append(Text(metrics))
        elif metrics:
            message.append(f"\n{metrics}", style="dim")
        table.add_row(*cells, message)
    return table


def findings_block(result: CheckResult, max_findings: int, report: Report | None = None) -> Group:
    """A non-passing check's worst findings (new ones first against a baseline): where, column, message, suggestion."""
    title = Text.assemble(status_text(result.status), " ", (result.name, "bold"))
    if result.message:
        title.append(f" — {short(one_line(result.message), 300)}")
    parts: list[RenderableType] = [title]
    shown = ordered_findings(report, result, max_findings) if report is not None else [
        (f, None) for f in result.worst_findings(max_findings)]
    if shown:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="cyan", overflow="fold", max_width=32)
        grid.add_column(overflow="fold", ratio=1)
        for f, state in shown:
            body = Text()
            if state == NEW:
                body.append("new ", style="bold yellow")
            if f.column:
                body.append(f"[{short(f.column, 40)}] ", style="bold")
            body.append(short(one_line(f.message), 400))
            if f.related:
                body.append(f" (related: {related_text(f)})", style="dim")
            if f.suggestion:
                body.append(f" → {suggestion_text(f.suggestion)}", style="green")
            grid.add_row(Text(where(f) or "–"), body)
        parts.append(Padding(grid, (0, 0, 0, 2)))
    hidden = len(result.findings) - len(shown)
    if hidden > 0:
        parts.append(Text(f"  … and {hidden:,} more", style="dim"))
    return Group(*parts)


def gate_block(report: Report, max_findings: int) -> Text:
    """The baseline comparison: counts, then the first fixed findings."""
    text = Text.assemble(("baseline", "bold"), f": {report.gate.summary_text()}")
    fixed = list(report.gate.fixed_findings())
    for name, f in fixed[:max_findings]:
        place = ":".join(str(v) for v in (f.get("split"), f.get("row")) if v is not None)
        text.append(f"\n  fixed {short(name, 40)} {place} {short(one_line(f.get('message')), 200)}", style="green")
    if len(fixed) > max_findings:
        text.append(f"\n  … and {len(fixed) - max_findings:,} more fixed", style="dim")
    return text


def group_tables(report: Report) -> list[RenderableType]:
    """The tables some checks keep besides findings (``Check.render_tables``: ``balance``'s groups)."""
    out: list[RenderableType] = []
    for result in report.results:
        tables = hooks(result.check).render_tables(result, "console")
        if tables is not None:
            out += [Text(""), Text.assemble(("groups", "bold"), f" — {result.name}"), tables]
    return out


def renderables(report: Report, *, max_findings: int = 10, width: int = 100) -> list[RenderableType]:
    """The whole report as a list of rich renderables, printed one after another."""
    out: list[RenderableType] = [header(report)]
    for note in report.notes:
        out.append(Text(f"note: {note}", style="dim"))
    out.append(Text(""))
    if report.results:
        out.append(summary_table(report, width))
    for result in problem_results(report):
        out.append(Text(""))
        out.append(findings_block(result, max_findings, report))
    out += group_tables(report)
    if report.gate is not None:
        out += [Text(""), gate_block(report, max_findings)]
    style = {Status.PASS: "bold green", Status.SKIP: "dim", Status.WARN: "bold yellow"}.get(worst_status(report), "bold red")
    out.append(Text(""))
    out.append(Text.assemble((verdict(report), style), f" — {counts_text(report)}"))
    return out


def make_console(file: Any = None, *, width: int = 100, color: bool = False) -> Console:
    """A console with fixed width and colour, ignoring the environment (COLUMNS, FORCE_COLOR)."""
    return Console(
        file=file if file is not None else io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        force_jupyter=False,
        soft_wrap=False,
    )


def render(report: Report, *, max_findings: int = 10, width: int = 100, color: bool = False) -> str:
    """The console report as a string (ANSI colours only when ``color``)."""
    console = make_console(width=width, color=color)
    for item in renderables(report, max_findings=max_findings, width=width):
        console.print(item)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    # rich pads table lines to the full width; trailing blanks only add noise to logs and diffs
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))
