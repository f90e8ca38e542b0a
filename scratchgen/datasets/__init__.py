"""scratchgen.datasets: small data sets and minibatches.

* 2-D toy sets: ``ring``, ``grid`` (mode-collapse benchmarks of VEEGAN and
  PacGAN) with ``ring_centers``, ``grid_centers``; ``RING_PRESETS``: the
  one ring, with a named preset for each part that uses it; ``moons``,
  ``swiss_roll_2d``, ``gaussian_blobs``; ``with_outliers`` for anomaly detection.
* Digits: ``load_digits`` (UCI 8x8 digits, CC BY 4.0), ``train_test_split``,
  ``stacked_digits`` (1000-mode "stacked MNIST" at 8x8 scale).
* Text: ``load_stories`` (399 public-domain short stories from four Project
  Gutenberg books, split by story into train / validation / test).
* MNIST: ``load_mnist`` (the official 10,000 MNIST test images, CC BY-SA
  3.0, split 8,000 / 2,000 stratified with seed 0), ``read_mnist_files``;
  ``stacked_mnist`` / ``stacked_mnist_sampler`` (three MNIST digits as the
  channels of one 2352-pixel image: 1000 modes).
* Fashion-MNIST: ``load_fashion_mnist`` (70,000 images of clothing, MNIST's
  format; read from Debian's package ``dataset-fashion-mnist`` when it is
  installed, never shipped or downloaded).
* Files: ``read_idx`` / ``write_idx`` for MNIST's IDX format.
* ``DataLoader``: shuffled minibatches of arrays.
"""
from scratchgen.datasets.digits import Digits, load_digits, stack_label, stacked_digits, train_test_split
from scratchgen.datasets.idx import read_idx, write_idx
from scratchgen.datasets.fashion_mnist import load_fashion_mnist
from scratchgen.datasets.loader import DataLoader
from scratchgen.datasets.mnist import load_mnist, read_mnist_files
from scratchgen.datasets.stacked_mnist import stacked_mnist, stacked_mnist_sampler, stacked_mnist_side_by_side
from scratchgen.datasets.stories import Story, StorySplit, load_stories
from scratchgen.datasets.toy2d import (
    RING_PRESETS,
    gaussian_blobs,
    grid,
    grid_centers,
    moons,
    ring,
    ring_centers,
    ring_preset,
    swiss_roll_2d,
    with_outliers,
)

__all__ = [
    "ring",
    "RING_PRESETS",
    "ring_preset",
    "grid",
    "ring_centers",
    "grid_centers",
    "moons",
    "swiss_roll_2d",
    "gaussian_blobs",
    "with_outliers",
    "Digits",
    "load_digits",
    "train_test_split",
    "stacked_digits",
    "stack_label",
    "load_mnist",
    "load_fashion_mnist",
    "read_mnist_files",
    "stacked_mnist",
    "stacked_mnist_sampler",
    "stacked_mnist_side_by_side",
    "read_idx",
    "write_idx",
    "DataLoader",
    "Story",
    "StorySplit",
    "load_stories",
]
