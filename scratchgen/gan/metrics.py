"""Sample-based metrics for generative models.

NumPy, with the pairwise distances and log-sum-exp of ``scratchgen.kernels``
(a Numba kernel, or its NumPy twin under ``SCRATCHGEN_KERNELS=numpy``).

Mode collapse on mixtures of Gaussians (``mode_coverage``), as measured in
PacGAN (Lin et al. 2018, "PacGAN: the power of two samples in generative
adversarial networks", code github.com/fjxmlzn/PacGAN) and VEEGAN
(Srivastava et al. 2017):

* each sample goes to its nearest mode, in units of that mode's std:
  r(x) = min_k ||x - mu_k|| / std_k,  k(x) = argmin_k ||x - mu_k|| / std_k;
* a sample is *high quality* when r(x) < 3;
* a mode is *captured* when at least one high-quality sample goes to it;
* with c_k the number of high-quality samples of mode k and p_k = c_k / sum_j c_j,
  reverse KL = KL(p || uniform) = sum_{k: p_k > 0} p_k log(p_k K).
  It is 0 when the samples spread evenly and log K when all sit at one mode.

Mode collapse on data with a classifier (``class_coverage``): the same
counts and reverse KL with the classes predicted by a pre-trained classifier
(stacked MNIST in Metz et al. 2017, VEEGAN, PacGAN).

Parzen-window log-likelihood (``parzen_log_likelihood``), the estimate used
in Goodfellow et al. 2014, "Generative adversarial nets", Table 1, following
Breuleux et al. 2011: fit a Gaussian kernel density on generated samples and
report the mean log-density of test points; the bandwidth is chosen on a
validation set (``select_parzen_sigma``). It is a biased, high-variance
estimate in high dimension (Theis et al. 2016); use it for comparisons on
small problems only.

Metrics of images in a classifier's feature space (Frechet distance, the
MNIST analogue of FID; improved precision and recall) are in
``feature_metrics``; ``image_metrics`` reports all of them together with the
value on real held-out images.
"""
from dataclasses import asdict, dataclass

import numpy as np

from scratchgen.kernels import logsumexp_rows, pairwise_sq_distances

__all__ = [
    "ModeCoverage",
    "ClassCoverage",
    "mode_coverage",
    "class_coverage",
    "reverse_kl_to_uniform",
    "parzen_log_density",
    "parzen_log_likelihood",
    "select_parzen_sigma",
]

# Work on blocks of at most this many pairwise distances (8 bytes each: 32 MB).
_BLOCK_ELEMENTS = 2**22


@dataclass(frozen=True)
class ModeCoverage:
    """Result of ``mode_coverage``.

    modes_captured        : int, modes with at least one high-quality sample
    n_modes               : int, K
    high_quality_fraction : float, share of all samples that are high quality
    reverse_kl            : float, KL(p || uniform) over the K modes (nan if no
                            high-quality sample)
    counts                : int64 (K,), high-quality samples per mode
    assignments           : int64 (n,), the nearest mode of each sample, -1
                            for samples that are not high quality
    """

    modes_captured: int
    n_modes: int
    high_quality_fraction: float
    reverse_kl: float
    counts: np.ndarray
    assignments: np.ndarray

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class ClassCoverage:
    """Result of ``class_coverage``.

    classes_covered : int, classes predicted for at least one sample
    n_classes       : int
    reverse_kl      : float, KL(p || uniform) of the predicted class shares
    counts          : int64 (n_classes,), samples per predicted class
    """

    classes_covered: int
    n_classes: int
    reverse_kl: float
    counts: np.ndarray

    def to_dict(self):
        return asdict(self)


# --------------------------------------------------------------------------- helpers
def _as_points(x, name, dim=None):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} columns like the samples, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains nan or inf")
    return x


def _row_blocks(n_rows, n_cols):
    """Slices of rows so that each block has at most ~_BLOCK_ELEMENTS entries."""
    step = max(1, _BLOCK_ELEMENTS // max(1, n_cols))
    return [slice(i, min(i + step, n_rows)) for i in range(0, n_rows, step)]


def _per_mode_std(std, k):
    """``std`` as an array (k,) of finite numbers > 0 (a number is repeated)."""
    stds = np.asarray(std, dtype=np.float64)
    if stds.ndim > 1 or stds.size not in (1, k) or not np.all(np.isfinite(stds)) or np.any(stds <= 0):
        raise ValueError(f"std must be a number > 0 or {k} numbers > 0, got {std!r}")
    return np.broadcast_to(stds, (k,))


def reverse_kl_to_uniform(counts):
    """KL(p || uniform) = sum_{k: p_k > 0} p_k log(p_k K), p = counts / sum(counts).

    K = len(counts). Classes with p_k = 0 add nothing (0 log 0 = 0). When all
    counts are 0, p is undefined and the result is nan (PacGAN's code divides
    0 by 0 there too); check ``high_quality_fraction`` first.
    """
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if total == 0:
        return float("nan")
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(p * len(counts))))


