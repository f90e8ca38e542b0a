"""normal_ppf (Phi^-1) against the standard library's NormalDist.inv_cdf."""
from statistics import NormalDist

import numpy as np
from hypothesis import given, strategies as st

from scratchgen.mcmc import normal_ppf


@given(st.floats(min_value=1e-300, max_value=1.0, exclude_max=True))
def test_matches_statistics_inv_cdf(p):
    # inv_cdf is an independent implementation (Wichura's AS241, ~1e-16 relative).
    expected = NormalDist().inv_cdf(p)
    assert abs(normal_ppf(p) - expected) <= 1e-12 * max(1.0, abs(expected))


def test_grid_including_region_boundaries():
    # The Acklam approximation switches formulas at 0.02425 and 0.97575.
    p = np.concatenate([np.linspace(1e-9, 1 - 1e-9, 2001), [0.02425, 0.97575, 0.5, 1e-20]])
    expected = np.array([NormalDist().inv_cdf(v) for v in p])
    np.testing.assert_allclose(normal_ppf(p), expected, rtol=1e-12, atol=1e-12)


def test_edges_and_shape():
    out = normal_ppf(np.array([[0.0, 1.0], [-0.1, np.nan]]))
    assert out.shape == (2, 2)
    assert out[0, 0] == -np.inf and out[0, 1] == np.inf
    assert np.isnan(out[1]).all()
    assert isinstance(normal_ppf(0.5), float) and normal_ppf(0.5) == 0.0
