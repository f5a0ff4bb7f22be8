"""Run a validated suite on a loaded dataset: validate every check first, then run each in order.

A folder of several unrelated tables (a Kaggle dataset with ``items.csv`` and ``users.csv``)
is run table by table: each table is a dataset of its own (its splits, key, inferred roles,
declared features and baseline), so no check compares rows or distributions of unrelated
tables, and the results are merged with the table in their name (``duplicates[items]``) and in
their ``table`` field. A check whose columns a table does not have is ``skip`` on that table,
with the reason; only when it applies to no table is that a suite error. Split-named files
(``train.csv`` + ``test.csv``) are the splits of one table, compared as usual.
"""

from __future__ import annotations

import gc

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from curate.checks import family
from curate.checks.base import Check, timed_run
from curate.context import NoProgress, Progress, RunContext
from curate.dataset import Dataset, load_with_roles
from curate.engines import Engine, PandasEngine
from curate.engines import dask as dask_engine
from curate.engines import streaming
from curate.errors import CurateError
from curate.findings import CheckResult, Report, Status
from curate.roles import ResolvedRoles, resolve_roles
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
    table: str | None = None,
    engine: str = "pandas",
    scheduler: str | None = None,
    partition_rows: int | None = None,
) -> Report:
    """Run a suite on a dataset folder and return the report (the CLI's ``curate check``).

    ``suite`` is a YAML file, ``"builtin:NAME"``, or None for the folder's ``curate.yaml``
    (else the built-in default suite). ``only`` restricts the run to some check families;
    ``table`` to one table of a multi-table folder (default: the suite's ``dataset.table``).
    ``cache`` (a folder or a :class:`curate.cache.ResultCache`) reuses expensive artefacts of
    earlier runs on unchanged data; the default is no cache. ``engine="dask"`` reads the rows on a
    Dask cluster (the scheduler at ``scheduler``, else a local one; see :mod:`curate.engines.dask`).
    With the pandas engine, ``partition_rows`` N streams the data files in pieces of at most N rows
    (0: load them whole; None: stream only data files larger than
    :data:`curate.engines.streaming.STREAM_BYTES`, see :mod:`curate.engines.streaming`).
    """
    if isinstance(cache, (str, Path)):
        from curate.cache import ResultCache

        cache = ResultCache(cache)
    options = dict(progress=progress, lock_path=Path(lock) if lock else None, debug=debug, cache=cache)
    if engine == "pandas":
        loader = partial(streaming.load_pandas, rows=partition_rows)
        loaded, dataset = load_suite_and_dataset(path, suite, only, config=config, table=table, loader=loader)
        return run_suite(dataset, loaded, **options)
    if engine != "dask":
        raise CurateError(f"unknown engine '{engine}' (pandas, dask)")
    dask_engine.require_dask()
    with dask_engine.cluster(scheduler) as client:
        loader = partial(dask_engine.load_dask, client)
        loaded, dataset = load_suite_and_dataset(path, suite, only, config=config, table=table, loader=loader)
        return run_suite(dataset, loaded, engine=dask_engine.DaskEngine(client), **options)


def load_suite_and_dataset(
    path: str | Path,
    suite: str | Path | None,
    only: list[str] | str | None,
    *,
    config: str | None = None,
    table: str | None = None,
    loader: Callable[..., Dataset] = load_with_roles,
) -> tuple[Suite, Dataset]:
    """The suite first (a typo is reported before any data is read), then the dataset it describes
    (``loader``: :func:`curate.dataset.load_with_roles`, or an engine's)."""
    root = Path(path)
    if isinstance(only, str):
        only = [name.strip() for name in only.split(",") if name.strip()]
    loaded = load_suite(suite, root if root.is_dir() else root.parent, only)
    loaded = loaded.select(only)
    try:
        dataset = loader(root, loaded.roles, config=config, table=table)
    except CurateError as exc:
        if exc.message.startswith("files:") and ("dataset", "files") in loaded.source.marks:
            raise loaded.source.error(("dataset", "files"), f"{exc.message} (in {exc.file})") from exc
        raise
    return loaded, dataset


