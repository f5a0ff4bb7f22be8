"""Output injection: hostile keys, labels, texts and metadata in every report format and bundle.

A real-data folder (SMS messages) gets one payload planted as row keys, as a conflicting label
(so ``conflicting_labels`` proposes it as a new value), as a duplicated text (so ``duplicates``
proposes a delete) and as the Kaggle title. Then: ``curate check --format github`` (as CI runs
it), every other renderer, and ``curate fix --bundle all`` must show it as inert text.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile import PAYLOADS, REAL, assert_outcome, assert_safe_streams, build, cli, sms_rows, snapshot, to_csv

from curate.escape import csv_cell
from curate.report import render
from curate.runner import check as run_check

ROWS = sms_rows(40)  # enough rows that the planted deletes stay under the 10% change limit
SUITE = "dataset: {key: id, label: label, text: text}\nchecks:\n  - duplicates: {}\n  - conflicting_labels: {}\n"
FORMATS = ["console", "markdown", "junit", "pr-comment", "json", "sarif"]
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _hostile(tmp_path: Path, payload: str, *, kaggle_id: str = "someone/sms-sample") -> Path:
    rows = [dict(r) for r in ROWS]
    for i in range(3):  # one text three times: labels payload, payload, ham → ham is corrected to the payload
        rows.append({"id": f"{payload}#{i}", "label": payload if i < 2 else "ham", "text": ROWS[1]["text"]})
    rows.append({"id": f"{payload}#dup", "label": "ham", "text": payload})
    rows.append({"id": f"{payload}#dup2", "label": "ham", "text": payload})
    meta = {"title": f"SMS {payload}", "id": kaggle_id, "licenses": [{"name": "CC-BY-4.0"}],
            "resources": [{"path": "train.csv"}]}
    return build(tmp_path / "ds", {"train.csv": to_csv(rows), "curate.yaml": SUITE,
                                   "dataset-metadata.json": json.dumps(meta)})


_LIVE_HTML = re.compile(r"<(script|img)|\x1b")  # in HTML, markdown link syntax is plain text
_LIVE = re.compile(r"(?<!\\)<(script|img|!--(?! curate))|(?<!\\)\]\(javascript:|\x1b")


def _no_live_markup(text: str, where: str, *, html: bool = False) -> None:
    """Markup a browser, GitHub or the Hub would act on (``\\<`` is markdown's escaped, literal ``<``)."""
    match = (_LIVE_HTML if html else _LIVE).search(text)
    assert match is None, f"{match.group()!r} in {where}: {text[max(match.start() - 80, 0):match.end() + 80]!r}"


@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
def test_report_formats_escape_data(tmp_path: Path, payload: str) -> None:
    root = _hostile(tmp_path, PAYLOADS[payload])
    before = {root: snapshot(root)}
    result = cli("check", root, "--no-cache", "--format", "github")
    assert_outcome(result, 1, roots=before)
    assert result.stdout.startswith("::error ")  # the findings are annotated
    report = run_check(root, None, None)
    for fmt in FORMATS:
        text = render(report, fmt)
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text, fmt
        for line in text.splitlines():
            assert not line.lstrip().startswith(("::", "##[")), (fmt, line)
        if fmt in ("markdown", "pr-comment"):
            _no_live_markup(text, fmt)
        if fmt == "junit":
            ET.fromstring(text)
        if fmt == "json":  # JSON keeps the data exactly: it is escaped by the format, not altered
            keys = {f["key"] for r in json.loads(text)["results"] for f in r["findings"]}
            assert f"{PAYLOADS[payload]}#2" in keys or "\r" in PAYLOADS[payload]  # pandas reads a lone CR as a line end


def _csv_cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for cell in row[1:]]


@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
def test_fix_bundles_escape_data(tmp_path: Path, payload: str) -> None:
    root = _hostile(tmp_path, PAYLOADS[payload])
    before = {root: snapshot(root)}
    out = tmp_path / "out"
    result = cli("fix", root, "--out", out, "--bundle", "all", "--no-progress")
    assert_outcome(result, 0, roots=before)
    for name in ("PR.md", "DISCUSSION.md", "hf/PR.md"):
        if (out / name).exists():
            _no_live_markup((out / name).read_text(encoding="utf-8"), name)
    for html_file in (out / "diff").rglob("*.html"):
        _no_live_markup(html_file.read_text(encoding="utf-8"), html_file.name, html=True)
    for diff_csv in (out / "diff").rglob("*.csv"):
        for cell in _csv_cells(diff_csv):
            assert csv_cell(cell) == cell or cell.startswith("'"), f"formula cell {cell!r} in {diff_csv.name}"
            assert not (cell[:1] in "=+@" and not _NUMBER.fullmatch(cell)), cell
    script = (out / "kaggle-version.sh").read_text(encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(out / "kaggle-version.sh")]).returncode == 0
    assert [line for line in script.splitlines() if not line.startswith("#")][1:] == [], script
    assert "\x1b" not in script


