"""Batch normalisation (Ioffe & Szegedy 2015), as ``torch.nn.BatchNorm1d``.

Training mode, for a batch x (n, C):

    mu = mean_rows(x),   s2 = mean_rows((x - mu)^2)          (biased)
    y  = gamma * (x - mu) / sqrt(s2 + eps) + beta
    running_mean <- (1 - m) running_mean + m mu
    running_var  <- (1 - m) running_var  + m s2 * n / (n - 1)   (unbiased)

Evaluation mode uses the running statistics instead of mu and s2.
``momentum=None`` uses the cumulative average (m = 1 / num_batches_tracked).
State dict keys: weight, bias, running_mean, running_var, num_batches_tracked.
"""

import numpy as np

from scratchgen.autodiff import Tensor
from scratchgen.autodiff import functional as AF
from scratchgen.autodiff.dtypes import get_default_dtype
from scratchgen.autodiff.tensor import as_tensor
from scratchgen.nn.module import Module, Parameter
from scratchgen.validation import check_int

__all__ = ["BatchNorm1d"]


class BatchNorm1d(Module):
    """Normalise each of num_features columns over the batch; see the module docstring.

    Input (n, num_features) -> output of the same shape.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        num_features = check_int(num_features, "BatchNorm1d: num_features")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be > 0, got {eps!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, "
                             f"got {momentum!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine = bool(affine)
        dtype = get_default_dtype()
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype))
            self.bias = Parameter(np.zeros(self.num_features, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", np.zeros(self.num_features, dtype))
        self.register_buffer("running_var", np.ones(self.num_features, dtype))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected input of shape (n, "
                             f"{self.num_features}), got {x.shape}")
        if self.training:
            x_hat = self._normalise_with_batch_statistics(x)
        else:
            scale = 1.0 / np.sqrt(self.running_var + self.eps)
            x_hat = (x - Tensor(self.running_mean.astype(x.dtype))) * Tensor(
                scale.astype(x.dtype))
        if self.affine:
            return x_hat * self.weight + self.bias
        return x_hat

    def _normalise_with_batch_statistics(self, x):
        """Helper: ``self._update_running_statistics(mean, unbiased_var)`` updates the running mean
        and variance (in training mode).
        """
        n = x.shape[0]
        if n < 2:
            raise ValueError(f"BatchNorm1d: training needs more than 1 value per "
                             f"feature, got a batch of {n}")
        # BEGIN SOLUTION task=nn.batchnorm_forward
        mean = x.mean(axis=0)
        centred = x - mean
        var = (centred * centred).mean(axis=0)  # biased: used to normalise
        x_hat = centred / AF.sqrt(var + self.eps)
        self._update_running_statistics(mean.data, var.data * (n / (n - 1)))
        # END SOLUTION
        return x_hat

    def _update_running_statistics(self, mean, unbiased_var):
        self.num_batches_tracked += 1
        if self.momentum is None:
            m = 1.0 / float(self.num_batches_tracked)
        else:
            m = self.momentum
        # In place, so state_dict copies and optimizers see the same arrays.
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * unbiased_var

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats=True")
