"""Hostile suites: a dataset's own curate.yaml is untrusted (a pull request can change it).

Each case writes curate.yaml into a real-data folder and runs ``curate check`` (github format,
as in CI); besides tests/hostile.py's common properties, a YAML tag must never execute.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import assert_outcome, build, cli, sms_rows, snapshot, to_csv

from curate.errors import CurateError
from curate.suite import parse_suite

ROWS = sms_rows()
PWNED = "pwned-by-yaml"


def _bomb(levels: int = 7) -> str:  # 9**7 values: over the limit, yet quick to fail on a regression
    text = 'x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]\n"
    return text


def _tag(tag: str) -> str:
    return f"checks:\n  - duplicates: {tag} ['touch {PWNED}']\n"


CASES: list[tuple[str, str | bytes, int | tuple[int, ...], str | None]] = [
    ("alias_bomb", _bomb() + "checks: [duplicates]\n", 2, "alias bomb"),
    ("alias_bomb_in_checks", _bomb(6) + "checks:\n  - duplicates: {columns: *x5}\n", 2, "alias bomb"),
    ("deep_5000", "checks: " + "[" * 5000 + "]" * 5000 + "\n", 2, "deeper than"),
    ("deep_mappings", "checks:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)), 2, "deeper than"),
    ("too_large", "# " + "x" * (1024 * 1024 + 10) + "\nchecks: [duplicates]\n", 2, "larger than"),
    ("many_aliases", "a: &a 1\nb: [" + ",".join(["*a"] * 1500) + "]\n", 2, "aliases"),
    ("python_object_apply", _tag("!!python/object/apply:os.system"), 2, "invalid YAML"),
    ("python_name", "checks:\n  - duplicates: !!python/name:os.system\n", 2, "invalid YAML"),
    ("python_module", "checks:\n  - duplicates: !!python/module:os\n", 2, "invalid YAML"),
    ("unknown_tag", "checks:\n  - duplicates: !custom {}\n", 2, "invalid YAML"),
    ("duplicate_keys", "checks: []\nchecks: [duplicates]\n", 2, "duplicate key"),
    ("complex_key", "? [a, b]\n: 1\n", 2, "plain values"),
    ("checks_scalar", "checks: duplicates\n", 2, "must be a list"),
    ("checks_ints", "checks: [1]\n", 2, "single-key mapping"),
    ("dataset_list", "dataset: [a]\nchecks: [duplicates]\n", 2, "must be a mapping"),
    ("unknown_section", "chekcs: [duplicates]\n", 2, "did you mean 'checks'"),
    ("unknown_check", "checks: [duplicatez]\n", 2, "did you mean 'duplicates'"),
    ("unknown_check_esc", "checks: [\"dup\\e[2Jx\"]\n", 2, "unknown check"),
    ("unknown_check_command", "checks: [\"::set-env name=A::b\"]\n", 2, "unknown check"),
    ("unknown_check_newline", "checks: [\"a\\n::add-mask::s\"]\n", 2, "unknown check"),
    ("unknown_param", "checks:\n  - duplicates: {colums: [text]}\n", 2, "unknown parameter 'colums'"),
    ("param_wrong_type", "checks:\n  - duplicates: {columns: 5}\n", 2, "duplicates"),
    ("param_unknown_column_esc", "checks:\n  - duplicates: {columns: [\"t\\e]0;x\\a\"]}\n", 2, "not found"),
    ("key_unknown_column_command", "dataset: {key: \"::error::x\"}\nchecks: [duplicates]\n", 2, None),
    ("severity_bogus", "checks:\n  - duplicates: {severity: fatal}\n", 2, "severity"),
    ("syntax_error", "checks: [duplicates\n", 2, "invalid YAML"),
    ("tab_indent", "checks:\n\t- duplicates: {}\n", 2, "invalid YAML"),
    ("not_utf8", "checks: [duplicates]\n# caf\xe9\n".encode("latin-1"), 2, "not valid UTF-8"),
    ("binary_garbage", bytes(range(256)), 2, None),
    ("scalar_document", "hello\n", 2, "must be a mapping"),
    ("multi_document", "checks: [duplicates]\n---\nchecks: []\n", 2, "invalid YAML"),
    ("encoding_unknown", "dataset: {encoding: rot13-bogus}\nchecks: [duplicates]\n", 2, "unknown encoding"),
    ("sensitive_int", "dataset: {sensitive: 5}\nchecks: [duplicates]\n", 2, None),
    ("empty_suite", "", (0, 1), None),
    ("small_aliases_ok", "defaults: &d {columns: [text]}\nchecks:\n  - duplicates: *d\n", 2, "unknown suite section"),
    ("anchors_in_checks_ok", "checks:\n  - duplicates: &d {columns: [text]}\n", (0, 1), None),
    ("long_string_ok", "checks:\n  - duplicates: {name: \"" + "n" * 100_000 + "\"}\n", (0, 1), None),
    ("name_set_env", "checks:\n  - duplicates: {name: \"::set-env name=PATH::/evil\"}\n", (0, 1), None),
    ("name_newline_mask", "checks:\n  - duplicates: {name: \"ok\\n::add-mask::secret\"}\n", (0, 1), None),
    ("name_cr_command", "checks:\n  - duplicates: {name: \"ok\\r::warning::x\"}\n", (0, 1), None),
    ("name_esc", "checks:\n  - duplicates: {name: \"\\e[2J\\e]0;title\\a\"}\n", (0, 1), None),
    ("name_old_command", "checks:\n  - duplicates: {name: \"##[set-output name=a;]b\"}\n", (0, 1), None),
    ("name_unicode_separator", "checks:\n  - duplicates: {name: \"a\\u2028::error::x\\u0085::error::y\"}\n", (0, 1), None),
]


@pytest.mark.parametrize("name, suite, code, error", CASES, ids=[c[0] for c in CASES])
def test_hostile_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, suite: str | bytes,
                       code: int | tuple[int, ...], error: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    rows = ROWS + ROWS[:3]  # real messages, three of them twice: duplicates has findings to print
    root = build(tmp_path / "ds", {"train.csv": to_csv(rows), "curate.yaml": suite})
    before = {root: snapshot(root)}
    result = cli("check", root, "--no-cache", "--format", "github")
    assert_outcome(result, code, roots=before, error=error)
    assert not (tmp_path / PWNED).exists() and not (root / PWNED).exists()


@pytest.mark.parametrize("fmt", ["console", "markdown", "junit", "pr-comment"])
def test_hostile_check_name_in_other_formats(tmp_path: Path, fmt: str) -> None:
    suite = "checks:\n  - duplicates: {name: \"::set-env name=A::b\\n::error::x\\e[2J<script>\"}\n"
    root = build(tmp_path / "ds", {"train.csv": to_csv(ROWS + ROWS[:3]), "curate.yaml": suite})
    result = cli("check", root, "--no-cache", "--format", fmt)
    assert_outcome(result, 1, roots={root: snapshot(root)})
    if fmt != "console":  # a terminal shows tags as text; markdown, XML and HTML must escape them
        assert "<script>" not in result.stdout


def test_deep_yaml_does_not_recurse() -> None:
    """The limit is checked on PyYAML's (iterative) event stream, before the recursive composer runs."""
    with pytest.raises(CurateError, match="deeper than") as info:
        parse_suite("checks: " + "[" * 50_000 + "]" * 50_000, "s.yaml")
    assert info.value.line == 1


