"""A multivariate Gaussian fitted by maximum likelihood: by gradient descent on
unconstrained parameters, or in closed form.

Unconstrained parameters (any real values give a valid Gaussian):

- ``full``: mean mu (d,), and the precision Cholesky factor P (Sigma^-1 = P P^T)
  built from its d(d-1)/2 entries below the diagonal and the logs of its d
  diagonal entries (so P_ii = exp(.) > 0);
- ``diag``: mu and the log-variances log sigma_j^2 (d,);
- ``spherical``: mu and one log-variance (1,).

log p(x) is ``log_density.gaussian_log_prob``. The closed form (``closed_form``
module) is the sample mean and the 1/n sample covariance; the gradient fit
should reach it (tested).
"""
import warnings

import numpy as np

from scratchgen import autodiff
from scratchgen.density._checks import (COVARIANCE_TYPES, ConvergenceWarning,
                                        as_generator, check_choice, check_fitted,
                                        check_int, check_not_singular, check_positive,
                                        check_X)
from scratchgen.density.closed_form import gaussian_mle
from scratchgen.density.log_density import gaussian_log_prob, lower_triangular
from scratchgen.density.mle import as_parameters, fit_mle

__all__ = ["Gaussian"]


class Gaussian:
    """Multivariate normal N(mu, Sigma) fitted by maximum likelihood.

    covariance_type: 'full', 'diag' or 'spherical'.
    method: 'gradient' (Adam on the mean NLL, see ``fit_mle``) or
        'closed_form' (sample mean and 1/n covariance).
    lr, max_iter, tol, optimizer, batch_size: passed to ``fit_mle`` (gradient
        only; ``batch_size=None`` uses all rows at every step).
    rng: Generator or int seed; the gradient fit starts at a random data point.

    Fitted attributes (scikit-learn style): ``mean_`` (d,), ``covariance_``
    (d, d) (always a full matrix, diagonal for 'diag'/'spherical'),
    ``n_features_in_``, ``history_`` (mean log-likelihood per iteration; empty
    for the closed form), ``n_iter_``, ``converged_``.

    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> g = Gaussian(method="closed_form").fit(X)
    >>> g.score(X) > -3.0
    True
    """

    def __init__(self, covariance_type="full", method="gradient", lr=0.05,
                 max_iter=2000, tol=1e-8, optimizer="adam", batch_size=None, rng=None):
        self.covariance_type = check_choice(covariance_type, "covariance_type",
                                            COVARIANCE_TYPES)
        self.method = check_choice(method, "method", ("gradient", "closed_form"))
        self.lr = check_positive(lr, "lr")
        self.max_iter = check_int(max_iter, "max_iter")
        self.tol = check_positive(tol, "tol", allow_zero=True)
        self.optimizer = optimizer
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size")
        self.rng = rng
        self.mean_ = None

    # ----------------------------------------------------------- parameters
    def parameters(self):
        """The unconstrained Tensors (requires_grad=True) that define the model."""
        return list(self._params.values())

    def _set_params(self, mean, covariance):
        """Set the unconstrained parameters from a mean and a covariance."""
        d = len(mean)
        params = {"mean": mean}
        if self.covariance_type == "full":
            P = np.linalg.cholesky(np.linalg.inv(covariance))
            params["off_diagonal"] = P[np.tril_indices(d, k=-1)]
            params["log_diagonal"] = np.log(np.diag(P))
        elif self.covariance_type == "diag":
            params["log_var"] = np.log(np.diag(covariance))
        else:
            params["log_var"] = np.log(np.diag(covariance)[:1])
        self._params = as_parameters(params)

    def precision_cholesky(self):
        """P as a Tensor: (d, d) lower-triangular for 'full', (d,) or (1,) the
        diagonal 1/sigma otherwise; Sigma^-1 = P P^T."""
        p = self._params
        if self.covariance_type == "full":
            return lower_triangular(p["off_diagonal"], p["log_diagonal"])
        return autodiff.exp(-0.5 * p["log_var"])

    def log_prob(self, x):
        """log N(x | mu, Sigma) per row: Tensor (n, d) -> Tensor (n,),
        differentiable with respect to ``x`` and the parameters."""
        check_fitted(self, "_params")
        return gaussian_log_prob(x, self._params["mean"], self.precision_cholesky())

    # ------------------------------------------------------------------ fit
    def fit(self, X):
        """Fit to X (n, d) by maximum likelihood; returns self."""
        X = check_X(X, min_samples=2)
        mean, cov = gaussian_mle(X, self.covariance_type)
        check_not_singular(X, cov, self.covariance_type)
        if self.method == "closed_form":
            self._set_params(mean, cov)
            self.history_, self.n_iter_, self.converged_ = np.array([]), 0, True
        else:
            self._fit_gradient(X)
        self._store_fitted(X.shape[1])
        return self

    def _fit_gradient(self, X):
        rng = as_generator(self.rng)
        # Start at a random data point with unit-free spread: the gradient,
        # not the initialisation, finds the mean and the covariance.
        start_mean = X[rng.integers(len(X))]
        self._set_params(start_mean, np.eye(X.shape[1]) * X.var())
        result = fit_mle(self.log_prob, self.parameters(), X, optimizer=self.optimizer,
                         lr=self.lr, max_iter=self.max_iter, tol=self.tol,
                         batch_size=self.batch_size, rng=rng)
        self.history_, self.n_iter_ = result.history, result.n_iter
        self.converged_ = result.converged
        if not result.converged:
            warnings.warn(
                f"Gaussian: gradient MLE did not converge in max_iter="
                f"{self.max_iter} iterations (last change of the mean "
                f"log-likelihood > tol={self.tol}); increase max_iter or lr",
                ConvergenceWarning, stacklevel=3)

    def _store_fitted(self, d):
        with autodiff.no_grad():
            P = self.precision_cholesky().data
        self.mean_ = self._params["mean"].data.copy()
        if self.covariance_type == "full":
            self.covariance_ = np.linalg.inv(P @ P.T)
        else:
            self.covariance_ = np.diag(np.broadcast_to(1.0 / P ** 2, (d,)))
        self.n_features_in_ = d

    # -------------------------------------------------------------- scoring
    def score_samples(self, X):
        """log p(x) for each row of X (n, d): ndarray (n,)."""
        check_fitted(self, "mean_")
        X = check_X(X, n_features=self.n_features_in_)
        with autodiff.no_grad():
            return self.log_prob(autodiff.tensor(X)).data.copy()

    def score(self, X):
        """Mean log-likelihood (1/n) sum_i log p(x_i)."""
        return float(self.score_samples(X).mean())

    def sample(self, n_samples=1, rng=None):
        """Draw ``n_samples`` rows x = mu + A z, A A^T = Sigma, z ~ N(0, I)."""
        check_fitted(self, "mean_")
        n_samples = check_int(n_samples, "n_samples")
        rng = as_generator(rng)
        A = np.linalg.cholesky(self.covariance_)
        z = rng.standard_normal((n_samples, self.n_features_in_))
        return self.mean_ + z @ A.T
