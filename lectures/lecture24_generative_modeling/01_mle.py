# %% [markdown]
# # Lecture 24, part 1: maximum likelihood, and anomalies with p(x)
#
# A generative model is a density p_theta(x) we can evaluate and sample.
# Maximum likelihood picks the parameters that make the data most probable:
#
#     theta_hat = argmin_theta  NLL(theta),   NLL(theta) = -(1/n) sum_i log p_theta(x_i)
#
# We minimise the NLL by gradient descent with our own autodiff, on
# *unconstrained* parameters (a Cholesky factor with a log-diagonal, logits
# for mixture weights), so every step gives a valid model. Then we use the
# fitted p(x) to flag points that are improbable: anomalies.
#
# Run as plain Python (`python 01_mle.py`); figures go to `figures/`.
# `SCRATCHGEN_FAST=1` runs a smaller version in a few seconds;
# `SCRATCHGEN_FIGURES_DIR=<folder>` saves the figures elsewhere.

# %%
import os
import warnings
from pathlib import Path

import numpy as np

from scratchgen import apply_thread_policy, datasets, viz
from scratchgen.density import (AnomalyDetector, ConvergenceWarning, Gaussian,
                                GaussianMixture, precision_recall, roc_auc, roc_curve,
                                standard_errors)
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
n_train = 200 if FAST else 800
n_components = 4 if FAST else 8
grid_size = 50 if FAST else 120          # density evaluated on grid_size^2 points

# %% [markdown]
# ## The data: two moons
#
# Not Gaussian at all: a good test of what a single Gaussian can and cannot do.

# %%
X_train = datasets.moons(n_train, noise=0.08, rng=rng)
X_test = datasets.moons(n_train, noise=0.08, rng=rng)
print(f"train {X_train.shape}, test {X_test.shape}")

# %% [markdown]
# ## 1. One Gaussian, by gradient MLE
#
# log N(x | mu, Sigma) = -d/2 log 2pi + sum_i log P_ii - 1/2 ||P^T (x - mu)||^2
# with Sigma^-1 = P P^T, P lower-triangular with P_ii = exp(free parameter).
# Adam on the mean NLL (`scratchgen.density.fit_mle`) starts at a random data
# point; the closed form (sample mean, 1/n covariance) is the check.

# %%
gauss = Gaussian("full", method="gradient", lr=0.05, rng=0).fit(X_train)
exact = Gaussian("full", method="closed_form").fit(X_train)
print(f"Gaussian, gradient MLE: {gauss.n_iter_} iterations, mean log-lik "
      f"{gauss.score(X_train):.5f} (closed form {exact.score(X_train):.5f})")
print("  mean      ", np.round(gauss.mean_, 4), " closed form", np.round(exact.mean_, 4))
print("  covariance", np.round(gauss.covariance_, 4).tolist())

# %% [markdown]
# ### How sure are we? Standard errors from the Hessian
#
# The Hessian H of the total NLL at the MLE (observed Fisher information) is
# computed with second-order autodiff; se = sqrt(diag(H^-1)). For the mean
# it must equal sqrt(Sigma_jj / n).

# %%
se_mean = standard_errors(gauss.log_prob, gauss.parameters(), X_train)[0]
print("  se(mean) by autodiff Hessian", np.round(se_mean, 5),
      " sqrt(diag(Sigma)/n)", np.round(np.sqrt(np.diag(gauss.covariance_) / n_train), 5))

# %% [markdown]
# ## 2. A mixture of Gaussians, by gradient MLE (and EM to compare)
#
# p(x) = sum_k pi_k N(x | mu_k, Sigma_k), pi = softmax(logits);
# log p(x) = logsumexp_k [log pi_k + log N(x | mu_k, Sigma_k)].
# The likelihood has many local maxima: k-means++ starts and restarts help.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)   # fast mode stops early
    mixture = GaussianMixture(n_components, "full", method="gradient", lr=0.03,
                              max_iter=150 if FAST else 1500, rng=0).fit(X_train)
    em = GaussianMixture(n_components, "full", method="em", n_init=1 if FAST else 3,
                         rng=0).fit(X_train)
print(f"mixture (K={n_components}), gradient: {mixture.n_iter_} iterations, train "
      f"{mixture.score(X_train):.4f}, test {mixture.score(X_test):.4f}")
print(f"mixture (K={n_components}), EM:       {em.n_iter_} iterations, train "
      f"{em.score(X_train):.4f}, test {em.score(X_test):.4f}")
print(f"single Gaussian:                 train {gauss.score(X_train):.4f}, "
      f"test {gauss.score(X_test):.4f}")

