"""Anomaly detection with a density model: a point is anomalous when p(x) is small.

score(x) = -log p(x) (higher = more anomalous). The threshold is a quantile
of the training scores: with ``quantile=0.99`` about 1% of the training
points are flagged, which sets the false-positive rate on data like the
training data. Metrics:

- AUROC, the probability that a random anomaly scores higher than a random
  normal point (ties count 1/2), computed from ranks as the Mann-Whitney U
  statistic: AUC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos n_neg), with
  R_pos the sum of the (tie-averaged) ranks of the anomalies
  (Hanley & McNeil 1982);
- precision = TP / (TP + FP) and recall = TP / (TP + FN) of the flags.
"""
import numbers

import numpy as np

from scratchgen.density._checks import check_fitted

__all__ = ["anomaly_scores", "fit_threshold", "AnomalyDetector", "roc_auc",
           "precision_recall", "average_ranks"]


def anomaly_scores(model, X):
    """-log p(x) per row, from any fitted model with ``score_samples``: (n,)."""
    if not hasattr(model, "score_samples"):
        raise TypeError(f"model must have score_samples(X) (log p(x) per row), "
                        f"got {type(model).__name__}")
    return -np.asarray(model.score_samples(X), dtype=np.float64)


def _check_quantile(quantile):
    if isinstance(quantile, bool) or not isinstance(quantile, numbers.Real) \
            or not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be a number in (0, 1), got {quantile!r}")
    return float(quantile)


def fit_threshold(scores_train, quantile=0.99):
    """The ``quantile`` of the training anomaly scores (linear interpolation,
    ``numpy.quantile``'s default): a point scoring above it is flagged."""
    scores = np.asarray(scores_train, dtype=np.float64)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"scores_train must be a non-empty 1-D array, got shape {scores.shape}")
    return float(np.quantile(scores, _check_quantile(quantile)))


class AnomalyDetector:
    """Flag points whose -log p(x) exceeds a quantile of the training scores.

    model: a density model with ``fit`` and ``score_samples`` (Gaussian,
    GaussianMixture, ...). quantile: share of training points *not* flagged.
    prefit: when True, ``fit`` does not refit ``model`` and only sets the
    threshold. Fitted attribute: ``threshold_``.
    """

    def __init__(self, model, quantile=0.99, prefit=False):
        self.model = model
        self.quantile = _check_quantile(quantile)
        self.prefit = bool(prefit)
        self.threshold_ = None

    def fit(self, X):
        if not self.prefit:
            self.model.fit(X)
        self.threshold_ = fit_threshold(anomaly_scores(self.model, X), self.quantile)
        return self

    def score_samples(self, X):
        """Anomaly scores -log p(x), ndarray (n,)."""
        return anomaly_scores(self.model, X)

    def predict(self, X):
        """True where a row is flagged as an anomaly, ndarray (n,) of bools."""
        check_fitted(self, "threshold_")
        return self.score_samples(X) > self.threshold_


def _check_labels(labels, n, name="labels", hint=""):
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) like the scores/flags, "
                         f"got {labels.shape}")
    if labels.dtype != bool:
        if not np.all(np.isin(labels, (0, 1))):
            raise ValueError(f"{name} must be booleans or 0/1 (1 = anomaly){hint}")
        labels = labels.astype(bool)
    return labels


def average_ranks(values):
    """Ranks 1..n of ``values``, tied values sharing the mean of their ranks
    (``scipy.stats.rankdata(method='average')``)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # a new group of equal values starts where the sorted value changes
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]                     # exclusive
    group_rank = (starts + 1 + ends) / 2.0                    # mean of starts+1..ends
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(group_rank, ends - starts)
    return ranks


def roc_auc(scores, labels):
    """Area under the ROC curve of ``scores`` (higher = more anomalous)
    against ``labels`` (1/True = anomaly), with ties counted as 1/2.

    Argument order: scores first, labels second -- the REVERSE of
    scikit-learn's ``roc_auc_score(y_true, y_score)``. Swapped arguments are
    not always caught (0/1 scores pass as labels), so
    ``roc_auc(labels, scores)`` may silently give a wrong number.

    AUC = (sum of the ranks of the anomalies' scores - n_pos (n_pos + 1) / 2)
    / (n_pos n_neg), the Mann-Whitney U statistic over n_pos n_neg.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"scores must be 1-D, got shape {scores.shape}")
    labels = _check_labels(labels, len(scores), hint=(
        "; the call is roc_auc(scores, labels), the reverse of scikit-learn's "
        "roc_auc_score(y_true, y_score)"))
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"roc_auc needs both classes; got {n_pos} anomalies and "
                         f"{n_neg} normal points")
    rank_sum = average_ranks(scores)[labels].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_curve(scores, labels):
    """(false-positive rate, true-positive rate) of every threshold on ``scores``.

    Flagging ``score >= t`` for each distinct score t, from the highest down,
    gives the points (FPR, TPR) = (FP / n_neg, TP / n_pos), starting at (0, 0)
    and ending at (1, 1). Tied scores move both rates in one step, so the
    trapezoidal area under the curve equals :func:`roc_auc` (ties 1/2).
    Same argument order as :func:`roc_auc` (scores first).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"scores must be 1-D, got shape {scores.shape}")
    labels = _check_labels(labels, len(scores), hint="; the call is roc_curve(scores, labels)")
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"roc_curve needs both classes; got {n_pos} anomalies and {n_neg} normal points")
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]   # one point per distinct threshold
    tp, fp = np.cumsum(y)[last_of_tie], np.cumsum(~y)[last_of_tie]
    return np.r_[0.0, fp / n_neg], np.r_[0.0, tp / n_pos]


def precision_recall(flags, labels):
    """(precision, recall) of boolean ``flags`` against ``labels``.

    precision = TP / (TP + FP), 0.0 when nothing is flagged (scikit-learn's
    ``zero_division=0``); recall = TP / (TP + FN), 0.0 when there are no anomalies.
    """
    flags = np.asarray(flags)
    if flags.ndim != 1:
        raise ValueError(f"flags must be 1-D, got shape {flags.shape}")
    flags = _check_labels(flags, len(flags), name="flags")
    labels = _check_labels(labels, len(flags))
    tp = int(np.sum(flags & labels))
    n_flagged, n_anomalies = int(flags.sum()), int(labels.sum())
    precision = tp / n_flagged if n_flagged else 0.0
    recall = tp / n_anomalies if n_anomalies else 0.0
    return precision, recall
