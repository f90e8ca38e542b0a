"""``GAN``: Goodfellow et al. 2014, "Generative adversarial nets", Algorithm 1.

    for number of training iterations do
        for k steps do
            sample m noise samples z_1..z_m from p_g(z)
            sample m examples x_1..x_m from p_data(x)
            update D by *ascending* its stochastic gradient
                grad_theta_d  1/m sum_i [log D(x_i) + log(1 - D(G(z_i)))]
        end for
        sample m noise samples z_1..z_m from p_g(z)
        update G by *descending* its stochastic gradient
                grad_theta_g  1/m sum_i log(1 - D(G(z_i)))
    end for

``discriminator_step`` is the inner body, ``generator_step`` the outer one,
``iteration`` one pass of the outer loop (k D steps, one G step; or one
step of another update rule, ``GAN(update=...)``, see ``gan.dynamics``) and
``train`` the loop over iterations. The variants subclass ``GAN`` and
override hooks, never the loops, which are written once, here: WGAN-GP
``discriminator_loss`` and ``generator_loss``; PacGAN ``discriminate``
(packing) and ``samples_per_batch``; the unrolled GAN ``generator_loss``,
``discriminator_step`` (to keep the minibatch for its unrolled steps) and
``freeze_discriminator_in_generator_step``.

Ascent is written as descent on the negative: the discriminator's optimizer
*minimises* -V. This keeps every optimizer call identical (zero_grad,
backward, step) and works with any optimizer, at the price of one minus sign
that the code names (``discriminator_loss`` returns -V).
"""
from contextlib import contextmanager

import numpy as np

from scratchgen import autodiff, kernels
from scratchgen.autodiff import Tensor
from scratchgen.gan import dynamics, losses
from scratchgen.progress import progress_bar
from scratchgen.serialization import rng_from_state, rng_state
from scratchgen.validation import as_generator, check_choice, check_int, check_positive

__all__ = ["GAN"]

#: The update rules a GAN can train with (``gan.dynamics``; consensus and
#: negative momentum are for games written as V(x, y), see ``gan.games``).
UPDATES = ("alternating", "simultaneous", "extragradient", "optimistic")
HISTORY_KEYS = ("step", "loss_d", "loss_g", "d_real", "d_fake", "value")


