"""A Gaussian mixture p(x) = sum_k pi_k N(x | mu_k, Sigma_k) fitted by maximum
likelihood: by gradient descent on unconstrained parameters, or by EM.

Unconstrained parameters: logits (K,) with pi = softmax(logits); means
(K, d); for 'full' covariances the precision Cholesky factors P_k (entries
below the diagonal and log-diagonal), for 'diag' the log-variances (K, d).
log p(x) is ``log_density.mixture_log_prob``, a log-sum-exp over components.

The likelihood of a mixture has many local maxima (and is unbounded when a
component shrinks onto one point), so the start matters: each of ``n_init``
restarts places the means by k-means++ (or at random data points), assigns
every point to its nearest mean and takes one closed-form M-step; the
restart with the best mean log-likelihood is kept, as in scikit-learn.
"""
import warnings

import numpy as np

from scratchgen import autodiff
from scratchgen.density._checks import (ConvergenceWarning, as_generator, check_choice,
                                        check_fitted, check_int, check_not_singular,
                                        check_positive, check_X)
from scratchgen.density.closed_form import em_step, gaussian_mle, m_step, precision_cholesky
from scratchgen.density.kmeans_init import kmeans_plusplus, nearest_center, random_from_data
from scratchgen.density.log_density import (component_log_probs, lower_triangular,
                                            mixture_log_prob)
from scratchgen.density.mle import as_parameters, fit_mle

__all__ = ["GaussianMixture"]

_DEFAULTS = {"em": {"max_iter": 100, "tol": 1e-3}, "gradient": {"max_iter": 1000, "tol": 1e-6}}


