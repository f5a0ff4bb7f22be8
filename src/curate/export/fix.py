"""``curate fix`` and ``curate apply``: corrections → corrected files, review diffs and upstream bundles.

``curate fix DATASET --out DIR`` runs the suite, turns its findings into corrections and writes::

    DIR/corrections.jsonl       one correction per line (the contract), all ``proposed``
    DIR/data/…                  the corrected dataset: every split file at its original path and
                                format (changed ones patched, others copied), the card with updated
                                ``num_examples``, curate.yaml / curate.lock.json / dataset-metadata.json
                                — so ``curate check DIR/data`` runs on the corrected data
    DIR/diff/<file>.diff.csv    per changed file: the daff / Frictionless tabular diff
    DIR/diff/<file>.diff.html   … rendered as a page
    DIR/PR.md                   title + description with summary tables
    DIR/hf/                     the Hugging Face bundle (see ``curate.export.hf``)
    DIR/kaggle/, DIR/kaggle-version.sh, DIR/DISCUSSION.md   the Kaggle bundle (``curate.export.kaggle``)
    DIR/fix.json                what was done: counts, files with hashes (``curate submit hf`` reads it)

``curate apply DATASET CORRECTIONS --out DIR`` writes exactly what ``DIR/data`` of ``curate fix``
holds for the same corrections (byte for byte); ``--in-place`` rewrites the dataset's own files
atomically after backing them up. Neither ever touches the dataset otherwise.

Every rewritten file is read back and compared with the expected rows before it is kept.

What ``fix`` may do (so that a fix cannot damage someone else's dataset):

* it proposes exactly the corrections ``check`` reported: one per suggestion of a finding (a value
  fix of ``schema`` / ``expect`` covers every row holding that value), never one a check did not
  report; suggestions of a check that distrusts its own model (``metrics["guard"]``) are not used;
* ``--min-confidence`` applies to every correction, deletes included;
* it refuses (a :class:`~curate.errors.CurateError`, nothing written) a change set that deletes more
  than ``max_change`` of a split's rows or updates more than ``max_change`` of a column's values in
  a split (10 % unless ``--max-change`` or the suite's ``fix: {max_change: …}`` raises it);
* the card, known issues and bias section describe the *corrected* data: the suite is re-run on the
  corrected rows (see :func:`recheck`), and what it still finds is reported, never silently fixed;
* a run that proposes nothing writes only ``fix.json`` and an empty ``corrections.jsonl``
  (:func:`write_nothing_to_fix`): an empty bundle or pull request description helps nobody.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from curate.atomic import file_mode
from curate.corrections import (
    CORRECTIONS_FILENAME,
    Correction,
    FileEdits,
    Plan,
    apply_to_frame,
    apply_to_frames,
    build_corrections,
    change_shares,
    plan_edits,
    read_corrections,
    select,
    write_corrections,
)
from curate.dataset import Dataset, Split, load_with_roles
from curate.dataset import file_frame as dataset_file_frame
from curate.errors import CurateError
from curate.export.bundle import DEFAULT_MAX_CHANGE, FileResult, FixOutcome, file_identity
from curate.export.hf import (
    arrow_num_bytes,
    bias_text,
    card_features,
    pr_markdown,
    update_card_counts,
    write_hf_bundle,
)
from curate.export.impact import fairness_impact
from curate.export.kaggle import write_kaggle_bundle
from curate.export.tabdiff import tabular_diff, to_csv, to_html
from curate.export.writer import rewrite, verify_written
from curate.layout import CARD_FILENAME, OWN_FILES
from curate.readers import ReadOptions
from curate.runner import load_suite_and_dataset, run_suite
from curate.suite import dataset_section

MANIFEST_FILENAME = "fix.json"
BUNDLES = ("auto", "hf", "kaggle", "all", "none")


@dataclass
class ApplyOutcome:
    applied: list[Correction]
    files: list[FileResult]
    target: Path | None  # --out folder, or the dataset for --in-place
    backup: Path | None = None
    selected_from: int = 0


# =========================================================================== fix


def fix_dataset(
    path: str | Path,
    out: str | Path,
    *,
    suite: str | Path | None = None,
    only: list[str] | str | None = None,
    config: str | None = None,
    min_confidence: float = 0.0,
    max_change: float | None = None,
    bundles: str = "auto",
    force: bool = False,
    progress: Any = None,
    debug: bool = False,
    command: str | None = None,
) -> FixOutcome:
    """Run the suite on ``path`` and write corrections, corrected files, diffs and bundles to ``out``.

    ``max_change`` (default: the suite's ``fix.max_change``, else 10 %) caps the share of a split's
    rows deleted and of a column's values updated; beyond it nothing is written (CurateError).
    ``command`` is the command line recorded in ``fix.json`` and ``PR.md``.
    """
    from curate import __version__

    if not 0.0 <= min_confidence <= 1.0:
        raise CurateError(f"--min-confidence must be between 0 and 1, got {min_confidence}")
    if max_change is not None and not 0.0 <= max_change <= 1.0:
        raise CurateError(f"--max-change must be between 0 and 1, got {max_change}")
    if bundles not in BUNDLES:
        raise CurateError(f"unknown bundle '{bundles}' (choose from {', '.join(BUNDLES)})")
    root = Path(path)
    out = Path(out)
    check_out(out, root, force)
    loaded, dataset = load_suite_and_dataset(root, suite, only, config=config)
    report = run_suite(dataset, loaded, progress=progress, debug=debug)
    corrections = build_corrections(report, dataset, min_confidence=min_confidence, suite=loaded)
    limit = max_change if max_change is not None else getattr(getattr(loaded, "fix", None), "max_change", None)
    limit = DEFAULT_MAX_CHANGE if limit is None else limit
    families = list(dict.fromkeys(r.check for r in report.results))
    refuse_large_changes(corrections.corrections, dataset, limit, from_flag=max_change is not None, families=families)
    plan = plan_edits(corrections.corrections, dataset)
    notes: list[str] = []
    after = recheck(dataset, loaded, report, plan, debug=debug, warnings=notes) if plan.corrections else None
    outcome = FixOutcome(
        dataset=dataset,
        report=report,
        corrections=corrections,
        plan=plan,
        out=out,
        min_confidence=min_confidence,
        version=__version__,
        date=_date(),
        fingerprint=fingerprint(plan.corrections),
        command=command,
        max_change=limit,
        after=after,
    )
    outcome.warnings += notes + [
        f"check '{r.name}' did not run to the end, so its corrections are missing: {r.message}"
        for r in report.results
        if r.status.value == "error"
    ]
    if not plan.corrections:
        write_nothing_to_fix(outcome, force)
        return outcome

    outcome.impact = fairness_impact(report, after, plan.corrections)
    outcome.bias, warning = bias_text(after if after is not None else report, report)
    if warning:
        outcome.warnings.append(warning)
    with staged(out, force) as staging:
        outcome.all_files = write_corrected_copy(dataset, plan, staging / "data")
        write_corrections(plan.corrections, staging / CORRECTIONS_FILENAME)
        write_diffs(outcome, staging / "diff")

        (staging / "PR.md").write_text(pr_markdown(outcome), encoding="utf-8")
        outcome.bundles = _bundles(bundles, dataset.layout.kind)
        card_path = dataset.root / CARD_FILENAME
        card_text = (staging / "data" / CARD_FILENAME).read_bytes().decode("utf-8") if card_path.is_file() else None
        if "hf" in outcome.bundles:
            outcome.hf_uploads = write_hf_bundle(outcome, staging / "hf", card_text)
        if "kaggle" in outcome.bundles:
            outcome.kaggle_command = write_kaggle_bundle(outcome, staging)
        _write_manifest(outcome, staging, card_path if card_path.is_file() else None)
        for f in outcome.all_files:  # point at the files' final place
            f.corrected = out / "data" / f.rel
    return outcome


def write_nothing_to_fix(outcome: FixOutcome, force: bool) -> None:
    """A run that proposes no correction writes no bundle, no PR.md and no copy of the data.

    Only ``fix.json`` (``corrections.total`` 0, so ``curate submit hf`` sends nothing) and an empty
    ``corrections.jsonl`` (so ``curate apply`` in a scheduled job is a no-op, not an error).
    """
    with staged(outcome.out, force) as staging:
        write_corrections([], staging / CORRECTIONS_FILENAME)
        _write_manifest(outcome, staging, None)


def nothing_to_fix_message(outcome: FixOutcome) -> str:
    """The one line ``curate fix`` prints when it proposes no correction: why, and where to look."""
    findings = sum(len(r.findings) for r in outcome.report.results)
    checks = len(outcome.report.results)
    done = f"No bundle written; {outcome.out / MANIFEST_FILENAME} records the run"
    if not findings:
        return f"nothing to fix: {checks} check(s) ran and found no problem. {done}"
    unused = outcome.corrections.skipped_summary()
    why = f" (suggestions not used: {', '.join(f'{n:,} {reason}' for reason, n in unused.items())})" if unused else ""
    return (
        f"nothing to fix: {checks} check(s) ran; none of their {findings:,} finding(s) gives a correction to "
        f"apply{why}: review them with `curate check`. {done}"
    )


def refuse_large_changes(corrections: list[Correction], dataset: Any, limit: float, *, from_flag: bool,
                         families: list[str] | None = None) -> None:
    """Raise (one line, before anything is written) when a split or column would change beyond ``limit``;
    the message names the way out: raise the limit, or leave the families over it out with ``--only``."""
    over = [c for c in change_shares(corrections, dataset) if c.share > limit + 1e-12]
    if not over:
        return
    worst = over[0]
    needed = math.ceil(worst.share * 100) / 100
    more = f" (and {len(over) - 1} more split(s)/column(s) over the limit)" if len(over) > 1 else ""
    source = "--max-change" if from_flag else "the suite's fix.max_change" if limit != DEFAULT_MAX_CHANGE else "the default"
    raise CurateError(
        f"refusing to {worst.describe()}: the limit is {limit:.0%} ({source}){more}; nothing was written. "
        f"Review the findings with `curate check`; if this much change is really wanted, pass --max-change "
        f"{needed:g} (or set `fix: {{max_change: {needed:g}}}` in the suite){_without(over, families)}"
    )


def _without(over: list[Any], families: list[str] | None) -> str:
    """``; or fix the rest with --only a,b`` (the families that ran, less those over the limit)."""
    heavy = {name for change in over for name in change.by_check}
    rest = [f for f in families or [] if f not in heavy]
    return f"; or leave {', '.join(sorted(heavy))} out with --only {','.join(rest)}" if rest and heavy else ""


def recheck(dataset: Any, suite: Any, report: Any, plan: Plan, *, debug: bool = False,
            warnings: list[str] | None = None) -> Any:
    """The suite's checks re-run on the corrected rows, so the card describes the corrected data.

    Re-run: every family except those that proposed updates (they have judged those rows already;
    they are also the costly model-based ones). Returns that Report (original keys kept), or None
    when there is nothing to re-check (no corrections) or the re-run fails (then a warning says so).
    What the re-run finds that ``check`` did not report (an update can turn a row into a copy of
    another) becomes a warning, never a correction: ``fix`` proposes exactly what ``check`` reported.
    """
    warnings = warnings if warnings is not None else []
    if not plan.corrections:
        return None
    updaters = {c.check for c in plan.corrections if c.op == "update"}
    updaters |= {r.check for r in report.results if any(_is_update(f.suggestion) for f in r.findings)}
    families = sorted({spec.family for spec in suite.checks} - updaters)
    if not families:
        return None
    try:
        after = run_suite(corrected_dataset(dataset, plan), suite.select(families), debug=debug)
    except CurateError as exc:
        warnings.append(f"the checks could not be re-run on the corrected rows, so the card describes them less: {exc}")
        return None
    before = {(r.check, f.split, f.key) for r in report.results for f in r.findings if f.key is not None}
    for r in after.results:
        new = [f for f in r.findings if f.key is not None and (r.check, f.split, f.key) not in before]
        if new:
            shown = ", ".join(f"{f.split}/{f.key}" for f in new[:3]) + (" …" if len(new) > 3 else "")
            warnings.append(
                f"once these corrections are applied, '{r.name}' finds {len(new)} row(s) it did not report before "
                f"({shown}); they are not corrected here: review them with `curate check` on the corrected data"
            )
    return after


def _is_update(suggestion: Any) -> bool:
    return isinstance(suggestion, dict) and suggestion.get("action", "update") == "update"


def corrected_dataset(dataset: Any, plan: Plan) -> Any:
    """The dataset as the plan leaves it, in memory, each kept row with its original key."""
    frames = apply_to_frames(dataset, plan)
    splits = {}
    for name, split in dataset.splits.items():
        deleted = {e.data_file.first_row + p for e in plan.files.values() if e.split == name for p in e.deletes}
        keys = split.keys[[i not in deleted for i in range(len(split))]].reset_index(drop=True)
        splits[name] = Split(name, frames[name], keys, [], split.reader_options)
    return Dataset(dataset.layout, splits, dataset.key_column, dataset.key_source, [])


def _bundles(choice: str, kind: str) -> list[str]:
    if choice == "auto":
        return {"huggingface": ["hf"], "kaggle": ["kaggle"]}.get(kind, ["hf", "kaggle"])
    return {"all": ["hf", "kaggle"], "none": []}.get(choice, [choice])


def _date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return moment.date().isoformat()


def fingerprint(corrections: list[Correction]) -> str:
    """8 hex digits naming a set of changes (ids and new values): the same fix, the same fingerprint."""
    text = "\n".join(sorted(f"{c.id}\t{json.dumps(c.new, sort_keys=True)}" for c in corrections))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def write_diffs(outcome: FixOutcome, dest: Path) -> None:
    for f in outcome.files:
        edits = outcome.plan.files[f.source]
        split = outcome.dataset.splits[f.split]
        first = edits.data_file.first_row
        frame = split.frame.iloc[first : first + edits.data_file.rows].reset_index(drop=True)
        rows = tabular_diff(frame, edits.deletes, edits.updates)
        target = dest / f"{f.rel}.diff.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_csv(rows), encoding="utf-8")
        summary = (
            f"{f.rel} (split {f.split}): {f.deleted} row(s) deleted, {f.updated_cells} cell(s) updated; "
            f"{f.rows_before} → {f.rows_after} rows."
        )
        (dest / f"{f.rel}.diff.html").write_text(
            to_html(rows, f"curate review diff: {f.rel}", summary), encoding="utf-8"
        )


def _write_manifest(outcome: FixOutcome, staging: Path, card: Path | None) -> None:
    counts = outcome.counts
    manifest: dict[str, Any] = {
        "curate_fix": 1,
        "curate_version": outcome.version,
        "date": outcome.date,
        "dataset": str(outcome.dataset.root),
        "layout": outcome.dataset.layout.kind,
        "config": outcome.dataset.layout.config,
        "key": outcome.dataset.key_column,
        "fingerprint": outcome.fingerprint,
        "min_confidence": outcome.min_confidence,
        "max_change": outcome.max_change,
        "command": outcome.command,
        "corrections": {
            "total": len(outcome.plan.corrections),
            **counts,
            "by_check": outcome.corrections.counts(),
            "skipped": outcome.corrections.skipped_summary(),
            "not_applied": [
                {"check": k.check, "split": k.split, "key": k.key, "column": k.column, "why": k.why, "detail": k.detail}
                for k in outcome.corrections.skipped
            ],
        },
        "files": [
            {
                "path": f.rel,
                "split": f.split,
                "rows_before": f.rows_before,
                "rows_after": f.rows_after,
                "rows_deleted": f.deleted,
                "cells_updated": f.updated_cells,
                "original": file_identity(f.source),
                "corrected": file_identity(staging / "data" / f.rel),
                "diff": f"diff/{f.rel}.diff.csv",
            }
            for f in outcome.files
        ],
        "bundles": outcome.bundles,
        "warnings": outcome.warnings,
    }
    if outcome.impact is not None:
        manifest["fairness_impact"] = outcome.impact.to_dict()
    if "hf" in outcome.bundles:
        originals: dict[str, Any] = {f.rel: file_identity(f.source) for f in outcome.files}
        originals[CARD_FILENAME] = file_identity(card) if card is not None else None
        manifest["hf"] = {"uploads": outcome.hf_uploads, "originals": originals}
    if "kaggle" in outcome.bundles:
        manifest["kaggle"] = {"folder": "kaggle", "command": outcome.kaggle_command}
    (staging / MANIFEST_FILENAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


# =========================================================================== the corrected copy


def _options(split: Any) -> Any:
    """The reading options the split's files were read with (the writer honours every one)."""
    return split.reader_options or ReadOptions()


def file_frame(split: Any, data_file: Any) -> pd.DataFrame:
    """One file's rows of its split, indexed from 0 (as the file reads back)."""
    return dataset_file_frame(split, data_file).reset_index(drop=True)


def corrected_bytes(split: Any, edits: FileEdits) -> tuple[bytes, pd.DataFrame]:
    """The rewritten file's bytes and the rows they must read back as."""
    frame = file_frame(split, edits.data_file)
    integer_columns = {str(c) for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])}
    data = rewrite(
        edits.path,
        edits.deletes,
        edits.updates,
        expected_rows=edits.data_file.rows,
        integer_columns=integer_columns,
        options=_options(split),
    )
    return data, apply_to_frame(frame, edits.deletes, edits.updates)


