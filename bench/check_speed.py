"""Wall time and peak memory of `curate check` next to what pandas alone needs to read the data.

    python bench/check_speed.py [--rows 1000000] [--skip-examples]

Generates a dataset of ROWS rows (train 80% / test 20%, CSV) in a temporary folder, then times,
each in a fresh process so imports count as a user would feel them:
  * pandas.read_csv of the same files (the floor: curate cannot be faster than reading),
  * Great Expectations 1.x validating the same 5 expectations directly (the peer for `expect`),
  * `curate lock`, and `curate check` with the default suite and with a full foundation suite,
  * `curate check` on every bundled example.
Prints a markdown table; copy it into bench/RESULTS.md with the command line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
WORDS = np.array("data model label river market goal team vote share price cell star city music film game code rain".split())


def make_dataset(root: Path, rows: int, seed: int = 0) -> None:
    """A text-classification table with numeric, categorical and free-text columns."""
    rng = np.random.default_rng(seed)
    words = WORDS[rng.integers(0, len(WORDS), size=(rows, 12))]
    frame = pd.DataFrame(
        {
            "id": np.char.add("r", np.arange(rows).astype(str)),
            "text": [" ".join(w) for w in words],
            "label": rng.choice(["world", "sports", "business", "science"], rows),
            "gender": rng.choice(["female", "male"], rows, p=[0.3, 0.7]),
            "age": rng.integers(18, 90, rows),
            "score": rng.normal(0.5, 0.2, rows).round(4),
        }
    )
    cut = int(rows * 0.8)
    (root / "data").mkdir(parents=True, exist_ok=True)
    frame.iloc[:cut].to_csv(root / "data/train.csv", index=False)
    frame.iloc[cut:].to_csv(root / "data/test.csv", index=False)


EXPECTATIONS = """
      - expect_column_values_to_not_be_null: {column: text}
      - expect_column_values_to_be_in_set: {column: label, value_set: [world, sports, business, science]}
      - expect_column_value_lengths_to_be_between: {column: text, min_value: 10}
      - expect_column_values_to_be_between: {column: age, min_value: 18, max_value: 100}
      - expect_column_values_to_be_unique: {column: id}
"""

FULL_SUITE = "dataset:\n  key: id\n  label: label\nchecks:\n  - schema: {}\n  - drift: {reference: train}\n  - expect:" + EXPECTATIONS

PANDAS_READ = """
import sys, pandas as pd
for path in sys.argv[1:]:
    pd.read_csv(path)
"""

GX_DIRECT = """
import os, sys
os.environ["GX_ANALYTICS_ENABLED"] = "false"
import pandas as pd, great_expectations as gx
import great_expectations.expectations as gxe
frames = [pd.read_csv(p) for p in sys.argv[1:]]
ctx = gx.get_context(mode="ephemeral")
asset = ctx.data_sources.add_pandas("p").add_dataframe_asset("a")
batch_def = asset.add_batch_definition_whole_dataframe("b")
suite = gx.ExpectationSuite(name="s", expectations=[
    gxe.ExpectColumnValuesToNotBeNull(column="text"),
    gxe.ExpectColumnValuesToBeInSet(column="label", value_set=["world", "sports", "business", "science"]),
    gxe.ExpectColumnValueLengthsToBeBetween(column="text", min_value=10),
    gxe.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=100),
    gxe.ExpectColumnValuesToBeUnique(column="id"),
])
for frame in frames:
    batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(seconds, peak RSS in MiB, exit code) of one command in a fresh process."""
    wrapper = [sys.executable, "-c", textwrap.dedent("""
        import resource, subprocess, sys, time
        start = time.perf_counter()
        code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(seconds, peak, code)
    """), *cmd]
    out = subprocess.run(wrapper, capture_output=True, text=True, env=env, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def curate_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "curate", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-examples", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "GX_ANALYTICS_ENABLED": "false"}
    rows: list[tuple[str, float, float, int]] = []

    if not args.skip_examples:
        for name in ("hf_news", "kaggle_loans", "products_v1", "products_v2"):
            folder = REPO / "example_datasets" / name
            rows.append((f"curate check example_datasets/{name}", *timed(curate_cmd("check", str(folder), "--no-progress"), env)))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "big"
        start = time.perf_counter()
        make_dataset(root, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        files = [str(root / "data/train.csv"), str(root / "data/test.csv")]
        suite = Path(tmp) / "full.yaml"
        suite.write_text(FULL_SUITE)
        lock = Path(tmp) / "big.lock.json"
        n = f"{args.rows:,} rows"
        rows.append((f"pandas.read_csv alone ({n})", *timed([sys.executable, "-c", PANDAS_READ, *files], env)))
        rows.append((f"GX 1.x direct: read + 5 expectations ({n})", *timed([sys.executable, "-c", GX_DIRECT, *files], env)))
        rows.append((f"curate lock ({n})", *timed(curate_cmd("lock", str(root), "-o", str(lock)), env)))
        rows.append((f"curate check, default suite ({n})", *timed(curate_cmd("check", str(root), "--no-progress"), env)))
        rows.append((f"curate check --only expect, same 5 expectations ({n})",
                     *timed(curate_cmd("check", str(root), "-s", str(suite), "--only", "expect", "--no-progress"), env)))
        rows.append((f"curate check, schema + drift + expect ({n})",
                     *timed(curate_cmd("check", str(root), "-s", str(suite), "--lock", str(lock), "--no-progress"), env)))

    print("| what | wall time (s) | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|")
    for what, seconds, peak, code in rows:
        print(f"| {what} | {seconds:.2f} | {peak:.0f} | {code} |")


if __name__ == "__main__":
    main()
