"""What ``curate fix`` adds to PR.md and the console (fairness impact, refusals, nothing-to-fix) is
data-derived: group, attribute and label names pass through curate.escape like every other cell."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from curate.corrections import Change
from curate.errors import CurateError
from curate.export.fix import refuse_large_changes
from curate.export.impact import AttributeImpact, FairnessImpact, GroupRate

HOSTILE = "<img src=x onerror=alert(1)>|`x`\x1b[31m\n::error::pwned"


def impact() -> FairnessImpact:
    groups = [GroupRate(HOSTILE, 10, 5, 0.5, 10, 4, 0.4), GroupRate("B", 10, 5, 0.5, 10, 6, 0.6)]
    return FairnessImpact(HOSTILE, 2, [AttributeImpact(HOSTILE, HOSTILE, groups, 0.0, 0.2)])


def test_fairness_impact_markdown_is_escaped() -> None:
    text = "\n".join(impact().markdown())
    outside_code = re.sub(r"(`+) .*? \1|(`+)[^` ].*?\2", "", text)
    assert not re.search(r"(?<!\\)<(?!br>)", outside_code) and "\x1b" not in text  # HTML only as literal code
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    for line in text.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert line.replace("\\|", "").count("|") == 9, line  # a name cannot add table cells
    assert "the gap widens" in text and "&lt;" not in text  # escaped by backslash, shown as typed


def test_fairness_impact_console_is_escaped() -> None:
    lines = impact().console()
    assert all("\x1b" not in line and "\n" not in line for line in lines)
    assert "\\x1b[31m" in lines[1] and "GAP WIDENS" in lines[1]


def test_a_refusal_names_the_checks_and_stays_one_line() -> None:
    dataset = SimpleNamespace(splits={HOSTILE: list(range(10))})
    corrections = [SimpleNamespace(op="delete", split=HOSTILE, column=None, check="duplicates") for _ in range(2)]
    with pytest.raises(CurateError) as exc:
        refuse_large_changes(corrections, dataset, 0.1, from_flag=False)
    message = str(exc.value)
    assert "delete 2 of 10 rows (20.0%)" in message and "(proposed by duplicates 2)" in message
    from curate.escape import error_line

    assert "\n" not in error_line(message) and "\x1b" not in error_line(message)


def test_change_names_every_check_largest_first() -> None:
    change = Change("update", "train", "text", 5, 10, {"pii": 1, "text_quality": 4})
    assert change.describe().endswith("in split 'train' (proposed by text_quality 4, pii 1)")
