"""The semi-supervised GAN on MNIST with 100 labels: held-out accuracy against wall time.

Salimans et al. 2016 ("Improved techniques for training GANs", sec. 5):
the discriminator is a 10-class classifier with a fake class of logit 0,
trained on 100 labelled images (10 per class, drawn with ``--label-seed``),
the other 7,900 training images without labels, and generated images; the
generator matches the mean of D's last hidden layer (feature matching).
Recipe "mnist_semi_supervised" (``gan.recipes``). Printed: accuracy on the
2,000 held-out images every ``--every`` seconds until ``--seconds``, and
the reference: the same linear probe on raw pixels with the same 100 labels
(``gan.LinearProbe``).

Usage: OPENBLAS_NUM_THREADS=1 python benchmarks/mnist_semi_supervised.py --label-seed 0 [--seconds 480]
"""
import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402


def main():
    from scratchgen.datasets import load_mnist
    from scratchgen.gan.features import LinearProbe
    from scratchgen.gan.recipes import default_recipe
    from scratchgen.gan.semi_supervised import build_semi_supervised_gan
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label-seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=480.0)
    parser.add_argument("--every", type=float, default=30.0)
    args = parser.parse_args()
    recipe = default_recipe("mnist_semi_supervised")
    recipe["label_seed"] = args.label_seed
    X, y = load_mnist("train", return_X_y=True)
    X_test, y_test = load_mnist("test", return_X_y=True)
    gan, X_unlabelled = build_semi_supervised_gan(recipe, X, y, rng=args.label_seed + 100)
    probe = LinearProbe(10, rng=0).fit(gan.labelled_X, gan.labelled_y)
    print(f"label seed {args.label_seed}: raw-pixel linear probe {probe.score(X_test, y_test):.4f}", flush=True)
    start, next_report = time.perf_counter(), args.every
    while True:
        gan.train(X_unlabelled, 20)
        elapsed = time.perf_counter() - start
        if elapsed >= next_report or elapsed >= args.seconds:
            print(f"{elapsed:6.0f} s  iteration {gan.step:5d}  held-out accuracy "
                  f"{gan.score(X_test, y_test):.4f}", flush=True)
            next_report += args.every
        if elapsed >= args.seconds:
            break


if __name__ == "__main__":
    main()
