"""``scratchgen evaluate``: recompute the metrics of a saved run or checkpoint.

Loads the model of a run folder (or of a checkpoint file written by
``fit``, ``train`` or ``sample``), recomputes its metrics on the same test
data (rebuilt from the seed in the config), redraws its figures, and writes
them into a new run folder; it also says whether the numbers match the
run's own summary.json.
"""
from pathlib import Path

import numpy as np

from scratchgen.commands import common
from scratchgen.commands.errors import UsageError
from scratchgen.commands.runs import RunFolder, default_run_name, read_json

__all__ = ["add_parser", "run", "load_run", "evaluate_run"]

_EXAMPLES = """\
examples:
  scratchgen evaluate runs/train-gan-20260101-120000          a run folder
  scratchgen evaluate runs/train-vae-20260101-120000/checkpoint.npz
  scratchgen evaluate runs/fit-20260101-120000 --data new_points.csv
  scratchgen evaluate runs/sample-20260101-120000             R-hat/ESS of saved chains

Writes config.json, metrics.jsonl (one record: the metrics), summary.json
and the figures into a new run folder (default runs/evaluate-<date>-<time>).
"""

# Metrics that are deterministic given the saved model and seed (timings are not).
_TIMINGS = ("seconds", "train_seconds", "eval_seconds")


def add_parser(sub):
    p = sub.add_parser("evaluate", help="recompute the metrics of a saved run or checkpoint",
                       description=__doc__.split("\n\n", 1)[1].strip(), epilog=_EXAMPLES,
                       formatter_class=common.formatter)
    p.add_argument("source", metavar="RUN_DIR_OR_CHECKPOINT",
                   help="a run folder of fit/sample/train, or its checkpoint.npz / chain.npz")
    p.add_argument("--data", metavar="FILE", default=None,
                   help="fit runs only: also score this .csv/.npy file (mean log-likelihood)")
    common.add_common_options(p, quick_help="(no effect; evaluation is as in the run)")
    p.set_defaults(run=run)
    return p


def load_run(source):
    """(config, state, run_folder_or_None) of a run folder or a checkpoint file."""
    import scratchgen as sg
    source = Path(source)
    if not source.exists():
        raise UsageError(f"{source} not found: expected a run folder or a checkpoint .npz file")
    if source.is_dir():
        config = read_json(source / "config.json")
        if not isinstance(config, dict):
            from scratchgen.commands.run_checks import check_config
            check_config(config, {}, source / "config.json")
        if config.get("command") == "demo":
            raise UsageError(f"{source} is a demo folder; evaluate one of its parts, e.g. {source / '5-gan'}")
        name = "chain.npz" if config.get("command") == "sample" else "checkpoint.npz"
        if not (source / name).exists():
            raise UsageError(f"{source} has no {name} (the run stopped before its first checkpoint?)")
        return (*_checked(config, source / name, source / "config.json"), source)
    state = sg.load(source)  # ValueError naming the file if it is not a checkpoint
    if not isinstance(state, dict) or "config" not in state:
        raise UsageError(f"{source} is a scratchgen checkpoint without a config; "
                         "pass its run folder instead")
    folder = source.parent if (source.parent / "config.json").exists() else None
    return (*_checked(state["config"], source, source, state), folder)


def _checked(config, checkpoint, config_source, state=None):
    """(config, state), both checked (run_checks) before anything is built from them."""
    import scratchgen as sg
    from scratchgen.commands import run_checks
    command = config.get("command") if isinstance(config, dict) else None
    if command in ("train", "fit", "sample"):
        model = config.get("model") if command == "train" else None
        try:
            reference = run_checks.reference_config(command, model)
        except SystemExit:   # argparse: not a model of this scratchgen
            raise UsageError(f"{config_source}: unknown model {model!r} for train") from None
        run_checks.check_config(config, reference, config_source)
    else:
        run_checks.check_config(config, {}, config_source)   # at least an object
    if command == "train":
        state = run_checks.load_checkpoint(checkpoint, config)
    elif state is None:
        state = sg.load(checkpoint)
    needed = {"fit": ("model",), "sample": ("draws", "log_prob", "acceptance_fraction")}.get(command, ())
    if command == "fit" and isinstance(state, dict) and isinstance(state.get("model"), dict):
        needed, state = ("weights", "means", "covariances", "covariance_type"), state["model"]
        _require(state, needed, checkpoint, "model")
        return config, {"model": state}
    _require(state, needed, checkpoint)
    return config, state


def _require(state, keys, path, where="it"):
    missing = [k for k in keys if not isinstance(state, dict) or k not in state]
    if missing:
        raise UsageError(f"{path}: not a complete checkpoint of this run ({where} lacks "
                         f"{', '.join(repr(k) for k in missing)})")


