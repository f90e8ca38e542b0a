"""Discriminator features on MNIST with few labels: does the GAN's D help a linear model?

The lecture claims that "the features created in the discriminator can be
used for discriminative learning". The test (Radford et al. 2015, sec. 5.1):
freeze a discriminator, take a hidden layer's activations, fit the same
linear probe (``gan.LinearProbe``: softmax regression, standardised
features, Adam, 300 full-batch steps) on a few labelled training images,
score it on the 2,000 held-out MNIST images. Representations:

* raw pixels (784);
* a *random* discriminator of the same architecture (the control: random
  ReLU features alone already help a linear model);
* the GAN-trained discriminators of the two MNIST recipes (standard GAN,
  WGAN-GP critic), each hidden layer. The GANs train on all 8,000 training
  images without labels (``train_recipe(recipe, rng=0)``);
* the other unsupervised baselines: the codes of an autoencoder and the
  posterior means of a VAE (``latent``; MLP 784-256-32, Bernoulli
  likelihood / cross-entropy loss, 20 epochs of Adam on the 8,000 images).

Label budgets 100, 600, 3,000 (balanced: a tenth per class), 5 seeds of the
labelled subset; mean +- std (population) of the test accuracy.

Usage: [SCRATCHGEN_NUM_THREADS=1] python benchmarks/mnist_features.py [--cache DIR] [--only GROUP ...]
(``--cache``: keep the trained discriminators there, D_<recipe>.npz, and
reuse them on the next run; ``--only``: some of the groups "pixels",
"mnist_standard", "mnist" (the two GAN recipes, each with its random copy),
"latent" (AE and VAE); the default is all.)
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from scratchgen import apply_thread_policy  # noqa: E402

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread

BUDGETS = (100, 600, 3000)
SEEDS = range(5)
GROUPS = ("pixels", "mnist_standard", "mnist", "latent")


def trained_discriminator(name, cache):
    from scratchgen.gan.recipes import build_gan, default_recipe, recipe_data, train_recipe
    from scratchgen.serialization import load, save
    recipe = default_recipe(name)
    path = os.path.join(cache, f"D_{name}.npz") if cache else None
    if path and os.path.exists(path):
        D = build_gan(recipe, rng=0).discriminator
        D.load_state_dict(load(path)["state_dict"])
        return D, None
    gan, seconds = train_recipe(recipe, rng=0, data=recipe_data(recipe))
    if path:
        save({"state_dict": gan.discriminator.state_dict()}, path)
    return gan.discriminator, seconds


def latent_codes(X, X_test):
    """AE codes and VAE posterior means (32 each), trained on X without labels."""
    from scratchgen.latent.autoencoder import Autoencoder
    from scratchgen.latent.vae import VAE
    reps = {}
    for label, model in (("autoencoder code (32)", Autoencoder.mlp(784, 32, hidden=(256,), loss="bce", rng=0)),
                         ("VAE posterior mean (32)", VAE.mlp(784, 32, hidden=(256,), rng=0))):
        start = time.perf_counter()
        model.fit(X, epochs=20, batch_size=100, lr=1e-3, rng=0)
        print(f"trained the {label} in {time.perf_counter() - start:.0f} s", flush=True)
        reps[label] = (model.encode(X), model.encode(X_test))
    return reps


def main():
    from scratchgen.datasets import load_mnist
    from scratchgen.gan.features import LinearProbe, features
    from scratchgen.gan.recipes import build_gan, default_recipe
    from scratchgen.gan.semi_supervised import balanced_labelled_subset
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", default=None)
    p.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS))
    args = p.parse_args()
    X, y = load_mnist("train", return_X_y=True)
    X_test, y_test = load_mnist("test", return_X_y=True)
    reps = {"raw pixels": (X, X_test)} if "pixels" in args.only else {}
    for name, label in (("mnist_standard", "standard GAN D"), ("mnist", "WGAN-GP critic")):
        if name not in args.only:
            continue
        D_random = build_gan(default_recipe(name), rng=123).discriminator
        D_trained, seconds = trained_discriminator(name, args.cache)
        if seconds is not None:
            print(f"trained {name} in {seconds:.0f} s", flush=True)
        for layer, which in ((1, "hidden 1"), (3, "hidden 2")):
            width = D_random[layer - 1].out_features
            reps[f"random {label}, {which} ({width})"] = (features(D_random, X, layer=layer),
                                                         features(D_random, X_test, layer=layer))
            reps[f"{label}, {which} ({width})"] = (features(D_trained, X, layer=layer),
                                                   features(D_trained, X_test, layer=layer))
    if "latent" in args.only:
        reps.update(latent_codes(X, X_test))
    start = time.perf_counter()
    print("| representation | " + " | ".join(f"{b} labels" for b in BUDGETS) + " |")
    print("|---|" + "---|" * len(BUDGETS))
    for name, (H, H_test) in reps.items():
        cells = []
        for budget in BUDGETS:
            accs = []
            for seed in SEEDS:
                idx = balanced_labelled_subset(y, budget, np.random.default_rng(seed))
                accs.append(LinearProbe(10, rng=seed).fit(H[idx], y[idx]).score(H_test, y_test))
            cells.append(f"{100 * np.mean(accs):.1f} +- {100 * np.std(accs):.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nprobes: {time.perf_counter() - start:.0f} s; 2,000 held-out test images; "
          f"seeds {list(SEEDS)} of the labelled subset")


if __name__ == "__main__":
    main()
