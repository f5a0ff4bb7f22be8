"""``balance``: demographic imbalance in the dataset itself — no model needed.

A dataset can be clean and still skewed. For every sensitive attribute (and, by default, every
pair of them) the check measures the following, with fairlearn's definitions (``MetricFrame``
with ``count`` and ``selection_rate``, the label passed as the prediction so that the selection
rate is the label's base rate) computed from one table of counts per group and label value
(:mod:`curate.balance_counts`; one pass over integer codes, tables of splits add up):

1. **Representation**: rows and share per group; against a ``reference`` population, the share
   ratio (observed / reference, outside the band ``min_ratio`` … ``1/min_ratio`` is flagged —
   0.8–1.25 by default, the Aequitas band) and a chi-square goodness-of-fit test (flagged groups
   need ``p < significance``). Rows whose attribute is missing are left out of the test.
2. **Label base rates** per group: the share of rows whose label is the positive value (binary
   labels), or each class one-vs-rest (multi-class labels). Each group is compared with the
   *reference group* — the highest rate among groups with at least ``min_group_size`` rows
   (``min_intersection`` for intersections) — and flagged when the ratio of rates is below
   ``min_ratio`` (the four-fifths rule). Per attribute, ``ratio`` = min/max and ``difference`` =
   max − min over those groups (fairlearn's ``MetricFrame.ratio()`` / ``.difference()`` with
   ``method="between_groups"``, restricted to groups large enough to trust).
   An intersection's group below the rule is a finding only when it is also below ``min_ratio``
   of what its attributes' own rates predict (``explain_intersections``, see
   :func:`_explain_by_parts`); otherwise its row is ``explained`` and it repeats a single
   attribute's finding.
3. **Small groups**: single groups under ``min_group_size`` rows and intersections under
   ``min_intersection`` rows (empty combinations included) are listed.
4. **Missing values by group**: the share of rows with any missing value (in the columns present
   in every audited split, sensitive columns excluded), and per column for ``missing_columns``.
   fairlearn 0.15 raises on missing sensitive values, so they form their own group,
   ``(missing)``, and a note says so.
5. **Proxies**: columns strongly associated with a sensitive attribute — bias-corrected Cramér's
   V (Bergsma 2013) for categorical columns (and numeric ones with ≤ 20 distinct values), the
   bias-corrected correlation ratio η (ε², Kelley 1935; η is the usual categorical–numeric
   measure, as in dython's ``associations``) for other numeric columns. Both lie in [0, 1];
   ``proxy_threshold`` (0.5) flags. The correction matters: on 2,000 rows an unrelated 14-value
   column has plain V ≈ 0.07, corrected V = 0.
6. **Label errors by group**: when a ``label_errors`` check ran earlier in the same suite, the
   share of its flagged rows per group.

Missing values and label errors are flagged in a group when its rate is at least
``concentration`` (2×) the rate of all other rows and Fisher's exact test gives
``p < significance``.

**Confidence intervals.** Rates, ratios and differences get ``confidence`` (95 %) intervals
from a seeded Bayesian bootstrap (Rubin 1981): for a 0/1 outcome, the reweighted rate of a group
of ``n`` rows with ``k`` positives is Beta(k, n − k) distributed, drawn here with Jeffreys' prior
as Beta(k + ½, n − k + ½) so that 0/n and n/n groups do not collapse to a zero-width interval
(a plain percentile bootstrap of 0 of 5 rows says "0 %, certainly", a false alarm). Groups are
drawn independently (the bootstrap is stratified by group); each replicate recomputes every ratio,
and intervals are percentiles over ``bootstrap`` replicates (1000). A group *fails* only when
the whole interval of its ratio lies below ``min_ratio``; a point estimate below it with an
interval reaching above is reported as *inconclusive* (table and message, not a finding). So a
group of 7 rows with a low rate is not a false alarm, and a small group with a truly low rate is
still caught instead of being dropped by a size cut-off. With ``bootstrap: 0`` point estimates
decide. Draws are seeded per (scope, grouping, class) from ``seed``, so results do not depend on
the order of work.

**Partitions.** Every measure above is computed from counts (:mod:`curate.balance_state`): each
partition of rows (a data file, a Parquet row group on a Dask worker) is counted per combination of
the attributes' raw values and the label, with its missing values, flagged rows and proxy
tables; the counts add up, and groups, bins, rates and tests are made from the sum, so both
engines give the same result. A proxy candidate with more than ``PROXY_TABLE_CAP`` distinct
values in a partition keeps no table; if it then still needs one (a categorical column with
that many values), the splits are counted again without the bound.

**Splits.** A dataset card describes the whole dataset, so findings and the status come from all
audited splits combined (``splits``, default all). With several splits and ``per_split``
(default), representation and base rates are also computed per split, into the tables and into
metrics prefixed with the split name (``train.share.sex=Female``), for a train/test comparison.

**Status and findings.** The check fails (or warns, with ``severity: warning``) on a base-rate
ratio whose interval lies below ``min_ratio``, a group outside the reference band, a proxy, or
missing values / label errors concentrated in a group; small groups are listed as findings and
fail the check only with ``fail_on_small_groups``. Findings are about groups, not rows: ``split``
and ``row`` are empty and ``column`` names the attribute (``sex``, ``sex × race``) or the proxy
column. Their ``score`` orders them: single-attribute gaps first, then proxies and concentrated
missing values / label errors, then intersections, then small groups.

**Output.** Metrics are flat numbers: counts first (``failing_ratios``, ``proxies``,
``small_groups``, ``rows``, ``worst_ratio``, …), then ``share.sex=Female``,
``base_rate.sex=Female``, ``ratio.sex``, ``difference.sex``, ``share_ratio.sex=Female``,
``chi2_pvalue.sex``, ``missing_rate.race=Black``, ``proxy.zip_prefix~race``,
``label_error_rate.sex=Female``; multi-class ``base_rate[sports].author_gender=female``;
intersections join names with ``&``: ``share.race&sex=Native American&Female``. The full group
tables are kept in ``CheckResult.tables``; :mod:`curate.card` renders them as the
"Bias, Risks, and Limitations" section of a dataset card and as report tables.

Proxy candidates are every column except the key, label, text and sensitive columns; free text,
datetime and identifier-like columns (more than 50 values, mostly distinct) are skipped unless
listed in ``proxy_columns``. Numeric sensitive columns with more than 20 distinct values (a raw
``age``) are cut into 5 quantile bins, and a note says so.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from curate.balance_counts import GroupCounts, between_groups, bootstrap_rates, rates
from curate.balance_state import (
    SplitCounts,
    combine,
    correlation_ratio_sums,
    count_partition,
    cramers_v_table,
    quantiles,
    render,
    combined_class,
)
from curate.balance_state import text_codes as _text_codes
from curate.balance_state import value_text as _value_text
from curate.baseline import MAX_CATEGORIES, TEXT_MIN_MEAN_LENGTH
from curate.checks import register
from curate.checks.base import Check, CheckParams, Plan
from curate.context import RunContext
from curate.errors import did_you_mean
from curate.findings import CheckResult, Finding

MISSING_GROUP = "(missing)"
JOIN = " × "  # attribute and group names of an intersection, in tables and messages
KEY_JOIN = "&"  # the same in metric names
MAX_GROUPS = 20  # numeric sensitive columns with more distinct values are cut into quantile bins
SENSITIVE_BINS = 5
PROXY_DISCRETE_MAX = 20  # numeric candidate columns with at most this many values count as categorical
IDENTIFIER_MIN_UNIQUE = 50  # categorical columns with more values, mostly distinct, are identifiers
MAX_CLASSES = 50  # multi-class labels with more classes need positive_label
PROXY_TABLE_CAP = 1000  # a proxy candidate's distinct values per partition kept in its table (balance_state)
POSITIVE_TOKENS = ("1", "true", "yes", "y", "t", "positive", "pos")


# --------------------------------------------------------------------------- measures


def cramers_v(x: pd.Series, y: pd.Series, *, corrected: bool = True) -> float:
    """Cramér's V between two categorical series (missing values form their own category).

    ``corrected`` applies Bergsma's (2013) bias correction, which keeps unrelated columns with
    many categories near 0 instead of inflating V by chance associations.
    """
    return _cramers_v_codes(_codes(x), _codes(y), corrected=corrected)


def _codes(values: pd.Series) -> np.ndarray:
    """Category codes 0..k-1 of a column's values as text, missing values as one more category.

    Numbered in order of first appearance, as factorising the texts would number them.
    """
    codes, names = _text_codes(values)
    return pd.factorize(np.where(codes < 0, len(names), codes))[0]


def _cramers_v_codes(a: np.ndarray, b: np.ndarray, *, corrected: bool = True) -> float:
    ka, kb = int(a.max()) + 1 if len(a) else 0, int(b.max()) + 1 if len(b) else 0
    if ka < 2 or kb < 2:
        return 0.0
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb)
    return cramers_v_table(table, corrected=corrected)


def correlation_ratio(groups: pd.Series, values: pd.Series, *, corrected: bool = True) -> float:
    """Correlation ratio η of a numeric series on a categorical one (nulls of ``values`` dropped).

    η² is the share of the values' variance explained by the groups; ``corrected`` uses ε²
    (Kelley 1935), ``(SS_between − (g − 1)·MS_within) / SS_total``, which is ≈ 0 for unrelated
    columns whatever the number of groups.
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return _correlation_ratio_codes(_codes(groups), v, corrected=corrected)


