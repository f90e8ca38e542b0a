"""scratchgen.autodiff: a reverse-mode automatic differentiation on NumPy.

Modules, in reading order:

- ``tensor``: the Tensor and its operators;
- ``function``: ``Function`` (forward on arrays, backward with Tensor ops);
- ``engine``: topological order, ``backward`` and ``grad``;
- ``ops_elementwise``, ``ops_shape``, ``ops_reduce``: the primitives, each
  with its vector-Jacobian product (the fused layer op lives in
  ``scratchgen.nn.fused_linear``);
- ``functional``: the public functions built from the primitives;
- ``mode``: ``no_grad`` and ``detect_anomaly``; ``dtypes``: the default dtype.
"""
from scratchgen.autodiff.dtypes import get_default_dtype, set_default_dtype
from scratchgen.autodiff.engine import grad
from scratchgen.autodiff.function import Context, Function
from scratchgen.autodiff.functional import *  # noqa: F401,F403
from scratchgen.autodiff.functional import __all__ as _functional_all
from scratchgen.autodiff.mode import (AnomalyError, detect_anomaly, enable_grad,
                                      is_grad_enabled, no_grad, set_grad_enabled)
from scratchgen.autodiff.tensor import Tensor, tensor

__all__ = [
    "Tensor", "tensor", "Function", "Context", "grad", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "AnomalyError",
    "set_default_dtype", "get_default_dtype",
] + list(_functional_all)
