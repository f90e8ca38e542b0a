"""Two-dimensional figures: density contours, real vs generated samples, latent codes.

Every function returns a ``matplotlib.figure.Figure`` and, given ``path``,
also saves it (atomically; PNG of ``figsize * dpi`` pixels).
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import matplotlib
import numpy as np

from scratchgen.viz._common import as_array, as_points, bounds_from, check_bounds, finish, new_figure

__all__ = ["density_contour", "scatter_samples", "latent_scatter", "ring_samples_over_training"]

REAL_COLOR = "0.35"
FAKE_COLOR = "tab:orange"


def _grid_log_prob(log_prob_fn: Callable, bounds, grid_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, grid_size), np.linspace(y0, y1, grid_size)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    values = as_array(log_prob_fn(points), "log_prob_fn(points)")
    if values.shape not in ((len(points),), (len(points), 1)):
        raise ValueError(
            f"log_prob_fn: given points of shape {points.shape} it must return shape ({len(points)},), "
            f"got {values.shape}"
        )
    return gx, gy, values.reshape(gx.shape)


def density_contour(
    log_prob_fn: Callable,
    X=None,
    bounds=None,
    *,
    grid_size: int = 100,
    levels: int = 12,
    log_scale: bool = False,
    title: str | None = None,
    figsize: tuple[float, float] = (5.0, 4.0),
    dpi: int = 100,
    ax=None,
    path=None,
):
    """Filled contours of a 2-D density, with the data on top.

    ``log_prob_fn``: maps points ``(n, 2)`` to log p(x) of shape ``(n,)``
    (e.g. a density model's ``score_samples``; a Tensor result is accepted).
    ``X``: optional data ``(n, 2)``. ``bounds``: ``((xmin, xmax), (ymin, ymax))``;
    default: the range of ``X`` plus 10 %. One of ``X`` and ``bounds`` is needed.
    The contours show p(x) = exp(log p(x)) (``log_scale=True``: log p(x),
    floored 20 nats below its maximum so that -inf tails do not flatten it).
    ``ax``: draw into this Axes of an existing figure (one panel of several;
    ``figsize`` and ``dpi`` are then the figure's own) instead of a new figure.
    """
    if not callable(log_prob_fn):
        raise TypeError(f"log_prob_fn: expected a callable (n, 2) -> (n,), got {type(log_prob_fn).__name__}")
    data = as_points(X, "X") if X is not None else None
    if bounds is None and data is None:
        raise ValueError("density_contour: give X (data) or bounds=((xmin, xmax), (ymin, ymax))")
    bounds = check_bounds(bounds) if bounds is not None else bounds_from(data)
    if not isinstance(grid_size, int) or grid_size < 2:
        raise ValueError(f"grid_size: expected an int >= 2, got {grid_size!r}")
    gx, gy, logp = _grid_log_prob(log_prob_fn, bounds, grid_size)
    finite = np.isfinite(logp)
    if not finite.any():
        raise ValueError("log_prob_fn: returned no finite value on the grid; check bounds")
    top = logp[finite].max()
    logp = np.where(finite, logp, -np.inf)  # NaN -> no density
    if log_scale:
        z = np.maximum(logp, top - 20.0)
    else:
        z = np.exp(logp - top)  # subtract the max first: no overflow, no all-zero grid
    if ax is None:
        fig = new_figure(figsize, dpi)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    cs = ax.contourf(gx, gy, z, levels=levels, cmap="viridis")
    fig.colorbar(cs, ax=ax, label="log p(x)" if log_scale else "p(x) / max p")
    if data is not None:
        ax.scatter(data[:, 0], data[:, 1], s=6, c="white", edgecolors="black", linewidths=0.3, label="data")
    ax.set_xlim(bounds[0])
    ax.set_ylim(bounds[1])
    ax.set_title(title or "density")
    return finish(fig, path)


def scatter_samples(
    real,
    fake,
    *,
    labels: tuple[str, str] = ("real", "generated"),
    title: str | None = None,
    figsize: tuple[float, float] = (5.0, 5.0),
    dpi: int = 100,
    path=None,
):
    """Real data ``(n, 2)`` and generated samples ``(m, 2)`` in one scatter plot."""
    real, fake = as_points(real, "real"), as_points(fake, "fake")
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    ax.scatter(real[:, 0], real[:, 1], s=5, c=REAL_COLOR, alpha=0.5, label=labels[0])
    ax.scatter(fake[:, 0], fake[:, 1], s=5, c=FAKE_COLOR, alpha=0.7, label=labels[1])
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right", markerscale=3)
    ax.set_title(title or "real vs generated")
    return finish(fig, path)


def latent_scatter(
    Z,
    labels=None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (5.0, 4.0),
    dpi: int = 100,
    path=None,
):
    """Latent codes ``Z`` of shape ``(n, 2)``, coloured by ``labels`` ``(n,)`` if given.

    Up to 20 distinct labels are classes (a colour each and a legend); more
    numeric values are shown on a colour scale with a colour bar.

    Codes of more than two dimensions: project first (e.g. ``sg.latent.PCA(2)``).
    """
    Z = as_points(Z, "Z", hint="project to 2-D first, e.g. with PCA")
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    if labels is None:
        ax.scatter(Z[:, 0], Z[:, 1], s=6, c="tab:blue", alpha=0.7)
    else:
        lab = np.asarray(labels.numpy() if hasattr(labels, "numpy") and not isinstance(labels, np.ndarray) else labels)
        if lab.ndim == 2 and lab.shape[1] == 1:
            lab = lab[:, 0]
        if lab.shape != (len(Z),):
            raise ValueError(f"labels: expected shape ({len(Z)},) to match Z, got {lab.shape}")
        classes = np.unique(lab)
        if len(classes) > 20 and np.issubdtype(lab.dtype, np.number):  # a continuous value: colour bar
            points = ax.scatter(Z[:, 0], Z[:, 1], s=6, c=lab, cmap="viridis", alpha=0.8)
            fig.colorbar(points, ax=ax, label="label")
        else:  # classes: one colour each, with a legend
            cmap = matplotlib.colormaps["tab10" if len(classes) <= 10 else "tab20"]
            for i, c in enumerate(classes):
                sel = lab == c
                ax.scatter(Z[sel, 0], Z[sel, 1], s=6, color=cmap(i % cmap.N), label=str(c), alpha=0.8)
            ax.legend(title="label", loc="best", fontsize="small", markerscale=2)
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    ax.set_title(title or "latent codes")
    return finish(fig, path)


def _snapshot_items(snapshots) -> list[tuple[str, np.ndarray]]:
    if isinstance(snapshots, Mapping):
        items = list(snapshots.items())
    elif isinstance(snapshots, Sequence) and not isinstance(snapshots, (str, np.ndarray)):
        items = [tuple(s) if isinstance(s, (tuple, list)) and len(s) == 2 else (None, s) for s in snapshots]
    else:
        raise ValueError(
            "snapshots: expected a dict {step: samples} or a list of (step, samples) pairs, "
            f"got {type(snapshots).__name__}"
        )
    if not items:
        raise ValueError("snapshots: expected at least one snapshot, got none")
    out = []
    for i, (step, samples) in enumerate(items):
        label = step if isinstance(step, str) else f"step {step}" if step is not None else f"snapshot {i}"
        out.append((label, as_points(samples, f"snapshots[{i}] samples")))
    return out


def ring_samples_over_training(
    snapshots,
    centers,
    *,
    ncols: int | None = None,
    title: str | None = None,
    panel_size: float = 2.5,
    dpi: int = 100,
    path=None,
):
    """GAN samples at several training steps, with the true modes marked (the ring figure).

    ``snapshots``: ``{step: samples (n, 2)}`` or a list of ``(step, samples)``
    pairs, in training order (a str key is the panel's title as it is, any
    other is titled "step <key>"). ``centers``: the mixture's modes ``(K, 2)``,
    drawn as crosses. All panels share the same axes limits. The figure is
    ``ncols * panel_size`` by ``nrows * panel_size`` inches.
    """
    items = _snapshot_items(snapshots)
    centers = as_points(centers, "centers")
    n = len(items)
    ncols = ncols or min(n, 5)
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols: expected a positive int, got {ncols!r}")
    nrows = math.ceil(n / ncols)
    fig = new_figure((ncols * panel_size, nrows * panel_size), dpi)
    (x0, x1), (y0, y1) = bounds_from(centers, *[s for _, s in items], margin=0.15)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    for ax, (label, samples) in zip(axes.ravel(), items):
        ax.scatter(samples[:, 0], samples[:, 1], s=3, c=FAKE_COLOR, alpha=0.6)
        ax.scatter(centers[:, 0], centers[:, 1], s=30, marker="x", c="black", linewidths=1.2)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_title(label, fontsize="small")
        ax.tick_params(labelsize="x-small")
    if title:
        fig.suptitle(title)
    return finish(fig, path)
