"""``scratchgen.nn.functional``: the functions behind the layers (as ``torch.nn.functional``).

Layers call these; you can too. Contents:

* ``linear(x, W, b, activation=...)``: the fused dense layer (``fused_linear``);
* ``dropout(x, p, training, rng)``: inverted dropout;
* losses (``loss_functions``): ``mse_loss``, ``binary_cross_entropy``,
  ``binary_cross_entropy_with_logits``, ``cross_entropy``, ``nll_loss``,
  ``gaussian_nll_loss``;
* the autodiff's activations under PyTorch's names: ``relu``,
  ``leaky_relu``, ``sigmoid``, ``tanh``, ``softplus``, ``softmax``,
  ``log_softmax``.
"""
import numpy as np

from scratchgen.autodiff import functional as _AF
from scratchgen.autodiff.tensor import as_tensor
from scratchgen.nn.fused_linear import linear
from scratchgen.validation import as_generator, check_fraction
from scratchgen.nn.loss_functions import (binary_cross_entropy,
                                          binary_cross_entropy_with_logits,
                                          cross_entropy, gaussian_nll_loss,
                                          mse_loss, nll_loss)

__all__ = [
    "linear", "dropout", "relu", "leaky_relu", "sigmoid", "tanh", "softplus",
    "softmax", "log_softmax", "mse_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "gaussian_nll_loss", "as_generator",
]

relu = _AF.relu
sigmoid = _AF.sigmoid
tanh = _AF.tanh
softplus = _AF.softplus


def leaky_relu(input, negative_slope=0.01):
    """x if x > 0 else negative_slope * x."""
    return _AF.leaky_relu(input, negative_slope)


def softmax(input, dim=-1):
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (PyTorch's argument name)."""
    return _AF.softmax(input, axis=dim)


def log_softmax(input, dim=-1):
    """x_i - logsumexp(x) along ``dim``."""
    return _AF.log_softmax(input, axis=dim)


def dropout(input, p=0.5, training=True, rng=None):
    """Inverted dropout: zero each entry with probability p, scale the rest by 1/(1-p).

    E[output] = input, so nothing changes at evaluation (training=False
    returns the input itself). rng: Generator or seed for the mask.
    Reference: Srivastava et al. (2014), "Dropout".
    """
    p = check_fraction(p, "dropout: p (a probability)", open_right=False)
    input = as_tensor(input)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    u = as_generator(rng).random(input.shape, dtype=input.dtype)
    mask = (u >= p).astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p))
    return input * as_tensor(mask)
