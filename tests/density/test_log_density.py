"""Log-densities: finite-difference gradient checks (float64) and agreement
with independent NumPy formulas (slogdet / solve, explicit sums)."""
import warnings

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.density import (component_log_probs, gaussian_log_prob, lower_triangular,
                                mixture_log_prob, negative_log_likelihood)
from scratchgen.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def numpy_gaussian_logpdf(X, mean, cov):
    """log N(x | mean, cov) from slogdet and solve, independent of the code."""
    d = X.shape[1]
    sign, logdet = np.linalg.slogdet(cov)
    assert sign > 0
    diff = X - mean
    maha = np.sum(diff * np.linalg.solve(cov, diff.T).T, axis=1)
    return -0.5 * (d * np.log(2 * np.pi) + logdet + maha)


def random_precision_cholesky(d, rng):
    P = np.tril(rng.normal(size=(d, d)), k=-1) * 0.5
    P[np.diag_indices(d)] = rng.uniform(0.5, 2.0, size=d)
    return P


@pytest.mark.task("density.gaussian_log_prob")
@pytest.mark.parametrize("kind", ["full", "diag", "spherical"])
def test_gaussian_log_prob_matches_numpy_formula(kind):
    rng = np.random.default_rng(1)
    d = 3
    X, mean = rng.normal(size=(7, d)), rng.normal(size=d)
    if kind == "full":
        P = random_precision_cholesky(d, rng)
        cov = np.linalg.inv(P @ P.T)
    elif kind == "diag":
        P = rng.uniform(0.5, 2.0, size=d)
        cov = np.diag(1 / P ** 2)
    else:
        P = np.array([1.7])
        cov = np.eye(d) / 1.7 ** 2
    got = gaussian_log_prob(sg.tensor(X), sg.tensor(mean), sg.tensor(P)).data
    # float64 throughout: agreement to rounding error
    np.testing.assert_allclose(got, numpy_gaussian_logpdf(X, mean, cov), rtol=1e-10, atol=1e-10)


@pytest.mark.task("density.gaussian_log_prob")
@pytest.mark.parametrize("kind", ["full", "diag", "spherical"])
def test_gaussian_log_prob_gradcheck(kind):
    d = 3
    X = RNG.normal(size=(5, d))
    P = {"full": random_precision_cholesky(d, RNG), "diag": RNG.uniform(0.5, 2, d),
         "spherical": np.array([1.3])}[kind]
    # gradient in x, mean and P together
    assert gradcheck(lambda x, m, p: gaussian_log_prob(x, m, p),
                     [X.copy(), RNG.normal(size=d), P.copy()])


def test_gaussian_log_prob_second_derivatives():
    # standard_errors relies on second-order autodiff through this function
    d = 2
    X = sg.tensor(RNG.normal(size=(4, d)))
    assert gradgradcheck(lambda m, p: gaussian_log_prob(X, m, p),
                         [RNG.normal(size=d), random_precision_cholesky(d, RNG)])


def test_lower_triangular_places_entries_and_gradcheck():
    off, logd = np.array([0.3, -0.2, 0.7]), np.array([0.1, -0.4, 0.2])
    L = lower_triangular(sg.tensor(off), sg.tensor(logd)).data
    expected = np.zeros((3, 3))
    expected[np.tril_indices(3, -1)] = off
    expected[np.diag_indices(3)] = np.exp(logd)
    np.testing.assert_allclose(L, expected, rtol=0, atol=1e-15)
    assert gradcheck(lambda o, l: lower_triangular(o, l), [off, logd])
    batched = lower_triangular(sg.tensor(np.stack([off, 2 * off])),
                               sg.tensor(np.stack([logd, logd]))).data
    np.testing.assert_allclose(batched[1][np.tril_indices(3, -1)], 2 * off)


def numpy_mixture_logpdf(X, weights, means, covs):
    comps = np.stack([np.log(w) + numpy_gaussian_logpdf(X, m, c)
                      for w, m, c in zip(weights, means, covs)])
    return np.log(np.exp(comps).sum(axis=0))      # small values: no overflow here


