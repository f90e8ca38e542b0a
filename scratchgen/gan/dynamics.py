"""Game dynamics: the update rules of a two-player min-max game.

A GAN is the game min_x max_y V(x, y), x the generator's parameters and y
the discriminator's. More generally each player minimises its own loss:
x minimises L_x(x, y) and y minimises L_y(x, y) (zero-sum: L_x = V and
L_y = -V; the non-saturating GAN is not zero-sum). Write the two gradients
as the vector field

    v(x, y) = ( grad_x L_x(x, y),  grad_y L_y(x, y) ).

An *update rule* says where both players go next from v. Each rule here is
written once, over lists of parameter Tensors, so the same code moves the
two numbers of a toy game (``scratchgen.gan.games``) and the weight
matrices of a GAN (``GAN(update=...)``). With plain SGD at learning rate
lambda, the rules are:

* ``Simultaneous`` (the lecture's formula; both gradients at the same point)
      x_{t+1} = x_t - lambda grad_x L_x(x_t, y_t)
      y_{t+1} = y_t - lambda grad_y L_y(x_t, y_t)
* ``Alternating`` (Goodfellow et al. 2014, Algorithm 1: k steps of y, the
  discriminator, then x steps against the *new* y)
      y_{t+1} = y_t - lambda grad_y L_y(x_t, y_t)        (k times)
      x_{t+1} = x_t - lambda grad_x L_x(x_t, y_{t+1})
* ``Extragradient`` (Korpelevich 1976): a look-ahead step, then the real
  step from the old point with the look-ahead's gradient
      z_{t+1/2} = z_t - lambda v(z_t),   z_{t+1} = z_t - lambda v(z_{t+1/2})
* ``Optimistic`` GDA (Daskalakis et al. 2018, "Training GANs with optimism"):
      z_{t+1} = z_t - lambda (2 v(z_t) - v(z_{t-1}))
* ``NegativeMomentum`` (Gidel et al. 2019, "Negative momentum for improved
  game dynamics"): alternating steps with a heavy-ball term, beta < 0,
      p_{t+1} = p_t - lambda g_t + beta (p_t - p_{t-1})
* ``Consensus`` optimisation (Mescheder, Nowozin and Geiger 2017, "The
  numerics of GANs"): simultaneous steps on each player's loss plus
  gamma L(z), with L(z) = 1/2 ||v(z)||^2, i.e. along v + gamma J(z)^T v;
  grad L needs the gradient of a gradient (second-order autodiff).

Each step goes through the player's optimizer (``optim.SGD(params, lr)``
gives the formulas above exactly; Adam gives the same rule with Adam's
steps), so "lambda grad" above reads "the optimizer's step for this
gradient". On the bilinear game V = x y the rules differ qualitatively:
simultaneous spirals out, alternating cycles for ever, extragradient,
optimistic, negative momentum and consensus converge (the exact factors are
in ``tests/gan/test_dynamics.py``). Mescheder, Geiger and Nowozin 2018,
"Which training methods for GANs do actually converge?", show the same for
the Dirac GAN.
"""
import numpy as np

from scratchgen.autodiff import Tensor, grad
from scratchgen.validation import check_choice, check_int, check_positive

__all__ = ["Player", "zero_sum", "UpdateRule", "Simultaneous", "Alternating", "Extragradient",
           "Optimistic", "NegativeMomentum", "Consensus", "RULES", "make_rule", "play"]


class Player:
    """One player of a game: its parameters, the loss it minimises, its optimizer.

    params    : list of leaf Tensors with requires_grad (the player's moves)
    loss      : a function ``loss() -> scalar Tensor`` evaluated at the
                current parameters of both players (a GAN draws a fresh
                minibatch inside it)
    optimizer : anything with ``step()`` that updates ``params`` from their
                ``.grad`` (e.g. ``optim.SGD(params, lr)``)
    """

    def __init__(self, params, loss, optimizer):
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise ValueError(f"Player: params[{i}] must be a Tensor with requires_grad=True, "
                                 f"got {type(p).__name__}")
        if not callable(loss):
            raise TypeError(f"Player: loss must be a function () -> scalar Tensor, "
                            f"got {type(loss).__name__}")
        self.loss, self.optimizer = loss, optimizer

    def gradients(self, create_graph=False):
        """grad of the player's loss w.r.t. its own parameters, at the current point."""
        return grad(self.loss(), self.params, create_graph=create_graph)

    def move(self, gradients):
        """One optimizer step along ``gradients`` (one Tensor per parameter)."""
        for p, g in zip(self.params, gradients):
            p.grad = g if not g.requires_grad else Tensor(g.data)
        self.optimizer.step()

    def snapshot(self):
        """Copies of the parameter values and of the optimizer's state."""
        state = self.optimizer.state_dict() if hasattr(self.optimizer, "state_dict") else None
        return [p.data.copy() for p in self.params], state

    def restore(self, snapshot):
        values, state = snapshot
        for p, v in zip(self.params, values):
            p.data[...] = v
        if state is not None:
            self.optimizer.load_state_dict(state)


