"""examples/latent_comparison.py in fast mode: the table's numbers and the sample figure."""
import runpy
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "latent_comparison.py"


def test_comparison_fast_mode(tmp_path, capsys):
    module = runpy.run_path(str(SCRIPT), run_name="latent_comparison")
    rows = module["main"](["--fast", "--dims", "2", "--out", str(tmp_path)])
    (row,) = rows
    assert (tmp_path / "latent_comparison_samples_q2.png").stat().st_size > 1000
    # Even the 8-epoch autoencoder beats PCA's linear code at q = 2 (the full
    # run checks q = 2 and 8 and exits non-zero otherwise).
    assert row["mse_ae"] < row["mse_pca"]
    # PPCA's q = 2 error is the PCA projection's; all numbers are finite.
    assert all(np.isfinite(v) for v in row.values())
    # The IWAE bound with K = 20 is above the one-draw ELBO on average over
    # 359 test images (Burda et al. 2016, theorem 1).
    assert row["ll_vae_iwae"] > row["ll_vae_elbo"]
    out = capsys.readouterr().out
    assert "| q | test MSE/pixel" in out and "total time" in out


def test_dequantize_stays_in_the_pixel_cells():
    module = runpy.run_path(str(SCRIPT), run_name="latent_comparison")
    X = np.arange(17)[None, :] / 16.0
    D = module["dequantize"](np.repeat(X, 50, axis=0), np.random.default_rng(0))
    # pixel k/16 goes to ((k + u)/17) in [k/17, (k+1)/17)
    k = np.arange(17)
    assert np.all((D >= k / 17) & (D < (k + 1) / 17))
