"""Lecture 05's ring experiment over seeds: how often a standard GAN collapses, and PacGAN.

The one home of the lecture's ring setting (``lectures/.../05_mode_collapse.py``
loads :func:`recipe` and :func:`train_and_score` from here): the ring of 8
Gaussians (radius 1, std 0.01; PacGAN, Lin et al. 2018), the default
recipe's networks scaled down to MLPs 64-64, batches of 128, 4,000
iterations with the learning rate / 10 after 3,000, non-saturating loss,
Adam lr 1e-3 with ``betas`` (the lecture uses PyTorch's default (0.9,
0.999); the recipes' GAN default is (0.5, 0.999)). Each trained generator
gives 2,500 samples (``rng=1``) scored by ``gan.mode_coverage``: modes
captured, high-quality share, reverse KL.

The lecture runs seeds 0-2 of the standard GAN and PacGAN2 (about a minute
of CPU); this script runs the longer study behind its text::

    python examples/mode_collapse_seeds.py                       # seeds 0-4, both betas, gan + pacgan
    python examples/mode_collapse_seeds.py --variants wgan_gp --seeds 3 --betas 0.5
    python examples/mode_collapse_seeds.py --variants unrolled --seeds 1 --betas 0.9
    python examples/mode_collapse_seeds.py --datasets grid --seeds 3

and prints one markdown row per (dataset, variant, beta1): the modes of each
seed, mean +- std (population) of the three numbers and the CPU seconds per
run. The results are in the lecture README (05_mode_collapse.py section).
WGAN-GP keeps its paper's own Adam setting (0.5, 0.9) whatever ``--betas`` says.
"""
import argparse
import importlib.util
import sys
import time

import numpy as np

from scratchgen import apply_thread_policy, datasets
from scratchgen.gan import mode_coverage
from scratchgen.gan.recipes import default_recipe, train_recipe

N_STEPS = 4000
HIDDEN = [64, 64]
BATCH_SIZE = 128


def recipe(dataset, variant, betas=(0.9, 0.999), n_steps=N_STEPS, hidden=HIDDEN, batch_size=BATCH_SIZE):
    """The lecture's recipe for ``dataset`` ("ring" or "grid") and ``variant``.

    variant: "gan" (Algorithm 1, k = 1), "pacgan" (packs of 2), "unrolled"
    (3 look-ahead D steps, unroll lr 0.1; Metz et al. 2017) or "wgan_gp"
    (lambda 0.1, lr 5e-4, Adam (0.5, 0.9), 5 critic steps, at most 2,000
    iterations: Gulrajani et al.'s toy-data setting).
    """
    r = default_recipe(dataset)
    r.update(variant=variant, pack=2 if variant == "pacgan" else 1, betas=tuple(betas),
             generator_hidden=list(hidden), discriminator_hidden=list(hidden),
             batch_size=batch_size, n_steps=n_steps, lr_decay_steps=[int(0.75 * n_steps)])
    if variant == "unrolled":
        r.update(unroll_steps=3, unroll_lr=0.1)
    if variant == "wgan_gp":
        # Their gan_toy.py: lambda = 0.1, not the 10 of images; with lambda 10 and lr 1e-4 it
        # found 3/8 ring modes in 4,000 iterations here.
        steps = min(n_steps, 2000)
        r.update(lr=5e-4, betas=(0.5, 0.9), n_critic=5, gp_weight=0.1, n_steps=steps,
                 lr_decay_steps=[int(0.75 * steps)])
    return r


def truth(dataset):
    """(modes (K, 2), std) of the data set."""
    return (datasets.ring_centers(), 0.01) if dataset == "ring" else (datasets.grid_centers(), 0.05)


def train_and_score(r, seed, snapshot_every=None, n_samples=2500):
    """Train ``r`` with ``rng=seed`` and score 2,500 samples (``rng=1``).

    Returns a dict: coverage (a ModeCoverage), samples, cpu (CPU seconds of
    the training), and snapshots {step: 500 samples (rng=2)} every
    ``snapshot_every`` iterations (and at the end of each lr piece) when
    given: sampling with its own rng leaves the training stream untouched.
    """
    snapshots = {}

    def snapshot(gan, step):
        snapshots[int(step)] = gan.sample(500, rng=2)

    start = time.process_time()
    gan, _ = train_recipe(r, rng=seed, callbacks=[snapshot] if snapshot_every else (),
                          eval_every=snapshot_every or 500)
    cpu = time.process_time() - start
    centers, std = truth(r["dataset"])
    samples = gan.sample(n_samples, rng=1)
    return dict(coverage=mode_coverage(samples, centers, std=std), samples=samples, cpu=cpu,
                snapshots=snapshots)


