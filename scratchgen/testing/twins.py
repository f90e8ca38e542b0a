"""Checking a Numba kernel against its NumPy twin.

    twin, kernel = on_both_backends(kernels.softplus, x)
    np.testing.assert_allclose(kernel, twin, rtol=...)

The twin is the specification; a kernel is correct when it agrees with it.
"""
from scratchgen import kernels

__all__ = ["on_both_backends"]


def on_both_backends(fn, *args):
    """fn(*args) computed with the NumPy twins and with the Numba kernels,
    as the pair (twin_result, kernel_result)."""
    with kernels.use_backend("numpy"):
        twin = fn(*args)
    with kernels.use_backend("numba"):
        kernel = fn(*args)
    return twin, kernel
