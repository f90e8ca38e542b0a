"""Argument checks of the density models (private).

The general checks live in ``scratchgen.validation``; this adds the
density-specific names (covariance types, the scikit-learn style
``check_X`` and ``ConvergenceWarning``).
"""
from scratchgen.validation import (as_data_matrix, as_generator, check_choice,  # noqa: F401
                                   check_fitted, check_int, check_positive)

COVARIANCE_TYPES = ("full", "diag", "spherical")


def check_X(X, name="X", n_features=None, min_samples=1):
    """``X`` as a finite float64 array of shape (n_samples, n_features)."""
    return as_data_matrix(X, name=name, n_features=n_features, min_rows=min_samples)


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at ``max_iter`` before meeting ``tol``
    (same name and meaning as ``sklearn.exceptions.ConvergenceWarning``)."""
