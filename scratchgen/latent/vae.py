"""The variational autoencoder (Kingma & Welling 2014, "Auto-encoding
variational Bayes"), with the importance-weighted log-likelihood estimate of
Burda, Grosse & Salakhutdinov (2016), "Importance weighted autoencoders".

Generative model and approximate posterior (q latent dimensions):

    p(z) = N(0, I_q),      p(x | z) = Bernoulli(sigmoid(D(z)))  or  N(D(z), s^2 I_d)
    q(z | x) = N(mu(x), diag sigma^2(x)),   [mu, log sigma^2] = E(x)   (2q outputs)

Training maximises the evidence lower bound, per example

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || p(z))  <=  log p(x),

with the expectation estimated by one reparameterised draw
z = mu + sigma * eps, eps ~ N(0, I) (so the gradient flows through mu and
sigma), and the KL in closed form. With K draws z_k ~ q(z | x),

    L_K(x) = log (1/K) sum_k p(x, z_k) / q(z_k | x)

is a tighter bound, L_1 = E[single-draw ELBO] <= L_K <= L_{K+1} <= log p(x)
(in expectation), and L_K -> log p(x) as K grows: ``log_likelihood`` uses it
to compare the VAE's density with the exact likelihood of PPCA.

The Gaussian decoder has one learned noise variance s^2 = exp(log_noise_var)
shared by all pixels, as the isotropic noise of probabilistic PCA.
"""
import numpy as np

from scratchgen.autodiff import Tensor, no_grad, sigmoid
from scratchgen.latent._checks import as_data_matrix, as_generator, check_int
from scratchgen.latent.autoencoder import _check_choice, build_mlp, input_dim_of
from scratchgen.latent.objectives import (bernoulli_log_likelihood, gaussian_log_likelihood,
                                          iwae_bound, kl_gaussian, log_normal, reparameterize)
from scratchgen.latent.training import fit_minibatches, model_dtype
from scratchgen.validation import rng_from_seed_alias
from scratchgen.nn import Module, Parameter

__all__ = ["VAE"]

_LIKELIHOODS = ("bernoulli", "gaussian")


