# %% [markdown]
# # Lecture 24, part 3: latent codes. PCA, autoencoders, VAEs
#
# The second answer to "how do we sample from p(x)?": find a low-dimensional
# code z for every x, with an encoder z = E(x) and a decoder x ~ D(z) such
# that D(E(x)) is close to x. Then *sample a code and decode it*. That only
# works if we know which codes are typical, so the lecture's question is:
#
#     what is the appropriate latent distribution p(z)?
#
# Three answers, in order: PCA (a linear code; its probabilistic version
# PPCA has a Gaussian p(z) and an exact p(x)), an autoencoder (a nonlinear
# code; we fit a density to the codes *after* training), and the VAE (the
# encoder is trained so that the codes follow p(z) = N(0, I)).
#
# Run as plain Python (`python 03_latent_models.py`); figures go to
# `figures/`. `SCRATCHGEN_FAST=1` runs a smaller version in a few seconds;
# `SCRATCHGEN_FIGURES_DIR=<folder>` saves the figures elsewhere. The numbers
# of the full comparison (latent dimensions 2 and 8, log-likelihoods) come
# from `examples/latent_comparison.py`.

# %%
import os
from pathlib import Path

import numpy as np  # noqa: E402

from scratchgen import apply_thread_policy, datasets, viz  # noqa: E402
from scratchgen.latent import PCA, VAE, Autoencoder, ProbabilisticPCA  # noqa: E402
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
epochs = 3 if FAST else 60
hidden = (32,) if FAST else (128,)
n_mixture = 4 if FAST else 10
dpi = 100

digits = datasets.load_digits()
X_train, X_test, y_train, y_test = datasets.train_test_split(
    digits.data, digits.target, test_size=0.2, rng=0, stratify=True)
print(f"digits: train {X_train.shape}, test {X_test.shape}, pixels in [0, 1]")


def mse(model, X):
    """Mean squared reconstruction error per pixel."""
    return float(np.mean((model.reconstruct(X) - X) ** 2))


# %% [markdown]
# ## 1. PCA: the best linear code
#
# Centre the data and take its SVD, X - mean = U S V^T. The code is
# z = (x - mean) V_q and the reconstruction x_hat = z V_q^T + mean: no
# linear encoder/decoder pair with q dimensions reconstructs better in
# squared error (Eckart-Young). `explained_variance_ratio_` says how much
# of the variance the first q directions keep.

# %%
pca2 = PCA(2).fit(X_train)
pca_full = PCA(20).fit(X_train)
share = np.cumsum(pca_full.explained_variance_ratio_)
print("variance kept by q = 2, 8, 20 components:",
      ", ".join(f"{share[q - 1]:.2f}" for q in (2, 8, 20)))
print(f"PCA q=2: test MSE/pixel {mse(pca2, X_test):.4f}")

# %% [markdown]
# Probabilistic PCA (Tipping & Bishop 1999) turns this into a density:
# z ~ N(0, I), x = W z + mu + noise with noise ~ N(0, sigma^2 I), so
# x ~ N(mu, W W^T + sigma^2 I). The MLE is closed form: sigma^2 is the mean
# variance of the discarded directions. Its log-likelihood is exact,
# computed in O(d q^2) with the Woodbury identity.

# %%
ppca2 = ProbabilisticPCA(2).fit(X_train)
print(f"PPCA q=2: sigma = {np.sqrt(ppca2.noise_variance_):.3f}, "
      f"test log-likelihood {ppca2.score(X_test):.2f} nats/image")

# %% [markdown]
# ## 2. An autoencoder: a nonlinear code
#
# Encoder 64 -> hidden -> 2 and decoder 2 -> hidden -> 64 (ReLU MLPs),
# trained with Adam on the mean squared reconstruction error. With the
# same two numbers per image it reconstructs better than PCA.

# %%
ae = Autoencoder.mlp(64, 2, hidden=hidden, rng=0).fit(X_train, epochs=epochs, lr=2e-3, rng=0)
print(f"autoencoder q=2: train loss {ae.history_[0]:.4f} -> {ae.history_[-1]:.4f}; "
      f"test MSE/pixel {mse(ae, X_test):.4f} (PCA {mse(pca2, X_test):.4f})")

