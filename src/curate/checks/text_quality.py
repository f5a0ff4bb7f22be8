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
  reported without a fix (what to keep is a human call), and so are entities that spell a tag
  (``&lt;A HREF=…&gt;``): unescaping them would put the tag in the text.

One finding per text, naming every problem; its suggestion applies the mechanical fixes in that
order, so a text with two problems gets one correction. Each pattern runs over the whole column
in pyarrow first, so only candidate rows reach Python. Language mix is not checked: no offline
language detector ships with curate's dependencies.

Pass/fail: ``max_count`` / ``max_share`` of texts; with neither set, any finding fails.

Partitioned, in up to three passes over the partitions (each pass only when the one before found
something to look for). The first finds each row's own problems (empty, mojibake, controls,
HTML) with their fixes, counts texts per length, and lists each partition's frequent prefixes and
suffixes at every probed length (a prefix on ``min_share`` of a split's texts is on that share of
some partition's texts, so no candidate is missed). Lengths' median and MAD come from the
combined counts; the second pass finds the rows of outlying lengths and counts each candidate
affix exactly over the split (its texts, first row and the hashes of the texts carrying it, for
"mostly different texts"); the third finds the rows carrying the chosen boilerplate. Problems
and fixes are put together in ``judge`` in the order the checks above run.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, LimitParams, Plan
from curate.context import RunContext
from curate.dataset import row_refs
from curate.findings import CheckResult, Finding, plural
from curate.text_arrays import text_array

# RE2 prefilters (pyarrow) and their Python twins
MOJIBAKE = r"[ÂÃÅÆÐÑâ][\x{80}-\x{BF}\x{152}\x{153}\x{160}\x{161}\x{178}\x{17D}\x{17E}\x{192}\x{2C6}\x{2DC}\x{2013}-\x{203A}\x{20AC}\x{2122}]"
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TAG = r"</?(?:p|br|div|span|a|b|i|u|em|strong|li|ul|ol|img|h[1-6]|table|tr|td|th|font|blockquote|code|pre)(?:\s[^<>]*)?/?>"
ENTITY = r"&(?:[a-zA-Z]{2,8}|#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6});"
_ENTITY = re.compile(ENTITY)
_TAG = re.compile(TAG, re.IGNORECASE)  # (tags written in capitals too: <A HREF=…>)


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


class TextQualityParams(LimitParams):
    column: str | None = None  # default: the text column
    max_z: float = Field(default=5.0, gt=0)  # robust z of log length beyond which a text is too short/long
    min_share: float = Field(default=0.1, gt=0.0, le=1.0)  # of texts sharing a prefix/suffix to call it boilerplate
    min_boilerplate: int = Field(default=6, ge=2)  # characters


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


def around_different_texts(distinct: int, carriers: int) -> bool:
    """Boilerplate is the same text around *different* content: when most texts carrying the
    affix are copies of one another (a stock comment such as ``Nest never observed with full
    clutch.`` on a third of a field table), the affix is a repeated value, not a scrape artefact."""
    return distinct >= MIN_BOILERPLATE_TEXTS and distinct >= 0.5 * carriers


def probes(min_chars: int) -> tuple[int, ...]:
    """The affix lengths tried, shortest first (each longer one only while the shorter qualifies)."""
    return tuple(k for k in (min_chars, 8, 10, 12, 16, 20, 24, 32, 48) if k >= min_chars)


@dataclass(frozen=True)
class TextPlan(Plan):
    """The text column and, after the first pass, what the later passes look for per split."""

    column: str = ""
    min_share: float = 0.1
    min_boilerplate: int = 6
    stage: str = "scan"  # "scan", then "tails" (length outliers, candidate affixes), then "affix"
    tails: tuple[tuple[str, "Tails"], ...] = ()  # split → what the second or third pass looks for


@dataclass(frozen=True)
class Tails:
    short: frozenset[int] = frozenset()  # stripped lengths that are too short
    long: frozenset[int] = frozenset()  # … too long
    candidates: frozenset[tuple[bool, int, str]] = frozenset()  # (suffix?, length, affix) to count exactly
    affixes: tuple[str | None, str | None] = (None, None)  # the boilerplate prefix and suffix (third pass)


@dataclass
class Row:
    """One row's problems so far and its text after the mechanical fixes (None: nothing fixed)."""

    problems: list[str] = field(default_factory=list)
    fixed: str | None = None
    text: str | None = None  # the text as read, kept for rows with a fix (the suggestion compares with it)


@dataclass(eq=False)
class Affix:
    """An affix's exact count over a split: texts longer than it carrying it, their first row, and
    the 64-bit hashes of those texts (how many are different), sorted and distinct."""

    count: int = 0
    first: int = -1
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    def add(self, other: "Affix") -> None:
        firsts = [f for f in (self.first, other.first) if f >= 0]
        self.first = min(firsts) if firsts else -1
        self.count += other.count
        self.hashes = np.union1d(self.hashes, other.hashes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Affix) and (self.count, self.first) == (other.count, other.first) and \
            np.array_equal(self.hashes, other.hashes)


@dataclass
class TextState:
    """What one split's partitions hold, in the fields the pass that made it fills."""

    rows: int = 0  # texts (rows of the split)
    present: int = 0  # non-empty texts
    lengths: Counter[int] = field(default_factory=Counter)  # stripped length → non-empty texts
    found: dict[int, Row] = field(default_factory=dict)  # row position → its own problems
    frequent: set[tuple[bool, int, str]] = field(default_factory=set)  # (suffix?, length, affix) frequent in a partition
    short: set[int] = field(default_factory=set)  # row positions (second pass)
    long: set[int] = field(default_factory=set)
    affixes: dict[tuple[bool, int, str], Affix] = field(default_factory=dict)
    carriers: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))  # third pass
    texts: dict[int, str] = field(default_factory=dict)  # third pass: the carriers' texts as read

    def add(self, other: "TextState") -> None:
        self.rows += other.rows
        self.present += other.present
        self.lengths.update(other.lengths)
        self.found.update(other.found)
        self.frequent |= other.frequent
        self.short |= other.short
        self.long |= other.long
        for key, affix in other.affixes.items():
            self.affixes.setdefault(key, Affix()).add(affix)
        self.carriers[0].update(other.carriers[0])
        self.carriers[1].update(other.carriers[1])
        self.texts.update(other.texts)