def test_formula_cells_are_neutralised_in_review_csv(tmp_path: Path) -> None:
    root = _hostile(tmp_path, PAYLOADS["formula"])
    out = tmp_path / "out"
    assert_outcome(cli("fix", root, "--out", out, "--bundle", "none", "--no-progress"), 0)
    cells = [c for p in (out / "diff").rglob("*.csv") for c in _csv_cells(p)]
    assert any(c.startswith("'=HYPERLINK(") for c in cells), cells
    assert not any(c.startswith("=") for c in cells)


KAGGLE_IDS = {
    "newline_command": "someone/data\ntouch pwned",
    "semicolon": "someone/data; rm -rf ~",
    "substitution": "$(touch pwned)/data",
    "backticks": "`touch pwned`/data",
    "parent": "../../etc",
    "space": "some one/data",
    "three_parts": "a/b/c",
    "empty_owner": "/data",
    "esc": "someone/\x1b[2Jdata",
}


@pytest.mark.parametrize("kind", list(KAGGLE_IDS))
def test_kaggle_ids_that_are_not_owner_slug_are_refused(tmp_path: Path, kind: str) -> None:
    root = _hostile(tmp_path, "x", kaggle_id=KAGGLE_IDS[kind])
    result = cli("fix", root, "--out", tmp_path / "out", "--bundle", "kaggle", "--no-progress")
    assert_outcome(result, 2, roots={root: snapshot(root)}, error="not of the form owner/slug")
    assert not (tmp_path / "out" / "kaggle-version.sh").exists()


def test_kaggle_version_script_passes_values_as_single_words(tmp_path: Path) -> None:
    """Run the script with a stand-in `kaggle` that records its argv: one word per value, nothing else runs."""
    root = _hostile(tmp_path, "$(touch pwned) `id` ' \" ;", kaggle_id="some-one/sms.data_set")
    out = tmp_path / "out"
    assert_outcome(cli("fix", root, "--out", out, "--bundle", "kaggle", "--no-progress"), 0)
    bin_dir = build(tmp_path / "bin", {"kaggle": '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS"\n'})
    (bin_dir / "kaggle").chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", ARGS=str(tmp_path / "args"))
    done = subprocess.run(["sh", str(out / "kaggle-version.sh")], env=env, cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:4] == ["datasets", "version", "-p", "kaggle"] and args[4] == "-m"
    assert not (tmp_path / "pwned").exists() and not (out / "pwned").exists()
    discussion = (out / "DISCUSSION.md").read_text(encoding="utf-8")
    assert "`id`" not in discussion.split("```sh")[0]  # the title's backticks are escaped, not code


@pytest.mark.parametrize("payload", ["script", "ansi_clear", "set_env", "newline_mask"])
def test_diff_command_escapes_data(tmp_path: Path, payload: str) -> None:
    text = PAYLOADS[payload]
    old = build(tmp_path / "old", {"train.csv": to_csv(ROWS)})
    changed = [dict(r) for r in ROWS]
    changed[3]["text"] = text
    changed[4]["id"] = text
    new = build(tmp_path / "new", {"train.csv": to_csv(changed)})
    before = {old: snapshot(old), new: snapshot(new)}
    for fmt in ("console", "markdown", "github"):
        result = cli("diff", old, new, "--key", "id", "--format", fmt)
        assert_outcome(result, 0, roots=before)
        if fmt == "markdown":
            _no_live_markup(result.stdout, "diff markdown")
    assert_safe_streams(result)


# GitHub and the Hub notify or cross-link on these in rendered text (a backslash does not stop them)
_REFERENCE = re.compile(r"@[\w-]|#\d|(?i:\bGH-\d)|://|(?i:\bwww\.)")
MENTIONS = "@everyone see #1, GH-2, owner/repo#3, @org/team, https://github.com/o/r/issues/4, www.example.org"


