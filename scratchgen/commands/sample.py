"""``scratchgen sample``: Metropolis-Hastings on a built-in target or your own log-density.

Runs ``--chains`` chains from dispersed starts with a random-walk proposal
whose scale is tuned during ``--tune`` burn-in steps, then stores
``--steps`` draws per chain and reports the acceptance rate, the
rank-normalised split R-hat and the bulk/tail effective sample sizes
(Vehtari et al. 2021) of every coordinate.
"""
import contextlib
import importlib
import math
import os
import sys
import time

import numpy as np

from scratchgen.commands import common, text
from scratchgen.commands.errors import UsageError
from scratchgen.commands.runs import RunFolder, default_run_name, save
from scratchgen.commands.user_code import running_user_code
from scratchgen.datasets.toy2d import RING_PRESETS

__all__ = ["add_parser", "run", "TARGETS", "resolve_target", "target_engine", "run_sampler"]

_EXAMPLES = """\
examples:
  scratchgen sample ring                    the 8-Gaussian ring ("mcmc-wide": radius {radius:g}, std {std:g})
  scratchgen sample banana --steps 10000 --chains 8
  scratchgen sample gaussian --dim 5 --scale 0.8
  scratchgen sample mymodel:log_prob --dim 3          log p from mymodel.py in this folder
  scratchgen sample mymodel:log_prob_batch --dim 3 --vectorized
  scratchgen sample ring --engine numba --chains 8 --steps 200000   chains in parallel threads

TARGET is a built-in target (ring, gaussian, banana) or MODULE:FUNCTION, a
Python function log_prob(x) -> float of x with shape (dim,) (or, with
--vectorized, X (n_chains, dim) -> (n_chains,)) importable from the current
folder; an @numba.njit function runs on the compiled engine, its chains in
parallel threads (SCRATCHGEN_NUM_THREADS, default one per core). Writes config.json, metrics.jsonl, summary.json (acceptance, R-hat,
ESS), chain.npz (draws (steps, chains, dim), log p, acceptance), trace.png,
autocorrelation.png and, in 2-D, samples.png.
""".format(**RING_PRESETS["mcmc-wide"])

TARGETS = ("ring", "gaussian", "banana")
# The "mcmc-wide" ring (datasets.RING_PRESETS): modes 3 std apart, so that a tuned
# random walk hops between them within a demo's few thousand steps.
RING_STD = RING_PRESETS["mcmc-wide"]["std"]
ENGINES = ("auto", "numba", "vectorized", "python")
# --scale outside this range freezes the chains: the tuning moves the scale by a factor of
# about e^9 at most in 1000 steps, and below ~1e-300 a step x + scale z rounds to x.
SCALE_RANGE = (1e-6, 1e6)
FIRST_CALL_SECONDS = 60.0  # default limit for importing and first calling MODULE:FUNCTION
# Built-in targets under --engine auto: from this many chain-steps (chains x (tune + steps)) on,
# the Numba engine's ~2 s of compilation pays off (benchmarks/mcmc.py, ring: the vectorized
# engine runs ~60,000 chain-steps/s with 4 chains, the Numba engine millions, chains in
# parallel threads); below it the vectorized engine, with no compilation, finishes first.
NUMBA_FROM_CHAIN_STEPS = 250_000


