"""Label errors found by curate's `label_errors` check vs the plain cleanlab pipeline, same process.

    python bench/label_errors.py [--sizes 20000,200000,1000000] [--rates 0.05,0.1,0.2]
                                 [--kinds uniform,class] [--data text,tabular,real:sms,...] [--out FILE.jsonl]
    python bench/label_errors.py --guard-report
    python bench/label_errors.py --data text --sizes 200000 --rates 0.1 --kinds uniform --write DIR
    python bench/label_errors.py --peer DIR     # the peer alone on DIR, to time it as a whole process

For every data set × size × noise rate × noise kind, with planted label noise and therefore known
wrong rows, this script runs, one after the other in this process:

(a) curate end to end: the folder (Hugging Face layout, data/train.parquet 80 % + data/test.parquet
    20 %) goes through `curate.check(folder, suite)` with `label_errors: {max_share: 1.0}`; loading,
    features, model selection, cross-validation, Confident Learning and findings all count;
    then, from the result cache (same model, untimed), every Confident Learning flag
    (`max_swap_ratio: null`) and the P/R/F1 of cuts of them by the label's probability (at most
    0.01 / 0.05 / 1, `max_self_confidence`), and of the report cut's variants (`max_swap_ratio` 1
    and 3 instead of 1.5, `max_swap_asymmetry` 1, the lower direction, and null, no cap);
(b) the plain peer, on the same rows already in memory: text → `make_pipeline(TfidfVectorizer(
    sublinear_tf=True, min_df=2), LogisticRegression(C=4, max_iter=1000))`; tabular → one-hot +
    impute + standardise + `LogisticRegression()` (cleanlab's tabular tutorial);
    `cross_val_predict(..., cv=5, method="predict_proba")`, then
    `cleanlab.filter.find_label_issues(labels, pred_probs)` with its defaults;
(c) with `--hgb` (tabular only): (b) with `HistGradientBoostingClassifier(categorical_features=
    "from_dtype")` (scikit-learn's defaults) instead of the linear model.

Precision, recall and F1 are over rows (flagged vs planted); seconds are wall time. The data:

* `real:sms`, `real:sentences`, `real:airline`, `real:hate`: real public text datasets bundled
  with the tests (tests/data/real/README.md has sources and licences; 5,574 / 3,000 / 14,640 /
  24,783 rows; spam, product/film/restaurant sentiment, airline-tweet sentiment, hate speech),
  their published labels taken as the truth and noise planted on top. Their own real label errors
  count against precision for both pipelines alike. Sizes do not apply.
* text: 8 classes with unequal priors (27 %…8 %), pseudo-words from syllables; each document is
  8+Poisson(14) tokens, a Beta(2.5, 2.5) share of them topic words of its class (Zipf over 400 per
  class, 25 % borrowed from a confusable partner class, suffixes -s/-ed/-ing), the rest Zipf
  background words (20k vocabulary).
* tabular: `sklearn.datasets.make_classification` (5 classes, unequal priors, 12 features,
  8 informative), three informative columns turned into strings with 8/12/30 levels, one
  exponentiated, 5 % nulls in two columns.
* noise: `uniform` flips the given share of rows to any other class; `class` flips each class
  at its own rate (0.5×…1.5× the mean, averaging the given share) and 70 % of flips go to the
  class's confusable partner.

`--guard-report` runs curate alone on real labels as published, nothing planted: recorded outcomes
(UCI German Credit, UCI Adult income), a rating (UCI Wine Quality, also forced to be classes) and
the four real text datasets, and prints the weak-model guard's and label-kind detection's decisions.

Print a markdown table; each finished row is also appended to --out as JSON (resumable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

SYLLABLES = np.array(
    "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru "
    "sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu dra tre pli gro sno fla".split()
)
SUFFIXES = np.array(["", "s", "ed", "ing"])
TEXT_CLASSES = 8
TABULAR_CLASSES = 5


# --------------------------------------------------------------------------- data


def class_priors(k: int) -> np.ndarray:
    weights = 1.0 / (1.0 + 0.25 * np.arange(k))
    return weights / weights.sum()


def partner(k: int) -> np.ndarray:
    """Each class's confusable class: pairs (0,1), (2,3), …; with odd k the last pairs with k-2."""
    pairs = np.arange(k) ^ 1
    pairs[pairs >= k] = k - 2
    return pairs


