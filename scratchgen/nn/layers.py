"""Layers with parameters or randomness: Linear, Maxout, Dropout, Flatten.

Shapes follow PyTorch: ``Linear.weight`` is (out_features, in_features) and
the layer computes x @ W^T + b, so state dicts load into ``torch.nn.Linear``.
"""
import math

import numpy as np

from scratchgen import autodiff
from scratchgen.autodiff import functional as AF
from scratchgen.autodiff.dtypes import get_default_dtype
from scratchgen.nn import init
from scratchgen.nn.functional import as_generator, dropout, linear
from scratchgen.nn.module import Module, Parameter
from scratchgen.validation import check_fraction, check_int, check_positive

__all__ = ["Linear", "Maxout", "Dropout", "GaussianNoise", "Flatten"]


def _count(value, name, owner):
    return check_int(value, f"{owner}: {name}", minimum=1)


class Linear(Module):
    """y = x @ W^T + b (as ``torch.nn.Linear``).

    in_features, out_features: sizes; bias: whether to learn b.
    rng: Generator or seed for the initialisation.
    Parameters (default dtype): weight (out_features, in_features),
    bias (out_features,), both drawn from U(-1/sqrt(in), 1/sqrt(in)):
    PyTorch's default, i.e. kaiming_uniform_(W, a=sqrt(5)) and the same bound
    for b.
    Input (..., in_features) -> output (..., out_features).
    """

    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__()
        self.in_features = _count(in_features, "in_features", "Linear")
        self.out_features = _count(out_features, "out_features", "Linear")
        rng = as_generator(rng)
        dtype = get_default_dtype()
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
            bound = 1.0 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.register_parameter("bias", None)

    def forward(self, x, activation="identity", negative_slope=0.01):
        """x @ W^T + b; ``activation`` fuses a following activation (see F.linear)."""
        return linear(x, self.weight, self.bias, activation, negative_slope)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Maxout(Module):
    """Maxout units (Goodfellow et al. 2013): h_j = max_k (x W^T + b)[j, k].

    One affine map to out_features * pieces values, viewed as
    (n, out_features, pieces), max over the pieces. Parameters as a Linear
    layer of size (in_features -> out_features * pieces): weight
    (out_features * pieces, in_features), bias (out_features * pieces,);
    rows j * pieces ... j * pieces + pieces - 1 belong to unit j.
    The GAN paper's discriminators use maxout units.
    torch equivalent: ``nn.Linear(in, out * pieces)`` then
    ``y.view(n, out, pieces).max(-1).values``.
    """

    def __init__(self, in_features, out_features, pieces, rng=None):
        super().__init__()
        self.in_features = _count(in_features, "in_features", "Maxout")
        self.out_features = _count(out_features, "out_features", "Maxout")
        self.pieces = _count(pieces, "pieces", "Maxout")
        affine = Linear(self.in_features, self.out_features * self.pieces, rng=rng)
        self.weight, self.bias = affine.weight, affine.bias

    def forward(self, x):
        z = linear(x, self.weight, self.bias)
        z = z.reshape(z.shape[:-1] + (self.out_features, self.pieces))
        return AF.max(z, axis=-1)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}")


class Dropout(Module):
    """Inverted dropout with probability p (identity in eval mode).

    rng: Generator or seed; the masks are successive draws from it, so a seed
    makes training reproducible.
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = check_fraction(p, "Dropout: p (a probability)", open_right=False)
        self.rng = as_generator(rng)

    def forward(self, x):
        return dropout(x, self.p, self.training, self.rng)

    def extra_repr(self):
        return f"p={self.p}"


class GaussianNoise(Module):
    """x + N(0, std^2) in training mode, the identity in eval mode.

    Additive Gaussian noise as a regulariser (as in the semi-supervised GAN
    discriminator of Salimans et al. 2016, ``gan.semi_supervised``).

    rng: Generator or seed for the noise.
    """

    def __init__(self, std, rng=None):
        super().__init__()
        self.std = check_positive(std, "GaussianNoise: std")
        self.rng = as_generator(rng)

    def forward(self, x):
        if not self.training:
            return x
        noise = self.rng.standard_normal(x.shape).astype(x.dtype, copy=False)
        return x + autodiff.tensor(noise * np.asarray(self.std, dtype=x.dtype))

    def extra_repr(self):
        return f"std={self.std}"


class Flatten(Module):
    """Flatten all axes but the first: (n, d1, d2, ...) -> (n, d1 * d2 * ...)."""

    def forward(self, x):
        return AF.reshape(x, (x.shape[0], -1))
