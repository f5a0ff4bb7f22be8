"""``curate fix`` on real data: UCI Adult (``tests/data/adult.data.gz``, CC BY 4.0, see its README).

* a change set beyond the limit is refused (exit 2, one line, nothing written), whatever check
  proposes it, unless ``--max-change`` or the suite's ``fix: {max_change}`` raises the limit;
* fix proposes exactly the corrections check reported (no more, no fewer: each left-out
  suggestion is accounted for);
* relabelling income with suggested labels reports each sex's ``>50K`` rate before → after, with
  counts, in PR.md, the console summary and fix.json, and flags a widening gap.

Label suggestions come from ``label_errors`` (Confident Learning via cleanlab) on out-of-sample
probabilities the test computes with a small scikit-learn model (3-fold logistic regression): the
check's real path for user-supplied probabilities, fast enough for a unit test.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write
from test_balance import ADULT, ADULT_COLUMNS

from curate.cli import main

FEMALE_BEFORE = (1179, 10771)  # published: >50K among women / women (tests/data/README.md)
MALE_BEFORE = (6662, 21790)


@pytest.fixture(scope="module")
def adult_frame() -> pd.DataFrame:
    return pd.read_csv(ADULT, header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values="?")


@pytest.fixture(scope="module")
def adult_root(tmp_path_factory, adult_frame: pd.DataFrame) -> Path:
    """UCI Adult as a CSV dataset folder (header added), with out-of-sample income probabilities."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    root = tmp_path_factory.mktemp("adult") / "adult"
    root.mkdir()
    adult_frame.to_csv(root / "train.csv", index=False)
    features = adult_frame[ADULT_COLUMNS[:-1]]
    numeric = list(features.select_dtypes("number").columns)
    categorical = [c for c in features.columns if c not in numeric]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), categorical), (StandardScaler(), numeric)),
        LogisticRegression(max_iter=1000),
    )
    probs = cross_val_predict(
        model,
        features.fillna({c: "?" for c in categorical}),
        adult_frame["income"],
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        method="predict_proba",
    )  # columns in sorted class order: <=50K, >50K
    np.save(root / "income_probs.npy", probs)
    return root


