"""Fused bias-add + activation: y = act(x + b) in one pass.

An MLP layer computes act(x W^T + b). Written as separate ops, NumPy makes
a temporary for x W^T + b, another for the activation, and in backward
more for the derivative; the fused Numba kernel does each direction in one
pass over memory (see ``scratchgen.kernels``). The derivative is written
through the output y (relu: y > 0; tanh: 1 - y^2; sigmoid: y (1 - y)), so
the input need not be kept.

When the engine builds a graph of the gradient (``create_graph=True``)
backward uses Tensor ops instead of the kernel, so second derivatives
still work.
"""
import numpy as np

from scratchgen import kernels
from scratchgen.autodiff.function import Function
from scratchgen.autodiff.mode import is_grad_enabled
from scratchgen.autodiff.tensor import Tensor, as_tensor

ACTIVATIONS = ("identity", "relu", "leaky_relu", "tanh", "sigmoid")


def _derivative_from_output(y, activation, negative_slope):
    """act'(x + b) written through y = act(x + b), as a Tensor."""
    if activation == "identity":
        return None
    if activation == "relu":
        return Tensor((y.data > 0).astype(y.dtype))
    if activation == "leaky_relu":
        return Tensor(np.where(y.data > 0, 1.0, negative_slope).astype(y.dtype))
    if activation == "tanh":
        return 1 - y * y
    return y * (1 - y)  # sigmoid


class BiasActivation(Function):
    @staticmethod
    def forward(ctx, x, b, activation, negative_slope):
        ctx.activation, ctx.negative_slope = activation, negative_slope
        y = kernels.bias_act_forward(x, b, activation, negative_slope)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        if not is_grad_enabled():
            grad_pre, grad_b = kernels.bias_act_backward(
                y.data, grad.data, ctx.activation, ctx.negative_slope)
            return Tensor(grad_pre), Tensor(grad_b)
        d = _derivative_from_output(y, ctx.activation, ctx.negative_slope)
        grad_pre = grad if d is None else grad * d
        return grad_pre, grad_pre.sum(axis=0)


def bias_activation(x, b, activation="relu", negative_slope=0.01):
    """act(x + b) for x of shape (n, d) and b of shape (d,), fused.

    activation: one of "identity", "relu", "leaky_relu", "tanh", "sigmoid".
    """
    x, b = as_tensor(x), as_tensor(b)
    if activation not in ACTIVATIONS:
        raise ValueError(f"bias_activation: activation must be one of "
                         f"{ACTIVATIONS}, got {activation!r}")
    if x.ndim != 2 or b.ndim != 1 or x.shape[1] != b.shape[0]:
        raise ValueError(f"bias_activation: expected x of shape (n, d) and b of "
                         f"shape (d,), got {x.shape} and {b.shape}")
    if x.dtype != b.dtype:
        dtype = np.result_type(x.dtype, b.dtype)
        x, b = x.astype(dtype), b.astype(dtype)
    return BiasActivation.apply(x, b, activation=activation,
                                negative_slope=float(negative_slope))
