"""metropolis_hastings samples the right distribution; the checks can fail.

Tolerances: a Monte-Carlo mean of f has standard error sd(f) / sqrt(ESS)
with ESS = ess(..., method="mean") of the f-chain (Vehtari et al. 2021);
the tests allow 4 standard errors (two-sided p ~ 6e-5 per check) with fixed
seeds.
"""
import numpy as np
import pytest

from scratchgen.mcmc import (Independence, RandomWalk, ess, make_gaussian_log_prob, make_ring_log_prob,
                             metropolis_hastings, ring_log_prob, ring_sample)
from scratchgen.mcmc.targets import ring_covariance
from scratchgen.mcmc.stream import random_blocks

Z_TOL = 4.0


def assert_mean_within_mc_error(chains, f, truth):
    """f maps draws (n, n_chains, dim) -> (n, n_chains); compares its chain average with truth."""
    values = f(chains.get_chain())
    estimate = values.mean()
    se = values.std(ddof=1) / np.sqrt(ess(values.T, method="mean"))
    assert abs(estimate - truth) < Z_TOL * se, (estimate, truth, se)
    return estimate, se


def check_mean_and_covariance(chains, mean, cov):
    dim = len(mean)
    for i in range(dim):
        assert_mean_within_mc_error(chains, lambda x: x[..., i], mean[i])
        for j in range(i, dim):
            assert_mean_within_mc_error(
                chains, lambda x: (x[..., i] - mean[i]) * (x[..., j] - mean[j]), cov[i, j])


def energy_distance_pvalue(a, b, n_permutations=200, seed=0):
    """Permutation p-value of the energy distance (Szekely and Rizzo 2004) between samples."""
    pooled = np.vstack([a, b])
    dist = np.sqrt(((pooled[:, None, :] - pooled[None, :, :]) ** 2).sum(-1))
    n = len(a)

    def statistic(labels):
        in_a = labels < n
        return (2 * dist[np.ix_(in_a, ~in_a)].mean() - dist[np.ix_(in_a, in_a)].mean()
                - dist[np.ix_(~in_a, ~in_a)].mean())

    rng = np.random.default_rng(seed)
    observed = statistic(np.arange(len(pooled)))
    perms = [statistic(rng.permutation(len(pooled))) for _ in range(n_permutations)]
    return (1 + sum(p >= observed for p in perms)) / (1 + n_permutations)


def nearly_independent_draws(chains, n):
    """Thin by S / ESS so the kept draws are about independent, then take n of them."""
    total = chains.n_steps * chains.n_chains
    step = int(np.ceil(total / min(chains.ess("bulk"))))
    flat = chains.get_chain(thin=step, flat=True)
    assert len(flat) >= n, "chain too short for the two-sample test"
    return flat[:n]


# --------------------------------------------------------------- correctness
def test_gaussian_mean_and_covariance_vectorized_engine():
    mean = np.array([1.0, -2.0])
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    x0 = np.random.default_rng(0).normal(size=(16, 2)) * 3
    chains = metropolis_hastings(make_gaussian_log_prob(mean, cov, vectorized=True), x0, 2500,
                                 n_chains=16, tune=500, rng=1, vectorized=True)
    check_mean_and_covariance(chains, mean, cov)
    assert np.all(chains.rhat() < 1.01)


@pytest.mark.task("mcmc.acceptance_step")
def test_gaussian_mean_and_covariance_python_engine():
    mean = np.array([0.5, 0.0])
    cov = np.array([[1.0, -0.5], [-0.5, 1.0]])
    log_prob = make_gaussian_log_prob(mean, cov, vectorized=True)
    chains = metropolis_hastings(lambda x: log_prob(x[None])[0], np.zeros((2, 2)), 1500,
                                 n_chains=2, tune=300, rng=2)
    assert chains.engine == "python"
    check_mean_and_covariance(chains, mean, cov)