class VAE(Module):
    """Variational autoencoder with a N(0, I) prior on ``latent_dim`` codes.

    encoder    : Module (b, d) -> (b, 2 * latent_dim): [mean, log-variance]
    decoder    : Module (b, latent_dim) -> (b, d): logits (bernoulli) or means
    likelihood : "bernoulli" (data in [0, 1]) or "gaussian" (real data)
    init_log_noise_var : initial log s^2 of the Gaussian decoder

    After ``fit``: ``history_``, the mean negative ELBO per epoch (nats).
    """

    def __init__(self, encoder, decoder, latent_dim, likelihood="bernoulli",
                 init_log_noise_var=-2.0):
        super().__init__()
        for name, part in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(part, Module):
                raise TypeError(f"{name} must be a scratchgen.nn.Module, got {type(part).__name__}")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = check_int(latent_dim, "latent_dim")
        self.likelihood = _check_choice(likelihood, "likelihood", _LIKELIHOODS)
        if self.likelihood == "gaussian":
            dtype = model_dtype(decoder)
            self.log_noise_var = Parameter(np.asarray(float(init_log_noise_var), dtype=dtype))
        self.history_ = []

    @classmethod
    def mlp(cls, input_dim, latent_dim, hidden=(128,), activation="relu",
            likelihood="bernoulli", rng=None, **kwargs):
        """MLP encoder [input_dim, *hidden, 2 latent_dim] and mirrored decoder."""
        input_dim = check_int(input_dim, "input_dim")
        latent_dim = check_int(latent_dim, "latent_dim")
        hidden = tuple(check_int(h, "hidden sizes") for h in hidden)
        rng = as_generator(rng)
        encoder = build_mlp((input_dim, *hidden, 2 * latent_dim), activation, rng)
        decoder = build_mlp((latent_dim, *hidden[::-1], input_dim), activation, rng)
        return cls(encoder, decoder, latent_dim, likelihood=likelihood, **kwargs)

    # ------------------------------------------------------- the pieces
    def _as_tensor(self, x, name="x"):
        if isinstance(x, Tensor):
            return x
        return Tensor(as_data_matrix(x, name=name, n_features=input_dim_of(self.encoder),
                                     dtype=model_dtype(self)))

    def posterior(self, x):
        """mean, log_var of q(z | x): two Tensors (b, latent_dim)."""
        h = self.encoder(self._as_tensor(x))
        q = self.latent_dim
        if h.shape[-1] != 2 * q:
            raise ValueError(f"the encoder must output 2 * latent_dim = {2 * q} columns "
                             f"(mean and log-variance), got shape {h.shape}")
        return h[:, :q], h[:, q:]

    def log_likelihood_given_z(self, x, z):
        """log p(x | z) summed over features; z (..., b, q) -> Tensor (..., b)."""
        lead = z.shape[:-1]
        out = self.decoder(z.reshape(-1, self.latent_dim))
        out = out.reshape(*lead, out.shape[-1])
        if self.likelihood == "bernoulli":
            return bernoulli_log_likelihood(x, out)
        return gaussian_log_likelihood(x, out, self.log_noise_var)

    def _noise(self, eps, shape, rng):
        if eps is None:
            return as_generator(rng).standard_normal(shape).astype(model_dtype(self))
        eps = np.asarray(eps.data if isinstance(eps, Tensor) else eps)
        if eps.shape != shape:
            raise ValueError(f"eps must have shape {shape}, got {eps.shape}")
        return eps.astype(model_dtype(self))

    # ------------------------------------------------------- objectives
    def elbo(self, x, eps=None, rng=None):
        """The per-example ELBO, a Tensor (b,) differentiable in the parameters.

        x   : array or Tensor (b, d)
        eps : the standard normal noise (b, latent_dim) of the one
              reparameterised draw; drawn from ``rng`` when None.
        ELBO = log p(x | z) - KL(q(z | x) || N(0, I)),  z = mu + sigma * eps.

        Helpers: ``reparameterize(mean, log_var, eps)`` -> z; ``self.log_likelihood_given_z(x,
        z)`` -> log p(x | z) (b,); ``kl_gaussian(mean, log_var)`` -> KL to N(0, I) (b,).
        """
        x = self._as_tensor(x)
        mean, log_var = self.posterior(x)
        eps = self._noise(eps, mean.shape, rng)
        # BEGIN SOLUTION task=latent.elbo
        z = reparameterize(mean, log_var, eps)
        expected_log_likelihood = self.log_likelihood_given_z(x, z)
        return expected_log_likelihood - kl_gaussian(mean, log_var)
        # END SOLUTION

    def iwae(self, x, eps):
        """The importance-weighted bound L_K per example, a Tensor (b,).

        eps: standard normal noise (K, b, latent_dim), one draw per k.
        log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x),
        L_K = logsumexp_k(log w_k) - log K.
        """
        x = self._as_tensor(x)
        mean, log_var = self.posterior(x)
        eps = np.asarray(eps.data if isinstance(eps, Tensor) else eps)
        if eps.ndim != 3 or eps.shape[1:] != mean.shape:
            raise ValueError(f"eps must have shape (K, {mean.shape[0]}, {self.latent_dim}), "
                             f"got {eps.shape}")
        z = reparameterize(mean, log_var, eps.astype(model_dtype(self)))    # (K, b, q)
        log_w = (self.log_likelihood_given_z(x, z) + log_normal(z)
                 - log_normal(z, mean, log_var))                            # (K, b)
        return iwae_bound(log_w)

    def negative_elbo(self, x, rng=None):
        """The training loss: minus the mean ELBO of a batch (scalar Tensor)."""
        return -self.elbo(x, rng=rng).mean()

    def training_loss(self, x, rng=None):
        """The loss that ``fit`` (and ``scratchgen train vae``) minimises: ``negative_elbo``."""
        return self.negative_elbo(x, rng=rng)

    def fit(self, X, epochs=50, batch_size=64, lr=1e-3, rng=None, progress=False, seed=None):
        """Maximise the ELBO on the rows of X (n, d) with Adam; returns self.

        ``rng`` fixes the shuffling and the reparameterisation noise (``seed``:
        its deprecated name). The loop is ``latent.training.fit_minibatches``.
        """
        rng = rng_from_seed_alias(rng, seed, "VAE.fit")
        X = as_data_matrix(X, n_features=input_dim_of(self.encoder))
        self.history_ = self.history_ + fit_minibatches(
            self, self.training_loss, X, epochs=epochs,
            batch_size=batch_size, lr=lr, rng=rng, progress=progress)
        return self

    # ----------------------------------------------- evaluation on arrays
    def log_likelihood(self, X, k=100, rng=None, batch_size=None):
        """The IWAE estimate of log p(x) per row of X, array (n,) in nats.

        A stochastic lower bound (in expectation) that tightens as ``k``
        grows; ``rng`` fixes the importance samples. ``batch_size``: rows of
        X per pass (default: k * batch_size <= 2^16 decoded codes, to bound
        the memory of the (k, batch, d) arrays).
        """
        X = as_data_matrix(X, n_features=input_dim_of(self.encoder), dtype=model_dtype(self))
        k = check_int(k, "k")
        rng = as_generator(rng)
        batch_size = (max(1, 2 ** 16 // k) if batch_size is None
                      else check_int(batch_size, "batch_size"))
        out = []
        with no_grad():
            for start in range(0, len(X), batch_size):
                xb = X[start:start + batch_size]
                eps = rng.standard_normal((k, len(xb), self.latent_dim))
                out.append(self.iwae(xb, eps).numpy())
        return np.concatenate(out).astype(np.float64)

    def _decode_mean(self, z):
        out = self.decoder(z)
        return sigmoid(out) if self.likelihood == "bernoulli" else out

    def encode(self, X):
        """The posterior means mu(x), array (n, latent_dim)."""
        with no_grad():
            return self.posterior(X)[0].numpy().astype(np.float64)

    def decode(self, Z):
        """The decoder's mean E[x | z] (probabilities for bernoulli), (n, d)."""
        Z = as_data_matrix(Z, name="Z", n_features=self.latent_dim, dtype=model_dtype(self))
        with no_grad():
            return self._decode_mean(Tensor(Z)).numpy().astype(np.float64)

    def reconstruct(self, X):
        """decode(encode(X)): the decoder mean at the posterior mean, (n, d)."""
        return self.decode(self.encode(X))

    def sample(self, n_samples=1, rng=None):
        """Draw z ~ N(0, I) and return the decoder means, array (n_samples, d)."""
        n_samples = check_int(n_samples, "n_samples")
        z = as_generator(rng).standard_normal((n_samples, self.latent_dim))
        return self.decode(z)
