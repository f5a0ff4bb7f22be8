"""SARIF 2.1.0 output (``--format sarif``), for GitHub code scanning and other SARIF viewers.

One SARIF result per finding, pointing at the data file and line of its row where known (else
at the split's first file), with rule ids = check families. ``partialFingerprints`` hash the
check name, split, row key and column (the identity baseline gating uses), never the row
position or the message, so code scanning keeps tracking a finding when rows move.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from curate.checks import family
from curate.findings import CheckResult, Finding, Report, Status
from curate.gating import finding_identity
from curate.report._common import annotation_path, finding_line, plain, short
from curate.report.github import location

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "curateFinding/v1"
MESSAGE_LIMIT = 2000
LEVELS = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.PASS: "note", Status.SKIP: "note"}


def fingerprint(result: CheckResult, finding: Finding | None) -> str:
    """A stable hash of the check name and the finding's identity (split, key, column)."""
    ident = finding_identity(finding.split, finding.key, finding.column, finding.message, finding.subject) if finding else ()
    return hashlib.sha256(json.dumps([result.name, *ident]).encode("utf-8")).hexdigest()


def _artifact(uri: str, line: int | None) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": quote(uri, safe="/")}}
    if line is not None and line >= 1:
        location["region"] = {"startLine": int(line)}
    return {"physicalLocation": location}


def _split_file(report: Report, split: str | None) -> str | None:
    """The first data file of ``split`` (or of any split), relative to the checkout."""
    splits = (report.dataset or {}).get("splits") or {}
    names = [split] if split in splits else list(splits)
    for name in names:
        files = (splits.get(name) or {}).get("files") or [] if isinstance(splits.get(name), dict) else []
        if files:
            return annotation_path((report.dataset or {}).get("path"), str(files[0]))
    return None


def _locations(report: Report, finding: Finding | None) -> list[dict[str, Any]]:
    file, line = location(report, finding) if finding is not None else (None, None)
    if file is None:
        file, line = _split_file(report, finding.split if finding else None), None
    return [_artifact(file, line)] if file else []


def _result(report: Report, result: CheckResult, finding: Finding | None, position: int, rule_index: int) -> dict[str, Any]:
    """One SARIF result; ``position`` is the finding's index in ``result.findings``."""
    text = finding_line(finding) if finding is not None else (result.message or Status(result.status).value)
    out: dict[str, Any] = {
        "ruleId": result.check,
        "ruleIndex": rule_index,
        "level": LEVELS[Status(result.status)],
        "message": {"text": short(f"{result.name}: {text}", MESSAGE_LIMIT)},
        "locations": _locations(report, finding),
        "partialFingerprints": {FINGERPRINT: fingerprint(result, finding)},
        "properties": {"check": result.name, "status": Status(result.status).value},
    }
    if finding is not None:
        out["properties"].update(plain({"split": finding.split, "row": finding.row, "key": finding.key,
                                        "column": finding.column, "score": finding.score}))
    state = report.gate.state(result, position) if report.gate is not None and finding is not None else None
    if state is not None:
        out["baselineState"] = state
    return out


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict (one run)."""
    from curate import __version__

    families = list(dict.fromkeys(r.check for r in report.results))
    rules = [{"id": f, "name": f, "shortDescription": {"text": getattr(family(f), "description", f) or f}}
             for f in families]
    index = {f: i for i, f in enumerate(families)}
    results: list[dict[str, Any]] = []
    crashes = []
    for r in report.results:
        if Status(r.status) == Status.ERROR:
            crashes.append({"level": "error", "message": {"text": short(f"{r.name}: {r.message}", MESSAGE_LIMIT)},
                            "descriptor": {"id": r.check}})
        if r.findings:
            results += [_result(report, r, f, i, index[r.check]) for i, f in enumerate(r.findings)]
        elif Status(r.status) in (Status.FAIL, Status.WARN, Status.ERROR):  # failed on a metric or crashed
            results.append(_result(report, r, None, 0, index[r.check]))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "curate", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [{"executionSuccessful": not crashes, "toolExecutionNotifications": crashes}],
            "results": results,
        }],
    }


def render(report: Report) -> str:
    """The SARIF log as strict JSON."""
    return json.dumps(plain(to_sarif(report)), indent=2, ensure_ascii=False, allow_nan=False)
