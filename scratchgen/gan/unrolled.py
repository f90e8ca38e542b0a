"""Unrolled GAN: Metz et al. 2017, "Unrolled generative adversarial networks".

The generator optimises against the discriminator it *will* face after K
more discriminator updates, not against the current one:

    theta_D^0     = theta_D
    theta_D^{k+1} = theta_D^k - eta * grad_{theta_D^k} L_D(theta_G, theta_D^k)
    L_G^unrolled  = L_G(theta_G, theta_D^K)

and theta_D^K is a function of theta_G (through the G(z) inside L_D), so
d L_G^unrolled / d theta_G has a term through the unrolled updates. That
term is computed by backpropagating through the K gradient steps, which
needs the gradients of L_D as a graph: ``autodiff.grad(..., create_graph=True)``
(second-order autodiff). It lets G anticipate D's response and discourages
hopping from mode to mode. The real D update is the ordinary one; the
unrolled copy is thrown away after each generator step.

Simplification: the unrolled steps are plain SGD with learning rate
``unroll_lr`` on the last discriminator minibatch (Metz et al. unroll the
optimizer they train D with, Adam); the gradient still flows through every
step. Cost grows linearly in K; keep K small (1-5) on a CPU.
"""
from scratchgen import autodiff
from scratchgen.gan import losses
from scratchgen.gan.gan import GAN
from scratchgen.nn.stateless import using_parameters
from scratchgen.validation import check_int, check_positive

__all__ = ["UnrolledGAN", "unrolled_generator_loss"]


def unrolled_generator_loss(gan, z, x_real, unroll_steps, unroll_lr):
    """L_G(theta_G, theta_D^K) for ``gan`` (a GAN), through K SGD steps of D.

    z: noise (m, latent_dim), x_real: data (m, ...) for the unrolled D loss.
    Returns a scalar Tensor whose gradient w.r.t. G's parameters includes the
    path through the unrolled discriminator updates.

    Helpers: ``with using_parameters(module, tensors):`` runs a module with ``tensors`` in place
    of its parameters; ``gan.discriminate(x)`` -> D's logits;
    ``losses.discriminator_loss(real_logits, fake_logits)`` -> -V.
    """
    discriminator = gan.discriminator
    fake = gan.generator(gan._as_input(z))          # keeps G's graph
    real = gan._as_input(x_real)
    theta = list(discriminator.parameters())
    # BEGIN SOLUTION task=gan.unrolled_generator_loss
    for _ in range(unroll_steps):
        with using_parameters(discriminator, theta):
            loss_d = losses.discriminator_loss(gan.discriminate(real), gan.discriminate(fake))
        grads = autodiff.grad(loss_d, theta, create_graph=True)
        theta = [p - unroll_lr * g for p, g in zip(theta, grads)]
    with using_parameters(discriminator, theta):
        fake_logits = gan.discriminate(fake)
    # END SOLUTION
    return losses.generator_loss(fake_logits, gan.loss)


class UnrolledGAN(GAN):
    """A GAN whose generator loss looks through K unrolled discriminator steps.

    Parameters as ``GAN`` plus ``unroll_steps`` (K, Metz et al. used 5-10)
    and ``unroll_lr`` (eta of the unrolled SGD steps). The unrolled steps use
    the data minibatch of the latest discriminator step.
    """

    freeze_discriminator_in_generator_step = False  # the unrolled steps need D's gradients

    def __init__(self, generator, discriminator, latent_dim, unroll_steps=5, unroll_lr=0.05, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.unroll_steps = check_int(unroll_steps, "unroll_steps")
        self.unroll_lr = check_positive(unroll_lr, "unroll_lr")
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
