"""The hooks a family declares on its class, which the rest of curate asks instead of its name.

Each test registers toy families (for the test only) that differ from a plain family by one hook,
and checks that the module asking for that hook (corrections, reports, card, fairness impact,
run context) acts on it; the same toy without the hook is the control.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from conftest import EXAMPLES, write

import curate
from curate import checks as check_registry
from curate.card import bias_section
from curate.checks import registry
from curate.checks.balance import BalanceCheck
from curate.checks.base import Check, CheckParams, hooks
from curate.checks.label_errors import LabelIssues
from curate.context import RunContext
from curate.corrections import Correction, build_corrections
from curate.dataset import load_dataset
from curate.export.hf import BIAS_HEADING, bias_text
from curate.export.impact import fairness_impact
from curate.findings import CheckResult, Finding, Report, Status
from curate.report import render
from curate.roles import resolve_roles
from curate.suite import parse_suite

LOANS = EXAMPLES / "kaggle_loans"
LOANS_ROLES = "dataset:\n  key: applicant_id\n  label: approved\n  sensitive: [sex, race, age_group]\n"


def family(name: str, base: type[Check] = Check, **hooks_: Any) -> type[Check]:
    """A toy family class named ``name`` with the given class attributes (hooks)."""
    return type(name.title().replace("_", ""), (base,), {"name": name, "description": f"test only: {name}", **hooks_})


@pytest.fixture
def register(monkeypatch):
    """Register toy families for one test (the registry is restored after)."""
    registry()

    def add(*classes: type[Check]) -> None:
        for cls in classes:
            monkeypatch.setitem(check_registry._REGISTRY, cls.name, cls)

    return add


def result_of(check: str, findings: list[Finding] | None = None, **extra: Any) -> CheckResult:
    return CheckResult(check, check, Status.FAIL, "", findings=findings or [], **extra)


@pytest.fixture
def labels(tmp_path: Path):
    root = write(tmp_path / "ds" / "train.csv", "id,label\n1,sport\n2,world\n3,sport\n4,sport\n").parent
    return load_dataset(root, key="id")


# =========================================================================== corrections


def test_value_fix_is_applied_to_every_row_holding_the_value(register, labels) -> None:
    register(family("toy_respell", value_fix=True), family("toy_plain"))
    fix = Finding("misspelt", split="train", key="1", suggestion={"label": "sports"})
    fixed = build_corrections(Report({}, [result_of("toy_respell", [fix])]), labels).corrections
    assert [(c.key, c.new) for c in fixed] == [("1", "sports"), ("3", "sports"), ("4", "sports")]
    plain = build_corrections(Report({}, [result_of("toy_plain", [fix])]), labels).corrections
    assert [(c.key, c.new) for c in plain] == [("1", "sports")]


class _RespellParams(CheckParams):
    wrong: str
    right: str


def _respell(cls, finding: Finding, dataset: Any, specs: list) -> dict | None:
    """Propose ``right`` for a finding about a row whose label is the suite's ``wrong``."""
    frame = dataset.splits[finding.split].frame
    value = frame.loc[frame["id"].astype(str) == finding.key, "label"].iloc[0]
    for spec in specs:
        if value == spec.params.wrong:
            return {"label": spec.params.right, "confidence": 1.0}
    return None


def test_suggest_derives_fixes_from_the_suite_entries_of_the_family(register, labels) -> None:
    register(family("toy_suggest", Params=_RespellParams, suggest=classmethod(_respell)), family("toy_silent"))
    suite = parse_suite("checks:\n  - toy_suggest: {wrong: sport, right: sports}\n", "suite.yaml")
    bare = [Finding("odd label", split="train", key=k) for k in ("1", "2")]
    cs = build_corrections(Report({}, [result_of("toy_suggest", bare)]), labels, suite=suite)
    assert [(c.key, c.old, c.new, c.check) for c in cs.corrections] == [("1", "sport", "sports", "toy_suggest")]
    assert build_corrections(Report({}, [result_of("toy_suggest", bare)]), labels).corrections == []  # no suite
    assert build_corrections(Report({}, [result_of("toy_silent", bare)]), labels, suite=suite).corrections == []