def vocabulary(size: int, rng: np.random.Generator) -> np.ndarray:
    words: dict[str, None] = {}
    while len(words) < size:
        lengths = rng.integers(2, 4, size=size)
        parts = SYLLABLES[rng.integers(0, len(SYLLABLES), size=(size, 3))]
        for n, row in zip(lengths, parts):
            words.setdefault("".join(row[:n]), None)
            if len(words) == size:
                break
    return np.array(list(words))


def make_text(n: int, *, k: int = TEXT_CLASSES, seed: int = 0, vocab: int = 20_000, topic_words: int = 400,
              share: float = 0.25, topicality: tuple[float, float] = (2.5, 2.5)) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    words = vocabulary(vocab, rng)
    background = 1.0 / np.arange(1, vocab + 1) ** 1.05
    background /= background.sum()
    pool = rng.permutation(np.arange(500, vocab))[: k * topic_words].reshape(k, topic_words)
    topic = 1.0 / np.arange(1, topic_words + 1) ** 0.9
    topic /= topic.sum()
    y = rng.choice(k, size=n, p=class_priors(k))
    lengths = 8 + rng.poisson(14, size=n)
    total = int(lengths.sum())
    doc = np.repeat(np.arange(n), lengths)
    is_topic = rng.random(total) < rng.beta(*topicality, size=n)[doc]
    cls = np.where(rng.random(total) < share, partner(k)[y[doc]], y[doc])
    token = np.where(is_topic, pool[cls, rng.choice(topic_words, size=total, p=topic)], rng.choice(vocab, size=total, p=background))
    suffix = np.where(is_topic, rng.choice(4, size=total, p=[0.6, 0.2, 0.1, 0.1]), 0)
    tokens = (pd.Series(words[token]) + pd.Series(SUFFIXES[suffix])).to_numpy()
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    texts = [" ".join(tokens[s : s + m]) for s, m in zip(starts, lengths)]
    return pd.DataFrame({"text": texts}), y


def make_tabular(n: int, *, k: int = TABULAR_CLASSES, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n, n_features=12, n_informative=8, n_redundant=2, n_classes=k,
                               n_clusters_per_class=2, class_sep=1.0, weights=list(class_priors(k)), flip_y=0.0,
                               random_state=seed)
    rng = np.random.default_rng(seed + 1)
    frame = pd.DataFrame({f"x{i}": X[:, i] for i in range(X.shape[1])})
    for i, bins in ((0, 8), (1, 12), (2, 30)):
        edges = np.quantile(X[:, i], np.linspace(0, 1, bins + 1)[1:-1])
        frame[f"x{i}"] = pd.Series(np.char.add("c", np.searchsorted(edges, X[:, i]).astype(str)))
    frame["x3"] = np.exp(X[:, 3])
    for column in ("x4", "x5"):
        values = frame[column].to_numpy().copy()
        values[rng.random(n) < 0.05] = np.nan
        frame[column] = values
    return frame, y


def add_noise(y: np.ndarray, rate: float, kind: str, *, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 7)
    noisy = y.copy()
    if kind == "uniform":
        idx = rng.choice(len(y), size=round(rate * len(y)), replace=False)
        noisy[idx] = (y[idx] + rng.integers(1, k, size=len(idx))) % k
        return noisy
    weights = np.linspace(0.5, 1.5, k)[rng.permutation(k)]
    priors = np.bincount(y, minlength=k) / len(y)
    weights = weights * rate / float((priors * weights).sum())
    idx = np.flatnonzero(rng.random(len(y)) < weights[y])
    other = (y[idx] + rng.integers(1, k, size=len(idx))) % k
    noisy[idx] = np.where(rng.random(len(idx)) < 0.7, partner(k)[y[idx]], other)
    return noisy


