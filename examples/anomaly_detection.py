"""Anomaly detection with a density fitted by maximum likelihood.

Fit p(x) on normal data, score new points by -log p(x), flag those above
the 99% quantile of the training scores, and measure how well that finds
outliers injected into fresh data (``scratchgen.datasets.with_outliers``:
uniform points in the widened bounding box, some of which land inside the
data by chance, so no detector is perfect).

    python examples/anomaly_detection.py [--seed 0] [--n 1000] [--fraction 0.05]

Prints AUROC (rank-based, ties = 1/2), precision and recall per model.
"""
import argparse
import warnings

import numpy as np

from scratchgen import datasets
from scratchgen.density import (AnomalyDetector, ConvergenceWarning, Gaussian,
                                GaussianMixture, precision_recall, roc_auc)


def evaluate(name, model, X_train, X_test, is_outlier, quantile):
    detector = AnomalyDetector(model, quantile=quantile).fit(X_train)
    scores = detector.score_samples(X_test)
    flags = detector.predict(X_test)
    precision, recall = precision_recall(flags, is_outlier)
    auroc = roc_auc(scores, is_outlier)
    print(f"  {name:28s} train log-lik {model.score(X_train):7.3f}   AUROC {auroc:.3f}   "
          f"precision {precision:.2f}   recall {recall:.2f}   flagged {int(flags.sum()):3d}")
    return auroc, precision, recall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, default=1000, help="points per data set")
    parser.add_argument("--fraction", type=float, default=0.05, help="share of outliers")
    parser.add_argument("--quantile", type=float, default=0.99)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    problems = {
        "three Gaussian blobs": lambda: datasets.gaussian_blobs(
            args.n, centers=np.array([[-3.0, 0.0], [2.0, 2.0], [2.0, -2.0]]),
            std=0.6, rng=rng),
        "two moons": lambda: datasets.moons(args.n, noise=0.08, rng=rng),
    }
    results = {}
    for problem, make in problems.items():
        X_train = make()
        X_test, is_outlier = datasets.with_outliers(make(), fraction=args.fraction, rng=rng)
        print(f"{problem}: {len(X_train)} training points, {len(X_test)} test points of "
              f"which {int(is_outlier.sum())} injected outliers")
        models = {
            "Gaussian (closed form)": Gaussian("full", method="closed_form"),
            "Gaussian (gradient MLE)": Gaussian("full", method="gradient", rng=args.seed),
            "mixture K=3 (gradient MLE)": GaussianMixture(3, method="gradient", rng=args.seed),
            "mixture K=8 (gradient MLE)": GaussianMixture(8, method="gradient", lr=0.03,
                                                          max_iter=1500, rng=args.seed),
            "mixture K=8 (EM)": GaussianMixture(8, method="em", n_init=3, rng=args.seed),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConvergenceWarning)
            for name, model in models.items():
                results[(problem, name)] = evaluate(name, model, X_train, X_test,
                                                    is_outlier, args.quantile)
    return results


if __name__ == "__main__":
    main()
