"""scratchgen.mcmc: Metropolis-Hastings, MALA and convergence diagnostics.

    >>> import numpy as np
    >>> from scratchgen.mcmc import metropolis_hastings, RandomWalk
    >>> chains = metropolis_hastings(lambda x: -0.5 * float(x @ x), np.zeros(2), 500,
    ...                              proposal=RandomWalk(scale=1.0), tune=200, rng=0)
    >>> chains.get_chain().shape
    (500, 4, 2)

Modules: sampler (metropolis_hastings), proposals (RandomWalk, Independence),
engine_python / engine_vectorized / engine_numba (three engines, one random
stream: stream.py), tuning (Robbins-Monro scale adaptation), langevin (mala),
chains (Chains, summary), diagnostics (rhat, ess), normal (Phi^-1), targets
(ring, banana and Gaussian log-densities for demos and benchmarks).
"""
from scratchgen.mcmc.chains import Chains, Summary, format_summary
from scratchgen.mcmc.diagnostics import ess, rhat
from scratchgen.mcmc.engine_python import mh_step
from scratchgen.mcmc.langevin import mala, mala_step
from scratchgen.mcmc.normal import normal_ppf
from scratchgen.mcmc.proposals import Independence, RandomWalk, UserProposal
from scratchgen.mcmc.sampler import metropolis_hastings
from scratchgen.mcmc.targets import (make_banana_log_prob, make_gaussian_log_prob,
                                     make_ring_log_prob, ring_log_prob, ring_log_prob_vectorized,
                                     ring_sample)
from scratchgen.mcmc.tuning import target_acceptance

__all__ = [
    "metropolis_hastings", "mala", "Chains", "Summary", "format_summary",
    "RandomWalk", "Independence", "UserProposal", "rhat", "ess", "normal_ppf",
    "mh_step", "mala_step", "target_acceptance",
    "ring_log_prob", "ring_log_prob_vectorized", "make_ring_log_prob", "ring_sample",
    "make_gaussian_log_prob", "make_banana_log_prob",
]
