"""Out-of-sample predicted probabilities for Confident Learning, built from the dataset itself.

Confident Learning needs, for every row, class probabilities from a model that never saw that
row's label. :func:`out_of_sample_probs` gets them by stratified, seeded K-fold
cross-validation with a model chosen from the data:

* **text** (a text column): TF-IDF features and a multinomial logistic regression.
  Up to :data:`CHAR_NGRAM_MAX_ROWS` rows: word 1–2-grams plus character 2–5-grams (``char_wb``),
  each block L2-normalised and weighted ``1/√2``. Above: words through a ``HashingVectorizer``
  (stateless, no vocabulary in memory, 2²⁰ columns) with an IDF transform, and the logistic
  regression's probabilities averaged with a multinomial naive Bayes's on the same features,
  weights 3:1 (scikit-learn's ``VotingClassifier``, soft voting; the NB + linear-model pairing of
  Wang & Manning, ACL 2012), the logistic regression more regularised (:func:`large_text_c`:
  ``C=0.7`` up to 200k rows, 0.3 from 1M, log-interpolated between; at 1M rows F1 at 20 %
  class-conditional / uniform and 10 % class-conditional noise was 0.842 / 0.910 / 0.834 with
  C=0.14–0.15, 0.839 / 0.912 / 0.833 with 0.3, 0.828 / 0.911 / 0.827 with 0.7).
  Character n-grams cost ~25× the non-zeros per row, which at 200k+ rows costs more time than
  the accuracy they add; word bigrams lowered F1 on the benchmark (200k rows: 0.860 vs 0.877).
  The averaging, its weights and ``C`` were chosen on the benchmark at 200k rows (F1 at 20 % /
  10 % noise, class-conditional then uniform): 0.801 / 0.897 / 0.803 / 0.883 against
  0.792 / 0.893 / 0.787 / 0.879 for the logistic regression alone and 0.770 / 0.895 / 0.798 / 0.885
  for an equal-weight average (which loses recall under heavy class-conditional noise); 1M rows
  are in bench/RESULTS.md. Naive Bayes does not help on character n-grams (20k rows: 0.808 vs
  0.823), so the small path stays a logistic regression. Raw term counts beat sublinear ones
  slightly here (200k rows: 0.879 vs 0.877).
* **tabular** (no text column): ``HistGradientBoostingClassifier`` with native categorical
  support (``categorical_features="from_dtype"``): string/boolean columns become pandas
  categories (at most 254 levels, rarer values missing), numbers and dates stay numbers, nulls
  are handled natively. Identifier-like columns (mostly unique strings) are left out.
* **mixed** (text and other feature columns): the text blocks plus the tabular columns one-hot
  encoded (numbers in 10 quantile bins, nulls a bin of their own), one linear model.
* **embeddings** (a column of vectors): standardised, multinomial logistic regression.

The logistic regression is scikit-learn's with ``solver="sag"`` and ``tol=0.01``: the same model
(``C=1`` except for large text, multinomial) as the usual ``LogisticRegression()`` but on L2-normalised sparse rows it
converges in a few passes; lbfgs on 2²⁰ hashed features took 100× longer for the same
probabilities (measured: identical precision/recall on the benchmark).

Features that need no labels (TF-IDF vocabulary and IDF, category levels, quantile bins) are
computed once on all rows: they never see a label, so each row's probabilities remain
out-of-sample with respect to its label, and the vectoriser is not refit per fold.

Folds (measured on the benchmark's planted-noise data, 10 % uniform noise):

* linear models (text, mixed, embeddings): 5 folds below :data:`TEXT_FEWER_FOLDS_ROWS` rows, then 4.
  Folds run two at a time (one per core), so 4 folds take two rounds where 5 take three: at 1M
  rows 4 folds give F1 0.898 in 36 s against 0.898 in 70 s with 5 (3 folds: 0.896 in 32 s;
  logistic regression alone). At 200k rows fewer folds cost F1 (0.879 with 5 folds, 0.875 with
  3), so 5 stay below 500k rows.
* gradient boosting (tabular): 5 folds below :data:`FEWER_FOLDS_ROWS`, 3 below
  :data:`TWO_FOLDS_ROWS`, then 2. At 1M rows 2 folds give F1 0.772 in 37 s against 0.777 in
  175 s with 5 folds (default trees); capping each fold's training rows instead was worse
  (0.762 at 250k rows).

Gradient boosting's size (measured the same way, 10 % uniform / class-conditional noise):
scikit-learn's defaults (31 leaves, learning rate 0.1, up to 100 iterations, early stopping on
a 10 % hold-out) underfit large folds: they ran all 100 iterations at 1M rows. From
:data:`LARGE_TREES_ROWS` rows curate grows 255-leaf trees (at least 50 rows per leaf), 25
iterations at learning rate 0.2, no hold-out: at 1M rows (2 folds) F1 0.800/0.805 in 19 s vs
0.772 in 41 s; at 200k rows (3 folds) 0.754/0.751 in 12 s vs 0.740/0.743 in 15 s. Below that the
defaults win (20k rows: 0.678 vs 0.649; 100k rows: a tie), so small data keeps them. From
:data:`TWO_FOLDS_ROWS` rows the trees learn faster and stop sooner (learning rate 0.3, 15
iterations): at 1M rows F1 0.785/0.786 in 13 s (at 200k rows it would cost F1: 0.733/0.725).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

CHAR_NGRAM_MAX_ROWS = 50_000
TEXT_FEWER_FOLDS_ROWS = 500_000  # linear models: 5 folds below, 4 from here
FEWER_FOLDS_ROWS = 100_000  # gradient boosting: 5 folds below, 3 from here …
TWO_FOLDS_ROWS = 500_000  # … and 2 from here
LARGE_TREES_ROWS = 200_000  # gradient boosting: bigger trees, fewer iterations from here
HASH_FEATURES = 2**20
MAX_CATEGORIES = 254  # HistGradientBoosting: categories must be < max_bins (255)
IDENTIFIER_UNIQUE_SHARE = 0.5
NUMERIC_BINS = 10
MODELS = ("auto", "text", "tabular", "mixed")
SINGLE_THREAD_ROWS = 20_000
PARALLEL_HASH_ROWS = 200_000


class ModelInputError(ValueError):
    """The columns give the model nothing to learn from (no words, no usable column, ragged vectors)."""


class _Progress(Protocol):
    def track(self, items: Iterable[T], total: int | None, description: str) -> Iterator[T]: ...


@dataclass
class OutOfSample:
    """Out-of-sample probabilities (rows × classes, columns in class-index order) and how they were made."""

    pred_probs: np.ndarray
    kind: str  # text / tabular / mixed / embeddings
    description: str  # e.g. "TF-IDF word 1-2 + char 2-5 grams, logistic regression"
    folds: int
    seconds: float = 0.0
    features: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # feature columns left out, with why


def default_folds(rows: int, kind: str = "tabular") -> int:
    """Fewer folds when data is plentiful (see the module docs for the measurements)."""
    if kind != "tabular":
        return 5 if rows < TEXT_FEWER_FOLDS_ROWS else 4
    if rows < FEWER_FOLDS_ROWS:
        return 5
    if rows < TWO_FOLDS_ROWS:
        return 3
    return 2


# --------------------------------------------------------------------------- features


def text_values(series: pd.Series) -> pd.Series:
    """Text column as str, nulls as empty strings."""
    return series.astype("string").fillna("").astype(str)


def text_features(texts: pd.Series, *, large: bool | None = None):
    """Sparse TF-IDF rows for a text column (word + char n-grams, or hashed words when large)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer

    texts = text_values(texts)
    if large is None:
        large = len(texts) > CHAR_NGRAM_MAX_ROWS
    if large:
        hasher = HashingVectorizer(n_features=HASH_FEATURES, alternate_sign=False, norm=None, dtype=np.float32)
        counts = _hash_in_processes(hasher, texts.tolist())
        return TfidfTransformer().fit_transform(counts).tocsr(), "TF-IDF hashed words"
    blocks = []
    for name, vectorizer in (
        ("word 1-2", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)),
        ("char 2-5", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)),
    ):
        try:
            blocks.append((name, vectorizer.fit_transform(texts)))
        except ValueError:  # empty vocabulary: no word of 2+ characters / no character n-gram seen twice
            continue
    if not blocks:
        raise ModelInputError("the text column has no words or character n-grams to learn from")
    if len(blocks) == 1:
        return blocks[0][1].tocsr(), f"TF-IDF {blocks[0][0]}-grams"
    words, chars = blocks[0][1], blocks[1][1]
    return (sparse.hstack([words, chars]).tocsr() * np.float32(1 / np.sqrt(2.0))), "TF-IDF word 1-2 + char 2-5-grams"


