"""scratchgen.optim: optimizers and schedules (``torch.optim`` names and rules).

* ``SGD`` (momentum, dampening, Nesterov, weight decay, maximize) and
  ``Adam`` (amsgrad, weight decay, maximize): the same numbers as PyTorch for
  the same gradients, updated in place by fused kernels;
* ``Optimizer``: the base class (param groups, ``zero_grad``, state dicts);
* schedules: ``StepLR``, ``ExponentialLR``, ``LinearLR``, ``LinearDecayLR``, ``MomentumSchedule``.
"""
from scratchgen.optim import lr_scheduler
from scratchgen.optim.adam import Adam
from scratchgen.optim.lr_scheduler import (ExponentialLR, LinearDecayLR, LinearLR,
                                           LRScheduler, MomentumSchedule, StepLR)
from scratchgen.optim.optimizer import Optimizer
from scratchgen.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "LRScheduler", "StepLR", "ExponentialLR",
           "LinearLR", "LinearDecayLR", "MomentumSchedule", "lr_scheduler"]