@pytest.mark.task("density.mixture_log_prob")
@pytest.mark.parametrize("kind", ["full", "diag", "spherical"])
def test_mixture_log_prob_matches_numpy_formula(kind):
    rng = np.random.default_rng(2)
    K, d = 3, 2
    X, means, logits = rng.normal(size=(6, d)), rng.normal(size=(K, d)), rng.normal(size=K)
    if kind == "full":
        P = np.stack([random_precision_cholesky(d, rng) for _ in range(K)])
        covs = [np.linalg.inv(p @ p.T) for p in P]
    elif kind == "diag":
        P = rng.uniform(0.5, 2, size=(K, d))
        covs = [np.diag(1 / p ** 2) for p in P]
    else:
        P = rng.uniform(0.5, 2, size=(K, 1))
        covs = [np.eye(d) / p[0] ** 2 for p in P]
    weights = np.exp(logits) / np.exp(logits).sum()
    got = mixture_log_prob(sg.tensor(X), sg.tensor(logits), sg.tensor(means), sg.tensor(P)).data
    np.testing.assert_allclose(got, numpy_mixture_logpdf(X, weights, means, covs), rtol=1e-10)
    comp = component_log_probs(sg.tensor(X), sg.tensor(means), sg.tensor(P)).data
    np.testing.assert_allclose(comp[1], numpy_gaussian_logpdf(X, means[1], covs[1]), rtol=1e-10)


@pytest.mark.task("density.mixture_log_prob")
@pytest.mark.parametrize("kind", ["full", "diag"])
def test_mixture_log_prob_gradcheck(kind):
    K, d = 2, 2
    P = (np.stack([random_precision_cholesky(d, RNG) for _ in range(K)]) if kind == "full"
         else RNG.uniform(0.5, 2, size=(K, d)))
    assert gradcheck(lambda x, a, m, p: mixture_log_prob(x, a, m, p),
                     [RNG.normal(size=(4, d)), RNG.normal(size=K), RNG.normal(size=(K, d)), P])


def test_mixture_log_prob_is_finite_far_from_every_component():
    # every component density underflows to 0 at x = 1e3; log-sum-exp must not
    X = np.full((1, 2), 1e3)
    out = mixture_log_prob(sg.tensor(X), sg.tensor(np.zeros(2)), sg.tensor(np.zeros((2, 2))),
                           sg.tensor(np.ones((2, 2)))).data
    expected = -np.log(2 * np.pi) - 0.5 * 2 * 1e6     # both components identical: N(0, I)
    np.testing.assert_allclose(out, [expected], rtol=1e-12)


@pytest.mark.task("density.nll")
def test_negative_log_likelihood_value_and_gradcheck():
    X = RNG.normal(size=(6, 2))
    mean, P = RNG.normal(size=2), random_precision_cholesky(2, RNG)
    nll = negative_log_likelihood(lambda x: gaussian_log_prob(x, sg.tensor(mean), sg.tensor(P)), X)
    cov = np.linalg.inv(P @ P.T)
    np.testing.assert_allclose(nll.item(), -numpy_gaussian_logpdf(X, mean, cov).mean(), rtol=1e-12)
    # NLL through the unconstrained parameterisation used by the models
    assert gradcheck(lambda m, o, l: negative_log_likelihood(
        lambda x: gaussian_log_prob(x, m, lower_triangular(o, l)), X),
        [mean, RNG.normal(size=1), RNG.normal(size=2) * 0.3])
    assert gradcheck(lambda a, m, v: negative_log_likelihood(
        lambda x: mixture_log_prob(x, a, m, sg.exp(-0.5 * v)), X),
        [RNG.normal(size=3), RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2)) * 0.3])


def test_negative_log_likelihood_rejects_wrong_shape():
    with pytest.raises(ValueError, match="shape \\(4,\\)"):
        negative_log_likelihood(lambda x: x.sum(), np.zeros((4, 2)))


@pytest.mark.task("density.nll")
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_nll_of_the_models_own_parameters_gradcheck(covariance_type):
    # The exact objective the models optimise, through their unconstrained
    # parameters (logits, means, Cholesky entries / log-variances).
    from scratchgen.density import Gaussian, GaussianMixture
    X = np.random.default_rng(4).normal(size=(8, 2))
    mixture = GaussianMixture(2, covariance_type, method="em", max_iter=2, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # 2 EM steps: not converged, on purpose
        mixture.fit(X)
    gaussian = Gaussian(covariance_type, method="closed_form").fit(X)
    for model in (mixture, gaussian):
        # gradcheck perturbs the Tensors it is given in place, so passing the
        # model's own parameters and ignoring the arguments checks the model
        assert gradcheck(lambda *params: negative_log_likelihood(model.log_prob, X),
                         model.parameters())
