"""standard_normal_: the Numba kernel gives NumPy's own numbers and leaves the
generator in NumPy's state; the twin is NumPy's call; the memory setting."""
import numpy as np
import pytest

from scratchgen import kernels
from scratchgen.kernels import memory, numba_kernels, numpy_twins

BIT_GENERATORS = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox,
                  np.random.MT19937)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bit_generator", BIT_GENERATORS)
def test_kernel_draws_numpys_numbers_and_leaves_the_same_state(bit_generator, dtype):
    # 3 million draws pass through the ziggurat's rare branches (wedge: ~0.7% of draws;
    # tail: ~0.03%): the wedge tested with a float32 exp instead of a double one
    # (Numba's own float32 standard_normal) first differed from NumPy after ~1.3 million.
    ours, numpys = np.random.Generator(bit_generator(7)), np.random.Generator(bit_generator(7))
    out = np.empty(3_000_000, dtype)
    numba_kernels.standard_normal_(ours, out)
    expected = numpys.standard_normal(out.shape, dtype=dtype)
    assert np.array_equal(out, expected)
    assert np.abs(expected).max() > 3.66  # the tail branch (beyond r = 3.654) was taken
    # same state afterwards: the next draws of every kind agree
    assert np.array_equal(ours.integers(0, 2**62, 5), numpys.integers(0, 2**62, 5))
    assert np.array_equal(ours.random(3, dtype=np.float32), numpys.random(3, dtype=np.float32))


def test_kernel_refills_exactly_on_small_draws():
    # Few numbers at a time: the integers drawn run out in the middle of a rejection
    # far more often (each refill must then draw no more than NumPy will have read).
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    for size in [1, 2, 3, 5] * 2500:
        out = np.empty(size, np.float32)
        numba_kernels.standard_normal_(ours, out)
        assert np.array_equal(out, numpys.standard_normal(size, dtype=np.float32))
    assert np.array_equal(ours.random(4), numpys.random(4))


@pytest.mark.parametrize("backend", kernels.BACKENDS)
@pytest.mark.parametrize("shape", [(0,), (1,), (5, 3), (2, 3, 4)])
def test_public_function_fills_any_shape_as_rng_standard_normal(backend, shape):
    out = np.full(shape, np.nan, np.float32)
    with kernels.use_backend(backend):
        assert kernels.standard_normal_(np.random.default_rng(3), out) is None
    np.testing.assert_array_equal(out, np.random.default_rng(3).standard_normal(shape, dtype=np.float32))


def test_twin_is_numpys_call():
    out = np.empty(10)
    numpy_twins.standard_normal_(np.random.default_rng(1), out)
    np.testing.assert_array_equal(out, np.random.default_rng(1).standard_normal(10))


@pytest.mark.parametrize("bad, match", [
    (dict(rng=3), "rng must be a numpy.random.Generator .*got int"),
    (dict(out=np.empty(3, np.int64)), "out must have dtype float32 or float64"),
    (dict(out=np.empty((4, 4))[:, 0]), "out must be C-contiguous"),
    (dict(out=[0.0, 1.0]), "out must be a numpy.ndarray"),
])
def test_bad_arguments_are_refused_in_one_line(bad, match):
    args = dict(rng=np.random.default_rng(0), out=np.empty(3))
    args.update(bad)
    with pytest.raises((TypeError, ValueError), match=match):
        kernels.standard_normal_(**args)


def test_retain_freed_memory_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(memory.ENV_VAR, "0")
    assert memory._apply() is False
    assert isinstance(kernels.retain_freed_memory(), bool)  # once per process, cached
    assert kernels.retain_freed_memory() is kernels.retain_freed_memory()
