"""Public kernel functions: validate, prepare, dispatch to the active backend.

Each function checks dtypes and shapes and raises a ValueError/TypeError that
names the function and the argument *before* anything reaches a Numba kernel
(whose own errors are unreadable), makes read-only inputs C-contiguous,
turns activation names into integer codes, and then calls the function of the
same name in the active backend module (``backend.active_module()``).
"""

import numpy as np

from scratchgen.kernels import backend
from scratchgen.kernels.activation_codes import ACTIVATION_CODES, LEAKY_RELU
from scratchgen.kernels.registry import KERNEL_NAMES
from scratchgen.validation import check_int, check_real

__all__ = list(KERNEL_NAMES)

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------
def _float_array(value, op, name):
    """value as a C-contiguous float32/float64 array (no copy when it already is one)."""
    array = np.asarray(value)
    if array.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{op}: {name} must have dtype float32 or float64, got {array.dtype}")
    return np.asarray(array, order="C")  # (ascontiguousarray would turn 0-d into 1-d)


def _like(value, reference, op, name, ref_name, cast=False):
    """value as a contiguous array with the dtype and shape of reference.

    With cast=True any real dtype is converted (targets may be ints or bools);
    otherwise the dtype must already match.
    """
    array = np.asarray(value)
    if cast:
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_) or np.iscomplexobj(array):
            raise TypeError(f"{op}: {name} must be real numbers, got dtype {array.dtype}")
        array = array.astype(reference.dtype, copy=False)
    elif array.dtype != reference.dtype:
        raise TypeError(f"{op}: {name} has dtype {array.dtype} but {ref_name} has dtype "
                        f"{reference.dtype}; they must match")
    if array.shape != reference.shape:
        raise ValueError(f"{op}: {name} has shape {array.shape} but {ref_name} has shape "
                         f"{reference.shape}; they must match")
    return np.asarray(array, order="C")


def _ndim(array, ndim, op, name):
    if array.ndim != ndim:
        expected = "(n, d)" if ndim == 2 else "(d,)"
        raise ValueError(f"{op}: {name} must be {ndim}-D {expected}, got shape {array.shape}")


def _activation_code(activation, negative_slope, op):
    if activation not in ACTIVATION_CODES:
        raise ValueError(f"{op}: activation must be one of {sorted(ACTIVATION_CODES)}, "
                         f"got {activation!r}")
    check_real(negative_slope, f"{op}: negative_slope")
    return ACTIVATION_CODES[activation]


