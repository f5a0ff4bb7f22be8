"""Out-of-sample probabilities (``curate.models``): features, model choice, folds, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curate import models


class RecordingProgress:
    def __init__(self) -> None:
        self.calls: list[tuple[int | None, str]] = []
        self.steps = 0

    def track(self, items, total, description):
        self.calls.append((total, description))
        for item in items:
            self.steps += 1
            yield item


def texts(n: int = 240, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    vocab = {0: "goal match striker league", 1: "bank shares profit market", 2: "genome cells telescope lab"}
    y = rng.integers(0, 3, n)
    filler = ["the", "a", "of", "and", "in", "on", "said", "today"]
    rows = [" ".join(rng.choice(vocab[c].split(), 3).tolist() + rng.choice(filler, 4).tolist()) for c in y]
    return pd.DataFrame({"text": rows, "n": rng.normal(size=n), "cat": rng.choice(["u", "v"], n)}), y


def test_default_folds_fewer_when_data_is_plentiful() -> None:
    assert models.default_folds(2_000) == 5
    assert models.default_folds(models.FEWER_FOLDS_ROWS) == 3
    assert models.default_folds(models.TWO_FOLDS_ROWS) == 2
    assert models.default_folds(models.TEXT_FEWER_FOLDS_ROWS - 1, "text") == 5
    assert models.default_folds(models.TEXT_FEWER_FOLDS_ROWS, "text") == 4  # two rounds of two threads


def test_text_features_small_use_word_and_char_ngrams_large_use_hashing() -> None:
    frame, _ = texts()
    X, desc = models.text_features(frame["text"])
    assert "char 2-5" in desc and X.shape[0] == len(frame)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    np.testing.assert_allclose(norms, 1.0, atol=1e-6)  # two unit blocks weighted 1/sqrt(2)
    H, desc = models.text_features(frame["text"], large=True)
    assert "hashed" in desc and H.shape == (len(frame), models.HASH_FEATURES)


@pytest.mark.parametrize("processes", [False, True])
def test_hashed_features_are_scikit_learns_tfidf_of_the_hashed_counts(processes, monkeypatch) -> None:
    """The large-data features (hashed in worker processes, weighted in place) equal scikit-learn's
    own pipeline run the plain way, value for value."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    frame, _ = texts()
    if processes:
        monkeypatch.setattr(models, "PARALLEL_HASH_ROWS", 10)
        monkeypatch.setattr(models.os, "cpu_count", lambda: 2)
    H, _ = models.text_features(frame["text"], large=True)
    hasher = HashingVectorizer(n_features=models.HASH_FEATURES, alternate_sign=False, norm=None, dtype=np.float32)
    expected = TfidfTransformer().fit_transform(hasher.transform(frame["text"].tolist())).tocsr()
    assert H.dtype == expected.dtype and (H != expected).nnz == 0


def test_text_probs_are_out_of_sample_seeded_and_tracked_per_fold() -> None:
    frame, y = texts()
    progress = RecordingProgress()
    a = models.out_of_sample_probs(frame, y, 3, text="text", seed=1, progress=progress)
    # the data fit in the selection sample: every C on the first fold of the 5, then the winner on the other 4
    assert a.kind == "text" and a.folds == 5
    grid = ", ".join(f"C={c:g}" for c in models.TEXT_C)
    assert progress.calls[0] == (len(models.TEXT_C), f"label_errors: 5-fold cross-validation (choosing: {grid})")
    assert len(progress.calls) == 2 and progress.calls[1][0] == 4
    assert progress.steps == len(models.TEXT_C) + 4 and "chosen by log-loss on 1 of the 5 folds, 48 held-out rows" in a.description
    assert a.pred_probs.shape == (len(y), 3)
    np.testing.assert_allclose(a.pred_probs.sum(axis=1), 1.0, atol=1e-6)  # float32 features
    assert (a.pred_probs.argmax(axis=1) == y).mean() > 0.9
    b = models.out_of_sample_probs(frame, y, 3, text="text", seed=1)
    np.testing.assert_array_equal(a.pred_probs, b.pred_probs)
    c = models.out_of_sample_probs(frame, y, 3, text="text", seed=2)
    assert not np.array_equal(a.pred_probs, c.pred_probs)


def test_rows_without_a_label_are_predicted_never_learnt() -> None:
    frame, y = texts()
    y = y.copy()
    y[:5] = -1
    out = models.out_of_sample_probs(frame, y, 3, text="text", folds=3)
    np.testing.assert_allclose(out.pred_probs[:5].sum(axis=1), 1.0, atol=1e-6)  # average of the 3 fold models
    assert out.folds == 3