def _relative(dataset: Any, path: Path) -> str:
    rel = dataset.relpath(path)
    if Path(rel).is_absolute() or rel.startswith(".."):
        raise CurateError("data file is outside the dataset folder; cannot mirror it", file=path)
    return rel


def write_corrected_copy(dataset: Any, plan: Plan, dest: Path) -> list[FileResult]:
    """The corrected dataset under ``dest``: split files (patched or copied), card, curate's files."""
    results: list[FileResult] = []
    seen: set[Path] = set()
    for name, split in dataset.splits.items():
        for data_file in split.files:
            if data_file.path in seen:
                continue
            seen.add(data_file.path)
            rel = _relative(dataset, data_file.path)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            edits = plan.files.get(data_file.path)
            if edits is None:
                shutil.copyfile(data_file.path, target)
                results.append(
                    FileResult(
                        rel,
                        str(name),
                        data_file.path,
                        target,
                        file_frame(split, data_file),
                        data_file.rows,
                        data_file.rows,
                    )
                )
                continue
            data, expected = corrected_bytes(split, edits)
            target.write_bytes(data)
            verify_written(target, expected, options=_options(split), label=rel)
            results.append(
                FileResult(
                    rel,
                    str(name),
                    data_file.path,
                    target,
                    expected,
                    data_file.rows,
                    len(expected),
                    len(edits.deletes),
                    edits.updated_cells,
                )
            )
    root = dataset.root
    card = root / CARD_FILENAME
    if card.is_file():
        text = card.read_bytes().decode("utf-8")
        sizes = {f.source: (dest / f.rel).stat().st_size for f in results if f.changed}
        (dest / CARD_FILENAME).write_bytes(corrected_card(text, dataset, results, sizes).encode("utf-8"))
    for name in sorted(OWN_FILES):
        if (root / name).is_file():
            shutil.copyfile(root / name, dest / name)
    return results


