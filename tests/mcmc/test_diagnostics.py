"""R-hat and ESS against an independent plain implementation and known answers.

The reference below is written from the formulas of Vehtari et al. (2021)
differently from scratchgen.mcmc.diagnostics: ranks through np.unique,
normal scores from statistics.NormalDist, autocovariances by direct sums
(no FFT), Geyer's sequences over explicit pair sums.
"""
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, strategies as st

from scratchgen.mcmc import ess, rhat
from scratchgen.mcmc.diagnostics import autocov, rank_average

INV_CDF = np.vectorize(NormalDist().inv_cdf)


# ---------------------------------------------------------------- reference
def ref_ranks(values):
    flat = np.asarray(values).ravel()
    uniques, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return (before + (counts + 1) / 2.0)[inverse]


def ref_z(values):
    values = np.asarray(values, dtype=float)
    return INV_CDF((ref_ranks(values) - 0.375) / (values.size + 0.25)).reshape(values.shape)


def ref_split(x):
    n = x.shape[1] // 2
    return np.vstack([x[:, :n], x[:, x.shape[1] - n:]])


def ref_psrf(chains):
    m, n = chains.shape
    means = chains.mean(axis=1)
    b = n / (m - 1) * np.sum((means - means.mean()) ** 2)
    w = np.mean([np.sum((c - c.mean()) ** 2) / (n - 1) for c in chains])
    return np.sqrt(((n - 1) / n * w + b / n) / w)


def ref_rhat(x):
    s = ref_split(x)
    folded = np.abs(s - np.median(s))
    return max(ref_psrf(ref_z(s)), ref_psrf(ref_z(folded)))


def ref_ess(chains):
    chains = np.asarray(chains, dtype=float)
    m, n = chains.shape
    centred = chains - chains.mean(axis=1, keepdims=True)

    def acov(lag):  # mean over chains of the biased autocovariance at this lag
        return np.mean([np.dot(c[: n - lag], c[lag:]) / n for c in centred])

    w = acov(0) * n / (n - 1)
    var_plus = w * (n - 1) / n + (np.var(chains.mean(axis=1), ddof=1) if m > 1 else 0.0)

    def rho(lag):  # rho_0 is 1 by definition (ArviZ and Stan do not estimate it)
        return 1.0 if lag == 0 else 1.0 - (w - acov(lag)) / var_plus

    # Pairs Gamma_k = rho_2k + rho_2k+1 are kept while positive; the pair that
    # stops the sequence (by sign, or at lags n-4, n-3 as in ArviZ) contributes
    # its even lag only: as is when the pair sum is >= 0, else only if positive.
    pair_sums = [rho(0) + rho(1)]
    k = 1
    while True:
        pair = rho(2 * k) + rho(2 * k + 1)
        if pair <= 0 or 2 * k + 1 >= n - 3:
            break
        pair_sums.append(pair)
        k += 1
    last_even = rho(2 * k) if pair >= 0 else max(rho(2 * k), 0.0)
    monotone = np.minimum.accumulate(pair_sums)
    tau = -1.0 + 2.0 * np.sum(monotone) + last_even
    tau = max(tau, 1.0 / np.log10(m * n))
    return m * n / tau


def ref_ess_bulk(x):
    return ref_ess(ref_z(ref_split(x)))


def ref_ess_tail(x):
    lo, hi = np.quantile(x, [0.05, 0.95])
    return min(ref_ess(ref_split((x <= lo).astype(float))), ref_ess(ref_split((x <= hi).astype(float))))


def ar1(rng, n_chains, n_draws, rho):
    """Stationary AR(1) chains with unit innovations."""
    e = rng.standard_normal((n_chains, n_draws))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0] / np.sqrt(1 - rho ** 2)
    for i in range(1, n_draws):
        x[:, i] = rho * x[:, i - 1] + e[:, i]
    return x


