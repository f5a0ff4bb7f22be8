"""Findings, check results and the report: the data every renderer and exporter reads.

The JSON shape produced by :meth:`Report.to_dict` is a contract (see the design notes):
scripts and CI steps parse it, so fields are only ever added, never renamed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable


class Status(str, enum.Enum):
    """Outcome of one check.

    ``pass`` means the check looked and found nothing over its limits; ``skip`` means it could
    not judge (nothing to look at, one split, no rows compared, a model no better than chance),
    with the reason in the message: it never fails a run. ``error`` means the check crashed.
    """

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"

    @property
    def rank(self) -> int:
        """Badness order used for sorting and for the worst status of a report (skip below pass)."""
        return {"skip": -1, "pass": 0, "warn": 1, "fail": 2, "error": 3}[self.value]


@dataclass(frozen=True)
class RowRef:
    """A pointer to one row: its split, 0-based position in the split, and stable key."""

    split: str
    row: int
    key: str

    def to_dict(self) -> dict[str, Any]:
        return {"split": self.split, "row": self.row, "key": self.key}


@dataclass
class Finding:
    """One problem, usually about one row (``row``/``key``) and sometimes one column.

    Column-level findings (a removed column, a drifted distribution) leave ``row`` and
    ``key`` as ``None``. ``score`` orders findings worst-first (higher is worse).

    ``subject`` names what a finding without a row is about when its column alone does not
    (``base_rate sex=Female``: one column carries a finding per group). It is part of the finding's
    identity across runs (baseline gating, SARIF fingerprints, reviewed verdicts), so it must not
    hold numbers that change with the data; the message carries those.

    ``suggestion`` is the fix a reviewer may accept, in one of two shapes that ``curate fix``
    turns into corrections:

    * update: ``{"label": "sports", "confidence": 0.93}`` — every key except the reserved
      ``action``, ``confidence`` and ``reason`` is a column of this row and its proposed value;
    * delete: ``{"action": "delete", "confidence": 1.0}`` — drop this row (``related`` names
      the row that is kept, e.g. the original of a duplicate).
    """

    message: str
    split: str | None = None
    row: int | None = None
    key: str | None = None
    column: str | None = None
    related: list[RowRef] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None
    score: float | None = None
    subject: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "split": self.split,
            "row": self.row,
            "key": self.key,
            "column": self.column,
            "message": self.message,
            "related": [r.to_dict() for r in self.related],
            "suggestion": self.suggestion,
            "score": self.score,
        }
        if self.subject is not None:  # only the findings that need one carry it
            out["subject"] = self.subject
        return out


@dataclass
class CheckResult:
    """What one check in a suite found."""

    check: str  # family name, e.g. "schema"
    name: str  # display name, unique within the suite, e.g. "schema" or "drift[train→test]"
    status: Status
    message: str
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    severity: str = "error"
    seconds: float = 0.0
    # named tables of plain JSON rows for results that are more than findings (e.g. the
    # ``balance`` group shares and base rates), rendered by the reports and the dataset card
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    table: str | None = None  # the table it ran on, in a folder of several unrelated tables

    def worst_findings(self, n: int) -> list[Finding]:
        """The ``n`` findings a reader should see first (highest score, then file order)."""
        scored = sorted(
            enumerate(self.findings),
            key=lambda pair: (-(pair[1].score or 0.0), pair[0]),
        )
        return [f for _, f in scored[:n]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "name": self.name,
            "status": self.status.value,
            "severity": self.severity,
            "metrics": self.metrics,
            "message": self.message,
            "seconds": round(self.seconds, 3),
            "findings": [f.to_dict() for f in self.findings],
            "tables": self.tables,
            "table": self.table,
        }


FAIL_ON_LEVELS = ("error", "warning", "never")


@dataclass
class Report:
    """The result of running a suite on a dataset: what ``curate.check`` returns."""

    dataset: dict[str, Any]
    results: list[CheckResult]
    notes: list[str] = field(default_factory=list)  # e.g. which column roles were inferred
    # (split, row) → (file relative to the dataset root, 1-based line or None); for CI annotations
    locate: Callable[[str, int], tuple[str, int | None]] | None = field(default=None, repr=False, compare=False)
    # comparison with a previous report (``--baseline``): a curate.gating.Gate, or None
    gate: Any = field(default=None, repr=False, compare=False)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}  # pass, warn, fail, error, skip
        for result in self.results:
            counts[result.status.value] += 1
        return counts

    @property
    def passed(self) -> bool:
        """True when no check failed or errored (warnings allowed)."""
        return self.exit_code("error") == 0

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when every check passes at the ``fail_on`` level, else 1."""
        if fail_on == "never":
            return 0
        bad = {Status.FAIL, Status.ERROR}
        if fail_on == "warning":
            bad.add(Status.WARN)
        blocking = self.gate.is_blocking if self.gate is not None else (lambda r: True)
        return 1 if any(r.status in bad and blocking(r) for r in self.results) else 0

    def result(self, name: str) -> CheckResult:
        """The result of the check with this display name (or family name if unique)."""
        for r in self.results:
            if r.name == name:
                return r
        matches = [r for r in self.results if r.check == name]
        if len(matches) == 1:
            return matches[0]
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "dataset": self.dataset,
            "summary": self.summary(),
            "notes": self.notes,
            "results": [r.to_dict() for r in self.results],
        }
        if self.gate is not None:  # new / unchanged per finding, fixed ones listed once
            for result, data in zip(self.results, out["results"]):
                data["baseline"] = self.gate.result_dict(result)
                for i, finding in enumerate(data["findings"]):
                    finding["baseline"] = self.gate.state(result, i)
            out["baseline"] = self.gate.to_dict()
        return out


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
