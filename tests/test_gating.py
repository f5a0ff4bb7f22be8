"""Baseline gating (``--baseline`` / ``--update-baseline``) on the real UCI Adult file.

Adult's training file has 24 exact duplicate rows (23 groups) and one group of identical rows with
different income labels, found by ``duplicates`` and ``conflicting_labels``; it has no id column,
so rows are keyed by a hash of their content, which survives reordering and appending.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from curate.cli import main
from curate.findings import CheckResult, Finding, Report, Status
from curate.gating import BASELINE_FILENAME, NEW, compare, read_baseline
from curate.report import render

from conftest import REPO, write

HEADER = ("age,workclass,fnlwgt,education,education_num,marital_status,occupation,relationship,race,sex,"
          "capital_gain,capital_loss,hours_per_week,native_country,income")
# Adult's identical rows look like distinct people that coincide (curate.coincidence: rows differing only
# in fnlwgt are far commoner); these tests are about gating, so its identical rows are taken as copies
SUITE = "dataset:\n  label: income\nchecks:\n  - duplicates: {coincidence: false}\n  - conflicting_labels: {}\n"


@pytest.fixture(scope="module")
def adult_rows() -> list[str]:
    """Adult's records as CSV lines (the ', ' separators made plain commas)."""
    text = gzip.decompress((REPO / "tests" / "data" / "adult.data.gz").read_bytes()).decode("utf-8")
    return [line.replace(", ", ",") for line in text.splitlines() if line.strip()]