def add_parser(sub):
    p = sub.add_parser("sample", help="Metropolis-Hastings on a built-in target or your log-density",
                       description=__doc__.split("\n\n", 1)[1].strip(),
                       epilog=_EXAMPLES, formatter_class=common.formatter)
    p.add_argument("target", metavar="TARGET", help="ring, gaussian, banana or MODULE:FUNCTION; "
                   "or a run folder of fit --model ngram / train charmlp to generate text")
    p.add_argument("--dim", type=common.positive_int, default=None,
                   help="dimension of gaussian, banana and MODULE:FUNCTION targets (default: 2; "
                        "ring is 2-D only, banana needs >= 2)")
    p.add_argument("--steps", type=common.positive_int, default=None, help="draws per chain (default: 5000)")
    p.add_argument("--tune", type=common.nonnegative_int, default=None,
                   help="burn-in steps that tune the proposal scale (default: 1000)")
    p.add_argument("--chains", type=common.positive_int, default=4, help="number of chains (default: 4)")
    p.add_argument("--scale", type=common.positive_float, default=None,
                   help=f"initial random-walk scale, {SCALE_RANGE[0]:g} to {SCALE_RANGE[1]:g} "
                        "(default: 2.38/sqrt(dim), then tuned)")
    p.add_argument("--vectorized", action="store_true",
                   help="MODULE:FUNCTION takes a batch X (n_chains, dim) -> (n_chains,)")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (default): built-in targets on the vectorized engine (no compile "
                        f"time), on numba from {NUMBA_FROM_CHAIN_STEPS:,} chain-steps (chains x "
                        "(tune + steps)); MODULE:FUNCTION on numba if it is @numba.njit, "
                        "vectorized with --vectorized, else python; numba: compiled, chains in "
                        "parallel threads "
                        "(~2 s to compile, then millions of steps/s)")
    p.add_argument("--time-limit", type=common.positive_float, default=None, metavar="SECONDS",
                   help="stop with an error when MODULE:FUNCTION's import, first call or the "
                        f"sampling takes longer (default: {FIRST_CALL_SECONDS:g} s for the import "
                        "and first call, no limit for the sampling)")
    text.add_sample_options(p)   # TARGET a text run folder: generate text (commands/text.py)
    common.add_common_options(p, quick_help="few steps (a smoke test)")
    p.set_defaults(run=run)
    return p


def _user_function(spec, seconds=FIRST_CALL_SECONDS):
    module_name, _, func_name = spec.partition(":")
    if not module_name or not func_name:
        raise UsageError(f"target {spec!r}: expected MODULE:FUNCTION, e.g. mymodel:log_prob")
    cwd = os.getcwd()
    sys.path.insert(0, cwd)  # like `python -m`: modules of the current folder first
    try:
        with running_user_code(f"target {spec!r}: importing {module_name}", seconds):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise  # the user's module imports something missing: "importing ... raised"
                raise UsageError(f"target {spec!r}: cannot import module {exc.name!r} "
                                 f"(looked in {cwd} and the Python path)") from None
    finally:
        sys.path.remove(cwd)
    func = getattr(module, func_name, None)
    if func is None:
        raise UsageError(f"target {spec!r}: module {module_name} has no attribute {func_name!r}")
    if not callable(func):
        raise UsageError(f"target {spec!r}: {func_name} is a {type(func).__name__}, not a function")
    return func


def resolve_target(name, dim=None, vectorized=False, engine="auto", seconds=FIRST_CALL_SECONDS):
    """(log_prob, dim, vectorized) for a built-in name or MODULE:FUNCTION.

    Built-in targets come in the batch form (vectorized engine) unless
    ``engine`` is "numba" or "python" (the point form, compiled under the numba
    kernel backend).
    """
    from scratchgen import mcmc
    if name == "ring" and dim not in (None, 2):
        raise UsageError(f"--dim {dim}: the ring target is 2-D; leave out --dim (or use "
                         "gaussian or banana for other dimensions)")
    dim = 2 if dim is None else dim
    batch = engine in ("auto", "vectorized")
    if name == "ring":
        # Batch form by default: the Numba engine gives the same decisions (same random
        # stream) but compiles for seconds in every new process, longer than a demo's sampling.
        return mcmc.make_ring_log_prob(std=RING_STD, vectorized=batch), 2, batch
    if name == "gaussian":
        # Correlated: covariance 1 on the diagonal, 0.5 off it.
        cov = 0.5 * np.eye(dim) + 0.5
        return mcmc.make_gaussian_log_prob(np.zeros(dim), cov, vectorized=batch), dim, batch
    if name == "banana":
        if dim < 2:
            raise UsageError(f"--dim {dim}: the banana target needs dim >= 2")
        return mcmc.make_banana_log_prob(vectorized=batch), dim, batch
    if ":" in name:
        return _user_function(name, seconds), dim, vectorized
    raise UsageError(f"unknown target {name!r}: expected one of {', '.join(TARGETS)} "
                     "or MODULE:FUNCTION")


