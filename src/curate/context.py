"""What a check sees while it runs: the dataset, its roles, progress, and earlier results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, TypeVar

from curate.dataset import Dataset
from curate.errors import CurateError
from curate.findings import CheckResult
from curate.roles import ResolvedRoles

LOCK_FILENAME = "curate.lock.json"
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
    _baseline: Any = None

    def memo(self, namespace: str, cls: type[T], params: dict[str, Any], digests: list[str], compute: Any) -> T:
        """An expensive artefact (a dataclass of arrays and JSON values) from the result cache when its
        inputs (``digests``: content hashes, see curate.cache) and ``params`` are unchanged, else computed."""
        if self.cache is None:
            return compute()
        return self.cache.memo(namespace, cls, params, digests, compute)

    def baseline(self) -> dict[str, Any] | None:
        """The recorded schema/drift baseline, or None when the dataset has none."""
        if self._baseline is None:
            from curate.baseline import read_lock

            path = self.lock_path or (self.dataset.root / LOCK_FILENAME)
            if not path.is_file():
                if self.lock_path is not None:
                    raise CurateError("baseline file not found (run `curate lock`)", file=path)
                return None
            if self.lock_path is None:  # the dataset's own lock: a link out of the folder is not followed
                from curate.confine import inside

                inside(self.dataset.root, LOCK_FILENAME, what="lock file", file=path)
            self._baseline = read_lock(path)
        return self._baseline


