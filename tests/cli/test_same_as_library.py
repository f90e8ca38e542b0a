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


@pytest.mark.parametrize("dataset, steps", [("ring", 12), ("digits", 3)])
def test_train_gan_equals_train_recipe(cli, tmp_path, dataset, steps):
    seed = 3
    r = cli("train", "gan", "--dataset", dataset, "--quick", "--steps", steps, "--lr-decay-steps", 6,
            "--lr-d", 2e-3, "--seed", seed, "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    # The same recipe written out by hand: the --quick sizes, the drop at 6, D's own rate.
    recipe = dict(default_recipe(dataset), n_steps=steps, batch_size=32, generator_hidden=[16],
                  discriminator_hidden=[16], lr_decay_steps=[6], lr_d=2e-3)
    gan, _ = train_recipe(recipe, rng=seed)
    state = sg.load(tmp_path / "run" / "checkpoint.npz")["job"]["gan"]
    for name, module in (("generator", gan.generator), ("discriminator", gan.discriminator)):
        for key, value in module.state_dict().items():
            np.testing.assert_array_equal(state[name][key], value, err_msg=f"{name}.{key}")
    assert state["opt_d"]["param_groups"][0]["lr"] == gan.opt_d.param_groups[0]["lr"]
    samples = gan.sample(500, rng=np.random.default_rng([seed, 2]))
    test = None if dataset == "ring" else recipe_data(recipe, split="test")
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