def _airline_with_mentions(tmp_path: Path) -> Path:
    """Real tweets (they address airlines as ``@united`` and carry ``#29DaysToGo``, ``case#8719519``) as keys.

    Some tweets are repeated so that ``duplicates`` and ``conflicting_labels`` report them, and the
    planted text of :data:`MENTIONS` is a key, a label and a duplicated text.
    """
    with gzip.open(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz", "rt", encoding="utf-8") as fh:
        tweets = list(csv.DictReader(fh))
    picked = tweets[:30] + [t for t in tweets if re.search(r"#\d", t["text"])][:5]
    rows = [{"id": f"{i} {t['text']}", "label": t["airline_sentiment"], "text": t["text"]} for i, t in enumerate(picked)]
    rows += [{"id": f"copy {r['id']}", "label": "negative" if r["label"] != "negative" else "neutral", "text": r["text"]}
             for r in rows[30:35]]  # the tweets with '#<digit>' again, other label: duplicates + conflicting labels
    rows += [{"id": f"{MENTIONS} {i}", "label": MENTIONS if i < 2 else "neutral", "text": ROWS[1]["text"]} for i in range(3)]
    rows += [{"id": f"dup {i}", "label": "neutral", "text": MENTIONS} for i in range(2)]
    meta = {"title": f"Tweets {MENTIONS}", "id": "someone/tweets", "licenses": [{"name": "CC-BY-NC-SA-4.0"}],
            "resources": [{"path": "train.csv"}]}
    return build(tmp_path / "ds", {"train.csv": to_csv(rows), "curate.yaml": SUITE, "dataset-metadata.json": json.dumps(meta)})


def _no_live_reference(text: str, where: str) -> None:
    match = _REFERENCE.search(text)
    assert match is None, f"{match.group()!r} in {where}: {text[max(match.start() - 80, 0):match.end() + 80]!r}"


def test_mentions_and_issue_references_from_data_notify_nobody(tmp_path: Path) -> None:
    """``@user``, ``@org/team``, ``#1``, ``GH-2``, ``owner/repo#3`` and links: inert in every markdown output."""
    root = _airline_with_mentions(tmp_path)
    before = {root: snapshot(root)}
    summary = tmp_path / "summary.md"
    outputs = {}
    for fmt in ("markdown", "pr-comment", "github"):
        result = cli("check", root, "--no-cache", "--format", fmt, env={"GITHUB_STEP_SUMMARY": str(summary)})
        assert_outcome(result, 1, roots=before)
        if fmt != "github":
            outputs[fmt] = result.stdout
    outputs["step summary"] = summary.read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert_outcome(cli("fix", root, "--out", out, "--bundle", "all", "--no-progress"), 0, roots=before)
    for path in out.rglob("*.md"):
        outputs[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    assert {"PR.md", "hf/PR.md", "hf/README.md", "DISCUSSION.md"} <= set(outputs)
    assert "@\u2060everyone see \\#\u20601" in outputs["pr-comment"]  # still readable: the joiner is invisible
    assert "@\u2060united" in outputs["markdown"] and "case\\#\u20608719519" in outputs["markdown"]
    # curate's own link and its greeting of the owner (a validated Kaggle id) stay live
    assert "[curate](https://pypi.org/project/curate/)" in outputs["DISCUSSION.md"]
    assert "Hi @someone, thank you" in outputs["DISCUSSION.md"]
    for where, text in outputs.items():
        _no_live_reference(text.replace("https://pypi.org/project/curate/", "").replace("Hi @someone,", ""), where)


def test_pr_comment_stays_under_githubs_limit_with_hostile_findings() -> None:
    """Escaping grows data several-fold (``\\x1b`` → ``\\\\x1b``, a newline → ``<br>``, ``@a`` gets a joiner).

    Real SMS texts with every payload planted, in 4 checks of 50 findings (too many to show) and
    then in 300 checks (too many for the table): the comment is measured as posted (UTF-16 units,
    so the planted emoji count twice) and must stay a valid one.
    """
    from curate.findings import CheckResult, Finding, Report, Status
    from curate.report.pr_comment import COMMENT_LIMIT, MARKER

    hostile = "".join(PAYLOADS.values()) + "\n@everyone #1 😀\n::set-env x\n"
    texts = [(hostile + r["text"]) * 4 for r in ROWS]
    findings = [Finding(t, split=hostile, row=j, key=t, column=hostile, suggestion={"label": t})
                for j, t in enumerate(texts + texts[:10])]
    checks = [CheckResult("duplicates", f"{hostile}{i}", Status.FAIL, texts[i % len(texts)],
                          findings=findings if i < 4 else findings[:5]) for i in range(300)]
    for report in (Report({"path": hostile}, checks[:4]), Report({"path": hostile}, checks)):
        text = render(report, "pr-comment", max_findings=50)
        size = len(text.encode("utf-16-le")) // 2
        assert size < COMMENT_LIMIT, size
        assert text.startswith(MARKER + "\n") and text.count(MARKER) == 1
        assert text.count("<details>") == text.count("</details>")
        assert not re.search(r"(?m)^\s*(::|##\[)", text) and "\x1b" not in text
        _no_live_markup(text, "pr-comment")
        _no_live_reference(text, "pr-comment")
    assert text.endswith("the JSON report has every finding._\n")  # 300 checks: even the table is cut
    first = render(Report({"path": hostile}, checks[:4]), "pr-comment", max_findings=50)
    assert first.count("<details>") == 4  # fewer findings shown, every check still listed
