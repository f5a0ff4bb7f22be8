"""``curate.stats`` against scipy: the same numbers without importing ``scipy.stats``.

Real columns from UCI Adult and Wine Quality (``tests/data``, CC BY 4.0, see its README), split the
ways the ``drift`` check splits data (by group, by row position, small and large samples), plus the
edge cases scipy handles specially: ties, tiny samples, equal sample sizes, empty categories.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, EXAMPLES, REPO, adult_rows, write
from scipy import special
from scipy import stats as scipy_stats
from scipy.spatial.distance import jensenshannon

import curate
from curate import stats
from curate.baseline import NUMERIC_BINS, bin_counts, build_baseline, write_lock
from curate.dataset import load_dataset

# p-values and distances agree with scipy to a few units in the last place (chi-square: a
# different but equally accurate formula for the same function, see chi2_sf)
RTOL = 1e-12
# where scipy's exact KS sum rounds above 1 it returns its asymptotic value (1 - 6e-15 at worst)
KS_ATOL = 1e-13


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return adult_rows()


@pytest.fixture(scope="module")
def wine() -> pd.DataFrame:
    return pd.read_csv(DATA / "winequality-red.csv.gz")


def _splits(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(name, reference rows, current rows): group splits and row-position splits of many sizes."""
    out = []
    for a, b in ((1, 1), (1, 3), (2, 5), (7, 7), (30, 11), (120, 120), (400, 1500), (800, 300), (1000, 999),
                 (2000, 700), (5000, 5000), (10_000, 3000)):
        if a + b <= len(frame):
            out.append((f"rows {a}/{b}", frame.iloc[:a], frame.iloc[a:a + b]))
    return out


def _numeric_pairs(adult: pd.DataFrame, wine: pd.DataFrame):
    columns = ["age", "fnlwgt", "education-num", "capital-gain", "hours-per-week"]  # capital-gain: 92% zeros
    for column in columns:
        for name, ref, cur in _splits(adult):
            yield f"adult {column} {name}", ref[column].to_numpy(float), cur[column].to_numpy(float)
        women, men = adult.loc[adult["sex"] == "Female", column], adult.loc[adult["sex"] == "Male", column]
        yield f"adult {column} women/men first 3000", women.iloc[:3000].to_numpy(float), men.iloc[:3000].to_numpy(float)
    for column in ["fixed acidity", "volatile acidity", "alcohol", "quality"]:
        for name, ref, cur in _splits(wine):
            yield f"wine {column} {name}", ref[column].to_numpy(float), cur[column].to_numpy(float)


def _count_pairs(adult: pd.DataFrame, wine: pd.DataFrame):
    """Aligned count vectors, with categories empty on one side and (before dropping) on both."""
    for column in ["workclass", "education", "marital-status", "occupation", "race", "native-country", "income"]:
        for name, ref, cur in _splits(adult) + [("women/men", adult[adult["sex"] == "Female"],
                                                 adult[adult["sex"] == "Male"])]:
            index = adult[column].dropna().unique()  # every category of the file: some empty in both
            r = ref[column].value_counts().reindex(index, fill_value=0).to_numpy(float)
            c = cur[column].value_counts().reindex(index, fill_value=0).to_numpy(float)
            if r.sum() and c.sum():
                yield f"adult {column} {name}", r, c
    for column in ["alcohol", "density"]:  # numeric columns binned as drift bins them
        for name, ref, cur in _splits(wine):
            edges = stats.quantile_edges(ref[column].to_numpy(float), NUMERIC_BINS)
            yield (f"wine {column} binned {name}", bin_counts(ref[column].to_numpy(float), edges).astype(float),
                   bin_counts(cur[column].to_numpy(float), edges).astype(float))


# --------------------------------------------------------------------------- scipy's numbers


def scipy_ks(ref, cur) -> float:
    return float(scipy_stats.ks_2samp(ref, cur).pvalue)


def scipy_chisquare(ref_counts, cur_counts) -> float:
    keep = (ref_counts + cur_counts) > 0
    if keep.sum() < 2:
        return 1.0
    table = np.vstack([ref_counts[keep], cur_counts[keep]])
    return float(scipy_stats.chi2_contingency(table, correction=False).pvalue)


