"""The Numba engine: the whole random-walk chain loop compiled, chains in parallel threads.

Used when ``log_prob`` is a Numba-compiled function (a ``CPUDispatcher``,
made with ``@numba.njit``) taking a (dim,) float64 array and returning a
float, and the proposal is a ``RandomWalk``. The log-density is passed into
the compiled loop as a first-class function, so each step is a direct
machine-code call: no Python, no temporaries.

``random_walk_chain_py`` is the loop of one chain in plain Python (the
specification); ``compiled_kernel()`` compiles that very source with
``numba.njit(nogil=True)``. Each chain has its own Generator and draws its
blocks of random numbers inside the loop (``stream.py``: the numbers the
Python engine draws with NumPy for that chain), so chains share nothing:
``run_numba`` hands each chain to a pool of threads (the compiled loop
releases the GIL; the calling thread only waits, so a Ctrl-C there stops the
chains at their next block) and no thread ever waits for another, or for
random numbers drawn elsewhere. A chain does the same floating-point
operations in the same order whatever thread runs it, hence the same chain
bit for bit with 1 thread, n threads, or uncompiled and one chain after the
other. (A ``numba.prange`` over chains would need the Generators in a tuple,
whose length is part of its type: one compilation per number of chains.)

Why not the former design (one Generator for all chains, blocks drawn by
NumPy in the calling thread while the threads ran the previous block): the
drawing was serial, every block was a meeting point of all threads, and the
threads competed with the drawing thread for the cores; measured on a quiet
machine, ring target, 4 chains on 2 threads gained 1.08x over a single-chain
bare loop while a trivial loop gained 1.96x. Drawing in Numba is also
cheaper: a step's 2 normals and 1 uniform take ~10 ns of CPU with Numba's
Generator, ~27 ns with NumPy's in blocks of the same size (ring; 50-D: 180
against 590 ns per step). Compiling the kernel takes ~2 s of CPU (the former
one ~4 s).

Numba is reached only through the kernel backend (``scratchgen.kernels``):
under ``SCRATCHGEN_KERNELS=numpy`` or ``kernels.use_backend("numpy")`` this
engine runs the uncompiled loop (with ``log_prob.py_func``) and Numba is never
imported by scratchgen. The kernel is compiled with ``cache=False``: it is
specialised on the *function* passed in, and Numba cannot reuse such an entry
from the on-disk cache in a new process (it would only add a file per run).
"""
import math
import sys
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from scratchgen.kernels.backend import get_backend
from scratchgen.mcmc.stream import (block_steps, chain_buffers, chain_generators, draw_index,
                                    log_uniform)
from scratchgen.mcmc.tuning import robbins_monro_step
from scratchgen.threads import parallel_threads

__all__ = ["is_numba_function", "numba_if_enabled", "compiled_kernel", "random_walk_chain_py",
           "segments", "run_numba"]


def numba_if_enabled():
    """The ``numba`` module when the kernel backend is "numba", else None (then never imported)."""
    if get_backend() != "numba":
        return None
    import numba
    return numba


def is_numba_function(fn):
    """True for a Numba CPU dispatcher (``@numba.njit`` function)."""
    numba = sys.modules.get("numba")  # no Numba imported: fn cannot be a Numba function
    if numba is None:
        return False
    return isinstance(fn, numba.core.registry.CPUDispatcher) and hasattr(fn, "py_func")


def random_walk_chain_py(log_prob, rng, x, log_p, log_scale, running_sum, diagonal, lower,
                         use_lower, t_start, t_stop, n_tune, target, tune_scale, thin, draws,
                         draw_log_p, stop):
    """Advance one chain through steps t_start .. t_stop - 1; returns
    (log_p, log_scale, running_sum, n_accepted) of the chain afterwards.

    rng : the chain's own Generator (``stream.py``); its blocks of
        ``block_steps(dim)`` steps start at multiples of the block size, so
        t_start must be one (t_stop too, unless it ends the run).
    x (dim,) : the current state, updated in place; log_p its log density.
    log_scale, running_sum : the tuning state (``tuning.py``).
    diagonal (dim,), lower (dim, dim), use_lower: the step is
        exp(log_scale) * diagonal * (lower @ z if use_lower else z).
    draws (n_steps, dim), draw_log_p (n_steps,): this chain's stored states,
        the row written when ``draw_index`` says so.
    stop (1,) bool: read before each block; True (set by another thread on
        Ctrl-C or an error) returns at once, the run unfinished.
    The state lives in local variables (memory of this thread) and is written
    back at the end: threads running other chains never share a cache line.
    """
    dim = x.shape[0]
    size = block_steps(dim)
    x_c, x_new, step = x.copy(), np.empty(dim), np.empty(dim)
    factor = math.exp(log_scale)  # math: libm, the same compiled or not
    n_accepted = 0
    for t0 in range(t_start, t_stop, size):
        if stop[0]:
            break
        steps = min(size, t_stop - t0)
        noise = rng.standard_normal((steps, dim))  # the chain's block, in the stream's order
        u = rng.random(steps)
        for i in range(steps):
            t = t0 + i
            for j in range(dim):
                if use_lower:
                    acc = 0.0
                    for k in range(j + 1):
                        acc += lower[j, k] * noise[i, k]
                    step[j] = acc
                else:
                    step[j] = noise[i, j]
                x_new[j] = x_c[j] + (factor * diagonal[j]) * step[j]
            log_p_new = log_prob(x_new)
            if log_p_new != log_p_new:  # NaN: treat as zero density
                log_p_new = -np.inf
            log_alpha = log_p_new - log_p  # symmetric proposal: no Hastings term
            accepted = log_uniform(u[i]) < log_alpha
            if accepted:
                for j in range(dim):
                    x_c[j] = x_new[j]
                log_p = log_p_new
            if t >= n_tune:
                n_accepted += accepted
            elif tune_scale:
                accept_prob = math.exp(min(0.0, log_alpha))
                log_scale, running_sum = robbins_monro_step(
                    log_scale, running_sum, accept_prob, t, n_tune, target)
                factor = math.exp(log_scale)
            row = draw_index(t, n_tune, thin)
            if row >= 0:
                draw_log_p[row] = log_p
                for j in range(dim):
                    draws[row, j] = x_c[j]
    for j in range(dim):
        x[j] = x_c[j]
    return log_p, log_scale, running_sum, n_accepted


