"""Findings → corrections, and the ``corrections.jsonl`` format (read, write, validate, resolve).

A correction is one proposed row edit with its provenance. The JSON shape is a contract (see
the design notes): one object per line with ``id``, ``check``, ``split``, ``row``, ``key``,
``op`` (``update`` or ``delete``), ``column``, ``old``, ``new``, ``confidence``, ``reason`` and
``status`` (``proposed`` / ``accepted`` / ``rejected``).

* ``update``: ``column`` is the cell's column, ``old`` its current value, ``new`` the proposed one.
* ``delete``: ``column`` and ``new`` are null; ``old`` is the row as an object ``{column: value}``
  so a stale patch is detected for deletes too (a hand-written delete may list only some
  columns: those must match).

Rows are found by ``key`` (the dataset's key column, else a content hash); ``row`` records the
0-based position when the correction was made and is informational. Only ``split``, ``key``,
``op`` and, for updates, ``column``/``old``/``new`` are required when writing one by hand; ``id``
defaults to the stable hash below, ``check`` to ``manual``, ``confidence`` to 1 and ``status``
to ``proposed``. Unknown fields are errors (a misspelt ``status`` must not go unnoticed).

How findings become corrections (:func:`build_corrections`):

* any finding with a ``suggestion`` and a row becomes corrections, whatever its check: the update
  shape ``{"<column>": value, "confidence": p}`` gives one ``update`` per column, the delete shape
  ``{"action": "delete"}`` one ``delete`` (its ``related`` rows are the ones kept);
* a suggestion without ``confidence``: deletes get 1.0; updates get 1.0 when the new value equals
  the old one after normalisation (Unicode NFKC, case, whitespace: an unambiguous canonical
  spelling), else :data:`DEFAULT_CONFIDENCE` (the check proposed a value without saying how sure
  it is, e.g. ``schema``'s did-you-mean for a misspelt label);
* a suggestion from a family that declares ``value_fix`` (``schema``: a label outside the declared
  names) fixes an invalid *value*, so it is applied to every row of the split holding that same
  value in that column, each with its own correction;
* a finding without a suggestion gets the one its family derives, if any (``Check.suggest``:
  ``expect`` proposes the one member of an ``expect_column_values_to_be_in_set`` value set that the
  row's value normalises to, with confidence 1.0);
* corrections below ``min_confidence`` are dropped; two checks proposing the same change are
  merged (the first check in suite order keeps the id, reasons are joined); different values for
  one cell keep the most confident one (a tie is ambiguous: none is kept); a row that is deleted
  gets no updates; a delete whose kept rows are all deleted too is dropped (it would remove every
  copy). Each dropped suggestion is reported in :attr:`CorrectionSet.skipped`.

Ids are stable: a hash of check, split, key, column and op, so re-running ``curate fix`` on the
same data gives the same ids and reviewers' decisions can be carried over.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from curate.checks.base import hooks
from curate.errors import CurateError, did_you_mean

if TYPE_CHECKING:
    from curate.dataset import DataFile, Dataset
    from curate.findings import Finding, Report
    from curate.suite import Suite

CORRECTIONS_FILENAME = "corrections.jsonl"
OPS = ("update", "delete")
STATUSES = ("proposed", "accepted", "rejected")
FIELDS = ("id", "check", "split", "row", "key", "op", "column", "old", "new", "confidence", "reason", "status")
RESERVED_SUGGESTION_KEYS = {"action", "confidence", "reason"}
DEFAULT_CONFIDENCE = 0.9  # an update suggested without a confidence, not a mere respelling
MANUAL_CHECK = "manual"  # ``check`` of a hand-written correction that names none


# =========================================================================== values


def plain(value: Any) -> Any:
    """A cell value as JSON sees it: numpy scalars → Python, NaN/NA/NaT → None, arrays → lists."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, (int, str)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal as JSON values (1 == 1.0; None == NaN)."""
    return plain(a) == plain(b)