def _correlation_ratio_codes(codes: np.ndarray, v: np.ndarray, *, corrected: bool = True) -> float:
    """η from the rows: their per-group counts and sums and the column's moments, reduced as the
    partitioned path reduces them (:func:`correlation_ratio_sums`)."""
    keep = np.isfinite(v)
    codes, v = codes[keep], v[keep]
    codes, uniques = pd.factorize(codes)
    counts = np.bincount(codes, minlength=len(uniques)).astype(float)
    sums = np.bincount(codes, weights=v, minlength=len(uniques))
    mean = float(v.mean()) if len(v) else 0.0
    moments = (len(v), mean, float(((v - mean) ** 2).sum()))
    return correlation_ratio_sums(counts, sums, moments, corrected=corrected)


# --------------------------------------------------------------------------- helpers


def _r(value: Any) -> Any:
    """Round a float to 6 significant digits for tables and metrics (None for nan/inf)."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.6g}")


def _score(tier: int, severity: float) -> float:
    """Finding order (higher is worse): the tier, plus a severity in [0, 1) within it.

    Tiers: 3 base-rate and representation gaps of a single attribute, 2 proxies and concentrated
    missing values / label errors, 1 base-rate gaps of intersections, 0 small groups.
    """
    return round(tier + min(max(float(severity), 0.0), 0.999), 4)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """'1 row', '7 rows', '2 classes'."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _listed(items: list[str], limit: int = 4) -> str:
    """Items joined by commas, the first ``limit`` of them."""
    return ", ".join(items[:limit]) + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _f2(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _p(value: float | None) -> str:
    """'p=0.012' / 'p < 0.0001'."""
    if value is None:
        return "p=–"
    return f"p={value:.2g}" if value >= 1e-4 else "p < 0.0001"


def _fisher(a: int, n_a: int, b: int, n_b: int) -> float:
    """Two-sided Fisher exact p-value for a/n_a vs b/n_b."""
    from scipy.stats import fisher_exact

    return float(fisher_exact([[a, n_a - a], [b, n_b - b]]).pvalue)


def _rng(seed: int, *parts: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32("\x1f".join(parts).encode("utf-8"))])


# --------------------------------------------------------------------------- parameters


class BalanceParams(CheckParams):
    sensitive: list[str] | None = None  # default: the suite's sensitive columns (declared or inferred)
    label: str | None = None  # default: the suite's label column; base rates are skipped without one
    positive_label: str | int | float | bool | None = None  # binary default: 1/true/yes/…, else the rarer class
    reference: dict[str, dict[str | int | float | bool, float]] = Field(default_factory=dict)
    intersections: int | list[list[str]] = 2  # 1: none; N: every combination of up to N attributes; or explicit lists
    min_ratio: float = Field(default=0.8, gt=0, le=1)  # four-fifths rule
    min_group_size: int = Field(default=30, ge=1)
    min_intersection: int = Field(default=30, ge=1)
    fail_on_small_groups: bool = False  # small groups are listed; with this they also fail the check
    bootstrap: int = Field(default=1000, ge=0)  # replicates for confidence intervals; 0: point estimates only
    seed: int = 0
    confidence: float = Field(default=0.95, gt=0, lt=1)
    significance: float = Field(default=0.05, gt=0, lt=1)
    proxy_threshold: float = Field(default=0.5, gt=0, le=1)
    proxy_columns: list[str] | None = None  # default: every other column except key, label, text, identifiers
    missing_columns: list[str] = Field(default_factory=list)  # per-column missing rates by group
    concentration: float = Field(default=2.0, ge=1)  # missing values / label errors: rate vs other rows
    splits: list[str] | None = None  # default: all splits, combined
    per_split: bool = True  # with several splits, also tables and metrics per split
    explain_intersections: bool = True  # an intersection's gap that its attributes' own gaps predict is not a finding


# --------------------------------------------------------------------------- the data


@dataclass
class _Plan:
    attributes: list[str]
    source: str  # "check", "suite" or "inferred"
    label: str | None
    splits: list[str]
    groupings: list[tuple[str, ...]]


@dataclass
class _Data:
    """What the judging needs, derived from the combined counts of every partition."""

    rows: int  # rows of the audited splits
    split_rows: dict[str, int]  # split → its rows
    order: dict[str, list[str]]  # attribute → its groups, largest first ("(missing)" last)
    position: dict[str, dict[Any, int]]  # attribute → raw value (None: missing) → its group's position in order
    has_label: bool  # the label column is in some audited split
    label_values: list[str]  # the label's distinct values as text
    label_name: str | None
    classes: list[str]  # classes whose base rate is audited
    binary: bool
    counts: dict[str, SplitCounts]  # split → its combined counts
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _BalancePlan(Plan):
    """The balance plan as sent to the workers (the column lists and flagged rows it reads)."""

    attributes: tuple[str, ...] = ()
    source: str = "check"
    groupings: tuple[tuple[str, ...], ...] = ()
    explicit: bool = False  # proxy_columns given: every candidate is searched
    label: str | None = None
    audited: tuple[str, ...] = ()  # columns in every audited split but the attributes: their missing values
    missing_columns: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # proxy candidates (names; which are searched is decided on the counts)
    flagged: tuple[tuple[str, frozenset[int]], ...] = ()  # label_errors' rows per split
    issues_source: str | None = None
    cap: int | None = PROXY_TABLE_CAP  # distinct values of a proxy candidate kept per partition (None: all)


@dataclass
class _Stats:
    """Per group (in display order): rows, labelled rows, and positives per audited class."""

    groups: list[tuple[str, ...]]
    rows: np.ndarray
    labelled: np.ndarray
    positives: dict[str, np.ndarray]


@dataclass
class _Rates:
    """Base rates of one class over one grouping in one scope."""

    scope: str
    grouping: tuple[str, ...]
    klass: str
    groups: list[tuple[str, ...]]
    n: np.ndarray
    k: np.ndarray
    rows: list[dict[str, Any]]
    summary: dict[str, Any] | None


def _explain_by_parts(rates: list[_Rates], min_ratio: float) -> None:
    """Mark intersection gaps that their attributes' own gaps already predict (status ``explained``).

    ``age [17, 26) × Female`` earning less than ``[41, 50) × Male`` follows from age and sex each
    doing so; reporting every such product repeats the single-attribute findings dozens of times
    (130 findings on UCI Adult, most of them restatements). The prediction multiplies the parts'
    effects (rates independent given the overall rate): expected = overall × Π rate(part) / overall.
    A gap stays a finding only when the group's rate is below ``min_ratio`` × that prediction
    with its whole interval (the intersectional harm a single attribute hides), so two attributes
    that each look fair can still show a failing intersection.
    """
    singles = {(r.scope, r.grouping[0], r.klass): r for r in rates if len(r.grouping) == 1}
    for r in rates:
        if len(r.grouping) < 2:
            continue
        parts = [singles.get((r.scope, a, r.klass)) for a in r.grouping]
        if any(part is None for part in parts):
            continue
        part_rates = [{g[0]: row["rate"] for g, row in zip(part.groups, part.rows)} for part in parts]
        labelled = sum(int(n) for g, n in zip(r.groups, r.n) if MISSING_GROUP not in g)
        positives = sum(int(k) for g, k in zip(r.groups, r.k) if MISSING_GROUP not in g)
        if not labelled or not positives:
            continue
        overall = positives / labelled
        for group, row in zip(r.groups, r.rows):
            own = [rates_.get(value) for rates_, value in zip(part_rates, group)]
            if row["status"] != "below" or any(v is None for v in own):
                continue
            expected = overall * math.prod(v / overall for v in own)
            row["expected_rate"] = _r(expected)
            upper = row["rate_high"] if row["rate_high"] is not None else row["rate"]
            if upper >= min_ratio * expected:
                row["status"] = "explained"
        if r.summary and r.summary["status"] == "fail" and not any(row["status"] == "below" for row in r.rows):
            r.summary["status"] = "explained"


