"""Probabilistic PCA: the linear-Gaussian latent-variable model.

Tipping & Bishop (1999), "Probabilistic principal component analysis",
J. R. Statist. Soc. B 61(3):611-622. The generative model is

    z ~ N(0, I_q),    x | z ~ N(W z + mu, sigma^2 I_d)   =>   x ~ N(mu, C),
    C = W W^T + sigma^2 I_d                                  (d, d)

Its maximum-likelihood estimate has a closed form (their eqs. 7-8): with
lambda_1 >= ... >= lambda_d the eigenvalues of the sample covariance
S = (1/n) sum (x - mu)(x - mu)^T (the MLE, divisor n) and U_q its first q
eigenvectors,

    mu = mean(x),   sigma^2 = (1 / (d - q)) sum_{j > q} lambda_j,
    W = U_q (Lambda_q - sigma^2 I_q)^(1/2)   (up to a rotation, taken as I).

``score_samples`` evaluates log N(x; mu, C) in O(n d q) instead of O(d^3)
with the Woodbury identity and the matrix determinant lemma, written with
M = W^T W + sigma^2 I_q (q, q):

    C^-1 = (I - W M^-1 W^T) / sigma^2,   log|C| = (d - q) log sigma^2 + log|M|.
"""
import numpy as np

from scratchgen.latent._checks import (as_data_matrix, as_generator, check_fitted,
                                       check_int)
from scratchgen.latent.pca import PCA

__all__ = ["ProbabilisticPCA"]

_LOG_2PI = float(np.log(2.0 * np.pi))


class ProbabilisticPCA:
    """Probabilistic PCA with ``n_components`` = q latent dimensions (q < d).

    Attributes after ``fit(X)`` (X of shape (n, d)):

    mean_           (d,)    mu
    W_              (d, q)  the loading matrix W (columns along the principal
                            directions, lengths sqrt(lambda_j - sigma^2))
    components_     (q, d)  W_^T (sklearn's ``FactorAnalysis`` convention)
    noise_variance_ float   sigma^2
    explained_variance_ (q,) lambda_1..lambda_q (MLE covariance, divisor n)
    """

    def __init__(self, n_components):
        self.n_components = check_int(n_components, "n_components")
        self.mean_ = None

    def fit(self, X):
        """Closed-form maximum-likelihood fit to ``X`` (n, d); returns self."""
        X = as_data_matrix(X, min_rows=2)
        n, d = X.shape
        q = check_int(self.n_components, "n_components", maximum=min(n, d - 1))
        pca = PCA(q).fit(X)
        # PCA's variances use the divisor n - 1; the MLE covariance uses n.
        eigenvalues = pca.explained_variance_ * (n - 1) / n
        sigma2 = pca.noise_variance_ * (n - 1) / n
        if not sigma2 > 1e-12 * max(float(eigenvalues[0]), 1e-300):
            raise ValueError(
                f"the data lie in (or very near) a {q}-dimensional subspace: the "
                f"discarded directions have variance {sigma2:.3g}, so the noise variance "
                f"sigma^2 would be 0; use fewer n_components or add noise")
        self.mean_ = pca.mean_
        self.explained_variance_ = eigenvalues
        self.noise_variance_ = float(sigma2)
        # Directions with lambda_j < sigma^2 cannot happen for sorted eigenvalues,
        # but rounding can make lambda_j - sigma^2 slightly negative: clip at 0.
        scales = np.sqrt(np.maximum(eigenvalues - sigma2, 0.0))
        self.W_ = pca.components_.T * scales
        self.components_ = self.W_.T
        self.n_features_in_ = d
        return self

    def get_covariance(self):
        """The model covariance C = W W^T + sigma^2 I, shape (d, d)."""
        check_fitted(self, "mean_")
        return self.W_ @ self.W_.T + self.noise_variance_ * np.eye(self.n_features_in_)

    def _inner(self):
        """Cholesky factor of M = W^T W + sigma^2 I_q (lower, (q, q))."""
        q = self.W_.shape[1]
        return np.linalg.cholesky(self.W_.T @ self.W_ + self.noise_variance_ * np.eye(q))

    def score_samples(self, X):
        """log p(x) = log N(x; mu, W W^T + sigma^2 I) for each row, shape (n,)."""
        check_fitted(self, "mean_")
        X = as_data_matrix(X, n_features=self.n_features_in_)
        d, q = self.W_.shape
        s2 = self.noise_variance_
        L = self._inner()
        r = X - self.mean_                                   # (n, d)
        # r^T C^-1 r = (|r|^2 - |L^-1 W^T r|^2) / sigma^2   (Woodbury)
        a = np.linalg.solve(L, (r @ self.W_).T)              # (q, n)
        mahalanobis = ((r * r).sum(axis=1) - (a * a).sum(axis=0)) / s2
        # log|C| = (d - q) log sigma^2 + log|M|   (determinant lemma)
        logdet = (d - q) * np.log(s2) + 2.0 * np.log(np.diag(L)).sum()
        return -0.5 * (d * _LOG_2PI + logdet + mahalanobis)

    def score(self, X):
        """The mean log-likelihood per example (nats), as sklearn's ``score``."""
        return float(np.mean(self.score_samples(X)))

    def transform(self, X):
        """The posterior means E[z | x] = M^-1 W^T (x - mu), shape (n, q)."""
        check_fitted(self, "mean_")
        X = as_data_matrix(X, n_features=self.n_features_in_)
        M = self.W_.T @ self.W_ + self.noise_variance_ * np.eye(self.W_.shape[1])
        return np.linalg.solve(M, ((X - self.mean_) @ self.W_).T).T

    def sample(self, n_samples=1, rng=None):
        """Draw x = W z + mu + sigma eps with z, eps standard normal; (n, d).

        ``rng``: a Generator or an int seed (same seed, same samples).
        """
        check_fitted(self, "mean_")
        n_samples = check_int(n_samples, "n_samples")
        rng = as_generator(rng)
        d, q = self.W_.shape
        z = rng.standard_normal((n_samples, q))
        eps = rng.standard_normal((n_samples, d))
        return z @ self.W_.T + self.mean_ + np.sqrt(self.noise_variance_) * eps

    def __repr__(self):
        return f"ProbabilisticPCA(n_components={self.n_components})"
