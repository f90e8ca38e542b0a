"""Anomaly scores, quantile thresholds, AUROC and precision/recall against
hand-computed cases and an independent pairwise-counting AUROC."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchgen.density import (AnomalyDetector, Gaussian, anomaly_scores, average_ranks,
                                fit_threshold, precision_recall, roc_auc, roc_curve)


def pairwise_auc(scores, labels):
    """P(score_pos > score_neg) + 1/2 P(equal), by counting all pairs."""
    pos, neg = scores[labels], scores[~labels]
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return (greater + 0.5 * ties) / (len(pos) * len(neg))


def test_roc_auc_hand_cases():
    # perfect separation, perfect inversion, and the classic 3-of-4 pairs case
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    # pairs (pos, neg): (0.35,0.1) win, (0.35,0.4) lose, (0.8,*) win -> 3/4
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    # all scores tied: every pair counts 1/2
    assert roc_auc([1.0, 1.0, 1.0], [True, False, False]) == 0.5
    # one tie between the classes: (2 wins + 0.5) / 4
    assert roc_auc([1.0, 2.0, 2.0, 3.0], [0, 0, 1, 1]) == pytest.approx(0.875)


@given(st.lists(st.integers(0, 5), min_size=2, max_size=30), st.data())
def test_roc_auc_matches_pairwise_counting(values, data):
    # small integer scores force many ties
    scores = np.array(values, dtype=float)
    labels = np.array(data.draw(st.lists(st.booleans(), min_size=len(values),
                                         max_size=len(values))))
    if labels.all() or not labels.any():
        labels[0] = not labels[0]
    assert roc_auc(scores, labels) == pytest.approx(pairwise_auc(scores, labels), abs=1e-12)


def test_roc_curve_hand_case_and_its_area_is_the_pairwise_auc():
    # scores 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg): thresholds from the top
    fpr, tpr = roc_curve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    # ties move both rates at once (a diagonal step), so the trapezoid counts them 1/2
    rng = np.random.default_rng(3)
    scores, labels = rng.integers(0, 6, 40).astype(float), rng.random(40) < 0.3
    fpr, tpr = roc_curve(scores, labels)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(pairwise_auc(scores, labels), abs=1e-12)
    with pytest.raises(ValueError, match="both classes"):
        roc_curve([1, 2], [1, 1])


def test_average_ranks_with_ties():
    np.testing.assert_array_equal(average_ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
    np.testing.assert_array_equal(average_ranks([5, 5, 5]), [2, 2, 2])


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="both classes"):
        roc_auc([1, 2], [0, 0])
    with pytest.raises(ValueError, match="shape"):
        roc_auc([1, 2, 3], [0, 1])


def test_precision_recall_hand_cases():
    # TP=1 (index 0), FP=1 (index 1), FN=1 (index 2)
    assert precision_recall([1, 1, 0, 0], [1, 0, 1, 0]) == (0.5, 0.5)
    # 2 of 3 flags right, 2 of 2 anomalies found
    assert precision_recall([True, True, True, False], [True, True, False, False]) == (2 / 3, 1.0)
    assert precision_recall([0, 0], [1, 0]) == (0.0, 0.0)   # nothing flagged
    with pytest.raises(ValueError, match="0/1"):
        precision_recall([0, 2], [1, 0])


def test_fit_threshold_is_the_quantile():
    scores = np.arange(101, dtype=float)           # quantile q of 0..100 is 100 q
    assert fit_threshold(scores, 0.9) == pytest.approx(90.0)
    with pytest.raises(ValueError, match="quantile"):
        fit_threshold(scores, 1.5)
    with pytest.raises(ValueError, match="1-D"):
        fit_threshold(np.zeros((2, 2)), 0.5)


def test_detector_on_a_known_gaussian_flags_the_tail_share():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 2))
    det = AnomalyDetector(Gaussian(method="closed_form"), quantile=0.95).fit(X)
    # -log p is monotone in ||x||^2 ~ chi2(2): the threshold corresponds to
    # ||x||^2 = -2 log(0.05) (chi2(2) survival function is exp(-r/2)).
    r2 = -2 * np.log(0.05)
    fresh = rng.normal(size=(4000, 2))
    flagged_share = det.predict(fresh).mean()
    # binomial sd of a share 0.05 over 4000 points is 0.0034; the threshold
    # itself is estimated, add as much again: 4 * 0.005
    assert abs(flagged_share - 0.05) < 0.02
    expected_threshold = np.log(2 * np.pi) + r2 / 2          # -log N(x; 0, I) there
    assert det.threshold_ == pytest.approx(expected_threshold, abs=0.15)
    np.testing.assert_allclose(anomaly_scores(det.model, fresh), -det.model.score_samples(fresh))


def test_detector_finds_far_outliers():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 2))
    outliers = rng.normal(size=(20, 2)) + 8.0      # 8 sd away: all should score higher
    det = AnomalyDetector(Gaussian(method="closed_form"), quantile=0.99).fit(X)
    test = np.vstack([X, outliers])
    labels = np.r_[np.zeros(500, bool), np.ones(20, bool)]
    assert roc_auc(det.score_samples(test), labels) == 1.0
    precision, recall = precision_recall(det.predict(test), labels)
    assert recall == 1.0 and precision >= 20 / (20 + 10)    # about 1% of 500 inliers flagged


def test_anomaly_scores_needs_score_samples():
    with pytest.raises(TypeError, match="score_samples"):
        anomaly_scores(object(), np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="not fitted"):
        AnomalyDetector(Gaussian()).predict(np.zeros((2, 2)))
