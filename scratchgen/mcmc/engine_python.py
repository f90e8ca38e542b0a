"""The plain Python engine: the algorithm as written in the lecture.

For each step t and each chain:

    x'        ~ q(. | x)                                  propose
    log alpha = log p(x') - log p(x)                      target ratio
                + log q(x | x') - log q(x' | x)           Hastings correction
    accept with probability min(1, alpha):  log u < log alpha,  u ~ U[0, 1)

(Metropolis et al. 1953; Hastings 1970). It calls ``log_prob`` once per
proposal with a (dim,) array, so any Python callable works, and it handles
every proposal kind. It is the reference the faster engines are tested against.
"""
import math

import numpy as np

from scratchgen.mcmc.stream import chain_buffers, draw_index, log_uniform, random_blocks
from scratchgen.mcmc.tuning import robbins_monro_step

__all__ = ["mh_step", "run_python"]


def mh_step(log_prob, proposal, x, log_p, noise, step_factor, u, rng=None):
    """One Metropolis-Hastings step of one chain.

    x : (dim,) current state with log_p = log p(x); noise : (dim,) pre-drawn
    proposal noise (or None); u : the pre-drawn uniform in [0, 1).
    Returns (x_next, log_p_next, accepted, accept_prob) where accept_prob =
    min(1, alpha) is what the tuning uses.

    Helpers: ``proposal.propose(x, noise, step_factor, rng)`` -> x' (dim,);
    ``proposal.log_hastings(x, x_new)`` -> log q(x | x') - log q(x' | x) (0 for
    a symmetric proposal); ``log_prob(x_new)`` -> log p(x') (a NaN counts as
    -inf: zero density); ``log_uniform(u)`` -> log u.
    """
    # BEGIN SOLUTION task=mcmc.acceptance_step
    x_new = proposal.propose(x, noise, step_factor, rng)
    log_p_new = float(log_prob(x_new))
    if math.isnan(log_p_new):  # treat an undefined density as zero density
        log_p_new = -math.inf
    log_alpha = log_p_new - log_p + proposal.log_hastings(x, x_new)
    accepted = bool(log_uniform(u) < log_alpha)
    # END SOLUTION
    accept_prob = math.exp(min(0.0, log_alpha))
    if accepted:
        return x_new, log_p_new, True, accept_prob
    return x, log_p, False, accept_prob


def run_python(log_prob, proposal, x0, log_p0, n_steps, n_tune, thin, target, rng,
               progress=None):
    """Run all chains one after the other inside each step.

    x0 : (n_chains, dim), log_p0 : (n_chains,). Returns (draws (n_steps,
    n_chains, dim), draw_log_p (n_steps, n_chains), n_accepted (n_chains,)
    after tuning, log_scale (n_chains,) the frozen log step factors).
    """
    n_chains, dim = x0.shape
    (x, log_p, log_scale, running_sum, draws, draw_log_p,
     n_accepted) = chain_buffers(x0, log_p0, n_steps)
    n_total = n_tune + n_steps * thin
    for t0, noise, u in random_blocks(rng, proposal, n_total, n_chains, dim):
        for i in range(u.shape[0]):
            t = t0 + i
            for c in range(n_chains):
                chain_noise = None if noise is None else noise[i, c]
                x[c], log_p[c], accepted, accept_prob = mh_step(
                    log_prob, proposal, x[c], log_p[c], chain_noise,
                    math.exp(log_scale[c]), u[i, c], rng)
                if t >= n_tune:
                    n_accepted[c] += accepted
                elif proposal.tunable:
                    log_scale[c], running_sum[c] = robbins_monro_step(
                        log_scale[c], running_sum[c], accept_prob, t, n_tune, target)
            row = draw_index(t, n_tune, thin)
            if row >= 0:
                draws[row], draw_log_p[row] = x, log_p
        if progress is not None:
            progress.update(u.shape[0])
    return draws, draw_log_p, n_accepted, log_scale
