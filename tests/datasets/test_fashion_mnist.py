"""load_fashion_mnist: a small IDX set the test makes, the error without the files, and the
real 70,000 images when Debian's dataset-fashion-mnist is installed (skipped otherwise)."""
import os

import numpy as np
import pytest

from scratchgen.datasets import load_fashion_mnist, write_idx
from scratchgen.datasets.fashion_mnist import CLASS_NAMES, FASHION_MNIST_DIR


def make_files(folder, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    made = {}
    for part, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        write_idx(folder / f"{part}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{part}-labels-idx1-ubyte.gz", labels)
        made[part] = (images, labels)
    return made


def test_reads_each_split_as_load_mnist_does(tmp_path):
    made = make_files(tmp_path)
    train = load_fashion_mnist("train", directory=tmp_path)
    assert train.data.shape == (6, 784) and train.data.dtype == np.float32
    np.testing.assert_array_equal(train.data * 255, made["train"][0].reshape(6, 784))
    np.testing.assert_array_equal(train.images, train.data.reshape(6, 28, 28))
    X, y = load_fashion_mnist("test", return_X_y=True, directory=tmp_path)
    assert X.shape == (4, 784) and y.tolist() == [0, 1, 2, 3] and y.dtype == np.int64
    X_all, y_all = load_fashion_mnist("all", return_X_y=True, directory=tmp_path)
    assert len(X_all) == 10 and y_all.tolist() == list(range(6)) + list(range(4))


def test_a_missing_folder_or_file_is_named_in_one_line(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"no folder .*elsewhere.*\*-ubyte\.gz") as e:
        load_fashion_mnist(directory=tmp_path / "elsewhere")
    assert "\n" not in str(e.value)
    import scratchgen.datasets.fashion_mnist as module
    monkeypatch.setattr(module, "FASHION_MNIST_DIR", str(tmp_path / "not-installed"))
    with pytest.raises(FileNotFoundError, match="apt install dataset-fashion-mnist"):
        load_fashion_mnist()
    make_files(tmp_path)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz: file not found"):
        load_fashion_mnist("test", directory=tmp_path)
    with pytest.raises(ValueError, match="split"):
        load_fashion_mnist("validation", directory=tmp_path)


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST_DIR),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_the_installed_data_set_has_the_official_sizes_and_balanced_classes():
    X, y = load_fashion_mnist("test", return_X_y=True)
    assert X.shape == (10_000, 784) and 0.0 <= X.min() and X.max() <= 1.0
    assert np.bincount(y, minlength=10).tolist() == [1000] * 10 and len(CLASS_NAMES) == 10
