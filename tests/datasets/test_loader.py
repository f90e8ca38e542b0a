"""Tests of DataLoader."""
import numpy as np
import pytest

from scratchgen.datasets import DataLoader


def test_one_epoch_visits_every_row_once_with_y_aligned():
    X = np.arange(10)[:, None] * np.ones((1, 3))
    y = np.arange(10) * 7
    loader = DataLoader(X, y, batch_size=4, rng=0)
    assert len(loader) == 3
    batches = list(loader)
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    seen = np.concatenate([xb[:, 0] for xb, _ in batches]).astype(int)
    np.testing.assert_array_equal(np.sort(seen), np.arange(10))
    for xb, yb in batches:
        np.testing.assert_array_equal(yb, xb[:, 0] * 7)


def test_drop_last_and_no_shuffle():
    loader = DataLoader(np.arange(10), batch_size=4, shuffle=False, drop_last=True)
    assert len(loader) == 2
    np.testing.assert_array_equal(np.concatenate(list(loader)), np.arange(8))
    assert len(DataLoader(np.arange(8), batch_size=4, drop_last=True)) == 2


def test_reshuffles_each_epoch_and_a_seed_fixes_the_sequence():
    a = DataLoader(np.arange(50), batch_size=50, rng=5)
    b = DataLoader(np.arange(50), batch_size=50, rng=np.random.default_rng(5))
    a1, a2 = next(iter(a)), next(iter(a))
    assert not np.array_equal(a1, a2)           # P(same permutation) = 1/50!
    np.testing.assert_array_equal(next(iter(b)), a1)
    np.testing.assert_array_equal(next(iter(b)), a2)


def test_batches_are_copies():
    X = np.zeros(6)
    for xb in DataLoader(X, batch_size=3, rng=0):
        xb += 1
    np.testing.assert_array_equal(X, 0)


@pytest.mark.parametrize("kwargs, error", [
    (dict(batch_size=0), ValueError),
    (dict(batch_size=2.5), TypeError),
    (dict(y=np.zeros(3)), ValueError),
    (dict(rng="x"), TypeError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        DataLoader(np.zeros(5), **kwargs)