def _hash_in_processes(hasher: Any, texts: list[str]):
    """``hasher.transform(texts)`` in chunks over all cores (it is stateless, so the result is
    identical); tokenising is pure Python, so threads would not help. 1M texts: 8.7 s vs 12.3 s."""
    from joblib import Parallel, delayed
    from scipy import sparse

    jobs = os.cpu_count() or 1
    if jobs == 1 or len(texts) < PARALLEL_HASH_ROWS:
        return hasher.transform(texts)
    bounds = np.linspace(0, len(texts), 4 * jobs + 1).astype(int)
    parts = Parallel(n_jobs=jobs)(delayed(hasher.transform)(texts[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))
    return sparse.vstack(parts).tocsr()


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def tabular_frame(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Columns ready for HistGradientBoosting: numbers as float, the rest pandas categories.

    Returns the frame and the columns left out (identifier-like strings), with the reason.
    """
    out: dict[str, pd.Series] = {}
    skipped: list[str] = []
    n = len(frame)
    for column in columns:
        values = frame[column]
        if _is_numeric(values):
            out[column] = values.astype("float64")
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.to_datetime(values, utc=True)
            out[column] = pd.Series(
                np.where(stamps.notna(), (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), np.nan), index=values.index
            )
            continue
        try:
            as_text = values.astype("string")
        except (TypeError, ValueError):
            as_text = values.map(lambda v: None if v is None else str(v)).astype("string")
        counts = as_text.value_counts(dropna=True)
        if n and len(counts) > MAX_CATEGORIES and len(counts) > IDENTIFIER_UNIQUE_SHARE * n:
            skipped.append(f"{column} (identifier-like: {len(counts):,} distinct values)")
            continue
        keep = counts.index[:MAX_CATEGORIES]
        as_text = as_text.where(as_text.isin(keep))
        out[column] = pd.Series(pd.Categorical(as_text.astype(object), categories=sorted(map(str, keep))), index=values.index)
    return pd.DataFrame(out, index=frame.index), skipped


def one_hot_features(table: pd.DataFrame):
    """Sparse one-hot rows of a :func:`tabular_frame` (numbers in quantile bins, nulls their own bin),
    each row scaled to unit norm."""
    from scipy import sparse

    n = len(table)
    blocks = []
    for column in table.columns:
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy().astype(np.int64)  # -1 for missing
            width = len(values.cat.categories) + 1
            codes = np.where(codes < 0, width - 1, codes)
        else:
            x = values.to_numpy(dtype=float)
            finite = np.isfinite(x)
            edges = np.unique(np.quantile(x[finite], np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1])) if finite.any() else np.array([])
            width = len(edges) + 2
            codes = np.where(finite, np.searchsorted(edges, np.where(finite, x, 0.0), side="right"), width - 1)
        blocks.append(sparse.csr_matrix((np.ones(n, dtype=np.float32), (np.arange(n), codes)), shape=(n, width)))
    if not blocks:
        return sparse.csr_matrix((n, 0))
    return sparse.hstack(blocks).tocsr() * np.float32(1 / np.sqrt(len(blocks)))


def embedding_matrix(series: pd.Series) -> np.ndarray:
    """A column of equal-length vectors (lists/arrays, or strings like "[0.1, 0.2]") as a float matrix."""
    def parse(value: Any) -> np.ndarray:
        try:
            if isinstance(value, str):
                value = value.strip().strip("[]")
                return np.array([float(v) for v in value.replace(",", " ").split()], dtype=float)
            return np.asarray(value, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ModelInputError(f"not a vector of numbers: {str(value)[:40]!r}") from None

    rows = [parse(v) for v in series.tolist()]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ModelInputError(f"embedding vectors have different lengths: {sorted(widths)[:5]}")
    matrix = np.vstack(rows)
    if not np.isfinite(matrix).all():
        raise ModelInputError("embedding vectors contain NaN or infinity")
    return matrix


# --------------------------------------------------------------------------- models


def _linear(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(solver="sag", C=1.0, tol=1e-2, max_iter=200, random_state=seed)


def large_text_c(rows: int) -> float:
    """The logistic regression's ``C`` for large text: 0.7 up to 200k rows, 0.3 from 1M, log-interpolated (measured)."""
    lo, hi = np.log(200_000), np.log(1_000_000)
    t = float(np.clip((np.log(max(rows, 1)) - lo) / (hi - lo), 0.0, 1.0))
    return 0.7 + t * (0.3 - 0.7)


def _linear_and_bayes(seed: int, rows: int):
    """Logistic regression and multinomial naive Bayes, probabilities averaged (large text, see the module docs)."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    logistic = LogisticRegression(solver="sag", C=large_text_c(rows), tol=1e-2, max_iter=200, random_state=seed)
    return VotingClassifier([("logistic", logistic), ("bayes", MultinomialNB())], voting="soft", weights=[3, 1])


def _boosting(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)


def _large_boosting(seed: int, rows: int):
    """Gradient boosting sized for :data:`LARGE_TREES_ROWS`+ rows (see the module docs)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rate, iterations = (0.3, 15) if rows >= TWO_FOLDS_ROWS else (0.2, 25)
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_leaf_nodes=255, min_samples_leaf=50, learning_rate=rate,
        max_iter=iterations, early_stopping=False, random_state=seed,
    )


def _dense_linear(seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500, random_state=seed))


