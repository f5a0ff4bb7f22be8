"""The Kaggle bundle: a folder ready for ``kaggle datasets version``, its command, and a discussion post.

Kaggle has no pull requests for datasets, and a new version is a snapshot: it holds exactly the
files uploaded, so a version made from the changed files alone would drop the others. Hence:

* ``DIR/kaggle/`` is the folder to upload: ``dataset-metadata.json`` plus *every* file of the
  dataset (the corrected ones and unchanged copies), so ``kaggle datasets version -p DIR/kaggle``
  publishes the corrected dataset and nothing else. The metadata keeps the original's fields
  (id, title, licenses, description, …); its ``resources`` list every data file with
  ``schema.fields`` naming every column in order (an original field's type and description are
  kept; a column it did not describe gets a type inferred from the data).
* ``DIR/kaggle-version.sh`` holds the exact command for the owner (outside ``kaggle/``, since the
  Kaggle CLI uploads every file in the folder it is given).
* ``DIR/DISCUSSION.md`` is a post a non-owner sends to the owner on the dataset's Discussion tab.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from curate import escape
from curate.confine import inside
from curate.export.bundle import FixOutcome, corrections_table, files_table, known_issues, summary_table
from curate.layout import KAGGLE_METADATA, OWN_FILES

COMMAND_FILENAME = "kaggle-version.sh"
DISCUSSION_FILENAME = "DISCUSSION.md"


def field_type(values: pd.Series) -> str:
    """A Kaggle / Frictionless field type for a column."""
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    return "string"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dataset"


def _licence(card: dict[str, Any]) -> str:
    value = card.get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        return "unknown"
    value = str(value)
    return value.upper() if value.lower().startswith("cc") else value


def build_metadata(outcome: FixOutcome, files: list[tuple[str, pd.DataFrame | None]]) -> dict[str, Any]:
    """dataset-metadata.json for the bundle; ``files`` are (relative path, corrected frame or None)."""
    layout = outcome.dataset.layout
    original: dict[str, Any] = dict(layout.kaggle or {})
    card = layout.card or {}
    meta: dict[str, Any] = {}
    meta["title"] = str(original.get("title") or card.get("pretty_name") or outcome.dataset.root.name)
    meta["id"] = escape.kaggle_id(original.get("id") or f"OWNER/{_slug(outcome.dataset.root.name)}",
                                  file=outcome.dataset.root / KAGGLE_METADATA)
    meta["licenses"] = original.get("licenses") or [{"name": _licence(card)}]
    for key, value in original.items():
        if key not in ("title", "id", "licenses", "resources"):
            meta[key] = value
    by_path = {str(r.get("path")): r for r in original.get("resources") or [] if isinstance(r, dict)}
    resources: list[dict[str, Any]] = []
    frames = dict(files)
    for rel, _ in files:
        resource = dict(by_path.get(rel) or {"path": rel})
        frame = frames.get(rel)
        if frame is not None:
            old_fields = {
                f.get("name"): f for f in (resource.get("schema") or {}).get("fields") or [] if isinstance(f, dict)
            }
            fields = []
            for column in frame.columns:
                fld = dict(old_fields.get(column) or {"name": str(column), "type": field_type(frame[column])})
                fields.append(fld)
            schema = dict(resource.get("schema") or {})
            schema["fields"] = fields
            resource["schema"] = schema
        resources.append(resource)
    meta["resources"] = resources
    return meta


def upload_files(outcome: FixOutcome) -> list[str]:
    """Every file a new Kaggle version must hold, relative to the dataset root.

    Kaggle layout: every file of the folder except curate's own and hidden ones (a version is a
    snapshot). Other layouts: the split data files.
    """
    root = outcome.dataset.root
    data = [f.rel for f in outcome.all_files]
    if outcome.dataset.layout.kind != "kaggle":
        return data
    others = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts) or rel.as_posix() in OWN_FILES:
            continue
        inside(root, rel, what="file", file=root)  # a link out of the folder is never uploaded
        others.append(rel.as_posix())
    return data + [p for p in others if p not in data]


def version_message(outcome: FixOutcome) -> str:
    d, u = outcome.counts["delete"], outcome.counts["update"]
    return f"Data fixes from curate: {d} row(s) deleted, {u} value(s) corrected ({outcome.fingerprint})"


def write_kaggle_bundle(outcome: FixOutcome, out: Path) -> str:
    """Write DIR/kaggle/, DIR/kaggle-version.sh and DIR/DISCUSSION.md; returns the command."""
    dest = out / "kaggle"
    dest.mkdir(parents=True, exist_ok=True)
    corrected = {f.rel: f for f in outcome.all_files}
    files: list[tuple[str, pd.DataFrame | None]] = []
    for rel in upload_files(outcome):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        source = corrected[rel].corrected if rel in corrected else outcome.dataset.root / rel
        shutil.copyfile(source, target)
        files.append((rel, corrected[rel].frame if rel in corrected else None))
    meta = build_metadata(outcome, files)
    (dest / KAGGLE_METADATA).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    nested = any("/" in rel for rel, _ in files)
    command = f"kaggle datasets version -p kaggle -m {shlex.quote(version_message(outcome))}" + (
        " -r zip" if nested else ""
    )
    script = (
        "#!/bin/sh\n"
        f"# Publish the corrected files as a new version of {escape.shell_comment(meta['id'])} (dataset owners only).\n"
        "# A Kaggle version is a snapshot: kaggle/ holds every file of the dataset, corrected or not.\n"
        + (
            "# Replace OWNER in kaggle/dataset-metadata.json with the dataset's owner first.\n"
            if meta["id"].startswith("OWNER/")
            else ""
        )
        + f'cd "$(dirname "$0")" && {command}\n'
    )
    (out / COMMAND_FILENAME).write_text(script, encoding="utf-8")
    (out / COMMAND_FILENAME).chmod(0o755)
    (out / DISCUSSION_FILENAME).write_text(discussion_post(outcome, meta, command), encoding="utf-8")
    return command


def discussion_post(outcome: FixOutcome, meta: dict[str, Any], command: str) -> str:
    """A post for the dataset's Discussion tab: what is wrong, what the fix changes, how to apply it."""
    d, u = outcome.counts["delete"], outcome.counts["update"]
    owner = str(meta["id"]).split("/")[0]
    lines = [
        f'**Title:** Data quality: {d} row(s) to delete and {u} value(s) to correct in "{escape.markdown(meta["title"])}"',
        "",
        (
            f"Hi{'' if owner == 'OWNER' else ' @' + owner}, thank you for publishing this dataset. I checked it with "
            f"[curate](https://pypi.org/project/curate/) {outcome.version} and found problems that are worth fixing "
            "before people train on it. Kaggle has no pull requests for datasets, so here is what I found and a ready "
            "version you can publish."
        ),
        "",
        "## What the checks found",
        "",
        *summary_table(outcome),
        "",
    ]
    if outcome.files:
        lines += ["## Files that change", "", *files_table(outcome, diff_links=False), ""]
    lines += [
        "## Examples",
        "",
        *corrections_table(outcome, limit=15),
        "",
        known_issues(outcome).replace("## Known issues", "## Not fixed (needs your judgement)", 1),
        "",
        "## How to apply it",
        "",
        (
            "I can share the folder curate produced (the corrected files plus `dataset-metadata.json`, every column "
            "described). From that folder, one command publishes it as a new version:"
        ),
        "",
        "```sh",
        command,
        "```",
        "",
        (
            "Every change, with the reason and the check's confidence, is in `corrections.jsonl`; you can review it, "
            "mark lines `rejected`, and re-apply the rest to your own copy with "
            "`curate apply YOUR_FOLDER corrections.jsonl --out FIXED` before publishing."
        ),
        "",
    ]
    return "\n".join(lines)
