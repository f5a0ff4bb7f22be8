"""Findings → corrections (``curate fix``), and the corrections.jsonl format: read, write, validate.

Real checks that delete rows (duplicates, leakage) and relabel rows (label_errors) are written
separately; the machinery is tested here with two small checks registered only for these tests:
``test_copies`` (a content-based copy finder that suggests deleting the later copy, within and
across splits) and ``test_oracle`` (suggests the planted true label of each flipped row, with a
confidence). :func:`fix_example` runs ``curate fix`` on a bundled example; when the real check
families are registered, :func:`test_fix_example_with_builtin_checks` asserts the planted problems.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, write

from curate import checks as check_registry
from curate.checks import registry
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.corrections import (
    DEFAULT_CONFIDENCE,
    Correction,
    build_corrections,
    correction_id,
    plan_edits,
    read_corrections,
    write_corrections,
)
from curate.dataset import load_dataset
from curate.errors import CurateError
from curate.findings import CheckResult, Finding, Report, RowRef, Status

PLANTED = {
    name: json.loads((EXAMPLES / "planted" / f"{name}.json").read_text()) for name in ("hf_news", "kaggle_loans")
}


# =========================================================================== test-only checks


class CopiesParams(CheckParams):
    column: str | None = "text"  # compare this column (normalised); None: every column but `ignore`
    ignore: list[str] = []


class CopiesCheck(Check):
    """Rows whose content repeats an earlier row (earlier splits first): delete the later copy."""

    name: ClassVar[str] = "test_copies"
    description: ClassVar[str] = "test only: later copies of a row's content, within and across splits"
    Params = CopiesParams

    def run(self, ctx: RunContext) -> CheckResult:
        from curate.corrections import normalise_text

        first: dict[str, RowRef] = {}
        findings = []
        for split in ctx.dataset.splits.values():
            frame = split.frame
            if self.params.column:
                content = [normalise_text(v) if isinstance(v, str) else None for v in frame[self.params.column]]
            else:
                columns = [c for c in frame.columns if c not in self.params.ignore]
                content = ["\x1f".join(map(str, row)) for row in frame[columns].itertuples(index=False)]
            for position, value in enumerate(content):
                if value is None:
                    continue
                if value in first:
                    ref, original = split.ref(position), first[value]
                    findings.append(
                        Finding(
                            f"copy of {original.split}/{original.key}",
                            split=ref.split,
                            row=ref.row,
                            key=ref.key,
                            related=[original],
                            suggestion={"action": "delete", "confidence": 1.0},
                        )
                    )
                else:
                    first[value] = split.ref(position)
        return self.result(
            failed=bool(findings),
            message=f"{len(findings)} copies",
            metrics={"copies": len(findings)},
            findings=findings,
        )


class OracleParams(CheckParams):
    planted: str
    confidence: dict[str, float] = {"train": 0.95, "test": 0.55}


class OracleCheck(Check):
    """Suggests the planted true label of every flipped row (a stand-in for label_errors)."""

    name: ClassVar[str] = "test_oracle"
    description: ClassVar[str] = "test only: planted label flips as label suggestions"
    Params = OracleParams

    def run(self, ctx: RunContext) -> CheckResult:
        findings = []
        for flip in json.loads(Path(self.params.planted).read_text())["flipped_labels"]:
            split = ctx.dataset.splits[flip["split"]]
            row = split.keys.tolist().index(flip["id"])
            findings.append(
                Finding(
                    f"label {flip['given']!r} looks like {flip['true']!r}",
                    split=flip["split"],
                    row=row,
                    key=flip["id"],
                    column="label",
                    suggestion={"label": flip["true"], "confidence": self.params.confidence[flip["split"]]},
                )
            )
        return self.result(failed=bool(findings), message=f"{len(findings)} label issues", findings=findings)


@contextlib.contextmanager
def registered_test_checks() -> Iterator[None]:
    """The test-only checks in the registry, for a block (the registry is restored after)."""
    registry()  # load the real families first
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(check_registry._REGISTRY, CopiesCheck.name, CopiesCheck)
        patch.setitem(check_registry._REGISTRY, OracleCheck.name, OracleCheck)
        yield


@pytest.fixture
def extra_checks():
    """Register the test-only checks for one test."""
    with registered_test_checks():
        yield [CopiesCheck, OracleCheck]


def news_suite(folder: Path, *extra: str) -> Path:
    """A suite for hf_news with schema, the copy finder and the label oracle (plus ``extra`` lines)."""
    planted = EXAMPLES / "planted" / "hf_news.json"
    lines = "\n".join(f"  - {e}" for e in extra)
    return write(
        folder / "news-suite.yaml",
        f"""
        dataset: {{key: id, label: label, text: text}}
        checks:
          - schema: {{}}
          - test_copies: {{column: text}}
          - test_oracle: {{planted: "{planted}"}}
        """
        + (lines + "\n" if lines else ""),
    )


def fix_example(name: str, out: Path, suite: str | Path | None = None, **options: Any):
    """``curate fix`` on a bundled example (never modified) into ``out``; returns the FixOutcome."""
    from curate.export.fix import fix_dataset

    return fix_dataset(EXAMPLES / name, out, suite=suite, **options)


def ids_of(corrections, op: str) -> set[str]:
    return {c.key for c in corrections if c.op == op}


# =========================================================================== the bundled example


def test_fix_hf_news_schema_suggestions_become_label_updates(tmp_path: Path) -> None:
    """The example's schema and expect checks: did-you-mean fixes for the 3 misspelt labels, nothing else."""
    suite = tmp_path / "schema_expect.yaml"
    own = (EXAMPLES / "hf_news" / "curate.yaml").read_text()
    suite.write_text(own.split("  - drift:")[0])  # the suite's roles, schema and expect entries
    assert "  - schema:" in suite.read_text() and "  - expect:" in suite.read_text()
    outcome = fix_example("hf_news", tmp_path / "out", suite=suite)
    got = {(c.key, c.column, c.old, c.new) for c in outcome.plan_corrections}
    want = {(p["id"], "label", p["label"], p["intended_label"]) for p in PLANTED["hf_news"]["invalid_labels"]}
    assert got == want
    by_key = {c.key: c for c in outcome.plan_corrections}
    assert by_key["tr-02003"].confidence == 1.0  # 'Science' → 'science': a respelling, unambiguous
    assert by_key["tr-02001"].confidence == DEFAULT_CONFIDENCE  # 'sport' → 'sports': a guess
    assert "also expect" in by_key["tr-02003"].reason  # expect's in-set fix merged into the same correction
    assert all(c.status == "proposed" and c.check == "schema" for c in outcome.plan_corrections)
    lines = (tmp_path / "out" / "corrections.jsonl").read_text().splitlines()
    assert [list(json.loads(line)) for line in lines] == [
        ["id", "check", "split", "row", "key", "op", "column", "old", "new", "confidence", "reason", "status"]
    ] * 3


