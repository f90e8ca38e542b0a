"""PCA, probabilistic PCA, an autoencoder and a VAE on the 8x8 digits.

For each latent dimension q (2 and 8) we fit, on the same training split:

* PCA (q components) and probabilistic PCA (its linear-Gaussian model);
* an MLP autoencoder (64-128-q-128-64, ReLU, MSE) and, on its training codes,
  a Gaussian and a 10-component Gaussian mixture as latent priors;
* a VAE with the same MLP shapes and a Gaussian decoder
  p(x | z) = N(D(z), s^2 I) with one learned s^2 (PPCA's noise model).

and report on the test split:

* reconstruction error: mean squared error per pixel of x_hat = D(E(x))
  (the VAE decodes its posterior mean);
* log-likelihood in nats per image (a continuous density of 64 pixels):
  exact for PPCA, the importance-weighted bound with K samples for the VAE
  (Burda et al. 2016; a lower bound in expectation, tight as K grows), and
  the VAE's ELBO (K = 1) for reference. The autoencoder has none: a prior
  on codes does not give p(x) without a noise model for the decoder.

Comparable likelihoods. The digits take 17 values k/16. A continuous density
on such data can grow without bound (pixels that are always 0 give
infinitely thin Gaussians), so every model is fitted to and evaluated on
*dequantised* digits x = (k + u) / 17 with u ~ U(0, 1) drawn once with a
fixed seed (Theis et al. 2016, "A note on the evaluation of generative
models"); the same arrays go to all models, so reconstruction errors are
comparable too. log p of the discrete image >= log-density - 64 log 17.

It also saves, per q, one figure with samples from PPCA, the autoencoder
with the Gaussian prior, with the mixture prior, and the VAE:
``figures/latent_comparison_samples_q{q}.png`` in the lecture folder.

Run: ``python examples/latent_comparison.py`` (``--fast`` for a quick check).
"""
import argparse
import os
import sys
import time
from pathlib import Path

# The matrices here are tiny (batches of 64 x 128): one BLAS thread is much
# faster than several that wait for each other, and on a busy machine
# multi-threaded BLAS can be 10-40x slower. Set before NumPy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from scratchgen import datasets, viz  # noqa: E402
from scratchgen.latent import PCA, VAE, Autoencoder, ProbabilisticPCA  # noqa: E402

LECTURE_FIGURES = (Path(__file__).resolve().parent.parent / "lectures"
                   / "lecture24_generative_modeling" / "figures")
FULL = dict(epochs=100, hidden=(128,), lr=2e-3, k=1000, n_components=10)
FAST = dict(epochs=8, hidden=(64,), lr=3e-3, k=20, n_components=4)


def dequantize(X, rng, levels=17):
    """(k + u) / levels for pixels X = k / (levels - 1), u ~ U(0, 1): (n, d) in (0, 1)."""
    counts = np.rint(X * (levels - 1))
    return (counts + rng.uniform(size=X.shape)) / levels


def prepare_data(seed=0):
    """The fixed split (20% test, stratified) of the dequantised digits."""
    digits = datasets.load_digits()
    X = dequantize(digits.data, np.random.default_rng(seed))
    return datasets.train_test_split(X, digits.target, test_size=0.2, rng=seed, stratify=True)


