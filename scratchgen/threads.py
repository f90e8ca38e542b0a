"""One thread policy for the library: how many threads BLAS and Numba use.

    import scratchgen as sg
    sg.set_num_threads(2)        # BLAS (NumPy's matrix products) and Numba's parallel loops
    sg.get_num_threads()         # {'blas': 2, 'numba': 2}, as the libraries report it
    sg.apply_thread_policy()     # SCRATCHGEN_NUM_THREADS if set, else the defaults below

Where threads are used
----------------------
* BLAS, inside ``@`` / ``np.matmul`` (every layer). scratchgen multiplies small
  matrices (64-256 wide): a multi-threaded OpenBLAS spends more time waking and
  syncing its threads than computing on such sizes, and on a busy 2-core laptop
  the threads fight the Python thread (one GAN step, MLP 64 wide, batch 128:
  43 ms with OpenBLAS's default threads, 2 ms with one). Float sums split
  across threads also change the rounding, so results would depend on the
  thread count.
* Numba's parallel loops and scratchgen's own compiled loops run in threads:
  Metropolis-Hastings chains in parallel (``mcmc/engine_numba.py``) use
  Numba's thread count. Each chain is computed by one thread in a fixed order,
  so the chains are the same whatever the number.

The policy
----------
``apply_thread_policy()`` is what the command line, the lectures and the
benchmarks call first: with ``SCRATCHGEN_NUM_THREADS=n`` set, both use n
threads; without it BLAS uses 1 thread (unless you chose a number with
``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``) and Numba
keeps its default, one thread per core. ``import scratchgen`` alone changes
nothing. Numba cannot use more threads than it started with
(``NUMBA_NUM_THREADS``, default the number of cores): a larger request is
capped there.

The BLAS count is set through threadpoolctl when it is installed, otherwise
through the ``openblas_set_num_threads`` function of NumPy's bundled OpenBLAS
(ctypes); with another BLAS the BLAS part is a no-op (``get_num_threads``
then reports None for it). Numba is touched only when the kernel backend is
"numba" (``scratchgen.kernels``).
"""
import contextlib
import ctypes
import glob
import os
import sys

from scratchgen.validation import check_int

__all__ = ["ENV_VAR", "set_num_threads", "get_num_threads", "num_threads",
           "apply_thread_policy", "thread_policy", "threads_from_environment", "apply_to_numba",
           "parallel_threads"]

ENV_VAR = "SCRATCHGEN_NUM_THREADS"
_BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_numba_threads = None  # what set_num_threads asked of Numba, applied whenever Numba runs


def _check(n, name):
    """n as an int >= 1; the error names ``name`` (an argument or the environment variable)."""
    return check_int(n, name, minimum=1)


def threads_from_environment():
    """The int in SCRATCHGEN_NUM_THREADS, or None when it is unset or empty."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"environment variable {ENV_VAR} must be a positive integer, "
                         f"got {text!r}") from None
    if value < 1:
        raise ValueError(f"environment variable {ENV_VAR} must be a positive integer, got {value}")
    return value


def set_num_threads(n):
    """Use ``n`` threads for BLAS and for Numba's parallel loops (n >= 1, an int).

    Like ``torch.set_num_threads``: process-wide, until changed. Numba's count
    is capped at ``NUMBA_NUM_THREADS`` (fixed when Numba starts) and applied
    in the thread that runs a parallel kernel.
    """
    global _numba_threads
    n = _check(n, "set_num_threads: n")
    _set_blas(n)
    _numba_threads = n
    apply_to_numba()


def get_num_threads():
    """{'blas': int or None, 'numba': int or None}: what the libraries report now.

    None for BLAS when its count cannot be read (no threadpoolctl, not
    OpenBLAS); None for Numba when the kernel backend is not "numba" or Numba
    was not imported yet.
    """
    numba = sys.modules.get("numba")
    return {"blas": _get_blas(), "numba": numba.get_num_threads() if _numba_active(numba) else None}


@contextlib.contextmanager
def num_threads(n):
    """Context manager: ``set_num_threads(n)`` inside the block, the previous counts after."""
    n = _check(n, "num_threads: n")
    saved = _snapshot()
    set_num_threads(n)
    try:
        yield
    finally:
        _restore(saved)


def _snapshot():
    numba = sys.modules.get("numba")
    return _get_blas(), _numba_threads, numba.get_num_threads() if _numba_active(numba) else None


def _restore(saved):
    global _numba_threads
    blas, _numba_threads, numba_now = saved
    if blas is not None:
        _set_blas(blas)
    if numba_now is not None:
        sys.modules["numba"].set_num_threads(numba_now)


def apply_thread_policy():
    """Apply the policy (module docstring): SCRATCHGEN_NUM_THREADS, else BLAS 1 thread.

    Returns the number applied to both, or None when the defaults were used.
    A bad SCRATCHGEN_NUM_THREADS raises a one-line ValueError.
    """
    n = threads_from_environment()
    if n is not None:
        set_num_threads(n)
        return n
    if not any(os.environ.get(v) for v in _BLAS_VARIABLES):  # the user's own choice wins
        _set_blas(1)
    return None


@contextlib.contextmanager
def thread_policy():
    """Context manager: ``apply_thread_policy()`` inside the block, previous counts after."""
    saved = _snapshot()
    try:
        apply_thread_policy()
        yield
    finally:
        _restore(saved)


def apply_to_numba():
    """Set Numba's thread count (calling thread) to what ``set_num_threads`` asked, if anything."""
    numba = sys.modules.get("numba")
    if _numba_threads is not None and _numba_active(numba):
        numba.set_num_threads(min(_numba_threads, numba.config.NUMBA_NUM_THREADS))


def parallel_threads():
    """Threads for scratchgen's own parallel loops (MH chains): Numba's count, policy applied."""
    numba = sys.modules.get("numba")
    if not _numba_active(numba):
        return 1
    apply_to_numba()
    return numba.get_num_threads()


def _numba_active(numba):
    from scratchgen.kernels.backend import get_backend
    return numba is not None and get_backend() == "numba"


# --- BLAS: threadpoolctl if installed, else NumPy's bundled OpenBLAS by ctypes ----------------

def _set_blas(n):
    controller = _threadpool_controller()
    if controller is not None:
        controller.limit(limits=int(n), user_api="blas")
        return
    lib = _openblas()
    if lib is not None:
        lib[0](int(n))


def _get_blas():
    controller = _threadpool_controller()
    if controller is not None:
        counts = [info["num_threads"] for info in controller.info() if info["user_api"] == "blas"]
        return min(counts) if counts else None
    lib = _openblas()
    return None if lib is None else int(lib[1]())


def _threadpool_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


_OPENBLAS = []  # [(set, get) or None], looked up once


def _openblas():
    """(set_num_threads, get_num_threads) of NumPy's bundled OpenBLAS, or None."""
    if not _OPENBLAS:
        _OPENBLAS.append(_find_openblas())
    return _OPENBLAS[0]


def _find_openblas():
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
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                return setter, getter
    return None
