"""A small pretrained model: the MLP digit classifier (8x8 UCI digits).

GAN metrics need a classifier to tell which digit a sample shows (class
coverage, "stacked digits" mode counts). ``load_digits_classifier()`` gives
an ``MLP([64, 128, 10])`` (logits; inputs are the 64 pixels in [0, 1], as
``scratchgen.datasets.load_digits`` returns them) with weights trained by
``train_digits_classifier()`` and stored in ``data/digits_classifier.npz``.
The script ``data/make_digits_classifier.py`` reproduces that file.

The fixed split (``digits_split``): ``train_test_split(X, y, test_size=0.25,
seed=0, stratify=True)``, 1347 training and 450 test images. The stored
classifier reaches about 97% test accuracy.
"""
import os
import warnings

import numpy as np

from scratchgen.autodiff import no_grad, tensor
from scratchgen.nn.containers import MLP
from scratchgen.nn.loss_functions import cross_entropy

__all__ = ["DIGITS_CLASSIFIER_SIZES", "digits_split", "train_digits_classifier",
           "load_digits_classifier", "accuracy", "DIGITS_CLASSIFIER_PATH"]

DIGITS_CLASSIFIER_SIZES = (64, 128, 10)
#: where the weights are stored (the repository's data/ directory)
DIGITS_CLASSIFIER_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "data", "digits_classifier.npz")


def digits_split():
    """The fixed split: (X_train, X_test, y_train, y_test), X float32 in [0, 1]."""
    from scratchgen.datasets import load_digits, train_test_split
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0,
                                                        stratify=True)
    return X_train.astype(np.float32), X_test.astype(np.float32), y_train, y_test


def accuracy(model, X, y):
    """Share of rows of X whose largest logit is at the label y."""
    with no_grad():
        logits = model(tensor(np.asarray(X, dtype=np.float32)))
    return float(np.mean(logits.data.argmax(axis=1) == np.asarray(y)))


def train_digits_classifier(epochs=20, seed=0, lr=1e-2, batch_size=64, gamma=0.85):
    """Train the MLP on the fixed split with Adam; returns (model, test_accuracy).

    Adam(lr), minibatches of ``batch_size`` shuffled by ``seed``, the
    learning rate multiplied by ``gamma`` after every epoch (ExponentialLR),
    cross-entropy loss. The defaults (20 epochs) take well under a second on
    a laptop and give about 97% test accuracy.
    """
    from scratchgen.datasets import DataLoader
    from scratchgen.optim import Adam, ExponentialLR
    X_train, X_test, y_train, y_test = digits_split()
    model = MLP(list(DIGITS_CLASSIFIER_SIZES), rng=seed)
    optimizer = Adam(model.parameters(), lr=lr)
    schedule = ExponentialLR(optimizer, gamma)
    loader = DataLoader(X_train, y_train, batch_size=batch_size, rng=seed)
    for _ in range(epochs):
        for xb, yb in loader:
            loss = cross_entropy(model(tensor(xb)), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
    model.eval()
    return model, accuracy(model, X_test, y_test)


def load_digits_classifier(path=None):
    """The pretrained digit classifier (``MLP([64, 128, 10])``, eval mode, logits out).

    path: the weights file (default ``DIGITS_CLASSIFIER_PATH``). When the file
    is missing (e.g. an installed package without the repository's data/),
    the classifier is trained on the spot with the same seed (under a second)
    and a warning says so.
    """
    from scratchgen.serialization import load
    path = DIGITS_CLASSIFIER_PATH if path is None else os.fspath(path)
    if not os.path.exists(path):
        warnings.warn(f"load_digits_classifier: {path} not found; training the classifier "
                      f"now (seed 0). Run data/make_digits_classifier.py to store it.",
                      RuntimeWarning, stacklevel=2)
        return train_digits_classifier()[0]
    checkpoint = load(path)
    model = MLP(list(DIGITS_CLASSIFIER_SIZES), rng=0)
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()