def check_scale(scale):
    """--scale inside SCALE_RANGE (None: the default), else one UsageError line."""
    low, high = SCALE_RANGE
    if scale is not None and not low <= scale <= high:
        raise UsageError(f"--scale {scale!r}: expected {low:g} to {high:g} (the tuning adapts the "
                         "scale by a factor of at most ~e^9, so the chains would freeze); rescale "
                         "the target instead")
    return scale


def _check_log_prob(log_prob, x0, vectorized, name, seconds=FIRST_CALL_SECONDS):
    """Call the target once at the starts so that a broken function fails before any folder."""
    shape = x0.shape if vectorized else x0[0].shape
    with running_user_code(f"target {name!r} on x of shape {shape}", seconds):
        value = log_prob(x0) if vectorized else log_prob(x0[0])
        value = np.asarray(getattr(value, "data", value), dtype=np.float64)
    expected = (len(x0),) if vectorized else ()
    if value.shape != expected and not (not vectorized and value.size == 1):
        raise UsageError(f"target {name!r} returned shape {value.shape}, expected "
                         f"{expected if vectorized else 'a float'}"
                         + ("" if vectorized else " (use --vectorized for a batch function)"))


def run_sampler(log_prob, dim, vectorized, steps, tune, chains, scale, seed, progress=False,
                engine=None):
    """The chains, from starts spread as N(0, 2^2 I) (R-hat needs dispersed starts)."""
    from scratchgen.mcmc import RandomWalk, metropolis_hastings
    rng = np.random.default_rng(seed)
    x0 = 2.0 * rng.standard_normal((chains, dim))
    scale = scale if scale is not None else 2.38 / math.sqrt(dim)
    return metropolis_hastings(log_prob, x0, steps, proposal=RandomWalk(scale=scale),
                               n_chains=chains, tune=tune, rng=rng, vectorized=vectorized,
                               progress=progress, engine=engine)


def chain_summary(result):
    """acceptance, R-hat and ESS as JSON-ready numbers (worst over coordinates first)."""
    s = result.summary()
    return {"acceptance": float(np.mean(result.acceptance_fraction)),
            "acceptance_per_chain": result.acceptance_fraction,
            "r_hat_max": float(np.max(s["r_hat"])), "ess_bulk_min": float(np.min(s["ess_bulk"])),
            "ess_tail_min": float(np.min(s["ess_tail"])),
            "mean": s["mean"], "sd": s["sd"], "r_hat": s["r_hat"],
            "ess_bulk": s["ess_bulk"], "ess_tail": s["ess_tail"], "engine": result.engine}


def make_config(args):
    quick_steps, quick_tune = (300, 200) if args.quick else (5000, 1000)   # --quick keeps given values
    steps = args.steps or quick_steps
    tune = quick_tune if args.tune is None else args.tune
    return {"command": "sample", "target": args.target, "dim": args.dim, "steps": steps, "tune": tune,
            "chains": args.chains, "scale": check_scale(args.scale), "vectorized": args.vectorized,
            "engine": args.engine, "time_limit": args.time_limit,
            "seed": args.seed, "quick": args.quick, "figures": not args.no_figures}


def _first_call_seconds(config):
    return config.get("time_limit") or FIRST_CALL_SECONDS


def target_engine(config):
    """The engine whose form of the target to load: config's engine, except that "auto" on
    a built-in target with at least NUMBA_FROM_CHAIN_STEPS chain-steps is "numba" (when the
    kernel backend is numba: uncompiled, the Numba engine would be the slowest)."""
    from scratchgen.kernels.backend import get_backend
    engine = config.get("engine", "auto")
    chain_steps = config["chains"] * (config["tune"] + config["steps"])
    if (engine == "auto" and config["target"] in TARGETS and get_backend() == "numba"
            and chain_steps >= NUMBA_FROM_CHAIN_STEPS):
        return "numba"
    return engine