def test_fix_deletes_planted_copies_and_leaks_and_relabels_flips(tmp_path: Path, extra_checks) -> None:
    planted = PLANTED["hf_news"]
    outcome = fix_example("hf_news", tmp_path / "out", suite=news_suite(tmp_path))
    copies = {
        d["id"] for key in ("exact_duplicates", "normalized_duplicates", "conflicting_labels") for d in planted[key]
    }
    leaks = {d["test_id"] for d in planted["leakage"] if d["kind"] == "exact"}
    assert ids_of(outcome.plan_corrections, "delete") == copies | leaks  # every copy, no clean row
    deletes = {c.key: c for c in outcome.plan_corrections if c.op == "delete"}
    original = {d["id"]: d["original_id"] for d in planted["exact_duplicates"]}
    for copy, kept in original.items():
        assert deletes[copy].reason.endswith(f"keeps train/{kept}") and deletes[copy].confidence == 1.0
        assert deletes[copy].old["id"] == copy and set(deletes[copy].old) == {"id", "text", "label", "author_gender"}
    flips = {(d["id"], d["true"]) for d in planted["flipped_labels"]}
    relabels = {(c.key, c.new) for c in outcome.plan_corrections if c.op == "update" and c.check == "test_oracle"}
    assert relabels == flips


def test_min_confidence_drops_less_confident_suggestions(tmp_path: Path, extra_checks) -> None:
    planted = PLANTED["hf_news"]
    outcome = fix_example("hf_news", tmp_path / "out", suite=news_suite(tmp_path), min_confidence=0.6)
    relabelled = {c.key for c in outcome.plan_corrections if c.check == "test_oracle"}
    assert relabelled == {d["id"] for d in planted["flipped_labels"] if d["split"] == "train"}
    skipped = [s for s in outcome.corrections.skipped if s.why == "below --min-confidence"]
    assert {s.key for s in skipped} == {d["id"] for d in planted["flipped_labels"] if d["split"] == "test"}
    assert {"tr-02001", "tr-02004"} <= {c.key for c in outcome.plan_corrections}  # 0.9 ≥ 0.6