def _texts(values: pd.Series) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """The column as pyarrow text, its stripped lengths, which cells hold text and which of those are non-empty."""
    import pyarrow.compute as pc

    array = text_array(values)
    lengths = pc.utf8_length(pc.utf8_trim_whitespace(array)).to_numpy(zero_copy_only=False)
    valid = ~pc.is_null(array).to_numpy(zero_copy_only=False)
    empty = valid & (np.nan_to_num(lengths.astype(float), nan=0) == 0)
    return array, lengths, valid, valid & ~empty


def _series(array: Any, index: Any) -> pd.Series:
    """A pyarrow text array as a pandas Series (Arrow-backed) on ``index``."""
    return array.to_pandas(types_mapper=pd.ArrowDtype).set_axis(index)


def _hashes(texts: pd.Series) -> np.ndarray:
    """64-bit hashes of texts (fixed key: the same in every process)."""
    return pd.util.hash_array(texts.to_numpy(dtype=object))


@register
class TextQuality(Check):
    name: ClassVar[str] = "text_quality"
    description: ClassVar[str] = (
        "Empty, too short/long, boilerplate-laden, mojibake, control-character and HTML-damaged texts, "
        "with mechanical fixes")
    Params = TextQualityParams
    needs = "partitions"

    def validate(self, ctx: RunContext) -> None:
        if self.params.column:
            self.require_column(ctx, self.params.column, ("column",))

    # partitioned: see the module docstring for the three passes
    def plan(self, ctx: RunContext) -> "TextPlan | CheckResult":
        p: TextQualityParams = self.params
        column = p.column or ctx.roles.text
        if not column:
            return self.skip("no text column (declare dataset.text or set column)")
        splits = tuple(name for name, split in ctx.dataset.splits.items() if column in split.columns)
        return TextPlan(splits, (column,), column, p.min_share, p.min_boilerplate)

    def map(self, plan: "TextPlan", split: str, partition: pd.DataFrame) -> dict[str, "TextState"]:
        values = partition[plan.column]
        if plan.stage == "scan":
            return {split: self._scan(plan, values)}
        tails = dict(plan.tails).get(split)
        if tails is None:
            return {}
        return {split: (self._tails if plan.stage == "tails" else self._carriers)(plan, tails, values)}

    def combine(self, plan: "TextPlan", states: list[dict[str, "TextState"]]) -> dict[str, "TextState"]:
        out: dict[str, TextState] = {}
        for state in states:
            for split, part in state.items():
                out.setdefault(split, TextState()).add(part)
        return out

    def judge(self, plan: "TextPlan", state: dict[str, "TextState"], ctx: RunContext) -> CheckResult:
        p: TextQualityParams = self.params
        scan = {name: state.get(name, TextState()) for name in plan.splits}
        lengths = {name: self._length_limits(s.lengths, s.present, p) for name, s in scan.items()}
        tails = {name: Tails(*lengths[name][:2], frozenset(s.frequent)) for name, s in scan.items()}
        tails = {name: t for name, t in tails.items() if t.short or t.long or t.candidates}
        second = self._pass(plan, "tails", tails, ctx)
        chosen = {name: self._boilerplate(scan[name].present, second.get(name, TextState()), p) for name in plan.splits}
        third = self._pass(plan, "affix", {name: Tails(affixes=a) for name, a in chosen.items() if a != (None, None)}, ctx)
        findings: list[Finding] = []
        counts: dict[str, int] = {}
        affixes: list[str] = []
        texts_seen = 0
        for name in plan.splits:
            rows, notes = self._rows(scan[name], second.get(name, TextState()), third.get(name, TextState()),
                                     lengths[name][2], chosen[name])
            affixes += [f"{name}: {a}" for a in notes]
            texts_seen += scan[name].rows
            for ref in row_refs(ctx.dataset.splits[name], sorted(rows)):
                row = rows[ref.row]
                for problem in row.problems:
                    kind = problem.split(" (", 1)[0]
                    counts[kind] = counts.get(kind, 0) + 1
                suggestion = None
                if row.fixed is not None and row.fixed != row.text:
                    suggestion = {plan.column: row.fixed, "confidence": 0.95, "reason": "; ".join(row.problems)}
                findings.append(Finding("; ".join(row.problems), split=ref.split, row=ref.row, key=ref.key,
                                        column=plan.column, suggestion=suggestion, score=len(row.problems) / 3))
        return self._result(findings, counts, texts_seen, plan.column, affixes)

    def _pass(self, plan: "TextPlan", stage: str, tails: dict[str, "Tails"], ctx: RunContext) -> dict[str, "TextState"]:
        """A later pass over the splits that have something to look for (none: no pass)."""
        if not tails:
            return {}
        later = replace(plan, splits=tuple(s for s in plan.splits if s in tails), stage=stage, tails=tuple(tails.items()))
        return self.combine(later, ctx.engine.states(self, later, ctx.dataset))

    # ------------------------------------------------------------------ first pass: each row on its own

    def _scan(self, plan: "TextPlan", values: pd.Series) -> "TextState":
        import pyarrow.compute as pc

        array, lengths, valid, ok = _texts(values)
        texts = _series(array, range(len(values)))
        positions = values.index.to_numpy()
        rows: dict[int, Row] = {}

        def mark(mask: np.ndarray, problem: str) -> list[int]:
            hit = np.flatnonzero(mask)
            for r in hit.tolist():
                rows.setdefault(r, Row()).problems.append(problem)
            return hit.tolist()

        def fix(r: int, transform) -> None:
            row = rows[r]
            if row.text is None:
                row.text = texts.iat[r]
            row.fixed = transform(row.fixed if row.fixed is not None else row.text)

        def regex(pattern: str) -> np.ndarray:
            return pc.match_substring_regex(array, pattern).fill_null(False).to_numpy(zero_copy_only=False)

        mark(valid & ~ok, "empty text")
        for r in np.flatnonzero(regex(MOJIBAKE)).tolist():
            import ftfy  # loaded only when a text looks like mojibake

            text = texts.iat[r]
            repaired = ftfy.fix_encoding(text)
            if repaired != text:
                rows.setdefault(r, Row()).problems.append(f"mojibake ({_diff_excerpt(text, repaired)})")
                fix(r, ftfy.fix_encoding)
        for r in mark(regex(CONTROL), "control characters"):
            fix(r, _strip_controls)
        mark(regex(TAG), "HTML tags")
        for r in np.flatnonzero(regex(ENTITY)).tolist():
            row = rows.setdefault(r, Row())
            current = row.fixed if row.fixed is not None else texts.iat[r]
            if _TAG.search(_unescape(current)) and not _TAG.search(current):  # &lt;A HREF=…&gt; in a wire story
                row.problems.append("HTML entities (escaped HTML tags, left escaped: what to keep is a human call)")
            else:
                row.problems.append("HTML entities")
                fix(r, _unescape)
        present = texts[ok]
        distinct, n = np.unique(lengths[ok].astype(np.int64), return_counts=True)
        return TextState(rows=len(values), present=len(present), lengths=Counter(dict(zip(distinct.tolist(), n.tolist()))),
                         found={int(positions[r]): row for r, row in rows.items()},
                         frequent=self._frequent(present, plan))

    @staticmethod
    def _frequent(present: pd.Series, plan: "TextPlan") -> set[tuple[bool, int, str]]:
        """Affixes on at least ``min_share`` of this partition's texts, at each probed length (a
        longer one is frequent only where its shorter part is, so probing stops at the first length
        with none)."""
        out: set[tuple[bool, int, str]] = set()
        floor = plan.min_share * len(present) * (1 - 1e-9)  # (a hair under: rounding never drops a candidate)
        for suffix in (False, True):
            for k in probes(plan.min_boilerplate):
                part = present.str[-k:] if suffix else present.str[:k]
                part = part[present.str.len() > k]
                top = part.value_counts()
                top = top[top >= floor] if len(present) else top.iloc[:0]
                if top.empty:
                    break
                out.update((suffix, k, str(v)) for v in top.index)
        return out

    # ------------------------------------------------------------------ second pass: lengths and affixes

    def _length_limits(self, lengths: Counter[int], present: int, p: TextQualityParams) -> tuple[frozenset[int], frozenset[int], int]:
        """The stripped lengths that are too short and too long, and the typical length, from the
        split's counts (the median and MAD of log length, as over the whole column)."""
        if present < 20:
            return frozenset(), frozenset(), 0
        values = np.array(sorted(lengths), dtype=np.int64)
        weights = np.array([lengths[v] for v in values.tolist()], dtype=np.int64)
        logs = np.log1p(values.astype(float))
        median = _weighted_median(logs, weights)
        mad = _weighted_median(np.abs(logs - median), weights) * 1.4826
        if mad == 0:
            return frozenset(), frozenset(), 0
        z = (logs - median) / mad
        typical = int(round(np.expm1(median)))
        # far out in z *and* a tenth (or ten times) of the typical length: a corpus of uniformly
        # long texts has a small MAD, and a few short ones in it are not damage
        short = values[(z < -p.max_z) & (values <= typical / 10)]
        long = values[(z > p.max_z) & (values >= typical * 10)]
        return frozenset(short.tolist()), frozenset(long.tolist()), typical

    @staticmethod
    def _tails(plan: "TextPlan", tails: "Tails", values: pd.Series) -> "TextState":
        array, lengths, _, ok = _texts(values)
        positions = values.index.to_numpy()
        state = TextState()
        for wanted, out in ((tails.short, state.short), (tails.long, state.long)):
            if wanted:
                out.update(positions[ok & np.isin(lengths, list(wanted))].tolist())
        if tails.candidates:
            texts = _series(array, positions)[ok]
            size = texts.str.len()
            hashes = _hashes(texts)
            for suffix, k, affix in tails.candidates:
                carrying = (size > k) & (texts.str.endswith(affix) if suffix else texts.str.startswith(affix)).fillna(False)
                mask = carrying.to_numpy(dtype=bool)
                rows = texts.index[mask]
                state.affixes[(suffix, k, affix)] = Affix(len(rows), int(rows[0]) if len(rows) else -1, np.unique(hashes[mask]))
        return state

    def _boilerplate(self, present: int, state: "TextState", p: TextQualityParams) -> tuple[str | None, str | None]:
        """The boilerplate prefix and suffix of a split from the candidates' exact counts (None: none)."""
        out: list[str | None] = []
        for suffix in (False, True):
            best = None
            for k in probes(p.min_boilerplate):
                here = [(a, affix) for (s, n, affix), a in state.affixes.items() if s == suffix and n == k and a.count]
                if not here:
                    break
                top, value = min(here, key=lambda item: (-item[0].count, item[0].first))  # as value_counts' order
                if top.count / present < p.min_share or not around_different_texts(len(top.hashes), top.count):
                    break
                best = value
            best = _own_segment(best, suffix) if best is not None else None
            if best is None or sum(ch.isalpha() for ch in best) < 3 or re.fullmatch(r"\s*[@#]\w+\s*", best):
                best = None  # a handle or hashtag (``@AmericanAir``) addresses someone: not boilerplate
            out.append(best)
        return out[0], out[1]

    # ------------------------------------------------------------------ third pass: the boilerplate's rows

    @staticmethod
    def _carriers(plan: "TextPlan", tails: "Tails", values: pd.Series) -> "TextState":
        array, _, _, ok = _texts(values)
        texts = _series(array, values.index)[ok]
        state = TextState()
        for suffix, affix in enumerate(tails.affixes):
            if affix is None:
                continue
            has = (texts.str.endswith(affix) if suffix else texts.str.startswith(affix)).fillna(False)
            carriers = texts[has.to_numpy(dtype=bool)]
            state.carriers[suffix].update(carriers.index.tolist())
            state.texts.update(zip(carriers.index.tolist(), carriers.tolist()))
        return state

    def _rows(self, scan: "TextState", second: "TextState", third: "TextState", typical: int,
              affixes: tuple[str | None, str | None]) -> tuple[dict[int, Row], list[str]]:
        """Every flagged row of a split with its problems in the checks' order and its fixed text."""
        rows = dict(scan.found)  # (a row changed here is copied first: the state stays as combined)
        copied: set[int] = set()

        def own(r: int) -> Row:
            if r not in copied:
                row = rows.get(r)
                rows[r] = Row() if row is None else Row(list(row.problems), row.fixed, row.text)
                copied.add(r)
            return rows[r]

        for positions, what in ((second.short, "too short"), (second.long, "too long")):
            for r in positions:  # (a row of outlying length is not empty: its problem comes first)
                own(r).problems.insert(0, f"{what} (typical length {typical} characters)")
        notes = []
        for suffix, affix in enumerate(affixes):
            if affix is None:
                continue
            where = "suffix" if suffix else "prefix"
            hits = sorted(third.carriers[suffix])
            share = len(hits) / max(scan.present, 1)
            notes.append(f"{where} {affix!r} on {share:.1%} of texts")
            problem = f"boilerplate {where} ({affix!r}, shared by {share:.0%} of texts)"
            for r in hits:
                row = own(r)
                row.problems.append(problem)
                row.text = third.texts[r]
                current = row.fixed if row.fixed is not None else row.text
                if suffix:
                    row.fixed = current[: len(current) - len(affix)].rstrip() if current.endswith(affix) else current
                else:
                    row.fixed = current[len(affix):].lstrip() if current.startswith(affix) else current
        return rows, notes

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


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """``np.median`` of ``values`` repeated ``weights`` times (``values`` sorted ascending for
    the logs; any order for the deviations, which are sorted here), to the same float."""
    order = np.argsort(values, kind="stable")
    values, ends = values[order], np.cumsum(weights[order])
    n = int(ends[-1])
    lo, hi = (values[np.searchsorted(ends, i, side="right")] for i in ((n - 1) // 2, n // 2))
    return float(np.mean(np.array([lo, hi]))) if n % 2 == 0 else float(lo)


def _strip_controls(text: str) -> str:
    """C1 controls repaired by ftfy (loaded only for rows that have controls), C0 controls removed."""
    from ftfy.fixes import fix_c1_controls

    return _C0.sub("", fix_c1_controls(text))


def _diff_excerpt(before: str, after: str, width: int = 12) -> str:
    """A short 'bad → good' excerpt around the first difference."""
    i = next((k for k, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    start = max(0, i - 4)
    return f"{before[start:i + width]!r} → {after[start:i + width]!r}"