# %% [markdown]
# ## 3. The VAE: make the codes follow N(0, I)
#
# The encoder outputs a Gaussian q(z | x) = N(mu(x), diag sigma^2(x)); we
# draw z = mu + sigma * eps with eps ~ N(0, I) (the reparameterisation
# trick: the noise does not depend on the weights, so gradients flow
# through mu and sigma), decode with a Bernoulli likelihood for pixels in
# [0, 1], and maximise the ELBO
#
#     ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || N(0, I)) <= log p(x),
#     KL = 1/2 sum_j (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2).
#
# The KL term pulls every code distribution towards N(0, I): that is what
# makes "sample z ~ N(0, I), decode" work afterwards.

# %%
vae = VAE.mlp(64, 2, hidden=hidden, likelihood="bernoulli", rng=0).fit(
    X_train, epochs=epochs, lr=2e-3, rng=0)
print(f"VAE q=2: -ELBO {vae.history_[0]:.1f} -> {vae.history_[-1]:.1f} nats/image; "
      f"test MSE/pixel {mse(vae, X_test):.4f}")

# %% [markdown]
# ## 4. What do the codes look like?
#
# The 2-D codes of the test digits, coloured by digit. PCA's classes
# overlap; the autoencoder separates them but its codes sit anywhere, in
# elongated clusters of its own scale; the VAE's codes fill a round blob
# around 0 of radius ~2, as N(0, I) asks.

# %%
codes = {"PCA": pca2.transform(X_test), "autoencoder": ae.encode(X_test),
         "VAE (posterior means)": vae.encode(X_test)}
fig = viz.new_figure((13.0, 4.0), dpi=dpi)
for i, (name, Z) in enumerate(codes.items()):
    ax = fig.add_subplot(1, 3, i + 1)
    points = ax.scatter(Z[:, 0], Z[:, 1], c=y_test, cmap="tab10", s=6, vmin=-0.5, vmax=9.5)
    ax.set_title(name)
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
fig.colorbar(points, ax=fig.axes, ticks=range(10), label="digit")
viz.save_figure(fig, FIGURES / "03_latent_scatter.png")

# %% [markdown]
# ## 5. Reconstructions
#
# Rows: test digits, then their reconstructions through 2 numbers by PCA,
# the autoencoder and the VAE.

# %%
originals = X_test[:12]
rows = [originals, pca2.reconstruct(originals), ae.reconstruct(originals),
        vae.reconstruct(originals)]
viz.image_grid(np.clip(np.concatenate(rows), 0, 1), nrows=4, ncols=12, vmin=0, vmax=1,
               title="test digits and their reconstructions through q = 2 numbers", dpi=dpi,
               row_labels=["test digit", "PCA", "autoencoder", "VAE"],
               path=FIGURES / "03_reconstructions.png")

# %% [markdown]
# ## 6. Sampling: the latent distribution matters
#
# An autoencoder has no p(z). Fit one to its training codes
# (`fit_prior`): one Gaussian also puts mass on the gaps between the
# clusters, a mixture of Gaussians follows the clusters. How much that
# matters is measured below rather than judged from a grid of 24 samples
# (where the two look alike): the share of prior draws that land *off the
# codes*, farther from every training code than 99% of the codes are from
# their nearest neighbour. Such draws decode to blends or to nothing the
# decoder was trained on. The naive choice, z ~ N(0, I) as if the codes
# were a VAE's, is the baseline: the autoencoder never asked its codes to
# look like N(0, I), so how many such draws land off the codes depends on
# where training happened to put them (the printout says; the naive grid
# uses the same z as the fitted Gaussian's, before its affine map). The VAE
# samples z ~ N(0, I) directly, because its KL term pulled its codes there. PPCA's samples are W z + mu + noise: blurry averages with
# pixel noise.

# %%
n = 24
samples = {"PPCA": np.clip(ppca2.sample(n, rng=1), 0, 1),
           "AE + Gaussian prior": ae.fit_prior("gaussian").sample(n, rng=1)}
