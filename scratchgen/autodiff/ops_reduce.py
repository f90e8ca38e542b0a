"""Reductions and matrix products.

Gradients of reductions broadcast the incoming gradient back over the
reduced axes; ``_restore_axes`` re-inserts the axes that ``keepdims=False``
removed so that the broadcast lines up.
"""
import numpy as np

from scratchgen.autodiff.function import Function, backward_on_arrays
from scratchgen.autodiff.ops_shape import BroadcastTo, Reshape, unbroadcast


def _normalize_axis(axis, ndim, op):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    for ax in axes:
        if not -max(ndim, 1) <= ax < max(ndim, 1):
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor "
                             f"with {ndim} dimensions")
    return tuple(sorted(ax % ndim for ax in axes)) if ndim else ()


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _restore_axes(grad, ctx):
    """Reshape grad to the keepdims shape, then broadcast to the input shape.

    A 0-d grad (a full reduction) and a keepdims grad broadcast as they are.
    """
    if grad.ndim:
        kept = _kept_shape(ctx.in_shape, ctx.axes)
        if grad.shape != kept:
            grad = Reshape.apply(grad, shape=kept)
    return BroadcastTo.apply(grad, shape=ctx.in_shape)


@backward_on_arrays
class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.in_shape, ctx.axes = a.shape, _normalize_axis(axis, a.ndim, "sum")
        # np.add.reduce is np.sum without its Python-level dispatch
        return np.add.reduce(a, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        """Helper: ``_restore_axes(grad, ctx)`` reshapes grad to the keepdims shape and broadcasts
        it to the input's shape.
        """
        # BEGIN SOLUTION task=autodiff.backward_sum
        return (_restore_axes(grad, ctx),)
        # END SOLUTION


@backward_on_arrays
class Max(Function):
    """max over axes; the gradient goes to the maximal entries, split
    equally among ties (as ``torch.amax``)."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.in_shape, ctx.axes = a.shape, _normalize_axis(axis, a.ndim, "max")
        if a.size == 0:
            raise ValueError("max: the tensor is empty")
        out = np.max(a, axis=ctx.axes, keepdims=True)
        is_max = (a == out).astype(a.dtype)
        ctx.share = is_max / is_max.sum(axis=ctx.axes, keepdims=True)
        return out if keepdims else np.squeeze(out, axis=ctx.axes)

    @staticmethod
    def backward(ctx, grad):
        return (_restore_axes(grad, ctx) * ctx.share,)


class LogSumExp(Function):
    """log sum_i exp(a_i) over axes, computed as m + log sum exp(a - m) with
    m the maximum, so that it neither overflows nor underflows.

    Its gradient is softmax(a) = exp(a - logsumexp(a)).
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.in_shape = a.shape
        ctx.axes = _normalize_axis(axis, a.ndim, "logsumexp")
        m = np.max(a, axis=ctx.axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(a - m), axis=ctx.axes, keepdims=True)) + m
        out = out if keepdims else np.squeeze(out, axis=ctx.axes)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        softmax = (a - _restore_axes(out, ctx)).exp()
        return (_restore_axes(grad, ctx) * softmax,)


@backward_on_arrays
class MatMul(Function):
    """a @ b for 1-D, 2-D and batched operands (NumPy's matmul rules).

    With A (n, k), B (k, m), G = dL/d(AB) (n, m):
        dL/dA = G B^T,   dL/dB = A^T G,
    applied to the last two axes; 1-D operands are treated as a row (a) or
    a column (b), and batch axes that were broadcast are summed back.
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must be at least 1-D, got "
                             f"shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                f"{a.shape[-1]} (last axis of a) != "
                f"{b.shape[-2 if b.ndim > 1 else 0]} "
                f"({'second-to-last' if b.ndim > 1 else 'only'} axis of b)")
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        """Helper: ``unbroadcast(grad, shape)`` sums a gradient down to an input's shape.
        """
        a, b = ctx.saved_tensors
        # BEGIN SOLUTION task=autodiff.backward_matmul
        a2 = a if a.ndim > 1 else a.reshape(1, -1)
        b2 = b if b.ndim > 1 else b.reshape(-1, 1)
        out_shape = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (
            a2.shape[-2], b2.shape[-1])
        g = grad.reshape(out_shape)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = unbroadcast(g @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = unbroadcast(a2.swapaxes(-1, -2) @ g, b2.shape).reshape(b.shape)
        # END SOLUTION
        return grad_a, grad_b