class GAN:
    """A generator G and a discriminator D trained by Algorithm 1.

    Parameters
    ----------
    generator     : Module, z (m, latent_dim) -> samples (m, ...)
    discriminator : Module, samples (m, ...) -> logits (m, 1) or (m,);
                    D(x) = sigmoid(logit) (the losses never form D(x) itself)
    latent_dim    : int, dimension of z
    noise         : "normal" (z ~ N(0, noise_std^2 I)) or "uniform"
                    (z ~ U[-a, a]^latent_dim with a = sqrt(3) noise_std, so that
                    the std is noise_std too)
    loss          : "minimax" (G descends mean log(1 - D(G(z))), Algorithm 1 as
                    printed) or "nonsaturating" (G ascends mean log D(G(z)), the
                    paper's section 3 advice; what every recipe uses)
    k             : discriminator steps per generator step (the paper used k = 1)
    batch_size    : m, data samples and noise samples per step
    opt_g, opt_d  : optimizers over G's and D's parameters. Default: Adam with
                    lr=2e-4, betas=(0.5, 0.999) (Radford et al. 2015), the
                    robust choice. The paper used SGD with momentum:
                    ``optim.SGD(G.parameters(), lr=0.1, momentum=0.5)``.
    rng           : Generator or int seed for noise and minibatches
    update        : how the two players move in an iteration (``gan.dynamics``):
                    "alternating" (Algorithm 1: k D steps, then G against the
                    new D), "simultaneous" (the lecture's formula: D's and G's
                    gradients at the same parameters, then both move),
                    "extragradient" or "optimistic" (these three need k = 1)

    Attributes
    ----------
    history : dict of lists, one entry per iteration (after its generator
              step): "step", "loss_d" (= -V), "loss_g", "d_real" (mean D(x)),
              "d_fake" (mean D(G(z))) and "value" (the minibatch estimate of V),
              the D quantities from the iteration's last discriminator step.
    step    : iterations done (generator updates); n_d_updates, n_g_updates.
    """

    default_adam = {"lr": 2e-4, "betas": (0.5, 0.999)}

    def __init__(self, generator, discriminator, latent_dim, noise="normal", noise_std=1.0,
                 loss="minimax", k=1, batch_size=64, opt_g=None, opt_d=None, rng=None,
                 update="alternating"):
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = check_int(latent_dim, "latent_dim")
        self.noise = check_choice(noise, "noise", ("normal", "uniform"))
        self.noise_std = check_positive(noise_std, "noise_std")
        self.loss = check_choice(loss, "loss", losses.GENERATOR_LOSSES)
        self.k = check_int(k, "k")
        self.batch_size = check_int(batch_size, "batch_size")
        self.opt_g = opt_g if opt_g is not None else self._default_optimizer(generator)
        self.opt_d = opt_d if opt_d is not None else self._default_optimizer(discriminator)
        self.rng = as_generator(rng)
        kernels.retain_freed_memory()  # a step's large temporaries: reused, not page-faulted
        params = list(generator.parameters())
        self.dtype = params[0].dtype if params else autodiff.get_default_dtype()
        self.step = 0
        self.n_d_updates = 0
        self.n_g_updates = 0
        self.history = {key: [] for key in HISTORY_KEYS}
        self.update = check_choice(update, "update", UPDATES)
        self._rule = None if update == "alternating" else dynamics.make_rule(update)
        if self._rule is not None and self.k != 1:
            raise ValueError(f"update={update!r} moves both players once per iteration; "
                             f"it needs k=1 (n_critic=1), got k={self.k}")
        overridden = [name for name in ("discriminator_step", "generator_step")
                      if getattr(type(self), name) is not getattr(GAN, name)]
        if self._rule is not None and overridden:
            raise ValueError(f"update={update!r}: {type(self).__name__} overrides {overridden[0]}, "
                             f"which only update='alternating' calls")

    def _default_optimizer(self, module):
        from scratchgen.optim import Adam
        return Adam(module.parameters(), **self.default_adam)

    # ------------------------------------------------------------------ inputs
    @property
    def samples_per_batch(self):
        """Data (and noise) samples per step: m. PacGAN draws m packs instead."""
        return self.batch_size

    def sample_noise(self, m, rng=None):
        """m draws of z from the noise prior, an array (m, latent_dim) in G's dtype."""
        rng = self.rng if rng is None else as_generator(rng)
        shape = (m, self.latent_dim)
        # Drawn directly in G's dtype (float32 draws are cheaper), by the kernel
        # that gives rng.standard_normal's numbers at twice its speed: at z = 256,
        # m = 512, NumPy's draw was a third of a ring-sized iteration.
        if self.noise == "normal":
            z = np.empty(shape, dtype=self.dtype)
            kernels.standard_normal_(rng, z)
            if self.noise_std != 1.0:  # (x * 1.0 is x: skipping the pass changes no number)
                z *= self.noise_std
        else:
            half_width = np.sqrt(3.0) * self.noise_std
            z = rng.random(shape, dtype=self.dtype)
            z *= 2.0 * half_width
            z -= half_width
        return z

    def _as_input(self, x):
        if isinstance(x, Tensor):
            return x
        return autodiff.tensor(np.asarray(x, dtype=self.dtype))

    def _minibatch(self, data, m):
        """m examples from the data: rows drawn uniformly (with replacement)
        from an array, or ``data(m, rng)`` for a sampler (fresh toy data)."""
        if callable(data):
            batch = np.asarray(data(m, self.rng), dtype=self.dtype)
            _check_finite(batch, "data(m, rng)")
            return batch
        batch = data[self.rng.integers(0, len(data), size=m)]
        _check_finite(np.asarray(batch), "data")
        return batch

    # --------------------------------------------------------------- objective
    def discriminate(self, x):
        """The discriminator's logits for the samples x (PacGAN packs them first)."""
        return self.discriminator(x)

    def value_function(self, x, z):
        """V = mean_i log D(x_i) + mean_j log(1 - D(G(z_j))), a scalar Tensor.

        x: data samples (m, ...), z: noise (m', latent_dim), arrays or Tensors.
        The graph reaches both players' parameters, so grad(V) gives D's
        ascent direction and G's descent direction (Goodfellow et al. 2014, eq. 1).

        Helpers: ``self._as_input(x)`` -> x as a Tensor in the model's dtype;
        ``self.generator(z)`` -> G(z); ``self.discriminate(x)`` -> D's logits;
        ``losses.value_from_logits(real_logits, fake_logits)`` -> V.
        """
        # BEGIN SOLUTION task=gan.value_function
        real_logits = self.discriminate(self._as_input(x))
        fake_logits = self.discriminate(self.generator(self._as_input(z)))
        return losses.value_from_logits(real_logits, fake_logits)
        # END SOLUTION

    def discriminator_loss(self, x_real, z):
        """-V on a minibatch with G(z) held fixed; returns (loss, stats).

        G(z) is computed without a graph: the discriminator step must not
        (and need not) differentiate through the generator.
        """
        with autodiff.no_grad():
            fake = self.generator(self._as_input(z))
        real_logits = self.discriminate(self._as_input(x_real))
        fake_logits = self.discriminate(fake)
        value = losses.value_from_logits(real_logits, fake_logits)
        stats = {"d_real": float(np.mean(kernels.sigmoid(real_logits.data))),
                 "d_fake": float(np.mean(kernels.sigmoid(fake_logits.data))),
                 "value": value.item()}
        return -value, stats

    def generator_loss(self, z):
        """What G minimises: mean log(1 - D(G(z))) or -mean log D(G(z))."""
        return losses.generator_loss(self.discriminate(self.generator(self._as_input(z))), self.loss)

    # ------------------------------------------------------------ Algorithm 1
    def discriminator_step(self, x_real):
        """One update of D: ascend V on these m data samples and m fresh noise samples.

        Returns a dict: loss_d (= -V), d_real, d_fake, value.

        Helpers: ``self.sample_noise(m, rng)`` -> z (m, latent_dim);
        ``self.discriminator_loss(x_real, z)`` -> (loss = -V, stats dict).
        """
        # BEGIN SOLUTION task=gan.discriminator_step
        z = self.sample_noise(len(x_real))
        loss, stats = self.discriminator_loss(x_real, z)
        self.opt_d.zero_grad()
        loss.backward()
        self.opt_d.step()  # minimising -V = ascending V
        # END SOLUTION
        self.n_d_updates += 1
        return {"loss_d": loss.item(), **stats}

    def generator_step(self):
        """One update of G on m fresh noise samples; D's parameters do not move.

        Returns the generator's loss (a float).

        Helpers: ``self.sample_noise(m, rng)`` -> z (m, latent_dim); ``self.generator_loss(z)``
        -> G's loss; ``with self._discriminator_frozen():`` keeps D's parameters out of the
        backward pass.
        """
        # BEGIN SOLUTION task=gan.generator_step
        z = self.sample_noise(self.samples_per_batch)
        with self._discriminator_frozen():  # D only passes the gradient on to G
            loss = self.generator_loss(z)
            self.opt_g.zero_grad()
            loss.backward()
        self.opt_g.step()
        # END SOLUTION
        self.n_g_updates += 1
        return loss.item()

    def iteration(self, data):
        """One iteration of Algorithm 1: k discriminator steps, then one generator step.

        data: array (n, ...) of training examples (each D step draws m rows
        uniformly, with replacement) or a sampler ``data(m, rng) -> array``.
        The iteration is appended to ``history`` and returned as a dict with
        the keys of ``history``: "step" (iterations done, this one included),
        "loss_d" (= -V), "loss_g", "d_real", "d_fake", "value" (the D
        quantities from the last of the k discriminator steps). ``train`` is
        a loop over this; the command line calls it once per step.
        """
        _check_data(data)
        m = self.samples_per_batch
        if self._rule is None:
            for _ in range(self.k):
                d_stats = self.discriminator_step(self._minibatch(data, m))
            loss_g = self.generator_step()
        else:
            d_stats, loss_g = self._game_step(data)
        self.step += 1
        record = {"step": self.step, "loss_d": d_stats["loss_d"], "loss_g": loss_g,
                  "d_real": d_stats["d_real"], "d_fake": d_stats["d_fake"], "value": d_stats["value"]}
        for key in HISTORY_KEYS:
            self.history[key].append(record[key])
        return record

    def players(self, data):
        """G and D as the two players of ``gan.dynamics`` (G minimises, D maximises V).

        Each evaluation of a player's loss draws a fresh minibatch (D: m data
        samples and m noise samples; G: m noise samples), as Algorithm 1 does
        per step. Returns (generator, discriminator, stats): stats holds the
        latest loss_d, d_real, d_fake, value and loss_g.
        """
        stats = {}

        def discriminator_loss():
            x_real = self._minibatch(data, self.samples_per_batch)
            loss, d_stats = self.discriminator_loss(x_real, self.sample_noise(len(x_real)))
            stats.update(d_stats, loss_d=loss.item())
            return loss

        def generator_loss():
            z = self.sample_noise(self.samples_per_batch)
            with self._discriminator_frozen():  # the graph skips D's weight gradients
                loss = self.generator_loss(z)
            stats["loss_g"] = loss.item()
            return loss
        return (dynamics.Player(self.generator.parameters(), generator_loss, self.opt_g),
                dynamics.Player(self.discriminator.parameters(), discriminator_loss, self.opt_d), stats)

    def _game_step(self, data):
        """One step of the update rule (not alternating); returns (D stats, G loss)."""
        generator, discriminator, stats = self.players(data)
        self._rule.step(generator, discriminator)
        self.n_d_updates += 1
        self.n_g_updates += 1
        return stats, stats["loss_g"]

    def train(self, data, n_steps, callbacks=(), eval_every=100, progress=False):
        """Run ``n_steps`` iterations of Algorithm 1 (``iteration``): k D steps, then one G step.

        data: array (n, ...) of training examples (each D step draws m rows
              uniformly) or a sampler ``data(m, rng) -> array`` (e.g. fresh
              ring samples); callbacks: functions ``cb(gan, step)`` called
              every ``eval_every`` iterations and after the last one (for
              evaluation, sample grids, checkpoints); progress: show a tqdm bar.
        Returns ``self.history``. Training can be resumed by calling again.
        """
        n_steps = int(n_steps)
        if n_steps < 0:
            raise ValueError(f"n_steps must be >= 0, got {n_steps}")
        _check_data(data)
        callbacks = [callbacks] if callable(callbacks) else list(callbacks)
        bar = progress_bar(n_steps, progress, desc="GAN")
        for i in range(n_steps):
            record = self.iteration(data)
            bar.update(1)
            if self.step % 50 == 0:
                bar.set_postfix(D_x=f"{record['d_real']:.2f}", D_Gz=f"{record['d_fake']:.2f}")
            if callbacks and (self.step % eval_every == 0 or i == n_steps - 1):
                for cb in callbacks:
                    cb(self, self.step)
        bar.close()
        return self.history

    #: The generator step needs dL/dG(z) through D, not dL/dtheta_D: with D's
    #: parameters marked requires_grad=False the backward pass skips D's
    #: weight gradients (~1/3 of its work). The unrolled GAN differentiates
    #: through D's parameters, so it turns this off.
    freeze_discriminator_in_generator_step = True

    @contextmanager
    def _discriminator_frozen(self):
        params = []
        if self.freeze_discriminator_in_generator_step:
            params = [p for p in self.discriminator.parameters() if p.requires_grad]
        for p in params:
            p.requires_grad = False
        try:
            yield
        finally:
            for p in params:
                p.requires_grad = True

    # ---------------------------------------------------------------- sampling
    def sample(self, n, rng=None):
        """n samples G(z) as an array, z from the noise prior (G in eval mode)."""
        n = check_int(n, "n")
        z = self.sample_noise(n, rng)
        was_training = getattr(self.generator, "training", False)
        if hasattr(self.generator, "eval"):
            self.generator.eval()
        try:
            with autodiff.no_grad():
                return self.generator(autodiff.tensor(z)).numpy()
        finally:
            if was_training:
                self.generator.train()

    # ------------------------------------------------------------- checkpoints
    def state_dict(self):
        """Everything needed to resume: both nets, both optimizers, rng, counters, history.

        A nested dict of arrays and numbers that ``scratchgen.save`` stores.
        """
        return {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": rng_state(self.rng),
            "step": self.step,
            "n_d_updates": self.n_d_updates,
            "n_g_updates": self.n_g_updates,
            "history": {key: np.asarray(val, dtype=np.float64) for key, val in self.history.items()},
            "update": self.update,
            "update_state": {} if self._rule is None else self._rule.state_dict(),
        }

    def load_state_dict(self, state):
        """Restore a ``state_dict()`` (in place; the optimizers keep their parameters)."""
        missing = [key for key in ("generator", "discriminator", "opt_g", "opt_d", "rng", "step")
                   if key not in state]
        if missing:
            raise ValueError(f"load_state_dict: the GAN checkpoint lacks {missing}")
        saved_update = state.get("update", "alternating")
        if saved_update != self.update:
            raise ValueError(f"load_state_dict: the checkpoint was trained with "
                             f"update={saved_update!r}, this GAN has update={self.update!r}")
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng = rng_from_state(state["rng"])
        self.step = int(state["step"])
        self.n_d_updates = int(state.get("n_d_updates", 0))
        self.n_g_updates = int(state.get("n_g_updates", 0))
        if self._rule is not None:
            self._rule.load_state_dict(state.get("update_state", {}))
        history = state.get("history", {})
        self.history = {key: [float(v) for v in np.asarray(history.get(key, []))]
                        for key in HISTORY_KEYS}
        self.history["step"] = [int(s) for s in self.history["step"]]
        return self

    def __repr__(self):
        return (f"{type(self).__name__}(latent_dim={self.latent_dim}, noise={self.noise!r}, "
                f"loss={self.loss!r}, k={self.k}, batch_size={self.batch_size}, update={self.update!r}, "
                f"step={self.step})")


def _check_data(data):
    if not callable(data) and (not hasattr(data, "__len__") or len(data) == 0):
        raise ValueError("data must be a non-empty array of examples or a sampler data(m, rng)")


def _check_finite(batch, name):
    # A NaN in the data makes every loss NaN from then on: refuse it where it enters, in each
    # minibatch (cost m x d, not the whole data set's at every iteration).
    if batch.dtype.kind in "fc" and not np.all(np.isfinite(batch)):
        row = int(np.argwhere(~np.isfinite(batch.reshape(len(batch), -1)))[0, 0])
        raise ValueError(f"{name} contains NaN or infinite values (first in row {row}); "
                         "clean the training data")

