"""``Tensor``: an ndarray that remembers how it was made.

A Tensor wraps a NumPy array (``.data``). When it was computed by a
``Function`` from Tensors that require gradients, it keeps that Function's
context (``_ctx``), and ``backward()`` walks these links in reverse to fill
``.grad`` of the leaves, as in PyTorch.

dtype rules: a Tensor keeps the dtype of the array it wraps; Python scalars
and lists get the default dtype (``sg.set_default_dtype``); in an operation
with a Python number the number takes the Tensor's dtype; two arrays follow
NumPy's promotion (float32 with float64 gives float64).
"""
import numpy as np

from scratchgen.autodiff.dtypes import get_default_dtype


def _to_array(data, dtype=None):
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data)
    if dtype is None and array.dtype.kind in "iufb" and array.dtype.kind != "b":
        # Python numbers and lists of them become the default float dtype,
        # because a gradient only makes sense for floats.
        dtype = get_default_dtype()
    return array if dtype is None else array.astype(dtype)


class Tensor:
    """A node of the computation graph.

    Attributes: ``data`` (ndarray), ``grad`` (Tensor or None), ``requires_grad``.
    Create with ``sg.tensor(data, requires_grad=False, dtype=None)``.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "__weakref__")
    # Make ndarray (op) Tensor call the Tensor's reflected operator.
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None):
        if type(data) is not np.ndarray or dtype is not None:
            data = _to_array(data, dtype)
        self.data = data
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients; "
                f"got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._ctx = None

    # ----------------------------------------------------------- inspection
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def is_leaf(self):
        return self._ctx is None

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype != get_default_dtype():
            extra += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx.fn.__name__}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def numpy(self):
        """The underlying array (shared, not copied, as in PyTorch)."""
        return self.data

    def item(self):
        """The value of a one-element Tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors can be converted to a "
                f"Python number, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self):
        """A Tensor sharing the data, cut from the graph."""
        return Tensor(self.data)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError("only floating-point tensors can require gradients")
        self.requires_grad = requires_grad
        return self

    def zero_grad(self):
        self.grad = None

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf.

        grad: dL/d(self) (same shape); may be omitted for a one-element Tensor.
        retain_graph: keep what the graph saved, so that backward can run
        through it again (default: ``create_graph``). Without it a second
        backward through the same graph raises RuntimeError, as in PyTorch
        (it would otherwise add the gradient into ``.grad`` a second time).
        create_graph: record the backward pass, so the gradients in
        ``.grad`` can be differentiated again.
        """
        _engine.backpropagate([self], None if grad is None else [grad], create_graph,
                              retain_graph=retain_graph)

    # ------------------------------------------------------------ operators
    # The arithmetic operators and elementwise methods call their Function
    # directly (one call less than through ``sg.add`` etc.: it shows on small ops).
    def __add__(self, other):
        return _E.Add.apply(self, other)

    def __radd__(self, other):
        return _E.Add.apply(other, self)

    def __sub__(self, other):
        return _E.Sub.apply(self, other)

    def __rsub__(self, other):
        return _E.Sub.apply(other, self)

    def __mul__(self, other):
        return _E.Mul.apply(self, other)

    def __rmul__(self, other):
        return _E.Mul.apply(other, self)

    def __truediv__(self, other):
        return _E.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _E.Div.apply(other, self)

    def __pow__(self, other):
        return _ops.pow(self, other)

    def __rpow__(self, other):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _E.Neg.apply(self)

    def __pos__(self):
        return self

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons give boolean Tensors and no gradient, as in PyTorch.
    def __lt__(self, other):
        return Tensor(self.data < _raw(other))

    def __le__(self, other):
        return Tensor(self.data <= _raw(other))

    def __gt__(self, other):
        return Tensor(self.data > _raw(other))

    def __ge__(self, other):
        return Tensor(self.data >= _raw(other))

    def __eq__(self, other):
        return Tensor(self.data == _raw(other))

    def __ne__(self, other):
        return Tensor(self.data != _raw(other))

    __hash__ = object.__hash__

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with shape {self.shape} is "
                f"ambiguous; use .all() or .any() on .data")
        return bool(self.data)

    # ---------------------------------------------------- methods (ops)
    def exp(self): return _E.Exp.apply(self)
    def log(self): return _E.Log.apply(self)
    def sqrt(self): return _E.Sqrt.apply(self)
    def abs(self): return _ops.abs(self)
    def tanh(self): return _E.Tanh.apply(self)
    def sigmoid(self): return _E.Sigmoid.apply(self)
    def relu(self): return _E.ReLU.apply(self)
    def softplus(self): return _E.Softplus.apply(self)

    def leaky_relu(self, negative_slope=0.01):
        return _ops.leaky_relu(self, negative_slope)

    def clip(self, min=None, max=None):
        return _ops.clip(self, min, max)

    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops.min(self, axis, keepdims)

    def var(self, axis=None, keepdims=False, ddof=0):
        return _ops.var(self, axis, keepdims, ddof)

    def logsumexp(self, axis=None, keepdims=False):
        return _ops.logsumexp(self, axis, keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    @property
    def T(self):
        return _ops.transpose(self, None)

    def swapaxes(self, axis1, axis2):
        return _ops.swapaxes(self, axis1, axis2)

    def expand_dims(self, axis):
        return _ops.expand_dims(self, axis)

    def squeeze(self, axis=None):
        return _ops.squeeze(self, axis)

    def flatten(self):
        return _ops.reshape(self, (-1,))

    def astype(self, dtype):
        return _ops.astype(self, dtype)


def _new_tensor(data):
    """A Tensor around an ndarray that the caller made (the ops' outputs):
    ``Tensor(data)`` without the argument checks, which cost more than a
    small op's arithmetic."""
    t = _object_new(Tensor)
    t.data = data
    t.requires_grad = False
    t.grad = None
    t._ctx = None
    return t


_object_new = object.__new__


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def as_tensor(x, like=None):
    """Return ``x`` as a Tensor; a Python number takes ``like``'s dtype."""
    if isinstance(x, Tensor):
        return x
    if like is not None and not isinstance(x, np.ndarray) and like.dtype.kind == "f":
        return _new_tensor(np.asarray(x, dtype=like.dtype))
    return Tensor(x)


def as_tensors(values):
    """``values`` as Tensors, for the inputs of an op: a Python number takes
    the dtype of the first Tensor or array among them (NumPy's rule for
    scalars), so ``2 * x`` stays float32 when x is float32; a list of numbers
    alone gets the default dtype."""
    like = None
    for v in values:
        if isinstance(v, (Tensor, np.ndarray)):
            like = v
            break
    return [as_tensor(v, like=like) for v in values]


def tensor(data, requires_grad=False, dtype=None):
    """Create a Tensor (as ``torch.tensor``).

    data: array-like; an ndarray keeps its dtype unless ``dtype`` is given,
    Python numbers and lists take the default dtype (float32 unless changed
    with ``sg.set_default_dtype``). The array is not copied when it is
    already an ndarray of the right dtype.
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


from scratchgen.autodiff import functional as _ops  # noqa: E402  (cycle)
from scratchgen.autodiff import ops_elementwise as _E  # noqa: E402  (cycle)
from scratchgen.autodiff import engine as _engine  # noqa: E402  (cycle)
