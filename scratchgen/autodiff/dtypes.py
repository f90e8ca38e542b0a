"""The default floating-point dtype.

Python scalars and lists become Tensors of the default dtype (float32, as in
PyTorch). A NumPy array keeps its own dtype. Gradient checks switch to
float64 with ``set_default_dtype(np.float64)`` or by passing float64 arrays.
"""
import numpy as np

_DEFAULT_DTYPE = np.dtype(np.float32)
_ALLOWED = (np.dtype(np.float32), np.dtype(np.float64))


def set_default_dtype(dtype):
    """Set the dtype given to Python scalars, lists and new parameters.

    dtype: ``np.float32`` or ``np.float64`` (or their names).
    """
    global _DEFAULT_DTYPE
    d = np.dtype(dtype)
    if d not in _ALLOWED:
        raise TypeError(
            f"set_default_dtype: dtype must be float32 or float64, got {d}")
    _DEFAULT_DTYPE = d


def get_default_dtype():
    """Return the current default dtype (a ``numpy.dtype``)."""
    return _DEFAULT_DTYPE
