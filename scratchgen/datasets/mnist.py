"""MNIST: 28x28 handwritten digits (LeCun, Cortes and Burges), the official test set.

scratchgen ships the 10,000 images of the official MNIST *test* set
(``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``, IDX format,
gzip; CC BY-SA 3.0, see data/README.md). The 60,000-image training set is
not shipped (nothing downloads). The 10,000 real digits are split once, at
random but reproducibly, into our own training and test parts:

    train_test_split(X, y, test_size=0.2, rng=0, stratify=True)

that is, 20% of each class (rounded) goes to the test part: 8,000 training
and 2,000 test images with the class shares of the whole set (980 1135
1032 1010 982 892 958 1028 974 1009 images of 0..9). Every model and metric
of scratchgen on MNIST uses this split (seed 0), so numbers compare.
Because these are the official *test* images, numbers here are not
comparable with papers that train on the 60,000 and test on these.

``load_mnist(split)`` returns a ``Digits`` record (``.data``, ``.images``,
``.target``) or ``(data, target)``, the convention of ``load_digits``;
pixels are float32 in [0, 1] (the byte values / 255).
"""
import os
import numpy as np

from scratchgen.validation import check_choice, rng_from_seed_alias
from scratchgen.datasets._shipped import shipped_path
from scratchgen.datasets.digits import Digits, train_test_split
from scratchgen.datasets.idx import read_idx

__all__ = ["load_mnist", "read_mnist_files", "random_shifts", "MNIST_SPLIT_SEED",
           "MNIST_TEST_SIZE"]

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
#: the seed and test share of the fixed split (8,000 / 2,000)
MNIST_SPLIT_SEED = 0
MNIST_TEST_SIZE = 0.2
SIDE = 28
N_CLASSES = 10


def read_mnist_files(images_path, labels_path):
    """Read an MNIST-format pair of IDX files (gzipped or not) and check them.

    images: uint8 (n, 28, 28); labels: uint8 (n,) with values 0..9.
    Returns ``(images uint8 (n, 28, 28), labels int64 (n,))``. A missing,
    truncated or corrupt file, or one of the wrong type or shape, raises an
    ``OSError``/``ValueError`` whose one-line message names the file and what
    was expected.
    """
    images_path, labels_path = os.fspath(images_path), os.fspath(labels_path)
    images = _read(images_path, "MNIST images: uint8 (n, 28, 28)")
    labels = _read(labels_path, "MNIST labels: uint8 (n,) of 0..9")
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"{images_path}: expected MNIST images, an IDX array of uint8 of "
                         f"shape (n, 28, 28); the file holds {images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected MNIST labels, an IDX array of uint8 of "
                         f"shape (n,); the file holds {labels.dtype} {labels.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{labels_path}: expected {len(images)} labels, one per image of "
                         f"{images_path}; the file holds {len(labels)}")
    if labels.size and labels.max() >= N_CLASSES:
        raise ValueError(f"{labels_path}: expected labels 0..9, the file holds {labels.max()}")
    return images, labels.astype(np.int64)


def _read(path, expected):
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: file not found (expected {expected}, IDX format)")
    return read_idx(path)


def load_mnist(split="train", return_X_y=False, rng=None, directory=None, seed=None):
    """Load the shipped MNIST images: the fixed training or test split, or all.

    split       : "train" (8,000 images), "test" (2,000) or "all" (the 10,000
                  in file order)
    return_X_y  : return ``(data, target)`` instead of a ``Digits`` record
    rng         : int or Generator for the stratified split (None: seed 0, the
                  split every scratchgen result uses); another seed gives
                  another split of the same sizes (``seed=`` is a deprecated
                  alias)
    directory   : read ``t10k-images-idx3-ubyte.gz`` and
                  ``t10k-labels-idx1-ubyte.gz`` from this folder instead of
                  the shipped copy (e.g. a copy of your own)

    Returns ``Digits(data float32 (n, 784) in [0, 1], images (n, 28, 28),
    target int64 (n,))`` or ``(data, target)``. Each call returns fresh
    arrays. The training and test parts are disjoint, each shuffled, each
    with the class shares of the whole set.
    """
    check_choice(split, "split", ("train", "test", "all"))
    rng = rng_from_seed_alias(rng, seed, "load_mnist")
    rng = MNIST_SPLIT_SEED if rng is None else rng
    if directory is None:
        folder = shipped_path("mnist", "copy MNIST's t10k files into data/mnist/")
        images_path = os.path.join(folder, IMAGES_FILE)
        labels_path = os.path.join(folder, LABELS_FILE)
    else:
        images_path = os.path.join(os.fspath(directory), IMAGES_FILE)
        labels_path = os.path.join(os.fspath(directory), LABELS_FILE)
    images, target = read_mnist_files(images_path, labels_path)
    if split != "all":
        X_train, X_test, y_train, y_test = train_test_split(
            images, target, test_size=MNIST_TEST_SIZE, rng=rng, stratify=True)
        images, target = (X_train, y_train) if split == "train" else (X_test, y_test)
    data = images.reshape(len(images), SIDE * SIDE).astype(np.float32) / np.float32(255.0)
    if return_X_y:
        return data, target
    return Digits(data=data, images=data.reshape(-1, SIDE, SIDE).copy(), target=target)


def random_shifts(X, max_shift=2, rng=None, side=SIDE):
    """Shift each image by a random whole number of pixels, filling with 0.

    X: (n, side*side) rows (or (n, side, side)); each image moves by (dy, dx)
    drawn uniformly from {-max_shift, ..., max_shift}^2, pixels that leave
    the frame are dropped, new ones are 0 (background). Data augmentation for
    the MNIST classifier: a digit shifted by a pixel or two is the same digit,
    so an MLP trained on 8,000 images learns to ignore small shifts (which it
    cannot do from the images alone: it has no translation invariance).
    Returns a new array of X's shape and dtype.
    """
    from scratchgen.validation import as_generator, check_int
    max_shift = check_int(max_shift, "max_shift", minimum=0, maximum=side - 1)
    rng = as_generator(rng)
    X = np.asarray(X)
    images = X.reshape(len(X), side, side)
    pad = max_shift
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad)))
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(X), 2))
    out = np.empty_like(images)
    # Group the images by shift: at most (2 max_shift + 1)^2 slicing operations.
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
            if len(rows):
                # out[r, i, j] = images[r, i - dy, j - dx] (0 outside the frame)
                out[rows] = padded[rows, pad - dy:pad - dy + side, pad - dx:pad - dx + side]
    return out.reshape(X.shape)
