"""Default GAN recipes: settings that were tried and work on a laptop CPU.

``default_recipe(dataset)`` returns a plain dict (network sizes, variant,
optimizer, learning rate and its decay, batch size, number of iterations)
for "ring", "grid", "digits", "stacked_digits", "mnist" (WGAN-GP) or
"mnist_standard" (the standard GAN that collapses), "stacked_mnist"
(WGAN-GP) or "stacked_mnist_standard"; ``build_gan(recipe, rng)``
turns it into a GAN (or a variant) with fresh networks; ``recipe_data``
gives the training (or test) data, ``lr_at`` the learning rates in force at
a step, ``score_samples`` the recipe's metrics of a set of samples, and
``train_recipe`` runs the whole recipe. The command line
(``scratchgen train gan --dataset ring``) is a loop over the same calls, so
it reaches the same numbers for the same seed.

Learning rates: ``lr`` for both players, or ``lr_g`` / ``lr_d`` for each
(either overrides ``lr``); both are multiplied by ``lr_decay`` at each step
of ``lr_decay_steps``.

Each recipe records what it reached here ("measured"): those are the
numbers ``benchmarks/mode_collapse.py`` and ``benchmarks/digits_gan.py``
print, measured on 2 shared CPU cores (1 BLAS thread), not guarantees.

Why these choices:

* non-saturating generator loss everywhere (Goodfellow et al. 2014, sec. 3);
* Adam with beta1 = 0.5 (Radford et al. 2015): beta1 = 0.9 makes the
  two-player dynamics oscillate more;
* the toy sets are sampled afresh at every step (infinite data, as in the
  PacGAN and VEEGAN code), so the discriminator cannot memorise;
* the learning rate drops by 10x for the last part of training: the
  modes of the ring (std 0.01) and grid (std 0.05) are so narrow that at
  lr 1e-3 many samples stay outside 3 std (on the ring the high-quality
  share went from 37% to 82% within 1,000 iterations of the drop);
* noise z ~ N(0, 3^2 I) for the mixtures: the generator must cut the noise
  space into one region per mode with sharp boundaries (the samples that
  fall on a boundary land between modes); a wider noise makes the same
  first-layer weights cut more sharply. In one seed on the ring it doubled
  the high-quality share at 3,000 iterations compared with N(0, I) (42% vs 20%);
* PacGAN for the mixtures (Lin et al. 2018; packs of 2 on the ring, 4 on
  the grid as in their Table 1): at the same budget the standard GAN drops
  modes (see the mode-collapse benchmark); on the grid, packs of 4 gave a
  much more even spread over the modes (reverse KL 0.01 vs 0.21 for packs
  of 2), 128 hidden units got there in half the iterations of 64, and
  batches of 512 packs lifted the high-quality share past 90%;
* MNIST: the standard GAN ("mnist_standard", the reference setting of the
  MNIST issue) collapses onto one digit; WGAN-GP ("mnist") with a critic
  half as wide (784-256-128-1: 1.6x faster per iteration here, as good)
  spreads over all ten; lr 2e-4 dropped 5x at iteration 500;
* WGAN-GP for the digits: with 1,347 training images the standard MLP GAN
  (and PacGAN2, and D with dropout) collapsed onto one or two digit shapes
  within 2,000 iterations here; the WGAN-GP critic gave all ten classes
  after 500 iterations.
"""
import copy
import numbers
import time

import numpy as np

from scratchgen.gan.gan import GAN
from scratchgen.gan.pacgan import PacGAN
from scratchgen.gan.unrolled import UnrolledGAN
from scratchgen.gan.wgan_gp import WGANGP
from scratchgen.validation import as_generator

__all__ = ["RECIPES", "default_recipe", "build_gan", "recipe_data", "lr_at", "set_learning_rates",
           "mixture_modes", "recipe_labels", "digit_labels", "score_samples", "train_recipe"]

