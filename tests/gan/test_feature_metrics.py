"""Frechet distance and improved precision/recall against closed forms and hand-made sets."""
import math

import numpy as np
import pytest

from scratchgen.gan.feature_metrics import (frechet_distance, gaussian_frechet_distance,
                                            knn_radii, precision_recall)


def _random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


@pytest.mark.task("gan.frechet_distance")
def test_gaussian_frechet_distance_of_diagonal_covariances_is_the_closed_form():
    # Commuting (diagonal) covariances: Tr (S1 S2)^{1/2} = sum sqrt(s1_i s2_i), so
    # d^2 = ||mu1 - mu2||^2 + sum (sqrt(s1_i) - sqrt(s2_i))^2.
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    expected = 1.0 + 0.0 + 4.0 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
    assert gaussian_frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)


@pytest.mark.task("gan.frechet_distance")
@pytest.mark.parametrize("seed", range(5))
def test_gaussian_frechet_distance_of_non_commuting_2x2_covariances(seed):
    # For 2x2 matrices sqrt(M) = (M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M)), so
    # Tr (S1 S2)^{1/2} = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)): an independent formula.
    rng = np.random.default_rng(seed)
    s1, s2 = _random_spd(rng, 2), _random_spd(rng, 2)
    mu1, mu2 = rng.normal(size=2), rng.normal(size=2)
    trace_sqrt = math.sqrt(np.trace(s1 @ s2) + 2 * math.sqrt(np.linalg.det(s1) * np.linalg.det(s2)))
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
    assert gaussian_frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def test_gaussian_frechet_distance_is_zero_for_equal_and_symmetric_in_its_arguments():
    rng = np.random.default_rng(0)
    s1, s2 = _random_spd(rng, 6), _random_spd(rng, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    assert gaussian_frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    assert gaussian_frechet_distance(mu1, s1, mu2, s2) == pytest.approx(
        gaussian_frechet_distance(mu2, s2, mu1, s1), rel=1e-9)
    # A singular covariance (rank 1) is fine: the PSD square root clips rounding.
    v = rng.normal(size=(6, 1))
    assert gaussian_frechet_distance(mu1, v @ v.T, mu1, v @ v.T) == pytest.approx(0.0, abs=1e-7)


def test_frechet_distance_of_samples_uses_their_means_and_unbiased_covariances():
    # The four points (+-1, +-1) have mean 0 and covariance (4/3) I (divisor n - 1);
    # shifted by (3, 0) and scaled by 2: mean (3, 0), covariance (16/3) I.
    square = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    other = 2 * square + [3.0, 0.0]
    expected = 9.0 + 2 * (math.sqrt(4 / 3) - math.sqrt(16 / 3)) ** 2
    assert frechet_distance(square, other) == pytest.approx(expected)


def test_frechet_distance_of_large_gaussian_samples_approaches_the_closed_form():
    # n = 20,000 draws in 3-D: the plug-in estimate is within a few 1e-3 of the truth
    # (its bias is O(d / n) and its sd about 0.01 here); 0.05 is a loose bound.
    rng = np.random.default_rng(1)
    s1, s2 = _random_spd(rng, 3), _random_spd(rng, 3)
    mu1, mu2 = np.zeros(3), np.ones(3)
    a = rng.multivariate_normal(mu1, s1, size=20000)
    b = rng.multivariate_normal(mu2, s2, size=20000)
    assert frechet_distance(a, b) == pytest.approx(gaussian_frechet_distance(mu1, s1, mu2, s2),
                                                   abs=0.05)


def test_frechet_distance_refuses_bad_shapes_in_one_line():
    with pytest.raises(ValueError, match="features_b must have 3 columns"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="at least 2 rows"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        gaussian_frechet_distance([0, 0], [[1, 0.5], [0, 1]], [0, 0], np.eye(2))


@pytest.mark.task("gan.precision_recall")
def test_precision_recall_on_a_hand_made_line():
    # Real points 0, 1, 2, 3: with k = 1 each ball has radius 1 (the nearest other point),
    # covering [-1, 4]. Fakes at 0.5 and 10: only 0.5 is inside, precision 1/2.
    # The fakes' radii (k = 1) are both 9.5, and |r - 0.5| <= 9.5 for every real r: recall 1.
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[0.5], [10.0]])
    result = precision_recall(real, fake, k=1)
    assert (result.precision, result.recall, result.k) == (0.5, 1.0, 1)
    # With k = 2 the real radii are 2, 1, 1, 2 (points 0 and 3 reach two away): the
    # manifold is [-2, 5], so fakes at 10 and 11 stay out.
    np.testing.assert_allclose(knn_radii(real, k=2), [2.0, 1.0, 1.0, 2.0])
    assert precision_recall(real, np.array([[0.5], [10.0], [11.0]]), k=2).precision == 1 / 3


@pytest.mark.task("gan.precision_recall")
def test_a_collapsed_generator_keeps_precision_and_loses_recall():
    # Real: two clusters far apart; fake: copies of one cluster only.
    rng = np.random.default_rng(0)
    real = np.concatenate([rng.normal(0, 1, (100, 2)), rng.normal(50, 1, (100, 2))])
    fake = rng.normal(0, 1, (200, 2))
    result = precision_recall(real, fake, k=3)
    assert result.precision > 0.9
    # No real point of the far cluster is near a fake one: recall <= 1/2 (plus no leak).
    assert result.recall <= 0.5
    both = precision_recall(real, real[::-1].copy() + 0.0, k=3)
    assert both.precision == 1.0 and both.recall == 1.0


def test_knn_radii_needs_more_than_k_rows():
    with pytest.raises(ValueError, match="more than k=3"):
        knn_radii(np.zeros((3, 2)), k=3)