def zero_sum(V, x, y, lr):
    """The two players of min_x max_y V(x, y) with plain gradient steps.

    V: function of two lists of Tensors -> scalar Tensor; x, y: lists of leaf
    Tensors (requires_grad); lr: the step size lambda of both players.
    Returns (minimiser, maximiser): x minimises V, y minimises -V (ascends V).
    """
    from scratchgen.optim import SGD
    x, y = list(x), list(y)
    return (Player(x, lambda: V(x, y), SGD(x, lr=lr)),
            Player(y, lambda: -V(x, y), SGD(y, lr=lr)))


class UpdateRule:
    """Base class: ``step(minimiser, maximiser)`` moves both players once.

    ``state_dict``/``load_state_dict`` hold what a rule remembers between
    steps (optimistic GDA's last gradients), as arrays, for checkpoints.
    """

    name = None

    def step(self, minimiser, maximiser):
        raise NotImplementedError

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        return self

    def __repr__(self):
        options = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({options})"


class Simultaneous(UpdateRule):
    """Both gradients at (x_t, y_t), then both players move: the lecture's formula."""

    name = "simultaneous"

    def step(self, minimiser, maximiser):
        # BEGIN SOLUTION task=gan.simultaneous_step
        g_x = minimiser.gradients()
        g_y = maximiser.gradients()  # still at x_t: x has not moved yet
        minimiser.move(g_x)
        maximiser.move(g_y)
        # END SOLUTION


class Alternating(UpdateRule):
    """Algorithm 1: the maximiser (D) takes k steps, then the minimiser (G) one step
    with its gradient at the maximiser's *new* parameters."""

    name = "alternating"

    def __init__(self, k=1):
        self.k = check_int(k, "k", minimum=1)

    def step(self, minimiser, maximiser):
        """Helpers: ``player.gradients(create_graph=False)`` -> the gradient of the player's loss
        w.r.t. its own parameters at the current point; ``player.move(gradients)`` -> one
        optimizer step along them.
        """
        # BEGIN SOLUTION task=gan.alternating_step
        for _ in range(self.k):
            maximiser.move(maximiser.gradients())
        minimiser.move(minimiser.gradients())  # at y_{t+1}
        # END SOLUTION


class Extragradient(UpdateRule):
    """Korpelevich 1976: look ahead with a simultaneous step, go back, and step
    from the old point with the gradients found at the look-ahead point.

    The look-ahead also moves the optimizers' state (Adam's moments); it is
    restored with the parameters, so only the real step counts (for Adam this
    is close to Extra-Adam of Gidel et al. 2019, "A variational inequality
    perspective on GANs").
    """

    name = "extragradient"

    def step(self, minimiser, maximiser):
        """Helpers: ``Simultaneous().step(minimiser, maximiser)`` takes the look-ahead step;
        ``player.gradients()`` and ``player.move(gradients)`` as in :class:`Simultaneous`.
        """
        # BEGIN SOLUTION task=gan.extragradient_step
        saved = [minimiser.snapshot(), maximiser.snapshot()]
        Simultaneous().step(minimiser, maximiser)          # z_{t+1/2}
        g_x, g_y = minimiser.gradients(), maximiser.gradients()  # v(z_{t+1/2})
        minimiser.restore(saved[0])
        maximiser.restore(saved[1])                        # back to z_t
        minimiser.move(g_x)
        maximiser.move(g_y)
        # END SOLUTION