def run_fix(root: Path, out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fix", str(root), "--out", str(out), "--no-progress", *args], prog_name="curate")
    return result.exit_code, result.stdout, result.stderr


# =========================================================================== limits


ALL_COLUMNS = "[" + ", ".join(ADULT_COLUMNS) + "]"


@pytest.fixture(scope="module")
def adult_head(adult_root: Path, tmp_path_factory) -> Path:
    """The first 3,000 rows of Adult as a dataset folder."""
    head = tmp_path_factory.mktemp("adult3k") / "adult3k"
    head.mkdir()
    lines = (adult_root / "train.csv").read_text().splitlines(keepends=True)
    (head / "train.csv").write_text("".join(lines[:3001]))
    return head


def test_near_duplicates_on_every_column_are_refused_beyond_the_limit(adult_head: Path, tmp_path: Path) -> None:
    """near_duplicates on all 15 columns of the first 3,000 rows: census rows share most values, so
    the check proposes deleting a large share (81.6 % when groups chained); fix never writes a
    change set larger than the limit, and says which split and how much."""
    import curate

    head = adult_head
    suite = write(tmp_path / "nd.yaml", f"checks:\n  - near_duplicates: {{columns: {ALL_COLUMNS}}}\n")
    report = curate.check(head, suite)
    deletes = sum(1 for f in report.results[0].findings if (f.suggestion or {}).get("action") == "delete")
    share = deletes / 3000
    assert deletes > 0
    limit = 0.1 if share > 0.1 else share / 2  # the default when the check proposes that much, else below it
    args = [] if share > 0.1 else ["--max-change", f"{limit:g}"]
    code, stdout, stderr = run_fix(head, tmp_path / "out", "--suite", str(suite), *args)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1
    assert f"refusing to delete {deletes:,} of 3,000 rows ({share:.1%}) of split 'train'" in stderr
    assert "nothing was written" in stderr and "--max-change" in stderr
    assert not (tmp_path / "out").exists()


def test_exact_duplicates_beyond_the_limit_are_refused_and_the_suite_can_raise_it(
    adult_root: Path, adult_head: Path, tmp_path: Path
) -> None:
    """Exact duplicates on four demographic columns: 31,701 of the full file's 32,561 rows."""
    code, _, stderr = run_fix(adult_root, tmp_path / "out", "--suite", str(
        write(tmp_path / "dups.yaml", "checks:\n  - duplicates: {columns: [age, sex, race, income]}\n")))
    assert code == 2 and "of 32,561 rows (9" in stderr and "split 'train'" in stderr
    assert "the limit is 10% (the default)" in stderr and not (tmp_path / "out").exists()
    raised = write(tmp_path / "raised.yaml", (
        "fix: {max_change: 0.5}\nchecks:\n  - duplicates: {columns: [age, sex, race, income]}\n"))
    code, _, stderr = run_fix(adult_head, tmp_path / "out", "--suite", str(raised))
    assert code == 2 and "the limit is 50% (the suite's fix.max_change)" in stderr
    code, _, stderr = run_fix(adult_head, tmp_path / "out", "--suite", str(raised), "--max-change", "0.2")
    assert code == 2 and "the limit is 20% (--max-change)" in stderr  # the flag wins over the suite
    code, _, stderr = run_fix(adult_head, tmp_path / "out", "--suite", str(raised), "--max-change", "1",
                              "--bundle", "none")
    assert code == 0 and (tmp_path / "out" / "corrections.jsonl").is_file()


# =========================================================================== label corrections on Adult


SUITE = """
dataset: {label: income, sensitive: [sex]}
checks:
  - duplicates: {}
  - label_errors: {pred_probs: income_probs.npy}
  - balance: {bootstrap: 200}
"""


@pytest.fixture(scope="module")
def relabelled(adult_root: Path, tmp_path_factory):
    """``curate fix`` (the CLI) on Adult: exact duplicates deleted, suggested income labels adopted."""
    base = tmp_path_factory.mktemp("adult-fix")
    suite = write(base / "suite.yaml", SUITE)
    out = base / "out"
    code, stdout, stderr = run_fix(adult_root, out, "--suite", str(suite))
    assert code == 0, stderr
    return out, stdout, suite


def rates_after(frame: pd.DataFrame, out: Path) -> dict[str, tuple[int, int]]:
    """Per sex, (rows with >50K, rows) once corrections.jsonl is applied — computed here, with pandas."""
    fixed = frame.copy()
    drop = []
    for line in (out / "corrections.jsonl").read_text().splitlines():
        c = json.loads(line)
        if c["op"] == "delete":
            drop.append(c["row"])
        else:
            assert fixed.at[c["row"], c["column"]] == c["old"]
            fixed.at[c["row"], c["column"]] = c["new"]
    fixed = fixed.drop(index=drop)
    return {sex: (int((g["income"] == ">50K").sum()), len(g)) for sex, g in fixed.groupby("sex")}


def test_fairness_impact_of_relabelling_income(relabelled, adult_frame: pd.DataFrame) -> None:
    out, stdout, _ = relabelled
    manifest = json.loads((out / "fix.json").read_text())
    impact = manifest["fairness_impact"]
    (sex,) = [a for a in impact["attributes"] if a["attribute"] == "sex"]
    assert impact["label"] == "income" and sex["class"] == ">50K"
    assert impact["label_updates"] == sum(
        1 for line in (out / "corrections.jsonl").read_text().splitlines() if json.loads(line)["column"] == "income"
    ) > 100
    groups = {g["group"]: g for g in sex["groups"]}
    assert (groups["Female"]["positives_before"], groups["Female"]["rows_before"]) == FEMALE_BEFORE
    assert (groups["Male"]["positives_before"], groups["Male"]["rows_before"]) == MALE_BEFORE
    after = rates_after(adult_frame, out)
    for name in ("Female", "Male"):
        assert (groups[name]["positives_after"], groups[name]["rows_after"]) == after[name]
    gap_before = MALE_BEFORE[0] / MALE_BEFORE[1] - FEMALE_BEFORE[0] / FEMALE_BEFORE[1]
    gap_after = after["Male"][0] / after["Male"][1] - after["Female"][0] / after["Female"][1]
    assert sex["gap_before"] == pytest.approx(gap_before, abs=1e-4)
    assert sex["gap_after"] == pytest.approx(gap_after, abs=1e-4)
    assert sex["widened"] == (gap_after - gap_before >= 0.001)
    assert impact["widened"] == (["sex (>50K)"] if sex["widened"] else [])

    female_after = 100 * after["Female"][0] / after["Female"][1]
    pr = (out / "PR.md").read_text()
    assert "## Fairness impact of the label corrections" in pr
    assert f"| Female | 10,771 | 1,179 | 10.9% | {after['Female'][1]:,} | {after['Female'][0]:,} | {female_after:.1f}% |" in pr
    console = f"Female 10.9% (1,179/10,771) → {female_after:.1f}% ({after['Female'][0]:,}/{after['Female'][1]:,})"
    assert console in stdout
    if sex["widened"]:
        assert "the gap widens" in pr and "GAP WIDENS" in stdout


def test_fix_proposes_exactly_what_check_reported_on_adult(relabelled, adult_root: Path) -> None:
    import curate

    from test_corrections import assert_corrections_match_findings

    out, _, suite = relabelled
    report = curate.check(adult_root, suite)
    assert_corrections_match_findings(report, out)


def test_fix_json_records_the_command_that_ran(relabelled, adult_root: Path) -> None:
    out, _, suite = relabelled
    command = json.loads((out / "fix.json").read_text())["command"]
    assert command == "curate " + shlex.join(["fix", str(adult_root), "--out", str(out), "--no-progress",
                                               "--suite", str(suite)])
    assert f"`{command}`" in (out / "PR.md").read_text()


def test_fairness_impact_agrees_with_fairlearn(relabelled, adult_frame: pd.DataFrame) -> None:
    """Each sex's >50K rate and the gap between them, before and after the corrections, as
    fairlearn's MetricFrame computes them from the Adult file and corrections.jsonl (selection rate
    of "income is >50K"; the gap is ``difference(method="between_groups")``)."""
    from fairlearn.metrics import MetricFrame, count, selection_rate

    out, _, _ = relabelled
    corrections = [json.loads(line) for line in (out / "corrections.jsonl").read_text().split("\n") if line]
    fixed = adult_frame.copy()
    for c in corrections:
        if c["op"] == "update":
            fixed.at[c["row"], c["column"]] = c["new"]
    fixed = fixed.drop(index=[c["row"] for c in corrections if c["op"] == "delete"])

    def frame(data: pd.DataFrame) -> MetricFrame:
        positive = (data["income"] == ">50K").astype(int)
        return MetricFrame(metrics={"rate": selection_rate, "rows": count}, y_true=positive, y_pred=positive,
                           sensitive_features=data["sex"])

    before, after = frame(adult_frame), frame(fixed)
    (sex,) = [a for a in json.loads((out / "fix.json").read_text())["fairness_impact"]["attributes"]
              if a["attribute"] == "sex"]
    assert {g["group"] for g in sex["groups"]} == set(before.by_group.index) == set(after.by_group.index)
    for g in sex["groups"]:
        for when, mf in (("before", before), ("after", after)):
            rate, rows = mf.by_group.loc[g["group"], "rate"], mf.by_group.loc[g["group"], "rows"]
            assert g[f"rows_{when}"] == rows
            assert g[f"rate_{when}"] == pytest.approx(rate, abs=5e-7)  # balance tables keep 6 decimals
            assert g[f"positives_{when}"] == round(rate * rows)
    assert sex["gap_before"] == pytest.approx(before.difference(method="between_groups")["rate"], abs=1e-6)
    assert sex["gap_after"] == pytest.approx(after.difference(method="between_groups")["rate"], abs=1e-6)
    assert sex["gap_before"] != pytest.approx(sex["gap_after"], abs=1e-4)  # the corrections do move the gap
