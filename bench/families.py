"""What each new family (pii, text_quality, column_quality, class_imbalance, outliers) adds to the
default suite's time at 200k rows.

One generated dataset (texts built from the 3,000 real sentences of tests/data/real/
sentiment_labelled_sentences with a row number and a few planted emails/phones, a label, three
numeric and two categorical columns; train 180k / test 20k) is loaded once; then, ``--repeats``
times in turn, the default suite runs and each family runs, in the same process, so every
family's seconds are paired with a default-suite run made moments before on the same machine
state. Printed: the default suite's median seconds, each family's median seconds and its share of
the default suite's time (the budget is 20 %).

    python bench/families.py [--rows 200000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

FAMILIES = ["pii", "text_quality", "column_quality", "class_imbalance", "outliers"]


def sentences() -> list[str]:
    folder = ROOT / "tests" / "data" / "real" / "sentiment_labelled_sentences"
    out = []
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        out += [line.rsplit("\t", 1)[0] for line in (folder / name).read_text(encoding="utf-8").split("\n") if "\t" in line]
    return out


def build(root: Path, rows: int) -> None:
    r = random.Random(0)
    base = sentences()
    texts, labels = [], []
    for i in range(rows):
        text = f"{r.choice(base)} ({i})"
        if i % 500 == 0:
            text += f" mail me at user{i}@example.com or +44 20 7946 0{i % 1000:03d}"
        texts.append(text)
        labels.append(r.choice(["pos", "neg", "neg", "neutral"]))
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(rows)], "text": texts, "label": labels,
        "price": [round(r.lognormvariate(3, 1), 2) for _ in range(rows)],
        "stars": [r.randint(1, 5) for _ in range(rows)],
        "votes": [int(r.expovariate(0.1)) for _ in range(rows)],
        "city": [r.choice(["Paris", "Lyon", "Lille", "Nice", "Nantes "]) for _ in range(rows)],
        "channel": [r.choice(["web", "app", "shop"]) for _ in range(rows)],
    })
    cut = int(rows * 0.9)
    frame.iloc[:cut].to_parquet(root / "train.parquet", index=False)
    frame.iloc[cut:].to_parquet(root / "test.parquet", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from curate.runner import load_suite_and_dataset, run_suite
    from curate.suite import parse_suite

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.rows)
        default_suite, dataset = load_suite_and_dataset(root, "builtin:default", None)
        roles = "dataset: {key: id, label: label, text: text}\n"
        default_suite = parse_suite(roles + (ROOT / "checks" / "default.yaml").read_text(encoding="utf-8"), "default")
        suites = {f: parse_suite(roles + f"checks:\n  - {f}: {{}}\n", f) for f in FAMILIES}
        timings: dict[str, list[float]] = {name: [] for name in ["default", *FAMILIES]}
        findings: dict[str, int] = {}
        for _ in range(args.repeats):
            start = time.perf_counter()
            run_suite(dataset, default_suite)
            timings["default"].append(time.perf_counter() - start)
            for family, suite in suites.items():
                start = time.perf_counter()
                report = run_suite(dataset, suite)
                timings[family].append(time.perf_counter() - start)
                findings[family] = len(report.results[0].findings)
    base = statistics.median(timings["default"])
    print(f"{args.rows:,} rows (train {int(args.rows * 0.9):,} / test {args.rows - int(args.rows * 0.9):,}), "
          f"{args.repeats} paired repeats, medians")
    print(f"{'suite':<16} {'seconds':>8} {'of default':>10} {'findings':>9}")
    print(f"{'default':<16} {base:>8.2f} {'100%':>10}")
    for family in FAMILIES:
        t = statistics.median(timings[family])
        print(f"{family:<16} {t:>8.2f} {t / base:>10.1%} {findings[family]:>9,}")


if __name__ == "__main__":
    main()
