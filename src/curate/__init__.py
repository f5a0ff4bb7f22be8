"""curate: find and fix problems in community datasets.

>>> import curate
>>> report = curate.check("example_datasets/hf_news")   # doctest: +SKIP
>>> report.passed, report.summary()                     # doctest: +SKIP
"""

from curate.errors import CurateError
from curate.findings import CheckResult, Finding, Report, RowRef, Status
from curate.labels import find_label_issues  # cleanlab is imported on first call, not here
from curate.runner import check

__version__ = "0.1.0"

__all__ = [
    "check", "find_label_issues", "Report", "CheckResult", "Finding", "RowRef", "Status", "CurateError", "__version__",
]
