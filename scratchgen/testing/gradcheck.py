"""Finite-difference checks of gradients (first and second order).

``gradcheck(fn, inputs)`` compares the autodiff's vector-Jacobian product
v^T J with central differences

    d/dx_i  <v, fn(x)>  ~=  (<v, fn(x + eps e_i)> - <v, fn(x - eps e_i)>) / (2 eps)

for a random cotangent v, element by element of every input that requires
a gradient. One backward pass checks all of J (a wrong Jacobian row or
column changes v^T J for almost every v), and the error names the input
and element that disagree. Work in float64: in float32 the rounding error
of the difference quotient (~1e-7 / eps) swamps any useful tolerance.

``gradgradcheck`` applies the same check to the function
x -> grad(<v, fn(x)>, x, create_graph=True), i.e. to the second derivative.
Compare HIPS autograd's ``check_grads(f, order=2)`` and
``torch.autograd.gradcheck`` / ``gradgradcheck``.
"""
import numpy as np

from scratchgen.autodiff import Tensor, grad


class GradcheckError(AssertionError):
    """A gradient disagrees with its finite-difference estimate."""


# Every Function class that a passing check went through, so that a
# meta-test can list the Functions that no gradient check covers.
CHECKED_FUNCTIONS = {1: set(), 2: set()}


def _record(outs, order):
    from scratchgen.autodiff.engine import topological_order
    for node in topological_order([o for o in outs if o.requires_grad]):
        if node._ctx is not None:
            CHECKED_FUNCTIONS[order].add(node._ctx.fn)


def _as_inputs(inputs):
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = (inputs,)
    out = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
            out.append(Tensor(x, requires_grad=True))
        else:
            out.append(x if isinstance(x, Tensor) else Tensor(np.asarray(x)))
    return out


def _checked(inputs):
    checked = [i for i, x in enumerate(inputs) if x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; pass float64 "
                         "arrays or Tensors with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} is {inputs[i].dtype}; finite "
                f"differences need float64 (float32 rounding error ~1e-7/eps "
                f"is larger than any useful tolerance)")
    return checked


def _outputs(fn, inputs):
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    fn: maps Tensors to a Tensor (or a tuple of Tensors).
    inputs: Tensors or float64 arrays (arrays are wrapped with
        requires_grad=True); inputs without requires_grad are held fixed.
    Returns True, or raises ``GradcheckError`` naming the input index, the
    element and both values, when |analytic - numeric| > atol + rtol |numeric|.
    """
    inputs = _as_inputs(inputs)
    checked = _checked(inputs)
    rng = np.random.default_rng(seed)
    outs = _outputs(fn, inputs)
    cotangents = [rng.standard_normal(o.shape) for o in outs]
    analytic = _vjp(outs, [inputs[i] for i in checked], cotangents)
    for slot, i in enumerate(checked):
        numeric = _numeric_vjp(fn, inputs, i, cotangents, eps)
        _compare(analytic[slot], numeric, i, atol, rtol)
    _record(outs, 1)
    return True


def _vjp(outs, wrt, cotangents):
    live = [(o, Tensor(v)) for o, v in zip(outs, cotangents) if o.requires_grad]
    if not live:
        return [np.zeros(t.shape) for t in wrt]
    grads = grad([o for o, _ in live], wrt, grad_outputs=[v for _, v in live],
                 allow_unused=True)
    return [np.zeros(t.shape) if g is None else g.data for g, t in zip(grads, wrt)]


def _numeric_vjp(fn, inputs, index, cotangents, eps):
    x = inputs[index].data
    numeric = np.zeros(x.shape)
    flat = x.reshape(-1)  # a view: perturbing it perturbs the input in place
    for k in range(flat.size):
        original = flat[k]
        values = []
        for step in (eps, -eps):
            flat[k] = original + step
            # Not under no_grad: fn may itself differentiate (gradgradcheck).
            outs = _outputs(fn, inputs)
            values.append(sum(float(np.sum(o.data * v))
                              for o, v in zip(outs, cotangents)))
        flat[k] = original
        numeric.reshape(-1)[k] = (values[0] - values[1]) / (2 * eps)
    return numeric


def _compare(analytic, numeric, index, atol, rtol):
    analytic = np.asarray(analytic, dtype=np.float64)
    bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
    if np.any(bad):
        k = tuple(int(j) for j in np.argwhere(bad)[0])
        raise GradcheckError(
            f"gradient of input {index} at element {k} is wrong: "
            f"autodiff gives {analytic[k]!r}, finite differences give "
            f"{numeric[k]!r} ({int(bad.sum())} of {bad.size} elements differ)")


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check second derivatives: ``gradcheck`` of x -> d<v, fn(x)>/dx.

    The first derivative is computed with ``create_graph=True``, so this
    checks that every backward is itself correctly differentiable.
    """
    inputs = _as_inputs(inputs)
    checked = _checked(inputs)
    rng = np.random.default_rng(seed + 1)
    cotangents = [Tensor(rng.standard_normal(o.shape)) for o in _outputs(fn, inputs)]

    def first_derivative(*xs):
        outs = _outputs(fn, list(xs))
        live = [(o, v) for o, v in zip(outs, cotangents) if o.requires_grad]
        wrt = [xs[i] for i in checked]
        if not live:
            return tuple(Tensor(np.zeros(w.shape)) for w in wrt)
        grads = grad([o for o, _ in live], wrt, grad_outputs=[v for _, v in live],
                     create_graph=True, allow_unused=True)
        return tuple(Tensor(np.zeros(w.shape)) if g is None else g
                     for g, w in zip(grads, wrt))

    gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol,
              seed=seed + 2)
    # The Functions of the original graph had their backward differentiated.
    _record(_outputs(fn, inputs), 2)
    return True
