"""PacGAN: Lin et al. 2018, "PacGAN: the power of two samples in generative
adversarial networks".

The discriminator judges *packs* of ``pack`` samples, all real or all
generated, concatenated into one input of pack * d numbers. A generator that
collapses to a few modes makes packs with too little diversity, which a
packed discriminator sees at once; this penalises mode collapse without
changing the loss. The discriminator's first layer takes pack * d inputs.

As in the PacGAN code, the minibatch has m packs, so each step draws
m * pack data samples and m * pack noise samples; consecutive rows of a
minibatch form a pack (the rows are i.i.d., so this is a random grouping).
"""
from scratchgen.gan.gan import GAN
from scratchgen.validation import check_int

__all__ = ["PacGAN"]


class PacGAN(GAN):
    """A GAN whose discriminator sees packs of ``pack`` samples.

    Parameters as ``GAN`` plus ``pack`` (2 for PacGAN2, 4 for PacGAN4);
    ``batch_size`` counts packs. The discriminator must accept inputs of
    shape (m, pack * d) for samples of shape (d,) (flattened otherwise).
    """

    def __init__(self, generator, discriminator, latent_dim, pack=2, **kwargs):
        self.pack = check_int(pack, "pack")
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    @property
    def samples_per_batch(self):
        return self.batch_size * self.pack

    def discriminate(self, x):
        """Logits of packs: (m * pack, ...) samples -> (m, pack * d) -> D."""
        n = x.shape[0]
        if n % self.pack:
            raise ValueError(f"PacGAN: {n} samples cannot be split into packs of {self.pack}; "
                             f"pass a multiple of pack={self.pack} samples")
        size = 1
        for s in x.shape[1:]:
            size *= s
        return self.discriminator(x.reshape(n // self.pack, self.pack * size))
