"""Module/Parameter bookkeeping: registration, walking, modes, state dicts, repr, dtype."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn


class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.inner = nn.Linear(3, 2, rng=0)
        self.register_buffer("count", np.zeros(1))

    def forward(self, x):
        return self.inner(x * self.scale)


def test_registration_and_order_follow_pytorch():
    m = Affine()
    assert [name for name, _ in m.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert list(m.state_dict()) == ["scale", "count", "inner.weight", "inner.bias"]
    assert list(m.children()) == [m.inner]
    assert [name for name, _ in m.named_modules()] == ["", "inner"]
    assert m.num_parameters() == 3 + 6 + 2


def test_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2, rng=0)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2


def test_setattr_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        Broken()


def test_assigning_a_non_parameter_to_a_parameter_slot_fails():
    m = nn.Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match="weight"):
        m.weight = np.ones((2, 2))


def test_train_eval_reach_every_module():
    m = nn.MLP([2, 4, 1], dropout=0.5, rng=0)
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())


def test_zero_grad_to_none_and_to_zeros():
    m = nn.Linear(3, 2, rng=0)
    m(sg.tensor(np.ones((4, 3), np.float32))).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert np.all(m.weight.grad.data == 0) and m.weight.grad.shape == (2, 3)
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_state_dict_holds_copies():
    m = nn.Linear(3, 2, rng=0)
    sd = m.state_dict()
    sd["weight"][...] = 7.0
    assert not np.any(m.weight.data == 7.0)


def test_load_state_dict_round_trip_is_in_place():
    source, target = nn.MLP([3, 5, 2], rng=1), nn.MLP([3, 5, 2], rng=2)
    weight_array = target[0].weight.data
    target.load_state_dict(source.state_dict())
    for (k, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    assert target[0].weight.data is weight_array  # optimizers keep valid references


def test_load_state_dict_lists_missing_unexpected_and_shapes():
    m = nn.MLP([3, 5, 2], rng=0)
    sd = m.state_dict()
    del sd["0.bias"]
    sd["9.weight"] = np.zeros(1)
    sd["2.weight"] = np.zeros((7, 7))
    with pytest.raises(ValueError) as info:
        m.load_state_dict(sd)
    message = str(info.value)
    assert "0.bias" in message and "9.weight" in message
    assert "2.weight" in message and "(7, 7)" in message and "(2, 5)" in message


def test_load_state_dict_non_strict_reports_keys():
    m = nn.MLP([3, 5, 2], rng=0)
    sd = m.state_dict()
    del sd["0.bias"]
    sd["extra"] = np.zeros(1)
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert missing == ["0.bias"] and unexpected == ["extra"]


def test_repr_like_pytorch():
    text = repr(nn.MLP([4, 3, 2], rng=0))
    assert text == ("MLP(\n"
                    "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
                    "  (1): ReLU()\n"
                    "  (2): Linear(in_features=3, out_features=2, bias=True)\n"
                    ")")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_follow_the_default_dtype(dtype):
    previous = sg.get_default_dtype()
    sg.set_default_dtype(dtype)
    try:
        model = nn.MLP([3, 4, 2], batch_norm=True, rng=0)
        maxout = nn.Maxout(3, 2, 2, rng=0)
    finally:
        sg.set_default_dtype(previous)
    for p in list(model.parameters()) + list(maxout.parameters()):
        assert p.dtype == np.dtype(dtype)
    assert model[1].running_mean.dtype == np.dtype(dtype)


def test_parameter_requires_grad_and_owns_contiguous_memory():
    base = np.arange(6.0).reshape(2, 3).T  # not contiguous
    p = nn.Parameter(base)
    assert p.requires_grad and p.data.flags.c_contiguous and p.data.flags.writeable
    assert nn.Parameter([1, 2]).dtype == sg.get_default_dtype()


def test_double_casts_parameters_and_buffers_in_place():
    model = nn.MLP([3, 4, 2], batch_norm=True, rng=0)
    params = list(model.parameters())
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model[1].running_var.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64
    assert model(sg.tensor(np.ones((2, 3)))).dtype == np.float64
    assert model.float()[0].weight.dtype == np.float32
    with pytest.raises(TypeError, match="float"):
        model.to(np.int32)


def test_requires_grad_freezes_parameters():
    model = nn.Linear(2, 2, rng=0)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    out = model(sg.tensor(np.ones((1, 2), np.float32)))
    assert not out.requires_grad
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())


def test_functional_call_uses_the_given_tensors_and_restores_the_parameters():
    layer = nn.Linear(2, 1, rng=0)
    w0, b0 = layer.weight, layer.bias
    w = sg.tensor(np.array([[1.0, 2.0]], dtype=np.float32), requires_grad=True)
    b = sg.tensor(np.array([0.5], dtype=np.float32))
    x = sg.tensor(np.array([[3.0, 4.0]], dtype=np.float32))
    y = nn.functional_call(layer, [w, b], x)
    assert y.item() == 1 * 3 + 2 * 4 + 0.5  # x W^T + b by hand
    y.backward()
    np.testing.assert_array_equal(w.grad.data, [[3.0, 4.0]])  # dy/dW = x
    assert layer.weight is w0 and layer.bias is b0
    with pytest.raises(ValueError, match="has 2 parameters, got 1"):
        nn.functional_call(layer, [w], x)
    with pytest.raises(ValueError, match=r"Linear.weight has shape \(2,\)"):
        nn.functional_call(layer, [sg.tensor(np.ones(2)), b], x)