def dataset(root: Path, rows: list[str]) -> Path:
    write(root / "curate.yaml", SUITE)
    (root / "train.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return root


def cli(*args: str):
    return CliRunner().invoke(main, [*map(str, args), "--no-progress"], catch_exceptions=False)


def check_json(root: Path, *args: str) -> tuple[int, dict]:
    result = cli("check", root, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def accepted(tmp_path_factory, adult_rows) -> tuple[Path, dict]:
    """Adult with its findings accepted as the baseline (``curate.baseline.json`` at the root)."""
    root = dataset(tmp_path_factory.mktemp("adult"), adult_rows)
    result = cli("check", root, "--format", "json", "--update-baseline", root / BASELINE_FILENAME)
    assert result.exit_code == 0, result.output  # accepted: the run's own findings fail nothing
    return root, json.loads((root / BASELINE_FILENAME).read_text())


def test_baseline_holds_the_known_findings_and_the_plain_run_still_fails(accepted) -> None:
    root, baseline = accepted
    assert {r["name"]: len(r["findings"]) for r in baseline["results"]} == {"duplicates": 24, "conflicting_labels": 1}
    code, _ = check_json(root, "--no-baseline")
    assert code == 1


def test_unchanged_data_passes_against_the_default_baseline(accepted) -> None:
    root, _ = accepted
    code, report = check_json(root)
    assert code == 0
    assert report["summary"]["fail"] == 2  # the statuses still tell the truth
    assert report["baseline"]["file"].endswith(BASELINE_FILENAME)
    assert {k: report["baseline"][k] for k in ("new", "fixed", "unchanged")} == {"new": 0, "fixed": 0, "unchanged": 25}
    assert all(f["baseline"] == "unchanged" for r in report["results"] for f in r["findings"])
    assert all(not r["baseline"]["blocking"] for r in report["results"])


def test_reordered_rows_create_no_new_finding(tmp_path, adult_rows, accepted) -> None:
    rows = list(adult_rows)
    random.Random(7).shuffle(rows)
    root = dataset(tmp_path, rows)
    code, report = check_json(root, "--baseline", accepted[0] / BASELINE_FILENAME)
    assert code == 0
    assert (report["baseline"]["new"], report["baseline"]["fixed"], report["baseline"]["unchanged"]) == (0, 0, 25)
    moved = [f["row"] for r in report["results"] for f in r["findings"]]
    old = [f["row"] for r in accepted[1]["results"] for f in r["findings"]]
    assert sorted(moved) != sorted(old)  # the rows did move: matching is not by position


def test_appended_rows_only_the_new_copy_is_new(tmp_path, adult_rows, accepted) -> None:
    fresh = "39,Private,123456,Masters,14,Never-married,Tech-support,Not-in-family,White,Female,0,0,38,Canada,>50K"
    assert fresh not in adult_rows
    root = dataset(tmp_path, adult_rows + [fresh, adult_rows[100]])
    code, report = check_json(root, "--baseline", accepted[0] / BASELINE_FILENAME)
    assert code == 1
    new = [(r["name"], f["row"]) for r in report["results"] for f in r["findings"] if f["baseline"] == NEW]
    assert new == [("duplicates", len(adult_rows) + 1)]
    blocking = {r["name"]: r["baseline"]["blocking"] for r in report["results"]}
    assert blocking == {"duplicates": True, "conflicting_labels": False}


def test_an_appended_clean_row_passes(tmp_path, adult_rows, accepted) -> None:
    fresh = "41,State-gov,99999,Bachelors,13,Divorced,Adm-clerical,Unmarried,Black,Male,0,0,40,United-States,<=50K"
    root = dataset(tmp_path, adult_rows + [fresh])
    code, report = check_json(root, "--baseline", accepted[0] / BASELINE_FILENAME)
    assert code == 0 and report["baseline"]["new"] == 0


def test_removed_copies_are_fixed(tmp_path, adult_rows, accepted) -> None:
    root, baseline = accepted
    dup = baseline["results"][0]["findings"][0]  # a copy of an earlier row
    rows = [line for i, line in enumerate(adult_rows) if i != dup["row"]]
    code, report = check_json(dataset(tmp_path, rows), "--baseline", root / BASELINE_FILENAME)
    assert code == 0
    assert report["baseline"]["fixed"] == 1 and report["baseline"]["new"] == 0
    assert report["baseline"]["fixed_findings"][0]["key"] == dup["key"]
    markdown = cli("check", tmp_path, "--format", "markdown", "--baseline", root / BASELINE_FILENAME).stdout
    assert "### Baseline" in markdown and "1 fixed" in markdown and dup["key"].replace("~", "\\~") in markdown


def test_github_annotates_only_new_findings(tmp_path, adult_rows, accepted) -> None:
    root = dataset(tmp_path, adult_rows + [adult_rows[100]])
    result = cli("check", root, "--format", "github", "--baseline", accepted[0] / BASELINE_FILENAME)
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert result.exit_code == 1
    assert len(annotations) == 1 and f"line={len(adult_rows) + 2}" in annotations[0]  # header + 1-based
    assert "1 new, 0 fixed, 25 unchanged" in result.stdout


def test_console_marks_new_findings_first(tmp_path, adult_rows, accepted) -> None:
    root = dataset(tmp_path, adult_rows + [adult_rows[100]])
    out = cli("check", root, "--max-findings", "1", "--baseline", accepted[0] / BASELINE_FILENAME).stdout
    block = out[out.index("✗ fail duplicates"):out.index("… and 24 more")]  # the one finding shown
    assert f"train:{len(adult_rows)} " in block and " new exact duplicate" in block


# --------------------------------------------------------------------------- metric-only failures, crashes


def one_check(status: Status, findings: list[Finding] | None = None) -> Report:
    return Report({"path": "x"}, [CheckResult("drift", "drift", status, "psi over limit", findings=findings or [])])


def baseline_of(report: Report) -> dict:
    return json.loads(render(report, "json"))


def test_a_metric_only_failure_is_new_when_the_baseline_passed() -> None:
    now = one_check(Status.FAIL)
    compare(now, "b.json", baseline_of(one_check(Status.PASS)))
    assert now.exit_code() == 1 and now.gate.is_blocking(now.results[0])
    compare(now, "b.json", baseline_of(one_check(Status.FAIL)))
    assert now.exit_code() == 0
    compare(now, "b.json", baseline_of(one_check(Status.WARN)))  # warn → fail is worse: new
    assert now.exit_code() == 1


def test_a_crash_is_never_accepted() -> None:
    now = one_check(Status.ERROR)
    compare(now, "b.json", baseline_of(one_check(Status.ERROR)))
    assert now.exit_code() == 1


def test_column_findings_match_by_column_and_count_multiplicity() -> None:
    def drift(*columns: str) -> Report:
        return one_check(Status.FAIL, [Finding(f"psi {i}", split="test", column=c) for i, c in enumerate(columns)])

    now = drift("price", "price", "stock")
    gate = compare(now, "b.json", baseline_of(drift("price", "weight")))
    assert gate.of(now.results[0]).states == ["unchanged", "new", "new"]
    assert [f["column"] for _, f in gate.fixed_findings()] == ["weight"]


# --------------------------------------------------------------------------- bad baselines


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "not valid JSON"),
    ('{"results": {}}', "no 'results' list"),
    ('{"results": [{"name": "x", "status": "bogus", "findings": []}]}', "unknown status"),
    ('{"results": [{"name": "x", "status": "pass"}]}', "no 'findings' list"),
])
def test_a_broken_baseline_is_one_line_exit_2(tmp_path, content, fragment) -> None:
    bad = write(tmp_path / "b.json", content)
    root = dataset(tmp_path / "d", ["39,Private,1,Masters,14,x,y,z,White,Female,0,0,38,Canada,>50K"])
    result = cli("check", root, "--baseline", bad)
    assert result.exit_code == 2
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(Exception, match=fragment):
        read_baseline(bad)


