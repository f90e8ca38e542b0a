"""``Sequential`` and ``MLP``: layers applied one after another.

Children are named "0", "1", ..., so state dict keys are "0.weight",
"0.bias", "2.weight", ... exactly as in ``torch.nn.Sequential``.

Speed: when a ``Linear`` is directly followed by an activation the fused
kernel supports (ReLU, LeakyReLU with slope > 0, Tanh, Sigmoid, Identity),
``forward`` runs the pair as one fused graph node (``F.linear(...,
activation=...)``); the result is the same as running them one by one.
"""
import numbers

from scratchgen.nn.activations import make_activation
from scratchgen.nn.batchnorm import BatchNorm1d
from scratchgen.nn.functional import as_generator
from scratchgen.nn.layers import Dropout, Linear
from scratchgen.nn.module import Module

__all__ = ["Sequential", "MLP"]


def _fused_name(module):
    return getattr(module, "fused_name", None)


class Sequential(Module):
    """Apply modules in order: Sequential(Linear(2, 8), ReLU(), Linear(8, 1))."""

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def forward(self, x):
        modules = list(self._modules.values())
        i, n = 0, len(modules)
        while i < n:
            module = modules[i]
            follower = modules[i + 1] if i + 1 < n else None
            # type() and not isinstance(): a subclass of Linear may change forward.
            if type(module) is Linear and _fused_name(follower) is not None:
                x = module.forward(x, follower.fused_name,
                                   getattr(follower, "negative_slope", 0.01))
                i += 2
            else:
                x = module(x)
                i += 1
        return x


class MLP(Sequential):
    """A multilayer perceptron as a ``Sequential`` of PyTorch-compatible layers.

    sizes: [in, hidden_1, ..., out] (at least two entries).
    activation: name of the hidden activation ("relu", "leaky_relu", "tanh",
    "sigmoid", "softplus"); output_activation: None or such a name.
    batch_norm: add BatchNorm1d after each hidden Linear; dropout: add
    Dropout(p) after each hidden activation (p > 0); rng: Generator or seed
    for the weights (and the dropout masks).

    Layers, per hidden layer: Linear, [BatchNorm1d], activation, [Dropout];
    then the output Linear and [output activation]. The torch equivalent of
    ``MLP([784, 256, 256, 10])`` is::

        torch.nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                            nn.Linear(256, 256), nn.ReLU(),
                            nn.Linear(256, 10))

    whose state dict keys are the same: "0.weight", "0.bias", "2.weight",
    "2.bias", "4.weight", "4.bias" (activations at the odd indices).
    """

    def __init__(self, sizes, activation="relu", output_activation=None,
                 negative_slope=0.01, batch_norm=False, dropout=0.0, rng=None):
        sizes = list(sizes)
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, numbers.Integral)
                                 or s < 1 for s in sizes):
            raise ValueError(f"MLP: sizes must be a list of at least two positive "
                             f"integers [in, ..., out], got {sizes!r}")
        rng = as_generator(rng)
        layers = []
        for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
            layers.append(Linear(fan_in, fan_out, rng=rng))
            if batch_norm:
                layers.append(BatchNorm1d(fan_out))
            layers.append(make_activation(activation, negative_slope))
            if dropout:
                layers.append(Dropout(dropout, rng=rng))
        layers.append(Linear(sizes[-2], sizes[-1], rng=rng))
        if output_activation is not None:
            layers.append(make_activation(output_activation, negative_slope))
        super().__init__(*layers)
        self.sizes = sizes
