"""MNIST GANs, measured: the lecture's mode-collapse figure and the metrics table.

The lecture's closing example: "mode collapse in learning a GAN on MNIST:
top, a well-trained variant; bottom, a standard GAN". Two recipes of
``scratchgen.gan.recipes``, trained on the 8,000-image MNIST training split
(``datasets.load_mnist``), without labels:

* "mnist_standard": Algorithm 1 with MLPs (G 100-256-512-784, D
  784-512-256-1), the non-saturating generator loss, Adam 2e-4;
* "mnist": WGAN-GP (Gulrajani et al. 2017; G the same, critic 784-256-128-1,
  n_critic 5, lambda 10, Adam betas (0.5, 0.9)), the well-trained variant.

For each recipe and seed: wall time and peak memory (each run in its own
process: the peak resident set size), then 2,000 samples scored by
``gan.image_metrics.mnist_image_metrics`` -- classes covered and reverse KL
of the pretrained classifier's predictions, the Frechet distance in its
128 penultimate features (the MNIST analogue of FID), improved precision
and recall (k = 3), the Parzen log-likelihood (historical; see its caveat)
-- beside the same numbers for the 2,000 held-out real images. Prints a
markdown table (mean +- std over seeds), writes the figure (samples and
class histograms, labelled as the lecture's) and a JSON of every run.

Usage::

    python benchmarks/mnist_gan.py [--seeds 0,1,2] [--jobs 2]
        [--steps-standard N] [--steps-wgan N] [--out DIR]

``--steps-*`` shorten the recipes (the table then says so).
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from scratchgen import apply_thread_policy  # noqa: E402

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread

MODELS = {"standard": "mnist_standard", "wgan": "mnist"}
LABELS = {"wgan": "top: well-trained variant (WGAN-GP)", "standard": "bottom: standard GAN"}
METRICS = ("classes_covered", "reverse_kl", "frechet", "precision", "recall",
           "parzen_log_likelihood")
N_SAMPLES = 2000


def one_run(model, seed, steps, out_dir):
    """Train one recipe with one seed, score it, save samples; returns a dict."""
    from scratchgen.gan.image_metrics import mnist_image_metrics
    from scratchgen.gan.recipes import default_recipe, recipe_data, train_recipe
    recipe = default_recipe(MODELS[model])
    if steps:
        recipe["n_steps"] = steps
    X_train = recipe_data(recipe, split="train")
    scorer = mnist_image_metrics()
    quick = mnist_image_metrics(parzen=False, classifier=scorer.classifier)
    curve, eval_seconds = [], [0.0]

    def record(gan, step):                       # classes during training (time not counted)
        t = time.perf_counter()
        c = quick(gan.sample(500, rng=10_000 + step))
        curve.append((int(step), c["classes_covered"], round(c["reverse_kl"], 4)))
        eval_seconds[0] += time.perf_counter() - t

    gan, seconds = train_recipe(recipe, rng=seed, data=X_train, callbacks=[record],
                                eval_every=max(1, recipe["n_steps"] // 8))
    seconds -= eval_seconds[0]
    samples = gan.sample(N_SAMPLES, rng=seed + 1000)
    scores = scorer(samples)
    predicted = scorer.predicted_classes(samples)
    path = os.path.join(out_dir, f"mnist_gan_{model}_seed{seed}.npz")
    np.savez_compressed(path, samples=samples[:64].astype(np.float32),
                        counts=np.bincount(predicted, minlength=10))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"model": model, "seed": seed, "n_steps": recipe["n_steps"], "train_seconds": seconds,
            "peak_rss_mb": peak_mb, "curve": curve, **scores}


def reference(out_dir):
    from scratchgen.gan.image_metrics import mnist_image_metrics
    scorer = mnist_image_metrics()
    ref = scorer.reference()
    predicted = scorer.predicted_classes(scorer.heldout)
    np.savez_compressed(os.path.join(out_dir, "mnist_gan_real.npz"),
                        samples=scorer.heldout[:64], counts=np.bincount(predicted, minlength=10))
    return ref


def table(runs, ref, full_steps):
    lines = ["| model | iterations | seeds | train s | peak MB | classes | reverse KL | "
             "Frechet (MNIST-FID) | precision | recall | Parzen nats |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for model in ("standard", "wgan"):
        rs = [r for r in runs if r["model"] == model]
        if not rs:
            continue
        steps = rs[0]["n_steps"]
        label = f"{steps}" + ("" if steps == full_steps[model] else f" (shortened; recipe {full_steps[model]})")
        cells = []
        for key in ("train_seconds", "peak_rss_mb") + METRICS:
            v = np.array([r[key] for r in rs], dtype=float)
            fmt = ".0f" if key in ("train_seconds", "peak_rss_mb", "parzen_log_likelihood") else \
                ".1f" if key == "classes_covered" else ".3f"
            cells.append(f"{v.mean():{fmt}} +- {v.std():{fmt}}" if len(v) > 1 else f"{v[0]:{fmt}}")
        name = {"standard": "standard GAN", "wgan": "WGAN-GP"}[model]
        seeds = ",".join(str(r["seed"]) for r in rs)
        lines.append(f"| {name} | {label} | {seeds} | " + " | ".join(cells) + " |")
    lines.append("| real held-out images | - | - | - | - | " + " | ".join(
        f"{ref[k]:.0f}" if k == "parzen_log_likelihood" else f"{ref[k]:.3f}" if k != "classes_covered"
        else f"{ref[k]}" for k in METRICS) + " |")
    return "\n".join(lines)


def figure(out_dir, seed, path):
    from scratchgen import viz
    rows = []
    for model in ("wgan", "standard"):
        f = os.path.join(out_dir, f"mnist_gan_{model}_seed{seed}.npz")
        if os.path.exists(f):
            with np.load(f) as d:
                rows.append((LABELS[model], d["samples"], d["counts"]))
    with np.load(os.path.join(out_dir, "mnist_gan_real.npz")) as d:
        rows.append(("real held-out MNIST images", d["samples"], d["counts"]))
    viz.samples_with_class_histograms(rows, title=f"Mode collapse on MNIST (seed {seed}; class "
                                      "shares from the pretrained classifier, 2,000 samples)",
                                      path=path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--models", default="standard,wgan")
    p.add_argument("--steps-standard", type=int, default=None)
    p.add_argument("--steps-wgan", type=int, default=None)
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel, each in its own process")
    p.add_argument("--out", default="benchmarks/out")
    p.add_argument("--figure", default=None, help="figure path (default OUT/mnist_gan.png)")
    p.add_argument("--one", nargs=2, metavar=("MODEL", "SEED"), help=argparse.SUPPRESS)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    steps = {"standard": args.steps_standard, "wgan": args.steps_wgan}
    if args.one:
        model, seed = args.one[0], int(args.one[1])
        print(json.dumps(one_run(model, seed, steps[model], args.out)))
        return
    from scratchgen.gan.recipes import RECIPES
    full_steps = {m: RECIPES[r]["n_steps"] for m, r in MODELS.items()}
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(m, s) for s in seeds for m in args.models.split(",")]
    start = time.perf_counter()
    ref = reference(args.out)
    runs, running = [], []
    while jobs or running:
        while jobs and len(running) < args.jobs:
            model, seed = jobs.pop(0)
            cmd = [sys.executable, __file__, "--one", model, str(seed), "--out", args.out]
            for m in ("standard", "wgan"):
                if steps[m]:
                    cmd += [f"--steps-{m}", str(steps[m])]
            running.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
        for proc in list(running):
            if proc.poll() is not None:
                running.remove(proc)
                out = proc.stdout.read()
                if proc.returncode:
                    raise SystemExit(f"a run failed (exit {proc.returncode})")
                runs.append(json.loads(out.strip().splitlines()[-1]))
                r = runs[-1]
                print(f"{r['model']} seed {r['seed']}: {r['classes_covered']} classes, reverse KL "
                      f"{r['reverse_kl']:.3f}, Frechet {r['frechet']:.2f}, {r['train_seconds']:.0f} s",
                      flush=True)
        time.sleep(1)
    runs.sort(key=lambda r: (r["model"], r["seed"]))
    with open(os.path.join(args.out, "mnist_gan.json"), "w") as f:
        json.dump({"runs": runs, "reference": ref}, f, indent=1)
    figure(args.out, seeds[0], args.figure or os.path.join(args.out, "mnist_gan.png"))
    print(table(runs, ref, full_steps))
    print(f"\n{len(runs)} runs, {args.jobs} at a time, {time.perf_counter() - start:.0f} s in all; "
          f"machine: {os.cpu_count()} cores, shared; 1 BLAS thread per run")


if __name__ == "__main__":
    main()
