"""The shared minibatch loop: seeding, progress bar, divergence and argument errors."""
import numpy as np
import pytest

from scratchgen.latent import fit_minibatches
from scratchgen.nn import MLP


def _mean_square_loss(model):
    return lambda xb, rng: (model(xb) ** 2).mean()


def test_same_seed_same_history_and_progress_bar(capsys):
    X = np.random.default_rng(0).standard_normal((40, 3))
    runs = []
    for progress in (False, True):
        model = MLP([3, 4, 1], rng=0)
        runs.append(fit_minibatches(model, _mean_square_loss(model), X, epochs=3,
                                    batch_size=8, lr=0.01, seed=1, progress=progress))
    assert runs[0] == runs[1] and len(runs[0]) == 3
    assert "MLP" in capsys.readouterr().err          # tqdm writes to stderr


def test_loop_leaves_the_model_in_eval_mode_and_reports_divergence():
    X = np.ones((8, 2))
    model = MLP([2, 1], rng=0)
    fit_minibatches(model, _mean_square_loss(model), X, epochs=1, batch_size=4)
    assert model.training is False
    with pytest.raises(FloatingPointError, match="diverged"):
        fit_minibatches(model, lambda xb, rng: model(xb).mean() * float("nan"), X, epochs=1)


def test_loop_argument_errors():
    model = MLP([2, 1], rng=0)
    loss = _mean_square_loss(model)
    with pytest.raises(ValueError, match="batch_size"):
        fit_minibatches(model, loss, np.ones((4, 2)), batch_size=0)
    with pytest.raises(TypeError, match="seed"):
        fit_minibatches(model, loss, np.ones((4, 2)), seed="x")
    with pytest.raises(ValueError, match="2-D"):
        fit_minibatches(model, loss, np.ones(4))