def test_fix_ids_are_stable_across_runs(tmp_path: Path, extra_checks) -> None:
    suite = news_suite(tmp_path)
    first = fix_example("hf_news", tmp_path / "a", suite=suite)
    second = fix_example("hf_news", tmp_path / "b", suite=suite)
    assert (tmp_path / "a" / "corrections.jsonl").read_bytes() == (tmp_path / "b" / "corrections.jsonl").read_bytes()
    assert first.fingerprint == second.fingerprint
    c = first.plan_corrections[0]
    assert c.id == correction_id(c.check, c.split, c.key, c.column, c.op)


@pytest.mark.skipif(
    not {"duplicates", "leakage", "label_errors"} <= set(registry()),
    reason="duplicates / leakage / label_errors checks not registered yet",
)
def test_fix_example_with_builtin_checks(tmp_path: Path) -> None:  # pragma: no cover - until the checks land
    """The issue's done-when on the real checks: every planted copy and leak deleted and no clean row,
    detected flips relabelled to their true label, the corrected copy passes duplicates and leakage,
    and ``curate apply`` reproduces it byte for byte. (Label precision: see the benchmarks.)"""
    import curate
    from curate.export.fix import apply_corrections

    planted = PLANTED["hf_news"]
    suite = write(
        tmp_path / "suite.yaml",
        """
        dataset: {key: id, label: label, text: text}
        checks:
          - duplicates: {}
          - leakage: {}
          - label_errors: {}
        """,
    )
    outcome = fix_example("hf_news", tmp_path / "out", suite=suite)
    deleted = ids_of(outcome.plan_corrections, "delete")
    copies = {d["id"] for key in ("exact_duplicates", "normalized_duplicates") for d in planted[key]}
    leaks = {d["test_id"] for d in planted["leakage"] if d["kind"] == "exact"}
    problem_rows = (
        copies
        | leaks
        | {d["id"] for d in planted["conflicting_labels"] + planted["near_duplicates"]}
        | {d["test_id"] for d in planted["leakage"]}
    )
    assert copies | leaks <= deleted <= problem_rows
    true_label = {d["id"]: d["true"] for d in planted["flipped_labels"]}
    relabelled = {c.key: c.new for c in outcome.plan_corrections if c.op == "update" and c.column == "label"}
    assert set(relabelled) & set(true_label)
    assert all(relabelled[k] == true_label[k] for k in set(relabelled) & set(true_label))
    recheck = curate.check(tmp_path / "out" / "data", suite, only="duplicates,leakage")
    assert recheck.results[1].status.value == "pass"
    # relabelled rows that became copies are left for review (fix adds no deletion check did not
    # report), and both the warning and the card's known issues say so
    made_copies = {f.key for f in recheck.results[0].findings}
    assert made_copies <= set(relabelled)
    if made_copies:
        assert any("'duplicates' finds" in w and "not corrected here" in w for w in outcome.warnings)
        card = (tmp_path / "out" / "hf" / "README.md").read_text()
        assert "**duplicates** (fail)" in card
    apply_corrections(
        EXAMPLES / "hf_news", tmp_path / "out" / "corrections.jsonl", out=tmp_path / "applied", include_proposed=True
    )
    for f in outcome.all_files:
        assert (tmp_path / "applied" / f.rel).read_bytes() == f.corrected.read_bytes()


# =========================================================================== rules, on hand-built findings


@pytest.fixture
def tiny(hf_folder: Path):
    return load_dataset(hf_folder, key="id")


def report_of(*results: tuple[str, list[Finding]]) -> Report:
    return Report({}, [CheckResult(check, check, Status.FAIL, "", findings=f) for check, f in results])


def delete(split: str, key: str, kept: tuple[str, str] | None = None, **extra: Any) -> Finding:
    related = [RowRef(kept[0], 0, kept[1])] if kept else []
    return Finding("copy", split=split, key=key, related=related, suggestion={"action": "delete", **extra})


def update(split: str, key: str, **suggestion: Any) -> Finding:
    return Finding("fix me", split=split, key=key, suggestion=suggestion)


