"""Small two-dimensional data sets for GAN, MLE and MCMC demos.

* ``ring`` and ``grid`` are the Gaussian mixtures used to measure mode
  collapse in VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018):
  equal-weight isotropic Gaussians whose means sit on a circle (8 modes,
  radius 1, std 0.01 in PacGAN) or on a 5x5 grid with coordinates
  -4, -2, 0, 2, 4 (std 0.05). ``ring_centers`` / ``grid_centers`` give the
  means that ``scratchgen.gan.metrics.mode_coverage`` needs.
* The ring is the one definition of "the ring" in the library; its
  named presets (``RING_PRESETS``) are the rings each part uses, so that a
  name always means one distribution:

  ==========  =======  ======  =====  ==========================================
  preset      n_modes  radius  std    used by
  ==========  =======  ======  =====  ==========================================
  pacgan      8        1.0     0.01   GANs: recipes, lectures 04-05, mode metrics
  mle         8        2.0     0.1    ``scratchgen fit ring`` (demo part 1)
  mcmc        8        2.0     0.25   ``mcmc.ring_log_prob``, lecture 02
  mcmc-wide   8        2.0     0.5    ``scratchgen sample ring`` (demo part 2)
  ==========  =======  ======  =====  ==========================================

  Neighbouring modes are 2 radius sin(pi / 8) = 0.77 radius apart: 6 std on
  the "mcmc" ring (a random walk hops rarely), 3 std on "mcmc-wide" (a short
  demo chain mixes), 77 std on "pacgan" (a generator must cut its noise
  space sharply).
* ``moons``, ``swiss_roll_2d`` and ``gaussian_blobs`` are non-Gaussian
  shapes for density estimation and sampling demos.
* ``with_outliers`` adds uniform outliers to a data set, for anomaly
  detection with p(x).

Every function takes ``rng`` (a ``numpy.random.Generator`` or an int seed)
and returns float64 arrays.
"""
import numpy as np

from scratchgen.datasets._checks import (
    as_generator,
    check_count,
    check_fraction,
    check_nonnegative,
)

__all__ = [
    "RING_PRESETS",
    "ring_preset",
    "ring_centers",
    "grid_centers",
    "ring",
    "grid",
    "moons",
    "swiss_roll_2d",
    "gaussian_blobs",
    "with_outliers",
]


RING_PRESETS = {
    "pacgan": {"n_modes": 8, "radius": 1.0, "std": 0.01},
    "mle": {"n_modes": 8, "radius": 2.0, "std": 0.1},
    "mcmc": {"n_modes": 8, "radius": 2.0, "std": 0.25},
    "mcmc-wide": {"n_modes": 8, "radius": 2.0, "std": 0.5},
}


def ring_preset(preset="pacgan", n_modes=None, radius=None, std=None):
    """The ring's parameters ``{"n_modes", "radius", "std"}`` (a new dict):
    those of the named preset (``RING_PRESETS``), with any given value in
    place of the preset's."""
    if preset not in RING_PRESETS:
        raise ValueError(f"preset must be one of {sorted(RING_PRESETS)}, got {preset!r}")
    params = dict(RING_PRESETS[preset])
    for key, value in (("n_modes", n_modes), ("radius", radius), ("std", std)):
        if value is not None:
            params[key] = value
    return params


def ring_centers(n_modes=None, radius=None, preset="pacgan"):
    """Means of the ring mixture: ``radius * (cos 2 pi k / K, sin 2 pi k / K)``.

    n_modes, radius: default the preset's (``RING_PRESETS``; "pacgan": 8, 1).
    Returns an array of shape (n_modes, 2); mode 0 sits at (radius, 0) and
    the modes go counter-clockwise, as in PacGAN's 2D-ring configuration.
    """
    params = ring_preset(preset, n_modes, radius)
    n_modes = check_count(params["n_modes"], "n_modes")
    radius = check_nonnegative(params["radius"], "radius")
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(size=5, spacing=2.0):
    """Means of the grid mixture: a ``size x size`` lattice centred at 0.

    Coordinates are ``spacing * (i - (size - 1) / 2)`` for i = 0..size-1, so
    the default gives -4, -2, 0, 2, 4 on each axis (PacGAN / VEEGAN 2D grid).
    Returns shape (size**2, 2), ordered row by row (first coordinate slowest).
    """
    size = check_count(size, "size")
    spacing = check_nonnegative(spacing, "spacing")
    axis = spacing * (np.arange(size) - (size - 1) / 2.0)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1)


def _sample_mixture(n, centers, std, rng):
    """Draw n points: pick a center uniformly, add N(0, std^2 I) noise.

    Returns (samples (n, d), labels (n,) int64 index of the chosen center).
    """
    labels = rng.integers(0, len(centers), size=n)
    noise = rng.standard_normal((n, centers.shape[1]))
    return centers[labels] + std * noise, labels.astype(np.int64)


def ring(n, n_modes=None, radius=None, std=None, rng=None, return_labels=False, preset="pacgan"):
    """Sample ``n`` points from the ring of Gaussians (PacGAN, VEEGAN).

    p(x) = (1/K) sum_k N(x; mu_k, std^2 I),  mu_k = ring_centers(K, radius)[k]

    n_modes, radius, std: default the preset's (``RING_PRESETS``); the
    default preset "pacgan" is PacGAN's K=8, radius=1, std=0.01 (VEEGAN uses
    radius=2, std=0.02). Returns ``X`` of shape (n, 2), or ``(X, labels)``
    when ``return_labels``.
    """
    n = check_count(n, "n", minimum=0)
    params = ring_preset(preset, n_modes, radius, std)
    std = check_nonnegative(params["std"], "std")
    centers = ring_centers(params["n_modes"], params["radius"])
    X, labels = _sample_mixture(n, centers, std, as_generator(rng))
    return (X, labels) if return_labels else X