def dominant_modes(snapshots, dataset="ring"):
    """{step: (mode, share)}: the mode (1-based) nearest to most of the samples and their share.

    Nearest mode whatever the distance: a collapsed generator's blob often
    sits between the narrow modes, with no sample within 3 std of any.
    """
    centers, _ = truth(dataset)
    out = {}
    for step, s in snapshots.items():
        nearest = ((s[:, None, :] - centers[None]) ** 2).sum(-1).argmin(axis=1)
        shares = np.bincount(nearest, minlength=len(centers)) / len(s)
        out[step] = (int(np.argmax(shares)) + 1, float(shares.max()))
    return out


def reverse_kl_text(c):
    """The reverse KL of a ModeCoverage for printing: undefined (nan) with no high-quality sample."""
    return "undefined (no high-quality sample)" if c.counts.sum() == 0 else f"{c.reverse_kl:.2f}"


def summary_row(dataset, variant, beta1, runs):
    """A markdown row: per-seed modes, mean +- population std of the three numbers, CPU s/run."""
    cov = [r["coverage"] for r in runs]
    modes = np.array([c.modes_captured for c in cov])
    hq = 100 * np.array([c.high_quality_fraction for c in cov])
    rkl = np.array([c.reverse_kl for c in cov])
    finite = rkl[np.isfinite(rkl)]
    rkl_text = f"{finite.mean():.2f} +- {finite.std():.2f}" if finite.size else "undefined (no high-quality sample)"
    if 0 < finite.size < rkl.size:
        rkl_text += f" over {finite.size} seeds ({rkl.size - finite.size} undefined)"
    if len(runs) == 1:  # one seed: its numbers, no spread
        return (f"| {dataset} | {variant} | {beta1} | {modes[0]} of {cov[0].n_modes} (one seed) | {hq[0]:.1f} "
                f"| {reverse_kl_text(cov[0])} | {runs[0]['cpu']:.1f} |")
    return (f"| {dataset} | {variant} | {beta1} | {', '.join(map(str, modes))} of {cov[0].n_modes} "
            f"({modes.mean():.1f} +- {modes.std():.1f}) | {hq.mean():.1f} +- {hq.std():.1f} "
            f"| {rkl_text} | {np.mean([r['cpu'] for r in runs]):.1f} |")


TABLE_HEADER = ("| data | variant | beta1 | modes per seed (mean +- std) | high quality % | reverse KL "
                "| CPU s/run |\n|---|---|---|---|---|---|---|")


def load_from_lecture():
    """This file as a module, for scripts that are not on its path (the lecture)."""
    spec = importlib.util.spec_from_file_location("mode_collapse_seeds", __file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--betas", type=float, nargs="+", default=[0.9, 0.5],
                        help="Adam beta1 values to compare (beta2 0.999); default 0.9 0.5")
    parser.add_argument("--variants", nargs="+", default=["gan", "pacgan"],
                        choices=["gan", "pacgan", "unrolled", "wgan_gp"])
    parser.add_argument("--datasets", nargs="+", default=["ring"], choices=["ring", "grid"])
    args = parser.parse_args(argv)
    apply_thread_policy()
    if args.seeds < 1:
        parser.error(f"--seeds: expected a positive number, got {args.seeds}")
    rows = []
    for dataset in args.datasets:
        for variant in args.variants:
            for beta1 in ([0.5] if variant == "wgan_gp" else args.betas):
                runs = []
                for seed in range(args.seeds):
                    res = train_and_score(recipe(dataset, variant, betas=(beta1, 0.999)), seed)
                    c = res["coverage"]
                    print(f"{dataset} {variant} beta1={beta1} seed {seed}: modes {c.modes_captured}/{c.n_modes}"
                          f"  high quality {c.high_quality_fraction:.1%}  reverse KL {reverse_kl_text(c)}"
                          f"  ({res['cpu']:.1f} s CPU)", flush=True)
                    runs.append(res)
                rows.append(summary_row(dataset, variant, "0.5 (beta2 0.9)" if variant == "wgan_gp"
                                        else beta1, runs))
    print()
    print(TABLE_HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
