"""The result of a sampler run: stored draws, log densities and diagnostics.

Accessors follow emcee (``EnsembleSampler.get_chain``): draws are stored as
(n_steps, n_chains, dim) and

    get_chain(discard=0, thin=1, flat=False) = draws[discard + thin - 1 :: thin]

with ``flat=True`` merging the first two axes into (n_kept * n_chains, dim).
Diagnostics follow ArviZ (``rhat``, ``ess``, ``summary``).
"""
import numpy as np

from scratchgen.mcmc.diagnostics import ess, rhat
from scratchgen.validation import check_int

__all__ = ["Chains", "Summary", "format_summary"]

_SUMMARY_COLUMNS = ("mean", "sd", "q5", "q50", "q95", "r_hat", "ess_bulk", "ess_tail")


class Summary(dict):
    """A dict of (dim,) arrays keyed by statistic; ``str()`` prints a table."""

    def __str__(self):
        return format_summary(self)


def format_summary(summary, names=None):
    """A text table, one row per dimension, one column per statistic."""
    dim = len(summary["mean"])
    names = names or [f"x[{k}]" for k in range(dim)]
    width = max(6, max(len(n) for n in names))
    lines = [" " * width + "".join(f"{c:>10}" for c in _SUMMARY_COLUMNS)]
    for k, name in enumerate(names):
        cells = []
        for column in _SUMMARY_COLUMNS:
            value = summary[column][k]
            fmt = "{:>10.0f}" if column.startswith("ess") and np.isfinite(value) else "{:>10.3f}"
            cells.append(fmt.format(value))
        lines.append(f"{name:<{width}}" + "".join(cells))
    return "\n".join(lines)


class Chains:
    """Draws of n_chains Markov chains after tuning.

    Attributes
    ----------
    draws : (n_steps, n_chains, dim) stored states (every ``thin``-th step).
    log_prob : (n_steps, n_chains) log p of the stored states.
    acceptance_fraction : (n_chains,) accepted / proposed over the steps after
        tuning (all of them, kept or thinned away).
    step_scale : (n_chains,) the frozen multiplier of the proposal scale.
    engine : "numba", "vectorized" or "python", the engine that ran.
    """

    def __init__(self, draws, log_prob, n_accepted, n_proposed, step_scale=None, engine=None):
        self.draws = draws
        self.log_prob = log_prob
        self.n_accepted = np.asarray(n_accepted)
        self.n_proposed = int(n_proposed)
        self.acceptance_fraction = self.n_accepted / max(self.n_proposed, 1)
        self.step_scale = step_scale
        self.engine = engine

    @property
    def n_steps(self):
        return self.draws.shape[0]

    @property
    def n_chains(self):
        return self.draws.shape[1]

    @property
    def dim(self):
        return self.draws.shape[2]

    def __repr__(self):
        return (f"Chains(n_steps={self.n_steps}, n_chains={self.n_chains}, dim={self.dim}, "
                f"engine={self.engine!r}, acceptance={np.round(self.acceptance_fraction, 3)})")

    def _slice(self, values, discard, thin, flat):
        discard = check_int(discard, "get_chain: discard", minimum=0)
        thin = check_int(thin, "get_chain: thin", minimum=1)
        kept = values[discard + thin - 1:: thin]
        if flat:
            return kept.reshape((-1,) + kept.shape[2:])
        return kept

    def get_chain(self, discard=0, thin=1, flat=False):
        """draws[discard + thin - 1 :: thin], (n, n_chains, dim) or flat (n * n_chains, dim)."""
        return self._slice(self.draws, discard, thin, flat)

    def get_log_prob(self, discard=0, thin=1, flat=False):
        """log p of the draws, sliced like ``get_chain``: (n, n_chains) or (n * n_chains,)."""
        return self._slice(self.log_prob, discard, thin, flat)

    def _by_chain(self, discard):
        return np.transpose(self.get_chain(discard=discard), (1, 0, 2))  # (chains, draws, dim)

    def rhat(self, discard=0):
        """Rank-normalised split R-hat per dimension, (dim,)."""
        return rhat(self._by_chain(discard))

    def ess(self, method="bulk", discard=0):
        """Effective sample size per dimension, (dim,); method "bulk", "tail" or "mean"."""
        return ess(self._by_chain(discard), method=method)

    def summary(self, discard=0):
        """Mean, sd, 5/50/95% quantiles, R-hat, bulk and tail ESS per dimension (a ``Summary``)."""
        flat = self.get_chain(discard=discard, flat=True)
        q5, q50, q95 = np.quantile(flat, [0.05, 0.5, 0.95], axis=0)
        return Summary(mean=flat.mean(axis=0), sd=flat.std(axis=0, ddof=1), q5=q5, q50=q50,
                       q95=q95, r_hat=self.rhat(discard), ess_bulk=self.ess("bulk", discard),
                       ess_tail=self.ess("tail", discard))
