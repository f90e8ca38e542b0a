"""Proposal distributions q(x' | x) for Metropolis-Hastings.

A proposal does two jobs: draw a candidate x' given the current state x, and
give the Hastings correction

    log q(x | x') - log q(x' | x),

which is 0 for a symmetric proposal (random walk) and must be added to the
log acceptance ratio otherwise (Hastings 1970). Three kinds are accepted by
``metropolis_hastings``:

* ``RandomWalk(scale=..., covariance=...)``: x' = x + s L z, z ~ N(0, I),
  L L^T = covariance; symmetric; its scale s is tuned during burn-in.
* ``Independence(distribution)``: x' ~ q, independent of x; any object with
  ``sample(n, rng)`` (an (n, dim) array) and ``log_prob(X)`` or
  ``score_samples(X)`` (log q per row), e.g. a fitted density model.
* any user object with ``sample(x, rng) -> x_new`` and
  ``log_prob(x_new, x) -> log q(x_new | x)`` (wrapped in ``UserProposal``).

Engines ask a proposal for its random numbers in blocks, ``draw_noise(rng,
n_steps, n_chains, dim)`` (called with each chain's own Generator and
n_chains=1, ``stream.py``), before they loop, so that the Python, vectorized
and Numba engines consume the same random stream and give the same chain.
"""
import math

import numpy as np

__all__ = ["RandomWalk", "Independence", "UserProposal", "as_proposal"]


def _as_array(value):
    """ndarray from an array, a Tensor (``.data``) or a (X, y) tuple as sklearn returns."""
    if isinstance(value, tuple):
        value = value[0]
    return np.asarray(getattr(value, "data", value), dtype=np.float64)


class RandomWalk:
    """Gaussian random walk x' = x + s L z, z ~ N(0, I_dim).

    Parameters
    ----------
    scale : float or (dim,) array, optional. Standard deviation(s) of the step.
        Default 2.38 / sqrt(dim) (Roberts, Gelman and Gilks 1997), a good
        start for a target with unit scales; tuning adapts it anyway.
    covariance : (dim, dim) symmetric positive definite array, optional. Step
        covariance; ``scale`` then multiplies its Cholesky factor L.

    The proposal is symmetric, q(x' | x) = q(x | x'), so the Hastings
    correction is exactly 0.
    """

    symmetric = True
    tunable = True

    def __init__(self, scale=None, covariance=None):
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64)
        if self.scale is not None and (self.scale.ndim > 1 or np.any(~(self.scale > 0))):
            raise ValueError(f"RandomWalk: scale must be a positive float or a (dim,) array of "
                             f"positive floats, got {scale!r}")
        self.covariance = None
        if covariance is not None:
            cov = np.asarray(covariance, dtype=np.float64)
            if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or not np.allclose(cov, cov.T):
                raise ValueError(f"RandomWalk: covariance must be a symmetric (dim, dim) array, "
                                 f"got shape {cov.shape}")
            try:
                np.linalg.cholesky(cov)
            except np.linalg.LinAlgError:
                raise ValueError("RandomWalk: covariance must be positive definite") from None
            self.covariance = cov

    def bind(self, dim):
        """Check against the target's dim and precompute the step factors; returns self.

        The step is diagonal * (L z): ``self.diagonal`` (dim,) holds the
        scale(s), ``self.lower`` the Cholesky factor of the covariance or None.
        """
        if self.covariance is not None and self.covariance.shape != (dim, dim):
            raise ValueError(f"RandomWalk: covariance has shape {self.covariance.shape}, "
                             f"the target has dim={dim}")
        if self.scale is not None and self.scale.ndim == 1 and self.scale.shape != (dim,):
            raise ValueError(f"RandomWalk: scale has shape {self.scale.shape}, expected ({dim},)")
        scale = 2.38 / math.sqrt(dim) if self.scale is None else self.scale
        self.diagonal = np.broadcast_to(scale, (dim,)).astype(np.float64)
        self.lower = (None if self.covariance is None
                      else np.ascontiguousarray(np.linalg.cholesky(self.covariance)))
        return self

    def draw_noise(self, rng, n_steps, n_chains, dim):
        return rng.standard_normal((n_steps, n_chains, dim))

    def propose(self, x, noise, step_factor=1.0, rng=None):
        """x' = x + (step_factor * diagonal) * (L noise); x, noise (..., dim).

        step_factor is the tuned multiplier, a float or one per chain (...,).
        """
        step = noise if self.lower is None else noise @ self.lower.T
        factor = np.asarray(step_factor, dtype=np.float64)
        if factor.ndim:
            factor = factor[..., None]
        return x + (factor * self.diagonal) * step

    def log_hastings(self, x, x_new):
        return 0.0  # symmetric; broadcasts against one value per chain

    # The user-proposal protocol, so that RandomWalk can be read like any other proposal.
    def sample(self, x, rng):
        x = np.asarray(x, dtype=np.float64)
        self.bind(x.shape[-1])
        return self.propose(x, rng.standard_normal(x.shape))

    def log_prob(self, x_new, x):
        self.bind(np.shape(x)[-1])
        full = np.diag(self.diagonal) if self.lower is None else self.diagonal[:, None] * self.lower
        cov = full @ full.T
        diff = np.asarray(x_new) - np.asarray(x)
        sol = np.linalg.solve(cov, diff.T).T
        _, logdet = np.linalg.slogdet(cov)
        return -0.5 * (np.sum(diff * sol, axis=-1) + logdet + diff.shape[-1] * math.log(2 * math.pi))