def test_delete_and_update_shapes(tiny) -> None:
    report = report_of(
        ("dups", [delete("train", "a3", kept=("train", "a1"))]),
        ("labels", [update("test", "b2", label="pos", confidence=0.8)]),
    )
    cs = build_corrections(report, tiny)
    d, u = cs.corrections
    assert (d.op, d.split, d.key, d.row, d.column, d.new, d.confidence) == ("delete", "train", "a3", 2, None, None, 1.0)
    assert d.old == {"id": "a3", "text": "loved every minute of this clever comedy", "label": "pos", "gender": "male"}
    assert d.reason == "copy; keeps train/a1"
    assert (u.op, u.key, u.row, u.column, u.old, u.new, u.confidence, u.status) == (
        "update",
        "b2",
        1,
        "label",
        "neg",
        "pos",
        0.8,
        "proposed",
    )


def test_missing_confidence_rules(tiny) -> None:
    report = report_of(
        ("schema", [update("train", "a1", gender=" Female "), update("train", "a2", label="pos")]),
        ("dups", [delete("train", "a4")]),
    )
    by_key = {c.key: c for c in build_corrections(report, tiny).corrections}
    assert by_key["a1"].confidence == 1.0  # same value after NFKC / case / whitespace normalisation
    assert by_key["a2"].confidence == DEFAULT_CONFIDENCE
    assert by_key["a4"].confidence == 1.0  # a delete


def test_same_change_from_two_checks_is_merged(tiny) -> None:
    report = report_of(
        ("first", [update("train", "a2", label="pos", confidence=0.7)]),
        ("second", [update("train", "a2", label="pos", confidence=0.9, reason="second says so")]),
    )
    (c,) = build_corrections(report, tiny).corrections
    assert (c.check, c.confidence, c.id) == ("first", 0.9, correction_id("first", "train", "a2", "label", "update"))
    assert c.reason == "fix me; also second: second says so"


def test_conflicting_values_keep_the_most_confident_and_a_tie_keeps_none(tiny) -> None:
    report = report_of(
        ("a", [update("train", "a2", label="pos", confidence=0.7), update("train", "a4", label="pos", confidence=0.6)]),
        ("b", [update("train", "a2", label="meh", confidence=0.8), update("train", "a4", label="meh", confidence=0.6)]),
    )
    cs = build_corrections(report, tiny)
    assert [(c.key, c.new, c.check) for c in cs.corrections] == [("a2", "meh", "b")]
    assert [(s.key, s.why) for s in cs.skipped] == [
        ("a2", "conflicting suggestions"),
        ("a4", "conflicting suggestions"),
        ("a4", "conflicting suggestions"),
    ]


def test_deleted_rows_get_no_updates_and_one_copy_always_stays(tiny) -> None:
    report = report_of(
        (
            "dups",
            [
                delete("train", "a1", kept=("train", "a3")),
                delete("train", "a3", kept=("train", "a1")),
                delete("train", "a1", kept=("train", "a3")),
            ],
        ),
        ("labels", [update("train", "a1", label="neg", confidence=0.9)]),
    )
    cs = build_corrections(report, tiny)
    assert [(c.op, c.key) for c in cs.corrections] == [("delete", "a1")]
    assert sorted(s.why for s in cs.skipped) == ["row deleted", "would delete every copy"]


def test_unusable_suggestions_are_skipped_with_a_reason(tiny) -> None:
    report = report_of(
        (
            "x",
            [
                Finding("column-level", split="train", column="label", suggestion={"label": "pos"}),
                update("train", "zz", label="pos"),
                update("train", "a1", nope="x"),
                update("train", "a1", label="pos"),  # already 'pos'
                update("train", "a2", label="pos", confidence=1.5),
                Finding("odd", split="train", key="a2", suggestion={"action": "merge"}),
            ],
        )
    )
    cs = build_corrections(report, tiny)
    assert cs.corrections == []
    assert [s.why for s in cs.skipped] == [
        "not about one row",
        "unknown row",
        "unknown column",
        "no change",
        "invalid confidence",
        "unknown action",
    ]


def test_schema_value_fix_applies_to_every_row_with_that_value(tmp_path: Path) -> None:
    root = write(tmp_path / "ds" / "train.csv", "id,label\n1,sport\n2,world\n3,sport\n4,sport\n").parent
    dataset = load_dataset(root, key="id")
    report = report_of(("schema", [update("train", "1", label="sports")]))
    cs = build_corrections(report, dataset)
    assert [(c.key, c.new) for c in cs.corrections] == [("1", "sports"), ("3", "sports"), ("4", "sports")]
    assert len({c.id for c in cs.corrections}) == 3


