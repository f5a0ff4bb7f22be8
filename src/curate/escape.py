"""One escaping rule per output medium, so data-derived text can never act as markup or commands.

Dataset files, cards, Kaggle metadata, corrections files and a dataset's own ``curate.yaml`` are
untrusted (see SECURITY.md). Whatever of them curate prints or writes passes through exactly one
function here, chosen by where it lands:

* :func:`terminal` — console reports and error lines: control characters are shown as ``\\x1b``;
* :func:`workflow_line`, :func:`workflow_message`, :func:`workflow_property` — GitHub Actions,
  which reads ``::command::`` lines from stdout and stderr;
* :func:`markdown`, :func:`markdown_code`, :func:`markdown_html` — PR.md, DISCUSSION.md, cards, reports
  (mentions, issue references and bare links from data broken by :func:`references`);
* :func:`html_text` — HTML pages (diff HTML);
* :func:`csv_cell` — review CSVs that people open in spreadsheets (formula neutralisation);
* :func:`shell`, :func:`shell_comment`, :func:`kaggle_id` — ``kaggle-version.sh``.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import re
import shlex
from typing import Any, Callable

from curate.errors import CurateError

# C0 and C1 controls, DEL, and the Unicode line separators and bidi overrides that reorder or
# split what a reader sees ("Trojan source"); newline and tab are kept where the medium allows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_MESSAGE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# what GitHub's runner takes for a workflow command at the start of a line (after leading blanks)
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_COMMAND_LINE = re.compile(r"(?m)(\n[ \t]*)(::|##\[)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")
# what GitHub and the Hugging Face Hub turn into a notification or a cross-reference, at the
# point where a word joiner breaks it: "@user", "@org/team", "#12", "owner/repo#12", "GH-12",
# and bare autolinks ("https://…", "www.…", "a@b.org") that would link an issue or a page.
_REFERENCE = re.compile(r"(?<=@)(?=[\w-])|(?<=#)(?=\d)|(?i:(?<=\bGH)(?=-\d))|(?<=:)(?=//)|(?i:(?<=\bwww)(?=\.))")
WORD_JOINER = "\u2060"  # invisible, zero width, and not a word character for GitHub's or the Hub's patterns
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_KAGGLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def _show(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any, *, keep_newlines: bool = False) -> str:
    """Text for a terminal or log: control characters (ESC, CR, BEL, C1, bidi) shown as ``\\x1b``.

    With ``keep_newlines`` a newline and a tab stay as they are (multi-line messages); otherwise
    the result is always one line.
    """
    text = "" if text is None else str(text)
    if keep_newlines:
        text = text.replace("\r\n", "\n")
    pattern = _CONTROL_KEEP_LINES if keep_newlines else _CONTROL
    return pattern.sub(lambda m: _show(m.group()), text)


def error_line(text: Any) -> str:
    """An error or warning line for stderr: one line, no control characters."""
    return terminal(text)


def workflow_line(text: Any) -> str:
    """A plain log line on a GitHub runner: one line that the runner cannot take for a command.

    The runner strips leading blanks and reads ``::name::`` (and the old ``##[name]``) as
    commands, so such a start is broken with a backslash.
    """
    return _COMMAND_START.sub(r"\1\\\2", terminal(text))


def command_safe(text: str) -> str:
    """Multi-line text (a whole report) in which no line can start a workflow command."""
    return _COMMAND_START.sub(r"\1\\\2", _COMMAND_LINE.sub(r"\1\\\2", text))


class CommandSafeWriter:
    """A text stream wrapper applying :func:`command_safe` line by line (for rich consoles)."""

    def __init__(self, inner: Any) -> None:
        self._inner, self._at_line_start = inner, True

    def write(self, text: str) -> int:
        out = _COMMAND_LINE.sub(r"\1\\\2", text)
        if self._at_line_start:
            out = _COMMAND_START.sub(r"\1\\\2", out)
        self._at_line_start = out.endswith("\n")
        return self._inner.write(out)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def workflow_message(text: Any) -> str:
    """The message of a workflow command (GitHub's toolkit rules: %, CR, LF), controls escaped."""
    text = _CONTROL_MESSAGE.sub(lambda m: _show(m.group()), "" if text is None else str(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: Any) -> str:
    """A workflow command property value: as a message, plus ':' and ','."""
    return workflow_message(text).replace(":", "%3A").replace(",", "%2C")


def references(text: str) -> str:
    """``text`` with mentions, issue references and autolinks broken by an invisible word joiner.

    A backslash does not stop them: GitHub and the Hub find ``@user`` and ``#12`` in the rendered
    text, after markdown escapes are gone, so data quoting ``@everyone see #1`` would notify
    people and link issues. A word joiner after ``@``/``#`` (and inside ``GH-``, ``://``, ``www.``)
    renders as nothing, and no reference pattern matches across it.
    """
    return _REFERENCE.sub(WORD_JOINER, text)


def markdown(text: Any) -> str:
    """Inline markdown text: punctuation backslash-escaped, HTML impossible, one line, no mentions.

    ``<``, ``>`` and ``&`` are escaped too, so ``<script>``, ``<!--`` and entity tricks render as
    text on GitHub and the Hub; ``@user``, ``#12`` and bare links are broken by
    :func:`references`.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", references(terminal(text, keep_newlines=True)))
    text = _COMMAND_START.sub(r"\1\\\2", text)  # a report on stdout in CI: no '::' line start
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def markdown_code(text: Any, *, table: bool = True) -> str:
    """A markdown code span holding ``text`` literally, whatever backticks it contains.

    Inside a table ``|`` is escaped (GFM splits cells before parsing code spans).
    """
    text = re.sub(r"\s*[\r\n]+\s*", " ", terminal(text, keep_newlines=True))
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html_text(text: Any) -> str:
    """Text for HTML element content or a quoted attribute value."""
    return html.escape(terminal(text, keep_newlines=True), quote=True)


def markdown_html(text: Any) -> str:
    """Text for raw HTML inside a markdown document (``<summary>``): entity-escaped, no mentions, one line.

    A blank line would end the HTML block and let the rest render as markdown, so newlines
    become ``<br>``; brackets become entities so link syntax stays text wherever it is read.
    """
    text = html_text(references(terminal(text, keep_newlines=True))).replace("[", "&#x5b;").replace("]", "&#x5d;")
    return re.sub(r"\n", "<br>", text)


def json_text(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi/line-separator characters written as ``\\uXXXX``.

    ``json.dumps(ensure_ascii=False)`` escapes only C0 controls; in JSON these characters can only
    occur inside strings, so the substitution keeps the document equal, value for value.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not evaluate: text starting ``=+-@`` gets a leading ``'``.

    Numbers (``-3``, ``+1e5``) are left alone; non-strings are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def shell(value: Any) -> str:
    """One shell word, quoted (``shlex.quote``)."""
    return shlex.quote("" if value is None else str(value))


def shell_comment(text: Any) -> str:
    """Text for a ``#`` comment line of a shell script: one line, so it cannot end the comment."""
    return terminal(text)


def kaggle_id(value: Any, *, file: str | None = None) -> str:
    """A Kaggle dataset id ``owner/slug``; anything else (newlines, spaces, ``;``) is refused."""
    text = "" if value is None else str(value)
    if not _KAGGLE_ID.fullmatch(text):
        raise CurateError(f"Kaggle id {terminal(text)!r} is not of the form owner/slug", file=file)
    return text


def deep(obj: Any, fn: Callable[[str], str], dirty: Callable[[str], Any] = lambda s: True) -> Any:
    """``obj`` with ``fn`` applied to every string in it (dict keys, lists, dataclass fields).

    Only parts holding a string for which ``dirty`` is true are copied; the rest are returned
    as they are, so a report with many clean findings costs one read-only pass.
    """
    if not _has(obj, dirty):
        return obj
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, dict):
        return {deep(k, fn, dirty): deep(v, fn, dirty) for k, v in obj.items()}
    if isinstance(obj, list):
        return [deep(v, fn, dirty) for v in obj]
    if isinstance(obj, tuple):
        return tuple(deep(v, fn, dirty) for v in obj)
    changes = {f.name: deep(getattr(obj, f.name), fn, dirty) for f in dataclasses.fields(obj) if f.compare and f.init}
    return dataclasses.replace(obj, **changes)


def _has(obj: Any, dirty: Callable[[str], Any]) -> bool:
    """Whether ``obj`` holds a string that ``dirty`` flags (enums and non-containers never do)."""
    kind = type(obj)
    if kind is str:
        return dirty(obj) is not None
    if kind is dict:
        for k, v in obj.items():
            if _has(k, dirty) or _has(v, dirty):
                return True
        return False
    if kind is list or kind is tuple:
        for v in obj:
            if _has(v, dirty):
                return True
        return False
    if isinstance(obj, enum.Enum) or kind in (int, float, bool) or obj is None:
        return False
    if isinstance(obj, str):
        return dirty(obj) is not None
    names = _FIELD_NAMES.get(kind)
    if names is None:
        fields = getattr(kind, "__dataclass_fields__", None)
        if fields is None or isinstance(obj, type):
            return False
        names = _FIELD_NAMES[kind] = tuple(n for n, f in fields.items() if f.compare and f.init)
    for name in names:
        if _has(getattr(obj, name), dirty):
            return True
    return False


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def for_terminal(report: Any) -> Any:
    """A copy of a report with every data-derived string terminal-escaped (newlines kept).

    The one place terminal escaping is applied to reports: every text renderer starts from it.
    """
    def fn(text: str) -> str:
        return terminal(text, keep_newlines=True)

    dirty = _CONTROL_KEEP_LINES.search
    copy = deep(report, fn, dirty)
    gate = getattr(report, "gate", None)
    if copy is not report and gate is not None and dataclasses.is_dataclass(gate):  # keyed by check names, which are data too
        copy.gate = deep(gate, fn, dirty)
    return copy
