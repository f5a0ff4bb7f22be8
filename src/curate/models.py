"""Out-of-sample predicted probabilities for Confident Learning, built from the dataset itself.

Confident Learning needs, for every row, class probabilities from a model that never saw that
row's label. :func:`out_of_sample_probs` gets them by stratified, seeded K-fold
cross-validation, with the model's capacity chosen by the data (:func:`select_model`):

* **text** (a text column): TF-IDF features and a multinomial logistic regression. Up to
  :data:`CHAR_NGRAM_MAX_ROWS` rows: word 1–2-grams plus character 2–5-grams (``char_wb``), each
  block L2-normalised and weighted ``1/√2``; the words hashed (:func:`_hashed_words`) and the
  character n-grams made once per distinct word (:func:`_char_ngrams`), because building them text
  by text with scikit-learn's vocabulary was most of this step's time at these sizes. Above, where
  character n-grams cost more time than they add: words through a ``HashingVectorizer`` (stateless, no vocabulary in memory, 2²⁰
  columns) with an IDF transform, and the logistic regression's probabilities averaged 3:1 with a
  multinomial naive Bayes's (``VotingClassifier``, soft voting; the NB + linear-model pairing of
  Wang & Manning, ACL 2012). The logistic regression's ``C`` comes from a log grid
  (:data:`TEXT_C`, :data:`LARGE_TEXT_C`).
* **tabular** (no text column): ``HistGradientBoostingClassifier`` with native categorical
  support (``categorical_features="from_dtype"``): string/boolean columns become pandas
  categories (at most 254 levels, rarer values missing), numbers and dates stay numbers, nulls
  are handled natively. Identifier-like columns (mostly unique strings) are left out. The tree
  size is chosen between scikit-learn's defaults (31 leaves, early stopping) and bigger,
  faster-learning trees (255 leaves, at least 50 rows per leaf, a fixed number of iterations),
  and against a multinomial logistic regression on standardised numbers and one-hot categories,
  whose calibrated probabilities win where a few smooth boundaries separate the classes (UCI Iris:
  the trees' overconfident mistakes on overlapping species were all flagged as label errors).
* **mixed** (text and other feature columns): the text blocks plus the tabular columns one-hot
  encoded (numbers in 10 quantile bins, nulls a bin of their own), one linear model, ``C`` chosen.
* **embeddings** (a column of vectors, or the text encoded by a local sentence-transformers model,
  :mod:`curate.encoders`): standardised, multinomial logistic regression.

**Model selection.** Every candidate is fitted on two thirds of a stratified sample of at most
:data:`SELECT_ROWS` labelled rows (the first of :data:`SELECT_FOLDS` folds) and the one with the
lowest log-loss on the held-out third wins: log-loss because Confident Learning uses the
probabilities themselves, not just the predicted class; a bounded sample so the choice costs the
same at 20k and at 1M rows; one split rather than an inner cross-validation per candidate because
it made the same choices at a third of the cost (bench/RESULTS.md). When
every row is labelled and there are at most :data:`SHARED_SELECT_ROWS` of them, the candidates are
compared on the first :data:`SHARED_FOLDS` of the final K folds (a held-out slice) and only the winner is fitted on the other folds: its fits on the
first ones are kept, so the selection costs a few fits rather than a whole cross-validation per
candidate. The result's ``description`` names the choice and the evidence ("… logistic regression
C=3 (C=3 chosen by log-loss on 6,667 held-out rows of a 20,000-row sample (C=0.3 1.053, …))", or
"… chosen by log-loss on 1 of the 5 folds, 600 held-out rows (…)"), and the ``label_errors`` check
puts it in its message.

The logistic regression is scikit-learn's with ``solver="sag"`` and ``tol=0.01`` (hashed words:
:data:`LARGE_TEXT_TOL`): on L2-normalised sparse rows it converges in a few passes where lbfgs
needs far longer for the same probabilities. Folds run in threads (sag releases the GIL).

Features that need no labels (TF-IDF vocabulary and IDF, category levels, quantile bins) are
computed once on all rows: they never see a label, so each row's probabilities remain
out-of-sample with respect to its label, and the vectoriser is not refit per fold.

Folds: 5 for linear models below :data:`TEXT_FEWER_FOLDS_ROWS` rows, then 4 (two rounds of two
threads instead of three); gradient boosting 5 below :data:`FEWER_FOLDS_ROWS`, 3 below
:data:`TWO_FOLDS_ROWS`, then 2 — more rows per fold buy less than the extra fits cost. These
are cost choices; the measurements behind them and every benchmark figure are in
bench/RESULTS.md, not here.
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
TEXT_FEWER_FOLDS_ROWS = 100_000  # linear models: 5 folds below, 4 from here
FEWER_FOLDS_ROWS = 100_000  # gradient boosting: 5 folds below, 3 from here …
TWO_FOLDS_ROWS = 500_000  # … and 2 from here
SELECT_ROWS = 20_000  # model selection: a sample of at most this many rows …
SELECT_FOLDS = 3  # … whose first of this many stratified folds is held out
SHARED_FOLDS = 1  # candidates compared on this many of the final folds (a held-out slice) …
SHARED_SELECT_ROWS = 50_000  # … when every row is labelled and there are at most this many (see select_model)
TEXT_C = (1.0, 4.0, 16.0)  # logistic regression's C tried on word + char n-grams (a log grid)
LARGE_TEXT_C = (0.3, 1.0, 3.0)  # … and on hashed words, averaged with naive Bayes …
LARGE_TEXT_TOL = 0.03  # … whose sag stops at this tolerance (0.01 on smaller data): the same held-out log-loss in fewer passes
HASH_FEATURES = 2**20
LINEAR_TABULAR = "logistic regression"  # the tabular candidate besides the two tree sizes
WORD_HASH_FEATURES = 2**22  # word 1-2-grams up to CHAR_NGRAM_MAX_ROWS rows: buckets before the empty ones are dropped
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
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    texts = text_values(texts)
    if large is None:
        large = len(texts) > CHAR_NGRAM_MAX_ROWS
    if large:
        hasher = HashingVectorizer(n_features=HASH_FEATURES, alternate_sign=False, norm=None, dtype=np.float32)
        counts = _hash_in_processes(hasher, texts)
        # weighted in place (copy=False): a second rows × words matrix would be this step's peak memory
        return TfidfTransformer().fit(counts).transform(counts, copy=False).tocsr(), "TF-IDF hashed words"
    blocks = []
    words = _hashed_words(texts)
    if words.shape[1]:
        blocks.append(("word 1-2", words))
    chars = _char_ngrams(texts)
    if chars.shape[1]:
        blocks.append(("char 2-5", chars))
    if not blocks:
        raise ModelInputError("the text column has no words or character n-grams to learn from")
    if len(blocks) == 1:
        return blocks[0][1].tocsr(), f"TF-IDF {blocks[0][0]}-grams"
    return (sparse.hstack([b for _, b in blocks]).tocsr() * np.float32(1 / np.sqrt(2.0))), "TF-IDF word 1-2 + char 2-5-grams"


def _hashed_words(texts: pd.Series):
    """Sublinear TF-IDF of word 1-2-grams, as ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``
    gives them but hashed (:data:`WORD_HASH_FEATURES` buckets, empty ones dropped): building the
    vocabulary is a Python dictionary lookup per token, several times slower than the hashing
    (bench/RESULTS.md), and a collision only merges two rare n-grams."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    hasher = HashingVectorizer(ngram_range=(1, 2), n_features=WORD_HASH_FEATURES, alternate_sign=False, norm=None,
                               dtype=np.float32)
    counts = _used_columns(hasher.transform(texts).tocsr())
    if not counts.shape[1]:
        return counts
    return TfidfTransformer(sublinear_tf=True).fit(counts).transform(counts, copy=False).tocsr()


