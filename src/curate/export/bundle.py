"""What ``curate fix`` produced, and what every upstream bundle says about it.

:class:`FixOutcome` is written by ``curate.export.fix`` and read by each bundle writer
(``curate.export.hf``, ``curate.export.kaggle``); the summary, file and correction tables and the
known-issues text appear both in the Hugging Face pull request and in the Kaggle discussion post,
and ``fix.json`` records each file's identity for ``curate submit hf``. They live here, below the
writers and the pipeline, so the pipeline imports the writers and no writer imports the pipeline
or another writer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from curate import escape
from curate.cells import published
from curate.corrections import Correction, CorrectionSet, Plan, show, weak_model

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_MAX_CHANGE = 0.1  # the suite's `fix: {max_change}` default (curate.suite.FixOptions)
MAX_LISTED = 300  # corrections listed one by one in PR.md and the changelog (all are in corrections.jsonl)


@dataclass
class FileResult:
    """One split file of the corrected dataset."""

    rel: str  # path relative to the dataset root (and to DIR/data)
    split: str
    source: Path
    corrected: Path  # the corrected (or copied) file
    frame: pd.DataFrame  # its rows after the edits
    rows_before: int
    rows_after: int
    deleted: int = 0
    updated_cells: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.deleted or self.updated_cells)


@dataclass
class FixOutcome:
    """Everything ``curate fix`` produced (what the bundles and the console summary read)."""

    dataset: Any
    report: Any
    corrections: CorrectionSet
    plan: Plan
    out: Path
    min_confidence: float
    version: str
    date: str
    fingerprint: str
    command: str | None  # the command line that ran (None when called from Python)
    max_change: float = DEFAULT_MAX_CHANGE
    after: Any = None  # Report of the checks re-run on the corrected rows (see recheck), or None
    impact: Any = None  # FairnessImpact of the corrections on group label rates, or None
    all_files: list[FileResult] = field(default_factory=list)
    bias: Any = None
    warnings: list[str] = field(default_factory=list)
    bundles: list[str] = field(default_factory=list)
    hf_uploads: list[str] = field(default_factory=list)
    kaggle_command: str | None = None

    @property
    def files(self) -> list[FileResult]:
        return [f for f in self.all_files if f.changed]

    @property
    def plan_corrections(self) -> list[Correction]:
        return self.plan.corrections

    @property
    def counts(self) -> dict[str, int]:
        ops = [c.op for c in self.plan.corrections]
        return {"delete": ops.count("delete"), "update": ops.count("update")}


# =========================================================================== texts


def cell(text: Any, limit: int = 160) -> str:
    """Data-derived text for PR.md and the card: cut at a word boundary, then escaped (curate.escape.markdown)."""
    return published(str(text), limit)


def change_text(c: Any) -> str:
    if c.op == "delete":
        return "delete row"
    return f"{escape.markdown_code(c.column)}: {cell(show(c.old, 40))} → {cell(show(c.new, 40))}"


def fixed_findings(outcome: FixOutcome, result: Any) -> int:
    """How many of a check's findings these corrections address (their row deleted, or their cell updated)."""
    deleted = {(c.split, c.key) for c in outcome.plan_corrections if c.op == "delete"}
    updated = {(c.split, c.key, c.column) for c in outcome.plan_corrections if c.op == "update"}
    rows = {(c.split, c.key) for c in outcome.plan_corrections if c.op == "update"}
    fixed = 0
    for f in result.findings:
        if f.split is None or f.key is None:
            continue
        if (
            (f.split, f.key) in deleted
            or (f.split, f.key, f.column) in updated
            or (f.column is None and (f.split, f.key) in rows)
        ):
            fixed += 1
    return fixed


