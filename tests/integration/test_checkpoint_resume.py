"""Checkpoints: training resumed from sg.save/sg.load is bit-identical to an
uninterrupted run with the same seed (issue 4, item 5).

The checkpoint holds everything that decides the next steps: the model's
state_dict, the optimizer's state_dict (Adam's moments and step counts), the
step counter, and the state of the Generator that draws minibatches and
dropout masks.
"""
import numpy as np

import scratchgen as sg
from scratchgen.serialization import rng_from_state, rng_state


def make_run(seed):
    rng = np.random.default_rng(seed)
    model = sg.nn.Sequential(sg.nn.Linear(4, 8, rng=rng), sg.nn.ReLU(),
                             sg.nn.Dropout(0.2, rng=rng), sg.nn.Linear(8, 3, rng=rng))
    opt = sg.optim.Adam(model.parameters(), lr=1e-2)
    return model, opt, rng


def train(model, opt, rng, X, y, n_steps):
    for _ in range(n_steps):
        idx = rng.choice(len(X), size=16, replace=False)
        opt.zero_grad()
        loss = sg.nn.functional.cross_entropy(model(sg.tensor(X[idx])), y[idx])
        loss.backward()
        opt.step()


def test_resumed_training_is_bit_identical(tmp_path):
    data_rng = np.random.default_rng(123)
    X = data_rng.normal(size=(64, 4)).astype(np.float32)
    y = data_rng.integers(0, 3, size=64)

    model, opt, rng = make_run(seed=7)
    train(model, opt, rng, X, y, 20)
    uninterrupted = model.state_dict()

    model, opt, rng = make_run(seed=7)
    train(model, opt, rng, X, y, 10)
    path = tmp_path / "checkpoint.npz"
    sg.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
             "step": 10, "rng": rng_state(rng)}, path)
    del model, opt, rng

    checkpoint = sg.load(path)
    model, opt, _ = make_run(seed=999)  # different init: everything must come from the file
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    rng = rng_from_state(checkpoint["rng"])
    # Dropout draws from its own reference to the Generator: give it the restored one.
    model[2].rng = rng
    assert checkpoint["step"] == 10
    train(model, opt, rng, X, y, 10)

    resumed = model.state_dict()
    assert resumed.keys() == uninterrupted.keys()
    for key in uninterrupted:
        np.testing.assert_array_equal(resumed[key], uninterrupted[key], err_msg=key)
