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


@pytest.fixture
def contributed_check():
    """Register CONTRIBUTING.md's example check family for one test, then remove it."""
    (source,) = [b for b in _code_blocks(REPO / "CONTRIBUTING.md", "python") if "@register" in b]
    registry()  # load the real families first
    namespace: dict = {}
    exec(compile(source, "CONTRIBUTING.md", "exec"), namespace)
    yield namespace["MissingText"]
    _REGISTRY.pop("missing_text", None)


def test_contributing_example_check_works(contributed_check, tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'id,text\n1,hello\n2,""\n3,"   "\n4,world\n')
    write(tmp_path / "curate.yaml", "checks:\n  - missing_text: {column: text}\n")
    result = check(tmp_path).result("missing_text")
    assert result.status.value == "fail"
    assert [(f.row, f.key) for f in result.findings] == [(1, "2"), (2, "3")]


def test_readme_suite_example_parses() -> None:
    blocks = [b for b in _code_blocks(REPO / "README.md", "yaml") if b.lstrip().startswith("dataset:")]
    suite = parse_suite(blocks[0], "README.md")
    assert [c.family for c in suite.checks] == ["schema", "drift", "expect"]
