"""Stacked MNIST: three MNIST digits as the three colour channels of one image.

The standard test of mode collapse on images (Metz et al. 2017, "Unrolled
generative adversarial networks", sec. 3.3.2; Srivastava et al. 2017,
VEEGAN, Table 2; Lin et al. 2018, PacGAN, Table 2): draw three MNIST
images independently and uniformly, put them in the red, green and blue
channels of a 3 x 28 x 28 image. The digits (a, b, c) make one of
10^3 = 1000 modes, label 100 a + 10 b + c (``digits.stack_label``), all
equally likely: a generator that covers the data covers 1000 modes evenly,
and the reverse KL of its mode histogram to uniform is near 0.

Here the channels come from the 8,000 training images of the fixed split
(``load_mnist("train")``), so there are 8,000^3 = 5 * 10^11 distinct
stacks: ``stacked_mnist_sampler`` draws fresh ones for every minibatch.
Row layout: channel-major, ``images.reshape(n, 3, 28, 28)`` gives the
channels (the first 784 numbers are the first digit).
"""
import numpy as np

from scratchgen.datasets._checks import as_generator, check_count
from scratchgen.datasets.digits import stack_label

__all__ = ["stacked_mnist", "stacked_mnist_sampler", "stacked_mnist_side_by_side",
           "STACKED_MNIST_DIM", "N_CHANNELS"]

N_CHANNELS = 3
STACKED_MNIST_DIM = N_CHANNELS * 28 * 28  # 2352


def stacked_mnist(n, rng=None, X=None, y=None, return_labels=True):
    """``n`` stacked MNIST images: three independent uniform draws from ``X``.

    n     : number of images
    rng   : int or Generator for the draws
    X, y  : (n_images, 784) images in [0, 1] and their labels (n_images,);
            default the MNIST training split, ``load_mnist("train")``
    Returns ``images`` float32 (n, 2352), channel-major (reshape to
    (n, 3, 28, 28)), and, when ``return_labels``, the modes (n,) int64
    100 a + 10 b + c of the digits a, b, c of channels 0, 1, 2.
    """
    n = check_count(n, "n", minimum=0)
    X, y = _images(X, y)
    picks = as_generator(rng).integers(0, len(X), size=(n, N_CHANNELS))
    images = X[picks].reshape(n, STACKED_MNIST_DIM)
    if not return_labels:
        return images
    return images, stack_label(y[picks])


def stacked_mnist_sampler(X=None, y=None):
    """A data sampler ``(m, rng) -> (m, 2352) float32`` of fresh stacks of ``X``.

    For ``GAN.train``: every minibatch is new stacks (infinite data, as the
    toy sets; the training images are loaded once, here).
    """
    X, y = _images(X, y)

    def sample(m, rng):
        return stacked_mnist(m, rng=rng, X=X, y=y, return_labels=False)
    return sample


def stacked_mnist_side_by_side(images):
    """Stacked images (n, 2352) as (n, 28, 84) grey-scale pictures, the three
    channels side by side (for ``viz.image_grid``: a colour picture would mix
    the three digits into one blot)."""
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != STACKED_MNIST_DIM:
        raise ValueError(f"stacked_mnist_side_by_side: expected images of shape (n, "
                         f"{STACKED_MNIST_DIM}), got {images.shape}")
    n = len(images)
    return images.reshape(n, N_CHANNELS, 28, 28).transpose(0, 2, 1, 3).reshape(n, 28, N_CHANNELS * 28)


def _images(X, y):
    if X is None:
        if y is not None:
            raise ValueError("stacked_mnist: pass both X and y, or neither")
        from scratchgen.datasets.mnist import load_mnist
        X, y = load_mnist("train", return_X_y=True)
    X = np.asarray(X, dtype=np.float32)
    y = np.zeros(len(X), dtype=np.int64) if y is None else np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 784 or len(y) != len(X) or len(X) == 0:
        raise ValueError(f"stacked_mnist: X must be (n_images, 784) with y (n_images,), "
                         f"got X {X.shape} and y {y.shape}")
    return X, y