@pytest.mark.parametrize("name", ["[blink]x[/blink]\x1b[2J", "[link=https://evil.example]click[/link]", "\x1b]0;t\x07"])
def test_progress_shows_suite_names_as_text(name: str) -> None:
    """The live progress bar (a terminal only) prints check names: no markup, no control characters."""
    import io

    from rich.console import Console
    from rich.progress import Progress, TextColumn

    from curate.progress import RichProgress

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    with Progress(TextColumn("{task.description}"), console=console, auto_refresh=False) as progress:
        list(RichProgress(progress).track([1, 2], 2, name))
        progress.refresh()
    shown = buffer.getvalue()
    assert "\x1b]" not in shown and "\x1b[2J" not in shown and "\x07" not in shown
    assert "]8;" not in shown  # no OSC 8 hyperlink from [link=…]
    assert ("[blink]" in shown) or ("[link=" in shown) or ("\\x1b" in shown)


def test_pred_probs_in_the_datasets_own_suite_stay_inside_the_dataset(tmp_path: Path) -> None:
    """label_errors' .npy files named by an untrusted curate.yaml may not be read from outside the folder."""
    import numpy as np

    np.save(tmp_path / "probs.npy", np.full((4, 2), 0.5))
    root = tmp_path / "data"
    root.mkdir()
    (root / "train.csv").write_text("id,label\n1,a\n2,b\n3,a\n4,b\n")
    (root / "curate.yaml").write_text("dataset: {key: id, label: label}\nchecks:\n  - label_errors: {pred_probs: ../probs.npy}\n")
    from click.testing import CliRunner

    from curate.cli import main

    result = CliRunner().invoke(main, ["check", str(root), "--no-cache", "--no-progress"])
    assert result.exit_code == 2 and "outside the dataset folder" in result.output and "Traceback" not in result.output, result.output
