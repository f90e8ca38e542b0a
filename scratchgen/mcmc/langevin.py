"""MALA: the Metropolis-adjusted Langevin algorithm, gradients from the autodiff.

A Langevin proposal drifts along the gradient of the log-density before
adding noise (Roberts and Tweedie 1996, "Exponential convergence of Langevin
distributions and their discrete approximations", Bernoulli 2(4)):

    x' = x + (h^2 / 2) grad log p(x) + h z,      z ~ N(0, I)
    q(x' | x) = N(x'; x + (h^2 / 2) grad log p(x), h^2 I)

The drift makes q asymmetric, so the Hastings correction is needed:

    log alpha = log p(x') - log p(x) + log q(x | x') - log q(x' | x),
    log q(b | a) = -|b - a - (h^2/2) grad log p(a)|^2 / (2 h^2) + const.

The step size h is tuned during burn-in toward an acceptance rate of 0.574
(Roberts and Rosenthal 1998), with the same Robbins-Monro recursion and
freezing as the random walk (tuning.py), and uses the same pre-drawn random
stream (stream.py, one Generator per chain): noise[t, c] and u[t, c].

``log_prob`` takes a ``Tensor`` of shape (dim,) and returns a scalar Tensor
(``vectorized=True``: (n_chains, dim) -> (n_chains,)); its gradient comes
from ``scratchgen.grad``.
"""
import numpy as np

from scratchgen.autodiff import grad, tensor
from scratchgen.mcmc.chains import Chains
from scratchgen.mcmc.sampler import check_run_lengths, initial_states
from scratchgen.mcmc.stream import draw_index, random_blocks
from scratchgen.mcmc.proposals import RandomWalk
from scratchgen.validation import as_generator, check_positive, rng_from_seed_alias
from scratchgen.progress import progress_bar

__all__ = ["mala", "mala_step", "value_and_grad"]


def value_and_grad(log_prob, x):
    """(log p(x), grad log p(x)) as float64 arrays, by reverse-mode autodiff.

    x : (dim,) -> (float, (dim,)), or (n_chains, dim) -> ((n_chains,), (n_chains, dim))
    for a batched log_prob (rows are independent, so the gradient of the sum
    gives each row's gradient).
    """
    x_t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    out = log_prob(x_t)
    if not hasattr(out, "data"):
        raise TypeError(f"mala: log_prob must return a Tensor (built from its Tensor input), "
                        f"got {type(out).__name__}")
    expected = x_t.shape[:-1]
    if tuple(out.shape) != tuple(expected):
        raise ValueError(f"mala: log_prob(x) for x of shape {tuple(x_t.shape)} must have shape "
                         f"{tuple(expected)}, got {tuple(out.shape)}")
    (g,) = grad(out.sum() if out.ndim else out, [x_t])
    value = np.asarray(out.data, dtype=np.float64)
    return (float(value) if value.ndim == 0 else value), np.asarray(g.data, dtype=np.float64)


def mala_step(log_prob, x, log_p, grad_log_p, noise, step_size, u):
    """One MALA step, for one chain (x (dim,)) or all chains at once (x (n_chains, dim)).

    step_size : h, a float or (n_chains,). Returns (x_next, log_p_next,
    grad_next, accepted, log_alpha), the rejected chains keeping their state.

    Proposal x' = x + h^2/2 grad log p(x) + h noise, so q(x' | x) =
    N(x'; x + h^2/2 grad log p(x), h^2 I); accept when log u < log alpha with
    log alpha = log p(x') - log p(x) + log q(x | x') - log q(x' | x) (a NaN
    counts as -inf). Helper: ``value_and_grad(log_prob, x_new)`` -> (log p(x'),
    grad log p(x')) with the shapes of ``log_p`` and ``x``.
    """
    h = np.asarray(step_size, dtype=np.float64)[..., None] if np.ndim(step_size) else step_size
    # BEGIN SOLUTION task=mcmc.mala_step
    mean_forward = x + 0.5 * h ** 2 * grad_log_p
    x_new = mean_forward + h * noise
    log_p_new, grad_new = value_and_grad(log_prob, x_new)
    log_p_new = np.where(np.isnan(log_p_new), -np.inf, log_p_new)
    mean_backward = x_new + 0.5 * h ** 2 * grad_new
    log_q_forward = -np.sum((x_new - mean_forward) ** 2, axis=-1) / (2.0 * np.squeeze(h) ** 2)
    log_q_backward = -np.sum((x - mean_backward) ** 2, axis=-1) / (2.0 * np.squeeze(h) ** 2)
    log_alpha = log_p_new - log_p + log_q_backward - log_q_forward
    log_alpha = np.where(np.isnan(log_alpha), -np.inf, log_alpha)
    accepted = np.log(u) < log_alpha
    # END SOLUTION
    keep = accepted[..., None] if np.ndim(accepted) else accepted
    return (np.where(keep, x_new, x), np.where(accepted, log_p_new, log_p),
            np.where(keep, grad_new, grad_log_p), accepted, log_alpha)


