"""Activation modules (``torch.nn`` names). They have no parameters.

Each knows its name in the fused dense layer (``fused_name``), so that a
``Sequential`` can run ``Linear`` followed by it as one graph node.
"""
from scratchgen.autodiff import functional as AF
from scratchgen.nn.module import Module

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity",
           "ACTIVATION_MODULES", "make_activation"]


class ReLU(Module):
    """max(x, 0)."""
    fused_name = "relu"

    def forward(self, x):
        return AF.relu(x)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x (Maas et al. 2013)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    @property
    def fused_name(self):
        # The fused kernel reads the derivative from the output's sign.
        return "leaky_relu" if self.negative_slope > 0 else None

    def forward(self, x):
        return AF.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """tanh(x)."""
    fused_name = "tanh"

    def forward(self, x):
        return AF.tanh(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""
    fused_name = "sigmoid"

    def forward(self, x):
        return AF.sigmoid(x)


class Softplus(Module):
    """log(1 + exp(x)), computed without overflow."""
    fused_name = None

    def forward(self, x):
        return AF.softplus(x)


class Identity(Module):
    """Returns its input."""
    fused_name = "identity"

    def forward(self, x):
        return x


ACTIVATION_MODULES = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh,
                      "sigmoid": Sigmoid, "softplus": Softplus, "identity": Identity}


def make_activation(name, negative_slope=0.01):
    """The activation module called ``name`` ("relu", "leaky_relu", ...)."""
    if name not in ACTIVATION_MODULES:
        raise ValueError(f"activation must be one of {sorted(ACTIVATION_MODULES)}, "
                         f"got {name!r}")
    if name == "leaky_relu":
        return LeakyReLU(negative_slope)
    return ACTIVATION_MODULES[name]()
