"""Three engines, one result: same seed -> same chain; the Numba kernel equals its twin."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from scratchgen.mcmc import (Independence, RandomWalk, metropolis_hastings, ring_log_prob,
                             ring_log_prob_vectorized)
from scratchgen.mcmc.engine_numba import random_walk_kernel, random_walk_kernel_numpy
from scratchgen.mcmc.stream import random_blocks


def ring_python(x):
    """The ring log-density as plain NumPy on one point (the Numba function's source)."""
    return ring_log_prob.py_func(x)


def run_all_engines(proposal, tune, thin, seed=11):
    x0 = np.random.default_rng(0).standard_normal((3, 2))
    kwargs = dict(n_steps=300, n_chains=3, tune=tune, thin=thin, seed=seed)
    return {
        "numba": metropolis_hastings(ring_log_prob, x0, proposal=proposal, **kwargs),
        "numpy": metropolis_hastings(ring_log_prob_vectorized, x0, proposal=proposal,
                                     vectorized=True, **kwargs),
        "python": metropolis_hastings(ring_python, x0, proposal=proposal, **kwargs),
    }


@pytest.mark.task("mcmc.acceptance_step")
@pytest.mark.parametrize("proposal, tune, thin", [
    (RandomWalk(scale=0.8), 0, 1),
    (RandomWalk(), 200, 2),
    (RandomWalk(scale=0.5, covariance=[[1.0, 0.6], [0.6, 2.0]]), 100, 1),
])
def test_engines_give_the_same_chain(proposal, tune, thin):
    runs = run_all_engines(proposal, tune, thin)
    assert [r.engine for r in runs.values()] == ["numba", "numpy", "python"]
    reference = runs["python"]
    for name in ("numba", "numpy"):
        # Same random numbers and decisions; only the last bits of exp/log/BLAS may differ.
        np.testing.assert_allclose(runs[name].draws, reference.draws, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(runs[name].log_prob, reference.log_prob, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(runs[name].n_accepted, reference.n_accepted)
        np.testing.assert_allclose(runs[name].step_scale, reference.step_scale, rtol=1e-12)
    assert 0.05 < reference.acceptance_fraction.mean() < 0.95  # a real test: both branches taken


class _Gaussian2D:
    """An independence proposal distribution N(0, 2^2 I) with sample(n, rng) and log_prob."""

    def sample(self, n, rng):
        return 2.0 * rng.standard_normal((n, 2))

    def log_prob(self, x):
        return -0.5 * np.sum(x * x, axis=-1) / 4.0 - np.log(8.0 * np.pi)


def test_python_and_numpy_engines_agree_for_independence_proposal():
    x0 = np.zeros((3, 2))
    proposal = Independence(_Gaussian2D())
    a = metropolis_hastings(ring_python, x0, 200, proposal=proposal, n_chains=3, tune=50, seed=5)
    b = metropolis_hastings(ring_log_prob_vectorized, x0, 200, proposal=proposal, n_chains=3,
                            tune=50, seed=5, vectorized=True)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-12)
    np.testing.assert_array_equal(a.n_accepted, b.n_accepted)
    assert a.engine == "python" and b.engine == "numpy" and a.step_scale is None


def test_kernels_environment_switch_uses_the_twin(monkeypatch):
    x0 = np.zeros((2, 2))
    compiled = metropolis_hastings(ring_log_prob, x0, 100, n_chains=2, tune=20, seed=1)
    monkeypatch.setenv("SCRATCHGEN_KERNELS", "numpy")
    twin = metropolis_hastings(ring_log_prob, x0, 100, n_chains=2, tune=20, seed=1)
    np.testing.assert_allclose(compiled.draws, twin.draws, rtol=1e-12)


@given(n_chains=st.integers(1, 3), n_tune=st.integers(0, 30), thin=st.integers(1, 3),
       use_lower=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_numba_kernel_matches_numpy_twin(n_chains, n_tune, thin, use_lower, seed):
    # The ring target (2-D): the kernel is already compiled for it by the tests
    # above (each new log-density costs a compilation of the kernel).
    dim = 2
    rng = np.random.default_rng(seed)
    n_steps = 7
    proposal = RandomWalk(scale=rng.uniform(0.2, 2.0, dim),
                          covariance=np.eye(dim) + 0.3 * (np.ones((dim, dim)) - np.eye(dim))
                          if use_lower else None).bind(dim)
    lower = proposal.lower if use_lower else np.zeros((1, 1))
    x0 = rng.standard_normal((n_chains, dim))
    states = []
    for kernel in (random_walk_kernel, random_walk_kernel_numpy):
        x = x0.copy()
        log_p = np.array([ring_python(r) for r in x])
        log_scale, running = np.zeros(n_chains), np.zeros(n_chains)
        draws, draw_lp = np.zeros((n_steps, n_chains, dim)), np.zeros((n_steps, n_chains))
        accepted = np.zeros(n_chains, dtype=np.int64)
        blocks = random_blocks(np.random.default_rng(seed), proposal, n_tune + n_steps * thin,
                               n_chains, dim)
        for t0, noise, u in blocks:
            kernel(ring_log_prob, x, log_p, log_scale, running, proposal.diagonal,
                   lower, use_lower, noise, u, t0, n_tune, 0.3, True, thin, draws, draw_lp,
                   accepted)
        states.append((x, log_p, log_scale, draws, draw_lp, accepted))
    for compiled, twin in zip(*states):
        np.testing.assert_allclose(compiled, twin, rtol=1e-12, atol=1e-12)
