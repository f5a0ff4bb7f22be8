"""Report renderers: one module per output format behind a single :func:`render` entry point.

The CLI calls :func:`render` (or :func:`print_report` for a terminal) with ``--format``;
library users can call the format modules directly for their extra options.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from curate.escape import CommandSafeWriter, command_safe, for_terminal, json_text
from curate.findings import Report
from curate.report import console as console_format
from curate.report import github, json_report, markdown, pr_comment
from curate.report.github import write_step_summary

FORMATS = ("console", "json", "markdown", "junit", "github", "pr-comment", "sarif")

__all__ = ["FORMATS", "render", "print_report", "write_step_summary"]


def render(report: Report, fmt: str, *, max_findings: int = 10, width: int = 100, color: bool = False) -> str:
    """The report in format ``fmt`` as a string.

    ``max_findings`` caps the findings shown per check (the number of annotations for
    ``github``; JSON always holds every finding). ``width`` and ``color`` affect only the
    console format. Raises ValueError for an unknown format.
    """
    if fmt not in ("json", "sarif", "github"):  # github guards its own lines (annotations start with '::')
        return command_safe(_render(for_terminal(report), fmt, max_findings=max_findings, width=width, color=color))
    if fmt == "github":
        return _render(for_terminal(report), fmt, max_findings=max_findings, width=width, color=color)
    return json_text(_render(report, fmt, max_findings=max_findings, width=width, color=color))


def _render(report: Report, fmt: str, *, max_findings: int, width: int, color: bool) -> str:
    if fmt == "console":
        return console_format.render(report, max_findings=max_findings, width=width, color=color)
    if fmt == "json":
        return json_report.render(report) + "\n"
    if fmt == "markdown":
        return markdown.render(report, max_findings=max_findings)
    if fmt == "junit":  # imported on use, like sarif: xml.etree is start-up cost for every other format
        from curate.report import junit

        return junit.render(report, max_findings=max_findings)
    if fmt == "github":
        return github.render(report, max_findings=max_findings)
    if fmt == "pr-comment":
        return pr_comment.render(report, max_findings=max_findings)
    if fmt == "sarif":
        from curate.report import sarif

        return sarif.render(report) + "\n"
    raise ValueError(f"unknown report format {fmt!r}; use one of: {', '.join(FORMATS)}")


def print_report(report: Report, fmt: str = "console", console: Console | None = None, **options: Any) -> None:
    """Print a report to a rich Console (default: stdout, colour when it is a terminal).

    The console format is printed as renderables so rich picks width and colour for the
    terminal; other formats are written verbatim (no markup, wrapping or emoji codes), since
    their text is meant for machines. ``options`` are those of :func:`render`.
    """
    target = console or Console(highlight=False, markup=False, emoji=False)
    if fmt == "console":
        report = for_terminal(report)
        items = console_format.renderables(report, max_findings=options.get("max_findings", 10), width=target.width)
        plain_file = target.file
        target.file = CommandSafeWriter(plain_file)  # a wrapped table cell must not start a '::' line either
        try:
            for item in items:
                target.print(item)
        finally:
            target.file = plain_file
        return
    text = render(report, fmt, **options)
    target.file.write(text)
    target.file.flush()
