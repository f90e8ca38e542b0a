"""MALA: the Langevin proposal's Hastings term, gradients from the autodiff, moments."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.mcmc import ess, mala, mala_step
from scratchgen.mcmc.langevin import value_and_grad

MEAN = np.array([1.0, -1.0])
COV = np.array([[1.0, 0.5], [0.5, 2.0]])
PRECISION = np.linalg.inv(COV)


def gaussian_log_prob(x):
    """log N(x; MEAN, COV) up to a constant, on a Tensor (dim,) or (n, dim)."""
    d = x - sg.tensor(MEAN)
    return -0.5 * ((d @ sg.tensor(PRECISION)) * d).sum(axis=-1)


def log_normal_density(y, mean, var):
    """log N(y; mean, var I) written out with its normalising constant."""
    k = y.shape[-1]
    return -0.5 * np.sum((y - mean) ** 2) / var - 0.5 * k * np.log(2 * np.pi * var)


def test_value_and_grad_matches_closed_form():
    x = np.array([0.3, 2.0])
    value, grad = value_and_grad(gaussian_log_prob, x)
    assert value == pytest.approx(-0.5 * (x - MEAN) @ PRECISION @ (x - MEAN))
    np.testing.assert_allclose(grad, -PRECISION @ (x - MEAN), rtol=1e-12)
    values, grads = value_and_grad(gaussian_log_prob, np.stack([x, -x]))
    np.testing.assert_allclose(grads[1], -PRECISION @ (-x - MEAN), rtol=1e-12)


@pytest.mark.task("mcmc.mala_step")
def test_mala_log_alpha_matches_explicit_densities():
    # log alpha = log p(x') + log q(x | x') - log p(x) - log q(x' | x) with the
    # Langevin proposal q(. | a) = N(a + h^2/2 grad log p(a), h^2 I), computed here
    # from the closed-form gradient, independently of mala_step.
    rng = np.random.default_rng(0)
    h = 0.7
    for _ in range(5):
        x, noise = rng.standard_normal(2), rng.standard_normal(2)
        log_p, grad = value_and_grad(gaussian_log_prob, x)
        *_, log_alpha = mala_step(gaussian_log_prob, x, log_p, grad, noise, h, 0.5)
        g = lambda a: -PRECISION @ (a - MEAN)  # noqa: E731
        lp = lambda a: -0.5 * (a - MEAN) @ PRECISION @ (a - MEAN)  # noqa: E731
        x_new = x + h ** 2 / 2 * g(x) + h * noise
        expected = (lp(x_new) + log_normal_density(x, x_new + h ** 2 / 2 * g(x_new), h ** 2)
                    - lp(x) - log_normal_density(x_new, x + h ** 2 / 2 * g(x), h ** 2))
        assert float(log_alpha) == pytest.approx(expected, rel=1e-10, abs=1e-12)


@pytest.mark.task("mcmc.mala_step")
def test_mala_step_accepts_and_rejects_by_log_u():
    x = np.array([0.0, 0.0])
    log_p, grad = value_and_grad(gaussian_log_prob, x)
    noise = np.array([0.4, -0.2])
    *_, log_alpha = mala_step(gaussian_log_prob, x, log_p, grad, noise, 0.5, 0.5)
    u_accept = np.exp(float(log_alpha)) * 0.999 if log_alpha < 0 else 0.999
    moved = mala_step(gaussian_log_prob, x, log_p, grad, noise, 0.5, u_accept)
    stayed = mala_step(gaussian_log_prob, x, log_p, grad, noise, 0.5,
                       min(np.exp(float(log_alpha)) * 1.001, 0.9999999))
    assert moved[3] and not np.array_equal(moved[0], x)
    if log_alpha < 0:
        assert not stayed[3] and np.array_equal(stayed[0], x) and stayed[1] == log_p


@pytest.mark.task("mcmc.mala_step")
def test_mala_samples_gaussian_within_monte_carlo_error():
    x0 = np.random.default_rng(1).normal(size=(4, 2)) * 2
    chains = mala(gaussian_log_prob, x0, 600, step_size=0.5, tune=200, rng=2, vectorized=True)
    draws = chains.get_chain()
    # 4 standard errors with the ESS of each statistic's chain.
    for f, truth in [(draws[..., 0], MEAN[0]), (draws[..., 1], MEAN[1]),
                     ((draws[..., 0] - MEAN[0]) ** 2, COV[0, 0]),
                     ((draws[..., 0] - MEAN[0]) * (draws[..., 1] - MEAN[1]), COV[0, 1])]:
        se = f.std(ddof=1) / np.sqrt(ess(f.T, method="mean"))
        assert abs(f.mean() - truth) < 4 * se
    assert abs(chains.acceptance_fraction.mean() - 0.574) < 0.1


def test_mala_vectorized_and_per_chain_agree():
    x0 = np.random.default_rng(3).normal(size=(2, 2))
    x0_before = x0.copy()
    a = mala(gaussian_log_prob, x0, 30, step_size=0.5, n_chains=2, tune=10, rng=4)
    b = mala(gaussian_log_prob, x0, 30, step_size=0.5, n_chains=2, tune=10, rng=4,
             vectorized=True)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(a.n_accepted, b.n_accepted)
    np.testing.assert_array_equal(x0, x0_before)  # the caller's start is never modified


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(step_size=-0.1), ValueError, "step_size"),
    (dict(log_prob=lambda x: 1.0), TypeError, "Tensor"),
    (dict(log_prob=lambda x: x * 1.0), ValueError, "shape"),
    (dict(x0=np.zeros((3, 2))), ValueError, "n_chains"),
])
def test_mala_bad_inputs(kwargs, error, match):
    args = dict(log_prob=gaussian_log_prob, x0=np.zeros(2), n_steps=5, step_size=0.5, tune=0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        mala(**args)