def _char_ngrams(texts: pd.Series):
    """``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)``'s
    matrix (hashed, :data:`WORD_HASH_FEATURES` buckets, empty ones dropped), from each distinct
    word's n-grams once.

    ``char_wb`` takes its n-grams inside whitespace-separated words, so a text's n-gram counts are
    its word counts times each word's n-gram counts: (texts × words) @ (words × n-grams). Texts
    repeat their words, and n-grams are made by a Python loop per character; here it runs over the
    distinct words only, and hashing the n-grams spares the vocabulary's dictionary lookup per
    n-gram (together most of this step's time when done text by text, bench/RESULTS.md).
    """
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer

    try:  # the lower-cased, whitespace-split words, as char_wb splits them
        words = CountVectorizer(tokenizer=str.split, token_pattern=None, dtype=np.int64)
        per_text = words.fit_transform(texts)
    except ValueError:  # no word at all
        return _empty(len(texts))
    grams = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False, n_features=WORD_HASH_FEATURES,
                              alternate_sign=False, norm=None, dtype=np.float64)
    per_word = _used_columns(grams.transform(words.get_feature_names_out().tolist()).tocsr())
    counts = (per_text @ per_word).tocsr()
    counts = counts[:, np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= 2)]  # min_df=2
    counts = counts.astype(np.float32)
    if not counts.shape[1]:
        return counts
    return TfidfTransformer(sublinear_tf=True).fit(counts).transform(counts, copy=False).tocsr()


