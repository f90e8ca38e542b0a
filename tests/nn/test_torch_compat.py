"""Against PyTorch itself, when it is installed (it is not a dependency; skipped otherwise).

The state dict of a scratchgen model loads into the equivalent torch model
and gives the same outputs; optimizers and losses give the same numbers.
Importing torch takes seconds, more than this suite's time budget, so these
run only on request: ``SCRATCHGEN_TORCH_TESTS=1 python -m pytest tests/nn/test_torch_compat.py``.
"""
import os

import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn, optim
from scratchgen.nn import functional as F

if os.environ.get("SCRATCHGEN_TORCH_TESTS") != "1":
    pytest.skip("set SCRATCHGEN_TORCH_TESTS=1 to compare with PyTorch", allow_module_level=True)
torch = pytest.importorskip("torch")


def _to_torch(state):
    return {k: torch.from_numpy(np.array(v)) for k, v in state.items()}


def test_mlp_state_dict_loads_into_torch_sequential_with_same_outputs():
    model = nn.MLP([5, 8, 8, 3], activation="tanh", batch_norm=True, rng=0)
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    model(sg.tensor(x))  # one training step of BatchNorm: running stats move
    reference = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(),
        torch.nn.Linear(8, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(),
        torch.nn.Linear(8, 3))
    reference.load_state_dict(_to_torch(model.state_dict()))  # strict: same keys and shapes
    for mode in (False, True):
        model.train(mode)
        reference.train(mode)
        ours = model(sg.tensor(x)).data
        theirs = reference(torch.from_numpy(x)).detach().numpy()
        # float32, a few layers: agreement to float32 rounding.
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    for key, value in reference.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[key], value.numpy(), rtol=1e-5,
                                   err_msg=key)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_optimizers_follow_torch_in_float32(name):
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(5)]
    ours, theirs = nn.Parameter(p0.copy()), torch.nn.Parameter(torch.from_numpy(p0.copy()))
    if name == "sgd":
        options = dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
        opt, ref = optim.SGD([ours], **options), torch.optim.SGD([theirs], **options)
    else:
        options = dict(lr=0.1, betas=(0.8, 0.99), weight_decay=0.01, amsgrad=True)
        opt, ref = optim.Adam([ours], **options), torch.optim.Adam([theirs], **options)
    for g in grads:
        ours.grad, theirs.grad = sg.tensor(g.copy()), torch.from_numpy(g.copy())
        opt.step()
        ref.step()
    # Same float32 operations, possibly in another order: a few ulp apart.
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_losses_equal_torch():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, 5)
    targets = rng.uniform(0, 1, (5, 4))
    tf = torch.nn.functional
    pairs = [
        (F.cross_entropy(sg.tensor(logits), labels),
         tf.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels))),
        (F.binary_cross_entropy_with_logits(sg.tensor(logits), sg.tensor(targets)),
         tf.binary_cross_entropy_with_logits(torch.from_numpy(logits),
                                             torch.from_numpy(targets))),
        (F.gaussian_nll_loss(sg.tensor(logits), sg.tensor(targets), sg.tensor(targets + 0.1),
                             full=True),
         tf.gaussian_nll_loss(torch.from_numpy(logits), torch.from_numpy(targets),
                              torch.from_numpy(targets + 0.1), full=True)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
