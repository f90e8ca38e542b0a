"""sgd_step_ and adam_step_ against a hand-written reference of PyTorch's rules.

The references below are independent few-line float64 transcriptions of
torch.optim.SGD / torch.optim.Adam (PyTorch's ``_single_tensor_sgd`` and
``_single_tensor_adam``: ``maximize`` negates the gradient before weight
decay; the first SGD step sets buf = g; AMSGrad keeps the running max of the
raw second moment). Adam is written in the m_hat / v_hat form of Kingma & Ba
(2015, Algorithm 1), a different arrangement of the same arithmetic than the
kernels use.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchgen import kernels

N_STEPS = 4
EPS32 = float(np.finfo(np.float32).eps)


# --------------------------------------------------------------------------
# References (float64)
# --------------------------------------------------------------------------
def reference_sgd(param, grads, lr, momentum, dampening, nesterov, weight_decay, maximize):
    p, buf = param.astype(np.float64), None
    for grad in grads:
        g = -grad if maximize else grad.astype(np.float64)
        g = g + weight_decay * p
        if momentum != 0:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def reference_adam(param, grads, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    p = param.astype(np.float64)
    m = v = v_max = np.zeros_like(p)
    for t, grad in enumerate(grads, start=1):
        g = -grad if maximize else grad.astype(np.float64)
        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1**t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


# --------------------------------------------------------------------------
# Running the kernels for several steps
# --------------------------------------------------------------------------
def run_sgd(param, grads, config):
    p = param.copy()
    buf = np.zeros_like(p) if config["momentum"] != 0 else None  # None allowed without momentum
    for t, grad in enumerate(grads, start=1):
        assert kernels.sgd_step_(p, grad, buf, first_step=(t == 1), **config) is None
    return p


def run_adam(param, grads, config):
    p = param.copy()
    exp_avg, exp_avg_sq = np.zeros_like(p), np.zeros_like(p)
    max_exp_avg_sq = np.zeros_like(p) if config["amsgrad"] else None
    for t, grad in enumerate(grads, start=1):
        assert kernels.adam_step_(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, t, **config) is None
    return p


@st.composite
def sgd_configs(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = momentum > 0 and draw(st.booleans())
    return dict(lr=draw(st.floats(1e-3, 0.5)), momentum=momentum,
                dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.3])),
                nesterov=nesterov, weight_decay=draw(st.sampled_from([0.0, 0.1])),
                maximize=draw(st.booleans()))


@st.composite
def adam_configs(draw):
    return dict(lr=draw(st.floats(1e-3, 0.1)), beta1=draw(st.sampled_from([0.0, 0.5, 0.9])),
                beta2=draw(st.sampled_from([0.9, 0.999])), eps=draw(st.sampled_from([1e-8, 1e-3])),
                weight_decay=draw(st.sampled_from([0.0, 0.1])), amsgrad=draw(st.booleans()),
                maximize=draw(st.booleans()))


def problem(seed, dtype):
    """A parameter of shape (3, 2) and N_STEPS gradients, exactly representable in dtype."""
    rng = np.random.default_rng(seed)
    param = rng.normal(size=(3, 2)).astype(dtype)
    grads = [(rng.normal(size=(3, 2)) * rng.choice([1e-3, 1.0, 10.0])).astype(dtype)
             for _ in range(N_STEPS)]
    return param, grads


def sgd_error_scale(param, grads, config):
    """Bound on the magnitude of every term the SGD kernel rounds, over all steps.

    The momentum buffer is a geometric sum: |buf| <= max|g'| / (1 - momentum).
    """
    g_max = max(np.max(np.abs(g)) for g in grads) + config["weight_decay"] * 10
    term = g_max * (1 + config["momentum"]) / (1 - config["momentum"])
    return 10 + np.abs(param).astype(np.float64) + N_STEPS * config["lr"] * term


def adam_error_scale(param, config):
    """Adam's step is bounded: |lr m_hat / sqrt(v_hat)| <= lr max(1, (1 - b1) / sqrt(1 - b2)).

    (Kingma & Ba 2015, Section 2.1.) Each step rounds terms of that size and |param|.
    """
    ratio = max(1.0, (1 - config["beta1"]) / np.sqrt(1 - config["beta2"]))
    return 1 + np.abs(param).astype(np.float64) + N_STEPS * config["lr"] * ratio


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
@pytest.mark.task("kernels.sgd_update")
@pytest.mark.parametrize("backend", kernels.BACKENDS)
@given(config=sgd_configs(), seed=st.integers(0, 2**32 - 1))
def test_sgd_matches_pytorch_reference(assert_within, backend, config, seed):
    for dtype, ulps in ((np.float64, 64), (np.float32, 64)):
        param, grads = problem(seed, dtype)
        expected = reference_sgd(param, grads, **config)
        with kernels.use_backend(backend):
            actual = run_sgd(param, grads, config)
        assert actual.dtype == dtype
        # About ten roundings per step (in dtype) of terms bounded by the scale, over 4 steps.
        assert_within(actual, expected, sgd_error_scale(param, grads, config), ulps, dtype)


@pytest.mark.task("kernels.adam_update")
@pytest.mark.parametrize("backend", kernels.BACKENDS)
@given(config=adam_configs(), seed=st.integers(0, 2**32 - 1))
def test_adam_matches_pytorch_reference(assert_within, backend, config, seed):
    for dtype in (np.float64, np.float32):
        param, grads = problem(seed, dtype)
        expected = reference_adam(param, grads, **config)
        with kernels.use_backend(backend):
            actual = run_adam(param, grads, config)
        assert actual.dtype == dtype
        # m and v carry relative error ~ steps * eps; m / sqrt(v) then has relative error of
        # the same order, so the parameter is off by a few dozen ulp of the scale.
        assert_within(actual, expected, adam_error_scale(param, config), 64, dtype)


@pytest.mark.task("kernels.adam_update")
@given(config=adam_configs(), seed=st.integers(0, 2**32 - 1))
def test_adam_kernel_matches_twin(assert_within, config, seed):
    for dtype in (np.float32, np.float64):
        param, grads = problem(seed, dtype)
        with kernels.use_backend("numpy"):
            twin = run_adam(param, grads, config)
        with kernels.use_backend("numba"):
            kernel = run_adam(param, grads, config)
        # Same operations in the same dtype and order; allow a few ulp per step for
        # compilers that fuse multiply-adds.
        assert_within(kernel, twin, adam_error_scale(param, config), 4 * N_STEPS, dtype)


@pytest.mark.task("kernels.sgd_update")
@given(config=sgd_configs(), seed=st.integers(0, 2**32 - 1))
def test_sgd_kernel_matches_twin(assert_within, config, seed):
    for dtype in (np.float32, np.float64):
        param, grads = problem(seed, dtype)
        with kernels.use_backend("numpy"):
            twin = run_sgd(param, grads, config)
        with kernels.use_backend("numba"):
            kernel = run_sgd(param, grads, config)
        assert_within(kernel, twin, sgd_error_scale(param, grads, config), 4 * N_STEPS, dtype)


@pytest.mark.parametrize("backend", kernels.BACKENDS)
def test_steps_update_the_given_arrays_in_place(backend):
    rng = np.random.default_rng(0)
    param = rng.normal(size=(4, 3)).astype(np.float32)
    before = param.copy()
    grad_storage = rng.normal(size=(4, 6)).astype(np.float32)
    grad = grad_storage[:, ::2]  # not contiguous: the wrapper copies it, the result is the same
    state = [np.zeros_like(param) for _ in range(3)]
    with kernels.use_backend(backend):
        assert kernels.adam_step_(param, grad, *state, 1, 0.1, 0.9, 0.999, 1e-8, 0.0, True, False) is None
    expected = reference_adam(before, [np.ascontiguousarray(grad)], 0.1, 0.9, 0.999, 1e-8, 0.0, True, False)
    # Same problem as above with one step; 64 ulp of the scale (|param| + lr) is ample.
    np.testing.assert_allclose(param, expected, rtol=64 * EPS32, atol=64 * EPS32)
    np.testing.assert_allclose(state[0], 0.1 * grad, rtol=4 * EPS32)  # exp_avg = (1 - beta1) g
    np.testing.assert_allclose(state[1], 0.001 * grad**2, rtol=4 * EPS32)  # exp_avg_sq
    np.testing.assert_array_equal(state[2], state[1])  # max over zeros and v

    buf = np.zeros_like(param)
    before = param.copy()
    with kernels.use_backend(backend):
        assert kernels.sgd_step_(param, grad, buf, 0.5, 0.9, 0.0, False, 0.0, False, True) is None
    np.testing.assert_array_equal(buf, grad)  # first step: buf = g
    np.testing.assert_allclose(param, before - 0.5 * grad, rtol=4 * EPS32, atol=4 * EPS32)
