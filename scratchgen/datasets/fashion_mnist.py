"""Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28x28 grey images of clothing, in MNIST's format.

Ten classes (``CLASS_NAMES``: T-shirt/top, trouser, pullover, dress, coat,
sandal, shirt, sneaker, bag, ankle boot), 60,000 training and 10,000 test
images, the same IDX files and sizes as MNIST: a drop-in harder data set
(a linear model gets ~84% instead of ~92%). MIT licence.

Not shipped (30 MB) and never downloaded: Debian's package
``dataset-fashion-mnist`` installs the four files in
``/usr/share/datasets/fashion-mnist/`` (``apt install dataset-fashion-mnist``),
where ``load_fashion_mnist`` looks by default; ``directory=`` reads a copy
of the official files from elsewhere. The split is the official one.
"""
import os

import numpy as np

from scratchgen.datasets.digits import Digits
from scratchgen.datasets.mnist import SIDE, read_mnist_files
from scratchgen.validation import check_choice

__all__ = ["load_fashion_mnist", "FASHION_MNIST_DIR", "CLASS_NAMES"]

#: where Debian's package dataset-fashion-mnist puts the files
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")
_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
          "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


def load_fashion_mnist(split="train", return_X_y=False, directory=None):
    """Load Fashion-MNIST's official training or test images, or all of them.

    split       : "train" (60,000 images), "test" (10,000) or "all" (the
                  70,000, training images first)
    return_X_y  : return ``(data, target)`` instead of a ``Digits`` record
    directory   : the folder with the four official ``*-idx?-ubyte.gz``
                  files (default ``FASHION_MNIST_DIR``, Debian's package)

    Returns ``Digits(data float32 (n, 784) in [0, 1], images (n, 28, 28),
    target int64 (n,))`` or ``(data, target)``, the conventions of
    ``load_mnist``; the class names are ``CLASS_NAMES[target]``. A missing
    folder or file, or a truncated, corrupt or wrongly shaped one, raises
    an ``OSError``/``ValueError`` with a one-line message naming it.
    """
    check_choice(split, "split", ("train", "test", "all"))
    folder = FASHION_MNIST_DIR if directory is None else os.fspath(directory)
    if not os.path.isdir(folder):
        remedy = ("install Debian's package dataset-fashion-mnist (apt install "
                  "dataset-fashion-mnist) or pass directory=" if directory is None else
                  "pass the folder that holds the four official *-ubyte.gz files")
        raise FileNotFoundError(f"load_fashion_mnist: no folder {folder} ({remedy})")
    parts = ("train", "test") if split == "all" else (split,)
    images, target = [], []
    for part in parts:
        X, y = read_mnist_files(*(os.path.join(folder, name) for name in _FILES[part]))
        images.append(X)
        target.append(y)
    images, target = np.concatenate(images), np.concatenate(target)
    data = images.reshape(len(images), SIDE * SIDE).astype(np.float32) / np.float32(255.0)
    if return_X_y:
        return data, target
    return Digits(data=data, images=data.reshape(-1, SIDE, SIDE).copy(), target=target)