def test_ring_mixture_moments_and_two_sample_test_numba_engine():
    # The 8-Gaussian ring (std 0.25): modes 6 std apart, so the tuned random
    # walk hops between them rarely; 4 x 30000 steps give ESS ~ 1000.
    x0 = np.random.default_rng(3).normal(size=(4, 2)) * 2
    chains = metropolis_hastings(ring_log_prob, x0, 30000, tune=2000, rng=4)
    assert chains.engine == "numba"
    check_mean_and_covariance(chains, np.zeros(2), ring_covariance())
    assert np.all(chains.rhat() < 1.01)
    exact = ring_sample(300, np.random.default_rng(5))
    assert energy_distance_pvalue(nearly_independent_draws(chains, 300), exact) > 0.01
    # The two-sample test has power: a ring shifted by 0.3 is rejected.
    assert energy_distance_pvalue(exact + 0.3, ring_sample(300, 6)) < 0.01


class _ShiftedWideNormal:
    """Independence proposal N(1, 2^2) in 1-D for a batch x (..., 1) (x is ignored)."""

    def __init__(self, hastings=True):
        self.hastings = hastings

    def sample(self, x, rng):
        return 1.0 + 2.0 * rng.standard_normal(np.shape(x))

    def log_prob(self, x_new, x):
        if not self.hastings:  # the bug under test: pretend the proposal is symmetric
            return np.zeros(np.shape(x_new)[:-1])
        return -0.5 * ((x_new[..., 0] - 1.0) / 2.0) ** 2


def _standard_normal(x):
    return -0.5 * x[:, 0] ** 2


def _standard_normal_point(x):
    return -0.5 * x[0] ** 2


# only the Python engine runs mh_step (the task); the vectorised engine is checked too, ungraded
@pytest.mark.parametrize("vectorized", [pytest.param(False, marks=pytest.mark.task("mcmc.acceptance_step")), True])
def test_missing_hastings_correction_is_detected(vectorized):
    # Without the correction an independence proposal q targets p q instead of p:
    # N(0, 1) * N(1, 4) is N(0.2, 0.8). With ~5000 effective draws the
    # standard error of the mean is ~0.015, so the 0.2 bias is ~13 se.
    x0 = np.zeros((8, 1))
    log_prob = _standard_normal if vectorized else _standard_normal_point
    kwargs = dict(n_chains=8, tune=200, rng=7, vectorized=vectorized)
    right = metropolis_hastings(log_prob, x0, 1500, proposal=_ShiftedWideNormal(), **kwargs)
    wrong = metropolis_hastings(log_prob, x0, 1500,
                                proposal=_ShiftedWideNormal(hastings=False), **kwargs)
    assert right.engine == ("vectorized" if vectorized else "python")
    assert_mean_within_mc_error(right, lambda x: x[..., 0], 0.0)
    assert_mean_within_mc_error(right, lambda x: x[..., 0] ** 2, 1.0)
    with pytest.raises(AssertionError):
        assert_mean_within_mc_error(wrong, lambda x: x[..., 0], 0.0)
    assert_mean_within_mc_error(wrong, lambda x: x[..., 0], 0.2)  # exactly the predicted bias


def test_independence_class_matches_target():
    class Wide:
        def sample(self, n, rng):
            return 1.0 + 2.0 * rng.standard_normal((n, 1))

        def score_samples(self, x):
            return -0.5 * ((x[:, 0] - 1.0) / 2.0) ** 2

    chains = metropolis_hastings(_standard_normal, np.zeros(1), 1500, proposal=Independence(Wide()),
                                 n_chains=8, tune=100, rng=8, vectorized=True)
    assert_mean_within_mc_error(chains, lambda x: x[..., 0], 0.0)
    assert_mean_within_mc_error(chains, lambda x: x[..., 0] ** 2, 1.0)


