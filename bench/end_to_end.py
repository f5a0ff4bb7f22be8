"""curate against the usual peer toolchain, end to end, on one generated text-classification dataset.

    python bench/end_to_end.py [--rows 200000] [--large] [--repeats 1] [--keep DIR] [--no-default-suite]

Generates a dataset (train 80 % / test 20 %, Parquet) whose problems are planted and known:
exact copies and one-word edits of texts within train, test rows copied (exactly or with one word
changed) from train, flipped labels, out-of-range ages, and a sensitive attribute whose groups are
skewed in size and in the base rate of one class. Then, alternating, each in a fresh process:

* the floor: pandas reading the files (nothing can be faster than reading the data),
* ``curate check`` with the peer-equivalent suite (the same families as the peers below, curate's
  default parameters) and with the default suite,
* the peer toolchain in one process: Great Expectations for the expectations, pandas
  ``duplicated`` for exact copies, datasketch ``MinHashLSH`` for near copies and train/test
  leakage, scikit-learn TF-IDF + logistic regression ``cross_val_predict`` and cleanlab
  ``find_label_issues`` for label errors, fairlearn ``MetricFrame`` for group base rates.

Each run reports wall and CPU seconds and the peak memory of its whole process tree (the sum of
the resident sets of the process and its children, sampled from /proc); curate's per-family
seconds come from its JSON report, the peers' from their own clocks. Per-family precision, recall
and F1 compare the rows (groups, for balance) each side flags with the planted truth.

Sub-commands used by the run, also useful on their own (e.g. to time one family with a paired A/B):

    python bench/end_to_end.py generate DIR --rows N     # DIR/data/{train,test}.parquet, truth, suites
                                                         # (peer, default; exact: the exact-duplicate families,
                                                         # dedup: with near_duplicates and leakage)
    python bench/end_to_end.py peer DIR [--only balance,duplicates,...] [--out FILE]
    python bench/end_to_end.py floor DIR
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CLASSES = ["world", "sports", "business", "science"]
GENDERS = ["male", "female", "nonbinary"]
GENDER_SHARES = [0.70, 0.25, 0.05]
AGE_BANDS = ["18-29", "30-44", "45-64", "65+"]
WORDS_PER_TEXT = 40
CLASS_WORD_SHARE = 0.15  # share of a text's words drawn from its class's vocabulary
SKEWED = ("gender", "female", "business")  # the planted base-rate gap: this group, this class
SKEW_FACTOR = 0.45  # female rows are labelled business at 0.45× the others' rate
SHARES = {"duplicates": 0.01, "near_duplicates": 0.01, "leakage": 0.025, "near_leakage": 0.025}
NOISE = 0.03  # flipped labels among the rows not otherwise planted
BAD_AGE = 0.001  # rows whose age breaks the expectation 18 ≤ age ≤ 100
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_speed import EXPECTATIONS  # noqa: E402  (the same expectations as the check-speed bench)

FAMILIES = ["expect", "duplicates", "near_duplicates", "leakage", "label_errors", "balance"]
DATASET = "dataset:\n  key: id\n  text: text\n  label: label\n  sensitive: [gender, age_band]\n"
PEER_SUITE = (
    DATASET
    + "checks:\n  - expect:"
    + EXPECTATIONS
    + "  - duplicates: {columns: [text]}\n  - near_duplicates: {}\n  - leakage: {}\n  - label_errors: {}\n  - balance: {}\n"
)

# the exact-duplicate families alone (whole rows, texts, conflicting labels), and with the near-duplicate
# families that reuse their normalised texts (ctx.shared)
EXACT_SUITE = (DATASET + "checks:\n  - duplicates: {}\n  - duplicates: {name: texts, columns: [text]}\n"
               "  - conflicting_labels: {}\n")
DEDUP_SUITE = EXACT_SUITE + "  - near_duplicates: {}\n  - leakage: {}\n"


# --------------------------------------------------------------------------- the dataset


def _vocabulary(rng: np.random.Generator, size: int, length: int = 3) -> np.ndarray:
    """Distinct pronounceable pseudo-words (consonant-vowel syllables)."""
    consonants, vowels = list("bcdfghjklmnprstvz"), list("aeiou")
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.integers(2, length + 1)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return np.array(sorted(words))


def _texts(rng: np.random.Generator, labels: np.ndarray, shared: np.ndarray, own: dict[str, np.ndarray]) -> np.ndarray:
    """Texts of WORDS_PER_TEXT words: Zipf-distributed shared words, some from the label's vocabulary."""
    n = len(labels)
    zipf = 1.0 / np.arange(1, len(shared) + 1)
    words = rng.choice(shared, size=(n, WORDS_PER_TEXT), p=zipf / zipf.sum())
    from_class = rng.random((n, WORDS_PER_TEXT)) < CLASS_WORD_SHARE
    for name, vocab in own.items():
        rows = labels == name
        picks = rng.choice(vocab, size=(int(rows.sum()), WORDS_PER_TEXT))
        block = words[rows]
        block[from_class[rows]] = picks[from_class[rows]]
        words[rows] = block
    return np.array([" ".join(w) for w in words], dtype=object)


