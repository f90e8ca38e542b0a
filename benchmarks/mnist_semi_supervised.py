"""The semi-supervised GAN on MNIST with 100 labels: held-out accuracy against iterations.

Salimans et al. 2016 ("Improved techniques for training GANs", sec. 5):
the discriminator is a 10-class classifier with a fake class of logit 0,
trained on 100 labelled images (10 per class, drawn with the label seed),
the other 7,900 training images without labels, and generated images; the
generator matches the mean of D's last hidden layer (feature matching).
Recipe "mnist_semi_supervised" (``gan.recipes``): the authors' D
(1000-500-250-250-250) with Gaussian noise and weight norm, Adam 3e-3 held,
then decayed linearly to 0 (``recipe["lr_linear_decay"]``). The earlier,
smaller D: ``--set discriminator_hidden=[500,250,250] weight_norm=false
--steps 8000 --hold 4000``.

The machine this runs on is shared, so wall time depends on the load. The
accuracy is therefore recorded against *iterations* (and CPU time); the
conversion to wall time on a quiet machine uses a separately measured time
per iteration (``--time-per-iteration``: the fastest of 5 bursts of 10
iterations, with the thread count you set). Three modes:

    python benchmarks/mnist_semi_supervised.py run --label-seeds 0 1 2 --out runs.json
        [--steps N --hold H] [--every 500] [--no-supervised-baseline] [--set KEY=JSON ...]
    python benchmarks/mnist_semi_supervised.py time-per-iteration
    python benchmarks/mnist_semi_supervised.py report runs.json [--seconds-per-iteration S] [--figure F]

"run" evaluates every ``--every`` iterations and rewrites ``--out`` after each
evaluation (a stopped run keeps its curve); ``--steps N --hold H``: N iterations,
lr held for H, then linearly to 0 at N; ``--set`` overrides any recipe key
(also for ``time-per-iteration``). "report" prints the table over the seeds
(the readings every seed has), each seed's readings with its CPU s/iteration,
and draws the curve, minutes = iterations x ``--seconds-per-iteration``.
"run" also measures, on each seed's 100 labels, the two baselines: the
linear probe on raw pixels (``gan.LinearProbe``) and the same discriminator
network trained supervised only (cross-entropy on the labelled images, same
noise, Adam, the same schedule and number of steps).
Run with SCRATCHGEN_NUM_THREADS=1 (or 2) and ``nice`` on a shared machine.
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402


def _setup(label_seed, overrides=()):
    from scratchgen.datasets import load_mnist
    from scratchgen.gan.recipes import default_recipe
    from scratchgen.gan.semi_supervised import build_semi_supervised_gan
    recipe = default_recipe("mnist_semi_supervised")
    recipe.update(dict(overrides))
    recipe["label_seed"] = label_seed
    X, y = load_mnist("train", return_X_y=True)
    gan, X_unlabelled = build_semi_supervised_gan(recipe, X, y, rng=label_seed + 100)
    return recipe, gan, X_unlabelled


class ParameterAverage:
    """Exponential moving average of a module's parameters, for evaluation (Polyak averaging).

    After t updates, avg_t = sum_{s<=t} (1 - d) d^(t-s) p_s / (1 - d^t): the bias
    correction of Adam's moments, so the first readings are not pulled towards 0.
    The authors' CIFAR-10 code evaluates the semi-supervised discriminator so
    (d = 0.9999, their train_cifar_feature_matching.py); ``applied()`` swaps the
    averages in for the duration of a ``with`` block.
    """

    def __init__(self, module, decay):
        self.params, self.decay, self.t = list(module.parameters()), float(decay), 0
        self.sums = [np.zeros_like(p.data) for p in self.params]

    def update(self):
        self.t += 1
        for total, p in zip(self.sums, self.params):
            total *= self.decay
            total += (1.0 - self.decay) * p.data

    def applied(self):
        import contextlib

        @contextlib.contextmanager
        def swap():
            saved = [p.data.copy() for p in self.params]
            correction = 1.0 - self.decay ** self.t
            for total, p in zip(self.sums, self.params):
                p.data[...] = total / correction
            try:
                yield
            finally:
                for old, p in zip(saved, self.params):
                    p.data[...] = old
        return swap()


def supervised_only(recipe, gan, X_test, y_test, rng):
    """D's network trained on the labelled images alone; held-out accuracy after n_steps."""
    from scratchgen import autodiff, optim
    from scratchgen.gan.recipes import lr_at
    from scratchgen.nn.loss_functions import cross_entropy
    D = gan.discriminator  # a fresh copy: the caller built this gan for the purpose
    opt = optim.Adam(D.parameters(), lr=recipe["lr"], betas=tuple(recipe["betas"]))
    rng = np.random.default_rng(rng)
    for step in range(recipe["n_steps"]):
        for group in opt.param_groups:
            group["lr"] = lr_at(recipe, step)[1]
        idx = rng.integers(0, len(gan.labelled_X), size=recipe["batch_size"])
        loss = cross_entropy(D(autodiff.tensor(gan.labelled_X[idx])), gan.labelled_y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return gan.score(X_test, y_test)


def run(args):
    from scratchgen import apply_thread_policy
    from scratchgen.datasets import load_mnist
    from scratchgen.gan.features import LinearProbe
    from scratchgen.gan.recipes import set_learning_rates
    apply_thread_policy()
    X_test, y_test = load_mnist("test", return_X_y=True)
    overrides = _overrides(args)
    runs = []
    for seed in args.label_seeds:
        recipe, gan, X_unlabelled = _setup(seed, overrides)
        probe = LinearProbe(10, rng=0).fit(gan.labelled_X, gan.labelled_y).score(X_test, y_test)
        print(f"label seed {seed}: raw-pixel linear probe {probe:.4f}", flush=True)
        runs.append(dict(seed=seed, recipe=recipe, gan=gan, X=X_unlabelled, probe=probe,
                         curve=[], curve_averaged=[], cpu=0.0, sup=None,
                         average=args.average and ParameterAverage(gan.discriminator, args.average)))
    # The seeds advance in lockstep, one iteration each in turn (each GAN has its own
    # rng, so the numbers are those of one seed after the other): a run stopped early
    # has every seed at the same iteration.
    wall0 = time.perf_counter()
    while any(r["gan"].step < r["recipe"]["n_steps"] for r in runs):
        for r in runs:
            gan, recipe = r["gan"], r["recipe"]
            if gan.step >= recipe["n_steps"]:
                continue
            cpu0 = time.process_time()
            set_learning_rates(gan, recipe)
            gan.iteration(r["X"])
            if r["average"]:
                r["average"].update()
            r["cpu"] += time.process_time() - cpu0  # the iterations' CPU, not the evaluations'
            if gan.step % args.every == 0 or gan.step == recipe["n_steps"]:
                acc = gan.score(X_test, y_test)
                r["curve"].append([gan.step, r["cpu"], time.perf_counter() - wall0, acc])
                line = (f"  seed {r['seed']}  iteration {gan.step:5d}  cpu {r['cpu']:6.0f} s  wall "
                        f"{r['curve'][-1][2]:6.0f} s  held-out accuracy {acc:.4f}")
                if r["average"]:
                    with r["average"].applied():
                        r["curve_averaged"].append(r["curve"][-1][:3] + [gan.score(X_test, y_test)])
                    line += f"  averaged D {r['curve_averaged'][-1][3]:.4f}"
                print(line, flush=True)
                _save(args.out, runs)  # a stopped run keeps its curves
    if not args.no_supervised_baseline:
        for r in runs:
            _, fresh, _ = _setup(r["seed"], overrides)
            r["sup"] = supervised_only(r["recipe"], fresh, X_test, y_test, rng=r["seed"])
            print(f"label seed {r['seed']}: same D trained on the labels only: {r['sup']:.4f}", flush=True)
            _save(args.out, runs)


def _save(path, runs):
    if path:
        from scratchgen.files import atomic_write
        results = [{"label_seed": r["seed"], "curve": r["curve"], "raw_pixel_probe": r["probe"],
                    "curve_averaged": r["curve_averaged"], "average_decay": r["average"] and r["average"].decay,
                    "supervised_only": r["sup"],
                    "recipe": {k: v for k, v in r["recipe"].items() if k != "measured"}}
                   for r in runs]
        with atomic_write(path, "w") as f:
            json.dump(results, f, indent=1)


def _overrides(args):
    """Recipe changes from --steps/--hold (the schedule) and --set key=JSON (any other key)."""
    overrides = {}
    for item in args.set or ():
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    if args.steps is not None:
        hold = args.steps // 2 if args.hold is None else args.hold
        overrides.update(n_steps=args.steps,  # hold >= steps: a constant lr
                         lr_linear_decay=[hold, args.steps] if hold < args.steps else None)
    return overrides


def time_per_iteration(args):
    from scratchgen import apply_thread_policy, get_num_threads
    from scratchgen.gan.recipes import set_learning_rates
    apply_thread_policy()
    recipe, gan, X_unlabelled = _setup(0, _overrides(args))
    average = args.average and ParameterAverage(gan.discriminator, args.average)

    def iterations(n):  # what run does per iteration, without the evaluations
        for _ in range(n):
            set_learning_rates(gan, recipe)
            gan.iteration(X_unlabelled)
            if average:
                average.update()
    iterations(3)  # warm-up (Numba compilation, allocations)
    bursts = []
    for _ in range(5):
        start = time.perf_counter()
        iterations(10)
        bursts.append((time.perf_counter() - start) / 10)
    print(f"seconds per iteration: fastest burst {min(bursts):.4f}, median {np.median(bursts):.4f} "
          f"(5 bursts of 10; threads {get_num_threads()}; load {os.getloadavg()[0]:.1f}"
          f"{'; with the parameter average' if average else ''})")


def report(args):
    runs = [r for path in args.files for r in json.load(open(path))]
    key = "curve_averaged" if args.averaged else "curve"
    if args.averaged and not all(r.get(key) for r in runs):
        raise SystemExit("report: --averaged needs runs made with run --average")
    n = min(len(r[key]) for r in runs)  # a stopped run: the readings every seed has
    steps = [row[0] for row in runs[0][key][:n]]
    if any([row[0] for row in r[key][:n]] != steps for r in runs):
        raise SystemExit("report: the runs were evaluated at different iterations")
    acc = np.array([[row[3] for row in r[key][:n]] for r in runs]) * 100
    if args.averaged:
        print(f"D's parameters averaged, decay {runs[0]['average_decay']}")
    spi = args.seconds_per_iteration
    print(f"{len(runs)} label seeds {[r['label_seed'] for r in runs]}; held-out accuracy (%), mean +- std")
    print("| iteration | " + ("quiet-machine minutes | " if spi else "") + "accuracy |")
    print("|---|" + ("---|" if spi else "") + "---|")
    for i, s in enumerate(steps):
        minutes = f"{s * spi / 60:.1f} | " if spi else ""
        print(f"| {s} | {minutes}{acc[:, i].mean():.1f} +- {acc[:, i].std():.1f} |")
    for i, r in enumerate(runs):
        cpu = r["curve"][n - 1][1]
        print(f"label seed {r['label_seed']}: " + ", ".join(f"{a:.2f}" for a in acc[i])
              + f" (CPU {cpu:.0f} s for {steps[-1]} iterations, {cpu / steps[-1]:.3f} s/it)")
    baselines = {}
    for key in ("raw_pixel_probe", "supervised_only"):
        v = 100 * np.array([r[key] for r in runs if r[key] is not None])
        if len(v):
            baselines[key] = v.mean()
            print(f"{key}: {v.mean():.1f} +- {v.std():.1f} ({len(v)} seeds)")
    if args.figure:
        from scratchgen import viz
        fig = viz.new_figure((6.0, 3.5))
        ax = fig.add_subplot(1, 1, 1)
        x = np.array(steps) * (spi / 60 if spi else 1)
        for r, a in zip(runs, acc):
            ax.plot(x, a, lw=1, alpha=0.6, label=f"label seed {r['label_seed']}")
        ax.plot(x, acc.mean(axis=0), "k", lw=2,
                label="mean, averaged D" if args.averaged else "mean")
        other = "curve" if args.averaged else "curve_averaged"
        if all(len(r.get(other) or ()) >= n for r in runs):  # the other reading of the same runs
            mean = 100 * np.mean([[row[3] for row in r[other][:n]] for r in runs], axis=0)
            ax.plot(x, mean, color="tab:red", lw=1.5, ls="-.",
                    label="mean, trained D" if args.averaged else "mean, averaged D")
        ax.axhline(95.0, color="tab:green", lw=0.8, ls="--", label="the issue's target, 95%")
        for key, style in (("supervised_only", ":"), ("raw_pixel_probe", "--")):
            if key in baselines:
                ax.axhline(baselines[key], color="gray", ls=style, label=key.replace("_", " "))
        ax.set_xlabel("minutes on a quiet machine (iterations x measured s/iteration)" if spi
                      else "iterations")
        ax.set_ylabel("held-out accuracy (%), 100 labels")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        viz.save_figure(fig, args.figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("run")
    p.add_argument("--label-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=None,
                   help="iterations (default: the recipe's), lr held for half, then to 0")
    p.add_argument("--every", type=int, default=100)
    p.add_argument("--out", default=None)
    p.add_argument("--no-supervised-baseline", action="store_true",
                   help="skip the same D trained on the labels alone")
    q = sub.add_parser("time-per-iteration")
    for p in (p, q):
        p.add_argument("--average", type=float, default=None, metavar="DECAY",
                       help="also evaluate an exponential moving average of D's parameters (e.g. 0.999)")
        p.add_argument("--hold", type=int, default=None,
                       help="with --steps: iterations at the full lr before the linear decay")
        p.add_argument("--set", nargs="*", metavar="KEY=JSON",
                       help='recipe overrides, e.g. weight_norm=true discriminator_hidden=[1000,500]')
    q.set_defaults(steps=None)
    p = sub.add_parser("report")
    p.add_argument("files", nargs="+")
    p.add_argument("--seconds-per-iteration", type=float, default=None)
    p.add_argument("--figure", default=None)
    p.add_argument("--averaged", action="store_true",
                   help="the readings of the averaged D (runs made with --average)")
    args = parser.parse_args(argv)
    {"run": run, "time-per-iteration": time_per_iteration, "report": report}[args.mode](args)


if __name__ == "__main__":
    main()
