"""Latent models on MNIST: reconstruction error and test log-likelihood (nats per image).

The 8x8 comparison of ``examples/latent_comparison.py`` (whose functions
this script calls: ``dequantize``, ``compare``, ``save_samples``,
``format_table``), on the MNIST split of ``datasets.load_mnist`` (8,000
training / 2,000 test images, 784 pixels):

* PCA and probabilistic PCA (exact log-likelihood);
* an MLP autoencoder with a Gaussian and a mixture prior fitted to its
  training codes (reconstruction error and samples; no likelihood: a prior
  on codes is no density of x without a decoder noise model);
* a VAE with a Gaussian decoder N(D(z), s^2 I), log-likelihood by the
  importance-weighted bound with K = 1000 (Burda et al. 2016), and its ELBO.

Dequantised pixels. MNIST pixels are bytes k/255; every model is fitted to
and evaluated on x = (k + u) / 256, u ~ U(0, 1) drawn once (seed 0), a
continuous density on [0, 1]^784 (Theis et al. 2016). Its log-density
bounds the probability of the byte image: log P(k) >= log p(x) - 784 log 256
= log p(x) - 4347.4 nats; the table gives both.

Anchor, and why ours differs. Burda, Grosse and Salakhutdinov (2016, Table
1) report about -85 to -87 nats for VAEs on MNIST (-86.76 for one
stochastic layer, -85.33 for two; K = 5000), but on *binarised* images
(each pixel 0 or 1) with the full 60,000-image training set: a probability
of 784 bits, not a density of 784 bytes, so those numbers are on another
scale from the dequantised ones. For a direct comparison the script also
fits a Bernoulli VAE to stochastically binarised images (each pixel 1 with
probability its intensity, drawn once) of our 8,000 training images and
reports its K = 1000 bound on the binarised test images: same units as
Burda et al.; worse by the smaller training set and smaller network.

Run: ``python benchmarks/mnist_latent.py [--dims 8] [--seeds 0,1,2]``
(``--fast``: small subsets, few epochs, for the test suite).
"""
KIND = "study"  # trains to a result; scratchgen bench runs it only when named

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from scratchgen import apply_thread_policy, datasets  # noqa: E402

apply_thread_policy()  # the one policy (scratchgen/threads.py): SCRATCHGEN_NUM_THREADS, else 1 BLAS thread
from scratchgen.latent import VAE  # noqa: E402

# The networks and epochs of lecture 03's MNIST section (784-256-q, Adam 1e-3, 20 epochs).
FULL = dict(epochs=20, hidden=(256,), lr=1e-3, k=1000, n_components=10)
FAST = dict(epochs=1, hidden=(32,), lr=3e-3, k=5, n_components=3)
DISCRETE_NATS = 784 * np.log(256.0)  # log-density -> bound on log P of the byte image


