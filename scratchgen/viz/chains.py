"""MCMC chain figures: traces and autocorrelation.

Chains follow emcee's layout: ``(n_steps, n_chains, dim)``; an object with a
``get_chain()`` method (``sg.mcmc`` results, emcee samplers) is accepted too.
A 1-D array is one chain of one parameter; a 2-D array ``(n_steps, dim)``
is one chain (like ``get_chain(flat=True)`` of a single chain).
"""
from __future__ import annotations

import numpy as np

from scratchgen.viz._common import as_array, finish, new_figure

__all__ = ["trace_plot", "autocorrelation_plot", "autocorrelation"]

MAX_DIMS = 16


def _as_chain(chain) -> np.ndarray:
    if hasattr(chain, "get_chain") and callable(chain.get_chain):
        chain = chain.get_chain()
    arr = as_array(chain, "chain")
    if arr.ndim == 1:
        arr = arr[:, None, None]
    elif arr.ndim == 2:
        arr = arr[:, None, :]
    if arr.ndim != 3 or min(arr.shape) == 0:
        raise ValueError(f"chain: expected shape (n_steps, n_chains, dim) (or (n_steps,), (n_steps, dim)), got {arr.shape}")
    if arr.shape[2] > MAX_DIMS:
        raise ValueError(
            f"chain: {arr.shape[2]} dimensions is too many to plot (at most {MAX_DIMS}); "
            "select some, e.g. chain[:, :, :4]"
        )
    return arr


def _names(names, dim: int) -> list[str]:
    if names is None:
        return [f"x{i}" for i in range(dim)]
    names = list(names)
    if len(names) != dim:
        raise ValueError(f"names: expected {dim} names (one per dimension), got {len(names)}")
    return [str(n) for n in names]


def autocorrelation(x, max_lag: int) -> np.ndarray:
    """Sample autocorrelation rho_0..rho_max_lag of a 1-D series ``x``.

        rho_k = sum_{t=0}^{n-1-k} (x_t - mean)(x_{t+k} - mean) / sum_t (x_t - mean)^2

    (the biased estimator used by ArviZ and emcee; rho_0 = 1), via the FFT with
    zero padding to avoid wrap-around. A constant series gives rho = 1 at lag 0
    and 0 elsewhere.
    """
    x = as_array(x, "x")
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"x: expected a 1-D series of length >= 2, got shape {x.shape}")
    if not isinstance(max_lag, (int, np.integer)) or not 0 <= max_lag < len(x):
        raise ValueError(f"max_lag: expected an int in [0, {len(x) - 1}], got {max_lag!r}")
    d = x - x.mean()
    n = len(d)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(d, size)
    acov = np.fft.irfft(f * np.conj(f), size)[: max_lag + 1]
    if acov[0] <= 0:
        out = np.zeros(max_lag + 1)
        out[0] = 1.0
        return out
    return acov / acov[0]


def trace_plot(
    chain,
    *,
    names=None,
    title: str | None = None,
    width: float = 7.0,
    row_height: float = 1.6,
    dpi: int = 100,
    path=None,
):
    """One row per parameter: its value against the step, one line per chain.

    The figure is ``width`` by ``dim * row_height`` inches.
    """
    arr = _as_chain(chain)
    n_steps, n_chains, dim = arr.shape
    labels = _names(names, dim)
    fig = new_figure((width, max(dim * row_height, 2.0)), dpi)
    axes = fig.subplots(dim, 1, squeeze=False, sharex=True)[:, 0]
    steps = np.arange(n_steps)
    for d, ax in enumerate(axes):
        for c in range(n_chains):
            ax.plot(steps, arr[:, c, d], lw=0.6, alpha=0.8)
        ax.set_ylabel(labels[d])
    axes[-1].set_xlabel("step")
    fig.suptitle(title or f"trace ({n_chains} chain{'s' if n_chains > 1 else ''})")
    return finish(fig, path)


def autocorrelation_plot(
    chain,
    max_lag: int | None = None,
    *,
    names=None,
    title: str | None = None,
    width: float = 7.0,
    row_height: float = 1.6,
    dpi: int = 100,
    path=None,
):
    """Autocorrelation against the lag (0..max_lag) per parameter, one line per chain.

    ``max_lag`` must be smaller than the number of steps; default
    ``min(50, n_steps - 1)``.
    """
    arr = _as_chain(chain)
    n_steps, n_chains, dim = arr.shape
    if n_steps < 2:
        raise ValueError(f"chain: autocorrelation needs at least 2 steps, got {n_steps}")
    if max_lag is None:
        max_lag = min(50, n_steps - 1)
    if not isinstance(max_lag, (int, np.integer)) or not 1 <= max_lag < n_steps:
        raise ValueError(f"max_lag: expected an int in [1, {n_steps - 1}] (chain has {n_steps} steps), got {max_lag!r}")
    labels = _names(names, dim)
    fig = new_figure((width, max(dim * row_height, 2.0)), dpi)
    axes = fig.subplots(dim, 1, squeeze=False, sharex=True)[:, 0]
    lags = np.arange(max_lag + 1)
    for d, ax in enumerate(axes):
        for c in range(n_chains):
            ax.plot(lags, autocorrelation(arr[:, c, d], max_lag), lw=0.9, alpha=0.8)
        ax.axhline(0.0, color="black", lw=0.5)
        ax.set_ylim(-0.5, 1.05)
        ax.set_ylabel(labels[d])
    axes[-1].set_xlabel("lag")
    fig.suptitle(title or "autocorrelation")
    return finish(fig, path)
