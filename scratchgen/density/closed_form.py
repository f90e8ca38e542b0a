"""Closed-form maximum-likelihood estimates (NumPy), and the EM algorithm.

A single Gaussian has a closed-form MLE:

    mu_hat = (1/n) sum_i x_i,   Sigma_hat = (1/n) sum_i (x_i - mu_hat)(x_i - mu_hat)^T

(note 1/n, not 1/(n-1)); diagonal: the per-feature variances; spherical: the
mean of those variances. A mixture has none, but EM (Dempster, Laird &
Rubin 1977) alternates two closed-form steps that never decrease the
likelihood:

    E-step: r_ik = pi_k N(x_i | mu_k, Sigma_k) / sum_j pi_j N(x_i | mu_j, Sigma_j)
    M-step: N_k = sum_i r_ik,  pi_k = N_k / n,  mu_k = (1/N_k) sum_i r_ik x_i,
            Sigma_k = (1/N_k) sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T + reg I

(Bishop, Pattern Recognition and Machine Learning, sec. 9.2.2).
"""
import numpy as np

from scratchgen import autodiff
from scratchgen.density.log_density import component_log_probs

__all__ = ["gaussian_mle", "m_step", "e_step", "em_step", "precision_cholesky"]


def gaussian_mle(X, covariance_type="full"):
    """Closed-form MLE of one Gaussian: (mean (d,), covariance (d, d))."""
    mean = X.mean(axis=0)
    centred = X - mean
    if covariance_type == "full":
        cov = centred.T @ centred / len(X)
    elif covariance_type == "diag":
        cov = np.diag((centred ** 2).mean(axis=0))
    else:
        cov = np.eye(X.shape[1]) * (centred ** 2).mean()
    return mean, cov


def precision_cholesky(covariances, covariance_type):
    """P with P P^T = Sigma^-1, lower-triangular: (K, d, d), or (K, d) diag.

    Full: P = cholesky(Sigma^-1). Diagonal: 1/sqrt(variances).
    """
    if covariance_type == "full":
        return np.linalg.cholesky(np.linalg.inv(covariances))
    return 1.0 / np.sqrt(covariances)


def m_step(X, resp, covariance_type="full", reg_covar=1e-6):
    """Weights (K,), means (K, d), covariances ((K, d, d) full or (K, d) diag)
    maximising sum_ik r_ik log(pi_k N(x_i | mu_k, Sigma_k)) for fixed r."""
    # BEGIN SOLUTION task=density.em_step
    nk = resp.sum(axis=0) + 10 * np.finfo(X.dtype).eps   # (K,), never 0
    weights = nk / len(X)
    means = resp.T @ X / nk[:, None]
    diff = X[None, :, :] - means[:, None, :]              # (K, n, d)
    if covariance_type == "full":
        covs = np.einsum("nk,kni,knj->kij", resp, diff, diff) / nk[:, None, None]
        covs += reg_covar * np.eye(X.shape[1])
    else:
        covs = np.einsum("nk,kni->ki", resp, diff ** 2) / nk[:, None] + reg_covar
    # END SOLUTION
    return weights, means, covs


def e_step(X, weights, means, covariances, covariance_type="full"):
    """Responsibilities r (n, K) and the mean log-likelihood (1/n) sum log p(x_i)."""
    prec = precision_cholesky(covariances, covariance_type)
    with autodiff.no_grad():
        comp = component_log_probs(autodiff.tensor(X), autodiff.tensor(means), autodiff.tensor(prec)).data
    joint = comp.T + np.log(weights)                      # (n, K)
    top = joint.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.exp(joint - top).sum(axis=1, keepdims=True))
    return np.exp(joint - log_norm), float(log_norm.mean())


def em_step(X, weights, means, covariances, covariance_type="full", reg_covar=1e-6):
    """One EM iteration. Returns (weights, means, covariances, mean_log_lik),
    the log-likelihood being that of the parameters *before* the step."""
    resp, mean_log_lik = e_step(X, weights, means, covariances, covariance_type)
    weights, means, covariances = m_step(X, resp, covariance_type, reg_covar)
    return weights, means, covariances, mean_log_lik
