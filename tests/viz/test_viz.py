"""scratchgen.viz: each figure is saved as a PNG of the expected pixel size, is not blank,
and bad inputs raise ValueError. Small dpi keeps the whole file fast."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

import scratchgen as sg
from scratchgen import viz
from scratchgen.viz.curves import _moving_average

DPI = 40
RNG = np.random.default_rng(0)
POINTS = RNG.normal(size=(60, 2))
CHAIN = np.cumsum(RNG.normal(size=(120, 2, 2)), axis=0)
RING = 2.0 * np.c_[np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)]


def std_normal_log_prob(p):
    return -0.5 * (p ** 2).sum(axis=1) - np.log(2 * np.pi)


def check_png(path, width, height):
    img = imread(path)
    assert img.shape[:2] == (height, width)  # exact pixel size: figsize * dpi
    assert img[..., :3].var() > 0  # not a blank canvas
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []  # atomic save left nothing


FIGURES = {
    # name: (call(path), expected (width, height) in pixels)
    "density_contour": (lambda p: viz.density_contour(std_normal_log_prob, POINTS, dpi=DPI, path=p), (200, 160)),
    "density_bounds_only": (lambda p: viz.density_contour(std_normal_log_prob, bounds=((-3, 3), (-2, 2)),
                                                          log_scale=True, dpi=DPI, path=p), (200, 160)),
    "scatter_samples": (lambda p: viz.scatter_samples(POINTS, POINTS + 1, dpi=DPI, path=p), (200, 200)),
    "latent_scatter": (lambda p: viz.latent_scatter(POINTS, np.arange(60) % 3, dpi=DPI, path=p), (200, 160)),
    "latent_continuous": (lambda p: viz.latent_scatter(POINTS, POINTS[:, 0], dpi=DPI, path=p), (200, 160)),
    "ring": (lambda p: viz.ring_samples_over_training([(0, POINTS * 0.1), (100, RING + 0.01)], RING,
                                                      panel_size=2.0, dpi=DPI, path=p), (160, 80)),
    "trace_plot": (lambda p: viz.trace_plot(CHAIN, names=["a", "b"], width=5.0, row_height=2.0, dpi=DPI, path=p),
                   (200, 160)),
    "autocorrelation_plot": (lambda p: viz.autocorrelation_plot(CHAIN, 30, width=5.0, row_height=2.0, dpi=DPI,
                                                                path=p), (200, 160)),
    "image_grid": (lambda p: viz.image_grid(RNG.random((10, 64)), 2, 5, (8, 8), cell_size=1.0, dpi=DPI, path=p),
                   (200, 80)),
    # row labels add 1.4 inches on the left: (5 + 1.4) x 2 inches
    "image_grid_row_labels": (lambda p: viz.image_grid(RNG.random((10, 64)), 2, 5, (8, 8), cell_size=1.0,
                                                       row_labels=["real", "VAE"], dpi=DPI, path=p), (256, 80)),
    # 4 samples in 1 row per model, 2 models: (4 * 0.55 + 3.0) x (2 * (0.5 + 0.35) + 0.1) inches.
    "samples_with_class_histograms": (lambda p: viz.samples_with_class_histograms(
        [("top", RNG.random((4, 64)), np.arange(10)), ("bottom", RNG.random((5, 64)), np.eye(10)[3])],
        image_shape=(8, 8), ncols=4, sample_rows=1, dpi=DPI, path=p), (208, 72)),
    "loss_curves": (lambda p: viz.loss_curves({"d_loss": list(RNG.random(50)), "g_loss": list(1 + RNG.random(40))},
                                              smooth=5, figsize=(5, 4), dpi=DPI, path=p), (200, 160)),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_is_saved_with_expected_size_and_is_not_blank(name, tmp_path):
    make, (width, height) = FIGURES[name]
    path = tmp_path / f"{name}.png"
    fig = make(path)
    assert isinstance(fig, Figure)
    check_png(path, width, height)


def test_tensors_and_chain_objects_are_accepted(tmp_path):
    class Chains:  # the emcee / sg.mcmc interface
        def get_chain(self):
            return CHAIN

    viz.trace_plot(Chains(), dpi=DPI, path=tmp_path / "t.png")
    viz.scatter_samples(sg.tensor(POINTS), sg.tensor(POINTS), dpi=DPI, path=tmp_path / "s.png")
    viz.density_contour(lambda p: sg.tensor(std_normal_log_prob(p)), POINTS, grid_size=20, dpi=DPI)
    assert viz.trace_plot(CHAIN[:, 0, 0], dpi=DPI) is not None  # 1-D: one chain, one parameter
    viz.autocorrelation_plot(CHAIN[:20], dpi=DPI)  # default max_lag adapts to a short chain: min(50, 19)


BAD_INPUTS = {
    "contour X 3 columns": lambda: viz.density_contour(std_normal_log_prob, np.zeros((5, 3))),
    "contour no X no bounds": lambda: viz.density_contour(std_normal_log_prob),
    "contour bad bounds": lambda: viz.density_contour(std_normal_log_prob, bounds=((1, 0), (0, 1))),
    "contour fn wrong shape": lambda: viz.density_contour(lambda p: p, POINTS),
    "contour fn all -inf": lambda: viz.density_contour(lambda p: np.full(len(p), -np.inf), POINTS),
    "scatter real 1-D": lambda: viz.scatter_samples(np.zeros(5), POINTS),
    "scatter fake empty": lambda: viz.scatter_samples(POINTS, np.zeros((0, 2))),
    "latent 5-D": lambda: viz.latent_scatter(np.zeros((5, 5))),
    "latent labels length": lambda: viz.latent_scatter(POINTS, np.zeros(3)),
    "ring centers 3-D": lambda: viz.ring_samples_over_training({0: POINTS}, np.zeros((8, 3))),
    "ring no snapshots": lambda: viz.ring_samples_over_training({}, RING),
    "ring samples shape": lambda: viz.ring_samples_over_training([(0, np.zeros((4, 4)))], RING),
    "trace 4-D": lambda: viz.trace_plot(np.zeros((5, 2, 2, 2))),
    "trace names": lambda: viz.trace_plot(CHAIN, names=["only one"]),
    "trace too many dims": lambda: viz.trace_plot(np.zeros((5, 1, 40))),
    "acf max_lag too big": lambda: viz.autocorrelation_plot(CHAIN, 120),
    "acf max_lag zero": lambda: viz.autocorrelation_plot(CHAIN, 0),
    "acf one step": lambda: viz.autocorrelation_plot(CHAIN[:1]),
    "grid wrong pixels": lambda: viz.image_grid(np.zeros((4, 63)), 2, 2),
    "grid too many": lambda: viz.image_grid(np.zeros((5, 64)), 2, 2),
    "grid bad nrows": lambda: viz.image_grid(np.zeros((4, 64)), 0, 2),
    "grid 3-D wrong shape": lambda: viz.image_grid(np.zeros((4, 7, 8)), 2, 2),
    "histograms too few samples": lambda: viz.samples_with_class_histograms(
        [("a", np.zeros((3, 64)), np.ones(10))], image_shape=(8, 8), ncols=4, sample_rows=1),
    "histograms bad counts": lambda: viz.samples_with_class_histograms(
        [("a", np.zeros((4, 64)), np.ones(9))], image_shape=(8, 8), ncols=4, sample_rows=1),
    "loss empty": lambda: viz.loss_curves({}),
    "loss 2-D values": lambda: viz.loss_curves({"a": [[1, 2], [3, 4]]}),
    "loss log of negative": lambda: viz.loss_curves({"a": [1.0, -1.0]}, log_y=True),
    "loss not numbers": lambda: viz.loss_curves({"a": ["x", "y"]}),
    "figsize": lambda: viz.loss_curves({"a": [1.0]}, figsize=(0, 3)),
    "loss steps length": lambda: viz.loss_curves({"a": [1.0, 2.0]}, steps=[10]),
    "grid row labels": lambda: viz.image_grid(np.zeros((4, 64)), 2, 2, row_labels=["one"]),
    "loss only step": lambda: viz.loss_curves({"step": [10, 20]}),
}


# the message starts with the argument that was wrong
BAD_ARGUMENT = {
    "contour fn wrong shape": "log_prob_fn", "contour fn all -inf": "log_prob_fn", "contour no X no bounds":
    "density_contour", "contour X 3 columns": "X", "contour bad bounds": "bounds", "scatter real 1-D": "real",
    "scatter fake empty": "fake", "latent 5-D": "Z", "latent labels length": "labels", "ring centers 3-D": "centers",
    "ring no snapshots": "snapshots", "ring samples shape": "snapshots", "trace 4-D": "chain", "trace names": "names",
    "trace too many dims": "chain", "acf max_lag too big": "max_lag", "acf max_lag zero": "max_lag", "acf one step": "chain",
    "grid wrong pixels": "images", "grid too many": "images", "grid bad nrows": "nrows", "grid 3-D wrong shape":
    "images", "loss empty": "history", "loss 2-D values": "history", "loss log of negative": "history",
    "loss not numbers": "history", "figsize": "figsize", "loss steps length": "history", "grid row labels": "row_labels",
    "loss only step": "history",
    "histograms too few samples": "rows", "histograms bad counts": "rows",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_raise_value_error_naming_the_argument(name):
    with pytest.raises(ValueError, match=f"^{BAD_ARGUMENT[name]}"):
        BAD_INPUTS[name]()


def test_autocorrelation_matches_the_direct_sum():
    x = RNG.normal(size=37).cumsum()
    d = x - x.mean()
    # rho_k = sum_t d_t d_{t+k} / sum_t d_t^2, written as a plain loop
    direct = [sum(d[t] * d[t + k] for t in range(len(d) - k)) / (d @ d) for k in range(11)]
    np.testing.assert_allclose(viz.autocorrelation(x, 10), direct, rtol=1e-10, atol=1e-12)
    # alternating +-1: rho_1 = -(n - 1) / n exactly
    alt = np.tile([1.0, -1.0], 10)
    assert viz.autocorrelation(alt, 1)[1] == pytest.approx(-19 / 20)
    np.testing.assert_array_equal(viz.autocorrelation(np.ones(5), 2), [1.0, 0.0, 0.0])


def test_tile_images_places_image_i_at_row_i_div_ncols():
    imgs = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    mosaic = viz.tile_images(imgs, 2, 2, pad=1)
    assert mosaic.shape == (5, 5)
    np.testing.assert_array_equal(mosaic[0:2, 3:5], imgs[1])
    np.testing.assert_array_equal(mosaic[3:5, 0:2], imgs[2])
    assert np.isnan(mosaic[3:5, 3:5]).all() and np.isnan(mosaic[2]).all()


def test_loss_curves_are_drawn_against_the_recorded_step():
    # records every 10th step of 1,500 (as the run folders and GAN.history keep them):
    # the x axis must reach 1,500, not the record index 150
    steps = list(range(10, 1501, 10))
    for fig in (viz.loss_curves({"step": steps, "loss_d": list(RNG.random(150))}, dpi=DPI),
                viz.loss_curves({"loss_d": list(RNG.random(150))}, steps=steps, dpi=DPI)):
        (line,) = fig.axes[0].get_lines()
        np.testing.assert_array_equal(line.get_xdata(), steps)
        assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["loss_d"]
    (line,) = viz.loss_curves({"a": [3.0, 1.0, 2.0]}, dpi=DPI).axes[0].get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])  # no steps recorded: the index


def test_ring_panels_are_titled_by_step_or_by_the_given_text():
    fig = viz.ring_samples_over_training([(400, RING), ("iteration 800\nnearest mode 3", RING)], RING, dpi=DPI)
    assert [ax.get_title() for ax in fig.axes] == ["step 400", "iteration 800\nnearest mode 3"]


def test_image_grid_row_labels_sit_at_the_row_centres():
    fig = viz.image_grid(RNG.random((6, 64)), 2, 3, (8, 8), row_labels=["top", "bottom"], dpi=DPI)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["top", "bottom"]
    np.testing.assert_allclose(ax.get_yticks(), [3.5, 12.5])  # rows of 8 pixels, 1 pixel of padding


def test_moving_average_matches_a_loop():
    y = RNG.random(12)
    expected = [y[max(0, i - 3):i + 1].mean() for i in range(12)]
    np.testing.assert_allclose(_moving_average(y, 4), expected)


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "fig.png"
    path.write_bytes(b"old")
    fig = viz.new_figure((2, 2), DPI)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        viz.save_figure(fig, path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png"]