class GaussianMixture:
    """Mixture of K Gaussians, fitted by gradient MLE (default) or EM.

    n_components: K (<= n_samples). covariance_type: 'full' or 'diag'.
    method: 'gradient' (Adam on the mean NLL via ``fit_mle``) or 'em'.
    n_init: restarts; the one with the highest mean log-likelihood is kept.
    init: 'kmeans++' or 'random' (distinct random data points) for the means.
    max_iter, tol: stop when the mean log-likelihood changes by less than
        ``tol`` between iterations; defaults 100 and 1e-3 for EM (as in
        scikit-learn), 1000 and 1e-6 for the gradient (Adam's steps are smaller).
    lr, optimizer, batch_size: for the gradient method (``fit_mle``;
        None = full batch). reg_covar: added to the diagonal
        of covariances in the initialisation and in EM's M-step.
    rng: Generator or int seed for the initialisation.

    Fitted attributes (scikit-learn names and shapes): ``weights_`` (K,),
    ``means_`` (K, d), ``covariances_`` (K, d, d) full / (K, d) diag,
    ``precisions_cholesky_`` (K, d, d) *lower*-triangular P_k with
    P_k P_k^T = Sigma_k^-1 (scikit-learn's is the upper-triangular
    inv(chol(Sigma_k))^T: same precision, different factor; see
    ``log_density``), (K, d) for 'diag', ``converged_``, ``n_iter_``, ``lower_bound_``
    (final mean log-likelihood of the kept restart), ``history_`` (its mean
    log-likelihood per iteration), ``n_features_in_``.
    """

    def __init__(self, n_components=1, covariance_type="full", method="gradient",
                 n_init=1, init="kmeans++", max_iter=None, tol=None, lr=0.05,
                 optimizer="adam", batch_size=None, reg_covar=1e-6, rng=None):
        self.n_components = check_int(n_components, "n_components")
        self.covariance_type = check_choice(covariance_type, "covariance_type",
                                            ("full", "diag"))
        self.method = check_choice(method, "method", ("gradient", "em"))
        self.n_init = check_int(n_init, "n_init")
        self.init = check_choice(init, "init", ("kmeans++", "random"))
        defaults = _DEFAULTS[self.method]
        self.max_iter = check_int(defaults["max_iter"] if max_iter is None else max_iter,
                                  "max_iter")
        self.tol = check_positive(defaults["tol"] if tol is None else tol, "tol",
                                  allow_zero=True)
        self.lr = check_positive(lr, "lr")
        self.optimizer = optimizer
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size")
        self.reg_covar = check_positive(reg_covar, "reg_covar", allow_zero=True)
        self.rng = rng
        self.weights_ = None

    # ----------------------------------------------------------- parameters
    def parameters(self):
        """The unconstrained Tensors (requires_grad=True) that define the model."""
        return list(self._params.values())

    def _set_params(self, weights, means, covariances):
        params = {"logits": np.log(weights), "means": means}
        if self.covariance_type == "full":
            P = precision_cholesky(covariances, "full")
            rows, cols = np.tril_indices(means.shape[1], k=-1)
            params["off_diagonal"] = P[:, rows, cols]
            params["log_diagonal"] = np.log(np.diagonal(P, axis1=1, axis2=2))
        else:
            params["log_var"] = np.log(covariances)
        self._params = as_parameters(params)

    def _get_params(self):
        """(weights, means, covariances) as arrays from the Tensors."""
        with autodiff.no_grad():
            weights = autodiff.softmax(self._params["logits"]).data.copy()
            P = self.precision_cholesky().data
        means = self._params["means"].data.copy()
        if self.covariance_type == "full":
            covs = np.linalg.inv(P @ np.swapaxes(P, 1, 2))
        else:
            covs = 1.0 / P ** 2
        return weights, means, covs

    def precision_cholesky(self):
        """P_k as a Tensor: (K, d, d) lower-triangular, or (K, d) for 'diag'."""
        p = self._params
        if self.covariance_type == "full":
            return lower_triangular(p["off_diagonal"], p["log_diagonal"])
        return autodiff.exp(-0.5 * p["log_var"])

    def log_prob(self, x):
        """log p(x) per row: Tensor (n, d) -> Tensor (n,), differentiable."""
        check_fitted(self, "_params")
        return mixture_log_prob(x, self._params["logits"], self._params["means"],
                                self.precision_cholesky())

    # ------------------------------------------------------------------ fit
    def fit(self, X):
        """Fit to X (n, d) with ``n_init`` restarts; returns self."""
        X = check_X(X)
        if self.n_components > len(X):
            raise ValueError(f"n_components={self.n_components} must be <= "
                             f"n_samples={len(X)}")
        # The same refusal as Gaussian.fit: if the data as a whole is degenerate, every
        # component is, and only reg_covar keeps the likelihood finite.
        check_not_singular(X, gaussian_mle(X, self.covariance_type)[1], self.covariance_type)
        rng = as_generator(self.rng)
        best = None
        for _ in range(self.n_init):
            run = self._fit_once(X, rng)
            if best is None or run["lower_bound"] > best["lower_bound"]:
                best = run
        self._params = best["params"]
        self.converged_, self.n_iter_ = best["converged"], best["n_iter"]
        self.history_, self.lower_bound_ = best["history"], best["lower_bound"]
        self.weights_, self.means_, self.covariances_ = self._get_params()
        with autodiff.no_grad():
            self.precisions_cholesky_ = self.precision_cholesky().data.copy()
        self.n_features_in_ = X.shape[1]
        if not self.converged_:
            warnings.warn(
                f"GaussianMixture ({self.method}): the best of n_init={self.n_init} "
                f"restarts did not converge in max_iter={self.max_iter} iterations "
                f"(change of the mean log-likelihood still > tol={self.tol}); "
                f"increase max_iter, tol or lr", ConvergenceWarning, stacklevel=2)
        self._warn_if_collapsed()
        return self

    def _warn_if_collapsed(self):
        """Warn when a component sits on a few (duplicate) points: its covariance is at the
        reg_covar floor, where only the regulariser keeps the likelihood finite."""
        covs = self.covariances_
        smallest = (np.linalg.eigvalsh(covs).min(axis=1) if self.covariance_type == "full"
                    else covs.min(axis=1))
        collapsed = np.flatnonzero(smallest <= 10 * self.reg_covar)
        if len(collapsed):
            warnings.warn(
                f"GaussianMixture: component(s) {collapsed.tolist()} collapsed onto a few points "
                f"(duplicate points?): smallest covariance eigenvalue {smallest[collapsed].min():.3g} "
                f"<= 10 * reg_covar; the fit is degenerate. Remove duplicate points, use fewer "
                f"components or a larger reg_covar", UserWarning, stacklevel=3)

    def _initial_params(self, X, rng):
        """Means by k-means++ / random points, then one hard-assignment M-step."""
        pick = kmeans_plusplus if self.init == "kmeans++" else random_from_data
        centers = pick(X, self.n_components, rng)
        resp = np.eye(self.n_components)[nearest_center(X, centers)]
        weights, means, covs = m_step(X, resp, self.covariance_type, self.reg_covar)
        # A component with fewer than 2 points has no spread: give it the
        # data's variance instead of a near-zero (near-infinite density) one.
        thin = resp.sum(axis=0) < 2
        if np.any(thin):
            spread = X.var(axis=0) + self.reg_covar
            covs[thin] = np.diag(spread) if self.covariance_type == "full" else spread
        return weights, means, covs

    def _fit_once(self, X, rng):
        weights, means, covs = self._initial_params(X, rng)
        if self.method == "em":
            history, converged = [], False
            for _ in range(self.max_iter):
                weights, means, covs, ll = em_step(X, weights, means, covs,
                                                   self.covariance_type, self.reg_covar)
                history.append(ll)
                if len(history) > 1 and abs(history[-1] - history[-2]) < self.tol:
                    converged = True
                    break
            self._set_params(weights, means, covs)
            with autodiff.no_grad():
                final = float(self.log_prob(autodiff.tensor(X)).data.mean())
            n_iter = len(history)
        else:
            self._set_params(weights, means, covs)
            result = fit_mle(self.log_prob, self.parameters(), X, optimizer=self.optimizer,
                             lr=self.lr, max_iter=self.max_iter, tol=self.tol,
                             batch_size=self.batch_size, rng=rng)
            history, converged = result.history, result.converged
            final, n_iter = result.log_likelihood, result.n_iter
        return {"params": self._params, "history": np.asarray(history),
                "converged": converged, "n_iter": n_iter, "lower_bound": final}

    # -------------------------------------------------------------- scoring
    def _joint(self, X):
        """log pi_k + log N(x_i | mu_k, Sigma_k), ndarray (n, K)."""
        check_fitted(self, "weights_")
        X = check_X(X, n_features=self.n_features_in_)
        with autodiff.no_grad():
            comp = component_log_probs(autodiff.tensor(X), self._params["means"],
                                       self.precision_cholesky()).data
            log_w = autodiff.log_softmax(self._params["logits"]).data
        return comp.T + log_w

    def score_samples(self, X):
        """log p(x) for each row of X (n, d): ndarray (n,)."""
        joint = self._joint(X)
        top = joint.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(joint - top).sum(axis=1, keepdims=True)))[:, 0]

    def score(self, X):
        """Mean log-likelihood (1/n) sum_i log p(x_i)."""
        return float(self.score_samples(X).mean())

    def predict_proba(self, X):
        """Responsibilities p(k | x_i), ndarray (n, K); rows sum to 1."""
        joint = self._joint(X)
        joint -= joint.max(axis=1, keepdims=True)
        resp = np.exp(joint)
        return resp / resp.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable component of each row, ndarray (n,) of ints."""
        return np.argmax(self._joint(X), axis=1)

    def n_parameters(self):
        """Free parameters: (K - 1) weights, K d means, covariance entries."""
        k, d = self.n_components, self.n_features_in_
        cov = k * d * (d + 1) // 2 if self.covariance_type == "full" else k * d
        return (k - 1) + k * d + cov

    def bic(self, X):
        """Bayesian information criterion -2 log L + p log n (lower is better)."""
        X = check_X(X, n_features=self.n_features_in_)
        return -2 * self.score(X) * len(X) + self.n_parameters() * np.log(len(X))

    def sample(self, n_samples=1, rng=None, return_labels=False):
        """Draw rows: a component k ~ pi, then x ~ N(mu_k, Sigma_k).

        Returns X (n_samples, d), and the component labels (n_samples,) when
        ``return_labels`` (scikit-learn's ``sample`` returns both always).
        """
        check_fitted(self, "weights_")
        n_samples = check_int(n_samples, "n_samples")
        rng = as_generator(rng)
        labels = rng.choice(self.n_components, size=n_samples, p=self.weights_)
        z = rng.standard_normal((n_samples, self.n_features_in_))
        if self.covariance_type == "full":
            A = np.linalg.cholesky(self.covariances_)            # (K, d, d)
            X = self.means_[labels] + np.einsum("nij,nj->ni", A[labels], z)
        else:
            X = self.means_[labels] + np.sqrt(self.covariances_[labels]) * z
        return (X, labels) if return_labels else X
