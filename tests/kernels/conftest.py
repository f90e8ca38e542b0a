"""Helper shared by the kernel tests: a dtype-aware closeness check.

Tolerances are written as ``ulps * eps(dtype) * scale`` where ``scale`` is the
magnitude of the terms that enter the computation (not only of the result),
because both backends round each of those terms once or a few times; each test
says which scale and how many roundings it expects.
"""
import numpy as np
import pytest


def eps(dtype):
    return float(np.finfo(dtype).eps)


def _assert_within(actual, expected, scale, ulps, dtype):
    """|actual - expected| <= ulps * eps(dtype) * scale (+ the smallest normal, for underflow)."""
    dtype = np.dtype(dtype)
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.all(np.isfinite(actual) == np.isfinite(expected)), (actual, expected)
    finite = np.isfinite(expected)
    assert np.array_equal(actual[~finite], expected[~finite]), (actual, expected)
    bound = ulps * eps(dtype) * np.broadcast_to(np.asarray(scale, dtype=np.float64), expected.shape)
    bound = bound + np.finfo(dtype).tiny
    error = np.abs(actual[finite].astype(np.float64) - expected[finite].astype(np.float64))
    worst = np.max(error - bound[finite], initial=-np.inf)
    assert worst <= 0, f"error exceeds {ulps} ulp * scale by {worst}:\n{actual}\n{expected}"


@pytest.fixture(scope="session")
def assert_within():
    return _assert_within

