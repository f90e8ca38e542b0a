"""GAN(update=...): simultaneous vs alternating updates of a real GAN, checkpoints.

The expected parameters are computed here with plain sg.grad on copies of the
networks at the parameters each rule prescribes, with a fixed noise and a
one-row data set so that every loss evaluation sees the same minibatch.
"""
import copy

import numpy as np
import pytest

import scratchgen as sg
from scratchgen import datasets, nn, optim
from scratchgen.gan import GAN, PacGAN, UnrolledGAN, dynamics, losses

LR = 0.05


class FixedNoiseGAN(GAN):
    """Every draw of z is the same: the losses are deterministic functions of the parameters."""

    def sample_noise(self, m, rng=None):
        return np.linspace(-1.0, 1.0, m * self.latent_dim).reshape(m, self.latent_dim)


def nets(seed=0):
    rng = np.random.default_rng(seed)
    return (nn.MLP([3, 5, 2], activation="tanh", rng=rng).double(),
            nn.MLP([2, 6, 1], activation="tanh", rng=rng).double())


def make(cls=GAN, seed=0, **kwargs):
    G, D = nets(seed)
    return cls(G, D, 3, loss="nonsaturating", batch_size=4, rng=seed + 100,
               opt_g=optim.SGD(G.parameters(), lr=LR), opt_d=optim.SGD(D.parameters(), lr=LR),
               **kwargs)


X_REAL = np.array([[0.5, -0.25]])      # one data row: every minibatch is 4 copies of it


def sgd_moved(module, loss_of_module):
    """A copy of ``module`` after one SGD step of size LR on loss_of_module(module)."""
    moved = copy.deepcopy(module)
    params = list(moved.parameters())
    grads = sg.grad(loss_of_module(moved), params)
    for p, g in zip(params, grads):
        p.data -= LR * g.data
    return moved


def expected_step(gan, update):
    z = FixedNoiseGAN.sample_noise(gan, 4)
    x = np.repeat(X_REAL, 4, axis=0)
    G, D = gan.generator, gan.discriminator

    def d_loss(d, g=G):
        return losses.discriminator_loss(d(sg.tensor(x)), d(g(sg.tensor(z)).detach()))
    D_new = sgd_moved(D, d_loss)
    D_seen_by_g = D if update == "simultaneous" else D_new
    G_new = sgd_moved(G, lambda g: losses.nonsaturating_loss(D_seen_by_g(g(sg.tensor(z)))))
    return G_new, D_new


def flat(module):
    return np.concatenate([p.data.ravel() for p in module.parameters()])


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_simultaneous_uses_the_old_discriminator_and_alternating_the_new(update):
    gan = make(FixedNoiseGAN, update=update)
    G_new, D_new = expected_step(gan, update)
    gan.iteration(X_REAL)
    np.testing.assert_allclose(flat(gan.discriminator), flat(D_new), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(flat(gan.generator), flat(G_new), rtol=1e-12, atol=1e-15)
    other = "alternating" if update == "simultaneous" else "simultaneous"
    G_other, _ = expected_step(make(FixedNoiseGAN, update=other), other)
    assert np.abs(flat(gan.generator) - flat(G_other)).max() > 1e-6   # the two rules differ


def test_algorithm_1_is_the_alternating_rule_of_gan_dynamics():
    # Same seeds, same draws in the same order: the GAN's own loop and
    # dynamics.Alternating over gan.players() give the same parameters, bit for bit.
    data = lambda m, rng: datasets.ring(m, rng=rng)  # noqa: E731
    a, b = make(seed=3), make(seed=3)
    for _ in range(3):
        a.iteration(data)
        dynamics.Alternating().step(*b.players(data)[:2])
    np.testing.assert_array_equal(flat(a.generator), flat(b.generator))
    np.testing.assert_array_equal(flat(a.discriminator), flat(b.discriminator))


@pytest.mark.parametrize("update", ["simultaneous", "optimistic", "extragradient"])
def test_checkpoint_resumes_exactly_for_each_update(tmp_path, update):
    data = lambda m, rng: datasets.ring(m, rng=rng)  # noqa: E731
    a = make(update=update)
    a.train(data, 3)
    sg.save(a.state_dict(), tmp_path / "gan.npz")
    a.train(data, 3)
    b = make(seed=9, update=update)
    b.load_state_dict(sg.load(tmp_path / "gan.npz"))
    b.train(data, 3)
    np.testing.assert_array_equal(flat(a.generator), flat(b.generator))
    assert a.history == b.history and b.step == 6 and b.n_d_updates == b.n_g_updates == 6


def test_pacgan_trains_simultaneously():
    rng = np.random.default_rng(0)
    G = nn.MLP([3, 5, 2], rng=rng)
    D = nn.MLP([4, 6, 1], rng=rng)
    gan = PacGAN(G, D, 3, pack=2, batch_size=8, rng=1, update="simultaneous")
    record = gan.iteration(lambda m, r: datasets.ring(m, rng=r).astype(np.float32))
    assert record["step"] == 1 and np.isfinite(record["loss_g"]) and 0 < record["d_real"] < 1


def test_bad_updates_get_one_clear_line():
    with pytest.raises(ValueError, match="update must be one of"):
        make(update="sideways")
    with pytest.raises(ValueError, match="needs k=1"):
        make(update="simultaneous", k=2)
    with pytest.raises(ValueError, match="UnrolledGAN overrides discriminator_step"):
        make(UnrolledGAN, update="simultaneous")
    saved = make(update="simultaneous").state_dict()
    with pytest.raises(ValueError, match="trained with update='simultaneous'"):
        make().load_state_dict(saved)


# ------------------------------------------------------------------ command line
def test_train_gan_update_option_resumes_exactly(tmp_path, capsys):
    from scratchgen.cli import main
    common = ["train", "gan", "--quick", "--update", "optimistic", "--checkpoint-every", "5",
              "--no-figures"]
    assert main(common + ["--steps", "10", "--out", str(tmp_path / "full")]) == 0
    assert main(common + ["--steps", "5", "--out", str(tmp_path / "part")]) == 0
    assert main(["train", "gan", "--resume", str(tmp_path / "part"), "--steps", "10"]) == 0
    a, b = (sg.load(tmp_path / run / "checkpoint.npz")["job"]["gan"] for run in ("full", "part"))
    assert a["update"] == b["update"] == "optimistic"
    for key in ("generator", "discriminator"):
        for name in a[key]:
            np.testing.assert_array_equal(a[key][name], b[key][name])
    capsys.readouterr()
    assert main(["train", "gan", "--update", "sideways", "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--update" in err[0] and "'sideways'" in err[0]
    assert not (tmp_path / "bad").exists()