def _with_globals(fn, **names):
    """A copy of function ``fn`` that resolves the given global names to other objects."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, **names}, fn.__name__,
                              fn.__defaults__, fn.__closure__)


_compiled = []


def compiled_kernel():
    """``random_walk_chain_py`` compiled (nogil), with the helpers it calls compiled too."""
    if not _compiled:
        import numba
        njit = numba.njit(cache=True)
        _compiled.append(numba.njit(nogil=True, cache=False)(_with_globals(
            random_walk_chain_py, robbins_monro_step=njit(robbins_monro_step),
            draw_index=njit(draw_index), log_uniform=njit(log_uniform),
            block_steps=njit(block_steps))))
    return _compiled[0]


def segments(n_total, dim, progress):
    """[(t_start, t_stop), ...] covering 0 .. n_total: the whole run at once, or, with a
    progress bar, about 100 pieces (whole blocks, see ``random_walk_chain_py``)."""
    if progress is None:
        return [(0, n_total)]
    size = block_steps(dim)
    piece = size * max(1, -(-n_total // (100 * size)))
    return [(t, min(t + piece, n_total)) for t in range(0, n_total, piece)]


def run_numba(log_prob, proposal, x0, log_p0, n_steps, n_tune, thin, target, rng,
              progress=None):
    """Same inputs and outputs as ``engine_python.run_python``; log_prob is a Numba function.

    Each chain is one task for a pool of Numba's thread count of threads
    (``scratchgen.set_num_threads``, default one per core); a chain draws its
    own random numbers (``stream.py``), so the threads never wait for each
    other and the result does not depend on their number or their order.
    """
    if numba_if_enabled() is None:
        kernel, log_prob, n_threads = random_walk_chain_py, log_prob.py_func, 1
    else:
        kernel, n_threads = compiled_kernel(), parallel_threads()
    n_chains, dim = x0.shape
    (x, log_p, log_scale, running_sum, draws, draw_log_p,
     n_accepted) = chain_buffers(x0, log_p0, n_steps, chain_major=True)
    chain_rngs = chain_generators(rng, n_chains)
    use_lower = proposal.lower is not None
    lower = proposal.lower if use_lower else np.zeros((1, 1))
    settings = (n_tune, float(target), bool(proposal.tunable), thin)

    stop = np.zeros(1, dtype=np.bool_)

    def advance(c, t_start, t_stop):
        log_p[c], log_scale[c], running_sum[c], accepted = kernel(
            log_prob, chain_rngs[c], x[c], log_p[c], log_scale[c], running_sum[c],
            proposal.diagonal, lower, use_lower, t_start, t_stop, *settings, draws[:, c],
            draw_log_p[:, c], stop)
        n_accepted[c] += accepted

    chains = range(n_chains)
    if kernel is random_walk_chain_py:  # uncompiled: plain Python, one chain after the other
        pool = None

        def run_chains(t_start, t_stop):
            for c in chains:
                advance(c, t_start, t_stop)
    else:
        # Compiled: the chains run in worker threads even with one thread, so that this
        # thread only waits, and a Ctrl-C here stops every chain at its next block (stop[0]).
        pool = ThreadPoolExecutor(min(n_threads, n_chains))

        def run_chains(t_start, t_stop):  # list() waits for all and re-raises an error here
            list(pool.map(advance, chains, [t_start] * n_chains, [t_stop] * n_chains))
    try:
        for t_start, t_stop in segments(n_tune + n_steps * thin, dim, progress):
            run_chains(t_start, t_stop)
            if progress is not None:
                progress.update(t_stop - t_start)
    except BaseException:
        stop[0] = True
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return draws, draw_log_p, n_accepted, log_scale
