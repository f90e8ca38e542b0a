"""Discriminator features: what a trained discriminator has learnt about the data.

To tell real from generated samples, D builds hidden representations of
its input. Radford et al. 2015 (DCGAN, section 5.1) reuse them as features
for supervised learning: freeze D, take a hidden layer's activations, and
fit a linear classifier on them. If the features are good, a *linear*
model on them beats a linear model on the raw pixels.

``features(discriminator, x, layer)`` runs the discriminator's layers up to
``layer``; ``LinearProbe`` is softmax regression (a ``nn.Linear`` trained
with cross-entropy and Adam) on any features.
"""
import numbers

import numpy as np

from scratchgen import autodiff

__all__ = ["features", "LinearProbe"]


def _layers(module):
    """The list of layers of a Sequential-like module (MLP, Sequential)."""
    if hasattr(module, "__iter__") and hasattr(module, "__len__"):
        return list(module)
    raise TypeError(f"features: the discriminator must be a Sequential/MLP (a list of layers), "
                    f"got {type(module).__name__}")


def features(discriminator, x, layer=-2):
    """Activations of the discriminator after its layer ``layer`` (no gradient).

    discriminator: a Sequential/MLP; x: array or Tensor (n, d).
    layer: index into the discriminator's layers, Python-style; the output of
        layers[0..layer] (inclusive) is returned. For ``MLP([d, h1, h2, 1])``
        the layers are Linear, act, Linear, act, Linear, so the default -2 is
        the last hidden layer's activation (n, h2) and -4 the first's (n, h1).
    Runs in eval mode (no dropout, BatchNorm's running statistics).
    Returns an ndarray (n, features).
    """
    layers = _layers(discriminator)
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) \
            or not -len(layers) <= layer < len(layers):
        raise ValueError(f"features: layer must be an int index into the "
                         f"{len(layers)} layers, got {layer!r}")
    stop = layer % len(layers) + 1
    h = x if isinstance(x, autodiff.Tensor) else autodiff.tensor(np.asarray(x, dtype=_dtype(discriminator)))
    was_training = getattr(discriminator, "training", False)
    discriminator.eval()
    try:
        with autodiff.no_grad():
            for module in layers[:stop]:
                h = module(h)
    finally:
        discriminator.train(was_training)
    return h.numpy().reshape(len(h.data), -1)


def _dtype(module):
    params = list(module.parameters())
    return params[0].dtype if params else autodiff.get_default_dtype()


class LinearProbe:
    """Softmax regression on fixed features: p(y | h) = softmax(h W^T + b).

    ``fit(H, y)`` standardises the features (mean 0, std 1 per column, from
    the training set; linear models need it when feature scales differ) and
    minimises the mean cross-entropy with Adam on full batches, with Adam's
    ``weight_decay`` (an L2 penalty weight_decay * ||theta||^2 / 2 on W and b). ``predict(H)`` and ``score(H, y)``
    (accuracy) follow scikit-learn's names.
    """

    def __init__(self, n_classes, lr=0.05, n_steps=300, weight_decay=1e-3, rng=None):
        self.n_classes = int(n_classes)
        self.lr, self.n_steps, self.weight_decay = float(lr), int(n_steps), float(weight_decay)
        self.rng = rng
        self.linear = None

    def _standardise(self, H):
        H = np.asarray(H)
        if H.ndim != 2 or H.shape[1] != len(self.mean_):
            raise ValueError(f"LinearProbe: features of shape {H.shape} do not match the "
                             f"(n, {len(self.mean_)}) features it was fitted on "
                             f"(fit's H had shape {self.fit_shape_})")
        dtype = self.linear.weight.dtype
        return autodiff.tensor(((np.asarray(H, dtype=np.float64) - self.mean_) / self.std_).astype(dtype))

    def fit(self, H, y):
        from scratchgen import nn, optim
        H = np.asarray(H, dtype=np.float64)
        y = np.asarray(y)
        if H.ndim != 2 or len(H) != len(y):
            raise ValueError(f"LinearProbe.fit: H must be (n, f) and y (n,), got {H.shape} and {y.shape}")
        if y.dtype.kind not in "iu" or (len(y) and not 0 <= y.min() <= y.max() < self.n_classes):
            raise ValueError(f"LinearProbe.fit: y must be integer labels in [0, {self.n_classes}), "
                             f"got dtype {y.dtype}" + (f", range [{y.min()}, {y.max()}]" if len(y) else ""))
        self.fit_shape_ = H.shape
        self.mean_ = H.mean(axis=0)
        self.std_ = H.std(axis=0) + 1e-8
        self.linear = nn.Linear(H.shape[1], self.n_classes, rng=self.rng)
        Hs = self._standardise(H)
        opt = optim.Adam(self.linear.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        targets = y.astype(np.int64)
        for _ in range(self.n_steps):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(self.linear(Hs), targets)
            loss.backward()
            opt.step()
        return self

    def decision_function(self, H):
        if self.linear is None:
            raise RuntimeError("LinearProbe: call fit first")
        with autodiff.no_grad():
            return self.linear(self._standardise(H)).numpy()

    def predict(self, H):
        return np.argmax(self.decision_function(H), axis=1)

    def score(self, H, y):
        """Accuracy: the share of rows whose predicted class equals y."""
        return float(np.mean(self.predict(H) == np.asarray(y)))
