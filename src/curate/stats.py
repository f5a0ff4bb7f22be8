"""Distribution distances and two-sample tests used by the ``drift`` check (and ``curate diff``).

Everything here works on numpy arrays of values or of counts and adds the conventions curate needs
(normalisation, zero handling, degenerate inputs) so that every caller gets the same numbers.

Why not scipy.stats: importing it is most of a small ``curate check`` run's start-up, for three
formulas. The functions here compute the numbers ``scipy.stats`` would (``chi2_contingency``,
``ks_2samp``, ``wasserstein_distance``) and ``scipy.spatial.distance.jensenshannon``, with the same
operations in the same order where that is what makes the floats agree; ``tests/test_stats.py``
checks them against scipy on real columns and edge cases. Only the Kolmogorov–Smirnov p-value of
samples larger than :data:`KS_EXACT_MAX_N` still calls scipy (its asymptotic distribution is
intricate to reproduce, and at that size the import is a small part of the run).

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

import math

import numpy as np

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

    What ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` returns, as Evidently computes it.
    """
    ref, cur = _as_counts(ref_counts, cur_counts)
    p, q = ref / ref.sum(), cur / cur.sum()
    p, q = p / np.sum(p), q / np.sum(q)  # scipy normalises again: the same floats need both steps
    m = (p + q) / 2.0
    divergence = np.sum(_rel_entr(p, m)) + np.sum(_rel_entr(q, m))
    value = float(np.sqrt(divergence / math.log(2) / 2.0))
    return 0.0 if not np.isfinite(value) else max(0.0, min(1.0, value))


def _rel_entr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementwise ``x·ln(x/y)`` (0 where x is 0), as ``scipy.special.rel_entr`` evaluates it.

    Near ``x = y`` the logarithm is taken as ``log1p((x - y) / y)``, which keeps the small
    terms accurate; elsewhere ``log(x / y)``. The C library's ``log`` (``math``), not numpy's
    vectorised one, so that the last bit agrees too. Histograms are short, so a loop is fine.
    """
    out = np.zeros(len(x))
    for i, (a, b) in enumerate(zip(x.tolist(), y.tolist())):
        if a > 0:
            ratio = a / b
            out[i] = a * (math.log1p((a - b) / b) if 0.5 <= ratio <= 2.0 else math.log(ratio))
    return out


def chisquare_pvalue(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """p-value of the chi-square test of homogeneity of two count vectors.

    Pearson's statistic on the 2×k table without Yates' correction, as
    ``scipy.stats.chi2_contingency(table, correction=False)`` (for two categories this equals
    the two-proportion z-test). Bins empty on both sides are dropped; a category present on
    one side only is fine (its expected count comes from the pooled margin). Unlike a
    goodness-of-fit test against the reference shares, both samples' sampling noise is
    accounted for, which is what a comparison of two splits needs.
    """
    ref, cur = _as_counts(ref_counts, cur_counts)
    keep = (ref + cur) > 0
    if keep.sum() < 2:
        return 1.0
    table = np.vstack([ref[keep], cur[keep]])
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    pvalue = chi2_sf(statistic, table.shape[1] - 1)
    return 1.0 if not np.isfinite(pvalue) else pvalue


def chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-square distribution with an integer ``df`` ≥ 1.

    ``Q(df/2, x/2)``, the regularised upper incomplete gamma function, has a finite closed form
    when ``df`` is an integer: a Poisson tail sum for even ``df``, ``erfc`` plus a similar sum for
    odd ``df``. Every term is positive (no cancellation), so the result is accurate to a few
    units in the last place of ``scipy.special.chdtrc`` without importing scipy.
    """
    if df < 1 or df != int(df):
        raise ValueError(f"df must be a positive integer, got {df}")
    if math.isnan(x):
        return math.nan
    if x <= 0:
        return 1.0
    if math.isinf(x):
        return 0.0
    y = x / 2.0
    terms, odd = divmod(int(df), 2)  # df = 2·terms + odd
    offset = 0.5 * odd  # term i is y^(i+offset) e^-y / Γ(i+offset+1)
    head = math.erfc(math.sqrt(y)) if odd else 0.0
    if y < 700.0:  # e^-y is a normal float: multiply term to term
        term = 2.0 * math.exp(-y) * math.sqrt(y / math.pi) if odd else math.exp(-y)
        series = []
        for i in range(terms):
            if i:
                term = term * y / (i + offset)
            series.append(term)
    else:  # e^-y underflows: each term from its logarithm
        log_y = math.log(y)
        series = [math.exp((i + offset) * log_y - y - math.lgamma(i + offset + 1)) for i in range(terms)]
    return min(1.0, head + math.fsum(series))


