"""The VAE objective's pieces against independent computations, and gradient checks."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.latent.objectives import (bernoulli_log_likelihood, gaussian_log_likelihood,
                                          iwae_bound, kl_gaussian, log_normal, reparameterize)
from scratchgen.testing import gradcheck

RNG = np.random.default_rng(0)


def _t(a):
    return sg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


@pytest.mark.task("latent.reparameterize")
def test_reparameterize_values_and_gradient():
    mean, log_var = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))
    eps = RNG.standard_normal((4, 3, 2))          # K=4 draws broadcast over (n, q)
    z = reparameterize(_t(mean), _t(log_var), eps)
    assert z.shape == (4, 3, 2)
    assert np.allclose(z.data, mean + np.sqrt(np.exp(log_var)) * eps)
    assert gradcheck(lambda m, lv: reparameterize(m, lv, eps), [_t(mean), _t(log_var)])


@pytest.mark.task("latent.reparameterize")
def test_reparameterized_samples_have_the_right_moments():
    eps = np.random.default_rng(1).standard_normal((20000, 1))
    z = reparameterize(_t([[1.5]]), _t([[np.log(0.25)]]), eps).data
    # mean 1.5, sd 0.5: standard error of the mean 0.5/sqrt(20000) = 0.0035; 5 se.
    assert abs(z.mean() - 1.5) < 0.018
    assert abs(z.std() - 0.5) < 0.02


@pytest.mark.task("latent.kl_gaussian")
def test_kl_gaussian_matches_monte_carlo():
    # KL(q || p) = E_q[log q(z) - log p(z)], estimated from 200000 draws; the
    # tolerance is 5 Monte-Carlo standard errors of that mean.
    mean, log_var = np.array([[0.7, -1.2, 0.1]]), np.array([[-0.5, 0.4, 0.0]])
    sd = np.exp(0.5 * log_var)
    z = mean + sd * np.random.default_rng(2).standard_normal((200000, 3))
    log_q = np.sum(-0.5 * np.log(2 * np.pi * sd ** 2) - 0.5 * ((z - mean) / sd) ** 2, axis=1)
    log_p = np.sum(-0.5 * np.log(2 * np.pi) - 0.5 * z ** 2, axis=1)
    diff = log_q - log_p
    kl = kl_gaussian(_t(mean), _t(log_var)).data
    assert kl.shape == (1,)
    assert abs(kl[0] - diff.mean()) < 5 * diff.std() / np.sqrt(len(diff))


@pytest.mark.task("latent.kl_gaussian")
def test_kl_gaussian_is_zero_at_the_prior_and_gradchecks():
    assert np.allclose(kl_gaussian(_t(np.zeros((2, 3))), _t(np.zeros((2, 3)))).data, 0.0)
    assert gradcheck(kl_gaussian, [_t(RNG.standard_normal((3, 2))),
                                   _t(RNG.standard_normal((3, 2)))])


def test_log_densities_match_numpy_formulas():
    x, m, lv = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    var = np.exp(lv)
    expected = np.sum(-0.5 * np.log(2 * np.pi * var) - (x - m) ** 2 / (2 * var), axis=1)
    assert np.allclose(gaussian_log_likelihood(_t(x), _t(m), _t(lv)).data, expected)
    assert np.allclose(log_normal(_t(x)).data,
                       np.sum(-0.5 * np.log(2 * np.pi) - x ** 2 / 2, axis=1))
    assert np.allclose(log_normal(_t(x), _t(m), _t(lv)).data, expected)
    xb, logits = RNG.uniform(size=(4, 3)), RNG.standard_normal((4, 3)) * 3
    p = 1 / (1 + np.exp(-logits))
    assert np.allclose(bernoulli_log_likelihood(_t(xb), _t(logits)).data,
                       np.sum(xb * np.log(p) + (1 - xb) * np.log(1 - p), axis=1))
    assert gradcheck(lambda a, b, c: gaussian_log_likelihood(a, b, c), [_t(x), _t(m), _t(lv)])
    assert gradcheck(lambda l: bernoulli_log_likelihood(xb, l), [_t(logits)])


@pytest.mark.task("latent.iwae")
def test_iwae_bound_matches_log_mean_exp_and_gradchecks():
    w = RNG.standard_normal((5, 3)) * 2
    assert np.allclose(iwae_bound(_t(w)).data, np.log(np.mean(np.exp(w), axis=0)))
    # Stable for very negative log-weights where exp underflows to 0.
    shifted = iwae_bound(_t(w - 1000.0)).data
    assert np.allclose(shifted, np.log(np.mean(np.exp(w), axis=0)) - 1000.0)
    assert gradcheck(iwae_bound, [_t(w)])
