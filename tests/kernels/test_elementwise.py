"""Fused bias+activation, sigmoid, softplus and BCE-with-logits.

Two kinds of checks: the Numba kernel agrees with its NumPy twin (float32 and
float64), and the twin agrees with an independent reference (scalar ``math``
formulas in float64, finite differences, closed-form limits).
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratchgen import kernels
from scratchgen.kernels import numpy_twins
from scratchgen.testing import on_both_backends
from scratchgen.testing.strategies import float_arrays

ACTIVATIONS = sorted(kernels.ACTIVATION_CODES)
dtypes = st.sampled_from([np.float32, np.float64])
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)


# --------------------------------------------------------------------------
# Scalar references (float64, plain math, no NumPy vectorisation)
# --------------------------------------------------------------------------
def ref_sigmoid(z):
    if z < -700:  # exp(-z) would overflow; the true value is below 1e-304
        return math.exp(z)
    return 1.0 / (1.0 + math.exp(-z))


def ref_activation(name, z, slope):
    if name == "identity":
        return z
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else slope * z
    if name == "tanh":
        return math.tanh(z)
    return ref_sigmoid(z)


# --------------------------------------------------------------------------
# bias_act_forward / bias_act_backward
# --------------------------------------------------------------------------
@st.composite
def bias_act_inputs(draw, max_abs=1e3):
    dtype = draw(dtypes)
    n, d = draw(st.integers(0, 5)), draw(st.integers(1, 5))
    x = draw(float_arrays(dtype, (n, d), max_abs))
    b = draw(float_arrays(dtype, (d,), max_abs))
    activation = draw(st.sampled_from(ACTIVATIONS))
    slope = draw(st.floats(0.001, 0.5))
    return x, b, activation, slope


@pytest.mark.task("kernels.bias_act_backward")
@given(bias_act_inputs(), st.data())
def test_bias_act_kernel_matches_twin(assert_within, inputs, data):
    x, b, activation, slope = inputs
    y_twin, y_kernel = on_both_backends(kernels.bias_act_forward, x, b, activation, slope)
    assert y_twin.dtype == y_kernel.dtype == x.dtype
    # x + b is correctly rounded in both; tanh/sigmoid/slope*z add a few roundings of
    # terms no larger than 1 + |x| + |b| (the kernel in float64, the twin in x.dtype).
    assert_within(y_kernel, y_twin, 1 + np.abs(x) + np.abs(b), 16, x.dtype)

    # Backward on the same y (a valid output of the activation) for both backends.
    grad_y = data.draw(float_arrays(x.dtype, x.shape, 1e3))
    (gp_twin, gb_twin), (gp_kernel, gb_kernel) = on_both_backends(
        kernels.bias_act_backward, y_twin, grad_y, activation, slope)
    assert gp_kernel.dtype == gb_kernel.dtype == x.dtype
    # act'(y) lies in [-1, 1] (|y| <= 1 for tanh/sigmoid) with <= 3 roundings; one more for the product.
    assert_within(gp_kernel, gp_twin, np.abs(grad_y), 16, x.dtype)
    # grad_b: each of the n summands is off by the bound above, plus n summation roundings.
    n = x.shape[0]
    assert_within(gb_kernel, gb_twin, np.abs(grad_y).sum(axis=0), 16 + 2 * n, x.dtype)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@given(seed=st.integers(0, 2**32 - 1))
def test_bias_act_forward_twin_matches_definition(activation, seed):
    rng = np.random.default_rng(seed)
    x, b = rng.uniform(-6, 6, size=(4, 3)), rng.uniform(-2, 2, size=3)
    y = numpy_twins.bias_act_forward(x, b, kernels.ACTIVATION_CODES[activation], 0.1)
    expected = [[ref_activation(activation, x[i, j] + b[j], 0.1) for j in range(3)] for i in range(4)]
    # float64 libm functions are accurate to ~1 ulp; 1e-14 leaves a wide margin.
    np.testing.assert_allclose(y, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.task("kernels.bias_act_backward")
@pytest.mark.parametrize("activation", ACTIVATIONS)
@given(seed=st.integers(0, 2**32 - 1))
def test_bias_act_backward_twin_matches_finite_differences(activation, seed):
    rng = np.random.default_rng(seed)
    x, b = rng.uniform(-4, 4, size=(5, 3)), rng.uniform(-1, 1, size=3)
    z = x + b
    z = np.where(np.abs(z) < 0.05, 0.5, z)  # keep off the kink of relu/leaky_relu at 0
    x = z - b
    grad_y = rng.normal(size=z.shape)
    code, slope, h = kernels.ACTIVATION_CODES[activation], 0.1, 1e-5
    y = numpy_twins.bias_act_forward(x, b, code, slope)
    grad_pre, grad_b = numpy_twins.bias_act_backward(y, grad_y, code, slope)

    derivative = np.vectorize(
        lambda t: (ref_activation(activation, t + h, slope) - ref_activation(activation, t - h, slope)) / (2 * h))
    expected = grad_y * derivative(z)
    # Central differences: truncation h^2 |f'''| / 6 < 1e-10, rounding eps / h ~ 1e-11.
    np.testing.assert_allclose(grad_pre, expected, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(grad_b, expected.sum(axis=0), rtol=1e-7, atol=1e-7)


# --------------------------------------------------------------------------
# sigmoid and softplus
# --------------------------------------------------------------------------
@given(dtypes.flatmap(lambda dt: float_arrays(dt, small_shapes, 2.0**100)))
def test_sigmoid_and_softplus_kernels_match_twins(assert_within, x):
    for fn, scale in ((kernels.sigmoid, 1.0), (kernels.softplus, 1 + np.abs(x))):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            twin, kernel = on_both_backends(fn, x)
        assert twin.shape == kernel.shape == x.shape and kernel.dtype == x.dtype
        # A few roundings of terms bounded by 1 (sigmoid) or 1 + |x| (softplus).
        assert_within(kernel, twin, scale, 8, x.dtype)


@given(dtypes.flatmap(lambda dt: float_arrays(dt, (6,), 2.0**100)))
def test_sigmoid_and_softplus_twins_are_stable_for_huge_inputs(x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = numpy_twins.sigmoid(x)
        sp = numpy_twins.softplus(x)
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.isfinite(sp)) and np.all(sp >= 0)
    big = np.abs(x) > 60  # exp(-60) < eps(float64): the limits hold exactly up to rounding
    np.testing.assert_array_equal(s[big], (x[big] > 0).astype(x.dtype))
    np.testing.assert_allclose(sp[big & (x > 0)], x[big & (x > 0)], rtol=eps_of(x))


def eps_of(x):
    return float(np.finfo(x.dtype).eps)


@given(seed=st.integers(0, 2**32 - 1))
def test_sigmoid_and_softplus_twins_match_definitions(seed):
    x = np.random.default_rng(seed).uniform(-30, 30, size=20)
    np.testing.assert_allclose(numpy_twins.sigmoid(x), [ref_sigmoid(t) for t in x], rtol=1e-14)
    # log1p(exp(x)) is accurate for |x| <= 30 (no overflow, no cancellation).
    np.testing.assert_allclose(numpy_twins.softplus(x), [math.log1p(math.exp(t)) for t in x], rtol=1e-14)


# --------------------------------------------------------------------------
# bce_with_logits and its backward
# --------------------------------------------------------------------------
@pytest.mark.task("kernels.bce_with_logits")
@given(dtypes.flatmap(lambda dt: st.tuples(
    float_arrays(dt, (7,), 1e4), float_arrays(dt, (7,), 1.0), float_arrays(dt, (7,), 1e3))))
def test_bce_kernels_match_twins(assert_within, arrays):
    logits, targets, grad = arrays
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss_twin, loss_kernel = on_both_backends(kernels.bce_with_logits, logits, targets)
        back_twin, back_kernel = on_both_backends(kernels.bce_with_logits_backward, logits, targets, grad)
    # The terms max(l, 0), l t and log1p(..) can cancel: errors scale with their size.
    assert_within(loss_kernel, loss_twin, 1 + 2 * np.abs(logits), 8, logits.dtype)
    assert_within(back_kernel, back_twin, np.abs(grad) * (1 + np.abs(targets)), 8, logits.dtype)


@pytest.mark.task("kernels.bce_with_logits")
@given(seed=st.integers(0, 2**32 - 1))
def test_bce_twin_matches_cross_entropy_definition(seed):
    rng = np.random.default_rng(seed)
    logits, targets = rng.uniform(-15, 15, size=10), rng.uniform(0, 1, size=10)
    expected = [-(t * math.log(ref_sigmoid(l)) + (1 - t) * math.log(1 - ref_sigmoid(l)))
                for l, t in zip(logits, targets)]
    # 1 - sigmoid(15) ~ 3e-7 loses ~7 digits to cancellation in the reference itself.
    np.testing.assert_allclose(numpy_twins.bce_with_logits(logits, targets), expected, rtol=1e-8)

    h, grad = 1e-5, rng.normal(size=10)
    finite_diff = (numpy_twins.bce_with_logits(logits + h, targets)
                   - numpy_twins.bce_with_logits(logits - h, targets)) / (2 * h)
    # Central differences of a smooth function: error ~ h^2 + eps / h ~ 1e-10.
    np.testing.assert_allclose(numpy_twins.bce_with_logits_backward(logits, targets, grad),
                               grad * finite_diff, rtol=1e-6, atol=1e-8)


@pytest.mark.task("kernels.bce_with_logits")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_is_exact_at_huge_logits(dtype):
    logits = np.array([1000, -1000, 1000, -1000], dtype)
    targets = np.array([1, 0, 0.25, 0.25], dtype)
    # loss = softplus(l) - l t, and softplus(+-1000) = max(l, 0) exactly in floating point.
    expected = np.array([0.0, 0.0, 750.0, 250.0], dtype)
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend), np.errstate(over="raise", invalid="raise", divide="raise"):
            np.testing.assert_array_equal(kernels.bce_with_logits(logits, targets), expected)
            np.testing.assert_array_equal(
                kernels.bce_with_logits_backward(logits, targets, np.ones(4, dtype)),
                np.array([0.0, 0.0, 0.75, -0.25], dtype))
