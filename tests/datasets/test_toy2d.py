"""Tests of the 2-D toy data sets (ring, grid, moons, swiss roll, blobs, outliers)."""
import math

import numpy as np
import pytest

from scratchgen.datasets import (
    gaussian_blobs,
    grid,
    grid_centers,
    moons,
    ring,
    ring_centers,
    swiss_roll_2d,
    with_outliers,
)


def test_ring_centers_are_on_the_circle_at_equal_angles():
    # K = 4, radius 2: the four compass points, starting at angle 0 (PacGAN).
    expected = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]])
    np.testing.assert_allclose(ring_centers(4, 2.0), expected, atol=1e-15)
    c = ring_centers(8, 1.0)
    np.testing.assert_allclose(np.hypot(c[:, 0], c[:, 1]), 1.0, rtol=1e-15)
    np.testing.assert_allclose(c[1], [math.sqrt(0.5), math.sqrt(0.5)], rtol=1e-15)


def test_grid_centers_default_is_the_5x5_grid_of_pacgan():
    c = grid_centers()
    assert c.shape == (25, 2)
    expected = {(float(i), float(j)) for i in (-4, -2, 0, 2, 4) for j in (-4, -2, 0, 2, 4)}
    assert {tuple(row) for row in c} == expected
    assert {tuple(row) for row in grid_centers(2, 1.0)} == {
        (-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)}


@pytest.mark.parametrize("sampler, centers, std", [
    (lambda n, rng: ring(n, std=0.01, rng=rng, return_labels=True), ring_centers(8, 1.0), 0.01),
    (lambda n, rng: grid(n, std=0.05, rng=rng, return_labels=True), grid_centers(5, 2.0), 0.05),
])
def test_mixture_noise_and_mode_frequencies(sampler, centers, std):
    n = 20_000
    X, labels = sampler(n, np.random.default_rng(1))
    assert X.shape == (n, 2) and X.dtype == np.float64 and labels.dtype == np.int64
    noise = X - centers[labels]
    # The std estimate from 2n values has relative standard error 1/sqrt(4n) = 0.35%;
    # 2% is about 6 standard errors. Its mean has standard error std/sqrt(n).
    np.testing.assert_allclose(noise.std(), std, rtol=0.02)
    np.testing.assert_allclose(noise.mean(axis=0), 0.0, atol=5 * std / math.sqrt(n))
    # Uniform mode choice: each count is Binomial(n, 1/K); allow 5 standard deviations.
    k = len(centers)
    counts = np.bincount(labels, minlength=k)
    sd = math.sqrt(n * (1 / k) * (1 - 1 / k))
    assert np.all(np.abs(counts - n / k) < 5 * sd), counts


def test_same_seed_same_samples_and_int_seed_equals_generator():
    np.testing.assert_array_equal(ring(50, rng=3), ring(50, rng=np.random.default_rng(3)))
    np.testing.assert_array_equal(grid(50, rng=3), grid(50, rng=3))
    assert not np.array_equal(grid(50, rng=3), grid(50, rng=4))


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, label = moons(500, noise=0.0, rng=0, return_labels=True)
    up, low = X[label == 0], X[label == 1]
    assert len(up) > 100 and len(low) > 100
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, rtol=1e-12)
    assert np.all(up[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(1 - low[:, 0], 0.5 - low[:, 1]), 1.0, rtol=1e-12)
    assert np.all(low[:, 1] <= 0.5)


def test_swiss_roll_without_noise_is_the_spiral_r_equals_t():
    X = swiss_roll_2d(500, noise=0.0, rng=0) * 5.0
    t = np.hypot(X[:, 0], X[:, 1])          # radius = t
    assert np.all((t >= 1.5 * np.pi - 1e-9) & (t <= 4.5 * np.pi + 1e-9))
    angle = np.arctan2(X[:, 1], X[:, 0])    # angle = t (mod 2 pi)
    np.testing.assert_allclose(np.cos(angle - t), 1.0, atol=1e-9)


def test_gaussian_blobs_per_blob_mean_std_and_weights():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -5.0, 1.0]])
    X, labels = gaussian_blobs(20_000, centers, std=[0.5, 2.0], weights=[0.25, 0.75],
                               rng=0, return_labels=True)
    assert X.shape == (20_000, 3)
    for k, s in enumerate([0.5, 2.0]):
        part = X[labels == k]
        # Tolerances are >= 5 standard errors of the mean and of the std estimate.
        np.testing.assert_allclose(part.mean(axis=0), centers[k], atol=5 * s / math.sqrt(len(part)))
        np.testing.assert_allclose((part - centers[k]).std(), s, rtol=5 / math.sqrt(2 * part.size))
    share = np.mean(labels == 0)
    assert abs(share - 0.25) < 5 * math.sqrt(0.25 * 0.75 / 20_000)


def test_with_outliers_replaces_the_stated_share_and_keeps_the_rest():
    X = np.random.default_rng(0).normal(size=(200, 2))
    before = X.copy()
    Y, is_out = with_outliers(X, 0.1, rng=1)
    np.testing.assert_array_equal(X, before)              # input untouched
    assert is_out.dtype == bool and is_out.sum() == 20
    np.testing.assert_array_equal(Y[~is_out], X[~is_out])
    width = X.max(axis=0) - X.min(axis=0)
    assert np.all(Y[is_out] >= X.min(axis=0) - 0.5 * width)
    assert np.all(Y[is_out] <= X.max(axis=0) + 0.5 * width)
    assert not np.array_equal(Y[is_out], X[is_out])


@pytest.mark.parametrize("call, error", [
    (lambda: ring(-1), ValueError),
    (lambda: ring(10, std=-0.1), ValueError),
    (lambda: grid(10, rng="seed"), TypeError),
    (lambda: grid(2.5), TypeError),
    (lambda: ring_centers(0), ValueError),
    (lambda: with_outliers(np.zeros(5), 0.1), ValueError),
    (lambda: with_outliers(np.zeros((5, 2)), 1.5), ValueError),
    (lambda: gaussian_blobs(5, [[0.0, 0.0]], weights=[0.5, 0.5]), ValueError),
    (lambda: gaussian_blobs(5, [[0.0, 0.0], [1.0, 1.0]], std=[0.1, 0.2, 0.3]), ValueError),
])
def test_bad_arguments_raise_clear_errors(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("preset, radius, std", [("pacgan", 1.0, 0.01), ("mle", 2.0, 0.1),
                                                 ("mcmc", 2.0, 0.25), ("mcmc-wide", 2.0, 0.5)])
def test_each_ring_preset_is_its_own_distribution(preset, radius, std):
    # Measured from the draws: the modes at angles 2 pi k / 8 on the radius, the noise std.
    from scratchgen.datasets import ring, ring_centers
    X, labels = ring(20000, preset=preset, rng=0, return_labels=True)
    angles = 2 * math.pi * labels / 8
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert np.std(X - means) == pytest.approx(std, rel=0.03)
    np.testing.assert_allclose(ring_centers(preset=preset), means[np.argsort(labels)][np.r_[0, np.cumsum(
        np.bincount(labels))[:-1]]], atol=1e-12)


def test_ring_preset_values_can_be_overridden_and_unknown_presets_are_named():
    from scratchgen.datasets import ring, ring_preset
    assert ring_preset("mcmc", std=0.3) == {"n_modes": 8, "radius": 2.0, "std": 0.3}
    assert ring(5, n_modes=3, preset="mle", rng=0).shape == (5, 2)
    with pytest.raises(ValueError, match="preset must be one of"):
        ring(5, preset="wide")
