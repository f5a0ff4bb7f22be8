"""``text_quality``: texts a reader would not want to train on, and the mechanical fixes.

On the text column (the suite's ``column``, else the dataset's text role; skipped without one):

* **empty** or whitespace-only texts;
* **too short / too long**: lengths far from the corpus's own distribution — a robust z-score of
  log length (median and MAD) beyond ``max_z`` *and* under a tenth (over ten times) of the
  median length; a corpus of tweets and one of essays judge themselves;
* **boilerplate**: the same prefix or suffix (≥ ``min_boilerplate`` characters, with letters)
  on at least ``min_share`` of the texts, like a scraper's ``…Expand`` or ``Read more``, around
  at least 10 mostly different texts (a stock comment repeated whole is a value, not
  boilerplate; two reviews opening alike are a coincidence), and set apart from the content by
  punctuation (a shared opening that runs on into the sentence is part of it); the fix removes it. A lone handle or hashtag (``@AmericanAir`` opening a fifth of airline tweets) names
  an addressee and is not boilerplate;
* **mojibake**: UTF-8 read as Latin-1/Windows-1252 (``Ã©``, ``â€™``), found and fixed by
  ``ftfy.fix_encoding``, which only changes text it can decode back;
* **control characters**: C1 controls (U+0080–U+009F) are almost always Windows-1252 bytes read as
  Latin-1 (``that\x92s``, U+0085 for ``…``) and become the character they meant
  (``ftfy.fixes.fix_c1_controls``: ``that’s``); C0 controls but tab/newline/carriage return, and
  DEL, are removed;
* **HTML remnants**: tags and entities (``&amp;``, ``&#128514;``); entities are unescaped, tags are
  reported without a fix (what to keep is a human call).

One finding per text, naming every problem; its suggestion applies the mechanical fixes in that
order, so a text with two problems gets one correction. Each pattern runs over the whole column
in pyarrow first, so only candidate rows reach Python. Language mix is not checked: no offline
language detector ships with curate's dependencies.

Pass/fail: ``max_count`` / ``max_share`` of texts; with neither set, any finding fails.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check
from curate.checks.duplicates import LimitParams, plural, row_refs
from curate.checks.pii import text_array
from curate.context import RunContext
from curate.findings import CheckResult, Finding

# RE2 prefilters (pyarrow) and their Python twins
MOJIBAKE = r"[ÂÃÅÆÐÑâ][\x{80}-\x{BF}\x{152}\x{153}\x{160}\x{161}\x{178}\x{17D}\x{17E}\x{192}\x{2C6}\x{2DC}\x{2013}-\x{203A}\x{20AC}\x{2122}]"
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TAG = r"</?(?:p|br|div|span|a|b|i|u|em|strong|li|ul|ol|img|h[1-6]|table|tr|td|th|font|blockquote|code|pre)(?:\s[^<>]*)?/?>"
ENTITY = r"&(?:[a-zA-Z]{2,8}|#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6});"
_ENTITY = re.compile(ENTITY)


class TextQualityParams(LimitParams):
    column: str | None = None  # default: the text column
    max_z: float = Field(default=5.0, gt=0)  # robust z of log length beyond which a text is too short/long
    min_share: float = Field(default=0.1, gt=0.0, le=1.0)  # of texts sharing a prefix/suffix to call it boilerplate
    min_boilerplate: int = Field(default=6, ge=2)  # characters


@dataclass
class _Row:
    problems: list[str] = field(default_factory=list)
    fixed: str | None = None  # the text after the mechanical fixes so far


def common_affix(texts: pd.Series, min_share: float, min_chars: int, suffix: bool) -> str | None:
    """The longest prefix (or suffix) shared by at least ``min_share`` of the texts, or None."""
    n = len(texts)
    best = None
    for k in (min_chars, 8, 10, 12, 16, 20, 24, 32, 48):
        if k < min_chars:
            continue
        part = texts.str[-k:] if suffix else texts.str[:k]
        part = part[texts.str.len() > k]  # a text that *is* the affix is not boilerplate
        if part.empty:
            break
        top = part.value_counts()
        value, count = top.index[0], int(top.iloc[0])
        if count / n < min_share or not _around_different_texts(texts[part.index[part == value]]):
            break
        best = value
    best = _own_segment(best, suffix) if best is not None else None
    if best is None or sum(ch.isalpha() for ch in best) < 3 or re.fullmatch(r"\s*[@#]\w+\s*", best):
        return None  # a handle or hashtag (``@AmericanAir``) addresses someone: not boilerplate
    return best


_ENDS_SEGMENT = set(":|>»])}-–—•·.!?…\n")
_STARTS_SEGMENT = set("|<«[({-–—•·…\n")


def _own_segment(affix: str, suffix: bool) -> str | None:
    """The part of a shared affix that stands apart from the text it is attached to, or None.

    A scraper's ``Posted by admin:`` or ``…Expand`` is separated from the content by punctuation;
    a shared opening that runs on into the sentence (``Built for `` starting a third of
    templated product descriptions) is part of the text, and removing it would break every
    sentence it starts."""
    if suffix:
        for i, ch in enumerate(affix):
            at_boundary = i == 0 or affix[i - 1].isspace()
            if ch in _STARTS_SEGMENT and at_boundary:
                return affix[i:]
            if ch in ".!?" and affix[i + 1 : i + 2].isspace():
                return affix[i + 1 :].lstrip()
        return None
    for i in range(len(affix) - 1, -1, -1):
        if affix[i] in _ENDS_SEGMENT and (i + 1 == len(affix) or affix[i + 1].isspace()):
            return affix[: i + 1]
    return None


# "shared by many rows": below this many different texts a common prefix is a coincidence (two
# reviews opening "a good film") whatever share of a small split it is
MIN_BOILERPLATE_TEXTS = 10


def _around_different_texts(carriers: pd.Series) -> bool:
    """Boilerplate is the same text around *different* content: when most texts carrying the
    affix are copies of one another (a stock comment such as ``Nest never observed with full
    clutch.`` on a third of a field table), the affix is a repeated value, not a scrape artefact."""
    distinct = carriers.nunique()
    return distinct >= MIN_BOILERPLATE_TEXTS and distinct >= 0.5 * len(carriers)


@register
class TextQuality(Check):
    name: ClassVar[str] = "text_quality"
    description: ClassVar[str] = (
        "Empty, too short/long, boilerplate-laden, mojibake, control-character and HTML-damaged texts, "
        "with mechanical fixes")
    Params = TextQualityParams

    def validate(self, ctx: RunContext) -> None:
        if self.params.column:
            self.require_column(ctx, self.params.column, ("column",))

    def run(self, ctx: RunContext) -> CheckResult:
        p: TextQualityParams = self.params
        column = p.column or ctx.roles.text
        if not column:
            return self.skip("no text column (declare dataset.text or set column)")
        findings: list[Finding] = []
        counts: dict[str, int] = {}
        texts_seen = 0
        affixes: list[str] = []
        for split in ctx.progress.track(list(ctx.dataset.splits.values()), len(ctx.dataset.splits), "text_quality"):
            if column not in split.frame.columns:
                continue
            rows, affix_notes = self._split(split.frame[column], p)
            affixes += [f"{split.name}: {a}" for a in affix_notes]
            texts_seen += len(split.frame)
            refs = row_refs(split, sorted(rows))
            values = split.frame[column]
            for ref in refs:
                row = rows[ref.row]
                for problem in row.problems:
                    kind = problem.split(" (", 1)[0]
                    counts[kind] = counts.get(kind, 0) + 1
                suggestion = None
                if row.fixed is not None and row.fixed != values.iat[ref.row]:
                    suggestion = {column: row.fixed, "confidence": 0.95, "reason": "; ".join(row.problems)}
                findings.append(Finding("; ".join(row.problems), split=ref.split, row=ref.row, key=ref.key,
                                        column=column, suggestion=suggestion, score=len(row.problems) / 3))
        return self._result(findings, counts, texts_seen, column, affixes)

    def _split(self, values: pd.Series, p: TextQualityParams) -> tuple[dict[int, _Row], list[str]]:
        import pyarrow.compute as pc

        array = text_array(values)
        texts = pd.Series(array.to_pandas(types_mapper=pd.ArrowDtype), index=range(len(values)))
        rows: dict[int, _Row] = {}

        def mark(mask: np.ndarray, problem: str) -> list[int]:
            hit = np.flatnonzero(mask)
            for r in hit.tolist():
                rows.setdefault(r, _Row()).problems.append(problem)
            return hit.tolist()

        def fix(r: int, transform) -> None:
            row = rows[r]
            current = row.fixed if row.fixed is not None else texts.iat[r]
            row.fixed = transform(current)

        stripped = pc.utf8_trim_whitespace(array)
        lengths = pc.utf8_length(stripped).to_numpy(zero_copy_only=False)
        valid = ~pc.is_null(array).to_numpy(zero_copy_only=False)
        empty = valid & (np.nan_to_num(lengths.astype(float), nan=0) == 0)
        mark(empty, "empty text")
        self._lengths(lengths, valid & ~empty, p, mark)

        def regex(pattern: str) -> np.ndarray:
            return pc.match_substring_regex(array, pattern).fill_null(False).to_numpy(zero_copy_only=False)

        for r in np.flatnonzero(regex(MOJIBAKE)).tolist():
            import ftfy  # loaded only when a text looks like mojibake

            text = texts.iat[r]
            repaired = ftfy.fix_encoding(text)
            if repaired != text:
                rows.setdefault(r, _Row()).problems.append(f"mojibake ({_diff_excerpt(text, repaired)})")
                fix(r, ftfy.fix_encoding)
        for r in mark(regex(CONTROL), "control characters"):
            fix(r, _strip_controls)
        mark(regex(TAG), "HTML tags")
        for r in mark(regex(ENTITY), "HTML entities"):
            fix(r, lambda t: _ENTITY.sub(lambda m: html.unescape(m.group(0)), t))
        notes = []
        present = texts[valid & ~empty]
        for suffix in (False, True):
            affix = common_affix(present, p.min_share, p.min_boilerplate, suffix)
            if affix is None:
                continue
            where = "suffix" if suffix else "prefix"
            has = (present.str.endswith(affix) if suffix else present.str.startswith(affix)).fillna(False)
            hits = has[has].index.to_numpy()
            share = len(hits) / max(len(present), 1)
            notes.append(f"{where} {affix!r} on {share:.1%} of texts")
            problem = f"boilerplate {where} ({affix!r}, shared by {share:.0%} of texts)"
            for r in mark(np.isin(np.arange(len(texts)), hits), problem):
                fix(r, (lambda t, a=affix: t[: len(t) - len(a)].rstrip() if t.endswith(a) else t) if suffix
                    else (lambda t, a=affix: t[len(a):].lstrip() if t.startswith(a) else t))
        return rows, notes

    def _lengths(self, lengths: np.ndarray, ok: np.ndarray, p: TextQualityParams, mark) -> None:
        if ok.sum() < 20:
            return
        logs = np.log1p(lengths[ok].astype(float))
        median = float(np.median(logs))
        mad = float(np.median(np.abs(logs - median))) * 1.4826
        if mad == 0:
            return
        z = np.zeros(len(lengths))
        z[ok] = (logs - median) / mad
        typical = int(round(np.expm1(median)))
        # far out in z *and* a tenth (or ten times) of the typical length: a corpus of uniformly
        # long texts has a small MAD, and a few short ones in it are not damage
        short = ok & (z < -p.max_z) & (lengths <= typical / 10)
        long = ok & (z > p.max_z) & (lengths >= typical * 10)
        mark(short, f"too short (typical length {typical} characters)")
        mark(long, f"too long (typical length {typical} characters)")

    def _result(self, findings: list[Finding], counts: dict[str, int], texts: int, column: str,
                affixes: list[str]) -> CheckResult:
        p: TextQualityParams = self.params
        count = len(findings)
        share = count / texts if texts else 0.0
        metrics: dict[str, Any] = {"texts_with_problems": count, "texts": texts, "share": round(share, 6)}
        metrics.update({f"problems.{k.replace(' ', '_')}": n for k, n in counts.items()})
        if count:
            found = ", ".join(f"{k} {n:,}" for k, n in counts.items())
            message = f"{plural(count, 'text')} with problems in '{column}' ({share:.2%} of {texts:,}): {found}"
        else:
            message = f"no text problems in {texts:,} texts of '{column}'"
        if affixes:
            message += "; boilerplate " + "; ".join(affixes)
        message += p.limit_text(count, share)
        return self.result(failed=p.exceeded(count, share), message=message, metrics=metrics, findings=findings)


def _strip_controls(text: str) -> str:
    """C1 controls repaired by ftfy (loaded only for rows that have controls), C0 controls removed."""
    from ftfy.fixes import fix_c1_controls

    return _C0.sub("", fix_c1_controls(text))


def _diff_excerpt(before: str, after: str, width: int = 12) -> str:
    """A short 'bad → good' excerpt around the first difference."""
    i = next((k for k, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    start = max(0, i - 4)
    return f"{before[start:i + width]!r} → {after[start:i + width]!r}"
