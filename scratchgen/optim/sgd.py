"""Stochastic gradient descent with momentum (``torch.optim.SGD``, same numbers).

For each parameter p with gradient g, per step (PyTorch's rule):

    g <- -g                      if maximize
    g <- g + weight_decay * p    if weight_decay != 0
    if momentum != 0:
        b <- g                                   on the first step
        b <- momentum * b + (1 - dampening) * g  afterwards
        g <- g + momentum * b    if nesterov, else  g <- b
    p <- p - lr * g

The update runs in place in one fused kernel, so a step allocates nothing.
The rule above, line by line in NumPy, is ``sgd_step_`` in
scratchgen/kernels/numpy_twins.py, line 142 (its Numba twin is in
numba_kernels.py); ``step`` checks the options and arrays, then calls it
through ``scratchgen.kernels.unchecked``. Goodfellow et al. (2014) trained
their GANs with SGD and momentum (0.5 rising to 0.7, see ``MomentumSchedule``).
"""
import numpy as np

from scratchgen.kernels import unchecked
from scratchgen.optim.optimizer import Optimizer
from scratchgen.validation import check_real

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD(params, lr, momentum=0, dampening=0, nesterov=False, weight_decay=0, maximize=False)."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group):
        owner = "SGD"
        group["lr"] = check_real(group["lr"], f"{owner}: lr", low=0.0)
        group["momentum"] = check_real(group["momentum"], f"{owner}: momentum", low=0.0)
        group["dampening"] = check_real(group["dampening"], f"{owner}: dampening")
        group["weight_decay"] = check_real(group["weight_decay"],
                                           f"{owner}: weight_decay", low=0.0)
        group["nesterov"], group["maximize"] = bool(group["nesterov"]), bool(group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum > 0 and zero "
                             f"dampening, got momentum={group['momentum']}, "
                             f"dampening={group['dampening']}")

    def _update_group(self, group):
        """Helpers: ``self._kernel_views(p, state_arrays)`` -> flat checked views (param, grad,
        *state); ``unchecked.sgd_step_(param, grad, momentum_buffer, lr, momentum, dampening,
        nesterov, weight_decay, maximize, first_step)`` updates them in place.
        """
        lr, momentum = group["lr"], group["momentum"]
        for p in group["params"]:
            if p.grad is None:
                continue
            # BEGIN SOLUTION task=optim.sgd_step
            state = self.state.setdefault(p, {})
            buffer = state.get("momentum_buffer")
            first_step = buffer is None
            if momentum != 0 and first_step:
                buffer = state["momentum_buffer"] = np.empty_like(p.data)
            param, grad, *flat_buffer = self._kernel_views(
                p, [] if buffer is None else [("momentum_buffer", buffer)])
            # without momentum the buffer argument is never read: pass the gradient
            unchecked.sgd_step_(param, grad, flat_buffer[0] if flat_buffer else grad, lr,
                                momentum, group["dampening"], group["nesterov"],
                                group["weight_decay"], group["maximize"], first_step)
            # END SOLUTION
