"""The fused dense layer: y = act(x W^T + b) as ONE node of the graph.

An MLP spends its time in three places: the matrix products (BLAS does
those, as fast as it gets), the elementwise bias + activation, and Python
bookkeeping per graph node. Written with separate ops, one layer is three
nodes (matmul, add, relu), each allocating a temporary and each visited in
backward. Here it is one node:

forward  (x (n, in), W (out, in), b (out,)):
    z = x @ W^T                      one BLAS gemm (W^T is a view, no copy)
    y = act(z + b)                   one pass of the fused Numba kernel

backward (G = dL/dy, shape (n, out)):
    Gz  = G * act'(z + b)            act' read from y: the rule is
                                     kernels.numpy_twins.activation_derivative
    db  = sum_rows(Gz)               (the same kernel pass computes Gz and db)
    dW  = Gz^T @ x                   BLAS
    dx  = Gz @ W                     BLAS (skipped when x needs no gradient)

When the engine builds a graph of the gradient (``create_graph=True``, e.g.
for a WGAN-GP gradient penalty), backward is written with Tensor operations
instead (the same ``activation_derivative``, applied to the output Tensor),
so the gradient can be differentiated again.

``linear`` validates everything at the boundary, so the Function calls the
kernels through ``scratchgen.kernels.unchecked`` (no second validation).

The torch equivalent is ``act(torch.nn.functional.linear(x, W, b))``.
"""
import numpy as np

from scratchgen.autodiff import Function, Tensor, is_grad_enabled
from scratchgen.autodiff.tensor import as_tensor
from scratchgen.kernels import unchecked
from scratchgen.kernels.activation_codes import ACTIVATION_CODES, IDENTITY
from scratchgen.kernels.numpy_twins import activation_derivative

__all__ = ["linear", "LinearActivation", "FUSED_ACTIVATIONS"]

#: activations that the fused path supports (leaky_relu needs negative_slope > 0,
#: because its derivative is read from the sign of the output)
FUSED_ACTIVATIONS = tuple(ACTIVATION_CODES)


class LinearActivation(Function):
    """y = act(x @ W.T + b); inputs (x, W) or (x, W, b). See the module docstring."""

    @staticmethod
    def forward(ctx, x, weight, *bias, activation, negative_slope):
        """Helper: ``unchecked.bias_act_forward(x, b, activation, negative_slope)`` -> act(x + b),
        the fused kernel.
        """
        ctx.activation, ctx.negative_slope = activation, negative_slope
        ctx.has_bias = bool(bias)
        # BEGIN SOLUTION task=nn.linear_forward
        z = x @ weight.T  # BLAS gemm; W.T is a transposed view, not a copy
        if activation == "identity":
            if bias:
                z += bias[0]  # z is our own fresh array: add in place
            y = z
        else:
            b = bias[0] if bias else np.zeros(weight.shape[0], dtype=z.dtype)
            y = unchecked.bias_act_forward(z, b, ACTIVATION_CODES[activation],
                                           negative_slope)
        # END SOLUTION
        ctx.save_for_backward(x, weight, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        """Helper: ``unchecked.bias_act_backward(y, grad_y, activation, negative_slope)`` ->
        (grad_pre, grad_b), the fused kernel.
        """
        x, weight, y = ctx.saved_tensors
        if is_grad_enabled():
            return _backward_with_graph(ctx, grad, x, weight, y)
        # BEGIN SOLUTION task=nn.linear_backward
        g = grad.data
        if ctx.activation == "identity":
            grad_pre = g
            grad_b = g.sum(axis=0) if ctx.has_bias else None
        else:
            grad_pre, grad_b = unchecked.bias_act_backward(
                y.data, np.ascontiguousarray(g), ACTIVATION_CODES[ctx.activation],
                ctx.negative_slope)
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_x = Tensor(grad_pre @ weight.data) if need_x else None
        grad_w = Tensor(grad_pre.T @ x.data) if need_w else None
        # END SOLUTION
        if ctx.has_bias:
            return grad_x, grad_w, Tensor(grad_b)
        return grad_x, grad_w


def _backward_with_graph(ctx, grad, x, weight, y):
    # Same formulas in Tensor ops, recorded for second derivatives.
    code = ACTIVATION_CODES[ctx.activation]
    grad_pre = grad if code == IDENTITY else grad * activation_derivative(
        y, code, ctx.negative_slope)
    grad_x = grad_pre @ weight if ctx.needs_input_grad[0] else None
    grad_w = grad_pre.T @ x if ctx.needs_input_grad[1] else None
    if ctx.has_bias:
        return grad_x, grad_w, grad_pre.sum(axis=0)
    return grad_x, grad_w


def _check(x, weight, bias, activation, negative_slope):
    if activation not in FUSED_ACTIVATIONS:
        raise ValueError(f"linear: activation must be one of {FUSED_ACTIVATIONS}, "
                         f"got {activation!r}")
    if activation == "leaky_relu" and not negative_slope > 0:
        raise ValueError(f"linear: the fused leaky_relu needs negative_slope > 0 "
                         f"(its derivative is read from the output), got "
                         f"{negative_slope}; apply leaky_relu separately instead")
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), "
                         f"got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not match weight of "
                         f"shape {weight.shape}: the last axis of the input must have "
                         f"in_features = {weight.shape[1]} entries")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got "
                         f"{bias.shape}")


def linear(input, weight, bias=None, activation="identity", negative_slope=0.01):
    """act(input @ weight.T + bias), fused into one graph node.

    input: (n, in_features) (or (..., in_features), flattened and restored);
    weight: (out_features, in_features); bias: (out_features,) or None;
    activation: "identity" (torch.nn.functional.linear), "relu",
    "leaky_relu" (negative_slope > 0), "tanh" or "sigmoid".
    Returns (n, out_features). Mixed float32/float64 operands are promoted
    as NumPy does.
    """
    x, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _check(x, weight, bias, activation, negative_slope)
    tensors = (weight,) if bias is None else (weight, bias)
    dtype = x.dtype
    if any(t.dtype != dtype for t in tensors) or dtype.kind != "f":
        dtype = np.result_type(np.float32, *(t.dtype for t in (x,) + tensors))
        x = x.astype(dtype)
        tensors = tuple(t.astype(dtype) for t in tensors)
    lead_shape = x.shape[:-1]
    if x.ndim != 2:
        x = x.reshape(-1, x.shape[-1])
    y = LinearActivation.apply(x, *tensors, activation=activation,
                               negative_slope=float(negative_slope))
    if len(lead_shape) != 1:
        y = y.reshape(lead_shape + (weight.shape[0],))
    return y
