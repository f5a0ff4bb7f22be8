"""``label_errors``: likely mislabelled rows, each with a suggested label and its confidence.

Confident Learning (Northcutt, Jiang & Chuang, JAIR 2021) through cleanlab (:mod:`curate.labels`)
on out-of-sample predicted probabilities. curate makes those itself (:mod:`curate.models`:
stratified, seeded K-fold cross-validation; TF-IDF + logistic regression for text, gradient
boosting for tabular columns, both for mixed), or takes the user's (``pred_probs``: a ``.npy``
file or columns) or learns from an ``embeddings`` column.

What the model learns from (``model: auto``): the text column (``text``, else the dataset's
text role) alone when there is one; otherwise every column except the key and the label
(sensitive attributes included: list ``features`` to choose); text plus ``features`` → mixed.

How rows are treated (documented behaviour, tested):

* **Every split is checked** (``splits`` narrows it). The model is cross-validated over the rows
  of all checked splits together, so each split's rows, test included, get out-of-sample
  probabilities from models trained on the other folds of all splits; Confident Learning then
  runs once over those rows (one label scheme, steadier per-class thresholds than a small test
  split alone), and findings and metrics are reported per split.
* **Missing labels** (null or blank) are left out and counted (``missing_label_rows``).
* **Missing text** (null or blank, text models only) is left out and counted (``skipped_rows``):
  there is nothing to predict from.
* **Labels outside the label set**: classes with fewer than ``max(min_class_rows, folds)`` rows
  (typos like ``sport`` next to ``sports``, or a class with one row) cannot be learnt or
  stratified; cleanlab's FAQ advises removing such classes before Confident Learning. They are
  left out of training and of the Confident Learning run, and each such row is reported as its
  own finding ("label 'sport' has only 1 row…") with the model's best label as the suggestion
  and score 1.0, so they rank first.
* **Fewer than two learnable classes** (a label column with one class): the check cannot run;
  its result has status ``error`` and says why. Wrong-shaped or invalid probabilities and
  missing columns or files are suite errors, located at the parameter, found before any check runs.

When it stays quiet (documented in the README, tested on real data):

* **Label kind** (:func:`curate.labels.label_kind`): ordinal scores, continuous values, ids,
  free text and multi-label lists are not classes; the check skips with the reason unless
  ``label_kind: categorical`` (multi-label always skips).
* **Weak-model guard** (:func:`curate.labels.guard`): the cross-validated model against the
  majority-class baseline. Accuracy lift below 0.2 or log-loss skill below 0.15: ``skip`` (the
  model cannot judge), metrics only. Lift below 0.45 with more than 80 % of the model's errors
  flagged: ``warn`` with the few most confident findings and no suggestions, so ``fix`` proposes
  nothing. Either way ``metrics["guard"] == 1``: the figures are not a noise estimate for a card.
* **Recorded outcome**: Confident Learning assumes each row has a true class an annotator would
  read off the row; an outcome (income, default, survival) has none truer than the one recorded,
  and the data cannot show which it is. So when the model learns from the row's other columns
  only (tabular) and the label's name or values read as an outcome
  (:func:`curate.labels.recorded_outcome`: ``income``, ``default``, ``survived``…, or ranges such
  as ``<=50K``/``>50K``), the check skips before training, saying why. ``outcome: false`` says
  annotators assigned the labels (judge them); ``outcome: true`` lists the flagged rows for
  review without suggestions, ``warn`` at most. Text, embeddings and user probabilities are
  taken as annotations.

**What is reported** (``max_swap_ratio`` 3, ``max_swap_asymmetry`` 4): Confident Learning's flags,
less those whose label the model still finds plausible. A flagged row (given ``i``, best other class
``j``) is reported when its label's probability is at most ``max_swap_ratio`` × the estimated rate at
which rows of true class ``j`` carry label ``i`` (:func:`curate.labels.swap_rates`, from cleanlab's
calibrated joint). Under Confident Learning's noise model a mislabelled row carries its label with
about that probability whatever its content; a row whose label is more probable has content that
supports it (a subjective boundary, a judgement call). When that rate is more than
``max_swap_asymmetry`` times the reverse one (on the HF tweets, 43 % of true "hate speech" estimated
labelled "offensive", 3 % the other way), the pair's boundary is in dispute rather than randomly
mislabelled, and the lower, reverse rate is used (``max_swap_asymmetry: 1``: always the lower).
The cut is not applied when the model is all but never wrong outside its flags: when the 95 % upper
bound of its error rate on the rows Confident Learning does not flag is below ``cut_min_error`` (1 %;
:func:`curate.labels.unflagged_error`), its flags are the label noise rather than its own boundary
errors, and cutting them would only drop true flips (a model of near-perfect accuracy on randomly
flipped labels). Real annotations measured here sit above it (SMS spam 1.3 %, HF tweets 5 %,
sentiment sentences 10 %). ``max_swap_ratio: null`` reports every flag; ``max_self_confidence`` (default 1) adds a plain cut on
the label's probability for a stricter review. The dropped flags are counted
(``plausible_not_reported``); ``label_issues`` stays Confident Learning's count.

The finding's ``suggestion`` is ``{<label column>: <suggested label>, "confidence": p}`` — the
``update`` shape ``curate fix`` turns into a correction; ``score`` is ``1 − label quality``
(cleanlab's ``rank.get_label_quality_scores``, ``rank_by``). Metrics: ``flagged``/``share`` (all
findings over the rows checked), ``label_issues`` (Confident Learning's), ``estimated_noise`` and
``noise_rate.<class>`` (from cleanlab's calibrated joint), ``joint.<given>.<true>`` (up to 10
classes), ``cv_accuracy`` (model vs given labels), and ``flagged.<split>``/``share.<split>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks import register
from curate.checks.base import Check, CheckParams
from curate.context import RunContext
from curate.findings import CheckResult, Finding, Status

FilterBy = Literal[
    "prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
    "predicted_neq_given", "low_normalized_margin", "low_self_confidence",
]
RankBy = Literal["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
TEXT_SHOWN = 100  # characters of a row's text in a finding's message
JOINT_MAX_CLASSES = 10  # joint.<given>.<true> metrics only up to this many classes
SHOWN_FEATURES = 4  # tabular rows: this many column=value pairs in the message
# Confident Learning flags a row when another class is more probable than that class's own rows
# usually make it. A flagged row is reported only when its label is no more probable than this many
# times the estimated rate at which the suggested class's rows carry that label by mistake
# (labels.swap_rates); a rate more than MAX_SWAP_ASYMMETRY × the reverse marks a disputed boundary,
# where the reverse rate is used. Above the cut the row's content supports its label and the flag is
# a judgement call (chosen on reviewed real tweets and planted noise on real text: bench/RESULTS.md).
# null reports every Confident Learning flag.
MAX_SWAP_RATIO = 3.0
MAX_SWAP_ASYMMETRY = 4.0
# The cut guards against flags that are the model's own boundary errors. When the model contradicts
# fewer than this share of the labels it does not flag (the 95 % upper bound, so a few hundred rows
# cannot pass by luck), it all but never errs outside its flags, and every flag is reported. The
# easiest real corpus here (SMS spam, nothing planted) sits at 1.3 %, the HF tweets at 5 %.
CUT_MIN_ERROR = 0.01
GUARDED_SHOWN = 5  # findings kept (without suggestions) when the guard finds the flags indistinct
KIND_WORDS = {
    "ordinal": "ordinal scores", "continuous": "continuous values", "identifier": "identifiers",
    "text": "free text", "multilabel": "several labels per row",
}


class LabelErrorsParams(CheckParams):
    label: str | None = None  # default: the dataset's label role
    text: str | None = None  # default: the dataset's text role
    features: list[str] | None = None  # tabular columns (default: all but key/label/text when there is no text)
    embeddings: str | None = None  # a column of vectors to learn from instead
    embedding_model: str | None = None  # a local sentence-transformers model (folder or cached id) to encode the text with
    pred_probs: str | list[str] | dict[str, str] | None = None  # .npy path, columns, or {split: .npy path}
    model: Literal["auto", "text", "tabular", "mixed"] = "auto"
    folds: int | None = Field(default=None, ge=2, le=20)
    filter_by: FilterBy = "prune_by_noise_rate"
    rank_by: RankBy = "self_confidence"
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    max_self_confidence: float = Field(default=1.0, ge=0.0, le=1.0)  # report only rows whose label has at most this probability
    max_swap_ratio: float | None = Field(default=MAX_SWAP_RATIO, ge=0.0)  # label probability / the pair's swap rate; null: off
    max_swap_asymmetry: float | None = Field(default=MAX_SWAP_ASYMMETRY, ge=1.0)  # a rate this many times the reverse: use the reverse; null: never
    cut_min_error: float | None = Field(default=CUT_MIN_ERROR, ge=0.0, le=1.0)  # model error outside the flags below this: no cut; null: always cut
    max_share: float = Field(default=0.02, ge=0.0, le=1.0)
    min_class_rows: int = Field(default=5, ge=2)
    seed: int = 0
    splits: list[str] | None = None
    label_kind: Literal["auto", "categorical"] = "auto"  # auto: skip scores, measurements, ids, free text
    outcome: bool | None = None  # true: a recorded outcome, rows for review only; false: an annotation; unset: inferred
    guard: bool = True  # the weak-model guard (see the module docs); false only to measure without it


@dataclass
class _Rows:
    """The rows of the checked splits, concatenated, with where each came from."""

    frame: pd.DataFrame
    split: np.ndarray  # split name per row
    position: np.ndarray  # 0-based row within its split
    names: list[str]
    keys: dict[str, pd.Series]  # split → row keys


def _missing(values: pd.Series) -> np.ndarray:
    """Null, or a blank string."""
    missing = values.isna().to_numpy().copy()
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        blank = values.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        missing |= blank
    return missing


def _plain(value: Any) -> Any:
    """A label value as a JSON-friendly Python scalar (int labels stay ints)."""
    return value.item() if hasattr(value, "item") else value


def _quote(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _short(text: str, limit: int = TEXT_SHOWN) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class LabelIssues:
    """The ``label_issues`` artefact: which rows a ``label_errors`` result flags."""

    source: str  # the result's display name
    rows: list[tuple[str | None, int]]  # (split, 0-based row) of each flagged row


@register
class LabelErrors(Check):
    name: ClassVar[str] = "label_errors"
    description: ClassVar[str] = "likely mislabelled rows (Confident Learning on out-of-sample probabilities), with suggested labels"
    Params = LabelErrorsParams
    publishes: ClassVar[tuple[str, ...]] = ("label_issues",)

    @classmethod
    def artefact(cls, name: str, result: CheckResult) -> LabelIssues | None:
        """``label_issues``: the rows this result flags (a weak-model skip flags none)."""
        if name != "label_issues":
            return None
        return LabelIssues(result.name, [(f.split, int(f.row)) for f in result.findings if f.row is not None])

    # ------------------------------------------------------------------ validation

    @classmethod
    def validate_params(cls, spec) -> None:
        p: LabelErrorsParams = spec.params
        if p.pred_probs is not None and (p.embeddings or p.embedding_model or p.model != "auto" or p.features or p.text):
            raise spec.error(("pred_probs",), "label_errors: pred_probs replaces the built-in model; drop model/text/features/embeddings")
        if p.embedding_model and (p.embeddings or p.model != "auto" or p.features):
            raise spec.error(("embedding_model",), "label_errors: embedding_model encodes the text column in place of the built-in "
                             "model; drop model/features/embeddings")
        if p.embeddings and (p.model != "auto" or p.features):
            raise spec.error(("embeddings",), "label_errors: an embeddings column replaces the built-in model; drop model/features")
        if isinstance(p.pred_probs, str) and not p.pred_probs.endswith(".npy"):
            raise spec.error(("pred_probs",), "label_errors: pred_probs must be a .npy file, a list of columns, or {split: file.npy}")

    def _splits(self, ctx: RunContext) -> list[str]:
        return list(self.params.splits or ctx.dataset.splits)

    def _label(self, ctx: RunContext) -> str | None:
        return self.params.label or ctx.roles.label

    def _text(self, ctx: RunContext) -> str | None:
        p: LabelErrorsParams = self.params
        if p.pred_probs is not None or p.embeddings or p.model == "tabular":
            return None
        return p.text or ctx.roles.text

    def _features(self, ctx: RunContext, splits: list[str]) -> list[str]:
        p: LabelErrorsParams = self.params
        if p.features is not None:
            return list(p.features)
        if p.model == "text" or p.pred_probs is not None or p.embeddings:
            return []
        text = self._text(ctx)
        if (text and p.model == "auto") or p.embedding_model:
            return []  # a text column alone: tabular columns join only when listed or with model: mixed
        excluded = {self._label(ctx), ctx.roles.key, text}
        first = ctx.dataset.splits[splits[0]].columns
        return [c for c in first if c not in excluded and all(c in ctx.dataset.splits[s].columns for s in splits)]

    def validate(self, ctx: RunContext) -> None:
        p: LabelErrorsParams = self.params
        for i, split in enumerate(p.splits or []):
            self.require_split(ctx, split, ("splits", i))
        splits = self._splits(ctx)
        label = self._label(ctx)
        if label is None:
            return  # nothing to judge (e.g. the default suite on unlabelled data): run() skips and says so
        self.require_column(ctx, label, ("label",), splits)
        if p.embeddings:
            self.require_column(ctx, p.embeddings, ("embeddings",), splits)
        if p.pred_probs is not None:
            self._validate_pred_probs(ctx, splits)
            return
        if p.embeddings:
            return
        if p.embedding_model:
            self._validate_embedding_model(ctx, splits)
            return
        text = self._text(ctx)
        if text is not None:
            self.require_column(ctx, text, ("text",) if p.text else ("model",), splits)
        for i, column in enumerate(p.features or []):
            self.require_column(ctx, column, ("features", i), splits)
            if column == label:
                raise self.error(("features", i), f"label_errors: the label column '{label}' cannot be a feature")
        features = self._features(ctx, splits)
        if p.model in ("text", "mixed") and text is None:
            raise self.error(("model",), f"label_errors: model {p.model} needs a text column: set text: or dataset.text")
        if p.model in ("tabular", "mixed") and not features:
            raise self.error(("features",) if p.features is not None else ("model",), f"label_errors: model {p.model} needs feature columns")
        if text is None and not features and p.model == "auto" and p.features is None:
            return  # only a label column: run() skips (nothing to learn from)
        if text is None and not features:
            raise self.error(("model",), "label_errors: nothing to learn from: no text column and no feature columns")

    def _validate_embedding_model(self, ctx: RunContext, splits: list[str]) -> None:
        """The text column, the library and the model folder, before any check runs (nothing is downloaded)."""
        from curate.encoders import EncoderUnavailable, library_missing, locate

        p: LabelErrorsParams = self.params
        text = self._text(ctx)
        if text is None:
            raise self.error(("embedding_model",), "label_errors: embedding_model needs a text column: set text: or dataset.text")
        self.require_column(ctx, text, ("text",) if p.text else ("embedding_model",), splits)
        why = library_missing()
        if why:
            raise self.error(("embedding_model",), f"label_errors: {why}")
        try:
            if self.suite_came_with_data(ctx):  # untrusted: a folder inside the dataset, or a cached model id
                self.param_path(ctx, p.embedding_model, ("embedding_model",))
                self._encoder_folder = locate(p.embedding_model, [ctx.dataset.root], expand_user=False)
            else:
                self._encoder_folder = locate(p.embedding_model, [ctx.dataset.root, Path.cwd()])
        except EncoderUnavailable as exc:
            raise self.error(("embedding_model",), f"label_errors: {exc}") from None

    def _encoded(self, frame: pd.DataFrame, text: str, y: np.ndarray, n_classes: int, ctx: RunContext, **options: Any):
        """Out-of-sample probabilities from the text encoded by the suite's ``embedding_model``."""
        from curate.encoders import EncoderUnavailable, encode, load
        from curate.models import out_of_sample_probs, text_values

        try:
            model = load(self._encoder_folder)
        except EncoderUnavailable as exc:
            raise self.error(("embedding_model",), f"label_errors: {exc}") from None
        vectors = encode(model, text_values(frame[text]).tolist(), ctx.progress, "label_errors: encoding the text")
        name = f"sentence-transformers model '{self.params.embedding_model}' on '{text}'"
        return out_of_sample_probs(frame, y, n_classes, vectors=vectors, vectors_name=name, progress=ctx.progress, **options)

    def _npy_files(self, ctx: RunContext, splits: list[str]) -> list[tuple[Path, tuple, list[str]]]:
        """(file, param path, splits it covers) for each .npy file named by ``pred_probs``."""
        p = self.params.pred_probs
        if isinstance(p, str):
            return [(self.param_path(ctx, p, ("pred_probs",)), ("pred_probs",), splits)]
        assert isinstance(p, dict)
        for split in p:
            self.require_split(ctx, split, ("pred_probs", split))
        missing = [s for s in splits if s not in p]
        if missing:
            raise self.error(("pred_probs",), f"label_errors: pred_probs names no file for split(s) {', '.join(missing)}")
        return [(self.param_path(ctx, p[s], ("pred_probs", s)), ("pred_probs", s), [s]) for s in splits]

    def _validate_pred_probs(self, ctx: RunContext, splits: list[str]) -> None:
        p = self.params.pred_probs
        if isinstance(p, list):
            for i, column in enumerate(p):
                self.require_column(ctx, column, ("pred_probs", i), splits)
            if len(p) < 2:
                raise self.error(("pred_probs",), "label_errors: pred_probs needs one column per class (at least 2)")
            return
        for path, where, covered in self._npy_files(ctx, splits):
            if not path.is_file():
                raise self.error(where, f"label_errors: pred_probs file not found: {path}")
            try:
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            except (ValueError, OSError) as exc:
                raise self.error(where, f"label_errors: cannot read {path.name} as a .npy array: {exc}") from None
            rows = sum(len(ctx.dataset.splits[s]) for s in covered)
            if array.ndim != 2 or array.shape[0] != rows or array.shape[1] < 2:
                raise self.error(
                    where,
                    f"label_errors: {path.name} has shape {tuple(array.shape)}; expected ({rows:,}, classes): one row per row of "
                    f"split{'s' if len(covered) > 1 else ''} {', '.join(covered)} in order, one column per class in sorted order",
                )

    # ------------------------------------------------------------------ data

    def _rows(self, ctx: RunContext, splits: list[str], columns: list[str]) -> _Rows:
        frames, split_names, positions = [], [], []
        for name in splits:
            frame = ctx.dataset.splits[name].frame
            frames.append(frame[columns])
            split_names.append(np.full(len(frame), name, dtype=object))
            positions.append(np.arange(len(frame)))
        frame = frames[0].reset_index(drop=True) if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        keys = {name: ctx.dataset.splits[name].keys for name in splits}
        return _Rows(frame, np.concatenate(split_names), np.concatenate(positions), splits, keys)

    def _user_probs(self, ctx: RunContext, rows: _Rows) -> np.ndarray:
        p = self.params.pred_probs
        if isinstance(p, list):
            return rows.frame[p].to_numpy(dtype=float, na_value=np.nan)
        return np.concatenate([np.asarray(np.load(path, allow_pickle=False), dtype=float) for path, _, _ in self._npy_files(ctx, rows.names)])

    def _user_columns_order(self, classes: list[Any]) -> list[int] | None:
        """Probability columns matched to classes by name (``world`` or ``p_world``), else None (positional)."""
        p = self.params.pred_probs
        if not isinstance(p, list) or len(p) != len(classes):
            return None
        order = []
        for c in classes:
            hits = [i for i, col in enumerate(p) if col == str(c) or any(col.endswith(sep + str(c)) for sep in "_.:- ")]
            if len(hits) != 1:
                return None
            order.append(hits[0])
        return order if len(set(order)) == len(order) else None

    # ------------------------------------------------------------------ run

    def run(self, ctx: RunContext) -> CheckResult:
        from curate import labels as cl
        from curate.cache import array_digest, frame_digest
        from curate.models import ModelInputError, OutOfSample, choose_kind, default_folds, out_of_sample_probs

        p: LabelErrorsParams = self.params
        splits = self._splits(ctx)
        label = self._label(ctx)
        if label is None:
            return self.skip("no label column to check: declare dataset.label in a suite (or label: here)", {"rows": 0})
        text = self._text(ctx)
        features = self._features(ctx, splits)
        user_cols = list(p.pred_probs) if isinstance(p.pred_probs, list) else []
        wanted = [label] + ([text] if text else []) + features + ([p.embeddings] if p.embeddings else []) + user_cols
        columns = list(dict.fromkeys(wanted))
        rows = self._rows(ctx, splits, columns)
        n = len(rows.frame)

        missing_label = _missing(rows.frame[label])
        skipped = (_missing(rows.frame[text]) & ~missing_label) if text else np.zeros(n, dtype=bool)
        if p.embeddings:
            skipped |= rows.frame[p.embeddings].isna().to_numpy() & ~missing_label
        if p.pred_probs is None and not p.embeddings and text is None and not features:
            return self.skip("nothing to learn the labels from: no text column and no other column", {"rows": n})
        usable = ~missing_label & ~skipped
        values = rows.frame[label]
        kind_of_label = self._label_kind(ctx, label, values[usable])
        if kind_of_label.kind == "multilabel" or (p.label_kind == "auto" and not kind_of_label.categorical):
            return self._not_classes(label, kind_of_label, n)
        counts = values[usable].value_counts()
        user_probs = self._user_probs(ctx, rows) if p.pred_probs is not None else None

        all_classes = _sorted(list(counts.index))
        kind = "embeddings" if p.embeddings or p.embedding_model else choose_kind(p.model, text, features)
        if p.outcome is None and user_probs is None and kind == "tabular":
            why = cl.recorded_outcome(values[usable], label)
            if why:
                return self._outcome(label, why, int(usable.sum()))
        folds = p.folds or default_folds(int(usable.sum()), kind)
        min_rows = max(p.min_class_rows, folds if user_probs is None else 1)
        classes = _sorted([c for c in counts.index if counts[c] >= min_rows])
        if user_probs is not None and user_probs.shape[1] == len(all_classes) and len(classes) != len(all_classes):
            classes = all_classes  # the user's probabilities cover every label: nothing is outside the set
        rare_classes = [c for c in all_classes if c not in set(classes)]
        if len(classes) < 2:
            return self._cannot_run(label, counts, min_rows, n, int(missing_label.sum()), int(skipped.sum()))

        codes = np.full(n, -2, dtype=np.int64)  # -2: not used; -1: predict only (rare label)
        codes[usable] = pd.Categorical(values[usable], categories=classes).codes  # -1: not a learnt class
        used = codes != -2
        rare = codes == -1

        if user_probs is not None:
            probs, description = self._prepare_user_probs(user_probs[used], classes, all_classes)
            folds_used = 0
        else:
            try:
                frame, y = rows.frame.loc[used].reset_index(drop=True), codes[used]
                options = dict(text=text, features=features, embeddings=p.embeddings, model=p.model, folds=folds, seed=p.seed)
                key: dict[str, Any] = {"classes": len(classes), **options}
                compute = lambda: out_of_sample_probs(frame, y, len(classes), progress=ctx.progress, **options)  # noqa: E731
                if p.embedding_model:
                    from curate.encoders import fingerprint

                    key["embedding_model"] = fingerprint(self._encoder_folder)  # a re-saved model is another model
                    compute = lambda: self._encoded(frame, text, y, len(classes), ctx, folds=folds, seed=p.seed)  # noqa: E731
                digests = [frame_digest(frame), array_digest(y)] if ctx.cache is not None else []  # hashing costs seconds at 1M rows
                oos = ctx.memo("label_errors.out_of_sample", OutOfSample, key, digests, compute)
            except ModelInputError as exc:
                return self._error(f"label_errors cannot build its model: {exc}", {"rows": n})
            probs, description, folds_used = oos.pred_probs, oos.description, oos.folds
            if oos.skipped:
                description += f" (left out: {'; '.join(oos.skipped)})"

        sub_codes = codes[used]
        sub_learn = sub_codes >= 0
        y = sub_codes[sub_learn]
        p_learn = probs[sub_learn]
        try:
            issues = cl.analyse(y, p_learn, filter_by=p.filter_by, rank_by=p.rank_by)
        except cl.LabelInputError as exc:
            raise self.error(("pred_probs",) if user_probs is not None else ("label",), f"label_errors: {exc.message}") from None

        verdict = cl.guard(y, p_learn, issues.mask)
        if p.guard and verdict.verdict == "weak":
            return self._weak(label, verdict, description, folds_used, int(used.sum()), int(issues.mask.sum()))
        guarded = p.guard and verdict.verdict == "indistinct"
        suggest = not (guarded or p.outcome)

        # ---- findings
        used_idx = np.flatnonzero(used)
        learn_idx = used_idx[sub_learn]
        rare_idx = used_idx[~sub_learn]
        rare_probs = probs[~sub_learn]
        self_confidence = p_learn[np.arange(len(y)), y]
        confident = issues.mask & (self_confidence <= p.max_self_confidence)
        unflagged, unflagged_upper = cl.unflagged_error(y, p_learn, issues.mask)
        cut = p.max_swap_ratio is not None and (p.cut_min_error is None or unflagged_upper >= p.cut_min_error)
        if cut:
            confident &= self_confidence <= p.max_swap_ratio * cl.swap_rates(issues.joint, p.max_swap_asymmetry)[y, issues.suggested]
        mask = confident & (issues.confidence >= p.min_confidence)
        above = int((issues.mask & ~confident).sum())
        below = int((confident & ~mask).sum())
        order = np.flatnonzero(mask)
        order = order[np.argsort(issues.quality[order], kind="stable")]
        if guarded:
            order, rare_idx, rare_probs = order[:GUARDED_SHOWN], rare_idx[:0], rare_probs[:0]
        flagged_rows = np.concatenate([rare_idx, learn_idx[order]]).astype(np.int64)
        shown = self._show(rows, flagged_rows, text, features)  # built column-wise: 130k findings in ~1 s
        keys = np.concatenate([rows.keys[s].to_numpy(dtype=object) for s in rows.names])
        given_values = values.to_numpy(dtype=object)
        findings: list[Finding] = []
        rare_counts = counts.reindex(rare_classes)
        for j, i in enumerate(rare_idx):
            best = int(rare_probs[j].argmax())
            given = _plain(given_values[i])
            conf = float(rare_probs[j, best])
            count = int(rare_counts[given_values[i]])
            msg = (f"{shown[j]} — given {_quote(given)} (only {count} row{'s' if count != 1 else ''}: "
                   f"outside the label set), suggested {_quote(_plain(classes[best]))} (confidence {conf:.2f})")
            findings.append(self._finding(rows, keys, i, label, msg, classes[best], conf, 1.0, suggest))
        for k, j in enumerate(order, start=len(rare_idx)):
            i = learn_idx[j]
            given, suggested = classes[y[j]], classes[issues.suggested[j]]
            conf, quality = float(issues.confidence[j]), float(issues.quality[j])
            msg = (f"{shown[k]} — given {_quote(_plain(given))}, suggested {_quote(_plain(suggested))} "
                   f"(confidence {conf:.2f}, label quality {quality:.2f})")
            findings.append(self._finding(rows, keys, i, label, msg, suggested, conf, 1.0 - quality, suggest))

        # ---- metrics
        checked = int(used.sum())
        share = len(findings) / checked if checked else 0.0
        flagged_split = pd.Series(rows.split[flagged_rows], dtype=object).value_counts()
        used_split = pd.Series(rows.split[used], dtype=object).value_counts()
        predicted = probs[sub_learn].argmax(axis=1)
        metrics: dict[str, float | int | None] = {
            "flagged": len(findings),
            "share": share,
            "estimated_noise": float(1.0 - np.trace(issues.joint)),
            "rows": checked,
            "label_issues": int(issues.mask.sum()),
            "rare_label_rows": int(rare.sum()),
            "missing_label_rows": int(missing_label.sum()),
            "skipped_rows": int(skipped.sum()),
            "plausible_not_reported": above,
            "below_min_confidence": below,
            "classes": len(classes),
            "folds": folds_used,
            "cv_accuracy": float((predicted == y).mean()) if len(y) else None,
            "suggestions": sum(f.suggestion is not None for f in findings),
            "unflagged_error": unflagged,
            "unflagged_error_upper": unflagged_upper,
            "swap_cut": int(cut),
            **verdict.metrics(),
        }
        if guarded:
            metrics["would_flag"] = int(issues.mask.sum()) + int(rare.sum())
        for split in splits:
            metrics[f"flagged.{split}"] = int(flagged_split.get(split, 0))
            metrics[f"share.{split}"] = float(flagged_split.get(split, 0) / used_split[split]) if used_split.get(split, 0) else 0.0
        for k, c in enumerate(classes):
            metrics[f"noise_rate.{c}"] = float(issues.noise_rate[k])
        if len(classes) <= JOINT_MAX_CLASSES:
            for a, ca in enumerate(classes):
                for b, cb in enumerate(classes):
                    metrics[f"joint.{ca}.{cb}"] = float(issues.joint[a, b])

        failed = share > p.max_share
        per_split = ", ".join(f"{s} {int(flagged_split.get(s, 0)):,}" for s in splits)
        message = (f"{len(findings):,} of {checked:,} labels look wrong ({share:.1%} {'>' if failed else '≤'} max {p.max_share:.1%})"
                   f"{': ' + per_split if len(splits) > 1 else ''}")
        notes = []
        if rare.any():
            notes.append(f"{int(rare.sum())} with labels outside the label set ({', '.join(map(_quote, rare_classes[:5]))}"
                         f"{'…' if len(rare_classes) > 5 else ''})")
        if missing_label.any():
            notes.append(f"{int(missing_label.sum())} rows without a label skipped")
        if skipped.any():
            notes.append(f"{int(skipped.sum())} rows without {'text' if text else 'embeddings'} skipped")
        if above:
            asym = "none" if p.max_swap_asymmetry is None else f"{p.max_swap_asymmetry:g}"
            cuts = [f"max_swap_ratio {p.max_swap_ratio:g}, max_swap_asymmetry {asym}"] if p.max_swap_ratio is not None else []
            cuts += [f"max_self_confidence {p.max_self_confidence:g}"] if p.max_self_confidence < 1 else []
            notes.append(f"{above:,} more flagged by Confident Learning, whose label the model finds plausible "
                         f"({', '.join(cuts)}), not reported")
        if p.max_swap_ratio is not None and not cut and issues.mask.any():
            notes.append(f"every Confident Learning flag reported: the model contradicts {unflagged:.2%} of the labels it "
                         f"does not flag (at most {unflagged_upper:.2%}, below cut_min_error {p.cut_min_error:.0%})")
        if below:
            notes.append(f"{below} below min_confidence {p.min_confidence:g} not reported")
        if notes:
            message += "; " + "; ".join(notes)
        how = f"{description}, {folds_used} folds, accuracy {metrics['cv_accuracy']:.2f}" if folds_used else description
        message += f". Model: {how}" + (f"; filter_by {p.filter_by}" if p.filter_by != "prune_by_noise_rate" else "")
        if guarded:
            message = (f"not judged: {verdict.reason}. Showing the {len(findings)} most confident of "
                       f"{metrics['would_flag']:,} rows, without suggested labels. Model: {how}")
            return self._warning(message, metrics, findings)
        if p.outcome:
            message = "recorded outcome, rows for review only (no relabelling suggested): " + message
            return self._warning(message, metrics, findings) if failed else self.result(
                failed=False, message=message, metrics=metrics, findings=findings)
        return self.result(failed=failed, message=message, metrics=metrics, findings=findings)

    def _warning(self, message: str, metrics: dict, findings: list[Finding]) -> CheckResult:
        """``warn`` whatever the severity: the findings are for a reviewer, never a failed run."""
        return CheckResult(check=self.name, name=self.display_name, status=Status.WARN, message=message,
                           metrics=metrics, findings=findings, severity=self.params.severity)

    # ------------------------------------------------------------------ helpers

    def _prepare_user_probs(self, probs: np.ndarray, classes: list[Any], all_classes: list[Any]) -> tuple[np.ndarray, str]:
        p = self.params.pred_probs
        if isinstance(p, list):
            order = self._user_columns_order(classes)
            if order is None and len(p) == len(all_classes) and len(all_classes) != len(classes):
                order_all = self._user_columns_order(all_classes)
                if order_all is not None:
                    keep = [order_all[all_classes.index(c)] for c in classes]
                    probs, order = probs[:, keep], list(range(len(classes)))
            if order is not None:
                probs = probs[:, order]
        if probs.shape[1] == len(all_classes) and len(classes) < len(all_classes):
            keep = [all_classes.index(c) for c in classes]
            probs = probs[:, keep]
            probs = probs / np.clip(probs.sum(axis=1, keepdims=True), 1e-12, None)  # cleanlab FAQ: drop the class, renormalise
        if probs.shape[1] != len(classes):
            raise self.error(
                ("pred_probs",),
                f"label_errors: pred_probs has {probs.shape[1]} columns but the label column has {len(classes)} classes "
                f"({', '.join(map(str, classes[:10]))}{'…' if len(classes) > 10 else ''}) — one column per class, in sorted order",
            )
        from curate.labels import LabelInputError, check_inputs

        try:
            check_inputs(np.arange(len(probs)) % len(classes), probs)
        except LabelInputError as exc:  # invalid values: NaN, outside [0, 1], rows not summing to 1
            raise self.error(("pred_probs",), f"label_errors: {exc.message}") from None
        source = "pred_probs columns" if isinstance(p, list) else "pred_probs file(s)"
        return probs, f"user-supplied {source}"

    def _show(self, rows: _Rows, idx: np.ndarray, text: str | None, features: list[str]) -> list[str]:
        """What a reviewer reads first, per row: the (truncated) text, or a few column values."""
        if text:
            return [f"'{_short(v)}'" for v in rows.frame[text].to_numpy(dtype=object)[idx]]
        columns = features[:SHOWN_FEATURES]
        if not columns:
            return ["row"] * len(idx)
        values = [rows.frame[c].to_numpy(dtype=object)[idx] for c in columns]
        more = ", …" if len(features) > SHOWN_FEATURES else ""
        return [_short(", ".join(f"{c}={v}" for c, v in zip(columns, row)) + more) for row in zip(*values)]

    def _finding(self, rows: _Rows, keys: np.ndarray, i: int, label: str, message: str, suggested: Any, confidence: float,
                 score: float, suggest: bool = True) -> Finding:
        """One flagged row; ``suggest=False`` (guarded model, recorded outcome) leaves ``fix`` nothing to apply."""
        split, position = str(rows.split[i]), int(rows.position[i])
        return Finding(
            message,
            split=split,
            row=position,
            key=str(keys[i]),
            column=label,
            suggestion={label: _plain(suggested), "confidence": round(confidence, 4)} if suggest else None,
            score=round(score, 6),
        )

    def _label_kind(self, ctx: RunContext, label: str, values: pd.Series):
        from curate.labels import label_kind

        feature = ctx.dataset.layout.features.get(label)
        return label_kind(values, label, class_label=feature is not None and feature.dtype == "class_label")

    def _not_classes(self, label: str, kind, rows: int) -> CheckResult:
        """Skip: the label is not a set of classes, so classification Confident Learning does not apply."""
        words = KIND_WORDS.get(kind.kind, kind.kind)
        hint = ("multi-label columns are not supported yet" if kind.kind == "multilabel"
                else "set label_kind: categorical to treat each value as a class anyway")
        return self.skip(f"label column '{label}' holds {words} ({kind.reason}), not categorical classes: "
                         f"classification Confident Learning does not apply; {hint}", {"rows": rows})

    def _outcome(self, label: str, why: str, rows: int) -> CheckResult:
        """Skip: an inferred recorded outcome, judged only from the row's other columns (see the module docs)."""
        return self.skip(
            f"label column '{label}' reads as a recorded outcome, not an annotation: {why}. A model of the other "
            "columns can only say which outcomes were unlikely, not which were recorded wrongly, so label_errors does "
            "not judge it; set outcome: false if annotators assigned these labels (or outcome: true to list the "
            "least likely rows for review)",
            {"rows": rows, "outcome": 1},
        )

    def _weak(self, label: str, verdict, description: str, folds: int, rows: int, would_flag: int) -> CheckResult:
        """Skip: the model cannot tell a wrong label from its own mistakes (the guard)."""
        how = f"{description}, {folds} folds" if folds else description
        message = (f"cannot judge the labels of '{label}': {verdict.reason}; the {would_flag:,} of {rows:,} rows it would "
                   f"flag are its own mistakes as much as wrong labels. Model: {how}")
        return self.skip(message, {"rows": rows, "would_flag": would_flag, **verdict.metrics()})

    def _error(self, message: str, metrics: dict) -> CheckResult:
        """The check could not run to the end (status ``error``): a data condition, said plainly."""
        return CheckResult(check=self.name, name=self.display_name, status=Status.ERROR, message=message,
                           metrics=metrics, severity=self.params.severity)

    def _cannot_run(
        self, label: str, counts: pd.Series, min_rows: int, rows: int, missing: int, skipped: int
    ) -> CheckResult:
        if counts.empty:
            why = f"no row has a label to check in {rows:,} rows ({missing:,} without a label, {skipped:,} without text or embeddings)"
        else:
            shown = ", ".join(f"{_quote(_plain(c))}: {int(n)}" for c, n in counts.head(5).items())
            why = (f"label column '{label}' has {len(counts)} class{'es' if len(counts) != 1 else ''} ({shown}); "
                   f"label_errors needs at least two classes with {min_rows}+ rows each")
        return self.skip(why, {"classes": int((counts >= min_rows).sum()), "rows": rows})


def _sorted(values: list[Any]) -> list[Any]:
    """Classes in cleanlab's order: sorted (by string form when the values do not compare)."""
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)
