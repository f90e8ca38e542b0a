"""Fixtures of the latent tests: float64 models for gradient checks, a digits subset."""
import numpy as np
import pytest


def _as_float64(model):
    """Cast every parameter of ``model`` to float64 in place (for finite differences)."""
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    return model


def _digits_subset(n=240, seed=0):
    """``n`` digits of a fixed shuffle, (n, 64) in [0, 1], and their labels."""
    from scratchgen.datasets import load_digits
    data = load_digits()
    idx = np.random.default_rng(seed).permutation(len(data.target))[:n]
    return data.data[idx], data.target[idx]


@pytest.fixture
def as_float64():
    return _as_float64


@pytest.fixture
def digits_subset():
    return _digits_subset