_MIXTURE = dict(
    variant="pacgan", pack=2, latent_dim=8, noise="normal", noise_std=3.0,
    generator_hidden=[128, 128], discriminator_hidden=[128, 128],
    activation="relu", discriminator_activation="relu", output_activation=None,
    loss="nonsaturating", optimizer="adam", lr=1e-3, betas=(0.5, 0.999),
    batch_size=512, k=1, n_steps=12000, lr_decay_steps=[6000], lr_decay=0.1,
)

# MLP GANs on images (8x8 digits, stacks of them, MNIST): pixels in [0, 1] from a sigmoid.
_IMAGES = dict(
    pack=1, noise="normal", activation="relu", discriminator_activation="leaky_relu",
    output_activation="sigmoid", loss="nonsaturating", optimizer="adam",
    batch_size=64, k=1, lr_decay_steps=[], lr_decay=0.1,
)
# WGAN-GP as Gulrajani et al. (2017) train it: Adam betas (0.5, 0.9), 5 critic steps, lambda 10.
_WGAN_GP = dict(_IMAGES, variant="wgan_gp", betas=(0.5, 0.9), n_critic=5, gp_weight=10.0)
# The MNIST-sized networks (z 100), shared by MNIST and stacked MNIST: WGAN-GP's, and the
# standard GAN's (Algorithm 1, non-saturating, Adam 2e-4, DCGAN's betas (0.5, 0.999)).
_WGAN_GP_MNIST = dict(_WGAN_GP, latent_dim=100, generator_hidden=[256, 512],
                      discriminator_hidden=[256, 128], lr=2e-4)
_STANDARD_MNIST = dict(_IMAGES, variant="gan", latent_dim=100, generator_hidden=[256, 512],
                       discriminator_hidden=[512, 256], lr=2e-4, betas=(0.5, 0.999))

