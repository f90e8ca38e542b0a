"""Image grids: samples of a generative model on the 8x8 digits (or MNIST) at a glance."""
from __future__ import annotations

import numpy as np

from scratchgen.viz._common import as_array, finish, new_figure

__all__ = ["image_grid", "tile_images", "samples_with_class_histograms"]


def tile_images(images: np.ndarray, nrows: int, ncols: int, pad: int = 1) -> np.ndarray:
    """Tile ``images`` ``(n, h, w)`` into one ``(nrows*(h+pad)-pad, ncols*(w+pad)-pad)`` mosaic.

    Image i goes to row ``i // ncols``, column ``i % ncols``; padding and empty
    cells are NaN (drawn as background).
    """
    n, h, w = images.shape
    mosaic = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), np.nan)
    for i in range(n):
        r, c = divmod(i, ncols)
        mosaic[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = images[i]
    return mosaic


def image_grid(
    images,
    nrows: int,
    ncols: int,
    image_shape: tuple[int, int] = (8, 8),
    *,
    cmap: str = "gray_r",
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
    cell_size: float = 0.6,
    row_labels=None,
    dpi: int = 100,
    path=None,
):
    """A grid of grey-scale images.

    ``images``: ``(n, h*w)`` flat rows (the digits' layout) or ``(n, h, w)``,
    with ``n <= nrows * ncols`` (empty cells stay blank); ``image_shape`` is
    ``(h, w)``. One colour scale for all images (``vmin``/``vmax``, default:
    the data's range) so that samples can be compared. The figure is
    ``ncols * cell_size`` by ``nrows * cell_size`` inches (plus the title).
    ``row_labels``: one name per row ("PCA", "VAE", ...), written left of the
    row; the figure is then 1.4 inches wider.
    """
    for name, v in (("nrows", nrows), ("ncols", ncols)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: expected a positive int, got {v!r}")
    if len(image_shape) != 2 or min(image_shape) < 1:
        raise ValueError(f"image_shape: expected (height, width), got {image_shape!r}")
    h, w = (int(s) for s in image_shape)
    arr = as_array(images, "images")
    if arr.ndim == 2 and arr.shape[1] == h * w:
        arr = arr.reshape(len(arr), h, w)
    if arr.ndim != 3 or arr.shape[1:] != (h, w) or len(arr) == 0:
        raise ValueError(
            f"images: expected shape (n, {h * w}) or (n, {h}, {w}) for image_shape={image_shape}, got {arr.shape}"
        )
    if len(arr) > nrows * ncols:
        raise ValueError(f"images: {len(arr)} images do not fit a {nrows}x{ncols} grid")
    if row_labels is not None and (isinstance(row_labels, str) or len(row_labels) != nrows):
        raise ValueError(f"row_labels: expected {nrows} names (one per row), got {row_labels!r:.80}")
    mosaic = tile_images(arr, nrows, ncols)
    fig = new_figure((ncols * cell_size + (1.4 if row_labels is not None else 0.0),
                      nrows * cell_size + (0.3 if title else 0.0)), dpi)
    ax = fig.add_subplot()
    lo = np.nanmin(arr) if vmin is None else vmin
    hi = np.nanmax(arr) if vmax is None else vmax
    ax.imshow(mosaic, cmap=cmap, vmin=lo, vmax=hi if hi > lo else lo + 1.0, interpolation="nearest")
    ax.set_facecolor("white")
    if row_labels is None:
        ax.set_axis_off()
    else:  # keep the y axis for the labels only: constrained layout then leaves room for them
        ax.set_xticks([])
        ax.set_yticks(np.arange(nrows) * (h + 1) + (h - 1) / 2, [str(r) for r in row_labels], fontsize="small")
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize="small")
    return finish(fig, path)


def samples_with_class_histograms(rows, image_shape=(28, 28), ncols=12, sample_rows=2,
                                  n_classes=10, title=None, dpi=100, path=None):
    """The lecture's mode-collapse figure: one row of samples per model, and its class shares.

    rows: a list of ``(label, samples, counts)``: the row's label (e.g. "top:
    well-trained variant (WGAN-GP)"), at least ``ncols * sample_rows``
    samples (n, h*w), and the number of samples per predicted class
    (n_classes,). Left: the first ``ncols * sample_rows`` samples; right: a
    bar chart of the class shares, with the uniform share 1/n_classes dashed.
    """
    h, w = (int(s) for s in image_shape)
    n_show = ncols * sample_rows
    fig = new_figure((ncols * 0.55 + 3.0, len(rows) * (0.5 * sample_rows + 0.35)
                      + (0.35 if title else 0.1)), dpi)
    grid = fig.add_gridspec(len(rows), 2, width_ratios=[ncols * 0.55, 2.4], wspace=0.12,
                            hspace=0.45)
    for r, (label, samples, counts) in enumerate(rows):
        arr = as_array(samples, "samples")[:n_show].reshape(-1, h, w)
        if len(arr) < n_show:
            raise ValueError(f"rows[{r}]: needs at least {n_show} samples, got {len(arr)}")
        ax = fig.add_subplot(grid[r, 0])
        ax.imshow(tile_images(arr, sample_rows, ncols), cmap="gray_r", vmin=0.0, vmax=1.0,
                  interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(label, fontsize="small", loc="left")
        counts = np.asarray(counts, dtype=float)
        if counts.shape != (n_classes,):
            raise ValueError(f"rows[{r}]: counts must have shape ({n_classes},), got {counts.shape}")
        bars = fig.add_subplot(grid[r, 1])
        bars.bar(np.arange(n_classes), counts / max(counts.sum(), 1.0), color="0.35")
        bars.axhline(1.0 / n_classes, color="0.6", linestyle="--", linewidth=0.8)
        bars.set_ylim(0, 1)
        bars.set_xticks(np.arange(n_classes))
        bars.tick_params(labelsize=6, length=2)
        bars.set_ylabel("share", fontsize=6)
    if title:
        fig.suptitle(title, fontsize="small")
    return finish(fig, path)
