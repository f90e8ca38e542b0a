"""scratchgen.viz: the figures of the lecture, as matplotlib Figures (Agg, no pyplot, no display).

Every function returns a ``matplotlib.figure.Figure``; with ``path=...`` it
also saves it atomically (PNG of exactly ``figsize * dpi`` pixels)::

    from scratchgen import viz
    viz.density_contour(model.score_samples, X, path="density.png")
    viz.trace_plot(chains, path="trace.png")
    viz.image_grid(samples, 4, 8, image_shape=(8, 8), path="samples.png")

* 2-D: :func:`density_contour`, :func:`scatter_samples`, :func:`latent_scatter`,
  :func:`ring_samples_over_training`
* chains: :func:`trace_plot`, :func:`autocorrelation_plot`, :func:`autocorrelation`
* images: :func:`image_grid`, :func:`samples_with_class_histograms` (mode collapse);
  training: :func:`loss_curves`
* :func:`save_figure` (atomic), :func:`new_figure`
"""
from scratchgen.viz._common import new_figure, save_figure
from scratchgen.viz.chains import autocorrelation, autocorrelation_plot, trace_plot
from scratchgen.viz.curves import loss_curves
from scratchgen.viz.images import image_grid, samples_with_class_histograms, tile_images
from scratchgen.viz.scatter import density_contour, latent_scatter, ring_samples_over_training, scatter_samples

__all__ = [
    "density_contour",
    "scatter_samples",
    "latent_scatter",
    "ring_samples_over_training",
    "trace_plot",
    "autocorrelation_plot",
    "autocorrelation",
    "image_grid",
    "tile_images",
    "samples_with_class_histograms",
    "loss_curves",
    "save_figure",
    "new_figure",
]
