"""The ``curate`` command line.

Exit codes are a contract: 0 every check passes at the ``--fail-on`` level, 1 a check
failed, 2 a usage, suite or data error (one line on stderr, no traceback unless --debug).
"""

from __future__ import annotations

import functools
import os
import shlex
import sys
from pathlib import Path
from typing import Any, Callable

import click

from curate import __version__
from curate.confine import check_output, follow_symlinks
from curate.errors import CurateError
from curate.escape import error_line
from curate.findings import FAIL_ON_LEVELS, Report

REPORT_FORMATS = ("console", "json", "markdown", "junit", "github", "pr-comment", "sarif")


def _handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn CurateError (and any crash) into one line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            with follow_symlinks(kwargs.pop("follow_symlinks", False)):
                return command(*args, **kwargs)
        except CurateError as exc:
            if debug:
                raise
            click.echo(f"curate: error: {error_line(exc)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("curate: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
            _silence_stdout()
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:  # the machine, not the data: a full disk or stdout, a read-only folder
            if debug:
                raise
            _silence_stdout()
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"curate: error: {error_line(where + (exc.strerror or str(exc)))}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: still one line, the traceback is one flag away
            if debug:
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"curate: internal error: {error_line(type(exc).__name__ + ': ' + first)} "
                       "(run with --debug for the traceback)", err=True)
            sys.exit(2)

    return wrapper


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test runner's buffer)
        pass


