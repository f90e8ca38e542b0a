"""Target densities for demos, tests and benchmarks, each in two forms.

* the 8-Gaussian ring in 2-D (``datasets.ring`` with its "mcmc" preset:
  radius 2, std 0.25): an equal-weight mixture of K isotropic normals
  N(mu_k, std^2 I) with mu_k = radius (cos 2 pi k / K, sin 2 pi k / K):

      log p(x) = logsumexp_k(-|x - mu_k|^2 / (2 std^2)) - log K - log(2 pi std^2)

  Exact mean 0 and covariance (radius^2 / 2 + std^2) I (for K >= 3).
* the banana (twisted Gaussian) of Haario, Saksman and Tamminen (1999), any dim >= 2:

      y_1 = x_1 / scale,  y_2 = x_2 + curvature (x_1^2 - scale^2),  y_k = x_k (k > 2),
      log p(x) = -|y|^2 / 2 - (d/2) log(2 pi) - log(scale)

  (y ~ N(0, I) and the map x -> y has Jacobian determinant 1 / scale).
* a Gaussian N(mean, covariance):

      log p(x) = -|L^-1 (x - mean)|^2 / 2 - sum_i log L_ii - (d/2) log(2 pi),

  L the lower Cholesky factor of the covariance.

Each factory gives either a function of one point, x (dim,) -> float, or,
with ``vectorized=True``, a NumPy function of a batch, X (n, dim) -> (n,).
The point form is compiled with ``numba.njit`` (for the Numba engine; its
``py_func`` is the plain twin) when the kernel backend is "numba", and is the
plain Python function under ``SCRATCHGEN_KERNELS=numpy`` (no Numba import).
"""
import math

import numpy as np

from scratchgen.datasets.toy2d import RING_PRESETS, ring, ring_centers
from scratchgen.mcmc.engine_numba import numba_if_enabled
from scratchgen.validation import check_positive

__all__ = ["ring_log_prob", "ring_log_prob_vectorized", "make_ring_log_prob", "ring_means",
           "ring_sample", "ring_covariance", "make_gaussian_log_prob", "make_banana_log_prob",
           "compile_point_function"]

# The ring is defined once, in scratchgen.datasets; this is its "mcmc" preset.
RING_N_MODES = RING_PRESETS["mcmc"]["n_modes"]
RING_RADIUS = RING_PRESETS["mcmc"]["radius"]
RING_STD = RING_PRESETS["mcmc"]["std"]


def compile_point_function(fn):
    """``numba.njit(cache=True)(fn)`` under the "numba" kernel backend, else ``fn`` itself."""
    numba = numba_if_enabled()
    return fn if numba is None else numba.njit(cache=True)(fn)


def ring_means(n_modes=RING_N_MODES, radius=RING_RADIUS):
    """(n_modes, 2) component means on a circle of the given radius (``datasets.ring_centers``)."""
    return ring_centers(n_modes, radius)


def ring_covariance(n_modes=RING_N_MODES, radius=RING_RADIUS, std=RING_STD):
    """Exact covariance of the ring mixture, (radius^2 / 2 + std^2) I_2 (n_modes >= 3)."""
    return (radius ** 2 / 2.0 + std ** 2) * np.eye(2)


def ring_sample(n, rng, n_modes=RING_N_MODES, radius=RING_RADIUS, std=RING_STD):
    """n exact draws from the ring mixture, (n, 2): pick a mode, add N(0, std^2 I) (``datasets.ring``)."""
    return ring(n, n_modes, radius, std, rng=rng)


def make_ring_log_prob(n_modes=RING_N_MODES, radius=RING_RADIUS, std=RING_STD, vectorized=False):
    """log p of the ring mixture: Numba x (2,) -> float, or NumPy X (n, 2) -> (n,)."""
    means = ring_means(n_modes, radius)
    inv_two_var = 1.0 / (2.0 * std * std)
    log_norm = math.log(n_modes) + math.log(2.0 * math.pi * std * std)

    if vectorized:
        def ring_log_prob_batch(x):
            sq = np.sum((x[:, None, :] - means[None, :, :]) ** 2, axis=-1)  # (n, K)
            e = -sq * inv_two_var
            top = e.max(axis=1)
            return top + np.log(np.exp(e - top[:, None]).sum(axis=1)) - log_norm
        return ring_log_prob_batch

    def ring_log_prob_point(x):
        # logsumexp over the modes, written as loops (no temporaries).
        top = -np.inf
        for k in range(means.shape[0]):
            d0, d1 = x[0] - means[k, 0], x[1] - means[k, 1]
            top = max(top, -(d0 * d0 + d1 * d1) * inv_two_var)
        total = 0.0
        for k in range(means.shape[0]):
            d0, d1 = x[0] - means[k, 0], x[1] - means[k, 1]
            total += math.exp(-(d0 * d0 + d1 * d1) * inv_two_var - top)
        return top + math.log(total) - log_norm  # math: libm, the same compiled or not
    return compile_point_function(ring_log_prob_point)