# --------------------------------------------------------------------------- modes
def mode_coverage(samples, centers, std, threshold=3.0):
    """Modes captured, share of high-quality samples and reverse KL (PacGAN).

    Parameters
    ----------
    samples   : (n, d) generated points
    centers   : (K, d) the means of the true mixture (e.g. ``datasets.grid_centers()``)
    std       : the std of the mixture components, a number or one per mode (K,)
    threshold : a sample is high quality when its distance to the nearest
                mode, in stds of that mode, is < threshold (3 in PacGAN)

    Returns a ``ModeCoverage``; see the module docstring for the definitions.

    Helpers: ``pairwise_sq_distances(a, b)`` -> (n, m) squared distances; ``_row_blocks(n_rows,
    n_cols)`` -> slices of rows that bound the memory; ``reverse_kl_to_uniform(counts)`` -> KL(p
    || uniform).
    """
    centers = _as_points(centers, "centers")
    samples = _as_points(samples, "samples", dim=centers.shape[1])
    stds = _per_mode_std(std, len(centers))
    n, k = len(samples), len(centers)
    assignments = np.full(n, -1, dtype=np.int64)
    # BEGIN SOLUTION task=gan.mode_coverage
    for rows in _row_blocks(n, k):
        # Distance to every mode in units of that mode's std, then the nearest.
        scaled = np.sqrt(pairwise_sq_distances(samples[rows], centers)) / stds[None, :]
        nearest = np.argmin(scaled, axis=1)
        high_quality = scaled[np.arange(len(nearest)), nearest] < threshold
        assignments[rows] = np.where(high_quality, nearest, -1)
    counts = np.bincount(assignments[assignments >= 0], minlength=k).astype(np.int64)
    modes_captured = int(np.count_nonzero(counts))
    high_quality_fraction = float(counts.sum() / n) if n else 0.0
    reverse_kl = reverse_kl_to_uniform(counts)
    # END SOLUTION
    return ModeCoverage(
        modes_captured=modes_captured,
        n_modes=k,
        high_quality_fraction=high_quality_fraction,
        reverse_kl=reverse_kl,
        counts=counts,
        assignments=assignments,
    )