def normalise_text(value: str) -> str:
    """NFKC, case-folded, whitespace runs collapsed and stripped: the form two spellings share."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).casefold()).strip()


def show(value: Any, limit: int = 60) -> str:
    """A short printable form of a value for messages and tables."""
    text = (
        "null"
        if value is None
        else json.dumps(value, ensure_ascii=False)
        if not isinstance(value, str)
        else repr(value)
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


# =========================================================================== the correction


def correction_id(check: str, split: str, key: str, column: str | None, op: str) -> str:
    """Stable id: the same check, row, column and op always get the same id."""
    digest = hashlib.sha1("\x1f".join([check, split, key, column or "", op]).encode("utf-8")).hexdigest()
    return f"c{digest[:12]}"


@dataclass
class Correction:
    """One proposed row edit (see the module docstring for the meaning of each field)."""

    check: str
    split: str
    row: int | None
    key: str
    op: str
    column: str | None
    old: Any
    new: Any
    confidence: float
    reason: str
    status: str = "proposed"
    id: str = ""
    line: int | None = field(default=None, compare=False, repr=False)  # where it was read from

    def __post_init__(self) -> None:
        if not self.id:
            self.id = correction_id(self.check, self.split, self.key, self.column, self.op)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "split": self.split,
            "row": self.row,
            "key": self.key,
            "op": self.op,
            "column": self.column,
            "old": self.old,
            "new": self.new,
            "confidence": self.confidence,
            "reason": self.reason,
            "status": self.status,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)

    def describe(self) -> str:
        """``train/tr-00001 label 'sport' → 'sports'`` or ``delete train/tr-00002``."""
        where = f"{self.split}/{self.key}"
        if self.op == "delete":
            return f"delete {where}"
        return f"{where} {self.column}: {show(self.old)} → {show(self.new)}"


@dataclass
class Skipped:
    """A suggestion that did not become a correction, and why (reported by ``curate fix``)."""

    check: str
    split: str | None
    key: str | None
    column: str | None
    why: str  # short kind: "below --min-confidence", "conflicting suggestions", ...
    detail: str = ""


@dataclass
class CorrectionSet:
    """The corrections built from a report, plus what was left out."""

    corrections: list[Correction]
    skipped: list[Skipped] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """check → {"delete": n, "update": n, "skipped": n}, in first-seen order."""
        out: dict[str, dict[str, int]] = {}
        for c in self.corrections:
            out.setdefault(c.check, {"delete": 0, "update": 0, "skipped": 0})[c.op] += 1
        for s in self.skipped:
            out.setdefault(s.check, {"delete": 0, "update": 0, "skipped": 0})["skipped"] += 1
        return out

    def skipped_summary(self) -> dict[str, int]:
        return dict(Counter(s.why for s in self.skipped))


# =========================================================================== findings → corrections


@dataclass
class _Candidate:
    correction: Correction
    position: int  # 0-based row position in the split
    order: int  # suite order, then finding order
    related: list[tuple[str, str]] = field(default_factory=list)  # (split, key) of kept rows


def build_corrections(
    report: Report,
    dataset: Dataset,
    *,
    min_confidence: float = 0.0,
    suite: Suite | None = None,
) -> CorrectionSet:
    """Turn every finding with a suggestion (or an unambiguous derived fix) into corrections."""
    skipped: list[Skipped] = []
    candidates: list[_Candidate] = []
    value_fixes: set[str] = set()
    order = 0
    for result in report.results:
        family = hooks(result.check)
        if family.value_fix:
            value_fixes.add(result.check)
        specs = [s for s in suite.checks if s.family == result.check] if suite is not None else []
        if weak_model(result):
            skipped += [
                Skipped(result.check, f.split, f.key, f.column, "weak model", f"{result.name}: {result.message[:160]}")
                for f in result.findings
                if f.suggestion
            ]
            continue
        for finding in result.findings:
            order += 1
            suggestion = finding.suggestion
            if not suggestion:
                suggestion = family.suggest(finding, dataset, specs)
            if not suggestion:
                continue
            candidates += _from_finding(result.check, finding, suggestion, dataset, order, skipped)
    candidates = _propagate_value_fixes(candidates, dataset, value_fixes)
    candidates = _keep_referenced_rows(candidates, dataset, skipped)
    _fill_deleted_rows(candidates, dataset)
    kept: list[_Candidate] = []
    for cand in candidates:
        c = cand.correction
        if c.confidence + 1e-12 < min_confidence:
            skipped.append(
                Skipped(
                    c.check,
                    c.split,
                    c.key,
                    c.column,
                    "below --min-confidence",
                    f"{c.describe()} (confidence {c.confidence:g} < {min_confidence:g})",
                )
            )
        else:
            kept.append(cand)
    corrections = _resolve_candidates(kept, dataset, skipped)
    return CorrectionSet(corrections, skipped)


def weak_model(result: Any) -> bool:
    """True when a check says its own judgement cannot be trusted (``metrics["guard"]`` set, e.g.
    ``label_errors`` with a model no better than the majority class): its suggestions feed no fix."""
    return bool((getattr(result, "metrics", None) or {}).get("guard"))


def _from_finding(
    check: str, finding: Finding, suggestion: dict[str, Any], dataset: Dataset, order: int, skipped: list[Skipped]
) -> list[_Candidate]:
    def skip(why: str, detail: str = "", column: str | None = None) -> list[_Candidate]:
        skipped.append(Skipped(check, finding.split, finding.key, column or finding.column, why, detail))
        return []

    if not isinstance(suggestion, dict):
        return skip("malformed suggestion", f"expected an object, got {type(suggestion).__name__}")
    if finding.split is None or (finding.row is None and finding.key is None):
        return skip("not about one row", finding.message[:120])
    if finding.split not in dataset.splits:
        return skip("unknown split", f"split '{finding.split}'")
    split = dataset.splits[finding.split]
    position = finding_position(split, finding.key, finding.row)
    if position is None:
        return skip("unknown row", f"key {finding.key!r} / row {finding.row} not in split '{finding.split}'")
    key = str(split.keys.iat[position])
    confidence_raw = suggestion.get("confidence")
    if confidence_raw is not None and (
        isinstance(confidence_raw, bool)
        or not isinstance(confidence_raw, (int, float, np.number))
        or not 0.0 <= float(confidence_raw) <= 1.0
    ):
        return skip("invalid confidence", f"confidence {confidence_raw!r} is not a number in [0, 1]")
    reason = str(suggestion.get("reason") or finding.message)
    action = suggestion.get("action", "update")
    if action == "delete":
        kept = [(r.split, r.key) for r in finding.related]
        if kept:
            reason += "; keeps " + ", ".join(f"{s}/{k}" for s, k in kept[:3]) + (" …" if len(kept) > 3 else "")
        c = Correction(
            check,
            finding.split,
            position,
            key,
            "delete",
            None,
            None,  # the row's values: filled for all deletes at once (see _fill_deleted_rows)
            None,
            _round(1.0 if confidence_raw is None else float(confidence_raw)),
            reason,
        )
        return [_Candidate(c, position, order, kept)]
    if action != "update":
        return skip("unknown action", f"action {action!r} (expected 'delete' or an update)")
    out: list[_Candidate] = []
    columns = [k for k in suggestion if k not in RESERVED_SUGGESTION_KEYS]
    if not columns:
        return skip("malformed suggestion", "an update names no column")
    for column in columns:
        if column not in split.frame.columns:
            skip("unknown column", f"column '{column}' is not in split '{finding.split}'", column)
            continue
        old = plain(split.frame[column].iat[position])
        new = plain(suggestion[column])
        if old == new:
            skip("no change", f"{finding.split}/{key} {column} is already {show(new)}", column)
            continue
        confidence = float(confidence_raw) if confidence_raw is not None else _default_confidence(old, new)
        c = Correction(check, finding.split, position, key, "update", column, old, new, _round(confidence), reason)
        out.append(_Candidate(c, position, order))
    return out


def _default_confidence(old: Any, new: Any) -> float:
    if isinstance(old, str) and isinstance(new, str) and normalise_text(old) == normalise_text(new):
        return 1.0
    return DEFAULT_CONFIDENCE


def _round(value: float) -> float:
    return round(float(value), 6)


def finding_position(split: Any, key: str | None, row: int | None) -> int | None:
    """Row position of a finding: by key (stable), else by position."""
    if key is not None:
        index = _key_index(split)
        if str(key) in index:
            return index[str(key)]
        return None
    if row is not None and 0 <= int(row) < len(split):
        return int(row)
    return None


def _key_index(split: Any) -> dict[str, int]:
    cache = split.__dict__.setdefault("_key_index", None)
    if cache is None:
        cache = {k: i for i, k in enumerate(split.keys.tolist())}
        split.__dict__["_key_index"] = cache
    return cache


def row_values(frame: pd.DataFrame, position: int) -> dict[str, Any]:
    """A row as ``{column: JSON value}`` (the ``old`` of a delete)."""
    return rows_values(frame, [position])[0]


def rows_values(frame: pd.DataFrame, positions: list[int]) -> list[dict[str, Any]]:
    """Several rows as ``{column: JSON value}``, read column by column (cell by cell is far slower)."""
    part = frame.iloc[positions]
    columns = {str(c): part[c].tolist() for c in part.columns}
    return [{c: plain(values[i]) for c, values in columns.items()} for i in range(len(positions))]


def _keep_referenced_rows(cands: list[_Candidate], dataset: Dataset, skipped: list[Skipped]) -> list[_Candidate]:
    """Drop deletions of rows that another table refers to.

    In a folder of several tables (Kaggle), a row whose key value appears in another table's
    column of the key column's name (Chinook's ``Playlist.PlaylistId`` in ``PlaylistTrack``) is
    referenced: deleting it would leave those rows pointing at nothing. Such a deletion stays a
    finding for review, not a correction. References under another column name are not seen.
    """
    if not dataset.layout.tables or not any(c.correction.op == "delete" for c in cands):
        return cands
    table_of = {s: t for t, names in dataset.tables.items() for s in names}
    refs: dict[str, list[tuple[str, pd.Series]]] = {}  # key column → (split, value counts) elsewhere

    def references(split: str) -> list[tuple[str, pd.Series]]:
        view = dataset.table(table_of.get(split, ""))
        column = view.key_column if view.key_source != "content hash" else None
        if column is None:
            return []
        if column not in refs:
            refs[column] = [(name, other.frame[column].astype(str).value_counts())
                            for name, other in dataset.splits.items()
                            if table_of.get(name) != table_of.get(split) and column in other.frame.columns]
        return [(f"{name}.{column}", counts) for name, counts in refs[column]]

    kept = []
    for cand in cands:
        c = cand.correction
        hits = [(where, int(counts.get(c.key, 0))) for where, counts in references(c.split)] if c.op == "delete" else []
        hits = [(where, n) for where, n in hits if n]
        if hits:
            by = ", ".join(f"{n:,} row(s) of {where}" for where, n in hits)
            skipped.append(Skipped(c.check, c.split, c.key, None, "referenced by another table",
                                   f"{c.split}/{c.key} is referred to by {by}; deleting it would orphan them"))
        else:
            kept.append(cand)
    return kept


def _fill_deleted_rows(cands: list[_Candidate], dataset: Dataset) -> None:
    """Set each delete's ``old`` to its whole row, split by split."""
    by_split: dict[str, list[_Candidate]] = {}
    for cand in cands:
        if cand.correction.op == "delete" and cand.correction.old is None:
            by_split.setdefault(cand.correction.split, []).append(cand)
    for name, group in by_split.items():
        values = rows_values(dataset.splits[name].frame, [c.position for c in group])
        for cand, row in zip(group, values):
            cand.correction.old = row


