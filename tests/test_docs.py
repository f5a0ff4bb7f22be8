"""The docs stay true: CONTRIBUTING's example check runs, and the README's suite parses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, write

from curate import check
from curate.checks import _REGISTRY, registry
from curate.suite import parse_suite


def _code_blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def _contributed(cls: str, family: str):
    """Register one of CONTRIBUTING.md's example families (the block defining ``cls``), then remove it."""
    (source,) = [b for b in _code_blocks(REPO / "CONTRIBUTING.md", "python") if f"class {cls}(Check)" in b]
    registry()  # load the real families first
    namespace: dict = {}
    exec(compile(source, "CONTRIBUTING.md", "exec"), namespace)
    yield namespace[cls]
    _REGISTRY.pop(family, None)


@pytest.fixture
def contributed_check():
    yield from _contributed("MissingText", "missing_text")


@pytest.fixture
def label_spellings():
    yield from _contributed("LabelSpellings", "label_spellings")


def test_contributing_example_check_works(contributed_check, tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'id,text\n1,hello\n2,""\n3,"   "\n4,world\n')
    write(tmp_path / "curate.yaml", "checks:\n  - missing_text: {column: text}\n")
    result = check(tmp_path).result("missing_text")
    assert result.status.value == "fail"
    assert [(f.row, f.key) for f in result.findings] == [(1, "2"), (2, "3")]


def _genres(folder: Path, checks: str) -> Path:
    """60 short film descriptions, two genres; three rows spell their genre another way and one
    comedy is labelled drama."""
    import random

    rng = random.Random(0)
    words = {"drama": "tears family loss grief mother hospital war letter".split(),
             "Comedy": "laugh joke funny party wedding dog prank silly".split()}
    rows = [[i, " ".join(rng.choice(words[g]) for _ in range(8)), g]
            for i, g in enumerate("drama" if i % 2 else "Comedy" for i in range(60))]
    rows[7][2], rows[10][2], rows[13][2], rows[20][2] = "Drama", "comedy", " drama", "drama"
    write(folder / "train.csv", "id,text,genre\n" + "".join(f'{i},{t},"{g}"\n' for i, t, g in rows))
    write(folder / "curate.yaml", f"dataset:\n  key: id\n  text: text\n  label: genre\nchecks:\n{checks}")
    return folder


def test_contributing_realistic_family_finds_suggests_and_renders(label_spellings, tmp_path: Path) -> None:
    from curate.report import render

    report = check(_genres(tmp_path, "  - label_spellings: {}\n"))
    result = report.result("label_spellings")
    assert result.status.value == "fail"
    assert [(f.row, f.key, f.suggestion) for f in result.findings] == [
        (7, "7", {"genre": "drama", "confidence": round(29 / 31, 3)}),
        (10, "10", {"genre": "Comedy", "confidence": round(28 / 29, 3)}),
        (13, "13", {"genre": "drama", "confidence": round(29 / 31, 3)}),
    ]
    assert all("label_errors" not in f.message for f in result.findings)  # it did not run
    spellings = {(r["label"], r["written"]) for r in result.tables["spellings"]}
    assert spellings >= {("drama", " drama"), ("Comedy", "comedy")}
    assert "| Comedy | comedy | 1 |" in render(report, "markdown")  # its own render_tables, in the report


def test_contributing_realistic_family_reads_label_errors_artefact(label_spellings, tmp_path: Path) -> None:
    report = check(_genres(tmp_path, "  - label_errors: {}\n  - label_spellings: {}\n"))
    flagged = {f.row for f in report.result("label_errors").findings}
    assert {7, 10, 13} <= flagged  # labels outside the label set
    noted = [f.row for f in report.result("label_spellings").findings if "label_errors flags this row too" in f.message]
    assert noted == [7, 10, 13]


def test_contributing_realistic_family_escapes_labels_and_feeds_fix(label_spellings, tmp_path: Path) -> None:
    from curate.export.fix import fix_dataset
    from curate.report import render

    folder = tmp_path / "data"
    genres = ["a|b <i>"] * 12 + ["A|B <i>"]
    write(folder / "train.csv", "id,genre\n" + "".join(f'{i},"{g}"\n' for i, g in enumerate(genres)))
    write(folder / "curate.yaml", "dataset:\n  key: id\n  label: genre\nchecks:\n  - label_spellings: {}\n")
    markdown = render(check(folder), "markdown")
    assert "a|b <i>" not in markdown and "<i>" not in markdown  # data never becomes markup
    outcome = fix_dataset(folder, tmp_path / "out", bundles="none")
    assert [(c.op, c.row, c.column, c.old, c.new) for c in outcome.plan_corrections] == [
        ("update", 12, "genre", "A|B <i>", "a|b <i>")]
    assert (tmp_path / "out" / "data" / "train.csv").read_text().splitlines()[-1] == '12,"a|b <i>"'


def test_contributing_realistic_family_skips_without_a_label(label_spellings, tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "id,text\n1,a\n2,b\n")
    write(tmp_path / "curate.yaml", "checks:\n  - label_spellings: {}\n")
    result = check(tmp_path).result("label_spellings")
    assert result.status.value == "skip" and "no label column" in result.message


def test_readme_suite_example_parses() -> None:
    blocks = [b for b in _code_blocks(REPO / "README.md", "yaml") if b.lstrip().startswith("dataset:")]
    suite = parse_suite(blocks[0], "README.md")
    assert [c.family for c in suite.checks] == ["schema", "drift", "expect"]
