"""VAE: gradient checks of the ELBO and IWAE, the bounds against an exact
log-likelihood (linear-Gaussian case), monotonicity in K, sampling, errors."""
import numpy as np
import pytest

from scratchgen.autodiff import Tensor
from scratchgen.latent import VAE
from scratchgen.nn import MLP
from scratchgen.testing import gradcheck


def _small_vae(as_float64, likelihood, d=5, q=2):
    return as_float64(VAE.mlp(d, q, hidden=(4,), activation="tanh",
                              likelihood=likelihood, rng=0))


def _linear_gaussian_vae(as_float64, d=3, q=1):
    """Linear decoder + Gaussian likelihood: p(x) = N(b, W W^T + s^2 I) exactly."""
    return as_float64(VAE(MLP([d, 6, 2 * q], activation="tanh", rng=0), MLP([q, d], rng=1),
                          q, likelihood="gaussian", init_log_noise_var=-1.0))


def _exact_log_px(model, X):
    """log N(x; b, W W^T + s^2 I) with dense slogdet/solve (independent of the VAE)."""
    lin = model.decoder[0]
    W, b = lin.weight.data, lin.bias.data
    cov = W @ W.T + np.exp(model.log_noise_var.data) * np.eye(len(b))
    r = X - b
    _, logdet = np.linalg.slogdet(cov)
    maha = np.sum(r * np.linalg.solve(cov, r.T).T, axis=1)
    return -0.5 * (len(b) * np.log(2 * np.pi) + logdet + maha)


@pytest.mark.task("latent.elbo")
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_elbo_gradcheck_with_fixed_noise(likelihood, as_float64):
    model = _small_vae(as_float64, likelihood)
    rng = np.random.default_rng(0)
    x, eps = rng.uniform(size=(3, 5)), rng.standard_normal((3, 2))
    assert gradcheck(lambda *ps: model.elbo(x, eps=eps), list(model.parameters()))


@pytest.mark.task("latent.iwae")
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_iwae_gradcheck_with_fixed_noise(likelihood, as_float64):
    model = _small_vae(as_float64, likelihood)
    rng = np.random.default_rng(1)
    x, eps = rng.uniform(size=(3, 5)), rng.standard_normal((4, 3, 2))
    assert gradcheck(lambda *ps: model.iwae(x, eps), list(model.parameters()))


@pytest.mark.task("latent.elbo")
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_elbo_is_the_reconstruction_term_minus_the_closed_form_kl(likelihood, as_float64):
    # With the noise given: z = m + exp(v / 2) eps and ELBO = log p(x | z) - KL(N(m, e^v) || N(0, I)),
    # the KL written out in NumPy and log p(x | z) from the decoder (given to the student).
    model = _small_vae(as_float64, likelihood)
    rng = np.random.default_rng(8)
    x, eps = rng.uniform(size=(3, 5)), rng.standard_normal((3, 2))
    mean, log_var = (t.data for t in model.posterior(Tensor(x)))
    z = mean + np.exp(log_var / 2) * eps
    kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1 - log_var, axis=1)
    expected = model.log_likelihood_given_z(Tensor(x), Tensor(z)).data - kl
    np.testing.assert_allclose(model.elbo(x, eps=eps).data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.task("latent.iwae")  # L_1 against the ELBO (an earlier task)
def test_elbo_with_closed_form_kl_equals_the_monte_carlo_single_sample_bound(as_float64):
    # E_eps[elbo(x, eps)] = E_eps[L_1(x, eps)]: the two differ only in using the
    # closed-form KL or log p(z) - log q(z|x) at the draw. Average the difference
    # over 4000 draws; the tolerance is 5 Monte-Carlo standard errors.
    model = _small_vae(as_float64, "gaussian")
    rng = np.random.default_rng(2)
    draws = 4000
    x = np.tile(rng.uniform(size=(2, 5)), (draws, 1))         # each example `draws` times
    eps = rng.standard_normal((len(x), 2))
    diff = (model.elbo(x, eps=eps).data - model.iwae(x, eps[None]).data).reshape(draws, 2)
    mean, se = diff.mean(axis=0), diff.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(mean) < 5 * se + 1e-12)