def test_rhat_flags_chains_stuck_in_different_modes():
    # Narrow modes (std 0.1, 1.5 apart) and small steps: no chain leaves its mode.
    log_prob = make_ring_log_prob(std=0.1, vectorized=True)
    means = 2.0 * np.array([[1, 0], [0, 1], [-1, 0], [0, -1]], dtype=float)
    proposal = RandomWalk(scale=0.1)
    stuck = metropolis_hastings(log_prob, means, 1000, proposal=proposal, tune=0, rng=9,
                                vectorized=True)
    assert np.all(stuck.rhat() > 1.5)
    same_mode = metropolis_hastings(log_prob, np.tile(means[:1], (4, 1)), 1000, proposal=proposal,
                                    tune=0, rng=9, vectorized=True)
    assert np.all(same_mode.rhat() < 1.05)


# --------------------------------------------------------------- tuning
@pytest.mark.parametrize("dim, target", [(1, 0.44), (8, 0.234)])
def test_tuning_reaches_target_acceptance(dim, target):
    chains = metropolis_hastings(lambda x: -0.5 * np.sum(x * x, axis=1), np.zeros(dim), 2000,
                                 proposal=RandomWalk(scale=10.0), n_chains=16, tune=2000,
                                 rng=10, vectorized=True)
    # 16 chains x 2000 steps: the sampling error of the mean acceptance is < 0.005;
    # the rest of the tolerance is the tuning noise left after averaging.
    assert abs(chains.acceptance_fraction.mean() - target) < 0.03
    assert np.all(chains.step_scale < 1.0)  # started 10x too wide, tuned down


def test_scale_is_frozen_after_tuning():
    # A flat target accepts every proposal, so draw[i] - draw[i-1] = s * diag * noise.
    tune, n_steps, dim, n_chains = 50, 40, 2, 3
    chains = metropolis_hastings(lambda x: np.zeros(len(x)), np.zeros(dim), n_steps,
                                 n_chains=n_chains, tune=tune, rng=12, vectorized=True)
    proposal = RandomWalk().bind(dim)
    noise = np.concatenate([b[1] for b in random_blocks(
        np.random.default_rng(12), proposal, tune + n_steps, n_chains, dim)])
    steps = np.diff(chains.get_chain(), axis=0)
    implied = steps / (proposal.diagonal * noise[tune + 1: tune + n_steps])
    np.testing.assert_allclose(implied, np.broadcast_to(chains.step_scale[:, None], implied.shape),
                               rtol=1e-9)
    assert np.all(chains.step_scale > 2.0)  # acceptance 1 > 0.234 drove the scale up in tuning
    assert np.all(chains.acceptance_fraction == 1.0)


# --------------------------------------------------------------- interface
def test_shapes_thin_and_tune_false():
    chains = metropolis_hastings(lambda x: -0.5 * float(x @ x), np.zeros(3), 25, n_chains=2,
                                 tune=False, thin=3, rng=0)
    assert chains.get_chain().shape == (25, 2, 3)
    assert chains.get_log_prob().shape == (25, 2)
    assert chains.get_chain(discard=5, thin=2, flat=True).shape == (20, 3)
    assert chains.n_proposed == 75


def test_same_seed_same_chain_and_generator_accepted():
    lp = lambda x: -0.5 * float(x @ x)  # noqa: E731
    a = metropolis_hastings(lp, np.zeros(2), 50, tune=10, rng=3)
    b = metropolis_hastings(lp, np.zeros(2), 50, tune=10, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.draws, b.draws)


