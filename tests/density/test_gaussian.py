"""Gaussian: closed form vs NumPy, gradient MLE vs closed form, recovery of
known parameters within sampling error, sampling, errors."""
import warnings

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.density import ConvergenceWarning, Gaussian

MEAN = np.array([1.0, -2.0])
A = np.array([[1.0, 0.0], [0.6, 0.5]])          # Sigma = A A^T = [[1, .6], [.6, .61]]
SIGMA = A @ A.T


def data(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)) @ A.T + MEAN


def test_closed_form_is_sample_mean_and_biased_covariance():
    X = data(200)
    g = Gaussian("full", method="closed_form").fit(X)
    np.testing.assert_allclose(g.mean_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(g.covariance_, np.cov(X.T, bias=True), rtol=1e-10)
    d = Gaussian("diag", method="closed_form").fit(X)
    np.testing.assert_allclose(d.covariance_, np.diag(X.var(axis=0)), rtol=1e-10)
    s = Gaussian("spherical", method="closed_form").fit(X)
    np.testing.assert_allclose(s.covariance_, np.eye(2) * X.var(axis=0).mean(), rtol=1e-10)


def test_score_samples_matches_slogdet_formula():
    X = data(50)
    g = Gaussian(method="closed_form").fit(X)
    diff = X - g.mean_
    maha = np.sum(diff * np.linalg.solve(g.covariance_, diff.T).T, axis=1)
    expected = -0.5 * (2 * np.log(2 * np.pi) + np.linalg.slogdet(g.covariance_)[1] + maha)
    np.testing.assert_allclose(g.score_samples(X), expected, rtol=1e-10)
    assert g.score(X) == pytest.approx(expected.mean(), rel=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_gradient_mle_agrees_with_closed_form(covariance_type):
    X = data(300, seed=1)
    exact = Gaussian(covariance_type, method="closed_form").fit(X)
    fitted = Gaussian(covariance_type, method="gradient", rng=0).fit(X)
    assert fitted.converged_ and fitted.n_iter_ > 20    # it did move from its start
    # The closed form is the maximum: the gradient fit cannot beat it, and
    # with tol=1e-8 it stops within ~1e-7 of it (Adam hovers around the optimum).
    gap = exact.score(X) - fitted.score(X)
    assert -1e-10 < gap < 1e-6
    # A log-likelihood gap delta means parameter errors ~ sqrt(2 delta) * sd
    # ~ 1.5e-3 sd; allow 1e-2, far below the sampling error 4 sd / sqrt(300) = 0.23 sd.
    np.testing.assert_allclose(fitted.mean_, exact.mean_, atol=1e-2)
    np.testing.assert_allclose(fitted.covariance_, exact.covariance_, atol=1e-2)
    assert len(fitted.history_) == fitted.n_iter_
    assert fitted.history_[-1] > fitted.history_[0]


def test_mle_recovers_known_parameters_within_sampling_error():
    n = 2000
    g = Gaussian(method="closed_form").fit(data(n, seed=3))
    # mean_j ~ N(mu_j, Sigma_jj / n): 4 standard errors
    assert np.all(np.abs(g.mean_ - MEAN) < 4 * np.sqrt(np.diag(SIGMA) / n))
    # var(S_ij) = (Sigma_ii Sigma_jj + Sigma_ij^2) / n for Gaussian data
    se_cov = np.sqrt((np.outer(np.diag(SIGMA), np.diag(SIGMA)) + SIGMA ** 2) / n)
    assert np.all(np.abs(g.covariance_ - SIGMA) < 4 * se_cov)


def test_log_prob_is_differentiable_in_x():
    g = Gaussian(method="closed_form").fit(data(100))
    x = sg.tensor(np.array([[0.3, -1.0]]), requires_grad=True)
    g.log_prob(x).sum().backward()
    # d/dx log N(x) = -Sigma^-1 (x - mu)
    expected = -np.linalg.solve(g.covariance_, x.data[0] - g.mean_)
    np.testing.assert_allclose(x.grad.data[0], expected, rtol=1e-10)


def test_sample_shapes_moments_and_seeding():
    g = Gaussian(method="closed_form").fit(data(500))
    a, b = g.sample(4000, rng=7), g.sample(4000, rng=np.random.default_rng(7))
    assert a.shape == (4000, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, g.sample(4000, rng=8))
    # sample mean within 4 standard errors of the model mean
    assert np.all(np.abs(a.mean(axis=0) - g.mean_) < 4 * np.sqrt(np.diag(g.covariance_) / 4000))


def test_gradient_fit_is_reproducible_and_warns_when_not_converged():
    X = data(100)
    with pytest.warns(ConvergenceWarning, match="max_iter=5"):
        g = Gaussian("diag", max_iter=5, rng=0).fit(X)
    assert not g.converged_ and g.n_iter_ == 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        h = Gaussian("diag", max_iter=5, rng=0).fit(X)
    np.testing.assert_array_equal(g.mean_, h.mean_)


def test_errors_for_people():
    with pytest.raises(ValueError, match="covariance_type"):
        Gaussian("tied")
    with pytest.raises(ValueError, match="method"):
        Gaussian(method="newton")
    with pytest.raises(ValueError, match="2-D"):
        Gaussian(method="closed_form").fit(np.zeros(5))
    with pytest.raises(ValueError, match="singular"):
        Gaussian(method="closed_form").fit(np.ones((5, 2)))
    with pytest.raises(RuntimeError, match="not fitted"):
        Gaussian().score_samples(np.zeros((1, 2)))
    g = Gaussian(method="closed_form").fit(data(20))
    with pytest.raises(ValueError, match="3 features"):
        g.score_samples(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        g.score_samples(np.array([[np.nan, 0.0]]))
