"""``scratchgen demo``: the whole lecture in under a minute.

1. maximum likelihood: a mixture of 8 Gaussians fitted by EM to the ring,
   held-out log-likelihood, and anomaly detection with -log p(x) (AUROC);
2. Metropolis-Hastings on the 8-Gaussian ring: acceptance, R-hat, ESS;
3. an autoencoder and 4. a VAE on the 8x8 digits: test reconstruction
   error, IWAE log-likelihood;
5. a GAN on the ring (the library's default recipe): modes captured out of
   8, share of high-quality samples.

Each part is a complete run folder inside the demo's folder (config.json,
metrics.jsonl, summary.json, checkpoint, figures), so that ``scratchgen
evaluate`` works on it; the demo's own summary.json collects the numbers.
The GAN, the longest part, trains in a second process on the second core.
"""
import json
import os
import sys
import time

from scratchgen.commands import common, fit, sample, train
from scratchgen.commands.runs import RunFolder, default_run_name

__all__ = ["add_parser", "run", "PARTS"]

_EXAMPLES = """\
examples:
  scratchgen demo                      the tour (under a minute on a 2-core laptop)
  scratchgen demo --out my-demo        choose the run folder
  scratchgen demo --quick              a smoke version (a few seconds)
  python -m scratchgen demo --seed 3

Then look at the figures in the printed folder, e.g. 5-gan/samples_over_training.png,
and re-check a part with: scratchgen evaluate <folder>/4-vae
"""

# The GAN part: the ring recipe (gan.recipes.RECIPES["ring"]) shortened to GAN_STEPS
# iterations of GAN_BATCH packs to fit the minute; its learning-rate drops move to the same
# fractions of the shorter run (_configs). Measured with the same settings,
#   scratchgen train gan --dataset ring --steps 6000 --batch-size 128 --lr-decay-steps 3000
# seeds 0, 1, 2 (1 BLAS thread): 8/8 modes each, 67%, 58%, 80% high-quality samples,
# reverse KL 0.023, 0.011, 0.008 (2026-12-02; 140-230 s each on 2 cores shared by ~8
# sessions, so no timing claim from that run).
GAN_STEPS, GAN_BATCH = 6000, 128
PARTS = ("1-mle", "2-mcmc", "3-autoencoder", "4-vae", "5-gan")


def add_parser(sub):
    p = sub.add_parser("demo", help="a tour of the lecture in under a minute: MLE, MCMC, "
                                    "autoencoder, VAE, GAN",
                       description=__doc__.split("\n\n", 1)[1].strip(), epilog=_EXAMPLES,
                       formatter_class=common.formatter)
    p.add_argument("--jobs", type=common.positive_int, default=None, metavar="N",
                   help="processes: 2 trains the GAN on a second core while the other parts run "
                        "(default: 2 if the machine has 2 cores, 1 with --quick)")
    common.add_common_options(p, quick_help="a smoke version: tiny data and models (a few seconds)")
    p.set_defaults(run=run)
    return p


