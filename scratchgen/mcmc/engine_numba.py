"""The Numba engine: the whole random-walk chain loop compiled.

Used when ``log_prob`` is a Numba-compiled function (a ``CPUDispatcher``,
made with ``@numba.njit``) taking a (dim,) float64 array and returning a
float, and the proposal is a ``RandomWalk``. The log-density is passed into
the compiled loop as a first-class function, so each step is a direct
machine-code call: no Python, no temporaries.

``random_walk_kernel`` runs one block of pre-drawn random numbers (see
``stream.py``); ``random_walk_kernel_numpy`` is its plain-Python twin (the
very same source, not compiled): the specification, and what
``SCRATCHGEN_KERNELS=numpy`` runs. The kernel is compiled with
``cache=False``: it is specialised on the *function* passed in, and Numba
cannot reuse such an entry from the on-disk cache in a new process (it
would only add a file per run); compilation takes about half a second per
log-density.
"""
import os

import numba
import numpy as np

from scratchgen.mcmc.stream import chain_buffers, draw_index, random_blocks
from scratchgen.mcmc.tuning import robbins_monro_step

__all__ = ["is_numba_function", "random_walk_kernel", "random_walk_kernel_numpy", "run_numba"]

_robbins_monro_step_nb = numba.njit(cache=True)(robbins_monro_step)
_draw_index_nb = numba.njit(cache=True)(draw_index)


def is_numba_function(fn):
    """True for a Numba CPU dispatcher (``@numba.njit`` function)."""
    return isinstance(fn, numba.core.registry.CPUDispatcher) and hasattr(fn, "py_func")


def random_walk_kernel_numpy(log_prob, x, log_p, log_scale, running_sum, diagonal, lower,
                             use_lower, noise, u, t0, n_tune, target, tune_scale, thin,
                             draws, draw_log_p, n_accepted):
    """Advance all chains through one block of steps t0 .. t0 + len(u) - 1, in place.

    x (n_chains, dim), log_p (n_chains,): current states and log densities.
    log_scale, running_sum (n_chains,): tuning state (see ``tuning.py``).
    diagonal (dim,), lower (dim, dim), use_lower: the step is
        exp(log_scale[c]) * diagonal * (lower @ z if use_lower else z).
    noise (steps, n_chains, dim) standard normals, u (steps, n_chains) uniforms.
    draws (n_steps, n_chains, dim), draw_log_p (n_steps, n_chains): output rows
    written when ``draw_index`` says so. n_accepted (n_chains,) counts
    acceptances after tuning.
    """
    n_block, n_chains, dim = noise.shape
    x_new = np.empty(dim)
    step = np.empty(dim)
    for i in range(n_block):
        t = t0 + i
        for c in range(n_chains):
            factor = np.exp(log_scale[c])
            for j in range(dim):
                if use_lower:
                    acc = 0.0
                    for k in range(j + 1):
                        acc += lower[j, k] * noise[i, c, k]
                    step[j] = acc
                else:
                    step[j] = noise[i, c, j]
                x_new[j] = x[c, j] + (factor * diagonal[j]) * step[j]
            log_p_new = log_prob(x_new)
            if log_p_new != log_p_new:  # NaN: treat as zero density
                log_p_new = -np.inf
            log_alpha = log_p_new - log_p[c]  # symmetric proposal: no Hastings term
            accepted = np.log(u[i, c]) < log_alpha
            if accepted:
                for j in range(dim):
                    x[c, j] = x_new[j]
                log_p[c] = log_p_new
            if t >= n_tune:
                n_accepted[c] += accepted
            elif tune_scale:
                accept_prob = np.exp(min(0.0, log_alpha))
                log_scale[c], running_sum[c] = _robbins_monro_step_nb(
                    log_scale[c], running_sum[c], accept_prob, t, n_tune, target)
        row = _draw_index_nb(t, n_tune, thin)
        if row >= 0:
            for c in range(n_chains):
                draw_log_p[row, c] = log_p[c]
                for j in range(dim):
                    draws[row, c, j] = x[c, j]


random_walk_kernel = numba.njit(cache=False)(random_walk_kernel_numpy)


def run_numba(log_prob, proposal, x0, log_p0, n_steps, n_tune, thin, target, rng,
              progress=None):
    """Same inputs and outputs as ``engine_python.run_python``; log_prob is a Numba function."""
    kernel = random_walk_kernel
    if os.environ.get("SCRATCHGEN_KERNELS", "").lower() == "numpy":
        kernel = random_walk_kernel_numpy
    n_chains, dim = x0.shape
    (x, log_p, log_scale, running_sum, draws, draw_log_p,
     n_accepted) = chain_buffers(x0, log_p0, n_steps)
    use_lower = proposal.lower is not None
    lower = proposal.lower if use_lower else np.zeros((1, 1))
    n_total = n_tune + n_steps * thin
    for t0, noise, u in random_blocks(rng, proposal, n_total, n_chains, dim):
        kernel(log_prob, x, log_p, log_scale, running_sum, proposal.diagonal, lower, use_lower,
               noise, u, t0, n_tune, float(target), bool(proposal.tunable), thin,
               draws, draw_log_p, n_accepted)
        if progress is not None:
            progress.update(u.shape[0])
    return draws, draw_log_p, n_accepted, log_scale
