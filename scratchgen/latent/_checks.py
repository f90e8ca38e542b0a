"""Argument checks shared by the latent-variable models (private).

Every public entry point of ``scratchgen.latent`` validates here, before any
array reaches NumPy's linear algebra or the autodiff, so that a mistake is
reported with the argument's name, what was given and what was expected.
"""
import numbers

import numpy as np

__all__ = ["as_generator", "check_int", "check_positive", "as_data_matrix", "check_fitted"]


def as_generator(rng, name="rng"):
    """A ``numpy.random.Generator`` from a Generator, an int seed or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, "
                    f"got {type(rng).__name__}")


def check_int(value, name, minimum=1, maximum=None):
    """``value`` as an int in [minimum, maximum]; TypeError/ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value}")
    return int(value)


def check_positive(value, name):
    """``value`` as a finite float > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def as_data_matrix(X, name="X", n_features=None, dtype=np.float64, min_rows=1):
    """``X`` as a finite 2-D float array (n_samples, n_features).

    ``n_features``: the number of columns the model was fitted with (checked
    when given). ``dtype``: the float dtype to return (float64 by default).
    """
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(X).__name__}") from err
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} row(s), got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features (columns) as in fit, "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_fitted(model, attribute, call="fit(X)"):
    """Raise a RuntimeError naming the model when ``call`` has not run yet."""
    if getattr(model, attribute, None) is None:
        raise RuntimeError(f"{type(model).__name__} is not fitted yet: call {call} first")
