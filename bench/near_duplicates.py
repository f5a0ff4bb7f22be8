"""Near-duplicate detection: curate's ``near_duplicates`` engine vs datasketch, same data, same run.

    python bench/near_duplicates.py                       # 100k and 1M rows, markdown table
    python bench/near_duplicates.py --sizes 100000 --repeat 3
    python bench/near_duplicates.py --sweep                # choose defaults: shingles × thresholds

The generator writes short English-like texts (lognormal length around 30 words; 45 % function
words drawn Zipf-style from a list of common English words, the rest from a 40,000-word
pseudo-word vocabulary, half of them topic-specific over 500 topics), then plants duplicate
groups: 3 % of the rows are exact copies (some differing only in case or whitespace), 7 % are
edited copies of an earlier text, made with realistic edits: a few words substituted, deleted
or inserted (2-10 % of the words), adjacent words swapped, the text truncated to 80-95 %, a few
words appended, sentences reordered, or a combination. Every copy belongs to its original's
group; precision, recall and F1 are computed over pairs of rows in the same group (planted vs
found), so a copy whose edits take it below the threshold counts as missed for both tools.

Both tools do the same job: normalise (NFKC, case fold, whitespace), split into words, make word
bigram shingles, MinHash them, find candidate pairs with LSH banding, keep pairs whose Jaccard
similarity is at least the threshold (0.5), and group rows with union-find (the same function for
both). datasketch gets the best settings found with ``--tune-datasketch`` (bench/RESULTS.md):
``MinHash.bulk`` with 128 permutations and xxhash instead of its default SHA-1, ``MinHashLSH``
with threshold 0.3 (37 bands × 3 rows) filled through an insertion session, one query per
document, and every candidate verified by its exact Jaccard similarity on the shingle sets (as
datasketch's docs advise for exact results, and as curate does; ``--ds-verify estimate`` uses
``MinHash.jaccard``, which loses recall). curate runs its defaults.

Each measurement runs in a forked child process (so one tool's leftovers cannot distort the
other's memory); peak memory is the child's peak resident set size above what it held when it
started (the generated texts, shared with the parent). Timings include everything from the
list of raw strings to the row groups.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import multiprocessing as mp
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass

import numpy as np

FUNCTION_WORDS = ["the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "i", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "they", "you", "were", "her", "she", "there", "one", "all", "we", "their", "been", "has", "if", "more", "when", "will", "would", "who", "so", "no", "out", "up", "into", "do", "than", "can", "about", "what", "them", "some", "could", "him", "time", "only", "other", "new", "its", "also", "these", "two", "may", "then", "first", "any", "my", "now", "such", "like", "our", "over", "man", "me", "even", "most", "made", "after", "well", "did", "many", "before", "must", "through", "back", "years", "where", "much", "your", "way", "down", "should", "because", "each", "just", "those", "people", "how", "too", "little", "state", "good", "very", "make", "world", "still", "own", "see", "men", "work", "long", "here", "get", "both", "between", "life", "being", "under", "never", "day", "same", "another", "know", "while", "last", "might", "us", "great", "old", "year", "off", "come", "since", "against", "go", "came", "right", "used", "take", "three"]
SYLLABLES = ["ba", "be", "bi", "bo", "bu", "ca", "ce", "ci", "co", "cu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "ga", "ge", "gi", "go", "ha", "he", "hi", "ho", "ja", "ka", "ke", "ki", "ko", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "pu", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "vo", "wa", "we", "wi", "ya", "yo", "za", "zo", "an", "en", "in", "on", "un", "ar", "er", "ir", "or", "ur", "al", "el", "il", "ol", "st", "tr", "pr", "br", "gr", "ch", "sh", "th"]
N_TOPICS = 500
TOPIC_WORDS = 300
VOCAB = 40_000
EXACT_SHARE = 0.03
NEAR_SHARE = 0.07
EDITS = ("substitute", "delete", "insert", "swap", "truncate", "append", "reorder", "substitute+swap")


def _zipf(n: int, s: float, q: float) -> np.ndarray:
    p = 1.0 / (np.arange(1, n + 1) + q) ** s
    return p / p.sum()


def _vocabulary(rng: np.random.Generator) -> np.ndarray:
    words: set[str] = set()
    function = set(FUNCTION_WORDS)
    while len(words) < VOCAB:
        parts = rng.choice(SYLLABLES, size=(VOCAB, 4))
        lengths = rng.integers(1, 5, VOCAB)
        for row, k in zip(parts, lengths):
            w = "".join(row[:k])
            if len(w) > 2 and w not in function:
                words.add(w)
    return np.array(sorted(words)[:VOCAB])


@dataclass
class Corpus:
    texts: list[str]
    group: np.ndarray  # planted group id per row (the original's row), -1 for rows in no group
    kind: list[str]  # "original", "unique", "exact", or the edit made


def generate(n_rows: int, seed: int = 0, exact_share: float = EXACT_SHARE, near_share: float = NEAR_SHARE) -> Corpus:
    """``n_rows`` texts with planted exact and near-duplicate groups (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    function = np.array(FUNCTION_WORDS)
    p_function = _zipf(len(function), 1.0, 1.0)
    p_vocab = _zipf(VOCAB, 1.1, 2.7)
    topic_words = rng.choice(VOCAB, size=(N_TOPICS, TOPIC_WORDS), p=p_vocab)
    p_topic = _zipf(TOPIC_WORDS, 1.0, 1.0)

    n_copies = int(n_rows * (exact_share + near_share))
    n_base = n_rows - n_copies
    lengths = np.clip(rng.lognormal(np.log(28), 0.45, n_base), 5, 120).astype(np.int64)
    total = int(lengths.sum())
    topic = np.repeat(rng.integers(0, N_TOPICS, n_base), lengths)
    u = rng.random(total)
    words = np.empty(total, dtype=object)
    f = u < 0.45
    g = (u >= 0.45) & (u < 0.725)
    t = u >= 0.725
    words[f] = function[rng.choice(len(function), f.sum(), p=p_function)]
    words[g] = vocab[rng.choice(VOCAB, g.sum(), p=p_vocab)]
    words[t] = vocab[topic_words[topic[t], rng.choice(TOPIC_WORDS, t.sum(), p=p_topic)]]
    ends = np.cumsum(lengths)
    starts = ends - lengths
    doc_words = [words[s:e].tolist() for s, e in zip(starts, ends)]
    breaks = [int(rng.integers(5, n - 4)) if n >= 14 else n for n in lengths]

    def render(ws: list[str], brk: int) -> str:
        first, second = ws[:brk], ws[brk:]
        out = " ".join(first).capitalize() + "."
        if second:
            out += " " + " ".join(second).capitalize() + "."
        return out

    texts = [render(w, b) for w, b in zip(doc_words, breaks)]

    # planted copies: originals chosen at random (an original may get several copies)
    n_exact = int(n_rows * exact_share)
    sources = rng.integers(0, n_base, n_copies)
    kinds: list[str] = []
    copies: list[str] = []
    pool = iter(vocab[rng.choice(VOCAB, 20 * n_copies + 100, p=p_vocab)].tolist())  # words to insert
    for i, src in enumerate(sources):
        ws, brk = list(doc_words[src]), breaks[src]
        if i < n_exact:
            variant = rng.integers(0, 3)
            text = texts[src]
            if variant == 1:
                text = text.upper() if rng.random() < 0.5 else text.lower()
                kinds.append("exact (case)")
            elif variant == 2:
                text = "  " + text.replace(" ", "  ", 2) + " "
                kinds.append("exact (whitespace)")
            else:
                kinds.append("exact")
            copies.append(text)
            continue
        kind = EDITS[int(rng.integers(0, len(EDITS)))]
        n = len(ws)
        k = max(1, round(n * rng.uniform(0.02, 0.10)))
        if kind.startswith("substitute"):
            for j in rng.choice(n, min(k, n), replace=False):
                ws[j] = next(pool)
        if kind == "delete":
            for _ in range(min(k, n - 3)):
                del ws[int(rng.integers(0, len(ws)))]
                brk = min(brk, len(ws))
        if kind == "insert":
            for _ in range(k):
                ws.insert(int(rng.integers(0, len(ws) + 1)), next(pool))
        if kind.endswith("swap"):
            j = int(rng.integers(0, len(ws) - 1))
            ws[j], ws[j + 1] = ws[j + 1], ws[j]
        if kind == "truncate":
            keep = max(3, int(len(ws) * rng.uniform(0.80, 0.95)))
            ws, brk = ws[:keep], min(brk, keep)
        if kind == "append":
            ws = ws + [next(pool) for _ in range(int(rng.integers(2, 5)))]
        if kind == "reorder" and brk < len(ws):
            ws, brk = ws[brk:] + ws[:brk], len(ws) - brk
        copies.append(render(ws, brk))
        kinds.append(kind)

    all_texts = texts + copies
    group_of = np.full(len(all_texts), -1, dtype=np.int64)
    group_of[n_base:] = sources
    has_copy = np.zeros(n_base, dtype=bool)
    has_copy[sources] = True
    group_of[:n_base][has_copy] = np.flatnonzero(has_copy)
    all_kinds = ["original" if c else "unique" for c in has_copy] + kinds
    order = rng.permutation(len(all_texts))
    # groups are named by their smallest row after shuffling
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    shuffled_group = group_of[order]
    return Corpus([all_texts[i] for i in order], _relabel(shuffled_group, rank), [all_kinds[i] for i in order])


def _relabel(group: np.ndarray, _rank: np.ndarray) -> np.ndarray:
    """Group ids as the smallest row of each group (-1 stays -1)."""
    out = np.full(len(group), -1, dtype=np.int64)
    ok = np.flatnonzero(group >= 0)
    if len(ok):
        first: dict[int, int] = {}
        for row in ok:
            first.setdefault(int(group[row]), int(row))
        out[ok] = [first[int(group[row])] for row in ok]
    return out


# --------------------------------------------------------------------------- scoring


def group_pairs(labels: np.ndarray) -> set[tuple[int, int]]:
    """All pairs of rows sharing a label (labels < 0 are singletons)."""
    pairs: set[tuple[int, int]] = set()
    ok = np.flatnonzero(labels >= 0)
    order = ok[np.argsort(labels[ok], kind="stable")]
    lab = labels[order]
    cut = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1], True])
    for s, e in itertools.pairwise(cut):
        members = order[s:e]
        if len(members) > 1:
            members = np.sort(members)
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    pairs.add((int(members[i]), int(members[j])))
    return pairs