def _used_columns(matrix):
    """``matrix`` without its all-zero columns (hashing buckets no feature fell in)."""
    return matrix[:, np.unique(matrix.indices)]


def _empty(rows: int):
    from scipy import sparse

    return sparse.csr_matrix((rows, 0), dtype=np.float32)


def _hash_in_processes(hasher: Any, texts: pd.Series):
    """``hasher.transform(texts)`` in chunks over all cores (it is stateless, so the result is
    identical); tokenising is pure Python, so threads would not help. The chunks go to the workers
    as slices of the (Arrow-backed) column, never as one list of Python strings in this process."""
    from joblib import Parallel, delayed
    from scipy import sparse

    jobs = os.cpu_count() or 1
    if jobs == 1 or len(texts) < PARALLEL_HASH_ROWS:
        return hasher.transform(texts)
    bounds = np.linspace(0, len(texts), 4 * jobs + 1).astype(int)
    # the workers leave a second after their last chunk: idle, each would keep a few hundred MB
    # resident through the folds that follow (loky's default keeps them 300 s for reuse)
    parallel = Parallel(n_jobs=jobs, backend="loky", idle_worker_timeout=1)
    parts = parallel(delayed(hasher.transform)(texts.iloc[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))
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


def _linear(seed: int, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(solver="sag", C=C, tol=1e-2, max_iter=200, random_state=seed)


def _linear_and_bayes(seed: int, C: float = 1.0):
    """Logistic regression and multinomial naive Bayes, probabilities averaged (large text, see the module docs)."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    logistic = LogisticRegression(solver="sag", C=C, tol=LARGE_TEXT_TOL, max_iter=200, random_state=seed)
    return VotingClassifier([("logistic", logistic), ("bayes", MultinomialNB())], voting="soft", weights=[3, 1])


def _boosting(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)


def _large_boosting(seed: int, rows: int):
    """Bigger, faster-learning trees: a candidate of the selection (see the module docs)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rate, iterations = (0.3, 15) if rows >= TWO_FOLDS_ROWS else (0.2, 25)
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_leaf_nodes=255, min_samples_leaf=50, learning_rate=rate,
        max_iter=iterations, early_stopping=False, random_state=seed,
    )


def _tabular_linear(seed: int):
    """Multinomial logistic regression on standardised numbers (median-imputed, with missing
    indicators) and one-hot categories: a candidate of the tabular selection, for classes a few
    smooth boundaries separate, where small-sample trees give overconfident probabilities (their
    misclassified rows then look like label errors)."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
         make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include="category")),
    )
    return make_pipeline(columns, LogisticRegression(C=1.0, max_iter=1000, random_state=seed))


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
    splits = fold_splits(y, folds, seed)
    fitted = _fit_folds([(make_model, split) for split in splits], X, y, seed, n_jobs, progress, description)
    return _place(fitted, y, n_classes, folds)


def fold_splits(y: np.ndarray, folds: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) row indices of the stratified, seeded K-fold split of the labelled rows."""
    from sklearn.model_selection import StratifiedKFold

    labeled = np.flatnonzero(y >= 0)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [(labeled[train], labeled[held_out]) for train, held_out in splitter.split(np.zeros(len(labeled)), y[labeled])]


_Fitted = tuple[np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None"]  # held-out rows, classes seen, their probs, unlabelled probs


def _fit_folds(jobs: list[tuple[Any, tuple[np.ndarray, np.ndarray]]], X: Any, y: np.ndarray, seed: int, n_jobs: int,
               progress: _Progress | None, description: str) -> list[_Fitted]:
    """Each ``(model factory, (train, held-out))`` job fitted, in up to ``n_jobs`` threads, results in job order."""
    from joblib import Parallel, delayed
    from sklearn.exceptions import ConvergenceWarning

    unlabeled = np.flatnonzero(y < 0)
    tasks = (delayed(_fit_fold)(make, X, y, train, held_out, unlabeled, seed) for make, (train, held_out) in jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = Parallel(n_jobs=max(1, min(n_jobs, len(jobs))), prefer="threads", return_as="generator")(tasks)
        if progress is not None:
            results = progress.track(results, len(jobs), description)
        return list(results)


def _place(fitted: list[_Fitted], y: np.ndarray, n_classes: int, folds: int) -> np.ndarray:
    """Fold results into one rows × classes array (unlabelled rows: the average of the ``folds`` models)."""
    unlabeled = np.flatnonzero(y < 0)
    probs = np.zeros((len(y), n_classes), dtype=np.float64)
    for held_out, seen, held_probs, unlabeled_probs in fitted:
        probs[np.ix_(held_out, seen)] = held_probs
        if unlabeled_probs is not None:
            probs[np.ix_(unlabeled, seen)] += unlabeled_probs / folds
    return probs


def _log_loss(probs: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-15, 1.0))))


