"""Numba kernels: one pass over the data, no temporaries.

Each function has the signature of its NumPy twin in
``scratchgen.kernels.numpy_twins`` (the specification; read that first) and
is checked against it by the tests. The public wrappers in
``scratchgen.kernels`` validate and prepare the inputs, so these trust them:
C-contiguous float32 or float64 arrays of one dtype, integer activation codes,
flat 1-D views for the optimizer steps.

Compilation is lazy (no eager signatures) and cached on disk
(``cache=True``), so importing this module is cheap and each (function,
dtype) pair compiles once per machine.

Precision: the elementwise kernels compute in float64 registers and round
once when storing, so for float32 they agree with the twins (which compute in
float32) to a few units in the last place. Reductions (grad_b, distances,
log-sum-exp) accumulate in float64. The optimizer steps instead do every
operation in the parameter's dtype with the hyper-parameters rounded to it,
as PyTorch does for float32 tensors.
"""
import math

import numpy as np
from numba import njit

from scratchgen.kernels.activation_codes import IDENTITY, LEAKY_RELU, RELU, SIGMOID, TANH

__all__ = [
    "bias_act_forward",
    "bias_act_backward",
    "softplus",
    "sigmoid",
    "bce_with_logits",
    "bce_with_logits_backward",
    "sgd_step_",
    "adam_step_",
    "pairwise_sq_distances",
    "logsumexp_rows",
]


# --------------------------------------------------------------------------
# Scalar helpers (inlined by LLVM)
# --------------------------------------------------------------------------
@njit(cache=True)
def _sigmoid_scalar(z):
    # exp of a non-positive number only: no overflow for any z.
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def _softplus_scalar(z):
    positive_part = z if z > 0.0 else 0.0
    return positive_part + math.log1p(math.exp(-abs(z)))


@njit(cache=True)
def _activate(z, activation, negative_slope):
    if activation == RELU:
        return z if not z < 0.0 else 0.0  # keeps NaN, like np.maximum
    if activation == LEAKY_RELU:
        return z if z > 0.0 else negative_slope * z
    if activation == TANH:
        return math.tanh(z)
    if activation == SIGMOID:
        return _sigmoid_scalar(z)
    return z  # IDENTITY


@njit(cache=True)
def _activation_derivative(y, activation, negative_slope):
    if activation == RELU:
        return 1.0 if y > 0.0 else 0.0
    if activation == LEAKY_RELU:
        return 1.0 if y > 0.0 else negative_slope
    if activation == TANH:
        return 1.0 - y * y
    if activation == SIGMOID:
        return y * (1.0 - y)
    return 1.0  # IDENTITY


# --------------------------------------------------------------------------
# Stable elementwise functions (1-D; the wrapper ravels)
# --------------------------------------------------------------------------
@njit(cache=True)
def sigmoid(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = _sigmoid_scalar(np.float64(x[i]))
    return out


@njit(cache=True)
def softplus(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = _softplus_scalar(np.float64(x[i]))
    return out


# --------------------------------------------------------------------------
# Fused bias + activation
# --------------------------------------------------------------------------
@njit(cache=True)
def bias_act_forward(x, b, activation, negative_slope):
    n, d = x.shape
    y = np.empty_like(x)  # the only allocation
    slope = np.float64(negative_slope)
    for i in range(n):
        for j in range(d):
            z = np.float64(x[i, j]) + np.float64(b[j])
            y[i, j] = _activate(z, activation, slope)
    return y


@njit(cache=True)
def bias_act_backward(y, grad_y, activation, negative_slope):
    n, d = y.shape
    grad_pre = np.empty_like(y)
    grad_b = np.zeros(d, dtype=np.float64)
    slope = np.float64(negative_slope)
    for i in range(n):
        for j in range(d):
            derivative = _activation_derivative(np.float64(y[i, j]), activation, slope)
            grad_pre[i, j] = grad_y[i, j] * derivative
            grad_b[j] += grad_pre[i, j]  # sum the stored (rounded) values, as the twin does
    return grad_pre, grad_b.astype(y.dtype)


# --------------------------------------------------------------------------
# Binary cross-entropy on logits (1-D; the wrapper ravels)
# --------------------------------------------------------------------------
@njit(cache=True)
def bce_with_logits(logits, targets):
    out = np.empty_like(logits)
    for i in range(logits.size):
        l = np.float64(logits[i])
        out[i] = _softplus_scalar(l) - l * targets[i]
    return out


@njit(cache=True)
def bce_with_logits_backward(logits, targets, grad):
    out = np.empty_like(logits)
    for i in range(logits.size):
        out[i] = grad[i] * (_sigmoid_scalar(np.float64(logits[i])) - targets[i])
    return out


# --------------------------------------------------------------------------
# Optimizer steps: in place, in the parameter's dtype
# --------------------------------------------------------------------------
@njit(cache=True)
def sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
              weight_decay, maximize, first_step):
    as_dtype = param.dtype.type  # round hyper-parameters once, like PyTorch's scalar args
    lr_ = as_dtype(lr)
    momentum_ = as_dtype(momentum)
    one_minus_dampening = as_dtype(1.0 - dampening)
    weight_decay_ = as_dtype(weight_decay)
    use_momentum = momentum != 0.0
    use_weight_decay = weight_decay != 0.0
    for i in range(param.size):
        g = -grad[i] if maximize else grad[i]
        if use_weight_decay:
            g = g + weight_decay_ * param[i]
        if use_momentum:
            if first_step:
                buf = g
            else:
                buf = momentum_ * momentum_buffer[i] + one_minus_dampening * g
            momentum_buffer[i] = buf
            g = g + momentum_ * buf if nesterov else buf
        param[i] = param[i] - lr_ * g


@njit(cache=True)
def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
               beta2, eps, weight_decay, amsgrad, maximize):
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
    for i in range(param.size):
        g = -grad[i] if maximize else grad[i]
        if use_weight_decay:
            g = g + weight_decay_ * param[i]
        m = beta1_ * exp_avg[i] + one_minus_beta1 * g
        v = beta2_ * exp_avg_sq[i] + one_minus_beta2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:
            v = max(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        denom = math.sqrt(v) / bias_correction2_sqrt + eps_
        param[i] = param[i] - step_size * m / denom


# --------------------------------------------------------------------------
# Distances and log-sum-exp
# --------------------------------------------------------------------------
@njit(cache=True)
def pairwise_sq_distances(a, b):
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


@njit(cache=True)
def logsumexp_rows(a):
    n, d = a.shape
    out = np.empty(n, dtype=a.dtype)
    for i in range(n):
        row_max = -np.inf
        for j in range(d):
            if a[i, j] > row_max or a[i, j] != a[i, j]:  # NaN wins, like np.max
                row_max = np.float64(a[i, j])
        shift = row_max if math.isfinite(row_max) else 0.0
        total = 0.0
        for j in range(d):
            total += math.exp(a[i, j] - shift)
        out[i] = shift + math.log(total)  # log(0) = -inf for a row of -inf
    return out
