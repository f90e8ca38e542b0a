"""Recipes: complete, independent copies, and built into the right GAN."""
import numpy as np
import pytest

from scratchgen.gan import GAN, PacGAN, UnrolledGAN, WGANGP
from scratchgen.gan.recipes import (RECIPES, build_gan, default_recipe, digit_labels, lr_at,
                                    recipe_data, score_samples, train_recipe)

KEYS = {"dataset", "data_dim", "variant", "latent_dim", "generator_hidden", "discriminator_hidden",
        "activation", "loss", "optimizer", "lr", "betas", "batch_size", "k", "n_steps",
        "lr_decay_steps", "lr_decay"}


@pytest.mark.parametrize("dataset", ["ring", "grid", "digits", "stacked_digits", "mnist",
                                     "mnist_standard"])
def test_default_recipe_is_complete_and_a_copy(dataset):
    recipe = default_recipe(dataset)
    assert KEYS <= set(recipe)
    recipe["generator_hidden"].append(1)
    assert default_recipe(dataset)["generator_hidden"] == RECIPES[dataset]["generator_hidden"]


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="cifar10"):
        default_recipe("cifar10")


@pytest.mark.parametrize("variant, cls", [("gan", GAN), ("pacgan", PacGAN),
                                          ("unrolled", UnrolledGAN), ("wgan_gp", WGANGP)])
def test_build_gan_makes_the_variant(variant, cls):
    recipe = dict(default_recipe("ring"), variant=variant, generator_hidden=[4],
                  discriminator_hidden=[4])
    gan = build_gan(recipe, rng=0)
    assert type(gan) is cls
    pack = recipe["pack"] if variant == "pacgan" else 1
    assert gan.discriminator[0].in_features == 2 * pack
    assert gan.generator[0].in_features == recipe["latent_dim"]
    assert gan.sample(5, rng=0).shape == (5, 2)


def test_recipe_data_shapes():
    assert recipe_data(default_recipe("ring"))(7, np.random.default_rng(0)).shape == (7, 2)
    # The digits: the fixed split the pretrained classifier was trained on (1347 / 450).
    assert recipe_data(default_recipe("digits")).shape == (1347, 64)
    assert recipe_data(default_recipe("digits"), split="test").shape == (450, 64)
    stacked = dict(default_recipe("stacked_digits"), n_stacked=10, n_stacked_test=3)
    assert recipe_data(stacked, rng=0).shape == (10, 192)
    assert recipe_data(stacked, rng=0, split="test").shape == (3, 192)
    with pytest.raises(ValueError, match="split"):
        recipe_data(stacked, split="valid")
    # MNIST: the fixed split of datasets.load_mnist (8,000 / 2,000), for both recipes.
    assert recipe_data(default_recipe("mnist")).shape == (8000, 784)
    assert recipe_data(default_recipe("mnist_standard"), split="test").shape == (2000, 784)


def test_mnist_recipes_build_the_lecture_pair_and_score_images():
    wgan, standard = build_gan(default_recipe("mnist"), rng=0), build_gan(default_recipe("mnist_standard"), rng=0)
    assert type(wgan) is WGANGP and type(standard) is GAN and standard.loss == "nonsaturating"
    assert wgan.sample(3, rng=0).shape == (3, 784)
    # A blank "generator" (all pixels 0): one class, the largest distance, no recall.
    scores = score_samples(default_recipe("mnist"), np.zeros((40, 784), np.float32))
    assert scores["classes_covered"] == 1 and scores["recall"] == 0.0
    assert {"frechet", "precision", "reverse_kl", "n_classes"} <= set(scores)


def test_lr_at_counts_the_drops_passed_for_each_player():
    recipe = dict(default_recipe("ring"), lr=1e-3, lr_d=4e-3, lr_decay=0.5, lr_decay_steps=[5, 2])
    assert lr_at(recipe, 0) == (1e-3, 4e-3)
    assert lr_at(recipe, 1) == (1e-3, 4e-3)
    assert lr_at(recipe, 2) == pytest.approx((5e-4, 2e-3))
    assert lr_at(recipe, 4) == pytest.approx((5e-4, 2e-3))
    assert lr_at(recipe, 5) == pytest.approx((2.5e-4, 1e-3))
    assert lr_at(recipe, 10 ** 6) == pytest.approx((2.5e-4, 1e-3))


def test_build_gan_gives_each_player_its_learning_rate():
    recipe = dict(default_recipe("ring"), generator_hidden=[4], discriminator_hidden=[4],
                  lr_g=3e-4, lr_d=7e-4)
    gan = build_gan(recipe, rng=0)
    assert gan.opt_g.param_groups[0]["lr"] == 3e-4 and gan.opt_d.param_groups[0]["lr"] == 7e-4
    sgd = build_gan(dict(recipe, optimizer="sgd", momentum=0.9), rng=0)
    assert sgd.opt_g.param_groups[0]["lr"] == 3e-4 and sgd.opt_d.param_groups[0]["momentum"] == 0.9


def test_digit_labels_read_stacked_real_digits():
    # Real test images stacked three wide, with their true labels 100 a + 10 b + c:
    # the classifier (~97% per digit) must read most triples right (0.97^3 = 0.91).
    from scratchgen.datasets import stacked_digits
    from scratchgen.nn.pretrained import digits_split
    _, X_test, _, y_test = digits_split()
    images, labels = stacked_digits(300, rng=0, X=X_test, y=y_test)
    assert np.mean(digit_labels(images) == labels) > 0.85
    assert np.mean(digit_labels(X_test) == y_test) > 0.9
    with pytest.raises(ValueError, match="64"):
        digit_labels(np.zeros((2, 10)))


def test_score_samples_of_real_and_collapsed_ring_samples():
    recipe = default_recipe("ring")
    real = recipe_data(recipe)(2000, np.random.default_rng(0))
    full = score_samples(recipe, real)
    assert full["modes_captured"] == 8 == full["n_modes"] and full["reverse_kl"] < 0.01
    assert full["high_quality_fraction"] > 0.95  # 3 std in 2-D holds 98.9%
    one_mode = real[np.argmin(np.abs(real[:, 1]) + np.abs(real[:, 0] - 1), axis=0)][None].repeat(50, 0)
    collapsed = score_samples(recipe, one_mode)
    assert collapsed["modes_captured"] == 1 and collapsed["reverse_kl"] == pytest.approx(np.log(8))


def test_train_recipe_applies_the_learning_rate_drops():
    recipe = dict(default_recipe("ring"), generator_hidden=[4], discriminator_hidden=[4],
                  batch_size=8, n_steps=6, lr_decay_steps=[2, 4], lr_decay=0.5, lr=1e-3)
    gan, seconds = train_recipe(recipe, rng=0)
    assert gan.step == 6 and seconds > 0
    for opt in (gan.opt_g, gan.opt_d):
        assert opt.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.25)