def class_coverage(samples, classifier, n_classes):
    """Classes covered and reverse KL of the predicted classes of ``samples``.

    ``classifier(samples)`` returns either class indices (n,) or scores
    (n, n_classes) -- logits or probabilities -- whose argmax is the class.
    (A scratchgen Tensor is fine: its ``.numpy()`` is used.)
    Returns a ``ClassCoverage`` with counts per class, the number of classes
    predicted at least once and KL(p || uniform) (see ``reverse_kl_to_uniform``).
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be an int >= 1, got {n_classes!r}")
    out = classifier(samples)
    out = np.asarray(out.numpy() if hasattr(out, "numpy") else out)
    if out.ndim == 2:
        if out.shape[1] != n_classes:
            raise ValueError(
                f"classifier returned scores of shape {out.shape}, expected (n, {n_classes})"
            )
        predicted = np.argmax(out, axis=1)
    elif out.ndim == 1:
        if not np.all(np.equal(np.mod(out, 1), 0)):
            raise ValueError("classifier returned a 1-D array that is not integer class indices")
        predicted = out.astype(np.int64)
    else:
        raise ValueError(f"classifier must return (n,) classes or (n, n_classes) scores, got shape {out.shape}")
    if predicted.size and (predicted.min() < 0 or predicted.max() >= n_classes):
        raise ValueError(
            f"classifier predicted classes in [{predicted.min()}, {predicted.max()}], "
            f"expected 0..{n_classes - 1}"
        )
    counts = np.bincount(predicted, minlength=n_classes).astype(np.int64)
    return ClassCoverage(
        classes_covered=int(np.count_nonzero(counts)),
        n_classes=int(n_classes),
        reverse_kl=reverse_kl_to_uniform(counts),
        counts=counts,
    )


# --------------------------------------------------------------------------- Parzen
def _check_sigma(sigma):
    sigma = float(sigma)
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a finite number > 0, got {sigma}")
    return sigma


def parzen_log_density(samples, X, sigma):
    """log p_hat(x) for each row of ``X``: a Gaussian kernel density on ``samples``.

    p_hat(x) = (1/N) sum_i N(x; s_i, sigma^2 I), so with d = dim:
    log p_hat(x) = logsumexp_i(-||x - s_i||^2 / (2 sigma^2)) - log N - (d/2) log(2 pi sigma^2)

    samples (N, d), X (M, d) -> (M,). Computed in blocks of rows of ``X``
    (bounded memory) with exact squared distances and a max-shifted
    log-sum-exp (``scratchgen.kernels``), so no exp under- or overflows.
    """
    samples = _as_points(samples, "samples")
    X = _as_points(X, "X", dim=samples.shape[1])
    sigma = _check_sigma(sigma)
    if len(samples) == 0:
        raise ValueError("samples must contain at least one point")
    out = np.empty(len(X))
    for rows in _row_blocks(len(X), len(samples)):
        out[rows] = _parzen_from_sq_distances(pairwise_sq_distances(X[rows], samples),
                                              samples.shape[1], sigma)
    return out


def _parzen_from_sq_distances(sq, d, sigma):
    """log p_hat(x_j) from the squared distances sq (m, N) of m points to the N
    kernel centres in d dimensions (the formula of ``parzen_log_density``).

    Helper: ``logsumexp_rows(a)`` -> log sum_j exp(a[i, j]) for each row, without overflow.
    """
    n = sq.shape[1]
    # BEGIN SOLUTION task=gan.parzen
    log_norm = np.log(n) + 0.5 * d * np.log(2.0 * np.pi * sigma**2)
    exponents = -sq / (2.0 * sigma**2)
    # log sum_i exp(e_i) = max e + log sum_i exp(e_i - max e): no overflow,
    # and the largest term is exp(0) = 1, so no underflow to log(0).
    return logsumexp_rows(exponents) - log_norm
    # END SOLUTION


def parzen_log_likelihood(samples, X_test, sigma):
    """Mean Parzen-window log-likelihood of ``X_test`` (Goodfellow et al. 2014).

    mean_j log p_hat(x_j), with p_hat the Gaussian kernel density of bandwidth
    ``sigma`` on the generated ``samples`` (see ``parzen_log_density``).
    Returns a float (nats per test point).
    """
    if np.ndim(X_test) == 2 and len(X_test) == 0:
        raise ValueError("X_test must contain at least one point")
    return float(np.mean(parzen_log_density(samples, X_test, sigma)))


def select_parzen_sigma(samples, X_valid, sigmas=None):
    """Choose the Parzen bandwidth that maximises the validation log-likelihood.

    As in Goodfellow et al. 2014 (after Breuleux et al. 2011): try each
    sigma in ``sigmas`` (default 10 values log-spaced over [0.1, 1], the
    range of the GAN paper's ``parzen_ll.py``) and keep the best on a
    validation set, never on the test set.
    Returns ``(best_sigma, scores)`` with ``scores`` (len(sigmas),) the mean
    validation log-likelihood of each sigma.
    """
    sigmas = np.logspace(-1.0, 0.0, 10) if sigmas is None else np.asarray(sigmas, dtype=np.float64)
    if sigmas.ndim != 1 or len(sigmas) == 0:
        raise ValueError(f"sigmas must be a non-empty 1-D sequence, got shape {sigmas.shape}")
    samples = _as_points(samples, "samples")
    X_valid = _as_points(X_valid, "X_valid", dim=samples.shape[1])
    if len(samples) == 0 or len(X_valid) == 0:
        raise ValueError("samples and X_valid must contain at least one point")
    for sigma in sigmas:
        _check_sigma(sigma)
    totals = np.zeros(len(sigmas))
    # The distances do not depend on sigma: compute each block once, score every sigma on it.
    for rows in _row_blocks(len(X_valid), len(samples)):
        sq = pairwise_sq_distances(X_valid[rows], samples)
        for i, sigma in enumerate(sigmas):
            totals[i] += np.sum(_parzen_from_sq_distances(sq, samples.shape[1], sigma))
    scores = totals / len(X_valid)
    return float(sigmas[int(np.argmax(scores))]), scores