def test_hooks_of_a_name_no_family_has_are_the_defaults() -> None:
    assert hooks("manual") is Check and hooks("") is Check and hooks("Not A Name") is Check
    assert hooks("schema").value_fix and not hooks("expect").value_fix
    assert hooks("balance").tables_layout == "group_rates" and hooks("balance").card_section == BIAS_HEADING


# =========================================================================== artefacts


class _Counter(Check):
    """Publishes the number of rows while it runs."""

    name: ClassVar[str] = "toy_counter"
    description: ClassVar[str] = "test only: publishes toy_rows"
    publishes: ClassVar[tuple[str, ...]] = ("toy_rows",)

    def run(self, ctx: RunContext) -> CheckResult:
        ctx.publish("toy_rows", sum(len(s) for s in ctx.dataset.splits.values()))
        return self.result(failed=False, message="counted")


class _Reader(Check):
    """Reports the artefact it finds (None when its provider ran later or not at all)."""

    name: ClassVar[str] = "toy_reader"
    description: ClassVar[str] = "test only: reads toy_rows"

    def run(self, ctx: RunContext) -> CheckResult:
        return self.result(failed=False, message="read", metrics={"seen": ctx.artefact("toy_rows")})


@pytest.mark.parametrize("order, seen", [(["toy_counter", "toy_reader"], 4), (["toy_reader", "toy_counter"], None)])
def test_a_published_artefact_reaches_the_checks_after_its_provider(register, tmp_path, order, seen) -> None:
    register(_Counter, _Reader)
    root = write(tmp_path / "ds" / "train.csv", "id,label\n1,a\n2,b\n3,a\n4,b\n").parent
    suite = write(tmp_path / "suite.yaml", "checks:\n" + "".join(f"  - {name}: {{}}\n" for name in order))
    report = curate.check(root, suite=suite)
    assert report.result("toy_reader").metrics["seen"] == seen


def _flagged(cls, name: str, result: CheckResult) -> LabelIssues | None:
    rows = [(f.split, int(f.row)) for f in result.findings]
    return LabelIssues(result.name, rows) if name == "label_issues" else None


def _loans_balance(results: list[CheckResult]) -> CheckResult:
    suite = parse_suite(f"{LOANS_ROLES}checks:\n  - balance: {{intersections: 1}}\n", "suite.yaml")
    dataset = load_dataset(LOANS, key="applicant_id")
    ctx = RunContext(dataset, resolve_roles(dataset, suite), results=results)
    check = BalanceCheck(suite.checks[0])
    check.validate(ctx)
    return check.run(ctx)


def test_balance_reads_label_issues_from_any_family_that_provides_them(register) -> None:
    """Label errors by group come from the ``label_issues`` artefact, whoever provides it."""
    register(family("toy_labels", publishes=("label_issues",), artefact=classmethod(_flagged)), family("toy_quiet"))
    frame = load_dataset(LOANS, key="applicant_id").splits["train"].frame
    female = np.flatnonzero((frame["sex"] == "Female").to_numpy())[:30]
    flagged = [Finding("mislabelled", split="train", row=int(i), key=str(i)) for i in female]
    with_issues = _loans_balance([result_of("toy_labels", flagged)])
    row = next(r for r in with_issues.tables["label_errors"] if r["attribute"] == "sex" and r["group"] == "Female")
    assert (row["flagged"], row["status"]) == (30, "skewed")
    assert any("rows flagged by 'toy_labels'" in n["note"] for n in with_issues.tables["notes"])
    assert _loans_balance([result_of("toy_quiet", flagged)]).tables["label_errors"] == []  # provides nothing