def _propagate_value_fixes(candidates: list[_Candidate], dataset: Dataset, checks: set[str]) -> list[_Candidate]:
    """A value fix (from a family in ``checks``: ``Check.value_fix``, e.g. ``schema``) applies to every
    row of the split holding the same old value."""
    out = list(candidates)
    seen = {(c.correction.check, c.correction.split, c.correction.key, c.correction.column) for c in candidates}
    for cand in candidates:
        c = cand.correction
        if c.op != "update" or c.check not in checks or c.old is None:
            continue
        values = dataset.splits[c.split].frame[c.column]
        matches = (
            np.flatnonzero(values.map(plain).to_numpy(dtype=object) == c.old)
            if not isinstance(c.old, (list, dict))
            else []
        )
        split = dataset.splits[c.split]
        for position in matches:
            key = str(split.keys.iat[int(position)])
            if (c.check, c.split, key, c.column) in seen:
                continue
            seen.add((c.check, c.split, key, c.column))
            twin = Correction(
                c.check,
                c.split,
                int(position),
                key,
                "update",
                c.column,
                c.old,
                c.new,
                c.confidence,
                f"{c.reason} (same value as {c.split}/{c.key})",
            )
            out.append(_Candidate(twin, int(position), cand.order))
    return out


def _resolve_candidates(cands: list[_Candidate], dataset: Dataset, skipped: list[Skipped]) -> list[Correction]:
    """Merge duplicates, settle conflicts, drop updates of deleted rows and deletes of every copy."""

    def skip(c: Correction, why: str, detail: str) -> None:
        skipped.append(Skipped(c.check, c.split, c.key, c.column, why, detail))

    cands = sorted(cands, key=lambda c: c.order)
    deletes: dict[tuple[str, str], _Candidate] = {}
    for cand in (c for c in cands if c.correction.op == "delete"):
        where = (cand.correction.split, cand.correction.key)
        if where in deletes:
            _merge(deletes[where].correction, cand.correction)
            continue
        if cand.related and all(r in deletes for r in cand.related):
            skip(
                cand.correction,
                "would delete every copy",
                f"{cand.correction.describe()}: the rows it keeps are deleted too",
            )
            continue
        deletes[where] = cand
    updates: dict[tuple[str, str, str], list[_Candidate]] = {}
    for cand in (c for c in cands if c.correction.op == "update"):
        c = cand.correction
        if (c.split, c.key) in deletes:
            skip(
                c, "row deleted", f"{c.describe()}: the row is deleted by {deletes[(c.split, c.key)].correction.check}"
            )
            continue
        updates.setdefault((c.split, c.key, c.column or ""), []).append(cand)
    chosen: list[_Candidate] = list(deletes.values())
    for group in updates.values():
        by_value: dict[str, list[_Candidate]] = {}
        for cand in group:
            by_value.setdefault(json.dumps(cand.correction.new, sort_keys=True), []).append(cand)
        merged = []
        for same in by_value.values():
            first = same[0]
            for other in same[1:]:
                _merge(first.correction, other.correction)
            merged.append(first)
        if len(merged) == 1:
            chosen.append(merged[0])
            continue
        merged.sort(key=lambda c: -c.correction.confidence)
        values = ", ".join(
            f"{show(m.correction.new)} ({m.correction.check}, {m.correction.confidence:g})" for m in merged
        )
        if merged[0].correction.confidence > merged[1].correction.confidence:
            chosen.append(merged[0])
            for loser in merged[1:]:
                skip(
                    loser.correction,
                    "conflicting suggestions",
                    f"{loser.correction.describe()}: kept the more confident of {values}",
                )
        else:
            for loser in merged:
                skip(
                    loser.correction,
                    "conflicting suggestions",
                    f"{loser.correction.describe()}: equally confident {values}",
                )
    split_order = {name: i for i, name in enumerate(dataset.splits)}
    chosen.sort(
        key=lambda c: (
            split_order.get(c.correction.split, 0),
            c.position,
            c.correction.op != "delete",
            c.correction.column or "",
        )
    )
    return [c.correction for c in chosen]


