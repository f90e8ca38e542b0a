"""``scratchgen fit``: a Gaussian or a Gaussian mixture by maximum likelihood.

    theta_hat = argmax_theta (1/n) sum_i log p_theta(x_i)

on a CSV/NPY file or a built-in data set, 80% for the fit and 20% held out;
reports the mean log-likelihood of both parts (and, with ``--anomalies``,
the AUROC of the anomaly score -log p(x) on held-out points with uniform
outliers mixed in); saves the parameters, a density figure (2-D data) and
the log-likelihood curve of the fit.
"""
import time
import warnings

import numpy as np

from scratchgen.commands import common, memory, text
from scratchgen.commands.errors import UsageError
from scratchgen.commands.runs import RunFolder, default_run_name, save

__all__ = ["add_parser", "run", "fit_density", "model_params", "mean_log_likelihood"]

#: fit_history.png is drawn when the fit took at least this many iterations.
MIN_HISTORY_POINTS = 5

_EXAMPLES = f"""\
examples:
  scratchgen fit ring                       8-component mixture on the 8-Gaussian ring
  scratchgen fit moons --components 6 --anomalies 0.05
  scratchgen fit data.csv --model gaussian  one Gaussian on your data (CSV, header optional)
  scratchgen fit points.npy --components 3 --method gradient --covariance diag

DATA is a .csv/.txt (comma-separated numbers, optional header line) or .npy
file, or a built-in set: ring, grid, moons, blobs, swiss-roll, digits.
Writes config.json, metrics.jsonl (log-likelihood per iteration),
summary.json, checkpoint.npz (weights, means, covariances), density.png
(2-D data) and fit_history.png (log-likelihood per iteration; only when the
fit took at least {MIN_HISTORY_POINTS} iterations: EM often converges in 1-3).
"""

_DEFAULT_COMPONENTS = {"ring": 8, "grid": 25, "moons": 6, "blobs": 3, "swiss-roll": 10}


def add_parser(sub):
    p = sub.add_parser("fit", help="fit a Gaussian or a Gaussian mixture by maximum likelihood",
                       description=__doc__.split("\n\n", 1)[0].split(": ", 1)[1],
                       epilog=_EXAMPLES, formatter_class=common.formatter)
    p.add_argument("data", metavar="DATA", help="a .csv/.npy file or a built-in data set name")
    p.add_argument("--model", choices=("gaussian", "mixture", "ngram"), default="mixture",
                   help="density model (default: mixture; ngram for text: stories or a .txt file, "
                        "see scratchgen/commands/text.py)")
    p.add_argument("--components", type=common.positive_int, default=None, metavar="K",
                   help="mixture components (default: the number of modes of a built-in set, else 3)")
    p.add_argument("--covariance", choices=("full", "diag"), default="full",
                   help="covariance type (default: full)")
    p.add_argument("--method", choices=("em", "gradient"), default="em",
                   help="mixture fit: EM or gradient MLE with Adam (default: em)")
    p.add_argument("--n", type=common.positive_int, default=None, metavar="N",
                   help="points drawn from a built-in 2-D set (default: 2000)")
    p.add_argument("--anomalies", type=float, default=0.0, metavar="FRACTION",
                   help="share of held-out points replaced by uniform outliers to score "
                        "anomaly detection by AUROC (default: 0, off)")
    text.add_fit_options(p)
    common.add_common_options(p, quick_help="few points and iterations (a smoke test)")
    p.set_defaults(run=run)
    return p


def _check(args):
    if not 0.0 <= args.anomalies < 1.0:
        raise UsageError(f"--anomalies must be a fraction in [0, 1), got {args.anomalies}")


def model_params(model):
    """The fitted parameters as arrays: weights (K,), means (K, d), covariances."""
    from scratchgen.density import Gaussian
    if isinstance(model, Gaussian):
        return {"weights": np.ones(1), "means": model.mean_[None, :],
                "covariances": model.covariance_[None, :, :], "covariance_type": "full"}
    return {"weights": model.weights_, "means": model.means_,
            "covariances": model.covariances_, "covariance_type": model.covariance_type}


def mean_log_likelihood(params, X):
    """(1/n) sum_i log p(x_i) for saved mixture parameters (the E-step's value)."""
    from scratchgen.density import e_step
    return e_step(X, params["weights"], params["means"], params["covariances"],
                  params["covariance_type"])[1]