# ---------------------------------------------------------------- tests
def test_rank_average_ties():
    values = np.array([3.0, 1.0, 3.0, 2.0, 3.0, 1.0])
    np.testing.assert_array_equal(rank_average(values), ref_ranks(values))
    np.testing.assert_array_equal(rank_average(values), [5, 1.5, 5, 3, 5, 1.5])


def test_autocov_matches_direct_sums():
    x = np.random.default_rng(0).standard_normal((3, 37))
    c = x - x.mean(axis=1, keepdims=True)
    direct = np.array([[np.dot(r[: 37 - t], r[t:]) / 37 for t in range(37)] for r in c])
    np.testing.assert_allclose(autocov(x), direct, atol=1e-12)


@pytest.mark.task("mcmc.rhat")
@pytest.mark.parametrize("shape_seed", [(4, 200, 0), (3, 101, 1), (2, 40, 2)])
def test_rhat_matches_reference(shape_seed):
    m, n, seed = shape_seed
    rng = np.random.default_rng(seed)
    x = ar1(rng, m, n, 0.7) + 0.3 * np.arange(m)[:, None]  # some disagreement between chains
    assert rhat(x) == pytest.approx(ref_rhat(x), rel=1e-10)


@pytest.mark.task("mcmc.rhat")
def test_rhat_with_ties_matches_reference():
    x = np.random.default_rng(3).integers(0, 5, size=(4, 60)).astype(float)
    assert rhat(x) == pytest.approx(ref_rhat(x), rel=1e-10)


@pytest.mark.task("mcmc.rhat")
def test_rhat_iid_near_one_and_shifted_chains_flagged():
    rng = np.random.default_rng(4)
    iid = rng.standard_normal((4, 1000))
    # For iid chains R^2 - 1 ~ (F - 1) / n_split with F ~ F(7, 7992): sd ~ 5e-4 here.
    assert abs(rhat(iid) - 1.0) < 0.005
    shifted = iid + np.array([0.0, 0.0, 0.0, 1.0])[:, None]
    assert rhat(shifted) > 1.1
    # Same means, different spreads: only the folded (tail) R-hat sees it.
    wide = iid * np.array([1.0, 1.0, 1.0, 3.0])[:, None]
    assert rhat(wide) > 1.05


@pytest.mark.task("mcmc.ess")
@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, -0.3])
def test_ess_matches_reference(rho):
    x = ar1(np.random.default_rng(5), 4, 300, rho)
    assert ess(x) == pytest.approx(ref_ess_bulk(x), rel=1e-10)
    assert ess(x, "tail") == pytest.approx(ref_ess_tail(x), rel=1e-10)
    assert ess(x, "mean") == pytest.approx(ref_ess(ref_split(x)), rel=1e-10)


@pytest.mark.task("mcmc.ess")
def test_ess_iid_close_to_number_of_draws():
    x = np.random.default_rng(6).standard_normal((4, 2000))
    # For iid draws the estimate fluctuates by a few percent around S = 8000.
    assert ess(x) == pytest.approx(8000, rel=0.1)
    assert ess(x, "tail") == pytest.approx(8000, rel=0.2)


@pytest.mark.task("mcmc.ess")
@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_ess_ar1_closed_form(rho):
    # ESS of an AR(1) chain's mean is S (1 - rho) / (1 + rho); the estimate's
    # relative error is about sqrt(2 (2 K + 1) / S) tau-windows of K lags,
    # below ~10% here, so 25% is a safe bound.
    x = ar1(np.random.default_rng(7), 4, 5000, rho)
    exact = x.size * (1 - rho) / (1 + rho)
    assert ess(x, "mean") == pytest.approx(exact, rel=0.25)
    assert ess(x) == pytest.approx(exact, rel=0.25)


# Short chains reach the end of Geyer's sequence, where the details matter.
# (From 10 draws on: split chains of >= 5 draws, so at least one pair of
# lags is examined; below that ArviZ returns its floor S log10 S.)
# One test per task, so that each task is graded without the other.
_RANDOM_ARRAYS = dict(n_chains=st.integers(2, 5), n_draws=st.integers(10, 60), rho=st.floats(-0.5, 0.95),
                      seed=st.integers(0, 2 ** 31))


