"""Loss functions (``torch.nn.functional`` names and arguments).

Every loss takes ``reduction``: "mean" (average over all elements),
"sum", or "none" (the per-element losses, shape of the input).

Three of them are single fused graph nodes, because they sit at the end of
every training step and are the classic places for overflow:

* ``cross_entropy(logits, labels)``: log-softmax and negative log-likelihood
  in one node; the gradient is (softmax(logits) - onehot(labels)) / n.
* ``binary_cross_entropy_with_logits(logits, targets)``: the elementwise
  loss max(l, 0) - l t + log(1 + exp(-|l|)) (no overflow for any |l|), with
  gradient sigmoid(l) - t, both by the Numba kernels.
* ``binary_cross_entropy(probs, targets)``: logs clamped at -100 as PyTorch.

In ``create_graph`` mode their backward is written with Tensor ops, so GAN
gradient penalties can differentiate through them.
"""
import math

import numpy as np

from scratchgen import kernels
from scratchgen.autodiff import Function, Tensor, is_grad_enabled
from scratchgen.autodiff import functional as AF
from scratchgen.autodiff.tensor import as_tensor

__all__ = ["mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "nll_loss", "gaussian_nll_loss"]

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, op):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _reduce_array(losses, reduction):
    if reduction == "mean":  # sum / size: np.mean's Python wrapper costs more
        return np.asarray(losses.sum() / losses.size, dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), dtype=losses.dtype)
    return losses


def _same_shape(input, target, op):
    if input.shape != target.shape:
        raise ValueError(f"{op}: input has shape {input.shape} but target has shape "
                         f"{target.shape}; they must match")


def _float_target(target, like):
    """A target as a Tensor of the input's dtype (keeps a target's graph)."""
    target = as_tensor(target, like=like)
    if target.dtype != like.dtype:
        target = target.astype(like.dtype)
    return target


def _expanded_grad(grad, shape, reduction, size):
    """dL/d(element) as an array: the upstream grad spread over the elements."""
    if reduction == "none":
        return grad.data
    scale = grad.data / size if reduction == "mean" else grad.data
    return np.full(shape, scale, dtype=grad.dtype)


def _expanded_grad_tensor(grad, reduction, size):
    # A Tensor that broadcasts against the elementwise loss (graph kept).
    return grad * (1.0 / size) if reduction == "mean" else grad


# ------------------------------------------------------------------ MSE
def mse_loss(input, target, reduction="mean"):
    """(input - target)^2, reduced. Shapes must match."""
    _check_reduction(reduction, "mse_loss")
    input = as_tensor(input)
    target = _float_target(target, input)
    _same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction)


