"""Discriminator features and the linear probe."""
import numpy as np
import pytest

from scratchgen import nn
from scratchgen.gan import LinearProbe, features


def test_features_are_the_hidden_activations():
    rng = np.random.default_rng(0)
    D = nn.MLP([3, 5, 4, 1], activation="relu", rng=rng)
    x = rng.standard_normal((6, 3)).astype(np.float32)
    s = D.state_dict()
    h1 = np.maximum(x @ s["0.weight"].T + s["0.bias"], 0)          # NumPy twin
    h2 = np.maximum(h1 @ s["2.weight"].T + s["2.bias"], 0)
    np.testing.assert_allclose(features(D, x), h2, rtol=1e-5, atol=1e-6)  # float32 rounding
    np.testing.assert_allclose(features(D, x, layer=-4), h1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features(D, x, layer=0), x @ s["0.weight"].T + s["0.bias"],
                               rtol=1e-5, atol=1e-6)
    assert D.training  # the mode is restored


def test_features_rejects_a_bad_layer():
    D = nn.MLP([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match="layer"):
        features(D, np.zeros((1, 2), np.float32), layer=3)


def test_linear_probe_separates_linearly_separable_classes():
    # Three Gaussian blobs 10 std apart: a linear softmax model is ~100% right
    # (Bayes error < 1e-6), so anything below 0.99 is a bug.
    rng = np.random.default_rng(1)
    means = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
    y = rng.integers(0, 3, 300)
    H = means[y] + rng.standard_normal((300, 3))
    probe = LinearProbe(3, n_steps=200, rng=0).fit(H, y)
    assert probe.score(H, y) >= 0.99
    assert probe.predict(H[:5]).shape == (5,)


def test_linear_probe_is_at_chance_on_noise_labels():
    # Random labels independent of H: held-out accuracy ~ 1/2 (binomial
    # std 0.035 for 200 points); > 0.65 would mean leakage between sets.
    rng = np.random.default_rng(2)
    H, y = rng.standard_normal((400, 5)), rng.integers(0, 2, 400)
    probe = LinearProbe(2, n_steps=100, rng=0).fit(H[:200], y[:200])
    assert probe.score(H[200:], y[200:]) < 0.65


def test_linear_probe_bad_input_names_both_shapes():
    rng = np.random.default_rng(3)
    probe = LinearProbe(2, n_steps=5, rng=0).fit(rng.standard_normal((20, 4)), np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"\(7, 3\).*\(n, 4\).*\(20, 4\)"):
        probe.predict(rng.standard_normal((7, 3)))
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        probe.score(np.zeros(4), [0])
    with pytest.raises(ValueError, match=r"labels in \[0, 2\).*range \[0, 2\]"):
        LinearProbe(2).fit(np.zeros((3, 4)), [0, 1, 2])
