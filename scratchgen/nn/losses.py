"""Loss modules (``torch.nn`` names): each calls its function in ``nn.functional``."""
from scratchgen.nn import loss_functions as L
from scratchgen.nn.module import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "GaussianNLLLoss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        L._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error: ``mse_loss(input, target)``."""

    def forward(self, input, target):
        return L.mse_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities: ``binary_cross_entropy``."""

    def forward(self, input, target):
        return L.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (stable): ``binary_cross_entropy_with_logits``."""

    def forward(self, input, target):
        return L.binary_cross_entropy_with_logits(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of integer labels from logits: ``cross_entropy``."""

    def forward(self, input, target):
        return L.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood from log-probabilities: ``nll_loss``."""

    def forward(self, input, target):
        return L.nll_loss(input, target, self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood: ``gaussian_nll_loss(input, target, var)``."""

    def __init__(self, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full, self.eps = bool(full), float(eps)

    def forward(self, input, target, var):
        return L.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)
