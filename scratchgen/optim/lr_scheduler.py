"""Schedules for the learning rate (``torch.optim.lr_scheduler``) and the momentum.

Call ``scheduler.step()`` once per epoch (or per batch), after
``optimizer.step()``. Each scheduler sets every group's "lr" from the
group's initial lr (``base_lrs``) and the count of ``step()`` calls
(``last_epoch``), in closed form:

    StepLR:        lr = base * gamma ** (epoch // step_size)
    ExponentialLR: lr = base * gamma ** epoch
    LinearLR:      lr = base * (start + (end - start) * min(epoch, total) / total)
    LinearDecayLR: lr = base * clip((total - epoch) / (total - hold), 0, 1)
                   (held for ``hold`` epochs, then linearly down to 0 at ``total``)

The GAN paper's code (Goodfellow et al. 2014, pylearn2 ``mnist.yaml``)
decayed the learning rate exponentially per batch (``ExponentialLR`` with
gamma = 1 / 1.000004, floored at ``min_lr``) and raised the momentum
linearly from 0.5 to 0.7 over the first epochs (``MomentumSchedule``).
Salimans et al. (2016, "Improved techniques for training GANs", the
authors' MNIST code) held Adam's lr for 200 of 300 epochs, then decayed it
linearly to 0 (``LinearDecayLR``).
"""
from scratchgen.validation import check_int, check_positive

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "LinearLR", "LinearDecayLR",
           "linear_decay_factor", "MomentumSchedule"]


class LRScheduler:
    """Base class: subclasses define ``factor(epoch)``, the multiplier of the base lr."""

    def __init__(self, optimizer, min_lr=0.0):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        self.min_lr = float(min_lr)
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def factor(self, epoch):
        raise NotImplementedError

    def get_last_lr(self):
        """The learning rate of each group, as last set."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self):
        """Advance one epoch and set the new learning rates."""
        self.last_epoch += 1
        self._apply()

    def _apply(self):
        f = self.factor(self.last_epoch)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = max(base * f, self.min_lr)

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state):
        self.last_epoch = int(state["last_epoch"])
        self.base_lrs = [float(b) for b in state["base_lrs"]]
        self._apply()


class StepLR(LRScheduler):
    """Multiply the lr by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_int(step_size, "StepLR: step_size")
        self.gamma = check_positive(gamma, "StepLR: gamma")
        super().__init__(optimizer)

    def factor(self, epoch):
        return self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the lr by gamma every epoch; never below min_lr (default 0)."""

    def __init__(self, optimizer, gamma, min_lr=0.0):
        self.gamma = check_positive(gamma, "ExponentialLR: gamma")
        super().__init__(optimizer, min_lr=min_lr)

    def factor(self, epoch):
        return self.gamma ** epoch


class LinearLR(LRScheduler):
    """Scale the lr linearly from start_factor to end_factor over total_iters epochs."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: need 0 < start_factor <= 1 and 0 <= end_factor "
                             f"<= 1, got {start_factor} and {end_factor}")
        self.start_factor, self.end_factor = float(start_factor), float(end_factor)
        self.total_iters = check_int(total_iters, "LinearLR: total_iters")
        super().__init__(optimizer)

    def factor(self, epoch):
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * progress


def linear_decay_factor(epoch, hold_iters, total_iters):
    """1 for epoch <= hold_iters, then (total - epoch) / (total - hold) down to 0 at total_iters."""
    return min(max((total_iters - epoch) / (total_iters - hold_iters), 0.0), 1.0)


class LinearDecayLR(LRScheduler):
    """Hold the lr for hold_iters epochs, then decay it linearly to 0 at total_iters."""

    def __init__(self, optimizer, hold_iters, total_iters):
        self.hold_iters = check_int(hold_iters, "LinearDecayLR: hold_iters", minimum=0)
        self.total_iters = check_int(total_iters, "LinearDecayLR: total_iters")
        if not self.total_iters > self.hold_iters:
            raise ValueError(f"LinearDecayLR: need total_iters > hold_iters, got "
                             f"hold_iters={hold_iters}, total_iters={total_iters}")
        super().__init__(optimizer)

    def factor(self, epoch):
        return linear_decay_factor(epoch, self.hold_iters, self.total_iters)


class MomentumSchedule:
    """Raise (or lower) SGD's momentum linearly, as pylearn2's ``MomentumAdjustor``.

    momentum(epoch) = initial + (final - initial) * clip((epoch - start) / (saturate - start), 0, 1)
    with initial the groups' momentum at construction. The GAN paper used
    initial 0.5, final 0.7, start 1, saturate 250.
    """

    def __init__(self, optimizer, final_momentum, start=1, saturate=250):
        if not 0 <= final_momentum < 1:
            raise ValueError(f"MomentumSchedule: final_momentum must be in [0, 1), "
                             f"got {final_momentum!r}")
        if not saturate > start:
            raise ValueError(f"MomentumSchedule: need saturate > start, got start={start}, "
                             f"saturate={saturate}")
        if any("momentum" not in g for g in optimizer.param_groups):
            raise TypeError("MomentumSchedule: the optimizer has no 'momentum' option")
        self.optimizer = optimizer
        self.final_momentum, self.start, self.saturate = float(final_momentum), start, saturate
        self.initial = [g["momentum"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def step(self):
        self.last_epoch += 1
        alpha = min(max((self.last_epoch - self.start) / (self.saturate - self.start), 0.0), 1.0)
        for group, initial in zip(self.optimizer.param_groups, self.initial):
            group["momentum"] = initial + (self.final_momentum - initial) * alpha

    def get_last_momentum(self):
        return [g["momentum"] for g in self.optimizer.param_groups]
