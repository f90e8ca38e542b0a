"""``Function``: the one way to add a differentiable operation.

A Function has two static methods:

    forward(ctx, *arrays, **options) -> ndarray
        computes the result on plain NumPy arrays (or calls a kernel), and
        saves what backward needs with ``ctx.save_for_backward(...)``;
    backward(ctx, grad) -> tuple
        receives dL/d(output) as a Tensor and returns dL/d(input) for each
        array input (a Tensor, or None when that input needs no gradient).

backward is written with Tensor operations. When the engine runs it with
``create_graph=True`` those operations are recorded, so the gradient can be
differentiated again (Hessian-vector products, gradient penalties). Without
``create_graph`` the engine runs backward under ``no_grad`` and nothing is
recorded.

A Function whose backward uses only what NumPy arrays and Tensors share
(arithmetic operators, ``.shape``, ``.reshape``, ``.astype``, ``.T``, other
Functions' ``apply``; not ``.data``, ``.exp()`` or ``.item()``) can be marked
``@backward_on_arrays``. Without ``create_graph`` the engine then calls the
*same* backward with plain arrays: ``grad`` is an ndarray, ``saved_tensors``
gives the saved arrays themselves, and ``apply`` on arrays returns an array.
No Tensor or Context is made for the gradient's arithmetic, which for small
arrays costs more than the arithmetic; with ``create_graph`` the formula
runs on Tensors and is recorded, so there is still one formula per op.

Example (the whole of multiplication)::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a
"""
import numpy as np

from scratchgen.autodiff import mode

_state = mode._state  # the switches, read on every op


class Context:
    """What a Function's forward leaves for its backward.

    ``save_for_backward(*arrays)`` accepts the forward's input arrays and its
    output array; ``saved_tensors`` gives them back as the *Tensors* they
    belong to, so that a backward written with Tensor ops stays connected to
    the graph (needed for second derivatives). Any other array is saved as a
    constant. Other values (axes, shapes, masks) are plain attributes.

    A Context is made only for a node that is recorded (grad mode on and an
    input requiring grad); otherwise forward gets a throwaway ``_Unrecorded``.
    """

    # Class-level defaults: making a Context costs one object, no __init__.
    _saved = ()
    _out = None          # the output Tensor, set by the engine while backward runs
    inputs = ()
    needs_input_grad = ()
    fn = None
    released = False     # set by the engine after backward without retain_graph

    def release(self):
        """Free what forward saved (the engine calls this after backward
        unless ``retain_graph=True``); a second backward through this node
        then raises, as in PyTorch."""
        self._saved = ()
        self.released = True

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if _state["arrays"]:  # a backward on plain arrays: the arrays themselves
            return self._saved
        # Map each saved array back to the Tensor that owns it (identity, not
        # equality): an input, the output, or else a new constant. Done here,
        # when backward asks, not in every forward; the output is known only
        # while the engine runs this node (``_out``), so the Context never
        # holds its own output and makes no reference cycle.
        resolved = []
        for a in self._saved:
            if a is None:
                resolved.append(None)
                continue
            for t in self.inputs:
                if t.data is a:
                    resolved.append(t)
                    break
            else:
                out = self._out
                resolved.append(out if out is not None and out.data is a else Tensor(a))
        return tuple(resolved)


class _Unrecorded:
    """The ``ctx`` given to forward when no graph is recorded: it takes the
    attributes forward sets and forgets them with the call."""

    def save_for_backward(self, *arrays):
        pass


