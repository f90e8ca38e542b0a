"""Reproduce ``mnist_classifier.npz``: the pretrained MLP classifier of MNIST.

Run from the repository root (about a minute on one core)::

    OPENBLAS_NUM_THREADS=1 python data/make_mnist_classifier.py [--spread]

It trains ``scratchgen.nn.pretrained.train_mnist_classifier()`` (MLP
784-256-128-10, ReLU, Adam lr 2e-3 decayed by 0.95 per epoch, 60 epochs,
minibatches of 64, every minibatch shifted at random by up to 2 pixels,
seed 0) on the 8,000 training images of the fixed MNIST split and saves,
with ``scratchgen.serialization.save`` (atomic, float32 arrays), to
``data/mnist_classifier.npz`` and the identical package copy
``scratchgen/datasets/_data/mnist_classifier.npz``::

    {"state_dict": {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"},
     "sizes": [784, 256, 128, 10], "test_accuracy": float, "seed": 0, "epochs": 60}

``--spread`` also trains seeds 1 and 2 (not saved) and prints their test
accuracy, the seed-to-seed spread of the recipe. MNIST is CC BY-SA 3.0
(LeCun, Cortes and Burges; see data/README.md); so are these weights.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from scratchgen.nn.pretrained import (MNIST_CLASSIFIER_FILE,  # noqa: E402
                                      MNIST_CLASSIFIER_SIZES, train_mnist_classifier)
from scratchgen.serialization import save  # noqa: E402

SEED, EPOCHS = 0, 60
TARGETS = [os.path.join(HERE, MNIST_CLASSIFIER_FILE),
           os.path.join(ROOT, "scratchgen", "datasets", "_data", MNIST_CLASSIFIER_FILE)]


def main(spread=False):
    start = time.perf_counter()
    model, test_accuracy = train_mnist_classifier(epochs=EPOCHS, seed=SEED)
    print(f"seed {SEED}: test accuracy {test_accuracy:.4f} on the 2,000 test images "
          f"({time.perf_counter() - start:.0f} s)")
    checkpoint = {"state_dict": model.state_dict(), "sizes": list(MNIST_CLASSIFIER_SIZES),
                  "test_accuracy": test_accuracy, "seed": SEED, "epochs": EPOCHS}
    for path in TARGETS:
        save(checkpoint, path)
        print(f"saved {path}")
    if spread:
        for seed in (1, 2):
            print(f"seed {seed}: test accuracy "
                  f"{train_mnist_classifier(epochs=EPOCHS, seed=seed)[1]:.4f}")


if __name__ == "__main__":
    main(spread="--spread" in sys.argv[1:])
