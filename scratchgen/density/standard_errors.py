"""Standard errors of maximum-likelihood estimates from the observed information.

At the MLE theta_hat, the negative log-likelihood of the whole sample
NLL(theta) = -sum_i log p_theta(x_i) has Hessian H (the *observed Fisher
information*). Asymptotically theta_hat ~ N(theta, H^-1), so

    se(theta_j) = sqrt( [H^-1]_jj ).

H is computed with second-order autodiff: the gradient g = dNLL/dtheta is
built with ``create_graph=True``, and row j of H is the gradient of g_j.
Standard errors refer to the parameters *as parameterised*: for a
log-variance you get the standard error of the log-variance (use the delta
method to convert). See e.g. Wasserman, All of Statistics (2004), sec. 9.7.
"""
import numpy as np

from scratchgen import autodiff

__all__ = ["hessian", "observed_information", "standard_errors"]


def _flat(tensors):
    return autodiff.concatenate([t.reshape(-1) for t in tensors])


def hessian(scalar_fn, params):
    """The Hessian of ``scalar_fn()`` with respect to all elements of ``params``.

    scalar_fn: a function of no arguments returning a one-element Tensor
    built from ``params`` (Tensors with requires_grad=True).
    Returns an ndarray (m, m), m the total number of parameter elements, in
    the order of ``params`` flattened one after another.
    """
    params = list(params)
    value = scalar_fn()
    if value.size != 1:
        raise ValueError(f"hessian: scalar_fn must return one number, got shape {value.shape}")
    grads = autodiff.grad(value.reshape(()), params, create_graph=True, allow_unused=True)
    grads = [g if g is not None else autodiff.tensor(np.zeros(p.shape, dtype=p.dtype))
             for g, p in zip(grads, params)]
    g = _flat(grads)
    rows = []
    for j in range(g.shape[0]):
        if not g.requires_grad:      # the function is linear: a zero Hessian
            rows.append(np.zeros(g.shape[0]))
            continue
        row = autodiff.grad(g[j], params, retain_graph=True, allow_unused=True)
        rows.append(np.concatenate([
            np.zeros(p.size) if r is None else r.data.reshape(-1)
            for r, p in zip(row, params)]))
    H = np.stack(rows)
    return 0.5 * (H + H.T)           # symmetric up to rounding


def observed_information(log_prob_fn, params, X):
    """H = d^2/dtheta^2 [ -sum_i log p_theta(x_i) ], an ndarray (m, m)."""
    X = X.data if isinstance(X, autodiff.Tensor) else X
    X = autodiff.tensor(np.asarray(X, dtype=params[0].dtype))
    return hessian(lambda: -log_prob_fn(X).sum(), params)


def standard_errors(log_prob_fn, params, X):
    """sqrt(diag(H^-1)) at ``params``, one array per parameter (same shapes).

    log_prob_fn: Tensor (n, d) -> Tensor (n,) of log p(x_i), built from
    ``params``; params: the fitted Tensors (requires_grad=True), which should
    be at the maximum-likelihood estimate; X: array (n, d).
    Raises ValueError when H is not positive definite: not at a maximum, or
    a parameter the likelihood does not identify (e.g. mixture logits, which
    softmax leaves unchanged when a constant is added to all of them: fix
    one logit, or pass only the other parameters).

    Helper: ``observed_information(log_prob_fn, params, X)`` -> the Hessian H of the NLL, an
    ndarray (m, m) over the flattened parameters.
    """
    params = list(params)
    # BEGIN SOLUTION task=density.standard_errors
    H = observed_information(log_prob_fn, params, X)
    try:
        np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        raise ValueError(
            "standard_errors: the Hessian of the negative log-likelihood is not "
            "positive definite; the parameters are not at a maximum of the "
            "likelihood (fit first) or some parameter is not identified "
            f"(smallest eigenvalue {np.linalg.eigvalsh(H)[0]:.3g})") from None
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    # END SOLUTION
    out, start = [], 0
    for p in params:
        out.append(se[start:start + p.size].reshape(p.shape))
        start += p.size
    return out
