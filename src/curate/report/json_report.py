"""The JSON report: the machine-readable contract (see design notes), strict JSON only.

Named ``json_report`` so it never shadows the stdlib ``json`` module.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from curate.atomic import atomic_write_bytes
from curate.errors import CurateError
from curate.findings import Report
from curate.report._common import plain


def render(report: Report, *, indent: int | None = 2) -> str:
    """``report.to_dict()`` as strict JSON: numpy values become Python, NaN/inf become null.

    With ``indent``, the document is indented down to each check's findings, and each finding is
    one line: ``json`` indents with its pure-Python encoder, several times slower than the C one
    that writes a line, and a report's size is its findings (one per line also diffs and greps
    well). ``allow_nan=False`` makes any value that slipped past :func:`plain` fail loudly here
    rather than produce output that ``json.loads`` in a CI script would reject.
    """
    data = plain(report.to_dict())
    if indent is None:
        return _dumps(data)
    token = secrets.token_hex(16)  # stands for a findings list while the rest is indented; data cannot guess it
    lines: dict[str, list[str]] = {}
    for i, result in enumerate(data.get("results", [])):
        if result.get("findings"):
            lines[f"{token}-{i}"] = [_dumps(finding) for finding in result["findings"]]
            result["findings"] = f"{token}-{i}"
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False, default=str)
    return re.sub(rf'^( *)(.*)"({token}-\d+)"', lambda m: _listed(m, lines, indent), text, flags=re.MULTILINE)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)


def _listed(match: re.Match, lines: dict[str, list[str]], indent: int) -> str:
    """The line that held a findings token, with the findings one per line in its place."""
    margin, before, key = match.group(1), match.group(2), match.group(3)
    inner = margin + " " * indent
    return f"{margin}{before}[\n" + ",\n".join(inner + line for line in lines[key]) + f"\n{margin}]"


def write_baseline(report: Report, path: Path) -> None:
    """Write ``report`` as the new gating baseline (``--update-baseline``; read back by
    :func:`curate.gating.read_baseline`), atomically: CI may read it concurrently."""
    try:
        atomic_write_bytes(path, (render(report) + "\n").encode("utf-8"))
    except OSError as exc:
        raise CurateError(f"cannot write the baseline report: {exc.strerror}", file=path) from None
