"""Stacked MNIST, measured: modes captured and reverse KL, standard GAN vs WGAN-GP.

The 1000-mode test of VEEGAN (Table 2) and PacGAN (Table 2): three MNIST
digits as the channels of one 2352-pixel image (``datasets.stacked_mnist``,
fresh stacks of the 8,000 training images for every minibatch); the shipped
MNIST classifier reads each channel of 10,000 samples
(``gan.stacked_mnist``), and we count the modes captured (of 1000) and the
reverse KL of the 1000-mode histogram against uniform. Two recipes of
``scratchgen.gan.recipes``: "stacked_mnist_standard" (Algorithm 1,
non-saturating, Adam 2e-4) and "stacked_mnist" (WGAN-GP). The reference row
is 10,000 real stacks of the held-out test images.

Time. The machine these numbers come from is shared, so each run trains
to a fixed number of ITERATIONS (in its own process, ``nice``, one BLAS
thread) and records its CPU time; ``--time-per-iteration`` measures, in a
separate short run, the wall time of an iteration of each recipe (median of
repeats, the two interleaved), which converts iterations into "seconds on
a quiet machine" in the table (stated as such; measured, not assumed).

Usage::

    python benchmarks/mnist_stacked.py [--seeds 0,1,2] [--models standard,wgan]
        [--steps-standard N] [--steps-wgan N] [--eval-every N] [--out DIR]
    python benchmarks/mnist_stacked.py --time-per-iteration [--repeats 5]
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from scratchgen import apply_thread_policy  # noqa: E402

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread

MODELS = {"standard": "stacked_mnist_standard", "wgan": "stacked_mnist"}
NAMES = {"standard": "standard GAN", "wgan": "WGAN-GP"}


def one_run(model, seed, steps, eval_every):
    """Train one recipe with one seed to a fixed number of iterations; a dict."""
    from scratchgen.gan.recipes import default_recipe, score_samples, train_recipe
    from scratchgen.gan.stacked_mnist import N_COUNTED
    from scratchgen.nn.pretrained import load_mnist_classifier
    recipe = default_recipe(MODELS[model])
    if steps:
        recipe["n_steps"] = steps
    classifier = load_mnist_classifier()
    curve, eval_cpu = [], [0.0]

    def record(gan, step):                      # modes during training (CPU not counted)
        t = time.process_time()
        s = score_samples(recipe, gan.sample(N_COUNTED, rng=10_000 + step), classifier=classifier)
        curve.append((int(step), s["classes_covered"], round(s["reverse_kl"], 3)))
        eval_cpu[0] += time.process_time() - t
        print(f"  {model} seed {seed} iteration {step}: {s['classes_covered']} modes, "
              f"reverse KL {s['reverse_kl']:.3f}", file=sys.stderr, flush=True)

    cpu = time.process_time()
    gan, wall = train_recipe(recipe, rng=seed, callbacks=[record], eval_every=eval_every)
    cpu = time.process_time() - cpu - eval_cpu[0]
    final = score_samples(recipe, gan.sample(N_COUNTED, rng=seed + 1000), classifier=classifier)
    return {"model": model, "seed": seed, "n_steps": recipe["n_steps"], "train_cpu_seconds": cpu,
            "wall_seconds_shared": wall, "curve": curve, **final}


def time_per_iteration(repeats, n_iter=10):
    """Median wall and CPU seconds per iteration of each recipe, the two interleaved.

    On a quiet machine the two agree (one thread); on a busy one the wall
    time grows with the load and the CPU time much less, so the CPU time is
    the estimate of the quiet wall time (we say which we used)."""
    from scratchgen.gan.recipes import build_gan, default_recipe, recipe_data
    gans = {m: build_gan(default_recipe(r), rng=0) for m, r in MODELS.items()}
    data = recipe_data(default_recipe("stacked_mnist"))
    for gan in gans.values():
        gan.train(data, 2)                       # warm-up: kernels compiled, buffers allocated
    wall, cpu = {m: [] for m in gans}, {m: [] for m in gans}
    for _ in range(repeats):
        for m, gan in gans.items():
            t, c = time.perf_counter(), time.process_time()
            gan.train(data, n_iter)
            wall[m].append((time.perf_counter() - t) / n_iter)
            cpu[m].append((time.process_time() - c) / n_iter)
    return {m: {"wall": float(np.median(wall[m])), "cpu": float(np.median(cpu[m])),
                "load_average": os.getloadavg()[0]} for m in gans}


def reference():
    from scratchgen.gan.stacked_mnist import stacked_mnist_reference
    c = stacked_mnist_reference()
    return {"classes_covered": int(c.classes_covered), "reverse_kl": float(c.reverse_kl)}


def table(runs, ref, per_iteration=None):
    lines = ["| model | iterations | seeds | modes (of 1000) | reverse KL | train CPU s | "
             "quiet wall s (iterations x CPU s/iteration) |", "|---|---|---|---|---|---|---|"]
    for model in ("standard", "wgan"):
        rs = [r for r in runs if r["model"] == model]
        if not rs:
            continue
        modes = np.array([r["classes_covered"] for r in rs], float)
        rkl = np.array([r["reverse_kl"] for r in rs])
        cpu = np.array([r["train_cpu_seconds"] for r in rs])
        quiet = (f"{rs[0]['n_steps'] * per_iteration[model]['cpu']:.0f}" if per_iteration else "-")
        lines.append(f"| {NAMES[model]} | {rs[0]['n_steps']} | "
                     f"{','.join(str(r['seed']) for r in rs)} | {modes.mean():.0f} +- {modes.std():.0f} "
                     f"({', '.join(str(int(m)) for m in modes)}) | {rkl.mean():.2f} +- {rkl.std():.2f} | "
                     f"{cpu.mean():.0f} | {quiet} |")
    lines.append(f"| real held-out stacks | - | - | {ref['classes_covered']} | "
                 f"{ref['reverse_kl']:.2f} | - | - |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--models", default="standard,wgan")
    p.add_argument("--steps-standard", type=int, default=None)
    p.add_argument("--steps-wgan", type=int, default=None)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--out", default="benchmarks/out")
    p.add_argument("--time-per-iteration", action="store_true",
                   help="only measure the seconds per iteration of each recipe")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--per-iteration", default=None, metavar="JSON",
                   help="a --time-per-iteration result file, for the quiet-machine column")
    p.add_argument("--one", nargs=2, metavar=("MODEL", "SEED"), help=argparse.SUPPRESS)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    steps = {"standard": args.steps_standard, "wgan": args.steps_wgan}
    if args.time_per_iteration:
        result = time_per_iteration(args.repeats)
        with open(os.path.join(args.out, "mnist_stacked_per_iteration.json"), "w") as f:
            json.dump(result, f)
        print(json.dumps(result))
        return
    if args.one:
        model, seed = args.one[0], int(args.one[1])
        print(json.dumps(one_run(model, seed, steps[model], args.eval_every)))
        return
    ref = reference()
    print(f"real held-out stacks: {ref['classes_covered']} modes, reverse KL {ref['reverse_kl']:.3f}",
          flush=True)
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for model in args.models.split(","):
            cmd = ["nice", "-n", "10", sys.executable, __file__, "--one", model, str(seed),
                   "--eval-every", str(args.eval_every)]
            if steps[model]:
                cmd += [f"--steps-{model}", str(steps[model])]
            out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
            r = runs[-1]
            print(f"{model} seed {seed}: {r['classes_covered']} modes, reverse KL "
                  f"{r['reverse_kl']:.3f}, {r['n_steps']} iterations, {r['train_cpu_seconds']:.0f} s CPU",
                  flush=True)
            with open(os.path.join(args.out, "mnist_stacked.json"), "w") as f:
                json.dump({"runs": runs, "reference": ref}, f, indent=1)
    per_iteration = None
    if args.per_iteration:
        with open(args.per_iteration) as f:
            per_iteration = json.load(f)
    print(table(runs, ref, per_iteration))


if __name__ == "__main__":
    main()
