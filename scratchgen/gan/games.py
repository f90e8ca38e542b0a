"""Small min-max games for watching the update rules of ``gan.dynamics`` work.

Each function returns the two players (minimiser, maximiser) of a game,
ready for ``dynamics.play(rule, minimiser, maximiser, n_steps)``, with
plain gradient steps of size ``lr``. Parameters are float64 Tensors.

* ``bilinear_game``: V(x, y) = x y, equilibrium (0, 0). The simplest game
  on which gradient descent-ascent fails: the vector field v = (y, -x) is
  a pure rotation, so simultaneous steps spiral out, alternating steps
  cycle, and only rules with a contracting term converge.
* ``quadratic_game``: V(x, y) = a/2 x^2 + b x y - c/2 y^2 with a, c > 0,
  strongly convex in x and strongly concave in y: every rule converges
  for a small enough step (the control).
* ``dirac_gan``: Mescheder, Geiger and Nowozin 2018, "Which training
  methods for GANs do actually converge?", section 2: data all at 0, a
  generator G = theta (a point mass at theta), a linear discriminator with
  logit psi x. With the library's own GAN losses (``gan.losses``):

      V(theta, psi) = log D(0) + log(1 - D(theta)) = -log 2 - softplus(psi theta)

  equilibrium theta = psi = 0. Near it v is again a rotation (scaled by
  1/2), so the Dirac GAN behaves like the bilinear game; with the R1
  penalty on the discriminator (``r1_penalty``) it converges.
"""
import numpy as np

from scratchgen.autodiff import Tensor, grad
from scratchgen.gan import losses
from scratchgen.gan.dynamics import Player, zero_sum
from scratchgen.validation import check_choice, check_positive

__all__ = ["bilinear_game", "quadratic_game", "dirac_gan", "r1_penalty", "parameter"]


def parameter(value):
    """A float64 leaf Tensor with requires_grad: one player's move(s)."""
    return Tensor(np.array(value, dtype=np.float64).reshape(-1), requires_grad=True)


def bilinear_game(x0=1.0, y0=0.0, lr=0.1):
    """min_x max_y x y from (x0, y0): returns (minimiser, maximiser)."""
    lr = check_positive(lr, "lr")
    return zero_sum(lambda x, y: (x[0] * y[0]).sum(), [parameter(x0)], [parameter(y0)], lr)


def quadratic_game(x0=1.0, y0=0.0, lr=0.1, a=1.0, b=1.0, c=1.0):
    """min_x max_y a/2 x^2 + b x y - c/2 y^2 (a, c > 0) from (x0, y0)."""
    lr, a, c = check_positive(lr, "lr"), check_positive(a, "a"), check_positive(c, "c")

    def V(x, y):
        x, y = x[0], y[0]
        return (0.5 * a * x * x + b * x * y - 0.5 * c * y * y).sum()
    return zero_sum(V, [parameter(x0)], [parameter(y0)], lr)


def r1_penalty(discriminate, x_real, gamma):
    """R1 = gamma/2 mean_i ||grad_x l(x_i)||^2 at data points (Mescheder et al. 2018, eq. 9).

    discriminate: Tensor (m, ...) -> logits (m,) or (m, 1); x_real: array or
    Tensor (m, ...) of data. The gradient is taken with create_graph=True, so
    the penalty can be differentiated w.r.t. the discriminator's parameters
    (second-order autodiff). It penalises D's slope on the data only, which
    stops D from pushing past the equilibrium where the generator is right.
    Returns a scalar Tensor.
    """
    gamma = check_positive(gamma, "gamma", allow_zero=True)
    data = x_real.data if isinstance(x_real, Tensor) else np.asarray(x_real)
    x = Tensor(np.array(data, dtype=data.dtype), requires_grad=True)
    (slope,) = grad(discriminate(x).sum(), [x], create_graph=True)
    slope = slope.reshape(slope.shape[0], -1)
    return (slope * slope).sum(axis=1).mean() * (0.5 * gamma)


def dirac_gan(theta0=1.0, psi0=1.0, lr=0.1, loss="minimax", r1=0.0):
    """The Dirac GAN from (theta0, psi0): returns (generator, discriminator) players.

    loss: the generator's loss, "minimax" (G descends V) or "nonsaturating"
    (G descends -log D(theta), not zero-sum); r1: gamma of the R1 penalty
    added to the discriminator's loss -V (0: no regularisation).
    """
    from scratchgen.optim import SGD
    lr = check_positive(lr, "lr")
    check_choice(loss, "loss", losses.GENERATOR_LOSSES)
    gamma = check_positive(r1, "r1", allow_zero=True)
    theta, psi = parameter(theta0), parameter(psi0)
    real = np.zeros((1, 1))            # p_data = delta_0

    def logits(x):                     # D's logit psi x, (m, 1) -> (m, 1)
        return x * psi

    def generator_loss():
        return losses.generator_loss(logits(theta.reshape(1, 1)), loss)

    def discriminator_loss():
        value = losses.value_from_logits(logits(Tensor(real)), logits(theta.reshape(1, 1)))
        if gamma == 0:
            return -value
        return -value + r1_penalty(logits, real, gamma)

    return (Player([theta], generator_loss, SGD([theta], lr=lr)),
            Player([psi], discriminator_loss, SGD([psi], lr=lr)))
