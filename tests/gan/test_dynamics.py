"""Exact facts about the update rules of gan.dynamics on the games of gan.games.

Every expected value is computed independently of the rules: closed forms
for the linear games (the step maps are matrices written out by hand here)
and hand-written NumPy recursions for the Dirac GAN. The trajectories come
from the autodiff in float64, so they agree to rounding (1e-12 relative).
"""
import numpy as np
import pytest

from scratchgen import nn
from scratchgen.autodiff import Tensor, grad
from scratchgen.gan import dynamics, games, losses
from scratchgen.testing import gradcheck, gradgradcheck

LR = 0.1
A = np.array([[0.0, 1.0], [-1.0, 0.0]])   # v(z) = A z on the bilinear game (x descends y, y ascends x)


def radii(trajectory):
    return np.linalg.norm(trajectory, axis=1)


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


# ------------------------------------------------------------------ bilinear game V = x y
@pytest.mark.task("gan.simultaneous_step")
def test_simultaneous_gda_grows_the_distance_by_exactly_sqrt_1_plus_lr2_per_step():
    traj = dynamics.play("simultaneous", *games.bilinear_game(1.0, 0.5, lr=LR), 300)
    steps = np.arange(len(traj))
    expected = np.hypot(1.0, 0.5) * (1 + LR ** 2) ** (steps / 2)
    np.testing.assert_allclose(radii(traj), expected, rtol=1e-12)
    assert radii(traj)[-1] > 4.0 * radii(traj)[0]     # it spirals out: 1.01^150 = 4.45


@pytest.mark.task("gan.alternating_step")
def test_alternating_gda_conserves_x2_plus_y2_plus_lr_xy_and_cycles():
    # The maximiser (D) moves first, as in Algorithm 1: y' = y + lr x, x' = x - lr y'.
    # Then x'^2 + y'^2 + lr x' y' = x^2 + y^2 + lr x y (a symplectic map).
    # (Moving x first conserves x^2 + y^2 - lr x y instead.)
    traj = dynamics.play("alternating", *games.bilinear_game(1.0, 0.5, lr=LR), 400)
    x, y = traj[:, 0], traj[:, 1]
    conserved = x ** 2 + y ** 2 + LR * x * y
    np.testing.assert_allclose(conserved, conserved[0], rtol=1e-12)
    assert radii(traj).min() > 0.9 * radii(traj)[0]   # never approaches the equilibrium


@pytest.mark.task("gan.alternating_step")
def test_alternating_moves_the_maximiser_k_times_first():
    minimiser, maximiser = games.bilinear_game(1.0, 0.0, lr=LR)
    traj = dynamics.play(dynamics.Alternating(k=3), minimiser, maximiser, 1)
    y = 0.0 + 3 * LR * 1.0                       # x does not move while y takes 3 steps
    np.testing.assert_allclose(traj[1], [1.0 - LR * y, y], rtol=1e-15)


@pytest.mark.task("gan.extragradient_step")
def test_extragradient_contracts_by_exactly_sqrt_1_minus_lr2_plus_lr4():
    # z' = z - lr A (z - lr A z) = (I - lr A + lr^2 A^2) z, A^2 = -I:
    # |z'| = sqrt((1 - lr^2)^2 + lr^2) |z| ~ (1 - lr^2/2) |z|.
    traj = dynamics.play("extragradient", *games.bilinear_game(1.0, 0.5, lr=LR), 200)
    factor = np.sqrt(1 - LR ** 2 + LR ** 4)
    np.testing.assert_allclose(radii(traj), np.hypot(1.0, 0.5) * factor ** np.arange(201),
                               rtol=1e-12)
    assert abs(factor - (1 - LR ** 2 / 2)) < LR ** 4


def test_optimistic_gda_is_the_linear_recursion_and_converges_at_about_1_minus_lr2_over_2():
    traj = dynamics.play("optimistic", *games.bilinear_game(1.0, 0.5, lr=LR), 300)
    z_prev = z = np.array([1.0, 0.5])
    expected = [z]
    for _ in range(300):                       # z' = z - lr (2 A z - A z_prev), z_prev(0) = z(0)
        z, z_prev = z - LR * (2 * A @ z - A @ z_prev), z
        expected.append(z)
    np.testing.assert_allclose(traj, np.array(expected), rtol=1e-12, atol=1e-15)
    companion = np.block([[np.eye(2) - 2 * LR * A, LR * A], [np.eye(2), np.zeros((2, 2))]])
    rho = np.abs(np.linalg.eigvals(companion)).max()
    assert abs(rho - (1 - LR ** 2 / 2)) < 2 * LR ** 3        # 0.99494 vs 0.995
    rate = (radii(traj)[300] / radii(traj)[150]) ** (1 / 150)
    assert abs(rate - rho) < 1e-4


