"""fit_mle, the generic gradient MLE, on a model with a known closed form:
the exponential distribution, log p(x) = log(lam) - lam x, lam_hat = 1 / mean(x)."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn
from scratchgen.density import fit_mle


def exponential_model(rate0=1.0):
    log_rate = sg.tensor(np.array([np.log(rate0)]), requires_grad=True)

    def log_prob(x):
        return (log_rate - sg.exp(log_rate) * x).sum(axis=-1)
    return log_rate, log_prob


X = np.random.default_rng(0).exponential(scale=1 / 3.0, size=(400, 1))   # lam = 3


def test_full_batch_adam_reaches_the_closed_form():
    log_rate, log_prob = exponential_model()
    result = fit_mle(log_prob, [log_rate], X, lr=0.05, tol=1e-10, max_iter=3000)
    assert result.converged
    lam_hat = 1.0 / X.mean()
    # -mean log-lik is strictly convex in log(lam) with curvature 1 at the optimum,
    # so a log-lik within ~1e-10 puts log(lam) within ~1e-5
    assert np.exp(log_rate.item()) == pytest.approx(lam_hat, rel=1e-3)
    assert result.log_likelihood == pytest.approx(np.log(lam_hat) - 1.0, abs=1e-8)
    assert result.n_iter == len(result.history) and result.history[-1] > result.history[0]
    # and the closed form itself is within sampling error of the truth:
    # se(lam_hat) ~ lam / sqrt(n) = 0.15
    assert abs(lam_hat - 3.0) < 4 * 0.15


def test_minibatches_and_sgd_get_close():
    log_rate, log_prob = exponential_model()
    result = fit_mle(log_prob, [log_rate], X, optimizer="sgd", lr=0.05, batch_size=50,
                     max_iter=60, tol=0.0, rng=0)
    assert not result.converged and result.n_iter == 60
    # SGD noise at lr 0.05 with batch 50: a few percent in lam
    assert np.exp(log_rate.item()) == pytest.approx(1.0 / X.mean(), rel=0.1)


def test_optimizer_object_and_callback_stop():
    log_rate, log_prob = exponential_model()
    from scratchgen.optim import Adam
    opt = Adam([log_rate], lr=0.1)
    seen = []
    result = fit_mle(log_prob, [log_rate], X, optimizer=opt,
                     callback=lambda it, ll: seen.append((it, ll)) or it == 4)
    assert result.n_iter == 5 and [it for it, _ in seen] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([ll for _, ll in seen], result.history)


def test_errors_for_people():
    log_rate, log_prob = exponential_model()
    with pytest.raises(ValueError, match="requires_grad"):
        fit_mle(log_prob, [sg.tensor(np.zeros(1))], X)
    with pytest.raises(ValueError, match="2-D"):
        fit_mle(log_prob, [log_rate], X[:, 0])
    with pytest.raises(ValueError, match="optimizer"):
        fit_mle(log_prob, [log_rate], X, optimizer="lbfgs")
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit_mle(lambda x: (log_rate * np.inf - x).sum(axis=-1), [log_rate], X, max_iter=2)


def test_any_module_with_log_prob_can_be_fitted():
    # a user-written model: independent Laplace(mu_j, b_j) coordinates;
    # its MLE is the coordinate-wise median and mean absolute deviation from it
    class Laplace(nn.Module):
        def __init__(self):
            super().__init__()
            self.loc = nn.Parameter(np.zeros(2))
            self.log_scale = nn.Parameter(np.zeros(2))

        def log_prob(self, x):
            return (-np.log(2.0) - self.log_scale
                    - sg.abs(x - self.loc) / sg.exp(self.log_scale)).sum(axis=-1)

    Y = np.random.default_rng(3).laplace(loc=[1.0, -1.0], scale=[0.5, 2.0], size=(201, 2))
    model = Laplace()
    result = fit_mle(model.log_prob, model.parameters(), Y, lr=0.05, max_iter=600, tol=1e-9)
    median = np.median(Y, axis=0)
    scale = np.abs(Y - median).mean(axis=0)
    # the NLL is piecewise linear in loc (flat between neighbouring data points), so
    # compare the attained log-likelihood with the closed-form maximum instead
    best = np.sum(-np.log(2 * scale) - 1.0)
    assert result.log_likelihood == pytest.approx(best, abs=1e-3)
    np.testing.assert_allclose(np.exp(model.log_scale.data), scale, rtol=2e-2)
