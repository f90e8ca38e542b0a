"""The semi-supervised GAN (Salimans et al. 2016): its K+1-class loss, feature matching, trainer use."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn
from scratchgen.gan.recipes import default_recipe
from scratchgen.nn import GaussianNoise
from scratchgen.gan.semi_supervised import (SemiSupervisedGAN, balanced_labelled_subset,
                                            build_semi_supervised_gan, feature_matching_loss,
                                            semi_supervised_discriminator_loss)
from scratchgen.testing import gradcheck, gradgradcheck


def numpy_k_plus_1_loss(lab, y, unl, fake):
    """Independent: softmax over K+1 classes with the fake logit appended as a 0 column."""
    def probs(logits):
        full = np.concatenate([logits, np.zeros((len(logits), 1))], axis=1)
        e = np.exp(full - full.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    p_lab = probs(lab)
    supervised = -np.mean(np.log(p_lab[np.arange(len(y)), y] / p_lab[:, :-1].sum(axis=1)))
    unsupervised = -np.mean(np.log(1.0 - probs(unl)[:, -1])) - np.mean(np.log(probs(fake)[:, -1]))
    return supervised, unsupervised


@pytest.mark.task("gan.semi_supervised_loss")
def test_k_plus_1_loss_matches_numpy_cross_entropy_with_zero_fake_logit():
    rng = np.random.default_rng(0)
    lab, unl, fake = rng.normal(0, 2, (5, 3)), rng.normal(0, 2, (4, 3)), rng.normal(0, 2, (6, 3))
    y = np.array([0, 2, 1, 1, 0])
    loss, sup, unsup = semi_supervised_discriminator_loss(
        sg.tensor(lab), y, sg.tensor(unl), sg.tensor(fake), unsupervised_weight=0.5)
    want_sup, want_unsup = numpy_k_plus_1_loss(lab, y, unl, fake)
    np.testing.assert_allclose(sup.item(), want_sup, rtol=1e-10)
    np.testing.assert_allclose(unsup.item(), want_unsup, rtol=1e-10)
    np.testing.assert_allclose(loss.item(), want_sup + 0.5 * want_unsup, rtol=1e-10)


@pytest.mark.task("gan.semi_supervised_loss")
def test_k_plus_1_loss_hand_case():
    # One class, logit 0: p(real) = 1/2 everywhere; the supervised term is 0 (one class).
    z = sg.tensor(np.zeros((1, 1)))
    loss, sup, unsup = semi_supervised_discriminator_loss(z, np.array([0]), z, z)
    assert sup.item() == pytest.approx(0.0, abs=1e-12)
    assert unsup.item() == pytest.approx(2 * np.log(2.0), rel=1e-12)
    # Large logits stay finite (stable softplus/logsumexp): D(x) -> 1 on real, the fake term -> 800.
    big = sg.tensor(np.full((2, 2), 800.0))
    _, _, unsup = semi_supervised_discriminator_loss(big, np.array([0, 1]), big, big)
    assert unsup.item() == pytest.approx(800.0 + np.log(2.0), rel=1e-12)


@pytest.mark.task("gan.semi_supervised_loss")
def test_k_plus_1_loss_gradients(float64):
    rng = np.random.default_rng(1)
    y = np.array([1, 0, 2])
    inputs = [rng.normal(size=(3, 3)), rng.normal(size=(2, 3)), rng.normal(size=(4, 3))]

    def fn(lab, unl, fake):
        return semi_supervised_discriminator_loss(lab, y, unl, fake, 0.7)[0]
    assert gradcheck(fn, inputs)  # second order: its ops (logsumexp, softplus, ...) are gradgradchecked


def test_feature_matching_loss_value_and_gradients(float64):
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    want = np.mean((real.mean(axis=0) - fake.mean(axis=0)) ** 2)
    assert feature_matching_loss(sg.tensor(real), sg.tensor(fake)).item() == pytest.approx(want, rel=1e-12)
    assert gradcheck(lambda r, f: feature_matching_loss(r, f), [real, fake])
    assert gradgradcheck(lambda r, f: feature_matching_loss(r, f), [real, fake])
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        feature_matching_loss(sg.tensor(real), sg.tensor(fake[:, :2]))


def test_gaussian_noise_layer(float64):
    layer = GaussianNoise(0.5, rng=0)
    x = np.ones((2000, 3))
    out = layer(sg.tensor(x)).numpy()
    assert abs(out.std() - 0.5) < 0.02 and abs(out.mean() - 1.0) < 0.02  # 6000 draws: se ~0.005
    assert gradcheck(lambda t: GaussianNoise(0.5, rng=3)(t) * t, [np.ones((2, 2))])
    layer.eval()
    np.testing.assert_array_equal(layer(sg.tensor(x)).numpy(), x)


def small_gan(seed=0):
    X = np.random.default_rng(0).random((40, 6))  # the same data for every seed
    rng = np.random.default_rng(seed)
    y = np.arange(40) % 2
    D = nn.Sequential(GaussianNoise(0.1, rng=rng), nn.Linear(6, 5, rng=rng), nn.ReLU(), nn.Linear(5, 2, rng=rng))
    G = nn.MLP([3, 5, 6], output_activation="sigmoid", rng=rng)
    return SemiSupervisedGAN(G, D, 3, labelled=(X[:4], y[:4]), batch_size=8, rng=seed), X[4:]


def test_generator_loss_is_feature_matching_on_the_last_real_batch(float64):
    gan, X = small_gan()
    gan.train(X, 3)
    z = gan.sample_noise(8)
    gan.discriminator.eval()  # no noise: an independent forward pass gives the same features
    real = gan._last_real
    layers = list(gan.discriminator)
    f_real = layers[2](layers[1](sg.tensor(real))).numpy()
    f_fake = layers[2](layers[1](gan.generator(sg.tensor(z)))).numpy()
    want = np.mean((f_real.mean(axis=0) - f_fake.mean(axis=0)) ** 2)
    assert gan.generator_loss(z).item() == pytest.approx(want, rel=1e-10)


def test_trains_with_the_gan_loops_and_checkpoints_round_trip(tmp_path):
    gan, X = small_gan()
    gan.train(X, 4)
    assert gan.step == 4 and gan.n_d_updates == 4 and np.all(np.isfinite(gan.history["loss_d"]))
    sg.save(gan.state_dict(), tmp_path / "ck.npz")
    twin, _ = small_gan(seed=5)
    twin.load_state_dict(sg.load(tmp_path / "ck.npz"))
    np.testing.assert_array_equal(twin.predict(X), gan.predict(X))
    gan.train(X, 2)
    twin.train(X, 2)
    np.testing.assert_array_equal(twin.history["loss_d"], gan.history["loss_d"])


def test_bad_input_is_one_clear_line():
    with pytest.raises(ValueError, match="multiple of 10.*got 15"):
        balanced_labelled_subset(np.arange(100) % 10, 15)
    with pytest.raises(ValueError, match="got 0"):
        balanced_labelled_subset(np.arange(100) % 10, 0)
    with pytest.raises(ValueError, match="at most 100"):
        balanced_labelled_subset(np.arange(100) % 10, 110)
    gan, X = small_gan()
    with pytest.raises(ValueError, match="labelled must be"):
        SemiSupervisedGAN(gan.generator, gan.discriminator, 3, labelled=(X[:3], np.array([0.5, 1, 0])))


def test_balanced_subset_and_recipe_builder():
    y = np.arange(200) % 10
    idx = balanced_labelled_subset(y, 30, rng=0)
    assert len(set(idx)) == 30 and np.all(np.bincount(y[idx]) == 3)
    recipe = dict(default_recipe("mnist_semi_supervised"), data_dim=6, discriminator_hidden=[4],
                  generator_hidden=[4], latent_dim=2, labels=20)
    X = np.random.default_rng(0).random((200, 6)).astype(np.float32)
    gan, rest = build_semi_supervised_gan(recipe, X, y, rng=0)
    assert len(rest) == 180 and len(gan.labelled_X) == 20
    assert not (set(map(bytes, rest)) & set(map(bytes, gan.labelled_X)))  # labelled images left out


@pytest.mark.parametrize("labels", ["0", "-10", "15", "8010"])
def test_cli_bad_labels_is_one_line_and_exit_2(labels, capsys, tmp_path):
    from scratchgen.cli import main
    status = main(["train", "gan", "--dataset", "mnist", "--variant", "semi-supervised",
                   f"--labels={labels}", "--quick", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1 and f"--labels {labels}" in err
    assert not (tmp_path / "run").exists()


def test_recipe_data_is_the_unlabelled_rest():
    from scratchgen.gan.recipes import recipe_data, recipe_labels
    recipe = default_recipe("mnist_semi_supervised")
    X_all, y_all = recipe_data(default_recipe("mnist")), recipe_labels(recipe)
    labelled = balanced_labelled_subset(y_all, 100, 0)
    rest = recipe_data(recipe)
    assert len(rest) == len(X_all) - 100
    np.testing.assert_array_equal(rest[0], X_all[np.setdiff1d(np.arange(len(X_all)), labelled)[0]])


def test_weight_norm_builder_and_one_pass_loss_equals_three_passes(float64):
    # The authors' D: weight-norm layers, g fixed in the hidden ones, initialised on data.
    recipe = dict(default_recipe("mnist_semi_supervised"), data_dim=6, discriminator_hidden=[5, 4],
                  generator_hidden=[4], latent_dim=2, labels=20, weight_norm=True,
                  generator_batch_norm=True, activation="softplus", batch_size=8)
    X = np.random.default_rng(0).random((200, 6))
    gan, rest = build_semi_supervised_gan(recipe, X, np.arange(200) % 10, rng=0)
    dense = [m for m in gan.discriminator if isinstance(m, nn.WeightNormLinear)]
    assert [m.train_scale for m in dense] == [False, False, True]
    trained, _ = build_semi_supervised_gan(dict(recipe, train_hidden_scale=True), X,
                                           np.arange(200) % 10, rng=0)
    assert all(m.train_scale for m in trained.discriminator if isinstance(m, nn.WeightNormLinear))
    assert any(isinstance(m, nn.BatchNorm1d) for m in gan.generator)
    gan.discriminator.eval()  # no noise: one concatenated pass must equal three passes
    z = gan.sample_noise(8)
    state = gan.rng.bit_generator.state
    loss, _ = gan.discriminator_loss(rest[:8], z)
    gan.rng.bit_generator.state = state
    idx = gan.rng.integers(0, 20, size=8)
    D = gan.discriminator
    want, _, _ = semi_supervised_discriminator_loss(
        D(sg.tensor(gan.labelled_X[idx])), gan.labelled_y[idx], D(sg.tensor(rest[:8])),
        D(gan.generator(sg.tensor(z))), recipe.get("unsupervised_weight", 1.0))
    assert loss.item() == pytest.approx(want.item(), rel=1e-12)


def test_check_label_budget_returns_images_per_class_and_names_the_limit():
    from scratchgen.gan.semi_supervised import check_label_budget
    y = np.repeat(np.arange(10), [5, 6, 7, 8, 9, 10, 11, 12, 13, 3])  # the smallest class has 3
    assert check_label_budget(30, y) == 3
    for bad in (0, -10, 15, 2.0 * 10, True):
        with pytest.raises(ValueError, match="positive multiple of 10"):
            check_label_budget(bad, y)
    with pytest.raises(ValueError, match=r"4 images per class.*has 3: at most 30"):
        check_label_budget(40, y)