def test_expect_in_set_gets_the_canonical_spelling_when_unambiguous(tmp_path: Path) -> None:
    from curate.runner import check as run_check

    root = write(tmp_path / "ds" / "train.csv", "id,sex\n1,Male\n2, female\n3,MALE\n4,Mal\n5,Female\n").parent
    write(
        root / "curate.yaml",
        """
        dataset: {key: id}
        checks:
          - expect:
              - expect_column_values_to_be_in_set: {column: sex, value_set: [Male, Female]}
        """,
    )
    report = run_check(root)
    from curate.suite import load_suite

    cs = build_corrections(report, load_dataset(root, key="id"), suite=load_suite(None, root))
    assert [(c.key, c.old, c.new, c.confidence) for c in cs.corrections] == [
        ("2", " female", "Female", 1.0),
        ("3", "MALE", "Male", 1.0),
    ]


# =========================================================================== corrections.jsonl


def test_write_then_read_round_trips(tmp_path: Path, tiny) -> None:
    report = report_of(
        ("dups", [delete("train", "a3", kept=("train", "a1"))]),
        ("labels", [update("test", "b2", label="pos", confidence=0.8)]),
    )
    corrections = build_corrections(report, tiny).corrections
    path = write_corrections(corrections, tmp_path / "c.jsonl")
    back = read_corrections(path)
    assert [c.to_dict() for c in back] == [c.to_dict() for c in corrections]
    assert [c.line for c in back] == [1, 2]


def test_hand_written_corrections_get_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        """
        {"split": "train", "key": "a1", "op": "update", "column": "label", "old": "pos", "new": "neg"}

        {"split": "train", "key": 7, "op": "delete", "old": {"id": "a2"}, "status": "accepted"}
        """,
    )
    a, b = read_corrections(path)
    assert (a.check, a.status, a.confidence, a.id, a.line) == (
        "manual",
        "proposed",
        1.0,
        correction_id("manual", "train", "a1", "label", "update"),
        1,
    )
    assert (b.key, b.status, b.line) == ("7", "accepted", 3)


BAD_LINES = [
    ('{"split": "train", "key": "a1", "op": "update", "column": "label", "old": "pos", "new": "neg"', "malformed JSON"),
    ('["not", "an", "object"]', "expected a JSON object, got list"),
    ('{"split": "train", "key": "a1", "op": "updte"}', "unknown op 'updte' (did you mean 'update'?)"),
    (
        '{"split": "train", "key": "a1", "op": "delete", "old": {}, "stauts": "accepted"}',
        "unknown field 'stauts' (did you mean 'status'?)",
    ),
    ('{"key": "a1", "op": "delete", "old": {}}', "missing field 'split'"),
    ('{"split": "train", "key": "a1", "op": "update", "old": "pos", "new": "neg"}', "an update needs 'column'"),
    ('{"split": "train", "key": "a1", "op": "update", "column": "label", "new": "neg"}', "an update needs 'old'"),
    ('{"split": "train", "key": "a1", "op": "delete"}', "a delete needs 'old'"),
    (
        '{"split": "train", "key": "a1", "op": "delete", "old": {}, "confidence": 2}',
        "'confidence' must be a number between 0 and 1",
    ),
    ('{"split": "train", "key": "a1", "op": "delete", "old": {}, "status": "done"}', "unknown status 'done'"),
    ('{"split": "train", "key": "a1", "op": "delete", "old": {}, "row": -1}', "'row' must be a non-negative integer"),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_malformed_lines_are_located_errors(tmp_path: Path, line: str, message: str) -> None:
    good = '{"split": "train", "key": "a9", "op": "delete", "old": {}}'
    path = tmp_path / "c.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CurateError) as info:
        read_corrections(path)
    assert info.value.file == str(path) and info.value.line == 2
    assert message in info.value.message


def test_duplicate_ids_and_bad_bytes(tmp_path: Path) -> None:
    line = '{"id": "x1", "split": "train", "key": "a1", "op": "delete", "old": {}}\n'
    (tmp_path / "dup.jsonl").write_text(line + line.replace("a1", "a2"))
    with pytest.raises(CurateError, match="duplicate correction id 'x1' \\(first on line 1\\)") as info:
        read_corrections(tmp_path / "dup.jsonl")
    assert info.value.line == 2
    (tmp_path / "bin.jsonl").write_bytes(line.encode() + b'{"split": "tr\xff"}\n')
    with pytest.raises(CurateError, match="not valid UTF-8") as info:
        read_corrections(tmp_path / "bin.jsonl")
    assert info.value.line == 2
    with pytest.raises(CurateError, match="corrections file not found"):
        read_corrections(tmp_path / "missing.jsonl")


# =========================================================================== corrections → edits


def _plan_error(tiny, *corrections: Correction) -> CurateError:
    for number, c in enumerate(corrections, start=1):
        c.line = number
    with pytest.raises(CurateError) as info:
        plan_edits(list(corrections), tiny, source="c.jsonl")
    return info.value


def fix(**kw: Any) -> Correction:
    base = dict(
        check="manual",
        split="train",
        row=None,
        key="a1",
        op="update",
        column="label",
        old="pos",
        new="neg",
        confidence=1.0,
        reason="",
    )
    base.update(kw)
    return Correction(**base)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(split="tran"), "unknown split 'tran' (did you mean 'train'?); splits: train, test"),
        (dict(key="zz"), "unknown key 'zz' in split 'train' (key column 'id')"),
        (dict(column="lable"), "unknown column 'lable' in split 'train' (did you mean 'label'?)"),
        (dict(old="neg", new="pos"), "stale correction"),
        (
            dict(op="delete", column=None, new=None, old={"id": "a1", "label": "neg"}),
            "train/a1 label is 'pos', the delete expects 'neg'",
        ),
    ],
)
def test_plan_rejects_bad_corrections_with_file_and_line(tiny, kwargs: dict, message: str) -> None:
    error = _plan_error(tiny, fix(key="a2", old="neg", new="pos"), fix(**kwargs))
    assert (error.file, error.line) == ("c.jsonl", 2)
    assert message in error.message


