"""The inverse of the standard normal CDF, Phi^-1, written out.

The rank-normalised diagnostics (``rhat``, ``ess``) map ranks to normal
scores, z = Phi^-1(p). NumPy has no ``ndtri`` and scratchgen does not depend
on SciPy, so it is computed here:

1. Acklam's rational approximation (P. J. Acklam, "An algorithm for computing
   the inverse normal cumulative distribution function", 2003): a rational
   function in q = p - 1/2 in the central region p in [0.02425, 0.97575], and
   in r = sqrt(-2 log(min(p, 1 - p))) in the tails. Relative error < 1.15e-9.
2. One Halley step on f(x) = Phi(x) - p, with Phi(x) = erfc(-x / sqrt 2) / 2
   from ``math.erfc``, which brings the error to about machine precision:

       e = Phi(x) - p,  u = e * sqrt(2 pi) * exp(x^2 / 2),
       x <- x - u / (1 + x u / 2)
"""
import math

import numpy as np

__all__ = ["normal_ppf"]

# Acklam's coefficients (numerator a, denominator b for the centre; c, d for the tails).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)
_P_LOW = 0.02425

_erfc = np.frompyfunc(math.erfc, 1, 1)


def _horner(coefficients, x):
    result = np.zeros_like(x)
    for c in coefficients:
        result = result * x + c
    return result


def _acklam(p):
    """Acklam's approximation of Phi^-1(p) for p strictly inside (0, 1)."""
    x = np.empty_like(p)
    low = p < _P_LOW
    high = p > 1.0 - _P_LOW
    mid = ~(low | high)

    q = p[mid] - 0.5
    r = q * q
    x[mid] = q * _horner(_A, r) / (_horner(_B, r) * r + 1.0)

    # The tails are symmetric: Phi^-1(p) = -Phi^-1(1 - p).
    for mask, sign, tail_p in ((low, 1.0, p[low]), (high, -1.0, 1.0 - p[high])):
        r = np.sqrt(-2.0 * np.log(tail_p))
        x[mask] = sign * _horner(_C, r) / (_horner(_D, r) * r + 1.0)
    return x


def normal_ppf(p):
    """Inverse standard normal CDF, z = Phi^-1(p), elementwise.

    Parameters
    ----------
    p : array_like of probabilities, any shape. p = 0 gives -inf, p = 1 gives
        +inf, values outside [0, 1] and NaN give NaN.

    Returns
    -------
    ndarray of float64 with the shape of ``p`` (a float for scalar input).
    """
    p_arr = np.asarray(p, dtype=np.float64)
    flat = p_arr.ravel()
    z = np.full(flat.shape, np.nan)
    inside = (flat > 0.0) & (flat < 1.0)
    z[flat == 0.0] = -np.inf
    z[flat == 1.0] = np.inf
    if inside.any():
        # Work on the lower half only: Phi^-1(p) = -Phi^-1(1 - p), and 1 - p is
        # exact for p >= 1/2, while Phi(x) - p near p = 1 would cancel badly.
        pi = flat[inside]
        upper = pi > 0.5
        lower_p = np.where(upper, 1.0 - pi, pi)
        x = _acklam(lower_p)
        # One Halley step: the rational approximation is good to ~1e-9, the
        # step cubes that relative error, leaving rounding only.
        e = 0.5 * _erfc(-x / math.sqrt(2.0)).astype(np.float64) - lower_p
        u = e * math.sqrt(2.0 * math.pi) * np.exp(0.5 * x * x)
        x = x - u / (1.0 + 0.5 * x * u)
        z[inside] = np.where(upper, -x, x)
    z = z.reshape(p_arr.shape)
    return float(z) if z.ndim == 0 else z
