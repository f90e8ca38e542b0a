"""Shape Functions: broadcasting, reshaping, transposing, indexing, joining.

Each pairs with its adjoint: the gradient of ``broadcast_to`` is a sum back
to the shape (``SumTo``) and vice versa; the gradient of indexing is a
scatter-add of the gradient into zeros (``IndexAdd``), whose own gradient is
indexing again. That closure is what makes second derivatives work.
"""
import functools
import math

import numpy as np

from scratchgen.autodiff.function import Function, backward_on_arrays


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    The one place where broadcasting meets differentiation: an input that
    was broadcast to a larger shape was used once per copy, so its gradient
    is the sum over the copies.
    """
    if grad.shape == shape:
        return grad
    return SumTo.apply(grad, shape=shape)


@functools.lru_cache(maxsize=512)  # a model meets the same few shape pairs every step
def _sum_axes(from_shape, to_shape):
    lead = len(from_shape) - len(to_shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(to_shape) if n == 1 and from_shape[lead + i] != 1)
    return axes


@backward_on_arrays
class SumTo(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return np.add.reduce(a, axis=_sum_axes(a.shape, tuple(shape))).reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return (BroadcastTo.apply(grad, shape=ctx.in_shape),)


_SMALL = 1 << 14  # below this many elements, filling an array beats a view


@backward_on_arrays
class BroadcastTo(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        if a.size == 1 and math.prod(shape) <= _SMALL:
            # np.broadcast_to's Python wrapper costs more than filling a small
            # array (e.g. the gradient of a sum); a filled array is also writable.
            out = np.empty(shape, dtype=a.dtype)
            out[...] = a
            return out
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return (unbroadcast(grad, ctx.in_shape),)


@backward_on_arrays
class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {a.shape} "
                f"({a.size} elements) into shape {shape}") from None

    @staticmethod
    def backward(ctx, grad):
        return (Reshape.apply(grad, shape=ctx.in_shape),)


@backward_on_arrays
class Transpose(Function):
    @staticmethod
    def forward(ctx, a, axes):
        if axes is None:
            axes = tuple(reversed(range(a.ndim)))
        if sorted(ax % max(a.ndim, 1) for ax in axes) != list(range(a.ndim)):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the "
                f"{a.ndim} axes of a tensor of shape {a.shape}")
        ctx.inverse = tuple(np.argsort([ax % a.ndim for ax in axes]))
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, grad):
        return (Transpose.apply(grad, axes=ctx.inverse),)


@backward_on_arrays
class GetItem(Function):
    """a[index] for basic slices and integer-array indices."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.index, ctx.in_shape = index, a.shape
        return np.asarray(a[index])

    @staticmethod
    def backward(ctx, grad):
        return (IndexAdd.apply(grad, index=ctx.index, shape=ctx.in_shape),)


@backward_on_arrays
class IndexAdd(Function):
    """zeros(shape) with ``values`` added at ``index``; repeated indices add up.

    The gradient of ``GetItem``: an element read twice receives two gradients.
    """

    @staticmethod
    def forward(ctx, values, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=values.dtype)
        # BEGIN SOLUTION task=autodiff.backward_getitem
        np.add.at(out, index, values)
        # END SOLUTION
        return out

    @staticmethod
    def backward(ctx, grad):
        return (GetItem.apply(grad, index=ctx.index),)


@backward_on_arrays
class Concatenate(Function):
    @staticmethod
    def forward(ctx, *arrays, axis):
        try:
            out = np.concatenate(arrays, axis=axis)
        except ValueError as error:
            shapes = [a.shape for a in arrays]
            raise ValueError(f"concatenate along axis {axis}: {error}; "
                             f"got shapes {shapes}") from None
        ctx.axis = axis % out.ndim
        ctx.bounds = np.cumsum([0] + [a.shape[ctx.axis] for a in arrays])
        return out

    @staticmethod
    def backward(ctx, grad):
        grads = []
        for start, stop in zip(ctx.bounds[:-1], ctx.bounds[1:]):
            index = (slice(None),) * ctx.axis + (slice(int(start), int(stop)),)
            grads.append(GetItem.apply(grad, index=index))
        return tuple(grads)


def normalize_index(index):
    """Turn Tensors inside an index into arrays (indices carry no gradient)."""
    from scratchgen.autodiff.tensor import Tensor
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index
