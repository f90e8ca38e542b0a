"""Probabilistic PCA: the closed-form MLE and its Woodbury log-likelihood."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchgen.latent import ProbabilisticPCA


def _gaussian_logpdf(X, mean, cov):
    """log N(x; mean, cov) by slogdet and solve: independent of the Woodbury code."""
    d = X.shape[1]
    r = X - mean
    _, logdet = np.linalg.slogdet(cov)
    maha = np.sum(r * np.linalg.solve(cov, r.T).T, axis=1)
    return -0.5 * (d * np.log(2 * np.pi) + logdet + maha)


def _data(seed=0, n=150, d=6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.standard_normal(d)


def test_ppca_log_likelihood_matches_a_dense_gaussian():
    X = _data()
    model = ProbabilisticPCA(2).fit(X)
    W, s2 = model.W_, model.noise_variance_
    cov = W @ W.T + s2 * np.eye(X.shape[1])
    X_test = _data(seed=1, n=20)
    # Both are exact formulas in float64; 1e-9 leaves room for rounding only.
    assert np.allclose(model.score_samples(X_test), _gaussian_logpdf(X_test, model.mean_, cov),
                       rtol=1e-9, atol=1e-9)
    assert np.allclose(model.get_covariance(), cov)
    assert np.isclose(model.score(X_test), _gaussian_logpdf(X_test, model.mean_, cov).mean())


def test_ppca_closed_form_matches_tipping_bishop():
    # sigma^2 = mean of the discarded eigenvalues of the MLE covariance (divisor n);
    # W W^T = U_q (Lambda_q - sigma^2) U_q^T.
    X = _data(seed=2)
    q = 3
    model = ProbabilisticPCA(q).fit(X)
    S = np.cov(X, rowvar=False, bias=True)
    evals, evecs = np.linalg.eigh(S)
    evals, evecs = evals[::-1], evecs[:, ::-1]
    s2 = evals[q:].mean()
    assert np.isclose(model.noise_variance_, s2, rtol=1e-10)
    expected = evecs[:, :q] @ np.diag(evals[:q] - s2) @ evecs[:, :q].T
    assert np.allclose(model.W_ @ model.W_.T, expected, atol=1e-9)


def test_ppca_mle_beats_perturbed_parameters_on_training_data():
    # The closed form is the maximum: nudging W or sigma^2 lowers the training likelihood.
    X = _data(seed=3)
    model = ProbabilisticPCA(2).fit(X)
    best = model.score(X)
    rng = np.random.default_rng(0)
    W0, s0 = model.W_.copy(), model.noise_variance_
    for _ in range(5):
        model.W_ = W0 + 0.05 * rng.standard_normal(W0.shape)
        assert model.score(X) < best
    model.W_ = W0
    for factor in (0.9, 1.1):
        model.noise_variance_ = s0 * factor
        assert model.score(X) < best


def test_ppca_sample_moments_and_seeding():
    X = _data(seed=4, d=4)
    model = ProbabilisticPCA(2).fit(X)
    a = model.sample(4000, rng=7)
    assert a.shape == (4000, 4)
    assert np.array_equal(a, model.sample(4000, rng=np.random.default_rng(7)))
    assert not np.array_equal(a, model.sample(4000, rng=8))
    # Sample covariance of 4000 draws: relative standard error about sqrt(2/4000) ~ 2%
    # per entry, so 10% of the largest entry is > 4 standard errors.
    cov = model.get_covariance()
    assert np.allclose(np.cov(a, rowvar=False), cov, atol=0.1 * np.abs(cov).max())
    assert np.allclose(a.mean(axis=0), model.mean_, atol=4 * np.sqrt(np.diag(cov).max() / 4000))


def test_ppca_transform_is_the_posterior_mean():
    X = _data(seed=5, d=5)
    model = ProbabilisticPCA(2).fit(X)
    W, s2 = model.W_, model.noise_variance_
    # E[z|x] = W^T C^-1 (x - mu) (Gaussian conditioning), computed densely here.
    cov = W @ W.T + s2 * np.eye(5)
    expected = np.linalg.solve(cov, (X - model.mean_).T).T @ W
    assert np.allclose(model.transform(X), expected, atol=1e-10)


def test_ppca_bad_inputs():
    with pytest.raises(ValueError, match="n_components"):
        ProbabilisticPCA(3).fit(np.random.default_rng(0).standard_normal((10, 3)))
    with pytest.raises(ValueError, match="subspace"):
        line = np.outer(np.arange(10.0), [1.0, 2.0, 3.0])
        ProbabilisticPCA(1).fit(line)
    with pytest.raises(RuntimeError, match="not fitted"):
        ProbabilisticPCA(1).sample(3)
    model = ProbabilisticPCA(1).fit(np.random.default_rng(0).standard_normal((10, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)
    with pytest.raises(TypeError, match="rng"):
        model.sample(2, rng="seed")
    with pytest.raises(ValueError, match="3 features"):
        model.score_samples(np.zeros((2, 2)))


@given(n=st.integers(3, 30), d=st.integers(2, 7), data=st.data())
def test_woodbury_log_likelihood_matches_dense_for_any_shape(n, d, data):
    # Property: for any sizes (n < d included, where eigenvalues are 0) and any
    # q < d, the O(d q^2) formula equals the dense O(d^3) Gaussian log-density.
    # Centred data has rank <= n - 1, so q <= n - 2 keeps sigma^2 > 0.
    q = data.draw(st.integers(1, max(1, min(n - 2, d - 1))))
    seed = data.draw(st.integers(0, 2 ** 16))
    X = np.random.default_rng(seed).standard_normal((n, d)) * np.linspace(2.0, 0.5, d)
    model = ProbabilisticPCA(q).fit(X)
    dense = _gaussian_logpdf(X, model.mean_, model.get_covariance())
    assert np.allclose(model.score_samples(X), dense, rtol=1e-8, atol=1e-8)