def latent_comparison():
    """examples/latent_comparison.py as a module (the one home of the comparison)."""
    spec = importlib.util.spec_from_file_location("latent_comparison",
                                                  ROOT / "examples" / "latent_comparison.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare_data(lc, n_train=None, n_test=None, seed=0):
    """The MNIST split, dequantised once ((k + u) / 256) and binarised once (Bernoulli(x))."""
    X_train, _ = datasets.load_mnist("train", return_X_y=True)
    X_test, _ = datasets.load_mnist("test", return_X_y=True)
    X_train, X_test = X_train[:n_train].astype(np.float64), X_test[:n_test].astype(np.float64)
    rng = np.random.default_rng(seed)
    deq = [lc.dequantize(X, rng, levels=256) for X in (X_train, X_test)]
    binary = [(rng.uniform(size=X.shape) < X).astype(np.float64) for X in (X_train, X_test)]
    return deq, binary


def binarised_vae(q, X_train, X_test, config, seed):
    """A Bernoulli VAE on binarised images: test IWAE (K) in nats per binary image."""
    vae = VAE.mlp(X_train.shape[1], q, hidden=config["hidden"], likelihood="bernoulli", rng=seed)
    vae.fit(X_train, epochs=config["epochs"], lr=config["lr"], rng=seed)
    return float(vae.log_likelihood(X_test, k=config["k"], rng=seed).mean())


def summarise(rows, keys):
    """mean and std over seeds of each key, per q."""
    out = {}
    for q in sorted({r["q"] for r in rows}):
        rs = [r for r in rows if r["q"] == q]
        out[q] = {k: (float(np.mean([r[k] for r in rs])), float(np.std([r[k] for r in rs])))
                  for k in keys}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fast", action="store_true", help="small subsets, 1 epoch, small K")
    p.add_argument("--dims", type=int, nargs="+", default=[8])
    p.add_argument("--seeds", default="0", help="model seeds (the data and its dequantisation: 0)")
    p.add_argument("--out", default="benchmarks/out", help="folder for the figures and JSON")
    args = p.parse_args(argv)
    config = FAST if args.fast else FULL
    lc = latent_comparison()
    start, start_cpu = time.perf_counter(), time.process_time()
    n = (400, 200) if args.fast else (None, None)
    (X_train, X_test), (B_train, B_test) = prepare_data(lc, *n)
    print(f"MNIST, dequantised: train {X_train.shape}, test {X_test.shape}; config {config}",
          flush=True)
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for q in args.dims:
            row, samples = lc.compare(q, X_train, X_test, config, seed=seed)
            row["seed"] = seed
            row["ll_vae_binarised"] = binarised_vae(q, B_train, B_test, config, seed)
            rows.append(row)
            if seed == int(args.seeds.split(",")[0]):
                lc.save_samples(samples, q, args.out, dpi=50 if args.fast else 100,
                                name="mnist_latent")
            print(f"seed {seed} q={q}: PPCA {row['ll_ppca']:.0f}, VAE IWAE {row['ll_vae_iwae']:.0f}, "
                  f"binarised VAE {row['ll_vae_binarised']:.1f} nats", flush=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "mnist_latent.json"), "w") as f:
        json.dump({"config": config, "rows": rows}, f, indent=1)
    print(lc.format_table([r for r in rows if r["seed"] == rows[0]["seed"]], config["k"]))
    keys = ("mse_pca", "mse_ae", "mse_vae", "ll_ppca", "ll_vae_iwae", "ll_vae_elbo",
            "ll_vae_binarised")
    print(f"\nover seeds {args.seeds} (mean +- std; log-likelihoods in nats per image; "
          f"'bytes' = density - 784 log 256 = - {DISCRETE_NATS:.1f}, a lower bound on log P(bytes)):")
    print("| q | MSE/pixel PCA | AE | VAE | PPCA (density) | PPCA (bytes) | VAE IWAE (density) | "
          "VAE IWAE (bytes) | VAE ELBO | binarised VAE IWAE |")
    print("|" + "---|" * 10)
    for q, s in summarise(rows, keys).items():
        f = {k: f"{m:.4f} +- {sd:.4f}" if k.startswith("mse") else f"{m:.1f} +- {sd:.1f}"
             for k, (m, sd) in s.items()}
        print(f"| {q} | {f['mse_pca']} | {f['mse_ae']} | {f['mse_vae']} | {f['ll_ppca']} | "
              f"{s['ll_ppca'][0] - DISCRETE_NATS:.1f} | {f['ll_vae_iwae']} | "
              f"{s['ll_vae_iwae'][0] - DISCRETE_NATS:.1f} | {f['ll_vae_elbo']} | {f['ll_vae_binarised']} |")
    print("anchor: Burda et al. 2016, binarised MNIST, 60,000 training images: VAE -86.76 "
          "(one stochastic layer) to -85.33 (two), K = 5000")
    print(f"total time: {time.perf_counter() - start:.1f} s wall clock, "
          f"{time.process_time() - start_cpu:.1f} s CPU")
    return rows


if __name__ == "__main__":
    main()