#: The grid's std (PacGAN, VEEGAN), the default of ``grid``; mode metrics need it.
GRID_STD = 0.05


def grid(n, size=5, spacing=2.0, std=GRID_STD, rng=None, return_labels=False):
    """Sample ``n`` points from the grid of Gaussians (PacGAN, VEEGAN).

    p(x) = (1/size^2) sum_k N(x; mu_k, std^2 I),  mu_k = grid_centers(size, spacing)[k]

    Returns ``X`` of shape (n, 2), or ``(X, labels)`` when ``return_labels``.
    """
    n = check_count(n, "n", minimum=0)
    std = check_nonnegative(std, "std")
    centers = grid_centers(size, spacing)
    X, labels = _sample_mixture(n, centers, std, as_generator(rng))
    return (X, labels) if return_labels else X


def moons(n, noise=0.1, rng=None, return_labels=False):
    """Two interleaving half circles (the scikit-learn "moons" shape).

    Upper moon: (cos t, sin t); lower moon: (1 - cos t, 0.5 - sin t), with
    t ~ Uniform(0, pi), each point on a moon chosen with probability 1/2,
    plus N(0, noise^2 I). Returns (n, 2), or ``(X, labels)`` (label = moon).
    """
    n = check_count(n, "n", minimum=0)
    noise = check_nonnegative(noise, "noise")
    rng = as_generator(rng)
    labels = rng.integers(0, 2, size=n).astype(np.int64)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(labels[:, None] == 0, upper, lower)
    X = X + noise * rng.standard_normal((n, 2))
    return (X, labels) if return_labels else X


def swiss_roll_2d(n, noise=0.5, rng=None):
    """A two-dimensional spiral ("swiss roll" seen from its end).

    t ~ Uniform(1.5 pi, 4.5 pi);  x = (t cos t, t sin t) / 5 + N(0, (noise/5)^2 I)

    The division by 5 keeps the points within about [-3, 3]^2. Returns (n, 2).
    """
    n = check_count(n, "n", minimum=0)
    noise = check_nonnegative(noise, "noise")
    rng = as_generator(rng)
    t = rng.uniform(1.5 * np.pi, 4.5 * np.pi, size=n)
    X = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    X = X + noise * rng.standard_normal((n, 2))
    return X / 5.0


def gaussian_blobs(n, centers=3, std=0.5, weights=None, rng=None, return_labels=False):
    """Sample a mixture of isotropic Gaussians with the given means.

    ``centers``: an int K (means drawn uniformly in [-4, 4]^2 from ``rng``) or
    an array (K, d) of means. ``std``: a scalar or one std per blob (K,).
    ``weights``: mixture weights (K,) summing to 1 (default uniform).
    p(x) = sum_k w_k N(x; mu_k, std_k^2 I). Returns (n, d) or ``(X, labels)``.
    """
    n = check_count(n, "n", minimum=0)
    rng = as_generator(rng)
    if np.ndim(centers) == 0:
        k = check_count(centers, "centers")
        means = rng.uniform(-4.0, 4.0, size=(k, 2))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or len(means) == 0:
            raise ValueError(f"centers must be an int or an array (K, d), got shape {means.shape}")
    k = len(means)
    stds = np.asarray(std, dtype=np.float64)
    if stds.ndim > 1 or stds.size not in (1, k) or not np.all(np.isfinite(stds)) or np.any(stds < 0):
        raise ValueError(f"std must be a number >= 0 or {k} numbers >= 0, got {std!r}")
    stds = np.broadcast_to(stds, (k,))
    if weights is None:
        w = np.full(k, 1.0 / k)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (k,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError(f"weights must be {k} non-negative numbers summing to 1, got {weights!r}")
    labels = rng.choice(k, size=n, p=w).astype(np.int64)
    X = means[labels] + stds[labels, None] * rng.standard_normal((n, means.shape[1]))
    return (X, labels) if return_labels else X


def with_outliers(X, fraction=0.05, rng=None, margin=0.5):
    """Replace a share of points by uniform outliers, for anomaly detection.

    ``round(fraction * n)`` rows, chosen at random, are replaced by points
    drawn uniformly in the bounding box of ``X`` widened by ``margin`` times
    its size on every side. (Some may land inside the data by chance, as in
    real data.) Returns ``(X_with_outliers, is_outlier)``: a new float64
    array of the shape of ``X`` and a bool mask (n,). ``X`` is not modified.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    fraction = check_fraction(fraction, "fraction", open_right=False)
    margin = check_nonnegative(margin, "margin")
    rng = as_generator(rng)
    n_out = int(round(fraction * len(X)))
    low, high = X.min(axis=0), X.max(axis=0)
    width = high - low
    low, high = low - margin * width, high + margin * width
    idx = rng.choice(len(X), size=n_out, replace=False)
    out = X.copy()
    out[idx] = rng.uniform(low, high, size=(n_out, X.shape[1]))
    is_outlier = np.zeros(len(X), dtype=bool)
    is_outlier[idx] = True
    return out, is_outlier
