"""Maxout, Dropout, BatchNorm1d, activations, Sequential/MLP keys, init formulas."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scratchgen as sg
from scratchgen import nn
from scratchgen.nn import functional as F
from scratchgen.nn import init
from scratchgen.testing import gradcheck, gradgradcheck


def _float64(model):
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    for name, buf in list(model._buffers.items()):
        if buf is not None and buf.dtype.kind == "f":
            setattr(model, name, buf.astype(np.float64))
    return model


# ------------------------------------------------------------------ Maxout
def test_maxout_matches_numpy_and_gradcheck():
    layer = _float64(nn.Maxout(3, 2, pieces=4, rng=0))
    x = np.random.default_rng(1).standard_normal((5, 3))
    z = x @ layer.weight.data.T + layer.bias.data
    expected = z.reshape(5, 2, 4).max(axis=2)  # rows j*4 .. j*4+3 belong to unit j
    np.testing.assert_allclose(layer(sg.tensor(x)).data, expected, rtol=1e-12)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.shape == (8, 3)
    gradcheck(lambda x, w, b: sg.max(F.linear(x, w, b).reshape(5, 2, 4), axis=2),
              [x, layer.weight.data, layer.bias.data])
    gradcheck(lambda x: layer(x), [x])


# ------------------------------------------------------------------ Dropout
def test_dropout_train_mask_statistics_and_eval_identity():
    layer = nn.Dropout(0.3, rng=0)
    x = np.ones((200, 50), np.float32)
    y = layer(sg.tensor(x)).data
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    # 10000 Bernoulli(0.3) drops: s.e. of the share = sqrt(.3 * .7 / 1e4) = 0.0046.
    assert abs((~kept).mean() - 0.3) < 4 * 0.0046
    layer.eval()
    assert layer(sg.tensor(x)).data is x or np.array_equal(layer(sg.tensor(x)).data, x)


def test_dropout_seeded_masks_repeat_and_differ_between_calls():
    x = sg.tensor(np.ones((4, 6)))
    a, b = nn.Dropout(0.5, rng=3), nn.Dropout(0.5, rng=3)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)


def test_dropout_gradcheck_with_a_fixed_mask():
    x = np.random.default_rng(0).standard_normal((3, 4))
    # A fresh generator with the same seed on every call: the same mask each time.
    gradcheck(lambda x: F.dropout(x, 0.4, rng=np.random.default_rng(7)), [x])
    gradgradcheck(lambda x: F.dropout(x, 0.4, rng=np.random.default_rng(7)) ** 2, [x])
    gradcheck(lambda x: F.dropout(x, 0.4, training=False), [x])


@pytest.mark.parametrize("p, error", [(-0.1, ValueError), (1.5, ValueError),
                                      ("a", TypeError)])
def test_dropout_rejects_bad_p(p, error):
    with pytest.raises(error, match="p"):
        nn.Dropout(p)


def test_dropout_extremes():
    x = sg.tensor(np.ones(5))
    assert np.all(F.dropout(x, 1.0).data == 0)
    assert np.all(F.dropout(x, 0.0).data == 1)


# ---------------------------------------------------------------- BatchNorm
@pytest.mark.task("nn.batchnorm_forward")
def test_batchnorm_training_forward_and_running_stats():
    bn = _float64(nn.BatchNorm1d(3, momentum=0.1))
    bn.weight.data[...] = [1.0, 2.0, 0.5]
    bn.bias.data[...] = [0.0, -1.0, 3.0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3)) * 2 + 1
    y = bn(sg.tensor(x)).data
    mu, var = x.mean(0), x.var(0)  # biased for normalising
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5) * [1, 2, .5] + [0, -1, 3],
                               rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean, 0.1 * mu, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-12)
    assert int(bn.num_batches_tracked) == 1


@pytest.mark.task("nn.batchnorm_forward")
def test_batchnorm_eval_uses_running_stats_and_cumulative_momentum():
    bn = _float64(nn.BatchNorm1d(2, momentum=None))
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((4, 2)) for _ in range(3)]
    for b in batches:
        bn(sg.tensor(b))
    # momentum=None: running stats are plain averages of the batch statistics.
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(bn.running_var,
                               np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-10)
    bn.eval()
    x = rng.standard_normal((3, 2))
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5)
    np.testing.assert_allclose(bn(sg.tensor(x)).data, expected, rtol=1e-10)


@pytest.mark.task("nn.batchnorm_forward")
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck_both_modes(training):
    bn = _float64(nn.BatchNorm1d(3))
    bn.running_mean[...] = [0.5, -0.2, 1.0]
    bn.running_var[...] = [2.0, 0.5, 1.5]
    bn.train(training)
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3)

    bn.weight.data[...], bn.bias.data[...] = w, b
    # The module's own Parameters are gradcheck inputs: gradcheck perturbs
    # their arrays in place, and bn reads them.
    fn = lambda x, w, b: bn(x)  # noqa: E731
    gradcheck(fn, [x, bn.weight, bn.bias])
    if training:
        gradgradcheck(fn, [x, bn.weight, bn.bias])


def test_batchnorm_state_dict_keys_and_errors():
    bn = nn.BatchNorm1d(4)
    sd = bn.state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert sd["num_batches_tracked"].dtype == np.int64 and sd["num_batches_tracked"].shape == ()
    with pytest.raises(ValueError, match="more than 1"):
        bn(sg.tensor(np.ones((1, 4), np.float32)))
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        bn(sg.tensor(np.ones((3, 5), np.float32)))


# -------------------------------------------------------------- activations
@pytest.mark.parametrize("module, reference", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Softplus(), lambda x: np.log1p(np.exp(x))),
    (nn.Identity(), lambda x: x),
])
def test_activation_modules(module, reference):
    x = np.array([[-2.0, -0.3, 0.4, 1.7]])
    np.testing.assert_allclose(module(sg.tensor(x)).data, reference(x), rtol=1e-12)
    gradcheck(lambda x: module(x), [x])


# ------------------------------------------------------------ containers
def test_mlp_state_dict_keys_match_torch_sequential():
    # torch.nn.Sequential(Linear(784, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 10))
    expected = {"0.weight": (256, 784), "0.bias": (256,), "2.weight": (256, 256),
                "2.bias": (256,), "4.weight": (10, 256), "4.bias": (10,)}
    sd = nn.MLP([784, 256, 256, 10], rng=0).state_dict()
    assert {k: v.shape for k, v in sd.items()} == expected
    assert list(sd) == list(expected)


def test_mlp_with_batchnorm_and_dropout_keys_match_torch_sequential():
    # Sequential(Linear(3, 4), BatchNorm1d(4), Tanh(), Dropout(0.5), Linear(4, 2), Sigmoid())
    model = nn.MLP([3, 4, 2], activation="tanh", output_activation="sigmoid",
                   batch_norm=True, dropout=0.5, rng=0)
    assert [type(m).__name__ for m in model] == ["Linear", "BatchNorm1d", "Tanh", "Dropout",
                                                 "Linear", "Sigmoid"]
    assert list(model.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked", "4.weight", "4.bias"]


def test_mlp_forward_equals_layer_by_layer_numpy():
    model = _float64(nn.MLP([3, 5, 4, 2], activation="leaky_relu", negative_slope=0.2,
                            output_activation="tanh", rng=0))
    x = np.random.default_rng(3).standard_normal((6, 3))
    h = x
    for i, layer in enumerate(l for l in model if isinstance(l, nn.Linear)):
        h = h @ layer.weight.data.T + layer.bias.data
        h = np.where(h > 0, h, 0.2 * h) if i < 2 else np.tanh(h)
    np.testing.assert_allclose(model(sg.tensor(x)).data, h, rtol=1e-12)


def test_mlp_gradcheck_through_all_parameters():
    model = _float64(nn.MLP([2, 3, 1], activation="tanh", rng=0))
    x = np.random.default_rng(4).standard_normal((4, 2))
    params = [p.data for p in model.parameters()]

    def fn(w0, b0, w2, b2):
        h = F.linear(sg.tensor(x), w0, b0, "tanh")
        return F.linear(h, w2, b2)

    gradcheck(fn, params)
    gradgradcheck(fn, params)


def test_mlp_rejects_bad_sizes_and_activation():
    with pytest.raises(ValueError, match="sizes"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="activation"):
        nn.MLP([3, 2], output_activation="swish")


def test_sequential_indexing_append_len():
    seq = nn.Sequential(nn.Linear(2, 3, rng=0))
    seq.append(nn.ReLU())
    assert len(seq) == 2 and isinstance(seq[-1], nn.ReLU)
    assert list(seq[:1].state_dict()) == ["0.weight", "0.bias"]


# -------------------------------------------------------------------- init
@pytest.mark.parametrize("fn, kwargs, expected_std", [
    # fan_in = 300, fan_out = 200
    (init.xavier_uniform_, dict(gain=2.0), 2.0 * math.sqrt(2 / 500)),
    (init.xavier_normal_, dict(gain=2.0), 2.0 * math.sqrt(2 / 500)),
    (init.kaiming_uniform_, dict(nonlinearity="relu"), math.sqrt(2) / math.sqrt(300)),
    (init.kaiming_normal_, dict(mode="fan_out", nonlinearity="relu"),
     math.sqrt(2) / math.sqrt(200)),
    (init.kaiming_normal_, dict(a=0.5), math.sqrt(2 / 1.25) / math.sqrt(300)),
])
def test_init_standard_deviations(fn, kwargs, expected_std):
    w = np.empty((200, 300))
    fn(w, rng=0, **kwargs)
    # 60000 draws: the relative s.e. of a sample std is about 1 / sqrt(2 * 60000) = 0.3%.
    assert abs(w.std() / expected_std - 1) < 0.015
    assert abs(w.mean()) < 5 * expected_std / math.sqrt(w.size)


def test_init_uniform_bounds_and_constants():
    w = nn.Parameter(np.empty((50, 40)))
    init.xavier_uniform_(w, rng=1)
    bound = math.sqrt(6 / 90)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.98 * bound
    assert np.all(init.zeros_(np.ones(3)) == 0) and np.all(init.ones_(np.zeros(2)) == 1)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="2 dimensions"):
        init.xavier_uniform_(np.ones(3))
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")


def test_flatten_and_its_gradient():
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    out = nn.Flatten()(sg.tensor(x))
    np.testing.assert_array_equal(out.data, x.reshape(2, 12))
    gradcheck(lambda x: nn.Flatten()(x), [x])


def test_sequential_runs_unfusable_pairs_one_by_one():
    # LeakyReLU(0) cannot be fused (its derivative is not readable from y);
    # Linear without bias and Softplus go the plain way too.
    layers = [nn.Linear(3, 4, bias=False, rng=0), nn.LeakyReLU(0.0),
              nn.Linear(4, 4, rng=1), nn.Softplus(), nn.Linear(4, 2, rng=2), nn.ReLU()]
    model = nn.Sequential(*layers).double()
    x = np.random.default_rng(6).standard_normal((5, 3))
    h = x @ model[0].weight.data.T
    h = np.maximum(h, 0)
    h = np.log1p(np.exp(h @ model[2].weight.data.T + model[2].bias.data))
    h = np.maximum(h @ model[4].weight.data.T + model[4].bias.data, 0)
    np.testing.assert_allclose(model(sg.tensor(x)).data, h, rtol=1e-12)
    gradcheck(lambda x: model(x), [x])


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4), n=st.integers(2, 5),
       batch_norm=st.booleans())
def test_mlp_shapes_and_keys_for_any_sizes(sizes, n, batch_norm):
    model = nn.MLP(sizes, batch_norm=batch_norm, rng=0)
    out = model(sg.tensor(np.ones((n, sizes[0]), np.float32)))
    assert out.shape == (n, sizes[-1])
    per_layer = 3 if batch_norm else 2  # Linear, [BatchNorm1d], activation
    linear_keys = [f"{per_layer * i}.weight" for i in range(len(sizes) - 1)]
    assert [k for k in model.state_dict() if k.endswith("weight")
            and isinstance(model[int(k.split(".")[0])], nn.Linear)] == linear_keys
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        assert model.state_dict()[linear_keys[i]].shape == (fan_out, fan_in)