@pytest.mark.task("latent.iwae")
def test_bounds_are_below_the_exact_log_likelihood_and_iwae_converges(as_float64):
    model = _linear_gaussian_vae(as_float64)
    X = np.random.default_rng(3).standard_normal((4, 3))
    exact = _exact_log_px(model, X)
    rng = np.random.default_rng(4)
    # ELBO <= log p(x): averaged over draws (single draws can exceed it).
    elbo = np.mean([model.elbo(X, rng=rng).data for _ in range(200)], axis=0)
    assert np.all(elbo < exact)
    # E[L_K] <= log p(x) too: the mean of 100 estimates with K = 10 stays below
    # it up to 3 standard errors of that mean.
    reps = np.stack([model.log_likelihood(X, k=10, rng=rng) for _ in range(100)])
    assert np.all(reps.mean(axis=0) <= exact + 3 * reps.std(axis=0) / 10)
    # L_K -> log p(x): for this model and K = 20000 the delta-method standard
    # error of log(mean w), sd(w) / (mean(w) sqrt(K)), is about 0.01 nats
    # (measured once from the weights); 0.05 is 5 standard errors.
    estimate = model.log_likelihood(X, k=20000, rng=5)
    assert np.allclose(estimate, exact, atol=0.05)


@pytest.mark.task("latent.iwae")
def test_iwae_bound_is_non_decreasing_in_k_on_average(as_float64):
    model = _linear_gaussian_vae(as_float64)
    X = np.random.default_rng(6).standard_normal((3, 3))
    rng = np.random.default_rng(7)
    means, ses = [], []
    for k in (1, 4, 32):
        reps = np.stack([model.log_likelihood(X, k=k, rng=rng) for _ in range(150)])
        means.append(reps.mean(axis=0))
        ses.append(reps.std(axis=0) / np.sqrt(len(reps)))
    # Each increase of K may not lower the mean bound by more than 3 standard
    # errors of the difference (the estimates are independent).
    for a, b, sa, sb in zip(means, means[1:], ses, ses[1:]):
        assert np.all(b >= a - 3 * np.sqrt(sa ** 2 + sb ** 2))
    assert np.all(means[-1] > means[0])


def test_vae_training_raises_the_elbo_and_sampling_is_seeded(digits_subset):
    X, _ = digits_subset(160)
    model = VAE.mlp(64, 2, hidden=(32,), rng=0)
    model.fit(X, epochs=6, batch_size=32, lr=3e-3, rng=0)
    assert len(model.history_) == 6 and model.history_[-1] < model.history_[0]
    s = model.sample(6, rng=1)
    assert s.shape == (6, 64) and np.all((s >= 0) & (s <= 1))
    assert np.array_equal(s, model.sample(6, rng=np.random.default_rng(1)))
    assert model.encode(X[:5]).shape == (5, 2)
    assert model.reconstruct(X[:5]).shape == (5, 64)
    ll = model.log_likelihood(X[:5], k=8, rng=0)
    assert ll.shape == (5,) and np.array_equal(ll, model.log_likelihood(X[:5], k=8, rng=0))


def test_same_seed_same_training(digits_subset):
    X, _ = digits_subset(64)
    a = VAE.mlp(64, 2, hidden=(8,), rng=0).fit(X, epochs=2, rng=5)
    b = VAE.mlp(64, 2, hidden=(8,), rng=0).fit(X, epochs=2, rng=5)
    assert a.history_ == b.history_


def test_vae_bad_inputs():
    with pytest.raises(ValueError, match="likelihood"):
        VAE.mlp(4, 2, likelihood="poisson")
    with pytest.raises(TypeError, match="decoder"):
        VAE(MLP([4, 4]), "decoder", 2)
    model = VAE(MLP([4, 3]), MLP([2, 4]), 2)     # encoder gives 3 columns, not 4
    with pytest.raises(ValueError, match="2 \\* latent_dim"):
        model.elbo(np.zeros((2, 4)))
    model = VAE.mlp(4, 2, hidden=(3,), rng=0)
    with pytest.raises(ValueError, match="eps"):
        model.elbo(np.zeros((2, 4)), eps=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="eps"):
        model.iwae(np.zeros((2, 4)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="k must"):
        model.log_likelihood(np.zeros((2, 4)), k=0)
    with pytest.raises(ValueError, match="2 features"):
        model.decode(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="4 features"):
        model.fit(np.zeros((8, 5)), epochs=1)