def _edit(rng: np.random.Generator, text: str, shared: np.ndarray) -> str:
    """The text with one word (not the first or last) replaced."""
    words = text.split(" ")
    i = int(rng.integers(1, len(words) - 1))
    words[i] = str(rng.choice(shared)) + "x"
    return " ".join(words)


def generate(root: Path, rows: int, seed: int = 0) -> dict:
    """Write root/data/{train,test}.parquet, root/truth.json and the suites; return the truth."""
    rng = np.random.default_rng(seed)
    shared = rng.permutation(_vocabulary(rng, 3000))
    own = {c: np.char.add(_vocabulary(rng, 300), c[:2]) for c in CLASSES}
    gender = rng.choice(GENDERS, rows, p=GENDER_SHARES)
    probs = np.full((rows, len(CLASSES)), 0.25)
    business = CLASSES.index(SKEWED[2])
    probs[gender == SKEWED[1], business] *= SKEW_FACTOR
    probs /= probs.sum(axis=1, keepdims=True)
    label = np.array(CLASSES)[(probs.cumsum(axis=1) > rng.random((rows, 1))).argmax(axis=1)]
    frame = pd.DataFrame(
        {
            "id": np.char.add("r", np.char.zfill(np.arange(rows).astype(str), 7)),
            "text": _texts(rng, label, shared, own),
            "label": label,
            "gender": gender,
            "age_band": rng.choice(AGE_BANDS, rows, p=[0.3, 0.3, 0.3, 0.1]),
            "age": rng.integers(18, 90, rows),
        }
    )
    cut = int(rows * 0.8)
    split = np.where(np.arange(rows) < cut, "train", "test")
    truth: dict[str, set[str]] = {f: set() for f in FAMILIES}
    planted = np.zeros(rows, dtype=bool)

    def pick(lo: int, hi: int, share: float) -> np.ndarray:
        free = np.flatnonzero(~planted[lo:hi]) + lo
        chosen = rng.choice(free, int(share * (hi - lo)), replace=False)
        planted[chosen] = True
        return chosen

    def copy(targets: np.ndarray, lo: int, hi: int, edit: bool) -> np.ndarray:
        """Give each target the text and label of a clean row before it in [lo, hi); return the targets kept."""
        free = np.flatnonzero(~planted[lo:hi]) + lo
        before = np.searchsorted(free, np.minimum(targets, hi))
        targets, before = targets[before > 0], before[before > 0]
        sources = free[(rng.random(len(targets)) * before).astype(int)]
        planted[sources] = True  # a source keeps its text and label
        texts = frame["text"].to_numpy()[sources]
        frame.loc[targets, "text"] = [_edit(rng, t, shared) for t in texts] if edit else texts
        frame.loc[targets, "label"] = frame["label"].to_numpy()[sources]
        return targets

    for family, edit in (("duplicates", False), ("near_duplicates", True)):
        targets = copy(pick(0, cut, SHARES[family]), 0, cut, edit)
        truth[family] |= set(frame["id"].to_numpy()[targets])
    for share, edit in ((SHARES["leakage"], False), (SHARES["near_leakage"], True)):
        targets = copy(pick(cut, rows, share), 0, cut, edit)
        truth["leakage"] |= set(frame["id"].to_numpy()[targets])
    noisy = pick(0, rows, NOISE)
    shift = rng.integers(1, len(CLASSES), len(noisy))
    codes = pd.Index(CLASSES).get_indexer(frame["label"].to_numpy()[noisy])
    frame.loc[noisy, "label"] = np.array(CLASSES)[(codes + shift) % len(CLASSES)]
    truth["label_errors"] |= set(frame["id"].to_numpy()[noisy])
    bad = rng.choice(rows, int(BAD_AGE * rows), replace=False)
    frame.loc[bad, "age"] = np.where(rng.random(len(bad)) < 0.5, rng.integers(0, 18, len(bad)), 150)
    truth["expect"] |= set(frame["id"].to_numpy()[bad])
    truth["balance"] = {f"{SKEWED[0]}={SKEWED[1]}[{SKEWED[2]}]"}
    (root / "data").mkdir(parents=True, exist_ok=True)
    for name in ("train", "test"):
        frame[split == name].reset_index(drop=True).to_parquet(root / f"data/{name}.parquet", index=False)
    (root / "peer.yaml").write_text(PEER_SUITE)
    (root / "exact.yaml").write_text(EXACT_SUITE)
    (root / "dedup.yaml").write_text(DEDUP_SUITE)
    (root / "default.yaml").write_text(DATASET + "checks:\n" + (REPO / "checks/default.yaml").read_text().split("checks:\n", 1)[1])
    result = {k: sorted(v) for k, v in truth.items()}
    (root / "truth.json").write_text(json.dumps(result))
    return result