# Above this many values on either side scipy's ks_2samp switches from the exact distribution to
# the asymptotic one, and so does ks_pvalue (by calling scipy: see the module notes).
KS_EXACT_MAX_N = 10_000


def ks_pvalue(ref_values: np.ndarray, cur_values: np.ndarray) -> float:
    """p-value of the two-sided two-sample Kolmogorov–Smirnov test.

    ``scipy.stats.ks_2samp``'s default (``method="auto"``): the exact distribution of the
    statistic when neither sample has more than :data:`KS_EXACT_MAX_N` values, computed here;
    beyond that scipy's asymptotic p-value (the only case that imports ``scipy.stats``).
    Where the exact sum rounds just above 1 (p ≈ 1), scipy gives up on it and returns its
    asymptotic value instead, which there is 1 or within 1e-14 of it; this returns 1.
    """
    ref = np.sort(np.asarray(ref_values, dtype=float))
    cur = np.sort(np.asarray(cur_values, dtype=float))
    if not len(ref) or not len(cur):
        raise ValueError("both samples need at least one value")
    if max(len(ref), len(cur)) > KS_EXACT_MAX_N:
        from scipy.stats import ks_2samp

        pvalue = float(ks_2samp(ref, cur).pvalue)
    else:
        pvalue = _ks_exact_pvalue(len(ref), len(cur), _ks_statistic_steps(ref, cur))
    return 1.0 if not np.isfinite(pvalue) else min(1.0, max(0.0, pvalue))


def _ks_statistic_steps(a: np.ndarray, b: np.ndarray) -> int:
    """The KS statistic of sorted samples in units of ``1/lcm(n_a, n_b)`` (an exact integer).

    At every observed value the ECDFs are ``i/n_a`` and ``j/n_b``; their largest gap
    ``|i·n_b - j·n_a| / (n_a·n_b)`` is ``h / lcm`` with ``h = |i·n_b - j·n_a| / gcd``. Ties are
    handled by counting with ``side="right"`` (all equal values step together).
    """
    both = np.concatenate([a, b])
    i = np.searchsorted(a, both, side="right")
    j = np.searchsorted(b, both, side="right")
    gap = np.abs(i * len(b) - j * len(a))
    return int(gap.max()) // math.gcd(len(a), len(b))


def _ks_exact_pvalue(n_a: int, n_b: int, h: int) -> float:
    """P(D ≥ h/lcm) under the null: the share of monotone lattice paths from (0, 0) to (m, n)
    that leave the band ``|i·n/g - j·m/g| < h`` (g = gcd, m ≥ n the two sizes)."""
    if h == 0:
        return 1.0
    if n_a == n_b:
        return _ks_outside_square(n_a, h)
    return _ks_outside_band(max(n_a, n_b), min(n_a, n_b), h)


