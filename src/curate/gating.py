"""Baseline gating: compare a run with a previous JSON report and fail only on what is new.

A dataset with known problems would otherwise fail every CI build until all of them are fixed.
The *gating baseline* (``curate.baseline.json`` by default, written by ``--update-baseline`` with
:func:`curate.report.json_report.write_baseline`, since the reports import this module) is an
ordinary ``--format json`` report; it is unrelated to ``curate.lock.json``, the schema/drift lock
of :mod:`curate.baseline`.

Findings match by check name, split, row key and column (never by row position), so reordering or
appending rows creates no new finding. A finding without a key that names its ``subject`` (one
group of a balance measure) matches by column and subject; findings with neither key nor column
(dataset-level ones) match by message. Matching counts multiplicity: two identical findings against one in the
baseline leave one new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from curate.errors import CurateError
from curate.findings import CheckResult, Finding, Report, Status

BASELINE_FILENAME = "curate.baseline.json"
MAX_BASELINE_BYTES = 512 * 1024 * 1024  # a report with millions of findings still fits
NEW, UNCHANGED = "new", "unchanged"

Identity = tuple[str | None, ...]


def finding_identity(split: Any, key: Any, column: Any, message: Any, subject: Any = None) -> Identity:
    """What makes two findings of one check "the same" across runs (row position left out)."""
    text = lambda v: None if v is None else str(v)  # noqa: E731 — keys are strings in JSON, maybe ints here
    if key is None and subject is not None:
        return (text(split), None, text(column), f"subject:{subject}")
    if key is None and column is None:
        return (text(split), None, None, text(message))
    return (text(split), text(key), text(column), None)


@dataclass
class ResultGate:
    """How one check's result compares with the same-named check in the baseline."""

    baseline_status: Status | None  # None: the check is not in the baseline
    states: list[str]  # NEW or UNCHANGED, aligned with the result's findings
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline findings no longer found

    @property
    def new(self) -> int:
        return self.states.count(NEW)

    @property
    def unchanged(self) -> int:
        return self.states.count(UNCHANGED)

    def status_worsened(self, status: Status) -> bool:
        """True when the status is worse than the baseline's (a metric-only failure is new)."""
        before = self.baseline_status.rank if self.baseline_status is not None else Status.PASS.rank
        return status.rank > before


