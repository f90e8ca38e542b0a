"""Argument checks shared by the data set functions (private)."""
import numbers

import numpy as np


def as_generator(rng, name="rng"):
    """Return a ``numpy.random.Generator`` from ``rng``.

    ``rng`` may be a Generator (used as is, so draws advance it), an int
    seed, or None (fresh OS entropy, not reproducible).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"{name} must be a numpy.random.Generator, an int seed or None, "
        f"got {type(rng).__name__}"
    )


def check_count(value, name, minimum=1):
    """Check that ``value`` is an int >= ``minimum`` and return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_nonnegative(value, name):
    """Check that ``value`` is a finite real number >= 0 and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def check_fraction(value, name, *, open_right=True):
    """Check ``0 <= value < 1`` (or ``<= 1`` when ``open_right`` is False)."""
    value = check_nonnegative(value, name)
    if value > 1 or (open_right and value == 1):
        interval = "[0, 1)" if open_right else "[0, 1]"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value
