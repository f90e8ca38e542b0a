"""Shared pieces of scratchgen.viz: figures without pyplot, atomic saving, input checks.

Figures are ``matplotlib.figure.Figure`` objects with an Agg canvas attached
directly: no pyplot, no global figure registry, no display needed, and no
backend switch that could surprise a caller who uses pyplot themselves.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["new_figure", "save_figure", "finish"]


def new_figure(figsize: tuple[float, float] = (5.0, 4.0), dpi: int = 100) -> Figure:
    """A Figure of ``figsize`` inches at ``dpi`` (so ``figsize * dpi`` pixels), with an Agg canvas."""
    if len(figsize) != 2 or min(figsize) <= 0:
        raise ValueError(f"figsize: expected (width, height) in inches, both > 0, got {figsize!r}")
    if not isinstance(dpi, (int, np.integer)) or dpi <= 0:
        raise ValueError(f"dpi: expected a positive int, got {dpi!r}")
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike) -> Path:
    """Save ``fig`` to ``path`` atomically (temp file in the same folder, then ``os.replace``).

    The format comes from the suffix (``.png``, ``.pdf``, ``.svg``); the pixel
    size of a PNG is exactly ``figsize * dpi`` (no tight bounding box).
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # a unique name in the same folder (so os.replace is atomic); open() keeps the usual permissions
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:
            fig.savefig(f, format=fmt, dpi=fig.dpi)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def finish(fig: Figure, path: str | os.PathLike | None) -> Figure:
    """Save when a path is given; return the figure either way."""
    if path is not None:
        save_figure(fig, path)
    return fig


def as_array(x, name: str) -> np.ndarray:
    """A float64 ndarray from an array, list or scratchgen Tensor (``.numpy()``)."""
    if not isinstance(x, np.ndarray) and hasattr(x, "numpy"):
        x = x.numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected an array of numbers, got {type(x).__name__} ({exc})") from exc


def as_points(x, name: str, dim: int = 2, hint: str = "") -> np.ndarray:
    """An ``(n, dim)`` float array with n >= 1, or ValueError naming ``name`` and the shape seen."""
    arr = as_array(x, name)
    if arr.ndim != 2 or arr.shape[1] != dim or arr.shape[0] == 0:
        hint = f" ({hint})" if hint and arr.ndim == 2 and arr.shape[1] > dim else ""
        raise ValueError(f"{name}: expected shape (n, {dim}) with n >= 1, got {arr.shape}{hint}")
    return arr


def bounds_from(*arrays: np.ndarray, margin: float = 0.1) -> tuple[tuple[float, float], tuple[float, float]]:
    """((xmin, xmax), (ymin, ymax)) around the finite points of ``arrays``, widened by ``margin``."""
    pts = np.concatenate([a[np.all(np.isfinite(a), axis=1)] for a in arrays])
    if len(pts) == 0:
        raise ValueError("cannot choose plot bounds: no finite points")
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * margin, 1e-3)
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def check_bounds(bounds, name: str = "bounds") -> tuple[tuple[float, float], tuple[float, float]]:
    arr = as_array(bounds, name)
    if arr.shape != (2, 2) or not np.all(np.isfinite(arr)) or np.any(arr[:, 1] <= arr[:, 0]):
        raise ValueError(f"{name}: expected ((xmin, xmax), (ymin, ymax)) with min < max, got {bounds!r}")
    return (float(arr[0, 0]), float(arr[0, 1])), (float(arr[1, 0]), float(arr[1, 1]))
