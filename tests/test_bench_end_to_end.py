"""bench/end_to_end.py at a tiny size: the planted truth is what the generator says it is, and the
scoring reads curate's JSON report and the peer toolchain's output the way the benchmark does.

No timing is asserted (timings belong to the benchmark itself).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
ROWS = 3000


def bench_module():
    if "bench_end_to_end" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_end_to_end", REPO / "bench" / "end_to_end.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_end_to_end"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict[str, set[str]]]:
    root = tmp_path_factory.mktemp("e2e")
    truth = bench_module().generate(root, ROWS, seed=1)
    return root, {k: set(v) for k, v in truth.items()}


def frames(root: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(root / f"data/{n}.parquet") for n in ("train", "test")}


def one_word_apart(a: str, b: str) -> bool:
    x, y = a.split(" "), b.split(" ")
    return len(x) == len(y) and sum(p != q for p, q in zip(x, y)) == 1


def test_generated_files_and_planted_rows(generated) -> None:
    root, truth = generated
    data = frames(root)
    assert [len(data["train"]), len(data["test"])] == [int(ROWS * 0.8), ROWS - int(ROWS * 0.8)]
    assert json.loads((root / "truth.json").read_text()).keys() == truth.keys()
    train, test = data["train"].set_index("id"), data["test"].set_index("id")
    # every planted exact duplicate repeats the text of an earlier train row
    earlier = train["text"].duplicated()
    assert truth["duplicates"] == set(train.index[earlier])
    # near duplicates: one word away from some other train text, not an exact copy
    texts = train["text"].tolist()
    for key in sorted(truth["near_duplicates"])[:20]:
        assert any(one_word_apart(train.at[key, "text"], t) for t in texts)
    assert not truth["near_duplicates"] & truth["duplicates"]
    # leakage: every planted test row is a copy (exact or one word off) of a train text
    train_texts = set(texts)
    for key in sorted(truth["leakage"])[:20]:
        text = test.at[key, "text"]
        assert text in train_texts or any(one_word_apart(text, t) for t in texts)
    assert truth["leakage"] <= set(test.index)
    # out-of-range ages, and nothing else is out of range
    both = pd.concat([train, test])
    assert truth["expect"] == set(both.index[(both["age"] < 18) | (both["age"] > 100)])
    # the skewed group really has a lower base rate of the skewed class
    attribute, group, label = bench_module().SKEWED
    rate = (both["label"] == label).groupby(both[attribute] == group).mean()
    assert rate[True] < 0.8 * rate[False]
    assert truth["balance"] == {f"{attribute}={group}[{label}]"}
    assert len(truth["label_errors"]) == int(bench_module().NOISE * ROWS)


def test_score() -> None:
    score = bench_module().score
    assert score({"a", "b"}, {"b", "c", "d", "e"}) == pytest.approx((0.5, 0.25, 1 / 3))
    assert score(set(), {"a"}) == (0.0, 0.0, 0.0)
    assert score(set(), set()) == (1.0, 1.0, 1.0)


def test_curate_report_and_peer_output_are_scored_against_the_truth(generated, tmp_path: Path) -> None:
    root, truth = generated
    bench = bench_module()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
    out = tmp_path / "curate.json"
    subprocess.run([sys.executable, "-m", "curate", "check", str(root / "data"), "-s", str(root / "peer.yaml"),
                    "--only", "expect,duplicates,leakage,balance", "--no-progress", "--no-cache", "--fail-on", "never",
                    "--format", "json", "-o", str(out)], env=env, check=True, capture_output=True, timeout=600)
    seconds, flagged = bench.curate_flagged(root, json.loads(out.read_text()))
    assert set(seconds) == set(flagged) == {"expect", "duplicates", "leakage", "balance"}
    for family in ("expect", "duplicates", "leakage", "balance"):
        assert bench.score(flagged[family], truth[family])[2] > 0.9, family
    peer = bench.peer(root, ["duplicates", "balance"])
    assert set(peer["flagged"]) == {"duplicates", "balance"} and "read" in peer["seconds"]
    # truth plants copies within train; two test rows leaked from one train row also repeat within test
    repeats = {k for f in frames(root).values() for k in f["id"][f["text"].duplicated()]}
    assert truth["duplicates"] <= repeats and set(peer["flagged"]["duplicates"]) == repeats
    # the bare four-fifths rule also fires on small groups' noise at this size: the planted gap is among its flags
    assert truth["balance"] <= set(peer["flagged"]["balance"])
