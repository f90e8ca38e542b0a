"""scratchgen.testing: tools to test differentiable code.

- ``gradcheck(fn, inputs)`` / ``gradgradcheck(fn, inputs)``: first- and
  second-order finite-difference checks in float64;
- ``strategies``: hypothesis strategies for shapes, broadcastable pairs and
  well-conditioned float64 arrays (and ``float_arrays`` for kernels);
- ``on_both_backends(fn, *args)``: a kernel's result beside its NumPy twin's.
"""
from scratchgen.testing.gradcheck import GradcheckError, gradcheck, gradgradcheck
from scratchgen.testing.twins import on_both_backends

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "on_both_backends",
           "strategies"]


def __getattr__(name):
    # hypothesis is a test dependency: import the strategies only on demand.
    if name == "strategies":
        import importlib
        return importlib.import_module("scratchgen.testing.strategies")
    raise AttributeError(f"module 'scratchgen.testing' has no attribute {name!r}")