class Independence:
    """Independence proposal x' ~ q, whatever the current x.

    distribution : object with ``sample(n, rng)`` returning (n, dim) and
        ``log_prob(X)`` or ``score_samples(X)`` returning log q per row, (n,).

    Hastings correction: log q(x) - log q(x'). Without it the chain's
    stationary density is proportional to p(x) q(x), not p(x) (the proposal's
    preference is counted on top of the target's). Works well only when q
    covers the target (heavier tails than p).
    """

    symmetric = False
    tunable = False

    def __init__(self, distribution):
        if not hasattr(distribution, "sample") or not (
                hasattr(distribution, "log_prob") or hasattr(distribution, "score_samples")):
            raise TypeError("Independence: distribution needs sample(n, rng) and log_prob(X) or "
                            f"score_samples(X); got {type(distribution).__name__}")
        self.distribution = distribution
        self._log_q = getattr(distribution, "log_prob", None) or distribution.score_samples

    def bind(self, dim):
        self.dim = dim
        return self

    def draw_noise(self, rng, n_steps, n_chains, dim):
        draws = _as_array(self.distribution.sample(n_steps * n_chains, rng))
        if draws.shape != (n_steps * n_chains, dim):
            raise ValueError(f"Independence: distribution.sample({n_steps * n_chains}, rng) must "
                             f"return shape ({n_steps * n_chains}, {dim}), got {draws.shape}")
        return draws.reshape(n_steps, n_chains, dim)

    def propose(self, x, noise, step_factor=1.0, rng=None):
        return np.array(noise, dtype=np.float64)

    def log_q(self, x):
        """log q(x) for x (dim,) -> float or (n, dim) -> (n,)."""
        x = np.asarray(x, dtype=np.float64)
        values = _as_array(self._log_q(np.atleast_2d(x)))
        return float(values[0]) if x.ndim == 1 else values

    def log_hastings(self, x, x_new):
        return self.log_q(x) - self.log_q(x_new)


class UserProposal:
    """Adapter for any object with ``sample(x, rng)`` and ``log_prob(x_new, x)``.

    Candidates are drawn one at a time with the sampler's Generator (no
    pre-drawn noise), so the same seed gives the same chain in the Python
    engine but the stream differs from the random-walk engines.
    """

    symmetric = False
    tunable = False

    def __init__(self, proposal):
        self.proposal = proposal

    def bind(self, dim):
        return self

    def draw_noise(self, rng, n_steps, n_chains, dim):
        return None

    def propose(self, x, noise, step_factor=1.0, rng=None):
        return _as_array(self.proposal.sample(x, rng))

    def log_hastings(self, x, x_new):
        # log q(x | x') - log q(x' | x)
        forward = self.proposal.log_prob(x_new, x)
        backward = self.proposal.log_prob(x, x_new)
        return _as_array(backward) - _as_array(forward) if np.ndim(x) > 1 \
            else float(backward) - float(forward)


def as_proposal(proposal):
    """RandomWalk() for None, a known proposal as is, a user object wrapped; else TypeError."""
    if proposal is None:
        return RandomWalk()
    if isinstance(proposal, (RandomWalk, Independence, UserProposal)):
        return proposal
    if callable(getattr(proposal, "sample", None)) and callable(getattr(proposal, "log_prob", None)):
        return UserProposal(proposal)
    raise TypeError("metropolis_hastings: proposal must be None, RandomWalk, Independence or an "
                    "object with sample(x, rng) and log_prob(x_new, x); got "
                    f"{type(proposal).__name__}")