RECIPES = {
    "ring": dict(_MIXTURE, dataset="ring", data_dim=2,
                 measured="benchmarks/mode_collapse.py --recipes ring --seeds 3 "
                          "(train_recipe(recipe, rng=seed), 2,500 samples): seeds 0, 1, 2: 8/8 "
                          "modes each, 91.9, 91.7, 93.6% high quality (92.4 +- 1.1), reverse KL "
                          "0.015, 0.001, 0.000; 72, 77, 74 s CPU (6.0-6.4 ms per iteration, 1 "
                          "thread, 2 cores at load 5-7); at 8,000 iterations 89.5, 89.2, 91.5%. "
                          "With 64 hidden units and batches of 256: 8/8 modes at 84-90% high "
                          "quality (two seeds)"),
    "grid": dict(_MIXTURE, dataset="grid", data_dim=2, pack=4,
                 generator_hidden=[128, 128], discriminator_hidden=[128, 128],
                 batch_size=512, n_steps=24000, lr_decay_steps=[10000],
                 measured="benchmarks/mode_collapse.py --recipes grid --seeds 3 "
                          "(train_recipe(recipe, rng=seed), 2,500 samples): seeds 0, 1, 2: 25, "
                          "24, 25 modes, 91.8, 92.8, 92.8% high quality (92.5 +- 0.5), reverse "
                          "KL 0.007, 0.059, 0.006; 222, 195, 207 s CPU (8.1-9.2 ms per "
                          "iteration, 1 thread, 2 cores at load 6-8); at 20,000 iterations "
                          "90.4, 92.9, 91.2%. With batches of 256: 89.0% at 22,000 and 89.6% "
                          "at 30,000 iterations (seed 0)"),
    "digits": dict(
        _WGAN_GP, dataset="digits", data_dim=64, latent_dim=32,
        generator_hidden=[128, 256], discriminator_hidden=[256, 128], lr=1e-4, n_steps=3000,
        measured="benchmarks/digits_gan.py, seed 0: 10/10 classes, reverse KL 0.018 over "
                 "5,000 samples (pretrained classifier; real test images 0.0002); Parzen "
                 "log-likelihood 11.1 nats (real training images as the generator: 27.6); "
                 "226 s on 2 shared cores"),
    "stacked_digits": dict(
        _WGAN_GP, dataset="stacked_digits", data_dim=192, latent_dim=32,
        generator_hidden=[256, 256], discriminator_hidden=[256, 128], lr=1e-4, n_steps=3000,
        measured="benchmarks/digits_gan.py --only-stacked, seed 0, 3000 iterations, stacks "
                 "of the 1347 training digits (recipe_data): 981/1000 modes, reverse KL 0.22 "
                 "over 10,000 samples (real data: 1000, 0.05); the standard GAN with the same "
                 "networks: 27/1000 modes, reverse KL 5.13. (Stacks of all 1797 digits, before "
                 "recipe_data used the split: 993, 0.19 and 16, 5.33; 129 s on 2 shared cores.)"),
    # MNIST (28x28, the 8,000-image training split of datasets.load_mnist): WGAN-GP, the
    # lecture's "well-trained variant"; "mnist_standard" is its standard GAN (Algorithm 1,
    # non-saturating, Adam 2e-4) that collapses. See benchmarks/mnist_gan.py.
    "mnist": dict(
        _WGAN_GP_MNIST, dataset="mnist", data_dim=784, n_steps=800, lr_decay_steps=[500], lr_decay=0.2,
        measured="benchmarks/mnist_gan.py, seeds 0, 1, 2, 800 iterations: 10/10 classes in every "
                 "seed, reverse KL 0.083 +- 0.022 over 2,000 samples (real held-out images: "
                 "0.002), Frechet distance 55.7 +- 4.0 in the classifier's features (real: "
                 "1.7), precision 0.42, recall 0.23 (real: 0.89, 0.89), Parzen 81 nats (real "
                 "training images: 167); 579 +- 47 s each, 2 runs at a time on 2 heavily "
                 "shared cores (load ~15), peak RSS 354 MB. Exploration (seed 0): constant lr "
                 "2e-4 drifted from reverse KL 0.065 at 500 to 0.11 at 700 (hence the drop); "
                 "lr 5e-4 stuck at 0.14; lr 1e-4 reached 0.085 only after 900 iterations"),
    # Stacked MNIST (three training-split digits as channels, 2352 dims, 1000 modes; fresh
    # stacks every minibatch): WGAN-GP and its standard GAN. See benchmarks/mnist_stacked.py.
    "stacked_mnist": dict(
        _WGAN_GP_MNIST, dataset="stacked_mnist", data_dim=2352, n_steps=6000,
        lr_decay_steps=[5000], lr_decay=0.2,
        measured="benchmarks/mnist_stacked.py, seeds 0, 1, 2, 6000 iterations, 10,000 samples: "
                 "961, 985, 948 modes (965 +- 15; seed 2 just below the 950 goal), reverse KL "
                 "0.37, 0.20, 0.37 (real held-out stacks: 1000, 0.058); 0.084 s per iteration "
                 "on a quiet core (501 s), 565-568 s CPU each on 2 shared cores. With 2,500 "
                 "iterations (drop at 2,000): 956, 920, 871"),
    "stacked_mnist_standard": dict(
        _STANDARD_MNIST, dataset="stacked_mnist", data_dim=2352, n_steps=6000,
        measured="benchmarks/mnist_stacked.py, seeds 0, 1, 2, 6000 iterations: 5, 3, 4 modes "
                 "(reverse KL 5.57, 6.90, 6.19; log 1000 = 6.91): collapsed from the first "
                 "evaluation (500 iterations) on; 0.030 s per iteration on a quiet core (178 s)"),
    "mnist_standard": dict(
        _STANDARD_MNIST, dataset="mnist", data_dim=784, n_steps=3000,
        measured="benchmarks/mnist_gan.py, seeds 0, 1, 2, 3000 iterations: 2, 1, 1 classes "
                 "(reverse KL 2.21 +- 0.14; log 10 = 2.30), Frechet distance 550 +- 20, "
                 "recall 0.000 in every seed; 638 +- 43 s each on 2 heavily shared cores; "
                 "collapsed onto one digit from the first evaluation (375 iterations) on"),
    # Salimans et al. 2016, sec. 5: 100 labels (10 per class), the other 7,900 training images
    # unlabelled; the authors' D 784-1000-500-250-250-250-10 with Gaussian noise and weight
    # norm (data-dependent init, hidden lengths g fixed), feature matching on its last hidden
    # layer (after the noise). Built by gan.semi_supervised; see
    # benchmarks/mnist_semi_supervised.py.
    "mnist_semi_supervised": dict(
        dataset="mnist", data_dim=784, variant="semi_supervised", n_classes=10, labels=100,
        label_seed=0, latent_dim=100, noise="uniform", generator_hidden=[500, 500],
        generator_batch_norm=True,  # the authors' G normalises its hidden layers too
        discriminator_hidden=[1000, 500, 250, 250, 250], weight_norm=True,
        input_noise=0.3, hidden_noise=0.5, feature_layer=-2,
        activation="relu", output_activation="sigmoid", optimizer="adam", lr=3e-3,
        betas=(0.5, 0.999), batch_size=100, k=1, n_steps=9000, lr_decay_steps=[], lr_decay=0.1,
        lr_linear_decay=[4500, 9000],  # Adam's lr held, then linearly to 0 (the authors' schedule)
        measured="benchmarks/mnist_semi_supervised.py run --every 1000 --average 0.999, label "
                 "seeds 0, 1, 2 (1 thread each), held-out accuracy after 9,000 iterations: "
                 "96.5 +- 0.4% (96.30, 96.20, 97.05), D's parameters averaged 96.5 +- 0.4%; "
                 "95.5 +- 0.5% at 5,000. 0.0669 s per iteration with 2 threads on a quiet "
                 "machine (10.0 min for 9,000), 0.092 CPU s with 1 thread on shared cores. "
                 "Raw-pixel linear probe 70.9 +- 2.2%. The earlier D (500-250-250, no weight "
                 "norm, 8,000 iterations): 94.5 +- 0.2%"),
}

