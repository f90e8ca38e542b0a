"""Initial centres for mixture models: k-means++ seeding or random data points.

k-means++ (Arthur & Vassilvitskii 2007, "k-means++: the advantages of
careful seeding"): the first centre is a uniformly chosen data point; each
next centre is a data point drawn with probability proportional to D(x)^2,
its squared distance to the nearest centre chosen so far. Centres spread
over the data, which makes a mixture fit far less likely to start with two
components on one cluster.
"""
import numpy as np

from scratchgen.density._checks import as_generator, check_X, check_int

__all__ = ["kmeans_plusplus", "random_from_data", "nearest_center"]


def kmeans_plusplus(X, n_clusters, rng=None):
    """k-means++ seeding: ``n_clusters`` rows of ``X`` (a copy), shape (K, d).

    X: array (n, d); n_clusters: K <= n; rng: Generator or int seed.
    """
    X = check_X(X)
    n_clusters = check_int(n_clusters, "n_clusters")
    if n_clusters > len(X):
        raise ValueError(f"n_clusters={n_clusters} must be <= n_samples={len(X)}")
    rng = as_generator(rng)
    centers = [X[rng.integers(len(X))]]
    dist2 = np.sum((X - centers[0]) ** 2, axis=1)
    for _ in range(1, n_clusters):
        total = dist2.sum()
        if total <= 0:               # all points coincide with chosen centres
            index = rng.integers(len(X))
        else:
            index = rng.choice(len(X), p=dist2 / total)
        centers.append(X[index])
        dist2 = np.minimum(dist2, np.sum((X - X[index]) ** 2, axis=1))
    return np.array(centers)


def random_from_data(X, n_clusters, rng=None):
    """``n_clusters`` distinct rows of ``X`` chosen uniformly, shape (K, d)."""
    X = check_X(X)
    n_clusters = check_int(n_clusters, "n_clusters")
    if n_clusters > len(X):
        raise ValueError(f"n_clusters={n_clusters} must be <= n_samples={len(X)}")
    rng = as_generator(rng)
    return X[rng.choice(len(X), size=n_clusters, replace=False)].copy()


def nearest_center(X, centers):
    """Index of the nearest centre for each row of ``X``, shape (n,)."""
    dist2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=-1)
    return np.argmin(dist2, axis=1)