def corrected_card(text: str, dataset: Any, results: list[FileResult], sizes: dict[Path, int]) -> str:
    """The card's ``dataset_info`` brought up to date for the corrected files (see ``update_card_counts``).

    ``results`` holds at least the changed files; ``sizes`` maps each changed file to its new size
    in bytes. ``num_bytes`` is recomputed (as ``datasets`` does) only for the splits that changed.
    """
    by_file = {f.source: f for f in results}
    rows: dict[str, int] = {}
    num_bytes: dict[str, int] = {}
    features = card_features(dataset.layout.card, dataset.layout.config)
    for name, split in dataset.splits.items():
        files = [by_file.get(d.path) for d in split.files]
        if not any(f is not None and f.changed for f in files):
            continue
        frames = [f.frame if f is not None else file_frame(split, d) for f, d in zip(files, split.files)]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if len(frame) != len(split):
            rows[str(name)] = len(frame)
        if "num_bytes" in text:
            size = arrow_num_bytes(frame, features)
            if size is not None:
                num_bytes[str(name)] = size
    delta = sum(size - path.stat().st_size for path, size in sizes.items())
    return update_card_counts(text, rows, dataset.layout.config, num_bytes, delta)


# =========================================================================== output folders


def check_out(out: Path, root: Path, force: bool) -> None:
    """``--out`` must be a new or empty folder (or ``--force``), never the dataset or inside it."""
    target, data = out.resolve(), (root if root.is_dir() else root.parent).resolve()
    if target == data or data in target.parents or target in data.parents:
        raise CurateError(
            "--out must be outside the dataset folder (curate writes into the dataset only with "
            "`curate apply --in-place`)",
            file=out,
        )
    if target.exists() and not target.is_dir():
        raise CurateError("--out exists and is not a folder", file=out)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise CurateError("--out exists and is not empty (use --force to replace it)", file=out)