class _DistinctTexts:
    """A partition's distinct values of the plan's one column as text (validation reads no frame)."""

    def map(self, plan: Plan, split: str, partition: pd.DataFrame) -> set[str]:
        return set(_text_codes(partition[plan.columns[0]])[1])


# --------------------------------------------------------------------------- the check


@register
class BalanceCheck(Check):
    name = "balance"
    description = (
        "Demographic imbalance (fairlearn): shares vs a reference, base-rate ratios (four-fifths rule), "
        "small intersections, missing values and label errors by group, proxy columns"
    )
    Params = BalanceParams
    card_section = "Bias, Risks, and Limitations"  # curate.card.CARD_HEADING, the HF card template's
    tables_layout = "group_rates"
    needs = "partitions"
    consumes = {"label_issues": ("label_errors",)}

    @classmethod
    def render_tables(cls, result: Any, medium: str, *, heading_level: int | None = None) -> Any:
        """The group tables (curate.card): card prose for the card, the bare tables for the reports."""
        if medium == "card":
            from curate.card import bias_section

            return bias_section(result, heading_level=heading_level or 2)
        if medium == "markdown":
            from curate.card import markdown_tables

            return markdown_tables(result, heading_level=heading_level or 4)
        from curate.card import console_tables

        return console_tables(result)

    @classmethod
    def validate_params(cls, spec) -> None:
        p: BalanceParams = spec.params
        for column, shares in p.reference.items():
            if not shares:
                raise spec.error(("reference", column), f"balance: reference for '{column}' has no groups")
            for group, share in shares.items():
                if not (share >= 0) or not math.isfinite(share):
                    raise spec.error(
                        ("reference", column, group), f"balance: reference share of '{group}' must be ≥ 0, got {share}"
                    )
            total = sum(shares.values())
            if abs(total - 1.0) > 0.01:
                raise spec.error(
                    ("reference", column),
                    f"balance: reference shares of '{column}' add up to {total:.4g}, not 1; give every group's share",
                )
        if isinstance(p.intersections, int):
            if p.intersections < 1:
                raise spec.error(
                    ("intersections",),
                    "balance: intersections must be ≥ 1 (1: none, 2: pairs, …) or a list of column lists",
                )
        else:
            for i, names in enumerate(p.intersections):
                if len(names) < 2 or len(set(names)) != len(names):
                    raise spec.error(
                        ("intersections", i), "balance: an intersection lists two or more different columns"
                    )

    # ---------------------------------------------------------------- validation

    def validate(self, ctx: RunContext) -> None:
        self._plan = self._make_plan(ctx)

    def _make_plan(self, ctx: RunContext) -> _Plan:
        p: BalanceParams = self.params
        for i, split in enumerate(p.splits or []):
            self.require_split(ctx, split, ("splits", i))
        splits = list(p.splits) if p.splits else list(ctx.dataset.splits)
        if p.sensitive is not None:
            attributes, source = list(p.sensitive), "check"
            for i, column in enumerate(attributes):
                self.require_column(ctx, column, ("sensitive", i), splits=splits)
        else:
            attributes = list(ctx.roles.sensitive)
            source = "inferred" if "sensitive" in ctx.roles.inferred else "suite"
        label = p.label if p.label is not None else ctx.roles.label
        if p.label is not None:
            self._require_somewhere(ctx, p.label, ("label",), splits)
        if label in attributes:
            attributes = [a for a in attributes if a != label]
        if label is not None and p.positive_label is not None:
            self._check_positive(ctx, label, splits)
        for column, shares in p.reference.items():
            if column not in attributes:
                raise self.error(
                    ("reference", column),
                    f"balance: reference column '{column}' is not a sensitive column{did_you_mean(column, attributes)}; "
                    f"sensitive: {', '.join(attributes) or 'none'}",
                )
            present = self._values(ctx, column, splits)
            wanted = {_value_text(g) for g in shares}
            for group in sorted(present - wanted):
                raise self.error(
                    ("reference", column),
                    f"balance: group '{group}' of '{column}' is in the data but not in the reference"
                    f"{did_you_mean(group, sorted(wanted))}; give every group a share (0 is allowed)",
                )
        for i, column in enumerate(p.proxy_columns or []):
            self._require_somewhere(ctx, column, ("proxy_columns", i), splits)
        for i, column in enumerate(p.missing_columns):
            self._require_somewhere(ctx, column, ("missing_columns", i), splits)
        if isinstance(p.intersections, list):
            for i, names in enumerate(p.intersections):
                for j, name in enumerate(names):
                    if name not in attributes:
                        raise self.error(
                            ("intersections", i, j),
                            f"balance: '{name}' is not a sensitive column{did_you_mean(name, attributes)}; "
                            f"sensitive: {', '.join(attributes) or 'none'}",
                        )
            groupings = [(a,) for a in attributes] + [tuple(names) for names in p.intersections]
        else:
            groupings = [
                combo
                for order in range(1, min(p.intersections, len(attributes)) + 1)
                for combo in itertools.combinations(attributes, order)
            ]
        return _Plan(attributes, source, label, splits, groupings)

    def _require_somewhere(self, ctx: RunContext, column: str, where: tuple, splits: list[str]) -> None:
        if not any(column in ctx.dataset.splits[s].columns for s in splits):
            self.require_column(ctx, column, where, splits=splits)

    def _values(self, ctx: RunContext, column: str, splits: list[str]) -> set[str]:
        """The texts of a column's values in these splits, read where the rows are (the engine)."""
        present = tuple(s for s in splits if column in ctx.dataset.splits[s].columns)
        return set().union(*ctx.engine.states(_DistinctTexts(), Plan(present, (column,)), ctx.dataset))

    def _check_positive(self, ctx: RunContext, label: str, splits: list[str]) -> None:
        wanted = _value_text(self.params.positive_label)
        values = self._values(ctx, label, splits)
        if wanted in values:
            return
        hint = did_you_mean(wanted, sorted(values))
        if isinstance(self.params.positive_label, bool):
            hint += "; YAML reads unquoted yes/no/on/off/true/false as booleans: quote the value, e.g. 'yes'"
        shown = ", ".join(sorted(values)[:10]) + (", …" if len(values) > 10 else "")
        raise self.error(
            ("positive_label",),
            f"balance: positive_label {wanted!r} is not a value of '{label}'{hint}; values: {shown}",
        )

    # ---------------------------------------------------------------- run

    # partitioned: every measure derives from counts per combination of the attributes' raw values
    # (balance_state); display groups are made from the combined counts
    def plan(self, ctx: RunContext) -> _BalancePlan | CheckResult:
        p: BalanceParams = self.params
        plan: _Plan = getattr(self, "_plan", None) or self._make_plan(ctx)
        if not plan.attributes:
            return self.skip(
                "nothing to audit: no sensitive columns "
                "(declare dataset.sensitive in the suite, or the check's sensitive parameter)",
                metrics={"rows": sum(len(ctx.dataset.splits[s]) for s in plan.splits)},
                tables={"notes": [{"note": "no sensitive columns were declared or found by name"}]},
            )
        columns = [ctx.dataset.splits[s].columns for s in plan.splits]
        every = list(dict.fromkeys(c for cols in columns for c in cols))  # as the concatenated splits' columns
        common = [c for c in columns[0] if all(c in cols for cols in columns)]
        audited = tuple(c for c in common if c not in plan.attributes)
        if p.proxy_columns is not None:
            candidates = tuple(p.proxy_columns)
        else:
            excluded = {ctx.roles.key, plan.label, ctx.roles.text, *plan.attributes}
            candidates = tuple(c for c in every if c not in excluded)
        issues = ctx.artefact("label_issues")  # the flagged rows of a label-error family that ran before
        flagged: dict[str, set[int]] = {}
        if issues is not None:
            for split, row in issues.rows:
                if split in plan.splits:
                    flagged.setdefault(split, set()).add(int(row))
        read = [*plan.attributes, *([plan.label] if plan.label else []), *audited, *p.missing_columns, *candidates]
        return _BalancePlan(
            splits=tuple(plan.splits), columns=tuple(dict.fromkeys(read)), attributes=tuple(plan.attributes),
            source=plan.source, groupings=tuple(plan.groupings), explicit=p.proxy_columns is not None, label=plan.label, audited=audited, missing_columns=tuple(p.missing_columns), candidates=candidates,
            flagged=tuple((s, frozenset(rows)) for s, rows in flagged.items()),
            issues_source=issues.source if issues is not None else None, cap=PROXY_TABLE_CAP,
        )

    def map(self, plan: _BalancePlan, split: str, partition: pd.DataFrame) -> dict[str, SplitCounts]:
        flagged = dict(plan.flagged).get(split, frozenset())
        return {split: count_partition(
            partition, attributes=plan.attributes, label=plan.label, audited=plan.audited,
            missing_columns=plan.missing_columns, flagged=flagged, candidates=plan.candidates, cap=plan.cap,
            numeric_cap=PROXY_DISCRETE_MAX,
        )}

    def combine(self, plan: _BalancePlan, states: list[dict[str, SplitCounts]]) -> dict[str, SplitCounts]:
        return combine(states, plan.cap)

    def judge(self, plan: _BalancePlan, state: dict[str, SplitCounts], ctx: RunContext) -> CheckResult:
        proxies = self._proxy_plan(plan, state)
        if proxies is None:  # a proxy column's table was over the per-partition bound: count it whole
            plan = replace(plan, cap=None)
            state = self.combine(plan, ctx.engine.states(self, plan, ctx.dataset))
            proxies = self._proxy_plan(plan, state)
        p: BalanceParams = self.params
        bp = plan
        plan = _Plan(list(bp.attributes), bp.source, bp.label, list(bp.splits), list(bp.groupings))
        data = self._prepare(plan, state)
        scopes = ["all"]
        if p.per_split and len(plan.splits) > 1:
            scopes += plan.splits
        tables: dict[str, list[dict[str, Any]]] = {
            k: []
            for k in (
                "summary",
                "representation",
                "reference_tests",
                "base_rates",
                "disparities",
                "small_groups",
                "missing",
                "proxies",
                "label_errors",
                "notes",
            )
        }
        metrics: dict[str, Any] = {}
        findings: list[Finding] = []
        rates: list[_Rates] = []
        counts = {
            grouping: self._count(data, grouping)
            for grouping in ctx.progress.track(plan.groupings, len(plan.groupings), "balance")
        }
        for scope, grouping in [(scope, grouping) for scope in scopes for grouping in plan.groupings]:
            stats = self._group_stats(data, counts[grouping][scope])
            if stats is None:
                continue
            tables["representation"] += self._representation(data, scope, grouping, stats, metrics)
            rates += self._base_rates(data, scope, grouping, stats, metrics)
        if p.explain_intersections:
            _explain_by_parts(rates, p.min_ratio)
        for r in rates:
            tables["base_rates"] += r.rows
            if r.summary:
                tables["disparities"].append(r.summary)
        findings += self._ratio_findings(rates, data)
        tables["reference_tests"] = self._reference_tests(tables["representation"], metrics, findings)
        tables["small_groups"] = self._small_groups(tables["representation"], findings)
        tables["missing"] = self._missing(data, bp, metrics, findings)
        tables["proxies"] = self._proxies(data, plan, proxies, metrics, findings, data.notes)
        tables["label_errors"] = self._label_errors(data, bp, metrics, findings, data.notes)

        failing = [s for s in tables["disparities"] if s["split"] == "all" and s["status"] == "fail"]
        inconclusive = [s for s in tables["disparities"] if s["split"] == "all" and s["status"] == "inconclusive"]
        proxies = [r for r in tables["proxies"] if r["status"] == "proxy"]
        skewed_missing = [r for r in tables["missing"] if r["status"] == "skewed"]
        skewed_errors = [r for r in tables["label_errors"] if r["status"] == "skewed"]
        represented = [r for r in tables["representation"] if r["split"] == "all" and r["status"] in ("under", "over")]
        all_ratios = [s["ratio"] for s in tables["disparities"] if s["split"] == "all" and s["ratio"] is not None]
        head = {
            "failing_ratios": len(failing),
            "proxies": len(proxies),
            "small_groups": len(tables["small_groups"]),
            "rows": data.rows,
            "worst_ratio": min(all_ratios) if all_ratios else None,
            "skewed_missing": len(skewed_missing),
            "skewed_label_errors": len(skewed_errors),
            "misrepresented_groups": len(represented),
            "inconclusive_ratios": len(inconclusive),
            "explained_intersections": sum(
                r["status"] == "explained" for r in tables["base_rates"] if r["split"] == "all"
            ),
        }
        metrics = {**head, **metrics}
        tables["summary"] = [self._summary(data, plan, scopes)]
        tables["notes"] = [{"note": n} for n in data.notes]
        failed = bool(failing or proxies or skewed_missing or skewed_errors or represented)
        failed = failed or bool(p.fail_on_small_groups and tables["small_groups"])
        message = self._message(
            plan, data, failing, inconclusive, proxies, tables, skewed_missing, skewed_errors, represented
        )
        findings.sort(key=lambda f: -(f.score or 0.0))
        return self.result(failed=failed, message=message, metrics=metrics, findings=findings, tables=tables)

    # ---------------------------------------------------------------- preparation

    def _prepare(self, plan: _Plan, state: dict[str, SplitCounts]) -> _Data:
        counts = {name: state.get(name) or SplitCounts() for name in plan.splits}
        notes: list[str] = []
        if plan.source == "inferred":
            notes.append(
                f"sensitive columns inferred from their names: {', '.join(plan.attributes)} "
                "(declare dataset.sensitive to confirm)"
            )
        order: dict[str, list[str]] = {}
        position: dict[str, dict[Any, int]] = {}
        for i, attribute in enumerate(plan.attributes):
            values: Counter = Counter()
            classes: list[str] = []
            for c in counts.values():
                classes += c.classes.get(attribute, [])
                for (keys, _), n in c.joint.items():
                    values[keys[i]] += n
            kind = combined_class([k for k in classes if k != "absent"], "absent" in classes)
            order[attribute], position[attribute], note = self._group_column(attribute, values, kind)
            if note:
                notes.append(note)
        label_counts: Counter = Counter()
        unlabelled = 0
        for c in counts.values():
            for (_, label), n in c.joint.items():
                if label is None:
                    unlabelled += n
                else:
                    label_counts[label] += n
        has_label = plan.label is not None and any(c.labelled_column for c in counts.values())
        label_values, classes_, binary = [], [], False
        if has_label:
            label_values = sorted(label_counts)
            classes_, binary, note = self._classes(plan.label, pd.Series(label_counts, dtype="int64").reindex(label_values))
            if note:
                notes.append(note)
            if unlabelled and classes_:
                notes.append(
                    f"{_plural(unlabelled, 'row')} without a {plan.label} value "
                    f"{'are' if unlabelled != 1 else 'is'} left out of the base rates"
                )
        elif plan.label is None:
            notes.append(
                "no label column: label base rates are not computed (declare dataset.label or the check's label)"
            )
        return _Data(
            rows=sum(c.rows for c in counts.values()),
            split_rows={name: c.rows for name, c in counts.items()},
            order=order,
            position=position,
            has_label=has_label,
            label_values=label_values,
            label_name=plan.label,
            classes=classes_,
            binary=binary,
            counts=counts,
            notes=notes,
        )

    def _group_column(self, attribute: str, values: Counter, kind: str) -> tuple[list[str], dict[Any, int], str | None]:
        """The display order of an attribute's groups, each raw value's position in it, and a note on
        what was done. ``values``: rows per raw value (None: missing); ``kind``: the column's class."""
        notes = []
        present = [v for v in values if v is not None]
        position: dict[Any, int] = {}
        if kind in ("int", "float") and len(present) > MAX_GROUPS:
            order, position = self._quantile_bins(values, present)
            notes.append(
                f"{attribute} has {len(present)} distinct values: "
                f"cut into {len(order)} quantile bins ({', '.join(order)})"
            )
        else:
            text = dict(zip(present, render(present, kind)))
            rows: Counter = Counter()
            for value in present:
                rows[text[value]] += values[value]
            order = sorted(rows, key=lambda name: (-rows[name], name))
            at = {name: i for i, name in enumerate(order)}
            position = {value: at[text[value]] for value in present}
        missing = sum(n for v, n in values.items() if v not in position)
        if missing:
            order.append(MISSING_GROUP)
            for value in [v for v in values if v not in position]:
                position[value] = len(order) - 1
            notes.append(
                f"{attribute}: {missing} row{'s have' if missing != 1 else ' has'} no value; counted as the group "
                f"'{MISSING_GROUP}' (fairlearn's MetricFrame rejects missing sensitive values)"
            )
        return order, position, "; ".join(notes) or None

    @staticmethod
    def _quantile_bins(values: Counter, present: list[Any]) -> tuple[list[str], dict[Any, int]]:
        """A many-valued numeric attribute as quantile bins (of its rows, as ``np.quantile`` cuts them):
        the bins present, and each finite value's bin (other values are missing)."""
        v = np.array(present, dtype=float)
        w = np.array([values[x] for x in present], dtype=np.int64)
        ok = np.isfinite(v)
        edges = np.unique(quantiles(v[ok], w[ok], np.linspace(0, 1, SENSITIVE_BINS + 1)))
        if len(edges) < 2:
            edges = np.array([edges[0], edges[0]])
        labels = [f"[{edges[i]:.6g}, {edges[i + 1]:.6g})" for i in range(len(edges) - 1)]
        labels[-1] = labels[-1][:-1] + "]"
        index = np.clip(np.searchsorted(edges[1:-1], v, side="right"), 0, len(labels) - 1)
        used = np.flatnonzero(np.bincount(index[ok], weights=w[ok], minlength=len(labels)))
        at = np.full(len(labels), -1)
        at[used] = np.arange(len(used))
        position = {x: int(at[i]) for x, i, fine in zip(present, index, ok) if fine}
        return [labels[i] for i in used], position

    def _classes(self, label: str, counts: pd.Series) -> tuple[list[str], bool, str | None]:
        """(classes to audit, binary?, note) from the rows per label value."""
        p: BalanceParams = self.params
        if p.positive_label is not None:
            return [_value_text(p.positive_label)], len(counts) <= 2, None
        if len(counts) < 2:
            return (
                [],
                False,
                f"{label} has {len(counts)} distinct value{'s' if len(counts) != 1 else ''}: no base rates to compare",
            )
        if len(counts) == 2:
            names = sorted(counts.index)
            for name in names:
                if name.strip().lower() in POSITIVE_TOKENS:
                    return [name], True, f"positive label: {label} = {name!r} (set positive_label to choose another)"
            rarer = min(names, key=lambda n: (counts[n], n))
            return (
                [rarer],
                True,
                f"positive label: {label} = {rarer!r}, the rarer of two values (set positive_label to choose)",
            )
        if len(counts) > MAX_CLASSES:
            return (
                [],
                False,
                (
                    f"{label} has {len(counts)} distinct values: base rates skipped (set positive_label to audit one value)"
                ),
            )
        kept = [c for c in sorted(counts.index) if counts[c] >= p.min_group_size]
        rare = [c for c in sorted(counts.index) if counts[c] < p.min_group_size]
        note = f"{label} has {len(counts)} classes: base rates one-vs-rest per class"
        if rare:
            left_out = _listed([repr(c) for c in rare], 5)
            note += f"; {_plural(len(rare), 'class', 'classes')} under {p.min_group_size} rows left out ({left_out})"
        return kept, False, note

    # ---------------------------------------------------------------- representation and base rates

    def _count(self, data: _Data, grouping: tuple[str, ...]) -> dict[str, GroupCounts]:
        """Counts per group and label value for each split, and for all of them (the splits' sum)."""
        attributes = list(data.order)
        names = [data.order[a] for a in grouping]
        sizes = [len(n) for n in names]
        groups = list(itertools.product(*names))
        labels = data.label_values if data.has_label else []
        label_at = {v: i for i, v in enumerate(labels)}
        width = len(labels) + 1
        per_split = {}
        for split, counts in data.counts.items():
            table = np.zeros((len(groups), width), dtype=np.int64)
            for (keys, label), n in counts.joint.items():
                code = 0
                for a, size in zip(grouping, sizes):
                    code = code * size + data.position[a][keys[attributes.index(a)]]
                table[code, label_at.get(label, len(labels)) if label is not None else len(labels)] += n
            per_split[split] = GroupCounts(groups, list(labels), table)
        total = GroupCounts(groups, list(labels), sum(c.table for c in per_split.values()))
        return {"all": total, **per_split}

    def _group_stats(self, data: _Data, counts: GroupCounts) -> _Stats | None:
        """Rows per group, and labelled rows and positives per audited class.

        The same figures as fairlearn's ``MetricFrame`` with ``count`` and, the label passed as
        both y_true and y_pred, ``selection_rate(pos_label=c)`` times the group's labelled rows.
        """
        rows = counts.rows
        if rows.sum() == 0:
            return None
        audit = data.has_label and bool(data.classes)
        labelled = counts.labelled if audit else np.zeros(len(counts.groups), dtype=np.int64)
        positives = {c: counts.positives(c) for c in data.classes} if audit and labelled.any() else {}
        return _Stats(counts.groups, rows, labelled, positives)

    def _representation(
        self, data: _Data, scope: str, grouping: tuple[str, ...], stats: _Stats, metrics: dict
    ) -> list[dict]:
        p: BalanceParams = self.params
        groups, rows_ = stats.groups, stats.rows
        total = int(rows_.sum())
        reference = p.reference.get(grouping[0]) if len(grouping) == 1 else None
        ref_shares = {_value_text(g): s for g, s in (reference or {}).items()}
        non_missing = int(sum(n for g, n in zip(groups, rows_) if g[0] != MISSING_GROUP)) if reference else total
        minimum = p.min_group_size if len(grouping) == 1 else p.min_intersection
        prefix = "" if scope == "all" else f"{scope}."
        out = []
        for group, n in zip(groups, rows_):
            share = n / total
            row = {
                "split": scope,
                "attribute": JOIN.join(grouping),
                "group": JOIN.join(group),
                "rows": int(n),
                "share": _r(share),
                "reference_share": None,
                "observed_share": None,  # share among rows with a value, compared with the reference
                "share_ratio": None,
                "small": bool(n < minimum and MISSING_GROUP not in group),
                "status": None,
            }
            if reference is not None and group[0] != MISSING_GROUP:
                ref = ref_shares.get(group[0], 0.0)
                observed = n / non_missing if non_missing else 0.0
                row["reference_share"] = _r(ref)
                row["observed_share"] = _r(observed)
                row["share_ratio"] = _r(observed / ref) if ref > 0 else None
            out.append(row)
            metrics[f"{prefix}share.{KEY_JOIN.join(grouping)}={KEY_JOIN.join(group)}"] = _r(share)
            if row["share_ratio"] is not None and scope == "all":
                metrics[f"share_ratio.{grouping[0]}={group[0]}"] = row["share_ratio"]
        if reference is not None:  # reference groups absent from the data: observed 0
            for group, ref in ref_shares.items():
                if (group,) not in groups:
                    out.append(
                        {
                            "split": scope,
                            "attribute": grouping[0],
                            "group": group,
                            "rows": 0,
                            "share": 0.0,
                            "reference_share": _r(ref),
                            "observed_share": 0.0,
                            "share_ratio": 0.0 if ref > 0 else None,
                            "small": scope == "all",
                            "status": None,
                        }
                    )
        return out

    def _base_rates(
        self, data: _Data, scope: str, grouping: tuple[str, ...], stats: _Stats, metrics: dict
    ) -> list[_Rates]:
        p: BalanceParams = self.params
        if not stats.positives or not stats.labelled.any():
            return []
        minimum = p.min_group_size if len(grouping) == 1 else p.min_intersection
        return [
            self._compare(scope, grouping, c, stats.groups, stats.labelled, stats.positives[c], minimum, data, metrics)
            for c in data.classes
        ]

    def _compare(self, scope, grouping, klass, groups, n, k, minimum, data: _Data, metrics: dict) -> _Rates:
        """Rates, intervals and ratios to the reference group for one class over one grouping."""
        p: BalanceParams = self.params
        present = n > 0
        rate = rates(k, n)
        is_missing = np.array([MISSING_GROUP in g for g in groups])
        trusted = present & (n >= minimum) & ~is_missing
        candidates = trusted if trusted.any() else present & ~is_missing
        ref = int(np.flatnonzero(candidates)[np.argmax(rate[candidates])]) if candidates.any() else None
        draws = None
        if p.bootstrap and present.any():
            rng = _rng(p.seed, scope, "&".join(grouping), klass)
            draws = np.full((p.bootstrap, len(groups)), np.nan)
            draws[:, present] = bootstrap_rates(k[present], n[present], p.bootstrap, rng)
        alpha = 1 - p.confidence
        q = [alpha / 2, 1 - alpha / 2]
        ref_rate = rate[ref] if ref is not None else None
        label_text = f"{data.label_name} = {klass}"
        rows = []
        for i, group in enumerate(groups):
            row = {
                "split": scope,
                "attribute": JOIN.join(grouping),
                "label": label_text,
                "class": klass,
                "group": JOIN.join(group),
                "rows": int(n[i]),
                "positives": int(k[i]),
                "rate": _r(rate[i]) if present[i] else None,
                "rate_low": None,
                "rate_high": None,
                "reference_group": JOIN.join(groups[ref]) if ref is not None else None,
                "ratio": None,
                "ratio_low": None,
                "ratio_high": None,
                "small": bool(n[i] < minimum and not is_missing[i]),
                "status": "empty" if not present[i] else ("missing" if is_missing[i] else None),
            }
            if present[i] and draws is not None:
                lo, hi = np.quantile(draws[:, i], q)
                row["rate_low"], row["rate_high"] = _r(lo), _r(hi)
            if present[i] and ref is not None and ref_rate and ref_rate > 0:
                row["ratio"] = _r(rate[i] / ref_rate)
                if i == ref:
                    row["status"] = "reference"
                else:
                    if draws is not None:
                        with np.errstate(divide="ignore", invalid="ignore"):
                            lo, hi = np.quantile(draws[:, i] / draws[:, ref], q)
                        row["ratio_low"], row["ratio_high"] = _r(lo), _r(hi)
                    if row["status"] is None:
                        upper = row["ratio_high"] if row["ratio_high"] is not None else row["ratio"]
                        if upper < p.min_ratio:
                            row["status"] = "below"
                        elif row["ratio"] < p.min_ratio:
                            row["status"] = "inconclusive"
                        else:
                            row["status"] = "ok"
            elif row["status"] is None:
                row["status"] = "n/a"
            rows.append(row)
            if present[i]:
                prefix = "" if scope == "all" else f"{scope}."
                cls = "" if data.binary else f"[{klass}]"
                metrics[f"{prefix}base_rate{cls}.{KEY_JOIN.join(grouping)}={KEY_JOIN.join(group)}"] = _r(rate[i])

        # attribute level: min/max and max-min over trusted groups
        summary = None
        compared = np.flatnonzero(trusted)
        if len(compared) >= 2:
            lo_i, hi_i, ratio, difference = between_groups(rate, compared)
            summary = {
                "split": scope,
                "attribute": JOIN.join(grouping),
                "label": label_text,
                "class": klass,
                "min_group": JOIN.join(groups[lo_i]),
                "min_rate": _r(rate[lo_i]),
                "max_group": JOIN.join(groups[hi_i]),
                "max_rate": _r(rate[hi_i]),
                "ratio": _r(ratio),
                "ratio_low": None,
                "ratio_high": None,
                "difference": _r(difference),
                "difference_low": None,
                "difference_high": None,
                "groups_compared": len(compared),
                "status": "ok",
            }
            if draws is not None:
                sub = draws[:, compared]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratios = sub.min(axis=1) / sub.max(axis=1)
                diffs = sub.max(axis=1) - sub.min(axis=1)
                summary["ratio_low"], summary["ratio_high"] = (_r(v) for v in np.quantile(ratios, q))
                summary["difference_low"], summary["difference_high"] = (_r(v) for v in np.quantile(diffs, q))
            statuses = {r["status"] for r in rows}
            if "below" in statuses:
                summary["status"] = "fail"
            elif ratio is not None and ratio < p.min_ratio or "inconclusive" in statuses:
                summary["status"] = "inconclusive"
            prefix = "" if scope == "all" else f"{scope}."
            cls = "" if data.binary else f"[{klass}]"
            key = KEY_JOIN.join(grouping)
            metrics[f"{prefix}ratio{cls}.{key}"] = summary["ratio"]
            metrics[f"{prefix}difference{cls}.{key}"] = summary["difference"]
        elif any(r["status"] == "below" for r in rows):
            summary = {
                "split": scope,
                "attribute": JOIN.join(grouping),
                "label": label_text,
                "class": klass,
                "min_group": None,
                "min_rate": None,
                "max_group": None,
                "max_rate": None,
                "ratio": None,
                "ratio_low": None,
                "ratio_high": None,
                "difference": None,
                "difference_low": None,
                "difference_high": None,
                "groups_compared": len(compared),
                "status": "fail",
            }
        return _Rates(scope, grouping, klass, groups, n, k, rows, summary)

    # ---------------------------------------------------------------- findings from the tables

    def _ratio_findings(self, rates: list[_Rates], data: _Data) -> list[Finding]:
        p: BalanceParams = self.params
        out = []
        for r in rates:
            if r.scope != "all":
                continue
            ref = next((row for row in r.rows if row["status"] == "reference"), None)
            for row in r.rows:
                if row["status"] != "below" or ref is None:
                    continue
                interval = (
                    f" ({p.confidence:.0%} interval {_f2(row['ratio_low'])}–{_f2(row['ratio_high'])})"
                    if row["ratio_high"] is not None
                    else ""
                )
                small = f"; only {row['rows']} rows" if row["small"] else ""
                if row.get("expected_rate") is not None:
                    small = f"; its attributes' own rates predict {_pct(row['expected_rate'])}" + small
                out.append(
                    Finding(
                        message=(
                            f"{row['attribute']}={row['group']}: {_pct(row['rate'])} of rows have {row['label']} "
                            f"({row['positives']}/{row['rows']}), {_f2(row['ratio'])}× the {_pct(ref['rate'])} of "
                            f"{ref['group']}{interval}, below the four-fifths threshold {p.min_ratio:g}{small}"
                        ),
                        column=row["attribute"],
                        score=_score(1 if JOIN in row["attribute"] else 3, 1 - (row["ratio"] or 0.0)),
                        subject=f"base_rate {row['attribute']}={row['group']} {row['label']}",
                    )
                )
        return out

    def _reference_tests(self, representation: list[dict], metrics: dict, findings: list[Finding]) -> list[dict]:
        p: BalanceParams = self.params
        out = []
        for attribute in p.reference:
            rows = [
                r
                for r in representation
                if r["split"] == "all" and r["attribute"] == attribute and r["reference_share"] is not None
            ]
            observed = np.array([r["rows"] for r in rows], dtype=float)
            shares = np.array([r["reference_share"] for r in rows], dtype=float)
            total = observed.sum()
            if total == 0:
                continue
            expected = total * shares / shares.sum()
            impossible = bool(((expected == 0) & (observed > 0)).any())
            keep = expected > 0
            if impossible:
                statistic, pvalue = math.inf, 0.0
            elif keep.sum() < 2:
                statistic, pvalue = 0.0, 1.0
            else:
                from scipy.stats import chisquare

                res = chisquare(observed[keep], expected[keep])
                statistic, pvalue = float(res.statistic), float(res.pvalue)
            out.append(
                {
                    "attribute": attribute,
                    "rows": int(total),
                    "groups": len(rows),
                    "statistic": _r(statistic),
                    "dof": int(keep.sum() - 1),
                    "pvalue": _r(pvalue),
                    "significant": bool(pvalue < p.significance),
                }
            )
            metrics[f"chi2_pvalue.{attribute}"] = _r(pvalue)
            for r in rows:
                ratio = r["share_ratio"]
                if ratio is None and r["rows"] > 0 and r["reference_share"] == 0:
                    status = "over"
                elif ratio is None:
                    status = "ok"
                elif ratio < p.min_ratio:
                    status = "under"
                elif ratio > 1 / p.min_ratio:
                    status = "over"
                else:
                    status = "ok"
                if status != "ok" and pvalue >= p.significance:
                    status = "ok (not significant)"
                r["status"] = status
                if status in ("under", "over"):
                    observed_share = r["observed_share"]
                    word = "under-represented" if status == "under" else "over-represented"
                    findings.append(
                        Finding(
                            message=(
                                f"{attribute}={r['group']} is {word}: {_pct(observed_share)} of rows ({r['rows']}/{int(total)}) "
                                f"against a reference share of {_pct(r['reference_share'])} "
                                f"(ratio {_f2(ratio) if ratio is not None else '∞'}, "
                                f"outside {p.min_ratio:g}–{1 / p.min_ratio:.3g}; chi-square {_p(pvalue)})"
                            ),
                            column=attribute,
                            score=_score(3, abs(1 - ratio) if ratio is not None else 1.0),
                            subject=f"representation {attribute}={r['group']}",
                        )
                    )
        return out

    def _small_groups(self, representation: list[dict], findings: list[Finding]) -> list[dict]:
        p: BalanceParams = self.params
        out = []
        for r in representation:
            if r["split"] != "all" or not r["small"]:
                continue
            single = JOIN not in r["attribute"]
            minimum = p.min_group_size if single else p.min_intersection
            name = "min_group_size" if single else "min_intersection"
            out.append({"attribute": r["attribute"], "group": r["group"], "rows": r["rows"], "minimum": minimum})
            kind = "group" if single else "intersection"
            what = "no rows" if r["rows"] == 0 else f"only {r['rows']} row{'s' if r['rows'] != 1 else ''}"
            findings.append(
                Finding(
                    message=(
                        f"{kind} {r['attribute']}={r['group']} has {what} (fewer than {name} {minimum}): "
                        "statistics about it are not reliable"
                    ),
                    column=r["attribute"],
                    score=_score(0, 1 - r["rows"] / minimum),
                    subject=f"small_group {r['attribute']}={r['group']}",
                )
            )
        return out

    # ---------------------------------------------------------------- concentration of missing values / label errors

    def _concentration(self, rows: np.ndarray, flagged: np.ndarray, order: list[str]) -> list[dict]:
        """Per group (``rows`` and ``flagged`` rows per group of ``order``): rows, flagged, rate, the
        other rows' rate, ratio, Fisher p, skewed?"""
        p: BalanceParams = self.params
        total_n, total_k = int(rows.sum()), int(flagged.sum())
        out = []
        for group, n, k in zip(order, rows.tolist(), flagged.tolist()):
            if n == 0:
                continue
            rest_n, rest_k = total_n - n, total_k - k
            rate = k / n
            rest = rest_k / rest_n if rest_n else None
            ratio = (rate / rest if rest else (math.inf if k else None)) if rest is not None else None
            pvalue = _fisher(k, n, rest_k, rest_n) if rest_n and (k or rest_k) else 1.0
            skewed = bool(
                group != MISSING_GROUP
                and k > 0
                and ratio is not None
                and ratio >= p.concentration
                and pvalue < p.significance
            )
            out.append(
                {
                    "group": group,
                    "rows": n,
                    "flagged": k,
                    "rate": _r(rate),
                    "rest_rows": rest_n,
                    "rest_flagged": rest_k,
                    "rest_rate": _r(rest),
                    "ratio": _r(ratio) if ratio is not None and math.isfinite(ratio) else None,
                    "pvalue": _r(pvalue),
                    "status": "skewed" if skewed else "ok",
                }
            )
        return out

    def _per_group(self, data: _Data, attribute: str, per_split: Any) -> np.ndarray:
        """Rows per group of ``attribute`` from counts keyed by the attributes' raw values
        (``per_split(counts)``: one split's Counter)."""
        i = list(data.order).index(attribute)
        out = np.zeros(len(data.order[attribute]), dtype=np.int64)
        for counts in data.counts.values():
            for keys, n in per_split(counts).items():
                out[data.position[attribute][keys[i]]] += n
        return out

    def _rows_per_group(self, data: _Data, attribute: str) -> np.ndarray:
        def rows(counts: SplitCounts) -> Counter:
            out: Counter = Counter()
            for (keys, _), n in counts.joint.items():
                out[keys] += n
            return out

        return self._per_group(data, attribute, rows)

    def _missing(self, data: _Data, plan: _BalancePlan, metrics: dict, findings: list[Finding]) -> list[dict]:
        checks = ["any", *plan.missing_columns]
        out = []
        for attribute in plan.attributes:
            i = list(data.order).index(attribute)
            n = self._rows_per_group(data, attribute)
            for column in checks:
                k = self._per_group(data, attribute, lambda c: c.missing.get(column, Counter()))
                for row in self._concentration(n, k, data.order[attribute]):
                    row = {"attribute": attribute, "column": column, **row, "columns": None}
                    out.append(row)
                    key = "missing_rate" if column == "any" else f"missing_rate[{column}]"
                    metrics[f"{key}.{attribute}={row['group']}"] = row["rate"]
                    if row["status"] != "skewed":
                        continue
                    what = "a missing value" if column == "any" else f"no {column}"
                    detail = ""
                    if column == "any":
                        group = data.order[attribute].index(row["group"])
                        cells = dict.fromkeys(plan.audited, 0)
                        for counts in data.counts.values():
                            for (keys, name), v in counts.nulls.items():
                                if data.position[attribute][keys[i]] == group:
                                    cells[name] += v
                        per_column = pd.Series(cells, dtype="int64")
                        per_column = per_column[per_column > 0].sort_values(ascending=False)
                        row["columns"] = ", ".join(f"{c} {int(v)}" for c, v in per_column.head(3).items())
                        detail = f" ({row['columns']})"
                    ratio = f"{row['ratio']:.1f}×" if row["ratio"] is not None else "far above"
                    findings.append(
                        Finding(
                            message=(
                                f"missing values concentrate in {attribute}={row['group']}: {_pct(row['rate'])} of its rows "
                                f"({row['flagged']}/{row['rows']}) have {what}{detail}, {ratio} the {_pct(row['rest_rate'])} "
                                f"({row['rest_flagged']}/{row['rest_rows']}) of other rows (Fisher {_p(row['pvalue'])})"
                            ),
                            column=attribute if column == "any" else column,
                            score=_score(2, 1 - (row["rest_rate"] or 0) / row["rate"]),
                            subject=f"missing {attribute}={row['group']} {column}",
                        )
                    )
        return out

    def _label_errors(
        self, data: _Data, plan: _BalancePlan, metrics: dict, findings: list[Finding], notes: list[str]
    ) -> list[dict]:
        # the flagged rows of a label-error family that ran before this check (suite order);
        # none listed, or listed after balance: no table
        if plan.issues_source is None:
            return []
        source = plan.issues_source
        total = sum(sum(c.flagged.values()) for c in data.counts.values())
        notes.append(f"label errors by group: rows flagged by '{source}' ({int(total)} in the audited splits)")
        out = []
        for attribute in plan.attributes:
            n = self._rows_per_group(data, attribute)
            k = self._per_group(data, attribute, lambda c: c.flagged)
            for row in self._concentration(n, k, data.order[attribute]):
                row = {"attribute": attribute, **row}
                out.append(row)
                metrics[f"label_error_rate.{attribute}={row['group']}"] = row["rate"]
                if row["status"] == "skewed":
                    ratio = f"{row['ratio']:.1f}×" if row["ratio"] is not None else "far above"
                    findings.append(
                        Finding(
                            message=(
                                f"label errors concentrate in {attribute}={row['group']}: {_pct(row['rate'])} of its rows "
                                f"({row['flagged']}/{row['rows']}) flagged by {source}, {ratio} the {_pct(row['rest_rate'])} "
                                f"({row['rest_flagged']}/{row['rest_rows']}) of other rows (Fisher {_p(row['pvalue'])})"
                            ),
                            column=attribute,
                            score=_score(2, 1 - (row["rest_rate"] or 0) / row["rate"]),
                            subject=f"label_errors {attribute}={row['group']}",
                        )
                    )
        return out

    # ---------------------------------------------------------------- proxies

    def _proxy_plan(self, plan: _BalancePlan, state: dict[str, SplitCounts]) -> tuple[list, list[str]] | None:
        """Which candidates are searched, with which measure, from their combined counts (the
        decisions ``column_kind`` makes on whole columns), and those skipped; None when a searched
        column kept no table (more distinct values than the per-partition bound)."""
        explicit = plan.explicit
        skipped: list[str] = []
        candidates: list[tuple[str, str, Any, str]] = []  # (column, measure, counts, class)
        for column in plan.candidates:
            parts = [state[s].proxies[column] for s in plan.splits if s in state and column in state[s].proxies]
            classes = [k for s in plan.splits if s in state for k in state[s].classes.get(f"proxy:{column}", [])]
            counts = parts[0]
            for part in parts[1:]:
                counts = counts.merge(part, plan.cap)
            kind_class = combined_class([k for k in classes if k != "absent"], "absent" in classes)
            kind = self._column_kind(kind_class, counts)
            if kind == "numeric":
                distinct = counts.distinct()
                measure = "cramers_v" if distinct is not None and distinct <= PROXY_DISCRETE_MAX else "correlation_ratio"
            elif kind in ("categorical", "boolean"):
                unique, count = counts.distinct(), counts.count
                if unique is None:
                    return None
                if not explicit and unique > IDENTIFIER_MIN_UNIQUE and count and unique / count > 0.5:
                    skipped.append(f"{column} (identifier-like)")
                    continue
                measure = "cramers_v"
            elif explicit:
                measure = "cramers_v"
            else:
                if kind != "text":
                    skipped.append(f"{column} ({kind})")
                continue
            if measure == "cramers_v" and counts.table is None:
                return None
            candidates.append((column, measure, counts, kind_class))
        return candidates, skipped

    @staticmethod
    def _column_kind(kind_class: str, counts: Any) -> str:
        """:func:`curate.baseline.column_kind` of the whole column, from its class and counts."""
        if kind_class == "bool":
            return "boolean"
        if kind_class in ("int", "float"):
            return "numeric"
        if kind_class in ("datetime", "other"):
            return kind_class
        unique, count = counts.distinct(), counts.count
        if unique is None:
            return "categorical"  # decided by the caller (no table: counted again)
        if unique <= MAX_CATEGORIES or (count and unique / count < 0.05):
            return "categorical"
        mean_length = counts.length / count if count else 0
        return "text" if mean_length >= TEXT_MIN_MEAN_LENGTH else "categorical"

    def _proxies(
        self, data: _Data, plan: _Plan, proxy_plan: tuple[list, list[str]], metrics: dict, findings: list[Finding],
        notes: list[str],
    ) -> list[dict]:
        p: BalanceParams = self.params
        candidates, skipped = proxy_plan
        if skipped:
            notes.append(f"proxy search skipped: {', '.join(skipped)}")
        out = []
        for attribute in plan.attributes:
            i = list(data.order).index(attribute)
            at = data.position[attribute]
            groups = len(data.order[attribute])
            for column, measure, counts, kind_class in candidates:
                if measure == "cramers_v":
                    values = list({v for _, v in counts.table if v is not None})
                    text = dict(zip(values, render(values, kind_class)))
                    categories = {name: j for j, name in enumerate(dict.fromkeys(text.values()))}
                    table = np.zeros((groups, len(categories) + 1), dtype=np.int64)
                    for (keys, v), n in counts.table.items():
                        table[at[keys[i]], categories[text[v]] if v is not None else len(categories)] += n
                    # the attribute's values only: a column that tells where the attribute was not recorded
                    # ("sexing primers did not amplify") recovers no one's attribute (missing rates are their own table)
                    value = cramers_v_table(table[[j for j, g in enumerate(data.order[attribute]) if MISSING_GROUP not in g]])
                else:
                    n = np.zeros(groups, dtype=np.int64)
                    sums = np.zeros(groups)
                    for keys, (rows, total) in counts.sums.items():
                        n[at[keys[i]]] += rows
                        sums[at[keys[i]]] += total
                    value = correlation_ratio_sums(n, sums, counts.moments)
                flagged = value >= p.proxy_threshold
                out.append(
                    {
                        "column": column,
                        "attribute": attribute,
                        "measure": measure,
                        "value": _r(value),
                        "threshold": p.proxy_threshold,
                        "status": "proxy" if flagged else "ok",
                    }
                )
                metrics[f"proxy.{column}~{attribute}"] = _r(value)
                if flagged:
                    what = (
                        "bias-corrected Cramér's V" if measure == "cramers_v" else "bias-corrected correlation ratio η"
                    )
                    findings.append(
                        Finding(
                            message=(
                                f"{column} is a proxy for {attribute} ({what} {value:.2f} ≥ {p.proxy_threshold:g}): "
                                f"a model can recover {attribute} from it even when {attribute} is dropped"
                            ),
                            column=column,
                            score=_score(2, value),
                            subject=f"proxy {column}~{attribute}",
                        )
                    )
        out.sort(key=lambda r: (-(r["value"] or 0.0), r["column"], r["attribute"]))
        return out

    # ---------------------------------------------------------------- summary and message

    def _summary(self, data: _Data, plan: _Plan, scopes: list[str]) -> dict[str, Any]:
        p: BalanceParams = self.params
        return {
            "rows": data.rows,
            "splits": ", ".join(plan.splits),
            "split_rows": ", ".join(f"{s} {n}" for s, n in data.split_rows.items()),
            "scopes": ", ".join(scopes),
            "sensitive": ", ".join(plan.attributes),
            "sensitive_source": plan.source,
            "intersections": "; ".join(JOIN.join(g) for g in plan.groupings if len(g) > 1),
            "label": plan.label,
            "classes": ", ".join(data.classes),
            "binary": data.binary,
            "min_ratio": p.min_ratio,
            "min_group_size": p.min_group_size,
            "min_intersection": p.min_intersection,
            "bootstrap": p.bootstrap,
            "confidence": p.confidence,
            "seed": p.seed,
            "proxy_threshold": p.proxy_threshold,
            "concentration": p.concentration,
            "significance": p.significance,
        }

    def _message(
        self, plan, data, failing, inconclusive, proxies, tables, skewed_missing, skewed_errors, represented
    ) -> str:
        p: BalanceParams = self.params
        parts = []
        if failing:
            shown = [
                f"{s['attribute']} {_f2(s['ratio'])}" + ("" if data.binary else f" [{s['class']}]")
                for s in sorted(
                    failing, key=lambda s: (JOIN in s["attribute"], s["ratio"] if s["ratio"] is not None else 0)
                )
            ]
            what = f"{plan.label} = {data.classes[0]}" if data.binary else f"{plan.label} classes"
            parts.append(f"base rate of {what} below the four-fifths rule ({p.min_ratio:g}): {_listed(shown)}")
        if represented:
            shown = [
                f"{r['attribute']}={r['group']} {_pct(r['observed_share'])} vs {_pct(r['reference_share'])}"
                for r in represented
            ]
            parts.append(f"shares off the reference: {_listed(shown)}")
        if proxies:
            shown = [f"{r['column']}→{r['attribute']} ({r['value']:.2f})" for r in proxies]
            parts.append(f"{_plural(len(proxies), 'proxy', 'proxies')}: {_listed(shown)}")
        if skewed_missing:
            shown = [
                f"{r['attribute']}={r['group']}" + ("" if r["column"] == "any" else f" ({r['column']})")
                for r in skewed_missing
            ]
            parts.append(f"missing values concentrate in {_listed(shown)}")
        if skewed_errors:
            shown = [f"{r['attribute']}={r['group']}" for r in skewed_errors]
            parts.append(f"label errors concentrate in {_listed(shown)}")
        small = tables["small_groups"]
        if small:
            worst = min(small, key=lambda r: r["rows"])
            parts.append(
                f"{_plural(len(small), 'group')} too small to trust "
                f"(smallest {worst['attribute']}={worst['group']}: {_plural(worst['rows'], 'row')})"
            )
        if inconclusive:
            parts.append(f"{_plural(len(inconclusive), 'ratio')} below {p.min_ratio:g} but within sampling noise")
        explained = [r for r in tables["base_rates"] if r["split"] == "all" and r["status"] == "explained"]
        if explained and parts:
            parts.append(
                f"{_plural(len(explained), 'intersection gap')} no worse than their attributes' own gaps predict (not findings)"
            )
        where = f"{data.rows:,} rows" + (f" in {', '.join(plan.splits)}" if len(plan.splits) > 1 else "")
        sensitive = ", ".join(plan.attributes) + (" (inferred from names)" if plan.source == "inferred" else "")
        if not parts:
            return f"no imbalance beyond the thresholds across {sensitive}; {where}"
        return f"{'; '.join(parts)} — {sensitive}, {where}"


__all__ = ["BalanceCheck", "BalanceParams", "bootstrap_rates", "correlation_ratio", "cramers_v"]
