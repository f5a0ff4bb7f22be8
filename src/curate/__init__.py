"""curate: find and fix problems in community datasets.

>>> import curate
>>> report = curate.check("example_datasets/hf_news")   # doctest: +SKIP
>>> report.passed, report.summary()                     # doctest: +SKIP

``check`` and ``find_label_issues`` are loaded on first use, so that ``import curate`` (and
``curate --version``) does not pay for pandas and the check libraries.
"""

from typing import TYPE_CHECKING, Any

from curate.errors import CurateError
from curate.findings import CheckResult, Finding, Report, RowRef, Status

if TYPE_CHECKING:
    from curate.labels import find_label_issues
    from curate.runner import check

__version__ = "0.1.0"

__all__ = [
    "check", "find_label_issues", "Report", "CheckResult", "Finding", "RowRef", "Status", "CurateError", "__version__",
]

_LAZY = {"check": "curate.runner", "find_label_issues": "curate.labels"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module 'curate' has no attribute {name!r}")
