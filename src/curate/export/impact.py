"""Fairness impact of corrections: each group's label base rate before and after ``curate fix``.

Relabelling rows can widen the gap between groups (on UCI Adult, adopting the suggested income
labels lowers the women's ``>50K`` rate and raises the men's), and a maintainer should see that
before merging. When the suite runs ``balance`` and the corrections change the label column, the
``balance`` result on the original data is compared with the same check re-run on the corrected
rows (:func:`curate.export.fix.recheck`): per sensitive attribute and group, the rows, rows with
the class and its rate, before → after, and the gap between the highest and lowest rate among
groups large enough to trust (``balance``'s ``difference``, fairlearn's between-groups
difference). A gap that grows by at least 0.1 percentage point is flagged as *widened*.

The "after" figures include every correction (deleted rows too), since that is the data the
maintainer would publish. Intersections are left out (they are in the card's bias section).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from curate import escape
from curate.cells import published
from curate.checks.base import hooks

JOIN = " × "  # how balance names intersections
WIDER = 0.001  # a gap this much larger (0.1 percentage point, the precision shown) has widened


@dataclass
class GroupRate:
    """One group's rows and rows with the class, before and after the corrections."""

    group: str
    rows_before: int
    positives_before: int
    rate_before: float | None
    rows_after: int
    positives_after: int
    rate_after: float | None


@dataclass
class AttributeImpact:
    """The base rates of one class across the groups of one sensitive attribute."""

    attribute: str
    klass: str
    groups: list[GroupRate]
    gap_before: float | None  # highest − lowest rate among trusted groups
    gap_after: float | None

    @property
    def widened(self) -> bool:
        return self.gap_before is not None and self.gap_after is not None and self.gap_after - self.gap_before >= WIDER - 1e-12

    @property
    def changed(self) -> bool:
        return any((g.rows_before, g.positives_before) != (g.rows_after, g.positives_after) for g in self.groups)


@dataclass
class FairnessImpact:
    """How the corrections move the label's base rates per group (see the module docstring)."""

    label: str
    label_updates: int  # corrections that change the label column
    attributes: list[AttributeImpact] = field(default_factory=list)

    @property
    def widened(self) -> list[AttributeImpact]:
        return [a for a in self.attributes if a.widened]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "label_updates": self.label_updates,
            "widened": [f"{a.attribute} ({a.klass})" for a in self.widened],
            "attributes": [{**asdict(a), "class": a.klass, "widened": a.widened} for a in self.attributes],
        }

    def markdown(self) -> list[str]:
        """Lines for PR.md: a table per attribute and a flag per widened gap.

        Attribute, group and class names come from the data: they pass through
        :func:`curate.escape.markdown` (text and table cells) or :func:`curate.escape.markdown_code`.
        """
        label = escape.markdown_code(self.label)
        lines = [
            "## Fairness impact of the label corrections",
            "",
            (
                f"{self.label_updates:,} correction(s) change {label}. Share of rows with each class per "
                "group, before → after every correction in this pull request (deleted rows included):"
            ),
            "",
        ]
        for a in self.attributes:
            name, klass = _md(a.attribute), escape.markdown_code(a.klass)
            lines += [
                f"**{name}**, {label} = {klass}: gap between groups "
                f"{_pp(a.gap_before)} → {_pp(a.gap_after)}" + (" — **the gap widens**" if a.widened else ""),
                "",
                f"| {name} | rows before | with {klass} | rate before | rows after | with {klass} | rate after | change |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for g in a.groups:
                lines.append(
                    f"| {_md(g.group)} | {g.rows_before:,} | {g.positives_before:,} | {_pct(g.rate_before)} | "
                    f"{g.rows_after:,} | {g.positives_after:,} | {_pct(g.rate_after)} | {_delta(g)} |"
                )
            lines.append("")
        if self.widened:
            names = ", ".join(f"{_md(a.attribute)} ({_md(a.klass)})" for a in self.widened)
            lines += [f"⚠ These corrections widen the gap between groups for {names}: review them before merging.", ""]
        return lines

    def console(self) -> list[str]:
        """Lines for the ``curate fix`` summary, names terminal-escaped (:func:`curate.escape.terminal`)."""
        t = escape.terminal
        lines = [
            f"fairness impact of {self.label_updates:,} label correction(s) on '{t(self.label)}' rates (before → after):"
        ]
        for a in self.attributes:
            rates = "; ".join(
                f"{t(g.group)} {_pct(g.rate_before)} ({g.positives_before:,}/{g.rows_before:,}) → "
                f"{_pct(g.rate_after)} ({g.positives_after:,}/{g.rows_after:,})"
                for g in a.groups
            )
            flag = "  GAP WIDENS" if a.widened else ""
            lines.append(f"  {t(a.attribute)} [{t(a.klass)}]: {rates}; gap {_pp(a.gap_before)} → {_pp(a.gap_after)}{flag}")
        return lines


def _md(text: str, limit: int = 80) -> str:
    """A name from the data as markdown text, cut at a word boundary (a group label can be long)."""
    return published(text, limit)


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f}%"


def _pp(gap: float | None) -> str:
    return "–" if gap is None else f"{100 * gap:.1f} pp"


def _delta(g: GroupRate) -> str:
    if g.rate_before is None or g.rate_after is None:
        return "–"
    return f"{100 * (g.rate_after - g.rate_before):+.1f} pp"


def _balance(report: Any) -> Any:
    """The first result holding group-rate tables (``Check.tables_layout``; ``balance``'s)."""
    if report is None:
        return None
    return next(
        (r for r in report.results if hooks(r.check).tables_layout == "group_rates" and (r.tables or {}).get("summary")),
        None,
    )


def fairness_impact(before: Any, after: Any, corrections: list[Any]) -> FairnessImpact | None:
    """The impact of ``corrections``, from the ``balance`` results of the original and corrected data.

    None when the suite ran no ``balance`` check with a label, no correction changes that label,
    or there is no re-run result to compare with.
    """
    old, new = _balance(before), _balance(after)
    if old is None or new is None:
        return None
    label = old.tables["summary"][0].get("label")
    updates = [c for c in corrections if c.op == "update" and c.column == label]
    if not label or not updates:
        return None
    impact = FairnessImpact(str(label), len(updates))
    rows_after = {_where(r): r for r in _rates(new)}
    gaps_before, gaps_after = _gaps(old), _gaps(new)
    by_attribute: dict[tuple[str, str], list[GroupRate]] = {}
    for r in _rates(old):
        a = rows_after.get(_where(r)) or {}
        by_attribute.setdefault((r["attribute"], str(r["class"])), []).append(
            GroupRate(
                str(r["group"]),
                int(r["rows"]),
                int(r.get("positives") or 0),
                r.get("rate"),
                int(a.get("rows") or 0),
                int(a.get("positives") or 0),
                a.get("rate"),
            )
        )
    for (attribute, klass), groups in by_attribute.items():
        item = AttributeImpact(
            attribute, klass, groups, gaps_before.get((attribute, klass)), gaps_after.get((attribute, klass))
        )
        if item.changed:
            impact.attributes.append(item)
    return impact


def _rates(result: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in result.tables.get("base_rates") or []
        if r.get("split") == "all" and JOIN not in r["attribute"] and r.get("rows")
    ]


def _where(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["attribute"], str(row["class"]), str(row["group"])


def _gaps(result: Any) -> dict[tuple[str, str], float | None]:
    return {
        (d["attribute"], str(d["class"])): d.get("difference")
        for d in result.tables.get("disparities") or []
        if d.get("split") == "all" and JOIN not in d["attribute"]
    }
