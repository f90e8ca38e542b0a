"""Tests of the digits loader, train_test_split and stacked digits."""
import os

import numpy as np
import pytest

import scratchgen.datasets.digits as digits_module
from scratchgen.datasets import load_digits, stacked_digits, train_test_split

# Published facts about the data (UCI optdigits test part as shipped by
# scikit-learn), not computed by our code: class sizes, first labels and the
# first row of the first image (a zero), in counts 0..16.
CLASS_SIZES = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
FIRST_ROW_OF_FIRST_IMAGE = [0, 0, 5, 13, 9, 1, 0, 0]


def test_load_digits_shapes_dtypes_and_known_values():
    d = load_digits()
    assert d.data.shape == (1797, 64) and d.data.dtype == np.float64
    assert d.images.shape == (1797, 8, 8)
    assert d.target.shape == (1797,) and d.target.dtype == np.int64
    assert len(d) == 1797
    assert d.data.min() == 0.0 and d.data.max() == 1.0
    counts = d.data * 16
    np.testing.assert_array_equal(counts, np.round(counts))     # 17 grey levels
    np.testing.assert_array_equal(np.bincount(d.target), CLASS_SIZES)
    np.testing.assert_array_equal(d.target[:10], np.arange(10))
    np.testing.assert_array_equal(d.images[0, 0] * 16, FIRST_ROW_OF_FIRST_IMAGE)
    np.testing.assert_array_equal(d.images.reshape(1797, 64), d.data)


def test_return_X_y_and_fresh_arrays_per_call():
    X, y = load_digits(return_X_y=True)
    X[0, 0] = 99.0
    X2, y2 = load_digits(return_X_y=True)
    assert X2[0, 0] == 0.0
    np.testing.assert_array_equal(y, y2)


def test_data_files_have_plain_arrays_and_the_package_copy_matches_the_repo_file():
    with np.load(digits_module._PACKAGE_PATH, allow_pickle=False) as f:
        assert sorted(f.files) == ["images", "target"]
        assert f["images"].dtype == np.uint8 and f["target"].dtype == np.int64
    if os.path.exists(digits_module._REPO_PATH):  # absent in a non-editable install
        with open(digits_module._PACKAGE_PATH, "rb") as a, open(digits_module._REPO_PATH, "rb") as b:
            assert a.read() == b.read()


def test_missing_data_file_gives_a_clear_error(monkeypatch, tmp_path):
    from scratchgen.datasets import _shipped
    monkeypatch.setattr(_shipped, "PACKAGE_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(_shipped, "REPO_DIR", str(tmp_path / "none2"))
    with pytest.raises(FileNotFoundError, match="export_digits"):
        load_digits()


def test_train_test_split_partitions_rows_reproducibly():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50) % 3
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, rng=0)
    assert len(Xte) == 10 and len(Xtr) == 40
    rows = np.concatenate([Xtr[:, 0], Xte[:, 0]]) // 2
    np.testing.assert_array_equal(np.sort(rows), np.arange(50))   # each row exactly once
    np.testing.assert_array_equal(ytr, (Xtr[:, 0] // 2) % 3)       # y stays with its row
    again = train_test_split(X, y, test_size=0.2, rng=0)
    np.testing.assert_array_equal(again[1], Xte)
    other = train_test_split(X, y, test_size=0.2, rng=1)
    assert not np.array_equal(other[1], Xte)
    Xtr2, Xte2 = train_test_split(X, test_size=0.2, rng=0)
    assert len(Xtr2) == 40 and len(Xte2) == 10


def test_stratified_split_keeps_class_shares():
    _, y = load_digits(return_X_y=True)
    X = np.arange(len(y))
    _, _, _, yte = train_test_split(X, y, test_size=0.2, rng=0, stratify=True)
    # Each class contributes round(0.2 * size) test rows.
    np.testing.assert_array_equal(np.bincount(yte), np.round(0.2 * np.array(CLASS_SIZES)))


@pytest.mark.parametrize("kwargs", [dict(test_size=0.0), dict(test_size=1.0), dict(stratify=True)])
def test_train_test_split_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        train_test_split(np.zeros((10, 2)), **kwargs)


def test_stacked_digits_places_three_digits_side_by_side():
    # Ten constant images: image k has every pixel equal to k / 10, label k.
    X = np.repeat(np.arange(10)[:, None] / 10.0, 64, axis=1)
    y = np.arange(10)
    images, labels = stacked_digits(300, rng=0, X=X, y=y)
    assert images.shape == (300, 192) and labels.dtype == np.int64
    blocks = images.reshape(300, 8, 3, 8)                  # (n, row, position, column)
    digit = np.rint(blocks[:, 0, :, 0] * 10).astype(int)   # value of each 8x8 block
    np.testing.assert_array_equal(blocks, np.broadcast_to(digit[:, None, :, None] / 10, blocks.shape))
    np.testing.assert_array_equal(labels, 100 * digit[:, 0] + 10 * digit[:, 1] + digit[:, 2])


def test_stacked_digits_from_real_digits_have_1000_modes():
    images, labels = stacked_digits(20_000, rng=1)
    assert images.shape == (20_000, 192)
    # Each of the 1000 labels has probability 1/1000: P(one is missing) ~ 1000 e^-20.
    assert len(np.unique(labels)) == 1000
    d = load_digits()
    first = images[0].reshape(8, 24)
    a, b, c = labels[0] // 100, labels[0] // 10 % 10, labels[0] % 10
    for pos, digit in enumerate((a, b, c)):
        block = first[:, 8 * pos:8 * pos + 8].ravel()
        match = np.flatnonzero(np.all(d.data == block, axis=1))
        assert len(match) >= 1 and np.all(d.target[match] == digit)