# --------------------------------------------------------------------------- the peer toolchain


def _peer_expect(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Great Expectations 1.x: the suite's expectations, the ids of every unexpected row."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    import great_expectations.expectations as gxe

    ctx = gx.get_context(mode="ephemeral")
    batch_def = ctx.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    suite = gx.ExpectationSuite(
        name="s",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="text"),
            gxe.ExpectColumnValuesToBeInSet(column="label", value_set=CLASSES),
            gxe.ExpectColumnValueLengthsToBeBetween(column="text", min_value=10),
            gxe.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=100),
            gxe.ExpectColumnValuesToBeUnique(column="id"),
        ],
    )
    flagged: set[str] = set()
    for frame in frames.values():
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format="COMPLETE"
        )
        for r in result.results:
            index = r.result.get("unexpected_index_list") or []
            flagged |= set(frame["id"].to_numpy()[[int(i) for i in index]])
    return flagged


def _bigrams(text: str) -> list[bytes]:
    words = text.lower().split()
    return [f"{a} {b}".encode() for a, b in zip(words, words[1:])]


def _peer_near(frames: dict[str, pd.DataFrame], exact: set[str]) -> tuple[set[str], set[str]]:
    """datasketch: MinHash of word bigrams, MinHashLSH at Jaccard 0.8 over train; test queried against it.

    Returns (near duplicates within train, test rows near or exactly copied from train); rows
    already found as exact duplicates are left out, as a pipeline deduplicating first would.
    """
    from datasketch import MinHash, MinHashLSH

    def signature(text: str) -> MinHash:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(_bigrams(text))
        return m

    train, test = frames["train"], frames["test"]
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    near: set[str] = set()
    for key, text in zip(train["id"].to_numpy(), train["text"].to_numpy()):
        if key in exact:
            continue
        m = signature(text)
        if lsh.query(m):
            near.add(key)
        else:
            lsh.insert(key, m)
    leaked = set(test["id"].to_numpy()[test["text"].isin(set(train["text"])).to_numpy()])
    for key, text in zip(test["id"].to_numpy(), test["text"].to_numpy()):
        if key not in leaked and lsh.query(signature(text)):
            leaked.add(key)
    return near, leaked


def _peer_label_errors(frames: dict[str, pd.DataFrame]) -> set[str]:
    """scikit-learn TF-IDF + logistic regression, 5-fold out-of-sample probabilities, cleanlab."""
    from cleanlab.filter import find_label_issues
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline

    frame = pd.concat(list(frames.values()), ignore_index=True)
    labels, classes = pd.factorize(frame["label"])
    # bench/label_errors.py's "usual pipeline"
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), LogisticRegression(C=4, max_iter=1000))
    probs = cross_val_predict(model, frame["text"].to_numpy(), labels, cv=5, method="predict_proba")
    issues = find_label_issues(labels, probs)
    return set(frame["id"].to_numpy()[issues])