def prepare(config):
    """(log_prob, dim, vectorized) of a config, checked by one call at the starts."""
    from scratchgen.commands import memory
    memory.check_sample(config)   # refuse sizes that cannot fit, before allocating them
    seconds = _first_call_seconds(config)
    log_prob, dim, vectorized = resolve_target(config["target"], config["dim"], config["vectorized"],
                                               target_engine(config), seconds)
    _check_log_prob(log_prob, np.zeros((config["chains"], dim)), vectorized, config["target"],
                    seconds)
    return log_prob, dim, vectorized


def execute(config, run_dir, target=None, progress=False):
    """Sample, diagnose, save and draw the run of ``config``; returns (summary, chains)."""
    log_prob, dim, vectorized = target or prepare(config)
    config = {**config, "dim": dim, "vectorized": vectorized}
    run_dir.write_json("config.json", config)
    start = time.perf_counter()
    engine = config.get("engine", "auto")
    user_target = config["target"] not in TARGETS
    with (running_user_code(f"target {config['target']!r} during sampling", config.get("time_limit"))
          if user_target else contextlib.nullcontext()):
        result = run_sampler(log_prob, dim, vectorized, config["steps"], config["tune"],
                             config["chains"], config["scale"], config["seed"], progress,
                             engine=None if engine == "auto" else engine)
    seconds = time.perf_counter() - start
    summary = {**chain_summary(result), "seconds": seconds}
    _log_running_means(run_dir, result)
    save({"draws": result.draws, "log_prob": result.log_prob,
             "acceptance_fraction": result.acceptance_fraction, "config": config},
            run_dir.file("chain.npz"))
    if config.get("figures", True):
        write_chain_figures(run_dir, result, resolve_target("ring")[0]
                            if config["target"] == "ring" else None)
    run_dir.write_json("summary.json", summary)
    return summary, result


def run(args):
    if text.is_text_run(args.target):
        return text.run_sample(args)
    config = make_config(args)
    target = prepare(config)
    with RunFolder.new(args.out or default_run_name("sample")) as run_dir:
        summary, result = execute(config, run_dir, target, common.show_progress(args))
    if not args.quiet:
        from scratchgen.mcmc import format_summary
        print(format_summary(result.summary()))
        print(f"acceptance {summary['acceptance']:.3f}, max R-hat {summary['r_hat_max']:.3f}, "
              f"min bulk ESS {summary['ess_bulk_min']:.0f} of {config['steps'] * config['chains']} "
              f"draws ({result.engine} engine, {summary['seconds']:.2f} s)")
    print(run_dir.final)
    return 0


def _log_running_means(run_dir, result, n_records=50):
    """metrics.jsonl: the running mean of every coordinate and of log p (all chains)."""
    draws, log_p = result.draws, result.log_prob
    every = max(1, len(draws) // n_records)
    cum = np.cumsum(draws.mean(axis=1), axis=0)
    cum_lp = np.cumsum(log_p.mean(axis=1))
    for t in range(every - 1, len(draws), every):
        run_dir.log({"step": t + 1, "running_mean": cum[t] / (t + 1),
                     "mean_log_prob": float(cum_lp[t] / (t + 1))})


def write_chain_figures(run_dir, result, batch_log_prob=None):
    from scratchgen import viz
    viz.trace_plot(result.draws, title="Metropolis-Hastings traces", path=run_dir.file("trace.png"))
    viz.autocorrelation_plot(result.draws, title="autocorrelation", path=run_dir.file("autocorrelation.png"))
    if result.dim == 2:
        flat = result.get_chain(flat=True)
        if batch_log_prob is not None:
            viz.density_contour(batch_log_prob, flat[:: max(1, len(flat) // 2000)],
                                title="draws on log p(x)", path=run_dir.file("samples.png"))
        else:
            viz.latent_scatter(flat[:: max(1, len(flat) // 2000)], title="draws",
                               path=run_dir.file("samples.png"))
