"""The Kaggle bundle: an upload folder for ``kaggle datasets version``, its command, a discussion post."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, write
from test_corrections import PLANTED, fix_example, registered_test_checks

from curate.readers import read_table


@pytest.fixture(scope="module")
def loans(tmp_path_factory):
    """``curate fix`` on kaggle_loans with a finder of rows identical but for applicant_id."""
    base = tmp_path_factory.mktemp("loans")
    suite = write(
        base / "suite.yaml",
        """
        dataset: {key: applicant_id, label: approved}
        checks:
          - schema: {}
          - test_copies: {column: null, ignore: [applicant_id]}
        """,
    )
    with registered_test_checks():
        outcome = fix_example("kaggle_loans", base / "out", suite=suite)
    return outcome, base / "out"


def header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_kaggle_bundle_is_a_complete_version(loans) -> None:
    outcome, out = loans
    planted = {str(d["applicant_id"]) for d in PLANTED["kaggle_loans"]["exact_duplicates"]}
    assert {c.key for c in outcome.plan_corrections if c.op == "delete"} == planted
    files = {p.relative_to(out / "kaggle").as_posix() for p in (out / "kaggle").rglob("*") if p.is_file()}
    assert files == {"dataset-metadata.json", "applications.csv", "README.md"}  # every file: a version is a snapshot
    assert (out / "kaggle" / "applications.csv").read_bytes() == (out / "data" / "applications.csv").read_bytes()
    assert (out / "kaggle" / "README.md").read_bytes() == (EXAMPLES / "kaggle_loans" / "README.md").read_bytes()
    frame = read_table(out / "kaggle" / "applications.csv")
    assert len(frame) == 2000 - len(planted) and not planted & set(frame["applicant_id"].astype(str))
    assert not (out / "kaggle" / "DISCUSSION.md").exists()  # the CLI would upload it as a data file


def test_metadata_keeps_the_original_and_lists_every_column(loans) -> None:
    _, out = loans
    original = json.loads((EXAMPLES / "kaggle_loans" / "dataset-metadata.json").read_text())
    meta = json.loads((out / "kaggle" / "dataset-metadata.json").read_text())
    for key in ("id", "title", "licenses", "description"):
        assert meta[key] == original[key]
    (resource,) = [r for r in meta["resources"] if r["path"] == "applications.csv"]
    assert resource == original["resources"][0]  # every column was described: carried over as is
    assert [f["name"] for f in resource["schema"]["fields"]] == header(out / "kaggle" / "applications.csv")
    assert {"path": "README.md"} in meta["resources"]


def test_version_command_and_discussion_post(loans) -> None:
    outcome, out = loans
    script = (out / "kaggle-version.sh").read_text()
    message = f"Data fixes from curate: 5 row(s) deleted, 0 value(s) corrected ({outcome.fingerprint})"
    command = f"kaggle datasets version -p kaggle -m '{message}'"
    assert outcome.kaggle_command == command
    assert script.startswith("#!/bin/sh\n") and f'cd "$(dirname "$0")" && {command}\n' in script
    assert os.access(out / "kaggle-version.sh", os.X_OK)
    post = (out / "DISCUSSION.md").read_text()
    assert post.startswith(
        '**Title:** Data quality: 5 row(s) to delete and 0 value(s) to correct in "Curate Example Loan Applications"'
    )
    assert "Hi @curate-examples," in post and f"```sh\n{command}\n```" in post
    assert "| test\\_copies | fail | 5 | 5 | 5 | 0 | 0 |" in post
    assert "`curate apply YOUR_FOLDER corrections.jsonl --out FIXED`" in post
    manifest = json.loads((out / "fix.json").read_text())
    assert manifest["bundles"] == ["kaggle"] and manifest["kaggle"]["command"] == command


def test_kaggle_bundle_for_a_hugging_face_dataset(tmp_path: Path) -> None:
    outcome = fix_example(
        "hf_news",
        tmp_path / "out",
        suite=write(
            tmp_path / "s.yaml",
            """
        dataset: {key: id}
        checks:
          - schema: {}
        """,
        ),
        bundles="all",
    )
    out = tmp_path / "out"
    meta = json.loads((out / "kaggle" / "dataset-metadata.json").read_text())
    assert meta["id"] == "OWNER/hf-news" and meta["title"] == "Curate Example News Topics"
    assert meta["licenses"] == [{"name": "CC0-1.0"}]
    assert [r["path"] for r in meta["resources"]] == ["data/train.csv", "data/test.csv"]
    for resource in meta["resources"]:
        assert resource["schema"]["fields"] == [
            {"name": c, "type": "string"} for c in ("id", "text", "label", "author_gender")
        ]
    script = (out / "kaggle-version.sh").read_text()
    assert "Replace OWNER in kaggle/dataset-metadata.json" in script and outcome.kaggle_command.endswith(" -r zip")
    assert (out / "hf" / "README.md").is_file()  # both bundles


def test_field_types_are_inferred_where_the_metadata_has_none(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    write(root / "t.csv", "id,n,x,flag,name\n1,2,0.5,True,a\n2,3,1.5,False,b\n3,3,1.5,False,b\n")  # one copy to fix
    write(
        root / "dataset-metadata.json",
        json.dumps(
            {
                "title": "T",
                "id": "me/t",
                "licenses": [{"name": "CC0-1.0"}],
                "resources": [
                    {"path": "t.csv", "schema": {"fields": [{"name": "id", "type": "id", "description": "row"}]}}
                ],
            }
        ),
    )
    from curate.export.fix import fix_dataset

    suite = write(tmp_path / "s.yaml", "dataset: {key: id}\nchecks:\n  - schema: {}\n  - duplicates: {}\n")
    assert fix_dataset(root, tmp_path / "out", suite=suite, max_change=1).counts["delete"] == 1
    meta = json.loads((tmp_path / "out" / "kaggle" / "dataset-metadata.json").read_text())
    assert meta["resources"][0]["schema"]["fields"] == [
        {"name": "id", "type": "id", "description": "row"},
        {"name": "n", "type": "integer"},
        {"name": "x", "type": "number"},
        {"name": "flag", "type": "boolean"},
        {"name": "name", "type": "string"},
    ]