def _peer_balance(frames: dict[str, pd.DataFrame]) -> set[str]:
    """fairlearn MetricFrame: base rate of every class per group (and per pair), four-fifths rule."""
    from fairlearn.metrics import MetricFrame, count, selection_rate

    frame = pd.concat(list(frames.values()), ignore_index=True)
    metrics = {c: (lambda t, p, c=c: selection_rate(t, p, pos_label=c)) for c in CLASSES}
    flagged: set[str] = set()
    for grouping in (["gender"], ["age_band"], ["gender", "age_band"]):
        mf = MetricFrame(
            metrics={**metrics, "n": count},
            y_true=frame["label"],
            y_pred=frame["label"],
            sensitive_features=frame[grouping],
        )
        groups = mf.by_group[mf.by_group["n"] >= 30]
        for c in CLASSES:
            ratio = groups[c] / groups[c].max()
            for group in ratio[ratio < 0.8].index:
                if len(grouping) == 1:  # scored on single attributes, as curate's are
                    flagged.add(f"{grouping[0]}={group[0] if isinstance(group, tuple) else group}[{c}]")
    return flagged


def peer(root: Path, only: list[str] | None = None) -> dict:
    """Run the peer toolchain in this process: seconds and flagged ids (groups, for balance) per family."""
    seconds: dict[str, float] = {}
    flagged: dict[str, set[str]] = {}

    def timed(family: str, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        seconds[family] = seconds.get(family, 0.0) + time.perf_counter() - t
        return out

    frames = timed("read", lambda: {n: pd.read_parquet(root / f"data/{n}.parquet") for n in ("train", "test")})
    wanted = set(only or FAMILIES)
    if "expect" in wanted:
        flagged["expect"] = timed("expect", _peer_expect, frames)
    exact = set()
    if wanted & {"duplicates", "near_duplicates", "leakage"}:
        exact = timed(
            "duplicates",
            lambda: {k for f in frames.values() for k in f["id"].to_numpy()[f.duplicated(subset=["text"]).to_numpy()]},
        )
        flagged["duplicates"] = exact
    if wanted & {"near_duplicates", "leakage"}:
        t = time.perf_counter()
        flagged["near_duplicates"], flagged["leakage"] = _peer_near(frames, exact)
        share = len(frames["test"]) / sum(len(f) for f in frames.values())  # one pass, split by rows
        seconds["near_duplicates"] = (time.perf_counter() - t) * (1 - share)
        seconds["leakage"] = (time.perf_counter() - t) * share
    if "label_errors" in wanted:
        flagged["label_errors"] = timed("label_errors", _peer_label_errors, frames)
    if "balance" in wanted:
        flagged["balance"] = timed("balance", _peer_balance, frames)
    return {"seconds": seconds, "flagged": {k: sorted(v) for k, v in flagged.items() if k in wanted}}


def floor(root: Path) -> None:
    """Read the data and nothing else."""
    for name in ("train", "test"):
        pd.read_parquet(root / f"data/{name}.parquet")


# --------------------------------------------------------------------------- curate's side


def curate_flagged(root: Path, report: dict) -> tuple[dict[str, float], dict[str, set[str]]]:
    """Per family: seconds and flagged ids (groups, for balance) from a JSON report."""
    ids = {n: pd.read_parquet(root / f"data/{n}.parquet", columns=["id"])["id"].to_numpy() for n in ("train", "test")}
    seconds: dict[str, float] = {}
    flagged: dict[str, set[str]] = {}
    for r in report["results"]:
        family = r["check"]
        seconds[family] = seconds.get(family, 0.0) + r["seconds"]
        found = flagged.setdefault(family, set())
        if family == "balance":
            for row in r["tables"].get("base_rates", []):
                if row["split"] == "all" and row["status"] == "below" and " × " not in row["attribute"]:
                    found.add(f"{row['attribute']}={row['group']}[{row['class']}]")
            continue
        for f in r["findings"]:
            if f.get("split") in ids and f.get("row") is not None:
                found.add(ids[f["split"]][int(f["row"])])
    return seconds, flagged


def score(flagged: set[str], truth: set[str]) -> tuple[float, float, float]:
    """Precision, recall, F1 of flagged against truth."""
    hits = len(flagged & truth)
    precision = hits / len(flagged) if flagged else (1.0 if not truth else 0.0)
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --------------------------------------------------------------------------- timing a process tree


def _tree_rss(pgid: int) -> int:
    """Resident bytes of every live process in the process group (the command and its workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[2]) != pgid:
                continue
            for line in Path(entry.path, "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> dict:
    """Wall and CPU seconds (every reaped descendant) and the peak summed RSS of the process tree.
    Exit codes outside ``ok`` stop the run with the command's last error lines (curate exits 1 when
    checks fail, which they should here; the peer and the floor must exit 0)."""
    import resource

    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: progress bars could fill a pipe
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in ok:
            errors.seek(0)
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {errors.read().decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mib": peak / 2**20}


def lock(root: Path, env: dict[str, str]) -> None:
    """Record the generated data as its own baseline, so the default suite's schema and drift have one to compare."""
    if not (root / "data/curate.lock.json").exists():
        subprocess.run([sys.executable, "-m", "curate", "lock", str(root / "data")], env=env, check=True,
                       stdout=subprocess.DEVNULL)