_VARIANTS = {"gan": GAN, "pacgan": PacGAN, "unrolled": UnrolledGAN, "wgan_gp": WGANGP,
             "semi_supervised": None}  # built by gan.semi_supervised.build_semi_supervised_gan


def default_recipe(dataset):
    """A copy of the default recipe for ``dataset`` (a key of ``RECIPES``)."""
    if dataset not in RECIPES:
        raise ValueError(f"default_recipe: dataset must be one of {sorted(RECIPES)}, got {dataset!r}")
    return copy.deepcopy(RECIPES[dataset])


def build_gan(recipe, rng=None):
    """A GAN (or PacGAN, UnrolledGAN, WGANGP) with fresh networks from ``recipe``.

    Generator: MLP [latent_dim, *generator_hidden, data_dim]; discriminator:
    MLP [data_dim * pack, *discriminator_hidden, 1] returning logits (a
    critic's scores for WGAN-GP). Optimizers: Adam(lr, betas) or, with
    optimizer="sgd", SGD(lr, momentum) per player, at the learning rates
    ``lr_at(recipe, 0)`` (``lr_g`` / ``lr_d`` when given, else ``lr``).
    Extra keys used by variants: "pack", "unroll_steps", "unroll_lr",
    "n_critic", "gp_weight"; "update" (default "alternating") is ``GAN(update=...)``. ``rng`` seeds the weights, then the noise and
    minibatches.
    """
    from scratchgen import nn, optim
    variant = recipe.get("variant", "gan")
    if variant not in _VARIANTS:
        raise ValueError(f"build_gan: recipe['variant'] must be one of {sorted(_VARIANTS)}, got {variant!r}")
    rng = as_generator(rng)
    if variant == "semi_supervised":  # needs the labels: gan.semi_supervised builds it
        from scratchgen.datasets import load_mnist
        from scratchgen.gan.semi_supervised import build_semi_supervised_gan
        return build_semi_supervised_gan(recipe, *load_mnist("train", return_X_y=True), rng=rng)[0]
    pack = recipe.get("pack", 1) if variant == "pacgan" else 1
    G = nn.MLP([recipe["latent_dim"], *recipe["generator_hidden"], recipe["data_dim"]],
               activation=recipe["activation"], output_activation=recipe.get("output_activation"),
               rng=rng)
    D = nn.MLP([recipe["data_dim"] * pack, *recipe["discriminator_hidden"], 1],
               activation=recipe.get("discriminator_activation", recipe["activation"]),
               negative_slope=0.2, rng=rng)
    if recipe.get("optimizer", "adam") == "adam":
        def make_opt(module, lr):
            return optim.Adam(module.parameters(), lr=lr, betas=tuple(recipe["betas"]))
    else:
        def make_opt(module, lr):
            return optim.SGD(module.parameters(), lr=lr, momentum=recipe.get("momentum", 0.5))
    lr_g, lr_d = lr_at(recipe, 0)
    kwargs = dict(noise=recipe.get("noise", "normal"), noise_std=recipe.get("noise_std", 1.0),
                  batch_size=recipe["batch_size"],
                  opt_g=make_opt(G, lr_g), opt_d=make_opt(D, lr_d), rng=rng,
                  update=recipe.get("update", "alternating"))
    if variant == "wgan_gp":
        return WGANGP(G, D, recipe["latent_dim"], n_critic=recipe.get("n_critic", 5),
                      gp_weight=recipe.get("gp_weight", 10.0), **kwargs)
    kwargs.update(loss=recipe.get("loss", "nonsaturating"), k=recipe.get("k", 1))
    if variant == "pacgan":
        return PacGAN(G, D, recipe["latent_dim"], pack=pack, **kwargs)
    if variant == "unrolled":
        return UnrolledGAN(G, D, recipe["latent_dim"], unroll_steps=recipe.get("unroll_steps", 5),
                           unroll_lr=recipe.get("unroll_lr", 0.05), **kwargs)
    return GAN(G, D, recipe["latent_dim"], **kwargs)