def summary_table(outcome: FixOutcome) -> list[str]:
    """Per check: status, findings, how many are fixed here, rows deleted, values updated, suggestions not applied."""
    counts = outcome.corrections.counts()
    empty = {"delete": 0, "update": 0, "skipped": 0}
    lines = [
        "| check | status | findings | fixed here | rows deleted | values updated | suggestions not applied |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    seen: set[str] = set()
    for r in outcome.report.results:
        n = counts.get(r.check, empty) if r.check not in seen else empty
        seen.add(r.check)
        lines.append(
            f"| {cell(r.name)} | {r.status.value} | {len(r.findings)} | {fixed_findings(outcome, r)} | "
            f"{n['delete']} | {n['update']} | {n['skipped']} |"
        )
    d, u = outcome.counts["delete"], outcome.counts["update"]
    lines.append(
        f"| **total** | | {sum(len(r.findings) for r in outcome.report.results)} | | **{d}** | **{u}** | "
        f"{len(outcome.corrections.skipped)} |"
    )
    return lines


def files_table(outcome: FixOutcome, *, diff_links: bool) -> list[str]:
    lines = [
        "| file | split | rows before | rows after | rows deleted | cells updated |"
        + (" review diff |" if diff_links else ""),
        "|---|---|---:|---:|---:|---:|" + ("---|" if diff_links else ""),
    ]
    for f in outcome.files:
        link = f" [{cell(f.rel)}.diff.html](diff/{quote(f.rel)}.diff.html) |" if diff_links else ""
        lines.append(
            f"| {escape.markdown_code(f.rel)} | {cell(f.split)} | {f.rows_before} | {f.rows_after} | {f.deleted} | {f.updated_cells} |{link}"
        )
    return lines


def corrections_table(outcome: FixOutcome, limit: int = MAX_LISTED) -> list[str]:
    items = outcome.plan_corrections
    lines = ["| id | split | key | change | confidence | check | reason |", "|---|---|---|---|---:|---|---|"]
    for c in items[:limit]:
        lines.append(
            f"| {escape.markdown_code(c.id)} | {cell(c.split)} | {cell(c.key)} | {change_text(c)} | {c.confidence:.2f} | "
            f"{cell(c.check)} | {cell(c.reason)} |"
        )
    if len(items) > limit:
        lines.append(f"| … | | | {len(items) - limit} more in `corrections.jsonl` | | | |")
    return lines


def known_issues(outcome: FixOutcome) -> str:
    """Problems left in the *corrected* data (for the card and PR.md).

    A check re-run on the corrected rows (``outcome.after``) speaks for itself; a check that was not
    re-run (it proposed updates) is described by its findings these corrections leave unfixed. A
    check that distrusts its own model (``metrics["guard"]``) gets no figures.
    """
    lines = ["## Known issues", ""]
    items = []
    rerun = after_results(outcome)
    for i, r in enumerate(outcome.report.results):
        after = rerun.get(i)
        fixed = fixed_findings(outcome, r)
        if weak_model(r):
            items.append(
                f"- **{cell(r.name)}** could not judge this dataset ({r.status.value}): its model is not clearly "
                "better than guessing, so none of its suggestions were used."
            )
        elif after is not None:
            if after.status.value in ("pass", "skip"):
                continue
            note = f" ({fixed:,} of the {len(r.findings):,} findings before were fixed in this revision)" if fixed else ""
            items.append(f"- **{cell(r.name)}** ({after.status.value}): {cell(after.message, 300)}{note}")
        elif r.status.value not in ("pass", "skip") and fixed < len(r.findings):
            items.append(
                f"- **{cell(r.name)}** ({r.status.value} before these corrections): {len(r.findings) - fixed:,} of "
                f"its {len(r.findings):,} findings are not fixed in this revision."
            )
        elif r.status.value not in ("pass", "skip") and not r.findings:
            items.append(f"- **{cell(r.name)}** ({r.status.value}): {cell(r.message, 300)}")
    if not items:
        checks = ", ".join(cell(r.name) for r in outcome.report.results)
        items.append(f"- None left after these corrections (curate {outcome.version}; checks: {checks}).")
    lines += items
    if outcome.corrections.skipped:
        summary = ", ".join(f"{n} {why}" for why, n in outcome.corrections.skipped_summary().items())
        lines += ["", f"Suggestions not applied: {summary}."]
    return "\n".join(lines)


def after_results(outcome: FixOutcome) -> dict[int, Any]:
    """Position of a result in ``outcome.report`` → the same check's result on the corrected rows."""
    after = getattr(outcome, "after", None)
    if after is None:
        return {}
    pending: dict[tuple[str, str], list[Any]] = {}
    for r in after.results:
        pending.setdefault((r.check, r.name), []).append(r)
    out = {}
    for i, r in enumerate(outcome.report.results):
        queue = pending.get((r.check, r.name))
        if queue:
            out[i] = queue.pop(0)
    return out


# =========================================================================== file identities (fix.json)


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a file's content (what the Hub reports as ``blobId`` for non-LFS files)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def file_identity(path: Path) -> dict[str, Any]:
    data = Path(path).read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "git_sha1": git_blob_sha1(data)}