def scipy_js(ref_counts, cur_counts) -> float:
    value = float(jensenshannon(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum(), base=2))
    return 0.0 if not np.isfinite(value) else value


def _compress(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    distinct, counts = np.unique(values, return_counts=True)
    return distinct, counts.astype(float)


# --------------------------------------------------------------------------- real columns


def test_ks_matches_scipy_on_real_columns(adult, wine):
    import warnings

    checked = 0
    for name, ref, cur in _numeric_pairs(adult, wine):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # scipy: "exact calculation unsuccessful"
            expected = scipy_ks(ref, cur)
        assert stats.ks_pvalue(ref, cur) == pytest.approx(expected, rel=RTOL, abs=KS_ATOL), name
        checked += 1
    assert checked >= 90


def test_ks_beyond_the_exact_limit_is_scipys_asymptotic_value(adult):
    women = adult.loc[adult["sex"] == "Female", "age"].to_numpy(float)  # 10,771 values
    men = adult.loc[adult["sex"] == "Male", "age"].to_numpy(float)
    assert len(men) > stats.KS_EXACT_MAX_N
    assert stats.ks_pvalue(women, men) == scipy_ks(women, men)
    assert stats.ks_pvalue(women[:3000], men[:3000]) == pytest.approx(scipy_ks(women[:3000], men[:3000]), rel=RTOL)


def test_wasserstein_matches_scipy_on_real_columns(adult, wine):
    for name, ref, cur in _numeric_pairs(adult, wine):
        expected = float(scipy_stats.wasserstein_distance(ref, cur))
        assert stats.wasserstein_distance(ref, cur) == pytest.approx(expected, rel=RTOL, abs=1e-300), name
        (rv, rw), (cv, cw) = _compress(ref), _compress(cur)  # how drift passes many-tied columns
        weighted = float(scipy_stats.wasserstein_distance(rv, cv, rw, cw))
        assert stats.wasserstein_distance(rv, cv, rw, cw) == pytest.approx(weighted, rel=RTOL, abs=1e-300), name
        assert weighted == pytest.approx(expected, rel=1e-9, abs=1e-12), name  # same distributions


def test_chisquare_and_jensenshannon_match_scipy_on_real_counts(adult, wine):
    checked = 0
    for name, ref, cur in _count_pairs(adult, wine):
        assert stats.chisquare_pvalue(ref, cur) == pytest.approx(scipy_chisquare(ref, cur), rel=RTOL, abs=1e-300), name
        assert stats.jensenshannon_distance(ref, cur) == pytest.approx(scipy_js(ref, cur), rel=RTOL, abs=1e-15), name
        checked += 1
    assert checked > 80


# --------------------------------------------------------------------------- the special function


@pytest.mark.parametrize("df", [*range(1, 41), 49, 50, 99, 100, 199, 999, 1000, 2001])
def test_chi2_sf_matches_scipy_chdtrc(df):
    xs = np.concatenate([np.linspace(0, 4 * df + 40, 97)[1:], [1e-12, 0.5, df - 1, df, 1399.0, 1401.0, 3000.0]])
    for x in xs:
        expected = float(special.chdtrc(df, x))
        got = stats.chi2_sf(float(x), df)
        if expected < 1e-280:  # deep in the tail: both underflow together
            assert got < 1e-270, (df, x, got, expected)
        else:
            # the closed form's error grows with the number of terms (df/2), as chdtrc's does
            assert got == pytest.approx(expected, rel=1e-11 if df > 200 else RTOL), (df, x)


def test_chi2_sf_limits():
    assert stats.chi2_sf(0.0, 3) == 1.0
    assert stats.chi2_sf(float("inf"), 3) == 0.0
    assert np.isnan(stats.chi2_sf(float("nan"), 3))
    with pytest.raises(ValueError):
        stats.chi2_sf(1.0, 0)
    with pytest.raises(ValueError):
        stats.chi2_sf(1.0, 2.5)


# --------------------------------------------------------------------------- edge cases


def test_ks_on_tiny_samples_with_ties_matches_scipy():
    rng = np.random.default_rng(7)
    for n_a in range(1, 9):
        for n_b in range(1, 9):
            for _ in range(3):
                a, b = rng.integers(0, 4, n_a).astype(float), rng.integers(0, 5, n_b).astype(float)
                assert stats.ks_pvalue(a, b) == pytest.approx(scipy_ks(a, b), rel=RTOL, abs=KS_ATOL), (a, b)


def test_ks_identical_and_disjoint_samples():
    same = np.array([3.0, 3.0, 3.0, 5.0])
    assert stats.ks_pvalue(same, same) == 1.0  # statistic 0
    assert stats.ks_pvalue(np.full(5, 2.0), np.full(9, 2.0)) == 1.0  # constant, all ties
    low, high = np.arange(10.0), np.arange(10.0) + 100
    assert stats.ks_pvalue(low, high) == pytest.approx(scipy_ks(low, high), rel=RTOL)  # the smallest p for 10/10
    assert stats.ks_pvalue(low, high[:7]) == pytest.approx(scipy_ks(low, high[:7]), rel=RTOL)
    with pytest.raises(ValueError):
        stats.ks_pvalue(np.array([]), low)


def test_ks_small_pvalues_stay_accurate():
    """Far-apart large samples: p-values near 1e-100, where ``1 - P(inside)`` would be 0."""
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 900), rng.normal(1.5, 1, 700)
    expected = scipy_ks(a, b)
    assert 0 < expected < 1e-50
    assert stats.ks_pvalue(a, b) == pytest.approx(expected, rel=RTOL)


