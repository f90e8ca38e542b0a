"""ImageMetrics: the bundle of image metrics, wired to the functions it reports."""
import numpy as np
import pytest

from scratchgen import nn
from scratchgen.gan import feature_metrics, metrics
from scratchgen.gan.image_metrics import ImageMetrics, mnist_image_metrics


def _relu_features(model, x):
    # The first Linear and its ReLU by hand, from the weights (not through scratchgen).
    w, b = model.state_dict()["0.weight"], model.state_dict()["0.bias"]
    return np.maximum(x @ w.T + b, 0)


def test_every_number_is_the_metric_it_names_on_hand_built_features():
    rng = np.random.default_rng(0)
    model = nn.MLP([5, 8, 3], rng=0).eval()
    real, heldout, samples = (rng.random((n, 5)).astype(np.float32) for n in (40, 30, 20))
    scorer = ImageMetrics(model, real, heldout, feature_layer=1, n_classes=3, k=2,
                          parzen_sigmas=[0.3, 0.6])
    out = scorer(samples)
    f_real, f_samples = _relu_features(model, real), _relu_features(model, samples)
    w2, b2 = model.state_dict()["2.weight"], model.state_dict()["2.bias"]
    predicted = np.argmax(f_samples @ w2.T + b2, axis=1)
    counts = np.bincount(predicted, minlength=3)
    assert out["classes_covered"] == np.count_nonzero(counts)
    assert out["reverse_kl"] == pytest.approx(metrics.reverse_kl_to_uniform(counts))
    assert out["frechet"] == pytest.approx(feature_metrics.frechet_distance(f_real, f_samples),
                                           rel=1e-4)
    pr = feature_metrics.precision_recall(f_real, f_samples, k=2)
    assert (out["precision"], out["recall"]) == (pr.precision, pr.recall)
    # Parzen: bandwidth on the first third of heldout, score on the rest.
    sigma, _ = metrics.select_parzen_sigma(samples, heldout[:10], [0.3, 0.6])
    assert out["parzen_sigma"] == sigma
    assert out["parzen_log_likelihood"] == pytest.approx(metrics.parzen_log_likelihood(samples, heldout[10:], sigma))
    ref = scorer.reference()
    assert ref["n_samples"] == 30
    sigma, _ = metrics.select_parzen_sigma(real, heldout[:10], [0.3, 0.6])
    assert ref["parzen_log_likelihood"] == pytest.approx(metrics.parzen_log_likelihood(real, heldout[10:], sigma))


def test_samples_of_the_wrong_width_are_refused_in_one_line():
    scorer = ImageMetrics(nn.MLP([5, 8, 3], rng=0), np.zeros((10, 5)), np.zeros((6, 5)),
                          feature_layer=1, n_classes=3, parzen=False)
    with pytest.raises(ValueError, match=r"samples must be \(n, 5\).*\(4, 6\)"):
        scorer(np.zeros((4, 6)))


def test_mnist_reference_is_near_perfect_and_one_class_copies_are_caught():
    scorer = mnist_image_metrics(n_real=500, parzen=False)
    ref = scorer.reference()
    # Real held-out images: all 10 classes, shares near uniform, a small distance,
    # precision and recall far from 0 (measured: rKL 0.002, precision/recall ~0.9).
    assert ref["classes_covered"] == 10 and ref["reverse_kl"] < 0.02
    assert ref["precision"] > 0.8 and ref["recall"] > 0.8
    # A "collapsed generator": 500 draws from the held-out ones only.
    from scratchgen.datasets import load_mnist
    test = load_mnist("test")
    ones = test.data[test.target == 1]
    collapsed = ones[np.random.default_rng(0).integers(0, len(ones), 500)]
    out = scorer(collapsed)
    # The classifier (98% accurate) reads a few of them as other digits, so a class or
    # two more than 1 is "covered"; the reverse KL sees that nearly all are ones.
    assert out["classes_covered"] <= 4 and out["reverse_kl"] > 2.0      # log 10 = 2.30
    assert out["frechet"] > 10 * ref["frechet"]
    assert out["recall"] < 0.3 and out["precision"] > 0.8               # real, but one kind
