"""Training curves: losses (or any metric) against the step."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from scratchgen.viz._common import as_array, finish, new_figure

__all__ = ["loss_curves"]


def _moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each step (shorter at the start)."""
    c = np.cumsum(np.insert(y, 0, 0.0))
    idx = np.arange(1, len(y) + 1)
    start = np.maximum(idx - window, 0)
    return (c[idx] - c[start]) / (idx - start)


def loss_curves(
    history: Mapping[str, list],
    *,
    smooth: int = 1,
    log_y: bool = False,
    xlabel: str = "step",
    title: str | None = None,
    figsize: tuple[float, float] = (6.0, 4.0),
    dpi: int = 100,
    path=None,
):
    """One line per entry of ``history`` (``{"d_loss": [...], "g_loss": [...]}``).

    Values are plotted against their index (the step). ``smooth > 1`` adds a
    moving average over that many steps over the faint raw curve. ``log_y``
    needs positive values.
    """
    if not isinstance(history, Mapping) or not history:
        raise ValueError(f"history: expected a non-empty dict name -> list of values, got {history!r:.80}")
    if not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth: expected an int >= 1, got {smooth!r}")
    curves = {}
    for name, values in history.items():
        y = as_array(values, f"history[{name!r}]")
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(f"history[{name!r}]: expected a non-empty 1-D list of numbers, got shape {y.shape}")
        if log_y and np.any(y[np.isfinite(y)] <= 0):
            raise ValueError(f"history[{name!r}]: log_y needs positive values")
        curves[str(name)] = y
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    for i, (name, y) in enumerate(curves.items()):
        color = f"C{i % 10}"
        steps = np.arange(len(y))
        if smooth > 1:
            ax.plot(steps, y, color=color, lw=0.6, alpha=0.3)
            ax.plot(steps, _moving_average(y, smooth), color=color, lw=1.4, label=name)
        else:
            ax.plot(steps, y, color=color, lw=1.2, label=name)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    ax.set_title(title or "training curves")
    return finish(fig, path)