def _state_array(value, param, op, name):
    """An optimizer array updated in place: must already be right (no copy allowed)."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{op}: {name} must be a numpy.ndarray (updated in place), "
                        f"got {type(value).__name__}")
    if value.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{op}: {name} must have dtype float32 or float64, got {value.dtype}")
    if param is not None and value.dtype != param.dtype:
        raise TypeError(f"{op}: {name} has dtype {value.dtype} but param has dtype "
                        f"{param.dtype}; they must match")
    if param is not None and value.shape != param.shape:
        raise ValueError(f"{op}: {name} has shape {value.shape} but param has shape "
                         f"{param.shape}; they must match")
    if not value.flags.c_contiguous:
        raise ValueError(f"{op}: {name} must be C-contiguous to be updated in place "
                         f"(use numpy.ascontiguousarray when you create it)")
    if not value.flags.writeable:
        raise ValueError(f"{op}: {name} is read-only; it is updated in place")
    return value.reshape(-1)  # a view, because the array is contiguous


def _real(value, op, name, low=None, high=None, high_open=False):
    return check_real(value, f"{op}: {name}", low=low, high=high, high_open=high_open)


# --------------------------------------------------------------------------
# Fused bias + activation
# --------------------------------------------------------------------------
def bias_act_forward(x, b, activation, negative_slope=0.01):
    """y = act(x + b), fused; x (n, d), b (d,) -> y (n, d), same dtype.

    activation: "identity", "relu", "leaky_relu" (slope negative_slope for z <= 0),
    "tanh" or "sigmoid" (stable for any |z|).
    """
    op = "bias_act_forward"
    code = _activation_code(activation, negative_slope, op)
    x = _float_array(x, op, "x")
    _ndim(x, 2, op, "x")
    b = _float_array(b, op, "b")
    if b.dtype != x.dtype:
        raise TypeError(f"{op}: b has dtype {b.dtype} but x has dtype {x.dtype}; they must match")
    if b.shape != (x.shape[1],):
        raise ValueError(f"{op}: b must have shape ({x.shape[1]},) to match x of shape "
                         f"{x.shape}, got {b.shape}")
    return backend.active_module().bias_act_forward(x, b, code, float(negative_slope))


def bias_act_backward(y, grad_y, activation, negative_slope=0.01):
    """(grad_pre, grad_b) of y = act(x + b) from the output y and grad_y, both (n, d).

    grad_pre = grad_y * act'(x + b) with act' written through y; grad_b = grad_pre.sum(0).
    For "leaky_relu" the sign of y tells the branch only when negative_slope > 0.
    """
    op = "bias_act_backward"
    code = _activation_code(activation, negative_slope, op)
    if code == LEAKY_RELU and not negative_slope > 0:
        raise ValueError(f"{op}: leaky_relu's derivative is read from the output y, which "
                         f"needs negative_slope > 0, got {negative_slope}")
    y = _float_array(y, op, "y")
    _ndim(y, 2, op, "y")
    grad_y = _like(grad_y, y, op, "grad_y", "y")
    return backend.active_module().bias_act_backward(y, grad_y, code, float(negative_slope))


# --------------------------------------------------------------------------
# Stable elementwise functions
# --------------------------------------------------------------------------
def softplus(x):
    """log(1 + exp(x)) elementwise, any shape, without overflow."""
    x = _float_array(x, "softplus", "x")
    return backend.active_module().softplus(x.reshape(-1)).reshape(x.shape)


def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise, any shape, without overflow."""
    x = _float_array(x, "sigmoid", "x")
    return backend.active_module().sigmoid(x.reshape(-1)).reshape(x.shape)


def bce_with_logits(logits, targets):
    """Elementwise binary cross-entropy max(l, 0) - l t + log1p(exp(-|l|)); any shape.

    targets (same shape, any real dtype, converted to the dtype of logits) are
    usually in [0, 1]. Reduce the result yourself (mean/sum).
    """
    op = "bce_with_logits"
    logits = _float_array(logits, op, "logits")
    targets = _like(targets, logits, op, "targets", "logits", cast=True)
    loss = backend.active_module().bce_with_logits(logits.reshape(-1), targets.reshape(-1))
    return loss.reshape(logits.shape)


def bce_with_logits_backward(logits, targets, grad):
    """grad * (sigmoid(logits) - targets): the gradient of bce_with_logits wrt logits."""
    op = "bce_with_logits_backward"
    logits = _float_array(logits, op, "logits")
    targets = _like(targets, logits, op, "targets", "logits", cast=True)
    grad = _like(grad, logits, op, "grad", "logits", cast=True)
    out = backend.active_module().bce_with_logits_backward(
        logits.reshape(-1), targets.reshape(-1), grad.reshape(-1))
    return out.reshape(logits.shape)


# --------------------------------------------------------------------------
# Optimizer steps (in place)
# --------------------------------------------------------------------------
def sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
              weight_decay, maximize, first_step):
    """One torch.optim.SGD step for one parameter array, in place; returns None.

    param (any shape, C-contiguous, float32/float64) is updated in place, and so
    is momentum_buffer (same shape and dtype) when momentum != 0; it may be None
    when momentum == 0. first_step=True sets buf = g as PyTorch does on the
    parameter's first step. The rule is in numpy_twins.sgd_step_.
    """
    op = "sgd_step_"
    flat_param = _state_array(param, None, op, "param")
    flat_grad = _like(grad, param, op, "grad", "param").reshape(-1)
    lr = _real(lr, op, "lr", low=0.0)
    momentum = _real(momentum, op, "momentum", low=0.0)
    dampening = _real(dampening, op, "dampening")
    weight_decay = _real(weight_decay, op, "weight_decay", low=0.0)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError(f"{op}: Nesterov momentum requires momentum > 0 and dampening = 0, "
                         f"got momentum={momentum}, dampening={dampening}")
    if momentum != 0:
        flat_buffer = _state_array(momentum_buffer, param, op, "momentum_buffer")
    else:
        flat_buffer = flat_grad  # never read or written when momentum == 0
    backend.active_module().sgd_step_(
        flat_param, flat_grad, flat_buffer, lr, momentum, dampening, bool(nesterov),
        weight_decay, bool(maximize), bool(first_step))


