"""PyTorch twin of the semi-supervised GAN without weight norm: is the accuracy the recipe's or ours?

The recipe "mnist_semi_supervised" with the smaller D it had before weight norm
(``SMALL_D``: 784-500-250-250-10, no weight norm, 8,000 iterations, lr held
4,000), the setting of the comparison in the lecture README. The same networks, noise, losses, schedule, data split and labelled subset as
``benchmarks/mnist_semi_supervised.py`` (``gan.recipes`` and
``gan.semi_supervised.balanced_labelled_subset`` give them), written with
torch: D = GaussianNoise, then per hidden width Linear, ReLU, GaussianNoise,
then Linear(.., 10); G with batch norm and a sigmoid output; one D step on
m labelled (drawn with replacement), m unlabelled and m generated images,
then one G step of feature matching on D's last hidden layer against the
same unlabelled batch; Adam, lr held then linearly to 0. Only the random
streams (torch's) and the initial weights differ, so the held-out accuracy
of the two, seed by seed, is a control for the implementation: equal within
the seed-to-seed spread means the recipe, not the autodiff, sets the number.

    /path/to/torch/python benchmarks/mnist_semi_supervised_torch.py --label-seed 0
        [--steps N --hold H] [--every 1000] [--threads 1] [--set KEY=JSON ...]

Needs PyTorch (not a dependency of scratchgen): run it with an interpreter
that has it. Prints the held-out accuracy every ``--every`` iterations.
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

#: The recipe's keys as they were when this twin was compared with the library (before weight norm).
SMALL_D = dict(discriminator_hidden=[500, 250, 250], weight_norm=False, n_steps=8000,
               lr_linear_decay=[4000, 8000])


def networks(recipe, tnn):
    """(D, G) as torch modules, the layers of ``build_semi_supervised_gan`` (no weight norm)."""
    class GaussianNoise(tnn.Module):
        def __init__(self, std):
            super().__init__()
            self.std = std

        def forward(self, x):
            return x + self.std * x.new_empty(x.shape).normal_() if self.training else x
    layers, width = [GaussianNoise(recipe["input_noise"])], recipe["data_dim"]
    for h in recipe["discriminator_hidden"]:
        layers += [tnn.Linear(width, h), tnn.ReLU(), GaussianNoise(recipe["hidden_noise"])]
        width = h
    D = tnn.Sequential(*layers, tnn.Linear(width, recipe["n_classes"]))
    layers, width = [], recipe["latent_dim"]
    for h in recipe["generator_hidden"]:
        layers.append(tnn.Linear(width, h))
        if recipe.get("generator_batch_norm", False):
            layers.append(tnn.BatchNorm1d(h))
        layers.append(tnn.ReLU())
        width = h
    G = tnn.Sequential(*layers, tnn.Linear(width, recipe["data_dim"]), tnn.Sigmoid())
    return D, G


def main():
    try:
        import torch
    except ImportError:
        sys.exit(f"mnist_semi_supervised_torch.py: needs PyTorch; {sys.executable} cannot import torch")
    import torch.nn as tnn
    import torch.nn.functional as F
    from scratchgen.datasets import load_mnist
    from scratchgen.gan.recipes import default_recipe, lr_at
    from scratchgen.gan.semi_supervised import balanced_labelled_subset
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--label-seed", type=int, default=0)
    p.add_argument("--steps", type=int, help="iterations (default: the recipe's)")
    p.add_argument("--hold", type=int, help="with --steps: iterations at the full lr (default half)")
    p.add_argument("--every", type=int, default=1000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=JSON", help="recipe overrides")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    recipe = dict(default_recipe("mnist_semi_supervised"), **SMALL_D)
    for item in args.set:
        key, _, value = item.partition("=")
        recipe[key] = json.loads(value)
    if args.steps:
        recipe.update(n_steps=args.steps, lr_linear_decay=[args.hold or args.steps // 2, args.steps])
    if recipe.get("weight_norm") or recipe.get("unsupervised_weight", 1.0) != 1.0 \
            or recipe.get("noise") != "uniform" or recipe.get("feature_layer", -2) != -2:
        p.error("--set: this twin has no weight norm and uses the recipe's noise, weight 1 and layer -2")
    torch.manual_seed(args.label_seed + 100)
    X, y = load_mnist("train", return_X_y=True)
    X_test, y_test = (torch.tensor(a) for a in load_mnist("test", return_X_y=True))
    idx = balanced_labelled_subset(y, recipe["labels"], args.label_seed)
    rest = np.setdiff1d(np.arange(len(X)), idx)
    X_l, y_l = torch.tensor(X[idx], dtype=torch.float32), torch.tensor(y[idx], dtype=torch.long)
    X_u = torch.tensor(X[rest], dtype=torch.float32)
    D, G = networks(recipe, tnn)
    opt_d, opt_g = (torch.optim.Adam(net.parameters(), lr=recipe["lr"], betas=tuple(recipe["betas"]))
                    for net in (D, G))
    features = D[:len(D) - 1]  # feature_layer -2: the last noise layer's output
    m, half_width = recipe["batch_size"], 3 ** 0.5  # z ~ U(-sqrt 3, sqrt 3): variance 1

    def noise():
        return (torch.rand(m, recipe["latent_dim"]) * 2 - 1) * half_width
    cpu0 = time.process_time()
    for step in range(recipe["n_steps"]):
        for opt in (opt_d, opt_g):
            for group in opt.param_groups:
                group["lr"] = lr_at(recipe, step)[1]
        labelled, unlabelled = torch.randint(0, len(X_l), (m,)), X_u[torch.randint(0, len(X_u), (m,))]
        with torch.no_grad():
            fake = G(noise())
        logits = D(torch.cat([X_l[labelled], unlabelled, fake]))
        supervised = F.cross_entropy(logits[:m], y_l[labelled])
        unsupervised = (F.softplus(-torch.logsumexp(logits[m:2 * m], 1)).mean()
                        + F.softplus(torch.logsumexp(logits[2 * m:], 1)).mean())
        opt_d.zero_grad()
        (supervised + unsupervised).backward()
        opt_d.step()
        with torch.no_grad():
            real_features = features(unlabelled)
        for q in D.parameters():
            q.requires_grad_(False)
        loss_g = ((real_features.mean(0) - features(G(noise())).mean(0)) ** 2).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        for q in D.parameters():
            q.requires_grad_(True)
        if (step + 1) % args.every == 0 or step + 1 == recipe["n_steps"]:
            D.eval()
            with torch.no_grad():
                accuracy = (D(X_test).argmax(1) == y_test).float().mean().item()
            D.train()
            print(f"  seed {args.label_seed}  iteration {step + 1:5d}  cpu "
                  f"{time.process_time() - cpu0:6.0f} s  held-out accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
