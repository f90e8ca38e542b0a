"""Tests of scratchgen.gan.metrics against hand-made samples and closed forms."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import scratchgen.gan.metrics as metrics
from scratchgen.datasets import grid, grid_centers, ring_centers
from scratchgen.gan.metrics import (
    class_coverage,
    mode_coverage,
    parzen_log_density,
    parzen_log_likelihood,
    reverse_kl_to_uniform,
    select_parzen_sigma,
)


# --------------------------------------------------------------------------- modes
@pytest.mark.task("gan.mode_coverage")
def test_mode_coverage_on_hand_made_samples():
    centers = grid_centers()                       # 25 modes, std 0.05
    i0, i3 = 0, 3                                  # modes (-4, -4) and (-4, 2)
    samples = np.concatenate([
        np.repeat(centers[[i0]], 10, axis=0),      # 10 exactly on mode 0: high quality
        np.repeat(centers[[i3]] + [0.1, 0.0], 5, axis=0),   # 2 std from mode 3: high quality
        np.repeat(centers[[i3]] + [0.0, 0.2], 3, axis=0),   # 4 std from mode 3: low quality
        np.array([[1.0, 1.0], [100.0, -3.0]]),     # far from every mode: low quality
    ])
    r = mode_coverage(samples, centers, std=0.05)
    expected_counts = np.zeros(25, dtype=int)
    expected_counts[i0], expected_counts[i3] = 10, 5
    np.testing.assert_array_equal(r.counts, expected_counts)
    assert r.modes_captured == 2 and r.n_modes == 25
    assert r.high_quality_fraction == pytest.approx(15 / 20, abs=0)
    # By hand: p = (2/3, 1/3) over K = 25 modes.
    kl = (2 / 3) * math.log(2 / 3 * 25) + (1 / 3) * math.log(1 / 3 * 25)
    assert r.reverse_kl == pytest.approx(kl, rel=1e-12)
    np.testing.assert_array_equal(r.assignments, [i0] * 10 + [i3] * 5 + [-1] * 5)
    assert r.to_dict()["modes_captured"] == 2


@pytest.mark.task("gan.mode_coverage")
def test_all_samples_at_one_mode_give_log_k_and_even_spread_gives_zero():
    centers = ring_centers(8, 1.0)
    one = mode_coverage(np.repeat(centers[[5]], 7, axis=0), centers, 0.01)
    assert one.modes_captured == 1 and one.reverse_kl == pytest.approx(math.log(8), rel=1e-12)
    even = mode_coverage(np.repeat(centers, 3, axis=0), centers, 0.01)
    assert even.modes_captured == 8 and even.reverse_kl == pytest.approx(0.0, abs=1e-15)
    assert even.high_quality_fraction == 1.0


@pytest.mark.task("gan.mode_coverage")
def test_nearest_mode_is_measured_in_units_of_each_modes_std():
    # (1.5, 0) is 1.5 from mode 0 (1.5 stds) and 0.5 from mode 1 (5 stds):
    # PacGAN's rule assigns it to mode 0, although mode 1 is closer in plain distance.
    centers = np.array([[0.0, 0.0], [2.0, 0.0]])
    r = mode_coverage(np.array([[1.5, 0.0]]), centers, std=[1.0, 0.1])
    np.testing.assert_array_equal(r.counts, [1, 0])


@pytest.mark.task("gan.mode_coverage")
def test_no_high_quality_sample_gives_nan_kl_and_zero_coverage():
    r = mode_coverage(np.array([[50.0, 50.0]]), grid_centers(), 0.05)
    assert r.modes_captured == 0 and r.high_quality_fraction == 0.0
    assert math.isnan(r.reverse_kl)


@pytest.mark.task("gan.mode_coverage")
def test_mode_coverage_of_true_grid_samples_matches_the_chi_square_law():
    n = 20_000
    r = mode_coverage(grid(n, std=0.05, rng=0), grid_centers(), 0.05)
    assert r.modes_captured == 25
    # ||x - mu||^2 / std^2 ~ chi^2_2 for a true sample (modes are 40 stds apart, so
    # the nearest mode is its own): P(r < 3) = 1 - exp(-9/2). 5 binomial std errors.
    p = 1 - math.exp(-4.5)
    assert abs(r.high_quality_fraction - p) < 5 * math.sqrt(p * (1 - p) / n)
    # For multinomial counts, 2 n KL(p_hat || uniform) ~ chi^2_{K-1}: mean (K-1)/(2n);
    # 0.01 is more than 8 times that mean (chi^2_24 > 200 has probability < 1e-25).
    assert 0 <= r.reverse_kl < 0.01


def test_reverse_kl_of_a_small_histogram_by_hand():
    assert reverse_kl_to_uniform([3, 1, 0, 0]) == pytest.approx(0.75 * math.log(3), rel=1e-12)
    assert reverse_kl_to_uniform([2, 2]) == 0.0
    assert math.isnan(reverse_kl_to_uniform([0, 0, 0]))


@pytest.mark.parametrize("kwargs", [dict(std=0.0), dict(std=[0.1, 0.1]), dict(std=-1.0)])
def test_mode_coverage_rejects_bad_std(kwargs):
    with pytest.raises(ValueError, match="std"):
        mode_coverage(np.zeros((3, 2)), ring_centers(8), **kwargs)


def test_mode_coverage_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="columns"):
        mode_coverage(np.zeros((3, 3)), ring_centers(8), 0.01)


# --------------------------------------------------------------------------- classes
def test_class_coverage_with_labels_scores_and_tensor_like_outputs():
    X = np.array([0, 0, 0, 2, 2, 7])
    by_labels = class_coverage(X, lambda x: x, n_classes=10)
    np.testing.assert_array_equal(by_labels.counts, [3, 0, 2, 0, 0, 0, 0, 1, 0, 0])
    assert by_labels.classes_covered == 3 and by_labels.n_classes == 10
    p = np.array([3, 2, 1]) / 6
    assert by_labels.reverse_kl == pytest.approx(float(np.sum(p * np.log(p * 10))), rel=1e-12)

    def logits(x):                                  # one-hot scores, argmax = x
        return np.eye(10)[x] * 5.0 - 1.0

    by_scores = class_coverage(X, logits, n_classes=10)
    np.testing.assert_array_equal(by_scores.counts, by_labels.counts)

    class TensorLike:
        def __init__(self, a):
            self.a = a

        def numpy(self):
            return self.a

    by_tensor = class_coverage(X, lambda x: TensorLike(logits(x)), n_classes=10)
    np.testing.assert_array_equal(by_tensor.counts, by_labels.counts)


@pytest.mark.parametrize("classifier, n_classes", [
    (lambda x: np.array([0, 10]), 10),
    (lambda x: np.zeros((2, 3)), 10),
    (lambda x: np.array([0.5, 1.0]), 10),
    (lambda x: np.array([0, 1]), 0),
])
def test_class_coverage_rejects_bad_predictions(classifier, n_classes):
    with pytest.raises(ValueError):
        class_coverage(np.zeros(2), classifier, n_classes)


# --------------------------------------------------------------------------- Parzen
def direct_parzen(samples, X, sigma):
    """The Parzen estimate term by term, with math.exp (only for tiny inputs)."""
    d = samples.shape[1]
    total = 0.0
    for x in X:
        density = 0.0
        for s in samples:
            sq = sum((xi - si) ** 2 for xi, si in zip(x, s))
            density += (2 * math.pi * sigma**2) ** (-d / 2) * math.exp(-sq / (2 * sigma**2))
        total += math.log(density / len(samples))
    return total / len(X)


@pytest.mark.task("gan.parzen")
@given(
    data=st.data(),
    d=st.integers(1, 3),
    n=st.integers(1, 5),
    m=st.integers(1, 4),
    sigma=st.floats(0.5, 3.0),
)
def test_parzen_matches_the_direct_formula(data, d, n, m, sigma):
    # Coordinates in [-3, 3] and sigma >= 0.5 keep every exp above 1e-80, so the
    # direct formula does not underflow and both agree to rounding (rel 1e-9).
    coords = st.floats(-3, 3, allow_nan=False)
    samples = data.draw(hnp.arrays(np.float64, (n, d), elements=coords))
    X = data.draw(hnp.arrays(np.float64, (m, d), elements=coords))
    assert parzen_log_likelihood(samples, X, sigma) == pytest.approx(
        direct_parzen(samples, X, sigma), rel=1e-9, abs=1e-12)


@pytest.mark.task("gan.parzen")
def test_parzen_in_small_blocks_matches_the_direct_formula(monkeypatch):
    rng = np.random.default_rng(0)
    samples, X = rng.normal(size=(7, 2)), rng.normal(size=(11, 2))
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 14)      # blocks of 2 test rows
    assert parzen_log_likelihood(samples, X, 0.7) == pytest.approx(
        direct_parzen(samples, X, 0.7), rel=1e-12)


@pytest.mark.task("gan.parzen")
def test_parzen_with_all_samples_at_one_point_is_the_gaussian_log_density():
    # N copies of m: p_hat(x) = N(x; m, sigma^2 I) exactly, also far away where a
    # naive exp(-||x - m||^2 / 2 sigma^2) underflows to 0 (here exp(-5e5)).
    m = np.array([1.0, -2.0, 0.5])
    samples = np.repeat(m[None], 6, axis=0)
    X = np.array([[1.0, -2.0, 0.5], [1.3, -1.0, 0.0], [101.0, -2.0, 0.5]])
    sigma = 0.1
    sq = np.sum((X - m) ** 2, axis=1)
    exact = -sq / (2 * sigma**2) - 1.5 * math.log(2 * math.pi * sigma**2)
    np.testing.assert_allclose(parzen_log_density(samples, X, sigma), exact, rtol=1e-12)
    assert parzen_log_likelihood(samples, X, sigma) == pytest.approx(exact.mean(), rel=1e-12)


@pytest.mark.task("gan.parzen")
def test_select_parzen_sigma_finds_the_maximum_likelihood_bandwidth():
    # With one sample point m, the mean log N(x; m, sigma^2 I) over validation x is
    # maximised at sigma^2 = mean ||x - m||^2 / d (the Gaussian MLE of the variance).
    rng = np.random.default_rng(1)
    X_valid = rng.normal(scale=0.4, size=(200, 2))
    samples = np.zeros((1, 2))
    best = math.sqrt(np.mean(np.sum(X_valid**2, axis=1)) / 2)
    sigmas = [best / 1.5, best / 1.1, best, best * 1.1, best * 1.5]
    sigma, scores = select_parzen_sigma(samples, X_valid, sigmas)
    assert sigma == best
    assert scores.shape == (5,) and np.all(np.diff(scores[:3]) > 0) and np.all(np.diff(scores[2:]) < 0)
    default_sigma, default_scores = select_parzen_sigma(samples, X_valid)
    assert len(default_scores) == 10 and 0.1 <= default_sigma <= 1.0


@pytest.mark.parametrize("call", [
    lambda: parzen_log_likelihood(np.zeros((3, 2)), np.zeros((2, 2)), 0.0),
    lambda: parzen_log_likelihood(np.zeros((3, 2)), np.zeros((2, 3)), 1.0),
    lambda: parzen_log_likelihood(np.zeros((0, 2)), np.zeros((2, 2)), 1.0),
    lambda: parzen_log_likelihood(np.zeros((3, 2)), np.zeros((0, 2)), 1.0),
    lambda: parzen_log_likelihood(np.zeros(3), np.zeros((2, 2)), 1.0),
    lambda: select_parzen_sigma(np.zeros((3, 2)), np.zeros((2, 2)), []),
])
def test_parzen_rejects_bad_arguments(call):
    with pytest.raises(ValueError):
        call()