def run(root: Path, repeats: int, default_suite: bool) -> dict:
    """Alternate the floor, curate and the peers `repeats` times; medians of the timings."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "GX_ANALYTICS_ENABLED": "false"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    lock(root, env)
    me = [sys.executable, str(Path(__file__).resolve())]
    data = str(root / "data")
    common = ["--no-progress", "--no-cache", "--fail-on", "never", "--format", "json"]
    reports = {"curate": root / "curate.json", "curate default": root / "curate_default.json"}
    commands = {
        "floor": me + ["floor", str(root)],
        "curate": [sys.executable, "-m", "curate", "check", data, "-s", str(root / "peer.yaml"), *common,
                   "-o", str(reports["curate"])],
        "peer": me + ["peer", str(root), "--out", str(root / "peer.json")],
    }
    if default_suite:
        commands["curate default"] = [sys.executable, "-m", "curate", "check", data, "-s", str(root / "default.yaml"),
                                      *common, "-o", str(reports["curate default"])]
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    families: dict[str, list[dict]] = {name: [] for name in commands if name != "floor"}
    for i in range(repeats):
        for name, cmd in commands.items():
            print(f"run {i + 1}/{repeats}: {name}", file=sys.stderr, flush=True)
            runs[name].append(measure(cmd, env, (0, 1) if name.startswith("curate") else (0,)))
            if name == "peer":
                families[name].append(json.loads((root / "peer.json").read_text()))
            elif name != "floor":
                seconds, flagged = curate_flagged(root, json.loads(reports[name].read_text()))
                families[name].append({"seconds": seconds, "flagged": {k: sorted(v) for k, v in flagged.items()}})
    return {"runs": runs, "families": families}


def _medians(result: dict) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Median wall/CPU/peak per command, and median seconds per family per command."""
    runs = {n: {k: float(np.median([r[k] for r in rs])) for k in ("wall", "cpu", "peak_mib")}
            for n, rs in result["runs"].items()}
    secs = {}
    for name, fs in result["families"].items():
        keys = sorted({k for f in fs for k in f["seconds"]})
        secs[name] = {k: float(np.median([f["seconds"].get(k, 0.0) for f in fs])) for k in keys}
    return runs, secs


def _cell(value: float | None, fmt: str = "{:.2f}") -> str:
    return "" if value is None else fmt.format(value)


def table(result: dict, truth: dict[str, list[str]], rows: int) -> str:
    """The markdown tables: whole runs, per family (seconds and scores), and the issue's targets."""
    runs, secs = _medians(result)
    names = [n for n in ("curate", "curate default", "peer") if n in secs]
    out = [f"rows: {rows:,}; runs per command: {len(result['runs']['floor'])} (medians)", "",
           "| command | wall s | CPU s | peak MiB (process tree) | wall / floor | peer wall / this |",
           "|---|---:|---:|---:|---:|---:|"]
    for name, m in runs.items():
        out.append(f"| {name} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['peak_mib']:,.0f} | "
                   f"{m['wall'] / runs['floor']['wall']:.1f}× | {runs['peer']['wall'] / m['wall']:.2f}× |")
    last = {n: result["families"][n][-1] for n in names}
    header = " | ".join(f"{n} s" for n in names) + " | " + " | ".join(f"{n} P / R / F1" for n in names)
    out += ["", f"| family | {header} |", "|---|" + "---:|" * len(names) + "---|" * len(names)]
    others = sorted({k for n in names for k in secs[n]} - set(FAMILIES) - {"read"})
    for family in FAMILIES + others:
        cells = [_cell(secs[n].get(family)) for n in names]
        for n in names:
            found = last[n]["flagged"]
            if family in truth and family in found:
                p, r, f1 = score(set(found[family]), set(truth[family]))
                cells.append(f"{p:.3f} / {r:.3f} / {f1:.3f}")
            else:
                cells.append("")
        out.append(f"| {family} | " + " | ".join(cells) + " |")
    for n in names:
        if n != "peer":
            secs[n]["outside"] = runs[n]["wall"] - sum(secs[n].values())
    out.append("| (outside the families: start-up, loading, report) | "
               + " | ".join(_cell(secs[n].get("outside")) for n in names if n != "peer") + " | "
               + _cell(secs["peer"]["read"]) + " (read) |" + " |" * len(names))
    out += ["", *targets(runs, secs, last, truth)]
    return "\n".join(out)