def _take(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _fit_fold(make_model, X: Any, y: np.ndarray, train: np.ndarray, held_out: np.ndarray, unlabeled: np.ndarray, seed: int):
    from threadpoolctl import threadpool_limits

    model = make_model(seed)
    # OpenMP threads (gradient boosting) cost more than they save on small folds (bench/RESULTS.md)
    threads = 1 if len(train) < SINGLE_THREAD_ROWS else None
    with threadpool_limits(limits=threads, user_api="openmp"):
        model.fit(_take(X, train), y[train])
    seen = np.asarray(model.classes_, dtype=np.int64)
    extra = model.predict_proba(_take(X, unlabeled)) if len(unlabeled) else None
    return held_out, seen, model.predict_proba(_take(X, held_out)), extra


@dataclass
class Selection:
    """The candidate chosen by held-out log-loss, and the evidence (for the report)."""

    name: str
    make_model: Any
    losses: dict[str, float]
    rows: int  # rows whose held-out log-loss decided
    folds: int = SELECT_FOLDS
    probs: np.ndarray | None = None  # the winner's out-of-sample probabilities when the sample was every row
    shared: int = 0  # > 0: decided on this many of the final ``folds`` folds (then ``probs`` is the final run)
    sample: int = 0  # > 0: decided on the held-out rows of a sample of this many rows

    def explain(self) -> str:
        if len(self.losses) < 2:
            return ""
        tried = ", ".join(f"{k} {v:.3f}" for k, v in self.losses.items())
        if self.shared:
            return (f"{self.name} chosen by log-loss on {self.shared} of the {self.folds} folds, {self.rows:,} held-out rows "
                    f"({tried})")
        return f"{self.name} chosen by log-loss on {self.rows:,} held-out rows of a {self.sample:,}-row sample ({tried})"


def selection_sample(y: np.ndarray, rows: int | None = None, seed: int = 0) -> np.ndarray:
    """Up to ``rows`` (:data:`SELECT_ROWS`) labelled row indices, stratified, from classes with
    ≥ :data:`SELECT_FOLDS` of them."""
    rows = SELECT_ROWS if rows is None else rows
    labelled = np.flatnonzero(y >= 0)
    if len(labelled) > rows:
        from sklearn.model_selection import train_test_split

        labelled, _ = train_test_split(labelled, train_size=rows, random_state=seed, stratify=_strata(y[labelled]))
    counts = np.bincount(y[labelled])
    return np.sort(labelled[counts[y[labelled]] >= SELECT_FOLDS])


def _strata(y: np.ndarray) -> np.ndarray | None:
    """Stratify on ``y`` when every class has 2+ rows (train_test_split's requirement), else not at all."""
    return y if np.bincount(y)[np.unique(y)].min() >= 2 else None


def select_model(candidates: dict[str, Any], X: Any, y: np.ndarray, n_classes: int, *, seed: int = 0,
                 n_jobs: int = 1, folds: int | None = None, progress: _Progress | None = None,
                 description: str = "fold") -> Selection:
    """The candidate with the lowest out-of-sample log-loss on a bounded, stratified sample.

    Each candidate is a model factory ``f(seed)``. Log-loss (not accuracy) because Confident
    Learning uses the probabilities themselves; one held-out split of a sample of at most
    :data:`SELECT_ROWS` rows keeps the choice inside the time budget at any size. When ``folds``
    is given, every row is labelled and there are at most :data:`SHARED_SELECT_ROWS` of them, the
    candidates are compared on the first :data:`SHARED_FOLDS` of the final ``folds`` folds and only
    the winner is fitted on the others: its probabilities (:attr:`Selection.probs`) are then the
    final cross-validation, and no fit is repeated. That costs the losers' fits on one final fold
    (two fits of ``(folds-1)/folds`` of the rows for three candidates) where the sample costs one
    fit per candidate on the sample *and* the winner's whole final run: about the same cost up to
    :data:`SHARED_SELECT_ROWS`, decided on a whole final fold; above it the sample keeps the
    choice's cost flat.
    """
    names = list(candidates)
    sample = selection_sample(y, seed=seed)
    if len(names) == 1 or len(np.unique(y[sample])) < 2:
        return Selection(names[0], candidates[names[0]], {}, 0)
    if folds is not None and not (y < 0).any() and len(y) <= SHARED_SELECT_ROWS:
        return _select_on_final_folds(candidates, X, y, n_classes, folds, seed, n_jobs, progress, description)
    return _select_on_held_out_sample(candidates, _take(X, sample), y[sample], n_classes, seed, n_jobs, progress,
                                      description)


def _select_on_held_out_sample(candidates: dict[str, Any], Xs: Any, ys: np.ndarray, n_classes: int, seed: int,
                               n_jobs: int, progress: _Progress | None, description: str) -> Selection:
    """Every candidate fitted once on the sample's first :data:`SELECT_FOLDS`-fold training part, all
    in one batch of threads, and compared on its held-out rows: one fit per candidate instead of a
    whole inner cross-validation each (the choice it makes is in bench/RESULTS.md)."""
    split = fold_splits(ys, SELECT_FOLDS, seed)[0]
    _, held_out, losses, best = _compare(candidates, Xs, ys, n_classes, [split], SELECT_FOLDS, seed, n_jobs, progress,
                                         description)
    return Selection(best, candidates[best], losses, len(held_out), SELECT_FOLDS, sample=len(ys))


def _select_on_final_folds(candidates: dict[str, Any], X: Any, y: np.ndarray, n_classes: int, folds: int, seed: int,
                           n_jobs: int, progress: _Progress | None, description: str) -> Selection:
    """Every candidate on the first :data:`SHARED_FOLDS` folds of the final split (one batch of
    threads), then the winner alone on the remaining folds; its fits on the first ones are kept."""
    splits = fold_splits(y, folds, seed)
    shared = min(SHARED_FOLDS, folds - 1)
    kept, held_out, losses, best = _compare(candidates, X, y, n_classes, splits[:shared], folds, seed, n_jobs, progress,
                                            description)
    rest = _fit_folds([(candidates[best], split) for split in splits[shared:]], X, y, seed, n_jobs, progress,
                      f"{description} ({best})")
    probs = _place(kept + rest, y, n_classes, folds)
    return Selection(best, candidates[best], losses, len(held_out), folds, probs, shared)


def _compare(candidates: dict[str, Any], X: Any, y: np.ndarray, n_classes: int, splits: list[tuple[np.ndarray, np.ndarray]],
             folds: int, seed: int, n_jobs: int, progress: _Progress | None,
             description: str) -> tuple[list[_Fitted], np.ndarray, dict[str, float], str]:
    """Every candidate fitted on each of ``splits`` (one batch of threads) and scored by log-loss on
    their held-out rows: (the winner's fits, those rows, each candidate's loss, the winner; ties
    go to the earlier candidate)."""
    names = list(candidates)
    per = len(splits)
    fitted = _fit_folds([(candidates[name], split) for name in names for split in splits], X, y, seed, n_jobs, progress,
                        f"{description} (choosing: {', '.join(names)})")
    held_out = np.concatenate([split[1] for split in splits])
    losses = {name: _log_loss(_place(fitted[i * per:(i + 1) * per], y, n_classes, folds)[held_out], y[held_out])
              for i, name in enumerate(names)}
    best = min(names, key=lambda n: (losses[n], names.index(n)))
    k = names.index(best)
    return fitted[k * per:(k + 1) * per], held_out, losses, best


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
    vectors: np.ndarray | None = None,
    vectors_name: str = "",
    model: str = "auto",
    folds: int | None = None,
    seed: int = 0,
    progress: _Progress | None = None,
) -> OutOfSample:
    """Out-of-sample probabilities for ``frame``'s rows with integer labels ``y`` (0..n_classes-1;
    -1 for rows to predict without learning from them, see :func:`cross_validated_probs`).

    ``text``/``features``/``embeddings`` name the columns to learn from, or ``vectors`` (one row per
    row of ``frame``, e.g. a sentence encoder's, described as ``vectors_name``) are learnt from
    directly; ``model`` is ``auto`` (text+features → mixed, text → text, else tabular), ``text``,
    ``tabular`` or ``mixed``. ``folds`` defaults to :func:`default_folds`.
    """
    start = time.perf_counter()
    features = list(features or [])
    kind = "embeddings" if embeddings or vectors is not None else choose_kind(model, text, features)
    labelled = int((y >= 0).sum())  # rows the models learn from: sizes the folds and the large-data settings
    folds = folds or default_folds(labelled, kind)
    label = f"label_errors: {folds}-fold cross-validation"
    threads = os.cpu_count() or 1  # linear models: folds in parallel threads (sag releases the GIL)
    if kind == "embeddings":
        X = vectors if vectors is not None else embedding_matrix(frame[embeddings])
        probs = cross_validated_probs(_dense_linear, X, y, n_classes, folds=folds, seed=seed, progress=progress, description=label,
                                      n_jobs=threads)
        name = vectors_name or f"embeddings '{embeddings}'"
        return OutOfSample(probs, "embeddings", f"{name} ({X.shape[1]} dims) + logistic regression", folds,
                           time.perf_counter() - start, [c for c in (embeddings, text) if c])
    skipped: list[str] = []
    if kind == "tabular":
        table, skipped = tabular_frame(frame, features)
        if table.shape[1] == 0:
            raise ModelInputError("no usable feature columns for the tabular model" + (f" (left out: {'; '.join(skipped)})" if skipped else ""))
        candidates = {"31-leaf trees": _boosting, "255-leaf trees": partial(_large_boosting, rows=labelled),
                      LINEAR_TABULAR: _tabular_linear}
        chosen = select_model(candidates, table, y, n_classes, seed=seed, folds=folds, progress=progress, description=label)
        probs = chosen.probs if chosen.probs is not None else cross_validated_probs(
            chosen.make_model, table, y, n_classes, folds=folds, seed=seed, progress=progress, description=label)
        why = chosen.explain()
        model_name = chosen.name if chosen.name == LINEAR_TABULAR else f"gradient boosting, {chosen.name}"
        desc = (f"{model_name}, on {table.shape[1]} column{'s' if table.shape[1] != 1 else ''}"
                + (f" ({why})" if why else ""))
        return OutOfSample(probs, kind, desc, folds, time.perf_counter() - start, list(table.columns), skipped)
    assert text is not None
    large = len(frame) > CHAR_NGRAM_MAX_ROWS
    X, desc = text_features(frame[text], large=large)
    used = [text]
    blend = kind == "text" and large
    model_desc = " + logistic regression averaged with naive Bayes" if blend else " + logistic regression"
    if kind == "mixed":
        from scipy import sparse

        table, skipped = tabular_frame(frame, [c for c in features if c != text])
        if table.shape[1]:
            X = sparse.hstack([X, one_hot_features(table)]).tocsr() * np.float32(1 / np.sqrt(2.0))  # both blocks: unit rows
            desc += f" + {table.shape[1]} one-hot column{'s' if table.shape[1] != 1 else ''}"
            used += list(table.columns)
    grid = LARGE_TEXT_C if blend else TEXT_C
    factory = _linear_and_bayes if blend else _linear
    chosen = select_model({f"C={c:g}": partial(factory, C=c) for c in grid}, X, y, n_classes, seed=seed, n_jobs=threads,
                          folds=folds, progress=progress, description=label)
    probs = chosen.probs if chosen.probs is not None else cross_validated_probs(
        chosen.make_model, X, y, n_classes, folds=folds, seed=seed, progress=progress, description=label, n_jobs=threads)
    why = chosen.explain()
    return OutOfSample(probs, kind, f"{desc}{model_desc} {chosen.name}" + (f" ({why})" if why else ""), folds,
                       time.perf_counter() - start, used, skipped)


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
