"""The random stream shared by all engines: one Generator per chain, drawn in blocks.

For the same seed the Python, vectorized and Numba engines must make the same
chain, and the Numba engine must make the same chains whether its threads run
them in parallel or one by one. Both hold because each chain has a random
stream of its own and no engine draws in any other order than this one.
Chain c gets the Generator

    chain_rngs = rng.spawn(n_chains)       # numpy.random.SeedSequence children:
                                           # chain c's stream depends on (seed, c) only

and its run of n_total = tune + n_steps * thin steps is cut into blocks of
``block_steps(dim)`` steps; for each block, in this order, the chain draws

    noise = proposal.draw_noise(chain_rngs[c], steps, 1, dim)  # (steps, 1, dim) normals
    u     = chain_rngs[c].random(steps)                        # uniforms in [0, 1)

Step t of chain c then uses noise[t] and accepts when log(u[t]) < log alpha,
whatever the engine's loop order or the thread that runs the chain. The
Python and vectorized engines draw these blocks with NumPy (``random_blocks``
stacks them over chains); the Numba engine draws the very same numbers inside
its compiled loop (Numba's ``Generator.standard_normal`` and ``random`` are
NumPy's algorithms on the same bit generator: tested bit for bit), so no
thread waits for another one's random numbers. The block size depends on dim
only, so a chain is the same whether 1 or 32 chains run beside it.

(Until 2026-12: one Generator for all chains, blocks of shape (steps,
n_chains, dim) drawn before the loop; the same seed now gives other, equally
valid chains.)
"""
import math

import numpy as np

__all__ = ["block_steps", "chain_generators", "random_blocks", "draw_index", "log_uniform",
           "chain_buffers"]

_NUMBERS_PER_BLOCK = 1 << 13  # per chain: 64 kB of float64, stays in a core's L2 cache


def block_steps(dim):
    """Number of steps per block of one chain in dim dimensions."""
    return max(1, _NUMBERS_PER_BLOCK // (dim + 1))


def chain_generators(rng, n_chains):
    """n_chains independent Generators for the chains: ``rng.spawn(n_chains)``.

    Spawning reads rng's SeedSequence, not its bits: rng's own stream is
    untouched (user proposals draw from it), and a second run with the same
    Generator gets new children, hence new chains. A bit generator made
    without a SeedSequence (legacy seeding) cannot spawn: its children then
    come from a SeedSequence of 4 words drawn from rng.
    """
    try:
        return rng.spawn(n_chains)
    except TypeError:
        root = np.random.SeedSequence(rng.integers(2 ** 63, size=4))
        return [np.random.Generator(type(rng.bit_generator)(seed)) for seed in root.spawn(n_chains)]


def random_blocks(rng, proposal, n_total, n_chains, dim):
    """Yield (t0, noise, u) for consecutive blocks covering steps 0 .. n_total - 1.

    noise (steps, n_chains, dim) or None for proposals that draw their own
    candidates (user objects); u (steps, n_chains). Column c comes from chain
    c's Generator (``chain_generators(rng, n_chains)``), in the stream's order.
    """
    chain_rngs = chain_generators(rng, n_chains)
    size = block_steps(dim)
    for t0 in range(0, n_total, size):
        steps = min(size, n_total - t0)
        noise, u = [], []
        for chain_rng in chain_rngs:
            noise.append(proposal.draw_noise(chain_rng, steps, 1, dim))
            u.append(chain_rng.random(steps))
        yield t0, (None if noise[0] is None else np.concatenate(noise, axis=1)), np.stack(u, axis=1)


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


def chain_buffers(x0, log_p0, n_steps, chain_major=False):
    """The state every engine starts from, and the arrays it fills.

    Returns x, log_p (copies of the start), log_scale and running_sum (the
    tuning state, see ``tuning.py``), draws (n_steps, n_chains, dim),
    draw_log_p (n_steps, n_chains) and n_accepted (n_chains,).
    With ``chain_major=True`` draws and draw_log_p are transposed views of
    (n_chains, n_steps, ...) memory: ``draws[:, c]`` is one contiguous block,
    so threads running different chains never write to the same cache line.
    """
    n_chains, dim = x0.shape
    if chain_major:
        draws = np.empty((n_chains, n_steps, dim)).transpose(1, 0, 2)
        draw_log_p = np.empty((n_chains, n_steps)).T
    else:
        draws, draw_log_p = np.empty((n_steps, n_chains, dim)), np.empty((n_steps, n_chains))
    return (x0.copy(), log_p0.copy(), np.zeros(n_chains), np.zeros(n_chains), draws, draw_log_p,
            np.zeros(n_chains, dtype=np.int64))
