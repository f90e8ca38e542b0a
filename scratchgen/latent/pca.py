"""Principal component analysis by the singular value decomposition.

Centre the data, X_c = X - mean, and factor it, X_c = U S V^T (thin SVD).
The rows of V^T are the principal directions (the eigenvectors of the sample
covariance X_c^T X_c / (n - 1)), ordered by the variances S^2 / (n - 1)
along them. Keeping the first q of them gives the code and the
reconstruction

    z = (x - mean) V_q            (transform,         shape (n, q))
    x_hat = z V_q^T + mean        (inverse_transform, shape (n, d))

and x_hat is the best rank-q linear reconstruction in squared error
(Eckart & Young 1936): PCA is the linear autoencoder with the smallest
reconstruction error, the baseline every nonlinear autoencoder must beat.

Names and conventions follow ``sklearn.decomposition.PCA``.
"""
import numpy as np

from scratchgen.latent._checks import as_data_matrix, check_fitted, check_int

__all__ = ["PCA"]


def _flip_signs(Vt):
    """Make the largest-magnitude entry of every row of Vt positive.

    Singular vectors are defined up to sign; fixing one makes results
    reproducible across LAPACK builds (sklearn's ``svd_flip`` on V).
    """
    biggest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), biggest])
    signs[signs == 0] = 1.0
    return Vt * signs[:, None], signs


class PCA:
    """Principal component analysis with ``n_components`` directions.

    Attributes after ``fit(X)`` (X of shape (n, d)):

    mean_                     (d,)   the column means
    components_               (q, d) principal directions, orthonormal rows
    singular_values_          (q,)   the first q singular values of X - mean
    explained_variance_       (q,)   variances along the directions, S^2 / (n - 1)
    explained_variance_ratio_ (q,)   their shares of the total variance
    noise_variance_           float  the mean variance of the discarded
                                     directions (d - q of them, zeros included);
                                     the sigma^2 of probabilistic PCA
    """

    def __init__(self, n_components):
        self.n_components = check_int(n_components, "n_components")
        self.mean_ = None

    def fit(self, X):
        """Fit the directions to ``X`` (n, d); returns self.

        Helper: ``_flip_signs(Vt)`` makes the largest-magnitude entry of each row positive (a
        deterministic sign for each component).
        """
        X = as_data_matrix(X, min_rows=2)
        n, d = X.shape
        q = check_int(self.n_components, "n_components", maximum=min(n, d))
        # BEGIN SOLUTION task=latent.pca_fit
        mean = X.mean(axis=0)
        _, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
        Vt, _ = _flip_signs(Vt)
        variances = S ** 2 / (n - 1)
        total_variance = variances.sum()
        self.mean_ = mean
        self.components_ = Vt[:q]
        self.singular_values_ = S[:q]
        self.explained_variance_ = variances[:q]
        # END SOLUTION
        self.explained_variance_ratio_ = (self.explained_variance_ / total_variance
                                          if total_variance > 0 else np.zeros(q))
        # Discarded directions include the d - min(n, d) with zero variance.
        self.noise_variance_ = (float(variances[q:].sum() / (d - q)) if d > q else 0.0)
        self.n_features_in_ = d
        self.n_samples_ = n
        return self

    def transform(self, X):
        """The codes z = (X - mean_) components_^T, shape (n, q)."""
        check_fitted(self, "mean_")
        X = as_data_matrix(X, n_features=self.n_features_in_)
        return (X - self.mean_) @ self.components_.T

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Reconstructions x_hat = Z components_ + mean_, shape (n, d)."""
        check_fitted(self, "mean_")
        Z = as_data_matrix(Z, name="Z", n_features=self.components_.shape[0])
        return Z @ self.components_ + self.mean_

    def reconstruct(self, X):
        """``inverse_transform(transform(X))``: the projection on the subspace."""
        return self.inverse_transform(self.transform(X))

    def __repr__(self):
        return f"PCA(n_components={self.n_components})"
