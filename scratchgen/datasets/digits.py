"""The UCI 8x8 handwritten digits and "stacked digits" built from them.

``load_digits`` reads the 1,797 digits shipped in
``scratchgen/datasets/_data/digits.npz`` (UCI "Optical Recognition of
Handwritten Digits", Alpaydin & Kaynak 1998, CC BY 4.0; see data/README.md).
``stacked_digits`` is the "stacked MNIST" test of mode collapse (Metz et
al. 2017, VEEGAN, PacGAN) at 8x8 scale: three random digits side by side
make one of 10^3 = 1000 classes.
"""
import os
from dataclasses import dataclass

import numpy as np

from scratchgen.datasets._checks import as_generator, check_count, check_fraction
from scratchgen.datasets._shipped import PACKAGE_DIR, REPO_DIR, shipped_path
from scratchgen.validation import rng_from_seed_alias

__all__ = ["Digits", "load_digits", "train_test_split", "stacked_digits", "stack_label"]

_FILE = "digits.npz"
_PACKAGE_PATH = os.path.join(PACKAGE_DIR, _FILE)
_REPO_PATH = os.path.join(REPO_DIR, _FILE)


@dataclass(frozen=True)
class Digits:
    """A digits data set (``load_digits``; ``load_mnist`` returns one too).

    data   : (n, side * side) pixel intensities in [0, 1]; for the 8x8 digits
             float64 (n, 64) (counts / 16), for MNIST float32 (n, 784) (bytes / 255)
    images : (n, side, side), the same values as images
    target : int64 (n,), the digit 0..9
    """

    data: np.ndarray
    images: np.ndarray
    target: np.ndarray

    def __len__(self):
        return len(self.target)




def load_digits(return_X_y=False):
    """Load the 1,797 8x8 handwritten digits (about 180 of each of 0..9).

    Returns a ``Digits`` (``.data`` (1797, 64) float64 in [0, 1],
    ``.images`` (1797, 8, 8), ``.target`` (1797,) int64), or ``(data, target)``
    when ``return_X_y`` is True (scikit-learn's convention).
    Each call returns fresh arrays, so changing them changes no one else's.
    """
    path = shipped_path(_FILE, "run `python data/export_digits.py`")
    with np.load(path, allow_pickle=False) as archive:
        counts = archive["images"]
        target = archive["target"].astype(np.int64)
    data = counts.astype(np.float64) / 16.0
    if return_X_y:
        return data, target
    return Digits(data=data, images=data.reshape(-1, 8, 8).copy(), target=target)


def train_test_split(X, y=None, test_size=0.2, rng=None, stratify=False, seed=None):
    """Split rows of ``X`` (and ``y``) at random into a train and a test part.

    ``test_size``: the share of rows in the test part, ``round(test_size * n)``
    rows (at least 1 and at most n - 1). ``stratify=True`` (needs ``y``) splits
    each class separately so both parts keep the class shares. ``rng``: an int
    or a Generator; the same seed gives the same split (``seed``: the
    deprecated name of ``rng``).
    Returns ``X_train, X_test`` or ``X_train, X_test, y_train, y_test``.
    """
    X = np.asarray(X)
    if X.ndim == 0 or len(X) < 2:
        raise ValueError(f"X must have at least 2 rows to split, got shape {X.shape}")
    n = len(X)
    if y is not None:
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"X and y must have the same number of rows, got {n} and {len(y)}")
    test_size = check_fraction(test_size, "test_size")
    if test_size == 0:
        raise ValueError("test_size must be > 0, got 0")
    rng = as_generator(rng_from_seed_alias(rng, seed, "train_test_split"), "rng")
    if stratify:
        if y is None:
            raise ValueError("stratify=True needs y")
        test_idx = np.concatenate([
            _take_share(np.flatnonzero(y == c), test_size, rng) for c in np.unique(y)
        ])
    else:
        test_idx = _take_share(np.arange(n), test_size, rng)
    is_test = np.zeros(n, dtype=bool)
    is_test[test_idx] = True
    # Shuffle each part too, so that neither is ordered by class.
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(np.flatnonzero(is_test))
    if y is None:
        return X[train_idx], X[test_idx]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _take_share(indices, share, rng):
    """A random subset of ``indices`` with round(share * len) elements (1..len-1 when len >= 2)."""
    k = int(round(share * len(indices)))
    if len(indices) >= 2:
        k = min(max(k, 1), len(indices) - 1)
    return rng.choice(indices, size=k, replace=False)


def stacked_digits(n, rng=None, X=None, y=None, n_digits=3, return_labels=True):
    """Stacked digits: ``n_digits`` random digits side by side (8 x 8*n_digits).

    The 8x8 analogue of "stacked MNIST" (Metz et al. 2017; Srivastava et al.
    2017, VEEGAN; Lin et al. 2018, PacGAN), which stacks three MNIST digits
    as colour channels to get 1000 modes; here they stand side by side.
    Each of the ``n_digits`` positions takes an independent uniform random
    image from ``X`` (n_images, 64) with labels ``y`` (default: all of
    ``load_digits()``). The label of an image with digits a, b, c (left to
    right) is 100 a + 10 b + c, one of 10^n_digits modes.

    Returns ``images`` of shape (n, 64 * n_digits) (each row is an 8 x
    8*n_digits image read row by row; reshape to (n, 8, 8*n_digits)) and,
    when ``return_labels``, ``labels`` (n,) int64.
    """
    n = check_count(n, "n", minimum=0)
    n_digits = check_count(n_digits, "n_digits")
    rng = as_generator(rng)
    if X is None:
        if y is not None:
            raise ValueError("pass both X and y, or neither")
        X, y = load_digits(return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 64 or len(y) != len(X) or len(X) == 0:
        raise ValueError(
            f"X must be (n_images, 64) with y (n_images,), got X {X.shape} and y {y.shape}"
        )
    picks = rng.integers(0, len(X), size=(n, n_digits))
    # (n, n_digits, 8, 8) -> (n, 8, n_digits, 8): row r of the stacked image is
    # row r of digit 0, then row r of digit 1, ...
    tiles = X[picks].reshape(n, n_digits, 8, 8).transpose(0, 2, 1, 3)
    images = tiles.reshape(n, 64 * n_digits)
    if not return_labels:
        return images
    return images, stack_label(y[picks])


def stack_label(digits):
    """The mode of a stack of digits: (n, d) digits a, b, c, ... -> 10^(d-1) a + ... (n,) int64.

    The one numbering of the 10^d modes of stacked digits and stacked
    MNIST, for the true labels and for the classifier's readings alike
    (digits (a, b, c) = (3, 0, 7) is mode 307).
    """
    digits = np.asarray(digits, dtype=np.int64)
    if digits.ndim != 2:
        raise ValueError(f"stack_label: digits must be (n, n_digits), got shape {digits.shape}")
    powers = 10 ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64)
    return (digits * powers).sum(axis=1)