def mala(log_prob, x0, n_steps, step_size, n_chains=4, tune=1000, thin=1, rng=None,
         vectorized=False, progress=False, *, target_accept=0.574, seed=None):
    """Sample exp(log_prob) with MALA; same conventions as ``metropolis_hastings``.

    rng : int or Generator (``seed``: its deprecated name).
    step_size : initial h > 0 (tuned during ``tune`` steps, then frozen).
    log_prob : Tensor (dim,) -> scalar Tensor, or with ``vectorized=True``
        Tensor (n_chains, dim) -> (n_chains,).
    Returns ``Chains``; ``step_scale`` holds the frozen h of each chain.
    """
    from scratchgen.mcmc.tuning import robbins_monro_step

    if not callable(log_prob):
        raise TypeError(f"mala: log_prob must be callable, got {type(log_prob).__name__}")
    step_size = check_positive(step_size, "mala: step_size")
    n_steps, n_chains, tune, thin = check_run_lengths("mala", n_steps, n_chains, tune, thin)
    x = initial_states(x0, n_chains, "mala")
    dim = x.shape[1]
    rng = as_generator(rng_from_seed_alias(rng, seed, "mala"), "mala: rng")

    def evaluate(points):
        if vectorized:
            return value_and_grad(log_prob, points)
        pairs = [value_and_grad(log_prob, p) for p in points]
        return np.array([v for v, _ in pairs]), np.stack([g for _, g in pairs])

    log_p, grad_log_p = evaluate(x)
    if not np.all(np.isfinite(log_p)) or not np.all(np.isfinite(grad_log_p)):
        raise ValueError("mala: log_prob or its gradient is not finite at x0: start every chain "
                         "where the density is positive")
    log_scale, running_sum = np.zeros(n_chains), np.zeros(n_chains)
    draws, draw_log_p = np.empty((n_steps, n_chains, dim)), np.empty((n_steps, n_chains))
    n_accepted = np.zeros(n_chains, dtype=np.int64)
    # The engines skip the bar when it is None (no per-step call in the hot loop).
    bar = progress_bar(tune + n_steps * thin, desc="MALA", unit="step") if progress else None
    for t0, noise, u in random_blocks(rng, RandomWalk(), tune + n_steps * thin, n_chains, dim):
        for i in range(u.shape[0]):
            t = t0 + i
            h = step_size * np.exp(log_scale)
            if vectorized:
                x, log_p, grad_log_p, accepted, log_alpha = mala_step(
                    log_prob, x, log_p, grad_log_p, noise[i], h, u[i])
            else:
                accepted, log_alpha = np.zeros(n_chains, bool), np.zeros(n_chains)
                for c in range(n_chains):
                    x[c], log_p[c], grad_log_p[c], accepted[c], log_alpha[c] = mala_step(
                        log_prob, x[c], log_p[c], grad_log_p[c], noise[i, c], h[c], u[i, c])
            if t >= tune:
                n_accepted += accepted
            else:
                accept_prob = np.exp(np.minimum(0.0, log_alpha))
                log_scale, running_sum = robbins_monro_step(
                    log_scale, running_sum, accept_prob, t, tune, target_accept)
            row = draw_index(t, tune, thin)
            if row >= 0:
                draws[row], draw_log_p[row] = x, log_p
        if bar is not None:
            bar.update(u.shape[0])
    if bar is not None:
        bar.close()
    return Chains(draws, draw_log_p, n_accepted, n_steps * thin,
                  step_scale=step_size * np.exp(log_scale), engine="mala")
