"""Autoencoder: gradient checks, training, the latent prior and sampling."""
import numpy as np
import pytest

from scratchgen.latent import PCA, Autoencoder
from scratchgen.nn import MLP
from scratchgen.testing import gradcheck


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_reconstruction_loss_gradcheck(loss, as_float64):
    model = as_float64(Autoencoder.mlp(5, 2, hidden=(4,), activation="tanh", loss=loss, rng=0))
    x = np.random.default_rng(1).uniform(size=(3, 5))
    params = list(model.parameters())
    # fn ignores its arguments: gradcheck perturbs the parameters in place.
    assert gradcheck(lambda *ps: model.reconstruction_loss(x), params)


def test_reconstruction_improves_with_training(digits_subset):
    X, _ = digits_subset(240)
    model = Autoencoder.mlp(64, 4, hidden=(32,), rng=0)
    before = np.mean((model.reconstruct(X) - X) ** 2)
    model.fit(X, epochs=15, batch_size=32, lr=3e-3, rng=0)
    after = np.mean((model.reconstruct(X) - X) ** 2)
    assert len(model.history_) == 15
    assert model.history_[-1] < model.history_[0]
    # An untrained net outputs ~constant images (MSE ~0.2 on the digits); a
    # trained one must at least halve that. The final history entry is the
    # mean during the last epoch, close to (not equal to) the error after it.
    assert after < 0.5 * before
    assert np.isclose(after, model.history_[-1], rtol=0.3)


def test_linear_autoencoder_cannot_beat_pca(as_float64):
    # Eckart-Young: no rank-2 linear reconstruction has a smaller squared error
    # than PCA's on the training data; a trained linear AE comes close to it.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5)) @ np.diag([3.0, 2.0, 0.6, 0.3, 0.1])
    model = as_float64(Autoencoder(MLP([5, 2], rng=0), MLP([2, 5], rng=1)))
    model.fit(X, epochs=150, batch_size=120, lr=0.05, rng=0)
    pca_error = np.mean((PCA(2).fit(X).reconstruct(X) - X) ** 2)
    ae_error = np.mean((model.reconstruct(X) - X) ** 2)
    assert ae_error >= pca_error * (1 - 1e-9)
    assert ae_error <= 1.2 * pca_error


def test_gaussian_prior_matches_code_moments_and_sampling_is_seeded(digits_subset):
    X, _ = digits_subset(120)
    model = Autoencoder.mlp(64, 2, hidden=(16,), rng=0).fit(X, epochs=2, rng=0)
    codes = model.encode(X)
    assert np.allclose(model.codes_, codes)
    model.fit_prior("gaussian")
    # Closed-form MLE of a Gaussian: the sample mean and the 1/n covariance.
    assert np.allclose(model.prior_.mean_, codes.mean(axis=0), atol=1e-6)
    assert np.allclose(model.prior_.covariance_, np.cov(codes, rowvar=False, bias=True), atol=1e-6)
    a = model.sample(7, rng=3)
    assert a.shape == (7, 64)
    assert np.array_equal(a, model.sample(7, rng=np.random.default_rng(3)))
    assert not np.array_equal(a, model.sample(7, rng=4))


def test_mixture_prior_and_bce_decoder_outputs_probabilities(digits_subset):
    X, _ = digits_subset(120)
    model = Autoencoder.mlp(64, 2, hidden=(16,), loss="bce", rng=0).fit(X, epochs=2, rng=0)
    model.fit_prior("mixture", n_components=3, rng=0)
    assert model.prior_.weights_.shape == (3,)
    s = model.sample(5, rng=0)
    assert s.shape == (5, 64) and np.all((s >= 0) & (s <= 1))
    assert np.all((model.reconstruct(X[:4]) >= 0) & (model.reconstruct(X[:4]) <= 1))


def test_autoencoder_bad_inputs():
    with pytest.raises(ValueError, match="loss"):
        Autoencoder.mlp(4, 2, loss="l1")
    with pytest.raises(TypeError, match="encoder"):
        Autoencoder(lambda x: x, MLP([2, 4]))
    model = Autoencoder.mlp(4, 2, hidden=(3,), rng=0)
    with pytest.raises(RuntimeError, match="fit_prior"):
        model.sample(2)
    with pytest.raises(RuntimeError, match="fit"):
        model.fit_prior("gaussian")
    with pytest.raises(ValueError, match="4 features"):
        model.encode(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="kind"):
        model.fit(np.zeros((4, 4)), epochs=1).fit_prior("flow")
    with pytest.raises(ValueError, match="epochs"):
        model.fit(np.zeros((4, 4)), epochs=0)
    with pytest.raises(ValueError, match="lr"):
        model.fit(np.zeros((4, 4)), epochs=1, lr=-1.0)