# --------------------------------------------------- BCE on probabilities
class BinaryCrossEntropy(Function):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 (as PyTorch).

    d/dp = (p - t) / max(p (1 - p), 1e-12);  d/dt = log(1 - p) - log p, with the
    same clamped logs as the loss (so +-100 at p = 0 or 1, on both paths).
    """

    @staticmethod
    def forward(ctx, p, t, reduction):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_q = np.maximum(np.log1p(-p), -100.0)
        ctx.reduction, ctx.logs = reduction, (log_p, log_q)
        ctx.save_for_backward(p, t)
        return _reduce_array(-(t * log_p + (1 - t) * log_q), reduction)

    @staticmethod
    def backward(ctx, grad):
        p, t = ctx.saved_tensors
        if is_grad_enabled():
            g = _expanded_grad_tensor(grad, ctx.reduction, p.data.size)
            grad_p = (p - t) / AF.clip(p * (1 - p), min=1e-12) * g
            return grad_p, (_clamped_log(1 - p) - _clamped_log(p)) * g
        g = _expanded_grad(grad, p.shape, ctx.reduction, p.data.size)
        pd, td = p.data, t.data
        grad_p = g * (pd - td) / np.maximum(pd * (1 - pd), 1e-12)
        grad_t = g * (ctx.logs[1] - ctx.logs[0]) if ctx.needs_input_grad[1] else None
        return Tensor(grad_p), (None if grad_t is None else Tensor(grad_t))


def _clamped_log(x):
    """max(log x, -100) as a Tensor: where the clamp acts the value is the
    constant -100 and log is taken of 1 instead, so no inf enters the graph."""
    with np.errstate(divide="ignore"):
        keep = np.log(x.data) > -100.0
    if keep.all():
        return AF.log(x)
    return AF.where(keep, AF.log(AF.where(keep, x, 1.0)), -100.0)


def binary_cross_entropy(input, target, reduction="mean"):
    """Binary cross-entropy between probabilities ``input`` in [0, 1] and ``target``.

    loss = -(t log p + (1 - t) log(1 - p)), with log clamped at -100 so that
    p = 0 or 1 gives a finite loss (as ``torch.nn.functional.binary_cross_entropy``).
    Prefer ``binary_cross_entropy_with_logits`` on logits: it is exact where
    the sigmoid saturates.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    input = as_tensor(input)
    target = _float_target(target, input)
    _same_shape(input, target, "binary_cross_entropy")
    data = input.data
    if data.size and not (data.min() >= 0 and data.max() <= 1):
        raise ValueError(f"binary_cross_entropy: input must be probabilities in "
                         f"[0, 1], got values in [{data.min()}, {data.max()}]; "
                         f"for logits use binary_cross_entropy_with_logits")
    return BinaryCrossEntropy.apply(input, target, reduction=reduction)


# ------------------------------------------------------- BCE with logits
class BCEWithLogits(Function):
    """max(l, 0) - l t + log(1 + exp(-|l|)) = -(t log s(l) + (1-t) log(1 - s(l))).

    d/dl = sigmoid(l) - t;   d/dt = -l.
    """

    @staticmethod
    def forward(ctx, logits, targets, reduction):
        ctx.reduction = reduction
        ctx.save_for_backward(logits, targets)
        return _reduce_array(kernels.bce_with_logits(logits, targets), reduction)

    @staticmethod
    def backward(ctx, grad):
        logits, targets = ctx.saved_tensors
        size = logits.data.size
        if is_grad_enabled():
            g = _expanded_grad_tensor(grad, ctx.reduction, size)
            return (AF.sigmoid(logits) - targets) * g, -logits * g
        g = _expanded_grad(grad, logits.shape, ctx.reduction, size)
        grad_l = kernels.bce_with_logits_backward(logits.data, targets.data, g)
        grad_t = Tensor(-logits.data * g) if ctx.needs_input_grad[1] else None
        return Tensor(grad_l), grad_t


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy of sigmoid(input) against ``target``, from logits.

    loss = max(l, 0) - l t + log(1 + exp(-|l|)): stable for any logit
    (|l| = 1000 gives exact, finite values). One fused graph node.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    input = as_tensor(input)
    if input.dtype.kind != "f":
        raise TypeError(f"binary_cross_entropy_with_logits: input must be float, "
                        f"got {input.dtype}")
    target = _float_target(target, input)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    return BCEWithLogits.apply(input, target, reduction=reduction)


