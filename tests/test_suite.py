"""Suites: parsing, validation with file/line, did-you-mean, roles, built-ins and --only."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.errors import CurateError
from curate.suite import builtin_names, load_suite, parse_suite


def test_valid_suite_keeps_order_and_roles() -> None:
    suite = parse_suite(
        """
dataset:
  key: id
  label: label
  sensitive: gender
checks:
  - schema: {max_null_rate_increase: 0.1}
  - drift: {reference: train, severity: warning}
""",
        "s.yaml",
    )
    assert suite.roles.key == "id" and suite.roles.sensitive == ["gender"]
    assert [c.family for c in suite.checks] == ["schema", "drift"]
    assert suite.checks[1].params.severity == "warning"


def _error(text: str) -> CurateError:
    with pytest.raises(CurateError) as info:
        parse_suite(text, "curate.yaml")
    return info.value


def test_unknown_check_names_line_and_suggestion() -> None:
    err = _error("checks:\n  - schema: {}\n  - drfit: {}\n")
    assert (err.file, err.line) == ("curate.yaml", 3)
    assert "unknown check 'drfit'" in err.message and "did you mean 'drift'" in err.message


def test_unknown_parameter_names_line_and_suggestion() -> None:
    err = _error("checks:\n  - drift:\n      referenc: train\n")
    assert err.line == 3
    assert "unknown parameter 'referenc'" in err.message and "did you mean 'reference'" in err.message


def test_bad_parameter_value() -> None:
    err = _error("checks:\n  - drift: {severity: fatal}\n")
    assert err.line == 2 and "severity" in err.message


def test_invalid_yaml_has_line_and_column() -> None:
    err = _error("checks:\n  - schema: {\n")
    assert err.line is not None and "invalid YAML" in err.message


def test_duplicate_keys_are_rejected() -> None:
    err = _error("dataset:\n  label: a\n  label: b\n")
    assert err.line == 3 and "duplicate key 'label'" in err.message


def test_unknown_role_and_section() -> None:
    assert "did you mean 'label'" in _error("dataset:\n  lable: x\n").message
    assert "unknown suite section 'check'" in _error("check:\n  - schema: {}\n").message


def test_entry_must_be_single_key_mapping() -> None:
    err = _error("checks:\n  - {schema: {}, drift: {}}\n")
    assert err.line == 2 and "single-key" in err.message


def test_builtin_suites(tmp_path: Path) -> None:
    assert "default" in builtin_names()
    suite = load_suite("builtin:default", tmp_path)
    assert suite.origin == "builtin:default" and suite.checks
    with pytest.raises(CurateError, match="unknown built-in suite 'defualt'.*did you mean 'default'"):
        load_suite("builtin:defualt", tmp_path)


def test_dataset_suite_is_found_before_default(tmp_path: Path) -> None:
    (tmp_path / "curate.yaml").write_text("checks:\n  - drift: {}\n")
    assert [c.family for c in load_suite(None, tmp_path).checks] == ["drift"]


def test_select_only() -> None:
    suite = parse_suite("checks:\n  - schema: {}\n  - drift: {}\n", "s.yaml")
    assert [c.family for c in suite.select(["drift"]).checks] == ["drift"]
    with pytest.raises(CurateError, match="unknown check 'drif'"):
        suite.select(["drif"])
    with pytest.raises(CurateError, match="not in the suite"):
        suite.select(["expect"])


def test_a_suite_without_checks_runs_the_default_checks_with_its_dataset_section(tmp_path: Path) -> None:
    """A dataset's curate.yaml that only says how to read the files (AG News' headerless CSV) must
    not pass a CI step by checking nothing: it runs the built-in default checks."""
    (tmp_path / "curate.yaml").write_text("dataset:\n  header: false\n  names: [label, title, description]\n")
    suite = load_suite(None, tmp_path)
    default = load_suite("builtin:default", tmp_path)
    assert [c.family for c in suite.checks] == [c.family for c in default.checks] and suite.checks
    assert suite.roles.names == ["label", "title", "description"] and suite.roles.header is False
    assert parse_suite("dataset: {header: false}\nchecks: []\n", "t.yaml").checks == []  # none, when asked
    only = parse_suite("dataset: {key: id}\n", "t.yaml", only=["duplicates"])
    assert any(c.family == "duplicates" for c in only.checks)
