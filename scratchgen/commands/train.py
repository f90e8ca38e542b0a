"""``scratchgen train {autoencoder,vae,gan}``: resumable training runs.

Every model is trained by the same step loop::

    for step in start+1 .. steps:
        losses = job.step()                   # one minibatch update (GAN: k D steps + 1 G step)
        every --log-every steps:        append {"step": step, **losses} to metrics.jsonl
        every --checkpoint-every steps: save model, optimizer(s), rng state and step

so that ``--resume RUN_DIR`` continues exactly where the last checkpoint
stopped: the same minibatches, the same noise, the same parameters as a run
that was never interrupted (the tests check bit equality). Ctrl-C stops at
the end of the current step, saves a checkpoint and keeps the run folder.
"""
import signal
import sys
import time

from scratchgen.commands import common
from scratchgen.commands.errors import EXIT_INTERRUPTED, UsageError
from scratchgen.commands.runs import RunFolder, default_run_name, read_json

__all__ = ["add_parser", "run", "build_job", "train_loop", "CHECKPOINT"]

CHECKPOINT = "checkpoint.npz"
# What --resume may change (the rest comes from the run's config.json; cli refuses it).
RESUME_OPTIONS = ("steps", "checkpoint_every", "log_every", "no_figures", "quiet")

_EXAMPLES = """\
examples:
  scratchgen train autoencoder --latent-dim 2          digits, codes in 2-D
  scratchgen train vae --steps 3000 --hidden 128,64
  scratchgen train gan --dataset ring                  the documented default recipe
  scratchgen train gan --dataset grid --variant pacgan
  scratchgen train gan --dataset digits --steps 2000 --lr-g 1e-3
  scratchgen train vae --steps 1000 --out runs/v       ... later:
  scratchgen train vae --resume runs/v --steps 3000    continue to step 3000

A run folder gets config.json, metrics.jsonl (losses every --log-every
steps), checkpoint.npz (scratchgen.save: model, optimizer, rng state, step),
summary.json (test metrics) and figures (loss curves, samples, ...).
With --resume, the options come from RUN_DIR/config.json; only --steps,
--checkpoint-every, --log-every, --no-figures and --quiet may be given again.
"""


def add_parser(sub):
    from scratchgen.commands import text, train_gan, train_latent
    p = sub.add_parser("train", help="train an autoencoder, a VAE, a GAN or a CharMLP (resumable)",
                       description=__doc__.split("\n\n", 1)[1].strip(), epilog=_EXAMPLES,
                       formatter_class=common.formatter)
    models = p.add_subparsers(dest="model", metavar="MODEL", required=True)
    for name, module in (("autoencoder", train_latent), ("vae", train_latent), ("gan", train_gan),
                         ("charmlp", text)):
        q = models.add_parser(name, help=module.HELP[name], description=module.HELP[name],
                              epilog=module.EXAMPLES[name], formatter_class=common.formatter)
        module.add_options(q, name)
        _add_loop_options(q)
        q.set_defaults(run=run, resume_options=RESUME_OPTIONS)
    return p


def _add_loop_options(p):
    from scratchgen.commands import text, train_gan, train_latent
    latent, chars = train_latent.DEFAULTS, text.DEFAULTS
    p.add_argument("--steps", type=common.positive_int, default=None,
                   help=f"training steps (minibatch updates) in total (default: {latent['steps']} for "
                        f"autoencoder and vae, {chars['steps']} for charmlp, the recipe's n_steps for "
                        f"gan, e.g. {train_gan.ring_steps()} for ring)")
    p.add_argument("--batch-size", type=common.positive_int, default=None,
                   help=f"minibatch size (default: {latent['batch_size']}, {chars['batch_size']} for "
                        "charmlp, or the recipe's for gan)")
    p.add_argument("--checkpoint-every", type=common.positive_int, default=None, metavar="N",
                   help="save a checkpoint every N steps (default: steps/10; always at the end)")
    p.add_argument("--log-every", type=common.positive_int, default=None, metavar="N",
                   help="append the losses to metrics.jsonl every N steps (default: steps/200)")
    p.add_argument("--resume", metavar="RUN_DIR", default=None,
                   help="continue this run from its last checkpoint")
    common.add_common_options(p, quick_help="a few steps of a tiny model (a smoke test)")


def build_job(config):
    """The training job that a config describes (same config + seed = same job)."""
    from scratchgen.commands import memory, text, train_gan, train_latent
    memory.check_train(config)   # refuse sizes that cannot fit, before allocating them
    if config["model"] == "gan":
        return train_gan.GanJob(config)
    if config["model"] == "charmlp":
        return text.CharMLPJob(config)
    return train_latent.LatentJob(config)


