"""The JSON report: the machine-readable contract (see design notes), strict JSON only.

Named ``json_report`` so it never shadows the stdlib ``json`` module.
"""

from __future__ import annotations

import json

from curate.findings import Report
from curate.report._common import plain


def render(report: Report, *, indent: int | None = 2) -> str:
    """``report.to_dict()`` as strict JSON: numpy values become Python, NaN/inf become null.

    ``allow_nan=False`` makes any value that slipped past :func:`plain` fail loudly here
    rather than produce output that ``json.loads`` in a CI script would reject.
    """
    return json.dumps(plain(report.to_dict()), indent=indent, ensure_ascii=False, allow_nan=False, default=str)
