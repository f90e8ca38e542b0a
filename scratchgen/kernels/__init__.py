"""scratchgen.kernels: fused inner loops, each with a readable NumPy twin.

The twin principle
------------------
Every kernel exists twice with the same signature:

* ``scratchgen.kernels.numpy_twins`` -- plain whole-array NumPy, a few lines
  per function with the math in the docstring. This is the specification
  (and the code students write in the coursework).
* ``scratchgen.kernels.numba_kernels`` -- the same computation as one
  compiled pass with no temporaries (``numba.njit(cache=True)``, compiled
  lazily on first use for float32 or float64); except where NumPy's
  vectorised ufuncs win (exp, log1p, tanh: Numba from pip has no SVML),
  where it uses the twin itself (``numba_kernels.ROUTED_TO_NUMPY``).

``retain_freed_memory()`` (``kernels.memory``) keeps freed arrays in the
process instead of paying page faults for them at every training step.

``scratchgen.kernels.unchecked`` is the same set of names without
validation, for hot paths that validated at their own boundary.

Tests check that the two agree on random (hypothesis) inputs, and that the
twins agree with independent reference formulas; ``benchmarks/kernels.py``
measures what the Numba version buys.

Choosing the backend
--------------------
The functions exported here validate their arguments (clear ValueError /
TypeError naming the argument) and dispatch to the active backend:

* environment variable ``SCRATCHGEN_KERNELS=numba|numpy`` read at import
  (default ``numba``; ``numpy`` runs the whole library on the twins and never
  imports Numba);
* ``set_backend("numpy")`` / ``get_backend()`` at run time, or
  ``with use_backend("numpy"): ...`` for a block.

Functions (all arrays float32 or float64):

    bias_act_forward(x, b, activation, negative_slope=0.01) -> y
    bias_act_backward(y, grad_y, activation, negative_slope=0.01) -> (grad_pre, grad_b)
    softplus(x) -> y ;  sigmoid(x) -> y
    bce_with_logits(logits, targets) -> loss (elementwise)
    bce_with_logits_backward(logits, targets, grad) -> grad_logits
    sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
              weight_decay, maximize, first_step) -> None       (in place)
    adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr,
               beta1, beta2, eps, weight_decay, amsgrad, maximize) -> None  (in place)
    pairwise_sq_distances(a, b) -> (n, m)
    logsumexp_rows(a) -> (n,)
    standard_normal_(rng, out) -> None   (fills out with rng.standard_normal's numbers)
"""
from scratchgen.kernels.activation_codes import ACTIVATION_CODES
from scratchgen.kernels.api import (
    adam_step_,
    bce_with_logits,
    bce_with_logits_backward,
    bias_act_backward,
    bias_act_forward,
    logsumexp_rows,
    pairwise_sq_distances,
    sgd_step_,
    sigmoid,
    softplus,
    standard_normal_,
)
from scratchgen.kernels.memory import retain_freed_memory
from scratchgen.kernels.registry import KERNEL_NAMES
from scratchgen.kernels.backend import BACKENDS, get_backend, set_backend, use_backend

__all__ = [
    "ACTIVATION_CODES",
    "BACKENDS",
    "get_backend",
    "set_backend",
    "use_backend",
    "retain_freed_memory",
] + list(KERNEL_NAMES)
