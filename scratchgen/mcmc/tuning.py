"""Proposal-scale tuning during burn-in (adaptive MCMC, frozen afterwards).

During the first ``n_tune`` steps each chain's log step factor follows a
Robbins-Monro recursion toward a target acceptance probability a*:

    log s_{t+1} = log s_t + gamma_t (alpha_t - a*),   gamma_t = (t + 1)^(-0.6),

with alpha_t = min(1, exp(log alpha_t)) the acceptance probability of step t
(Andrieu and Thoms 2008, "A tutorial on adaptive MCMC", Stat. Comput. 18,
section 5; Robbins and Monro 1951). sum gamma_t = inf and sum gamma_t^2 < inf,
so log s converges to a root of E[alpha | s] = a*. To damp the remaining
noise, the frozen value is the average of log s over the second half of the
tuning steps (Polyak averaging). After tuning the scale never changes again,
so the recorded draws form a time-homogeneous Markov chain that leaves the
target invariant.

Targets a*: 0.44 for a one-dimensional target and 0.234 in many dimensions
(Roberts, Gelman and Gilks 1997; Roberts and Rosenthal 2001).

``robbins_monro_step`` is plain arithmetic on floats or arrays, so the same
function serves the Python engine (floats), the vectorized engine (one value per
chain) and, compiled, the Numba engine.
"""

__all__ = ["robbins_monro_step", "target_acceptance"]


def target_acceptance(dim):
    """Asymptotically optimal random-walk acceptance: 0.44 in 1-D, 0.234 otherwise."""
    return 0.44 if dim == 1 else 0.234


def robbins_monro_step(log_scale, running_sum, accept_prob, t, n_tune, target):
    """One tuning step t (0 <= t < n_tune) -> (new log_scale, new running_sum).

    log_scale, running_sum, accept_prob : floats, or arrays of one per chain.
    At the last tuning step t = n_tune - 1 the returned log_scale is the
    average over steps n_tune // 2 .. n_tune - 1: the frozen value.
    """
    gain = (t + 1.0) ** -0.6
    log_scale = log_scale + gain * (accept_prob - target)
    if t >= n_tune // 2:
        running_sum = running_sum + log_scale
    if t == n_tune - 1:
        log_scale = running_sum / (n_tune - n_tune // 2)
    return log_scale, running_sum