def fit_density(X, kind, components, covariance, method, rng, max_iter=None):
    """A fitted ``Gaussian`` or ``GaussianMixture`` (ConvergenceWarning silenced: reported)."""
    from scratchgen.density import Gaussian, GaussianMixture
    if X.shape[0] <= X.shape[1]:
        raise UsageError(f"need more rows than columns to fit a {covariance} covariance, "
                         f"got data of shape {X.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "gaussian":
            return Gaussian(covariance_type=covariance, method="closed_form").fit(X)
        if components > len(X):
            raise UsageError(f"--components {components} is more than the {len(X)} training points")
        return GaussianMixture(components, covariance_type=covariance, method=method, n_init=2,
                               max_iter=max_iter, rng=rng).fit(X)


def make_config(args):
    """The run's config from the options (validated; no folder exists yet)."""
    _check(args)
    n = args.n or (300 if args.quick else 2000)   # --quick does not override a given --n
    return {"command": "fit", "data": args.data, "model": args.model, "components": args.components,
            "covariance": args.covariance, "method": args.method, "n": n,
            "anomalies": args.anomalies, "seed": args.seed, "quick": args.quick,
            "figures": not args.no_figures}


def load_split(config):
    """(X_train, X_test, rng): the data of a fit config, split 80/20 by its seed
    with the library's ``datasets.train_test_split``."""
    from scratchgen.datasets import train_test_split
    rng = np.random.default_rng(config["seed"])
    X, name = common.load_points(config["data"], config["n"], rng)
    if len(X) < 10:
        raise UsageError(f"{config['data']}: need at least 10 rows to fit and hold out 20%, got {len(X)}")
    X_train, X_test = train_test_split(X, test_size=0.2, rng=rng)
    return X_train, X_test, rng


def execute(config, run_dir):
    """Fit, score, save and draw the run of ``config`` into ``run_dir``; returns the summary."""
    X_train, X_test, rng = load_split(config)
    name = config["data"]
    components = config["components"] or _DEFAULT_COMPONENTS.get(name, 3)
    config = {**config, "components": components, "n_features": X_train.shape[1]}
    run_dir.write_json("config.json", config)
    start = time.perf_counter()
    model = fit_density(X_train, config["model"], components, config["covariance"], config["method"],
                        config["seed"], max_iter=20 if config["quick"] else None)
    seconds = time.perf_counter() - start
    history = np.asarray(getattr(model, "history_", []), dtype=np.float64)
    for i, value in enumerate(history, start=1):
        run_dir.log({"step": i, "log_likelihood": float(value)})
    summary = {"model": config["model"], "components": components if config["model"] == "mixture" else 1,
               "n_train": len(X_train), "n_test": len(X_test),
               "train_log_likelihood": float(model.score(X_train)),
               "test_log_likelihood": float(model.score(X_test)),
               "converged": bool(getattr(model, "converged_", True)),
               "iterations": int(getattr(model, "n_iter_", 0)), "seconds": seconds}
    if config["anomalies"] > 0:
        summary.update(_anomaly_summary(model, X_train, X_test, config["anomalies"], rng))
    save({"model": model_params(model), "config": config}, run_dir.file("checkpoint.npz"))
    if config.get("figures", True):
        _figures(run_dir, model, X_train, history, name)
    run_dir.write_json("summary.json", summary)
    return summary


def run(args):
    if args.model == "ngram" or args.data == "stories":
        return text.run_fit(args)
    config = make_config(args)
    memory.check_fit(config)   # refuse a --n that cannot fit, before allocating it
    load_split(config)  # bad file / name / shape: fail before any folder exists
    with RunFolder.new(args.out or default_run_name("fit")) as run_dir:
        summary = execute(config, run_dir)
    _report(args, run_dir.final, summary)
    return 0


def _anomaly_summary(model, X_train, X_test, fraction, rng):
    from scratchgen.datasets import with_outliers
    from scratchgen.density import anomaly_scores, fit_threshold, roc_auc
    X_mixed, is_outlier = with_outliers(X_test, fraction=fraction, rng=rng)
    if not is_outlier.any() or is_outlier.all():
        raise UsageError(f"--anomalies {fraction} gives no outlier among {len(X_test)} held-out points; "
                         "use a larger fraction or more data")
    scores = anomaly_scores(model, X_mixed)
    threshold = fit_threshold(anomaly_scores(model, X_train), quantile=0.99)
    flags = scores > threshold
    return {"anomaly_auroc": roc_auc(scores, is_outlier), "anomaly_threshold": float(threshold),
            "flagged": int(flags.sum()), "true_outliers": int(is_outlier.sum()),
            "flagged_true_outliers": int((flags & is_outlier).sum())}


def _figures(run_dir, model, X, history, name):
    from scratchgen import viz
    if X.shape[1] == 2:
        viz.density_contour(model.score_samples, X, log_scale=True, title=f"log p(x), {name}",
                            path=run_dir.file("density.png"))
    # EM from k-means++ starts often converges in 1-3 iterations (the demo's ring: 2): a
    # curve of so few points is a flat line that says nothing, so it is drawn only from
    # MIN_HISTORY_POINTS on (metrics.jsonl and summary.json have the values either way).
    if len(history) >= MIN_HISTORY_POINTS:
        viz.loss_curves({"mean log-likelihood": list(history)}, steps=np.arange(1, len(history) + 1),
                        xlabel="iteration", title=f"fit of the {name} data: mean log-likelihood",
                        path=run_dir.file("fit_history.png"))


def _report(args, path, summary):
    if not args.quiet:
        k = summary["components"]
        print(f"{summary['model']} ({k} component{'' if k == 1 else 's'}): mean log-likelihood "
              f"train {summary['train_log_likelihood']:.3f}, held out {summary['test_log_likelihood']:.3f}")
        if "anomaly_auroc" in summary:
            print(f"anomaly detection with -log p(x): AUROC {summary['anomaly_auroc']:.3f}")
    print(path)
