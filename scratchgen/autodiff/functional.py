"""The public functions of the autodiff: ``sg.exp(x)``, ``sg.matmul(a, b)``, ...

Primitive ops call a Function; composite ops (mean, var, log_softmax, ...)
are written with primitives, so their gradients come for free and are
checked by the same tests.
"""
import numbers

import numpy as np

from scratchgen.autodiff import ops_elementwise as E
from scratchgen.autodiff import ops_reduce as R
from scratchgen.autodiff import ops_shape as S
from scratchgen.autodiff.tensor import Tensor, as_tensor, as_tensors

__all__ = [
    "add", "sub", "mul", "div", "pow", "neg", "matmul",
    "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu",
    "softplus", "clip", "maximum", "minimum", "where", "astype",
    "sum", "mean", "max", "min", "var", "logsumexp", "log_softmax", "softmax",
    "reshape", "transpose", "swapaxes", "expand_dims", "squeeze",
    "broadcast_to", "concatenate", "stack", "getitem",
]


# Binary ops take Tensors, arrays or Python numbers; ``Function.apply``
# converts what is not a Tensor (``as_tensors``: a number takes the dtype
# of the Tensor it meets, so 2 * x stays float32 when x is float32).
def add(a, b): return E.Add.apply(a, b)
def sub(a, b): return E.Sub.apply(a, b)
def mul(a, b): return E.Mul.apply(a, b)
def div(a, b): return E.Div.apply(a, b)
def neg(a): return E.Neg.apply(a)
def exp(a): return E.Exp.apply(a)
def log(a): return E.Log.apply(a)
def sqrt(a): return E.Sqrt.apply(a)
def abs(a): return E.Abs.apply(a)  # noqa: A001 (mirrors numpy.abs)
def tanh(a): return E.Tanh.apply(a)
def sigmoid(a): return E.Sigmoid.apply(a)
def relu(a): return E.ReLU.apply(a)
def softplus(a): return E.Softplus.apply(a)


def pow(a, b):  # noqa: A001 (mirrors numpy.power)
    """a ** b. A constant integer exponent is expanded for exactness."""
    if isinstance(b, numbers.Number) and b == 2:
        a = as_tensor(a)
        return E.Mul.apply(a, a)
    return E.Pow.apply(a, b)


def leaky_relu(a, negative_slope=0.01):
    return E.LeakyReLU.apply(a, negative_slope=negative_slope)


def clip(a, min=None, max=None):  # noqa: A002 (numpy's names)
    """Clip values to [min, max]; the gradient is zero where clipped."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    return E.Clip.apply(a, lo=min, hi=max)


def astype(a, dtype):
    a = as_tensor(a)
    if a.dtype == np.dtype(dtype):
        return a
    return E.AsType.apply(a, dtype=np.dtype(dtype))


def maximum(a, b):
    return E.Maximum.apply(a, b)


def minimum(a, b):
    """min(a, b) = -max(-a, -b)."""
    a, b = as_tensors((a, b))
    return -E.Maximum.apply(-a, -b)


def where(condition, a, b):
    """Elementwise ``a if condition else b``; ``condition`` gets no gradient."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != bool:
        raise TypeError(f"where: condition must be boolean, got {condition.dtype}")
    return E.Where.apply(a, b, condition=condition)


def matmul(a, b):
    return R.MatMul.apply(a, b)


# ------------------------------------------------------------ reductions
def sum(a, axis=None, keepdims=False):  # noqa: A001
    return R.Sum.apply(a, axis=axis, keepdims=keepdims)


def mean(a, axis=None, keepdims=False):
    """Sum over ``axis`` divided by the number of elements summed.

    The mean of no elements is NaN, as in NumPy (without its warning) and
    PyTorch: an empty batch gives a NaN loss, not an exception.
    """
    a = as_tensor(a)
    axes = R._normalize_axis(axis, a.ndim, "mean")
    count = int(np.prod([a.shape[i] for i in axes]))
    return R.Sum.apply(a, axis=axis, keepdims=keepdims) * (
        1.0 / count if count else float("nan"))


def max(a, axis=None, keepdims=False):  # noqa: A001
    return R.Max.apply(a, axis=axis, keepdims=keepdims)


def min(a, axis=None, keepdims=False):  # noqa: A001
    return -R.Max.apply(-as_tensor(a), axis=axis, keepdims=keepdims)


def var(a, axis=None, keepdims=False, ddof=0):
    """Variance, mean of squared deviations (divided by N - ddof)."""
    a = as_tensor(a)
    axes = R._normalize_axis(axis, a.ndim, "var")
    count = int(np.prod([a.shape[i] for i in axes]))
    if count - ddof <= 0:
        raise ValueError(f"var: {count} elements with ddof={ddof} leaves no "
                         f"degrees of freedom")
    centred = a - mean(a, axis=axis, keepdims=True)
    return (centred * centred).sum(axis=axis, keepdims=keepdims) * (
        1.0 / (count - ddof))


def logsumexp(a, axis=None, keepdims=False):
    """log(sum(exp(a))) over ``axis``, without overflow."""
    return R.LogSumExp.apply(a, axis=axis, keepdims=keepdims)


def log_softmax(a, axis=-1):
    """log softmax(a) = a - logsumexp(a), along ``axis``."""
    a = as_tensor(a)
    return a - logsumexp(a, axis=axis, keepdims=True)


def softmax(a, axis=-1):
    """softmax(a)_i = exp(a_i) / sum_j exp(a_j), along ``axis``."""
    return exp(log_softmax(a, axis=axis))


# ------------------------------------------------------------ shape ops
def reshape(a, shape):
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    return S.Reshape.apply(a, shape=shape)


def transpose(a, axes=None):
    return S.Transpose.apply(a, axes=None if axes is None else tuple(axes))


def swapaxes(a, axis1, axis2):
    a = as_tensor(a)
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return S.Transpose.apply(a, axes=tuple(axes))


def expand_dims(a, axis):
    a = as_tensor(a)
    return S.Reshape.apply(a, shape=np.expand_dims(a.data, axis).shape)


def squeeze(a, axis=None):
    a = as_tensor(a)
    try:
        shape = np.squeeze(a.data, axis).shape
    except ValueError:
        raise ValueError(f"squeeze: axis {axis} of shape {a.shape} does not "
                         f"have size 1") from None
    return S.Reshape.apply(a, shape=shape)


def broadcast_to(a, shape):
    a = as_tensor(a)
    try:
        np.broadcast_shapes(a.shape, tuple(shape))
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} "
                         f"to {tuple(shape)}") from None
    return S.BroadcastTo.apply(a, shape=tuple(shape))


def concatenate(tensors, axis=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    return S.Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape, got "
                         f"{[t.shape for t in tensors]}")
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def getitem(a, index):
    return S.GetItem.apply(a, index=S.normalize_index(index))
