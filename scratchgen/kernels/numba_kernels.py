"""Numba kernels: one pass over the data, no temporaries.

Each function has the signature of its NumPy twin in
``scratchgen.kernels.numpy_twins`` (the specification; read that first) and
is checked against it by the tests. The public wrappers in
``scratchgen.kernels`` validate and prepare the inputs, so these trust them:
C-contiguous float32 or float64 arrays of one dtype, integer activation codes,
flat 1-D views for the optimizer steps.

Compilation is lazy (no eager signatures) and cached on disk
(``cache=True``), so importing this module is cheap and each (function,
dtype) pair compiles once per machine. ``error_model="numpy"`` makes x / 0
give inf/nan as in NumPy instead of raising; it also removes the zero check
from every division, which is what lets LLVM vectorise the loops.

Precision: arithmetic stays in the array dtype (float32 math is about twice
as fast as float64 here), as in the twins, so the two agree to a few units in
the last place; only sums (grad_b, distances, log-sum-exp) accumulate in
float64. Hyper-parameters are rounded to the dtype once, as PyTorch does
for float32 tensors.
"""
import math

import numpy as np
from numba import njit

from scratchgen.kernels.activation_codes import IDENTITY, LEAKY_RELU, RELU, SIGMOID, TANH
from scratchgen.kernels.registry import KERNEL_NAMES

__all__ = list(KERNEL_NAMES)


# --------------------------------------------------------------------------
# Scalar helpers (inlined by LLVM). `one` is 1 in the array dtype: constants
# derived from it keep float32 arithmetic in float32 (a float literal such as
# 1.0 would promote everything to float64, which is slower).
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _sigmoid_scalar(z, one):
    # exp of a non-positive number only: no overflow for any z.
    e = math.exp(-abs(z))
    return (one if z >= 0 else e) / (one + e)


@njit(cache=True, error_model="numpy")
def _softplus_scalar(z, one):
    zero = one - one
    return (z if z > zero else zero) + math.log1p(math.exp(-abs(z)))


@njit(cache=True, error_model="numpy")
def _tanh_scalar(z, one):
    # tanh|z| = (1 - e) / (1 + e) with e = exp(-2|z|), written with expm1 to stay
    # accurate for small |z|; libm's tanh is several times slower than expm1.
    em1 = math.expm1(-(one + one) * abs(z))
    t = -em1 / (one + one + em1)
    return t if z >= 0 else -t


@njit(cache=True, error_model="numpy")
def _activate(z, activation, negative_slope, one):
    zero = one - one
    if activation == RELU:
        return z if not z < zero else zero  # keeps NaN, like np.maximum
    if activation == LEAKY_RELU:
        return z if z > zero else negative_slope * z
    if activation == TANH:
        return _tanh_scalar(z, one)
    if activation == SIGMOID:
        return _sigmoid_scalar(z, one)
    return z  # IDENTITY


@njit(cache=True, error_model="numpy")
def _activation_derivative(y, activation, negative_slope, one):
    zero = one - one
    if activation == RELU:
        return one if y > zero else zero
    if activation == LEAKY_RELU:
        return one if y > zero else negative_slope
    if activation == TANH:
        return one - y * y
    if activation == SIGMOID:
        return y * (one - y)
    return one  # IDENTITY


# --------------------------------------------------------------------------
# Stable elementwise functions (1-D; the wrapper ravels)
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def sigmoid(x):
    """Numba version of ``numpy_twins.sigmoid`` (the math is documented there)."""
    out = np.empty_like(x)
    one = x.dtype.type(1.0)
    for i in range(x.size):
        out[i] = _sigmoid_scalar(x[i], one)
    return out


@njit(cache=True, error_model="numpy")
def softplus(x):
    """Numba version of ``numpy_twins.softplus`` (the math is documented there)."""
    out = np.empty_like(x)
    one = x.dtype.type(1.0)
    for i in range(x.size):
        out[i] = _softplus_scalar(x[i], one)
    return out


# --------------------------------------------------------------------------
# Fused bias + activation
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def bias_act_forward(x, b, activation, negative_slope):
    """Numba version of ``numpy_twins.bias_act_forward`` (the math is documented there)."""
    n, d = x.shape
    y = np.empty_like(x)  # the only allocation
    one = x.dtype.type(1.0)
    slope = x.dtype.type(negative_slope)
    for i in range(n):
        for j in range(d):
            y[i, j] = _activate(x[i, j] + b[j], activation, slope, one)
    return y


@njit(cache=True, error_model="numpy")
def bias_act_backward(y, grad_y, activation, negative_slope):
    """Numba version of ``numpy_twins.bias_act_backward`` (the math is documented there)."""
    n, d = y.shape
    grad_pre = np.empty_like(y)
    grad_b = np.zeros(d, dtype=np.float64)  # accumulate in float64
    one = y.dtype.type(1.0)
    slope = y.dtype.type(negative_slope)
    for i in range(n):
        for j in range(d):
            grad_pre[i, j] = grad_y[i, j] * _activation_derivative(y[i, j], activation, slope, one)
            grad_b[j] += grad_pre[i, j]
    return grad_pre, grad_b.astype(y.dtype)


# --------------------------------------------------------------------------
# Binary cross-entropy on logits (1-D; the wrapper ravels)
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def bce_with_logits(logits, targets):
    """Numba version of ``numpy_twins.bce_with_logits`` (the math is documented there)."""
    out = np.empty_like(logits)
    zero = logits.dtype.type(0.0)
    for i in range(logits.size):
        l = logits[i]
        out[i] = (l if l > zero else zero) - l * targets[i] + math.log1p(math.exp(-abs(l)))
    return out


