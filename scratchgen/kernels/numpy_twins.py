"""NumPy twins of the Numba kernels: the readable specification.

Every function here has exactly the signature of its namesake in
``scratchgen.kernels.numba_kernels`` and computes the same thing with whole-
array NumPy operations. Read these to learn *what* a kernel computes; read the
Numba version to see *how* the same thing is done in one pass without
temporaries. The tests check that the two agree.

These functions trust their inputs: the public wrappers in
``scratchgen.kernels`` have already checked dtypes (float32 or float64, all
arrays alike), shapes, and made the arrays C-contiguous. Activations arrive as
integer codes (``scratchgen.kernels.activation_codes``); the optimizer steps
receive flat 1-D views of contiguous arrays and plain Python scalars.

Dtypes: arithmetic stays in the input dtype. Python scalars (``lr``,
``beta1``, ...) are "weak" in NumPy 2, so ``lr * g`` with float32 ``g`` is a
float32 product with ``lr`` rounded to float32 -- which is also what PyTorch
does for float32 tensors.
"""
import math

import numpy as np

from scratchgen.kernels.activation_codes import IDENTITY, LEAKY_RELU, RELU, SIGMOID, TANH
from scratchgen.kernels.registry import KERNEL_NAMES

__all__ = list(KERNEL_NAMES)  # plus activation_derivative, used by nn.fused_linear


# --------------------------------------------------------------------------
# Stable elementwise functions
# --------------------------------------------------------------------------
def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), without overflow.

    exp(-x) overflows for x << 0, so use e = exp(-|x|) in (0, 1]:
        x >= 0:  1 / (1 + e)
        x <  0:  e / (1 + e)      (= exp(x) / (1 + exp(x)))
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus(x):
    """softplus(x) = log(1 + exp(x)), without overflow.

    log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)); the exp argument is <= 0.
    """
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# --------------------------------------------------------------------------
# Fused bias + activation
# --------------------------------------------------------------------------
def bias_act_forward(x, b, activation, negative_slope):
    """y = act(x + b) for x of shape (n, d) and b of shape (d,).

    activation is an integer code: IDENTITY, RELU, LEAKY_RELU (z if z > 0 else
    negative_slope * z), TANH or SIGMOID.
    """
    z = x + b
    if activation == IDENTITY:
        return z
    if activation == RELU:
        return np.maximum(z, 0)
    if activation == LEAKY_RELU:
        return np.where(z > 0, z, negative_slope * z)
    if activation == TANH:
        return np.tanh(z)
    if activation == SIGMOID:
        return sigmoid(z)
    raise ValueError(f"bias_act_forward: unknown activation code {activation}")


def activation_derivative(y, activation, negative_slope):
    """act'(z) written through the *output* y = act(z), so z need not be kept:

        identity:    1
        relu:        1 if y > 0 else 0
        leaky_relu:  1 if y > 0 else negative_slope   (y > 0 <=> z > 0 needs slope > 0)
        tanh:        1 - y^2
        sigmoid:     y (1 - y)

    This is the one statement of the rule: y may be an ndarray (here) or a
    scratchgen Tensor (``nn.fused_linear`` differentiates it again when a
    graph of the gradient is built); only operators both understand are used.
    The Numba kernel's ``_activation_derivative`` is its compiled twin.
    """
    # BEGIN SOLUTION task=kernels.bias_act_backward
    if activation == IDENTITY:
        return 1
    if activation == TANH:
        return 1 - y * y
    if activation == SIGMOID:
        return y * (1 - y)
    positive = (y > 0).astype(y.dtype)
    if activation == RELU:
        return positive
    if activation == LEAKY_RELU:
        return positive + (1 - positive) * negative_slope
    # END SOLUTION
    raise ValueError(f"activation_derivative: unknown activation code {activation}")


def bias_act_backward(y, grad_y, activation, negative_slope):
    """Gradients of y = act(x + b) from the *output* y; returns (grad_pre, grad_b).

    grad_pre = grad_y * act'(z), shape (n, d), with act'(z) written through y
    (``activation_derivative``); grad_b = sum over rows of grad_pre, shape (d,).
    """
    # BEGIN SOLUTION task=kernels.bias_act_backward hint="write act'(z) through y for each activation; grad_b sums over rows"
    grad_pre = grad_y * activation_derivative(y, activation, negative_slope)
    grad_b = grad_pre.sum(axis=0)
    # END SOLUTION
    return grad_pre, grad_b


# --------------------------------------------------------------------------
# Binary cross-entropy on logits
# --------------------------------------------------------------------------
def bce_with_logits(logits, targets):
    """Elementwise -[t log sigmoid(l) + (1 - t) log(1 - sigmoid(l))].

    With log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l):
        loss = softplus(l) - l t = max(l, 0) - l t + log1p(exp(-|l|)),
    which never overflows (same formula as torch.nn.BCEWithLogitsLoss).
    """
    # BEGIN SOLUTION task=kernels.bce_with_logits hint="max(l, 0) - l t + log1p(exp(-|l|)): exp never sees a positive argument"
    loss = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    # END SOLUTION
    return loss


