"""``metropolis_hastings``: validate, pick an engine, run, return ``Chains``.

The algorithm (Metropolis et al. 1953, Hastings 1970), for each chain:

    for t = 1 .. tune + n_steps * thin:
        x' ~ q(. | x)
        log alpha = log p(x') - log p(x) + log q(x | x') - log q(x' | x)
        if log u < log alpha, u ~ U[0, 1):  x <- x'      (probability min(1, alpha))
        during the first ``tune`` steps: adapt the proposal scale (tuning.py)
        afterwards: store every ``thin``-th x

Engines (same random stream, same chain for the same seed: chain c draws
from its own Generator ``rng.spawn(n_chains)[c]``; see stream.py):
"numba" when log_prob is an ``@numba.njit`` function and the proposal is a
RandomWalk (chains in parallel threads), "vectorized" when ``vectorized=True``
(all chains in one NumPy array), "python" otherwise.
"""
import numpy as np

from scratchgen.mcmc.chains import Chains
from scratchgen.mcmc.engine_numba import is_numba_function, run_numba
from scratchgen.mcmc.engine_vectorized import evaluate_batch, run_vectorized
from scratchgen.mcmc.engine_python import run_python
from scratchgen.mcmc.proposals import RandomWalk, as_proposal
from scratchgen.mcmc.tuning import target_acceptance
from scratchgen.validation import as_generator, check_fraction, check_int, rng_from_seed_alias
from scratchgen.progress import progress_bar

__all__ = ["metropolis_hastings", "initial_states", "check_run_lengths"]

_ENGINES = {"numba": run_numba, "vectorized": run_vectorized, "python": run_python}


def check_run_lengths(where, n_steps, n_chains, tune, thin):
    """(n_steps, n_chains, tune, thin) checked as ints: >= 1, >= 1, >= 0 (or False), >= 1."""
    return (check_int(n_steps, f"{where}: n_steps", 1), check_int(n_chains, f"{where}: n_chains", 1),
            0 if tune is False else check_int(tune, f"{where}: tune", 0),
            check_int(thin, f"{where}: thin", 1))


