"""Run a validated suite on a loaded dataset: validate every check first, then run each in order."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from curate.checks import family
from curate.checks.base import Check, timed_run
from curate.context import NoProgress, Progress, RunContext
from curate.dataset import Dataset, load_dataset
from curate.errors import CurateError
from curate.findings import CheckResult, Report, Status
from curate.roles import resolve_roles
from curate.suite import Suite, load_suite


def check(
    path: str | Path,
    suite: str | Path | None = None,
    only: list[str] | str | None = None,
    *,
    config: str | None = None,
    lock: str | Path | None = None,
    progress: Progress | None = None,
    debug: bool = False,
    cache: Any = None,
) -> Report:
    """Run a suite on a dataset folder and return the report (the CLI's ``curate check``).

    ``suite`` is a YAML file, ``"builtin:NAME"``, or None for the folder's ``curate.yaml``
    (else the built-in default suite). ``only`` restricts the run to some check families.
    ``cache`` (a folder or a :class:`curate.cache.ResultCache`) reuses expensive artefacts of
    earlier runs on unchanged data; the default is no cache.
    """
    loaded, dataset = load_suite_and_dataset(path, suite, only, config=config)
    if isinstance(cache, (str, Path)):
        from curate.cache import ResultCache

        cache = ResultCache(cache)
    return run_suite(dataset, loaded, progress=progress, lock_path=Path(lock) if lock else None, debug=debug,
                     cache=cache)


def load_suite_and_dataset(
    path: str | Path, suite: str | Path | None, only: list[str] | str | None, *, config: str | None = None
) -> tuple[Suite, Dataset]:
    """The suite first (a typo is reported before any data is read), then the dataset it describes."""
    root = Path(path)
    if isinstance(only, str):
        only = [name.strip() for name in only.split(",") if name.strip()]
    loaded = load_suite(suite, root if root.is_dir() else root.parent, only)
    loaded = loaded.select(only)
    dataset = load_dataset(
        root, key=loaded.roles.key, config=config or loaded.roles.config, encoding=loaded.roles.encoding
    )
    return loaded, dataset


def run_suite(
    dataset: Dataset,
    suite: Suite,
    *,
    progress: Progress | None = None,
    lock_path: Path | None = None,
    debug: bool = False,
    cache: Any = None,
) -> Report:
    """Validate every check against the data, then run them in suite order."""
    roles = resolve_roles(dataset, suite)
    checks = _instantiate(suite)
    ctx = RunContext(dataset, roles, progress or NoProgress(), lock_path=lock_path, cache=cache)
    for check_ in checks:
        check_.validate(ctx)
    for check_ in ctx.progress.track(checks, len(checks), "running checks"):
        ctx.results.append(_run_one(check_, ctx, debug))
    info = dataset.describe()
    info["suite"] = suite.origin
    info["roles"] = {"key": roles.key, "label": roles.label, "text": roles.text, "sensitive": roles.sensitive}
    info["inferred"] = roles.inferred
    return Report(info, ctx.results, notes=dataset.notes + roles.notes(), locate=dataset.locate)


def _instantiate(suite: Suite) -> list[Check]:
    """One Check per suite entry, with display names made unique (``drift``, ``drift#2``)."""
    checks = [family(spec.family)(spec) for spec in suite.checks]
    seen: Counter[str] = Counter()
    for check_ in checks:
        seen[check_.display_name] += 1
        if seen[check_.display_name] > 1 and not check_.params.name:
            check_.params.name = f"{check_.display_name}#{seen[check_.display_name]}"
    return checks


def _run_one(check_: Check, ctx: RunContext, debug: bool) -> CheckResult:
    """Run one check; a crash becomes an ``error`` result so the other checks still report."""
    try:
        return timed_run(check_, ctx)
    except CurateError:
        raise
    except Exception as exc:  # a bug in a check must not hide the other checks' results
        if debug:
            raise
        return CheckResult(
            check=check_.name,
            name=check_.display_name,
            status=Status.ERROR,
            message=f"the check crashed: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            severity=check_.params.severity,
        )
