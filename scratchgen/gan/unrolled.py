"""Unrolled GAN: Metz et al. 2017, "Unrolled generative adversarial networks".

The generator optimises against the discriminator it *will* face after K
more discriminator updates, not against the current one:

    theta_D^0     = theta_D
    theta_D^{k+1} = theta_D^k - eta * grad_{theta_D^k} L_D(theta_G, theta_D^k)
    L_G^unrolled  = L_G(theta_G, theta_D^K)

and theta_D^K is a function of theta_G (through the G(z) inside L_D), so
d L_G^unrolled / d theta_G has a term through the unrolled updates. That
term is computed by backpropagating through the K gradient steps, which
needs the gradients of L_D as a graph: ``sg.grad(..., create_graph=True)``
(second-order autodiff). It lets G anticipate D's response and discourages
hopping from mode to mode. The real D update is the ordinary one; the
unrolled copy is thrown away after each generator step.

Simplification: the unrolled steps are plain SGD with learning rate
``unroll_lr`` on the last discriminator minibatch (Metz et al. unroll the
optimizer they train D with, Adam); the gradient still flows through every
step. Cost grows linearly in K; keep K small (1-5) on a CPU.
"""
from contextlib import contextmanager

import scratchgen as sg
from scratchgen.gan import losses
from scratchgen.gan.gan import GAN, _positive_int

__all__ = ["UnrolledGAN", "functional_call", "using_parameters", "unrolled_generator_loss"]


def _parameter_slots(module):
    """(owner module, attribute name) of each parameter, in ``parameters()`` order."""
    slots, seen = [], set()
    for owner in module.modules():
        for name, param in owner._parameters.items():
            if param is not None and id(param) not in seen:
                seen.add(id(param))
                slots.append((owner, name))
    return slots


@contextmanager
def using_parameters(module, tensors):
    """Within the block, ``module``'s parameters are replaced by ``tensors``
    (same order as ``module.parameters()``); restored afterwards, even on error."""
    slots = _parameter_slots(module)
    if len(slots) != len(tensors):
        raise ValueError(f"functional_call: the module has {len(slots)} parameters, "
                         f"got {len(tensors)} tensors")
    originals = [owner.__dict__[name] for owner, name in slots]
    try:
        for (owner, name), t in zip(slots, tensors):
            # Bypass Module.__setattr__: a temporary stand-in, not a new Parameter.
            object.__setattr__(owner, name, t)
        yield
    finally:
        for (owner, name), p in zip(slots, originals):
            object.__setattr__(owner, name, p)


def functional_call(module, tensors, *args):
    """``module(*args)`` with its parameters replaced by ``tensors`` (same order
    as ``module.parameters()``), like ``torch.func.functional_call``.

    The tensors may carry a graph (e.g. unrolled updates), so the output can
    be differentiated with respect to whatever produced them.
    """
    with using_parameters(module, list(tensors)):
        return module(*args)


def unrolled_generator_loss(gan, z, x_real, unroll_steps, unroll_lr):
    """L_G(theta_G, theta_D^K) for ``gan`` (a GAN), through K SGD steps of D.

    z: noise (m, latent_dim), x_real: data (m, ...) for the unrolled D loss.
    Returns a scalar Tensor whose gradient w.r.t. G's parameters includes the
    path through the unrolled discriminator updates.
    """
    discriminator = gan.discriminator
    fake = gan.generator(gan._as_input(z))          # keeps G's graph
    real = gan._as_input(x_real)
    theta = list(discriminator.parameters())
    # BEGIN SOLUTION task=gan.unrolled_generator_loss
    for _ in range(unroll_steps):
        with using_parameters(discriminator, theta):
            loss_d = losses.discriminator_loss(gan.discriminate(real), gan.discriminate(fake))
        grads = sg.grad(loss_d, theta, create_graph=True)
        theta = [p - unroll_lr * g for p, g in zip(theta, grads)]
    with using_parameters(discriminator, theta):
        fake_logits = gan.discriminate(fake)
    # END SOLUTION
    if gan.loss == "minimax":
        return losses.minimax_loss(fake_logits)
    return losses.nonsaturating_loss(fake_logits)


class UnrolledGAN(GAN):
    """A GAN whose generator loss looks through K unrolled discriminator steps.

    Parameters as ``GAN`` plus ``unroll_steps`` (K, Metz et al. used 5-10)
    and ``unroll_lr`` (eta of the unrolled SGD steps). The unrolled steps use
    the data minibatch of the latest discriminator step.
    """

    freeze_discriminator_in_generator_step = False  # the unrolled steps need D's gradients

    def __init__(self, generator, discriminator, latent_dim, unroll_steps=5, unroll_lr=0.05, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.unroll_steps = _positive_int(unroll_steps, "unroll_steps")
        if not unroll_lr > 0:
            raise ValueError(f"unroll_lr must be > 0, got {unroll_lr!r}")
        self.unroll_lr = float(unroll_lr)
        self._last_real = None

    def discriminator_step(self, x_real):
        self._last_real = x_real
        return super().discriminator_step(x_real)

    def generator_loss(self, z):
        if self._last_real is None:
            raise RuntimeError("UnrolledGAN.generator_step needs a data minibatch: "
                               "call discriminator_step (or train) first")
        x_real = self._last_real[: len(z)]
        return unrolled_generator_loss(self, z, x_real, self.unroll_steps, self.unroll_lr)
