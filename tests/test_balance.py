"""The ``balance`` check (demographic imbalance) and the dataset-card section built from it.

Ground truth: the planted imbalance of ``example_datasets/kaggle_loans`` and ``hf_news``
(``example_datasets/planted/*.json``), and the published figures of the real UCI Adult training
file, bundled in ``tests/data/adult.data.gz`` (see ``tests/data/README.md``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, REPO, write

import curate
from curate.card import bias_section, console_tables, markdown_tables
from curate.checks.balance import BalanceCheck, correlation_ratio, cramers_v
from curate.context import RunContext
from curate.dataset import load_dataset
from curate.errors import CurateError
from curate.findings import CheckResult, Finding, Status
from curate.report import render
from curate.report.console import make_console
from curate.roles import resolve_roles
from curate.suite import parse_suite

LOANS = EXAMPLES / "kaggle_loans"
NEWS = EXAMPLES / "hf_news"
PLANTED_LOANS = json.loads((EXAMPLES / "planted" / "kaggle_loans.json").read_text(encoding="utf-8"))
PLANTED_NEWS = json.loads((EXAMPLES / "planted" / "hf_news.json").read_text(encoding="utf-8"))
ADULT = REPO / "tests" / "data" / "adult.data.gz"
ADULT_MD5 = "5d7c39d7b8804f071cdd1f2a7c460872"  # of UCI's adult.data, decompressed
ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
LOANS_ROLES = "dataset:\n  key: applicant_id\n  label: approved\n  sensitive: [sex, race, age_group]\n"


def run_balance(
    path: Path, tmp_path: Path, params: str = "{}", roles: str = LOANS_ROLES, name: str = "suite.yaml"
) -> CheckResult:
    suite = write(tmp_path / name, f"{roles}checks:\n  - balance: {params}\n")
    result = curate.check(path, suite=suite).result("balance")
    assert isinstance(result, CheckResult) and "base_rates" in result.tables, result.message
    return result


def rows(result, table: str, **where) -> list[dict]:
    return [r for r in result.tables[table] if all(r.get(k) == v for k, v in where.items())]


def one(result, table: str, **where) -> dict:
    (row,) = rows(result, table, **where)
    return row


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def loans(tmp_path_factory) -> CheckResult:
    """kaggle_loans with its declared roles and a 50/50 reference population for sex."""
    return run_balance(LOANS, tmp_path_factory.mktemp("loans"), "{reference: {sex: {Female: 0.5, Male: 0.5}}}")


@pytest.fixture(scope="module")
def adult_frame() -> pd.DataFrame:
    raw = gzip.decompress(ADULT.read_bytes())
    assert hashlib.md5(raw).hexdigest() == ADULT_MD5, "tests/data/adult.data.gz is not UCI's adult.data"
    return pd.read_csv(ADULT, header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values="?")


@pytest.fixture(scope="module")
def adult(tmp_path_factory, adult_frame) -> CheckResult:
    """The real UCI Adult training file as a dataset folder, audited for sex and race."""
    root = tmp_path_factory.mktemp("adult")
    adult_frame.to_csv(root / "train.csv", index=False)
    return run_balance(root, root, roles="dataset:\n  label: income\n  sensitive: [sex, race]\n")


# --------------------------------------------------------------------------- kaggle_loans: the planted imbalance


def test_loans_representation_by_sex_is_the_planted_one(loans):
    counts = PLANTED_LOANS["sex_counts"]
    assert {r["group"]: r["rows"] for r in rows(loans, "representation", split="all", attribute="sex")} == counts
    assert loans.metrics["share.sex=Male"] == 0.7 and loans.metrics["share.sex=Female"] == 0.3
    race = {r["group"]: r["rows"] for r in rows(loans, "representation", split="all", attribute="race")}
    assert race == PLANTED_LOANS["race_counts"]
    assert loans.metrics["rows"] == PLANTED_LOANS["rows"] == 2000


def test_loans_base_rates_and_four_fifths_ratio_are_exact(loans):
    truth = PLANTED_LOANS["approval_by_sex"]
    for group, t in truth.items():
        r = one(loans, "base_rates", split="all", attribute="sex", group=group)
        assert (r["rows"], r["positives"], r["rate"]) == (t["rows"], t["approved"], t["rate"])
        assert loans.metrics[f"base_rate.sex={group}"] == t["rate"]
    assert loans.metrics["ratio.sex"] == PLANTED_LOANS["disparate_impact_ratio_female_vs_male"] == 0.6
    assert loans.metrics["difference.sex"] == 0.2
    d = one(loans, "disparities", split="all", attribute="sex")
    assert (d["min_group"], d["max_group"], d["status"]) == ("Female", "Male", "fail")
    assert d["ratio_low"] < 0.6 < d["ratio_high"] < 0.8  # the whole interval fails the four-fifths rule
    assert d["difference_low"] < 0.2 < d["difference_high"]
    female = one(loans, "base_rates", split="all", attribute="sex", group="Female")
    assert female["status"] == "below" and female["reference_group"] == "Male"
    assert female["rate_low"] < 0.3 < female["rate_high"]
    assert loans.status == Status.FAIL
    (finding,) = [f for f in loans.findings if f.column == "sex" and "four-fifths" in f.message]
    assert finding.message.startswith(
        "sex=Female: 30.0% of rows have approved = yes (180/600), 0.60× the 50.0% of Male"
    )
    assert "below the four-fifths threshold 0.8" in finding.message and finding.split is None and finding.row is None


def test_loans_base_rates_agree_with_fairlearn_computed_independently(loans):
    from fairlearn.metrics import MetricFrame, selection_rate

    frame = pd.read_csv(LOANS / "applications.csv")
    y = (frame["approved"] == "yes").astype(int)
    mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=frame["race"])
    for group, rate in mf.by_group.items():
        assert one(loans, "base_rates", split="all", attribute="race", group=group)["rate"] == pytest.approx(
            rate, abs=1e-6
        )
    assert loans.metrics["ratio.race"] == pytest.approx(mf.ratio(), abs=1e-6)
    assert loans.metrics["difference.race"] == pytest.approx(mf.difference(), abs=1e-6)


def test_loans_race_by_sex_intersections_are_the_planted_ones(loans):
    for t in PLANTED_LOANS["race_sex_intersections"]:
        group = f"{t['sex']} × {t['race']}"  # the suite declares sex before race
        rep = one(loans, "representation", split="all", attribute="sex × race", group=group)
        rate = one(loans, "base_rates", split="all", attribute="sex × race", group=group)
        assert rep["rows"] == rate["rows"] == t["rows"]
        assert rate["positives"] == t["approved"] and round(rate["rate"], 4) == t["rate"]
    small = [r for r in loans.tables["small_groups"] if r["attribute"] == "sex × race"]
    assert small == [{"attribute": "sex × race", "group": "Female × Native American", "rows": 7, "minimum": 30}]
    assert any("intersection sex × race=Female × Native American has only 7 rows" in f.message for f in loans.findings)
    # a 7-row group with a point estimate under 0.8 (3/7 vs Male × Native American 32/53) is not a false alarm
    tiny = one(loans, "base_rates", split="all", attribute="sex × race", group="Female × Native American")
    assert tiny["ratio"] < 0.8 and tiny["ratio_high"] > 0.8 and tiny["status"] == "inconclusive"


def test_loans_explicit_intersection_lists_exactly_the_planted_small_one(tmp_path):
    result = run_balance(LOANS, tmp_path, "{intersections: [[race, sex]]}")
    expected = [{"race": r["race"], "sex": r["sex"], "rows": r["rows"]} for r in PLANTED_LOANS["small_intersections"]]
    got = [dict(zip(("race", "sex"), r["group"].split(" × ")), rows=r["rows"]) for r in result.tables["small_groups"]]
    assert got == expected == [{"race": "Native American", "sex": "Female", "rows": 7}]
    assert result.metrics["share.race&sex=Native American&Female"] == 7 / 2000
    assert result.metrics["small_groups"] == 1


def test_loans_every_pair_is_crossed_and_small_cells_match_a_crosstab(loans):
    frame = pd.read_csv(LOANS / "applications.csv")
    expected = set()
    for a, b in (("sex", "race"), ("sex", "age_group"), ("race", "age_group")):
        table = pd.crosstab(frame[a], frame[b]).reindex(
            index=frame[a].value_counts().index, columns=frame[b].value_counts().index, fill_value=0
        )
        for (ga, gb), n in table.stack().items():
            if n < 30:
                expected.add((f"{a} × {b}", f"{ga} × {gb}", int(n)))
    got = {(r["attribute"], r["group"], r["rows"]) for r in loans.tables["small_groups"]}
    assert got == expected
    assert ("race × age_group", "Native American × 60+", 0) in got  # an empty combination is listed too


def test_loans_missing_income_concentrates_in_black_applicants(loans):
    truth = PLANTED_LOANS["income_missing"]
    black = one(loans, "missing", attribute="race", column="any", group="Black")
    assert (black["rows"], black["flagged"], black["rate"]) == (360, 72, 0.2)
    other = truth["other_races_total"]
    assert (black["rest_rows"], black["rest_flagged"]) == (other["rows"], other["missing"]) == (1640, 33)
    assert black["status"] == "skewed" and black["pvalue"] < 1e-10 and black["columns"] == "income 72"
    for race, t in truth["by_race"].items():
        r = one(loans, "missing", attribute="race", column="any", group=race)
        assert (r["rows"], r["flagged"]) == (t["rows"], t["missing"])
        assert r["status"] == ("skewed" if race == "Black" else "ok")
    assert [r["group"] for r in loans.tables["missing"] if r["status"] == "skewed"] == ["Black"]
    (finding,) = [f for f in loans.findings if f.message.startswith("missing values")]
    assert finding.column == "race"
    assert "race=Black: 20.0% of its rows (72/360) have a missing value (income 72)" in finding.message
    assert "the 2.0% (33/1640) of other rows" in finding.message


def test_loans_missing_values_per_column_on_request(tmp_path):
    result = run_balance(LOANS, tmp_path, "{missing_columns: [income], intersections: 1}")
    black = one(result, "missing", attribute="race", column="income", group="Black")
    assert (black["flagged"], black["rows"], black["status"]) == (72, 360, "skewed")
    assert result.metrics["missing_rate[income].race=Black"] == 0.2


def test_loans_zip_prefix_is_a_proxy_for_race(loans):
    zip_race = one(loans, "proxies", column="zip_prefix", attribute="race")
    assert zip_race["status"] == "proxy" and zip_race["measure"] == "cramers_v" and zip_race["value"] > 0.8
    assert loans.metrics["proxy.zip_prefix~race"] == zip_race["value"]
    # unrelated pairs stay near 0 thanks to the bias correction (plain V of zip_prefix × sex is 0.07)
    assert one(loans, "proxies", column="zip_prefix", attribute="sex")["value"] == 0.0
    flagged = {(r["column"], r["attribute"]) for r in loans.tables["proxies"] if r["status"] == "proxy"}
    assert flagged == {("zip_prefix", "race"), ("age", "age_group")}  # age_group is cut from age: a true proxy
    assert one(loans, "proxies", column="age", attribute="age_group")["measure"] == "correlation_ratio"
    assert not {r["column"] for r in loans.tables["proxies"]} & {"applicant_id", "approved", "sex", "race"}
    (finding,) = [f for f in loans.findings if f.column == "zip_prefix"]
    assert finding.message.startswith("zip_prefix is a proxy for race (bias-corrected Cramér's V 0.83")


def test_loans_reference_population_fails_goodness_of_fit(loans):
    test = one(loans, "reference_tests", attribute="sex")
    assert test["statistic"] == 320.0 and test["dof"] == 1 and test["significant"]  # (1400-1000)²/1000·2
    female = one(loans, "representation", split="all", attribute="sex", group="Female")
    assert (female["reference_share"], female["share_ratio"], female["status"]) == (0.5, 0.6, "under")
    assert loans.metrics["share_ratio.sex=Female"] == 0.6
    assert any(
        f.message.startswith("sex=Female is under-represented: 30.0% of rows (600/2000)") for f in loans.findings
    )


def test_loans_reference_matching_the_data_passes(tmp_path):
    result = run_balance(LOANS, tmp_path, "{reference: {sex: {Female: 0.3, Male: 0.7}}, intersections: 1}")
    assert one(result, "reference_tests", attribute="sex")["pvalue"] == 1.0
    assert not [f for f in result.findings if "represented" in f.message]
    assert one(result, "representation", split="all", attribute="sex", group="Female")["status"] == "ok"


def test_loans_message_names_the_failures(loans):
    message = loans.message
    assert message.startswith("base rate of approved = yes below the four-fifths rule (0.8): sex 0.60; ")
    assert "zip_prefix→race (0.83)" in message and "missing values concentrate in race=Black" in message
    assert "sex, race, age_group, 2,000 rows" in message
    assert list(loans.metrics)[:5] == ["failing_ratios", "proxies", "small_groups", "rows", "worst_ratio"]
    # only sex is planted: the intersections' gaps are sex's own gap again, so they are not findings
    assert (loans.metrics["failing_ratios"], loans.metrics["proxies"], loans.metrics["small_groups"]) == (1, 2, 8)
    assert loans.metrics["explained_intersections"] > 0
    # worst first: single-attribute gaps, then proxies and missing values, then intersections, then small groups
    first = loans.worst_findings(4)
    assert first[0].message.startswith("sex=Female: 30.0% of rows have approved = yes")
    assert {f.column for f in first[1:3]} == {"sex"}  # the two representation findings
    assert loans.findings[-1].message.startswith("intersection ") and loans.findings[-1].score < 1
    assert all(isinstance(v, (int, float)) or v is None for v in loans.metrics.values())


def test_bootstrap_is_seeded(tmp_path):
    params = "{intersections: 1, bootstrap: 300, seed: 7}"
    a = run_balance(LOANS, tmp_path, params, name="a.yaml")
    b = run_balance(LOANS, tmp_path, params, name="b.yaml")
    c = run_balance(LOANS, tmp_path, "{intersections: 1, bootstrap: 300, seed: 8}", name="c.yaml")
    assert a.tables == b.tables and a.metrics == b.metrics
    assert [r["rate_low"] for r in a.tables["base_rates"]] != [r["rate_low"] for r in c.tables["base_rates"]]
    assert [r["status"] for r in a.tables["base_rates"]] == [r["status"] for r in c.tables["base_rates"]]
    none = run_balance(LOANS, tmp_path, "{intersections: 1, bootstrap: 0}", name="d.yaml")
    assert one(none, "base_rates", split="all", attribute="sex", group="Female")["ratio_high"] is None
    assert one(none, "disparities", split="all", attribute="sex")["status"] == "fail"  # point estimate decides


# --------------------------------------------------------------------------- hf_news: multi-class labels, two splits


def test_news_author_gender_skew_per_class_and_split(tmp_path):
    roles = "dataset:\n  key: id\n  label: label\n  text: text\n  sensitive: [author_gender]\n"
    result = run_balance(NEWS, tmp_path, "{reference: {author_gender: {female: 0.5, male: 0.5}}}", roles=roles)
    truth = PLANTED_NEWS["author_gender"]
    overall = truth["overall"]
    assert (
        one(result, "representation", split="all", attribute="author_gender", group="male")["rows"] == overall["male"]
    )
    assert result.metrics["train.share.author_gender=male"] == round(truth["train"]["male"] / truth["train"]["rows"], 6)
    assert result.metrics["test.share.author_gender=male"] == truth["test"]["male_share"] == 0.76
    for klass, t in overall["by_label"].items():
        female = one(result, "base_rates", split="all", attribute="author_gender", group="female", **{"class": klass})
        male = one(result, "base_rates", split="all", attribute="author_gender", group="male", **{"class": klass})
        assert (female["positives"], male["positives"]) == (t["female"], t["male"])
        rates = sorted([t["female"] / overall["female"], t["male"] / overall["male"]])
        assert result.metrics[f"ratio[{klass}].author_gender"] == pytest.approx(rates[0] / rates[1], abs=1e-6)
    failing = {d["class"] for d in rows(result, "disparities", split="all") if d["status"] == "fail"}
    assert failing == {"sports", "world", "science"}  # business: 0.76 but its interval reaches 0.88
    assert one(result, "disparities", split="all", **{"class": "business"})["status"] == "inconclusive"
    assert {r["split"] for r in result.tables["base_rates"]} == {"all", "train", "test"}
    notes = " ".join(n["note"] for n in result.tables["notes"])
    assert "3 classes under 30 rows left out ('Science', 'buisness', 'sport')" in notes
    assert one(result, "representation", split="all", group="female")["status"] == "under"
    assert result.tables["proxies"] == []  # text and id are not candidates; nothing else is left


# --------------------------------------------------------------------------- UCI Adult: real census data


def test_adult_file_is_the_uci_training_file(adult_frame):
    assert adult_frame.shape == (32561, 15)
    assert adult_frame["income"].value_counts().to_dict() == {"<=50K": 24720, ">50K": 7841}


def test_adult_known_figures(adult):
    assert adult.metrics["rows"] == 32561
    assert round(100 * adult.metrics["share.sex=Female"], 2) == 33.08
    female = one(adult, "base_rates", split="all", attribute="sex", group="Female")
    male = one(adult, "base_rates", split="all", attribute="sex", group="Male")
    assert (female["positives"], female["rows"], male["positives"], male["rows"]) == (1179, 10771, 6662, 21790)
    assert round(100 * female["rate"], 2) == 10.95 and round(100 * male["rate"], 2) == 30.57
    assert round(adult.metrics["ratio.sex"], 3) == 0.358
    assert one(adult, "disparities", split="all", attribute="sex")["status"] == "fail"
    assert female["label"] == "income = >50K"  # the rarer of two values, reported in the notes
    assert any("positive label: income = '>50K', the rarer of two values" in n["note"] for n in adult.tables["notes"])


def test_adult_relationship_is_a_proxy_for_sex(adult):
    relationship = one(adult, "proxies", column="relationship", attribute="sex")
    assert relationship["status"] == "proxy" and round(relationship["value"], 3) == 0.649
    flagged = [(r["column"], r["attribute"]) for r in adult.tables["proxies"] if r["status"] == "proxy"]
    assert flagged == [("relationship", "sex")]  # marital-status (0.46) and occupation (0.42) stay below 0.5
    assert one(adult, "proxies", column="marital-status", attribute="sex")["value"] == pytest.approx(0.4616, abs=1e-3)


def test_adult_missing_sensitive_and_race_tables(adult):
    assert {r["group"] for r in rows(adult, "representation", split="all", attribute="race")} == {
        "White",
        "Black",
        "Asian-Pac-Islander",
        "Amer-Indian-Eskimo",
        "Other",
    }
    assert one(adult, "disparities", split="all", attribute="race")["ratio"] < 0.8


# --------------------------------------------------------------------------- intersections


def test_adult_sex_by_race_gaps_follow_from_sex_and_race(adult):
    """On UCI Adult every sex × race group below 0.8 of the best is as low as its sex and race
    predict (e.g. Black women 5.8 % >50K where 0.109 × 0.124 / 0.241 ≈ 5.6 % is expected): the
    single-attribute findings already say it, so the intersection adds no finding."""
    below = [r for r in rows(adult, "base_rates", split="all", attribute="sex × race") if r["ratio"] is not None and r["ratio"] < 0.8]
    assert below and {r["status"] for r in below} <= {"explained", "inconclusive"}
    women = one(adult, "base_rates", split="all", attribute="sex × race", group="Female × Black")
    assert women["status"] == "explained" and 0.045 < women["expected_rate"] < 0.07
    assert not [f for f in adult.findings if f.column == "sex × race" and "four-fifths" in f.message]
    assert one(adult, "disparities", split="all", attribute="sex × race")["status"] == "explained"


def _crossed(tmp_path: Path, params: str = "{bootstrap: 0}") -> CheckResult:
    """Two attributes that look fair alone and an intersection that does not (the harm single
    attributes hide): every sex and every race is approved at 35 %, White men and Black women at 20 %."""
    frame = []
    for sex, race, rate in [("M", "W", 0.2), ("M", "B", 0.5), ("F", "W", 0.5), ("F", "B", 0.2)]:
        frame += [{"sex": sex, "race": race, "approved": int(i < rate * 200)} for i in range(200)]
    root = tmp_path / "crossed"
    root.mkdir()
    pd.DataFrame(frame).to_csv(root / "train.csv", index=False)
    return run_balance(root, tmp_path, params, roles="dataset:\n  label: approved\n  sensitive: [sex, race]\n")


def test_an_intersection_worse_than_its_parts_is_still_a_finding(tmp_path):
    result = _crossed(tmp_path)
    assert result.metrics["ratio.sex"] == 1.0 and result.metrics["ratio.race"] == 1.0
    flagged = sorted(f.message.split(":")[0] for f in result.findings if f.column == "sex × race")
    assert flagged == ["sex × race=F × B", "sex × race=M × W"]
    assert all("attributes' own rates predict 35.0%" in f.message for f in result.findings if f.column == "sex × race")
    assert result.status == Status.FAIL and result.metrics["explained_intersections"] == 0


def test_explaining_intersections_can_be_turned_off(tmp_path, loans):
    every = run_balance(LOANS, tmp_path, "{reference: {sex: {Female: 0.5, Male: 0.5}}, explain_intersections: false}")
    assert every.metrics["failing_ratios"] > loans.metrics["failing_ratios"]
    assert len(every.findings) > len(loans.findings) and every.metrics["explained_intersections"] == 0


# --------------------------------------------------------------------------- measures


def test_cramers_v_and_correlation_ratio_on_known_values():
    x = pd.Series(list("aabb") * 50)
    assert cramers_v(x, x, corrected=False) == pytest.approx(1.0)
    assert cramers_v(x, x) == pytest.approx(1.0, abs=1e-9)
    assert cramers_v(x, pd.Series(list("abab") * 50), corrected=False) == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    noise_a, noise_b = pd.Series(rng.integers(0, 20, 2000)), pd.Series(rng.integers(0, 5, 2000))
    assert cramers_v(noise_a, noise_b, corrected=False) > 0.03 and cramers_v(noise_a, noise_b) < 0.03
    groups = pd.Series(["a"] * 100 + ["b"] * 100)
    values = pd.Series(np.r_[np.zeros(100), np.ones(100)])
    assert correlation_ratio(groups, values, corrected=False) == pytest.approx(1.0)
    # a: 0, 2 and b: 2, 4 → SS_between 4, SS_total 8: η² = 0.5; ε² = (4 - 1 · 4/2) / 8 = 0.25
    two = pd.Series(["a", "a", "b", "b"])
    assert correlation_ratio(two, pd.Series([0.0, 2.0, 2.0, 4.0]), corrected=False) == pytest.approx(0.5**0.5)
    assert correlation_ratio(two, pd.Series([0.0, 2.0, 2.0, 4.0])) == pytest.approx(0.5)
    assert correlation_ratio(pd.Series(rng.integers(0, 5, 2000)), pd.Series(rng.normal(size=2000))) < 0.05


# --------------------------------------------------------------------------- roles, missing groups, labels


def test_sensitive_inferred_by_name_missing_values_and_numeric_bins(tmp_path):
    rng = np.random.default_rng(1)
    n = 600
    frame = pd.DataFrame(
        {
            "id": range(n),
            "gender": rng.choice(["f", "m"], n).astype(object),
            "age": rng.integers(18, 80, n),
            "label": rng.choice([0, 1], n),
        }
    )
    frame.loc[:9, "gender"] = None
    frame.to_csv(tmp_path / "train.csv", index=False)
    write(tmp_path / "curate.yaml", "checks:\n  - balance: {intersections: 1}\n")
    report = curate.check(tmp_path)
    result = report.result("balance")
    assert result.tables["summary"][0]["sensitive_source"] == "inferred"
    assert result.status == Status.PASS
    assert result.message == "no imbalance beyond the thresholds across gender, age (inferred from names); 600 rows"
    notes = [n["note"] for n in result.tables["notes"]]
    assert notes[0] == "sensitive columns inferred from their names: gender, age (declare dataset.sensitive to confirm)"
    assert "gender: 10 rows have no value; counted as the group '(missing)'" in notes[1]
    assert notes[2].startswith("age has 62 distinct values: cut into 5 quantile bins ([18, 31), ")
    missing = one(result, "representation", split="all", attribute="gender", group="(missing)")
    assert missing["rows"] == 10 and not missing["small"]  # a missing-value group is not a demographic group
    assert one(result, "base_rates", split="all", attribute="gender", group="(missing)")["status"] == "missing"
    assert sum(r["rows"] for r in rows(result, "representation", split="all", attribute="age")) == n
    assert "positive label: label = '1'" in notes[3]
    assert "They were **inferred from column names**" in bias_section(result)


def test_no_sensitive_columns_skips(tmp_path):
    write(tmp_path / "train.csv", "id,text,label\n1,a,x\n2,b,y\n")
    write(tmp_path / "curate.yaml", "checks:\n  - balance: {}\n")
    result = curate.check(tmp_path).result("balance")
    assert result.status == Status.SKIP and result.message.startswith("nothing to audit: no sensitive columns")
    assert "No demographic audit was possible" in bias_section(result)


def test_without_label_only_groups_are_described(tmp_path):
    result = run_balance(LOANS, tmp_path, "{intersections: 1}", roles="dataset:\n  sensitive: [sex]\n")
    assert result.tables["base_rates"] == [] and one(result, "representation", group="Female")["rows"] == 600
    assert any("no label column" in n["note"] for n in result.tables["notes"])


def test_small_group_with_a_real_gap_is_still_caught(tmp_path):
    frame = pd.DataFrame(
        {
            "group": ["big"] * 1000 + ["small"] * 25,
            "y": [1] * 500 + [0] * 500 + [1] + [0] * 24,  # 50 % vs 4 %
        }
    )
    frame.to_csv(tmp_path / "train.csv", index=False)
    result = run_balance(
        tmp_path, tmp_path, "{positive_label: 1}", roles="dataset:\n  label: y\n  sensitive: [group]\n"
    )
    small = one(result, "base_rates", split="all", group="small")
    assert small["small"] and small["status"] == "below" and small["ratio_high"] < 0.8
    assert result.status == Status.FAIL
    assert any("only 25 rows" in f.message for f in result.findings if "four-fifths" in f.message)


def test_label_errors_by_group(tmp_path):
    suite = parse_suite(f"{LOANS_ROLES}checks:\n  - balance: {{intersections: 1}}\n", "suite.yaml")
    dataset = load_dataset(LOANS, key="applicant_id")
    frame = dataset.splits["train"].frame
    female = np.flatnonzero((frame["sex"] == "Female").to_numpy())[:30]
    male = np.flatnonzero((frame["sex"] == "Male").to_numpy())[:10]
    flagged = [Finding("likely mislabelled", split="train", row=int(i), key=str(i)) for i in np.r_[female, male]]
    earlier = CheckResult("label_errors", "label_errors", Status.FAIL, "40 label errors", findings=flagged)
    ctx = RunContext(dataset, resolve_roles(dataset, suite), results=[earlier])
    check = BalanceCheck(suite.checks[0])
    check.validate(ctx)
    result = check.run(ctx)
    f_row = one(result, "label_errors", attribute="sex", group="Female")
    assert (f_row["flagged"], f_row["rows"], f_row["rate"], f_row["status"]) == (30, 600, 0.05, "skewed")
    assert (f_row["rest_flagged"], f_row["rest_rows"]) == (10, 1400)
    assert result.metrics["label_error_rate.sex=Male"] == pytest.approx(10 / 1400, rel=1e-5)
    assert any(
        f.message.startswith("label errors concentrate in sex=Female: 5.0% of its rows (30/600)")
        for f in result.findings
    )
    assert "Label errors by group" in bias_section(result)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "params, expected",
    [
        ("{sensitive: [sexx]}", "column 'sexx' not found in split 'train' (did you mean 'sex'?)"),
        ("{positive_label: yes}", "positive_label 'True' is not a value of 'approved'"),
        (
            "{reference: {sex: {female: 0.5, Male: 0.5}}}",
            "group 'Female' of 'sex' is in the data but not in the reference (did you mean 'female'?)",
        ),
        ("{reference: {race: {White: 1.0}}}", "group 'Asian' of 'race' is in the data but not in the reference"),
        ("{reference: {sex: {Female: 0.5, Male: 0.6}}}", "reference shares of 'sex' add up to 1.1, not 1"),
        (
            "{reference: {marital_status: {married: 1.0}}}",
            "reference column 'marital_status' is not a sensitive column",
        ),
        ("{intersections: [[sex, marital_status]]}", "'marital_status' is not a sensitive column"),
        ("{proxy_columns: [zipcode]}", "column 'zipcode' not found"),
        ("{min_ratio: 1.5}", "min_ratio"),
        ("{treshold: 0.5}", "unknown parameter 'treshold' for 'balance'"),
    ],
)
def test_parameter_errors_are_located(tmp_path, params, expected):
    suite = write(tmp_path / "suite.yaml", f"{LOANS_ROLES}checks:\n  - balance: {params}\n")
    with pytest.raises(CurateError) as info:
        curate.check(LOANS, suite=suite)
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{suite}:6:")


def test_yaml_boolean_hint_for_positive_label(tmp_path):
    suite = write(tmp_path / "suite.yaml", f"{LOANS_ROLES}checks:\n  - balance: {{positive_label: yes}}\n")
    with pytest.raises(CurateError, match="quote the value, e.g. 'yes'"):
        curate.check(LOANS, suite=suite)


# --------------------------------------------------------------------------- card and reports


def test_card_section_from_result_and_from_json(loans):
    text = bias_section(loans)
    assert text.startswith("## Bias, Risks, and Limitations\n")
    for heading in (
        "### Representation",
        "### Label distribution by group",
        "### Groups too small to trust",
        "### Missing values",
        "### Proxy variables",
        "### Recommendations",
    ):
        assert f"\n{heading}\n" in text
    assert "| Female | 600 | 30.0% | 50.0% | **0.60** (under-represented) |" in text
    assert "| Female | 600 | 30.0% | 26.6–33.5% | **0.60** (0.53–0.68) |" in text
    assert "- **sex**, `approved` = `yes`: Female 30.0% vs Male 50.0% — ratio 0.60, 95% interval 0.53–0.68" in text
    assert "- sex × race = Female × Native American: 7 rows" in text
    assert "- race = Black: 20.0% of rows have a missing value (mostly: income 72), against 2.0% of other rows." in text
    assert "| zip\\_prefix | race | Cramér's V (bias-corrected) | 0.83 |" in text
    assert bias_section(loans.to_dict()) == text  # a saved JSON report renders the same section
    deeper = bias_section(loans, heading_level=3)
    assert deeper.startswith("### Bias, Risks, and Limitations") and "\n#### Proxy variables\n" in deeper


def test_card_rejects_results_without_tables():
    plain = CheckResult("drift", "drift", Status.PASS, "no drift")
    with pytest.raises(ValueError, match="balance"):
        bias_section(plain)
    assert markdown_tables(plain) == [] and console_tables(plain) is None


def test_group_tables_for_the_reports(loans):
    lines = markdown_tables(loans)
    assert (
        "#### Label distribution by group" in lines
        and "| Male | 1,400 | 50.0% | 47.5–52.7% | 1.00 (reference) |" in lines
    )
    console = make_console(width=120)
    console.print(console_tables(loans))
    out = console.file.getvalue()
    female = next(line for line in out.splitlines() if line.strip().startswith("Female") and "under" in line)
    assert female.split()[:4] == ["Female", "600", "30.0%", "50.0%"]
    assert female.split()[-6:] == ["30.0%", "0.60", "0.53–0.68", "✗", "below", "0.8"]
    assert "proxies: age → age_group (0.86), zip_prefix → race (0.83)" in out


def test_json_report_carries_the_tables(loans, tmp_path):
    report = curate.check(
        LOANS, suite=write(tmp_path / "s.yaml", f"{LOANS_ROLES}checks:\n  - balance: {{intersections: 1}}\n")
    )
    data = json.loads(render(report, "json"))
    (result,) = data["results"]
    assert result["check"] == "balance" and result["metrics"]["ratio.sex"] == 0.6
    assert {t for t in result["tables"]} >= {"summary", "representation", "base_rates", "disparities", "proxies"}
    assert render(report, "markdown") and render(report, "console")


def test_importing_curate_does_not_import_fairlearn():
    code = (
        "import sys, curate; from curate.checks import registry; registry(); "
        "import curate.card; assert 'fairlearn' not in sys.modules, 'fairlearn imported'; "
        "assert 'balance' in registry()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
