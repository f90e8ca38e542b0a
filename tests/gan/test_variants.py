"""WGAN-GP, PacGAN and the unrolled GAN: their losses' gradients and their use of the trainer."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn, optim
from scratchgen.gan import PacGAN, UnrolledGAN, WGANGP
from scratchgen.nn import functional_call, using_parameters
from scratchgen.gan import losses as L
from scratchgen.gan.unrolled import unrolled_generator_loss
from scratchgen.testing import gradcheck


def nets(seed=0, d_in=2, latent=3, hidden=4):
    rng = np.random.default_rng(seed)
    return (nn.MLP([latent, hidden, 2], activation="tanh", rng=rng),
            nn.MLP([d_in, hidden, 1], activation="tanh", rng=rng))


# --------------------------------------------------------------------------- WGAN-GP
def test_wgan_gp_defaults_follow_gulrajani():
    G, D = nets()
    gan = WGANGP(G, D, 3)
    assert gan.n_critic == 5 and gan.gp_weight == 10.0
    group = gan.opt_d.param_groups[0]
    assert group["lr"] == 1e-4 and tuple(group["betas"]) == (0.5, 0.9)


def test_wgan_gp_runs_n_critic_critic_steps_per_generator_step(record_steps):
    G, D = nets()
    gan = WGANGP(G, D, 3, n_critic=4, batch_size=8, rng=0)
    log = record_steps(gan, d_name="C")
    gan.train(np.random.default_rng(1).standard_normal((20, 2)).astype(np.float32), 3)
    assert log == (["C"] * 4 + ["G"]) * 3


def test_wgan_gp_critic_loss_value_and_gradcheck(float64):
    # The critic loss = mean f(fake) - mean f(real) + penalty at interpolates
    # drawn from the gan's rng; replay that rng to compute it independently.
    G, D = nets()
    gan = WGANGP(G, D, 3, gp_weight=3.0, batch_size=4, rng=5)
    rng = np.random.default_rng(6)
    x, z = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    state = gan.rng.bit_generator.state
    loss, _ = gan.discriminator_loss(x, z)
    gan.rng.bit_generator.state = state
    fake = G(sg.tensor(z)).numpy()
    x_hat = L.interpolates(x, fake, gan.rng)
    expected = (D(sg.tensor(fake)).numpy().mean() - D(sg.tensor(x)).numpy().mean()
                + L.gradient_penalty(D, x_hat, weight=3.0).item())
    assert loss.item() == pytest.approx(expected, rel=1e-12)

    params = [p.data.copy() for p in D.parameters()]

    def critic_loss(*theta):
        gan.rng.bit_generator.state = state  # the same interpolates each call
        with using_parameters(D, theta):
            return gan.discriminator_loss(x, z)[0]

    gradcheck(critic_loss, params, atol=1e-6, rtol=1e-4)


def test_wgan_gp_generator_loss_gradcheck(float64):
    G, D = nets()
    gan = WGANGP(G, D, 3, rng=0)
    z = np.random.default_rng(7).standard_normal((5, 3))

    def generator_loss(*theta):
        with using_parameters(G, theta):
            return gan.generator_loss(z)

    gradcheck(generator_loss, [p.data.copy() for p in G.parameters()])


# --------------------------------------------------------------------------- PacGAN
def test_pacgan_discriminator_sees_concatenated_packs(float64):
    G, D = nets(d_in=4)  # pack = 2 samples of 2-D points
    gan = PacGAN(G, D, 3, pack=2, batch_size=3, rng=0)
    x = np.random.default_rng(8).standard_normal((6, 2))
    packed = np.stack([np.concatenate([x[0], x[1]]), np.concatenate([x[2], x[3]]),
                       np.concatenate([x[4], x[5]])])
    np.testing.assert_allclose(gan.discriminate(sg.tensor(x)).numpy(), D(sg.tensor(packed)).numpy(),
                               rtol=1e-14)
    with pytest.raises(ValueError, match="pack"):
        gan.discriminate(sg.tensor(x[:5]))


def test_pacgan_draws_batch_size_packs_per_step():
    G, D = nets(d_in=6)
    gan = PacGAN(G, D, 3, pack=3, batch_size=4, rng=0)
    shapes = []
    original = gan.discriminator.forward
    gan.discriminator.forward = lambda x: (shapes.append(x.shape), original(x))[1]
    gan.train(np.zeros((50, 2), np.float32), 1)
    # D step: real and fake packs; G step: fake packs. Each (4 packs, 3 * 2).
    assert shapes == [(4, 6)] * 3


def test_pacgan_value_function_gradcheck(float64):
    G, D = nets(d_in=4)
    gan = PacGAN(G, D, 3, pack=2, rng=0)
    rng = np.random.default_rng(9)
    x, z = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    for module in (G, D):
        def V(*theta, module=module):
            with using_parameters(module, theta):
                return gan.value_function(x, z)
        gradcheck(V, [p.data.copy() for p in module.parameters()])


# --------------------------------------------------------------------------- unrolled
def test_functional_call_uses_the_given_tensors_and_restores(float64):
    _, D = nets()
    x = sg.tensor(np.random.default_rng(10).standard_normal((3, 2)))
    zeros = [sg.tensor(np.zeros(p.shape)) for p in D.parameters()]
    np.testing.assert_array_equal(functional_call(D, zeros, x).numpy(), np.zeros((3, 1)))
    assert not np.allclose(D(x).numpy(), 0.0)  # the real parameters are back
    with pytest.raises(ValueError, match="parameters"):
        functional_call(D, zeros[:1], x)


def _unrolled(seed=0, K=1, lr=0.5):
    G, D = nets(seed, hidden=3)  # small: each finite difference unrolls K steps
    gan = UnrolledGAN(G, D, 3, unroll_steps=K, unroll_lr=lr, loss="nonsaturating", rng=seed)
    rng = np.random.default_rng(seed + 11)
    return gan, rng.standard_normal((4, 2)), rng.standard_normal((4, 3))


def test_unrolled_loss_is_the_loss_against_the_updated_discriminator(float64):
    # Unroll one SGD step by hand (no graph): theta_1 = theta_0 - lr * grad L_D.
    gan, x, z = _unrolled(K=1, lr=0.5)
    D = gan.discriminator
    fake = gan.generator(sg.tensor(z)).detach()
    theta = list(D.parameters())
    loss_d = L.discriminator_loss(D(sg.tensor(x)), D(fake))
    theta_1 = [p.detach() - 0.5 * g.detach() for p, g in zip(theta, sg.grad(loss_d, theta))]
    logits = functional_call(D, theta_1, fake).numpy().ravel()
    expected = np.mean(np.logaddexp(0.0, -logits))  # -mean log sigmoid
    got = unrolled_generator_loss(gan, z, x, 1, 0.5).item()
    assert got == pytest.approx(expected, rel=1e-12)
    # ... and not the loss against the current D (the step must matter).
    current = float(np.mean(np.logaddexp(0.0, -D(fake).numpy().ravel())))
    assert abs(got - current) > 1e-4


@pytest.mark.task("gan.unrolled_generator_loss")
@pytest.mark.parametrize("K", [1, 2])
def test_unrolled_generator_loss_gradcheck(float64, K):
    # Finite differences move theta_G, which changes G(z) inside every unrolled
    # D step; the autodiff must carry that path through create_graph=True.
    gan, x, z = _unrolled(K=K, lr=0.5)
    G = gan.generator

    def unrolled(*theta):
        with using_parameters(G, theta):
            return unrolled_generator_loss(gan, z, x, K, 0.5)

    gradcheck(unrolled, [p.data.copy() for p in G.parameters()], atol=1e-6, rtol=1e-4)


def test_unrolled_gradient_differs_from_the_plain_gradient(float64):
    # The term through the unrolled steps must be present: compare with the
    # gradient where theta_D^K is treated as a constant.
    gan, x, z = _unrolled(K=2, lr=1.0)
    theta = list(gan.generator.parameters())
    full = sg.grad(unrolled_generator_loss(gan, z, x, 2, 1.0), theta)
    # Constant theta_D^2: unroll on a detached G(z), then evaluate on the live G(z).
    D, fake_const = gan.discriminator, gan.generator(sg.tensor(z)).detach()
    params = list(D.parameters())
    for _ in range(2):
        with using_parameters(D, params):
            loss_d = L.discriminator_loss(D(sg.tensor(x)), D(fake_const))
        params = [sg.tensor(p.data - g.data, requires_grad=True)
                  for p, g in zip(params, sg.grad(loss_d, params))]
    plain = sg.grad(L.nonsaturating_loss(functional_call(D, params, gan.generator(sg.tensor(z)))), theta)
    diff = max(np.max(np.abs(a.numpy() - b.numpy())) for a, b in zip(full, plain))
    assert diff > 1e-4


def test_unrolled_gan_trains_and_leaves_d_to_its_own_step(record_steps):
    gan, _, _ = _unrolled(K=2)
    log = record_steps(gan)
    d0 = gan.discriminator.state_dict()
    gan.discriminator_step(np.zeros((gan.batch_size, 2), np.float32))
    d1 = gan.discriminator.state_dict()
    gan.generator_step()  # unrolls 2 steps on a copy: D itself must not move
    assert all(np.array_equal(d1[k], v) for k, v in gan.discriminator.state_dict().items())
    assert not all(np.array_equal(d0[k], d1[k]) for k in d0)
    assert log == ["D", "G"]


def test_unrolled_generator_step_needs_data_first():
    gan, _, _ = _unrolled()
    with pytest.raises(RuntimeError, match="discriminator_step"):
        gan.generator_step()
