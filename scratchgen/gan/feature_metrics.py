"""Metrics that compare real and generated images in a feature space.

Both take features: the activations of a fixed network on the images (for
MNIST, the 128 penultimate ReLU units of the pretrained classifier,
``scratchgen.nn.pretrained.load_mnist_classifier``), not the raw pixels,
because distances between pixel vectors say little about what an image shows.

**Frechet distance** (``frechet_distance``). Fit a Gaussian to each set of
features, N(mu_r, S_r) and N(mu_g, S_g); the squared Frechet (2-Wasserstein)
distance between them is

    d^2 = ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^{1/2})

(Dowson & Landau 1982). With the features of an ImageNet Inception network
this is the FID of Heusel et al. 2017 ("GANs trained by a two time-scale
update rule converge to a local Nash equilibrium"); with our MNIST
classifier's features it is the MNIST analogue of FID, and its values are
not comparable with published FIDs. Like FID it is reported as d^2 and it is
biased upwards for small samples (compare numbers at the same sample sizes).

The matrix square root: S_r S_g is not symmetric, but with A = S_r^{1/2}
(symmetric, by an eigendecomposition) the matrix A S_g A is symmetric
positive semi-definite and similar to S_r S_g (A^{-1} (A S_g A) A = S_r S_g
when S_r is invertible, and by continuity otherwise), so
Tr (S_r S_g)^{1/2} = sum_i sqrt(lambda_i(A S_g A)). Two symmetric
eigendecompositions (``numpy.linalg.eigh``), no complex arithmetic.

**Improved precision and recall** (``precision_recall``; Kynkaanniemi et
al. 2019, "Improved precision and recall metric for assessing generative
models"). Each real feature vector r gets a ball whose radius is the
distance to its k-th nearest neighbour among the other real vectors; the
union of the balls estimates the manifold of real data. Precision is the
share of generated vectors inside that manifold (are the samples
realistic?); recall swaps the roles (the generated manifold from the
generated vectors' k-NN balls; the share of real vectors inside it: is
every kind of real image produced?). A collapsed GAN keeps a high
precision and loses recall. k = 3, as in the paper.
"""
from dataclasses import asdict, dataclass

import numpy as np

from scratchgen.gan.metrics import _as_points, _row_blocks
from scratchgen.validation import check_int

__all__ = ["frechet_distance", "gaussian_frechet_distance", "knn_radii", "PrecisionRecall",
           "precision_recall"]


def _sqrt_psd(matrix):
    """The symmetric square root of a symmetric positive semi-definite matrix."""
    eigenvalues, vectors = np.linalg.eigh(matrix)
    # Rounding can make tiny eigenvalues of a PSD matrix slightly negative.
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


def _check_gaussian(mean, cov, name):
    mean = np.asarray(mean, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    if mean.ndim != 1 or cov.shape != (len(mean), len(mean)):
        raise ValueError(f"{name}: expected a mean (d,) and a covariance (d, d), got "
                         f"{mean.shape} and {cov.shape}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(cov))):
        raise ValueError(f"{name}: mean and covariance must be finite")
    if not np.allclose(cov, cov.T, rtol=1e-8, atol=1e-10 * max(1.0, np.abs(cov).max())):
        raise ValueError(f"{name}: the covariance must be symmetric")
    return mean, (cov + cov.T) / 2


def gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b):
    """Squared Frechet distance between N(mean_a, cov_a) and N(mean_b, cov_b).

    d^2 = ||mean_a - mean_b||^2 + Tr(cov_a) + Tr(cov_b) - 2 Tr (cov_a cov_b)^{1/2},
    with the trace of the square root from the symmetric A cov_b A,
    A = cov_a^{1/2} (see the module docstring). Returns a float >= 0.

    Helper: ``_sqrt_psd(matrix)`` -> the symmetric square root of a symmetric positive
    semi-definite matrix.
    """
    mean_a, cov_a = _check_gaussian(mean_a, cov_a, "gaussian_frechet_distance (a)")
    mean_b, cov_b = _check_gaussian(mean_b, cov_b, "gaussian_frechet_distance (b)")
    if len(mean_a) != len(mean_b):
        raise ValueError(f"gaussian_frechet_distance: dimensions differ, {len(mean_a)} and "
                         f"{len(mean_b)}")
    # BEGIN SOLUTION task=gan.frechet_distance
    root_a = _sqrt_psd(cov_a)
    product = root_a @ cov_b @ root_a
    trace_sqrt = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0, None)))
    d2 = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt
    # END SOLUTION
    return float(max(d2, 0.0))


