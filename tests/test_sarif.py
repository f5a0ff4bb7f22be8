"""``--format sarif``: valid SARIF 2.1.0 (checked against OASIS's schema, shipped in tests/data),
one result per finding at its file and line, fingerprints that survive row moves."""

from __future__ import annotations

import hashlib
import json
import random

import jsonschema
import pytest

from curate.findings import CheckResult, Finding, Report, Status
from curate.gating import compare
from curate.report import render
from curate.report.sarif import FINGERPRINT

from conftest import REPO
from test_gating import adult_rows, check_json, cli, dataset  # noqa: F401 — fixtures and helpers
from test_report import make_report

SCHEMA_FILE = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"  # OASIS errata01 file


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256, "not OASIS's SARIF 2.1.0 schema"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif_of(root) -> dict:
    result = cli("check", root, "--format", "sarif")
    return json.loads(result.stdout)


def results(doc: dict) -> list[dict]:
    (run,) = doc["runs"]
    return run["results"]


def test_adult_sarif_is_valid_with_one_result_per_finding(tmp_path, adult_rows, validator) -> None:
    root = dataset(tmp_path, adult_rows)
    doc = sarif_of(root)
    validator.validate(doc)
    _, report = check_json(root)
    findings = [(r["check"], f) for r in report["results"] for f in r["findings"]]
    assert len(results(doc)) == len(findings) == 25
    rules = [rule["id"] for rule in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert rules == ["duplicates", "conflicting_labels"]
    for sarif_result, (family, finding) in zip(results(doc), findings):
        assert sarif_result["ruleId"] == family and rules[sarif_result["ruleIndex"]] == family
        (loc,) = sarif_result["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("/train.csv")
        assert loc["physicalLocation"]["region"]["startLine"] == finding["row"] + 2  # header, 1-based
        line = (root / "train.csv").read_text().splitlines()[finding["row"] + 1]
        assert line == adult_rows[finding["row"]]
    prints = [r["partialFingerprints"][FINGERPRINT] for r in results(doc)]
    assert len(set(prints)) == len(prints)


def test_fingerprints_survive_reordering(tmp_path, adult_rows) -> None:
    before = {r["partialFingerprints"][FINGERPRINT] for r in results(sarif_of(dataset(tmp_path / "a", adult_rows)))}
    rows = list(adult_rows)
    random.Random(3).shuffle(rows)
    moved = results(sarif_of(dataset(tmp_path / "b", rows)))
    dupes = {r["partialFingerprints"][FINGERPRINT] for r in moved if r["ruleId"] == "duplicates"}
    assert dupes <= before and len(dupes) == 24  # duplicates are keyed by content: same identity
    assert sorted(r["properties"]["row"] for r in moved) != sorted(
        r["properties"]["row"] for r in results(sarif_of(dataset(tmp_path / "a", adult_rows))))


def test_crash_metric_failure_and_unlocated_findings_are_valid(validator) -> None:
    report = make_report()
    report.results.append(CheckResult("drift", "drift#2", Status.FAIL, "PSI 0.4 over 0.2"))  # no findings
    report.results.append(CheckResult("schema", "cols", Status.FAIL, "x", findings=[
        Finding("column 'a b' removed", split="test", column="a b"), Finding("dataset-level")]))
    doc = json.loads(render(report, "sarif"))
    validator.validate(doc)
    run = doc["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"] == "drift"
    by_message = {r["message"]["text"]: r for r in run["results"]}
    assert by_message["drift#2: PSI 0.4 over 0.2"]["level"] == "error"
    assert by_message["drift[train→test]: the check crashed: KeyError: 'x'"]["level"] == "error"
    label = [r for r in run["results"] if r["ruleId"] == "label_errors"]
    assert {r["level"] for r in label} == {"warning"}
    assert "region" not in label[0]["locations"][0]["physicalLocation"]  # parquet rows have no line
    # unlocated findings point at a data file of the dataset so code scanning accepts them
    dataset_level = by_message["cols: dataset-level"]
    assert dataset_level["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "datasets/news/data/train.csv"


def test_baseline_state_is_reported(validator) -> None:
    before, now = make_report(), make_report()
    now.results[1].findings.append(Finding("exact duplicate of train:1", split="train", row=999, key="id-999"))
    compare(now, "b.json", json.loads(render(before, "json")))
    doc = json.loads(render(now, "sarif"))
    validator.validate(doc)
    states = [r.get("baselineState") for r in results(doc) if r["ruleId"] == "duplicates"]
    assert states.count("new") == 1 and states.count("unchanged") == 14


def test_hostile_paths_and_text_stay_valid(validator) -> None:
    report = Report({"path": "my data", "splits": {"train": {"rows": 1, "files": ["a b/100%.csv"]}}},
                    [CheckResult("pii", "pii", Status.FAIL, "x", findings=[
                        Finding("::error::nope \x00\u202e\n<script>", split="train", row=0, key="k\"}")])],
                    locate=lambda split, row: ("a b/100%.csv", 2))
    doc = json.loads(render(report, "sarif"))
    validator.validate(doc)
    assert results(doc)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20data/a%20b/100%25.csv"
