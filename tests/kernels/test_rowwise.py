"""pairwise_sq_distances and logsumexp_rows: kernel vs twin, twin vs references."""
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scratchgen import kernels
from scratchgen.kernels import numpy_twins
from scratchgen.testing import on_both_backends
from scratchgen.testing.strategies import float_arrays

dtypes = st.sampled_from([np.float32, np.float64])


@st.composite
def point_sets(draw, max_abs=1e4):
    dtype = draw(dtypes)
    n, m, d = draw(st.integers(0, 5)), draw(st.integers(0, 5)), draw(st.integers(1, 4))
    return draw(float_arrays(dtype, (n, d), max_abs)), draw(float_arrays(dtype, (m, d), max_abs))


@given(point_sets())
def test_pairwise_kernel_matches_twin(assert_within, points):
    a, b = points
    twin, kernel = on_both_backends(kernels.pairwise_sq_distances, a, b)
    assert twin.shape == kernel.shape == (a.shape[0], b.shape[0]) and kernel.dtype == a.dtype
    # Differences are rounded identically; the d squares and d - 1 additions add at most
    # d + 1 roundings of terms no larger than the result itself.
    assert_within(kernel, twin, twin, 2 * (a.shape[1] + 2), a.dtype)


@given(seed=st.integers(0, 2**32 - 1))
def test_pairwise_twin_matches_definition(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    expected = [[sum((a[i, k] - b[j, k]) ** 2 for k in range(3)) for j in range(5)] for i in range(4)]
    np.testing.assert_allclose(numpy_twins.pairwise_sq_distances(a, b), expected, rtol=1e-14)


def test_pairwise_has_no_cancellation_far_from_the_origin():
    # Points near 1e4 that differ by exact binary fractions: |a|^2 + |b|^2 - 2 a.b would
    # lose everything below 1e8 * eps(float32) ~ 10 and could even go negative.
    center = np.full((1, 2), 1e4)
    a = (center + np.array([[0.5, 0.0], [0.0, 0.0]])).astype(np.float32)
    b = (center + np.array([[0.0, 0.25]])).astype(np.float32)
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend):
            np.testing.assert_array_equal(kernels.pairwise_sq_distances(a, b),
                                          np.array([[0.3125], [0.0625]], np.float32))


@st.composite
def row_arrays(draw, max_abs=1e4):
    dtype = draw(dtypes)
    shape = (draw(st.integers(0, 5)), draw(st.integers(1, 5)))
    return draw(float_arrays(dtype, shape, max_abs))


@given(row_arrays())
def test_logsumexp_kernel_matches_twin(assert_within, a):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        twin, kernel = on_both_backends(kernels.logsumexp_rows, a)
    assert twin.shape == kernel.shape == (a.shape[0],) and kernel.dtype == a.dtype
    # a - max is rounded with error eps |a|; exp turns that into a relative error of the
    # summands, so the result is off by ~(d + 4) eps times (1 + max |a|) at most.
    scale = 1 + np.max(np.abs(a), axis=1, initial=0)
    assert_within(kernel, twin, scale, 2 * (a.shape[1] + 4), a.dtype)


@given(seed=st.integers(0, 2**32 - 1), shift=st.sampled_from([0.0, 1e4, -1e4]))
def test_logsumexp_twin_matches_definition_and_shifts(seed, shift):
    a = np.random.default_rng(seed).uniform(-20, 20, size=(3, 4))
    expected = [math.log(sum(math.exp(v) for v in row)) for row in a]  # no overflow at |a| <= 20
    with np.errstate(over="raise", invalid="raise"):
        out = numpy_twins.logsumexp_rows(a + shift)
    # log-sum-exp(a + c) = log-sum-exp(a) + c; exp(1e4) itself would overflow.
    np.testing.assert_allclose(out, np.array(expected) + shift, rtol=1e-13, atol=1e-12)


def test_logsumexp_rows_of_infinities():
    a = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [-np.inf, 0.0]])
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend):
            np.testing.assert_array_equal(kernels.logsumexp_rows(a), [-np.inf, np.inf, 0.0])
