"""The result cache: label_errors' cross-validated probabilities reused on unchanged data.

The data is the first 1,500 records of the real UCI Adult file (income labels, tabular model).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import curate
from curate.cache import SUFFIX, ResultCache, _encode, frame_digest
from curate.cli import main
from curate.report import render

from test_gating import HEADER, adult_rows  # noqa: F401 — fixtures and helpers
from conftest import write

ROWS = 1500


@pytest.fixture
def adult(tmp_path: Path, adult_rows) -> Path:
    root = tmp_path / "adult"
    write(root / "curate.yaml", "dataset:\n  label: income\nchecks:\n  - label_errors: {outcome: false, max_swap_ratio: null}  # the cache is under test, not which flags are kept\n")
    (root / "train.csv").write_text(HEADER + "\n" + "\n".join(adult_rows[:ROWS]) + "\n", encoding="utf-8")
    return root


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*/*{SUFFIX}"))


def without_seconds(report: curate.Report) -> dict:
    doc = json.loads(render(report, "json"))
    for result in doc["results"]:
        result.pop("seconds")
    return doc


def test_hit_gives_the_identical_report(adult: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    first = curate.check(adult, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1) and len(entries(cache.root)) == 1
    assert len(first.result("label_errors").findings) > 50  # the model really ran and found label noise
    second = curate.check(adult, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert without_seconds(second) == without_seconds(first)
    assert without_seconds(curate.check(adult)) == without_seconds(first)  # the cache changes nothing


def test_one_byte_change_misses(adult: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    curate.check(adult, cache=cache)
    data = (adult / "train.csv").read_bytes()
    at = data.index(b"State-gov")
    (adult / "train.csv").write_bytes(data[:at] + b"Stat3-gov" + data[at + 9:])  # one byte
    curate.check(adult, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2) and len(entries(cache.root)) == 2


def test_corrupt_entry_is_ignored_and_rebuilt(adult: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    clean = without_seconds(curate.check(adult, cache=cache))
    (entry,) = entries(cache.root)
    damaged = bytearray(entry.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    entry.write_bytes(bytes(damaged))
    assert without_seconds(curate.check(adult, cache=cache)) == clean
    assert (cache.hits, cache.misses) == (0, 2)
    assert cache.get(entry.stem) is not None  # rebuilt: valid again
    entry.write_bytes(b"")  # truncated to nothing
    assert cache.get(entry.stem) is None and not entry.exists()


def test_pickled_content_is_never_loaded(tmp_path: Path) -> None:
    """An entry holding an object array (pickle inside the .npz) is refused even with a valid checksum."""
    cache = ResultCache(tmp_path)
    key = "ab" * 32
    path = tmp_path / key[:2] / (key + SUFFIX)
    path.parent.mkdir()
    path.write_bytes(_encode({"key": key}, {"x": np.array([{"a": 1}], dtype=object)}))
    assert cache.get(key) is None and not path.exists()


def test_least_recently_used_entries_are_evicted(tmp_path: Path) -> None:
    payload = np.zeros(10_000, dtype=np.float64)  # ~80 kB per entry
    cache = ResultCache(tmp_path, max_bytes=250_000)
    keys = [ResultCache.key("t", {"i": i}, []) for i in range(4)]
    for age, key in enumerate(keys[:3]):
        cache.put(key, {}, {"x": payload})
        os.utime(cache._path(key), (1000 + age, 1000 + age))
    assert cache.get(keys[0]) is not None  # used now: the most recent
    cache.put(keys[3], {}, {"x": payload})
    present = [cache.get(k) is not None for k in keys]
    assert present == [True, False, True, True]


def test_key_covers_params_version_and_content() -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    base = ResultCache.key("ns", {"folds": 5}, [frame_digest(frame)])
    assert ResultCache.key("ns", {"folds": 4}, [frame_digest(frame)]) != base
    assert ResultCache.key("ns", {"folds": 5}, [frame_digest(frame.rename(columns={"b": "c"}))]) != base
    assert ResultCache.key("ns", {"folds": 5}, [frame_digest(frame.astype({"a": "float64"}))]) != base
    assert ResultCache.key("ns", {"folds": 5}, [frame_digest(frame.iloc[::-1].reset_index(drop=True))]) != base
    assert ResultCache.key("ns", {"folds": 5}, [frame_digest(frame.copy())]) == base


def test_a_new_curate_version_misses(adult: Path, tmp_path: Path, monkeypatch) -> None:
    """Issue 13: an entry is keyed by data + parameters + curate's version, so a release whose
    models may differ never reuses an older release's probabilities."""
    cache = ResultCache(tmp_path / "cache")
    curate.check(adult, cache=cache)
    curate.check(adult, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    monkeypatch.setattr(curate, "__version__", curate.__version__ + ".post1")
    curate.check(adult, cache=cache)
    assert (cache.hits, cache.misses) == (1, 2) and len(entries(cache.root)) == 2


def test_cli_cache_dir_env_and_no_cache(adult: Path, tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("CURATE_CACHE_DIR", str(tmp_path / "env-cache"))
    assert runner.invoke(main, ["check", str(adult), "--no-progress", "--no-cache"]).exit_code == 1
    assert not (tmp_path / "env-cache").exists()
    assert runner.invoke(main, ["check", str(adult), "--no-progress"]).exit_code == 1
    assert len(entries(tmp_path / "env-cache")) == 1
    assert runner.invoke(main, ["check", str(adult), "--no-progress", "--cache-dir", str(tmp_path / "flag")]).exit_code == 1
    assert len(entries(tmp_path / "flag")) == 1


def test_unwritable_cache_only_loses_the_cache(adult: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    report = curate.check(adult, cache=ResultCache(blocker))
    assert report.result("label_errors").status.value == "fail"


def test_entry_layout_is_checksummed_json_and_npz(adult: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    curate.check(adult, cache=cache)
    (entry,) = entries(cache.root)
    checksum, _, payload = entry.read_bytes().partition(b"\n")
    assert len(checksum) == 64
    size = int.from_bytes(payload[:8], "big")
    header = json.loads(payload[8:8 + size])
    assert header["namespace"] == "label_errors.out_of_sample" and header["fields"]["kind"] == "tabular"
    with np.load(io.BytesIO(payload[8 + size:]), allow_pickle=False) as npz:
        assert npz["pred_probs"].shape == (ROWS, 2)


def test_near_duplicate_pairs_are_reused_and_a_changed_text_misses(tmp_path: Path) -> None:
    """Issue 13: MinHash, LSH and verification of near_duplicates and leakage are cached by the
    hash of the normalised texts and the MinHash settings; the report stays identical."""
    import shutil

    root = tmp_path / "news"
    shutil.copytree(Path(__file__).parent.parent / "example_datasets" / "hf_news", root)
    write(root / "curate.yaml", "dataset:\n  key: id\n  label: label\n  text: text\nchecks:\n"
          "  - near_duplicates: {threshold: 0.5}\n  - leakage: {threshold: 0.5}\n")
    cache = ResultCache(tmp_path / "cache")
    first = curate.check(root, cache=cache)
    assert first.result("near_duplicates").findings and first.result("leakage").findings
    assert (cache.hits, cache.misses) == (0, 3)  # the train and test splits, and leakage's joined texts
    second = curate.check(root, cache=cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert without_seconds(second) == without_seconds(first) == without_seconds(curate.check(root))
    test = root / "data" / "test.csv"
    original = test.read_text(encoding="utf-8")
    assert original.count("te-00001,Details of") == 1
    test.write_text(original.replace("te-00001,Details of", "te-00001,Detail of"), encoding="utf-8")  # one text, one byte
    curate.check(root, cache=cache)
    assert (cache.hits, cache.misses) == (4, 5)  # train reused; test and leakage recomputed
    # a different threshold is a different entry
    write(root / "curate.yaml", "dataset:\n  key: id\n  label: label\n  text: text\nchecks:\n  - near_duplicates: {threshold: 0.6}\n")
    curate.check(root, cache=cache)
    assert cache.misses == 7
