"""CharMLP: the NLL against a NumPy computation, gradient checks, learning, checkpoints."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.testing import gradcheck
from scratchgen.text import CharMLP, CharMLPNetwork, Interpolation, NGramModel, next_char_nll

TEXT = "the cat sat on the mat. the bat ate the hat. " * 4


def _tiny(**kw):
    return CharMLP(context=3, embedding_dim=4, hidden=(16,), rng=0, **kw)


@pytest.mark.task("text.char_mlp_nll")
def test_nll_is_the_mean_cross_entropy_of_the_next_character():
    net = CharMLPNetwork(6, context=2, embedding_dim=3, hidden=(5,), rng=0).double()
    contexts, targets = np.array([[1, 2], [3, 3], [0, 5]]), np.array([4, 0, 5])
    nll = next_char_nll(net, contexts, targets)
    # independent: the network's logits, then log-softmax in NumPy
    logits = net(contexts).data
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert nll.item() == pytest.approx(-log_p[np.arange(3), targets].mean(), rel=1e-12)
    # the parameters themselves are the inputs (perturbed in place by gradcheck)
    gradcheck(lambda *params: next_char_nll(net, contexts, targets), list(net.parameters()))


def test_network_keys_and_shapes_follow_pytorch():
    net = CharMLPNetwork(10, context=4, embedding_dim=3, hidden=(7, 5))
    shapes = {k: v.shape for k, v in net.state_dict().items()}
    assert shapes == {"embedding.weight": (10, 3), "mlp.0.weight": (7, 12), "mlp.0.bias": (7,),
                      "mlp.2.weight": (5, 7), "mlp.2.bias": (5,), "mlp.4.weight": (10, 5),
                      "mlp.4.bias": (10,)}


def test_training_lowers_the_held_out_bits_and_probabilities_sum_to_one():
    model = _tiny()
    model.fit(TEXT, validation_text=TEXT[:60], steps=1, eval_every=1)
    before = model.bits_per_char(TEXT[:60])
    model.fit(TEXT, validation_text=TEXT[:60], steps=150, batch_size=32, lr=3e-3, eval_every=50)
    assert model.bits_per_char(TEXT[:60]) < before - 1.0
    assert model.step_ == 151 and model.history_["step"] == [1, 50, 100, 150, 151]
    assert model.best_validation_bpc_ == min(model.history_["validation_bpc"])
    probs = np.exp(model.next_log_probs(np.array([[1, 2, 3], [0, 0, 0]])))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-10)
    sample = model.sample(30, prompt="the ", rng=1)
    assert sample == model.sample(30, prompt="the ", rng=1) and len(sample) == 34


def test_checkpoint_round_trip_continues_training_identically(tmp_path):
    a = _tiny(dropout=0.1).fit(TEXT, steps=5, batch_size=8, restore_best=False)
    sg.save(a.state_dict(), tmp_path / "ckpt.npz")
    b = CharMLP.from_state_dict(sg.load(tmp_path / "ckpt.npz"))
    assert b.log_prob("the hat") == pytest.approx(a.log_prob("the hat"), rel=1e-6)
    a.fit(TEXT, steps=3, batch_size=8)
    b.fit(TEXT, steps=3, batch_size=8)
    for (k, va), vb in zip(a.network_.state_dict().items(), b.network_.state_dict().values()):
        np.testing.assert_array_equal(va, vb, err_msg=k)
    assert b.step_ == 8


def test_interpolation_weight_is_the_held_out_maximum_likelihood():
    train, held = TEXT, "the rat sat on the cat."
    a = NGramModel(3).fit(train)
    b = NGramModel(1, vocabulary=a.vocabulary_).fit(train)
    mix = Interpolation(a, b).fit_weight(held)
    # independent: the held-out log-likelihood on a grid of weights
    grid = np.linspace(0.001, 0.999, 999)
    pa, pb = np.exp(a.char_log_probs(held)), np.exp(b.char_log_probs(held))
    ll = [np.log(w * pa + (1 - w) * pb).sum() for w in grid]
    assert mix.weight == pytest.approx(grid[int(np.argmax(ll))], abs=2e-3)
    assert mix.log_prob(held) == pytest.approx(np.log(mix.weight * pa + (1 - mix.weight) * pb).sum())
    probs = np.exp(mix.next_log_probs(np.array([[2, 3]])))
    np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="vocabulary"):
        Interpolation(a, NGramModel(2).fit("xyz"))
