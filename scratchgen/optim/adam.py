"""Adam (Kingma & Ba 2015), as ``torch.optim.Adam`` (same numbers).

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule):

    g <- -g                      if maximize
    g <- g + weight_decay * p    if weight_decay != 0   (L2, not AdamW)
    m <- beta1 m + (1 - beta1) g
    v <- beta2 v + (1 - beta2) g^2
    v_hat <- max(v_hat, v) if amsgrad, else v
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

State per parameter: "step" (int), "exp_avg" (m), "exp_avg_sq" (v) and
"max_exp_avg_sq" (amsgrad). The update runs in place in one fused kernel
(``scratchgen.kernels.adam_step_``): one pass, no temporaries.
"""
import numpy as np

from scratchgen import kernels
from scratchgen.optim.optimizer import Optimizer, check_real, kernel_ready

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group):
        owner = "Adam"
        group["lr"] = check_real(group["lr"], "lr", owner, low=0.0)
        group["eps"] = check_real(group["eps"], "eps", owner, low=0.0)
        group["weight_decay"] = check_real(group["weight_decay"], "weight_decay", owner,
                                           low=0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(check_real(b, f"beta parameter at index {i}", owner,
                                          low=0.0, high=1.0, high_open=True)
                               for i, b in enumerate(betas))
        group["amsgrad"], group["maximize"] = bool(group["amsgrad"]), bool(group["maximize"])

    def _update_group(self, group):
        beta1, beta2 = group["betas"]
        amsgrad = group["amsgrad"]
        for p in group["params"]:
            if p.grad is None:
                continue
            # BEGIN SOLUTION task=optim.adam_step
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {"step": 0, "exp_avg": np.zeros_like(p.data),
                                         "exp_avg_sq": np.zeros_like(p.data)}
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
            state["step"] += 1
            param, grad = p.data, p.grad.data
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            max_sq = state.get("max_exp_avg_sq")
            if kernel_ready(param, grad):  # hot path: flat views, no re-validation
                kernels.backend.active_module().adam_step_(
                    param.reshape(-1), grad.reshape(-1), exp_avg.reshape(-1),
                    exp_avg_sq.reshape(-1), (exp_avg_sq if max_sq is None else max_sq
                                             ).reshape(-1), state["step"], group["lr"],
                    beta1, beta2, group["eps"], group["weight_decay"], amsgrad,
                    group["maximize"])
            else:
                kernels.adam_step_(param, grad, exp_avg, exp_avg_sq, max_sq, state["step"],
                                   group["lr"], beta1, beta2, group["eps"],
                                   group["weight_decay"], amsgrad, group["maximize"])
            # END SOLUTION