# ------------------------------------------------------- cross-entropy
class CrossEntropy(Function):
    """-log softmax(logits)[i, label_i] per row, with the reduction, in one node.

    With p = softmax(logits) (rows), the gradient of the per-row loss is
    p - onehot(label): no log-softmax is ever materialised in backward.
    """

    @staticmethod
    def forward(ctx, logits, labels, reduction):
        n = logits.shape[0]
        rows = np.arange(n)
        # BEGIN SOLUTION task=nn.cross_entropy
        shifted = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow
        probs = np.exp(shifted)
        total = probs.sum(axis=1, keepdims=True)
        losses = np.log(total[:, 0]) - shifted[rows, labels]
        probs /= total  # softmax, kept for backward
        # END SOLUTION
        ctx.reduction, ctx.labels, ctx.probs = reduction, labels, probs
        ctx.save_for_backward(logits)
        return _reduce_array(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        n = ctx.probs.shape[0]
        rows = np.arange(n)
        if is_grad_enabled():
            logits, = ctx.saved_tensors
            onehot = np.zeros_like(ctx.probs)
            onehot[rows, ctx.labels] = 1
            g = _expanded_grad_tensor(grad, ctx.reduction, n)
            if ctx.reduction == "none":
                g = g.reshape(n, 1)
            return ((AF.softmax(logits, axis=1) - Tensor(onehot)) * g,)
        grad_logits = ctx.probs.copy()  # copy: backward may run twice
        grad_logits[rows, ctx.labels] -= 1
        if ctx.reduction == "none":
            grad_logits *= grad.data.reshape(n, 1)
        else:
            grad_logits *= grad.data / n if ctx.reduction == "mean" else grad.data
        return (Tensor(grad_logits),)


def _check_labels(labels, n, n_classes, op):
    labels = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class labels, got dtype "
                        f"{labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"{op}: target must have shape ({n},) (one label per row "
                         f"of the input), got {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{op}: labels must be in [0, {n_classes - 1}], got values "
                         f"in [{labels.min()}, {labels.max()}]")
    return labels


def cross_entropy(input, target, reduction="mean"):
    """Cross-entropy of integer labels under softmax(input), from logits.

    input: logits (n, C); target: integer labels (n,) in [0, C).
    loss_i = logsumexp(input_i) - input_i[target_i]; "mean" averages over n.
    Same as ``torch.nn.functional.cross_entropy`` with class labels.
    """
    op = "cross_entropy"
    _check_reduction(reduction, op)
    input = as_tensor(input)
    if input.ndim != 2 or input.dtype.kind != "f":
        raise ValueError(f"{op}: input must be float logits of shape (n, C), got "
                         f"shape {input.shape} and dtype {input.dtype}")
    labels = _check_labels(target, input.shape[0], input.shape[1], op)
    return CrossEntropy.apply(input, labels=labels, reduction=reduction)


def nll_loss(input, target, reduction="mean"):
    """Negative log-likelihood of integer labels given log-probabilities (n, C)."""
    op = "nll_loss"
    _check_reduction(reduction, op)
    input = as_tensor(input)
    if input.ndim != 2:
        raise ValueError(f"{op}: input must have shape (n, C), got {input.shape}")
    labels = _check_labels(target, input.shape[0], input.shape[1], op)
    return _reduce(-input[np.arange(input.shape[0]), labels], reduction)


# ----------------------------------------------------- Gaussian NLL
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of ``target`` under N(input, var), as PyTorch.

    loss = 0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps))
           [+ 0.5 * log(2 pi) when full=True].
    var: same shape as input, or input's shape with the last axis 1 or
    dropped (one variance per row), or a scalar. As in PyTorch the clamp at eps changes
    the value only: the gradient passes to var unchanged.
    """
    op = "gaussian_nll_loss"
    _check_reduction(reduction, op)
    input = as_tensor(input)
    target = _float_target(target, input)
    var = _float_target(var, input)
    _same_shape(input, target, op)
    if var.shape != input.shape and var.ndim > 0:  # a scalar var broadcasts
        if var.shape == input.shape[:-1]:
            var = var.reshape(var.shape + (1,))
        elif not (var.shape[:-1] == input.shape[:-1] and var.shape[-1:] == (1,)):
            raise ValueError(f"{op}: var has shape {var.shape}; expected the input's "
                             f"shape {input.shape}, or it with the last axis 1 or dropped")
    if np.any(var.data < 0):
        raise ValueError(f"{op}: var has negative entries")
    if not eps > 0:
        raise ValueError(f"{op}: eps must be > 0, got {eps}")
    # Clamp the value, not the gradient (PyTorch clamps under no_grad).
    var = var + Tensor(np.maximum(var.data, eps) - var.data)
    diff = input - target
    losses = 0.5 * (AF.log(var) + diff * diff / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)