@dataclass
class Gate:
    """A run compared with a baseline report: per check, which findings are new, unchanged or fixed."""

    path: str
    results: dict[str, ResultGate]  # by the result's display name

    def of(self, result: CheckResult) -> ResultGate | None:
        return self.results.get(result.name)

    def state(self, result: CheckResult, index: int) -> str | None:
        gate = self.of(result)
        return gate.states[index] if gate is not None else None

    def is_blocking(self, result: CheckResult) -> bool:
        """Whether a bad result still counts against the run once the baseline is taken into account.

        A crash always counts (the check did not look, so no baseline can vouch for it); otherwise
        the result needs a new finding or a status worse than the baseline's.
        """
        status = Status(result.status)
        gate = self.of(result)
        if status == Status.ERROR or gate is None:
            return True
        return gate.new > 0 or gate.status_worsened(status)

    def totals(self) -> dict[str, int]:
        gates = self.results.values()
        return {
            "new": sum(g.new for g in gates),
            "fixed": sum(len(g.fixed) for g in gates),
            "unchanged": sum(g.unchanged for g in gates),
        }

    def summary_text(self) -> str:
        t = self.totals()
        return f"{t['new']:,} new, {t['fixed']:,} fixed, {t['unchanged']:,} unchanged since the baseline ({self.path})"

    def fixed_findings(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(check display name, baseline finding) for every finding the run no longer reports."""
        for name, gate in self.results.items():
            for finding in gate.fixed:
                yield name, finding

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path, **self.totals(),
                "fixed_findings": [{"name": name, **finding} for name, finding in self.fixed_findings()]}

    def result_dict(self, result: CheckResult) -> dict[str, Any] | None:
        """The per-check ``baseline`` block of the JSON report."""
        gate = self.of(result)
        if gate is None:
            return None
        return {
            "status": gate.baseline_status.value if gate.baseline_status is not None else None,
            "new": gate.new,
            "unchanged": gate.unchanged,
            "fixed": len(gate.fixed),
            "blocking": self.is_blocking(result) and Status(result.status) not in (Status.PASS, Status.SKIP),
        }


def ordered_findings(report: Report, result: CheckResult, limit: int) -> list[tuple[Finding, str | None]]:
    """The findings a reader sees first, with their state: new ones (worst first), then the others."""
    gate = report.gate.of(result) if report.gate is not None else None
    if gate is None:
        return [(f, None) for f in result.worst_findings(limit)]
    order = sorted(range(len(result.findings)),
                   key=lambda i: (gate.states[i] != NEW, -(result.findings[i].score or 0.0), i))
    return [(result.findings[i], gate.states[i]) for i in order[:limit]]


# --------------------------------------------------------------------------- comparing


def compare(report: Report, path: str | Path, baseline: dict[str, Any]) -> Gate:
    """Compare ``report`` with a baseline report (as read by :func:`read_baseline`); attach and return it."""
    by_name = {r["name"]: r for r in baseline["results"]}
    gates = {}
    for result in report.results:
        before = by_name.get(result.name)
        gates[result.name] = _compare_result(result, before)
    report.gate = Gate(str(path), gates)
    return report.gate


def _compare_result(result: CheckResult, before: dict[str, Any] | None) -> ResultGate:
    """Match findings by identity first, then by the group of rows they tie together.

    Which member of a duplicate group is "the copy" (or which row of a tied label conflict is
    relabelled) depends on row order; the group itself does not, so a finding whose group is
    the same as a baseline finding's is unchanged too.
    """
    if before is None:
        return ResultGate(None, [NEW] * len(result.findings))
    old = [(f.get("split"), f.get("key"), f.get("column"), f.get("message"), f.get("related"), f.get("subject"))
           for f in before["findings"]]
    now = [(f.split, f.key, f.column, f.message, [r.to_dict() for r in f.related], f.subject) for f in result.findings]
    states = [NEW] * len(now)
    left = list(range(len(old)))
    for ident in (lambda i, rows: finding_identity(*rows[i][:4], rows[i][5]), _group_identity(old, now), _legacy_identity(old)):
        left = _match(old, now, ident, states, left)
    fixed = [_fixed_view(before["findings"][i]) for i in left]
    return ResultGate(Status(before["status"]), states, fixed)


Row = tuple[Any, Any, Any, Any, Any, Any]


def _legacy_identity(old: list[Row]) -> Any:
    """A baseline written before findings had a ``subject`` matches them as it did then (by split,
    key and column), so upgrading curate does not turn every balance finding into a new one."""
    legacy = id(old)

    def ident(i: int, rows: list[Row]) -> Any:
        if id(rows) == legacy and rows[i][5] is not None:
            return None  # a baseline finding with a subject was matched by it or is gone
        return finding_identity(*rows[i][:4])

    return ident


def _match(old: list[Row], now: list[Row], ident: Any, states: list[str], left: list[int]) -> list[int]:
    """Mark NEW findings whose identity a not-yet-matched baseline finding shares; return the unmatched ones."""
    pool: dict[Any, list[int]] = {}
    for i in left:
        key = ident(i, old)
        if key is not None:
            pool.setdefault(key, []).append(i)
    matched = set()
    for j, state in enumerate(states):
        candidates = pool.get(ident(j, now)) if state == NEW else None
        if candidates:
            matched.add(candidates.pop(0))
            states[j] = UNCHANGED
    return [i for i in left if i not in matched]


def _group_identity(old: list[Row], now: list[Row]) -> Any:
    """Identity by (column, every row linked to this finding through ``related``, transitively)."""
    groups = {id(old): _groups(old), id(now): _groups(now)}

    def ident(i: int, rows: list[Row]) -> Any:
        group = groups[id(rows)][i]
        return None if group is None else (None if rows[i][2] is None else str(rows[i][2]), group)

    return ident


def _groups(rows: list[Row]) -> list[frozenset | None]:
    parent: dict[tuple, tuple] = {}

    def find(x: tuple) -> tuple:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    nodes = []
    for split, key, _, _, related, _ in rows:
        refs = [(r.get("split"), r.get("key")) for r in related or [] if isinstance(r, dict)]
        me = (None if split is None else str(split), None if key is None else str(key))
        refs = [(None if s is None else str(s), None if k is None else str(k)) for s, k in refs]
        nodes.append([me, *refs] if refs and key is not None else None)
        for ref in refs if nodes[-1] else []:
            parent[find(ref)] = find(me)
    members: dict[tuple, set] = {}
    for x in list(parent):
        members.setdefault(find(x), set()).add(x)
    return [None if n is None else frozenset(members[find(n[0])]) for n in nodes]


def _fixed_view(finding: dict[str, Any]) -> dict[str, Any]:
    view = {k: finding.get(k) for k in ("split", "row", "key", "column", "message")}
    if finding.get("subject") is not None:
        view["subject"] = finding["subject"]
    return view


# --------------------------------------------------------------------------- reading and writing


def default_baseline(root: Path) -> Path | None:
    """``curate.baseline.json`` at the dataset root, when there is one."""
    folder = root if root.is_dir() else root.parent
    candidate = folder / BASELINE_FILENAME
    if not candidate.is_file():
        return None
    from curate.confine import inside

    inside(folder, BASELINE_FILENAME, what="baseline report", file=candidate)  # untrusted: stays in the folder
    return candidate


def read_baseline(path: Path) -> dict[str, Any]:
    """Read and validate a baseline report; any problem is a one-line CurateError naming the file.

    The default baseline sits in the dataset repository, so its content is untrusted: only the
    fields gating needs are read, each type-checked.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BASELINE_BYTES:
            raise CurateError(f"baseline report is too large ({size:,} bytes)", file=path)
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise CurateError("baseline report not found (write one with --update-baseline)", file=path) from None
    except OSError as exc:
        raise CurateError(f"cannot read the baseline report: {exc.strerror}", file=path) from None
    except (ValueError, RecursionError) as exc:
        raise CurateError(f"baseline report is not valid JSON: {exc}", file=path) from None
    _validate(doc, path)
    return doc


def _validate(doc: Any, path: Path) -> None:
    def bad(what: str) -> CurateError:
        return CurateError(f"not a curate JSON report (write one with --update-baseline): {what}", file=path)

    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise bad("no 'results' list")
    statuses = {s.value for s in Status}
    for i, result in enumerate(doc["results"]):
        if not isinstance(result, dict) or not isinstance(result.get("name"), str):
            raise bad(f"results[{i}] has no name")
        if result.get("status") not in statuses:
            raise bad(f"results[{i}] has an unknown status")
        findings = result.get("findings")
        if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
            raise bad(f"results[{i}] has no 'findings' list")


def accepted_exit_code(report: Report, fail_on: str) -> int:
    """Exit code once the run's findings are accepted as the baseline: only crashes still fail."""
    if fail_on == "never":
        return 0
    return 1 if any(Status(r.status) == Status.ERROR for r in report.results) else 0



def find_baseline(dataset: Path, baseline: Path | None, *, use_default: bool = True) -> tuple[Path, dict[str, Any]] | None:
    """The baseline to gate on (``baseline``, else the dataset's default one) and its content, read before
    any check runs so that a broken file is reported at once."""
    path = baseline if baseline is not None else (default_baseline(dataset) if use_default else None)
    return (path, read_baseline(path)) if path is not None else None
