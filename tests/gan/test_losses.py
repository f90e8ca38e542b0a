"""GAN losses: values against NumPy closed forms, gradients against finite differences."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.gan import losses as L
from scratchgen.testing import gradcheck, gradgradcheck


def np_log_sigmoid(l):
    # Independent float64 reference: log(1 / (1 + exp(-l))) with np.logaddexp,
    # exact to rounding for any l.
    return -np.logaddexp(0.0, -l)


LOGITS = np.array([-6.0, -1.5, -0.2, 0.0, 0.7, 2.0, 8.0])
FAKE = np.array([-3.0, -0.5, 0.1, 1.2, 4.0])


def test_log_d_and_log_one_minus_d_match_closed_form():
    t = sg.tensor(LOGITS)
    np.testing.assert_allclose(L.log_d(t).numpy(), np_log_sigmoid(LOGITS), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(L.log_one_minus_d(t).numpy(), np_log_sigmoid(-LOGITS),
                               rtol=1e-12, atol=1e-14)


def test_logs_are_finite_for_extreme_float32_logits():
    # sigmoid(+-100) rounds to 1 / 0 in float32, so log(sigmoid) would be -inf;
    # the softplus forms give log sigmoid(-100) = -100 (to 1e-43) and ~0.
    t = sg.tensor(np.array([-100.0, 100.0], dtype=np.float32))
    np.testing.assert_allclose(L.log_d(t).numpy(), [-100.0, 0.0], atol=1e-5)
    np.testing.assert_allclose(L.log_one_minus_d(t).numpy(), [0.0, -100.0], atol=1e-5)


def test_value_and_losses_match_numpy():
    real, fake = sg.tensor(LOGITS.reshape(-1, 1)), sg.tensor(FAKE.reshape(-1, 1))
    v = np.mean(np_log_sigmoid(LOGITS)) + np.mean(np_log_sigmoid(-FAKE))
    assert L.value_from_logits(real, fake).item() == pytest.approx(v, rel=1e-12)
    assert L.discriminator_loss(real, fake).item() == pytest.approx(-v, rel=1e-12)
    assert L.minimax_loss(fake).item() == pytest.approx(np.mean(np_log_sigmoid(-FAKE)), rel=1e-12)
    assert L.wasserstein_critic_loss(real, fake).item() == pytest.approx(FAKE.mean() - LOGITS.mean())
    assert L.wasserstein_generator_loss(fake).item() == pytest.approx(-FAKE.mean())


@pytest.mark.task("gan.nonsaturating_loss")
def test_nonsaturating_loss_value_and_gradient():
    fake = sg.tensor(FAKE)
    assert L.nonsaturating_loss(fake).item() == pytest.approx(-np.mean(np_log_sigmoid(FAKE)), rel=1e-12)
    gradcheck(L.nonsaturating_loss, [FAKE.copy()])


@pytest.mark.task("gan.nonsaturating_loss")
def test_nonsaturating_gradient_does_not_vanish_where_minimax_saturates():
    # D confidently rejects the samples: l = -10. Closed forms (per sample, /m):
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l) ~ -4.5e-5; d/dl -log sigmoid(l) = sigmoid(l) - 1 ~ -1.
    l = np.full(4, -10.0)
    s = 1.0 / (1.0 + np.exp(10.0))
    t = sg.tensor(l, requires_grad=True)
    (g_mm,) = sg.grad(L.minimax_loss(t), [t])
    (g_ns,) = sg.grad(L.nonsaturating_loss(t), [t])
    np.testing.assert_allclose(g_mm.numpy(), -s / 4, rtol=1e-10)
    np.testing.assert_allclose(g_ns.numpy(), (s - 1) / 4, rtol=1e-10)


@pytest.mark.parametrize("loss", [L.minimax_loss, L.nonsaturating_loss, L.wasserstein_generator_loss])
def test_generator_losses_gradcheck(loss):
    gradcheck(loss, [FAKE.reshape(-1, 1).copy()])


@pytest.mark.parametrize("loss", [L.value_from_logits, L.discriminator_loss, L.wasserstein_critic_loss])
def test_two_sided_losses_gradcheck(loss):
    gradcheck(loss, [LOGITS.copy(), FAKE.copy()])


def test_logits_of_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match="logits"):
        L.minimax_loss(sg.tensor(np.zeros((3, 2))))


# --------------------------------------------------------------------------- penalty
def _mlp_critic(W1, b1, w2):
    return lambda x: sg.tanh(x @ W1 + b1) @ w2


@pytest.mark.task("gan.gradient_penalty")
def test_gradient_penalty_of_linear_critic_is_closed_form():
    # f(x) = x . w has grad_x f = w everywhere: penalty = lambda (||w|| - 1)^2.
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 1))
    x_hat = sg.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    p = L.gradient_penalty(lambda x: x @ sg.tensor(w), x_hat, weight=10.0)
    assert p.item() == pytest.approx(10.0 * (np.linalg.norm(w) - 1.0) ** 2, rel=1e-9)


@pytest.mark.task("gan.gradient_penalty")
def test_gradient_penalty_of_mlp_critic_matches_numpy():
    # f(x) = tanh(x W1 + b1) w2, grad_x f = W1 diag(1 - tanh^2) w2, per row.
    rng = np.random.default_rng(1)
    W1, b1, w2 = rng.standard_normal((2, 4)), rng.standard_normal(4), rng.standard_normal((4, 1))
    x = rng.standard_normal((6, 2))
    h = np.tanh(x @ W1 + b1)
    grads = ((1 - h**2) * w2[:, 0]) @ W1.T
    expected = 10.0 * np.mean((np.linalg.norm(grads, axis=1) - 1.0) ** 2)
    p = L.gradient_penalty(_mlp_critic(*map(sg.tensor, (W1, b1, w2))), sg.tensor(x, requires_grad=True))
    assert p.item() == pytest.approx(expected, rel=1e-9)


@pytest.mark.task("gan.gradient_penalty")
def test_gradient_penalty_gradcheck_wrt_critic_parameters_and_points():
    # First-order check of the penalty w.r.t. W1, b1, w2 and x_hat; the penalty
    # already contains a gradient, so this checks second derivatives of the critic.
    rng = np.random.default_rng(2)
    W1, b1, w2 = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((3, 1))
    x = rng.standard_normal((4, 2))

    def penalty(W1, b1, w2, x):
        return L.gradient_penalty(_mlp_critic(W1, b1, w2), x, weight=2.0)

    gradcheck(penalty, [W1, b1, w2, x], atol=1e-6, rtol=1e-4)


@pytest.mark.task("gan.gradient_penalty")
def test_gradient_penalty_gradgradcheck():
    # Third derivatives of the critic: the penalty must stay differentiable
    # through its own backward (e.g. for an unrolled or Hessian-vector use).
    rng = np.random.default_rng(3)
    W1, b1, w2 = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((3, 1))
    x = rng.standard_normal((3, 2))

    def penalty(W1, w2):
        return L.gradient_penalty(_mlp_critic(W1, sg.tensor(b1), w2), sg.tensor(x, requires_grad=True))

    gradgradcheck(penalty, [W1, w2], atol=1e-5, rtol=1e-3)


def test_interpolates_lie_on_segments():
    rng = np.random.default_rng(4)
    real, fake = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    x_hat = L.interpolates(real, fake, np.random.default_rng(5)).numpy()
    # x_hat - fake = eps (real - fake) with one eps in [0, 1] per row.
    eps = (x_hat - fake)[:, 0] / (real - fake)[:, 0]
    np.testing.assert_allclose((x_hat - fake), eps[:, None] * (real - fake), atol=1e-12)
    assert np.all((eps >= 0) & (eps <= 1))


def test_gradient_penalty_needs_a_point_with_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        L.gradient_penalty(lambda x: x.sum(axis=1), sg.tensor(np.zeros((2, 2))))


def test_generator_loss_is_the_named_loss_and_refuses_others():
    from scratchgen.gan.losses import generator_loss
    logits = sg.tensor(np.array([[-3.0], [0.5], [2.0]]))
    l = logits.numpy().ravel()
    # log(1 - sigmoid(l)) = -log(1 + e^l); -log sigmoid(l) = log(1 + e^-l)
    assert generator_loss(logits, "minimax").item() == pytest.approx(np.mean(-np.log1p(np.exp(l))))
    assert generator_loss(logits, "nonsaturating").item() == pytest.approx(np.mean(np.log1p(np.exp(-l))))
    with pytest.raises(ValueError, match="kind must be one of"):
        generator_loss(logits, "wasserstein")
