"""Stochastic gradient descent with momentum (``torch.optim.SGD``, same numbers).

For each parameter p with gradient g, per step (PyTorch's rule):

    g <- -g                      if maximize
    g <- g + weight_decay * p    if weight_decay != 0
    if momentum != 0:
        b <- g                                   on the first step
        b <- momentum * b + (1 - dampening) * g  afterwards
        g <- g + momentum * b    if nesterov, else  g <- b
    p <- p - lr * g

The update runs in place in one fused kernel (``scratchgen.kernels.sgd_step_``),
so a step allocates nothing. Goodfellow et al. (2014) trained their GANs with
SGD and momentum (0.5 rising to 0.7, see ``MomentumSchedule``).
"""
import numpy as np

from scratchgen import kernels
from scratchgen.optim.optimizer import Optimizer, check_real, kernel_ready

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
        group["lr"] = check_real(group["lr"], "lr", owner, low=0.0)
        group["momentum"] = check_real(group["momentum"], "momentum", owner, low=0.0)
        group["dampening"] = check_real(group["dampening"], "dampening", owner)
        group["weight_decay"] = check_real(group["weight_decay"], "weight_decay", owner,
                                           low=0.0)
        group["nesterov"], group["maximize"] = bool(group["nesterov"]), bool(group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum > 0 and zero "
                             f"dampening, got momentum={group['momentum']}, "
                             f"dampening={group['dampening']}")

    def _update_group(self, group):
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
            param, grad = p.data, p.grad.data
            if kernel_ready(param, grad):  # hot path: flat views, no re-validation
                flat_grad = grad.reshape(-1)
                kernels.backend.active_module().sgd_step_(
                    param.reshape(-1), flat_grad,
                    flat_grad if buffer is None else buffer.reshape(-1), lr, momentum,
                    group["dampening"], group["nesterov"], group["weight_decay"],
                    group["maximize"], first_step)
            else:
                kernels.sgd_step_(param, grad, buffer, lr, momentum, group["dampening"],
                                  group["nesterov"], group["weight_decay"],
                                  group["maximize"], first_step)
            # END SOLUTION