def test_a_row_is_never_predicted_by_a_model_that_saw_its_label() -> None:
    """Row 0 is mislabelled and carries a word no other row has: a model trained on it would tie
    that word to the wrong label; out-of-sample, the word is unknown and the text decides."""
    frame, y = texts()
    y = y.copy()
    first = int(y[0])
    y[0] = (first + 1) % 3
    frame.loc[0, "text"] = frame.loc[0, "text"] + " zzqxunique zzqxunique zzqxunique"
    out = models.out_of_sample_probs(frame, y, 3, text="text")
    assert out.pred_probs[0].argmax() == first and out.pred_probs[0, y[0]] < 0.3


def test_tabular_frame_types_and_identifier_columns() -> None:
    n = 600
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "flag": rng.random(n) < 0.5,
            "city": rng.choice(["a", "b", None], n),
            "uid": [f"id{i}" for i in range(n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="h"),
        }
    )
    table, skipped = models.tabular_frame(frame, list(frame.columns))
    assert list(table.columns) == ["num", "flag", "city", "when"]
    assert skipped and skipped[0].startswith("uid (identifier-like")
    assert table["num"].dtype == "float64" and table["when"].dtype == "float64"
    assert isinstance(table["city"].dtype, pd.CategoricalDtype) and table["city"].isna().any()
    assert isinstance(table["flag"].dtype, pd.CategoricalDtype)
    onehot = models.one_hot_features(table)
    assert onehot.shape[0] == n
    np.testing.assert_allclose(np.sqrt(np.asarray(onehot.multiply(onehot).sum(axis=1))).ravel(), 1.0)


def test_tabular_mixed_and_embeddings_models() -> None:
    frame, y = texts(300)
    frame["n"] = y + np.random.default_rng(1).normal(0, 0.3, len(y))
    tab = models.out_of_sample_probs(frame, y, 3, features=["n", "cat"])
    assert tab.kind == "tabular" and "on 2 columns" in tab.description  # trees or the linear candidate: chosen by the data
    assert "chosen by log-loss on 1 of the 5 folds, 60 held-out rows (31-leaf trees " in tab.description
    assert (tab.pred_probs.argmax(axis=1) == y).mean() > 0.8
    mixed = models.out_of_sample_probs(frame, y, 3, text="text", features=["n", "cat"])
    assert mixed.kind == "mixed" and "one-hot" in mixed.description and mixed.features == ["text", "n", "cat"]
    frame["emb"] = [list(np.eye(3)[c] + 0.1) for c in y]
    emb = models.out_of_sample_probs(frame, y, 3, embeddings="emb")
    assert emb.kind == "embeddings" and (emb.pred_probs.argmax(axis=1) == y).mean() > 0.95


def test_character_ngrams_are_scikit_learns_char_wb_tfidf() -> None:
    """Made once per distinct word and hashed, the character n-gram block is TfidfVectorizer's char_wb
    matrix up to column order (no collisions among these few n-grams): the same columns after
    min_df=2 (counted over texts) and the same similarity between every two texts. Case,
    punctuation, runs of whitespace, one-letter and repeated words, words seen once, empty texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    frame, _ = texts()
    extra = ["Hello,  WORLD!\tnew\nline", "a a a I x", "", "Café naïve ÉTÉ", "zzqx", "   ", "hello world hello"]
    column = models.text_values(pd.concat([frame["text"], pd.Series(extra)], ignore_index=True))
    expected = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                               dtype=np.float32).fit_transform(column)
    got = models._char_ngrams(column)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose((got @ got.T).toarray(), (expected @ expected.T).toarray(), atol=1e-5)  # float32 sums
    np.testing.assert_allclose(np.sort(got.data), np.sort(expected.data), rtol=1e-6)  # the same weights
    assert models._char_ngrams(pd.Series(["", " "])).shape == (2, 0)


def test_hashed_words_are_the_word_tfidf_up_to_column_order() -> None:
    """Without collisions (few words, 2**22 buckets) the hashed word block is TfidfVectorizer's word
    1-2-gram matrix with its columns in another order: the same similarity between every two texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    frame, _ = texts()
    column = models.text_values(frame["text"])
    expected = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit_transform(column)
    got = models._hashed_words(column)
    assert got.shape == expected.shape  # empty buckets dropped
    np.testing.assert_allclose((got @ got.T).toarray(), (expected @ expected.T).toarray(), atol=1e-6)


