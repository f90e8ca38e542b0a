"""GAN losses, computed from the discriminator's logits with stable formulas.

The discriminator network returns a logit l(x); D(x) = sigmoid(l(x)) is the
probability that x came from the data. The logs that the value function
needs never go through sigmoid (which rounds to exactly 0 or 1 for
|l| > ~17 in float32, and log(0) = -inf):

    log D(x)       = log sigmoid(l)     = -softplus(-l)
    log (1 - D(x)) = log sigmoid(-l)    = -softplus(l)

with softplus(t) = log(1 + exp(t)) computed stably (``autodiff.softplus``).

Goodfellow et al. 2014, "Generative adversarial nets", eq. (1):

    V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

estimated on a minibatch by the means over m data samples and m noise
samples. D ascends V; G descends it (minimax) or, as section 3 of the paper
recommends against early saturation, ascends E_z[log D(G(z))]
(non-saturating). Every loss below is something an optimizer *minimises*.

WGAN-GP (Gulrajani et al. 2017, "Improved training of Wasserstein GANs",
Algorithm 1): the critic f returns an unbounded score, and

    critic loss    = E[f(G(z))] - E[f(x)] + lambda E[(||grad_x f(x_hat)||_2 - 1)^2]
    generator loss = -E[f(G(z))]

with x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1] per sample.
"""
import numpy as np

from scratchgen import autodiff
from scratchgen.autodiff import Tensor

__all__ = [
    "log_d",
    "log_one_minus_d",
    "value_from_logits",
    "discriminator_loss",
    "minimax_loss",
    "nonsaturating_loss",
    "generator_loss",
    "GENERATOR_LOSSES",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "interpolates",
    "gradient_penalty",
]


def _flat(logits):
    """Logits of shape (m,) or (m, 1) -> (m,); anything else is an error."""
    if logits.ndim == 2 and logits.shape[1] == 1:
        return logits.reshape(-1)
    if logits.ndim == 1:
        return logits
    raise ValueError(f"discriminator logits must have shape (m,) or (m, 1), got {logits.shape}")


def log_d(logits):
    """log D(x) = log sigmoid(l) = -softplus(-l), elementwise (stable for any l)."""
    return -autodiff.softplus(-logits)


def log_one_minus_d(logits):
    """log(1 - D(x)) = log sigmoid(-l) = -softplus(l), elementwise (stable for any l)."""
    return -autodiff.softplus(logits)


def value_from_logits(real_logits, fake_logits):
    """Minibatch estimate of V = mean_i log D(x_i) + mean_j log(1 - D(G(z_j))).

    real_logits: (m,) or (m, 1) logits of data samples; fake_logits: (m',) or
    (m', 1) logits of generated samples. Returns a scalar Tensor (<= 0;
    -2 log 2 ~ -1.386 when D = 1/2 everywhere, the value at the optimum of
    the game, Goodfellow et al. 2014, Theorem 1).
    """
    return log_d(_flat(real_logits)).mean() + log_one_minus_d(_flat(fake_logits)).mean()


def discriminator_loss(real_logits, fake_logits):
    """-V: minimising it is D's gradient *ascent* on V (Algorithm 1, inner loop).

    It equals the binary cross-entropy of "real = 1, fake = 0", summed over
    the two halves of the minibatch (each half averaged).
    """
    return -value_from_logits(real_logits, fake_logits)


def minimax_loss(fake_logits):
    """The generator's term of V, mean_j log(1 - D(G(z_j))), which G descends.

    Saturates: when D confidently rejects the samples (l << 0, early in
    training), d/dl log(1 - sigmoid(l)) = -sigmoid(l) ~ 0, so G learns little.
    """
    return log_one_minus_d(_flat(fake_logits)).mean()


