"""scratchgen.nn: modules, layers, losses and initialisation (``torch.nn`` names).

* ``Module``, ``Parameter`` (module.py): parameters, buffers, children,
  ``state_dict`` with PyTorch's keys and shapes;
* layers: ``Linear``, ``Maxout``, ``Dropout``, ``GaussianNoise``, ``Flatten`` (layers.py),
  ``Embedding`` (embedding.py),
  ``BatchNorm1d`` (batchnorm.py), ``Sequential``, ``MLP`` (containers.py),
  ``WeightNormLinear``, ``data_dependent_init`` (weight_norm.py);
* activations: ``ReLU``, ``LeakyReLU``, ``Tanh``, ``Sigmoid``, ``Softplus``,
  ``Identity``;
* losses: ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
  ``CrossEntropyLoss``, ``NLLLoss``, ``GaussianNLLLoss``;
* ``scratchgen.nn.functional`` (the fused ``linear``, losses, ``dropout``)
  and ``scratchgen.nn.init`` (Xavier, Kaiming);
* ``functional_call``, ``using_parameters`` (stateless.py): run a module
  with other parameter tensors (``torch.func.functional_call``);
* ``load_digits_classifier()``, ``load_mnist_classifier()`` (pretrained.py): the MLP
  classifiers of the 8x8 digits and of MNIST.

A model's ``state_dict()`` loads into the equivalent torch model::

    torch_model.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
"""
from scratchgen.nn import functional, init, pretrained
from scratchgen.nn.activations import (Identity, LeakyReLU, ReLU, Sigmoid, Softplus,
                                       Tanh)
from scratchgen.nn.batchnorm import BatchNorm1d
from scratchgen.nn.containers import MLP, Sequential
from scratchgen.nn.embedding import Embedding
from scratchgen.nn.layers import Dropout, Flatten, GaussianNoise, Linear, Maxout
from scratchgen.nn.losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss,
                                  GaussianNLLLoss, MSELoss, NLLLoss)
from scratchgen.nn.module import Module, Parameter
from scratchgen.nn.pretrained import load_digits_classifier, load_mnist_classifier
from scratchgen.nn.stateless import functional_call, using_parameters
from scratchgen.nn.weight_norm import WeightNormLinear, data_dependent_init

__all__ = [
    "Module", "Parameter", "Linear", "Embedding", "Maxout", "Dropout", "GaussianNoise", "Flatten", "BatchNorm1d",
    "Sequential", "MLP", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus",
    "Identity", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "NLLLoss", "GaussianNLLLoss", "functional", "init", "pretrained",
    "load_digits_classifier", "load_mnist_classifier", "functional_call",
    "using_parameters", "WeightNormLinear", "data_dependent_init",
]
