"""Export the UCI 8x8 handwritten digits once into ``data/digits.npz``.

The data are the test part of the UCI "Optical Recognition of Handwritten
Digits" data set (Alpaydin & Kaynak, 1998; CC BY 4.0) as shipped with
scikit-learn (``sklearn.datasets.load_digits``). scikit-learn is needed only
to run this script once; scratchgen itself never imports it.

Run from the repository root::

    pip install scikit-learn
    python data/export_digits.py

It writes ``data/digits.npz`` and a copy in
``scratchgen/datasets/_data/digits.npz`` (the copy that an ordinary,
non-editable install ships). Both hold two plain arrays, no object arrays,
so ``np.load(path, allow_pickle=False)`` reads them:

    images : uint8, shape (1797, 64), pixel intensities 0..16
    target : int64, shape (1797,), the digit 0..9
"""
import os
import shutil
import tempfile

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "digits.npz")
PACKAGE_COPY = os.path.join(REPO, "scratchgen", "datasets", "_data", "digits.npz")


def main():
    bunch = load_digits()
    images = bunch.data.astype(np.uint8)
    # The values are integer counts 0..16 stored as float64: check the cast is exact.
    assert np.array_equal(images, bunch.data), "digits are not integers"
    assert images.shape == (1797, 64) and images.max() == 16 and images.min() == 0
    target = bunch.target.astype(np.int64)
    # Atomic write: a temp file in the same directory, then os.replace.
    # (Write through a file object: given a name, np.savez appends ".npz".)
    fd, tmp = tempfile.mkstemp(dir=HERE, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, images=images, target=target)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, OUT)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    os.makedirs(os.path.dirname(PACKAGE_COPY), exist_ok=True)
    shutil.copyfile(OUT, PACKAGE_COPY)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes) and {PACKAGE_COPY}")


if __name__ == "__main__":
    main()
