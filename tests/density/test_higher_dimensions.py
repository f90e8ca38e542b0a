"""Every density model and fit method on 3-D and 5-D data, against computations
that do not use the code under test.

Issue 13: the default GaussianMixture (gradient, full covariance) crashed on
d >= 3 with K >= 2 (non-C-contiguous Cholesky entries from fancy indexing); the
2-D tests never saw it. Independent references:

- Gaussian: sample mean and the 1/n covariance by NumPy (the MLE in closed form);
  log-densities by ``normal_logpdf`` below (NumPy's slogdet and solve, not the
  library's Cholesky parameterisation; scipy is not a dependency).
- Mixture: two clusters 30 standard deviations apart, so every point's
  responsibility of its own cluster is 1 up to exp(-400): the mixture MLE is then
  the per-cluster sample mean and 1/n covariance (weights: the cluster shares),
  computed here by NumPy from the true labels. The log-density of the fitted
  parameters is checked against a log-sum-exp (np.logaddexp.reduce) of those log-densities.
"""
import numpy as np
import pytest

from scratchgen.density import Gaussian, GaussianMixture

DIMS = (3, 5)


def normal_logpdf(X, mean, cov):
    """log N(x; mean, cov) per row: -(d log 2 pi + log det cov + r^T cov^-1 r) / 2."""
    d = len(mean)
    r = X - mean
    _, logdet = np.linalg.slogdet(cov)
    mahalanobis = np.einsum("ij,ij->i", r, np.linalg.solve(cov, r.T).T)
    return -0.5 * (d * np.log(2 * np.pi) + logdet + mahalanobis)


def correlated(n, d, rng, shift=0.0):
    """n points of N(shift * 1, A A^T) with a fixed non-diagonal A."""
    A = np.tril(np.full((d, d), 0.4)) + 0.6 * np.eye(d)
    return rng.normal(size=(n, d)) @ A.T + shift


def two_clusters(d, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([correlated(150, d, rng), correlated(90, d, rng, shift=30.0)])
    labels = np.r_[np.zeros(150, int), np.ones(90, int)]
    return X, labels


def closed_form(X, covariance_type):
    mean = X.mean(axis=0)
    cov = np.cov(X.T, bias=True)
    if covariance_type == "diag":
        cov = np.diag(np.diag(cov))
    elif covariance_type == "spherical":
        cov = np.eye(X.shape[1]) * np.diag(cov).mean()
    return mean, cov


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
@pytest.mark.parametrize("method", ["closed_form", "gradient"])
def test_gaussian_reaches_the_closed_form_mle(d, covariance_type, method):
    X = correlated(300, d, np.random.default_rng(d))
    mean, cov = closed_form(X, covariance_type)
    before = X.copy()
    g = Gaussian(covariance_type, method=method, rng=0).fit(X)
    np.testing.assert_array_equal(X, before)   # the fit starts at a data row: a copy of it
    # closed form: rounding only; gradient: stopped at tol=1e-8 on the mean log-likelihood,
    # which leaves parameter errors of order sqrt(tol) ~ 1e-4
    tol = 1e-9 if method == "closed_form" else 2e-3
    np.testing.assert_allclose(g.mean_, mean, atol=tol)
    np.testing.assert_allclose(g.covariance_, cov, atol=tol)
    expected = normal_logpdf(X, g.mean_, g.covariance_)
    np.testing.assert_allclose(g.score_samples(X), expected, rtol=1e-9)


def sorted_by_weight(weights, means, covs):
    order = np.argsort(-weights)
    return weights[order], means[order], covs[order]


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
@pytest.mark.parametrize("method", ["em", "gradient"])
def test_mixture_reaches_the_per_cluster_mle(d, covariance_type, method):
    X, labels = two_clusters(d)
    before = X.copy()
    gm = GaussianMixture(2, covariance_type=covariance_type, method=method, rng=0).fit(X)
    np.testing.assert_array_equal(X, before)
    weights, means, covs = sorted_by_weight(gm.weights_, gm.means_, gm.covariances_)
    # cluster 0 has 150 of the 240 points: it is the heavier component
    np.testing.assert_allclose(weights, [150 / 240, 90 / 240], atol=1e-6)
    tol = 1e-5 if method == "em" else 2e-3   # EM (reg_covar 1e-6) vs Adam stopped at tol 1e-6
    for k in range(2):
        mean, cov = closed_form(X[labels == k], covariance_type)
        np.testing.assert_allclose(means[k], mean, atol=tol)
        expected_cov = cov if covariance_type == "full" else np.diag(cov)
        np.testing.assert_allclose(covs[k], expected_cov, atol=tol)
    full_covs = gm.covariances_ if covariance_type == "full" else np.stack(
        [np.diag(c) for c in gm.covariances_])
    terms = [np.log(w) + normal_logpdf(X, m, c)
             for w, m, c in zip(gm.weights_, gm.means_, full_covs)]
    np.testing.assert_allclose(gm.score_samples(X), np.logaddexp.reduce(terms, axis=0), rtol=1e-9)


@pytest.mark.parametrize("d", DIMS)
def test_default_mixture_fits_and_its_precision_cholesky_is_lower_triangular(d):
    # The exact call of issue 13 (defaults: gradient, full), in 3 and 5 dimensions.
    X = np.random.default_rng(0).normal(size=(200, d))
    gm = GaussianMixture(n_components=2, rng=0).fit(X)
    P = gm.precisions_cholesky_
    assert P.shape == (2, d, d)
    np.testing.assert_array_equal(np.triu(P, k=1), 0.0)      # lower, unlike scikit-learn's
    np.testing.assert_allclose(P @ np.swapaxes(P, 1, 2), np.linalg.inv(gm.covariances_),
                               rtol=1e-8)


def test_a_component_collapsed_onto_duplicate_points_is_warned_about():
    # 30 copies of one point among 200 normal ones: EM puts a component on the copies, whose
    # covariance is then reg_covar (the Gaussian refuses such data outright; see check_not_singular).
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(200, 3)), np.tile([[3.0, 3.0, 3.0]], (30, 1))]
    with pytest.warns(UserWarning, match="collapsed onto a few points"):
        GaussianMixture(3, method="em", rng=0).fit(X)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_clean, _ = two_clusters(3)
        GaussianMixture(2, method="em", rng=0).fit(X_clean)   # no warning without duplicates