def nonsaturating_loss(fake_logits):
    """-mean_j log D(G(z_j)): G ascends log D(G(z)) (Goodfellow et al. 2014, sec. 3).

    Same fixed point as the minimax loss, but d/dl [-log sigmoid(l)] =
    sigmoid(l) - 1 ~ -1 when D rejects the samples: strong gradients early on.

    Helper: ``_flat(logits)`` -> logits of shape (m,) from (m,) or (m, 1).
    """
    # BEGIN SOLUTION task=gan.nonsaturating_loss
    return autodiff.softplus(-_flat(fake_logits)).mean()
    # END SOLUTION


#: The generator losses of ``generator_loss`` (the ``loss`` argument of ``GAN``).
GENERATOR_LOSSES = ("minimax", "nonsaturating")


def generator_loss(fake_logits, kind):
    """What G minimises, from D's logits of its samples: ``minimax_loss`` (kind
    "minimax", Algorithm 1 as printed) or ``nonsaturating_loss`` ("nonsaturating")."""
    if kind == "minimax":
        return minimax_loss(fake_logits)
    if kind == "nonsaturating":
        return nonsaturating_loss(fake_logits)
    raise ValueError(f"generator_loss: kind must be one of {GENERATOR_LOSSES}, got {kind!r}")


def wasserstein_critic_loss(real_scores, fake_scores):
    """mean f(G(z)) - mean f(x): the WGAN critic maximises the difference the other way."""
    return _flat(fake_scores).mean() - _flat(real_scores).mean()


def wasserstein_generator_loss(fake_scores):
    """-mean f(G(z)): the WGAN generator raises the critic's score of its samples."""
    return -_flat(fake_scores).mean()


def interpolates(real, fake, rng):
    """x_hat = eps * x + (1 - eps) * x_fake with eps ~ U[0, 1], one per sample.

    real, fake: arrays or Tensors (m, ...) of the same shape. Returns a leaf
    Tensor with requires_grad=True when neither input carries a graph (the
    critic step, where G(z) is detached), else a Tensor that keeps the graph.
    """
    real = real if isinstance(real, Tensor) else autodiff.tensor(np.asarray(real))
    fake = fake if isinstance(fake, Tensor) else autodiff.tensor(np.asarray(fake))
    if real.shape != fake.shape:
        raise ValueError(f"interpolates: real has shape {real.shape} but fake has shape "
                         f"{fake.shape}; they must match")
    eps_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    eps = autodiff.tensor(rng.uniform(0.0, 1.0, size=eps_shape).astype(real.dtype))
    x_hat = eps * real + (1.0 - eps) * fake
    if not x_hat.requires_grad:
        x_hat = autodiff.tensor(x_hat.data, requires_grad=True)
    return x_hat


def gradient_penalty(critic, x_hat, weight=10.0, eps=1e-12):
    """lambda * mean_i (||grad_x f(x_hat_i)||_2 - 1)^2 (Gulrajani et al. 2017, eq. 3).

    critic: a callable Tensor (m, ...) -> scores (m,) or (m, 1).
    x_hat: Tensor (m, ...) with requires_grad (see ``interpolates``).
    The gradient of f at each x_hat_i is one row of grad_x sum_i f(x_hat_i)
    (f(x_hat_i) depends on x_hat_i only), computed with create_graph=True so
    that the penalty can itself be differentiated with respect to the
    critic's parameters: double backpropagation. ``eps`` inside the square
    root keeps the norm differentiable where the gradient is exactly 0.
    Returns a scalar Tensor.
    """
    if not isinstance(x_hat, Tensor) or not x_hat.requires_grad:
        raise ValueError("gradient_penalty: x_hat must be a Tensor with requires_grad=True "
                         "(use gan.losses.interpolates)")
    # BEGIN SOLUTION task=gan.gradient_penalty
    scores = critic(x_hat)
    (grad_x,) = autodiff.grad(scores.sum(), [x_hat], create_graph=True)
    grad_x = grad_x.reshape(grad_x.shape[0], -1)
    norms = autodiff.sqrt((grad_x * grad_x).sum(axis=1) + eps)
    penalty = weight * ((norms - 1.0) ** 2).mean()
    # END SOLUTION
    return penalty
