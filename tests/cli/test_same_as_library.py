"""A command's numbers equal the library's for the same seed: the CLI is a
loop over library calls, not a second implementation. One model of each
kind: a GAN (``train gan`` vs ``gan.recipes.train_recipe``), a latent model
(``train vae`` vs ``VAE.fit``) and a density fit (``fit`` vs
``GaussianMixture.fit`` on the library's train/test split)."""
import json

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.gan.recipes import default_recipe, recipe_data, score_samples, train_recipe


def _summary(run):
    return json.loads((run / "summary.json").read_text())


@pytest.mark.parametrize("dataset, steps", [("ring", 12), ("digits", 3), ("stacked-digits", 2)])
def test_train_gan_equals_train_recipe(cli, tmp_path, dataset, steps):
    seed = 3
    r = cli("train", "gan", "--dataset", dataset, "--quick", "--steps", steps, "--lr-decay-steps", 6,
            "--lr-d", 2e-3, "--seed", seed, "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    # The same recipe written out by hand: the --quick sizes, the drop at 6, D's own rate.
    recipe = dict(default_recipe(dataset.replace("-", "_")), n_steps=steps, batch_size=32,
                  generator_hidden=[16], discriminator_hidden=[16], lr_decay_steps=[6], lr_d=2e-3)
    if dataset == "stacked-digits":
        recipe["n_stacked"] = 500       # what --quick draws
    gan, _ = train_recipe(recipe, rng=seed)
    state = sg.load(tmp_path / "run" / "checkpoint.npz")["job"]["gan"]
    for name, module in (("generator", gan.generator), ("discriminator", gan.discriminator)):
        for key, value in module.state_dict().items():
            np.testing.assert_array_equal(state[name][key], value, err_msg=f"{name}.{key}")
    assert state["opt_d"]["param_groups"][0]["lr"] == gan.opt_d.param_groups[0]["lr"]
    samples = gan.sample(500, rng=np.random.default_rng([seed, 2]))
    # The test images: after the training images, from the data's own stream [seed, 1].
    data_rng = np.random.default_rng([seed, 1])
    recipe_data(recipe, data_rng)
    test = None if dataset == "ring" else recipe_data(recipe, data_rng, split="test")
    expected = score_samples(recipe, samples, test=test)
    summary = _summary(tmp_path / "run")
    assert {key: summary[key] for key in expected} == expected


def test_train_gan_help_quotes_the_ring_recipe(cli):
    # The numbers in the help come from the recipe table (they were stale copies).
    from scratchgen.gan.recipes import RECIPES
    r = cli("train", "gan", "--help")
    assert r.status == 0
    text = " ".join(r.out.split())
    ring = RECIPES["ring"]
    assert f"e.g. {ring['n_steps']} for ring" in text
    assert f"e.g. {','.join(map(str, ring['lr_decay_steps']))} for ring" in text


def test_train_vae_equals_vae_fit(cli, tmp_path):
    # --quick: 200 training rows, batches of 32 (7 per epoch), hidden (16,); 14 steps = 2 epochs.
    from scratchgen import datasets
    from scratchgen.latent import VAE
    seed, epochs = 5, 2
    r = cli("train", "vae", "--quick", "--steps", 7 * epochs, "--lr", 3e-3, "--seed", seed,
            "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    # The library: the digits split 80/20 by the data stream [seed, 1], then VAE.fit.
    digits = datasets.load_digits()
    data_rng = np.random.default_rng([seed, 1])
    X_train, _ = datasets.train_test_split(digits.data, test_size=0.2,
                                           rng=int(data_rng.integers(2**31)))
    rng = np.random.default_rng(seed)
    vae = VAE.mlp(64, 2, (16,), likelihood="bernoulli", rng=rng)
    vae.fit(X_train[:200], epochs=epochs, batch_size=32, lr=3e-3, rng=rng)
    state = sg.load(tmp_path / "run" / "checkpoint.npz")["job"]["model"]
    for key, value in vae.state_dict().items():
        np.testing.assert_array_equal(state[key], value, err_msg=key)


def test_fit_equals_gaussian_mixture_fit_on_the_library_split(cli, tmp_path):
    from scratchgen import datasets
    from scratchgen.density import GaussianMixture
    seed = 4
    r = cli("fit", "ring", "--n", 400, "--seed", seed, "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    rng = np.random.default_rng(seed)
    X = datasets.ring(400, preset="mle", rng=rng)
    X_train, X_test = datasets.train_test_split(X, test_size=0.2, rng=rng)
    model = GaussianMixture(8, method="em", n_init=2, rng=seed).fit(X_train)
    summary = _summary(tmp_path / "run")
    assert (summary["n_train"], summary["n_test"]) == (320, 80)
    assert summary["test_log_likelihood"] == model.score(X_test)
    assert summary["train_log_likelihood"] == model.score(X_train)
    assert "(8 components)" in r.out
