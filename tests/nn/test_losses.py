"""Losses against independent NumPy formulas, gradient checks, stability, validation."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scratchgen as sg
from scratchgen import nn
from scratchgen.nn import functional as F
from scratchgen.testing import gradcheck, gradgradcheck

REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}
RNG = np.random.default_rng(0)


def _reference_bce(p, t):
    return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))


@pytest.mark.parametrize("reduction", list(REDUCE))
def test_mse_loss(reduction):
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    out = F.mse_loss(sg.tensor(a), sg.tensor(b), reduction)
    np.testing.assert_allclose(out.data, REDUCE[reduction]((a - b) ** 2), rtol=1e-12)
    gradcheck(lambda a, b: F.mse_loss(a, b, reduction), [a, b])
    gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction), [a, b])


@pytest.mark.parametrize("reduction", list(REDUCE))
def test_bce_on_probabilities(reduction):
    p, t = RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0, 1, (3, 4))
    out = nn.BCELoss(reduction)(sg.tensor(p), sg.tensor(t))
    np.testing.assert_allclose(out.data, REDUCE[reduction](_reference_bce(p, t)), rtol=1e-12)
    gradcheck(lambda p, t: F.binary_cross_entropy(p, t, reduction), [p, t])
    gradgradcheck(lambda p, t: F.binary_cross_entropy(p, t, reduction), [p, t])


def test_bce_clamps_log_at_minus_100():
    p, t = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
    out = F.binary_cross_entropy(sg.tensor(p), sg.tensor(t), "none")
    np.testing.assert_array_equal(out.data, [100.0, 100.0, 0.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.binary_cross_entropy(sg.tensor([1.5]), sg.tensor([1.0]))


@pytest.mark.parametrize("reduction", list(REDUCE))
def test_bce_with_logits(reduction):
    x, t = RNG.standard_normal((3, 4)) * 3, RNG.uniform(0, 1, (3, 4))
    p = 1 / (1 + np.exp(-x))
    out = nn.BCEWithLogitsLoss(reduction)(sg.tensor(x), sg.tensor(t))
    np.testing.assert_allclose(out.data, REDUCE[reduction](_reference_bce(p, t)), rtol=1e-10)
    gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction), [x, t])
    gradgradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction), [x, t])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_is_exact_at_huge_logits(dtype):
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0], dtype)
    xt = sg.tensor(x, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(xt, sg.tensor(t), "none")
    # Right answers cost log(1 + e^-1000) = 0 in floating point; wrong ones |l| = 1000.
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1000.0, 1000.0])
    loss.sum().backward()
    np.testing.assert_array_equal(xt.grad.data, [0.0, 0.0, 1.0, -1.0])


@pytest.mark.task("nn.cross_entropy")
@pytest.mark.parametrize("reduction", list(REDUCE))
def test_cross_entropy_values_and_gradients(reduction):
    logits, labels = RNG.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -log_probs[np.arange(5), labels]
    out = nn.CrossEntropyLoss(reduction)(sg.tensor(logits), labels)
    np.testing.assert_allclose(out.data, REDUCE[reduction](expected), rtol=1e-12)
    gradcheck(lambda z: F.cross_entropy(z, labels, reduction), [logits])
    gradgradcheck(lambda z: F.cross_entropy(z, labels, reduction), [logits])


@pytest.mark.task("nn.cross_entropy")
def test_cross_entropy_is_stable_for_huge_logits_and_float32():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], np.float32)
    out = F.cross_entropy(sg.tensor(logits), np.array([0, 0]), "none")
    np.testing.assert_allclose(out.data, [0.0, 1000.0])
    assert out.dtype == np.float32


@pytest.mark.task("nn.cross_entropy")
def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = RNG.standard_normal((3, 4))
    labels = np.array([2, 0, 3])
    z = sg.tensor(logits, requires_grad=True)
    F.cross_entropy(z, labels).backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad.data, (p - np.eye(4)[labels]) / 3, rtol=1e-12)


def test_nll_loss_of_log_softmax_equals_cross_entropy():
    logits, labels = RNG.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    a = F.nll_loss(F.log_softmax(sg.tensor(logits), dim=1), labels)
    b = F.cross_entropy(sg.tensor(logits), labels)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    gradcheck(lambda z: nn.NLLLoss()(z, labels), [logits])


@pytest.mark.parametrize("target, error, match", [
    (np.array([0.0, 1.0]), TypeError, "integer"),
    (np.array([0, 1, 2]), ValueError, r"shape \(2,\)"),
    (np.array([0, 3]), ValueError, r"\[0, 2\]"),
])
def test_cross_entropy_validates_labels(target, error, match):
    with pytest.raises(error, match=match):
        F.cross_entropy(sg.tensor(np.zeros((2, 3))), target)


def test_reduction_is_validated():
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(sg.tensor([1.0]), sg.tensor([1.0]), "avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss("avg")
    with pytest.raises(ValueError, match="shape"):
        F.mse_loss(sg.tensor([1.0, 2.0]), sg.tensor([1.0]))


@pytest.mark.parametrize("reduction", list(REDUCE))
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss(reduction, full):
    mu, x = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 2))
    var = RNG.uniform(0.5, 2.0, (4, 2))
    expected = 0.5 * (np.log(var) + (mu - x) ** 2 / var) + (0.5 * math.log(2 * math.pi)
                                                            if full else 0)
    out = nn.GaussianNLLLoss(full=full, reduction=reduction)(sg.tensor(mu), sg.tensor(x),
                                                             sg.tensor(var))
    np.testing.assert_allclose(out.data, REDUCE[reduction](expected), rtol=1e-12)
    fn = lambda m, t, v: F.gaussian_nll_loss(m, t, v, full, reduction=reduction)  # noqa: E731
    gradcheck(fn, [mu, x, var])
    gradgradcheck(fn, [mu, x, var])


def test_gaussian_nll_loss_broadcast_var_clamp_and_errors():
    mu, x = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    var = np.array([1.0, 2.0, 0.5, 1e-9])  # one variance per row; the last is clamped
    out = F.gaussian_nll_loss(sg.tensor(mu), sg.tensor(x), sg.tensor(var), reduction="none")
    v = np.maximum(var, 1e-6)[:, None]
    np.testing.assert_allclose(out.data, 0.5 * (np.log(v) + (mu - x) ** 2 / v), rtol=1e-12)
    scalar = F.gaussian_nll_loss(sg.tensor(mu), sg.tensor(x), 2.0, reduction="sum")
    np.testing.assert_allclose(scalar.data, np.sum(0.5 * (np.log(2.0) + (mu - x) ** 2 / 2.0)))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(sg.tensor(mu), sg.tensor(x), sg.tensor(-np.ones((4, 3))))
    with pytest.raises(ValueError, match="var has shape"):
        F.gaussian_nll_loss(sg.tensor(mu), sg.tensor(x), sg.tensor(np.ones(3)))


@given(n=st.integers(1, 6), c=st.integers(2, 5), seed=st.integers(0, 1000))
def test_cross_entropy_equals_composite_ops_for_any_shape(n, c, seed):
    rng = np.random.default_rng(seed)
    logits, labels = rng.standard_normal((n, c)) * 3, rng.integers(0, c, n)
    a = sg.tensor(logits, requires_grad=True)
    F.cross_entropy(a, labels).backward()
    b = sg.tensor(logits, requires_grad=True)
    composite = -(sg.log_softmax(b, axis=1)[np.arange(n), labels]).mean()
    composite.backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-10, atol=1e-14)


def test_bce_target_gradient_agrees_on_both_paths_at_p_zero_and_one():
    # d/dt of -(t log p + (1 - t) log(1 - p)) with logs clamped at -100 is
    # log(1 - p) - log p with the same clamps: +100 at p = 0, -100 at p = 1.
    p = sg.tensor(np.array([0.0, 1.0, 0.3]), requires_grad=True)
    t = sg.tensor(np.array([0.5, 0.5, 0.5]), requires_grad=True)
    expected = np.array([100.0, -100.0, np.log(0.7) - np.log(0.3)])
    F.binary_cross_entropy(p, t, "sum").backward()
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-12)
    gp, gt = sg.grad(F.binary_cross_entropy(p, t, "sum"), [p, t], create_graph=True)
    np.testing.assert_allclose(gt.data, expected, rtol=1e-12)
    np.testing.assert_allclose(gp.data, p.grad.data, rtol=1e-12)
    # d/dp of the t-gradient: a clamped log is a constant, so at p = 0 only
    # log(1 - p) contributes (-1 / (1 - p)) and at p = 1 only -log p (-1 / p)
    hp, = sg.grad(gt.sum(), p)
    np.testing.assert_allclose(hp.data, [-1.0, -1.0, -1 / 0.7 - 1 / 0.3], rtol=1e-12)
