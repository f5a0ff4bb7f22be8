"""Review diffs in the tabular diff format of daff / Frictionless ("highlighter diff"), as CSV and HTML.

The diff of one data file is itself a table (spec: https://specs.frictionlessdata.io/tabular-diff):

* the first column is the action column; the header row is tagged ``@@``;
* a deleted row is tagged ``---`` and shows its values;
* a modified row is tagged ``->`` and each changed cell reads ``old->new`` (when a value itself
  contains ``->``, a longer arrow such as ``-->`` is used for that row, in its tag and cells);
* unchanged rows are left out, each run of them marked by one row of ``...`` cells;
* a null value is written ``NULL`` (a string that is literally ``NULL`` is escaped ``_NULL``).

There are no inserted rows or column changes: corrections only delete rows and update cells.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pandas as pd

from curate import escape

_NULLISH = re.compile(r"_*NULL")


def cell_text(value: Any) -> str:
    """A value as a diff cell: NULL for missing, ``_NULL`` for the string 'NULL'."""
    from curate.corrections import plain

    value = plain(value)
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "_" + value if _NULLISH.fullmatch(value) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _arrow(texts: list[str]) -> str:
    arrow = "->"
    while any(arrow in t for t in texts):
        arrow = "-" + arrow
    return arrow


def tabular_diff(frame: pd.DataFrame, deletes: set[int], updates: dict[int, dict[str, Any]]) -> list[list[str]]:
    """The highlighter diff of one file: ``frame`` is the file's rows before the edits."""
    columns = [str(c) for c in frame.columns]
    rows: list[list[str]] = [["@@", *columns]]
    gap = ["...", *(["..."] * len(columns))]
    last = -1
    for position in sorted(set(deletes) | set(updates)):
        if position > last + 1:
            rows.append(list(gap))
        values = [frame[c].iat[position] for c in columns]
        if position in deletes:
            rows.append(["---", *(cell_text(v) for v in values)])
        else:
            changed = updates[position]
            texts = {c: cell_text(v) for c, v in zip(columns, values)}
            news = {c: cell_text(v) for c, v in changed.items()}
            arrow = _arrow(list(texts.values()) + list(news.values()))  # an arrow no cell of the row contains
            cells = [f"{texts[c]}{arrow}{news[c]}" if c in changed else texts[c] for c in columns]
            rows.append([arrow, *cells])
        last = position
    if last < len(frame) - 1:
        rows.append(list(gap))
    return rows


def to_csv(rows: list[list[str]]) -> str:
    """The diff as CSV; data cells a spreadsheet would run as formulas get a leading ``'``.

    The action column (``@@``, ``---``, ``->``) is curate's own and is left as the spec writes it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([row[:1] + [escape.csv_cell(cell) for cell in row[1:]] for row in rows])
    return buffer.getvalue()


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table.daff { border-collapse: collapse; font-size: 0.85rem; }
table.daff td, table.daff th { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; max-width: 40rem; }
table.daff th { background: #eee; position: sticky; top: 0; }
tr.remove td { background: #ffd6d6; text-decoration: line-through; }
tr.remove td.action { text-decoration: none; }
td.modify { background: #fff2a8; font-weight: bold; }
tr.gap td { color: #999; text-align: center; background: #fafafa; }
td.action { font-family: monospace; white-space: nowrap; }
"""


def to_html(rows: list[list[str]], title: str, summary: str = "") -> str:
    """A standalone HTML page rendering the diff (daff's colour scheme: red deleted, yellow changed)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape.html_text(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape.html_text(title)}</h1>",
    ]
    if summary:
        out.append(f"<p>{escape.html_text(summary)}</p>")
    out.append(
        "<p>Tabular diff (daff / Frictionless highlighter format): <code>---</code> deleted row, "
        "<code>-&gt;</code> changed row with <code>old-&gt;new</code> cells, <code>...</code> unchanged rows "
        "left out, <code>NULL</code> a missing value.</p>"
    )
    out.append('<table class="daff">')
    for row in rows:
        tag, cells = row[0], row[1:]
        if tag == "@@":
            out.append(
                '<thead><tr><th class="action">@@</th>'
                + "".join(f"<th>{escape.html_text(c)}</th>" for c in cells)
                + "</tr></thead><tbody>"
            )
            continue
        css = "remove" if tag == "---" else "gap" if tag == "..." else "modify" if tag.endswith("->") else ""
        tds = []
        for cell in cells:
            changed = css == "modify" and tag in cell  # the row's arrow appears in changed cells only
            tds.append(f'<td class="modify">{escape.html_text(cell)}</td>' if changed else f"<td>{escape.html_text(cell)}</td>")
        out.append(f'<tr class="{css}"><td class="action">{escape.html_text(tag)}</td>' + "".join(tds) + "</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"
