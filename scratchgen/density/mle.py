"""Maximum likelihood by gradient descent, for any differentiable log p_theta(x).

    theta_hat = argmin_theta  NLL(theta),   NLL(theta) = -(1/n) sum_i log p_theta(x_i)

``fit_mle`` minimises the mean negative log-likelihood with an optimizer of
``scratchgen.optim`` (Adam by default). Parameters must be *unconstrained*
(a log-variance instead of a variance, a Cholesky factor with a log-diagonal
instead of a covariance, logits instead of mixture weights), so that any
step of the optimizer lands on a valid model.
"""
from dataclasses import dataclass, field

import numpy as np

from scratchgen import autodiff
from scratchgen.density._checks import as_generator, check_int, check_positive

__all__ = ["negative_log_likelihood", "fit_mle", "MLEResult", "as_parameters"]


def as_parameters(arrays):
    """Dict of arrays -> dict of float64 leaf Tensors (requires_grad=True) to optimise.

    Each array is copied (the optimizers update parameters in place: a start
    taken from a row of the data must not move the data) in C order (the
    in-place Numba kernels need it, and an array taken by fancy indexing, e.g.
    ``P[:, rows, cols]``, the strictly-lower entries of K Cholesky factors, is
    not C-contiguous in general).
    """
    return {name: autodiff.tensor(np.array(value, dtype=np.float64, order="C"), requires_grad=True)
            for name, value in arrays.items()}


def negative_log_likelihood(log_prob_fn, X):
    """Mean negative log-likelihood -(1/n) sum_i log p(x_i), a scalar Tensor.

    log_prob_fn: maps a Tensor (n, d) to the Tensor (n,) of log p(x_i).
    X: Tensor or array (n, d).
    """
    X = X if isinstance(X, autodiff.Tensor) else autodiff.tensor(np.asarray(X, dtype=np.float64))
    log_probs = log_prob_fn(X)
    if not isinstance(log_probs, autodiff.Tensor) or log_probs.shape != (X.shape[0],):
        got = getattr(log_probs, "shape", type(log_probs).__name__)
        raise ValueError(f"log_prob_fn must return a Tensor of shape "
                         f"({X.shape[0]},), one log-density per row of X; got {got}")
    # BEGIN SOLUTION task=density.nll
    nll = -log_probs.mean()
    # END SOLUTION
    return nll


@dataclass
class MLEResult:
    """What ``fit_mle`` returns.

    params: the fitted Tensors (the same objects that were passed in);
    history: mean log-likelihood (1/n) sum log p(x_i) at every iteration
    (per epoch with minibatches), measured before that iteration's steps;
    log_likelihood: the mean log-likelihood of X at the final parameters;
    n_iter: iterations (epochs) run; converged: whether the change of the
    mean log-likelihood fell below ``tol`` before ``max_iter``.
    """
    params: list
    history: np.ndarray
    log_likelihood: float
    n_iter: int
    converged: bool
    extra: dict = field(default_factory=dict)


def _make_optimizer(optimizer, params, lr):
    if optimizer is None or isinstance(optimizer, str):
        name = "adam" if optimizer is None else optimizer.lower()
        from scratchgen import optim
        if name == "adam":
            return optim.Adam(params, lr=lr)
        if name == "sgd":
            return optim.SGD(params, lr=lr)
        raise ValueError(f"optimizer must be 'adam', 'sgd', an optimizer object "
                         f"or a function params -> optimizer; got {optimizer!r}")
    if hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad"):
        return optimizer
    if callable(optimizer):
        return optimizer(params)
    raise TypeError(f"optimizer must be 'adam', 'sgd', an optimizer object or a "
                    f"callable params -> optimizer; got {type(optimizer).__name__}")


def _batches(n, batch_size, rng):
    if batch_size is None or batch_size >= n:
        return [slice(None)]
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def fit_mle(log_prob_fn, params, X, optimizer="adam", lr=0.05, max_iter=1000,
            batch_size=None, tol=1e-6, patience=10, rng=None, callback=None):
    """Fit ``params`` by minimising -(1/n) sum_i log_prob_fn(x_i).

    log_prob_fn: Tensor (n, d) -> Tensor (n,) of log-densities, built from
        ``params``; any object's ``log_prob`` method works.
    params: list of Tensors with requires_grad=True (updated in place).
    X: array (n, d), the data.
    optimizer: 'adam' (default) or 'sgd' from ``scratchgen.optim`` with
        learning rate ``lr``, an optimizer object already built on ``params``,
        or a function params -> optimizer.
    max_iter: maximum number of iterations (epochs when ``batch_size`` is set).
    batch_size: None for full-batch gradients, else shuffled minibatches
        drawn with ``rng``.
    tol, patience: stop when the last ``patience + 1`` values of l_t, the
        mean log-likelihood at iteration t (full batch) or the mean over the
        epoch's minibatches, lie within ``tol`` of each other. A window, not
        one difference, because Adam's iterates oscillate around the optimum
        and two consecutive values can agree at a turning point.
    callback: called as callback(iteration, mean_log_likelihood) after each
        iteration; returning True stops the fit.
    Returns an ``MLEResult``.
    """
    params = list(params)
    if not params or not all(isinstance(p, autodiff.Tensor) and p.requires_grad for p in params):
        raise ValueError("params must be a non-empty list of Tensors with "
                         "requires_grad=True")
    X = np.asarray(X.data if isinstance(X, autodiff.Tensor) else X, dtype=params[0].dtype)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    max_iter = check_int(max_iter, "max_iter")
    tol = check_positive(tol, "tol", allow_zero=True)
    patience = check_int(patience, "patience")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    rng = as_generator(rng)
    opt = _make_optimizer(optimizer, params, lr)
    history, converged = [], False
    for iteration in range(max_iter):
        total = 0.0
        for index in _batches(len(X), batch_size, rng):
            batch = autodiff.tensor(X[index])
            opt.zero_grad()
            loss = negative_log_likelihood(log_prob_fn, batch)
            loss.backward()
            opt.step()
            total -= loss.item() * batch.shape[0]
        history.append(total / len(X))
        if not np.isfinite(history[-1]):
            raise FloatingPointError(
                f"fit_mle: the log-likelihood became {history[-1]} at iteration "
                f"{iteration}; lower the learning rate lr={lr} or start closer "
                f"to the data")
        if callback is not None and callback(iteration, history[-1]):
            break
        window = history[-1 - patience:]
        if len(history) > patience and max(window) - min(window) < tol:
            converged = True
            break
    with autodiff.no_grad():
        final = -negative_log_likelihood(log_prob_fn, autodiff.tensor(X)).item()
    return MLEResult(params=params, history=np.asarray(history),
                     log_likelihood=final, n_iter=len(history), converged=converged)