@njit(cache=True, error_model="numpy")
def bce_with_logits_backward(logits, targets, grad):
    """Numba version of ``numpy_twins.bce_with_logits_backward`` (the math is documented there)."""
    out = np.empty_like(logits)
    one = logits.dtype.type(1.0)
    for i in range(logits.size):
        out[i] = grad[i] * (_sigmoid_scalar(logits[i], one) - targets[i])
    return out


# --------------------------------------------------------------------------
# Optimizer steps: in place, in the parameter's dtype
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _directed_gradient(grad_i, param_i, maximize, use_weight_decay, weight_decay):
    """g = (-grad if maximize else grad) + weight_decay * param, in the array dtype."""
    g = -grad_i if maximize else grad_i
    if use_weight_decay:
        g = g + weight_decay * param_i
    return g


@njit(cache=True, error_model="numpy")
def sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
              weight_decay, maximize, first_step):
    """Numba version of ``numpy_twins.sgd_step_`` (the math is documented there)."""
    as_dtype = param.dtype.type  # round hyper-parameters once, like PyTorch's scalar args
    lr_ = as_dtype(lr)
    momentum_ = as_dtype(momentum)
    one_minus_dampening = as_dtype(1.0 - dampening)
    weight_decay_ = as_dtype(weight_decay)
    use_momentum = momentum != 0.0
    use_weight_decay = weight_decay != 0.0
    for i in range(param.size):
        g = _directed_gradient(grad[i], param[i], maximize, use_weight_decay, weight_decay_)
        if use_momentum:
            if first_step:
                buf = g
            else:
                buf = momentum_ * momentum_buffer[i] + one_minus_dampening * g
            momentum_buffer[i] = buf
            g = g + momentum_ * buf if nesterov else buf
        param[i] = param[i] - lr_ * g


@njit(cache=True, error_model="numpy")
def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
               beta2, eps, weight_decay, amsgrad, maximize):
    """Numba version of ``numpy_twins.adam_step_`` (the math is documented there)."""
    # Scalars in float64 (Python floats in PyTorch), then rounded to the dtype.
    bias_correction1 = 1.0 - beta1**step
    bias_correction2 = 1.0 - beta2**step
    as_dtype = param.dtype.type
    step_size = as_dtype(lr / bias_correction1)
    bias_correction2_sqrt = as_dtype(math.sqrt(bias_correction2))
    beta1_ = as_dtype(beta1)
    beta2_ = as_dtype(beta2)
    one_minus_beta1 = as_dtype(1.0 - beta1)
    one_minus_beta2 = as_dtype(1.0 - beta2)
    eps_ = as_dtype(eps)
    weight_decay_ = as_dtype(weight_decay)
    use_weight_decay = weight_decay != 0.0
    # Two copies of the loop, so that the common one (no AMSGrad) touches four arrays
    # only: LLVM then vectorises it (one loop with an `if amsgrad` inside ran ~10x slower).
    if amsgrad:
        for i in range(param.size):
            g = _directed_gradient(grad[i], param[i], maximize, use_weight_decay, weight_decay_)
            m = beta1_ * exp_avg[i] + one_minus_beta1 * g
            v = beta2_ * exp_avg_sq[i] + one_minus_beta2 * g * g
            exp_avg[i] = m
            exp_avg_sq[i] = v
            v_max = max_exp_avg_sq[i]
            v_max = v_max if v_max > v else v
            max_exp_avg_sq[i] = v_max
            param[i] = param[i] - step_size * m / (math.sqrt(v_max) / bias_correction2_sqrt + eps_)
        return
    for i in range(param.size):
        g = _directed_gradient(grad[i], param[i], maximize, use_weight_decay, weight_decay_)
        m = beta1_ * exp_avg[i] + one_minus_beta1 * g
        v = beta2_ * exp_avg_sq[i] + one_minus_beta2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        param[i] = param[i] - step_size * m / (math.sqrt(v) / bias_correction2_sqrt + eps_)


# --------------------------------------------------------------------------
# Distances and log-sum-exp
# --------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def pairwise_sq_distances(a, b):
    """Numba version of ``numpy_twins.pairwise_sq_distances`` (the math is documented there)."""
    n, d = a.shape
    m = b.shape[0]
    out = np.empty((n, m), dtype=a.dtype)
    for i in range(n):
        for j in range(m):
            total = 0.0
            for k in range(d):
                diff = a[i, k] - b[j, k]  # exact differences: no cancellation
                total += diff * diff
            out[i, j] = total
    return out


@njit(cache=True, error_model="numpy")
def logsumexp_rows(a):
    """Numba version of ``numpy_twins.logsumexp_rows`` (the math is documented there)."""
    n, d = a.shape
    out = np.empty(n, dtype=a.dtype)
    zero = a.dtype.type(0.0)
    for i in range(n):
        row_max = a[i, 0]
        for j in range(1, d):
            if a[i, j] > row_max or a[i, j] != a[i, j]:  # NaN wins, like np.max
                row_max = a[i, j]
        shift = row_max if math.isfinite(row_max) else zero
        total = 0.0  # float64 accumulator
        for j in range(d):
            total += math.exp(a[i, j] - shift)
        out[i] = shift + math.log(total)  # log(0) = -inf for a row of -inf
    return out
