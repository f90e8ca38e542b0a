"""Numba kernels: one pass over the data, no temporaries.

Each function has the signature of its NumPy twin in
``scratchgen.kernels.numpy_twins`` (the specification; read that first) and
is checked against it by the tests. Where a compiled loop lost to NumPy's
vectorised ufuncs, this backend uses the twin itself (``ROUTED_TO_NUMPY``). The public wrappers in
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

from scratchgen.kernels import numpy_twins
from scratchgen.kernels.activation_codes import LEAKY_RELU, RELU, SIGMOID, TANH
from scratchgen.kernels.registry import KERNEL_NAMES

__all__ = list(KERNEL_NAMES)

#: Kernels whose "numba" backend is the NumPy twin itself. Numba from pip has
#: no SVML (Intel's vector math library; dropped in Numba 0.62), so exp, log1p
#: and tanh in a compiled loop are scalar libm calls, while NumPy's ufuncs are
#: vectorised. Measured with benchmarks/kernels.py (64 x 256 float32, shared
#: 2-core machine, Numba loop / NumPy twin): tanh forward 15x, softplus 8x,
#: bce_with_logits 6x, bce_with_logits_backward 1.7x, logsumexp_rows 2x slower.
#: benchmarks/kernels.py fails when a remaining Numba kernel is more than
#: MAX_SLOWDOWN times slower than its twin.
ROUTED_TO_NUMPY = ("softplus", "bce_with_logits", "bce_with_logits_backward",
                   "logsumexp_rows", "bias_act_forward[tanh]")
softplus = numpy_twins.softplus
bce_with_logits = numpy_twins.bce_with_logits
bce_with_logits_backward = numpy_twins.bce_with_logits_backward
logsumexp_rows = numpy_twins.logsumexp_rows


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
def _activate(z, activation, negative_slope, one):
    zero = one - one
    if activation == RELU:
        return z if not z < zero else zero  # keeps NaN, like np.maximum
    if activation == LEAKY_RELU:
        return z if z > zero else negative_slope * z
    if activation == SIGMOID:
        return _sigmoid_scalar(z, one)
    return z  # IDENTITY (TANH never arrives: see bias_act_forward)


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


# --------------------------------------------------------------------------
# Fused bias + activation
# --------------------------------------------------------------------------
def bias_act_forward(x, b, activation, negative_slope):
    """Numba version of ``numpy_twins.bias_act_forward`` (the math is documented there).

    tanh goes to the twin: a scalar tanh (or expm1) in a Numba loop ran 15x
    slower than NumPy's vectorised np.tanh (see ``ROUTED_TO_NUMPY``).
    """
    if activation == TANH:
        return numpy_twins.bias_act_forward(x, b, activation, negative_slope)
    return _bias_act_forward_loop(x, b, activation, negative_slope)


@njit(cache=True, error_model="numpy")
def _bias_act_forward_loop(x, b, activation, negative_slope):
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


# --------------------------------------------------------------------------
# Random draws: NumPy's ziggurat, the same numbers, at ~2.4x its speed
# --------------------------------------------------------------------------
# NumPy's float32 standard_normal (random_standard_normal_f in
# numpy/random/src/distributions/distributions.c) reads the generator's stream
# of 32-bit integers (next_uint32) one at a time: 99.3% of the numbers take one,
# the rest a few more (the wedge test, the tail beyond r = 3.654). Here the
# integers are drawn in bulk with ``rng.integers(0, 2**32, dtype=uint32)``,
# which is the same next_uint32 stream, and the compiled loop consumes them in
# NumPy's order, rounding as its C does (the wedge's exp in double). Each refill
# draws no more integers than the numbers still to make need at the least, so
# the generator ends in NumPy's state. (Numba's own Generator.standard_normal
# for float32 takes the wedge's exp in float32: its stream drifts from NumPy's
# after about a million numbers.) The ziggurat tables are Numba's copies of
# NumPy's; if a Numba release moves them, this kernel falls back to the twin.
try:
    from numba.np.random._constants import (fi_float, ki_float, wi_float,
                                            ziggurat_nor_inv_r_f, ziggurat_nor_r_f)
except ImportError:  # pragma: no cover - depends on the installed Numba
    standard_normal_ = numpy_twins.standard_normal_
    ROUTED_TO_NUMPY = ROUTED_TO_NUMPY + ("standard_normal_",)
else:
    _f32 = np.float32

    @njit(cache=True, error_model="numpy", inline="always")
    def _uniform_float32(bits, j):
        return _f32(_f32(bits[j] >> 8) * _f32(1.0 / 16777216.0))  # NumPy's next_float

    @njit(cache=True, error_model="numpy", inline="always")
    def _normal_float32(bits, j):
        """(one N(0, 1) number, position after it) from bits[j:]; position -1 if bits ran out."""
        n_bits = bits.size
        while True:
            if j >= n_bits:
                return _f32(0.0), -1
            r = bits[j]
            j += 1
            idx = r & 0xff
            sign = (r >> 8) & 0x1
            rabs = (r >> 9) & 0x0007fffff
            x = _f32(_f32(rabs) * wi_float[idx])
            if sign & 0x1:
                x = -x
            if rabs < ki_float[idx]:
                return x, j  # 99.3% of the numbers end here
            if idx == 0:  # the tail: Marsaglia's exponential rejection
                while True:
                    if j + 2 > n_bits:
                        return _f32(0.0), -1
                    xx = _f32(-ziggurat_nor_inv_r_f * _f32(np.log1p(-_uniform_float32(bits, j))))
                    yy = _f32(-_f32(np.log1p(-_uniform_float32(bits, j + 1))))
                    j += 2
                    if _f32(yy + yy) > _f32(xx * xx):
                        if (rabs >> 8) & 0x1:
                            return -_f32(ziggurat_nor_r_f + xx), j
                        return _f32(ziggurat_nor_r_f + xx), j
            else:  # the wedge: float32 left side, compared with a double exp (as C does)
                if j >= n_bits:
                    return _f32(0.0), -1
                left = _f32(_f32(_f32(fi_float[idx - 1] - fi_float[idx])
                                 * _uniform_float32(bits, j)) + fi_float[idx])
                j += 1
                x64 = float(x)
                if left < math.exp(-0.5 * x64 * x64):
                    return x, j

    @njit(cache=True, error_model="numpy")
    def _fill_float32(bits, out, k):
        """Write out[k:] from bits until they run out; returns (next k, bits used)."""
        used = 0
        while k < out.size:
            value, j = _normal_float32(bits, used)
            if j < 0:
                break
            out[k] = value
            k += 1
            used = j
        return k, used

    @njit(cache=True, error_model="numpy")
    def _fill_float64(rng, out):
        for i in range(out.size):
            out[i] = rng.standard_normal()  # Numba's float64 ziggurat is NumPy's, bit for bit

    def standard_normal_(rng, out):
        """Numba version of ``numpy_twins.standard_normal_`` (the same numbers, and state)."""
        if out.dtype != np.float32:
            _fill_float64(rng, out)
            return
        done, left = 0, out[:0].view(np.uint32)
        while done < out.size:
            # every number still to make takes >= 1 integer, the unfinished one >= left.size + 1
            more = rng.integers(0, 1 << 32, size=max(out.size - done - left.size, 1), dtype=np.uint32)
            bits = np.concatenate((left, more)) if left.size else more
            done, used = _fill_float32(bits, out, done)
            left = bits[used:]