def score(found: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 of found row groups against the planted groups."""
    f, t = group_pairs(found), group_pairs(truth)
    tp = len(f & t)
    p = tp / len(f) if f else 1.0
    r = tp / len(t) if t else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row groups (-1 for rows in no pair) from row pairs, with curate's union-find."""
    from curate.dedup import union_find

    labels = union_find(n, left, right)
    sizes = np.bincount(labels, minlength=n)
    return np.where(sizes[labels] > 1, labels, -1)


# --------------------------------------------------------------------------- the two tools


def run_curate(texts: list[str], threshold: float, shingle: str, ngram: int, num_perm: int, workers: int | None,
               grouping: str = "star") -> np.ndarray:
    """Row groups found by curate's engine: rows with the same text, and verified pairs between
    texts grouped as ``near_duplicates`` groups them (star clusters; ``union-find``: the
    transitive grouping curate used before, kept to compare against)."""
    import pyarrow as pa

    from curate.dedup import MinHashConfig, Normalization, near_duplicate_pairs, normalize_strings

    arr = pa.array(texts, type=pa.large_string())
    norm = normalize_strings(arr, Normalization(), workers=workers)
    cfg = MinHashConfig(shingle=shingle, ngram=ngram, num_perm=num_perm, threshold=threshold)
    res = near_duplicate_pairs(norm, cfg, workers=workers)
    rows = res.text_of_row
    ok = np.flatnonzero(rows >= 0)
    first_row = np.full(res.n_texts, -1, dtype=np.int64)
    first_row[rows[ok][::-1]] = ok[::-1]
    if grouping == "union-find":
        left = np.concatenate([ok, first_row[res.left]])
        right = np.concatenate([first_row[rows[ok]], first_row[res.right]])
        return components(len(texts), left, right)
    from curate.dedup import star_clusters

    rep_of, _ = star_clusters(res.n_texts, res.left, res.right, res.similarity)
    labels = np.full(len(texts), -1, dtype=np.int64)
    labels[ok] = first_row[rep_of[rows[ok]]]
    sizes = np.bincount(labels[ok], minlength=len(texts))
    return np.where((labels >= 0) & (sizes[np.maximum(labels, 0)] > 1), labels, -1)


def engine_run(path: str, n: int, seed: int, threads: int, grouping: str, with_score: bool) -> int:
    """One in-process run of curate's engine on a corpus kept in ``path`` (generated once), for
    whole-process A/B timings where generating the corpus must not count."""
    import pickle

    if os.path.exists(path):
        with open(path, "rb") as fh:
            corpus = pickle.load(fh)
    else:
        corpus = generate(n, seed=seed)
        with open(path, "wb") as fh:
            pickle.dump(corpus, fh, protocol=pickle.HIGHEST_PROTOCOL)
    start = time.perf_counter()
    labels = run_curate(corpus.texts, 0.5, "word", 2, 128, threads, grouping)
    seconds = time.perf_counter() - start
    line = f"rows {len(corpus.texts):,} grouping {grouping} threads {threads}: {seconds:.2f} s"
    if with_score:
        line += " precision %.4f recall %.4f F1 %.4f" % score(labels, corpus.group)
    print(line, flush=True)
    return 0


_WORD = re.compile(r"\w+")


def _bigrams(text: str, n: int) -> list[bytes]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < n:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)]