def lr_at(recipe, step):
    """``(lr_g, lr_d)``: the learning rates for the iteration after ``step`` iterations.

    lr_player(step) = lr_player * lr_decay^#{s in lr_decay_steps : 0 < s <= step},
    with lr_player = recipe["lr_g"] (or ["lr_d"]) when present, else recipe["lr"].
    The drops are at absolute steps, so continuing a run past n_steps
    changes nothing before. Each drop is one multiplication, in order, as an
    optimizer scheduler would do it (the same floats as multiplying in place).
    With recipe["lr_linear_decay"] = [hold, total] the rates are then scaled by
    ``optim.lr_scheduler.linear_decay_factor(step, hold, total)``: held for
    ``hold`` iterations, then linearly down to 0 at ``total`` (``LinearDecayLR``).
    """
    from scratchgen.optim.lr_scheduler import linear_decay_factor
    step = int(step)
    decay = recipe.get("lr_decay", 0.1)
    linear = recipe.get("lr_linear_decay")
    rates = []
    for key in ("lr_g", "lr_d"):
        lr = recipe.get(key, recipe["lr"])
        for drop in sorted(recipe.get("lr_decay_steps", [])):
            if 0 < drop <= step:
                lr *= decay
        if linear:
            lr *= linear_decay_factor(step, *linear)
        rates.append(lr)
    return tuple(rates)


def set_learning_rates(gan, recipe):
    """Set both optimizers' learning rates to ``lr_at(recipe, gan.step)``."""
    for opt, lr in zip((gan.opt_g, gan.opt_d), lr_at(recipe, gan.step)):
        for group in opt.param_groups:
            group["lr"] = lr