def test_negative_momentum_is_the_heavy_ball_recursion_and_converges():
    beta, lr = -0.5, 0.5
    traj = dynamics.play(dynamics.NegativeMomentum(beta), *games.bilinear_game(1.0, 0.5, lr=lr), 200)
    x, y, x_prev, y_prev = 1.0, 0.5, None, None
    expected = [(x, y)]
    for _ in range(200):
        y_new = y + lr * x + (0.0 if y_prev is None else beta * (y - y_prev))
        y_prev, y = y, y_new
        x_new = x - lr * y + (0.0 if x_prev is None else beta * (x - x_prev))
        x_prev, x = x, x_new
        expected.append((x, y))
    np.testing.assert_allclose(traj, np.array(expected), rtol=1e-12, atol=1e-15)
    assert radii(traj)[-1] < 1e-2 * radii(traj)[0]   # spectral radius 0.9625 here


def test_consensus_contracts_by_exactly_sqrt_of_1_minus_lr_gamma_squared_plus_lr2():
    # L = |v|^2 / 2 = (x^2 + y^2) / 2, so the step is z' = (I - lr A - lr gamma I) z.
    gamma = 0.5
    traj = dynamics.play(dynamics.Consensus(gamma), *games.bilinear_game(1.0, 0.5, lr=LR), 200)
    factor = np.hypot(1 - LR * gamma, LR)
    np.testing.assert_allclose(radii(traj), np.hypot(1.0, 0.5) * factor ** np.arange(201), rtol=1e-12)


# ----------------------------------------------------------------- control: quadratic game
@pytest.mark.parametrize("rule", sorted(dynamics.RULES))
def test_every_rule_converges_on_the_strongly_convex_concave_quadratic(rule):
    traj = dynamics.play(rule, *games.quadratic_game(1.0, 0.5, lr=0.3, a=1.0, b=1.0, c=1.0), 100)
    assert radii(traj)[-1] < 1e-8


