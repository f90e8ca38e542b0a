"""WeightNormLinear (W = g v / ||v||) and its data-dependent initialisation."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn
from scratchgen.testing import gradcheck


def _float64(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    if not layer.train_scale:
        layer.weight_g = layer.weight_g.astype(np.float64)
    return layer


def _numpy_forward(layer, x):
    v, g = layer.weight_v.data, np.asarray(getattr(layer.weight_g, "data", layer.weight_g))
    return x @ (g * v / np.linalg.norm(v, axis=1, keepdims=True)).T + layer.bias.data


@pytest.mark.parametrize("train_scale", [True, False])
def test_forward_matches_numpy_and_gradcheck(train_scale):
    layer = _float64(nn.WeightNormLinear(4, 3, train_scale=train_scale, rng=0))
    rng = np.random.default_rng(1)
    g = rng.uniform(0.5, 2.0, (3, 1))
    if train_scale:
        layer.weight_g.data[...] = g
    else:
        layer.weight_g[...] = g
    layer.bias.data[...] = rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(layer(sg.tensor(x)).data, _numpy_forward(layer, x), rtol=1e-12)
    params = [layer.weight_v, layer.bias] + ([layer.weight_g] if train_scale else [])
    assert len(list(layer.parameters())) == len(params)  # a fixed g is a buffer, not trained
    gradcheck(lambda x, *p: layer(x, activation="tanh"), [x, *params])


def test_direction_only_output_and_gradient_orthogonal_to_v():
    # The paper's two properties: y does not depend on the length of v, and the
    # gradient with respect to v is orthogonal to v (Salimans & Kingma 2016, eq. 4).
    layer = _float64(nn.WeightNormLinear(6, 2, rng=3))
    x = np.random.default_rng(4).standard_normal((7, 6))
    y = layer(sg.tensor(x)).data
    layer.weight_v.data *= 3.0
    np.testing.assert_allclose(layer(sg.tensor(x)).data, y, rtol=1e-12)
    (layer(sg.tensor(x)) ** 2).sum().backward()
    dots = (layer.weight_v.grad.data * layer.weight_v.data).sum(axis=1)
    np.testing.assert_allclose(dots, 0.0, atol=1e-12 * np.abs(layer.weight_v.grad.data).max())


def test_data_dependent_init_standardises_each_layer():
    model = nn.Sequential(nn.WeightNormLinear(5, 8, train_scale=False, rng=0), nn.ReLU(),
                          nn.WeightNormLinear(8, 3, rng=1))
    x = np.random.default_rng(2).standard_normal((200, 5)) * 4.0 + 1.0
    nn.data_dependent_init(model, x, init_scale=0.5)
    pre1 = model[0](sg.tensor(x.astype(np.float32))).data
    np.testing.assert_allclose(pre1.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(pre1.std(axis=0), 0.5, rtol=1e-4)
    pre2 = model(sg.tensor(x.astype(np.float32))).data
    np.testing.assert_allclose(pre2.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(pre2.std(axis=0), 0.5, rtol=1e-4)
    assert set(model.state_dict()) == {"0.weight_v", "0.weight_g", "0.bias", "2.weight_v",
                                       "2.weight_g", "2.bias"}