class _OneLineErrors(click.Group):
    """Usage errors as one line on stderr (``curate: error: ...``), like every other error, exit 2.

    It also remembers the command line as typed (``curate fix`` records it in fix.json and PR.md).
    """

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        typed = list(args)
        ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta["curate.command"] = " ".join([info_name or "curate", *map(shlex.quote, typed)])
        return ctx

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"curate: error: {error_line(exc.format_message())}{where}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"curate: error: {error_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("curate: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _command_line() -> str:
    """The command line that ran, shell-quoted (what ``fix.json`` and PR.md record)."""
    ctx = click.get_current_context()
    return ctx.meta.get("curate.command") or shlex.join(["curate", *sys.argv[1:]])


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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


def _guard_outputs(datasets: list[Path], outputs: list[tuple[str, Path | None]], force: bool) -> None:
    """Refuse report paths that would land on or among the dataset's own files (see confine.check_output)."""
    for flag, path in outputs:
        if path is not None:
            check_output(path, datasets, force=force, what=flag)


def _parse_reports(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, Path]]:
    """``FORMAT=FILE`` pairs for --report."""
    out = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file or fmt not in REPORT_FORMATS:
            raise click.BadParameter(f"expected FORMAT=FILE with FORMAT one of {', '.join(REPORT_FORMATS)}; got {value!r}")
        out.append((fmt, Path(file)))
    return out


def _write_reports(report: Report, reports: list[tuple[str, Path]], max_findings: int) -> None:
    from curate.report import render

    for fmt, path in reports:
        _write_text(path, render(report, fmt, max_findings=max_findings))


_format_option = click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="console", show_default=True, help="Report format."
)
_output_option = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file."
)
_follow_option = click.option(
    "--follow-symlinks", is_flag=True,
    help="Read symbolic links in the dataset that point outside its folder (refused by default).",
)
_force_output_option = click.option(
    "--force", is_flag=True, help="Allow --output/--report inside the dataset folder."
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
@click.option("--table", help="Check only this table of a folder of several tables (default: every table).")
@click.option("--lock", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file for schema/drift checks (default: DATASET/curate.lock.json).")
@_max_findings_option
@click.option("--no-progress", is_flag=True, help="Do not show a progress display.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous --format json report: fail only on findings that are new since it "
                   "(default: DATASET/curate.baseline.json when present).")
@click.option("--no-baseline", is_flag=True, help="Ignore DATASET/curate.baseline.json.")
@click.option("--update-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Accept this run's findings: write its JSON report here (atomically) as the new baseline.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Result cache folder (default: $CURATE_CACHE_DIR, else the user cache folder).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--report", "extra_reports", multiple=True, metavar="FORMAT=FILE", callback=_parse_reports,
              help="Also write the report in FORMAT to FILE (repeatable), e.g. --report json=curate.json.")
@click.option("--engine", type=click.Choice(("pandas", "dask")), default="pandas", show_default=True,
              help="Where rows are read: in this process (pandas) or on a Dask cluster (needs curate[dask]).")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the scheduler, e.g. tcp://host:8786 (default: a local cluster of 2 workers).")
@click.option("--max-partition-rows", type=click.IntRange(min=0), metavar="N",
              help="pandas engine: read the data files in pieces of at most N rows on every pass (CSV/TSV: whole "
                   "parser blocks) instead of loading them; 0: always load them whole (default: pieces of 262,144 "
                   "rows when the data files total over 256 MB).")
@_force_output_option
@_follow_option
@_handle_errors
def check(dataset: Path, suite: str | None, only: str | None, fmt: str, output: Path | None, fail_on: str,
          config: str | None, table: str | None, lock: Path | None, max_findings: int, no_progress: bool,
          baseline: Path | None, no_baseline: bool, update_baseline: Path | None, cache_dir: Path | None,
          no_cache: bool, extra_reports: list[tuple[str, Path]], engine: str, scheduler: str | None,
          max_partition_rows: int | None, force: bool) -> None:
    """Run a check suite on DATASET (a folder or a data file) and report what it finds."""
    from curate.cache import open_cache
    from curate.gating import accepted_exit_code, compare, find_baseline
    from curate.progress import console_progress
    from curate.report.json_report import write_baseline
    from curate.runner import check as run_check

    if baseline is not None and no_baseline:
        raise click.UsageError("give either --baseline or --no-baseline, not both")
    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if max_partition_rows is not None and engine != "pandas":
        raise click.UsageError("--max-partition-rows is for --engine pandas (Dask reads partitions on its workers)")
    _guard_outputs([dataset], [("--output", output)] + [("--report", p) for _, p in extra_reports], force)
    debug = click.get_current_context().find_root().params.get("debug", False)
    prior = find_baseline(dataset, baseline, use_default=not no_baseline)
    with console_progress(enabled=not no_progress) as progress:
        report = run_check(dataset, suite, only, config=config, lock=lock, progress=progress, debug=debug,
                           cache=open_cache(cache_dir, enabled=not no_cache), table=table, engine=engine,
                           scheduler=scheduler, partition_rows=max_partition_rows)
    if prior is not None:
        compare(report, *prior)
    _emit(report, fmt, output, max_findings)
    _write_reports(report, extra_reports, max_findings)
    if update_baseline is not None:
        write_baseline(report, update_baseline)
        click.echo(f"baseline written to {update_baseline}", err=True)
        sys.exit(accepted_exit_code(report, fail_on))
    sys.exit(report.exit_code(fail_on))


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the baseline (default: DATASET/curate.lock.json).")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@click.option("--key", help="Key column (default: from curate.yaml, else inferred).")
@_follow_option
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
@_force_output_option
@_follow_option
@_handle_errors
def diff(old: Path, new: Path, key: str | None, config: str | None, fmt: str, output: Path | None,
         fail_on: str, max_findings: int, force: bool) -> None:
    """Compare two versions of a dataset: schema, distributions, and rows added/removed/changed."""
    from curate.diff import diff_datasets

    _guard_outputs([old, new], [("--output", output)], force)

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


# --------------------------------------------------------------------------- corrections


_min_confidence_option = click.option(
    "--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
    help="Keep only corrections at least this confident, deletes included (a near duplicate's is its similarity).",
)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Folder for corrections.jsonl, the corrected data, review diffs, PR.md and bundles.")
@click.option("--suite", "-s",
              help="Suite YAML file or builtin:NAME (default: DATASET/curate.yaml, else builtin:default).")
@click.option("--only", help="Run only these check families, comma-separated.")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@_min_confidence_option
@click.option("--max-change", type=click.FloatRange(0.0, 1.0), default=None,
              help="Refuse to delete more than this share of a split's rows or update more than this share of a "
                   "column's values (default: the suite's fix.max_change, else 0.1).")
@click.option("--bundle", type=click.Choice(("auto", "hf", "kaggle", "all", "none")), default="auto", show_default=True,
              help="Upstream bundles to build (auto: hf for Hugging Face folders, kaggle for Kaggle, both otherwise).")
@click.option("--force", is_flag=True, help="Replace --out when it exists and is not empty.")
@click.option("--no-progress", is_flag=True, help="Do not show a progress display.")
@_follow_option
@_handle_errors
def fix(dataset: Path, out: Path, suite: str | None, only: str | None, config: str | None, min_confidence: float,
        max_change: float | None, bundle: str, force: bool, no_progress: bool) -> None:
    """Turn DATASET's findings into corrections: corrections.jsonl, corrected files, diffs, PR.md, bundles.

    DATASET is never modified; everything is written to --out.
    """
    from curate.export.fix import fix_dataset, nothing_to_fix_message
    from curate.progress import console_progress

    debug = click.get_current_context().find_root().params.get("debug", False)
    with console_progress(enabled=not no_progress) as progress:
        outcome = fix_dataset(dataset, out, suite=suite, only=only, config=config, min_confidence=min_confidence,
                              max_change=max_change, bundles=bundle, force=force, progress=progress, debug=debug,
                              command=_command_line())
    if not outcome.plan_corrections:
        _say(nothing_to_fix_message(outcome))
    else:
        _fix_summary(outcome, out)
    for warning in outcome.warnings:
        click.echo(f"curate: warning: {error_line(warning)}", err=True)


def _say(text: str) -> None:
    """One line on stdout; paths, check and group names are data: terminal-escaped (curate.escape)."""
    click.echo(error_line(text))


def _fix_summary(outcome: Any, out: Path) -> None:
    """What ``curate fix`` wrote: counts per check, the changed files, bundles, fairness impact."""
    counts = outcome.counts
    total = counts["delete"] + counts["update"]
    skipped = outcome.corrections.skipped_summary()
    _say(f"{total} correction(s): {counts['delete']} delete, {counts['update']} update"
         + (f"; not applied: {', '.join(f'{n} {why}' for why, n in skipped.items())}" if skipped else ""))
    for check, n in outcome.corrections.counts().items():
        if n["delete"] or n["update"]:
            _say(f"  {check:20} {n['delete']:>5} delete {n['update']:>5} update")
    _say(f"corrections    {out / 'corrections.jsonl'}")
    _say(f"corrected data {out / 'data'} ({len(outcome.files)} file(s) changed)")
    for f in outcome.files:
        _say(f"  {f.rel}: {f.rows_before} → {f.rows_after} rows, {f.updated_cells} cell(s) "
             f"updated; review {out / 'diff' / (f.rel + '.diff.html')}")
    _say(f"pull request   {out / 'PR.md'}")
    if "hf" in outcome.bundles:
        _say(f"hf bundle      {out / 'hf'} ({len(outcome.hf_uploads)} file(s) to upload); "
             f"send with: curate submit hf {out} --repo OWNER/NAME")
    if "kaggle" in outcome.bundles:
        _say(f"kaggle bundle  {out / 'kaggle'}; owners run: (cd {out} && {outcome.kaggle_command}); "
             f"others post {out / 'DISCUSSION.md'}")
    if outcome.impact is not None:
        for line in outcome.impact.console():
            _say(line)


@main.command(name="apply")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.argument("corrections", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Write the corrected dataset to this new folder.")
@click.option("--in-place", is_flag=True, help="Rewrite DATASET's files (atomically, after a backup).")
@click.option("--include-proposed", is_flag=True, help="Also apply corrections still 'proposed' (never 'rejected').")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where --in-place saves the original files (default: DATASET.curate-backup-TIMESTAMP next to it).")
@click.option("--force", is_flag=True, help="Replace --out when it exists and is not empty.")
@click.option("--key", help="Key column the corrections refer to (default: from curate.yaml, else inferred).")
@click.option("--config", help="Hugging Face config name, when the card declares several.")
@_follow_option
@_handle_errors
def apply_command(dataset: Path, corrections: Path, out: Path | None, in_place: bool, include_proposed: bool,
                  backup_dir: Path | None, force: bool, key: str | None, config: str | None) -> None:
    """Apply the accepted corrections in CORRECTIONS (a corrections.jsonl) to DATASET.

    A correction whose 'old' value no longer matches the data (a stale patch) stops the run.
    """
    from curate.export.fix import apply_corrections

    if out is not None and in_place:
        raise click.UsageError("give either --out or --in-place, not both")
    if out is None and not in_place:
        raise click.UsageError("give --out DIR (a corrected copy) or --in-place")
    outcome = apply_corrections(dataset, corrections, out=out, in_place=in_place, include_proposed=include_proposed,
                                force=force, backup_dir=backup_dir, key=key, config=config)
    ops = [c.op for c in outcome.applied]
    wanted = "accepted or proposed" if include_proposed else "accepted"
    click.echo(f"applied {len(ops)} of {outcome.selected_from} correction(s) ({wanted}): "
               f"{ops.count('delete')} delete, {ops.count('update')} update")
    if not ops and not include_proposed and outcome.selected_from:
        click.echo('none is accepted yet: set "status": "accepted" on the lines to apply, or use --include-proposed')
    for f in outcome.files:
        click.echo(error_line(f"  {f.rel}: {f.rows_before} → {f.rows_after} rows, {f.updated_cells} cell(s) updated"))
    if out is not None:
        click.echo(f"corrected dataset written to {out}")
    elif outcome.backup is not None:
        click.echo(f"{dataset} updated in place; originals saved in {outcome.backup}")


@main.group()
def submit() -> None:
    """Send corrections upstream (a Hugging Face pull request)."""


@submit.command(name="hf")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--repo", required=True, help="The dataset repo on the Hub, OWNER/NAME.")
@click.option("--revision", help="Branch the pull request targets (default: main).")
@click.option("--parent-commit", help="Commit the corrections were made against (default: the branch's head).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--allow-duplicate", is_flag=True,
              help="Open a pull request even if an open one has the same corrections.")
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="When SOURCE is a dataset: where `curate fix` writes its output (default: a temporary folder).")
@click.option("--suite", "-s", help="When SOURCE is a dataset: the suite to run.")
@click.option("--only", help="When SOURCE is a dataset: run only these check families.")
@click.option("--config", help="When SOURCE is a dataset: the Hugging Face config.")
@_min_confidence_option
@_follow_option
@_handle_errors
def submit_hf_command(source: Path, repo: str, revision: str | None, parent_commit: str | None, dry_run: bool,
                      allow_duplicate: bool, out: Path | None, suite: str | None, only: str | None, config: str | None,
                      min_confidence: float) -> None:
    """Open a pull request on the Hub dataset OWNER/NAME with the corrections for SOURCE.

    SOURCE is a `curate fix` output folder, or a dataset folder (then `curate fix` runs first).
    The token comes from HF_TOKEN or `hf auth login`; it is never printed.
    """
    import tempfile

    from curate.export.fix import MANIFEST_FILENAME, fix_dataset
    from curate.export.hf import check_repo, submit_hf

    check_repo(repo)
    def send(folder: Path) -> None:
        submit_hf(folder, repo, revision=revision, parent_commit=parent_commit, dry_run=dry_run,
                  allow_duplicate=allow_duplicate, echo=click.echo)

    if (source / MANIFEST_FILENAME).is_file():
        send(source)
        return
    if out is not None:
        fix_dataset(source, out, suite=suite, only=only, config=config, min_confidence=min_confidence, bundles="hf")
        send(out)
        return
    with tempfile.TemporaryDirectory(prefix="curate-submit-") as tmp:
        folder = Path(tmp) / "fix"
        fix_dataset(source, folder, suite=suite, only=only, config=config, min_confidence=min_confidence, bundles="hf")
        send(folder)
