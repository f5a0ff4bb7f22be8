"""The one exception type that reaches the user as a one-line message and exit code 2.

Anything the user can fix (a bad path, a malformed file, a suite typo, a missing column)
is raised as :class:`CurateError` with the place it was found; the CLI prints
``file:line:column: message`` and never a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

from pathlib import Path


class CurateError(Exception):
    """A user-fixable problem with input data, a suite or the command line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        """``file:line:column`` with the parts that are known."""
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``did you mean 'x'?`` hint for a misspelled name, or an empty string."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=3, cutoff=0.6)
    if not close:
        return ""

    def ratio(choice: str) -> float:
        return difflib.SequenceMatcher(None, word, choice).ratio()

    best = sorted(c for c in close if ratio(c) == ratio(close[0]))[:2]  # equally close: name both
    return " (did you mean " + " or ".join(f"'{c}'" for c in best) + "?)"