def test_chisquare_empty_and_single_categories():
    # a category empty on both sides is dropped: same p-value as without it
    with_empty = stats.chisquare_pvalue(np.array([10.0, 0, 5, 7]), np.array([4.0, 0, 9, 1]))
    assert with_empty == stats.chisquare_pvalue(np.array([10.0, 5, 7]), np.array([4.0, 9, 1]))
    assert with_empty == pytest.approx(scipy_chisquare(np.array([10.0, 5, 7]), np.array([4.0, 9, 1])), rel=RTOL)
    # present on one side only
    one_sided = (np.array([30.0, 0, 12]), np.array([20.0, 6, 9]))
    assert stats.chisquare_pvalue(*one_sided) == pytest.approx(scipy_chisquare(*one_sided), rel=RTOL)
    # a single shared category (a constant column) and two categories (the 2×2 test)
    assert stats.chisquare_pvalue(np.array([5.0, 0]), np.array([9.0, 0])) == 1.0
    two = (np.array([40.0, 60]), np.array([55.0, 45]))
    assert stats.chisquare_pvalue(*two) == pytest.approx(scipy_chisquare(*two), rel=RTOL)
    with pytest.raises(ValueError):
        stats.chisquare_pvalue(np.array([0.0, 0]), np.array([1.0, 2]))


def test_jensenshannon_edge_cases():
    assert stats.jensenshannon_distance(np.array([3.0, 0, 1]), np.array([6.0, 0, 2])) == 0.0
    disjoint = (np.array([5.0, 0]), np.array([0.0, 7]))
    assert stats.jensenshannon_distance(*disjoint) == pytest.approx(1.0)
    assert stats.jensenshannon_distance(*disjoint) == pytest.approx(scipy_js(*disjoint), rel=RTOL)


def test_wasserstein_edge_cases():
    assert stats.wasserstein_distance(np.array([1.0]), np.array([4.0])) == 3.0
    assert stats.wasserstein_distance(np.full(4, 2.0), np.full(3, 2.0)) == 0.0
    values, weights = np.array([0.0, 1.0, 5.0]), np.array([0.0, 3.0, 1.0])  # a zero weight
    expected = float(scipy_stats.wasserstein_distance(values, [2.0, 2.0], weights))
    assert stats.wasserstein_distance(values, np.array([2.0, 2.0]), weights) == pytest.approx(expected, rel=RTOL)
    with pytest.raises(ValueError):
        stats.wasserstein_distance(values, values, np.array([1.0, -1.0, 1.0]))


