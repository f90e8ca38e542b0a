"""Counting the modes of stacked MNIST samples (``datasets.stacked_mnist``).

As in VEEGAN and PacGAN (Table 2 of each): a pretrained MNIST classifier
reads each of the three channels of a sample; the three digits a, b, c
give its mode 100 a + 10 b + c. Over n samples (10,000 in those papers
and here),

* modes captured = the number of the 1000 modes read at least once;
* reverse KL = KL(p || uniform) = sum_k p_k log(1000 p_k) of the modes'
  shares p (``metrics.reverse_kl_to_uniform``): 0 for an even spread,
  log 1000 = 6.91 when every sample reads the same.

Both count the classifier's readings, not the truth: on *real* stacks the
classifier's errors (about 2% per digit, 6% per stack) move some samples
to neighbouring modes, and 10,000 draws from a uniform distribution over
1000 modes miss some (each with probability (1 - 1/1000)^10000 = e^-10,
none expected) and spread unevenly (reverse KL about 999/(2 * 10,000) =
0.05, the multinomial's bias). ``stacked_mnist_reference`` gives the
numbers for real stacks at the same sample size: judge a model against
that, not against (1000, 0).

Anchors (GPU, DCGAN-size networks, the 60,000 training images): DCGAN 99
modes and reverse KL 3.40, VEEGAN 150 and 2.95, PacDCGAN2 1000 and 0.06
(PacGAN Table 2, after the VEEGAN setting).
"""
import numpy as np

from scratchgen.datasets.digits import stack_label
from scratchgen.datasets.stacked_mnist import N_CHANNELS, STACKED_MNIST_DIM, stacked_mnist
from scratchgen.gan import metrics
from scratchgen.gan.features import features

__all__ = ["stacked_mnist_modes", "stacked_mnist_coverage", "stacked_mnist_reference",
           "N_MODES", "N_COUNTED"]

N_MODES = 10 ** N_CHANNELS
#: samples counted by the papers and by our benchmark
N_COUNTED = 10_000


def stacked_mnist_modes(samples, classifier=None):
    """The mode 100 a + 10 b + c the classifier reads in each sample (n,) int64.

    samples    : (n, 2352) stacked MNIST images, channel-major, pixels in [0, 1]
    classifier : a Module (m, 784) -> 10 logits; default the shipped MNIST
                 classifier (``nn.pretrained.load_mnist_classifier``, 98% on
                 the held-out MNIST images)
    """
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim != 2 or samples.shape[1] != STACKED_MNIST_DIM:
        raise ValueError(f"stacked_mnist_modes: samples must be (n, {STACKED_MNIST_DIM}) "
                         f"stacked MNIST images, got shape {samples.shape}")
    if classifier is None:
        from scratchgen.nn.pretrained import load_mnist_classifier
        classifier = load_mnist_classifier()
    channels = samples.reshape(len(samples) * N_CHANNELS, 784)
    digits = features(classifier, channels, layer=-1).argmax(axis=1)
    return stack_label(digits.reshape(len(samples), N_CHANNELS))


def stacked_mnist_coverage(samples, classifier=None):
    """``metrics.ClassCoverage`` of the 1000 modes read in ``samples`` (n, 2352):
    ``classes_covered`` (modes captured), ``reverse_kl``, ``counts`` (1000,)."""
    return metrics.class_coverage(samples, lambda s: stacked_mnist_modes(s, classifier), N_MODES)


def stacked_mnist_reference(n=N_COUNTED, rng=0, X=None, y=None, classifier=None):
    """The coverage of ``n`` *real* stacks (default: of the 2,000 held-out
    MNIST test images, which neither the classifier nor a model saw)."""
    if X is None:
        from scratchgen.datasets.mnist import load_mnist
        X, y = load_mnist("test", return_X_y=True)
    return stacked_mnist_coverage(stacked_mnist(n, rng=rng, X=X, y=y, return_labels=False),
                                  classifier)
