"""scratchgen.gan: generative adversarial networks (Goodfellow et al. 2014).

* ``GAN``: Algorithm 1 (k discriminator steps, one generator step), minimax
  or non-saturating generator loss, ``value_function``, checkpoints.
* Variants that reuse its loops: ``WGANGP`` (Gulrajani et al. 2017),
  ``PacGAN`` (Lin et al. 2018), ``UnrolledGAN`` (Metz et al. 2017).
* ``losses``: the value function and losses from logits, gradient penalty.
* ``features`` / ``LinearProbe``: a linear classifier on discriminator features.
* ``metrics``: mode coverage, class coverage, Parzen-window log-likelihood;
  ``feature_metrics``: Frechet distance (FID's formula) and improved
  precision/recall in a classifier's features; ``image_metrics``: all of them
  for generated images with the real-data reference (``mnist_image_metrics``);
  ``stacked_mnist``: the 1000 modes of stacked MNIST read by the MNIST classifier.
* ``recipes``: tested default settings per data set (``default_recipe``, ``build_gan``).
* ``dynamics``: update rules of a min-max game (simultaneous, alternating,
  extragradient, optimistic, negative momentum, consensus); ``games``: the
  bilinear game, a quadratic control and the Dirac GAN, and the R1 penalty.
"""
from scratchgen.gan import dynamics, games, losses, metrics, recipes, stacked_mnist
from scratchgen.gan.features import LinearProbe, features
from scratchgen.gan.feature_metrics import (PrecisionRecall, frechet_distance,
                                            gaussian_frechet_distance, precision_recall)
from scratchgen.gan.gan import GAN
from scratchgen.gan.image_metrics import ImageMetrics, mnist_image_metrics
from scratchgen.gan.losses import (discriminator_loss, generator_loss, gradient_penalty,
                                   minimax_loss, nonsaturating_loss, value_from_logits)
from scratchgen.gan.metrics import (ClassCoverage, ModeCoverage, class_coverage, mode_coverage,
                                    parzen_log_density, parzen_log_likelihood,
                                    reverse_kl_to_uniform, select_parzen_sigma)
from scratchgen.gan.pacgan import PacGAN
from scratchgen.gan.recipes import build_gan, default_recipe, train_recipe
from scratchgen.gan.semi_supervised import SemiSupervisedGAN
from scratchgen.gan.unrolled import UnrolledGAN
# Their home is scratchgen.nn (general Module tools); re-exported for the unrolled GAN's readers.
from scratchgen.nn.stateless import functional_call, using_parameters
from scratchgen.gan.wgan_gp import WGANGP

__all__ = [
    "GAN", "WGANGP", "PacGAN", "UnrolledGAN", "SemiSupervisedGAN", "functional_call", "using_parameters",
    "features", "LinearProbe", "losses", "metrics", "feature_metrics", "image_metrics", "stacked_mnist", "recipes", "dynamics", "games",
    "default_recipe", "build_gan", "train_recipe",
    "value_from_logits", "discriminator_loss", "generator_loss", "minimax_loss", "nonsaturating_loss",
    "gradient_penalty",
    "mode_coverage", "class_coverage", "parzen_log_likelihood", "parzen_log_density",
    "select_parzen_sigma", "reverse_kl_to_uniform", "ModeCoverage", "ClassCoverage",
    "frechet_distance", "gaussian_frechet_distance", "precision_recall", "PrecisionRecall",
    "ImageMetrics", "mnist_image_metrics",
]
