"""Stacked MNIST: three images as channels, labelled 100 a + 10 b + c."""
import numpy as np
import pytest

from scratchgen.datasets import stack_label, stacked_mnist, stacked_mnist_sampler


def _constant_images():
    # Image i has every pixel equal to i / 10 and label i: each channel says which image it is.
    X = np.repeat(np.arange(10, dtype=np.float32)[:, None] / 10, 784, axis=1)
    return X, np.arange(10)


def test_channels_are_three_independent_images_and_the_label_reads_them_in_order():
    X, y = _constant_images()
    images, labels = stacked_mnist(2000, rng=0, X=X, y=y)
    assert images.shape == (2000, 2352) and images.dtype == np.float32
    channels = images.reshape(2000, 3, 784)
    assert np.all(channels == channels[:, :, :1])            # each channel one whole image
    digits = np.rint(channels[:, :, 0] * 10).astype(int)     # which image, per channel
    assert np.array_equal(labels, 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2])
    # Independent uniform channels: every one of the 1000 modes appears with 2000 draws in
    # expectation 1000 (1 - e^-2) = 865 times; each digit's share is near 1/10 (5 sd ~ 0.03).
    assert 820 < len(np.unique(labels)) < 910
    for k in range(3):
        assert np.abs(np.bincount(digits[:, k], minlength=10) / 2000 - 0.1).max() < 0.035


def test_same_rng_same_stacks_and_the_sampler_draws_the_same_way():
    X, y = _constant_images()
    a = stacked_mnist(50, rng=3, X=X, y=y, return_labels=False)
    assert np.array_equal(a, stacked_mnist(50, rng=3, X=X, y=y)[0])
    assert np.array_equal(a, stacked_mnist_sampler(X, y)(50, np.random.default_rng(3)))


def test_stack_label_and_bad_inputs():
    assert list(stack_label([[3, 0, 7], [0, 0, 1]])) == [307, 1]
    with pytest.raises(ValueError, match="784"):
        stacked_mnist(3, X=np.zeros((5, 64)), y=np.zeros(5))
    with pytest.raises(ValueError, match="both"):
        stacked_mnist(3, y=np.zeros(5))
    with pytest.raises(ValueError, match="n_digits"):
        stack_label([1, 2, 3])