def test_selection_on_the_final_folds_repeats_no_fit() -> None:
    """Data that fit in the sample: each candidate is fitted on SHARED_FOLDS of the final folds, the
    winner alone on the rest, and its probabilities are exactly its plain K-fold run."""
    from functools import partial

    frame, y = texts(300)
    X, _ = models.text_features(frame["text"])
    fits: list[float] = []

    def counted(seed: int, C: float):
        fits.append(C)
        return models._linear(seed, C=C)

    candidates = {f"C={c:g}": partial(counted, C=c) for c in (0.01, 1.0)}
    chosen = models.select_model(candidates, X, y, 3, folds=5, seed=3)
    assert chosen.name == "C=1" and chosen.shared == models.SHARED_FOLDS
    assert len(fits) == 2 * models.SHARED_FOLDS + (5 - models.SHARED_FOLDS)
    held_out = sum(len(test) for _, test in models.fold_splits(y, 5, seed=3)[: models.SHARED_FOLDS])
    assert chosen.rows == held_out
    assert chosen.explain().startswith(f"C=1 chosen by log-loss on {models.SHARED_FOLDS} of the 5 folds, {held_out} held-out rows (C=0.01 ")
    plain = models.cross_validated_probs(partial(models._linear, C=1.0), X, y, 3, folds=5, seed=3)
    np.testing.assert_array_equal(chosen.probs, plain)


def test_large_text_averages_logistic_regression_with_naive_bayes(monkeypatch: pytest.MonkeyPatch) -> None:
    frame, y = texts(300)
    small = models.out_of_sample_probs(frame, y, 3, text="text")
    monkeypatch.setattr(models, "CHAR_NGRAM_MAX_ROWS", 100)
    large = models.out_of_sample_probs(frame, y, 3, text="text")
    assert "char 2-5" in small.description and "naive Bayes" not in small.description
    assert large.description.startswith("TF-IDF hashed words + logistic regression averaged with naive Bayes C=")
    np.testing.assert_allclose(large.pred_probs.sum(axis=1), 1.0, atol=1e-6)
    assert (large.pred_probs.argmax(axis=1) == y).mean() > 0.9
    mixed = models.out_of_sample_probs(frame, y, 3, text="text", features=["n", "cat"])
    assert "one-hot columns + logistic regression C=" in mixed.description  # naive Bayes is for words alone
    assert "naive Bayes" not in mixed.description


def test_model_selection_by_inner_log_loss() -> None:
    from sklearn.dummy import DummyClassifier

    frame, y = texts(300)
    X, _ = models.text_features(frame["text"])
    candidates = {"class shares": lambda seed: DummyClassifier(strategy="prior"), "C=1": models._linear}
    chosen = models.select_model(candidates, X, y, 3)
    assert chosen.name == "C=1" and chosen.losses["C=1"] < chosen.losses["class shares"]
    assert chosen.rows == 100 and "C=1 chosen by log-loss on 100 held-out rows of a 300-row sample" in chosen.explain()
    assert set(chosen.losses) == set(candidates) and chosen.probs is None  # the winner's final run is the caller's
    y_rare = y.copy()
    y_rare[:2] = -1  # unlabelled rows stay out of the sample; so do classes with fewer rows than folds
    assert len(models.selection_sample(y_rare)) == 298
    assert len(models.selection_sample(y, rows=90)) == 90


def test_selection_is_bounded_and_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    frame, y = texts(300)
    monkeypatch.setattr(models, "SELECT_ROWS", 120)
    between = models.out_of_sample_probs(frame, y, 3, text="text")  # above the sample, within the shared-fold bound
    assert f"chosen by log-loss on {models.SHARED_FOLDS} of the 5 folds" in between.description
    monkeypatch.setattr(models, "SHARED_SELECT_ROWS", 299)
    out = models.out_of_sample_probs(frame, y, 3, text="text")
    assert "chosen by log-loss on 40 held-out rows of a 120-row sample" in out.description and "C=1 " in out.description
    frame["n"] = y + np.random.default_rng(1).normal(0, 0.3, len(y))
    tab = models.out_of_sample_probs(frame, y, 3, features=["n", "cat"])
    assert "31-leaf trees" in tab.description and "255-leaf trees" in tab.description


def test_embedding_matrix_parses_strings_and_rejects_ragged() -> None:
    np.testing.assert_array_equal(models.embedding_matrix(pd.Series(["[1, 2]", "[3 4]"])), [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="different lengths"):
        models.embedding_matrix(pd.Series([[1, 2], [1, 2, 3]]))


def test_choose_kind() -> None:
    assert models.choose_kind("auto", "text", []) == "text"
    assert models.choose_kind("auto", None, ["a"]) == "tabular"
    assert models.choose_kind("auto", "text", ["a"]) == "mixed"
    assert models.choose_kind("tabular", "text", ["a"]) == "tabular"