def run_datasketch(texts: list[str], threshold: float, ngram: int, num_perm: int, lsh_threshold: float,
                   exact: bool = True) -> np.ndarray:
    """datasketch doing the same job. ``exact``: verify candidates by their exact Jaccard similarity
    on the shingle sets (as datasketch's docs advise for exact results, and as curate does);
    otherwise by ``MinHash.jaccard``, the estimate."""
    import xxhash
    from datasketch import MinHash, MinHashLSH

    shingles = [_bigrams(t, ngram) for t in texts]
    sets = [set(s) for s in shingles] if exact else None
    hashes = MinHash.bulk(shingles, num_perm=num_perm, hashfunc=xxhash.xxh32_intdigest)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, (m, s) in enumerate(zip(hashes, shingles)):
            if s:
                session.insert(i, m, check_duplication=False)
    left, right = [], []
    for i, (m, s) in enumerate(zip(hashes, shingles)):
        if not s:
            continue
        for j in lsh.query(m):
            if j <= i:
                continue
            if sets is not None:
                a, b = sets[i], sets[j]
                similar = len(a & b) >= threshold * len(a | b)
            else:
                similar = m.jaccard(hashes[j]) >= threshold
            if similar:
                left.append(i)
                right.append(j)
    return components(len(texts), np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))


