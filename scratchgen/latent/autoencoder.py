"""A deterministic autoencoder, and a fitted latent prior to sample from it.

An encoder E maps x (d,) to a code z = E(x) (q,), a decoder D maps it back,
and both are trained to make D(E(x)) close to x:

    mse:  L = mean_ij (D(E(x_i))_j - x_ij)^2
    bce:  L = mean_ij BCE(x_ij, sigmoid(D(E(x_i))_j))    (x in [0, 1];
          the decoder outputs logits, ``decode`` applies the sigmoid)

The autoencoder alone is not a generative model: nothing says which codes z
decode to plausible x. ``fit_prior`` answers "what is the appropriate latent
distribution?" after the fact by fitting a density to the training codes
(a single Gaussian, or a Gaussian mixture that can follow clusters of codes),
and ``sample`` draws z from it and decodes. The VAE (``vae.py``) instead
trains the encoder so that the codes follow a fixed prior N(0, I).
"""
import numpy as np

from scratchgen.autodiff import Tensor, no_grad, sigmoid
from scratchgen.latent._checks import as_data_matrix, as_generator, check_fitted, check_int
from scratchgen.latent.training import fit_minibatches, model_dtype
from scratchgen.validation import rng_from_seed_alias
from scratchgen.nn import Module

__all__ = ["Autoencoder", "build_mlp", "input_dim_of"]

_LOSSES = ("mse", "bce")
_PRIORS = ("gaussian", "mixture")


def build_mlp(sizes, activation, rng):
    """An MLP with ``activation`` between layers and a linear output."""
    from scratchgen.nn import MLP
    return MLP(list(sizes), activation=activation, output_activation=None, rng=rng)


def input_dim_of(encoder):
    """The number of input features of a Linear or MLP encoder, else None.

    Used to check the columns of X before training; other encoders are not
    checked here (their first layer reports a shape error instead).
    """
    if hasattr(encoder, "in_features"):
        return encoder.in_features
    sizes = getattr(encoder, "sizes", None)
    return sizes[0] if sizes else None


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


