"""What a check sees while it runs: the dataset, its roles, progress, earlier results and artefacts.

Families share work through *named artefacts* rather than by reading each other's results: a
family declares the names it provides in ``Check.publishes`` and either publishes a value while it
runs (``ctx.publish(name, value)``: something computed along the way) or derives it from its result
(``Check.artefact(name, result)``: something the result already holds, such as the rows
``label_errors`` flagged). A later family asks ``ctx.artefact(name)``. Checks run in suite order,
so an artefact exists only when its provider is listed, and ran, before the family asking for it;
the asker must work (or skip the part that needs it) when it is None.

Intermediate results that several families compute from the same data (normalised columns,
MinHash signatures) are shared through ``ctx.shared`` (:class:`curate.shared.SharedWork`): the
first family that needs one computes it, later ones with the same inputs reuse it.

``engine`` runs partitioned families' ``map`` (:mod:`curate.engines`): in process by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, TypeVar

from curate.baseline import LOCK_FILENAME, read_lock
from curate.checks.base import hooks
from curate.confine import inside
from curate.dataset import Dataset
from curate.engines import Engine, PandasEngine
from curate.errors import CurateError
from curate.findings import CheckResult, Status
from curate.roles import ResolvedRoles
from curate.shared import SharedWork

T = TypeVar("T")


class Progress(Protocol):
    """Progress reporting for long checks; the console shows it, other outputs ignore it."""

    def track(self, items: Iterable[T], total: int | None, description: str) -> Iterator[T]: ...


class NoProgress:
    def track(self, items: Iterable[T], total: int | None, description: str) -> Iterator[T]:
        return iter(items)


@dataclass
class RunContext:
    """Shared state of one suite run."""

    dataset: Dataset
    roles: ResolvedRoles
    progress: Progress = field(default_factory=NoProgress)
    results: list[CheckResult] = field(default_factory=list)  # results of checks already run
    lock_path: Path | None = None  # baseline file; default: curate.lock.json at the dataset root
    cache: Any = None  # a curate.cache.ResultCache, or None (no caching)
    shared: SharedWork = field(default_factory=SharedWork)  # this run's shared intermediate results
    engine: Engine = field(default_factory=PandasEngine)  # where partitioned families map (curate.engines)
    _baseline: Any = None
    _artefacts: dict[str, Any] = field(default_factory=dict)

    def publish(self, name: str, value: Any) -> None:
        """Provide artefact ``name`` to the checks that run after this one (a later value replaces it)."""
        self._artefacts[name] = value

    def artefact(self, name: str) -> Any:
        """Artefact ``name``: the value published during this run, else the one derived from the
        latest earlier result whose family declares it (``Check.publishes``; results with status
        ``error`` provide nothing), else None (no provider ran before the asking check)."""
        if name in self._artefacts:
            return self._artefacts[name]
        for result in reversed(self.results):
            family = hooks(result.check)
            if name in family.publishes and Status(result.status) != Status.ERROR:
                value = family.artefact(name, result)
                if value is not None:
                    return value
        return None

    def memo(self, namespace: str, cls: type[T], params: dict[str, Any], digests: list[str], compute: Any) -> T:
        """An expensive artefact (a dataclass of arrays and JSON values) from the result cache when its
        inputs (``digests``: content hashes, see curate.cache) and ``params`` are unchanged, else computed."""
        if self.cache is None:
            return compute()
        return self.cache.memo(namespace, cls, params, digests, compute)

    def baseline(self) -> dict[str, Any] | None:
        """The recorded schema/drift baseline, or None when the dataset has none."""
        if self._baseline is None:
            path = self.lock_path or (self.dataset.root / LOCK_FILENAME)
            if not path.is_file():
                if self.lock_path is not None:
                    raise CurateError("baseline file not found (run `curate lock`)", file=path)
                return None
            if self.lock_path is None:  # the dataset's own lock: a link out of the folder is not followed
                inside(self.dataset.root, LOCK_FILENAME, what="lock file", file=path)
            self._baseline = read_lock(path)
        return self._baseline