def evaluate_run(config, state, data_file=None):
    """(summary, draw_figures(run_dir)) for a loaded run."""
    command = config.get("command")
    if command == "train":
        return _evaluate_train(config, state)
    if command == "fit":
        return _evaluate_fit(config, state, data_file)
    if command == "sample":
        return _evaluate_sample(config, state)
    raise UsageError(f"cannot evaluate a run of command {command!r} (expected fit, sample or train)")


def _evaluate_train(config, state):
    from scratchgen.commands.train import build_job
    from scratchgen.commands.run_checks import restore
    job = build_job(config)
    restore(job, state, "the checkpoint")
    summary = job.evaluate()
    summary["step"] = int(state["step"])
    return summary, lambda run_dir, metrics: job.figures(run_dir, metrics)


def _evaluate_fit(config, state, data_file):
    from scratchgen.commands.fit import load_split, mean_log_likelihood
    params = state["model"]
    X_train, X_test, _ = load_split(config)   # the same split as the run (from its seed)
    X = X_train
    summary = {"train_log_likelihood": mean_log_likelihood(params, X_train),
               "test_log_likelihood": mean_log_likelihood(params, X_test)}
    if data_file is not None:
        Y = common.read_table(data_file)
        if Y.shape[1] != params["means"].shape[1]:
            raise UsageError(f"--data {data_file} has {Y.shape[1]} columns, the model was fitted "
                             f"on {params['means'].shape[1]}")
        summary["data_log_likelihood"] = mean_log_likelihood(params, Y)

    def figures(run_dir, metrics):
        from scratchgen import viz
        if X.shape[1] == 2:
            viz.density_contour(lambda Z: mixture_log_density(params, Z), X_train, log_scale=True,
                                title="log p(x)", path=run_dir.file("density.png"))
    return summary, figures


def mixture_log_density(params, X):
    """log p(x) per row of saved mixture parameters: logsumexp_k log w_k + log N(x | mu_k, Sigma_k)."""
    from scratchgen.mcmc import make_gaussian_log_prob
    covs = np.asarray(params["covariances"])
    if params["covariance_type"] == "diag":
        covs = np.stack([np.diag(c) for c in covs])
    X = np.asarray(X, dtype=np.float64)
    terms = np.stack([np.log(w) + make_gaussian_log_prob(m, c, vectorized=True)(X)
                      for w, m, c in zip(params["weights"], params["means"], covs)])
    top = terms.max(axis=0)
    return top + np.log(np.exp(terms - top).sum(axis=0))


def _evaluate_sample(config, state):
    from scratchgen.mcmc import Chains
    from scratchgen.commands.sample import chain_summary, write_chain_figures
    draws = np.asarray(state["draws"])
    # The file stores acceptance fractions; Chains wants counts over the proposals after tuning
    # (one per stored draw: the commands never thin).
    n_proposed = draws.shape[0]
    accepted = np.round(np.asarray(state["acceptance_fraction"]) * n_proposed)
    chains = Chains(draws, np.asarray(state["log_prob"]), accepted, n_proposed)
    summary = chain_summary(chains)
    del summary["engine"]
    return summary, lambda run_dir, metrics: write_chain_figures(run_dir, chains)


def _compare(summary, stored):
    """Keys whose recomputed value differs from the stored one (timings ignored)."""
    differ = []
    for key, value in summary.items():
        if key in _TIMINGS or key not in stored or not isinstance(value, (int, float)):
            continue
        old = stored[key]
        if old is None or not np.isclose(float(value), float(old), rtol=1e-9, atol=1e-12, equal_nan=True):
            differ.append(f"{key}: {old} -> {value}")
    return differ


def run(args):
    config, state, source_dir = load_run(args.source)
    summary, figures = evaluate_run(config, state, args.data)
    for key in _TIMINGS:
        summary.pop(key, None)
    stored = {}
    if source_dir is not None and (source_dir / "summary.json").exists():
        stored = read_json(source_dir / "summary.json")
    differ = _compare(summary, stored) if stored else None
    eval_config = {"command": "evaluate", "source": str(args.source), "data": args.data,
                   "evaluated": config}
    with RunFolder.new(args.out or default_run_name("evaluate")) as run_dir:
        run_dir.write_json("config.json", eval_config)
        run_dir.log({"step": int(summary.get("step", 0)), **{k: v for k, v in summary.items()
                                                              if isinstance(v, (int, float))}})
        metrics = []
        if source_dir is not None and (source_dir / "metrics.jsonl").exists():
            metrics = RunFolder.existing(source_dir, lock=False).read_metrics()
        if not args.no_figures:
            figures(run_dir, metrics)
        run_dir.write_json("summary.json", {**summary, "matches_stored_summary": differ == [] if stored else None})
    if not args.quiet:
        for key, value in summary.items():
            if isinstance(value, (int, float)):
                print(f"{key:>28}  {value:.6g}" if isinstance(value, float) else f"{key:>28}  {value}")
        if differ == []:
            print("the recomputed metrics match the run's summary.json")
        elif differ:
            print("differs from the run's summary.json: " + "; ".join(differ))
    print(run_dir.final)
    return 0
