"""``pii``: personal data and secrets, cell by cell, with a reviewable redaction for each.

Every string column (or those listed in ``columns``) is scanned for the ``entities`` the suite
asks for (default: all of :data:`curate.pii_detectors.DETECTORS`). Each detector's RE2
prefilter runs over the whole column in pyarrow first, so only cells that could hold an entity
reach the validators (``phonenumbers``, ``python-stdnum``, ``ipaddress``; see
:mod:`curate.pii_detectors` for what each accepts and why).

One finding per cell: its column, each entity's type, character span ``[start:end]`` and a
masked excerpt. The report never holds a full value; the suggestion is an ``update`` whose new
value is the cell with every span replaced by a placeholder (``[EMAIL]``, ``[PHONE]``…), so
``curate fix`` emits redactions to review and ``curate apply`` keeps every other character.

Role mailboxes (``info@``, ``support@``, ``customer.relations@``, ``no-reply@``: every word of
the local part a role word) are an organisation's published address, not a person's, and are
not reported.

Phone numbers depend on where they are dialled: ``regions`` (ISO 3166 codes such as ``GB``)
lets national-format numbers count; without it, regions come from the dataset card's
``language`` tags that carry one (``en-GB``, ``pt-BR``), else only numbers in international
format (``+44 …``) are reported.

Pass/fail: ``max_count`` / ``max_share`` of scanned cells; with neither set, any finding fails.

Partitioned: every cell is judged on its own, so ``map`` scans one partition's cells and returns
only the cells with a validated entity (their position, masked message and redaction) and the
number of cells scanned; ``judge`` puts them in the report's order (split, column, row) and gives
them their keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import field_validator

from curate.checks import register
from curate.checks.base import Check, LimitParams, Plan
from curate.context import RunContext
from curate.findings import CheckResult, Finding, plural
from curate.pii_detectors import DETECTORS, INTERNATIONAL_PHONE, Match, detect, mask, redact
from curate.text_arrays import text_array

# how sure a redaction is, by entity (checksummed types are near certain)
CONFIDENCE = {"credit_card": 0.99, "iban": 0.99, "us_ssn": 0.95, "private_key": 0.99, "secret": 0.95,
              "email": 0.98, "phone": 0.9, "ip_address": 0.9}
# how bad a leak is (orders findings worst first)
SEVERITY = {"private_key": 1.0, "secret": 1.0, "credit_card": 0.95, "us_ssn": 0.95, "iban": 0.9,
            "phone": 0.7, "email": 0.7, "ip_address": 0.5}


class PiiParams(LimitParams):
    columns: list[str] | None = None  # default: every string column but the key
    entities: list[str] | None = None  # default: all
    regions: list[str] | None = None  # phone regions (ISO 3166 alpha-2); default: from the card

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in DETECTORS:
                raise ValueError(f"unknown entity '{name}'; known: {', '.join(DETECTORS)}")
        return value

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, value: list[str] | None) -> list[str] | None:
        import phonenumbers

        out = [r.upper() for r in value] if value is not None else None
        for region in out or []:
            if region not in phonenumbers.SUPPORTED_REGIONS:
                raise ValueError(f"unknown phone region '{region}' (use ISO 3166 alpha-2 codes such as GB, US)")
        return out


def card_regions(card: dict[str, Any] | None) -> list[str]:
    """Regions named by the card's BCP 47 language tags (``en-GB`` → ``GB``)."""
    if not card:
        return []
    import phonenumbers
    tags: list[Any] = []
    for field in ("language", "language_bcp47"):
        value = card.get(field)
        tags += value if isinstance(value, list) else [value]
    regions = []
    for tag in tags:
        if isinstance(tag, str) and "-" in tag:
            region = tag.replace("_", "-").split("-")[-1].upper()
            if region in phonenumbers.SUPPORTED_REGIONS and region not in regions:
                regions.append(region)
    return regions


def string_columns(frame: pd.DataFrame, exclude: tuple[str | None, ...] = ()) -> list[str]:
    """Columns holding text (string or object dtype), less ``exclude``."""
    return [str(c) for c in frame.columns
            if c not in exclude and (pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)]


def candidate_rows(array, patterns: dict[str, str]) -> dict[str, np.ndarray]:
    """entity → bool mask of the cells its prefilter matches (pyarrow RE2, whole column)."""
    import pyarrow.compute as pc

    return {entity: pc.match_substring_regex(array, pattern).fill_null(False).to_numpy(zero_copy_only=False)
            for entity, pattern in patterns.items()}


@dataclass(frozen=True)
class PiiPlan(Plan):
    entities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()  # entity → its RE2 prefilter
    explicit: bool = False  # columns named by the suite: scanned whatever their type


@dataclass
class PiiState:
    """One split's scanned cells and the cells with findings, by (column, row position)."""

    cells: int = 0
    cells_found: dict[tuple[str, int], tuple[Finding, tuple[str, ...]]] = field(default_factory=dict)  # … its entities


def describe_matches(matches: list[Match]) -> str:
    return "; ".join(f"{m.entity} [{m.start}:{m.end}] {mask(m)}" for m in matches)