# --------------------------------------------------------------------------- measuring


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def _child(conn, fn, args, memory_limit_gb) -> None:  # runs in a forked process
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak RSS to the current RSS
    except OSError:
        pass
    gc.collect()
    base = _status("VmRSS")
    if memory_limit_gb:
        import resource

        limit = int(_status("VmSize") + memory_limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        start = time.perf_counter()
        labels = fn(*args)
        seconds = time.perf_counter() - start
        conn.send((seconds, _status("VmHWM") - base, labels))
    except MemoryError:
        conn.send(f"out of memory (over {memory_limit_gb:g} GiB)")
    conn.close()


def measure(fn, *args, memory_limit_gb: float | None = None) -> tuple[float, int, np.ndarray] | str:
    """(seconds, peak extra bytes, result) of ``fn(*args)`` in a forked child, or why it failed."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, memory_limit_gb))
    proc.start()
    child.close()
    try:
        out = parent.recv()
    except EOFError:
        out = "the process died"
    proc.join()
    return out


# --------------------------------------------------------------------------- main


def _fmt_row(name: str, rows: int, seconds: float, peak: int, prf: tuple[float, float, float]) -> str:
    p, r, f = prf
    return (f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {peak / 2**20:,.0f} | "
            f"{p:.4f} | {r:.4f} | {f:.4f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and size (the best time is shown)")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--ngram", type=int, default=2)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--ds-num-perm", type=int, default=128, help="datasketch permutations")
    ap.add_argument("--ds-lsh-threshold", type=float, default=0.3, help="datasketch MinHashLSH threshold")
    ap.add_argument("--ds-verify", choices=("exact", "estimate"), default="exact",
                    help="datasketch candidate verification: exact Jaccard on the shingle sets, or MinHash.jaccard")
    ap.add_argument("--ds-max-gb", type=float, default=16.0, help="address-space limit of the datasketch child (GiB)")
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--ds-max-rows", type=int, default=10**9, help="skip datasketch above this size")
    ap.add_argument("--sweep", action="store_true", help="F1 and time of curate over shingle settings")
    ap.add_argument("--tune-datasketch", action="store_true", help="F1 and time of datasketch over its settings")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grouping", choices=("star", "union-find"), default="star",
                    help="how curate groups verified pairs (union-find: the old transitive grouping)")
    ap.add_argument("--engine-run", metavar="CORPUS_FILE",
                    help="one in-process curate run on a corpus cached in this file (for whole-process A/B timings)")
    ap.add_argument("--threads", type=int, default=2, help="curate threads for --engine-run")
    ap.add_argument("--score", action="store_true", help="with --engine-run: also print precision/recall/F1")
    args = ap.parse_args(argv)
    if args.engine_run:
        return engine_run(args.engine_run, int(args.sizes.split(",")[0]), args.seed, args.threads, args.grouping, args.score)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    # import both tools here, so that no measurement includes import time
    import curate.dedup  # noqa: F401

    if not args.no_datasketch:
        import datasketch  # noqa: F401
        import xxhash  # noqa: F401

    print(f"# near duplicates: curate vs datasketch ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    if args.sweep:
        return _sweep(sizes[0], args.seed)
    if args.tune_datasketch:
        return _tune_datasketch(sizes[0], args.seed, args.threshold, args.ngram)
    print("| tool | rows | seconds | docs/s | peak MiB | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        t0 = time.perf_counter()
        corpus = generate(n, seed=args.seed)
        gen = time.perf_counter() - t0
        print(f"<!-- generated {n:,} rows in {gen:.1f} s -->", file=sys.stderr)
        tools = [
            ("curate (2 threads)", run_curate, (corpus.texts, args.threshold, "word", args.ngram, args.num_perm, 2, args.grouping)),
            ("curate (1 thread)", run_curate, (corpus.texts, args.threshold, "word", args.ngram, args.num_perm, 1, args.grouping)),
        ]
        if not args.no_datasketch and n <= args.ds_max_rows:
            tools.append((f"datasketch {_ds_version()}", run_datasketch,
                          (corpus.texts, args.threshold, args.ngram, args.ds_num_perm, args.ds_lsh_threshold,
                           args.ds_verify == "exact")))
        for name, fn, fargs in tools:
            best = None
            limit = args.ds_max_gb if name.startswith("datasketch") else None
            for _ in range(args.repeat):
                out = measure(fn, *fargs, memory_limit_gb=limit)
                if isinstance(out, str):
                    print(f"| {name} | {n:,} | {out} | | | | | |", flush=True)
                    break
                if best is None or out[0] < best[0]:
                    best = out
            if best is not None:
                seconds, peak, labels = best
                print(_fmt_row(name, n, seconds, peak, score(labels, corpus.group)), flush=True)
    return 0


def _ds_version() -> str:
    try:
        import datasketch

        return datasketch.__version__
    except ImportError:  # pragma: no cover
        return "(not installed)"


def _candidates(texts: list[str], threshold: float, shingle: str, ngram: int) -> tuple[int, int]:
    """(LSH candidate pairs, verified pairs) of curate's engine for one setting."""
    import pyarrow as pa

    from curate.dedup import MinHashConfig, Normalization, near_duplicate_pairs, normalize_strings

    norm = normalize_strings(pa.array(texts, type=pa.large_string()), Normalization())
    res = near_duplicate_pairs(norm, MinHashConfig(shingle=shingle, ngram=ngram, threshold=threshold))
    return res.candidates, len(res.left)


def _sweep(n: int, seed: int) -> int:
    """Which shingles and threshold separate realistic edits from unrelated texts, and at what cost."""
    corpus = generate(n, seed=seed)
    print("| shingles | threshold | LSH bands × rows | candidate pairs | seconds | precision | recall | F1 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    from curate.dedup import lsh_shape

    for shingle, ngram, thresholds in (("word", 1, (0.6, 0.7, 0.8)), ("word", 2, (0.4, 0.5, 0.6)),
                                       ("word", 3, (0.3, 0.4, 0.5)), ("char", 5, (0.5, 0.6, 0.7))):
        for th in thresholds:
            seconds, _, labels = measure(run_curate, corpus.texts, th, shingle, ngram, 128, 2)
            p, r, f = score(labels, corpus.group)
            cands, _ = _candidates(corpus.texts, th, shingle, ngram)
            b, rows = lsh_shape(th, 128)
            print(f"| {shingle} {ngram}-grams | {th} | {b}×{rows} | {cands:,} | {seconds:.2f} | {p:.4f} | {r:.4f} | {f:.4f} |",
                  flush=True)
    return 0


def _tune_datasketch(n: int, seed: int, threshold: float, ngram: int) -> int:
    corpus = generate(n, seed=seed)
    print(f"datasketch settings, verification at Jaccard ≥ {threshold}:\n")
    print("| verification | num_perm | MinHashLSH threshold | (bands, rows) | seconds | precision | recall | F1 |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    from datasketch.lsh import _optimal_param

    for exact in (True, False):
        for num_perm in (64, 128):
            for lsh_t in (0.2, 0.3, 0.4):
                seconds, _, labels = measure(run_datasketch, corpus.texts, threshold, ngram, num_perm, lsh_t, exact)
                p, r, f = score(labels, corpus.group)
                print(f"| {'exact' if exact else 'MinHash.jaccard'} | {num_perm} | {lsh_t} | {_optimal_param(lsh_t, num_perm, 0.5, 0.5)} | "
                      f"{seconds:.2f} | {p:.4f} | {r:.4f} | {f:.4f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