def initial_states(x0, n_chains, where="metropolis_hastings"):
    """x0 as a fresh C-ordered (n_chains, dim) float64 array: (dim,) is tiled, NaN/inf refused."""
    x0 = np.asarray(getattr(x0, "data", x0), dtype=np.float64)
    if x0.ndim == 1:
        if x0.shape[0] == 0:
            raise ValueError(f"{where}: x0 must have at least one dimension, got shape (0,)")
        x0 = np.tile(x0, (n_chains, 1))
    elif x0.ndim == 2:
        if x0.shape[0] != n_chains:
            raise ValueError(f"{where}: x0 has shape {x0.shape}, i.e. {x0.shape[0]} "
                             f"chains, but n_chains={n_chains}")
    else:
        raise ValueError(f"{where}: x0 must have shape (dim,) or (n_chains, dim), "
                         f"got shape {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"{where}: x0 contains NaN or inf")
    return np.array(x0, dtype=np.float64, order="C", copy=True)  # never alias the caller's array


def _initial_log_prob(log_prob, x0, vectorized):
    if vectorized:
        log_p0 = evaluate_batch(log_prob, x0)
    else:
        values = []
        for c in range(x0.shape[0]):
            value = log_prob(x0[c])
            value = np.asarray(getattr(value, "data", value), dtype=np.float64)
            if value.size != 1:
                raise ValueError(f"metropolis_hastings: log_prob(x) must return a float for x of "
                                 f"shape {x0[c].shape}, got an array of shape {value.shape}; pass "
                                 "vectorized=True for a log_prob that takes a batch")
            values.append(float(value.reshape(())))
        log_p0 = np.array(values)
    bad = np.flatnonzero(~(log_p0 > -np.inf) | np.isnan(log_p0) | (log_p0 == np.inf))
    if bad.size:
        c = bad[0]
        raise ValueError(f"metropolis_hastings: log_prob(x0[{c}]) = {log_p0[c]}; start every "
                         "chain where the density is positive and finite")
    return log_p0


def _choose_engine(engine, log_prob, proposal, vectorized):
    if engine is None:
        if vectorized:
            return "vectorized"
        return "numba" if is_numba_function(log_prob) and isinstance(proposal, RandomWalk) else "python"
    if engine not in _ENGINES:
        renamed = " (the engine 'numpy' is now called 'vectorized')" if engine == "numpy" else ""
        raise ValueError(f"metropolis_hastings: engine must be None, 'numba', 'vectorized' or "
                         f"'python', got {engine!r}{renamed}")
    if engine == "numba" and not (is_numba_function(log_prob) and isinstance(proposal, RandomWalk)):
        raise ValueError("metropolis_hastings: engine='numba' needs an @numba.njit log_prob and a "
                         "RandomWalk proposal")
    if (engine == "vectorized") != bool(vectorized):
        raise ValueError(f"metropolis_hastings: engine={engine!r} needs vectorized="
                         f"{engine == 'vectorized'} (the vectorized engine calls log_prob on a batch)")
    return engine


def metropolis_hastings(log_prob, x0, n_steps, proposal=None, n_chains=4, tune=1000, thin=1,
                        rng=None, vectorized=False, progress=False, *, target_accept=None,
                        engine=None, seed=None):
    """Sample from p(x) proportional to exp(log_prob(x)) with Metropolis-Hastings.

    Parameters
    ----------
    log_prob : callable, log p(x) up to a constant. x (dim,) -> float, or with
        ``vectorized=True`` X (n_chains, dim) -> (n_chains,). An ``@numba.njit``
        function selects the compiled engine. NaN is treated as -inf.
    x0 : (dim,) start of every chain, or (n_chains, dim) one start per chain
        (better: dispersed starts make R-hat meaningful).
    n_steps : number of draws stored per chain.
    proposal : None (a tuned ``RandomWalk()``), ``RandomWalk``, ``Independence``
        or an object with ``sample(x, rng)`` and ``log_prob(x_new, x)``.
    n_chains : number of independent chains.
    tune : burn-in steps before the stored ones (0 or False: none). During
        them a RandomWalk's scale is adapted toward ``target_accept``, then frozen.
    thin : keep every ``thin``-th state; n_steps * thin steps are run after tuning.
    rng : int or numpy.random.Generator (``seed``: its deprecated name). Chain c
        draws from ``rng.spawn(n_chains)[c]`` (stream.py), so it does not depend
        on the number of chains or threads; user proposals draw from rng itself.
    vectorized : log_prob takes a batch (the vectorized engine).
    progress : show a tqdm progress bar.
    target_accept : acceptance rate the tuning aims at; default 0.44 for
        dim = 1 and 0.234 otherwise.
    engine : force "numba", "vectorized" or "python" (default: chosen as above).

    Returns
    -------
    Chains : ``get_chain()`` is (n_steps, n_chains, dim).
    """
    if not callable(log_prob):
        raise TypeError(f"metropolis_hastings: log_prob must be callable, got {type(log_prob).__name__}")
    n_steps, n_chains, tune, thin = check_run_lengths("metropolis_hastings", n_steps, n_chains,
                                                      tune, thin)
    x0 = initial_states(x0, n_chains)
    dim = x0.shape[1]
    proposal = as_proposal(proposal).bind(dim)
    target = (target_acceptance(dim) if target_accept is None
              else check_fraction(target_accept, "metropolis_hastings: target_accept"))
    if target == 0.0:
        raise ValueError("metropolis_hastings: target_accept must be in (0, 1), got 0.0")
    rng = as_generator(rng_from_seed_alias(rng, seed, "metropolis_hastings"),
                       "metropolis_hastings: rng")
    engine = _choose_engine(engine, log_prob, proposal, vectorized)
    log_p0 = _initial_log_prob(log_prob, x0, vectorized)

    # The engines skip the bar when it is None (no per-step call in the hot loop).
    bar = progress_bar(tune + n_steps * thin, desc=f"MH ({engine})", unit="step") if progress else None
    try:
        draws, draw_log_p, n_accepted, log_scale = _ENGINES[engine](
            log_prob, proposal, x0, log_p0, n_steps, tune, thin, target, rng, bar)
    finally:
        if bar is not None:
            bar.close()
    step_scale = np.exp(log_scale) if proposal.tunable else None
    return Chains(draws, draw_log_p, n_accepted, n_steps * thin, step_scale=step_scale,
                  engine=engine)