@register
class Pii(Check):
    name: ClassVar[str] = "pii"
    description: ClassVar[str] = (
        "Personal data and secrets (emails, phones, cards, IBANs, SSNs, IPs, tokens, private keys), "
        "validated, masked in reports, with redactions as corrections")
    Params = PiiParams
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        self.require_columns(ctx, self.params.columns, "columns")

    # partitioned: a cell's findings depend on that cell alone
    def plan(self, ctx: RunContext) -> "PiiPlan":
        p: PiiParams = self.params
        entities = tuple(p.entities or DETECTORS)
        regions = tuple(p.regions if p.regions is not None else card_regions(ctx.dataset.layout.card))
        patterns = {e: DETECTORS[e].prefilter for e in entities}
        if "phone" in patterns and not regions:
            patterns["phone"] = INTERNATIONAL_PHONE
        splits = tuple(ctx.dataset.splits)
        every = tuple(dict.fromkeys(c for s in splits for c in ctx.dataset.splits[s].columns))
        columns = tuple(dict.fromkeys(p.columns)) if p.columns else tuple(c for c in every if c != ctx.roles.key)
        return PiiPlan(splits, columns, entities, regions, tuple(patterns.items()), explicit=bool(p.columns))

    def map(self, plan: "PiiPlan", split: str, partition: pd.DataFrame) -> dict[str, "PiiState"]:
        """The cells of one partition holding an entity, keyed by (column, row position)."""
        state = PiiState()
        patterns = dict(plan.patterns)
        # without a column list, string columns only (a column typed otherwise holds no text to scan)
        columns = partition.columns if plan.explicit else string_columns(partition)
        positions = partition.index.to_numpy()
        for column in columns:
            array = text_array(partition[column])
            state.cells += len(array) - array.null_count
            masks = candidate_rows(array, patterns)
            rows = np.flatnonzero(np.logical_or.reduce(list(masks.values()))) if masks else []
            for i in rows:
                text = array[int(i)].as_py()
                matches = detect(text, [e for e in plan.entities if masks[e][i]], plan.regions)
                if matches:
                    row = int(positions[i])
                    state.cells_found[(column, row)] = (self._finding(split, row, column, text, matches, plan.entities),
                                                        tuple(m.entity for m in matches))
        return {split: state}

    @staticmethod
    def _finding(split: str, row: int, column: str, text: str, matches: list[Match], entities: tuple[str, ...]) -> Finding:
        """A cell's finding, its key left to judge (keys need the whole split); the text only masked or redacted."""
        kinds = sorted({m.entity for m in matches}, key=entities.index)
        suggestion = {column: redact(text, matches), "confidence": min(CONFIDENCE[m.entity] for m in matches),
                      "reason": f"redact {', '.join(kinds)}"}
        return Finding(describe_matches(matches), split=split, row=row, column=column,
                       score=max(SEVERITY[m.entity] for m in matches), suggestion=suggestion)

    def combine(self, plan: "PiiPlan", states: list[dict[str, "PiiState"]]) -> dict[str, "PiiState"]:
        out: dict[str, PiiState] = {}
        for state in states:
            for split, part in state.items():
                mine = out.setdefault(split, PiiState())
                mine.cells += part.cells
                mine.cells_found.update(part.cells_found)
        return out

    def judge(self, plan: "PiiPlan", state: dict[str, "PiiState"], ctx: RunContext) -> CheckResult:
        findings: list[Finding] = []
        counts: dict[str, int] = dict.fromkeys(plan.entities, 0)
        per_column: dict[tuple[str, str], int] = {}
        cells = 0
        for name in plan.splits:
            part = state.get(name)
            if part is None:
                continue
            cells += part.cells
            split = ctx.dataset.splits[name]
            order = {c: i for i, c in enumerate(plan.columns if plan.explicit else split.columns)}
            found = sorted(part.cells_found.items(), key=lambda item: (order[item[0][0]], item[0][1]))
            keys = split.keys.take([row for (_, row), _ in found]).tolist() if found else []
            for ((column, _), (finding, entities)), key in zip(found, keys):
                for entity in entities:
                    counts[entity] += 1
                    per_column[(column, entity)] = per_column.get((column, entity), 0) + 1
                finding.key = str(key)  # (the state's own finding: it travelled without its key)
                findings.append(finding)
        return self._result(findings, counts, per_column, cells, plan.regions)

    def _result(self, findings: list[Finding], counts: dict[str, int], per_column: dict[tuple[str, str], int],
                cells: int, regions: tuple[str, ...]) -> CheckResult:
        p: PiiParams = self.params
        count = len(findings)
        share = count / cells if cells else 0.0
        metrics: dict[str, Any] = {"cells_with_pii": count, "cells": cells, "share": round(share, 6)}
        metrics.update({f"entities.{e}": n for e, n in counts.items()})
        found = ", ".join(f"{plural(n, e)}" for e, n in counts.items() if n)
        where = "regions " + ",".join(regions) if regions else "international-format phones only"
        if count:
            message = f"{plural(count, 'cell')} with personal data or secrets ({share:.2%} of {cells:,} cells): {found}"
        else:
            message = f"no personal data or secrets in {cells:,} cells"
        message += f" ({where}){p.limit_text(count, share)}"
        table = [{"column": c, "entity": e, "matches": n} for (c, e), n in sorted(per_column.items())]
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics,
                           findings=findings, tables={"entities": table} if table else {})
