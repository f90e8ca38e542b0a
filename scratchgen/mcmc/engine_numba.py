"""The Numba engine: the whole random-walk chain loop compiled, chains in parallel threads.

Used when ``log_prob`` is a Numba-compiled function (a ``CPUDispatcher``,
made with ``@numba.njit``) taking a (dim,) float64 array and returning a
float, and the proposal is a ``RandomWalk``. The log-density is passed into
the compiled loop as a first-class function, so each step is a direct
machine-code call: no Python, no temporaries.

``random_walk_kernel_py`` is the loop in plain Python (the specification);
``compiled_kernel()`` compiles that very source with ``numba.njit(nogil=True)``.
Chains are independent given the pre-drawn random numbers (``stream.py``),
so ``run_numba`` splits them into contiguous groups, one per thread (a
thread pool; the compiled loop releases the GIL), and each thread advances
its chains through a block of steps. Each chain does the same floating-point
operations in the same order whatever the number of threads, hence the same
chain bit for bit with 1 thread, n threads, or uncompiled. (A ``numba.prange``
over chains would do the same but doubles the compilation time, ~4 s -> ~8 s.)

Numba is reached only through the kernel backend (``scratchgen.kernels``):
under ``SCRATCHGEN_KERNELS=numpy`` or ``kernels.use_backend("numpy")`` this
engine runs the uncompiled loop (with ``log_prob.py_func``) and Numba is never
imported by scratchgen. The kernel is compiled with ``cache=False``: it is
specialised on the *function* passed in, and Numba cannot reuse such an entry
from the on-disk cache in a new process (it would only add a file per run);
compilation takes one to two seconds per log-density.
"""
import math
import sys
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from scratchgen.kernels.backend import get_backend
from scratchgen.mcmc.stream import chain_buffers, draw_index, log_uniform, random_blocks
from scratchgen.mcmc.tuning import robbins_monro_step
from scratchgen.threads import parallel_threads

__all__ = ["is_numba_function", "numba_if_enabled", "compiled_kernel", "random_walk_kernel_py",
           "chain_groups", "run_numba"]



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


def random_walk_kernel_py(log_prob, x, log_p, log_scale, running_sum, diagonal, lower,
                          use_lower, noise, u, t0, n_tune, target, tune_scale, thin,
                          draws, draw_log_p, n_accepted, first_chain, stop_chain):
    """Advance chains first_chain .. stop_chain - 1 through one block of steps
    t0 .. t0 + len(u) - 1, in place (the other chains are not touched).

    x (n_chains, dim), log_p (n_chains,): current states and log densities.
    log_scale, running_sum (n_chains,): tuning state (see ``tuning.py``).
    diagonal (dim,), lower (dim, dim), use_lower: the step is
        exp(log_scale[c]) * diagonal * (lower @ z if use_lower else z).
    noise (steps, n_chains, dim) standard normals, u (steps, n_chains) uniforms.
    draws (n_chains, n_steps, dim), draw_log_p (n_chains, n_steps): output,
    chain-major (each thread writes its own memory), the row written when
    ``draw_index`` says so. n_accepted (n_chains,) counts acceptances after tuning.
    A chain's state lives in local variables during the block and is written
    back at its end: threads never write to the same cache line in the loop.
    """
    n_block, n_chains, dim = noise.shape
    for c in range(first_chain, stop_chain):
        x_c = x[c].copy()  # per chain: each thread owns its state and scratch space
        x_new = np.empty(dim)
        step = np.empty(dim)
        log_p_c, log_scale_c, running_c, accepted_c = log_p[c], log_scale[c], running_sum[c], 0
        for i in range(n_block):
            t = t0 + i
            factor = math.exp(log_scale_c)  # math: libm, the same compiled or not
            for j in range(dim):
                if use_lower:
                    acc = 0.0
                    for k in range(j + 1):
                        acc += lower[j, k] * noise[i, c, k]
                    step[j] = acc
                else:
                    step[j] = noise[i, c, j]
                x_new[j] = x_c[j] + (factor * diagonal[j]) * step[j]
            log_p_new = log_prob(x_new)
            if log_p_new != log_p_new:  # NaN: treat as zero density
                log_p_new = -np.inf
            log_alpha = log_p_new - log_p_c  # symmetric proposal: no Hastings term
            accepted = log_uniform(u[i, c]) < log_alpha
            if accepted:
                for j in range(dim):
                    x_c[j] = x_new[j]
                log_p_c = log_p_new
            if t >= n_tune:
                accepted_c += accepted
            elif tune_scale:
                accept_prob = math.exp(min(0.0, log_alpha))
                log_scale_c, running_c = robbins_monro_step(
                    log_scale_c, running_c, accept_prob, t, n_tune, target)
            row = draw_index(t, n_tune, thin)
            if row >= 0:
                draw_log_p[c, row] = log_p_c
                for j in range(dim):
                    draws[c, row, j] = x_c[j]
        x[c] = x_c
        log_p[c], log_scale[c], running_sum[c] = log_p_c, log_scale_c, running_c
        n_accepted[c] += accepted_c