# --------------------------------------------------------------------------- real text (bundled with the tests)

REAL = Path(__file__).resolve().parent.parent / "tests" / "data"
REAL_TEXT = ("sms", "sentences", "airline", "hate")  # --data real:NAME; sources and licences: tests/data/real/README.md


def _tab_lines(path: Path) -> list[list[str]]:
    """``text<TAB>label`` / ``label<TAB>text`` lines split by hand: their quotes are text, not CSV quoting."""
    return [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n") if "\t" in line]


def load_real(name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """A real public text dataset as (frame with ``text``, integer labels as given)."""
    root = REAL / "real"
    if name == "sms":  # UCI SMS Spam Collection: ham/spam, 5,574 messages
        rows = [(text, label) for label, text in (line[:2] for line in _tab_lines(root / "sms_spam_collection/SMSSpamCollection"))]
    elif name == "sentences":  # UCI Sentiment Labelled Sentences: Amazon/IMDB/Yelp, 3,000 sentences
        rows = [(line[0], line[-1].strip()) for f in sorted((root / "sentiment_labelled_sentences").glob("*_labelled.txt"))
                for line in _tab_lines(f)]
    elif name == "airline":  # Twitter US Airline Sentiment: negative/neutral/positive, 14,640 tweets (CC BY-NC-SA 4.0)
        frame = pd.read_csv(root / "twitter_airline_sentiment/Tweets.csv.gz")
        rows = list(zip(frame["text"], frame["airline_sentiment"]))
    elif name == "hate":  # Davidson et al. hate speech / offensive / neither, 24,783 tweets
        frame = pd.read_parquet(root / "hate_speech_offensive_hf/data/train-00000-of-00001.parquet")
        rows = list(zip(frame["tweet"], frame["class"].astype(str)))
    else:
        raise SystemExit(f"unknown real dataset {name!r}; one of {', '.join(REAL_TEXT)}")
    frame = pd.DataFrame(rows, columns=["text", "label"])
    return frame[["text"]], pd.Categorical(frame["label"]).codes.astype(np.int64)


# --------------------------------------------------------------------------- the two contenders


def write_folder(root: Path, features: pd.DataFrame, labels: np.ndarray, embedding_model: str | None = None) -> int:
    """A Hugging Face-layout folder: data/train.parquet (first 80 %) + data/test.parquet. Returns the cut.
    ``embedding_model``: a local sentence-transformers folder the suite's label_errors encodes the text with."""
    frame = features.copy()
    frame.insert(0, "id", np.char.add("r", np.arange(len(frame)).astype(str)))
    frame["label"] = np.char.add("class_", labels.astype(str))
    cut = int(len(frame) * 0.8)
    (root / "data").mkdir(parents=True, exist_ok=True)
    frame.iloc[:cut].to_parquet(root / "data/train.parquet", index=False)
    frame.iloc[cut:].to_parquet(root / "data/test.parquet", index=False)
    text = "  text: text\n" if "text" in frame.columns else ""
    (root / "curate.yaml").write_text(f"dataset:\n  key: id\n  label: label\n{text}checks:\n  - label_errors: {{max_share: 1.0}}\n")
    if embedding_model:
        suite = (root / "curate.yaml").read_text().replace("{max_share: 1.0}", "{max_share: 1.0, embedding_model: " + json.dumps(embedding_model) + "}")
        (root / "curate.yaml").write_text(suite)
    return cut


VARIANTS = {  # label_errors params re-run from the result cache (same model, untimed): the report cut's sweep
    "ratio 1": "max_swap_ratio: 1",
    "ratio 3": "max_swap_ratio: 3",
    "asymmetry 1": "max_swap_asymmetry: 1",
    "no cap": "max_swap_asymmetry: null",
}


def run_curate(root: Path, n: int, cut: int) -> tuple[np.ndarray, float, dict]:
    """curate's default (timed), then from the result cache every Confident Learning flag
    (``max_swap_ratio: null``) with each flag's self-confidence, and the :data:`VARIANTS`."""
    import curate

    def flags(result) -> tuple[np.ndarray, np.ndarray]:
        if result.status.value == "error":
            raise RuntimeError(result.message)
        mask, self_confidence = np.zeros(n, dtype=bool), np.ones(n)
        for f in result.findings:
            i = f.row + (cut if f.split == "test" else 0)
            mask[i], self_confidence[i] = True, 1.0 - f.score  # score = 1 - self-confidence (rank_by default)
        return mask, self_confidence

    cache = root / "cache"
    suite = root / "curate.yaml"
    default = suite.read_text()

    def rerun(params: str):
        suite.write_text(default.replace("{max_share: 1.0", "{max_share: 1.0, " + params, 1))
        return flags(curate.check(root, cache=cache).result("label_errors"))

    start = time.perf_counter()
    result = curate.check(root, cache=cache).result("label_errors")
    seconds = time.perf_counter() - start
    mask, _ = flags(result)
    every, self_confidence = rerun("max_swap_ratio: null")
    variants = {name: rerun(params)[0] for name, params in VARIANTS.items()}
    return mask, seconds, {"message": result.message, "folds": result.metrics.get("folds"), "all": every,
                           "self_confidence": self_confidence, "variants": variants}


def usual_model(data: str, features: pd.DataFrame, hgb: bool = False):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if data != "tabular":  # text, generated or real: the plain peer of issue 11
        return (make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), LogisticRegression(C=4, max_iter=1000)),
                features["text"])
    if hgb:
        from sklearn.ensemble import HistGradientBoostingClassifier

        X = features.copy()
        for c in X.columns:
            if not pd.api.types.is_numeric_dtype(X[c]):
                X[c] = X[c].astype("category")
        return HistGradientBoostingClassifier(categorical_features="from_dtype"), X
    cats = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    numeric = make_pipeline(SimpleImputer(), StandardScaler())
    prep = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cats)], remainder=numeric)
    return make_pipeline(prep, LogisticRegression()), features


