"""Argument checks at the public boundary, shared by every subpackage.

Each check returns the cleaned value or raises a TypeError/ValueError whose
message names the argument, what was given and what was expected, so that
a mistake is reported before it reaches NumPy's linear algebra, the
autodiff or a Numba kernel.
"""
import numbers
import os
import warnings

import numpy as np

__all__ = ["as_generator", "rng_from_seed_alias", "check_int", "check_positive", "check_real",
           "check_fraction", "check_choice", "check_fitted", "as_data_matrix", "available_memory",
           "format_bytes", "check_memory"]


def as_generator(rng, name="rng"):
    """A ``numpy.random.Generator`` from a Generator, an int seed or None.

    A Generator is used as is (so draws advance it); None gives fresh OS
    entropy, which is not reproducible.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, "
                    f"got {type(rng).__name__}")


def rng_from_seed_alias(rng, seed, where):
    """The ``rng`` argument of ``where``, which also accepts ``seed=`` (deprecated).

    Every random thing takes ``rng`` (a Generator or an int); functions that
    used to call it ``seed`` keep that name as an alias that warns
    (DeprecationWarning). Giving both is a TypeError.
    """
    if seed is None:
        return rng
    if rng is not None:
        raise TypeError(f"{where}: give rng, not both rng and seed (its deprecated alias)")
    warnings.warn(f"{where}: seed= is deprecated, use rng= (the same int or Generator)",
                  DeprecationWarning, stacklevel=3)
    return seed


def check_int(value, name, minimum=1, maximum=None):
    """``value`` as an int in [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value}")
    return int(value)


def check_positive(value, name, allow_zero=False):
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {expected}, got {value}")
    return float(value)


def check_real(value, name, low=None, high=None, high_open=False):
    """``value`` as a float in [low, high] (or [low, high) with ``high_open``).

    NaN is refused whenever a bound is given; either bound may be None.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} "
                        f"{value!r}")
    value = float(value)
    too_low = low is not None and not value >= low  # also refuses NaN
    too_high = high is not None and not (value < high if high_open else value <= high)
    if too_low or too_high:
        closing = ")" if high_open else "]"
        interval = (f"[{'-inf' if low is None else low}, "
                    f"{'inf' if high is None else high}{closing}")
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_fraction(value, name, *, open_right=True):
    """``value`` in [0, 1) (or [0, 1] when ``open_right`` is False)."""
    value = check_positive(value, name, allow_zero=True)
    if value > 1 or (open_right and value == 1):
        interval = "[0, 1)" if open_right else "[0, 1]"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_choice(value, name, choices):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {value!r}")
    return value


def check_fitted(model, attribute, call="fit(X)"):
    """Raise a RuntimeError naming the model when ``call`` has not run yet."""
    if getattr(model, attribute, None) is None:
        raise RuntimeError(f"this {type(model).__name__} is not fitted yet; "
                           f"call {call} first")


def as_data_matrix(X, name="X", n_features=None, dtype=np.float64, min_rows=1):
    """``X`` as a finite 2-D float array of shape (n_samples, n_features).

    X: an array, nested lists, or a Tensor (its data).
    n_features: the number of columns the model was fitted with (checked
    when given).
    """
    if hasattr(X, "numpy") and not isinstance(X, np.ndarray):
        X = X.numpy()
    try:
        array = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 2-D array of numbers, got "
                        f"{type(X).__name__}") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), "
                         f"got shape {array.shape}; reshape a single sample "
                         f"with x.reshape(1, -1) or one feature with x.reshape(-1, 1)")
    if array.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} sample(s), got "
                         f"shape {array.shape}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name} has {array.shape[1]} features (columns), but the "
                         f"model was fitted with {n_features} features; got shape "
                         f"{array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


# ------------------------------------------------------------------ memory
def available_memory():
    """Bytes of memory a new allocation can get without swapping, or None if unknown.

    Linux: ``MemAvailable`` of /proc/meminfo (the kernel's estimate); elsewhere
    the free physical pages (``os.sysconf``). ``SCRATCHGEN_MEMORY_LIMIT``
    (bytes) caps it, e.g. for tests or a shared machine.
    """
    found = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            found = None
    limit = os.environ.get("SCRATCHGEN_MEMORY_LIMIT")
    if limit:
        try:
            found = min(found, int(float(limit))) if found is not None else int(float(limit))
        except ValueError:
            pass
    return found


def format_bytes(n):
    """1536 -> '1.5 KiB', 2.5e12 -> '2.3 TiB'."""
    n = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


def check_memory(n_bytes, what, advice=""):
    """Refuse, before allocating, what needs more memory than is available.

    n_bytes: an estimate (an upper-end one: the arrays and their temporaries);
    what: the request in the user's words, e.g. "--batch-size 1000000000".
    Raises ``MemoryError`` with one line: what, the estimate, what is
    available and ``advice``. A ``MemoryError`` rather than a ``ValueError``
    because the request is valid, only too big for this machine.
    """
    available = available_memory()
    if available is not None and n_bytes > available:
        hint = f"; {advice}" if advice else ""
        raise MemoryError(f"{what} needs about {format_bytes(n_bytes)} of memory, more than the "
                          f"{format_bytes(available)} available{hint}")
