"""One BLAS thread for the command line.

scratchgen multiplies small matrices (64-256 wide). A multi-threaded
OpenBLAS spends more time waking and syncing its threads than computing on
such sizes, and on a busy 2-core laptop the threads fight the Python thread:
we measured one GAN step (MLP 64 wide, batch 128) at 43 ms with the default
threads and 2 ms with one thread. So the commands use one BLAS thread,
unless the user chose a number with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS.
"""
import ctypes
import glob
import os

from contextlib import contextmanager

__all__ = ["blas_threads"]

_USER_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def blas_threads(n=1):
    """Within the block, BLAS uses ``n`` threads (best effort; restored after)."""
    if any(os.environ.get(v) for v in _USER_VARIABLES):
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(n, user_api="blas"):
            yield
        return
    lib = _openblas()
    if lib is None:
        yield
        return
    set_threads, get_threads = lib
    before = get_threads()
    set_threads(int(n))
    try:
        yield
    finally:
        set_threads(before)


def _openblas():
    """(set_num_threads, get_num_threads) of NumPy's bundled OpenBLAS, or None."""
    import numpy
    here = os.path.dirname(numpy.__file__)
    for path in glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*")) + \
            glob.glob(os.path.join(here, ".dylibs", "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                               ("openblas", "64_"), ("openblas", "")):
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                return setter, getter
    return None
