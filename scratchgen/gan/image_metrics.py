"""All the metrics of generated images at once, with the real-data reference.

``ImageMetrics(classifier, real, heldout, feature_layer)`` scores a set of
generated images (``metrics(samples)``, a dict of floats) by

* ``classes_covered`` and ``reverse_kl``: the classes the classifier
  predicts and KL(p || uniform) of their shares (``metrics.class_coverage``);
* ``frechet``: the squared Frechet distance between the classifier's
  features (layer ``feature_layer``) of the samples and of ``real``
  (``feature_metrics.frechet_distance``; with the MNIST classifier, the
  MNIST analogue of FID);
* ``precision`` and ``recall``: improved precision and recall in the same
  features, k = 3 (``feature_metrics.precision_recall``);
* ``parzen_log_likelihood``: the Parzen-window log-likelihood of the held-out images under
  a Gaussian kernel density on the samples, bandwidth chosen on the first
  third of ``heldout``, evaluated on the other two thirds (nats per image;
  Goodfellow et al. 2014, Table 1). It is the historical metric, reported
  for comparison only: in 784 dimensions it is dominated by the distance
  to the nearest sample, it can rank a model that memorises or blurs above
  one with good samples, and its variance is large (Theis, van den Oord and
  Bethge 2016, "A note on the evaluation of generative models").

``metrics.reference()`` gives the same numbers for *real* images the
models never saw: ``heldout`` in the place of the samples (the Parzen row
uses ``real`` as the kernel centres instead, since the held-out images
cannot be both centres and test points). A model is judged against that
row, not against 0. Compare numbers only at the same sample sizes (the
Frechet distance is biased upwards for small samples, the k-NN radii
shrink as sets grow): ``mnist_image_metrics`` uses 2,000 of each.
"""
import numpy as np

from scratchgen.gan import feature_metrics, metrics
from scratchgen.gan.features import features

__all__ = ["ImageMetrics", "mnist_image_metrics", "PARZEN_SIGMAS"]

#: Bandwidths tried for the Parzen window on images with pixels in [0, 1].
PARZEN_SIGMAS = np.logspace(-1.3, 0.0, 14)


class ImageMetrics:
    """Metrics of generated images against real ones (see the module docstring).

    classifier    : a Sequential/MLP, images (n, d) -> logits (n, n_classes)
    real          : (n_r, d) real images, the reference set (the training images)
    heldout       : (n_h, d) real images no model was trained on
    feature_layer : index of the classifier's layer whose output are the features
    n_classes     : number of classes of the classifier
    k             : neighbours for precision and recall (3, as Kynkaanniemi et al.)
    parzen        : compute the Parzen log-likelihood (the slowest metric)
    """

    def __init__(self, classifier, real, heldout, feature_layer, n_classes=10, k=3,
                 parzen=True, parzen_sigmas=PARZEN_SIGMAS):
        self.classifier = classifier
        self.real = np.asarray(real, dtype=np.float32)
        self.heldout = np.asarray(heldout, dtype=np.float32)
        if self.real.ndim != 2 or self.heldout.shape[1:] != self.real.shape[1:]:
            raise ValueError(f"ImageMetrics: real and heldout must be (n, d) with the same d, got "
                             f"{self.real.shape} and {self.heldout.shape}")
        self.feature_layer = feature_layer
        self.n_classes = int(n_classes)
        self.k = k
        self.parzen = bool(parzen)
        self.parzen_sigmas = np.asarray(parzen_sigmas, dtype=np.float64)
        self.real_features = self.features(self.real)

    def features(self, images):
        """The classifier's layer-``feature_layer`` activations (n, f)."""
        return features(self.classifier, self._checked(images), layer=self.feature_layer)

    def _checked(self, images):
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 2 or images.shape[1] != self.real.shape[1]:
            raise ValueError(f"ImageMetrics: samples must be (n, {self.real.shape[1]}) like the "
                             f"real images, got shape {images.shape}")
        return images

    def predicted_classes(self, images):
        """The classifier's class (argmax of its logits) for each image (n,)."""
        return features(self.classifier, images, layer=-1).argmax(axis=1)

    def _parzen(self, centres):
        n_valid = len(self.heldout) // 3
        sigma, _ = metrics.select_parzen_sigma(centres, self.heldout[:n_valid], self.parzen_sigmas)
        return metrics.parzen_log_likelihood(centres, self.heldout[n_valid:], sigma), sigma

    def __call__(self, samples, parzen_centres=None):
        """The metrics of ``samples`` (n, d) as a dict of floats."""
        samples = self._checked(samples)
        coverage = metrics.class_coverage(samples, self.predicted_classes, self.n_classes)
        sample_features = self.features(samples)
        pr = feature_metrics.precision_recall(self.real_features, sample_features, k=self.k)
        out = {"n_samples": len(samples),
               "classes_covered": int(coverage.classes_covered), "n_classes": self.n_classes,
               "reverse_kl": float(coverage.reverse_kl),
               "frechet": feature_metrics.frechet_distance(self.real_features, sample_features),
               "precision": pr.precision, "recall": pr.recall}
        if self.parzen:
            out["parzen_log_likelihood"], out["parzen_sigma"] = self._parzen(
                samples if parzen_centres is None else parzen_centres)
        return out

    def reference(self):
        """The metrics of the held-out real images (Parzen: ``real`` as the centres)."""
        return self(self.heldout, parzen_centres=self.real)


def mnist_image_metrics(n_real=2000, parzen=True, classifier=None):
    """``ImageMetrics`` for MNIST: the pretrained classifier and its 128 penultimate features.

    real: the first ``n_real`` images of the (shuffled) MNIST training split;
    heldout: the 2,000 test images. Score 2,000 samples for numbers that
    compare with ``reference()``.
    """
    from scratchgen.datasets.mnist import load_mnist
    from scratchgen.nn.pretrained import MNIST_FEATURE_LAYER, load_mnist_classifier
    real = load_mnist("train", return_X_y=True)[0][:n_real]
    heldout = load_mnist("test", return_X_y=True)[0]
    classifier = load_mnist_classifier() if classifier is None else classifier
    return ImageMetrics(classifier, real, heldout, MNIST_FEATURE_LAYER, n_classes=10, parzen=parzen)
