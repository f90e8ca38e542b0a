"""benchmarks/mnist_latent.py in fast mode (400 / 200 images, one epoch)."""
import runpy
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "mnist_latent.py"


def test_mnist_latent_fast_mode(tmp_path, capsys):
    module = runpy.run_path(str(SCRIPT), run_name="mnist_latent")
    (row,) = module["main"](["--fast", "--dims", "2", "--out", str(tmp_path)])
    assert (tmp_path / "mnist_latent_samples_q2.png").stat().st_size > 1000
    assert all(np.isfinite(v) for v in row.values())
    # The dequantised pixels are in their byte cells: (k + u) / 256 for the byte k.
    (X_train, _), (B_train, _) = module["prepare_data"](module["latent_comparison"](), 50, 10)
    from scratchgen.datasets import load_mnist
    k = np.rint(load_mnist("train", return_X_y=True)[0][:50] * 255)
    assert np.all((X_train >= k / 256) & (X_train < (k + 1) / 256))
    assert set(np.unique(B_train)) <= {0.0, 1.0}
    # A probability of binary images is at most 1 (log <= 0); after one epoch the Bernoulli
    # VAE already beats coin flips on every pixel (784 log 1/2 = -543.4 nats).
    assert -784 * np.log(2) < row["ll_vae_binarised"] < 0
    assert row["ll_vae_iwae"] > row["ll_vae_elbo"]     # K = 5 bound above the ELBO on average
    assert "Burda" in capsys.readouterr().out
