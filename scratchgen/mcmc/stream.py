"""The random stream shared by all engines: pre-drawn blocks of random numbers.

For the same seed the Python, vectorized and Numba engines must make the same
chain. They do because none of them draws random numbers inside its loop:
the run of n_total = tune + n_steps * thin steps is cut into blocks of
``block_steps(...)`` steps, and for each block, in this order,

    noise = proposal.draw_noise(rng, steps, n_chains, dim)  # (steps, n_chains, dim)
    u     = rng.random((steps, n_chains))                   # uniforms in [0, 1)

are drawn from the seeded Generator. Step t of chain c then uses noise[t, c]
and accepts when log(u[t, c]) < log alpha, whatever the loop order of the
engine. The block size depends only on (n_chains, dim), never on the engine.
"""
import math

import numpy as np

__all__ = ["block_steps", "random_blocks", "draw_index", "log_uniform", "chain_buffers"]

_NUMBERS_PER_BLOCK = 1 << 16  # ~0.5 MB of float64 per block: cache friendly, few Python calls


def block_steps(n_chains, dim):
    """Number of steps per block for n_chains chains in dim dimensions."""
    return max(1, _NUMBERS_PER_BLOCK // (n_chains * (dim + 1)))


def random_blocks(rng, proposal, n_total, n_chains, dim):
    """Yield (t0, noise, u) for consecutive blocks covering steps 0 .. n_total - 1.

    noise is None for proposals that draw their own candidates (user objects).
    """
    size = block_steps(n_chains, dim)
    for t0 in range(0, n_total, size):
        steps = min(size, n_total - t0)
        noise = proposal.draw_noise(rng, steps, n_chains, dim)
        u = rng.random((steps, n_chains))
        yield t0, noise, u


def log_uniform(u):
    """log u for a uniform u in [0, 1), with log 0 = -inf (u = 0 has probability 2^-53).

    ``math.log`` (the C library's log), not NumPy's: Python and Numba then
    compute the same bits (NumPy's own SIMD log differs from it in ~0.3% of
    cases by one ulp), so the Python and Numba engines make the same chain.
    """
    return math.log(u) if u > 0.0 else -math.inf


def draw_index(t, n_tune, thin):
    """Row of the stored chain written after step t, or -1 when step t is not kept.

    Steps 0 .. n_tune - 1 are burn-in (never stored); after them every
    ``thin``-th state is kept: sampling step s = t - n_tune is stored in row
    (s + 1) // thin - 1 when (s + 1) is a multiple of thin.
    """
    s = t - n_tune
    if s < 0 or (s + 1) % thin != 0:
        return -1
    return (s + 1) // thin - 1


def chain_buffers(x0, log_p0, n_steps):
    """The state every engine starts from, and the arrays it fills.

    Returns x, log_p (copies of the start), log_scale and running_sum (the
    tuning state, see ``tuning.py``), draws (n_steps, n_chains, dim),
    draw_log_p (n_steps, n_chains) and n_accepted (n_chains,).
    """
    n_chains, dim = x0.shape
    return (x0.copy(), log_p0.copy(), np.zeros(n_chains), np.zeros(n_chains),
            np.empty((n_steps, n_chains, dim)), np.empty((n_steps, n_chains)),
            np.zeros(n_chains, dtype=np.int64))
