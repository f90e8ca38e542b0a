"""Recipes: complete, independent copies, and built into the right GAN."""
import numpy as np
import pytest

from scratchgen.gan import GAN, PacGAN, UnrolledGAN, WGANGP
from scratchgen.gan.recipes import RECIPES, build_gan, default_recipe, recipe_data, train_recipe

KEYS = {"dataset", "data_dim", "variant", "latent_dim", "generator_hidden", "discriminator_hidden",
        "activation", "loss", "optimizer", "lr", "betas", "batch_size", "k", "n_steps",
        "lr_decay_steps", "lr_decay"}


@pytest.mark.parametrize("dataset", ["ring", "grid", "digits", "stacked_digits"])
def test_default_recipe_is_complete_and_a_copy(dataset):
    recipe = default_recipe(dataset)
    assert KEYS <= set(recipe)
    recipe["generator_hidden"].append(1)
    assert default_recipe(dataset)["generator_hidden"] == RECIPES[dataset]["generator_hidden"]


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="mnist"):
        default_recipe("mnist")


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
    assert recipe_data(default_recipe("digits")).shape == (1797, 64)
    stacked = dict(default_recipe("stacked_digits"), n_stacked=10)
    assert recipe_data(stacked, rng=0).shape == (10, 192)


def test_train_recipe_applies_the_learning_rate_drops():
    recipe = dict(default_recipe("ring"), generator_hidden=[4], discriminator_hidden=[4],
                  batch_size=8, n_steps=6, lr_decay_steps=[2, 4], lr_decay=0.5, lr=1e-3)
    gan, seconds = train_recipe(recipe, rng=0)
    assert gan.step == 6 and seconds > 0
    for opt in (gan.opt_g, gan.opt_d):
        assert opt.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.25)