# %% [markdown]
# ### Figures: density contours and the log-likelihood curve

# %%
bounds = ((-1.6, 2.6), (-1.1, 1.6))
viz.density_contour(gauss.score_samples, X_train, bounds, grid_size=grid_size,
                    title="one Gaussian (MLE)",
                    path=FIGURES / "01_gaussian_density.png")
viz.density_contour(mixture.score_samples, X_train, bounds, grid_size=grid_size,
                    title=f"mixture of {n_components} Gaussians (MLE)",
                    path=FIGURES / "01_mixture_density.png")
viz.loss_curves({"Gaussian": gauss.history_, "mixture (gradient)": mixture.history_},
                xlabel="iteration", title="mean log-likelihood (1/n) sum log p(x_i)",
                path=FIGURES / "01_log_likelihood.png")

# %% [markdown]
# ## 3. Anomaly detection with p(x)
#
# score(x) = -log p(x). The threshold is the 99% quantile of the training
# scores, so ~1% of normal points get flagged. Test data: fresh moons with
# 5% of the points replaced by uniform outliers (some land on the moons by
# chance, so no detector can be perfect).

# %%
X_anom, is_outlier = datasets.with_outliers(datasets.moons(n_train, noise=0.08, rng=rng),
                                            fraction=0.05, rng=rng)
detectors = {}
for name, model in [("Gaussian", gauss), ("mixture", mixture)]:
    detector = detectors[name] = AnomalyDetector(model, quantile=0.99, prefit=True).fit(X_train)
    flags = detector.predict(X_anom)
    precision, recall = precision_recall(flags, is_outlier)
    auroc = roc_auc(detector.score_samples(X_anom), is_outlier)
    print(f"{name:9s}: AUROC {auroc:.3f}, precision {precision:.2f}, recall {recall:.2f} "
          f"({flags.sum()} flagged, {is_outlier.sum()} true outliers)")

# %% [markdown]
# The figure: where the mixture's flags fall on its log-density (left), the
# scores -log p(x) of normal points and of injected outliers with the
# threshold (middle: what lies right of the line is flagged), and the ROC
# curve of each model (right: every threshold at once; its area is the AUROC).

# %%
fig = viz.new_figure((15.0, 4.2))
ax_map, ax_hist, ax_roc = (fig.add_subplot(1, 3, i) for i in (1, 2, 3))
viz.density_contour(mixture.score_samples, None, ((-2.6, 3.6), (-1.4, 1.9)), grid_size=grid_size,
                    log_scale=True, title="the mixture's flags on its log p(x)", ax=ax_map)
ax_map.scatter(*X_anom[~is_outlier].T, s=5, c="white", alpha=0.6, label="normal")
ax_map.scatter(*X_anom[is_outlier].T, s=40, c="orange", marker="X", edgecolors="black",
               linewidths=0.6, label="injected outlier")
flags = detectors["mixture"].predict(X_anom)
ax_map.scatter(*X_anom[flags].T, s=90, facecolors="none", edgecolors="red", linewidths=1.4, label="flagged")
ax_map.legend(loc="lower right", fontsize=7)
scores = detectors["mixture"].score_samples(X_anom)
bins = np.linspace(scores.min(), np.quantile(scores, 0.995), 40)
ax_hist.hist(np.clip(scores[~is_outlier], None, bins[-1]), bins, alpha=0.6, label="normal")
ax_hist.hist(np.clip(scores[is_outlier], None, bins[-1]), bins, alpha=0.8, color="orange",
             label="injected outlier")
ax_hist.axvline(detectors["mixture"].threshold_, color="red", ls="--", label="threshold (99% of train)")
ax_hist.set_yscale("log")
ax_hist.set_xlabel("anomaly score -log p(x), mixture (last bin: everything beyond)")
ax_hist.set_ylabel("points")
ax_hist.set_title("scores of normal points and outliers")
ax_hist.legend(fontsize=7)
for name, detector in detectors.items():
    fpr, tpr = roc_curve(detector.score_samples(X_anom), is_outlier)
    auroc = roc_auc(detector.score_samples(X_anom), is_outlier)
    ax_roc.plot(fpr, tpr, label=f"{name} (AUROC {auroc:.3f})")
ax_roc.plot([0, 1], [0, 1], color="gray", lw=0.8, ls=":", label="chance")
ax_roc.set_xlabel("false-positive rate")
ax_roc.set_ylabel("true-positive rate (recall)")
ax_roc.set_title("ROC curves")
ax_roc.legend(loc="lower right", fontsize=8)
viz.save_figure(fig, FIGURES / "01_anomalies.png")
print("figures in", FIGURES)