@pytest.mark.task("mcmc.rhat")
@given(**_RANDOM_ARRAYS)
def test_random_arrays_rhat_matches_reference(n_chains, n_draws, rho, seed):
    x = ar1(np.random.default_rng(seed), n_chains, n_draws, rho)
    assert rhat(x) == pytest.approx(ref_rhat(x), rel=1e-9)


@pytest.mark.task("mcmc.ess")
@given(**_RANDOM_ARRAYS)
def test_random_arrays_ess_matches_reference(n_chains, n_draws, rho, seed):
    x = ar1(np.random.default_rng(seed), n_chains, n_draws, rho)
    assert ess(x) == pytest.approx(ref_ess_bulk(x), rel=1e-9)
    assert ess(x, "tail") == pytest.approx(ref_ess_tail(x), rel=1e-9)


def test_per_dimension_shapes_and_values():
    rng = np.random.default_rng(8)
    x = np.stack([rng.standard_normal((3, 50)), ar1(rng, 3, 50, 0.8)], axis=-1)
    r, e = rhat(x), ess(x)
    assert r.shape == (2,) and e.shape == (2,)
    assert r[1] == pytest.approx(rhat(x[:, :, 1]))
    assert e[0] == pytest.approx(ess(x[:, :, 0]))


def test_degenerate_inputs():
    assert np.isnan(rhat(np.zeros((1, 100))))  # one chain: undefined, as in ArviZ
    assert np.isnan(ess(np.ones((2, 3))))  # fewer than 4 draws
    assert ess(np.ones((2, 10))) == 20.0  # constant: every draw counts
    with pytest.raises(ValueError, match="shape"):
        rhat(np.zeros(10))
    with pytest.raises(ValueError, match="method"):
        ess(np.zeros((2, 10)), method="median")
    with pytest.raises(TypeError, match="dtype"):
        ess(np.array([["a", "b"]]))


def _arviz_fixture_draws():
    """4 AR(1) chains (rho 0.6, 101 draws) with shifted means; seeded, rebuilt here."""
    rng = np.random.default_rng(2021)
    e = rng.standard_normal((4, 101))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for i in range(1, 101):
        x[:, i] = 0.6 * x[:, i - 1] + e[:, i]
    return x + np.array([0.0, 0.1, 0.2, 0.6])[:, None]


# Values printed by ArviZ 0.23.4 (az.rhat(x, method="rank"), az.ess(x, method=
# "bulk" / "tail" / "mean")) for the arrays above, without and with ties (rounded
# to 0.1). Kept as numbers: ArviZ is not a dependency of scratchgen.
ARVIZ_0_23_4 = {
    "x": (1.099690739897353, 46.255466869784364, 205.77295076630327, 47.30649263881207),
    "x_ties": (1.099984241555193, 46.062351027264675, 205.77295076630327, 46.94824979258957),
}


def _arviz_case(name):
    x = _arviz_fixture_draws()
    assert x[0, 0] == pytest.approx(-0.0688612, abs=1e-7)  # the same random stream as then
    return (np.round(x, 1) if name == "x_ties" else x), ARVIZ_0_23_4[name]


@pytest.mark.task("mcmc.rhat")
@pytest.mark.parametrize("name", ["x", "x_ties"])
def test_rhat_matches_the_value_printed_by_arviz(name):
    x, (expected_rhat, _, _, _) = _arviz_case(name)
    assert rhat(x) == pytest.approx(expected_rhat, rel=1e-12)


@pytest.mark.task("mcmc.ess")
@pytest.mark.parametrize("name", ["x", "x_ties"])
def test_ess_matches_the_values_printed_by_arviz(name):
    x, (_, expected_bulk, expected_tail, expected_mean) = _arviz_case(name)
    assert ess(x) == pytest.approx(expected_bulk, rel=1e-10)
    assert ess(x, "tail") == pytest.approx(expected_tail, rel=1e-10)
    assert ess(x, "mean") == pytest.approx(expected_mean, rel=1e-10)
