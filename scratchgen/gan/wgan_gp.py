"""WGAN-GP: Gulrajani et al. 2017, "Improved training of Wasserstein GANs", Algorithm 1.

The discriminator becomes a *critic* f with unbounded scores. It estimates
the Wasserstein-1 distance  W = max_{f 1-Lipschitz} E[f(x)] - E[f(G(z))];
the Lipschitz constraint is enforced softly by penalising the critic's
gradient norm at random points between real and generated samples:

    critic loss    = mean f(G(z)) - mean f(x) + lambda mean (||grad f(x_hat)|| - 1)^2
    generator loss = -mean f(G(z))

n_critic critic steps per generator step and lambda = 10 as in the paper.
Adam defaults lr = 1e-4, betas = (0.5, 0.9): those of the authors' released
toy and MNIST code (gan_toy.py, gan_mnist.py); Algorithm 1 in the paper
prints beta1 = 0, beta2 = 0.9.

Only the two losses change: the loops are ``GAN.train``'s.
"""
import numpy as np

from scratchgen import autodiff
from scratchgen.gan import losses
from scratchgen.gan.gan import GAN

__all__ = ["WGANGP"]


class WGANGP(GAN):
    """A GAN whose discriminator is a WGAN-GP critic.

    Parameters as ``GAN`` except: ``critic`` (a Module x -> scores (m, 1),
    no sigmoid), ``n_critic`` (critic steps per generator step, the ``k`` of
    Algorithm 1), ``gp_weight`` (lambda). ``loss`` is not used.

    history: "d_real" / "d_fake" hold the mean critic scores mean f(x) and
    mean f(G(z)); "value" holds mean f(x) - mean f(G(z)), the critic's
    estimate of the Wasserstein distance; "loss_d" includes the penalty.
    """

    default_adam = {"lr": 1e-4, "betas": (0.5, 0.9)}

    def __init__(self, generator, critic, latent_dim, n_critic=5, gp_weight=10.0, **kwargs):
        if "k" in kwargs:
            raise TypeError("WGANGP: use n_critic, not k, for the critic steps per generator step")
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight!r}")
        super().__init__(generator, critic, latent_dim, k=n_critic, **kwargs)
        self.gp_weight = float(gp_weight)

    @property
    def n_critic(self):
        return self.k

    def discriminator_loss(self, x_real, z):
        with autodiff.no_grad():
            fake = self.generator(self._as_input(z))
        real = self._as_input(x_real)
        real_scores = self.discriminate(real)
        fake_scores = self.discriminate(fake)
        x_hat = losses.interpolates(real, fake, self.rng)
        penalty = losses.gradient_penalty(self.discriminate, x_hat, weight=self.gp_weight)
        loss = losses.wasserstein_critic_loss(real_scores, fake_scores) + penalty
        mean_real = float(np.mean(real_scores.data))
        mean_fake = float(np.mean(fake_scores.data))
        stats = {"d_real": mean_real, "d_fake": mean_fake, "value": mean_real - mean_fake}
        return loss, stats

    def generator_loss(self, z):
        return losses.wasserstein_generator_loss(self.discriminate(self.generator(self._as_input(z))))