def run_suite(
    dataset: Dataset,
    suite: Suite,
    *,
    progress: Progress | None = None,
    lock_path: Path | None = None,
    debug: bool = False,
    cache: Any = None,
    engine: Engine | None = None,
) -> Report:
    """Validate every check against the data, then run them in suite order (table by table);
    ``engine`` maps partitioned families (default: in process, :class:`curate.engines.PandasEngine`)."""
    progress = progress or NoProgress()
    engine = engine or PandasEngine()
    tables = list(dataset.tables)
    if len(tables) == 1:
        roles = resolve_roles(dataset, suite)
        ctx = RunContext(dataset, roles, progress, lock_path=lock_path, cache=cache, engine=engine)
        checks = _instantiate(suite)
        for check_ in checks:
            check_.validate(ctx)
        results = _run_all(checks, ctx, debug)
        info = _describe(dataset, suite, roles)
        return Report(info, results, notes=dataset.notes + roles.notes(), locate=dataset.locate)
    baseline = RunContext(dataset, ResolvedRoles(), lock_path=lock_path).baseline()
    results: list[CheckResult] = []
    notes = list(dataset.notes)
    per_table: dict[str, ResolvedRoles] = {}
    planned: list[tuple[str, RunContext, list[Check | CheckResult]]] = []
    refused: dict[int, list[CurateError]] = {}
    for table in tables:
        view = dataset.table(table)
        roles = resolve_roles(view, suite, within=dataset)
        per_table[table] = roles
        notes += [f"table '{table}': {note}" for note in roles.notes()]
        ctx = RunContext(view, roles, progress, lock_path=lock_path, cache=cache, engine=engine)
        ctx._baseline = _table_baseline(baseline, view, dataset, first=table == tables[0])
        checks: list[Check | CheckResult] = []
        for index, check_ in enumerate(_instantiate(suite)):
            check_.params = check_.params.model_copy(update={"name": f"{check_.display_name}[{table}]"})
            try:
                check_.validate(ctx)
                checks.append(check_)
            except CurateError as exc:  # the check's columns or splits are another table's
                refused.setdefault(index, []).append(exc)
                checks.append(check_.skip(f"does not apply to table '{table}': {exc.message}"))
        planned.append((table, ctx, checks))
    for index, errors in refused.items():
        if len(errors) == len(tables):  # applies to no table: a real suite error
            raise errors[0]
    for table, ctx, checks in planned:
        for result in _run_all(checks, ctx, debug):
            result.table = table
            results.append(result)
    info = _describe(dataset, suite, _merged_roles(per_table))
    for table, roles in per_table.items():
        info["tables"][table]["roles"] = _roles_dict(roles)
        info["tables"][table]["inferred"] = roles.inferred
    return Report(info, results, notes=notes, locate=dataset.locate)


def _run_all(checks: list[Any], ctx: RunContext, debug: bool) -> list[CheckResult]:
    """Run checks in order (already-decided skips pass through), each result visible to the next.

    Shared intermediate results (``ctx.shared``) are kept only while a check still to run
    declares their kind, and freed when the last check has run."""
    shares = [() if isinstance(item, CheckResult) else type(item).shares for item in checks]
    with _loaded_objects_frozen():
        try:
            for i, item in enumerate(ctx.progress.track(checks, len(checks), "running checks")):
                ctx.shared.plan(now=shares[i], later={kind for later in shares[i + 1 :] for kind in later})
                ctx.results.append(item if isinstance(item, CheckResult) else _run_one(item, ctx, debug))
        finally:
            ctx.shared.clear()
    return ctx.results


@contextmanager
def _loaded_objects_frozen() -> Iterator[None]:
    """Run the checks with the objects that exist before them (the libraries' modules, the suite,
    the loaded dataset) left out of the garbage collector's full passes (``gc.freeze``), put back
    after. Those objects outlive every check, yet each full pass, which the checks' own allocations
    trigger, walked all of them again: after Great Expectations' and scikit-learn's imports that
    was most of ``duplicates``' time on 200k rows (bench/RESULTS.md). Left alone when the caller
    froze objects of its own."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _describe(dataset: Dataset, suite: Suite, roles: ResolvedRoles) -> dict:
    info = dataset.describe()
    info["suite"] = suite.origin
    info["roles"] = _roles_dict(roles)
    info["inferred"] = roles.inferred
    return info


def _roles_dict(roles: ResolvedRoles) -> dict:
    return {"key": roles.key, "label": roles.label, "text": roles.text, "sensitive": roles.sensitive}


def _merged_roles(per_table: dict[str, ResolvedRoles]) -> ResolvedRoles:
    """The roles every table shares (None where they differ), sensitive columns of any table."""
    merged = ResolvedRoles()
    for role in ("key", "label", "text"):
        values = {getattr(r, role) for r in per_table.values()}
        setattr(merged, role, values.pop() if len(values) == 1 else None)
    merged.sensitive = list(dict.fromkeys(c for r in per_table.values() for c in r.sensitive))
    merged.inferred = {f"{role} ({table})": why for table, r in per_table.items() for role, why in r.inferred.items()}
    return merged


def _table_baseline(baseline: dict | None, view: Dataset, dataset: Dataset, *, first: bool) -> dict | None:
    """The recorded baseline of one table's splits (splits in no table go with the first table)."""
    if baseline is None:
        return None
    recorded = baseline.get("splits") or {}
    mine = {s: v for s, v in recorded.items() if s in view.splits or (first and s not in dataset.splits)}
    return {**baseline, "splits": mine}


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
