"""The Hugging Face bundle: the card (header preserved, curate sections), PR.md, and ``curate submit hf``.

``curate submit hf`` runs in a subprocess with ``HF_ENDPOINT`` pointing at a small HTTP server
on 127.0.0.1 that answers the Hub API calls ``huggingface_hub`` makes (dataset info, open
discussions, YAML validation, preupload, commit) and records every request; the tests assert
what reached it. Nothing leaves the machine.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, write
from test_corrections import PLANTED, fix_example, registered_test_checks

from curate.cli import main
from curate.export.hf import (
    BIAS_HEADING,
    bias_text,
    card_for_upload,
    parse_pr,
    update_card_counts,
)
from curate.findings import CheckResult, Report, Status

TOKEN = "hf_testTOKENnot4realXYZ123"
REPO = "curate-test/news"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """``curate fix`` on hf_news with schema (3 label typos) and the copy finder (deletes)."""
    base = tmp_path_factory.mktemp("hfbundle")
    suite = write(
        base / "suite.yaml",
        """
        dataset: {key: id, label: label, text: text}
        checks:
          - schema: {}
          - test_copies: {column: text}
        """,
    )
    with registered_test_checks():
        outcome = fix_example("hf_news", base / "out", suite=suite)
    return outcome, base / "out"


# =========================================================================== the card


def test_card_header_keeps_every_byte_but_the_counts(bundle) -> None:
    outcome, out = bundle
    original = (EXAMPLES / "hf_news" / "README.md").read_text(encoding="utf-8")
    card = (out / "hf" / "README.md").read_text(encoding="utf-8")
    rows = {f.split: f.rows_after for f in outcome.all_files}
    assert rows["train"] < 2005 and rows["test"] < 500
    sizes = corrected_num_bytes(out)
    header, body = original[: original.index("\n---\n", 4) + 5], original[original.index("\n---\n", 4) + 5 :]
    expected = (
        header.replace("num_examples: 2005\n", f"num_examples: {rows['train']}\n")
        .replace("num_examples: 500\n", f"num_examples: {rows['test']}\n")
        .replace("num_bytes: 429914\n", f"num_bytes: {sizes['train']}\n")
        .replace("num_bytes: 107254\n", f"num_bytes: {sizes['test']}\n")
    )
    assert sizes["train"] != 429914 and sizes["test"] != 107254
    assert card.startswith(expected + body.rstrip("\n"))  # header: only the counts; the owner's text untouched
    assert (out / "data" / "README.md").read_text(encoding="utf-8") == expected + body  # the copy: counts only


def corrected_num_bytes(out: Path) -> dict[str, int]:
    """``num_bytes`` per split as ``datasets`` itself records it when it loads the corrected copy."""
    import datasets

    loaded = datasets.load_dataset(str(out / "data"), cache_dir=str(out.parent / "hf-cache"))
    return {name: split.info.splits[name].num_bytes for name, split in loaded.items()}


def test_card_parses_with_huggingface_hub(bundle) -> None:
    from huggingface_hub import DatasetCard

    outcome, out = bundle
    before = DatasetCard.load(EXAMPLES / "hf_news" / "README.md").data.to_dict()
    after = DatasetCard.load(out / "hf" / "README.md").data.to_dict()
    rows = {f.split: f.rows_after for f in outcome.all_files}
    sizes = corrected_num_bytes(out)
    for split in before["dataset_info"]["splits"]:
        split["num_examples"] = rows[split["name"]]
        split["num_bytes"] = sizes[split["name"]]
    assert after == before
    text = (out / "hf" / "README.md").read_text()
    assert "## Known issues" in text and "## Changelog" in text and f"`{outcome.fingerprint}`" in text
    assert "- **expect**" not in text  # the suite had no expect check
    assert "test_copies" in text and "schema" in text


def test_update_card_counts_is_surgical() -> None:
    text = """---
# a comment the owner wrote
pretty_name: 'Quoted: name'
dataset_info:
- config_name: small
  splits:
  - {name: train, num_bytes: 10, num_examples: 100}
- config_name: default
  splits:
  - name: train
    num_examples:   2005   # trailing comment
  - name: test
    num_examples: 500