def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1, beta2,
               eps, weight_decay, amsgrad, maximize):
    """One torch.optim.Adam step for one parameter array, in place; returns None.

    step: 1-based number of this step (PyTorch's state["step"] after its
    increment). param, exp_avg, exp_avg_sq (and max_exp_avg_sq when amsgrad;
    otherwise it may be None) are C-contiguous arrays of one shape and dtype,
    all updated in place. The rule is in numpy_twins.adam_step_.
    """
    op = "adam_step_"
    flat_param = _state_array(param, None, op, "param")
    flat_grad = _like(grad, param, op, "grad", "param").reshape(-1)
    flat_exp_avg = _state_array(exp_avg, param, op, "exp_avg")
    flat_exp_avg_sq = _state_array(exp_avg_sq, param, op, "exp_avg_sq")
    if amsgrad:
        flat_max = _state_array(max_exp_avg_sq, param, op, "max_exp_avg_sq")
    else:
        flat_max = flat_exp_avg_sq  # never read or written without amsgrad
    step = check_int(step, f"{op}: step (steps taken, including this one)", minimum=1)
    lr = _real(lr, op, "lr", low=0.0)
    beta1 = _real(beta1, op, "beta1", low=0.0, high=1.0, high_open=True)
    beta2 = _real(beta2, op, "beta2", low=0.0, high=1.0, high_open=True)
    eps = _real(eps, op, "eps", low=0.0)
    weight_decay = _real(weight_decay, op, "weight_decay", low=0.0)
    backend.active_module().adam_step_(
        flat_param, flat_grad, flat_exp_avg, flat_exp_avg_sq, flat_max, int(step), lr, beta1,
        beta2, eps, weight_decay, bool(amsgrad), bool(maximize))


# --------------------------------------------------------------------------
# Distances and log-sum-exp
# --------------------------------------------------------------------------
def pairwise_sq_distances(a, b):
    """Squared Euclidean distances D[i, j] = |a_i - b_j|^2; a (n, d), b (m, d) -> (n, m).

    Exact (sums of squared differences), never negative.
    """
    op = "pairwise_sq_distances"
    a = _float_array(a, op, "a")
    _ndim(a, 2, op, "a")
    b = _float_array(b, op, "b")
    _ndim(b, 2, op, "b")
    if b.dtype != a.dtype:
        raise TypeError(f"{op}: b has dtype {b.dtype} but a has dtype {a.dtype}; they must match")
    if b.shape[1] != a.shape[1]:
        raise ValueError(f"{op}: a and b must have the same number of columns, got a "
                         f"{a.shape} and b {b.shape}")
    return backend.active_module().pairwise_sq_distances(a, b)


def logsumexp_rows(a):
    """log sum_j exp(a[i, j]) for each row of a (n, d) -> (n,), without overflow."""
    op = "logsumexp_rows"
    a = _float_array(a, op, "a")
    _ndim(a, 2, op, "a")
    if a.shape[1] == 0:
        raise ValueError(f"{op}: a must have at least one column, got shape {a.shape}")
    return backend.active_module().logsumexp_rows(a)


# --------------------------------------------------------------------------
# Random draws
# --------------------------------------------------------------------------
def standard_normal_(rng, out):
    """Fill ``out`` (float32/float64, C-contiguous, writable, any shape) with
    N(0, 1) draws from ``rng`` (a numpy.random.Generator), in place; returns None.

    The same numbers as ``rng.standard_normal(out.shape, dtype=out.dtype)``,
    with ``rng`` left in the same state, on either backend.
    """
    op = "standard_normal_"
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{op}: rng must be a numpy.random.Generator "
                        f"(numpy.random.default_rng(seed)), got {type(rng).__name__}")
    flat = _state_array(out, None, op, "out")
    backend.active_module().standard_normal_(rng, flat)