def test_drift_statistics_do_not_import_scipy():
    """What start-up needs: the drift numbers of a small dataset load no scipy module."""
    code = (
        "import sys, numpy as np; from curate import stats; r = np.random.default_rng(0);"
        "a, b = r.normal(0, 1, 400), r.normal(0, 1, 1500);"
        "c, d = np.array([3., 4]), np.array([5., 1]);"
        "stats.ks_pvalue(a, b); stats.wasserstein_normed(a, b); stats.chisquare_pvalue(c, d);"
        "stats.jensenshannon_distance(c, d); stats.psi(c, d);"
        "print([m for m in sys.modules if m.split('.')[0] == 'scipy'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.skipif(not (EXAMPLES / "products_v1").is_dir(), reason="example datasets not generated")
def test_check_on_the_products_example_imports_no_scipy():
    """The default suite on a small example (drift included) runs without loading scipy at all."""
    code = (
        "import sys; from curate.cli import main\n"
        f"try: main(['check', {str(EXAMPLES / 'products_v1')!r}, '--no-progress', '--no-cache'])\n"
        "except SystemExit: pass\n"
        "print('SCIPY', [m for m in sys.modules if m.split('.')[0] == 'scipy'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert "drift" in out.stdout, out.stdout + out.stderr
    assert "SCIPY []" in out.stdout, out.stdout[-2000:] + out.stderr


# --------------------------------------------------------------------------- whole drift reports


def _scipy_wasserstein(u, v, u_weights=None, v_weights=None) -> float:
    return float(scipy_stats.wasserstein_distance(u, v, u_weights, v_weights))


def _drift_reports(tmp_path: Path) -> dict[str, dict]:
    """JSON reports of drift (every method) and class_imbalance on the bundled examples."""
    examples = {name: EXAMPLES / name for name in ("hf_news", "products_v1", "products_v2")}  # two splits each
    lock = tmp_path / "v1.lock.json"
    if not lock.exists():
        write_lock(build_baseline(load_dataset(EXAMPLES / "products_v1", key="sku")), lock)
    reports = {}
    for method in ("auto", "ks", "chisquare", "psi", "wasserstein", "jensenshannon"):
        suite = write(tmp_path / f"{method}.yaml", f"checks:\n  - drift: {{method: {method}, text_length: true}}\n")
        for name, path in examples.items():
            reports[f"{name} {method}"] = curate.check(path, suite=suite)
    suite = write(tmp_path / "baseline.yaml", "dataset: {key: sku}\nchecks:\n  - drift: {reference: baseline}\n")
    reports["products_v2 vs v1 lock"] = curate.check(examples["products_v2"], suite=suite, lock=lock)
    imbalance = write(tmp_path / "imbalance.yaml", "checks:\n  - class_imbalance: {}\n")
    for name in ("hf_news", "kaggle_loans"):
        reports[f"{name} class_imbalance"] = curate.check(EXAMPLES / name, suite=imbalance)
    return {name: _without_timings(report) for name, report in reports.items()}


def _without_timings(report) -> list[dict]:
    """Every check's result as its JSON report shows it, less the seconds it took."""
    results = [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in report.results]
    return json.loads(json.dumps(results, sort_keys=True, default=str))


@pytest.mark.skipif(not (EXAMPLES / "products_v2").is_dir(), reason="example datasets not generated")
def test_drift_reports_on_the_bundled_examples_equal_scipys(tmp_path, monkeypatch):
    ours = _drift_reports(tmp_path)
    from curate.checks import class_imbalance

    monkeypatch.setattr(stats, "ks_pvalue", scipy_ks)
    monkeypatch.setattr(stats, "chisquare_pvalue", scipy_chisquare)
    monkeypatch.setattr(stats, "jensenshannon_distance", scipy_js)
    monkeypatch.setattr(stats, "wasserstein_distance", _scipy_wasserstein)
    monkeypatch.setattr(class_imbalance, "chisquare_pvalue", scipy_chisquare)
    monkeypatch.setattr(class_imbalance, "jensenshannon_distance", scipy_js)
    theirs = _drift_reports(tmp_path)
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name