def test_label_issues_come_from_the_latest_usable_result() -> None:
    dataset = load_dataset(LOANS, key="applicant_id")
    first = result_of("label_errors", [Finding("x", split="train", row=3, key="k")])
    crashed = CheckResult("label_errors", "label_errors#2", Status.ERROR, "the check crashed")
    ctx = RunContext(dataset, resolve_roles(dataset, parse_suite("checks: []\n", "s.yaml")), results=[first, crashed])
    assert ctx.artefact("label_issues") == LabelIssues("label_errors", [("train", 3)])
    ctx.publish("label_issues", LabelIssues("published", []))
    assert ctx.artefact("label_issues").source == "published"
    assert RunContext(dataset, ctx.roles).artefact("label_issues") is None  # no provider ran


# =========================================================================== reports, card, impact


def _toy_tables(cls, result: Any, medium: str, *, heading_level: int | None = None) -> Any:
    rows = result.tables["toy"]
    if medium == "markdown":
        return ["| toy | n |", "|---|---:|"] + [f"| {r['what']} | {r['n']} |" for r in rows] + [""]
    if medium == "card":
        return f"{'#' * (heading_level or 2)} {BIAS_HEADING}\n\n" + "; ".join(f"{r['what']} {r['n']}" for r in rows)
    return None


def test_reports_render_the_tables_a_family_declares(register) -> None:
    register(family("toy_tables", render_tables=classmethod(_toy_tables)), family("toy_bare"))
    tables = {"toy": [{"what": "planted", "n": 7}]}
    shown = render(Report({}, [result_of("toy_tables", tables=tables)]), "markdown")
    assert "### Groups: toy\\_tables" in shown and "| planted | 7 |" in shown
    assert "| planted | 7 |" not in render(Report({}, [result_of("toy_bare", tables=tables)]), "markdown")


def test_the_card_section_comes_from_the_family_that_declares_it(register) -> None:
    """A family writes the card section it names; tables built from a distrusted artefact stay out."""
    weak = result_of("toy_guarded", metrics={"guard": "no better than the majority class"})
    register(
        family("toy_card", card_section=BIAS_HEADING, render_tables=classmethod(_toy_tables),
               consumes={"label_issues": ("toy",)}),
        family("toy_guarded", publishes=("label_issues",)),
        family("toy_nocard", render_tables=classmethod(_toy_tables)),
    )
    tables = {"toy": [{"what": "errors in group A", "n": 3}]}
    render_card, warning = bias_text(Report({}, [result_of("toy_card", tables=tables)]))
    assert warning is None and render_card(3) == f"### {BIAS_HEADING}\n\nerrors in group A 3"
    hidden, _ = bias_text(Report({}, [result_of("toy_card", tables=tables)]), Report({}, [weak]))
    assert "errors in group A" not in hidden(2)
    assert bias_text(Report({}, [result_of("toy_nocard", tables=tables)])) == (None, None)


@pytest.fixture(scope="module")
def loans_tables(tmp_path_factory) -> dict:
    suite = write(tmp_path_factory.mktemp("loans") / "suite.yaml", f"{LOANS_ROLES}checks:\n  - balance: {{}}\n")
    return curate.check(LOANS, suite=suite).result("balance").tables


def test_group_rate_tables_are_known_by_their_declared_layout(register, loans_tables) -> None:
    register(family("toy_rates", tables_layout="group_rates"), family("toy_other"))
    rates, other = result_of("toy_rates", tables=loans_tables), result_of("toy_other", tables=loans_tables)
    assert bias_section(rates).startswith(f"## {BIAS_HEADING}\n")
    with pytest.raises(ValueError, match="balance"):
        bias_section(other)
    relabel = [Correction("toy", "train", 0, "1", "update", "approved", "no", "yes", 1.0, "")]
    impact = fairness_impact(Report({}, [rates]), Report({}, [rates]), relabel)
    assert impact is not None and impact.label == "approved" and impact.label_updates == 1
    assert fairness_impact(Report({}, [other]), Report({}, [other]), relabel) is None