def cross_validated_probs(
    make_model,
    X: Any,
    y: np.ndarray,
    n_classes: int,
    *,
    folds: int,
    seed: int = 0,
    progress: _Progress | None = None,
    description: str = "fold",
    n_jobs: int = 1,
) -> np.ndarray:
    """Stratified, seeded K-fold out-of-sample probabilities (rows × ``n_classes``).

    Rows with ``y == -1`` have no label to learn from: they are never trained on, and get the
    average prediction of the ``folds`` models instead (used for labels outside the label set).
    Every class needs at least ``folds`` rows (the caller leaves rarer classes out).
    ``n_jobs`` > 1 fits folds in that many threads (for models that release the GIL, like the
    sag solver); results are placed by fold, so they do not depend on it.
    """
    from joblib import Parallel, delayed
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold

    labeled = np.flatnonzero(y >= 0)
    unlabeled = np.flatnonzero(y < 0)
    probs = np.zeros((len(y), n_classes), dtype=np.float64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    jobs = (
        delayed(_fit_fold)(make_model, X, y, labeled[train], labeled[held_out], unlabeled, seed)
        for train, held_out in splitter.split(np.zeros(len(labeled)), y[labeled])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = Parallel(n_jobs=min(n_jobs, folds), prefer="threads", return_as="generator")(jobs)
        if progress is not None:
            results = progress.track(results, folds, description)
        for held_out, seen, held_probs, unlabeled_probs in results:
            probs[np.ix_(held_out, seen)] = held_probs
            if unlabeled_probs is not None:
                probs[np.ix_(unlabeled, seen)] += unlabeled_probs / folds
    return probs


def _take(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _fit_fold(make_model, X: Any, y: np.ndarray, train: np.ndarray, held_out: np.ndarray, unlabeled: np.ndarray, seed: int):
    from threadpoolctl import threadpool_limits

    model = make_model(seed)
    # OpenMP threads (gradient boosting) cost more than they save on small folds: measured
    # 0.45 s vs 1.4 s per fit at 1,000 rows on 2 busy cores
    threads = 1 if len(train) < SINGLE_THREAD_ROWS else None
    with threadpool_limits(limits=threads, user_api="openmp"):
        model.fit(_take(X, train), y[train])
    seen = np.asarray(model.classes_, dtype=np.int64)
    extra = model.predict_proba(_take(X, unlabeled)) if len(unlabeled) else None
    return held_out, seen, model.predict_proba(_take(X, held_out)), extra


def choose_kind(model: str, text: str | None, features: list[str]) -> str:
    """Resolve ``model: auto`` from the columns at hand."""
    if model != "auto":
        return model
    if text and features:
        return "mixed"
    return "text" if text else "tabular"


def out_of_sample_probs(
    frame: pd.DataFrame,
    y: np.ndarray,
    n_classes: int,
    *,
    text: str | None = None,
    features: list[str] | None = None,
    embeddings: str | None = None,
    model: str = "auto",
    folds: int | None = None,
    seed: int = 0,
    progress: _Progress | None = None,
) -> OutOfSample:
    """Out-of-sample probabilities for ``frame``'s rows with integer labels ``y`` (0..n_classes-1;
    -1 for rows to predict without learning from them, see :func:`cross_validated_probs`).

    ``text``/``features``/``embeddings`` name the columns to learn from; ``model`` is
    ``auto`` (text+features → mixed, text → text, else tabular), ``text``, ``tabular`` or
    ``mixed``. ``folds`` defaults to :func:`default_folds`.
    """
    start = time.perf_counter()
    features = list(features or [])
    kind = "embeddings" if embeddings else choose_kind(model, text, features)
    labelled = int((y >= 0).sum())  # rows the models learn from: sizes the folds and the large-data settings
    folds = folds or default_folds(labelled, kind)
    label = f"label_errors: {folds}-fold cross-validation"
    threads = os.cpu_count() or 1  # linear models: folds in parallel threads (sag releases the GIL)
    if embeddings:
        X = embedding_matrix(frame[embeddings])
        probs = cross_validated_probs(_dense_linear, X, y, n_classes, folds=folds, seed=seed, progress=progress, description=label,
                                      n_jobs=threads)
        return OutOfSample(probs, "embeddings", f"embeddings '{embeddings}' ({X.shape[1]} dims) + logistic regression", folds,
                           time.perf_counter() - start, [embeddings])
    skipped: list[str] = []
    if kind == "tabular":
        table, skipped = tabular_frame(frame, features)
        if table.shape[1] == 0:
            raise ModelInputError("no usable feature columns for the tabular model" + (f" (left out: {'; '.join(skipped)})" if skipped else ""))
        large = labelled >= LARGE_TREES_ROWS
        make_model = partial(_large_boosting, rows=labelled) if large else _boosting
        probs = cross_validated_probs(make_model, table, y, n_classes, folds=folds, seed=seed,
                                      progress=progress, description=label)
        desc = f"gradient boosting{' (255-leaf trees)' if large else ''} on {table.shape[1]} column{'s' if table.shape[1] != 1 else ''}"
        return OutOfSample(probs, kind, desc, folds, time.perf_counter() - start, list(table.columns), skipped)
    assert text is not None
    large = len(frame) > CHAR_NGRAM_MAX_ROWS
    X, desc = text_features(frame[text], large=large)
    used = [text]
    make_model, model_desc = _linear, " + logistic regression"
    if kind == "text" and large:
        make_model = partial(_linear_and_bayes, rows=labelled)
        model_desc = " + logistic regression averaged with naive Bayes"
    if kind == "mixed":
        from scipy import sparse

        table, skipped = tabular_frame(frame, [c for c in features if c != text])
        if table.shape[1]:
            X = sparse.hstack([X, one_hot_features(table)]).tocsr() * np.float32(1 / np.sqrt(2.0))  # both blocks: unit rows
            desc += f" + {table.shape[1]} one-hot column{'s' if table.shape[1] != 1 else ''}"
            used += list(table.columns)
    probs = cross_validated_probs(make_model, X, y, n_classes, folds=folds, seed=seed, progress=progress, description=label,
                                  n_jobs=threads)
    return OutOfSample(probs, kind, desc + model_desc, folds, time.perf_counter() - start, used, skipped)


__all__ = [
    "MODELS",
    "ModelInputError",
    "OutOfSample",
    "choose_kind",
    "cross_validated_probs",
    "default_folds",
    "embedding_matrix",
    "one_hot_features",
    "out_of_sample_probs",
    "tabular_frame",
    "text_features",
]