ae.fit_prior("mixture", n_components=n_mixture, rng=0)
samples[f"AE + {n_mixture}-Gaussian mixture"] = ae.sample(n, rng=1)
naive_z = np.random.default_rng(1).standard_normal((n, ae.codes_.shape[1]))
samples["AE, naive z ~ N(0, I)"] = ae.decode(naive_z)
samples["VAE, z ~ N(0, I)"] = vae.sample(n, rng=1)
fig = viz.new_figure((15.0, 2.8), dpi=dpi)
for i, (name, images) in enumerate(samples.items()):
    ax = fig.add_subplot(1, len(samples), i + 1)
    ax.imshow(viz.tile_images(np.clip(images, 0, 1).reshape(-1, 8, 8), 4, 6),
              cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(name, fontsize=10)
    ax.axis("off")
viz.save_figure(fig, FIGURES / "03_samples.png")
print("log-likelihood of the AE codes under its priors (nats/code): Gaussian "
      f"{ae.fit_prior('gaussian').prior_.score(ae.codes_):.2f}, mixture "
      f"{ae.fit_prior('mixture', n_components=n_mixture, rng=0).prior_.score(ae.codes_):.2f}")


def off_the_codes(Z, codes):
    """Which rows of Z are farther from every code than 99% of codes are from their nearest other code."""
    nearest_other = np.sqrt(((codes[:, None] - codes[None]) ** 2).sum(-1))
    np.fill_diagonal(nearest_other, np.inf)
    cut = np.quantile(nearest_other.min(axis=1), 0.99)
    return np.sqrt(((Z[:, None] - codes[None]) ** 2).sum(-1)).min(axis=1) > cut


priors = {"one Gaussian": ae.fit_prior("gaussian").prior_,
          f"{n_mixture}-Gaussian mixture": ae.fit_prior("mixture", n_components=n_mixture, rng=0).prior_}


def standard_normal_log_prob(Z):
    """log N(z; 0, I) of rows (n, q)."""
    return -0.5 * (Z ** 2).sum(axis=1) - 0.5 * Z.shape[1] * np.log(2 * np.pi)


fig = viz.new_figure((15.0, 4.0), dpi=dpi)
for i, (name, prior) in enumerate(list(priors.items()) + [("naive N(0, I)", None)]):
    if prior is None:  # no fit: the VAE's prior used for the autoencoder's codes
        draws, log_prob = np.random.default_rng(2).standard_normal((2000, 2)), standard_normal_log_prob
        bounds = np.vstack([ae.codes_, draws])
        bounds = tuple((lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)) for lo, hi in zip(bounds.min(0), bounds.max(0)))
    else:
        draws, log_prob, bounds = prior.sample(2000, rng=2), prior.score_samples, None
    off = off_the_codes(draws, ae.codes_)
    print(f"AE + {name} prior: {off.mean():.1%} of 2,000 draws land off the codes")
    ax = fig.add_subplot(1, 3, i + 1)
    viz.density_contour(log_prob, ae.codes_, bounds=bounds, log_scale=True,   # white dots: training codes
                        title=f"{name} prior: {off.mean():.1%} of draws off the codes", ax=ax)
    ax.scatter(*draws[off].T, s=14, c="orange", marker="X", edgecolors="black", linewidths=0.4,
               label="prior draws off the codes")
    for points in ax.collections:  # density_contour calls its points "data": here they are codes
        if points.get_label() == "data":
            points.set_label("training codes")
    ax.set_xlabel("autoencoder code z1")
    ax.set_ylabel("autoencoder code z2")
    ax.legend(loc="lower left", fontsize=7)
viz.save_figure(fig, FIGURES / "03_priors_over_codes.png")

# %% [markdown]
# ## 7. Interpolation between two codes
#
# Decode the straight line between the codes of two test digits. Pixel
# space interpolation just cross-fades; in a good latent space the
# intermediate images look like digits.

# %%
a, b = X_test[y_test == 0][0], X_test[y_test == 6][0]
t = np.linspace(0.0, 1.0, 10)[:, None]
lines = [(1 - t) * a + t * b]
for model in (ae, vae):
    za, zb = model.encode(np.stack([a, b]))
    lines.append(model.decode((1 - t) * za + t * zb))
viz.image_grid(np.clip(np.concatenate(lines), 0, 1), nrows=3, ncols=10, vmin=0, vmax=1,
               title="0 -> 6 along a straight line", dpi=dpi,
               row_labels=["in pixels", "in autoencoder\ncodes", "in VAE codes"],
               path=FIGURES / "03_interpolation.png")

