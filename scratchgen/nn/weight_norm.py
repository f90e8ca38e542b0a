"""``WeightNormLinear``: a linear layer with weight normalisation (Salimans & Kingma 2016).

Each output unit j keeps a direction v_j (a row of ``weight_v``, (out, in))
and a length g_j (``weight_g``, (out, 1)); the layer's weight is

    W_j = g_j v_j / ||v_j||_2,        y = x W^T + b

so the length of a unit's weight vector is a parameter of its own, decoupled
from its direction (the gradient with respect to v is orthogonal to v and
scaled by g / ||v||). Names and shapes are those of
``torch.nn.utils.weight_norm(torch.nn.Linear(in, out))``.

Data-dependent initialisation (``data_dependent_init``, the paper's sec. 3):
on a batch x, with t = x (v / ||v||)^T the pre-activations of unit j,

    g_j <- init_scale / std(t_j),    b_j <- -mean(t_j) init_scale / std(t_j)

so that every unit starts with mean 0 and standard deviation ``init_scale``
on real data, layer after layer. The semi-supervised GAN of Salimans et al.
(2016, "Improved techniques for training GANs", the authors' code) uses
such layers with the length g fixed after the initialisation (``train_scale=False``)
in the hidden layers and trained in the output layer.
"""
import numpy as np

from scratchgen import autodiff
from scratchgen.autodiff.dtypes import get_default_dtype
from scratchgen.nn import init
from scratchgen.nn.fused_linear import linear
from scratchgen.nn.functional import as_generator
from scratchgen.nn.module import Module, Parameter
from scratchgen.validation import check_int, check_positive

__all__ = ["WeightNormLinear", "data_dependent_init"]


class WeightNormLinear(Module):
    """y = act(x (g v / ||v||)^T + b), the norm taken over each row of v.

    in_features, out_features: sizes; bias: whether to learn b;
    train_scale: whether g is trained (a Parameter) or fixed (a buffer, set
    by ``data_dependent_init``); init_std: v ~ N(0, init_std^2) (the authors'
    0.05; only the directions matter); rng: Generator or seed.
    Parameters: weight_v (out, in), weight_g (out, 1) (ones at first), bias (out,) (zeros).
    ``forward(x, activation)`` fuses a following activation as ``Linear`` does.
    """

    def __init__(self, in_features, out_features, bias=True, train_scale=True,
                 init_std=0.05, rng=None):
        super().__init__()
        self.in_features = check_int(in_features, "WeightNormLinear: in_features", minimum=1)
        self.out_features = check_int(out_features, "WeightNormLinear: out_features", minimum=1)
        check_positive(init_std, "WeightNormLinear: init_std")
        self.train_scale = bool(train_scale)
        dtype = get_default_dtype()
        self.weight_v = Parameter(np.empty((self.out_features, self.in_features), dtype))
        init.normal_(self.weight_v, 0.0, init_std, rng=as_generator(rng))
        g = np.ones((self.out_features, 1), dtype)
        if self.train_scale:
            self.weight_g = Parameter(g)
        else:
            self.register_buffer("weight_g", g)
        if bias:
            self.bias = Parameter(np.zeros(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)

    @property
    def weight(self):
        """W = g v / ||v|| (out, in), a Tensor in the graph of v (and g when trained)."""
        v = self.weight_v
        g = self.weight_g if self.train_scale else autodiff.tensor(self.weight_g)
        return v * (g / (v * v).sum(axis=1, keepdims=True).sqrt())

    def forward(self, x, activation="identity", negative_slope=0.01):
        return linear(x, self.weight, self.bias, activation, negative_slope)

    def init_from_data(self, x, init_scale=1.0):
        """Set g and b so that x's pre-activations have mean 0 and std init_scale per unit."""
        x = np.asarray(x.data if isinstance(x, autodiff.Tensor) else x, dtype=self.weight_v.dtype)
        v = self.weight_v.data
        t = x @ (v / np.sqrt((v * v).sum(axis=1, keepdims=True))).T
        mean, std = t.mean(axis=0), t.std(axis=0) + 1e-8  # 1e-8: a dead unit stays finite
        g = (init_scale / std).astype(v.dtype)
        if self.train_scale:
            self.weight_g.data[...] = g[:, None]
        else:
            self.weight_g[...] = g[:, None]
        if self.bias is not None:
            self.bias.data[...] = -mean * g

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, train_scale={self.train_scale}")


def data_dependent_init(model, x, init_scale=1.0):
    """Initialise every ``WeightNormLinear`` of a Sequential ``model`` on the batch x, in order.

    Each layer is set from the output of the (already initialised) layers
    before it, in the model's current mode: in training mode the noise layers
    add their noise, as in the authors' code (their init pass is not
    deterministic). Returns the model.
    """
    with autodiff.no_grad():
        h = autodiff.tensor(np.asarray(x, dtype=get_default_dtype()))
        for module in model:
            if isinstance(module, WeightNormLinear):
                module.init_from_data(h, init_scale)
            h = module(h)
    return model