def frechet_distance(features_a, features_b):
    """Squared Frechet distance between Gaussians fitted to two sets of features.

    features_a (n_a, d), features_b (n_b, d), n >= 2 each: the means and the
    covariances (``np.cov``, divisor n - 1, as in FID's reference code) of
    each set, then ``gaussian_frechet_distance``. With the MNIST classifier's
    penultimate features this is the MNIST analogue of FID.
    """
    a = _as_points(features_a, "features_a")
    b = _as_points(features_b, "features_b", dim=a.shape[1])
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"frechet_distance: each set needs at least 2 rows, got {len(a)} "
                         f"and {len(b)}")
    return gaussian_frechet_distance(a.mean(axis=0), np.atleast_2d(np.cov(a, rowvar=False)),
                                     b.mean(axis=0), np.atleast_2d(np.cov(b, rowvar=False)))


def _sq_distances(a, b):
    """||a_i - b_j||^2 as ||a_i||^2 + ||b_j||^2 - 2 a_i . b_j (one BLAS product), >= 0.

    Not ``kernels.pairwise_sq_distances`` (exact differences, for the Parzen
    window): on 2,000 x 2,000 feature vectors the BLAS form was ~15x faster
    here. Its float64 rounding error, a few 1e-16 (||a||^2 + ||b||^2), is far
    below the k-NN radii of distinct images; clipping at 0 keeps a point at
    distance 0 from itself.
    """
    sq = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(sq, 0.0, out=sq)


def _nearest_sq_distances(queries, points, k, exclude_self=False):
    """The k smallest squared distances from each query to ``points``, sorted (n, k)."""
    out = np.empty((len(queries), k))
    for rows in _row_blocks(len(queries), len(points)):
        d2 = _sq_distances(queries[rows], points)
        if exclude_self:
            # queries are the points themselves: a point is not its own neighbour.
            d2[np.arange(len(d2)), np.arange(rows.start, rows.stop)] = np.inf
        part = np.partition(d2, k - 1, axis=1)[:, :k] if k < d2.shape[1] else d2
        out[rows] = np.sort(part, axis=1)[:, :k]
    return out


def knn_radii(features, k=3):
    """Distance of each row of ``features`` (n, d) to its k-th nearest other row (n,)."""
    x = _as_points(features, "features")
    k = check_int(k, "k")
    if len(x) <= k:
        raise ValueError(f"knn_radii: need more than k={k} rows, got {len(x)}")
    return np.sqrt(_nearest_sq_distances(x, x, k, exclude_self=True)[:, k - 1])


def _share_inside(queries, centers, radii):
    """Share of ``queries`` within radii[j] of some centers[j] (ties count as inside)."""
    inside = np.zeros(len(queries), dtype=bool)
    for rows in _row_blocks(len(queries), len(centers)):
        d2 = _sq_distances(queries[rows], centers)
        inside[rows] = np.any(d2 <= radii[None, :] ** 2, axis=1)
    return float(inside.mean())


@dataclass(frozen=True)
class PrecisionRecall:
    """Result of ``precision_recall``: both shares in [0, 1], and k."""

    precision: float
    recall: float
    k: int

    def to_dict(self):
        return asdict(self)


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkaanniemi et al. 2019) with k-NN manifolds.

    precision = share of fake vectors g with ||g - r|| <= radius_k(r) for some real r;
    recall    = share of real vectors r with ||r - g|| <= radius_k(g) for some fake g;
    radius_k(x) = distance from x to its k-th nearest neighbour in its own set.
    real_features (n_r, d), fake_features (n_g, d); use equal sizes to
    compare numbers (the radii shrink as a set grows). Returns ``PrecisionRecall``.

    Helpers: ``knn_radii(features, k)`` -> each row's distance to its k-th nearest other row
    (n,); ``_share_inside(queries, centers, radii)`` -> the share of queries within radii[j] of
    some centers[j].
    """
    real = _as_points(real_features, "real_features")
    fake = _as_points(fake_features, "fake_features", dim=real.shape[1])
    # BEGIN SOLUTION task=gan.precision_recall
    precision = _share_inside(fake, real, knn_radii(real, k))
    recall = _share_inside(real, fake, knn_radii(fake, k))
    # END SOLUTION
    return PrecisionRecall(precision=precision, recall=recall, k=int(k))
