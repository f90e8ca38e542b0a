"""Edge cases found by checks against PyTorch (issue 13): pow at a zero base,
the mean of nothing, complex results, a second backward, anomaly blame.

Expected values are closed forms (the derivative of a constant is 0, ...),
which is also what PyTorch 2.13 returns for each case.
"""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn


def leaf(values):
    return sg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_derivative_of_x_to_the_zero_at_zero_is_zero():
    x = leaf([0.0, 2.0])
    (x ** 0).sum().backward()  # x^0 = 1 is constant
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_second_derivative_of_x_to_the_one_at_zero_is_zero():
    x = leaf(0.0)
    g, = sg.grad(x ** 1, x, create_graph=True)  # d/dx x = 1, then d/dx 1 = 0
    gg, = sg.grad(g, x)
    assert (g.item(), gg.item()) == (1.0, 0.0)


def test_derivative_of_zero_to_the_y_is_zero_for_positive_y():
    y = leaf([2.0, 0.5])
    (sg.tensor(np.zeros(2)) ** y).sum().backward()  # 0^y = 0 for y > 0: constant
    np.testing.assert_array_equal(y.grad.data, [0.0, 0.0])


def test_pow_at_zero_base_keeps_genuine_infinities_and_nonzero_points():
    x = leaf([0.0, 3.0])
    (x ** 0.5).sum().backward()  # d/dx sqrt(x) = 1 / (2 sqrt x): inf at 0
    assert np.isinf(x.grad.data[0])
    assert x.grad.data[1] == pytest.approx(0.5 / np.sqrt(3.0))
    # the mixed second derivative d^2/(dx dy) x^y = x^(y-1) (1 + y log x) at x=3, y=0
    x, y = leaf(3.0), leaf(0.0)
    gx, = sg.grad(x ** y, x, create_graph=True)
    gxy, = sg.grad(gx, y)
    assert gxy.item() == pytest.approx(1 / 3.0)


def test_mean_of_an_empty_tensor_is_nan_like_numpy():
    x = leaf(np.zeros((0, 3)))
    m = x.mean()
    assert np.isnan(m.item())
    m.backward()
    assert x.grad.shape == (0, 3)
    assert x.mean(axis=0).shape == (3,) and np.all(np.isnan(x.mean(axis=0).data))


def test_complex_result_that_needs_a_gradient_is_refused():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="Mul: the result has dtype complex128.*real-valued"):
        x * np.array([1 + 2j, 1j])
    z = sg.tensor(np.array([1.0])) * np.array([1j])  # no gradient needed: allowed
    assert z.dtype == np.complex128


def test_second_backward_through_a_freed_graph_raises_like_pytorch():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"
                                            ".*retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # not doubled


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])
    z = (x * 3).sum()
    sg.grad(z, x)
    with pytest.raises(RuntimeError, match="second time"):
        sg.grad(z, x)


def test_detect_anomaly_names_the_parameter_that_holds_the_nan():
    layer = nn.Linear(3, 2, rng=0)  # float32 weights, float64 input: an implicit cast
    layer.weight.data[0, 1] = np.nan
    x = sg.tensor(np.ones((1, 3)))
    with pytest.raises(sg.AnomalyError, match="already holds NaN.*a leaf tensor with "
                                              "requires_grad=True.*shape \\(2, 3\\)"):
        with sg.detect_anomaly():
            layer(x)
    with pytest.raises(sg.AnomalyError, match="parameter 'weight'.*1 NaN") as info:
        with sg.detect_anomaly(layer):
            layer(x)
    assert "AsType.forward produced" not in str(info.value)