ring_log_prob = make_ring_log_prob()
ring_log_prob_vectorized = make_ring_log_prob(vectorized=True)


def make_gaussian_log_prob(mean, covariance, vectorized=False):
    """log N(x; mean, covariance): Numba x (dim,) -> float, or NumPy X (n, dim) -> (n,)."""
    mean = np.ascontiguousarray(mean, dtype=np.float64)
    covariance = np.asarray(covariance, dtype=np.float64)
    dim = mean.shape[0]
    if mean.ndim != 1 or covariance.shape != (dim, dim):
        raise ValueError(f"make_gaussian_log_prob: mean must be (dim,) and covariance (dim, dim), got "
                         f"{mean.shape} and {covariance.shape}")
    lower = np.linalg.cholesky(covariance)
    # L^-1 once, so that each evaluation is a triangular matrix-vector product
    # (independent rows pipeline well) instead of a forward substitution.
    inv_lower = np.ascontiguousarray(np.tril(np.linalg.inv(lower)))
    log_norm = float(np.sum(np.log(np.diag(lower))) + 0.5 * dim * math.log(2.0 * math.pi))

    if vectorized:
        def gaussian_log_prob_batch(x):
            y = (x - mean) @ inv_lower.T  # rows y = L^-1 (x - mean): |y|^2 = Mahalanobis^2
            return -0.5 * np.sum(y * y, axis=1) - log_norm
        return gaussian_log_prob_batch

    # Column k of L^-1, stored as row k: the product below is then a sequence of
    # axpy updates y[k:] += L^-1[k:, k] * diff[k] over contiguous memory, which
    # the compiler vectorises (a dot-product loop would be a serial FP reduction).
    inv_lower_columns = np.ascontiguousarray(inv_lower.T)

    def gaussian_log_prob_point(x):
        y = np.zeros(dim)
        for k in range(dim):
            diff_k = x[k] - mean[k]
            for i in range(k, dim):
                y[i] += inv_lower_columns[k, i] * diff_k
        quad = 0.0
        for i in range(dim):
            quad += y[i] * y[i]
        return -0.5 * quad - log_norm
    return compile_point_function(gaussian_log_prob_point)


def make_banana_log_prob(curvature=0.5, scale=2.0, vectorized=False):
    """log p of the banana (module docstring): point x (dim,) -> float, or X (n, dim) -> (n,).

    dim >= 2; coordinates after the second are independent N(0, 1).
    """
    curvature = float(curvature)
    scale = check_positive(scale, "make_banana_log_prob: scale")
    shift = curvature * scale * scale
    log_scale = math.log(scale)
    half_log_two_pi = 0.5 * math.log(2.0 * math.pi)

    if vectorized:
        def banana_log_prob_batch(x):
            x = np.asarray(x, dtype=np.float64)
            y1 = x[:, 0] / scale
            y2 = x[:, 1] + (curvature * x[:, 0] * x[:, 0] - shift)
            quad = y1 * y1 + y2 * y2 + np.sum(x[:, 2:] * x[:, 2:], axis=1)
            return -0.5 * quad - x.shape[1] * half_log_two_pi - log_scale
        return banana_log_prob_batch

    def banana_log_prob_point(x):
        y1 = x[0] / scale
        y2 = x[1] + (curvature * x[0] * x[0] - shift)
        quad = y1 * y1 + y2 * y2
        for k in range(2, x.shape[0]):
            quad += x[k] * x[k]
        return -0.5 * quad - x.shape[0] * half_log_two_pi - log_scale
    return compile_point_function(banana_log_prob_point)
