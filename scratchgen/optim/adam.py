"""Adam (Kingma & Ba 2015), as ``torch.optim.Adam`` (same numbers).

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule):

    g <- -g                      if maximize
    g <- g + weight_decay * p    if weight_decay != 0   (L2, not AdamW)
    m <- beta1 m + (1 - beta1) g
    v <- beta2 v + (1 - beta2) g^2
    v_hat <- max(v_hat, v) if amsgrad, else v
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

State per parameter: "step" (int), "exp_avg" (m), "exp_avg_sq" (v) and
"max_exp_avg_sq" (amsgrad). The update runs in place in one fused kernel:
one pass, no temporaries. The rule above, line by line in NumPy, is
``adam_step_`` in scratchgen/kernels/numpy_twins.py, line 176 (its Numba
twin is in numba_kernels.py); ``step`` checks the options and arrays, then
calls it through ``scratchgen.kernels.unchecked``.
"""
import numpy as np

from scratchgen.kernels import unchecked
from scratchgen.optim.optimizer import Optimizer
from scratchgen.validation import check_real

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
        group["lr"] = check_real(group["lr"], f"{owner}: lr", low=0.0)
        group["eps"] = check_real(group["eps"], f"{owner}: eps", low=0.0)
        group["weight_decay"] = check_real(group["weight_decay"],
                                           f"{owner}: weight_decay", low=0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(check_real(b, f"{owner}: beta parameter at index {i}",
                                          low=0.0, high=1.0, high_open=True)
                               for i, b in enumerate(betas))
        group["amsgrad"], group["maximize"] = bool(group["amsgrad"]), bool(group["maximize"])

    def _update_group(self, group):
        """Helpers: ``self._kernel_views(p, state_arrays)`` -> flat checked views (param, grad,
        *state); ``unchecked.adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step,
        lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)`` updates them in place.
        """
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
            names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
            param, grad, exp_avg, exp_avg_sq, *max_sq = self._kernel_views(
                p, [(name, state[name]) for name in names])
            state["step"] += 1
            unchecked.adam_step_(param, grad, exp_avg, exp_avg_sq,
                                 max_sq[0] if amsgrad else exp_avg_sq, state["step"],
                                 group["lr"], beta1, beta2, group["eps"],
                                 group["weight_decay"], amsgrad, group["maximize"])
            # END SOLUTION