def recipe_data(recipe, rng=None, split="train"):
    """The data of a recipe: a sampler ``(m, rng) -> array`` for the toy sets
    ("ring": ``datasets.ring`` with the "pacgan" preset; "grid"), a float32
    array for the digits.

    MNIST: ``datasets.load_mnist(split)`` (8,000 training / 2,000 test images);
    for the semi-supervised recipe the training images minus its labelled ones.
    Digits: the fixed split of ``nn.pretrained.digits_split`` (1347 training,
    450 test images; the shipped classifier was trained on the same training
    part); ``split`` is "train" or "test". Stacked digits: ``n_stacked``
    (default 20,000; "test": ``n_stacked_test``, default 500) draws of three
    images of that part side by side, drawn with ``rng``. The toy sets are
    samplers either way (infinite data).
    """
    from scratchgen import datasets
    from scratchgen.nn.pretrained import digits_split
    if split not in ("train", "test"):
        raise ValueError(f"recipe_data: split must be 'train' or 'test', got {split!r}")
    name = recipe["dataset"]
    if name == "ring":
        return lambda m, r: datasets.ring(m, preset="pacgan", rng=r).astype(np.float32)
    if name == "grid":
        return lambda m, r: datasets.grid(m, rng=r).astype(np.float32)
    if name == "mnist":
        X, y = datasets.load_mnist(split, return_X_y=True)
        if recipe.get("variant") == "semi_supervised" and split == "train":  # the unlabelled rest
            from scratchgen.gan.semi_supervised import balanced_labelled_subset
            labelled = balanced_labelled_subset(y, recipe["labels"], recipe.get("label_seed", 0))
            return X[np.setdiff1d(np.arange(len(X)), labelled)]
        return X
    if name == "stacked_mnist":
        return datasets.stacked_mnist_sampler(*datasets.load_mnist(split, return_X_y=True))
    if name in ("digits", "stacked_digits"):
        X_train, X_test, y_train, y_test = digits_split()
        X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
        if name == "digits":
            return X
        n = recipe.get("n_stacked", 20000) if split == "train" else recipe.get("n_stacked_test", 500)
        images = datasets.stacked_digits(n, rng=as_generator(rng), X=X, y=y, return_labels=False)
        return images.astype(np.float32)
    raise ValueError(f"recipe_data: unknown dataset {name!r}")


def recipe_labels(recipe, split="train"):
    """The labels of ``recipe_data(recipe, split=split)`` for MNIST (n,) int."""
    from scratchgen import datasets
    if recipe["dataset"] != "mnist":
        raise ValueError(f"recipe_labels: only the mnist recipes have labels here, got {recipe['dataset']!r}")
    return datasets.load_mnist(split, return_X_y=True)[1]


def mixture_modes(recipe):
    """``(centers (K, 2), std)`` of a toy recipe's data: the "pacgan" ring preset or the grid."""
    from scratchgen.datasets import toy2d
    if recipe["dataset"] == "ring":
        return toy2d.ring_centers(preset="pacgan"), toy2d.RING_PRESETS["pacgan"]["std"]
    if recipe["dataset"] == "grid":
        return toy2d.grid_centers(), toy2d.GRID_STD
    raise ValueError(f"mixture_modes: {recipe['dataset']!r} is not a Gaussian mixture (ring, grid)")


def digit_labels(images, classifier=None):
    """The digits the pretrained classifier reads in (n, 64 * d) images of d
    digits side by side (``datasets.stacked_digits``): 10^(d-1) a + ... for
    the digits a, b, ... read left to right; (n,) int64.

    classifier: a Module (n, 64) -> 10 logits; default
    ``nn.pretrained.load_digits_classifier()`` (about 97% test accuracy).
    """
    from scratchgen.autodiff import no_grad, tensor
    from scratchgen.datasets.digits import stack_label
    from scratchgen.nn.pretrained import load_digits_classifier
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 2 or images.shape[1] % 64:
        raise ValueError(f"digit_labels: images must be (n, 64 * n_digits), got shape {images.shape}")
    classifier = load_digits_classifier() if classifier is None else classifier
    n, n_digits = len(images), images.shape[1] // 64
    tiles = images.reshape(n, 8, n_digits, 8).transpose(0, 2, 1, 3).reshape(n * n_digits, 64)
    with no_grad():
        digits = classifier(tensor(tiles)).numpy().argmax(axis=1).reshape(n, n_digits)
    return stack_label(digits)


