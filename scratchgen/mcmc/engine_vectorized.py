"""The vectorised engine: all chains advance together, one NumPy array step at a time.

``log_prob`` takes a batch X of shape (n_chains, dim) and returns (n_chains,).
Each step costs a handful of array operations whatever the number of chains,
so many chains are nearly free; a single chain pays NumPy's per-call overhead
(microseconds) at every step. Same random stream and same decisions
(log u < log alpha) as the Python engine, hence the same chains.
"""
import numpy as np

from scratchgen.mcmc.stream import chain_buffers, draw_index, random_blocks
from scratchgen.mcmc.tuning import robbins_monro_step

__all__ = ["run_vectorized", "evaluate_batch"]


def evaluate_batch(log_prob, x):
    """log_prob(x) for x (n_chains, dim), checked to be (n_chains,) float64.

    NaN needs no special case: log u < NaN is False, so a NaN proposal is
    rejected (the tuning step maps it to acceptance probability 0).
    """
    values = log_prob(x)
    values = np.asarray(getattr(values, "data", values), dtype=np.float64)
    if values.shape != (x.shape[0],):
        raise ValueError(f"metropolis_hastings: with vectorized=True, log_prob must map an array "
                         f"of shape {x.shape} to shape ({x.shape[0]},), got shape {values.shape}")
    return values


def run_vectorized(log_prob, proposal, x0, log_p0, n_steps, n_tune, thin, target, rng,
              progress=None):
    """Same inputs and outputs as ``engine_python.run_python``; log_prob is batched."""
    n_chains, dim = x0.shape
    (x, log_p, log_scale, running_sum, draws, draw_log_p,
     n_accepted) = chain_buffers(x0, log_p0, n_steps)
    n_total = n_tune + n_steps * thin
    for t0, noise, u in random_blocks(rng, proposal, n_total, n_chains, dim):
        log_u = np.log(u)
        step_factor = np.exp(log_scale)
        for i in range(u.shape[0]):
            t = t0 + i
            x_new = proposal.propose(x, None if noise is None else noise[i], step_factor, rng)
            log_p_new = evaluate_batch(log_prob, x_new)
            log_alpha = log_p_new - log_p + proposal.log_hastings(x, x_new)
            accepted = log_u[i] < log_alpha
            x = np.where(accepted[:, None], x_new, x)
            log_p = np.where(accepted, log_p_new, log_p)
            if t >= n_tune:
                n_accepted += accepted
            elif proposal.tunable:
                accept_prob = np.where(np.isnan(log_alpha), 0.0, np.exp(np.minimum(0.0, log_alpha)))
                log_scale, running_sum = robbins_monro_step(
                    log_scale, running_sum, accept_prob, t, n_tune, target)
                step_factor = np.exp(log_scale)
            row = draw_index(t, n_tune, thin)
            if row >= 0:
                draws[row], draw_log_p[row] = x, log_p
        if progress is not None:
            progress.update(u.shape[0])
    return draws, draw_log_p, n_accepted, log_scale
