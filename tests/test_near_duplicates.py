"""``near_duplicates`` and the MinHash / LSH engine under it (``curate.dedup``)."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import ADULT_NAMES, EXAMPLES, HF_NEWS_ROLES, REPO, adult_rows, loose, planted, reference_text, run, write

import curate
from curate.dedup import (
    MinHashConfig,
    Normalization,
    exact_jaccard,
    lsh_shape,
    near_duplicate_pairs,
    normalize_strings,
    shingle_sets,
    union_find,
    unique_texts,
)
from curate.errors import CurateError

PLANTED = planted("hf_news")
# hf_news's planted near copies are light edits of long texts (word-bigram Jaccard from 0.54):
# its own suite sets threshold 0.5, below the default 0.8 chosen on real short texts
CHECKS = """
  - near_duplicates: {threshold: 0.5}
  - near_duplicates: {name: with_exact, include_exact: true, threshold: 0.5}
  - near_duplicates: {name: estimated, verify: estimate, seed: 7, threshold: 0.5}
  - near_duplicates: {name: chars, shingle: char, threshold: 0.5}
"""


@pytest.fixture(scope="module")
def hf_report(tmp_path_factory):
    return run(EXAMPLES / "hf_news", tmp_path_factory.mktemp("suite"), CHECKS, HF_NEWS_ROLES)


def planted_pairs(*categories: str) -> set[tuple[str, str]]:
    return {(d["id"], d["original_id"]) for c in categories for d in PLANTED[c]}


def found_pairs(result) -> set[tuple[str, str]]:
    return {(f.key, f.related[0].key) for f in result.findings}


@pytest.fixture(scope="module")
def pydoc_paragraphs() -> list[str]:
    """Real English text with real repeats: the paragraphs of Python's own help topics (PSF licence,
    shipped with every Python as ``pydoc_data.topics``); several sections repeat word for word."""
    import pydoc_data.topics

    text = "\n".join(pydoc_data.topics.topics.values())
    return [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.split()) >= 3]


def bench_module():
    import sys

    if "bench_near_duplicates" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_near_duplicates", REPO / "bench" / "near_duplicates.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_near_duplicates"]


# --------------------------------------------------------------------------- the check on hf_news


def test_hf_news_finds_exactly_the_planted_near_duplicates(hf_report) -> None:
    result = hf_report.result("near_duplicates")
    assert found_pairs(result) == planted_pairs("near_duplicates")
    assert result.status.value == "fail" and result.metrics["groups"] == 15 and result.metrics["near_duplicates"] == 15
    for f in result.findings:
        assert f.split == "train" and f.column == "text" and len(f.related) == 1
        assert f.suggestion["action"] == "delete" and 0.5 <= f.suggestion["confidence"] < 1.0
        assert f.score == f.suggestion["confidence"]
        assert re.search(r"near duplicate of row \d+ \(key tr-\d+\): Jaccard 0\.\d{3} on word 2-grams$", f.message)


def test_settings_do_not_change_what_hf_news_holds(hf_report) -> None:
    near = planted_pairs("near_duplicates")
    assert found_pairs(hf_report.result("estimated")) == near  # estimated similarity, other seed
    assert found_pairs(hf_report.result("chars")) == near  # character 5-grams
    # with include_exact the identical texts (duplicates and conflicting labels) are reported too
    exact = planted_pairs("exact_duplicates", "normalized_duplicates", "conflicting_labels")
    assert found_pairs(hf_report.result("with_exact")) == near | exact
    assert all(f.score == 1.0 for f in hf_report.result("with_exact").findings if (f.key, f.related[0].key) in exact)


def test_similarity_in_findings_is_the_exact_jaccard(hf_report) -> None:
    frame = pd.read_csv(EXAMPLES / "hf_news" / "data" / "train.csv").set_index("id")

    def bigrams(text: str) -> set:
        w = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
        return {tuple(w[i : i + 2]) for i in range(len(w) - 1)}

    for f in hf_report.result("near_duplicates").findings:
        a, b = bigrams(frame.loc[f.key, "text"]), bigrams(frame.loc[f.related[0].key, "text"])
        assert f.score == round(len(a & b) / len(a | b), 4)


# --------------------------------------------------------------------------- real data and a realistic generator


def test_real_text_engine_equals_brute_force(pydoc_paragraphs) -> None:
    """On ~2,300 real paragraphs, every pair at or above the threshold (found by comparing all
    2.6 million pairs exactly) is found, and nothing else."""
    import scipy.sparse as sp

    text = normalize_strings(pd.Series(pydoc_paragraphs), Normalization())
    _, texts = unique_texts(text)
    for shingle, n, threshold in (("word", 2, 0.5), ("char", 5, 0.6), ("word", 1, 0.8)):
        result = near_duplicate_pairs(text, MinHashConfig(shingle=shingle, ngram=n, threshold=threshold))
        offsets, values = shingle_sets(texts, shingle, n)
        rows = np.repeat(np.arange(len(texts)), np.diff(offsets))
        _, cols = np.unique(values, return_inverse=True)
        m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), int(cols.max()) + 1))
        inter = (m @ m.T).tocoo()
        size = np.diff(offsets)
        jac = inter.data / (size[inter.row] + size[inter.col] - inter.data)
        keep = (inter.row < inter.col) & (jac >= threshold)
        truth = set(zip(inter.row[keep].tolist(), inter.col[keep].tolist()))
        assert len(truth) > 50
        assert set(zip(result.left.tolist(), result.right.tolist())) == truth, (shingle, n, threshold)


def test_real_text_repeats_are_left_to_duplicates(pydoc_paragraphs, tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(len(pydoc_paragraphs)), "text": pydoc_paragraphs})
    (tmp_path / "d").mkdir()
    frame.to_parquet(tmp_path / "d" / "train.parquet")
    suite = write(tmp_path / "suite.yaml", "dataset:\n  key: id\n  text: text\nchecks:\n  - duplicates: {}\n  - near_duplicates: {}\n")
    report = curate.check(tmp_path / "d", suite=suite)
    normalised = frame["text"].map(lambda t: re.sub(r"\s+", " ", unicodedata.normalize("NFKC", t).casefold()).strip())
    repeats = set(frame["id"][normalised.duplicated()].astype(str))
    assert len(repeats) > 300
    assert {f.key for f in report.result("duplicates").findings} == repeats
    near = report.result("near_duplicates")
    assert len(near.findings) > 20
    for f in near.findings:  # identical texts are left to `duplicates`; every row meets the default 0.8
        assert normalised[int(f.key)] != normalised[int(f.related[0].key)]
        assert f.score >= 0.8


def test_realistic_generator_precision_and_recall() -> None:
    """The benchmark's generator (planted exact copies and realistic edits): the engine finds the
    planted groups with pairwise F1 above 0.98 and invents none."""
    bench = bench_module()
    corpus = bench.generate(20_000, seed=3)
    labels = bench.run_curate(corpus.texts, 0.5, "word", 2, 128, None)
    precision, recall, f1 = bench.score(labels, corpus.group)
    assert precision > 0.999 and recall > 0.98 and f1 > 0.98
    exact = np.array([k.startswith("exact") for k in corpus.kind])
    assert (labels[exact] >= 0).all()  # every exact copy is grouped


# --------------------------------------------------------------------------- behaviour of the check


def test_null_and_empty_texts_are_never_near_duplicates(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(6), "text": [None, "", "  ", "!!", "?", "a b c d e f"]})
    (tmp_path / "d").mkdir()
    frame.to_csv(tmp_path / "d" / "train.csv", index=False)
    suite = write(tmp_path / "s.yaml", "dataset:\n  key: id\n  text: text\nchecks:\n  - near_duplicates: {include_exact: true}\n")
    result = curate.check(tmp_path / "d", suite=suite).result("near_duplicates")
    assert result.findings == [] and result.status.value == "skip"  # five of six rows have no content
    assert result.metrics["rows_not_compared"] == 5 and "could not judge" in result.message


def test_tabular_rows_join_their_values(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "sku": ["a1", "a2", "a3", "a4"],
        "name": ["Blue cotton shirt, slim fit", "Blue cotton shirt slim fit", "Red wool scarf", "Green silk tie"],
        "brand": ["Acme", "ACME", "Acme", "Bolt"],
        "size": ["M", "M", "L", "S"],
    })
    (tmp_path / "d").mkdir()
    frame.to_csv(tmp_path / "d" / "train.csv", index=False)
    suite = write(tmp_path / "s.yaml", "dataset:\n  key: sku\nchecks:\n  - near_duplicates: {columns: [name, brand, size], include_exact: true}\n"
                  "  - near_duplicates: {name: default, shingle: char, threshold: 0.6}\n")
    report = curate.check(tmp_path / "d", suite=suite)
    assert found_pairs(report.result("near_duplicates")) == {("a2", "a1")}
    assert report.result("near_duplicates").findings[0].column is None
    default = report.result("default")  # tabular rows are left to `duplicates` unless columns are named
    assert default.status.value == "skip" and default.findings == [] and "not applicable" in default.message


def test_workers_and_chunking_do_not_change_results(pydoc_paragraphs, monkeypatch) -> None:
    from curate import dedup

    text = normalize_strings(pd.Series(pydoc_paragraphs * 2), Normalization())
    one = near_duplicate_pairs(text, workers=1)
    monkeypatch.setattr(dedup, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(dedup, "BLOCK_ELEMENTS", 1000)
    two = near_duplicate_pairs(text, workers=2)
    assert np.array_equal(one.left, two.left) and np.array_equal(one.right, two.right)
    assert np.allclose(one.similarity, two.similarity) and np.array_equal(one.text_of_row, two.text_of_row)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ("{column: txt}", "column 'txt' not found in split 'train' (did you mean 'text'?)"),
        ("{column: text, columns: [text]}", "either column or columns"),
        ("{bands: 200}", "cannot exceed num_perm"),
        ("{threshold: 0}", "threshold"),
        ("{shingle: sentence}", "shingle"),
        ("{treshold: 0.8}", "did you mean 'threshold'"),
    ],
)
def test_parameter_errors_are_located(tmp_path: Path, params: str, fragment: str) -> None:
    (tmp_path / "d").mkdir()
    pd.DataFrame({"id": [1, 2], "text": ["a", "b"]}).to_csv(tmp_path / "d" / "train.csv", index=False)
    suite = write(tmp_path / "s.yaml", f"dataset:\n  key: id\nchecks:\n  - near_duplicates: {params}\n")
    with pytest.raises(CurateError) as caught:
        curate.check(tmp_path / "d", suite=suite)
    assert caught.value.line == 4 and fragment in caught.value.message


# --------------------------------------------------------------------------- engine units


def test_shingles_match_a_python_reference(pydoc_paragraphs) -> None:
    sample = pydoc_paragraphs[:400] + ["Ünïcödé wörds — “quoted” text…", "x", "", "ab", "a—b",
                                       "RT @USER: 🇮🇳🏆 [LINK]", "RT @USER: 😈😅 [LINK]", "❤️ it, 5€ + $5 👍🏽"]
    text = normalize_strings(pd.Series(sample), Normalization())

    def token(t: str) -> bool:  # runs of word characters, and every symbol on its own
        return bool(re.match(r"\w", t)) or unicodedata.category(t[0]).startswith("S")

    def reference(s: str, kind: str, n: int) -> set:
        s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).casefold()).replace("\ufe0f", "")
        words = [t for t in re.findall(r"\w+|[^\w\s]", s) if token(t)]
        if kind == "char":
            joined = " ".join(words)
            return {joined[i : i + n] for i in range(max(1, len(joined) - n + 1))} if joined else set()
        return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} if words else set()

    rng = np.random.default_rng(0)
    pairs = rng.integers(0, len(sample), (3000, 2))
    for kind, n in (("word", 1), ("word", 2), ("word", 3), ("char", 3), ("char", 5)):
        offsets, values = shingle_sets(text, kind, n)
        ref = [reference(s, kind, n) for s in sample]
        assert np.diff(offsets).tolist() == [len(r) for r in ref], (kind, n)
        got = exact_jaccard(offsets, values, pairs)
        want = [len(ref[a] & ref[b]) / len(ref[a] | ref[b]) if ref[a] | ref[b] else 0.0 for a, b in pairs]
        assert np.allclose(got, want), (kind, n)


def test_lsh_shape_catches_pairs_at_the_threshold() -> None:
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        for num_perm in (64, 128, 256):
            bands, rows = lsh_shape(threshold, num_perm)
            assert bands * rows <= num_perm
            if 1 - (1 - threshold ** 1) ** num_perm >= 0.995:
                assert 1 - (1 - threshold**rows) ** bands >= 0.995
                # one more row per band would miss too many
                b2 = num_perm // (rows + 1)
                assert b2 == 0 or 1 - (1 - threshold ** (rows + 1)) ** b2 < 0.995
    assert lsh_shape(0.5, 128) == (42, 3) and lsh_shape(0.5, 128, bands=16) == (16, 8)


def test_union_find_matches_connected_components() -> None:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(1)
    n = 5000
    left, right = rng.integers(0, n, 4000), rng.integers(0, n, 4000)
    labels = union_find(n, left, right)
    _, ref = connected_components(coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n)), directed=False)
    # same partition, and every label is its component's smallest node
    assert len(set(zip(labels, ref))) == len(set(ref)) == len(set(labels))
    assert all(labels[labels] == labels) and all(labels <= np.arange(n))


def test_deterministic_and_seeded(pydoc_paragraphs) -> None:
    text = normalize_strings(pd.Series(pydoc_paragraphs), Normalization())
    a = near_duplicate_pairs(text, MinHashConfig(verify="estimate"))
    b = near_duplicate_pairs(text, MinHashConfig(verify="estimate"))
    c = near_duplicate_pairs(text, MinHashConfig(verify="estimate", seed=99))
    assert np.array_equal(a.left, b.left) and np.array_equal(a.similarity, b.similarity)
    assert not (len(a.left) == len(c.left) and np.array_equal(a.similarity, c.similarity))


def test_empty_and_tiny_inputs() -> None:
    assert len(near_duplicate_pairs(pa.array([], type=pa.large_string())).left) == 0
    assert len(near_duplicate_pairs(pa.array(["only one"], type=pa.large_string())).left) == 0
    res = near_duplicate_pairs(pa.array([None, "a b", "a b", ""], type=pa.large_string()))
    assert res.text_of_row.tolist() == [-1, 0, 0, -1] and len(res.left) == 0


# --------------------------------------------------------------------------- groups never chain


def _star_reference(n: int, left, right, sim):
    """star_clusters written as a plain loop: rank by degree (ties: node), a node represents a
    group unless a higher-ranked neighbour does; members join their most similar representative."""
    nbrs = {v: {} for v in range(n)}
    for a, b, s in zip(left.tolist(), right.tolist(), sim.tolist()):
        nbrs[a][b] = nbrs[b][a] = s
    order = sorted(range(n), key=lambda v: (-len(nbrs[v]), v))
    rank = {v: i for i, v in enumerate(order)}
    rep = set()
    for v in order:
        if not any(u in rep for u in nbrs[v] if rank[u] < rank[v]):
            rep.add(v)
    out = []
    for v in range(n):
        if v in rep:
            out.append((v, 1.0))
        else:
            best = min((u for u in nbrs[v] if u in rep), key=lambda u: (-nbrs[v][u], u))
            out.append((best, nbrs[v][best]))
    return out


@pytest.mark.parametrize("rounds", [64, 1])
def test_star_clusters_match_a_plain_loop_and_never_chain(rounds: int, monkeypatch) -> None:
    from curate import dedup

    monkeypatch.setattr(dedup, "STAR_ROUNDS", rounds)  # 1: most nodes are settled one by one
    rng = np.random.default_rng(5)
    for n, m in ((300, 200), (300, 900), (50, 600)):
        left, right = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = left != right
        left, right = left[keep], right[keep]
        key = np.unique(np.column_stack([np.minimum(left, right), np.maximum(left, right)]), axis=0)
        left, right = key[:, 0], key[:, 1]
        sim = np.round(rng.uniform(0.5, 1.0, len(left)), 3)
        rep_of, s = dedup.star_clusters(n, left, right, sim)
        assert list(zip(rep_of.tolist(), s.tolist())) == _star_reference(n, left, right, sim)
        pairs = {(a, b): x for a, b, x in zip(left.tolist(), right.tolist(), sim.tolist())}
        for v in np.flatnonzero(rep_of != np.arange(n)).tolist():
            r = int(rep_of[v])
            assert rep_of[r] == r and pairs[(min(v, r), max(v, r))] == s[v]  # a direct pair, never a chain


def test_a_chain_of_small_edits_is_not_one_group(tmp_path: Path) -> None:
    """Each text differs from the next by one word: neighbours are near duplicates, the ends are not."""
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november".split()
    texts = [" ".join(words[i : i + 8]) for i in range(len(words) - 7)]
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    result = run(loose(tmp_path / "d", train=frame), tmp_path, "  - near_duplicates: {threshold: 0.5}\n",
                 dataset="  key: id\n  text: text\n").result("near_duplicates")
    assert result.findings
    for f in result.findings:
        a, b = texts[int(f.key)].split(), texts[int(f.related[0].key)].split()
        bigrams = lambda w: set(zip(w, w[1:]))
        jac = len(bigrams(a) & bigrams(b)) / len(bigrams(a) | bigrams(b))
        assert f.score == round(jac, 4) >= 0.5 and f.suggestion["confidence"] == f.score


def test_real_adult_rows_are_not_near_duplicate_checked_and_never_chain(tmp_path: Path) -> None:
    """UCI Adult (32,561 census rows): transitive grouping once put 30,536 rows in one group. By
    default tabular rows are skipped; asked for explicitly, every finding meets the threshold
    against the row that is kept, and no group holds more than a sliver of the table."""
    frame = adult_rows()
    root = loose(tmp_path / "adult", train=frame)
    columns = ", ".join(ADULT_NAMES)
    report = run(root, tmp_path, f"  - near_duplicates: {{}}\n  - near_duplicates: {{name: asked, columns: [{columns}]}}\n",
                 dataset="  key: id\n  label: income\n")
    default = report.result("near_duplicates")
    assert default.status.value == "skip" and "no text column" in default.message and not default.findings
    asked = report.result("asked")
    assert len(asked.findings) > 100
    by_id = frame.set_index("id")

    def shingles(row_id: str) -> set:
        values = ["" if pd.isna(v) else str(v).casefold() for v in by_id.loc[int(row_id)].tolist()]
        words = [t for t in re.findall(r"\w+|[^\w\s]", " ".join(values))
                 if re.match(r"\w", t) or unicodedata.category(t).startswith("S")]  # '<=50k': '<', '=', '50k'
        return set(zip(words, words[1:]))

    rng = np.random.default_rng(0)
    for i in rng.choice(len(asked.findings), 200, replace=False):
        f = asked.findings[int(i)]
        a, b = shingles(f.key), shingles(f.related[0].key)
        assert f.score >= 0.5 and abs(len(a & b) / len(a | b) - f.score) < 1e-3
    sizes = pd.Series([f.related[0].key for f in asked.findings]).value_counts()
    assert sizes.max() < 0.01 * len(frame)


def test_real_tweets_that_differ_only_in_emoji_are_not_copies(tmp_path: Path) -> None:
    """Airline tweets (tests/data/real/twitter_airline_sentiment): texts equal once their symbols
    are stripped but different with them (``@united thank you!`` / ``@united thank you! 😊``) are
    never exact duplicates, and never near duplicates with similarity 1."""
    tweets = pd.read_csv(REPO / "tests" / "data" / "real" / "twitter_airline_sentiment" / "Tweets.csv.gz", dtype=str)
    frame = pd.DataFrame({"id": range(len(tweets)), "text": tweets["text"]})

    def strip_symbols(t: str) -> str:
        return "".join(ch for ch in t if not unicodedata.category(ch).startswith("S") and ch != "\ufe0f").strip()

    norm = frame["text"].map(reference_text)
    bare = norm.map(lambda t: None if t is None else re.sub(r"\s+", " ", strip_symbols(t)).strip())
    pairs = {}
    for b, group in frame.assign(n=norm, b=bare).dropna().groupby("b"):
        if group["n"].nunique() > 1:
            pairs[b] = set(group["id"].astype(str))
    emoji_only = {(a, c) for ids in pairs.values() for a in ids for c in ids if norm[int(a)] != norm[int(c)]}
    assert len(pairs) >= 2 and len(emoji_only) >= 10  # real tweets that differ only in their emoji
    root = loose(tmp_path / "t", train=frame)
    report = run(root, tmp_path, "  - duplicates: {columns: [text]}\n  - near_duplicates: {column: text, include_exact: true}\n")
    for f in report.result("duplicates").findings:
        assert (f.key, f.related[0].key) not in emoji_only
    near = report.result("near_duplicates")
    assert len(near.findings) > 100
    ids, texts = unique_texts(normalize_strings(frame["text"], Normalization()))
    pairs_u = np.array(sorted({(ids[int(a)], ids[int(c)]) for a, c in emoji_only if ids[int(a)] < ids[int(c)]}))
    offsets, values = shingle_sets(texts, "word", 2)
    assert len(pairs_u) and (exact_jaccard(offsets, values, pairs_u) < 1.0).all()  # the emoji are shingles
    for f in near.findings:
        if (f.key, f.related[0].key) in emoji_only:
            assert f.score < 1.0
