"""Reproduce ``data/digits_classifier.npz``: the pretrained MLP digit classifier.

Run from the repository root::

    python data/make_digits_classifier.py

It trains ``scratchgen.nn.pretrained.train_digits_classifier()`` (MLP
64-128-10, Adam, seed 0, 20 epochs on the fixed split of the UCI 8x8 digits)
and saves, with ``scratchgen.serialization.save`` (atomic ``.npz``)::

    {"state_dict": {"0.weight", "0.bias", "2.weight", "2.bias"},
     "sizes": [64, 128, 10], "test_accuracy": float, "seed": 0, "epochs": 20}

The state dict loads into ``torch.nn.Sequential(nn.Linear(64, 128), nn.ReLU(),
nn.Linear(128, 10))`` too. The digits are CC BY 4.0 (see data/README.md).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from scratchgen.nn.pretrained import (DIGITS_CLASSIFIER_PATH,  # noqa: E402
                                      DIGITS_CLASSIFIER_SIZES, train_digits_classifier)
from scratchgen.serialization import save  # noqa: E402

SEED, EPOCHS = 0, 20


def main():
    model, test_accuracy = train_digits_classifier(epochs=EPOCHS, seed=SEED)
    save({"state_dict": model.state_dict(), "sizes": list(DIGITS_CLASSIFIER_SIZES),
          "test_accuracy": test_accuracy, "seed": SEED, "epochs": EPOCHS},
         DIGITS_CLASSIFIER_PATH)
    print(f"test accuracy {test_accuracy:.4f}; saved {DIGITS_CLASSIFIER_PATH}")


if __name__ == "__main__":
    main()
