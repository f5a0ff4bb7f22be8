"""Data-derived text cut to fit and escaped for markdown: shared by the markdown report, the
dataset card, PR.md and the fairness-impact tables.

It lives apart from both ``curate.report`` and ``curate.card`` so neither imports the other: the
card needs the report's cell escaping, and the report renders the card's group tables.
"""

from __future__ import annotations

from typing import Any

from curate import escape

CELL_LIMIT = 200


def short(text: Any, limit: int) -> str:
    """Cut long values (a whole document as a key or message) so one cell cannot flood a report."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def shorten(text: Any, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary with an ellipsis.

    A card is published: a cut word ("labels look wro…") reads as a typo or changes the meaning.
    Only a single word longer than ``limit`` (a URL, a hash) is cut inside, having no boundary.
    """
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if not text[len(cut)].isspace():
        boundary = max(cut.rfind(" "), cut.rfind("\t"), cut.rfind("\n"))
        if boundary > 0:
            cut = cut[:boundary]
    return cut.rstrip(" \t\n,;:") + "…"


def cell(value: Any, limit: int = CELL_LIMIT) -> str:
    """Escape a value for a table cell: markdown/HTML punctuation, pipes, newlines; cut long text."""
    return escape.markdown(short(value, limit))


def published(value: Any, limit: int = CELL_LIMIT) -> str:
    """:func:`cell` cut at a word boundary instead, for text that is published (card, PR.md)."""
    return escape.markdown(shorten(value, limit))
