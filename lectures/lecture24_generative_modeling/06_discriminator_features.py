# %% [markdown]
# # Lecture 24, part 6: what the discriminator learnt, used as features
#
# To tell real digits from generated ones, the discriminator has to build
# hidden representations of digits, and it learns them *without labels*.
# Radford et al. 2015 (DCGAN, section 5.1) reuse a trained discriminator as
# a feature extractor: freeze it, take a hidden layer's activations h(x), and
# fit a *linear* classifier p(y | x) = softmax(W h(x) + b) with few labels.
#
# Three linear models on the 8x8 digits, same classifier, same labels:
#
# * raw pixels x (64 numbers);
# * features of a *random* (untrained) discriminator: the control, because
#   random ReLU features alone already help a linear model;
# * features of the GAN-trained discriminator.
#
# The GAN never sees a label; only the linear probe does. `SCRATCHGEN_FAST=1`
# trains a small GAN for a few dozen steps (the comparison is then weak).

# %%
import os
import time
from pathlib import Path

import numpy as np

from scratchgen import apply_thread_policy, datasets, viz
from scratchgen.gan import LinearProbe, features
from scratchgen.gan.recipes import build_gan, default_recipe, train_recipe
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)

X, y = datasets.load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.3, rng=0,
                                                             stratify=True)
# Few labels: the regime where unsupervised features pay off.
n_labelled = 100 if FAST else 200
print(f"{len(X_train)} training images (the GAN uses all, without labels), "
      f"{n_labelled} labelled for the probe, {len(X_test)} test images")

# %% [markdown]
# ## Train the digits GAN (the default recipe)
#
# The default digits recipe is a WGAN-GP (its critic plays the part of the
# discriminator; see `scratchgen.gan.recipes` for why): the features below
# are the critic's hidden layers.

# %%
recipe = default_recipe("digits")
if FAST:
    recipe.update(n_steps=60, generator_hidden=[64, 128], discriminator_hidden=[128, 64])
start = time.perf_counter()
gan, seconds = train_recipe(recipe, rng=0, data=X_train.astype(np.float32))
print(f"trained {recipe['n_steps']} iterations in {seconds:.0f} s")
viz.image_grid(gan.sample(40, rng=1), 4, 10, path=FIGURES / "06_gan_digits.png",
               title=f"{recipe['variant']} samples (digits recipe, {recipe['n_steps']} iterations)")

# %% [markdown]
# ## Features and the linear probe
#
# `features(D, x, layer)` runs D's layers up to `layer`; -2 is the last
# hidden layer. The probe standardises the features and fits softmax
# regression by Adam on the labelled images.

# %%
random_D = build_gan(recipe, rng=123).discriminator   # same architecture, untrained
probe_steps = 150 if FAST else 400
n_draws = 3 if FAST else 5   # labelled subsets: a 1-point difference needs its spread beside it
representations = {
    "raw pixels": (X_train, X_test),
    "random D, last hidden": (features(random_D, X_train), features(random_D, X_test)),
    "GAN D, last hidden": (features(gan.discriminator, X_train), features(gan.discriminator, X_test)),
    "GAN D, first hidden": (features(gan.discriminator, X_train, layer=1),
                            features(gan.discriminator, X_test, layer=1)),
}
# Each draw: a fresh random set of n_labelled training images (the same set for
# every representation) and a probe seeded by the draw.
subsets = [np.random.default_rng([7, d]).choice(len(X_train), n_labelled, replace=False)
           for d in range(n_draws)]
scores = {name: np.array([LinearProbe(10, n_steps=probe_steps, rng=d).fit(H_train[rows], y_train[rows])
                          .score(H_test, y_test) for d, rows in enumerate(subsets)])
          for name, (H_train, H_test) in representations.items()}
accuracy = {name: float(acc.mean()) for name, acc in scores.items()}
for name, acc in scores.items():
    print(f"{name:24s} {representations[name][0].shape[1]:4d} features   test accuracy "
          f"{acc.mean():.1%} +- {acc.std(ddof=1):.1%} over {n_draws} labelled subsets")

# %%
fig = viz.new_figure((7.0, 3.0))
ax = fig.add_subplot(1, 1, 1)
names = list(accuracy)
sd = [scores[n].std(ddof=1) for n in names]
# points, not bars: the axis is zoomed, and a bar's length would then mean nothing
ax.errorbar([accuracy[n] for n in names], np.arange(len(names)), xerr=sd, fmt="o", capsize=4,
            color="tab:blue", label=f"mean +- sd over {n_draws} labelled subsets")
for i, n in enumerate(names):
    ax.plot(scores[n], np.full(n_draws, i), "k.", ms=4, label="one subset" if i == 0 else None)
    ax.text(accuracy[n], i + 0.22, f"{accuracy[n]:.1%}", ha="center", va="center", fontsize=8)
ax.set_yticks(np.arange(len(names)))
ax.set_yticklabels(names, fontsize=8)
low = min(scores[n].min() for n in names)
high = max(scores[n].max() for n in names)
ax.set_xlim(max(0.0, low - 0.03), min(1.0, high + 0.04))   # zoomed: chance is 10%, far to the left
ax.set_ylim(-0.6, len(names) - 0.4)
ax.grid(axis="x", alpha=0.3)
ax.set_xlabel(f"test accuracy of a linear classifier ({n_labelled} labels; axis zoomed)")
ax.legend(fontsize=7, loc="best")
viz.save_figure(fig, FIGURES / "06_feature_probe.png")
print("figures saved to", FIGURES)

# %% [markdown]
# Reading the result: if "GAN D" beats "raw pixels" *and* the random-D
# control, the adversarial game taught the discriminator something about
# digits beyond what a random projection gives. On 8x8 digits raw pixels
# are already linearly quite separable, so the margin is modest; on natural
# images (DCGAN's CIFAR-10 experiment) it is large.
