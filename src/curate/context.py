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
    _baseline: Any = None

    def baseline(self) -> dict[str, Any] | None:
        """The recorded schema/drift baseline, or None when the dataset has none."""
        if self._baseline is None:
            from curate.baseline import read_lock

            path = self.lock_path or (self.dataset.root / LOCK_FILENAME)
            if not path.is_file():
                if self.lock_path is not None:
                    raise CurateError("baseline file not found (run `curate lock`)", file=path)
                return None
            self._baseline = read_lock(path)
        return self._baseline


