"""Dataset-card text from check results: the "Bias, Risks, and Limitations" section.

:func:`bias_section` turns a result with group-rate tables (``Check.tables_layout``
``"group_rates"``: ``balance``'s) into the markdown section of that name in the
Hugging Face dataset card template (with its "Recommendations" subsection), in words a dataset
maintainer can publish: tables of group shares and label base rates, the ratios that fail the
four-fifths rule, groups too small to trust, missing values and label errors that concentrate in
a group, and proxy columns. The corrections engineer puts it into the card proposed upstream.

:func:`markdown_tables` and :func:`console_tables` render the same group tables for the
markdown and console reports.

Every function accepts the result object (a balance :class:`~curate.findings.CheckResult`, or any
:class:`~curate.findings.CheckResult` with a ``tables`` attribute) or its JSON form
(``report.to_dict()["results"][i]``), so a saved ``--format json`` report can be turned into
card text too.
"""

from __future__ import annotations

from typing import Any

from curate.cells import published, shorten
from curate.checks.base import hooks

JOIN = " × "
CARD_HEADING = "Bias, Risks, and Limitations"
MAX_TABLE_ROWS = 40

__all__ = ["CARD_HEADING", "bias_section", "console_tables", "markdown_tables", "shorten"]


# --------------------------------------------------------------------------- access


def cell(value: Any, limit: int = 200) -> str:
    """A value escaped for markdown text and table cells, shortened at a word boundary."""
    return published(value, limit)


def _tables(result: Any) -> dict[str, list[dict[str, Any]]]:
    tables = result.get("tables") if isinstance(result, dict) else getattr(result, "tables", None)
    return tables or {}


def _check_name(result: Any) -> str:
    return (result.get("check") if isinstance(result, dict) else getattr(result, "check", None)) or ""


def _group_rates(result: Any) -> bool:
    """Whether ``result`` comes from a family whose tables have the group-rate layout this module
    renders (``Check.tables_layout``), or names no family (a bare JSON result)."""
    name = _check_name(result)
    return not name or hooks(name).tables_layout == "group_rates"


def _summary(tables: dict) -> dict[str, Any]:
    rows = tables.get("summary") or [{}]
    return rows[0]


def _rows(tables: dict, name: str, **where: Any) -> list[dict[str, Any]]:
    return [r for r in tables.get(name) or [] if all(r.get(k) == v for k, v in where.items())]


def _single_attributes(tables: dict) -> list[str]:
    seen: dict[str, None] = {}
    for r in tables.get("representation") or []:
        if r.get("split") == "all" and JOIN not in r["attribute"]:
            seen.setdefault(r["attribute"])
    return list(seen)


def _scopes(tables: dict) -> list[str]:
    seen: dict[str, None] = {}
    for r in tables.get("representation") or []:
        if r.get("split") != "all":
            seen.setdefault(r["split"])
    return list(seen)