class Function:
    """Base class of differentiable operations; see the module docstring."""

    array_backward = False  # set by @backward_on_arrays

    @staticmethod
    def forward(ctx, *arrays, **options):
        raise NotImplementedError(
            "Function subclasses must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError(
            "Function subclasses must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run forward on the inputs' arrays and record the node if needed."""
        # This is the hot path of every op (and of every op inside a backward
        # that runs without create_graph): plain loops, nothing optional.
        arrays, needs_grad, record = [], [], False
        for x in inputs:  # a loop, not a comprehension: that would be a call
            if not isinstance(x, Tensor):
                return cls._apply_to_other(inputs, options)
            arrays.append(x.data)
            needs_grad.append(x.requires_grad)
            if x.requires_grad:
                record = True
        if not (record and _state["grad_enabled"]):
            # Nothing to record: a throwaway ctx and a bare Tensor.
            data = cls.forward(_Unrecorded(), *arrays, **options)
            if type(data) is not np.ndarray:
                data = np.asarray(data)  # NumPy gives scalars for 0-d results
            if _state["anomaly"]:
                _check_forward_finite(data, cls.__name__, inputs)
            out = _object_new(Tensor)
            out.data, out.requires_grad, out.grad, out._ctx = data, False, None, None
            return out
        ctx = Context()
        data = cls.forward(ctx, *arrays, **options)
        if type(data) is not np.ndarray:
            # keep what forward saved pointing at the array that becomes the output
            raw, data = data, np.asarray(data)
            if ctx._saved:
                ctx._saved = tuple(data if a is raw else a for a in ctx._saved)
        if _state["anomaly"]:
            _check_forward_finite(data, cls.__name__, inputs)
        if data.dtype.kind == "c":
            _refuse_complex(cls.__name__, inputs, data)
        out = _object_new(Tensor)
        out.data, out.requires_grad, out.grad, out._ctx = data, True, None, ctx
        ctx.fn = cls
        ctx.inputs = inputs
        ctx.needs_input_grad = needs_grad
        return out


    @classmethod
    def _apply_to_other(cls, inputs, options):
        """apply when some input is not a Tensor: inside a backward on arrays
        (``backward_on_arrays``) arrays give an array; otherwise numbers and
        arrays become Tensors (``as_tensors``)."""
        if _state["arrays"]:
            for x in inputs:
                if type(x) is not np.ndarray:
                    break
            else:
                return np.asarray(cls.forward(_Unrecorded(), *inputs, **options))
        return cls.apply(*as_tensors(inputs), **options)


def backward_on_arrays(cls):
    """Class decorator: cls.backward also runs on plain arrays (module docstring)."""
    cls.array_backward = True
    return cls


_object_new = object.__new__  # Tensor(data) without its argument checks


def _refuse_complex(op_name, tensors, data):
    dtypes = ", ".join(str(t.dtype) for t in tensors)
    raise TypeError(
        f"{op_name}: the result has dtype {data.dtype} (from inputs of dtypes "
        f"{dtypes}) and needs a gradient, but scratchgen differentiates real-valued "
        f"functions only; use real arrays (e.g. split real and imaginary parts)")


def _count_bad(array):
    return f"{int(np.isnan(array).sum())} NaN, {int(np.isinf(array).sum())} inf"


def _check_finite(array, op_name, phase):
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise mode.AnomalyError(
            f"detect_anomaly: {op_name}.{phase} produced NaN or inf "
            f"(shape {array.shape}, {_count_bad(array)})")


def _check_forward_finite(data, op_name, inputs):
    """Blame the op only if its inputs were finite; otherwise name the input."""
    if data.dtype.kind != "f" or np.all(np.isfinite(data)):
        return
    for i, t in enumerate(inputs):
        a = t.data
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            if t._ctx is None:
                what = mode.describe_leaf(t)
                origin = ("no operation produced it: look at how it was set "
                          "(initialisation, an optimizer step, the data)")
            else:
                what = (f"the output of {t._ctx.fn.__name__} (computed outside "
                        f"detect_anomaly)")
                origin = "enable detect_anomaly earlier to find the op"
            raise mode.AnomalyError(
                f"detect_anomaly: input {i} of {op_name}.forward already holds NaN "
                f"or inf: {what}, shape {a.shape}, dtype {a.dtype} ({_count_bad(a)}); "
                f"{origin}")
    _check_finite(data, op_name, "forward")


def check_backward_finite(ctx, grads):
    """Called by the engine under detect_anomaly after each backward."""
    for g in grads:
        if g is not None:
            _check_finite(g.data if isinstance(g, Tensor) else g, ctx.fn.__name__,
                          "backward")


# Imported last: tensor.py imports the ops, and the ops subclass Function.
from scratchgen.autodiff.tensor import Tensor, as_tensors  # noqa: E402
