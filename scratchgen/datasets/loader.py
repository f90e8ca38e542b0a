"""Minibatches for training loops.

``DataLoader`` follows the name and arguments of ``torch.utils.data.DataLoader``
for arrays: ``for xb in DataLoader(X, batch_size=64, rng=0)`` (or
``for xb, yb in DataLoader(X, y, ...)``) yields NumPy arrays.
"""
import numpy as np

from scratchgen.datasets._checks import as_generator, check_count

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over minibatches of rows of ``X`` (and ``y``).

    Parameters
    ----------
    X : array (n, ...)
    y : array (n, ...) or None
    batch_size : int, rows per batch (the last batch may be smaller)
    shuffle : bool, draw a new random order at the start of every epoch
    drop_last : bool, skip the last batch when it has fewer than batch_size rows
    rng : Generator or int seed; the orders of successive epochs are
        successive draws from it, so a seed fixes the whole sequence.

    Each ``iter()`` is one epoch. Batches are copies (fancy indexing), so a
    training step may modify them freely. ``len(loader)`` is the number of
    batches per epoch: ceil(n / batch_size), or floor with ``drop_last``.
    """

    def __init__(self, X, y=None, batch_size=64, shuffle=True, drop_last=False, rng=None):
        self.X = np.asarray(X)
        if self.X.ndim == 0:
            raise ValueError("X must be an array with one row per example, got a scalar")
        self.y = None if y is None else np.asarray(y)
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(
                f"X and y must have the same number of rows, got {len(self.X)} and {len(self.y)}"
            )
        self.batch_size = check_count(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = as_generator(rng)

    def __len__(self):
        n = len(self.X)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for b in range(len(self)):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            if self.y is None:
                yield self.X[idx]
            else:
                yield self.X[idx], self.y[idx]

    def __repr__(self):
        return (
            f"DataLoader(n={len(self.X)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
