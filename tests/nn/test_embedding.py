"""Embedding: PyTorch's shape and key, the lookup, the scatter-add backward, gradient checks."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn
from scratchgen.testing import gradcheck, gradgradcheck


def test_shape_key_and_lookup():
    layer = nn.Embedding(5, 3, rng=0)
    assert layer.weight.shape == (5, 3) and list(layer.state_dict()) == ["weight"]
    ids = np.array([[4, 0], [0, 2]])
    out = layer(ids)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.data, layer.weight.data[ids])
    # PyTorch's N(0, 1) initialisation: 5000 draws, s.e. of the std about 0.01
    big = nn.Embedding(1000, 5, rng=1).weight.data
    assert abs(big.std() - 1.0) < 0.05 and abs(big.mean()) < 0.05


@pytest.mark.task("autodiff.backward_getitem")
def test_backward_adds_the_gradient_of_every_use_of_a_row():
    layer = nn.Embedding(4, 2, rng=0)
    ids = np.array([1, 3, 1, 1])                      # row 1 read three times, 0 and 2 never
    upstream = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], np.float32)
    (layer(ids) * sg.tensor(upstream)).sum().backward()
    expected = np.zeros((4, 2))
    expected[1] = upstream[0] + upstream[2] + upstream[3]
    expected[3] = upstream[1]
    np.testing.assert_allclose(layer.weight.grad.data, expected)


def test_first_and_second_order_gradient_checks():
    layer = nn.Embedding(6, 3, rng=2).double()
    ids = np.array([[0, 5, 5], [2, 0, 1]])
    gradcheck(lambda w: nn.embedding.embedding(ids, w), [layer.weight.data.copy()])
    gradgradcheck(lambda w: nn.embedding.embedding(ids, w) ** 2, [layer.weight.data.copy()])
    gradcheck(lambda w: (layer(ids) * w).sum(axis=-1), [np.ones(3)])


def test_bad_ids():
    layer = nn.Embedding(3, 2)
    with pytest.raises(ValueError, match=r"\[0, 3\).*from 0 to 3"):
        layer(np.array([0, 3]))
    with pytest.raises(ValueError, match="from -1"):
        layer(np.array([-1]))
    with pytest.raises(TypeError, match="integers"):
        layer(np.array([0.5]))
    with pytest.raises(ValueError, match="embedding_dim"):
        nn.Embedding(3, 0)
    assert layer(np.array([1.0, 2.0])).shape == (2, 2)    # whole floats are ids
    assert layer(2).shape == (2,)
