"""Elementwise Functions and their vector-Jacobian products.

Every backward below is one short formula in Tensor operations, as in HIPS
autograd's table of primitives. Binary ops broadcast like NumPy; their
gradients are summed back to each input's shape in one place,
``unbroadcast``.
"""
import numpy as np

from scratchgen import kernels
from scratchgen.autodiff.function import Function, backward_on_arrays
from scratchgen.autodiff.ops_shape import unbroadcast


def _broadcast_error(op, a, b, error):
    """The error to raise when NumPy refused ``op`` on arrays a and b: a
    one-line message naming the shapes if they do not broadcast, else the
    original error. (Asked only after a failure: checking shapes first
    would cost more than a small op's arithmetic.)"""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        return ValueError(
            f"{op}: operands with shapes {a.shape} and {b.shape} cannot be "
            f"broadcast together")
    return error


# ------------------------------------------------------------- arithmetic
@backward_on_arrays
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        try:
            return a + b
        except ValueError as error:
            raise _broadcast_error("add", a, b, error) from None

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION task=autodiff.backward_add
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(grad, ctx.shapes[1])
        # END SOLUTION


@backward_on_arrays
class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        try:
            return a - b
        except ValueError as error:
            raise _broadcast_error("sub", a, b, error) from None

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(-grad, ctx.shapes[1])


@backward_on_arrays
class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a * b
        except ValueError as error:
            raise _broadcast_error("mul", a, b, error) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # BEGIN SOLUTION task=autodiff.backward_mul
        grad_a = unbroadcast(grad * b, a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(grad * a, b.shape) if ctx.needs_input_grad[1] else None
        # END SOLUTION
        return grad_a, grad_b


@backward_on_arrays
class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a / b
        except ValueError as error:
            raise _broadcast_error("div", a, b, error) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad / b, a.shape) if ctx.needs_input_grad[0] else None
        grad_b = (unbroadcast(-grad * a / (b * b), b.shape)
                  if ctx.needs_input_grad[1] else None)
        return grad_a, grad_b


class Pow(Function):
    """a ** b; d/da = b a^(b-1), d/db = a^b log a (only asked for when b requires grad).

    At a = 0 both formulas meet 0 * inf; as PyTorch, d/da is 0 where b = 0
    (a^0 = 1 is constant) and d/db is 0 where b >= 0 (0^b = 0 for b > 0).
    Those entries are computed from a = 1 instead of 0 (``_where_zero_base``),
    so that the formulas' own derivatives stay finite: second order works too.
    """

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a ** b
        except ValueError as error:
            raise _broadcast_error("pow", a, b, error) from None
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            base = _where_zero_base(a, b, b.data == 0)
            grad_a = unbroadcast(grad * b * base ** (b - 1), a.shape)
        if ctx.needs_input_grad[1]:
            base = _where_zero_base(a, b, b.data >= 0)
            grad_b = unbroadcast(grad * out * Log.apply(base), b.shape)
        return grad_a, grad_b


def _where_zero_base(a, b, exponent_ok):
    """a with 1 put where a == 0 and ``exponent_ok`` (a boolean array)."""
    zero_base = a.data == 0
    if not zero_base.any():  # the usual case: nothing to mask
        return a
    mask = zero_base & exponent_ok
    one = np.ones((), dtype=a.dtype)
    return Where.apply(one, a, condition=np.broadcast_to(mask, np.broadcast_shapes(
        a.shape, b.shape)))


@backward_on_arrays
class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)


@backward_on_arrays
class AsType(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return (AsType.apply(grad, dtype=ctx.dtype),)


# ------------------------------------------------------------ unary math
@backward_on_arrays
class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return (grad * out,)


@backward_on_arrays
class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return (grad / a,)


@backward_on_arrays
class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return (grad / (2 * out),)


@backward_on_arrays
class Abs(Function):
    """|a|; the subgradient 0 is used at a = 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        ctx.sign = np.sign(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.sign,)


@backward_on_arrays
class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return (grad * (1 - out * out),)


@backward_on_arrays
class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        out = kernels.sigmoid(a).reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return (grad * out * (1 - out),)


@backward_on_arrays
class Softplus(Function):
    """log(1 + exp(a)), computed stably; its derivative is sigmoid(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return kernels.softplus(a).reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return (grad * Sigmoid.apply(a),)


@backward_on_arrays
class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mask = a > 0
        return np.where(ctx.mask, a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION task=autodiff.backward_relu
        return (grad * ctx.mask.astype(grad.dtype),)
        # END SOLUTION


@backward_on_arrays
class LeakyReLU(Function):
    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.slope = np.where(a > 0, 1.0, negative_slope).astype(a.dtype)
        return a * ctx.slope

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.slope,)


@backward_on_arrays
class Clip(Function):
    """clip(a, lo, hi); the gradient passes where lo <= a <= hi."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        out = np.clip(a, lo, hi)
        ctx.mask = (out == a).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.mask,)


# ------------------------------------------------------- selection
@backward_on_arrays
class Where(Function):
    """where(cond, a, b): cond is a boolean array and gets no gradient."""

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.condition = condition
        ctx.shapes = (a.shape, b.shape)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros((), dtype=grad.dtype)
        grad_a = unbroadcast(Where.apply(grad, zero, condition=ctx.condition),
                             ctx.shapes[0])
        grad_b = unbroadcast(Where.apply(zero, grad, condition=ctx.condition),
                             ctx.shapes[1])
        return grad_a, grad_b


@backward_on_arrays
class Maximum(Function):
    """max(a, b) elementwise; at ties the gradient is split equally (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.maximum(a, b)
        except ValueError as error:
            raise _broadcast_error("maximum", a, b, error) from None
        ctx.weight_a = ((a > b) + 0.5 * (a == b)).astype(out.dtype)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (unbroadcast(grad * ctx.weight_a, ctx.shapes[0]),
                unbroadcast(grad * (1 - ctx.weight_a), ctx.shapes[1]))
