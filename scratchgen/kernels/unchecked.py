"""The kernels without validation: the one door for hot paths.

``from scratchgen.kernels import unchecked`` then ``unchecked.adam_step_(...)``
calls the function of that name in the active backend (``numba_kernels`` or
``numpy_twins``, see ``backend``) directly, with the signatures documented
in ``numpy_twins``: C-contiguous float32/float64 arrays of one dtype,
integer activation codes, flat 1-D views for the optimizer steps.

Nothing is checked here, and a wrong shape reaches compiled code that
writes out of bounds. So only code that has validated its arguments at its
own public boundary calls in here: the fused layer (``nn.fused_linear``,
checked in ``linear``) and the optimizers (options checked at every
``step``, arrays by ``Optimizer._kernel_views``). Everyone else calls the
validating functions ``scratchgen.kernels.X`` (``kernels/api.py``), which
explain a mistake in one line and then call the same backend function.
"""
from scratchgen.kernels import backend
from scratchgen.kernels.registry import KERNEL_NAMES

__all__ = list(KERNEL_NAMES)


def __getattr__(name):
    # Looked up at each call, so set_backend / use_backend take effect at once.
    if name in KERNEL_NAMES:
        return getattr(backend.active_module(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
