"""Argument checks of the density models (private).

The general checks live in ``scratchgen.validation``; this adds the
density-specific names (covariance types, the scikit-learn style
``check_X`` and ``ConvergenceWarning``).
"""
import numpy as np

from scratchgen.validation import (as_data_matrix, as_generator, check_choice,  # noqa: F401
                                   check_fitted, check_int, check_positive)

COVARIANCE_TYPES = ("full", "diag", "spherical")


def check_X(X, name="X", n_features=None, min_samples=1):
    """``X`` as a finite float64 array of shape (n_samples, n_features), n_features >= 1,
    with values small enough that sums of n squares (covariances) stay finite."""
    X = as_data_matrix(X, name=name, n_features=n_features, min_rows=min_samples)
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {X.shape}); expected at least one column")
    largest = float(np.abs(X).max()) if X.size else 0.0
    limit = np.sqrt(np.finfo(np.float64).max / (4.0 * len(X)))
    if largest > limit:
        raise ValueError(f"{name} holds values as large as {largest:.3g}: their squares overflow "
                         f"float64 in the covariance (|x| must be below {limit:.3g} for {len(X)} rows); "
                         "rescale (standardise) the data")
    return X


def check_not_singular(X, covariance, covariance_type):
    """Refuse data whose maximum-likelihood covariance is singular.

    Constant features, or fewer distinct points than features + 1, give a
    covariance with a zero eigenvalue: the likelihood is unbounded (a density
    squeezed onto the data). Relative test: lambda_min <= 1e-12 lambda_max.
    """
    eigenvalues = np.linalg.eigvalsh(np.atleast_2d(covariance))
    if eigenvalues.min() <= 1e-12 * max(eigenvalues.max(), np.finfo(np.float64).tiny):
        raise ValueError(
            f"X gives a singular {covariance_type!r} covariance "
            f"(n_samples={len(X)}, n_features={X.shape[1]}: constant features, duplicate "
            "points or too few distinct points); drop constant columns, use more samples "
            "or a 'diag'/'spherical' covariance")


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at ``max_iter`` before meeting ``tol``
    (same name and meaning as ``sklearn.exceptions.ConvergenceWarning``)."""
