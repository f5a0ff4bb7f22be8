"""JUnit XML: the format CI systems (GitLab, Jenkins, Azure, test-report actions) already display.

One testsuite "curate", one testcase per check. ``warn`` passes (the CI step's exit code is
decided by ``--fail-on``), but carries a ``status=warn`` property and the warnings as output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from curate.findings import CheckResult, Report, Status
from curate.report._common import finding_line, plain

# Characters XML 1.0 forbids even when escaped; ElementTree would write them and break parsers.
_INVALID_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ATTR_LIMIT = 1000


def _clean(value: Any, limit: int | None = None) -> str:
    text = _INVALID_XML.sub("\ufffd", "" if value is None else str(value))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _value(value: Any) -> str:
    value = plain(value)
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def findings_text(result: CheckResult, max_findings: int) -> str:
    """The check's message, then its worst findings one per line, then '… and N more'."""
    shown = result.worst_findings(max_findings)
    lines = [result.message] if result.message else []
    lines += [f"- {finding_line(f)}" for f in shown]
    if len(result.findings) > len(shown):
        lines.append(f"… and {len(result.findings) - len(shown):,} more")
    return "\n".join(lines)


def testcase(result: CheckResult, max_findings: int) -> ET.Element:
    """One ``<testcase>``: properties (status, severity, metrics) first, then the outcome."""
    status = Status(result.status)
    case = ET.Element(
        "testcase",
        classname=_clean(f"curate.{result.check}"),
        name=_clean(result.name),
        time=f"{result.seconds:.3f}",
    )
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", name="status", value=status.value)
    ET.SubElement(props, "property", name="severity", value=_clean(result.severity))
    ET.SubElement(props, "property", name="findings", value=str(len(result.findings)))
    for key, value in result.metrics.items():
        ET.SubElement(props, "property", name=_clean(f"metric.{key}"), value=_clean(_value(value), ATTR_LIMIT))
    if status == Status.FAIL:
        failure = ET.SubElement(case, "failure", message=_clean(result.message, ATTR_LIMIT), type="fail")
        failure.text = _clean(findings_text(result, max_findings))
    elif status == Status.ERROR:
        error = ET.SubElement(case, "error", message=_clean(result.message, ATTR_LIMIT), type="error")
        error.text = _clean(result.message)
    elif status == Status.SKIP:
        ET.SubElement(case, "skipped", message=_clean(result.message, ATTR_LIMIT))
    elif status == Status.WARN:
        ET.SubElement(case, "system-out").text = _clean("warning: " + findings_text(result, max_findings))
    return case


def render(report: Report, *, max_findings: int = 10) -> str:
    """The JUnit XML document as a string, with an XML declaration."""
    counts = report.summary()
    seconds = f"{sum(r.seconds for r in report.results):.3f}"
    attrs = {
        "tests": str(len(report.results)),
        "failures": str(counts.get("fail", 0)),
        "errors": str(counts.get("error", 0)),
        "skipped": str(counts.get("skip", 0)),
        "time": seconds,
    }
    root = ET.Element("testsuites", name="curate", **attrs)
    suite = ET.SubElement(root, "testsuite", name="curate", **attrs)
    ds = report.dataset or {}
    facts = [key for key in ("path", "layout", "config", "suite") if ds.get(key) is not None]
    if facts:
        props = ET.SubElement(suite, "properties")
        for key in facts:
            ET.SubElement(props, "property", name=f"dataset.{key}", value=_clean(ds[key], ATTR_LIMIT))
    for result in report.results:
        suite.append(testcase(result, max_findings))
    if report.notes:
        ET.SubElement(suite, "system-out").text = _clean("\n".join(report.notes))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
