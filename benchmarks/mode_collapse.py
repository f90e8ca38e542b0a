"""Mode collapse on the 2-D ring and grid: GAN vs PacGAN vs unrolled GAN vs WGAN-GP.

The experiment of PacGAN (Lin et al. 2018, Table 1, after VEEGAN,
Srivastava et al. 2017): 8 Gaussians on a circle of radius 1 with std 0.01
("ring") and 25 Gaussians on a 5 x 5 grid with spacing 2 and std 0.05
("grid"). For each trained generator, 2,500 samples are scored by
``scratchgen.gan.mode_coverage``: modes captured (>= 1 sample within 3 std),
share of high-quality samples (within 3 std of the nearest mode) and the
reverse KL of the mode histogram to uniform. Means over seeds are printed
beside the published numbers.

All variants share the networks and optimizer of the default recipe
(``scratchgen.gan.recipes``) scaled down to fit the time budget (see
``--hidden``, ``--steps``): same architecture, Adam(lr, betas=(0.5, 0.999)),
non-saturating loss, learning rate / 10 for the last quarter, fresh data
every step. Differences, each from its paper:

* GAN: Algorithm 1, k = 1;
* PacGAN2 / PacGAN4: the discriminator judges packs of 2 / 4 samples;
* unrolled: the generator looks through K = 2 unrolled SGD steps of D
  (Metz et al. used K up to 10; K = 2 keeps the CPU budget: each unrolled
  step costs about five plain iterations);
* WGAN-GP: critic, gradient penalty lambda = 10, n_critic = 5, Adam
  lr = 1e-4, betas = (0.5, 0.9) (Gulrajani et al. 2017) -- it gets the same
  number of *generator* iterations, so 5x as many critic steps.

The published networks are larger (G: 4 hidden layers of 400 with batch
norm, D: 3 maxout layers of 200) and trained far longer; ours run in
minutes on a CPU, so the numbers are comparable in kind, not digit for digit.

Usage: python benchmarks/mode_collapse.py [--seeds 2] [--steps 3000] [--jobs 2]
       [--datasets ring grid] [--variants gan pacgan2 pacgan4 unrolled wgan_gp]
       python benchmarks/mode_collapse.py --recipes grid [ring] --seeds 3 --jobs 1
       python benchmarks/mode_collapse.py --recipes ring grid --time-per-iteration 500
Runs the (dataset, variant, seed) jobs in ``--jobs`` processes (1 BLAS
thread each) and prints a table; ``--json PATH`` also saves the raw results.
``--recipes`` trains the default recipes as they are instead (what their
"measured" strings quote), with CPU seconds and CPU ms per iteration, and
scores 2,500 samples every ``--eval-every`` iterations too (in the JSON's
"trace"; a separate sampling stream, so training is the same);
``--time-per-iteration N`` only times N iterations of each (wall and CPU).

Results here (2 cores, means over 2 seeds unless said; modes / high-quality % / reverse KL):

* ``--recipes grid --seeds 3 --jobs 1`` (2 cores at load 6-8): 25, 24, 25
  modes; 91.8, 92.8, 92.8% high quality; 222, 195, 207 s CPU (8.1-9.2 ms
  per iteration). ``--recipes ring``: 8, 8, 8 modes; 91.9, 91.7, 93.6%;
  72, 77, 74 s CPU (6.0-6.4 ms per iteration). Seeds 0, 1, 2, each value
  per seed.

* defaults (all five variants, 3000 iterations, 64-64, batch 128): 18 runs
  in 433 s. Too short for high quality anywhere (ring GAN 5.5/8, 29%, 0.98;
  PacGAN2 8.0/8, 35%, 0.11; unrolled 4.5/8; WGAN-GP 1.5/8: its lr of 1e-4
  is too slow for this budget), but the mode counts already separate.
* ``--variants gan pacgan2 pacgan4 --steps 8000 --hidden 128 128
  --batch-size 256``: 10 runs in 289 s. Ring: GAN 6.5/8, 86.3%, 0.62 (paper
  6.3, 98.2%, 0.45); PacGAN2 8.0/8, 86.6%, 0.02 (paper 7.9, 95.6%, 0.07).
  Grid: GAN 19.0/25, 63.1%, 1.07 (paper 17.3, 94.8%, 0.70); PacGAN2 25/25,
  77.6%, 0.01; PacGAN4 25/25, 35.8%, 0.36 (paper 24.8, 93.6%, 0.04; packs of
  4 converge more slowly: the grid recipe gives them 24,000 iterations).
* ``--updates alternating simultaneous extragradient`` (``GAN(update=...)``,
  ``gan.dynamics``), ``--variants pacgan2 --datasets ring --hidden 128 128
  --batch-size 128 --steps 3000 --seeds 5``: 15 runs in 1350 s. 8/8 modes
  for every rule and seed, none diverged; high quality 40.9% (alternating),
  33.9% (simultaneous), 31.3% (extragradient), sd 8-13 points over seeds.
  Grid, PacGAN4, same budget: 20.2/25 vs 19.2/25 modes, 2% high quality
  (far from converged). ``--steps 6000`` on the ring, alternating vs
  simultaneous: 77.2% vs 77.0% high quality, 8/8 modes each (10 runs in
  1169 s). Table and reading: the lecture README, 08_game_dynamics.
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import sys
import time

import numpy as np

from scratchgen import apply_thread_policy

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread

PUBLISHED = {  # Lin et al. 2018, Table 1: (modes, high-quality %, reverse KL)
    ("ring", "gan"): (6.3, 98.2, 0.45), ("ring", "pacgan2"): (7.9, 95.6, 0.07),
    ("grid", "gan"): (17.3, 94.8, 0.70), ("grid", "pacgan4"): (24.8, 93.6, 0.04),
}
VARIANTS = ("gan", "pacgan2", "pacgan4", "unrolled", "wgan_gp")


def recipe_for(dataset, variant, hidden, steps, batch_size=128, update="alternating"):
    from scratchgen.gan.recipes import default_recipe
    recipe = default_recipe(dataset)
    recipe.update(generator_hidden=list(hidden), discriminator_hidden=list(hidden),
                  n_steps=steps, lr_decay_steps=[int(0.75 * steps)], batch_size=batch_size,
                  update=update)
    if variant == "gan":
        recipe.update(variant="gan", pack=1)
    elif variant.startswith("pacgan"):
        recipe.update(variant="pacgan", pack=int(variant[len("pacgan"):]))
    elif variant == "unrolled":
        recipe.update(variant="unrolled", pack=1, unroll_steps=2, unroll_lr=0.1)
    elif variant == "wgan_gp":
        recipe.update(variant="wgan_gp", pack=1, n_critic=5, gp_weight=10.0, lr=1e-4, betas=(0.5, 0.9))
    else:
        raise ValueError(f"unknown variant {variant!r}; choose from {VARIANTS}")
    return recipe


def run_one(job):
    """One training run. steps None: the default recipe of ``dataset`` as it is
    (``--recipes``), scored every ``eval_every`` iterations too."""
    dataset, variant, seed, hidden, steps, batch_size, update = job[:7]
    eval_every = job[7] if len(job) > 7 else None
    from scratchgen import datasets
    from scratchgen.gan import mode_coverage
    from scratchgen.gan.recipes import default_recipe, train_recipe
    if steps is None:
        recipe = default_recipe(dataset)
        variant = f"recipe ({recipe['variant']}{recipe.get('pack', '')})"
    else:
        recipe = recipe_for(dataset, variant, hidden, steps, batch_size, update)
    if dataset == "ring":
        centers, std = datasets.ring_centers(), 0.01
    else:
        centers, std = datasets.grid_centers(), 0.05
    trace = []

    def score(gan, step):  # its own sampling stream: training's is untouched
        cov = mode_coverage(gan.sample(2500, rng=10_000 + seed), centers, std)
        trace.append((step, cov.modes_captured, round(100.0 * cov.high_quality_fraction, 1)))
    cpu = time.process_time()
    gan, seconds = train_recipe(recipe, rng=seed, callbacks=[score] if eval_every else (),
                                eval_every=eval_every or 500)
    cpu = time.process_time() - cpu
    samples = gan.sample(2500, rng=10_000 + seed)
    cov = mode_coverage(samples, centers, std)
    return dict(dataset=dataset, variant=variant, update=update, seed=seed, seconds=seconds,
                cpu_seconds=cpu, ms_per_iteration=1e3 * cpu / recipe["n_steps"], trace=trace,
                modes=cov.modes_captured, n_modes=cov.n_modes,
                high_quality=100.0 * cov.high_quality_fraction, reverse_kl=cov.reverse_kl,
                diverged=bool(diverged(gan, samples, centers)))


def time_per_iteration(name, n):
    """One line: wall and CPU ms per iteration of default_recipe(name), seed 0, and
    its n_steps at that pace (the quiet-machine check of the recipes' time budget)."""
    from scratchgen.gan.recipes import build_gan, default_recipe, recipe_data
    recipe = default_recipe(name)
    gan = build_gan(recipe, 0)
    data = recipe_data(recipe, 0)
    gan.train(data, 50)  # warm-up: Numba kernels load from their cache
    wall, cpu = time.perf_counter(), time.process_time()
    gan.train(data, n)
    wall, cpu = (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n
    steps = recipe["n_steps"]
    return (f"{name}: {1e3 * wall:.2f} ms wall, {1e3 * cpu:.2f} ms CPU per iteration over {n} "
            f"(load average {os.getloadavg()[0]:.1f}); {steps} iterations: {wall * steps:.0f} s "
            f"wall, {cpu * steps:.0f} s CPU at this pace")


def diverged(gan, samples, centers):
    """Training diverged: a non-finite loss, or the median sample lies farther from
    the nearest mode than the modes' whole spread (the samples flew off)."""
    losses = np.array(gan.history["loss_d"] + gan.history["loss_g"])
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(samples)):
        return True
    nearest = np.sqrt(((samples[:, None, :] - centers[None]) ** 2).sum(-1)).min(axis=1)
    return np.median(nearest) > np.ptp(centers, axis=0).max()


def table(results):
    """Means over seeds (each seed's modes in brackets; +- the standard deviation over seeds)."""
    lines = ["| data | variant | update | modes (ours) | HQ % (ours) | rKL (ours) | diverged | modes (paper) "
             "| HQ % (paper) | rKL (paper) | s/run | CPU s/run | CPU ms/it |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    keys = sorted({(r["dataset"], r["variant"], r.get("update", "alternating")) for r in results},
                  key=lambda k: (k[0], VARIANTS.index(k[1]) if k[1] in VARIANTS else len(VARIANTS), k[2]))
    for key in keys:
        rows = [r for r in results if (r["dataset"], r["variant"], r.get("update", "alternating")) == key]
        modes = np.mean([r["modes"] for r in rows])
        hq = np.mean([r["high_quality"] for r in rows])
        rkl = np.nanmean([r["reverse_kl"] for r in rows]) if any(
            np.isfinite(r["reverse_kl"]) for r in rows) else float("nan")
        per_seed = ",".join(str(r["modes"]) for r in sorted(rows, key=lambda r: r["seed"]))
        hq_sd = np.std([r["high_quality"] for r in rows], ddof=1) if len(rows) > 1 else 0.0
        rkl_sd = np.nanstd([r["reverse_kl"] for r in rows], ddof=1) if len(rows) > 1 else 0.0
        n_diverged = sum(bool(r.get("diverged", False)) for r in rows)
        paper = PUBLISHED.get(key[:2]) if key[2] == "alternating" else None
        p = ("%.1f" % paper[0], "%.1f" % paper[1], "%.2f" % paper[2]) if paper else ("-", "-", "-")
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {modes:.1f}/{rows[0]['n_modes']} ({per_seed}) "
                     f"| {hq:.1f} +- {hq_sd:.1f} | {rkl:.2f} +- {rkl_sd:.2f} | {n_diverged}/{len(rows)} "
                     f"| {p[0]} | {p[1]} | {p[2]} | {np.mean([r['seconds'] for r in rows]):.0f} "
                     f"| {np.mean([r.get('cpu_seconds', np.nan) for r in rows]):.0f} "
                     f"| {np.mean([r.get('ms_per_iteration', np.nan) for r in rows]):.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", default=["ring", "grid"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--updates", nargs="+", default=["alternating"],
                        help="GAN(update=...) rules to compare (gan.dynamics), e.g. alternating simultaneous")
    parser.add_argument("--recipes", nargs="+", choices=["ring", "grid"], default=None,
                        help="instead: train default_recipe(name) as it is (no scaling), "
                             "report CPU seconds and ms per iteration")
    parser.add_argument("--eval-every", type=int, default=2000,
                        help="with --recipes: score 2,500 samples every this many iterations")
    parser.add_argument("--time-per-iteration", type=int, default=0, metavar="N",
                        help="with --recipes: only time N iterations of each recipe (after 50 "
                             "warm-up ones), wall and CPU ms each, and the recipe's projected time")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    if args.recipes and args.time_per_iteration:
        for name in args.recipes:
            print(time_per_iteration(name, args.time_per_iteration), flush=True)
        return 0
    if args.recipes:
        jobs = [(d, None, s, None, None, None, "alternating", args.eval_every)
                for d in args.recipes for s in range(args.seeds)]
    else:
        jobs = [(d, v, s, tuple(args.hidden), args.steps, args.batch_size, u)
                for d in args.datasets for v in args.variants for u in args.updates
                for s in range(args.seeds) if not (d == "ring" and v == "pacgan4")]
    start = time.perf_counter()
    results = []
    if args.jobs > 1:
        from multiprocessing import get_context
        with get_context("spawn").Pool(args.jobs) as pool:
            for r in pool.imap_unordered(run_one, jobs):
                results.append(r)
                print(json.dumps(r), flush=True)
    else:
        for job in jobs:
            results.append(run_one(job))
            print(json.dumps(results[-1]), flush=True)
    what = (f"default recipes {args.recipes}" if args.recipes else
            f"steps={args.steps}, hidden={args.hidden}, batch={args.batch_size}")
    print(f"\n{len(jobs)} runs in {time.perf_counter() - start:.0f} s ({what}, seeds={args.seeds}, "
          f"updates={args.updates})\n")
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
