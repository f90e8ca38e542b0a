"""Linear and the fused linear+activation Function: values, gradients, init, fusion."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scratchgen as sg
from scratchgen import nn
from scratchgen.nn import functional as F
from scratchgen.testing import gradcheck, gradgradcheck
from scratchgen.testing import strategies as sgst

ACTS = {  # independent NumPy definitions
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
}


def _data(seed, n=4, d_in=3, d_out=5):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in)),
            rng.standard_normal(d_out))


@pytest.mark.task("nn.linear_forward")
@pytest.mark.parametrize("activation", list(ACTS))
def test_fused_linear_matches_numpy(activation):
    x, w, b = _data(0)
    y = F.linear(sg.tensor(x), sg.tensor(w), sg.tensor(b), activation, negative_slope=0.2)
    np.testing.assert_allclose(y.data, ACTS[activation](x @ w.T + b), rtol=1e-12, atol=1e-12)


@pytest.mark.task("nn.linear_backward")
@pytest.mark.parametrize("activation", list(ACTS))
def test_fused_linear_gradcheck(activation):
    x, w, b = _data(1)
    # Keep pre-activations away from relu's kink, where finite differences
    # would straddle the corner: |z| >= 0.05 > eps.
    z = x @ w.T + b
    b = b + np.where(np.abs(z).min(axis=0) < 0.05, 0.1, 0.0)
    gradcheck(lambda x, w, b: F.linear(x, w, b, activation, 0.2), [x, w, b])


@pytest.mark.task("nn.linear_backward")
@pytest.mark.parametrize("activation", ["identity", "tanh", "sigmoid", "relu"])
def test_fused_linear_second_derivatives(activation):
    x, w, b = _data(2)
    gradgradcheck(lambda x, w, b: F.linear(x, w, b, activation), [x, w, b])


@pytest.mark.task("nn.linear_backward")
def test_fused_linear_without_bias_and_input_grad():
    x, w, _ = _data(3)
    gradcheck(lambda w: F.linear(sg.tensor(x), w, None, "tanh"), [w])
    gradcheck(lambda x, w: F.linear(x, w, None, "sigmoid"), [x, w])


def test_fused_linear_create_graph_gives_input_gradient_penalty_gradient():
    # d/dW of |d sum(tanh(x W^T)) / dx|^2 against finite differences: the
    # WGAN-GP pattern (gradient of a gradient norm).
    x, w, b = _data(4)

    def penalty(w):
        xt = sg.tensor(x, requires_grad=True)
        g, = sg.grad(F.linear(xt, w, sg.tensor(b), "tanh").sum(), xt, create_graph=True)
        return (g * g).sum()

    gradcheck(penalty, [w])


def test_linear_layer_batch_shapes_and_1d_input():
    layer = nn.Linear(3, 2, rng=0)
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    y = layer(sg.tensor(x))
    assert y.shape == (2, 4, 2)
    np.testing.assert_allclose(y.data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-5)
    assert layer(sg.tensor(x[0, 0])).shape == (2,)


def test_linear_layer_gradcheck_and_gradgradcheck():
    layer = nn.Linear(3, 4, rng=0)
    w, b = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
    x = np.random.default_rng(0).standard_normal((5, 3))
    gradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])
    gradgradcheck(lambda x, w, b: (F.linear(x, w, b) ** 2), [x, w, b])


def test_linear_default_init_is_pytorch_bound():
    # PyTorch: kaiming_uniform_(a=sqrt(5)) -> U(-1/sqrt(in), 1/sqrt(in)), same for bias.
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    w = layer.weight.data
    assert w.shape == (300, 400) and layer.bias.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(layer.bias.data).max() <= bound
    # Var U(-a, a) = a^2 / 3; 120000 draws: relative s.e. of the variance ~0.4%.
    assert abs(w.var() / (bound ** 2 / 3) - 1) < 0.02
    assert np.abs(w).max() > 0.99 * bound


def test_linear_seeded_init_is_reproducible():
    a, b = nn.Linear(3, 2, rng=5), nn.Linear(3, 2, rng=5)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


def test_linear_mixed_dtypes_promote():
    layer = nn.Linear(3, 2, rng=0)  # float32
    y = layer(sg.tensor(np.ones((2, 3))))  # float64 input
    assert y.dtype == np.float64


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="swish"), "activation"),
    (dict(activation="leaky_relu", negative_slope=0.0), "negative_slope"),
])
def test_linear_rejects_bad_options(kwargs, match):
    x, w, b = _data(0)
    with pytest.raises(ValueError, match=match):
        F.linear(sg.tensor(x), sg.tensor(w), sg.tensor(b), **kwargs)


def test_linear_rejects_bad_shapes():
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(3, 2, rng=0)(sg.tensor(np.ones((4, 5), np.float32)))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(0, 2)


@given(n=st.integers(1, 5), d_in=st.integers(1, 5), d_out=st.integers(1, 5),
       activation=st.sampled_from(list(ACTS)))
def test_fused_linear_shapes_and_gradients_agree_with_unfused_ops(n, d_in, d_out, activation):
    x, w, b = _data(n * 100 + d_in * 10 + d_out, n, d_in, d_out)
    xs = [sg.tensor(a, requires_grad=True) for a in (x, w, b)]
    fused = F.linear(*xs, activation, 0.2)
    ys = [sg.tensor(a, requires_grad=True) for a in (x, w, b)]
    z = ys[0] @ ys[1].T + ys[2]
    plain = {"identity": lambda z: z, "relu": sg.relu, "tanh": sg.tanh, "sigmoid": sg.sigmoid,
             "leaky_relu": lambda z: sg.leaky_relu(z, 0.2)}[activation](z)
    assert fused.shape == (n, d_out)
    np.testing.assert_allclose(fused.data, plain.data, rtol=1e-12, atol=1e-12)
    cot = np.random.default_rng(0).standard_normal((n, d_out))
    fused.backward(sg.tensor(cot))
    plain.backward(sg.tensor(cot))
    for a, b_ in zip(xs, ys):
        np.testing.assert_allclose(a.grad.data, b_.grad.data, rtol=1e-10, atol=1e-12)


def test_sequential_fuses_linear_and_activation_into_one_node():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    y = model(sg.tensor(np.ones((2, 3), np.float32)))
    first = y._ctx.inputs[0]  # the input of the last Linear
    assert first._ctx.fn.__name__ == "LinearActivation"
    # Same numbers as running the layers one by one.
    h = model[1](model[0](sg.tensor(np.ones((2, 3), np.float32))))
    np.testing.assert_allclose(first.data, h.data, rtol=1e-6)


@pytest.mark.parametrize("activation", list(ACTS))
@given(data=st.data())
def test_fused_linear_both_orders_on_random_shapes(activation, data):
    # W = I and b = 0 make the pre-activation equal to x, which is drawn away
    # from the relu kink; W and b still get their gradients checked.
    n, d = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = data.draw(sgst.arrays(shape=(n, d), away_from=0.0, margin=0.2))
    fn = lambda u, v, c: F.linear(u, v, c, activation, 0.1)  # noqa: E731
    gradcheck(fn, [x, np.eye(d), np.zeros(d)])
    gradgradcheck(fn, [x, np.eye(d), np.zeros(d)])