def _configs(seed, quick):
    """The config of each part, in the formats of fit, sample and train."""
    from scratchgen.commands import train_gan
    fit_config = {"command": "fit", "data": "ring", "model": "mixture", "components": 8,
                  "covariance": "full", "method": "em", "n": 300 if quick else 2000,
                  "anomalies": 0.05, "seed": seed, "quick": quick}
    sample_config = {"command": "sample", "target": "ring", "dim": 2, "steps": 200 if quick else 5000,
                     "tune": 100 if quick else 1000, "chains": 4, "scale": None, "vectorized": True,
                     "seed": seed, "quick": quick}
    latent = {"command": "train", "dataset": "digits", "latent_dim": 2, "hidden": [16] if quick else [64],
              "lr": 2e-3, "steps": 20 if quick else 1500, "batch_size": 64, "seed": seed, "quick": quick}
    ae = {**latent, "model": "autoencoder", "loss": "bce"}
    vae = {**latent, "model": "vae", "likelihood": "bernoulli", "iwae_k": 5 if quick else 50}
    # The ring's default recipe, shortened to fit the minute; its lr drops move to the
    # same fractions of the shorter run.
    recipe = train_gan.recipe_for("ring")
    drops = [max(1, round(b * GAN_STEPS / recipe["n_steps"])) for b in recipe.get("lr_decay_steps", [])]
    recipe = train_gan.apply_overrides(recipe, steps=GAN_STEPS, batch_size=GAN_BATCH, lr_decay_steps=drops)
    if quick:
        recipe = train_gan.apply_overrides(recipe, steps=20, batch_size=32, hidden=[16])
    gan = {"command": "train", "model": "gan", **train_gan.gan_config("ring", recipe),
           "seed": seed, "quick": quick}
    for c in (ae, vae, gan):
        c.update(checkpoint_every=c["steps"], log_every=max(1, c["steps"] // 200))
    return {"1-mle": fit_config, "2-mcmc": sample_config, "3-autoencoder": ae, "4-vae": vae, "5-gan": gan}


def _part_folder(run_dir, name):
    path = run_dir.file(name)
    path.mkdir()
    return RunFolder(path, path, fresh=False)


def _run_part(name, config, folder, progress):
    if name == "1-mle":
        return fit.execute(config, folder)
    if name == "2-mcmc":
        return sample.execute(config, folder, progress=progress)[0]
    job = train.build_job(config)
    folder.write_json("config.json", config)
    status, summary = train.train_and_finish(job, folder, config, 0, progress)
    if summary is None:
        raise KeyboardInterrupt
    return summary


def _row(name, s):
    """(part, result) for the table."""
    if name == "1-mle":
        return (f"MLE: {s['components']}-Gaussian mixture (EM)",
                f"held-out log-lik {s['test_log_likelihood']:.2f}/point, anomaly AUROC {s['anomaly_auroc']:.3f}")
    if name == "2-mcmc":
        return ("MCMC: Metropolis-Hastings, ring",
                f"acceptance {s['acceptance']:.2f}, R-hat {s['r_hat_max']:.3f}, "
                f"ESS {s['ess_bulk_min']:.0f} (bulk, min)")
    if name == "3-autoencoder":
        return ("Autoencoder: digits, 2-D codes", f"test reconstruction MSE {s['test_reconstruction_mse']:.4f}")
    if name == "4-vae":
        return ("VAE: digits, 2-D latent",
                f"test IWAE log-lik {s['test_iwae_log_likelihood']:.1f} nats (K={s['iwae_k']}), "
                f"MSE {s['test_reconstruction_mse']:.4f}")
    return (f"GAN: ring of {s['n_modes']} Gaussians",
            f"modes captured {s['modes_captured']}/{s['n_modes']}, high quality "
            f"{100 * s['high_quality_fraction']:.0f}%, reverse KL {s['reverse_kl']:.3f}")


def format_table(rows):
    width = max(len(r[0]) for r in rows)
    lines = [f"{'part':<{width}}  {'result':<70}  time"]
    lines += [f"{part:<{width}}  {result:<70}  {seconds:5.1f} s" for part, result, seconds in rows]
    return "\n".join(lines)


def _part_in_worker(name, config, path):
    """Run one part in a worker process (the same thread policy there too); (summary, seconds)."""
    from scratchgen.threads import thread_policy
    with thread_policy():
        t0 = time.perf_counter()
        summary = _run_part(name, config, RunFolder(path, path, fresh=False), progress=False)
        return summary, time.perf_counter() - t0


def _start_worker(run_dir, name, config):
    """The GAN part, the longest, in a second process: it uses the second core of a laptop."""
    from scratchgen.commands.workers import process_pool
    pool = process_pool(1)   # its worker dies with this process
    folder = _part_folder(run_dir, name)
    return pool, pool.submit(_part_in_worker, name, config, folder.path)


def _last_logged_step(folder):
    """The step of the last complete line of ``folder``/metrics.jsonl (0 if none yet)."""
    try:
        lines = (folder / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["step"])
        except (ValueError, KeyError, TypeError):
            continue   # a line the worker is still writing
    return 0


def wait_for_worker(future, folder, total, progress, poll_seconds=0.5):
    """The worker's result; meanwhile a progress bar follows the steps it logs
    to its run folder's metrics.jsonl (the worker itself shows no bar)."""
    from concurrent.futures import TimeoutError as Pending
    done = _last_logged_step(folder)
    bar = common.progress_bar(total, "train gan (second core)", progress, initial=done)
    try:
        while True:
            try:
                return future.result(timeout=poll_seconds)
            except Pending:
                step = _last_logged_step(folder)
                if step > done:
                    bar.update(step - done)
                    done = step
    finally:
        bar.close()


def run(args):
    t_start = time.perf_counter()
    configs = _configs(args.seed, args.quick)
    for config in configs.values():
        config["figures"] = not args.no_figures
    progress = common.show_progress(args)
    jobs = args.jobs if args.jobs is not None else (1 if args.quick else min(2, os.cpu_count() or 1))
    rows, summary = {}, {}
    with RunFolder.new(args.out or default_run_name("demo")) as run_dir:
        run_dir.write_json("config.json", {"command": "demo", "seed": args.seed, "quick": args.quick,
                                           "jobs": jobs, "parts": configs})
        pool = future = None
        if jobs > 1:
            pool, future = _start_worker(run_dir, PARTS[-1], configs[PARTS[-1]])
        try:
            for i, name in enumerate(PARTS, start=1):
                if future is not None and name == PARTS[-1]:
                    part_summary, seconds = wait_for_worker(
                        future, run_dir.file(name), configs[name]["steps"], progress)
                else:
                    t0 = time.perf_counter()
                    part_summary = _run_part(name, configs[name], _part_folder(run_dir, name), progress)
                    seconds = time.perf_counter() - t0
                part, result = _row(name, part_summary)
                rows[name] = (part, result, seconds)
                summary[name] = {**part_summary, "wall_seconds": seconds}
                run_dir.log({"step": i, "part": name, "seconds": seconds})
                if not args.quiet:
                    print(f"[{i}/{len(PARTS)}] {part}: {result} ({seconds:.1f} s)", file=sys.stderr)
        except BaseException:
            if pool is not None:   # Ctrl-C, SIGTERM, an error: the worker stops too
                from scratchgen.commands.workers import stop_workers
                stop_workers(pool)
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        summary["total_seconds"] = time.perf_counter() - t_start
        run_dir.write_json("summary.json", summary)
    if not args.quiet:
        print(format_table([rows[name] for name in PARTS]))
        print(f"total {summary['total_seconds']:.1f} s; figures (PNG), checkpoints and summary.json in:")
    print(run_dir.final)
    return 0