def run_usual(data: str, features: pd.DataFrame, labels: np.ndarray, hgb: bool = False) -> tuple[np.ndarray, float]:
    from cleanlab.filter import find_label_issues
    from sklearn.model_selection import cross_val_predict

    start = time.perf_counter()
    model, X = usual_model(data, features, hgb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred_probs = cross_val_predict(model, X, labels, cv=5, method="predict_proba")
    mask = find_label_issues(labels, pred_probs)
    return mask, time.perf_counter() - start


def prf(mask: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = int((mask & truth).sum())
    precision = tp / max(int(mask.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000,1000000")
    parser.add_argument("--rates", default="0.05,0.1,0.2")
    parser.add_argument("--kinds", default="uniform,class")
    parser.add_argument("--data", default="text,tabular")
    parser.add_argument("--hgb", action="store_true", help="also run the usual pipeline with gradient boosting (tabular)")
    parser.add_argument("--skip-usual", action="store_true", help="only run curate (e.g. to time it alone)")
    parser.add_argument("--embedding-model", metavar="DIR", help="curate's label_errors learns from the text encoded by this "
                        "local sentence-transformers model folder (the peer keeps TF-IDF)")
    parser.add_argument("--out", default=None, help="append each result row to this JSON-lines file")
    parser.add_argument("--guard-report", action="store_true", help="only report the guard's decisions on real labels")
    parser.add_argument("--write", metavar="DIR", help="only write the first data set's folder to DIR (for whole-process timings)")
    parser.add_argument("--peer", metavar="DIR", help="only run the peer on a folder written by --write")
    args = parser.parse_args()
    if args.guard_report:
        return guard_report()
    if args.write:
        return write_only(Path(args.write), args.data.split(",")[0], int(args.sizes.split(",")[0]),
                          float(args.rates.split(",")[0]), args.kinds.split(",")[0])
    if args.peer:
        return peer_only(Path(args.peer))
    done: set[tuple] = set()
    if args.out and Path(args.out).exists():
        for line in Path(args.out).read_text().splitlines():
            r = json.loads(line)
            done.add((r["data"], r["rows"], r["rate"], r["kind"]))

    header = ("| data | rows | noise | curate P | R | F1 | s | usual P | R | F1 | s | speed-up | "
              "curate P/R/F1 by max_self_confidence |")
    print(header + "\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for data in args.data.split(","):
        real = data.startswith("real:")
        for size in [0] if real else map(int, args.sizes.split(",")):
            features = labels = None
            for rate in map(float, args.rates.split(",")):
                for kind in args.kinds.split(","):
                    if (data, size, rate, kind) in done:
                        continue
                    if features is None:
                        if real:
                            features, truth_labels = load_real(data.split(":", 1)[1])
                            size = len(features)
                        else:
                            features, truth_labels = (make_text if data == "text" else make_tabular)(size)
                    k = int(truth_labels.max()) + 1
                    labels = add_noise(truth_labels, rate, kind, k=k)
                    truth = labels != truth_labels
                    row = {"data": data, "rows": size, "rate": rate, "kind": kind, "planted": int(truth.sum())}
                    with tempfile.TemporaryDirectory() as tmp:
                        cut = write_folder(Path(tmp), features, labels, args.embedding_model)
                        mask, seconds, info = run_curate(Path(tmp), size, cut)
                    every, self_confidence, variants = info.pop("all"), info.pop("self_confidence"), info.pop("variants")
                    row.update(zip(("curate_p", "curate_r", "curate_f1"), prf(mask, truth)), curate_s=seconds, **info)
                    for cut_at in SWEEP:
                        row[f"cut_{cut_at:g}"] = prf(every & (self_confidence <= cut_at), truth)
                    for name, flagged in variants.items():
                        row[f"cut_{name}"] = prf(flagged, truth)
                    if not args.skip_usual:
                        mask, seconds = run_usual("text" if real else data, features, labels)
                        row.update(zip(("usual_p", "usual_r", "usual_f1"), prf(mask, truth)), usual_s=seconds)
                        if args.hgb and data == "tabular":
                            mask, seconds = run_usual(data, features, labels, hgb=True)
                            row.update(zip(("hgb_p", "hgb_r", "hgb_f1"), prf(mask, truth)), hgb_s=seconds)
                    if args.out:
                        with open(args.out, "a") as fh:
                            fh.write(json.dumps(row) + "\n")
                    print(table_row(row), flush=True)


def write_only(root: Path, data: str, size: int, rate: float, kind: str) -> None:
    """The folder the main loop would give curate, kept: time `curate check DIR` and `--peer DIR`
    as whole processes."""
    features, truth_labels = load_real(data.split(":", 1)[1]) if data.startswith("real:") else (
        (make_text if data == "text" else make_tabular)(size))
    labels = add_noise(truth_labels, rate, kind, k=int(truth_labels.max()) + 1)
    write_folder(root, features, labels)
    print(f"{root}: {len(labels):,} rows, {int((labels != truth_labels).sum()):,} planted")


def peer_only(root: Path) -> None:
    """The peer alone on a folder written by --write (train then test rows, as curate reads them)."""
    frame = pd.concat([pd.read_parquet(root / "data/train.parquet"), pd.read_parquet(root / "data/test.parquet")],
                      ignore_index=True)
    labels = pd.Categorical(frame["label"]).codes.astype(np.int64)
    data = "text" if "text" in frame.columns else "tabular"
    mask, seconds = run_usual(data, frame.drop(columns=["id", "label"]), labels)
    print(f"peer: {int(mask.sum()):,} flagged in {seconds:.1f} s")


GERMAN = ["checking", "duration", "history", "purpose", "amount", "savings", "employment", "rate", "status_sex", "debtors",
          "residence", "property", "age", "installments", "housing", "credits", "job", "liable", "telephone", "foreign", "credit"]
ADULT = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation", "relationship", "race",
         "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income"]


def guard_cases() -> list[tuple[str, pd.DataFrame, str, str]]:
    """(name, frame, label column, params) of real labels as published: outcomes, ratings, annotations."""
    german = pd.read_csv(REAL / "german.data.gz", sep=r"\s+", header=None, names=GERMAN)
    adult = pd.read_csv(REAL / "adult.data.gz", header=None, names=ADULT, skipinitialspace=True, na_values="?")
    wine = pd.read_csv(REAL / "winequality-red.csv.gz")
    cases = [("German Credit (outcome)", german, "credit", "{}"), ("Adult income (outcome)", adult, "income", "{}"),
             ("Wine Quality (score 3-8)", wine, "quality", "{}"),
             ("Wine Quality as classes", wine, "quality", "{label_kind: categorical}")]
    for name in REAL_TEXT:
        frame, y = load_real(name)
        cases.append((f"{name} (annotation)", frame.assign(label=y), "label", "{}"))
    return cases


def guard_report() -> None:
    """The guard's and the label-kind detection's decisions on real labels, nothing planted."""
    import curate

    print("| data | rows | status | accuracy | majority | lift | log-loss skill | would flag | flagged | s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for name, frame, label, params in guard_cases():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            frame.to_parquet(root / "train.parquet", index=False)
            text = ", text: text" if "text" in frame.columns else ""
            (root / "curate.yaml").write_text(f"dataset: {{label: {label}{text}}}\nchecks:\n  - label_errors: {params}\n")
            start = time.perf_counter()
            r = curate.check(root).result("label_errors")
            seconds = time.perf_counter() - start
        m = r.metrics
        cells = [name, f"{m.get('rows', len(frame)):,}", r.status.value]
        cells += [f"{m[k]:.2f}" if k in m else "–" for k in ("model_accuracy", "baseline_accuracy", "accuracy_lift", "log_loss_skill")]
        cells += [f"{m.get('would_flag', m.get('flagged', 0)):,}" if "guard" in m else "–", f"{len(r.findings):,}", f"{seconds:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)


SWEEP = (0.01, 0.05, 1.0)  # max_self_confidence cuts of every Confident Learning flag (same model)


def table_row(r: dict) -> str:
    cells = [r["data"], f"{r['rows']:,}", f"{r['rate']:.0%} {r['kind']}",
             f"{r['curate_p']:.3f}", f"{r['curate_r']:.3f}", f"{r['curate_f1']:.3f}", f"{r['curate_s']:.1f}"]
    if "usual_s" in r:
        cells += [f"{r['usual_p']:.3f}", f"{r['usual_r']:.3f}", f"{r['usual_f1']:.3f}", f"{r['usual_s']:.1f}",
                  f"{r['usual_s'] / r['curate_s']:.1f}×"]
    else:
        cells += ["–"] * 5
    line = "| " + " | ".join(cells) + " |"
    line += " " + " ".join(f"{k[4:]}: {'/'.join(f'{v:.3f}' for v in r[k])}" for k in r if k.startswith("cut_")) + " |"
    if "hgb_s" in r:
        line += f" hgb P/R/F1 {r['hgb_p']:.3f}/{r['hgb_r']:.3f}/{r['hgb_f1']:.3f} in {r['hgb_s']:.1f} s"
    return line


if __name__ == "__main__":
    sys.exit(main())