def test_simultaneous_on_the_quadratic_is_the_matrix_power():
    a, b, c = 1.0, 2.0, 0.5
    step = np.eye(2) - LR * np.array([[a, b], [-b, c]])      # v = (a x + b y, c y - b x)
    traj = dynamics.play("simultaneous", *games.quadratic_game(1.0, 0.5, LR, a, b, c), 200)
    expected = [np.linalg.matrix_power(step, t) @ [1.0, 0.5] for t in range(201)]
    np.testing.assert_allclose(traj, np.array(expected), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------- Dirac GAN
def test_dirac_gan_simultaneous_grows_r2_by_exactly_1_plus_lr2_sigmoid2():
    # V = -log 2 - softplus(psi theta): theta' = theta + lr s psi, psi' = psi - lr s theta,
    # s = sigmoid(psi theta), so r'^2 = r^2 (1 + lr^2 s^2): it spirals out, never converges.
    traj = dynamics.play("simultaneous", *games.dirac_gan(1.0, 1.0, lr=0.5), 100)
    theta, psi = traj[:-1, 0], traj[:-1, 1]
    r2 = (traj ** 2).sum(axis=1)
    np.testing.assert_allclose(r2[1:] / r2[:-1], 1 + 0.25 * sigmoid(psi * theta) ** 2, rtol=1e-12)
    assert r2[-1] > 4 * r2[0]


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
def test_dirac_gan_alternating_without_regularisation_does_not_converge(loss):
    # Minimax cycles near the start radius; non-saturating creeps in without a linear
    # rate (0.28 after 200 steps, 0.09 after 2,000); with R1 below: < 1e-9 after 150.
    traj = dynamics.play("alternating", *games.dirac_gan(1.0, 1.0, lr=0.5, loss=loss), 200)
    assert radii(traj).min() > (0.8 if loss == "minimax" else 0.15) * radii(traj)[0]


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("rule", ["simultaneous", "alternating"])
def test_dirac_gan_with_r1_converges(rule, loss):
    traj = dynamics.play(rule, *games.dirac_gan(1.0, 1.0, lr=0.5, loss=loss, r1=1.0), 150)
    assert radii(traj)[-1] < 1e-9


def test_dirac_gan_r1_step_is_the_hand_written_recursion():
    # R1 = gamma/2 psi^2 here (D's slope on the data is psi): psi' = psi - lr (s theta + gamma psi).
    lr, gamma = 0.5, 0.3
    traj = dynamics.play("simultaneous", *games.dirac_gan(1.0, 1.0, lr=lr, r1=gamma), 100)
    theta, psi = 1.0, 1.0
    for t in range(1, 101):
        s = sigmoid(psi * theta)
        theta, psi = theta + lr * s * psi, psi - lr * (s * theta + gamma * psi)
        np.testing.assert_allclose(traj[t], [theta, psi], rtol=1e-12, atol=1e-15)


def test_dirac_gan_with_consensus_converges():
    traj = dynamics.play(dynamics.Consensus(1.0), *games.dirac_gan(1.0, 1.0, lr=0.5), 200)
    assert radii(traj)[-1] < 1e-7


# ------------------------------------------------------------------- gradient checks
def test_r1_penalty_gradchecks_to_second_order_on_an_mlp():
    rng = np.random.default_rng(0)
    D = nn.MLP([2, 3, 1], activation="tanh", rng=rng).double()
    x_real = rng.standard_normal((3, 2))
    params = list(D.parameters())

    def penalty(*weights):
        from scratchgen.nn import functional_call
        return games.r1_penalty(lambda u: functional_call(D, weights, u), x_real, 2.0)
    gradcheck(penalty, [p.data.copy() for p in params])
    gradgradcheck(penalty, [p.data.copy() for p in params])


def test_r1_penalty_matches_the_closed_form_on_a_linear_discriminator():
    w = np.array([[0.3], [-1.2]])
    x_real = np.random.default_rng(1).standard_normal((5, 2))
    value = games.r1_penalty(lambda u: u @ Tensor(w), x_real, 3.0).item()
    assert value == pytest.approx(1.5 * (w ** 2).sum(), rel=1e-14)


def consensus_objective(theta, psi):
    """L = |v|^2 / 2 on the Dirac GAN, v = (grad_theta V, -grad_psi V) made with create_graph."""
    v_theta, v_psi = grad([losses.minimax_loss((theta * psi).reshape(1, 1)),
                           -losses.value_from_logits((psi * 0.0).reshape(1, 1),
                                                     (theta * psi).reshape(1, 1))],
                          [theta, psi], create_graph=True)
    return 0.5 * (v_theta * v_theta).sum() + 0.5 * (v_psi * v_psi).sum()


def test_consensus_objective_gradchecks_to_second_order():
    gradcheck(consensus_objective, [np.array([0.7]), np.array([-0.4])])
    gradgradcheck(consensus_objective, [np.array([0.7]), np.array([-0.4])])


def test_consensus_step_on_the_dirac_gan_is_the_hand_written_formula():
    # v = (-s psi, s theta), s = sigmoid(psi theta); L = s^2 (theta^2 + psi^2) / 2,
    # grad L = s s' (theta^2 + psi^2) (psi, theta) + s^2 (theta, psi), s' = s (1 - s).
    lr, gamma = 0.5, 0.7
    traj = dynamics.play(dynamics.Consensus(gamma), *games.dirac_gan(1.0, -0.5, lr=lr), 50)
    theta, psi = 1.0, -0.5
    for t in range(1, 51):
        s = sigmoid(psi * theta)
        r2, ds = theta ** 2 + psi ** 2, s * s * (1 - s)
        g_theta = -s * psi + gamma * (ds * r2 * psi + s * s * theta)
        g_psi = s * theta + gamma * (ds * r2 * theta + s * s * psi)
        theta, psi = theta - lr * g_theta, psi - lr * g_psi
        np.testing.assert_allclose(traj[t], [theta, psi], rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- errors
def test_bad_arguments_get_one_clear_line():
    with pytest.raises(ValueError, match="update must be one of"):
        dynamics.make_rule("sideways")
    with pytest.raises(ValueError, match="beta must be a number in"):
        dynamics.NegativeMomentum(beta=0.5)
    with pytest.raises(ValueError, match="k must be >= 1"):
        dynamics.Alternating(k=0)
    with pytest.raises(ValueError, match="params\\[0\\] must be a Tensor with requires_grad"):
        dynamics.Player([Tensor(np.zeros(1))], lambda: None, None)


def test_optimistic_state_round_trips():
    game = games.bilinear_game(1.0, 0.5, lr=LR)
    rule = dynamics.Optimistic()
    dynamics.play(rule, *game, 3)
    copy = dynamics.Optimistic().load_state_dict(rule.state_dict())
    a = dynamics.play(rule, *games.bilinear_game(0.2, 0.1, lr=LR), 2)
    b = dynamics.play(copy, *games.bilinear_game(0.2, 0.1, lr=LR), 2)
    np.testing.assert_array_equal(a, b)
