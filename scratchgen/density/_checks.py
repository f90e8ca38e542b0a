"""Argument checks shared by the density models (private).

Everything a user passes is validated here, at the public boundary, so that
errors name the argument, what was given and what was expected.
"""
import numbers

import numpy as np

COVARIANCE_TYPES = ("full", "diag", "spherical")


def as_generator(rng, name="rng"):
    """A ``numpy.random.Generator`` from a Generator, an int seed or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or "
                    f"None, got {type(rng).__name__}")


def check_X(X, name="X", n_features=None, min_samples=1):
    """Return ``X`` as a finite float64 array of shape (n_samples, n_features).

    ``X`` may be an array, nested lists, or a scratchgen Tensor (its data).
    """
    if hasattr(X, "numpy") and not isinstance(X, np.ndarray):
        X = X.numpy()
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got "
                        f"{type(X).__name__}") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), "
                         f"got shape {array.shape}; reshape a single sample "
                         f"with x.reshape(1, -1) or one feature with "
                         f"x.reshape(-1, 1)")
    if array.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples, got "
                         f"{array.shape[0]}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name} has {array.shape[1]} features, but the model "
                         f"was fitted with {n_features}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_positive(value, name, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {expected}, got {value}")
    return float(value)


def check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {value!r}")
    return value


def check_fitted(model, attribute):
    if getattr(model, attribute, None) is None:
        raise RuntimeError(f"this {type(model).__name__} is not fitted yet; "
                           f"call fit(X) first")


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at ``max_iter`` before meeting ``tol``
    (same name and meaning as ``sklearn.exceptions.ConvergenceWarning``)."""