def _with_globals(fn, **names):
    """A copy of function ``fn`` that resolves the given global names to other objects."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, **names}, fn.__name__,
                              fn.__defaults__, fn.__closure__)


_compiled = []


def compiled_kernel():
    """``random_walk_kernel_py`` compiled (nogil), with the helpers it calls compiled too."""
    if not _compiled:
        import numba
        njit = numba.njit(cache=True)
        _compiled.append(numba.njit(nogil=True, cache=False)(_with_globals(
            random_walk_kernel_py, robbins_monro_step=njit(robbins_monro_step),
            draw_index=njit(draw_index), log_uniform=njit(log_uniform))))
    return _compiled[0]


def chain_groups(n_chains, n_threads):
    """[(first, stop), ...]: n_chains split into at most n_threads contiguous groups."""
    n_groups = max(1, min(n_chains, n_threads))
    edges = [n_chains * g // n_groups for g in range(n_groups + 1)]
    return list(zip(edges[:-1], edges[1:]))


def run_numba(log_prob, proposal, x0, log_p0, n_steps, n_tune, thin, target, rng,
              progress=None):
    """Same inputs and outputs as ``engine_python.run_python``; log_prob is a Numba function.

    The chains run in parallel on Numba's thread count (``scratchgen.set_num_threads``,
    default one per core); the result does not depend on it.
    """
    if numba_if_enabled() is None:
        kernel, log_prob, n_threads = random_walk_kernel_py, log_prob.py_func, 1
    else:
        kernel, n_threads = compiled_kernel(), parallel_threads()
    n_chains, dim = x0.shape
    (x, log_p, log_scale, running_sum, draws, draw_log_p,
     n_accepted) = chain_buffers(x0, log_p0, n_steps)
    by_chain = np.empty((n_chains, n_steps, dim)), np.empty((n_chains, n_steps))  # see kernel
    use_lower = proposal.lower is not None
    lower = proposal.lower if use_lower else np.zeros((1, 1))
    n_total = n_tune + n_steps * thin
    groups = chain_groups(n_chains, n_threads)

    def advance(group, t0, noise, u):
        kernel(log_prob, x, log_p, log_scale, running_sum, proposal.diagonal, lower, use_lower,
               noise, u, t0, n_tune, float(target), bool(proposal.tunable), thin,
               by_chain[0], by_chain[1], n_accepted, group[0], group[1])
        return u.shape[0]

    if len(groups) == 1:
        for t0, noise, u in random_blocks(rng, proposal, n_total, n_chains, dim):
            done = advance(groups[0], t0, noise, u)
            if progress is not None:
                progress.update(done)
    else:
        # The threads run block k while this thread draws block k + 1 (the for statement):
        # the drawing, sequential by nature, overlaps the sampling.
        with ThreadPoolExecutor(len(groups)) as pool:
            running = []
            for t0, noise, u in random_blocks(rng, proposal, n_total, n_chains, dim):
                _finish(running, progress)
                running = [pool.submit(advance, g, t0, noise, u) for g in groups]
            _finish(running, progress)
    draws[:], draw_log_p[:] = by_chain[0].transpose(1, 0, 2), by_chain[1].T
    return draws, draw_log_p, n_accepted, log_scale


def _finish(futures, progress):
    """Wait for one block's threads (re-raising an error of theirs) and count its steps."""
    steps = [f.result() for f in futures]
    if steps and progress is not None:
        progress.update(steps[0])