def bce_with_logits_backward(logits, targets, grad):
    """d loss / d l = sigmoid(l) - t, times the incoming gradient."""
    return grad * (sigmoid(logits) - targets)


# --------------------------------------------------------------------------
# Optimizer steps (in place, PyTorch's rules)
# --------------------------------------------------------------------------
def sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
              weight_decay, maximize, first_step):
    """One step of torch.optim.SGD on a flat parameter, in place; returns None.

    As in PyTorch's implementation (``_single_tensor_sgd``):
        g = -grad if maximize else grad
        g = g + weight_decay * param                         (if weight_decay != 0)
        if momentum != 0:
            buf = g                            on the first step
            buf = momentum * buf + (1 - dampening) * g     afterwards
            g = g + momentum * buf  if nesterov  else  buf
        param = param - lr * g
    (PyTorch's docs box applies ``maximize`` at the end instead; the two
    differ only in the sign of the weight-decay term; we follow the code.)
    momentum_buffer is not touched when momentum == 0.
    """
    # BEGIN SOLUTION task=kernels.sgd_update hint="follow the docstring line by line; update momentum_buffer and param in place"
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    if momentum != 0:
        if first_step:
            momentum_buffer[...] = g
        else:
            momentum_buffer *= momentum
            momentum_buffer += (1 - dampening) * g
        if nesterov:
            g = g + momentum * momentum_buffer
        else:
            g = momentum_buffer
    param -= lr * g
    # END SOLUTION


def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
               beta2, eps, weight_decay, amsgrad, maximize):
    """One step of torch.optim.Adam on a flat parameter, in place; returns None.

    step is the 1-based count of steps taken, including this one. As in
    PyTorch (Kingma & Ba 2015, Algorithm 1; AMSGrad: Reddi et al. 2018):
        g = -grad if maximize else grad
        g = g + weight_decay * param                         (if weight_decay != 0)
        m = beta1 m + (1 - beta1) g
        v = beta2 v + (1 - beta2) g^2
        v_max = max(v_max, v); use v_max instead of v        (if amsgrad)
        denom = sqrt(v) / sqrt(1 - beta2^step) + eps
        param = param - lr / (1 - beta1^step) * m / denom
    The bias corrections are Python floats (float64), as in PyTorch.
    max_exp_avg_sq is not touched unless amsgrad.
    """
    # BEGIN SOLUTION task=kernels.adam_update hint="update exp_avg, exp_avg_sq (and max_exp_avg_sq) and param in place; bias corrections use step"
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    exp_avg *= beta1
    exp_avg += (1 - beta1) * g
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * g * g
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second_moment = max_exp_avg_sq
    else:
        second_moment = exp_avg_sq
    denom = np.sqrt(second_moment) / math.sqrt(bias_correction2) + eps
    step_size = lr / bias_correction1
    param -= step_size * exp_avg / denom
    # END SOLUTION


# --------------------------------------------------------------------------
# Distances and log-sum-exp (GAN metrics, Parzen windows)
# --------------------------------------------------------------------------
def pairwise_sq_distances(a, b):
    """D[i, j] = sum_k (a[i, k] - b[j, k])^2 for a (n, d), b (m, d) -> (n, m).

    Computed from the differences, not as |a|^2 + |b|^2 - 2 a.b, which
    cancels catastrophically for nearby points (and can go negative).
    """
    diff = a[:, None, :] - b[None, :, :]
    return np.sum(diff * diff, axis=2)


def logsumexp_rows(a):
    """out[i] = log sum_j exp(a[i, j]) for a (n, d) -> (n,), without overflow.

    Shift by the row maximum m: log sum exp(a) = m + log sum exp(a - m), where
    every exponent is <= 0. Rows whose maximum is +-inf are not shifted (so a
    row of -inf gives -inf and a row containing +inf gives +inf).
    """
    row_max = np.max(a, axis=1, keepdims=True)
    shift = np.where(np.isfinite(row_max), row_max, 0)
    with np.errstate(divide="ignore"):  # log(0) = -inf for all -inf rows is intended
        out = shift + np.log(np.sum(np.exp(a - shift), axis=1, keepdims=True))
    return out[:, 0]


# --------------------------------------------------------------------------
# Random draws (GAN noise)
# --------------------------------------------------------------------------
def standard_normal_(rng, out):
    """Fill the flat float32/float64 array ``out`` with N(0, 1) draws from the
    ``numpy.random.Generator`` rng, in place; returns None.

    Exactly ``rng.standard_normal(out.shape, dtype=out.dtype)``: the same
    numbers, and rng is left in the same state (NumPy's ziggurat method,
    Marsaglia & Tsang 2000, on the generator's 32-bit draws for float32 and
    64-bit draws for float64).
    """
    rng.standard_normal(out.shape, dtype=out.dtype, out=out)