class Optimistic(UpdateRule):
    """Optimistic GDA: step along 2 v(z_t) - v(z_{t-1}), both at once.

    The extrapolation from the last gradient anticipates where the other
    player is going (Daskalakis et al. 2018). The first step has no previous
    gradient and is a plain simultaneous step (v(z_{-1}) = v(z_0)).
    """

    name = "optimistic"

    def __init__(self):
        self._previous = None   # [grads of x, grads of y] as arrays

    def step(self, minimiser, maximiser):
        current = [[g.data.copy() for g in player.gradients()] for player in (minimiser, maximiser)]
        previous = current if self._previous is None else self._previous
        for player, now, before in zip((minimiser, maximiser), current, previous):
            player.move([Tensor(2.0 * g - h) for g, h in zip(now, before)])
        self._previous = current

    def state_dict(self):
        return {} if self._previous is None else {"previous": [list(g) for g in self._previous]}

    def load_state_dict(self, state):
        previous = state.get("previous")
        self._previous = None if previous is None else [[np.array(g) for g in grads]
                                                        for grads in previous]
        return self


class NegativeMomentum(UpdateRule):
    """Alternating steps plus a heavy-ball term beta (p_t - p_{t-1}) with beta < 0.

    Gidel et al. 2019 show that on the bilinear game alternating GDA with
    negative momentum converges, where alternating GDA alone cycles. (The
    term is added after the optimizer's step, so it works with any optimizer;
    ``optim.SGD`` itself, like PyTorch, refuses momentum < 0.) The first step
    of each player has no previous point and no momentum term.
    """

    name = "negative_momentum"

    def __init__(self, beta=-0.5, k=1):
        if not isinstance(beta, (int, float)) or isinstance(beta, bool) or not -1.0 < beta <= 0.0:
            raise ValueError(f"NegativeMomentum: beta must be a number in (-1, 0], got {beta!r}")
        self.beta = float(beta)
        self.k = check_int(k, "k", minimum=1)
        self._previous = {}     # role -> the player's parameter values before its last step

    def _move_with_momentum(self, player, role):
        before = [p.data.copy() for p in player.params]
        player.move(player.gradients())
        previous = self._previous.get(role)
        if previous is not None:
            for p, now, prev in zip(player.params, before, previous):
                p.data += self.beta * (now - prev)
        self._previous[role] = before

    def step(self, minimiser, maximiser):
        for _ in range(self.k):
            self._move_with_momentum(maximiser, "maximiser")
        self._move_with_momentum(minimiser, "minimiser")

    def state_dict(self):
        return {role: list(values) for role, values in self._previous.items()}

    def load_state_dict(self, state):
        self._previous = {role: [np.array(v) for v in values] for role, values in state.items()}
        return self


class Consensus(UpdateRule):
    """Consensus optimisation: simultaneous steps along v + gamma grad L, L = 1/2 ||v||^2.

    grad_z L = J(z)^T v(z) pulls both players towards points where the vector
    field vanishes; on the bilinear game it adds gamma z, a contraction. v is
    computed with ``create_graph=True`` so that L can be differentiated again.
    The players' losses must depend on both players' parameters through the
    graph (a GAN's discriminator loss computes G(z) without one, so this rule
    is for games written as V(x, y), not for ``GAN``).
    """

    name = "consensus"

    def __init__(self, gamma=1.0):
        self.gamma = check_positive(gamma, "gamma", allow_zero=True)

    def step(self, minimiser, maximiser):
        g_x = minimiser.gradients(create_graph=True)
        g_y = maximiser.gradients(create_graph=True)
        field = list(g_x) + list(g_y)
        half_norm2 = sum((g * g).sum() for g in field) * 0.5
        params = minimiser.params + maximiser.params
        g_l = grad(half_norm2, params, allow_unused=True)
        total = [Tensor(v.data + self.gamma * (0.0 if h is None else h.data))
                 for v, h in zip(field, g_l)]
        minimiser.move(total[:len(g_x)])
        maximiser.move(total[len(g_x):])


RULES = {rule.name: rule for rule in (Simultaneous, Alternating, Extragradient, Optimistic,
                                      NegativeMomentum, Consensus)}


def make_rule(update, **options):
    """An update rule from its name ("simultaneous", "alternating", ...) or an UpdateRule."""
    if isinstance(update, UpdateRule):
        return update
    check_choice(update, "update", tuple(RULES))
    return RULES[update](**options)


def play(rule, minimiser, maximiser, n_steps):
    """Run ``n_steps`` steps of ``rule``; returns the trajectory.

    Returns an array (n_steps + 1, n) of the flattened parameters of the
    minimiser then the maximiser, row 0 the start (float64).
    """
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    rule = make_rule(rule)
    params = minimiser.params + maximiser.params

    def point():
        return np.concatenate([np.asarray(p.data, dtype=np.float64).ravel() for p in params])

    trajectory = [point()]
    for _ in range(n_steps):
        rule.step(minimiser, maximiser)
        trajectory.append(point())
    return np.stack(trajectory)