def test_stale_patches_are_all_counted(tiny) -> None:
    error = _plan_error(tiny, fix(old="neg"), fix(key="a3", old="neg"), fix(key="a2", old="neg", new="pos"))
    assert error.line == 1
    assert "train/a1 label is 'pos', the correction expects 'neg'" in error.message
    assert "(and 1 more stale correction(s), lines 2)" in error.message


def test_two_corrections_of_one_cell_or_row_conflict(tiny) -> None:
    error = _plan_error(tiny, fix(check="a"), fix(check="b", new="meh"))
    assert "the same cell (label) of train/a1 is also changed by correction" in error.message and error.line == 2
    error = _plan_error(tiny, fix(check="a"), fix(op="delete", column=None, new=None, old={}))
    assert "the same row of train/a1" in error.message


def test_cli_reports_a_malformed_corrections_file_in_one_line(tmp_path: Path, hf_folder: Path) -> None:
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"split": "train", "key": "a1", "op": "replace"}\n')
    result = CliRunner().invoke(check_registry_cli(), ["apply", str(hf_folder), str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert f"{bad}:1: unknown op 'replace'" in result.output
    assert not (tmp_path / "o").exists()


def check_registry_cli():
    from curate.cli import main

    return main


def test_a_crashed_check_is_a_warning_of_fix(tmp_path: Path, extra_checks) -> None:
    suite = write(
        tmp_path / "s.yaml",
        """
        dataset: {key: id}
        checks:
          - test_oracle: {planted: "/nonexistent/planted.json"}
        """,
    )
    outcome = fix_example("hf_news", tmp_path / "out", suite=suite)
    assert outcome.plan_corrections == []
    assert len(outcome.warnings) == 1
    assert outcome.warnings[0].startswith("check 'test_oracle' did not run to the end, so its corrections are missing:")


def test_rows_that_updates_turn_into_copies_are_reported_not_deleted(tmp_path: Path, extra_checks) -> None:
    """Relabelling a conflicting copy makes it a duplicate. fix proposes exactly what check reported
    (the relabel), adds no deletion of its own (before, it deleted the row and cited its position in
    the corrected data as its reason), and warns about the copy by key."""
    from curate.export.fix import fix_dataset

    root = write(tmp_path / "ds" / "train.csv", "id,text,label\n1,a film,pos\n0,x,neg\n2,a film,neg\n3,a book,neg\n").parent
    planted = write(tmp_path / "planted.json", json.dumps(
        {"flipped_labels": [{"split": "train", "id": "2", "given": "neg", "true": "pos"}]}))
    suite = write(tmp_path / "suite.yaml", f"""
        dataset: {{key: id}}
        fix: {{max_change: 0.5}}
        checks:
          - test_copies: {{column: null, ignore: [id]}}
          - test_oracle: {{planted: "{planted}"}}
        """)
    outcome = fix_dataset(root, tmp_path / "out", suite=suite)
    (c,) = outcome.plan_corrections
    assert (c.check, c.op, c.key, c.row, c.old, c.new) == ("test_oracle", "update", "2", 2, "neg", "pos")
    (warning,) = outcome.warnings
    assert "'test_copies' finds 1 row(s) it did not report before (train/2)" in warning
    assert (tmp_path / "out" / "data" / "train.csv").read_bytes() == b"id,text,label\n1,a film,pos\n0,x,neg\n2,a film,pos\n3,a book,neg\n"


# =========================================================================== fixes that cannot do damage


def assert_corrections_match_findings(report: Report, out: Path) -> None:
    """``curate fix`` (output in ``out``) proposed exactly the suggestions ``check`` reported in ``report``.

    Every correction comes from a reported suggestion on its row (a schema value fix, from the
    finding about that value), and every reported suggestion is a correction or is listed in
    fix.json among those not applied, with a reason.
    """
    from curate.corrections import RESERVED_SUGGESTION_KEYS

    corrections = [json.loads(line) for line in (out / "corrections.jsonl").read_text().splitlines()]
    manifest = json.loads((out / "fix.json").read_text())
    reported: set[tuple] = set()
    for r in report.results:
        for f in r.findings:
            s = f.suggestion
            if not s:
                continue
            if s.get("action") == "delete":
                reported.add((f.split, f.key, "delete", None))
            else:
                reported |= {(f.split, f.key, "update", c) for c in s if c not in RESERVED_SUGGESTION_KEYS}
    got = {(c["split"], c["key"], c["op"], c["column"]) for c in corrections}
    assert len(got) == len(corrections)
    value_fixes = {t for t, c in zip(got, corrections) if c["check"] == "schema" and "(same value as " in c["reason"]}
    assert got - value_fixes <= reported  # nothing check did not report
    not_applied = manifest["corrections"]["not_applied"]
    assert all(s["why"] for s in not_applied)
    left_out = {(s["split"], s["key"], s["column"]) for s in not_applied}
    for split, key, op, column in reported - got:  # every other suggestion is accounted for
        assert (split, key, column) in left_out or (op == "delete" and any(
            (s["split"], s["key"]) == (split, key) for s in not_applied)), (split, key, op, column)


_ROW = re.compile(r"(?:\b(\w+) )?row (\d+) \(key ([^)]+)\)")


def assert_reasons_name_the_right_rows(dataset, corrections) -> int:
    """Every 'row N (key K)' in a reason is the row at position N of its split; returns how many."""
    seen = 0
    for c in corrections:
        for split, row, key in _ROW.findall(c.reason):
            name = split if split in dataset.splits else c.split
            assert str(dataset.splits[name].keys.iat[int(row)]) == key, c.reason
            seen += 1
    return seen


def test_fix_proposes_exactly_what_check_reported_on_the_bundled_examples(tmp_path: Path) -> None:
    import curate

    for name in ("hf_news", "kaggle_loans"):
        out = tmp_path / name
        outcome = fix_example(name, out)
        report = curate.check(EXAMPLES / name)
        assert outcome.plan_corrections
        assert_corrections_match_findings(report, out)
        assert assert_reasons_name_the_right_rows(outcome.dataset, outcome.plan_corrections) > 0


def test_a_relabelled_tie_gets_no_invented_deletion(tmp_path: Path) -> None:
    """Two identical texts, one label each way: whatever conflicting_labels suggests for the tie, fix
    never deletes the partner (it did: relabel at 0.5, then a follow-up pass deleted the new copy)."""
    root = write(tmp_path / "ds" / "train.csv", "id,text,label\n1,a fine film,pos\n2,a fine film,neg\n"
                 + "".join(f"{i},review number {i} of a film,neg\n" for i in range(3, 23))).parent
    suite = write(tmp_path / "suite.yaml", """
        dataset: {key: id, label: label, text: text}
        checks:
          - conflicting_labels: {}
          - duplicates: {}
        """)
    from curate.export.fix import fix_dataset

    outcome = fix_dataset(root, tmp_path / "out", suite=suite)
    assert [c for c in outcome.plan_corrections if c.op == "delete"] == []
    assert all(c.check == "conflicting_labels" for c in outcome.plan_corrections)


def test_min_confidence_applies_to_deletes_and_near_duplicates_carry_their_similarity(tmp_path: Path) -> None:
    suite = write(tmp_path / "s.yaml", """
        dataset: {key: id, label: label, text: text}
        checks:
          - near_duplicates: {threshold: 0.5}   # as hf_news's own suite: its planted edits score 0.54 and up
          - leakage: {threshold: 0.5}
        """)
    import curate

    report = curate.check(EXAMPLES / "hf_news", suite)
    similarity = {(f.split, f.key): f.score for r in report.results for f in r.findings}
    outcome = fix_example("hf_news", tmp_path / "out", suite=suite, min_confidence=0.7)
    deletes = [c for c in outcome.plan_corrections if c.op == "delete"]
    assert deletes and all(c.confidence >= 0.7 for c in deletes)
    assert all(c.confidence == similarity[(c.split, c.key)] for c in deletes)
    below = {(s.split, s.key) for s in outcome.corrections.skipped if s.why == "below --min-confidence"}
    assert below == {k for k, v in similarity.items() if v < 0.7} and below


def test_the_suite_fix_section_is_validated(tmp_path: Path) -> None:
    from curate.suite import parse_suite

    assert parse_suite("fix: {max_change: 0.25}\nchecks: []\n", "s.yaml").fix.max_change == 0.25
    assert parse_suite("checks: []\n", "s.yaml").fix.max_change == 0.1
    with pytest.raises(CurateError, match=r"s.yaml:1:.*'fix' parameter 'max_change'"):
        parse_suite("fix: {max_change: 2}\n", "s.yaml")
    with pytest.raises(CurateError, match=r"unknown parameter 'max_chang' for 'fix' \(did you mean 'max_change'\?\)"):
        parse_suite("fix: {max_chang: 0.2}\n", "s.yaml")


def test_updates_beyond_the_limit_of_a_column_are_refused(tmp_path: Path, extra_checks) -> None:
    from curate.export.fix import fix_dataset

    flips = [d for d in PLANTED["hf_news"]["flipped_labels"] if d["split"] == "test"]
    share = len(flips) / 500
    with pytest.raises(CurateError) as err:
        fix_dataset(EXAMPLES / "hf_news", tmp_path / "out", suite=news_suite(tmp_path), max_change=share / 2)
    assert f"update {len(flips)} of 500 values ({share:.1%}) of column 'label' in split 'test'" in str(err.value)
    assert not (tmp_path / "out").exists()


class WeakLabelErrors(Check):
    """Stands in for label_errors with a model no better than guessing: it marks itself with
    ``metrics["guard"]`` and still carries suggestions (which must not reach fix or the card)."""

    name: ClassVar[str] = "label_errors"
    description: ClassVar[str] = "test only: a guarded label_errors result"
    Params = OracleParams

    def run(self, ctx: RunContext) -> CheckResult:
        findings = OracleCheck.run(self, ctx).findings  # type: ignore[arg-type]
        total = sum(len(s) for s in ctx.dataset.splits.values())
        return CheckResult(self.name, self.display_name, Status.WARN,
                           f"{len(findings)} of {total:,} labels look wrong; model no better than the majority class",
                           metrics={"guard": 1}, findings=findings, severity="warning")


def test_weak_model_figures_never_reach_fix_or_the_card(tmp_path: Path) -> None:
    planted = EXAMPLES / "planted" / "hf_news.json"
    suite = write(tmp_path / "s.yaml", f"""
        dataset: {{key: id, label: label, text: text, sensitive: [author_gender]}}
        checks:
          - test_copies: {{column: text}}
          - label_errors: {{planted: "{planted}"}}
          - balance: {{bootstrap: 0}}
        """)
    registry()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(check_registry._REGISTRY, CopiesCheck.name, CopiesCheck)
        patch.setitem(check_registry._REGISTRY, "label_errors", WeakLabelErrors)
        outcome = fix_example("hf_news", tmp_path / "out", suite=suite)
    assert {c.check for c in outcome.plan_corrections} == {"test_copies"}
    weak = [s for s in outcome.corrections.skipped if s.why == "weak model"]
    assert len(weak) == len(PLANTED["hf_news"]["flipped_labels"])
    card = (tmp_path / "out" / "hf" / "README.md").read_text()
    assert "look wrong" not in card and "Label errors by group" not in card
    assert "**label\\_errors** could not judge this dataset" in card
