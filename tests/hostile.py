"""Shared helpers for the hostile-input corpus (tests/test_hostile_*.py).

Every case runs the real command line in-process (click's CliRunner) on a folder built in a
temporary directory, then asserts the properties SECURITY.md promises: the exit code, at most one
stderr line and never a traceback or "internal error", the dataset folder byte-for-byte unchanged,
no line on stdout or stderr that GitHub's runner would take for a workflow command (unless it is
one of curate's own annotations), and no raw escape character.

Base rows are real: the first messages of the SMS Spam Collection (Almeida & Gómez Hidalgo 2011,
CC BY 4.0; bundled in tests/data/real/sms_spam_collection with its provenance), with the hostile
payloads planted into them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from click.testing import CliRunner, Result

from curate.cli import main

REAL = Path(__file__).resolve().parent / "data" / "real"
_ANNOTATION = re.compile(r"::(error|warning|notice) (file=[^,:]*,)?(line=\d+,)?title=curate[^:]*::")
SUITE_DUPLICATES = "checks:\n  - duplicates: {}\n"

# Text that would act on a terminal, on GitHub's runner, in HTML/markdown or in a spreadsheet.
PAYLOADS = {
    "ansi_clear": "\x1b[2J\x1b[H",
    "osc_title": "\x1b]0;pwned\x07",
    "c1_csi": "\x9b31m",
    "set_env": "::set-env name=PATH::/tmp/evil",
    "newline_mask": "ok\n::add-mask::secret",
    "cr_warning": "ok\r::warning::fake",
    "old_command": "##[set-output name=x;]1",
    "script": "<script>alert(1)</script>",
    "img_onerror": '"><img src=x onerror=alert(1)>',
    "comment": "<!-- hide the rest",
    "md_link": "[click](javascript:alert(1))",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "bidi": "abc\u202edcba",
    "percent": "%0A::error::x",
}


def sms_rows(n: int = 24) -> list[dict[str, str]]:
    """The first ``n`` real SMS messages as id/label/text rows."""
    lines = (REAL / "sms_spam_collection" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()[:n]
    rows = []
    for i, line in enumerate(lines):
        label, text = line.split("\t", 1)
        rows.append({"id": f"m{i}", "label": label, "text": text})
    return rows


def to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue()


def to_jsonl(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def build(root: Path, files: dict[str, bytes | str]) -> Path:
    """Write ``files`` (relative path → content) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes under ``root`` (symbolic links as their target text, not followed)."""
    out: dict[str, bytes] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = b"->" + str(path.readlink()).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def cli(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def assert_safe_streams(result: Result) -> None:
    """No raw ESC/C1, no bidi override, and no workflow command that curate did not write itself."""
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text, f"raw control character on {name}"
        assert "\u202e" not in text, f"bidi override on {name}"
        for line in re.split(r"\r\n|\r|\n", text):
            start = line.lstrip()
            if start.startswith("::"):
                assert name == "stdout" and _ANNOTATION.match(start), f"workflow command on {name}: {line!r}"
            assert not start.startswith("##["), f"old-style workflow command on {name}: {line!r}"


def assert_outcome(result: Result, code: int | tuple[int, ...], *, roots: dict[Path, dict[str, bytes]] | None = None,
                   error: str | None = None) -> None:
    """The common assertions of every hostile case (see the module docstring)."""
    codes = code if isinstance(code, tuple) else (code,)
    assert result.exit_code in codes, (result.exit_code, result.stdout[-2000:], result.stderr[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    if result.exit_code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        errors = [line for line in lines if not line.startswith("curate: warning:")]
        assert len(errors) == 1, err
        assert errors[0].startswith(("curate: error:", "Usage:", "Error:")) or "Error:" in err, err
    if error is not None:
        assert error in err, err
    assert_safe_streams(result)
    for root, before in (roots or {}).items():
        assert snapshot(root) == before, f"{root} changed"
