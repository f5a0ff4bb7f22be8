"""End to end, as a user runs it: the CLI on the bundled examples, asserted against their ground truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import EXAMPLES, read_json

from curate.cli import main

PLANTED = read_json(EXAMPLES / "planted/products.json")["drift"]


def _json_report(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--format", "json", "--no-progress"])
    return result.exit_code, json.loads(result.output)


def test_lock_v1_then_check_v2_fails_schema_naming_every_planted_drift(tmp_path: Path) -> None:
    v1 = tmp_path / "products"
    shutil.copytree(EXAMPLES / "products_v1", v1)
    locked = CliRunner().invoke(main, ["lock", str(v1)])
    assert locked.exit_code == 0, locked.output
    assert sorted(p.name for p in v1.iterdir()) == ["curate.lock.json", "test.jsonl", "train.jsonl"]

    code, report = _json_report("check", str(EXAMPLES / "products_v2"), "--lock", str(v1 / "curate.lock.json"))
    assert code == 1
    schema = next(r for r in report["results"] if r["check"] == "schema")
    assert schema["status"] == "fail"
    messages = [f["message"] for f in schema["findings"]]
    columns = {f["column"] for f in schema["findings"]}
    for split in ("train", "test"):
        in_split = [f["message"] for f in schema["findings"] if f["split"] == split]
        rename = PLANTED["renamed_columns"][0]
        assert any(rename["from"] in m and rename["to"] in m and "renamed" in m for m in in_split)
        assert any("removed" in m and PLANTED["removed_columns"][0] in m for m in in_split)
        assert any("added" in m and PLANTED["added_columns"][0] in m for m in in_split)
        assert any("type changed" in m and "stock" in m for m in in_split)
        new_value = PLANTED["new_category_values"][0]
        assert any(new_value["value"] in m and str(new_value["count"][split]) in m for m in in_split)
        assert any("null" in m and "description" in m for m in in_split)
    # nothing unplanted: every finding is about a column the ground truth names
    planted_columns = {"price", "price_usd", "discontinued", "color", "stock", "category", "description"}
    assert columns <= planted_columns, (columns - planted_columns, messages)


def test_drift_from_the_v1_lock_flags_weight_and_not_stable_columns(tmp_path: Path) -> None:
    lock = tmp_path / "v1.lock.json"
    assert CliRunner().invoke(main, ["lock", str(EXAMPLES / "products_v1"), "-o", str(lock)]).exit_code == 0
    suite = tmp_path / "suite.yaml"
    suite.write_text("checks:\n  - drift: {reference: baseline}\n")
    code, report = _json_report("check", str(EXAMPLES / "products_v2"), "-s", str(suite), "--lock", str(lock))
    drifted = {(f["split"], f["column"]) for f in report["results"][0]["findings"]}
    assert {("train", "weight_kg"), ("test", "weight_kg")} <= drifted
    assert not {c for _, c in drifted} & {"rating_count"}


def test_hf_news_suite_finds_the_planted_foundation_problems() -> None:
    planted = read_json(EXAMPLES / "planted/hf_news.json")
    code, report = _json_report("check", str(EXAMPLES / "hf_news"))
    assert code == 1
    by_check = {r["check"]: r for r in report["results"]}
    bad_labels = {item["id"] for item in planted["invalid_labels"]}
    empty = {item["id"] if isinstance(item, dict) else item for item in planted["empty_texts"]}
    assert {f["key"] for f in by_check["schema"]["findings"]} == bad_labels
    expect_keys = {(f["column"], f["key"]) for f in by_check["expect"]["findings"]}
    assert expect_keys == {("label", k) for k in bad_labels} | {("text", k) for k in empty}
    assert by_check["drift"]["status"] == "pass"


def test_kaggle_loans_suite_flags_exactly_the_impossible_ages() -> None:
    planted = read_json(EXAMPLES / "planted/kaggle_loans.json")
    code, report = _json_report("check", str(EXAMPLES / "kaggle_loans"))
    assert code == 1
    by_check = {r["check"]: r for r in report["results"]}
    assert by_check["schema"]["status"] == "pass"
    ages = {str(item["applicant_id"]) for item in planted["invalid_ages"]}
    assert {f["key"] for f in by_check["expect"]["findings"]} == ages
    assert {f["column"] for f in by_check["expect"]["findings"]} == {"age"}


def test_github_format_points_at_real_lines(tmp_path: Path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "kaggle_loans"), "--format", "github", "--only", "expect"])
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::error")]
    assert len(annotations) == 4
    lines = (EXAMPLES / "kaggle_loans/applications.csv").read_text().splitlines()
    for annotation in annotations:
        location = dict(part.split("=", 1) for part in annotation[len("::error "):].split("::")[0].split(","))
        assert location["file"].endswith("kaggle_loans/applications.csv")
        row = lines[int(location["line"]) - 1]  # the annotated line holds the impossible age
        assert row.split(",")[1] in {"0", "7", "150", "212"}
    assert "expect" in summary.read_text()


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_check_never_writes_into_the_dataset(tmp_path: Path) -> None:
    folder = tmp_path / "hf_news"
    shutil.copytree(EXAMPLES / "hf_news", folder)
    before = _snapshot(folder)
    for fmt in ("console", "json", "github", "junit", "markdown"):
        CliRunner().invoke(main, ["check", str(folder), "--format", fmt])
    assert _snapshot(folder) == before


def test_python_api_matches_the_cli() -> None:
    import curate

    def strip(report: dict) -> dict:
        for result in report["results"]:
            result.pop("seconds")
        return report

    _, from_cli = _json_report("check", str(EXAMPLES / "kaggle_loans"))
    from_api = json.loads(json.dumps(curate.check(EXAMPLES / "kaggle_loans").to_dict(), default=str))
    assert strip(from_api) == strip(from_cli)
