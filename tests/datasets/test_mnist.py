"""Tests of the shipped MNIST images, the fixed split and the errors on bad files."""
import gzip
import os
import struct

import numpy as np
import pytest

from scratchgen.datasets import _shipped
from scratchgen.datasets import load_mnist, read_mnist_files, write_idx
from scratchgen.datasets.mnist import IMAGES_FILE, LABELS_FILE

# Published facts about the official MNIST test set, not computed by our code:
# the class sizes and the first ten labels.
CLASS_SIZES = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
FIRST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_all_images_with_known_labels_and_pixel_range():
    d = load_mnist("all")
    assert d.data.shape == (10000, 784) and d.data.dtype == np.float32
    assert d.images.shape == (10000, 28, 28) and d.target.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(d.target), CLASS_SIZES)
    np.testing.assert_array_equal(d.target[:10], FIRST_LABELS)
    assert d.data.min() == 0.0 and d.data.max() == 1.0
    some = d.data[:500]
    np.testing.assert_array_equal(np.round(some * 255) / np.float32(255), some)  # 256 grey levels


def test_fixed_split_is_stratified_disjoint_and_reproducible():
    train, test = load_mnist("train"), load_mnist("test")
    assert len(train) == 8000 and len(test) == 2000
    # 20% of each class, rounded: per-class shares of the whole set kept.
    np.testing.assert_array_equal(np.bincount(test.target),
                                  np.round(0.2 * np.array(CLASS_SIZES)).astype(int))
    np.testing.assert_array_equal(np.bincount(train.target) + np.bincount(test.target), CLASS_SIZES)
    seen = {row.tobytes() for row in train.data}
    assert not any(row.tobytes() in seen for row in test.data)
    X, y = load_mnist("test", return_X_y=True)
    np.testing.assert_array_equal(X, test.data)
    np.testing.assert_array_equal(y, test.target)
    other = load_mnist("test", rng=1)
    assert not np.array_equal(other.target, test.target)


def test_the_package_copy_matches_the_repo_copy():
    for name in (IMAGES_FILE, LABELS_FILE):
        package_copy = os.path.join(_shipped.PACKAGE_DIR, "mnist", name)
        repo_copy = os.path.join(_shipped.REPO_DIR, "mnist", name)
        if os.path.exists(repo_copy):  # absent in a non-editable install
            with open(package_copy, "rb") as a, open(repo_copy, "rb") as b:
                assert a.read() == b.read()


def _write_pair(folder, images, labels):
    write_idx(folder / IMAGES_FILE, images)
    write_idx(folder / LABELS_FILE, labels)


def test_reads_a_small_folder_of_its_own(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(20, 28, 28)).astype(np.uint8)
    labels = np.repeat(np.arange(10), 2).astype(np.uint8)
    _write_pair(tmp_path, images, labels)
    d = load_mnist("all", directory=tmp_path)
    np.testing.assert_allclose(d.images * 255, images)
    train = load_mnist("train", directory=tmp_path)
    # 2 images per class: the stratified split puts one of each class in each part.
    np.testing.assert_array_equal(np.bincount(train.target), np.ones(10))


@pytest.mark.parametrize("which, images, labels, message", [
    ("images", np.zeros((3, 28, 27), np.uint8), np.zeros(3, np.uint8), r"\(n, 28, 28\).*\(3, 28, 27\)"),
    ("images", np.zeros((3, 28, 28), np.float32), np.zeros(3, np.uint8), "uint8.*float32"),
    ("labels", np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8), "expected 3 labels.*holds 4"),
    ("labels", np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 12], np.uint8), "0..9.*12"),
    ("labels", np.zeros((3, 28, 28), np.uint8), np.zeros((3, 1), np.uint8), r"\(n,\).*\(3, 1\)"),
])
def test_wrong_type_or_shape_names_the_file_and_what_was_expected(tmp_path, which, images,
                                                                  labels, message):
    _write_pair(tmp_path, images, labels)
    with pytest.raises(ValueError, match=message) as info:
        load_mnist(directory=tmp_path)
    name = IMAGES_FILE if which == "images" else LABELS_FILE
    assert str(tmp_path / name) in str(info.value) and "\n" not in str(info.value)


def test_missing_truncated_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{IMAGES_FILE}.*not found.*28, 28"):
        load_mnist(directory=tmp_path)
    _write_pair(tmp_path, np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8))
    raw = (tmp_path / IMAGES_FILE).read_bytes()
    (tmp_path / IMAGES_FILE).write_bytes(raw[: len(raw) // 2])        # cut gzip stream
    with pytest.raises(ValueError, match=f"{IMAGES_FILE}.*truncated"):
        load_mnist(directory=tmp_path)
    # A complete gzip stream whose IDX data is short: 3 images announced, 2 given.
    header = struct.pack(">BBBBIII", 0, 0, 0x08, 3, 3, 28, 28)
    (tmp_path / IMAGES_FILE).write_bytes(gzip.compress(header + bytes(2 * 784)))
    with pytest.raises(ValueError, match=f"{IMAGES_FILE}.*truncated"):
        load_mnist(directory=tmp_path)
    (tmp_path / IMAGES_FILE).write_bytes(b"\x1f\x8b" + b"not gzip at all")
    with pytest.raises(ValueError, match=f"{IMAGES_FILE}.*corrupt"):
        load_mnist(directory=tmp_path)


def test_read_mnist_files_returns_bytes_and_int64_labels(tmp_path):
    _write_pair(tmp_path, np.full((2, 28, 28), 7, np.uint8), np.array([3, 9], np.uint8))
    images, labels = read_mnist_files(tmp_path / IMAGES_FILE, tmp_path / LABELS_FILE)
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [3, 9])


def test_bad_split_name_is_refused_in_one_line():
    with pytest.raises(ValueError, match="split must be one of.*'valid'"):
        load_mnist("valid")


def test_random_shifts_move_each_image_by_at_most_max_shift_pixels():
    from scratchgen.datasets.mnist import random_shifts
    rng = np.random.default_rng(0)
    images = np.zeros((200, 28, 28), np.float32)
    images[:, 4:24, 4:24] = rng.random((200, 20, 20))      # a blank border of 4 pixels
    out = random_shifts(images.reshape(200, 784), max_shift=2, rng=1).reshape(200, 28, 28)
    seen = set()
    for image, moved in zip(images, out):
        # Inside the blank border a shift is a cyclic roll: find the one that matches.
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(np.roll(image, (dy, dx), axis=(0, 1)), moved)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) == 25                                  # all 5 x 5 shifts drawn
    edge = np.ones((1, 28, 28), np.float32)
    assert random_shifts(edge, 2, rng=3).sum() >= 26 * 26   # pixels leaving the frame: 0 fill
    np.testing.assert_array_equal(random_shifts(images, 0, rng=0), images)