def sort_corrections(corrections: list[Correction], dataset: "Dataset") -> list[Correction]:
    """Split order, then row position, a row's delete before its updates, then column."""
    split_order = {name: i for i, name in enumerate(dataset.splits)}
    return sorted(corrections, key=lambda c: (split_order.get(c.split, 0), c.row if c.row is not None else -1,
                                              c.op != "delete", c.column or ""))


def _merge(into: Correction, other: Correction) -> None:
    into.confidence = max(into.confidence, other.confidence)
    if other.reason and other.reason not in into.reason:
        into.reason = f"{into.reason}; also {other.check}: {other.reason}"


# =========================================================================== corrections.jsonl


def write_corrections(corrections: Iterable[Correction], path: Path) -> Path:
    """Write ``corrections.jsonl`` (one object per line, contract field order) atomically."""
    from curate.atomic import atomic_write_bytes

    text = "".join(c.to_json() + "\n" for c in corrections)
    atomic_write_bytes(Path(path), text.encode("utf-8"))
    return Path(path)


def read_corrections(path: Path) -> list[Correction]:
    """Read and validate a corrections file; every problem is a CurateError with file and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CurateError("corrections file not found", file=path) from exc
    except OSError as exc:
        raise CurateError(f"cannot read the corrections file: {exc.strerror}", file=path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CurateError("corrections file is not valid UTF-8", file=path, line=line) from exc
    out: list[Correction] = []
    ids: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        correction = parse_correction(line, path, number)
        if correction.id in ids:
            raise CurateError(
                f"duplicate correction id '{correction.id}' (first on line {ids[correction.id]})",
                file=path,
                line=number,
            )
        ids[correction.id] = number
        out.append(correction)
    return out


def parse_correction(line: str, path: Path | str, number: int) -> Correction:
    """One line of corrections.jsonl → a validated Correction."""

    def fail(message: str) -> CurateError:
        return CurateError(message, file=path, line=number)

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CurateError(f"malformed JSON: {exc.msg}", file=path, line=number, column=exc.colno) from exc
    except RecursionError as exc:
        raise fail("JSON nested too deeply") from exc
    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    unknown = [k for k in obj if k not in FIELDS]
    if unknown:
        raise fail(f"unknown field '{unknown[0]}'{did_you_mean(unknown[0], FIELDS)}; fields: {', '.join(FIELDS)}")
    op = obj.get("op")
    if op is None:
        raise fail("missing field 'op' (update or delete)")
    if op not in OPS:
        raise fail(f"unknown op {op!r}{did_you_mean(str(op), OPS)} (expected update or delete)")
    for name in ("split", "key"):
        if name not in obj or obj[name] is None:
            raise fail(f"missing field '{name}'")
    split, key = obj["split"], obj["key"]
    if not isinstance(split, str):
        raise fail(f"'split' must be a string, got {json.dumps(split)}")
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise fail(f"'key' must be a string, got {json.dumps(key)}")
    row = obj.get("row")
    if row is not None and (isinstance(row, bool) or not isinstance(row, int) or row < 0):
        raise fail(f"'row' must be a non-negative integer or null, got {json.dumps(row)}")
    column = obj.get("column")
    if op == "update":
        if not isinstance(column, str) or not column:
            raise fail("an update needs 'column' (a column name)")
        for name in ("old", "new"):
            if name not in obj:
                raise fail(f"an update needs '{name}' (use null for an empty value)")
    else:
        if column is not None:
            raise fail("a delete has no 'column' (use null)")
        if obj.get("new") is not None:
            raise fail("a delete has no 'new' value (use null)")
        if not isinstance(obj.get("old"), dict):
            raise fail("a delete needs 'old': the row as an object {column: value} (may list only some columns)")
    confidence = obj.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.0 <= confidence <= 1.0:
        raise fail(f"'confidence' must be a number between 0 and 1, got {json.dumps(confidence)}")
    status = obj.get("status", "proposed")
    if status not in STATUSES:
        raise fail(f"unknown status {status!r}{did_you_mean(str(status), STATUSES)} (expected {', '.join(STATUSES)})")
    for name in ("id", "check", "reason"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise fail(f"'{name}' must be a string")
    return Correction(
        check=obj.get("check") or MANUAL_CHECK,
        split=split,
        row=row,
        key=str(key),
        op=op,
        column=column,
        old=obj.get("old"),
        new=obj.get("new"),
        confidence=float(confidence),
        reason=obj.get("reason") or "",
        status=status,
        id=obj.get("id") or "",
        line=number,
    )


def select(corrections: Iterable[Correction], *, include_proposed: bool = False) -> list[Correction]:
    """The corrections to apply: accepted ones (and proposed ones when asked); never rejected."""
    wanted = {"accepted", "proposed"} if include_proposed else {"accepted"}
    return [c for c in corrections if c.status in wanted]


# =========================================================================== corrections → row edits


@dataclass
class FileEdits:
    """The row edits of one data file, by 0-based position within that file."""

    split: str
    data_file: DataFile
    deletes: set[int] = field(default_factory=set)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.data_file.path

    @property
    def updated_cells(self) -> int:
        return sum(len(v) for v in self.updates.values())


@dataclass
class Plan:
    """Validated edits for a dataset: which files change, and how."""

    files: dict[Path, FileEdits]
    corrections: list[Correction]

    def rows_after(self, dataset: Dataset) -> dict[str, int]:
        """Rows per split once the deletes are applied."""
        deleted = Counter(e.split for e in self.files.values() for _ in e.deletes)
        return {name: len(s) - deleted.get(name, 0) for name, s in dataset.splits.items()}


@dataclass
class Change:
    """How much of a split (deletes) or of one column of a split (updates) a change set touches."""

    op: str  # "delete" or "update"
    split: str
    column: str | None  # None for deletes
    count: int
    total: int  # rows of the split
    by_check: dict[str, int] = field(default_factory=dict)  # check name → its share of ``count``

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    def describe(self) -> str:
        """What the change does and which checks propose it (so a refusal says where to look)."""
        checks = ", ".join(f"{name} {n:,}" for name, n in sorted(self.by_check.items(), key=lambda kv: -kv[1]))
        who = f" (proposed by {checks})" if checks else ""
        if self.op == "delete":
            return f"delete {self.count:,} of {self.total:,} rows ({self.share:.1%}) of split '{self.split}'{who}"
        return (
            f"update {self.count:,} of {self.total:,} values ({self.share:.1%}) of column '{self.column}' "
            f"in split '{self.split}'{who}"
        )


def change_shares(corrections: Iterable[Correction], dataset: Dataset) -> list[Change]:
    """Per split the rows deleted and per (split, column) the values updated, largest share first."""
    checks: dict[tuple[str, str, str | None], Counter[str]] = {}
    for c in corrections:
        checks.setdefault((c.op, c.split, c.column if c.op == "update" else None), Counter())[c.check] += 1
    changes = [
        Change(op, split, column, n.total(), len(dataset.splits[split]) if split in dataset.splits else n.total(), dict(n))
        for (op, split, column), n in checks.items()
    ]
    return sorted(changes, key=lambda c: (-c.share, c.op, c.split, c.column or ""))


def plan_edits(corrections: list[Correction], dataset: Dataset, source: Path | str | None = None) -> Plan:
    """Check each correction against the data and turn them into per-file edits.

    Raises CurateError (with ``source`` and the correction's line) for an unknown split, key or
    column, for two corrections of the same cell or row, and for stale corrections: an ``old``
    value that no longer matches the data (the first stale one is named, the others counted).
    """

    def fail(c: Correction, message: str) -> CurateError:
        return CurateError(f"correction {c.id}: {message}", file=source, line=c.line)

    files: dict[Path, FileEdits] = {}
    current = _current_rows(corrections, dataset)
    deleted: dict[tuple[str, str], Correction] = {}
    updated_rows: dict[tuple[str, str], Correction] = {}
    cells: dict[tuple[str, str, str], Correction] = {}
    stale: list[tuple[Correction, str]] = []
    for c in corrections:
        if c.split not in dataset.splits:
            names = list(dataset.splits)
            raise fail(c, f"unknown split '{c.split}'{did_you_mean(c.split, names)}; splits: {', '.join(names)}")
        split = dataset.splits[c.split]
        position = _key_index(split).get(c.key)
        if position is None and c.op == "delete":
            stale.append((c, f"{c.split}/{c.key} is not in the data (already deleted?)"))
            continue
        if position is None:
            raise fail(
                c,
                f"unknown key '{c.key}' in split '{c.split}'"
                + (f" (key column '{dataset.key_column}')" if dataset.key_column else " (rows keyed by content hash)"),
            )
        if c.op == "update" and c.column not in split.frame.columns:
            columns = list(split.frame.columns)
            raise fail(c, f"unknown column '{c.column}' in split '{c.split}'{did_you_mean(str(c.column), columns)}")
        row = (c.split, c.key)
        if c.op == "delete":
            clash = deleted.get(row) or updated_rows.get(row)
        else:
            clash = deleted.get(row) or cells.get((c.split, c.key, str(c.column)))
        if clash is not None:
            what = "row" if c.op == "delete" or clash.op == "delete" else f"cell ({c.column})"
            raise fail(
                c,
                f"the same {what} of {c.split}/{c.key} is also changed by correction {clash.id}"
                + (f" on line {clash.line}" if clash.line else "")
                + "; keep one of them",
            )
        if c.op == "delete":
            deleted[row] = c
        else:
            cells[(c.split, c.key, str(c.column))] = c
            updated_rows.setdefault(row, c)
        problem = _stale(c, split.frame, position, current.get((c.split, c.key)))
        if problem:
            stale.append((c, problem))
            continue
        data_file, local = _file_of(split, position)
        edits = files.setdefault(data_file.path, FileEdits(c.split, data_file))
        edits.corrections.append(c)
        if c.op == "delete":
            edits.deletes.add(local)
        else:
            edits.updates.setdefault(local, {})[str(c.column)] = c.new
    if stale:
        c, problem = stale[0]
        more = (
            f" (and {len(stale) - 1} more stale correction(s), lines {', '.join(str(s.line) for s, _ in stale[1:6])}"
            f"{'…' if len(stale) > 6 else ''})"
            if len(stale) > 1
            else ""
        )
        raise CurateError(
            f"stale correction {c.id}: {problem}; the data changed since `curate fix` — re-run it{more}",
            file=source,
            line=c.line,
        )
    return Plan(files, list(corrections))


def _current_rows(corrections: list[Correction], dataset: Dataset) -> dict[tuple[str, str], dict[str, Any]]:
    """(split, key) → the row as it is now, for every delete (read in bulk, split by split)."""
    wanted: dict[str, list[tuple[str, int]]] = {}
    for c in corrections:
        if c.op == "delete" and c.split in dataset.splits:
            position = _key_index(dataset.splits[c.split]).get(c.key)
            if position is not None:
                wanted.setdefault(c.split, []).append((c.key, position))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for name, items in wanted.items():
        rows = rows_values(dataset.splits[name].frame, [p for _, p in items])
        out.update({(name, key): row for (key, _), row in zip(items, rows)})
    return out


def _stale(c: Correction, frame: pd.DataFrame, position: int, row: dict[str, Any] | None = None) -> str | None:
    if c.op == "update":
        current = plain(frame[c.column].iat[position])
        if current != plain(c.old):
            return f"{c.split}/{c.key} {c.column} is {show(current)}, the correction expects {show(c.old)}"
        return None
    row = row if row is not None else row_values(frame, position)
    for column, expected in (c.old or {}).items():
        if column not in frame.columns:
            return f"{c.split}/{c.key} has no column '{column}' (the correction's 'old' row lists it)"
        current = row[str(column)]
        if current != plain(expected):
            return f"{c.split}/{c.key} {column} is {show(current)}, the delete expects {show(expected)}"
    return None


def _file_of(split: Any, position: int) -> tuple[DataFile, int]:
    for data_file in split.files:
        if data_file.first_row <= position < data_file.first_row + data_file.rows:
            return data_file, position - data_file.first_row
    raise IndexError(position)


def apply_to_frame(frame: pd.DataFrame, deletes: set[int], updates: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """A copy of ``frame`` with the updates set and the deleted positions dropped (index reset)."""
    out = frame.copy()
    for position, values in updates.items():
        for column, value in values.items():
            try:
                out.iat[position, out.columns.get_loc(column)] = value
            except (TypeError, ValueError):
                out[column] = out[column].astype(object)
                out.iat[position, out.columns.get_loc(column)] = value
    if deletes:
        keep = np.ones(len(out), dtype=bool)
        keep[sorted(deletes)] = False
        out = out[keep]
    return out.reset_index(drop=True)


def apply_to_frames(dataset: Dataset, plan: Plan) -> dict[str, pd.DataFrame]:
    """Every split's frame with the plan applied (the in-memory view of the corrected files)."""
    out: dict[str, pd.DataFrame] = {}
    for name, split in dataset.splits.items():
        deletes: set[int] = set()
        updates: dict[int, dict[str, Any]] = {}
        for edits in (e for e in plan.files.values() if e.split == name):
            first = edits.data_file.first_row
            deletes |= {first + p for p in edits.deletes}
            updates.update({first + p: v for p, v in edits.updates.items()})
        out[name] = apply_to_frame(split.frame, deletes, updates) if (deletes or updates) else split.frame
    return out
