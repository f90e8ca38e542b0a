"""An MLP GAN on the 8x8 digits, measured: class coverage and Parzen log-likelihood.

1. Trains the default "digits" recipe (``scratchgen.gan.recipes``) on the
   training part of the fixed digits split (``nn.pretrained.digits_split``:
   1347 train / 450 test images), without labels.
2. Class coverage: the pretrained digit classifier
   (``nn.pretrained.load_digits_classifier``, ~97% test accuracy) labels
   5,000 samples; we report the classes covered (of 10), the class shares
   and the reverse KL KL(p || uniform) (0 = perfectly balanced, log 10 =
   2.30 = one class only). The real test images give the reference.
3. Parzen-window log-likelihood (Goodfellow et al. 2014, Table 1): a Gaussian
   kernel density on 5,000 samples, bandwidth chosen on 150 validation images,
   mean log-density of the other 300 test images; the baseline puts the same
   kernel density on the 1347 real training images ("training data as the
   generator").
4. Stacked digits (3 digits side by side, 1000 modes; the 8x8 stacked-MNIST
   test): the standard GAN vs the default WGAN-GP recipe (and PacGAN2 with
   ``--stacked-variants``) with the same networks; modes = the 1000 triples
   the classifier reads, counted over 10,000 samples (``--stacked``).
5. Saves sample grids as PNG in ``--out``.

Usage: python benchmarks/digits_gan.py [--steps N] [--stacked] [--out DIR] [--seed 0]
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import sys
import time

import numpy as np

from scratchgen import apply_thread_policy

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread


def digits_experiment(args):
    from scratchgen import viz
    from scratchgen.gan import class_coverage, parzen_log_likelihood, select_parzen_sigma
    from scratchgen.gan.recipes import default_recipe, digit_labels, train_recipe
    from scratchgen.nn.pretrained import digits_split, load_digits_classifier

    X_train, X_test, _, y_test = digits_split()
    X_valid, X_eval = X_test[:150], X_test[150:]
    classifier = load_digits_classifier()
    recipe = default_recipe("digits")
    if args.steps:
        recipe["n_steps"] = args.steps
    gan, seconds = train_recipe(recipe, rng=args.seed, data=X_train)
    samples = gan.sample(5000, rng=args.seed + 1)
    out = {"recipe": {k: v for k, v in recipe.items() if k != "measured"}, "train_seconds": seconds}
    cov = class_coverage(samples, lambda s: digit_labels(s, classifier), 10)
    real = class_coverage(X_test, lambda s: digit_labels(s, classifier), 10)
    out["gan_classes"] = dict(covered=cov.classes_covered, reverse_kl=cov.reverse_kl,
                              shares=(cov.counts / cov.counts.sum()).round(3).tolist())
    out["real_test_classes"] = dict(covered=real.classes_covered, reverse_kl=real.reverse_kl)
    sigmas = np.logspace(-1.3, 0.0, 14)
    for name, source in (("gan", samples), ("real_train", X_train)):
        sigma, _ = select_parzen_sigma(source, X_valid, sigmas)
        out[f"parzen_{name}"] = dict(sigma=sigma, log_likelihood=parzen_log_likelihood(source, X_eval, sigma))
    viz.image_grid(samples[:100], 10, 10, path=os.path.join(args.out, "digits_gan_samples.png"),
                   title=f"GAN samples after {recipe['n_steps']} iterations")
    viz.image_grid(X_train[:100], 10, 10, path=os.path.join(args.out, "digits_real.png"),
                   title="real training digits")
    return out


def stacked_experiment(args):
    from scratchgen import viz
    from scratchgen.gan import reverse_kl_to_uniform
    from scratchgen.gan.recipes import default_recipe, digit_labels, recipe_data, train_recipe
    from scratchgen.nn.pretrained import load_digits_classifier

    classifier = load_digits_classifier()
    results = {}
    for variant in args.stacked_variants:
        recipe = default_recipe("stacked_digits")
        pack = 2 if variant == "pacgan" else 1
        recipe.update(variant=variant, pack=pack)
        if variant != "wgan_gp":  # the standard GAN settings (Radford et al. 2015)
            recipe.update(lr=2e-4, betas=(0.5, 0.999))
        if args.stacked_steps:
            recipe["n_steps"] = args.stacked_steps
        data = recipe_data(recipe, rng=args.seed)
        gan, seconds = train_recipe(recipe, rng=args.seed, data=data)
        samples = gan.sample(10000, rng=args.seed + 1)
        counts = np.bincount(digit_labels(samples, classifier), minlength=1000)
        results[f"{variant}{pack if pack > 1 else ''}"] = dict(
            modes=int(np.count_nonzero(counts)), reverse_kl=reverse_kl_to_uniform(counts),
            train_seconds=seconds, steps=recipe["n_steps"])
        viz.image_grid(samples[:40], 10, 4, image_shape=(8, 24),
                       path=os.path.join(args.out, f"stacked_{variant}_samples.png"))
    real = recipe_data(default_recipe("stacked_digits"), rng=args.seed + 99)[:10000]
    counts = np.bincount(digit_labels(real, classifier), minlength=1000)
    results["real"] = dict(modes=int(np.count_nonzero(counts)), reverse_kl=reverse_kl_to_uniform(counts))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's iterations")
    parser.add_argument("--stacked", action="store_true", help="also run the stacked-digits test")
    parser.add_argument("--only-stacked", action="store_true", help="run only the stacked-digits test")
    parser.add_argument("--stacked-steps", type=int, default=None)
    parser.add_argument("--stacked-variants", nargs="+", default=["gan", "wgan_gp"],
                        help="from gan, pacgan (PacGAN2), wgan_gp")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="/tmp/scratchgen_digits_gan")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    report = {}
    if not args.only_stacked:
        report["digits"] = digits_experiment(args)
        print(json.dumps(report, indent=1), flush=True)
    if args.stacked or args.only_stacked:
        report["stacked_digits"] = stacked_experiment(args)
        print(json.dumps(report["stacked_digits"], indent=1), flush=True)
    print(f"total {time.perf_counter() - start:.0f} s; images in {args.out}")
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