# %% [markdown]
# ## 8. Comparing densities: the importance-weighted bound
#
# The ELBO is only a lower bound on log p(x). With K draws z_k ~ q(z | x),
#
#     L_K(x) = log (1/K) sum_k p(x | z_k) p(z_k) / q(z_k | x)
#
# is a tighter one, increasing in K towards log p(x) (Burda et al. 2016).
# That makes the VAE's density comparable with models whose likelihood is
# exact, like PPCA (see `examples/latent_comparison.py`, which uses a
# Gaussian decoder and dequantised pixels so that both are densities of the
# same data).

# %%
for k in (1, 10, 100) if not FAST else (1, 10):
    bound = vae.log_likelihood(X_test, k=k, rng=0).mean()
    print(f"VAE test L_K, K = {k:3d}: {bound:.2f} nats/image")

# %% [markdown]
# ## 9. The same on MNIST (28 x 28)
#
# The 8,000 training and 2,000 test images of the fixed MNIST split
# (`datasets.load_mnist`; 784 pixels in [0, 1]), with an 8-dimensional code
# this time (2 numbers are too few for 28 x 28 digits). PCA needs many more
# directions to keep the same share of the variance than on 8x8 digits;
# the nonlinear codes reconstruct better with the same 8 numbers.
# Fast mode: 1,000 training images, one epoch.

# %%
mnist_train = datasets.load_mnist("train", return_X_y=True)[0]
mnist_test = datasets.load_mnist("test", return_X_y=True)[0]
if FAST:
    mnist_train, mnist_test = mnist_train[:1000], mnist_test[:500]
q_mnist, mnist_hidden, mnist_epochs = 8, (32,) if FAST else (256,), 1 if FAST else 20
mnist_pca = PCA(50).fit(mnist_train)
kept = np.cumsum(mnist_pca.explained_variance_ratio_)
print("MNIST: variance kept by q = 2, 8, 50 components:",
      ", ".join(f"{kept[q - 1]:.2f}" for q in (2, 8, 50)))
mnist_models = {"PCA": PCA(q_mnist).fit(mnist_train),
                "autoencoder": Autoencoder.mlp(784, q_mnist, hidden=mnist_hidden, rng=0).fit(
                    mnist_train, epochs=mnist_epochs, lr=1e-3, rng=0),
                "VAE": VAE.mlp(784, q_mnist, hidden=mnist_hidden, likelihood="bernoulli",
                               rng=0).fit(mnist_train, epochs=mnist_epochs, lr=1e-3, rng=0)}
for name, model in mnist_models.items():
    print(f"MNIST {name:11s} q={q_mnist}: test MSE/pixel {mse(model, mnist_test):.4f}")
mnist_ppca = ProbabilisticPCA(q_mnist).fit(mnist_train)
print(f"MNIST PPCA q={q_mnist}: sigma = {np.sqrt(mnist_ppca.noise_variance_):.3f}")
originals = mnist_test[:10]
recon = [originals] + [np.clip(m.reconstruct(originals), 0, 1) for m in mnist_models.values()]
viz.image_grid(np.concatenate(recon), nrows=4, ncols=10, image_shape=(28, 28), vmin=0, vmax=1,
               title=f"MNIST test digits and their reconstructions (q = {q_mnist})",
               row_labels=["test digit", *mnist_models],
               dpi=dpi, path=FIGURES / "03_mnist_reconstructions.png")
mnist_ae = mnist_models["autoencoder"].fit_prior("mixture", n_components=n_mixture, rng=0)
mnist_samples = [np.clip(mnist_ppca.sample(10, rng=1), 0, 1), mnist_ae.sample(10, rng=1),
                 mnist_models["VAE"].sample(10, rng=1)]
viz.image_grid(np.concatenate(mnist_samples), nrows=3, ncols=10, image_shape=(28, 28), vmin=0,
               vmax=1, title="MNIST samples", row_labels=["PPCA", f"AE + {n_mixture}-Gaussian\nmixture prior",
                                                          "VAE"], dpi=dpi, path=FIGURES / "03_mnist_samples.png")

# %% [markdown]
# ## Summary
#
# * PCA is the best *linear* code; PPCA gives it a density with exact p(x).
# * A nonlinear autoencoder reconstructs better with the same q, but it is
#   not a generative model until we choose p(z): a density fitted to its
#   codes (a mixture follows the clusters better than one Gaussian).
# * The VAE trains the code distribution to match N(0, I) (the KL term),
#   so sampling is built in, at some cost in reconstruction; the IWAE bound
#   estimates its log p(x) for comparison with other density models.