# --------------------------------------------------------------------------- formatting


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _num(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _f2(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _interval(low: float | None, high: float | None, percent: bool = True) -> str:
    if low is None or high is None:
        return "–"
    if percent:
        return f"{100 * low:.1f}–{100 * high:.1f}%"
    return f"{low:.2f}–{high:.2f}"


def _code(name: Any) -> str:
    """A column or value name in backticks (backticks inside are dropped)."""
    return f"`{str(name).replace('`', '')}`"


def _row(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _confidence(summary: dict) -> str:
    return f"{100 * float(summary.get('confidence') or 0.95):.0f}%"


def _label_words(summary: dict, rate_row: dict | None = None) -> str:
    """'`approved` = `yes`' for a binary label; '`label` classes' for multi-class."""
    label = summary.get("label")
    if rate_row is not None:
        return f"{_code(label)} = {_code(rate_row['class'])}"
    if summary.get("binary"):
        return f"{_code(label)} = {_code(summary.get('classes'))}"
    return f"each class of {_code(label)}"


# --------------------------------------------------------------------------- card sections


def _intro(tables: dict) -> list[str]:
    s = _summary(tables)
    splits = s.get("splits") or ""
    where = f"{_num(s.get('rows'))} rows"
    if "," in splits:
        where += f" across the splits {', '.join(_code(x.strip()) for x in splits.split(','))} ({s.get('split_rows')})"
    elif splits:
        where += f" (split {_code(splits)})"
    text = [
        (
            f"This section was produced by curate's `balance` check from the data itself, not from a model: {where}. "
            "It describes who is represented, how the label is distributed across groups, which groups are too "
            "small to draw conclusions about, where values are missing, and which columns stand in for a sensitive "
            "attribute."
        ),
        "",
    ]
    attributes = ", ".join(_code(a) for a in (s.get("sensitive") or "").split(", ") if a)
    if s.get("sensitive_source") == "inferred":
        text.append(
            f"Sensitive attributes examined: {attributes}. They were **inferred from column names** and have not "
            "been confirmed by the maintainers; other demographic information may be present under other names."
        )
    else:
        text.append(f"Sensitive attributes examined: {attributes}.")
    if s.get("intersections"):
        text[-1] += f" Intersections: {', '.join(cell(i) for i in s['intersections'].split('; '))}."
    return text + [""]


def _representation_section(tables: dict, h: str) -> list[str]:
    s = _summary(tables)
    scopes = _scopes(tables)
    lines = [f"{h} Representation", ""]
    for attribute in _single_attributes(tables):
        rows = _rows(tables, "representation", split="all", attribute=attribute)
        has_reference = any(r.get("reference_share") is not None for r in rows)
        head = [cell(attribute), "rows", "share"] + [f"share in {cell(x)}" for x in scopes]
        align = ["---", "---:", "---:"] + ["---:"] * len(scopes)
        if has_reference:
            head += ["reference share", "share / reference"]
            align += ["---:", "---:"]
        lines += [_row(head), _row(align)]
        per_split = {
            x: {r["group"]: r for r in _rows(tables, "representation", split=x, attribute=attribute)} for x in scopes
        }
        for r in rows[:MAX_TABLE_ROWS]:
            values = [cell(r["group"]), _num(r["rows"]), _pct(r["share"])]
            values += [_pct((per_split[x].get(r["group"]) or {}).get("share")) for x in scopes]
            if has_reference:
                ratio = _f2(r.get("share_ratio"))
                if r.get("status") in ("under", "over"):
                    ratio = f"**{ratio}** ({r['status']}-represented)"
                values += [_pct(r.get("reference_share")), ratio]
            lines.append(_row(values))
        if len(rows) > MAX_TABLE_ROWS:
            lines.append(_row([f"… {len(rows) - MAX_TABLE_ROWS} more groups"] + [""] * (len(head) - 1)))
        lines.append("")
        test = _rows(tables, "reference_tests", attribute=attribute)
        if test:
            t = test[0]
            p = t["pvalue"]
            p_text = "p < 0.0001" if p is not None and p < 1e-4 else f"p = {p:.2g}" if p is not None else "p = –"
            verdict = (
                "differs significantly from the reference population"
                if t["significant"]
                else "is consistent with the reference population"
            )
            lines += [f"The distribution of {_code(attribute)} {verdict} (chi-square goodness of fit, {p_text}).", ""]
    if s.get("sensitive") and not _single_attributes(tables):
        lines += ["_No rows to describe._", ""]
    return lines


def _rates_section(tables: dict, h: str) -> list[str]:
    s = _summary(tables)
    rates = _rows(tables, "base_rates", split="all")
    if not rates:
        why = "there is no label column" if not s.get("label") else f"{_code(s.get('label'))} has no class to compare"
        return [f"{h} Label distribution by group", "", f"_Not computed: {why}._", ""]
    conf = _confidence(s)
    lines = [f"{h} Label distribution by group", ""]
    if s.get("binary"):
        lines += [
            (
                f"Share of rows with {_label_words(s)} in each group, with {conf} intervals, and its ratio to the group "
                f"with the highest share. Under the four-fifths rule a ratio below {s.get('min_ratio', 0.8):g} marks a "
                "disparity."
            ),
            "",
        ]
    else:
        lines += [
            (
                f"Share of rows in each class of {_code(s.get('label'))}, per group (one class against the rest). "
                f"Under the four-fifths rule, a ratio (lowest share / highest share) below {s.get('min_ratio', 0.8):g} "
                "marks a disparity."
            ),
            "",
        ]
    for attribute in _single_attributes(tables):
        rows = [r for r in rates if r["attribute"] == attribute]
        if not rows:
            continue
        if s.get("binary"):
            lines += _binary_table(attribute, rows, conf)
        else:
            lines += _multiclass_table(attribute, rows, tables)
    failing = _rows(tables, "disparities", split="all", status="fail")
    inconclusive = _rows(tables, "disparities", split="all", status="inconclusive")
    if failing:
        lines += ["Disparities beyond the four-fifths rule (the whole interval is below the threshold):", ""]
        lines += [f"- {_disparity_sentence(d, s)}" for d in _order(failing)]
        lines.append("")
    if inconclusive:
        lines += ["Ratios below the threshold that are within sampling noise (the interval reaches above it):", ""]
        lines += [f"- {_disparity_sentence(d, s)}" for d in _order(inconclusive)]
        lines.append("")
    if not failing and not inconclusive:
        lines += [f"No group's share of the label falls below {s.get('min_ratio', 0.8):g} of another's.", ""]
    return lines


def _order(disparities: list[dict]) -> list[dict]:
    return sorted(disparities, key=lambda d: (JOIN in d["attribute"], d["ratio"] if d["ratio"] is not None else 0))


def _binary_table(attribute: str, rows: list[dict], conf: str) -> list[str]:
    reference = next((r["group"] for r in rows if r["status"] == "reference"), None)
    label = rows[0]["label"]
    head = [
        cell(attribute),
        "rows",
        cell(label),
        f"{conf} interval",
        f"ratio to {cell(reference) if reference else 'highest'}",
    ]
    lines = [_row(head), _row(["---", "---:", "---:", "---:", "---:"])]
    for r in [r for r in rows if r["rows"] > 0][:MAX_TABLE_ROWS]:
        ratio = _f2(r["ratio"])
        if r["status"] == "reference":
            ratio = "1.00 (reference)"
        elif r["status"] == "below":
            ratio = f"**{ratio}** ({_interval(r['ratio_low'], r['ratio_high'], percent=False)})"
        elif r["status"] == "inconclusive":
            ratio = f"{ratio} ({_interval(r['ratio_low'], r['ratio_high'], percent=False)})"
        note = " (small)" if r.get("small") else ""
        lines.append(
            _row(
                [
                    cell(r["group"]) + note,
                    _num(r["rows"]),
                    _pct(r["rate"]),
                    _interval(r["rate_low"], r["rate_high"]),
                    ratio,
                ]
            )
        )
    return lines + [""]


def _multiclass_table(attribute: str, rows: list[dict], tables: dict) -> list[str]:
    classes = list(dict.fromkeys(r["class"] for r in rows))
    groups = list(dict.fromkeys(r["group"] for r in rows if r["rows"] > 0))
    by = {(r["group"], r["class"]): r for r in rows}
    lines = [
        _row([cell(attribute), "rows"] + [cell(c) for c in classes]),
        _row(["---", "---:"] + ["---:"] * len(classes)),
    ]
    for g in groups[:MAX_TABLE_ROWS]:
        first = by.get((g, classes[0])) or {}
        values = [cell(g), _num(first.get("rows"))]
        for c in classes:
            r = by.get((g, c)) or {}
            text = _pct(r.get("rate"))
            values.append(f"**{text}**" if r.get("status") == "below" else text)
        lines.append(_row(values))
    ratios = []
    for c in classes:
        d = next(iter(_rows(tables, "disparities", split="all", attribute=attribute, **{"class": c})), None)
        text = _f2(d["ratio"]) if d else "–"
        ratios.append(f"**{text}**" if d and d["status"] == "fail" else text)
    lines.append(_row(["_ratio (lowest / highest)_", ""] + ratios))
    return lines + [""]


def _disparity_sentence(d: dict, s: dict) -> str:
    conf = _confidence(s)
    interval = ""
    if d.get("ratio_low") is not None:
        interval = f", {conf} interval {_interval(d['ratio_low'], d['ratio_high'], percent=False)}"
    what = f"{_code(s.get('label'))} = {_code(d['class'])}"
    if d.get("ratio") is None:
        return f"**{cell(d['attribute'])}**, {what}: a small group's share is far below the others' (see the table)."
    difference = f"; a gap of {100 * d['difference']:.1f} percentage points" if d.get("difference") is not None else ""
    return (
        f"**{cell(d['attribute'])}**, {what}: {cell(d['min_group'])} {_pct(d['min_rate'])} vs "
        f"{cell(d['max_group'])} {_pct(d['max_rate'])} — ratio {_f2(d['ratio'])}{interval}{difference}."
    )


def _small_section(tables: dict, h: str) -> list[str]:
    s = _summary(tables)
    small = tables.get("small_groups") or []
    if not small:
        return []
    lines = [
        f"{h} Groups too small to trust",
        "",
        (
            f"Fewer than {s.get('min_group_size', 30)} rows (single attributes) or {s.get('min_intersection', 30)} rows "
            "(intersections): shares and rates for these groups are unreliable, and models trained on this data may "
            "serve them poorly."
        ),
        "",
    ]
    for r in sorted(small, key=lambda r: (r["rows"], r["attribute"], r["group"]))[:MAX_TABLE_ROWS]:
        rows = "no rows" if r["rows"] == 0 else f"{r['rows']} row{'s' if r['rows'] != 1 else ''}"
        lines.append(f"- {cell(r['attribute'])} = {cell(r['group'])}: {rows}")
    if len(small) > MAX_TABLE_ROWS:
        lines.append(f"- … and {len(small) - MAX_TABLE_ROWS} more")
    return lines + [""]


def _missing_section(tables: dict, h: str) -> list[str]:
    skewed = _rows(tables, "missing", status="skewed")
    if not skewed:
        return []
    s = _summary(tables)
    lines = [
        f"{h} Missing values",
        "",
        (
            f"Groups where rows are at least {s.get('concentration', 2):g}× as likely as other rows to miss a value "
            "(Fisher's exact test). Dropping or imputing these rows affects these groups most."
        ),
        "",
    ]
    for r in skewed:
        what = "have a missing value" if r["column"] == "any" else f"have no {_code(r['column'])}"
        detail = f" (mostly: {cell(r['columns'])})" if r.get("columns") else ""
        lines.append(
            f"- {cell(r['attribute'])} = {cell(r['group'])}: {_pct(r['rate'])} of rows {what}{detail}, "
            f"against {_pct(r['rest_rate'])} of other rows."
        )
    return lines + [""]


def _proxies_section(tables: dict, h: str) -> list[str]:
    proxies = _rows(tables, "proxies", status="proxy")
    if not proxies:
        return []
    s = _summary(tables)
    lines = [
        f"{h} Proxy variables",
        "",
        (
            "These columns are strongly associated with a sensitive attribute, so a model can infer the attribute from "
            f"them even when it is removed (strength from 0 to 1; flagged at {s.get('proxy_threshold', 0.5):g} or more)."
        ),
        "",
        _row(["column", "stands in for", "measure", "strength"]),
        _row(["---", "---", "---", "---:"]),
    ]
    names = {"cramers_v": "Cramér's V (bias-corrected)", "correlation_ratio": "correlation ratio η (bias-corrected)"}
    for r in proxies:
        lines.append(
            _row([cell(r["column"]), cell(r["attribute"]), names.get(r["measure"], r["measure"]), _f2(r["value"])])
        )
    return lines + [""]


def _label_errors_section(tables: dict, h: str) -> list[str]:
    rows = tables.get("label_errors") or []
    if not rows:
        return []
    lines = [f"{h} Label errors by group", "", "Share of rows flagged as likely mislabelled, per group.", ""]
    lines += [
        _row(["attribute", "group", "rows", "flagged", "share", "other rows"]),
        _row(["---", "---", "---:", "---:", "---:", "---:"]),
    ]
    for r in rows[:MAX_TABLE_ROWS]:
        share = _pct(r["rate"])
        if r["status"] == "skewed":
            share = f"**{share}**"
        lines.append(
            _row(
                [
                    cell(r["attribute"]),
                    cell(r["group"]),
                    _num(r["rows"]),
                    _num(r["flagged"]),
                    share,
                    _pct(r["rest_rate"]),
                ]
            )
        )
    skewed = [r for r in rows if r["status"] == "skewed"]
    if skewed:
        lines += [
            "",
            "Label errors concentrate in "
            + ", ".join(f"{cell(r['attribute'])} = {cell(r['group'])}" for r in skewed)
            + ".",
        ]
    return lines + [""]


def _recommendations(tables: dict, h: str) -> list[str]:
    s = _summary(tables)
    out = []
    failing = _order(_rows(tables, "disparities", split="all", status="fail"))
    singles = [d for d in failing if JOIN not in d["attribute"]] or failing
    if singles:
        names = ", ".join(_code(a) for a in dict.fromkeys(d["attribute"] for d in singles))
        out.append(
            f"Models trained on this data may reproduce the differences in {_code(s.get('label'))} across {names}. "
            "Evaluate them per group, and consider reweighting, resampling or collecting more data for the "
            "under-served groups."
        )
    under = [r for r in _rows(tables, "representation", split="all") if r.get("status") == "under"]
    if under:
        names = ", ".join(f"{cell(r['attribute'])} = {cell(r['group'])}" for r in under)
        out.append(
            f"Under-represented compared with the reference population: {names}. Results for them rest on less data."
        )
    small = tables.get("small_groups") or []
    if small:
        out.append("Do not report metrics for the groups listed as too small without their uncertainty.")
    for r in _rows(tables, "missing", status="skewed"):
        out.append(
            f"Missing values concentrate in {cell(r['attribute'])} = {cell(r['group'])}: dropping incomplete rows "
            "would shrink this group further; prefer imputation and report it."
        )
    proxies = _rows(tables, "proxies", status="proxy")
    if proxies:
        pairs = ", ".join(f"{_code(r['column'])} ({cell(r['attribute'])})" for r in proxies)
        out.append(
            f"Removing a sensitive column does not make a model blind to it: {pairs} carry the same information."
        )
    if s.get("sensitive_source") == "inferred":
        out.append(
            "The sensitive attributes were inferred from column names; confirm or correct them in `curate.yaml`."
        )
    if not out:
        out.append(
            "No imbalance beyond the thresholds was found; this does not rule out biases the columns do not record."
        )
    return [f"{h} Recommendations", ""] + [f"- {x}" for x in out] + [""]


def _footer(tables: dict) -> list[str]:
    s = _summary(tables)
    boot = (
        f"{_confidence(s)} intervals from {s.get('bootstrap')} Bayesian-bootstrap replicates (seed {s.get('seed')})"
        if s.get("bootstrap")
        else "no intervals (bootstrap disabled)"
    )
    notes = [n["note"] for n in tables.get("notes") or []]
    text = (
        f"_Thresholds: four-fifths ratio {s.get('min_ratio', 0.8):g}; minimum group size {s.get('min_group_size', 30)}, "
        f"intersection {s.get('min_intersection', 30)}; proxy strength {s.get('proxy_threshold', 0.5):g}; {boot}._"
    )
    lines = [text]
    if notes:
        lines += ["", "_Notes: " + "; ".join(cell(n, 500) for n in notes) + "._"]
    return lines + [""]


# --------------------------------------------------------------------------- public API


def bias_section(result: Any, *, heading_level: int = 2) -> str:
    """The "Bias, Risks, and Limitations" section of a dataset card, as markdown.

    ``result`` is a ``balance`` check's result (object or JSON dict). ``heading_level`` is the
    level of the section heading (2, as in the Hugging Face dataset card template); its
    subsections are one level deeper. Raises ValueError for results without balance tables.
    """
    tables = _tables(result)
    if not tables or not _group_rates(result):
        raise ValueError("bias_section needs the result of a 'balance' check (with its group tables)")
    if not (1 <= heading_level <= 5):
        raise ValueError("heading_level must be between 1 and 5")
    top = "#" * heading_level
    h = "#" * (heading_level + 1)
    lines = [f"{top} {CARD_HEADING}", ""]
    if not tables.get("summary"):
        notes = "; ".join(n["note"] for n in tables.get("notes") or []) or "no sensitive columns"
        lines += [f"No demographic audit was possible: {cell(notes, 500)}.", ""]
        return "\n".join(lines)
    lines += _intro(tables)
    lines += _representation_section(tables, h)
    lines += _rates_section(tables, h)
    lines += _small_section(tables, h)
    lines += _missing_section(tables, h)
    lines += _proxies_section(tables, h)
    lines += _label_errors_section(tables, h)
    lines += _recommendations(tables, h)
    lines += _footer(tables)
    return "\n".join(lines).rstrip("\n") + "\n"


def markdown_tables(result: Any, *, heading_level: int = 4) -> list[str]:
    """The group tables of a balance result as markdown lines, for the markdown report.

    Representation and base rates per sensitive attribute, the failing and inconclusive ratios,
    small groups, skewed missing values, proxies and label errors by group; no card prose.
    Empty for results without tables.
    """
    tables = _tables(result)
    if not tables.get("summary"):
        return []
    h = "#" * heading_level
    lines: list[str] = []
    lines += _representation_section(tables, h)
    lines += _rates_section(tables, h)
    lines += _small_section(tables, h)
    lines += _missing_section(tables, h)
    lines += _proxies_section(tables, h)
    lines += _label_errors_section(tables, h)
    return lines


def console_tables(result: Any, *, max_rows: int = 12):
    """The group tables of a balance result as one rich renderable (None without tables).

    One table per sensitive attribute (group, rows, share, reference share, base rate, ratio to
    the reference group with its interval, status; for multi-class labels the share of each
    class), the ratios of intersections (or classes) that fail or are inconclusive, small
    groups, proxies, and skewed missing values / label errors.
    """
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    tables = _tables(result)
    if not tables.get("summary"):
        return None
    s = _summary(tables)
    conf = _confidence(s)
    parts: list[Any] = []
    binary = bool(s.get("binary"))
    style = {"below": "bold red", "inconclusive": "yellow", "under": "bold red", "over": "bold red"}

    def table(title: str) -> Table:
        t = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            header_style="bold",
            title=title,
            title_justify="left",
            title_style="bold",
        )
        return t

    for attribute in _single_attributes(tables):
        reps = _rows(tables, "representation", split="all", attribute=attribute)
        rates = [r for r in _rows(tables, "base_rates", split="all", attribute=attribute)]
        has_reference = any(r.get("reference_share") is not None for r in reps)
        t = table(f"{attribute}")
        t.add_column("group", overflow="fold", max_width=28)
        t.add_column("rows", justify="right")
        t.add_column("share", justify="right")
        if has_reference:
            t.add_column("reference", justify="right")
        classes = list(dict.fromkeys(r["class"] for r in rates))
        if binary and rates:
            t.add_column(rates[0]["label"], justify="right", overflow="fold", max_width=24)
            t.add_column("ratio", justify="right")
            t.add_column(f"ratio {conf}", justify="right", no_wrap=True)
            t.add_column("status", no_wrap=True)
        else:
            for c in classes:
                t.add_column(str(c), justify="right", overflow="fold", max_width=14)
        by_rate = {(r["group"], r["class"]): r for r in rates}
        for r in reps[:max_rows]:
            cells = [Text(r["group"]), Text(_num(r["rows"])), Text(_pct(r["share"]))]
            if has_reference:
                ref = Text(_pct(r.get("reference_share")))
                if r.get("status") in ("under", "over"):
                    ref.append(f" {r['status']}", style=style[r["status"]])
                cells.append(ref)
            if binary and rates:
                b = by_rate.get((r["group"], classes[0])) or {}
                status = b.get("status") or ""
                ratio = "1.00" if status == "reference" else _f2(b.get("ratio"))
                interval = "" if status == "reference" else _interval(b.get("ratio_low"), b.get("ratio_high"), False)
                label = {
                    "reference": "reference",
                    "below": f"✗ below {s.get('min_ratio', 0.8):g}",
                    "inconclusive": "? inconclusive",
                    "ok": "ok",
                }.get(status, status)
                if b.get("small") and r["rows"] > 0:
                    label += " (small)"
                cells += [
                    Text(_pct(b.get("rate"))),
                    Text(ratio),
                    Text(interval),
                    Text(label, style=style.get(status, "")),
                ]
            else:
                for c in classes:
                    b = by_rate.get((r["group"], c)) or {}
                    cells.append(Text(_pct(b.get("rate")), style=style.get(b.get("status") or "", "")))
            t.add_row(*cells)
        if len(reps) > max_rows:
            t.add_row(Text(f"… {len(reps) - max_rows} more", style="dim"))
        parts.append(t)

    if not binary:
        disparities = _rows(tables, "disparities", split="all")
        if disparities:
            t = table(f"{s.get('label')} classes: ratio of lowest to highest share")
            for name in ("attribute", "class", "lowest", "highest", "ratio", f"{conf} interval", "status"):
                t.add_column(name, overflow="fold")
            for d in _order(disparities)[:max_rows]:
                t.add_row(
                    d["attribute"],
                    str(d["class"]),
                    f"{d['min_group']} {_pct(d['min_rate'])}",
                    f"{d['max_group']} {_pct(d['max_rate'])}",
                    _f2(d["ratio"]),
                    _interval(d["ratio_low"], d["ratio_high"], percent=False),
                    Text(d["status"], style={"fail": "bold red", "inconclusive": "yellow"}.get(d["status"], "")),
                )
            parts.append(t)
    else:
        crossed = [
            d for d in _rows(tables, "disparities", split="all") if JOIN in d["attribute"] and d["status"] != "ok"
        ]
        if crossed:
            t = table("intersections below the four-fifths rule")
            for name in ("intersection", "lowest", "highest", "ratio", f"{conf} interval", "status"):
                t.add_column(name, overflow="fold")
            for d in _order(crossed)[:max_rows]:
                t.add_row(
                    d["attribute"],
                    f"{d['min_group']} {_pct(d['min_rate'])}",
                    f"{d['max_group']} {_pct(d['max_rate'])}",
                    _f2(d["ratio"]),
                    _interval(d["ratio_low"], d["ratio_high"], percent=False),
                    Text(d["status"], style={"fail": "bold red", "inconclusive": "yellow"}.get(d["status"], "")),
                )
            parts.append(t)

    small = tables.get("small_groups") or []
    if small:
        shown = sorted(small, key=lambda r: r["rows"])[:max_rows]
        text = Text("small groups: ", style="bold")
        text.append(", ".join(f"{r['attribute']}={r['group']} ({r['rows']})" for r in shown))
        if len(small) > len(shown):
            text.append(f", … {len(small) - len(shown)} more", style="dim")
        parts.append(text)
    proxies = _rows(tables, "proxies", status="proxy")
    if proxies:
        text = Text("proxies: ", style="bold")
        text.append(", ".join(f"{r['column']} → {r['attribute']} ({r['value']:.2f})" for r in proxies))
        parts.append(text)
    for name, what in (("missing", "missing values"), ("label_errors", "label errors")):
        skewed = _rows(tables, name, status="skewed")
        if skewed:
            text = Text(f"{what} concentrate in: ", style="bold")
            text.append(
                ", ".join(f"{r['attribute']}={r['group']} {_pct(r['rate'])} vs {_pct(r['rest_rate'])}" for r in skewed)
            )
            parts.append(text)
    return Padding(Group(*parts), (0, 0, 0, 2))