configs:
- config_name: default
  data_files: data/*.csv
---
Body with num_examples: 2005 in prose.
"""
    out = update_card_counts(text, {"train": 1999}, "default")
    assert out == text.replace("num_examples:   2005   #", "num_examples:   1999   #")
    assert update_card_counts(text, {"train": 99}, "small") == text.replace("num_examples: 100}", "num_examples: 99}")
    assert update_card_counts("no header\n", {"train": 1}, None) == "no header\n"


def test_update_card_counts_sets_sizes_where_the_card_has_them() -> None:
    text = """---
dataset_info:
  splits:
  - name: train
    num_bytes: 1000
    num_examples: 10
  - name: test
    num_bytes: 300
    num_examples: 3
  download_size: 900
  dataset_size: 1300
---
"""
    out = update_card_counts(text, {"train": 9}, None, {"train": 880}, -40)
    assert out == (
        text.replace("num_bytes: 1000", "num_bytes: 880")
        .replace("num_examples: 10", "num_examples: 9")
        .replace("download_size: 900", "download_size: 860")
        .replace("dataset_size: 1300", "dataset_size: 1180")  # train 880 + test 300
    )
    bare = "---\ndataset_info:\n  splits:\n  - name: train\n    num_examples: 10\n---\n"
    assert update_card_counts(bare, {"train": 9}, None, {"train": 880}, -40) == bare.replace("10", "9")  # nothing added


def test_sections_are_replaced_not_repeated() -> None:
    card = "---\nlicense: mit\n---\n# Title\n\nOwner text.\n"
    once = card_for_upload(
        card,
        title="t",
        bias="## Bias, Risks, and Limitations\n\nSkewed.",
        known_issues="## Known issues\n\n- a",
        changelog="### 2024-01-01: first",
    )
    twice = card_for_upload(
        once,
        title="t",
        bias="## Bias, Risks, and Limitations\n\nLess skewed.",
        known_issues="## Known issues\n\n- b",
        changelog="### 2024-02-01: second",
    )
    assert twice.startswith(card)
    assert twice.count("<!-- curate:known-issues:start -->") == 1 and "- b" in twice and "- a" not in twice
    assert (
        twice.count("<!-- curate:bias:start -->") == 1
        and "Less skewed." in twice
        and "Skewed." not in twice.replace("Less skewed.", "")
    )
    assert twice.count("## Changelog") == 1
    assert twice.index("second") < twice.index("first")  # newest entry first, older kept
    assert yaml.safe_load(twice.split("---")[1]) == {"license": "mit"}


class _FakeBalance(CheckResult):
    pass


@pytest.fixture
def fake_card(monkeypatch):
    """A stand-in for ``curate.card.bias_section`` (heading level honoured, as the real one does)."""
    module = types.ModuleType("curate.card")

    def bias_section(result, *, heading_level: int = 2) -> str:
        sub = "#" * (heading_level + 1)
        top = "#" * heading_level
        return f"{top} {BIAS_HEADING}\n\nauthor_gender is 75.4% male.\n\n{sub} Recommendations\n\nReweight.\n"

    module.bias_section = bias_section
    monkeypatch.setitem(sys.modules, "curate.card", module)
    return module


def test_bias_section_goes_into_the_card(fake_card) -> None:
    report = Report({}, [CheckResult("balance", "balance", Status.FAIL, "skewed")])
    render, warning = bias_text(report)
    assert warning is None
    plain = card_for_upload("# Title\n", title="t", bias=render, known_issues="## Known issues", changelog="### x")
    assert f"\n## {BIAS_HEADING}\n\nauthor_gender is 75.4% male.\n\n### Recommendations" in plain
    owned = "# Title\n\n## Bias, Risks, and Limitations\n\nThe owner's words.\n\n## Citation\n\n@misc{x}\n"
    nested = card_for_upload(owned, title="t", bias=render, known_issues="## Known issues", changelog="### x")
    assert (
        "The owner's words.\n\n<!-- curate:bias:start -->\n### Bias, Risks, and Limitations (measured by curate)"
        in nested
    )
    assert "#### Recommendations" in nested
    assert nested.index("(measured by curate)") < nested.index("## Citation")
    assert bias_text(Report({}, [CheckResult("schema", "schema", Status.PASS, "")])) == (None, None)


def test_a_failing_bias_section_is_a_warning(monkeypatch) -> None:
    module = types.ModuleType("curate.card")
    module.bias_section = lambda result, **_: (_ for _ in ()).throw(ValueError("no group tables"))
    monkeypatch.setitem(sys.modules, "curate.card", module)
    render, warning = bias_text(Report({}, [CheckResult("balance", "balance", Status.FAIL, "")]))
    assert render is None and "balance section was left out of the card: ValueError: no group tables" in warning


# =========================================================================== PR.md and the bundle


def test_bundle_holds_exactly_the_files_to_upload(bundle) -> None:
    _, out = bundle
    files = {p.relative_to(out / "hf").as_posix() for p in (out / "hf").rglob("*") if p.is_file()}
    assert files == {"data/train.csv", "data/test.csv", "README.md", "PR.md"}
    for rel in ("data/train.csv", "data/test.csv"):
        assert (out / "hf" / rel).read_bytes() == (out / "data" / rel).read_bytes()
    manifest = json.loads((out / "fix.json").read_text())
    assert sorted(manifest["hf"]["uploads"]) == ["README.md", "data/test.csv", "data/train.csv"]


def test_pr_markdown_has_title_and_counts_per_check(bundle) -> None:
    outcome, out = bundle
    title, description = parse_pr((out / "hf" / "PR.md").read_text())
    deletes, updates = outcome.counts["delete"], outcome.counts["update"]
    assert title == f"Data quality: delete {deletes} rows and fix {updates} values [curate {outcome.fingerprint}]"
    planted = PLANTED["hf_news"]["counts"]
    copies = planted["exact_duplicates"] + planted["normalized_duplicates"] + planted["conflicting_labels"]
    assert (deletes, updates) == (copies + planted["leakage_exact"], planted["invalid_labels"])
    assert "| schema | fail | 3 | 3 | 0 | 3 | 0 |" in description
    assert f"| test\\_copies | fail | {deletes} | {deletes} | {deletes} | 0 | 0 |" in description
    assert "| `data/train.csv` | train | 2005 |" in description
    assert (out / "PR.md").read_text() == (out / "hf" / "PR.md").read_text()


# =========================================================================== submit, against a local Hub


class FakeHub:
    """A tiny Hub API on 127.0.0.1 that records requests (a daemon thread, stopped by the fixture)."""

    def __init__(self, siblings: list[dict], discussions: list[dict] | None = None) -> None:
        self.siblings = siblings
        self.discussions = discussions or []
        self.requests: list[dict] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> dict:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = {
                    "method": self.command,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "auth": self.headers.get("Authorization"),
                    "body": self.rfile.read(length) if length else b"",
                }
                hub.requests.append(request)
                return request

            def do_GET(self) -> None:
                request = self._record()
                if request["path"] == f"/api/datasets/{REPO}" or request["path"].startswith(
                    f"/api/datasets/{REPO}/revision/"
                ):
                    self._reply(200, {"id": REPO, "sha": SHA, "siblings": hub.siblings})
                elif request["path"] == f"/api/datasets/{REPO}/discussions":
                    self._reply(200, {"count": len(hub.discussions), "start": 0, "discussions": hub.discussions})
                else:
                    self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                request = self._record()
                path = request["path"]
                if path == "/api/validate-yaml":
                    self._reply(200, {"errors": [], "warnings": []})
                elif path.startswith(f"/api/datasets/{REPO}/preupload/"):
                    files = json.loads(request["body"])["files"]
                    self._reply(
                        200,
                        {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]},
                    )
                elif path.startswith(f"/api/datasets/{REPO}/commit/"):
                    base = f"http://127.0.0.1:{hub.port}"
                    self._reply(
                        200,
                        {
                            "commitUrl": f"{base}/datasets/{REPO}/commit/{'f' * 40}",
                            "commitOid": "f" * 40,
                            "pullRequestUrl": f"{base}/datasets/{REPO}/discussions/7",
                        },
                    )
                else:
                    self._reply(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.deadline = threading.Timer(120, self.server.shutdown)  # stops itself even if a test hangs
        self.deadline.daemon = True

    def __enter__(self) -> Self:
        self.thread.start()
        self.deadline.start()
        return self

    def __exit__(self, *exc) -> None:
        self.deadline.cancel()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def paths(self) -> list[tuple[str, str]]:
        return [(r["method"], r["path"]) for r in self.requests]


def siblings_of(out: Path, **override: str) -> list[dict]:
    originals = json.loads((out / "fix.json").read_text())["hf"]["originals"]
    return [
        {"rfilename": rel, "blobId": override.get(rel, ident["git_sha1"]), "size": ident["size"]}
        for rel, ident in originals.items()
        if ident
    ] + [{"rfilename": "data/other.csv", "blobId": "0" * 40}]


def submit(out: Path, hub: FakeHub | None, tmp_path: Path, *extra: str, token: str | None = TOKEN):
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("HF_")}
    env.update(
        HF_HOME=str(tmp_path / "hf-home"),
        HF_HUB_OFFLINE="0",
        HF_HUB_DISABLE_TELEMETRY="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        HF_ENDPOINT=f"http://127.0.0.1:{hub.port if hub else 9}",
    )
    if token:
        env["HF_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "curate", "submit", "hf", str(out), "--repo", REPO, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_submit_opens_a_pull_request(bundle, tmp_path: Path) -> None:
    _, out = bundle
    with FakeHub(siblings_of(out)) as hub:
        done = submit(out, hub, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"pull request opened: http://127.0.0.1:{hub.port}/datasets/{REPO}/discussions/7" in done.stdout
    assert TOKEN not in done.stdout + done.stderr
    assert hub.paths() == [
        ("GET", f"/api/datasets/{REPO}"),
        ("GET", f"/api/datasets/{REPO}/discussions"),
        ("POST", "/api/validate-yaml"),
        ("POST", f"/api/datasets/{REPO}/preupload/main"),
        ("POST", f"/api/datasets/{REPO}/commit/main"),
    ]
    assert all(r["auth"] == f"Bearer {TOKEN}" for r in hub.requests)
    info, discussions, _, preupload, commit = hub.requests
    assert info["query"]["blobs"] == ["true"]  # files_metadata=True: blob ids to compare with fix.json
    assert discussions["query"] == {"type": ["pull_request"], "status": ["open"], "p": ["0"]}
    assert preupload["query"] == {"create_pr": ["1"]} and commit["query"] == {"create_pr": ["1"]}
    items = [json.loads(line) for line in commit["body"].decode().splitlines()]
    header = items[0]["value"]
    title, description = parse_pr((out / "hf" / "PR.md").read_text())
    assert items[0]["key"] == "header" and header == {"summary": title, "description": description, "parentCommit": SHA}
    sent = {i["value"]["path"]: base64.b64decode(i["value"]["content"]) for i in items[1:] if i["key"] == "file"}
    assert sent == {rel: (out / "hf" / rel).read_bytes() for rel in ("README.md", "data/train.csv", "data/test.csv")}


def test_submit_refuses_when_upstream_changed(bundle, tmp_path: Path) -> None:
    _, out = bundle
    with FakeHub(siblings_of(out, **{"data/train.csv": "1" * 40})) as hub:
        done = submit(out, hub, tmp_path)
    assert done.returncode == 2
    assert f"'data/train.csv' in {REPO}@01234567 differs from the file curate fix read" in done.stderr
    assert not any(path.endswith("/commit/main") for _, path in hub.paths())


def test_submit_skips_an_already_open_pull_request(bundle, tmp_path: Path) -> None:
    outcome, out = bundle
    open_pr = {
        "title": f"Data quality: ... [curate {outcome.fingerprint}]",
        "num": 3,
        "status": "open",
        "createdAt": "2024-01-01T00:00:00.000Z",
        "repo": {"name": REPO, "type": "dataset"},
        "isPullRequest": True,
        "author": {"name": "someone"},
    }
    with FakeHub(siblings_of(out), [open_pr]) as hub:
        done = submit(out, hub, tmp_path)
    assert done.returncode == 0 and "an open pull request already proposes these corrections: #3" in done.stdout
    assert not any(path.endswith("/commit/main") for _, path in hub.paths())


def test_submit_without_a_token_is_a_clear_error(bundle, tmp_path: Path) -> None:
    _, out = bundle
    done = submit(out, None, tmp_path, token=None)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "curate: error: no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)"
    )


def test_dry_run_sends_nothing_and_hides_the_token(bundle, monkeypatch) -> None:
    _, out = bundle
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = CliRunner().invoke(main, ["submit", "hf", str(out), "--repo", REPO, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: would open a pull request on" in result.output and f"datasets/{REPO}" in result.output
    for rel in ("README.md", "data/train.csv", "data/test.csv"):
        assert f"  upload: {rel} (" in result.output
    assert "PR.md (" not in result.output and "token:  found" in result.output and TOKEN not in result.output


def test_submit_checks_the_repo_name_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["submit", "hf", str(tmp_path), "--repo", "not a repo"])
    assert result.exit_code == 2 and "--repo must be OWNER/NAME, got 'not a repo'" in result.output


def test_submit_a_dataset_runs_fix_first(hf_folder: Path) -> None:
    result = CliRunner().invoke(main, ["submit", "hf", str(hf_folder), "--repo", REPO, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing to submit: curate fix proposed no corrections" in result.output
