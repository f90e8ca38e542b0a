"""First- and second-order gradient checks of every autodiff primitive.

Each case draws float64 inputs with hypothesis (shapes with size-1 axes and
broadcasting) and checks the vector-Jacobian product against central
differences (``gradcheck``), then the derivative of the gradient
(``gradgradcheck``). Inputs of non-smooth ops are kept away from their
kinks, where finite differences straddle two slopes.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scratchgen as sg
from scratchgen.testing import gradcheck, gradgradcheck
from scratchgen.testing import strategies as sgst

pairs = sgst.array_pairs()
one = sgst.arrays()


def positive(shape=None):
    return sgst.arrays(shape=shape, low=0.5, high=3.0)


def check_both_orders(fn, inputs):
    assert gradcheck(fn, [x.copy() for x in inputs])
    assert gradgradcheck(fn, [x.copy() for x in inputs])


# name -> (strategy producing a tuple of arrays, function of Tensors)
BINARY = {
    "add": (pairs, lambda a, b: a + b),
    "sub": (pairs, lambda a, b: a - b),
    "mul": (pairs, lambda a, b: a * b),
    "div": (pairs.map(lambda p: (p[0], np.abs(p[1]) + 0.5)), lambda a, b: a / b),
    "pow": (pairs.map(lambda p: (np.abs(p[0]) + 0.5, p[1])), lambda a, b: a ** b),
    "maximum": (pairs.filter(lambda p: np.all(np.abs(np.subtract(*p)) > 0.05)),
                sg.maximum),
    "minimum": (pairs.filter(lambda p: np.all(np.abs(np.subtract(*p)) > 0.05)),
                sg.minimum),
}

UNARY = {
    "neg": (one, lambda a: -a),
    "exp": (one, sg.exp),
    "log": (positive(), sg.log),
    "sqrt": (positive(), sg.sqrt),
    "abs": (sgst.arrays(away_from=0.0), sg.abs),
    "tanh": (one, sg.tanh),
    "sigmoid": (one, sg.sigmoid),
    "relu": (sgst.arrays(away_from=0.0), sg.relu),
    "leaky_relu": (sgst.arrays(away_from=0.0), lambda a: sg.leaky_relu(a, 0.2)),
    "softplus": (one, sg.softplus),
    "clip": (sgst.arrays(away_from=[-1.0, 1.0]), lambda a: sg.clip(a, -1.0, 1.0)),
    "pow_scalar": (positive(), lambda a: a ** 3.5),
    "square": (one, lambda a: a ** 2),
    "astype": (one, lambda a: sg.astype(a, np.float32).astype(np.float64) * a),
}


# each case grades the task whose backward it needs (verify: the other cases pass without backward_add)
_ADD, _MUL = pytest.mark.task("autodiff.backward_add"), pytest.mark.task("autodiff.backward_mul")


@pytest.mark.parametrize("name", [pytest.param(n, marks=_ADD if n in ("add", "sub") else _MUL) for n in sorted(BINARY)])
@given(data=st.data())
def test_binary_ops(name, data):
    strategy, fn = BINARY[name]
    check_both_orders(fn, list(data.draw(strategy)))


@pytest.mark.task("autodiff.backward_relu")
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_ops(name, data):
    strategy, fn = UNARY[name]
    x = data.draw(strategy)
    if name == "astype":
        # float32 rounding (spacing ~1e-7 |x|) makes a difference quotient
        # with eps = 1e-6 meaningless; eps = 1e-3 bounds its error by ~1e-4.
        fn = lambda a: sg.astype(a, np.float32).astype(np.float64)  # noqa: E731
        assert gradcheck(fn, [x], eps=1e-3, atol=1e-3)
        assert gradgradcheck(fn, [x], eps=1e-3, atol=1e-3)
        return
    check_both_orders(fn, [x])


axis_cases = st.sampled_from([None, 0, -1, (0, 1)])


@st.composite
def array_and_axis(draw, min_dims=2):
    x = draw(sgst.arrays(shape=sgst.shapes(min_dims=min_dims, max_dims=3)))
    axis = draw(axis_cases)
    keepdims = draw(st.booleans())
    return x, axis, keepdims


@pytest.mark.task("autodiff.backward_sum")
@pytest.mark.parametrize("name", ["sum", "mean", "var", "logsumexp", "max", "min"])
@given(case=array_and_axis())
def test_reductions(name, case):
    x, axis, keepdims = case
    if name in ("max", "min"):
        # Ties make max non-differentiable; spread the values apart.
        x = x + np.arange(x.size).reshape(x.shape) * 0.37
    fn = lambda a: getattr(a, name)(axis=axis, keepdims=keepdims)  # noqa: E731
    check_both_orders(fn, [x])


def test_max_splits_gradient_between_ties():
    x = sg.tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])


@given(x=sgst.arrays(shape=sgst.shapes(min_dims=1, max_dims=3)))
def test_softmax_family(x):
    check_both_orders(lambda a: sg.log_softmax(a, axis=-1), [x])
    check_both_orders(lambda a: sg.softmax(a, axis=0), [x])


@pytest.mark.task("autodiff.backward_matmul")
@given(shapes=sgst.matmul_shapes(), data=st.data())
def test_matmul(shapes, data):
    a = data.draw(sgst.arrays(shape=shapes[0]))
    b = data.draw(sgst.arrays(shape=shapes[1]))
    check_both_orders(lambda u, v: u @ v, [a, b])


@given(x=sgst.arrays(shape=sgst.shapes(min_dims=2, max_dims=3)))
def test_shape_ops(x):
    check_both_orders(lambda a: a.reshape(-1) * 2, [x])
    check_both_orders(lambda a: a.T, [x])
    check_both_orders(lambda a: a.swapaxes(0, -1), [x])
    check_both_orders(lambda a: a.expand_dims(1).squeeze(1), [x])
    check_both_orders(lambda a: sg.broadcast_to(a, (2,) + a.shape), [x])


@given(x=sgst.arrays(shape=sgst.shapes(min_dims=1, max_dims=3)), data=st.data())
def test_concatenate_and_stack(x, data):
    y = data.draw(sgst.arrays(shape=x.shape))
    check_both_orders(lambda a, b: sg.concatenate([a, b * b], axis=0), [x, y])
    check_both_orders(lambda a, b: sg.stack([a, b], axis=-1), [x, y])


@pytest.mark.task("autodiff.backward_getitem")
@given(x=sgst.arrays(shape=sgst.shapes(min_dims=2, max_dims=3, min_side=2)),
       data=st.data())
def test_indexing(x, data):
    n = x.shape[0]
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5)))
    # Integer arrays with repeats: the gradient must scatter-add.
    check_both_orders(lambda a: a[idx] * a[idx], [x])
    check_both_orders(lambda a: a[1:, ::-1], [x])
    check_both_orders(lambda a: a[..., 0] * 3, [x])


@given(data=st.data())
def test_where(data):
    a, b = data.draw(pairs)
    cond = np.broadcast_to(data.draw(sgst.arrays(shape=a.shape)) > 0,
                           np.broadcast_shapes(a.shape, b.shape))
    check_both_orders(lambda u, v: sg.where(cond, u, v * v), [a, b])


def test_composite_expression_reusing_inputs():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))

    def f(x, w):
        h = (x @ w).tanh()
        return (h * h).sum(axis=1).log() + sg.logsumexp(x @ w, axis=1) + x.mean()

    check_both_orders(f, [x, w])


@given(x=sgst.arrays(shape=sgst.shapes(min_dims=2, max_dims=3)))
def test_gradient_only_primitives(x):
    """SumTo and IndexAdd appear in backward graphs (unbroadcast and the
    gradient of indexing); check them directly, to second order too."""
    from scratchgen.autodiff.ops_shape import IndexAdd, SumTo
    target = (1,) + x.shape[1:-1] + (1,)
    check_both_orders(lambda a: SumTo.apply(a, shape=target), [x])
    index = np.array([0, x.shape[0] - 1, 0])
    shape = (x.shape[0] + 1,) + x.shape[1:]
    check_both_orders(lambda a: IndexAdd.apply(a[index], index=index, shape=shape), [x])
