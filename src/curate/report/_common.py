"""Helpers shared by the renderers, so every format orders, counts and words things alike."""

from __future__ import annotations

import datetime as _dt
import enum
import math
import os
import re
from pathlib import PurePath
from typing import Any, Iterable

from curate.cells import short  # noqa: F401  (the renderers import it from here)
from curate.findings import CheckResult, Finding, Report, Status

STATUS_WORDS = {
    Status.PASS: "passed",
    Status.WARN: "warning",
    Status.FAIL: "failed",
    Status.ERROR: "error",
    Status.SKIP: "skipped",
}
QUIET = (Status.PASS, Status.SKIP)  # statuses that need no reader's attention


def problem_results(report: Report) -> list[CheckResult]:
    """Warning, failing and crashed results, worst first (suite order within a status): what a reader fixes first."""
    return sorted((r for r in report.results if Status(r.status) not in QUIET), key=lambda r: -Status(r.status).rank)


def worst_status(report: Report) -> Status:
    """The report's overall status; an empty report passes; ``skip`` only when every check skipped."""
    return max((Status(r.status) for r in report.results), key=lambda s: s.rank, default=Status.PASS)


def counts_text(report: Report) -> str:
    """'5 checks: 2 passed, 1 warning, 1 failed, 1 error' (zero counts left out)."""
    total = len(report.results)
    if not total:
        return "no checks ran"
    counts = report.summary()
    parts = [f"{counts[s.value]} {STATUS_WORDS[s]}" for s in Status if counts.get(s.value)]
    return f"{total} check{'s' if total != 1 else ''}: {', '.join(parts)}"


def verdict(report: Report) -> str:
    """One word for the whole run; the CLI's --fail-on decides the exit code, not this."""
    return {
        Status.PASS: "PASSED",
        Status.SKIP: "NOTHING CHECKED",
        Status.WARN: "PASSED WITH WARNINGS",
        Status.FAIL: "FAILED",
        Status.ERROR: "FAILED",
    }[worst_status(report)]


def split_sizes(dataset: dict[str, Any]) -> list[tuple[str, int | None]]:
    """(split name, row count or None) from a report's ``dataset`` block, for headers."""
    out = []
    for name, info in (dataset.get("splits") or {}).items():
        rows = info.get("rows") if isinstance(info, dict) else info
        out.append((str(name), rows if isinstance(rows, int) else None))
    return out


def fmt_number(value: Any) -> str:
    """Compact number for tables: ints as-is, floats to 3 significant digits, None as '–'."""
    value = plain(value)
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if value.is_integer() and abs(value) < 1e15:
        return fmt_number(int(value))
    return f"{value:.3g}"


def metrics_text(metrics: dict[str, Any], limit: int = 3) -> str:
    """The first ``limit`` metrics as 'k=v' (checks list their key metrics first)."""
    items = [f"{k}={fmt_number(v)}" for k, v in list(metrics.items())[:limit]]
    if len(metrics) > limit:
        items.append("…")
    return " ".join(items)


def one_line(text: Any) -> str:
    """Newlines shown as '⏎' so a multi-line value keeps a compact view on one line."""
    return re.sub(r"\r\n|\r|\n", " ⏎ ", "" if text is None else str(text))


def where(finding: Finding, key_limit: int = 24) -> str:
    """'train:12 (key abc)' / 'train' / '' — where a finding points, without the column."""
    out = finding.split or ""
    if finding.row is not None:
        out = f"{out}:{finding.row}" if out else f"row {finding.row}"
    if finding.key is not None and str(finding.key) != str(finding.row):
        out = f"{out} (key {short(finding.key, key_limit)})" if out else f"key {short(finding.key, key_limit)}"
    return out


def related_text(finding: Finding, limit: int = 3) -> str:
    """'train:3, test:7 +2 more' for findings that point at other rows (e.g. a duplicate's original)."""
    refs = [f"{r.split}:{r.row}" for r in finding.related[:limit]]
    if len(finding.related) > limit:
        refs.append(f"+{len(finding.related) - limit} more")
    return ", ".join(refs)


def suggestion_text(suggestion: dict[str, Any] | None) -> str:
    """'label=sports, confidence=0.93' from a finding's suggestion dict."""
    if not suggestion:
        return ""
    return ", ".join(f"{k}={fmt_number(v) if _is_number(v) else short(plain(v), 60)}" for k, v in suggestion.items())


def finding_line(finding: Finding) -> str:
    """One plain-text line per finding, for JUnit bodies and annotations."""
    head = where(finding)
    if finding.column:
        head = f"{head} [{finding.column}]" if head else f"[{finding.column}]"
    text = f"{head}: {finding.message}" if head else finding.message
    if finding.related:
        text += f" (related: {related_text(finding)})"
    if finding.suggestion:
        text += f" → suggestion: {suggestion_text(finding.suggestion)}"
    return text


def _is_number(value: Any) -> bool:
    value = plain(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) or value is None


def plain(obj: Any) -> Any:
    """Convert to JSON-safe builtins: numpy scalars/arrays → Python, NaN/±inf → None, keys → str.

    Checks put numpy values in metrics and suggestions; ``json.dumps`` would write ``NaN``
    (not JSON) for float64 NaN, and raise on int64 or arrays. numpy is not imported here.
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj.value if isinstance(obj, enum.Enum) else obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, enum.Enum):
        return plain(obj.value)
    if isinstance(obj, dict):
        return {_key(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [plain(v) for v in obj]
    if isinstance(obj, PurePath):
        return obj.as_posix()
    if type(obj).__name__ in ("NAType", "NaTType"):  # pandas missing values
        return None
    if isinstance(obj, (_dt.date, _dt.time)):
        return obj.isoformat()
    if hasattr(obj, "to_dict") and callable(obj.to_dict):  # RowRef, dataclasses with a JSON shape
        return plain(obj.to_dict())
    dtype = getattr(obj, "dtype", None)
    if getattr(obj, "shape", None) == () and getattr(dtype, "kind", "") == "f" and getattr(dtype, "itemsize", 8) < 8:
        return plain(float(str(obj)))  # float32 0.93 → 0.93, not 0.9300000071525574
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy arrays and scalars
        return plain(obj.tolist())
    if hasattr(obj, "item") and callable(obj.item):  # other numpy/pandas scalars
        try:
            return plain(obj.item())
        except (TypeError, ValueError):
            pass
    return str(obj)


def _key(key: Any) -> str:
    value = plain(key)
    return value if isinstance(value, str) else str(value)


def annotation_path(dataset_path: str | None, relative: str) -> str:
    """A file path as GitHub wants it: relative to the checkout, '/'-separated, normalised.

    ``relative`` is relative to the dataset root; the root is the path the user passed to
    ``curate check`` (usually relative to the workspace). An absolute root inside the
    workspace (``$GITHUB_WORKSPACE``, else the current directory) is made relative too.
    """
    path = os.path.normpath(os.path.join(dataset_path or ".", relative))
    if os.path.isabs(path):
        base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        try:
            candidate = os.path.relpath(path, base)
        except ValueError:  # another drive on Windows
            candidate = path
        if not candidate.startswith(os.pardir):
            path = candidate
    return path.replace(os.sep, "/")


def iter_findings(results: Iterable[CheckResult], per_check: int) -> Iterable[tuple[CheckResult, Finding]]:
    """Each result's worst findings in turn (results in the order given)."""
    for result in results:
        for finding in result.worst_findings(per_check):
            yield result, finding