def targets(runs: dict, secs: dict, last: dict, truth: dict[str, list[str]]) -> list[str]:
    """The issue's targets, each with the measured figure and whether it is met."""
    read = secs["peer"]["read"]
    ratio = runs["peer"]["wall"] / runs["curate"]["wall"]
    lines = ["targets:", f"- end to end, peer-equivalent suite: peer / curate wall = {ratio:.2f}× (target >= 4×: "
             + ("met" if ratio >= 4 else f"missed by {4 / ratio:.2f}×") + ")"]
    for family in FAMILIES:
        f1 = {n: score(set(last[n]["flagged"].get(family, [])), set(truth[family]))[2] for n in ("curate", "peer")}
        verdict = "equal or better" if f1["curate"] >= f1["peer"] else "WORSE"
        lines.append(f"- F1 {family}: curate {f1['curate']:.3f} vs peer {f1['peer']:.3f} ({verdict})")
    for family in ("balance", "schema", "duplicates", "expect"):
        name = "curate" if family in secs["curate"] else "curate default"
        if family not in secs.get(name, {}):
            continue
        x = secs[name][family] / read
        lines.append(f"- {family} ({name}): {secs[name][family]:.2f} s = {x:.1f}× reading the data ({read:.2f} s) "
                     "(target <= 3×: " + ("met" if x <= 3 else f"missed by {x / 3:.1f}×") + ")")
    return lines


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--large", action="store_true", help="1,000,000 rows")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-default-suite", action="store_true", help="do not time curate's default suite")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder instead of a temporary one")
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("generate", help="write the dataset, its truth and the suites into DIR")
    gen.add_argument("dir", type=Path)
    gen.add_argument("--rows", type=int, default=200_000)
    peer_cmd = sub.add_parser("peer", help="run the peer toolchain on DIR")
    peer_cmd.add_argument("dir", type=Path)
    peer_cmd.add_argument("--only", help="comma-separated families")
    peer_cmd.add_argument("--out", type=Path)
    floor_cmd = sub.add_parser("floor", help="read DIR's data files and nothing else")
    floor_cmd.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        t = time.perf_counter()
        truth = generate(args.dir, args.rows)
        print(f"{args.rows:,} rows in {time.perf_counter() - t:.1f} s; planted: "
              + ", ".join(f"{k} {len(v)}" for k, v in truth.items()))
    elif args.command == "peer":
        out = json.dumps(peer(args.dir, args.only.split(",") if args.only else None))
        args.out.write_text(out) if args.out else print(out)
    elif args.command == "floor":
        floor(args.dir)
    else:
        rows = 1_000_000 if args.large else args.rows
        with tempfile.TemporaryDirectory() as tmp:
            root = args.keep or Path(tmp)
            if not _generated(root, rows):
                generate(root, rows)
            truth = json.loads((root / "truth.json").read_text())
            result = run(root, args.repeats, not args.no_default_suite)
            print(f"python {' '.join(sys.argv)}\n")
            print(table(result, truth, rows))


def _generated(root: Path, rows: int) -> bool:
    """Whether root already holds this benchmark's dataset at this size."""
    if not (root / "truth.json").exists():
        return False
    sizes = [len(pd.read_parquet(root / f"data/{n}.parquet", columns=["id"])) for n in ("train", "test")]
    return sizes == [int(rows * 0.8), rows - int(rows * 0.8)]


if __name__ == "__main__":
    main()