def test_missing_baseline_is_exit_2(tmp_path) -> None:
    root = dataset(tmp_path, ["39,Private,1,Masters,14,x,y,z,White,Female,0,0,38,Canada,>50K"])
    result = cli("check", root, "--baseline", tmp_path / "nope.json")
    assert result.exit_code == 2 and "not found" in result.stderr


def test_update_baseline_is_atomic_and_replaces_the_file(tmp_path, adult_rows) -> None:
    root = dataset(tmp_path, adult_rows[:2000])
    target = root / "ci" / BASELINE_FILENAME
    target.parent.mkdir()
    target.write_text("old")
    assert cli("check", root, "--update-baseline", target).exit_code == 0
    assert json.loads(target.read_text())["results"][0]["name"] == "duplicates"
    assert [p.name for p in target.parent.iterdir()] == [BASELINE_FILENAME]  # no temp file left behind


# --------------------------------------------------------------------------- findings with a subject


def _balance_report(findings: list[Finding]) -> Report:
    return Report({"path": "d"}, [CheckResult("balance", "balance", Status.WARN, "gaps", {}, findings, severity="warning")])


def _gap(group: str, rate: str) -> Finding:
    return Finding(f"sex={group}: {rate} of rows have income >50K", column="sex", subject=f"base_rate sex={group} income >50K")


def test_a_new_group_on_a_column_with_a_known_gap_is_new() -> None:
    baseline = _balance_report([_gap("Female", "10.9%")]).to_dict()
    now = _balance_report([_gap("Female", "11.2%"), _gap("Other", "9.0%")])  # the rate moved; a second group appears
    assert compare(now, "b.json", baseline).results["balance"].states == ["unchanged", NEW]


def test_a_group_gone_since_the_baseline_is_fixed() -> None:
    baseline = _balance_report([_gap("Female", "10.9%"), _gap("Other", "9.0%")]).to_dict()
    gate = compare(_balance_report([_gap("Other", "9.1%")]), "b.json", baseline).results["balance"]
    assert gate.states == ["unchanged"] and [f["subject"] for f in gate.fixed] == ["base_rate sex=Female income >50K"]


def test_a_baseline_written_before_subjects_still_matches_by_column() -> None:
    baseline = _balance_report([_gap("Female", "10.9%")]).to_dict()
    for f in baseline["results"][0]["findings"]:
        del f["subject"]
    assert compare(_balance_report([_gap("Female", "11.2%")]), "b.json", baseline).results["balance"].states == ["unchanged"]


def test_subject_is_in_the_json_only_when_set() -> None:
    assert _gap("Female", "1%").to_dict()["subject"] == "base_rate sex=Female income >50K"
    assert "subject" not in Finding("x", key="k").to_dict()
