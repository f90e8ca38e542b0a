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
    steps=None,
    smooth: int = 1,
    log_y: bool = False,
    xlabel: str = "step",
    title: str | None = None,
    figsize: tuple[float, float] = (6.0, 4.0),
    dpi: int = 100,
    path=None,
):
    """One line per entry of ``history`` (``{"d_loss": [...], "g_loss": [...]}``).

    Values are plotted against ``steps`` (the step each value was recorded
    at, same length as every curve); when ``steps`` is not given, a
    ``"step"`` entry of ``history`` is used (``GAN.history`` and the run
    folders' metrics record one), else the index 0, 1, 2, .... A run that
    records every 10th of 1,500 steps is thus drawn on 0..1,500, not 0..150.
    ``smooth > 1`` adds a moving average over that many *records* over the
    faint raw curve. ``log_y`` needs positive values.
    """
    if not isinstance(history, Mapping) or not history:
        raise ValueError(f"history: expected a non-empty dict name -> list of values, got {history!r:.80}")
    if not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth: expected an int >= 1, got {smooth!r}")
    if steps is None and "step" in history:
        steps = history["step"]
        history = {k: v for k, v in history.items() if k != "step"}
        if not history:
            raise ValueError("history: expected at least one curve besides 'step'")
    if steps is not None:
        steps = as_array(steps, "steps")
        if steps.ndim != 1:
            raise ValueError(f"steps: expected a 1-D list of steps, got shape {steps.shape}")
    curves = {}
    for name, values in history.items():
        y = as_array(values, f"history[{name!r}]")
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(f"history[{name!r}]: expected a non-empty 1-D list of numbers, got shape {y.shape}")
        if log_y and np.any(y[np.isfinite(y)] <= 0):
            raise ValueError(f"history[{name!r}]: log_y needs positive values")
        if steps is not None and len(y) != len(steps):
            raise ValueError(f"history[{name!r}]: expected one value per step ({len(steps)}), got {len(y)}")
        curves[str(name)] = y
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    for i, (name, y) in enumerate(curves.items()):
        color = f"C{i % 10}"
        x = np.arange(len(y)) if steps is None else steps
        if smooth > 1:
            ax.plot(x, y, color=color, lw=0.6, alpha=0.3)
            ax.plot(x, _moving_average(y, smooth), color=color, lw=1.4, label=name)
        else:
            ax.plot(x, y, color=color, lw=1.2, label=name)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    ax.set_title(title or "training curves")
    return finish(fig, path)
