"""PCA against closed-form cases and NumPy's eigendecomposition."""
import numpy as np
import pytest

from scratchgen.latent import PCA


def _plane_data(rng, n=200):
    """Points exactly on the plane spanned by two known orthonormal vectors in R^4."""
    basis = np.linalg.qr(rng.standard_normal((4, 2)))[0].T     # (2, 4) orthonormal rows
    coeffs = rng.standard_normal((n, 2)) * np.array([3.0, 1.0])
    offset = np.array([1.0, -2.0, 0.5, 4.0])
    return coeffs @ basis + offset, basis, offset


@pytest.mark.task("latent.pca_fit")
def test_pca_recovers_a_known_line():
    # Points t * u + c on a line: one component, along +-u, explains everything.
    rng = np.random.default_rng(0)
    u = np.array([3.0, 4.0]) / 5.0
    t = rng.standard_normal(50)
    X = t[:, None] * u + np.array([2.0, -1.0])
    pca = PCA(1).fit(X)
    assert np.allclose(np.abs(pca.components_[0] @ u), 1.0, atol=1e-12)
    assert np.allclose(pca.mean_, X.mean(axis=0))
    assert np.allclose(pca.explained_variance_[0], np.var(t, ddof=1), rtol=1e-12)
    assert np.allclose(pca.explained_variance_ratio_, [1.0])
    # The projection onto the line is exact.
    assert np.allclose(pca.reconstruct(X), X, atol=1e-12)


@pytest.mark.task("latent.pca_fit")
def test_pca_plane_in_4d_spans_the_plane_and_reconstructs_exactly():
    X, basis, _ = _plane_data(np.random.default_rng(1))
    pca = PCA(2).fit(X)
    # Same subspace: the projector onto the components equals the true projector.
    assert np.allclose(pca.components_.T @ pca.components_, basis.T @ basis, atol=1e-10)
    assert np.allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-10)
    assert np.isclose(pca.noise_variance_, 0.0, atol=1e-20)


@pytest.mark.task("latent.pca_fit")
def test_pca_matches_eigh_of_the_covariance():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((80, 6)) @ rng.standard_normal((6, 6))
    q = 3
    pca = PCA(q).fit(X)
    evals, evecs = np.linalg.eigh(np.cov(X, rowvar=False))
    evals, evecs = evals[::-1], evecs[:, ::-1]
    assert np.allclose(pca.explained_variance_, evals[:q], rtol=1e-10)
    assert np.allclose(pca.explained_variance_ratio_, evals[:q] / evals.sum(), rtol=1e-10)
    assert np.allclose(pca.singular_values_ ** 2, evals[:q] * (len(X) - 1), rtol=1e-10)
    assert np.isclose(pca.noise_variance_, evals[q:].mean(), rtol=1e-10)
    # Eigenvectors agree up to sign.
    assert np.allclose(np.abs(np.sum(pca.components_ * evecs[:, :q].T, axis=1)), 1.0, atol=1e-8)
    assert np.allclose(pca.components_ @ pca.components_.T, np.eye(q), atol=1e-12)
    # The sign convention: the largest |entry| of each component is positive.
    rows = np.arange(q)
    assert np.all(pca.components_[rows, np.argmax(np.abs(pca.components_), axis=1)] > 0)


def test_pca_reconstruction_error_is_the_discarded_variance():
    # Eckart-Young: the mean squared residual norm is sum of discarded eigenvalues * (n-1)/n.
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 5)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5])
    pca = PCA(2).fit(X)
    evals = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1]
    residual = np.sum((X - pca.reconstruct(X)) ** 2, axis=1).mean()
    assert np.isclose(residual, evals[2:].sum() * (len(X) - 1) / len(X), rtol=1e-10)


def test_pca_fit_transform_equals_fit_then_transform():
    X = np.random.default_rng(4).standard_normal((30, 4))
    assert np.allclose(PCA(2).fit_transform(X), PCA(2).fit(X).transform(X))


def test_pca_bad_inputs():
    with pytest.raises(TypeError, match="n_components"):
        PCA(1.5)
    with pytest.raises(ValueError, match="n_components"):
        PCA(0)
    with pytest.raises(ValueError, match="n_components"):
        PCA(5).fit(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="2-D"):
        PCA(1).fit(np.zeros(10))
    with pytest.raises(ValueError, match="NaN"):
        PCA(1).fit(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(RuntimeError, match="not fitted"):
        PCA(1).transform(np.zeros((2, 3)))
    pca = PCA(1).fit(np.random.default_rng(0).standard_normal((10, 3)))
    with pytest.raises(ValueError, match="3 features"):
        pca.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="1 features"):
        pca.inverse_transform(np.zeros((2, 2)))
