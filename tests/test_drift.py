"""The ``drift`` check and the column comparison it is built on (``column_drift``, ``curate.stats``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, write

import curate
from curate.baseline import build_baseline, write_lock
from curate.drift_measures import DriftResult, column_drift, drift_findings
from curate.dataset import load_dataset
from curate.errors import CurateError
from curate.stats import chisquare_pvalue, jensenshannon_distance, psi, wasserstein_normed

# --------------------------------------------------------------------------- helpers


def normal(seed: int, n: int, loc: float = 0.0, scale: float = 1.0) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(loc, scale, n))


def categories(seed: int, n: int, shares: dict[str, float]) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.choice(list(shares), size=n, p=list(shares.values())))


def dataset(root: Path, splits: dict[str, pd.DataFrame]) -> Path:
    """A folder of loose CSV files, one per split (train.csv, test.csv, ...)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, frame in splits.items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


def run_drift(path: Path, suite_yaml: str, tmp_path: Path, lock: Path | None = None):
    suite = write(tmp_path / "suite.yaml", suite_yaml)
    return curate.check(path, suite=suite, lock=lock).result("drift")


def tabular(seed: int, n: int, *, weight_loc: float = 2.0, colour_shares=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colour_shares = colour_shares or {"red": 0.5, "green": 0.3, "blue": 0.2}
    return pd.DataFrame(
        {
            "id": [f"r{seed}-{i}" for i in range(n)],
            "weight": rng.normal(weight_loc, 0.5, n).round(4),
            "rating": rng.poisson(20, n),
            "colour": rng.choice(list(colour_shares), size=n, p=list(colour_shares.values())),
            "in_stock": rng.random(n) < 0.7,
        }
    )


# --------------------------------------------------------------------------- distances and tests


def test_psi_matches_a_hand_computed_value():
    # shares 0.5/0.3/0.2 → 0.3/0.3/0.4: (0.3-0.5)·ln(0.3/0.5) + 0 + (0.4-0.2)·ln(0.4/0.2)
    expected = -0.2 * math.log(0.6) + 0.2 * math.log(2.0)
    assert expected == pytest.approx(0.240794, abs=1e-6)
    assert psi([50, 30, 20], [30, 30, 40]) == pytest.approx(expected)
    assert psi([30, 30, 40], [50, 30, 20]) == pytest.approx(expected)  # symmetric
    ref = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
    cur = pd.Series(["a"] * 30 + ["b"] * 30 + ["c"] * 40)
    result = column_drift(ref, cur, method="psi")
    assert result.method == "psi" and result.value == pytest.approx(expected)
    assert result.drifted and result.detail.startswith("PSI 0.241 ≥ 0.1")


def test_psi_smooths_empty_bins_with_epsilon():
    # a bin empty in the reference counts as 1e-4: (0.5-1)·ln(0.5/1) + (0.5-1e-4)·ln(0.5/1e-4)
    expected = -0.5 * math.log(0.5) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert psi([100, 0], [50, 50]) == pytest.approx(expected)
    assert math.isfinite(psi([10, 0, 0], [0, 0, 10]))


def test_jensenshannon_is_bounded_and_zero_for_identical_histograms():
    assert jensenshannon_distance([5, 5], [50, 50]) == 0.0
    assert jensenshannon_distance([10, 0], [0, 10]) == pytest.approx(1.0)
    # base 2: JS divergence of (1,0) vs (0.5,0.5) is 1 - 0.5·H2(1/3,2/3)·... computed by hand
    m = np.array([0.75, 0.25])
    kl = lambda p: sum(pi * math.log2(pi / mi) for pi, mi in zip(p, m) if pi)  # noqa: E731
    expected = math.sqrt((kl([1.0, 0.0]) + kl([0.5, 0.5])) / 2)
    assert jensenshannon_distance([4, 0], [2, 2]) == pytest.approx(expected)


def test_chisquare_handles_one_sided_and_single_categories():
    assert chisquare_pvalue([100, 0], [90, 10]) < 0.01  # a category only in current
    assert chisquare_pvalue([7, 0], [3, 0]) == 1.0  # one category overall: nothing to test
    assert chisquare_pvalue([50, 50], [50, 50]) == pytest.approx(1.0)


def test_wasserstein_is_normed_by_the_reference_std():
    ref = np.array([0.0, 2.0])  # std 1
    assert wasserstein_normed(ref, ref + 0.5) == pytest.approx(0.5)
    assert wasserstein_normed(ref * 10, ref * 10 + 5) == pytest.approx(0.5)
    # a constant reference is normed by 0.001, as Evidently does
    assert wasserstein_normed(np.array([1.0, 1.0]), np.array([1.01, 1.01])) == pytest.approx(10.0)


# --------------------------------------------------------------------------- column_drift: method choice


def test_mean_shift_large_data_is_found_by_wasserstein():
    result = column_drift(normal(1, 5000), normal(2, 5000, loc=0.5))
    assert result.method == "wasserstein"
    assert result.drifted
    assert result.value == pytest.approx(0.5, abs=0.06)
    assert result.threshold == 0.1
    assert result.detail.startswith("wasserstein (normed) 0.") and "≥ 0.1" in result.detail
    assert result.score == result.value


def test_mean_shift_small_data_is_found_by_ks():
    result = column_drift(normal(3, 300), normal(4, 300, loc=0.5))
    assert result.method == "ks"
    assert result.drifted and result.value < 0.05
    assert result.detail.startswith("ks p=") and "< 0.05" in result.detail
    assert result.score == pytest.approx(1 - result.value)


def test_small_data_boundary_is_1000_reference_values():
    assert column_drift(normal(5, 1000), normal(6, 50)).method == "ks"
    assert column_drift(normal(5, 1001), normal(6, 50)).method == "wasserstein"
    # reference_size overrides the count (e.g. the split's rows)
    assert column_drift(normal(5, 1001), normal(6, 50), reference_size=800).method == "ks"


def test_category_mix_change_is_found_by_jensenshannon_and_chisquare():
    before = {"red": 0.5, "green": 0.3, "blue": 0.2}
    after = {"red": 0.3, "green": 0.3, "blue": 0.4}
    large = column_drift(categories(1, 5000, before), categories(2, 5000, after))
    assert large.method == "jensenshannon" and large.drifted and large.value >= 0.1
    small = column_drift(categories(3, 500, before), categories(4, 500, after))
    assert small.method == "chisquare" and small.drifted and small.value < 0.05


def test_low_unique_numbers_and_booleans_are_categorical():
    ints = pd.Series(np.random.default_rng(1).integers(0, 4, 3000))
    assert column_drift(ints, pd.Series(np.random.default_rng(2).integers(0, 4, 3000))).method == "jensenshannon"
    flags = pd.Series(np.random.default_rng(3).random(3000) < 0.3)
    shifted = pd.Series(np.random.default_rng(4).random(3000) < 0.6)
    result = column_drift(flags, shifted)
    assert result.method == "jensenshannon" and result.drifted
    # object booleans with nulls (as read from JSON) compare like booleans
    with_nulls = pd.Series([True, False, None] * 200, dtype=object)
    assert column_drift(with_nulls, pd.Series([True, False] * 300)).method == "chisquare"


SAME_DISTRIBUTION = [
    lambda seed, n: normal(seed, n),
    lambda seed, n: pd.Series(np.random.default_rng(seed).lognormal(0, 0.8, n)),
    lambda seed, n: pd.Series(np.random.default_rng(seed).poisson(3, n)),
    lambda seed, n: pd.Series(np.random.default_rng(seed).integers(0, 3, n)),
    lambda seed, n: categories(seed, n, {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}),
    lambda seed, n: pd.Series(np.random.default_rng(seed).random(n) < 0.25),
]
SAME_IDS = ["normal", "lognormal", "poisson", "three-ints", "categories", "booleans"]


@pytest.mark.parametrize("make", SAME_DISTRIBUTION, ids=SAME_IDS)
@pytest.mark.parametrize("method", ["auto", "psi", "jensenshannon", "wasserstein"])
def test_identical_distributions_are_not_flagged(make, method):
    # 2000 rows: auto picks the distances; none comes near 0.1 for two samples of one distribution
    for seed in range(5):
        result = column_drift(make(10 + seed, 2000), make(100 + seed, 2000), method=method)
        assert not result.drifted, result.detail
        assert result.value < result.threshold  # not merely saved by the significance guard


@pytest.mark.parametrize("make", SAME_DISTRIBUTION, ids=SAME_IDS)
@pytest.mark.parametrize("method", ["chisquare", "ks"])
def test_pvalue_tests_flag_identical_distributions_at_their_level(make, method):
    # a test at p < 0.05 flags about 5 % of same-distribution pairs, by construction
    flagged = [column_drift(make(s, 500), make(1000 + s, 500), method=method).drifted for s in range(200)]
    assert np.mean(flagged) <= 0.10


def test_significance_guard_stops_sampling_noise_in_many_categories():
    shares = {f"c{i}": 1 / 200 for i in range(200)}
    ref, cur = categories(1, 2000, shares), categories(2, 2000, shares)
    raw = column_drift(ref, cur, significance=None)  # Evidently's plain rule
    assert raw.method == "jensenshannon" and raw.value >= 0.1 and raw.drifted
    guarded = column_drift(ref, cur)
    assert guarded.value == raw.value and not guarded.drifted
    assert "not significant (chi-square p=" in guarded.detail


def test_explicit_numeric_method_on_categories_falls_back_and_says_so():
    before = categories(1, 3000, {"x": 0.5, "y": 0.5})
    after = categories(2, 3000, {"x": 0.2, "y": 0.8})
    result = column_drift(before, after, method="wasserstein")
    assert result.method == "jensenshannon" and result.drifted
    assert "wasserstein needs numbers" in result.detail
    assert column_drift(before, after, method="ks").method == "chisquare"


def test_threshold_overrides_the_default_and_needs_a_method():
    ref, cur = normal(1, 3000), normal(2, 3000, loc=0.3)
    assert column_drift(ref, cur, method="wasserstein").drifted
    strict = column_drift(ref, cur, method="wasserstein", threshold=0.5)
    assert strict.threshold == 0.5 and not strict.drifted and "< 0.5" in strict.detail
    with pytest.raises(ValueError, match="explicit method"):
        column_drift(ref, cur, threshold=0.2)
    with pytest.raises(ValueError, match="unknown drift method"):
        column_drift(ref, cur, method="kl")


# --------------------------------------------------------------------------- column_drift: awkward columns


def test_constant_columns_do_not_crash():
    same = column_drift(pd.Series([5.0] * 2000), pd.Series([5.0] * 500))
    assert same.compared and not same.drifted and same.value == 0.0
    moved = column_drift(pd.Series([5.0] * 2000), pd.Series([6.0] * 500))
    assert moved.drifted
    for method in ("psi", "jensenshannon", "wasserstein", "chisquare", "ks"):
        result = column_drift(pd.Series([1] * 50), pd.Series([1] * 50), method=method)
        assert not result.drifted and math.isfinite(result.value), (method, result)


def test_all_null_columns_are_reported_not_compared():
    empty = pd.Series([None] * 100, dtype=object)
    full = normal(1, 100)
    for ref, cur, side in ((empty, full, "reference"), (full, empty, "current"), (full, pd.Series([np.nan] * 5), "current")):
        result = column_drift(ref, cur)
        assert not result.compared and not result.drifted and math.isnan(result.value)
        assert result.detail.startswith(f"not compared: the {side}")
        assert result.score == 0.0
    assert not column_drift(pd.Series([], dtype=float), full).compared


def test_categories_on_one_side_only():
    ref = pd.Series(["a", "b"] * 1000)
    cur = pd.Series(["a", "b", "c", "d"] * 500)  # c and d are new
    for method in ("auto", "psi", "jensenshannon", "chisquare"):
        result = column_drift(ref, cur, method=method)
        assert result.drifted and math.isfinite(result.value), method
    gone = column_drift(pd.Series(["a", "b", "c"] * 500), pd.Series(["a", "b"] * 500))
    assert gone.drifted


def test_type_change_compares_the_values_that_still_parse():
    ref = pd.Series(np.random.default_rng(1).integers(0, 100, 2000))
    cur = pd.Series([str(v) for v in np.random.default_rng(2).integers(0, 100, 1900)] + ["N/A"] * 100)
    result = column_drift(ref, cur)
    assert result.method == "wasserstein" and not result.drifted
    assert "100 non-numeric current values ignored" in result.detail


def test_text_compares_lengths_and_datetimes_compare_as_time():
    short = pd.Series(["word " * int(n) for n in np.random.default_rng(1).integers(5, 10, 1500)])
    long = pd.Series(["word " * int(n) for n in np.random.default_rng(2).integers(15, 20, 1500)])
    result = column_drift(short, long, kind="text")
    assert result.drifted and result.detail.endswith("(text length)")
    early = pd.Series(pd.date_range("2020-01-01", periods=2000, freq="h"))
    late = pd.Series(pd.date_range("2021-01-01", periods=2000, freq="h"))
    assert column_drift(early, late).drifted
    assert not column_drift(early, early.sample(frac=1.0, random_state=0)).drifted


def test_findings_only_for_drifted_columns():
    drifted = DriftResult("wasserstein", 0.62, 0.1, True, "wasserstein (normed) 0.62 ≥ 0.1")
    calm = DriftResult("ks", 0.4, 0.05, False, "ks p=0.4 ≥ 0.05")
    findings = drift_findings([("test", "weight_kg", drifted), ("test", "rating", calm)], reference="train")
    assert len(findings) == 1
    f = findings[0]
    assert f.message == "weight_kg drifted between train and test: wasserstein (normed) 0.62 ≥ 0.1"
    assert (f.split, f.column, f.row, f.key, f.score) == ("test", "weight_kg", None, None, 0.62)


# --------------------------------------------------------------------------- baseline profiles


def test_profile_comparison_matches_raw_histograms(tmp_path):
    old = tabular(1, 3000)
    new = tabular(2, 3000, weight_loc=2.3, colour_shares={"red": 0.3, "green": 0.3, "blue": 0.4})
    root = dataset(tmp_path / "old", {"train": old})
    profiles = build_baseline(load_dataset(root))["splits"]["train"]["columns"]
    for column in ("weight", "rating", "colour", "in_stock"):
        for method in ("psi", "jensenshannon", "chisquare"):
            from_raw = column_drift(old[column], new[column], method=method)
            from_profile = column_drift(profiles[column], new[column], method=method)
            assert from_profile.value == pytest.approx(from_raw.value, rel=1e-9, abs=1e-12), (column, method)
        auto_raw = column_drift(old[column], new[column])
        auto_profile = column_drift(profiles[column], new[column])
        assert auto_profile.method == auto_raw.method
        assert auto_profile.drifted == auto_raw.drifted, (column, auto_raw.detail, auto_profile.detail)
    # Wasserstein from 20 bins is close to, not equal to, the raw distance
    raw = column_drift(old["weight"], new["weight"])
    prof = column_drift(profiles["weight"], new["weight"])
    assert prof.value == pytest.approx(raw.value, rel=0.1)
    assert "from the baseline profile's 20 bins" in prof.detail


def test_profile_cannot_run_ks_and_uses_chisquare_on_bins(tmp_path):
    old = pd.DataFrame({"x": normal(1, 400)})
    profile = build_baseline(load_dataset(dataset(tmp_path / "d", {"train": old})))["splits"]["train"]["columns"]["x"]
    shifted = column_drift(profile, normal(2, 400, loc=0.6))
    assert shifted.method == "chisquare" and shifted.drifted
    assert "ks needs raw data: chi-square on the baseline profile's 20 bins instead" in shifted.detail
    assert column_drift(profile, normal(3, 400), method="ks").method == "chisquare"
    assert not column_drift(profile, normal(3, 400)).drifted


def test_profile_without_category_counts_is_not_compared():
    profile = {"kind": "categorical", "count": 900, "unique": 800, "categories": None, "numeric": None, "text": None}
    result = column_drift(profile, pd.Series(["a", "b"]))
    assert not result.compared and "no category counts" in result.detail


# --------------------------------------------------------------------------- the check, end to end


def test_check_flags_the_shifted_column_only(tmp_path):
    root = dataset(tmp_path / "ds", {"train": tabular(1, 3000), "test": tabular(2, 2000, weight_loc=2.4)})
    result = run_drift(root, "checks:\n  - drift: {}\n", tmp_path)
    assert result.status == curate.Status.FAIL
    assert [(f.split, f.column) for f in result.findings] == [("test", "weight")]
    finding = result.findings[0]
    assert finding.message.startswith("weight drifted between train and test: wasserstein (normed) 0.")
    assert finding.score > 0.5
    m = result.metrics
    assert (m["columns_compared"], m["columns_drifted"], m["share_drifted"]) == (4, 1, 0.25)
    assert set(m) >= {"test.weight", "test.rating", "test.colour", "test.in_stock"}
    assert "test.id" not in m  # the key column is not compared
    assert all(isinstance(v, (int, float)) for v in m.values())
    assert "1 of 4 columns drifted (train → test): weight" in result.message
    json.dumps(result.to_dict(), allow_nan=False)  # the JSON report stays valid JSON


def test_check_passes_on_identical_distributions(tmp_path):
    root = dataset(tmp_path / "ds", {"train": tabular(1, 2000), "test": tabular(2, 2000), "validation": tabular(3, 2000)})
    result = run_drift(root, "checks:\n  - drift: {}\n", tmp_path)
    assert result.status == curate.Status.PASS, result.message
    assert result.metrics["columns_compared"] == 8  # 4 columns × 2 current splits
    assert result.findings == []


def test_max_drifted_share(tmp_path):
    root = dataset(tmp_path / "ds", {"train": tabular(1, 3000), "test": tabular(2, 2000, weight_loc=2.4)})
    within = run_drift(root, "checks:\n  - drift: {max_drifted_share: 0.25}\n", tmp_path)
    assert within.status == curate.Status.PASS
    assert len(within.findings) == 1  # the drifted column is still reported
    assert "within max_drifted_share 25%" in within.message
    over = run_drift(root, "checks:\n  - drift: {max_drifted_share: 0.2}\n", tmp_path)
    assert over.status == curate.Status.FAIL
    warn = run_drift(root, "checks:\n  - drift: {severity: warning}\n", tmp_path)
    assert warn.status == curate.Status.WARN


def test_columns_ignore_columns_and_text_length(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array(["good", "bad", "film", "plot", "actor", "scene", "long", "dull", "warm", "clever"])

    def reviews(low: int, high: int) -> list[str]:  # free text: distinct sentences of low..high words
        return [" ".join(rng.choice(words, int(n))) for n in rng.integers(low, high, 1500)]

    train = tabular(1, 1500).assign(review=reviews(10, 20))
    test = tabular(2, 1500, weight_loc=2.4).assign(review=reviews(30, 40))
    root = dataset(tmp_path / "ds", {"train": train, "test": test})
    default = run_drift(root, "checks:\n  - drift: {ignore_columns: [weight]}\n", tmp_path)
    assert default.status == curate.Status.PASS and "test.review" not in default.metrics
    lengths = run_drift(root, "checks:\n  - drift: {ignore_columns: [weight], text_length: true}\n", tmp_path)
    assert [f.column for f in lengths.findings] == ["review"]
    assert "(text length)" in lengths.findings[0].message
    listed = run_drift(root, "checks:\n  - drift: {columns: [review, colour]}\n", tmp_path)
    assert set(k for k in listed.metrics if "." in k) == {"test.review", "test.colour"}
    psi_run = run_drift(root, "checks:\n  - drift: {method: psi, columns: [weight]}\n", tmp_path)
    assert psi_run.findings[0].message.startswith("weight drifted between train and test: PSI ")


def test_identifier_like_columns_are_skipped_by_default(tmp_path):
    train = tabular(1, 1500).assign(name=[f"product {i}" for i in range(1500)])
    test = tabular(2, 500).assign(name=[f"product {i}" for i in range(2000, 2500)])
    root = dataset(tmp_path / "ds", {"train": train, "test": test})
    result = run_drift(root, "dataset: {key: id}\nchecks:\n  - drift: {}\n", tmp_path)
    assert "test.name" not in result.metrics and result.metrics["columns_skipped"] == 1
    assert "Not compared: name (identifier-like, 500 distinct values in 500 rows)" not in result.message
    assert "Not compared: name (identifier-like, 1500 distinct values in 1500 rows)" in result.message


def test_single_split_has_nothing_to_compare(tmp_path):
    root = dataset(tmp_path / "ds", {"train": tabular(1, 100)})
    result = run_drift(root, "checks:\n  - drift: {}\n", tmp_path)
    assert result.status == curate.Status.SKIP and "nothing to compare" in result.message
    # a bare drift: {} stays usable in a default suite when there is no train split
    other = dataset(tmp_path / "other", {"dev": tabular(1, 100), "test": tabular(2, 100)})
    result = run_drift(other, "checks:\n  - drift: {}\n", tmp_path)
    assert result.status == curate.Status.SKIP and "no 'train' split" in result.message


def test_constant_and_all_null_columns_in_a_check(tmp_path):
    train = tabular(1, 1200).assign(const=7, empty=np.nan, flag=True)
    test = tabular(2, 800).assign(const=7, empty=np.nan, flag=True)
    root = dataset(tmp_path / "ds", {"train": train, "test": test})
    result = run_drift(root, "checks:\n  - drift: {columns: [const, empty, flag, weight]}\n", tmp_path)
    assert result.status == curate.Status.PASS, result.message
    assert result.metrics["columns_skipped"] == 1 and "Not compared: empty (the reference has no non-null values)" in result.message
    assert result.metrics["test.const"] == 0.0 and "test.empty" not in result.metrics


def test_baseline_against_now(tmp_path):
    old_root = dataset(tmp_path / "v1", {"train": tabular(1, 3000), "test": tabular(2, 1500)})
    lock = tmp_path / "v1.lock.json"
    write_lock(build_baseline(load_dataset(old_root, key="id")), lock)
    new_root = dataset(
        tmp_path / "v2",
        {
            "train": tabular(3, 3000, weight_loc=2.4),
            "test": tabular(4, 1500, colour_shares={"red": 0.2, "green": 0.3, "blue": 0.5}),
        },
    )
    result = run_drift(new_root, "dataset: {key: id}\nchecks:\n  - drift: {reference: baseline}\n", tmp_path, lock=lock)
    assert sorted((f.split, f.column) for f in result.findings) == [("test", "colour"), ("train", "weight")]
    messages = {f.column: f.message for f in result.findings}
    assert messages["weight"].startswith("weight drifted between train (baseline) and train: wasserstein (normed)")
    assert messages["colour"].startswith("colour drifted between test (baseline) and test: jensenshannon 0.")
    assert result.metrics["columns_compared"] == 8
    only_test = run_drift(
        new_root, "dataset: {key: id}\nchecks:\n  - drift: {reference: baseline, current: test}\n", tmp_path, lock=lock
    )
    assert [f.column for f in only_test.findings] == ["colour"]
    # the lock at the dataset root is found without --lock
    write_lock(build_baseline(load_dataset(old_root, key="id")), new_root / "curate.lock.json")
    found = run_drift(new_root, "dataset: {key: id}\nchecks:\n  - drift: {reference: baseline}\n", tmp_path)
    assert found.metrics["columns_drifted"] == 2


# --------------------------------------------------------------------------- validation errors


@pytest.fixture
def two_splits(tmp_path) -> Path:
    return dataset(tmp_path / "ds", {"train": tabular(1, 200), "test": tabular(2, 200)})


def suite_error(root: Path, text: str, tmp_path: Path, lock: Path | None = None) -> CurateError:
    suite = write(tmp_path / "suite.yaml", text)
    with pytest.raises(CurateError) as caught:
        curate.check(root, suite=suite, lock=lock)
    return caught.value


def test_unknown_reference_split_is_located(two_splits, tmp_path):
    err = suite_error(two_splits, "checks:\n  - drift:\n      reference: trian\n", tmp_path)
    assert err.line == 3 and "unknown split 'trian'" in err.message and "did you mean 'train'" in err.message


def test_unknown_current_split_is_located(two_splits, tmp_path):
    err = suite_error(two_splits, "checks:\n  - drift:\n      reference: train\n      current: [test, valid]\n", tmp_path)
    assert err.line == 4 and "unknown split 'valid'" in err.message


def test_unknown_column_is_located(two_splits, tmp_path):
    text = "checks:\n  - drift:\n      columns:\n        - weight\n        - wieght\n"
    err = suite_error(two_splits, text, tmp_path)
    assert err.line == 5 and "column 'wieght' not found" in err.message and "did you mean 'weight'" in err.message
    err = suite_error(two_splits, "checks:\n  - drift:\n      ignore_columns: [colour, color]\n", tmp_path)
    assert err.line == 3 and "column 'color' not found" in err.message


def test_reference_equal_to_current_is_an_error(two_splits, tmp_path):
    err = suite_error(two_splits, "checks:\n  - drift:\n      reference: test\n      current: test\n", tmp_path)
    assert err.line == 4 and "also the reference" in err.message


def test_baseline_without_lock_says_to_run_curate_lock(two_splits, tmp_path):
    err = suite_error(two_splits, "checks:\n  - drift:\n      reference: baseline\n", tmp_path)
    assert err.line == 3 and "run `curate lock` first" in err.message


def test_baseline_split_missing_from_lock(two_splits, tmp_path):
    only_train = dataset(tmp_path / "old", {"train": tabular(1, 200)})
    lock = tmp_path / "old.lock.json"
    write_lock(build_baseline(load_dataset(only_train)), lock)
    err = suite_error(two_splits, "checks:\n  - drift:\n      reference: baseline\n      current: test\n", tmp_path, lock)
    assert err.line == 4 and "not in the baseline" in err.message


def test_threshold_with_auto_method_is_an_error(two_splits, tmp_path):
    err = suite_error(two_splits, "checks:\n  - drift:\n      threshold: 0.2\n", tmp_path)
    assert err.line == 3 and "explicit 'method'" in err.message
    err = suite_error(two_splits, "checks:\n  - drift:\n      method: ks\n      threshold: 5\n", tmp_path)
    assert err.line == 4 and "p-value" in err.message
    err = suite_error(two_splits, "checks:\n  - drift:\n      method: kl\n", tmp_path)
    assert err.line == 3


# --------------------------------------------------------------------------- example datasets


@pytest.mark.skipif(not (EXAMPLES / "products_v2").is_dir(), reason="example datasets not generated")
def test_products_v1_baseline_to_v2_flags_weight_not_rating_count(tmp_path):
    lock = tmp_path / "products_v1.lock.json"
    write_lock(build_baseline(load_dataset(EXAMPLES / "products_v1", key="sku")), lock)
    result = run_drift(
        EXAMPLES / "products_v2", "dataset: {key: sku}\nchecks:\n  - drift: {reference: baseline}\n", tmp_path, lock=lock
    )
    drifted = {(f.split, f.column) for f in result.findings}
    assert {("train", "weight_kg"), ("test", "weight_kg")} <= drifted
    assert not {c for _, c in drifted} & {"rating_count", "stock"}
    assert result.metrics["train.rating_count"] < 0.1  # wasserstein (normed), 3000+ rows
    # category gained 'garden' (planted): a real mix change, also found
    assert ("train", "category") in drifted


@pytest.mark.skipif(not (EXAMPLES / "hf_news").is_dir(), reason="example datasets not generated")
def test_hf_news_train_vs_test_has_no_drift(tmp_path):
    result = run_drift(EXAMPLES / "hf_news", "checks:\n  - drift: {text_length: true}\n", tmp_path)
    assert result.status == curate.Status.PASS, result.message
    assert {k for k in result.metrics if "." in k} == {"test.text", "test.label", "test.author_gender"}
    assert result.metrics["test.label"] < 0.05 and result.metrics["test.author_gender"] < 0.05