def _ks_outside_square(n: int, h: int) -> float:
    """Equal sizes: ``2 Σ_k (-1)^(k+1) C(2n, n-kh) / C(2n, n)`` (reflection principle).

    Written as nested products ``2·r1·(1 - r2·(1 - r3·(…)))`` where ``r_k`` is the ratio of
    consecutive binomials, so no large binomial is formed and the alternating sum does not cancel.
    """
    nested = 0.0
    for k in range(n // h, -1, -1):
        ratio = 1.0
        for j in range(h):
            ratio = (n - k * h - j) * ratio / (n + k * h + j + 1)
        nested = ratio * (1.0 - nested)
    return 2 * nested


def _ks_outside_band(m: int, n: int, h: int) -> float:
    """Unequal sizes: the share of paths that have left the band, cell by cell.

    A cell's share is ``(i·share(i-1, j) + j·share(i, j-1)) / (i + j)`` (a path reaches (i, j)
    from the left with probability ``i/(i+j)``); cells outside the band count as 1. This is
    the recursion of Viehmann (2021, arXiv:2102.08037), which computes the p-value directly
    instead of as ``1 - inside`` and so keeps small p-values accurate. Both predecessors of a
    cell lie on the previous anti-diagonal, so each anti-diagonal is one numpy step.
    """
    g = math.gcd(m, n)
    mg, ng = m // g, n // g
    prev_lo, prev = 0, np.zeros(1)  # the band's cells on diagonal 0: just (0, 0), share 0
    for s in range(1, m + n + 1):
        # inside ⇔ |ng·i - mg·(s - i)| < h ⇔ mg·s - h < (mg + ng)·i < mg·s + h
        lo = max((mg * s - h) // (mg + ng) + 1, s - n, 0)
        hi = min((mg * s + h - 1) // (mg + ng), m, s)
        if hi < lo:
            return 1.0  # no path stays inside
        i = np.arange(lo, hi + 1, dtype=float)
        left = _band_values(prev_lo, prev, lo - 1, hi - 1)  # share(i-1, s-i)
        down = _band_values(prev_lo, prev, lo, hi)  # share(i, s-1-i)
        prev = (left * i + down * (s - i)) / s
        prev_lo = lo
    return float(prev[-1])


def _band_values(band_lo: int, band: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Diagonal values at positions lo..hi: the band's where it has them, 1 (left the band) elsewhere."""
    out = np.ones(hi - lo + 1)
    start, stop = max(lo, band_lo), min(hi, band_lo + len(band) - 1)
    if start <= stop:
        out[start - lo : stop - lo + 1] = band[start - band_lo : stop - band_lo + 1]
    return out


def wasserstein_normed(
    ref_values: np.ndarray,
    cur_values: np.ndarray,
    ref_weights: np.ndarray | None = None,
    cur_weights: np.ndarray | None = None,
    *,
    ref_std: float | None = None,
) -> float:
    """First Wasserstein distance divided by ``max(std(reference), 0.001)``.

    The distance :func:`wasserstein_distance` with optional weights (for histograms: bin
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
    distance = wasserstein_distance(ref, cur, ref_weights, cur_weights)
    return distance / max(float(ref_std), WASSERSTEIN_MIN_STD)


def wasserstein_distance(
    u: np.ndarray, v: np.ndarray, u_weights: np.ndarray | None = None, v_weights: np.ndarray | None = None
) -> float:
    """First Wasserstein distance of two 1-d (weighted) samples: ``∫ |U(x) - V(x)| dx``.

    The two CDFs are step functions that only change at observed values, so the integral is a
    sum over the gaps between consecutive values of both samples (what
    ``scipy.stats.wasserstein_distance`` computes).
    """
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    if not len(u) or not len(v):
        raise ValueError("both samples need at least one value")
    steps = np.concatenate((u, v))
    steps.sort(kind="mergesort")
    u_cdf = _cdf_at(u, u_weights, steps[:-1])
    v_cdf = _cdf_at(v, v_weights, steps[:-1])
    return float(_dot(np.abs(u_cdf - v_cdf), np.diff(steps)))


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a · b`` the way scipy sums it: ``np.vecdot`` on numpy 2, else the sum of products."""
    return np.vecdot(a, b) if hasattr(np, "vecdot") else np.sum(a * b)


def _cdf_at(values: np.ndarray, weights: np.ndarray | None, points: np.ndarray) -> np.ndarray:
    """The (weighted) empirical CDF of ``values`` at each of ``points``."""
    order = np.argsort(values)
    below = values[order].searchsorted(points, "right")
    if weights is None:
        return below / values.size
    w = np.asarray(weights, dtype=float)
    if len(w) != len(values) or np.any(w < 0) or not 0 < np.sum(w) < np.inf:
        raise ValueError("weights must be as many as the values, non-negative, with a positive finite sum")
    cumulative = np.concatenate(([0], np.cumsum(w[order])))
    return cumulative[below] / cumulative[-1]


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Distinct quantile edges of ``values`` for ``bins`` equal-mass bins.

    The same rule as the lock file's profiles (:func:`curate.baseline.numeric_summary`), so
    histograms from raw reference data and from a recorded profile use identical bins.
    """
    return np.unique(np.quantile(np.asarray(values, dtype=float), np.linspace(0, 1, bins + 1)))
