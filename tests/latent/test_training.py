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
                                    batch_size=8, lr=0.01, rng=1, progress=progress))
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
        fit_minibatches(model, loss, np.ones((4, 2)), rng="x")
    with pytest.raises(ValueError, match="2-D"):
        fit_minibatches(model, loss, np.ones(4))


def test_epochs_are_dataloader_orders_and_seed_is_a_warning_alias_of_rng():
    # The loop written out with datasets.DataLoader (the order it draws per epoch).
    from scratchgen.datasets import DataLoader
    from scratchgen.optim import Adam
    X = np.random.default_rng(0).standard_normal((21, 3))
    model = MLP([3, 4, 1], rng=0)
    rng = np.random.default_rng(1)
    optimizer, expected = Adam(list(model.parameters()), lr=0.01), []
    loader = DataLoader(X.astype(np.float32), batch_size=8, rng=rng)
    for _ in range(3):
        total = 0.0
        for xb in loader:
            loss = _mean_square_loss(model)(xb, rng)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        expected.append(total / len(X))
    again = MLP([3, 4, 1], rng=0)
    assert fit_minibatches(again, _mean_square_loss(again), X, epochs=3, batch_size=8, lr=0.01,
                           rng=1) == expected
    alias = MLP([3, 4, 1], rng=0)
    with pytest.warns(DeprecationWarning, match="rng="):
        assert fit_minibatches(alias, _mean_square_loss(alias), X, epochs=3, batch_size=8,
                               lr=0.01, seed=1) == expected
    with pytest.raises(TypeError, match="not both"):
        fit_minibatches(alias, _mean_square_loss(alias), X, rng=1, seed=1)


def test_trainer_resumed_mid_epoch_takes_the_same_batches():
    from scratchgen.latent.training import MinibatchTrainer
    X = np.random.default_rng(0).standard_normal((10, 3))

    def trainer():
        model = MLP([3, 4, 1], rng=0)
        return MinibatchTrainer(model, _mean_square_loss(model), X, batch_size=4, lr=0.01, rng=2)

    straight = trainer()
    losses = [straight.step()[0] for _ in range(7)]          # 3 batches per epoch: 2 1/3 epochs
    first = trainer()
    head = [first.step()[0] for _ in range(4)]
    second = trainer()
    second.model.load_state_dict(first.model.state_dict())
    second.load_state_dict(first.state_dict())
    assert head + [second.step()[0] for _ in range(3)] == losses
    assert [first.step()[1] for _ in range(3)] == [4, 2, 4]  # an epoch's last batch is smaller


def test_a_state_without_the_epoch_position_starts_a_new_epoch():
    # Checkpoints of `scratchgen train vae` before the shared loop held only optimizer and rng.
    from scratchgen.latent.training import MinibatchTrainer
    from scratchgen.serialization import rng_state
    X = np.arange(12.0).reshape(6, 2)
    model = MLP([2, 1], rng=0)
    trainer = MinibatchTrainer(model, _mean_square_loss(model), X, batch_size=4, rng=0)
    trainer.step()
    old = {"optimizer": trainer.optimizer.state_dict(), "rng": rng_state(np.random.default_rng(7))}
    trainer.load_state_dict(old)
    expected = np.random.default_rng(7).permutation(6)[:4]
    np.testing.assert_array_equal(trainer.next_batch(), X[expected].astype(np.float32))
