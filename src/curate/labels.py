"""Confident Learning glue: curate's thin, validated layer over cleanlab.

cleanlab (Apache-2.0 since 2.8) implements Confident Learning (Northcutt, Jiang & Chuang, JAIR
2021); curate does not re-implement it. This module only

* checks inputs and turns cleanlab's asserts and tracebacks into one-line
  :class:`LabelInputError` messages (wrong shapes, one class, labels out of range, NaN, logits
  instead of probabilities);
* maps arbitrary label values to the integer codes cleanlab wants: classes in **sorted order**,
  column ``j`` of ``pred_probs`` is the ``j``-th smallest label (cleanlab's and Datalab's convention);
* fixes ``n_jobs=1`` by default (see :func:`find_label_issues`);
* derives what a reviewer needs from cleanlab's outputs: the suggested label and its
  confidence, the label-quality score, the estimated noisy-vs-true joint and per-class noise rates;
* tells what kind of label a column holds (:func:`label_kind`): classification Confident Learning
  only makes sense for categorical classes, not for scores, measurements, ids or free text;
* judges whether the out-of-sample model can be trusted to point at wrong labels at all
  (:func:`guard`): a model that barely beats always predicting the majority class disagrees with
  many labels because it is weak, not because the labels are wrong.

``curate.find_label_issues(labels, pred_probs)`` equals ``cleanlab.filter.find_label_issues``
on the same inputs (a test asserts it). cleanlab and scikit-learn are imported inside the
functions, so ``import curate`` stays light.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import CurateError

FILTER_BY = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)
RANK_BY = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
SUM_TOLERANCE = 0.01  # rows of pred_probs must sum to 1 within this (else: logits or scores?)


class LabelInputError(CurateError, ValueError):
    """Labels or predicted probabilities that Confident Learning cannot use (one-line message)."""


# --------------------------------------------------------------------------- inputs


def encode_labels(labels: Sequence[Any] | np.ndarray, classes: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Integer codes 0..K-1 for ``labels`` and the class list (sorted unless ``classes`` is given).

    Integer labels that already are codes (``0..K-1``) are returned unchanged with classes
    ``[0, 1, …, K-1]`` so that cleanlab-style inputs keep their meaning.
    """
    values = np.asarray(labels)
    if values.ndim != 1:
        raise LabelInputError(f"labels must be one-dimensional, got shape {values.shape}")
    if len(values) == 0:
        raise LabelInputError("labels are empty")
    if classes is None:
        if values.dtype.kind in "iu":
            if values.min() < 0:
                raise LabelInputError(f"integer labels must be class indices ≥ 0, got {int(values.min())}")
            return values.astype(np.int64, copy=False), list(range(int(values.max()) + 1))
        if values.dtype.kind == "f":
            if not np.isfinite(values).all():
                raise LabelInputError("labels contain missing values (NaN); drop those rows first")
            if np.all(values == np.round(values)) and values.min() >= 0:
                codes = values.astype(np.int64)
                return codes, list(range(int(codes.max()) + 1))
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values.tolist()):
            raise LabelInputError("labels contain missing values (None/NaN); drop those rows first")
        try:
            classes = sorted(set(values.tolist()))
        except TypeError:
            classes = sorted(set(values.tolist()), key=str)
    index = {c: i for i, c in enumerate(classes)}
    try:
        codes = np.fromiter((index[v] for v in values.tolist()), dtype=np.int64, count=len(values))
    except KeyError as exc:
        raise LabelInputError(f"label {exc.args[0]!r} is not one of the classes {list(classes)[:10]}") from None
    return codes, list(classes)


