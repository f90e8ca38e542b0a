"""Gaussian and Gaussian-mixture log-densities written with autodiff ops.

We parameterise a Gaussian by its mean mu and a *precision Cholesky factor*
P, a lower-triangular matrix with positive diagonal and P P^T = Sigma^-1
(the Cholesky factor of the precision). Users of scikit-learn, note: its
``precisions_cholesky_`` plays the same role in the same formula but is the
*upper*-triangular U = inv(chol(Sigma))^T with U U^T = Sigma^-1, a different
matrix (not our P, nor P^T, unless Sigma is diagonal); to compare, check
P P^T against U U^T, or convert with ``np.linalg.inv(np.linalg.cholesky(Sigma)).T``. Then

    log N(x | mu, Sigma) = -d/2 log(2 pi) + sum_i log P_ii - 1/2 ||P^T (x - mu)||^2

because log det Sigma^-1 = 2 sum_i log P_ii and
(x - mu)^T Sigma^-1 (x - mu) = ||P^T (x - mu)||^2. Only matmuls, no solve:
every op has a gradient (and a second derivative) in the autodiff.

Diagonal and spherical covariances use the diagonal of P only: ``prec_chol``
of shape (d,) (one 1/sigma per feature) or (1,) (one 1/sigma for all).

Shapes: x (n, d); a mixture has K components, means (K, d) and prec_chols
(K, d, d) full, (K, d) diagonal or (K, 1) spherical.
"""
import math

import numpy as np

from scratchgen import autodiff

__all__ = ["gaussian_log_prob", "mixture_log_prob", "component_log_probs",
           "lower_triangular", "n_tril"]

_LOG_2PI = math.log(2.0 * math.pi)


def component_log_probs(x, means, prec_chols):
    """log N(x_j | mu_k, (P_k P_k^T)^-1) for every component k and row j.

    x: Tensor (n, d); means: Tensor (K, d); prec_chols: Tensor (K, d, d)
    lower-triangular, (K, d) diagonal or (K, 1) spherical.
    Returns a Tensor (K, n).
    """
    d = x.shape[-1]
    diff = x.expand_dims(0) - means.expand_dims(1)              # (K, n, d)
    if prec_chols.ndim == 3:
        y = diff @ prec_chols                                    # rows (x - mu)^T P
        diag = prec_chols[:, np.arange(d), np.arange(d)]         # (K, d)
        log_det = autodiff.log(autodiff.abs(diag)).sum(axis=-1)              # (K,)
    else:
        y = diff * prec_chols.expand_dims(1)                     # (K, n, d) or bcast
        # a spherical P = p I has log det = d log p
        log_det = autodiff.log(autodiff.abs(prec_chols)).sum(axis=-1) * (d / prec_chols.shape[-1])
    return -0.5 * d * _LOG_2PI + log_det.expand_dims(-1) - 0.5 * (y * y).sum(axis=-1)


def gaussian_log_prob(x, mean, prec_chol):
    """log N(x | mean, Sigma) with Sigma^-1 = P P^T, per row of ``x``.

    x: Tensor (n, d); mean: Tensor (d,); prec_chol P: Tensor (d, d)
    lower-triangular, or (d,) / (1,) for diagonal / spherical Sigma.
    Returns a Tensor (n,):

        -d/2 log(2 pi) + sum_i log |P_ii| - 1/2 ||P^T (x - mean)||^2
    """
    d = x.shape[-1]
    # BEGIN SOLUTION task=density.gaussian_log_prob
    diff = x - mean                                              # (n, d)
    if prec_chol.ndim == 2:
        y = diff @ prec_chol                                     # row j: (x_j - mu)^T P
        log_det = autodiff.log(autodiff.abs(prec_chol[np.arange(d), np.arange(d)])).sum()
    else:
        y = diff * prec_chol
        log_det = autodiff.log(autodiff.abs(prec_chol)).sum() * (d / prec_chol.shape[-1])
    log_prob = -0.5 * d * _LOG_2PI + log_det - 0.5 * (y * y).sum(axis=-1)
    # END SOLUTION
    return log_prob


def mixture_log_prob(x, logits, means, prec_chols):
    """log p(x) = logsumexp_k [log pi_k + log N(x | mu_k, Sigma_k)], per row.

    x: Tensor (n, d); logits: Tensor (K,), pi = softmax(logits);
    means: Tensor (K, d); prec_chols: see ``component_log_probs``.
    Returns a Tensor (n,). The log-sum-exp keeps it finite even where every
    component density underflows.
    """
    # BEGIN SOLUTION task=density.mixture_log_prob
    log_weights = autodiff.log_softmax(logits, axis=-1)                # (K,)
    joint = log_weights.expand_dims(-1) + component_log_probs(x, means, prec_chols)
    log_prob = autodiff.logsumexp(joint, axis=0)                       # (n,)
    # END SOLUTION
    return log_prob


def n_tril(d):
    """Number of entries strictly below the diagonal of a d x d matrix."""
    return d * (d - 1) // 2


def _scatter_matrices(d):
    rows, cols = np.tril_indices(d, k=-1)
    off = np.zeros((n_tril(d), d * d))
    off[np.arange(n_tril(d)), rows * d + cols] = 1.0
    diag = np.zeros((d, d * d))
    diag[np.arange(d), np.arange(d) * (d + 1)] = 1.0
    return off, diag


def lower_triangular(off_diagonal, log_diagonal):
    """Lower-triangular matrices with a positive diagonal, from free parameters.

    off_diagonal: Tensor (..., d(d-1)/2), the entries below the diagonal in
    ``numpy.tril_indices(d, -1)`` order; log_diagonal: Tensor (..., d).
    Returns L (..., d, d) with L_ii = exp(log_diagonal_i).
    Placing entries with a constant 0/1 matrix (a matmul) keeps this
    differentiable to any order without an indexed assignment.
    """
    d = log_diagonal.shape[-1]
    off, diag = _scatter_matrices(d)
    dtype = log_diagonal.dtype
    flat = off_diagonal @ autodiff.tensor(off.astype(dtype)) + \
        autodiff.exp(log_diagonal) @ autodiff.tensor(diag.astype(dtype))
    return flat.reshape(tuple(log_diagonal.shape[:-1]) + (d, d))