def mse(model, X):
    return float(np.mean((model.reconstruct(X) - X) ** 2))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def compare(q, X_train, X_test, config, seed=0):
    """Fit the four models with latent dimension q; return (row dict, samples dict).

    X_train, X_test: (n, d) dequantised images (d = 64 here; MNIST's 784 in
    ``benchmarks/mnist_latent.py``, which reuses this comparison).
    """
    d = X_train.shape[1]
    pca, t_pca = timed(lambda: PCA(q).fit(X_train))
    ppca = ProbabilisticPCA(q).fit(X_train)
    ae, t_ae = timed(lambda: Autoencoder.mlp(d, q, hidden=config["hidden"], rng=seed).fit(
        X_train, epochs=config["epochs"], lr=config["lr"], rng=seed))
    vae, t_vae = timed(lambda: VAE.mlp(d, q, hidden=config["hidden"], likelihood="gaussian",
                                       rng=seed).fit(X_train, epochs=config["epochs"],
                                                     lr=config["lr"], rng=seed))
    row = {
        "q": q,
        "mse_pca": mse(pca, X_test), "mse_ae": mse(ae, X_test), "mse_vae": mse(vae, X_test),
        "ll_ppca": ppca.score(X_test),
        "ll_vae_iwae": float(vae.log_likelihood(X_test, k=config["k"], rng=seed).mean()),
        "ll_vae_elbo": float(vae.elbo(X_test, rng=seed).data.mean()),
        "vae_noise_sd": float(np.exp(0.5 * vae.log_noise_var.data)),
        "ppca_noise_sd": float(np.sqrt(ppca.noise_variance_)),
        "time_pca": t_pca, "time_ae": t_ae, "time_vae": t_vae,
    }
    n = 40
    samples = {"PPCA (with its noise)": np.clip(ppca.sample(n, rng=seed), 0, 1)}
    samples["AE + Gaussian prior"] = ae.fit_prior("gaussian").sample(n, rng=seed)
    ae.fit_prior("mixture", n_components=config["n_components"], rng=seed)
    samples[f"AE + {config['n_components']}-component mixture prior"] = ae.sample(n, rng=seed)
    samples["VAE (decoder mean)"] = vae.sample(n, rng=seed)
    return row, samples


def save_samples(samples, q, out_dir, dpi=100, name="latent_comparison"):
    """One figure, one panel of 5 x 8 square images per model; returns the path."""
    fig = viz.new_figure((3.0 * len(samples), 2.4), dpi=dpi)
    for i, (title, images) in enumerate(samples.items()):
        ax = fig.add_subplot(1, len(samples), i + 1)
        side = int(round(np.sqrt(np.shape(images)[1])))
        mosaic = viz.tile_images(np.clip(images, 0, 1).reshape(-1, side, side), 5, 8)
        ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.suptitle(f"samples, latent dimension q = {q}")
    return viz.save_figure(fig, Path(out_dir) / f"{name}_samples_q{q}.png")


def format_table(rows, k):
    head = ("| q | test MSE/pixel: PCA | AE | VAE | test log-lik (nats/image): PPCA "
            f"| VAE IWAE K={k} | VAE ELBO | fit time (s): AE | VAE |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(f"| {r['q']} | {r['mse_pca']:.4f} | {r['mse_ae']:.4f} | {r['mse_vae']:.4f} "
                     f"| {r['ll_ppca']:.1f} | {r['ll_vae_iwae']:.1f} | {r['ll_vae_elbo']:.1f} "
                     f"| {r['time_ae']:.1f} | {r['time_vae']:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="few epochs, small K")
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 8])
    parser.add_argument("--out", default=os.environ.get("SCRATCHGEN_FIGURES_DIR")
                        or str(LECTURE_FIGURES), help="folder for the sample figures")
    args = parser.parse_args(argv)
    config = FAST if args.fast else FULL
    start, start_cpu = time.perf_counter(), time.process_time()
    X_train, X_test, _, _ = prepare_data(seed=0)
    print(f"digits, dequantised: train {X_train.shape}, test {X_test.shape}; config {config}")
    rows = []
    for q in args.dims:
        row, samples = compare(q, X_train, X_test, config)
        rows.append(row)
        path = save_samples(samples, q, args.out, dpi=50 if args.fast else 100)
        print(f"q={q}: saved {path}; noise sd: PPCA {row['ppca_noise_sd']:.3f}, "
              f"VAE {row['vae_noise_sd']:.3f}")
    print(format_table(rows, config["k"]))
    beats = all(r["mse_ae"] < r["mse_pca"] for r in rows)
    print(f"autoencoder beats PCA in test reconstruction at every q: {beats}")
    print(f"total time: {time.perf_counter() - start:.1f} s wall clock, "
          f"{time.process_time() - start_cpu:.1f} s CPU")
    return rows


if __name__ == "__main__":
    rows = main()
    sys.exit(0 if all(r["mse_ae"] < r["mse_pca"] for r in rows) else 1)
