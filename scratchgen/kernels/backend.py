"""Which implementation the public kernel functions call: "numba" or "numpy".

The choice is read once at import from the environment variable
``SCRATCHGEN_KERNELS`` (default "numba") and can be changed at run time with
``set_backend`` (mainly for tests; ``use_backend`` restores the old choice).
The Numba module is imported only when it is selected, so
``SCRATCHGEN_KERNELS=numpy`` never imports Numba.
"""
import contextlib
import importlib
import os
import warnings

ENV_VAR = "SCRATCHGEN_KERNELS"
BACKENDS = ("numba", "numpy")
_MODULES = {
    "numba": "scratchgen.kernels.numba_kernels",
    "numpy": "scratchgen.kernels.numpy_twins",
}

_active_name = None
_active_module = None


def _check_name(name, where):
    if not isinstance(name, str) or name.strip().lower() not in BACKENDS:
        raise ValueError(f"{where}: kernel backend must be one of {BACKENDS}, got {name!r}")
    return name.strip().lower()


def set_backend(name):
    """Make the public kernel functions call the "numba" or "numpy" implementation."""
    global _active_name, _active_module
    name = _check_name(name, "set_backend")
    _active_module = importlib.import_module(_MODULES[name])
    _active_name = name


def get_backend():
    """Name of the active backend: "numba" or "numpy"."""
    return _active_name


def active_module():
    """The module (numba_kernels or numpy_twins) that the wrappers call."""
    return _active_module


@contextlib.contextmanager
def use_backend(name):
    """Context manager: run a block with the given backend, then restore the previous one."""
    previous = get_backend()
    set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def _init_from_environment():
    requested = os.environ.get(ENV_VAR)
    if requested is not None and requested.strip():
        set_backend(_check_name(requested, f"environment variable {ENV_VAR}"))
        return
    try:
        set_backend("numba")
    except ImportError as error:  # numba missing or broken: the twins still work
        warnings.warn(
            f"Numba could not be imported ({error}); scratchgen.kernels falls back to the "
            f"NumPy twins. Set {ENV_VAR}=numpy to silence this warning.",
            RuntimeWarning,
            stacklevel=2,
        )
        set_backend("numpy")


_init_from_environment()
