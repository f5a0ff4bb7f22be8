"""The JSON report: the machine-readable contract (see design notes), strict JSON only.

Named ``json_report`` so it never shadows the stdlib ``json`` module.
"""

from __future__ import annotations

import json
from pathlib import Path

from curate.atomic import atomic_write_bytes
from curate.errors import CurateError
from curate.findings import Report
from curate.report._common import plain


def render(report: Report, *, indent: int | None = 2) -> str:
    """``report.to_dict()`` as strict JSON: numpy values become Python, NaN/inf become null.

    ``allow_nan=False`` makes any value that slipped past :func:`plain` fail loudly here
    rather than produce output that ``json.loads`` in a CI script would reject.
    """
    return json.dumps(plain(report.to_dict()), indent=indent, ensure_ascii=False, allow_nan=False, default=str)


def write_baseline(report: Report, path: Path) -> None:
    """Write ``report`` as the new gating baseline (``--update-baseline``; read back by
    :func:`curate.gating.read_baseline`), atomically: CI may read it concurrently."""
    try:
        atomic_write_bytes(path, (render(report) + "\n").encode("utf-8"))
    except OSError as exc:
        raise CurateError(f"cannot write the baseline report: {exc.strerror}", file=path) from None