class Autoencoder(Module):
    """x -> z = encoder(x) -> decoder(z), trained on the reconstruction loss.

    encoder : Module (b, d) -> (b, q);  decoder : Module (b, q) -> (b, d)
    loss    : "mse" (any real data) or "bce" (data in [0, 1]; the decoder
              outputs logits)

    After ``fit``: ``history_`` (mean training loss per epoch) and
    ``codes_`` (the codes of the training data, (n, q)); after
    ``fit_prior``: ``prior_`` (a fitted ``scratchgen.density`` model).
    """

    def __init__(self, encoder, decoder, loss="mse"):
        super().__init__()
        for name, part in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(part, Module):
                raise TypeError(f"{name} must be a scratchgen.nn.Module, got {type(part).__name__}")
        self.encoder = encoder
        self.decoder = decoder
        self.loss = _check_choice(loss, "loss", _LOSSES)
        self.history_ = []
        self.codes_ = None
        self.prior_ = None

    @classmethod
    def mlp(cls, input_dim, latent_dim, hidden=(128,), activation="relu", loss="mse", rng=None):
        """MLP encoder [input_dim, *hidden, latent_dim] and mirrored decoder.

        Linear code and linear decoder output (logits with loss="bce").
        ``rng``: Generator or int seed for the weight initialisation.
        """
        input_dim = check_int(input_dim, "input_dim")
        latent_dim = check_int(latent_dim, "latent_dim")
        hidden = tuple(check_int(h, "hidden sizes") for h in hidden)
        rng = as_generator(rng)
        encoder = build_mlp((input_dim, *hidden, latent_dim), activation, rng)
        decoder = build_mlp((latent_dim, *hidden[::-1], input_dim), activation, rng)
        return cls(encoder, decoder, loss=loss)

    # ------------------------------------------------------------ the model
    def forward(self, x):
        """The decoder's output for x (Tensor (b, d); logits with loss="bce")."""
        return self.decoder(self.encoder(x))

    def reconstruction_loss(self, x):
        """The mean reconstruction loss of a batch x (b, d), a scalar Tensor."""
        from scratchgen.nn import functional as F
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=model_dtype(self)))
        out = self(x)
        if self.loss == "mse":
            return F.mse_loss(out, x)
        return F.binary_cross_entropy_with_logits(out, x)

    def training_loss(self, x, rng=None):
        """The loss that ``fit`` (and ``scratchgen train autoencoder``) minimises on a
        batch: ``reconstruction_loss(x)`` (``rng`` is unused: the loss is deterministic)."""
        return self.reconstruction_loss(x)

    def fit(self, X, epochs=50, batch_size=64, lr=1e-3, rng=None, progress=False, seed=None):
        """Train on the rows of X (n, d) with Adam (``latent.training.fit_minibatches``); returns self.

        ``rng`` (int or Generator) fixes the shuffling (``seed``: its deprecated
        name). Keeps ``history_`` (mean loss per epoch) and ``codes_`` (the training codes).
        """
        rng = rng_from_seed_alias(rng, seed, "Autoencoder.fit")
        X = as_data_matrix(X, n_features=self._input_dim())
        history = fit_minibatches(self, self.training_loss, X, epochs=epochs,
                                  batch_size=batch_size, lr=lr, rng=rng, progress=progress)
        self.history_ = self.history_ + history
        self.codes_ = self.encode(X)
        return self

    # ------------------------------------------------------- array helpers
    def _input_dim(self):
        return input_dim_of(self.encoder)

    def _run(self, module, A, name, n_features=None):
        A = as_data_matrix(A, name=name, n_features=n_features, dtype=model_dtype(self))
        with no_grad():
            return module(Tensor(A))

    def encode(self, X):
        """Codes z = encoder(x), array (n, q)."""
        return self._run(self.encoder, X, "X", self._input_dim()).numpy().astype(np.float64)

    def decode(self, Z):
        """Decoded x = decoder(z), array (n, d) (the sigmoid of logits for bce)."""
        out = self._run(self.decoder, Z, "Z")
        if self.loss == "bce":
            out = sigmoid(out)
        return out.numpy().astype(np.float64)

    def reconstruct(self, X):
        """decode(encode(X)), array (n, d)."""
        return self.decode(self.encode(X))

    # ---------------------------------------------------- prior + sampling
    def fit_prior(self, kind="gaussian", n_components=10, rng=None, X=None, seed=None):
        """Fit a density to the codes of the training data (or of ``X``).

        kind="gaussian": one full-covariance Gaussian (closed-form MLE);
        kind="mixture": a Gaussian mixture with ``n_components`` components,
        which can follow separate clusters of codes (one per digit, say),
        started from ``rng`` (``seed``: its deprecated name).
        Returns self; the density is ``prior_``.
        """
        rng = rng_from_seed_alias(rng, seed, "Autoencoder.fit_prior")
        from scratchgen.density import Gaussian, GaussianMixture
        _check_choice(kind, "kind", _PRIORS)
        codes = self.codes_ if X is None else self.encode(X)
        if codes is None:
            raise RuntimeError("Autoencoder is not fitted yet: call fit(X) first "
                               "(or pass X to fit_prior)")
        if kind == "gaussian":
            self.prior_ = Gaussian(method="closed_form").fit(codes)
        else:
            n_components = check_int(n_components, "n_components")
            self.prior_ = GaussianMixture(n_components, method="em", rng=rng).fit(codes)
        return self

    def sample(self, n_samples=1, rng=None):
        """Draw z from ``prior_`` and decode: array (n_samples, d)."""
        check_fitted(self, "prior_", "fit_prior()")
        n_samples = check_int(n_samples, "n_samples")
        z = self.prior_.sample(n_samples, rng=as_generator(rng))
        return self.decode(z)