def score_samples(recipe, samples, test=None, classifier=None):
    """The recipe's metrics of generated ``samples`` (a dict of floats).

    ring, grid: ``mode_coverage`` against the data set's own modes and std:
    modes_captured, n_modes, high_quality_fraction, reverse_kl. mnist: all of
    ``gan.image_metrics.mnist_image_metrics`` (classes, reverse KL, Frechet
    distance, precision, recall; Parzen only when ``test`` is given). digits,
    stacked digits: the classes ``digit_labels`` reads (``class_coverage``):
    classes_covered, n_classes, reverse_kl; and, when ``test`` images are
    given, the Parzen-window log-likelihood of its last two thirds with the
    bandwidth chosen on its first third (parzen_log_likelihood, parzen_sigma;
    Goodfellow et al. 2014, Table 1), as ``benchmarks/digits_gan.py`` does.
    """
    from scratchgen.gan import metrics
    name = recipe["dataset"]
    if name in ("ring", "grid"):
        m = metrics.mode_coverage(samples, *mixture_modes(recipe))
        return {"modes_captured": int(m.modes_captured), "n_modes": int(m.n_modes),
                "high_quality_fraction": float(m.high_quality_fraction), "reverse_kl": float(m.reverse_kl)}
    if name == "mnist":
        from scratchgen.gan.image_metrics import mnist_image_metrics
        return mnist_image_metrics(parzen=test is not None, classifier=classifier)(samples)
    if name == "stacked_mnist":
        from scratchgen.gan.stacked_mnist import stacked_mnist_coverage
        c = stacked_mnist_coverage(samples, classifier)
        return {"classes_covered": int(c.classes_covered), "n_classes": int(c.n_classes),
                "reverse_kl": float(c.reverse_kl)}
    if name not in ("digits", "stacked_digits"):
        raise ValueError(f"score_samples: unknown dataset {name!r}")
    n_digits = np.shape(samples)[1] // 64
    c = metrics.class_coverage(samples, lambda s: digit_labels(s, classifier), 10 ** n_digits)
    out = {"classes_covered": int(c.classes_covered), "n_classes": int(c.n_classes),
           "reverse_kl": float(c.reverse_kl)}
    if test is not None:
        n_valid = len(test) // 3
        sigma, _ = metrics.select_parzen_sigma(samples, test[:n_valid], PARZEN_SIGMAS)
        out.update(parzen_log_likelihood=metrics.parzen_log_likelihood(samples, test[n_valid:], sigma),
                   parzen_sigma=sigma)
    return out


#: Bandwidths tried for the Parzen window on the digits (pixels in [0, 1]).
PARZEN_SIGMAS = np.logspace(-1.3, 0.0, 14)


def train_recipe(recipe, rng=None, data=None, callbacks=(), eval_every=500, progress=False):
    """Build and train a GAN by ``recipe``, with its learning-rate drops (``lr_at``).

    rng: int seed or Generator for the weights, then the noise and minibatches.
    data: default ``recipe_data(recipe, data_rng)``, where the data's own
    stream data_rng is ``default_rng([seed, 1])`` for an int seed (as
    ``scratchgen train gan --seed`` draws it; it matters for the stacked
    digits only) and ``rng`` itself for a Generator. Returns ``(gan, seconds)``.
    """
    data_rng = np.random.default_rng([rng, 1]) if isinstance(rng, numbers.Integral) else None
    rng = as_generator(rng)
    gan = build_gan(recipe, rng)
    if data is None:
        data = recipe_data(recipe, rng if data_rng is None else data_rng)
    start = time.perf_counter()
    n_steps = recipe["n_steps"]
    # Train in pieces between the drops (GAN.train's callbacks and progress bar span each piece).
    stops = sorted({s for s in recipe.get("lr_decay_steps", []) if 0 < s < n_steps} | {n_steps})
    for stop in stops:
        set_learning_rates(gan, recipe)
        gan.train(data, stop - gan.step, callbacks=callbacks, eval_every=eval_every, progress=progress)
    return gan, time.perf_counter() - start