def _config_from_args(args):
    from scratchgen.commands import text, train_gan, train_latent
    module = {"gan": train_gan, "charmlp": text}.get(args.model, train_latent)
    config = module.config_from_args(args)
    config.update(command="train", model=args.model, seed=args.seed, quick=args.quick,
                  figures=not args.no_figures)
    steps = config["steps"]
    config["checkpoint_every"] = args.checkpoint_every or max(1, steps // 10)
    config["log_every"] = args.log_every or max(1, steps // 200)
    return config


def run(args):
    if args.resume:
        return _resume(args)
    config = _config_from_args(args)
    job = build_job(config)   # validates data and sizes before any folder exists
    with RunFolder.new(args.out or default_run_name(f"train-{args.model}"), resumable=True) as run_dir:
        run_dir.write_json("config.json", config)
        status, summary = train_and_finish(job, run_dir, config, 0, common.show_progress(args))
    _report(args, job, summary, status, run_dir)
    return status


def _resume(args):
    from scratchgen.commands import run_checks
    run_dir = RunFolder.existing(args.resume)
    config = run_checks.read_config(run_dir.file("config.json"), "train", args.model)
    if config.get("command") != "train" or config.get("model") != args.model:
        what = f"{config.get('command')} {config.get('model', '')}".strip()
        raise UsageError(f"--resume {args.resume}: it is a run of '{what}', not of 'train {args.model}'")
    if args.no_figures:
        config["figures"] = False
    for key, value in (("steps", args.steps), ("checkpoint_every", args.checkpoint_every),
                       ("log_every", args.log_every)):
        if value is not None:
            config[key] = value
    if "recipe" in config:
        config["recipe"]["n_steps"] = config["steps"]
    job = build_job(config)
    start = 0
    if run_dir.file(CHECKPOINT).exists():
        state = run_checks.load_checkpoint(run_dir.file(CHECKPOINT), config)
        run_checks.restore(job, state, run_dir.file(CHECKPOINT))
        start = state["step"]
    if start > config["steps"]:
        raise UsageError(f"--steps {config['steps']} is before the checkpoint of {args.resume} "
                         f"(step {start}); give --steps >= {start}")
    run_dir.truncate_metrics(start)   # drop records logged after the last checkpoint
    run_dir.write_json("config.json", config)
    if not args.quiet:
        print(f"resuming {args.resume} at step {start} of {config['steps']}")
    with run_dir:   # holds the run's lock; an error marks the run failed (kept)
        status, summary = train_and_finish(job, run_dir, config, start, common.show_progress(args))
    _report(args, job, summary, status, run_dir)
    return status


def train_and_finish(job, run_dir, config, start, progress=False):
    """Train from ``start`` to config["steps"], then evaluate and draw.

    Returns (exit status, summary); the summary is None when Ctrl-C stopped
    the run (its folder is kept, with a checkpoint to resume from).
    """
    seconds_before = 0.0
    if start and run_dir.file("summary.json").exists():
        seconds_before = float(read_json(run_dir.file("summary.json")).get("train_seconds") or 0.0)
    t0 = time.perf_counter()
    stopped_at = train_loop(job, run_dir, start, config["steps"], config["checkpoint_every"],
                            config["log_every"], progress)
    train_seconds = seconds_before + time.perf_counter() - t0
    if stopped_at < config["steps"]:
        run_dir.keep()
        return EXIT_INTERRUPTED, None
    summary = job.evaluate()
    summary.update(step=stopped_at, train_seconds=train_seconds)
    summary["seconds"] = train_seconds + summary.pop("eval_seconds", 0.0)
    if config.get("figures", True):
        job.figures(run_dir, run_dir.read_metrics())
    run_dir.write_json("summary.json", summary)
    return 0, summary


def _report(args, job, summary, status, run_dir):
    if status == EXIT_INTERRUPTED:
        print(f"interrupted at step {job.last_step}; continue with: scratchgen train {args.model} "
              f"--resume {run_dir.final}", file=sys.stderr)
    elif not args.quiet:
        print(job.describe(summary))
    print(run_dir.final)


def save_checkpoint(job, run_dir, step):
    """checkpoint.npz: the job's state (model, optimizer(s), rng), the step and the config."""
    run_dir.save({"job": job.state_dict(), "step": step, "config": job.config}, CHECKPOINT)


def train_loop(job, run_dir, start, steps, checkpoint_every, log_every, progress):
    """Run steps start+1..steps; returns the last completed step (< steps if stopped by Ctrl-C)."""
    stop = {"requested": False}

    def request_stop(signum, frame):
        if stop["requested"]:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        stop["requested"] = True

    previous = _install_sigint(request_stop)
    bar = common.progress_bar(steps, f"train {job.kind}", progress, initial=start)
    step = start
    try:
        while step < steps and not stop["requested"]:
            losses = job.step()
            step += 1
            job.after_step(step)
            if step % log_every == 0 or step == steps:
                run_dir.log({"step": step, **losses})
            if step % checkpoint_every == 0 or step == steps:
                save_checkpoint(job, run_dir, step)
            bar.update(1)
            if step % 10 == 0:
                bar.set_postfix(**{k: f"{v:.3f}" for k, v in losses.items()})
        if step < steps:
            save_checkpoint(job, run_dir, step)
    finally:
        job.last_step = step
        bar.close()
        _install_sigint(previous)
    return step


def _install_sigint(handler):
    if handler is None:
        return None
    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: leave Ctrl-C alone
        return None
