"""``scratchgen``: the command line (also ``python -m scratchgen``).

    scratchgen demo                      # a tour of the lecture in under a minute
    scratchgen fit ring --components 8   # density by maximum likelihood
    scratchgen sample ring               # Metropolis-Hastings on a 2-D target
    scratchgen train vae                 # autoencoder / VAE / GAN training
    scratchgen evaluate runs/train-vae-...   # recompute the metrics of a saved run
    scratchgen bench                     # run benchmarks/*.py
    scratchgen assignment make ...       # coursework (scratchgen.coursework)

Each command lives in ``scratchgen/commands/<name>.py`` with two functions:
``add_parser(subparsers)`` declares its options and ``run(args) -> int``
does the work. ``main`` parses, dispatches, and turns user errors into one
line on stderr with exit status 2 (see ``scratchgen.commands.errors``);
set ``SCRATCHGEN_DEBUG=1`` to see the traceback instead.
"""
import argparse
import os
import signal
import sys

from scratchgen.commands.errors import EXIT_INTERRUPTED, EXIT_USAGE, USER_ERRORS, one_line

__all__ = ["main", "build_parser"]

_EPILOG = """\
examples:
  scratchgen demo                       tour of the lecture (< 1 minute), figures in runs/
  scratchgen demo --quick --out /tmp/d  smoke version (seconds)
  scratchgen fit moons --components 6   Gaussian mixture by MLE on a built-in set
  scratchgen fit data.csv --model gaussian
  scratchgen sample ring --steps 5000   Metropolis-Hastings, R-hat and ESS
  scratchgen sample mymodule:log_prob --dim 3
  scratchgen train autoencoder --latent-dim 2
  scratchgen train vae --steps 3000
  scratchgen train gan --dataset ring --variant pacgan
  scratchgen train vae --resume runs/train-vae-20260101-120000
  scratchgen evaluate runs/train-gan-20260101-120000
  scratchgen bench
  scratchgen assignment list

Every command writes a run folder (config.json, metrics.jsonl, summary.json,
checkpoint.npz, *.png) and prints its path. `scratchgen COMMAND --help` for more.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line: ``scratchgen: error: <prog>: <message>``."""

    def error(self, message):
        where = self.prog.split(" ", 1)[1] + ": " if " " in self.prog else ""
        self.exit(EXIT_USAGE, f"scratchgen: error: {where}{message} "
                              f"(see '{self.prog} --help')\n")


def build_parser():
    """The full argument parser (all commands)."""
    from scratchgen.commands import bench, demo, evaluate, fit, sample, train

    parser = _Parser(
        prog="scratchgen",
        description="scratchgen: generative modelling from scratch (MLE, MCMC, autoencoders, "
                    "VAEs, GANs) on a laptop CPU.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from scratchgen import __version__
    parser.add_argument("--version", action="version", version=f"scratchgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (demo, fit, sample, train, evaluate, bench):
        module.add_parser(sub)
    _add_assignment(sub)
    return parser


def _add_assignment(sub):
    try:
        from scratchgen.coursework.cli import add_assignment_parser, run_assignment
    except ImportError:  # the coursework tools are optional for the other commands
        return
    parser = add_assignment_parser(sub)
    parser.set_defaults(run=run_assignment)


# SIGTERM (timeout, SLURM, docker stop) and SIGHUP (closed terminal, ssh) do what
# Ctrl-C does: a training run stops at the end of its step and saves a checkpoint.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _like_ctrl_c(signum, frame):
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signum, frame)   # e.g. the training loop's "stop after this step"
    else:
        raise KeyboardInterrupt


def _handle_stop_signals():
    """Install ``_like_ctrl_c`` for SIGTERM/SIGHUP; returns the previous handlers.

    A signal the process already ignores stays ignored: ``nohup scratchgen
    train ...`` must survive the closed terminal, as nohup promises.
    """
    previous = {}
    for signum in _STOP_SIGNALS:
        if signal.getsignal(signum) == signal.SIG_IGN:
            continue
        try:
            previous[signum] = signal.signal(signum, _like_ctrl_c)
        except (ValueError, OSError):   # not the main thread
            pass
    return previous


def main(argv=None):
    """Run ``scratchgen`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    previous = _handle_stop_signals()
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt as exc:   # also during start-up (imports, parser)
        note = getattr(exc, "scratchgen_note", None)
        print("scratchgen: interrupted" + (f" ({note})" if note else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _main(argv):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    from scratchgen.commands.common import check_resume_options
    from scratchgen.threads import thread_policy
    try:
        check_resume_options(parser, argv, args)
        with thread_policy():  # SCRATCHGEN_NUM_THREADS, else one BLAS thread (scratchgen/threads.py)
            return int(args.run(args) or 0)
    except USER_ERRORS as exc:
        if os.environ.get("SCRATCHGEN_DEBUG"):
            raise  # developers: the full traceback
        print(f"scratchgen: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
