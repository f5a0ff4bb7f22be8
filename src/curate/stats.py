"""Distribution distances and two-sample tests used by the ``drift`` check (and ``curate diff``).

Everything here works on numpy arrays of values or of counts and delegates the mathematics to
scipy; the functions only add the conventions curate needs (normalisation, zero handling,
degenerate inputs) so that every caller gets the same numbers.

Conventions
-----------
* **Counts, not proportions.** Histogram functions take two aligned count vectors (same bins
  or categories in the same order) and normalise them themselves.
* **Zero-count bins.** PSI has ``ln(p/q)`` terms that are infinite when a bin is empty on one
  side, so empty proportions are replaced by :data:`PSI_EPSILON` (``1e-4``) before the sum,
  without renormalising; this is the value Evidently substitutes in the usual case (its
  ``get_binned_data`` uses ``1e-4`` unless the smallest non-empty share is itself below it).
  Jensen–Shannon needs no smoothing (the mixture is non-zero wherever either side is, so the
  distance stays finite and bounded by 1); it is computed on the raw proportions, exactly as
  scipy and Evidently do.
* **Degenerate inputs.** Two histograms with a single shared non-empty bin (a constant column)
  are identical: distances are 0 and p-values 1, instead of scipy's ``nan``.
"""

from __future__ import annotations

import numpy as np

# scipy.stats takes over a second to import: it is imported inside the functions that use it,
# so that runs without a drift check (and `curate checks`) do not pay for it.

PSI_EPSILON = 1e-4
# Evidently divides the Wasserstein distance by max(std(reference), 0.001), so a constant
# reference does not divide by zero; curate keeps the same floor.
WASSERSTEIN_MIN_STD = 1e-3


def _as_counts(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(ref_counts, dtype=float)
    cur = np.asarray(cur_counts, dtype=float)
    if ref.shape != cur.shape or ref.ndim != 1:
        raise ValueError(f"count vectors must be 1-d and aligned, got shapes {ref.shape} and {cur.shape}")
    if ref.sum() <= 0 or cur.sum() <= 0:
        raise ValueError("both count vectors need at least one count")
    return ref, cur


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population Stability Index, ``Σ (q_i - p_i) · ln(q_i / p_i)`` over aligned bins.

    ``p`` are the reference shares and ``q`` the current shares; empty bins count as
    ``epsilon`` (see the module notes). Symmetric in its arguments and ≥ 0.
    """
    ref, cur = _as_counts(ref_counts, cur_counts)
    p = ref / ref.sum()
    q = cur / cur.sum()
    p = np.where(p == 0, epsilon, p)
    q = np.where(q == 0, epsilon, q)
    return float(np.sum((q - p) * np.log(q / p)))


def jensenshannon_distance(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen–Shannon *distance* (square root of the divergence) in base 2, so in [0, 1].

    ``scipy.spatial.distance.jensenshannon`` with ``base=2``, as Evidently computes it.
    """
    ref, cur = _as_counts(ref_counts, cur_counts)
    from scipy.spatial.distance import jensenshannon as _jensenshannon

    value = float(_jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2))
    return 0.0 if not np.isfinite(value) else max(0.0, min(1.0, value))


def chisquare_pvalue(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """p-value of the chi-square test of homogeneity of two count vectors.

    ``scipy.stats.chi2_contingency`` on the 2×k table without Yates' correction (for two
    categories this equals the two-proportion z-test). Bins empty on both sides are dropped;
    a category present on one side only is fine (its expected count comes from the pooled
    margin). Unlike a goodness-of-fit test against the reference shares, both samples'
    sampling noise is accounted for, which is what a comparison of two splits needs.
    """
    ref, cur = _as_counts(ref_counts, cur_counts)
    keep = (ref + cur) > 0
    if keep.sum() < 2:
        return 1.0
    table = np.vstack([ref[keep], cur[keep]])
    result = _scipy_stats().chi2_contingency(table, correction=False)
    pvalue = float(result.pvalue)
    return 1.0 if not np.isfinite(pvalue) else pvalue


def ks_pvalue(ref_values: np.ndarray, cur_values: np.ndarray) -> float:
    """p-value of the two-sided two-sample Kolmogorov–Smirnov test (``scipy.stats.ks_2samp``)."""
    ref = np.asarray(ref_values, dtype=float)
    cur = np.asarray(cur_values, dtype=float)
    if not len(ref) or not len(cur):
        raise ValueError("both samples need at least one value")
    pvalue = float(_scipy_stats().ks_2samp(ref, cur).pvalue)
    return 1.0 if not np.isfinite(pvalue) else pvalue


def wasserstein_normed(
    ref_values: np.ndarray,
    cur_values: np.ndarray,
    ref_weights: np.ndarray | None = None,
    cur_weights: np.ndarray | None = None,
    *,
    ref_std: float | None = None,
) -> float:
    """First Wasserstein distance divided by ``max(std(reference), 0.001)``.

    ``scipy.stats.wasserstein_distance`` with optional weights (for histograms: bin
    representatives weighted by counts). ``ref_std`` is the population standard deviation of
    the reference; it defaults to the (weighted) std of ``ref_values``.
    """
    ref = np.asarray(ref_values, dtype=float)
    cur = np.asarray(cur_values, dtype=float)
    if not len(ref) or not len(cur):
        raise ValueError("both samples need at least one value")
    if ref_std is None:
        if ref_weights is None:
            ref_std = float(ref.std())
        else:
            w = np.asarray(ref_weights, dtype=float)
            mean = np.average(ref, weights=w)
            ref_std = float(np.sqrt(np.average((ref - mean) ** 2, weights=w)))
    distance = float(_scipy_stats().wasserstein_distance(ref, cur, ref_weights, cur_weights))
    return distance / max(float(ref_std), WASSERSTEIN_MIN_STD)


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Distinct quantile edges of ``values`` for ``bins`` equal-mass bins.

    The same rule as the lock file's profiles (:func:`curate.baseline.numeric_summary`), so
    histograms from raw reference data and from a recorded profile use identical bins.
    """
    return np.unique(np.quantile(np.asarray(values, dtype=float), np.linspace(0, 1, bins + 1)))


def _scipy_stats():  # noqa: ANN202 - the scipy.stats module
    from scipy import stats

    return stats
