"""Stacked MNIST mode counts, and a smoke run of its two recipes."""
import numpy as np
import pytest

from scratchgen.datasets import load_mnist, stacked_mnist
from scratchgen.gan.recipes import build_gan, default_recipe, recipe_data, score_samples
from scratchgen.gan.stacked_mnist import (N_MODES, stacked_mnist_coverage, stacked_mnist_modes,
                                          stacked_mnist_reference)


def test_the_classifier_reads_real_held_out_stacks_by_their_true_labels():
    # The shipped classifier is 98% right per held-out digit, so about 0.98^3 = 94% per stack.
    X, y = load_mnist("test", return_X_y=True)
    images, labels = stacked_mnist(600, rng=0, X=X, y=y)
    assert np.mean(stacked_mnist_modes(images) == labels) > 0.9
    with pytest.raises(ValueError, match="2352"):
        stacked_mnist_modes(np.zeros((2, 784)))


def test_coverage_of_a_collapsed_generator_and_of_real_stacks():
    X, y = load_mnist("test", return_X_y=True)
    one = np.tile(stacked_mnist(1, rng=0, X=X, y=y, return_labels=False), (50, 1))
    c = stacked_mnist_coverage(one)
    assert c.classes_covered == 1 and c.n_classes == N_MODES
    assert c.reverse_kl == pytest.approx(np.log(1000))        # all mass on one mode
    # 2,000 real stacks: about 1000 (1 - e^-2) = 865 modes (a few more or fewer from the
    # classifier's misreadings), reverse KL near that of 2,000 uniform draws (~0.25).
    ref = stacked_mnist_reference(n=2000)
    assert 820 < ref.classes_covered < 910 and ref.reverse_kl < 0.35


@pytest.mark.parametrize("name, variant", [("stacked_mnist", "wgan_gp"), ("stacked_mnist_standard", "gan")])
def test_recipes_build_train_and_score(name, variant):
    recipe = dict(default_recipe(name), generator_hidden=[8], discriminator_hidden=[8], batch_size=8)
    assert default_recipe(name)["data_dim"] == 2352 and default_recipe(name)["variant"] == variant
    data = recipe_data(recipe)
    assert data(4, np.random.default_rng(0)).shape == (4, 2352)
    gan = build_gan(recipe, rng=0)
    gan.train(data, 2)
    scores = score_samples(recipe, gan.sample(20, rng=0))
    assert scores["n_classes"] == 1000 and 1 <= scores["classes_covered"] <= 20