def check_inputs(labels: Sequence[Any] | np.ndarray, pred_probs: Any, classes: Sequence[Any] | None = None) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Validated ``(integer labels, float pred_probs, classes)`` or a :class:`LabelInputError`.

    Checks: 2-D probabilities with one row per label and one column per class; finite values
    in [0, 1]; rows summing to 1 (within 0.01: logits or unnormalised scores are refused, not
    silently fixed); labels within the columns; at least two classes among the labels.
    """
    codes, classes = encode_labels(labels, classes)
    probs = np.asarray(pred_probs)
    if probs.dtype.kind not in "fiu":
        raise LabelInputError(f"pred_probs must be numbers, got dtype {probs.dtype}")
    if probs.ndim != 2:
        raise LabelInputError(f"pred_probs must be 2-D (rows × classes), got shape {probs.shape}")
    if probs.shape[0] != len(codes):
        raise LabelInputError(f"pred_probs has {probs.shape[0]:,} rows but there are {len(codes):,} labels")
    if probs.shape[1] < 2:
        raise LabelInputError(f"pred_probs needs one column per class (at least 2), got {probs.shape[1]}")
    named = classes != list(range(len(classes)))  # label values, not cleanlab's 0..K-1 codes
    if len(classes) > probs.shape[1] or codes.max() >= probs.shape[1] or (named and len(classes) != probs.shape[1]):
        raise LabelInputError(
            f"pred_probs has {probs.shape[1]} columns but the labels have {max(len(classes), int(codes.max()) + 1)} "
            "classes (columns must be the classes in sorted order)"
        )
    if not np.isfinite(probs).all():
        bad = int(np.flatnonzero(~np.isfinite(probs).all(axis=1))[0])
        raise LabelInputError(f"pred_probs row {bad} contains NaN or infinity")
    if probs.min() < -1e-6 or probs.max() > 1 + 1e-6:
        raise LabelInputError("pred_probs values must lie in [0, 1] (got logits or scores? apply a softmax first)")
    sums = probs.sum(axis=1)
    off = np.abs(sums - 1.0) > SUM_TOLERANCE
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise LabelInputError(f"pred_probs rows must sum to 1; row {row} sums to {sums[row]:.4g}")
    if len(np.unique(codes)) < 2:
        raise LabelInputError(f"labels have a single class ({classes[int(codes[0])]!r}): nothing to tell a wrong label from")
    return codes, probs.astype(np.float64, copy=False), classes


# --------------------------------------------------------------------------- cleanlab calls


def find_label_issues(
    labels: Sequence[Any] | np.ndarray,
    pred_probs: Any,
    filter_by: str = "prune_by_noise_rate",
    *,
    n_jobs: int = 1,
    **kwargs: Any,
) -> np.ndarray:
    """Boolean mask of likely label errors: ``cleanlab.filter.find_label_issues`` with checked inputs.

    ``labels``: one per row; integer class indices ``0..K-1`` as cleanlab takes them, or any
    values (strings…), mapped to indices in sorted order. ``pred_probs``: out-of-sample predicted
    probabilities, shape ``(rows, K)``, column ``j`` = class ``j`` in that sorted order.
    ``filter_by``: one of :data:`FILTER_BY` (cleanlab's options). Other keyword arguments
    (``frac_noise``, ``min_examples_per_class``, ``confident_joint``, …) go to cleanlab unchanged,
    except ``return_indices_ranked_by``: this function always returns the mask.

    ``n_jobs`` defaults to 1, unlike cleanlab (a pool of all cores): the mask does not depend on it,
    cleanlab's pool forks the whole process (after scikit-learn has started OpenMP/BLAS threads),
    and it saves nothing at this size (bench/RESULTS.md).

    Memory: ``cleanlab.experimental.label_issues_batched.find_label_issues_batched`` reads
    probabilities in mini-batches but approximates ``filter_by="low_self_confidence"``, so it
    would change the answer; curate holds the dataset in memory anyway and the probabilities
    are rows × classes float64, so it is not used here. For probability files
    larger than memory, call it directly on a memory-mapped ``.npy``.
    """
    if filter_by not in FILTER_BY:
        raise LabelInputError(f"unknown filter_by '{filter_by}'; use one of {', '.join(FILTER_BY)}")
    if "return_indices_ranked_by" in kwargs:
        raise LabelInputError("curate.find_label_issues returns a mask; rank with label_quality_scores()")
    codes, probs, _ = check_inputs(labels, pred_probs)
    from cleanlab.filter import find_label_issues as _cleanlab_find

    return np.asarray(_cleanlab_find(codes, probs, filter_by=filter_by, n_jobs=n_jobs, **kwargs), dtype=bool)


def label_quality_scores(labels: np.ndarray, pred_probs: np.ndarray, method: str = "self_confidence") -> np.ndarray:
    """cleanlab's label-quality score per row (1 = label looks right, 0 = looks wrong)."""
    if method not in RANK_BY:
        raise LabelInputError(f"unknown rank_by '{method}'; use one of {', '.join(RANK_BY)}")
    from cleanlab.rank import get_label_quality_scores

    return np.asarray(get_label_quality_scores(labels, pred_probs, method=method), dtype=float)


def noise_matrices(labels: np.ndarray, pred_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(joint, noise_rate)``: cleanlab's calibrated estimate of ``P(given=i, true=j)`` and,
    per given class ``i``, the estimated share of its rows whose true class differs,
    ``1 - joint[i, i] / joint[i].sum()``."""
    from cleanlab.count import compute_confident_joint, estimate_joint

    k = pred_probs.shape[1]
    confident = compute_confident_joint(labels, pred_probs)
    joint = np.asarray(estimate_joint(labels, pred_probs, confident_joint=confident), dtype=float)
    rows = joint.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        noise = np.where(rows > 0, 1.0 - np.diag(joint) / np.where(rows > 0, rows, 1.0), 0.0)
    return joint.reshape(k, k), np.clip(noise, 0.0, 1.0)


def swap_rates(joint: np.ndarray, max_asymmetry: float | None = None) -> np.ndarray:
    """``S[i, j]``: the estimated rate at which rows of true class ``j`` carry label ``i`` by mistake.

    From cleanlab's calibrated joint ``P(given, true)``: ``P(given=i | true=j)``, the flag's own
    direction. Under Confident Learning's noise model a row of true class ``j`` carries label ``i``
    with that probability whatever its content, so a mislabelled row's label keeps about that
    probability. A direction more than ``max_asymmetry`` times the reverse one (many true-``j`` rows
    labelled ``i``, few the other way) marks a boundary annotators dispute rather than random
    mislabelling: there the lower, reverse rate is used (``None``: never; 1: always the lower).
    """
    true_share = joint.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        given_if_true = np.where(true_share > 0, joint / np.where(true_share > 0, true_share, 1.0), 0.0)
    if max_asymmetry is None:
        return given_if_true
    reverse = given_if_true.T
    return np.where(given_if_true <= max_asymmetry * reverse, given_if_true, np.minimum(given_if_true, reverse))


def suggestions(labels: np.ndarray, pred_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the most probable class *other than* the given one and its probability."""
    others = pred_probs.copy()
    others[np.arange(len(labels)), labels] = -1.0
    best = others.argmax(axis=1)
    return best, pred_probs[np.arange(len(labels)), best]


def unflagged_error(labels: np.ndarray, pred_probs: np.ndarray, mask: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """``(rate, upper)``: the share of the rows Confident Learning does not flag whose label is not the
    model's most probable class, and its one-sided Clopper–Pearson upper bound at ``confidence``.

    A low bound says the model is all but never wrong outside its flags, so its flags are the label
    noise, not its own boundary errors; with few rows the bound stays high whatever the rate.
    """
    from scipy.stats import beta

    rest = ~mask
    n = int(rest.sum())
    wrong = int((pred_probs[rest].argmax(axis=1) != labels[rest]).sum()) if n else 0
    upper = float(beta.ppf(confidence, wrong + 1, n - wrong)) if wrong < n else 1.0
    return (wrong / n if n else 0.0), upper


@dataclass
class LabelIssues:
    """Everything the ``label_errors`` check reports, for rows with integer labels 0..K-1."""

    mask: np.ndarray  # bool: cleanlab flags the row
    quality: np.ndarray  # label-quality score per row (cleanlab.rank)
    suggested: np.ndarray  # best other class per row
    confidence: np.ndarray  # its predicted probability
    joint: np.ndarray  # K × K estimated P(given, true)
    noise_rate: np.ndarray  # K: estimated share of wrong labels per given class


def analyse(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    *,
    filter_by: str = "prune_by_noise_rate",
    rank_by: str = "self_confidence",
) -> LabelIssues:
    """Run Confident Learning once and derive the reviewer's view of every row."""
    mask = find_label_issues(labels, pred_probs, filter_by)
    quality = label_quality_scores(labels, pred_probs, rank_by)
    suggested, confidence = suggestions(labels, pred_probs)
    joint, noise = noise_matrices(labels, pred_probs)
    return LabelIssues(mask, quality, suggested, confidence, joint, noise)


# --------------------------------------------------------------------------- label kinds

LABEL_KINDS = ("categorical", "ordinal", "continuous", "identifier", "text", "multilabel")
# a name that says "this is a score on a scale" (token match: `review_score`, `stars`, `Quality`)
SCORE_NAME = re.compile(r"(?:^|[^a-z])(rating|ratings|score|scores|stars?|grade|quality|points|likert|severity)(?:$|[^a-z])")
SCALE_MIN_VALUES = 7  # this many consecutive integers (e.g. 0–10, 1–10, 1–7) read as a rating scale
SCALE_MAX_SPAN = 11  # … when they span at most 0–10
MANY_VALUES = 50  # more distinct values than this, and mostly unique: not classes
UNIQUE_SHARE = 0.5
TEXT_MEAN_LENGTH = 30  # strings averaging more characters than this (with spaces) are free text


@dataclass
class LabelKind:
    """What a label column holds (one of :data:`LABEL_KINDS`) and the evidence, for the report."""

    kind: str
    reason: str

    @property
    def categorical(self) -> bool:
        return self.kind == "categorical"


def _split_camel(name: str) -> str:
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def label_kind(values: pd.Series, name: str = "", *, class_label: bool = False) -> LabelKind:
    """Classify a label column's non-missing ``values`` (see the README's "label kinds").

    ``class_label``: the dataset card declares the column a ClassLabel, which settles it.
    Integer codes ``0..K-1`` of a few classes stay categorical; a run of 7+ consecutive integers
    within 0–10, or integers under a score-like name (``rating``, ``stars``, ``quality``…), is an
    ordinal score; non-integer numbers are continuous; many mostly-unique values are ids or
    free text; lists are multi-label.
    """
    values = values.dropna()
    if class_label:
        return LabelKind("categorical", "ClassLabel in the dataset card")
    if values.empty:
        return LabelKind("categorical", "no values")
    first = values.iloc[0]
    if isinstance(first, (list, tuple, set, np.ndarray)):
        return LabelKind("multilabel", "values are lists (several labels per row)")
    if pd.api.types.is_bool_dtype(values):
        return LabelKind("categorical", "true/false")
    n, distinct = len(values), values.nunique()
    many = distinct > MANY_VALUES and distinct > UNIQUE_SHARE * n
    if pd.api.types.is_numeric_dtype(values):
        return _numeric_kind(values.astype(float), _split_camel(name), distinct, many)
    texts = values.astype(str)
    if many:
        spaced = texts.str.contains(" ", regex=False).mean() > 0.5
        if spaced or texts.str.len().mean() > TEXT_MEAN_LENGTH:
            return LabelKind("text", f"{distinct:,} distinct values in {n:,} rows, mostly sentences")
        return LabelKind("identifier", f"{distinct:,} distinct values in {n:,} rows (identifier-like)")
    return LabelKind("categorical", f"{distinct} distinct values")


def _numeric_kind(x: pd.Series, name: str, distinct: int, many: bool) -> LabelKind:
    integral = bool(np.all(np.isfinite(x)) and np.all(x == np.round(x)))
    if not integral:
        return LabelKind("continuous", f"non-integer numbers ({distinct:,} distinct values, e.g. {x.iloc[0]:g})")
    if many:
        return LabelKind("continuous", f"{distinct:,} distinct integers (a count, measurement or id, not classes)")
    levels = np.unique(x.to_numpy())
    lo, hi = int(levels[0]), int(levels[-1])
    consecutive = hi - lo + 1 == len(levels)
    if SCORE_NAME.search(name) and len(levels) >= 3:
        return LabelKind("ordinal", f"scores {lo}–{hi} under a score-like name '{name}'")
    if consecutive and len(levels) >= SCALE_MIN_VALUES and lo >= 0 and hi - lo + 1 <= SCALE_MAX_SPAN and hi <= 10:
        return LabelKind("ordinal", f"{len(levels)} consecutive integers {lo}–{hi}: a rating scale")
    return LabelKind("categorical", f"{len(levels)} integer class codes")


# --------------------------------------------------------------------------- recorded outcomes

# Confident Learning assumes each row has a true class that a careful annotator would read off the
# row itself. A recorded outcome (an income, a default, a death) has no truer value than the one
# recorded: the row's other columns only make it more or less likely, so a model's disagreement is
# that uncertainty, not a wrong label. Data cannot tell the two apart (both give the same
# probabilities), so the label's name and values say which it is. A decision taken by reading the
# row (a loan approved, a claim accepted) is a judgement of it, like an annotation: not listed.
OUTCOME_NAME = re.compile(
    r"(?:^|[^a-z])(income|salary|salaries|wages?|earnings|revenue|profit|default|defaulted|churn|churned|exited|"
    r"attrition|survived|survival|died|death|deaths|dead|deceased|mortality|readmitted|readmission|recid|"
    r"recidivism|reoffended|arrested|outcome|outcomes|result|results|repaid|fraud|fraudulent|"
    r"clicked|converted|conversion|purchased|subscribed)(?:$|[^a-z])"
)
# a measured number cut into ranges: "<=50K", ">50K", "10-20", "65+", "under 18"
NUMERIC_RANGE = re.compile(
    r"^\s*(?:(?:[<>≤≥]=?|under|over|below|above|less than|more than|at least|at most)\s*[$€£]?\d[\d,.]*\s*[kmb%]?"
    r"|[$€£]?\d[\d,.]*\s*[kmb%]?\s*(?:-|–|to)\s*[$€£]?\d[\d,.]*\s*[kmb%]?|[$€£]?\d[\d,.]*\s*[kmb%]?\s*\+)\s*$",
    re.IGNORECASE,
)


def recorded_outcome(values: pd.Series, name: str = "") -> str | None:
    """Why the label column reads as a recorded outcome rather than an annotation, or None.

    Either its name says so (a token such as ``income``, ``default``, ``survived``,
    ``recidivism``, ``outcome``: :data:`OUTCOME_NAME`), or every value is a numeric range or
    threshold (``<=50K``/``>50K``, ``18-25``, ``65+``): a measurement cut into bins.
    """
    match = OUTCOME_NAME.search(_split_camel(name))
    if match:
        return f"its name '{name}' says it records an outcome ('{match.group(1)}')"
    levels = pd.Series(values.dropna().unique()).astype(str)
    if len(levels) >= 2 and levels.str.match(NUMERIC_RANGE).all():
        shown = ", ".join(sorted(levels.str.strip())[:3])
        return f"its values ({shown}) are ranges of a measured number"
    return None


# --------------------------------------------------------------------------- weak-model guard

# Both are measured against the given (noisy) labels, which caps them: with 10 % of a 83/17 binary
# label wrong, even a perfect model's accuracy lift is at most 0.45. Hence a modest accuracy bar and
# log-loss skill (less capped by noise, and the sharper test of a model that is confidently wrong).
MIN_ACCURACY_LIFT = 0.2  # (accuracy − majority) / (1 − majority): below, the model barely beats the majority class
MIN_LOG_LOSS_SKILL = 0.15  # 1 − log-loss / prior log-loss: below, its probabilities add little to the class shares
MAX_FLAGGED_TO_ERRORS = 0.8  # flagged rows / rows the model gets wrong: above, flags ≈ the model's own errors …
STRONG_LIFT = 0.45  # … unless the model is strong (then its errors are mostly the wrong labels themselves)


@dataclass
class Guard:
    """How the cross-validated model compares with the majority-class baseline, and the verdict.

    ``verdict``: ``ok``; ``weak`` (not clearly better than the baseline: the check cannot judge);
    ``indistinct`` (better, but not strong, and it flags nearly every row it gets wrong, so the
    flags cannot be told from its own mistakes; a strong model's errors are mostly the wrong labels
    themselves, so there a high ratio is expected).
    """

    model_accuracy: float
    baseline_accuracy: float
    model_log_loss: float
    baseline_log_loss: float
    accuracy_lift: float
    log_loss_skill: float
    error_share: float
    flagged_share: float
    flagged_to_errors: float
    verdict: str
    reason: str

    def metrics(self) -> dict[str, float | int]:
        names = ("model_accuracy", "baseline_accuracy", "model_log_loss", "baseline_log_loss", "accuracy_lift",
                 "log_loss_skill", "error_share", "flagged_to_errors")
        return {"guard": int(self.verdict != "ok"), **{k: float(getattr(self, k)) for k in names}}


def guard(labels: np.ndarray, pred_probs: np.ndarray, mask: np.ndarray) -> Guard:
    """Compare the model behind ``pred_probs`` with always predicting the majority class.

    Accuracy lift and log-loss skill are both needed: a regularised text model can be accurate
    yet cautious (modest skill), a tree model on noise can be confident and wrong (negative skill).
    """
    n, k = pred_probs.shape
    prior = np.bincount(labels, minlength=k) / max(n, 1)
    accuracy = float((pred_probs.argmax(axis=1) == labels).mean()) if n else 0.0
    base_accuracy = float(prior.max()) if n else 0.0
    log_loss = float(-np.mean(np.log(np.clip(pred_probs[np.arange(n), labels], 1e-15, 1.0)))) if n else 0.0
    nonzero = prior[prior > 0]
    base_log_loss = float(-(nonzero * np.log(nonzero)).sum())
    lift = (accuracy - base_accuracy) / (1 - base_accuracy) if base_accuracy < 1 else 0.0
    skill = 1 - log_loss / base_log_loss if base_log_loss > 0 else 0.0
    errors = 1 - accuracy
    flagged = float(mask.mean()) if n else 0.0
    ratio = flagged / errors if errors > 0 else 0.0
    figures = (f"accuracy {accuracy:.2f} vs {base_accuracy:.2f} for always predicting the majority class, "
               f"log-loss {log_loss:.3f} vs {base_log_loss:.3f} for the class shares")
    if lift < MIN_ACCURACY_LIFT or skill < MIN_LOG_LOSS_SKILL:
        verdict = "weak"
        reason = f"the model is not clearly better than the majority class ({figures})"
    elif ratio > MAX_FLAGGED_TO_ERRORS and lift < STRONG_LIFT:
        verdict = "indistinct"
        reason = (f"it would flag {flagged:.1%} of rows while getting {errors:.1%} wrong, so the flags are mostly the "
                  f"model's own errors ({figures})")
    else:
        verdict, reason = "ok", figures
    return Guard(accuracy, base_accuracy, log_loss, base_log_loss, lift, skill, errors, flagged, ratio, verdict, reason)


__all__ = [
    "FILTER_BY",
    "Guard",
    "LABEL_KINDS",
    "LabelKind",
    "guard",
    "label_kind",
    "recorded_outcome",
    "RANK_BY",
    "LabelInputError",
    "LabelIssues",
    "analyse",
    "check_inputs",
    "encode_labels",
    "find_label_issues",
    "label_quality_scores",
    "noise_matrices",
    "suggestions",
    "swap_rates",
    "unflagged_error",
]
