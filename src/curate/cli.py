"""The ``curate`` command line.

Exit codes are a contract: 0 every check passes at the ``--fail-on`` level, 1 a check
failed, 2 a usage, suite or data error (one line on stderr, no traceback unless --debug).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from curate import __version__
from curate.errors import CurateError
from curate.findings import FAIL_ON_LEVELS, Report

REPORT_FORMATS = ("console", "json", "markdown", "junit", "github")


def _handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn CurateError (and any crash) into one line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except CurateError as exc:
            if debug:
                raise
            click.echo(f"curate: error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("curate: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, the traceback is one flag away
            if debug:
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"curate: internal error: {type(exc).__name__}: {first} (run with --debug for the traceback)", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="curate")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Find and fix problems in community datasets (Hugging Face, Kaggle, plain files)."""


def _emit(report: Report, fmt: str, output: Path | None, max_findings: int) -> None:
    """Write the report in ``fmt`` to ``output`` (and a console summary to stdout), or to stdout."""
    from curate.report import print_report, render

    if output is not None:
        text = render(report, fmt, max_findings=max_findings)
        _write_text(output, text)
        print_report(report, "console", max_findings=max_findings)
        click.echo(f"{fmt} report written to {output}", err=True)
    elif fmt == "console":
        print_report(report, "console", max_findings=max_findings)
    else:
        click.echo(render(report, fmt, max_findings=max_findings), nl=False)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from curate.report.github import write_step_summary

        write_step_summary(report)


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise CurateError(f"cannot write the report: {exc.strerror}", file=path) from exc


_format_option = click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="console", show_default=True, help="Report format."
)
_output_option = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file."
)
_max_findings_option = click.option(
    "--max-findings", type=click.IntRange(min=0), default=10, show_default=True, help="Findings shown per check."
)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--suite", "-s", help="Suite YAML file or builtin:NAME (default: DATASET/curate.yaml, else builtin:default).")
@click.option("--only", help="Run only these check families, comma-separated (e.g. schema,drift).")
@_format_option
@_output_option
@click.option("--fail-on", type=click.Choice(FAIL_ON_LEVELS), default="error", show_default=True,
              help="Exit 1 on failed checks (error), also on warnings (warning), or never.")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@click.option("--lock", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file for schema/drift checks (default: DATASET/curate.lock.json).")
@_max_findings_option
@click.option("--no-progress", is_flag=True, help="Do not show a progress display.")
@_handle_errors
def check(dataset: Path, suite: str | None, only: str | None, fmt: str, output: Path | None, fail_on: str,
          config: str | None, lock: Path | None, max_findings: int, no_progress: bool) -> None:
    """Run a check suite on DATASET (a folder or a data file) and report what it finds."""
    from curate.progress import console_progress
    from curate.runner import check as run_check

    debug = click.get_current_context().find_root().params.get("debug", False)
    with console_progress(enabled=not no_progress) as progress:
        report = run_check(dataset, suite, only, config=config, lock=lock, progress=progress, debug=debug)
    _emit(report, fmt, output, max_findings)
    sys.exit(report.exit_code(fail_on))


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the baseline (default: DATASET/curate.lock.json).")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@click.option("--key", help="Key column (default: from curate.yaml, else inferred).")
@_handle_errors
def lock(dataset: Path, output: Path | None, config: str | None, key: str | None) -> None:
    """Record DATASET's schema and distributions as the baseline for schema and drift checks."""
    from curate.baseline import lock_dataset

    path = lock_dataset(dataset, output=output, config=config, key=key)
    click.echo(f"baseline written to {path}")


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--key", help="Column that identifies a row in both versions (default: inferred).")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@_format_option
@_output_option
@click.option("--fail-on", type=click.Choice(FAIL_ON_LEVELS), default="never", show_default=True,
              help="Exit 1 when the versions differ at this level.")
@_max_findings_option
@_handle_errors
def diff(old: Path, new: Path, key: str | None, config: str | None, fmt: str, output: Path | None,
         fail_on: str, max_findings: int) -> None:
    """Compare two versions of a dataset: schema, distributions, and rows added/removed/changed."""
    from curate.diff import diff_datasets

    report = diff_datasets(old, new, key=key, config=config)
    _emit(report, fmt, output, max_findings)
    sys.exit(report.exit_code(fail_on))


@main.command(name="checks")
def list_checks() -> None:
    """List the check families and built-in suites."""
    from curate.checks import registry
    from curate.suite import builtin_names

    for name, cls in registry().items():
        click.echo(f"{name:18} {cls.description}")
    click.echo("\nbuilt-in suites: " + ", ".join(f"builtin:{n}" for n in builtin_names()))