def _lp(x):
    return -0.5 * float(x @ x)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(x0=np.zeros((2, 2, 2))), ValueError, "x0 must have shape"),
    (dict(x0=np.zeros((3, 2))), ValueError, "n_chains=4"),
    (dict(x0=np.array([np.nan, 0.0])), ValueError, "NaN"),
    (dict(n_steps=0), ValueError, "n_steps"),
    (dict(n_steps=2.5), TypeError, "n_steps"),
    (dict(thin=0), ValueError, "thin"),
    (dict(tune=-1), ValueError, "tune"),
    (dict(proposal="gauss"), TypeError, "proposal"),
    (dict(log_prob=3), TypeError, "callable"),
    (dict(log_prob=lambda x: np.zeros(2)), ValueError, "must return a float"),
    (dict(log_prob=lambda x: -np.inf), ValueError, "x0"),
    (dict(log_prob=lambda x: np.nan), ValueError, "x0"),
    (dict(log_prob=lambda x: np.zeros((len(x), 1)), vectorized=True), ValueError, "shape"),
    (dict(engine="numba"), ValueError, "numba"),
    (dict(engine="fast"), ValueError, "engine"),
    (dict(target_accept=1.5), ValueError, "target_accept"),
    (dict(proposal=RandomWalk(covariance=np.eye(3))), ValueError, "dim=2"),
])
def test_bad_inputs_raise_clear_errors(kwargs, error, match):
    args = dict(log_prob=_lp, x0=np.zeros(2), n_steps=10, tune=0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        metropolis_hastings(**args)


@pytest.mark.parametrize("kwargs", [dict(scale=-1.0), dict(covariance=[[1.0, 2.0], [2.0, 1.0]]),
                                    dict(covariance=np.ones(3))])
def test_random_walk_validates(kwargs):
    with pytest.raises(ValueError, match="RandomWalk"):
        RandomWalk(**kwargs)


def test_random_walk_user_protocol_log_prob_is_gaussian():
    rw = RandomWalk(scale=[1.0, 2.0])
    x, x_new = np.array([0.0, 1.0]), np.array([0.5, -1.0])
    by_hand = (-0.5 * (0.5 ** 2 + (2.0 / 2.0) ** 2) - np.log(2 * np.pi * 1.0 * 2.0))
    assert rw.log_prob(x_new, x) == pytest.approx(by_hand)
    assert rw.log_prob(x_new, x) == pytest.approx(rw.log_prob(x, x_new))  # symmetric


def test_progress_bar_and_engine_fallback(capsys):
    class Wide:
        def sample(self, n, rng):
            return 3.0 * rng.standard_normal((n, 2))

        def log_prob(self, x):
            return -0.5 * np.sum(x * x, axis=1) / 9.0

    # A Numba log_prob with a non-random-walk proposal runs on the Python engine.
    chains = metropolis_hastings(ring_log_prob, np.zeros(2), 20, proposal=Independence(Wide()),
                                 n_chains=2, tune=5, rng=0, progress=True)
    assert chains.engine == "python" and chains.get_chain().shape == (20, 2, 2)
    assert "MH (python)" in capsys.readouterr().err


@pytest.mark.parametrize("vectorized", [False, True])
def test_nan_log_prob_during_sampling_is_rejected(vectorized):
    # log p is NaN for x > 1 (think: a model undefined there): such proposals are
    # rejected, so no draw lies there, and the tuning is not poisoned by NaN.
    def point(x):
        return np.nan if x[0] > 1.0 else -0.5 * x[0] ** 2

    def batch(x):
        return np.where(x[:, 0] > 1.0, np.nan, -0.5 * x[:, 0] ** 2)

    chains = metropolis_hastings(batch if vectorized else point, np.zeros(1), 300, tune=100,
                                 rng=0, vectorized=vectorized)
    assert chains.get_chain().max() <= 1.0
    assert np.all(np.isfinite(chains.step_scale)) and np.all(np.isfinite(chains.get_log_prob()))
    assert chains.get_chain().min() < -0.5  # it did move


def test_seed_is_a_deprecated_alias_of_rng():
    x0 = np.zeros(2)
    new = metropolis_hastings(_lp, x0, 50, tune=10, rng=3)
    with pytest.warns(DeprecationWarning, match="metropolis_hastings: seed= is deprecated"):
        old = metropolis_hastings(_lp, x0, 50, tune=10, seed=3)
    np.testing.assert_array_equal(new.draws, old.draws)
    with pytest.raises(TypeError, match="not both rng and seed"):
        metropolis_hastings(_lp, x0, 50, rng=1, seed=1)
    with pytest.raises(TypeError, match="metropolis_hastings: rng must be"):
        metropolis_hastings(_lp, x0, 50, rng="zero")
