"""Standard errors from the Hessian of the NLL (second-order autodiff) against
closed forms: se(mean) = sigma / sqrt(n), se(variance) = sigma^2 sqrt(2 / n)."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.density import Gaussian, hessian, observed_information, standard_errors


def gaussian_1d(mu, var):
    return lambda x: (-0.5 * np.log(2 * np.pi) - 0.5 * sg.log(var)
                      - 0.5 * (x - mu) ** 2 / var).sum(axis=-1)


@pytest.mark.task("density.standard_errors")
def test_standard_errors_of_mean_and_variance_match_closed_form():
    rng = np.random.default_rng(0)
    n = 300
    X = rng.normal(2.0, 3.0, size=(n, 1))
    # at the MLE: mean and 1/n variance
    mu = sg.tensor(np.array([X.mean()]), requires_grad=True)
    var = sg.tensor(np.array([X.var()]), requires_grad=True)
    se_mu, se_var = standard_errors(gaussian_1d(mu, var), [mu, var], X)
    # the observed information at the MLE is exactly diag(n / s^2, n / (2 s^4))
    # (the cross term sum(x - mu) / s^4 vanishes), so these hold to rounding
    s2 = X.var()
    np.testing.assert_allclose(se_mu, np.sqrt(s2 / n), rtol=1e-8)
    np.testing.assert_allclose(se_var, s2 * np.sqrt(2.0 / n), rtol=1e-8)


# not tagged: the Hessian is given to the student (it passes without the task's solution)
def test_hessian_matches_finite_differences_of_a_non_quadratic_function():
    a = sg.tensor(np.array([0.3, -0.5]), requires_grad=True)
    b = sg.tensor(np.array([[0.7]]), requires_grad=True)

    def f():
        return (sg.exp(a * b.reshape(())) ).sum() + (a * a * a).sum() * b.sum()

    H = hessian(f, [a, b])

    def value(v):
        return np.exp(v[:2] * v[2]).sum() + (v[:2] ** 3).sum() * v[2]

    v0, eps = np.array([0.3, -0.5, 0.7]), 1e-4
    H_fd = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            e_i, e_j = np.eye(3)[i] * eps, np.eye(3)[j] * eps
            H_fd[i, j] = (value(v0 + e_i + e_j) - value(v0 + e_i - e_j)
                          - value(v0 - e_i + e_j) + value(v0 - e_i - e_j)) / (4 * eps ** 2)
    # central second differences: error O(eps^2) ~ 1e-8 times 4th derivatives
    np.testing.assert_allclose(H, H_fd, atol=1e-6)


def test_standard_errors_shapes_follow_params_and_full_gaussian_mean():
    # A fitted full Gaussian: the mean's standard errors are sqrt(diag(Sigma) / n)
    # (the mean block of the inverse information decouples at the MLE).
    rng = np.random.default_rng(1)
    n = 400
    X = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.0], [0.8, 0.5]]) + 1.0
    g = Gaussian(method="closed_form").fit(X)
    ses = standard_errors(g.log_prob, g.parameters(), X)
    assert [s.shape for s in ses] == [p.shape for p in g.parameters()]
    np.testing.assert_allclose(ses[0], np.sqrt(np.diag(g.covariance_) / n), rtol=1e-6)


def test_standard_errors_refuses_a_non_maximum():
    X = np.random.default_rng(2).normal(size=(50, 1))
    mu = sg.tensor(np.array([0.0]), requires_grad=True)
    var = sg.tensor(np.array([20.0]), requires_grad=True)    # far from the MLE: H not PD
    with pytest.raises(ValueError, match="not positive definite"):
        standard_errors(gaussian_1d(mu, var), [mu, var], X)
    H = observed_information(gaussian_1d(mu, var), [mu, var], X)
    assert H.shape == (2, 2) and np.allclose(H, H.T)