@contextlib.contextmanager
def staged(out: Path, force: bool) -> Iterator[Path]:
    """Build the output in a sibling temp folder, then move it into place (replacing with --force)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.curate-", dir=out.parent))
    try:
        yield staging
        old = None
        if out.exists():
            if any(out.iterdir()) and not force:  # appeared since the check
                raise CurateError("--out exists and is not empty (use --force to replace it)", file=out)
            old = out.parent / f"{staging.name}.old"
            os.replace(out, old)
        os.chmod(staging, 0o777 & ~_umask())
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# =========================================================================== apply


def apply_corrections(
    path: str | Path,
    corrections_file: str | Path,
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    include_proposed: bool = False,
    force: bool = False,
    backup_dir: str | Path | None = None,
    key: str | None = None,
    config: str | None = None,
) -> ApplyOutcome:
    """Apply the accepted (or also proposed) corrections: to a copy in ``out``, or in place."""
    if (out is None) == (not in_place):
        raise CurateError("give either --out DIR or --in-place")
    root = Path(path)
    source = Path(corrections_file)
    if out is not None:
        check_out(Path(out), root, force)
    everything = read_corrections(source)
    chosen = select(everything, include_proposed=include_proposed)
    dataset = load_with_roles(root, dataset_section(root), key=key, config=config)
    plan = plan_edits(chosen, dataset, source=source)
    if out is not None:
        with staged(Path(out), force) as staging:
            files = write_corrected_copy(dataset, plan, staging)
        for f in files:
            f.corrected = Path(out) / f.rel
        return ApplyOutcome(chosen, [f for f in files if f.changed], Path(out), selected_from=len(everything))
    return _apply_in_place(dataset, plan, chosen, backup_dir, len(everything))


def _apply_in_place(
    dataset: Any, plan: Plan, chosen: list[Correction], backup_dir: str | Path | None, total: int
) -> ApplyOutcome:
    root = dataset.root
    temps: dict[Path, Path] = {}
    results: list[FileResult] = []
    replaced: list[Path] = []
    backup: Path | None = None
    try:
        for path, edits in plan.files.items():
            split = dataset.splits[edits.split]
            rel = _relative(dataset, path)
            data, expected = corrected_bytes(split, edits)
            tmp = _temp_beside(path, data)
            temps[path] = tmp
            verify_written(tmp, expected, options=_options(split), label=rel)
            results.append(
                FileResult(
                    rel,
                    edits.split,
                    path,
                    path,
                    expected,
                    edits.data_file.rows,
                    len(expected),
                    len(edits.deletes),
                    edits.updated_cells,
                )
            )
        card = root / CARD_FILENAME
        if results and card.is_file():
            text = card.read_bytes().decode("utf-8")
            new = corrected_card(text, dataset, results, {path: tmp.stat().st_size for path, tmp in temps.items()})
            if new != text:
                temps[card] = _temp_beside(card, new.encode("utf-8"))
        if not temps:
            return ApplyOutcome(chosen, [], root, None, total)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        backup = fresh_backup(Path(backup_dir) if backup_dir else root.parent / f"{root.name}.curate-backup-{stamp}",
                              stamp)
        try:
            for target in temps:
                saved = backup / _relative(dataset, target)
                saved.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "rb") as src, open(saved, "xb") as dst:  # "x": never over an existing file
                    shutil.copyfileobj(src, dst)
                shutil.copystat(target, saved)
        except OSError as exc:
            raise CurateError(f"cannot write the backup: {exc.strerror or exc}", file=exc.filename or backup) from exc
        for target, tmp in temps.items():
            os.chmod(tmp, file_mode(target))
            os.replace(tmp, target)
            replaced.append(target)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        for target in replaced:  # roll back what was already replaced
            shutil.copy2(backup / _relative(dataset, target), target)  # type: ignore[operator]
        raise
    return ApplyOutcome(chosen, results, root, backup, total)


def fresh_backup(path: Path, stamp: str) -> Path:
    """A backup folder that holds nothing yet: ``path``, or a new timestamped folder inside it.

    A second ``apply --in-place --backup-dir B`` must not overwrite the first run's originals.
    """
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        return path
    base = path / f"curate-backup-{stamp}" if path.is_dir() else path.with_name(f"{path.name}-{stamp}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _temp_beside(path: Path, data: bytes) -> Path:
    """A temp file next to ``path`` whose name keeps its suffixes (so it reads as the same format)."""
    fd, tmp = tempfile.mkstemp(prefix=".curate-tmp-", suffix="-" + path.name, dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(tmp)
