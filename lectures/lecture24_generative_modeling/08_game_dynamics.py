# %% [markdown]
# # Lecture 24, part 8: gradient descent-ascent, simultaneous or alternating
#
# The lecture writes the GAN updates twice, and they are two algorithms.
# Simultaneous gradient descent-ascent (both gradients at the same point):
#
#     theta_g,t+1 = theta_g,t - lambda grad_theta_g V(theta_g,t, theta_d,t)
#     theta_d,t+1 = theta_d,t + lambda grad_theta_d V(theta_g,t, theta_d,t)
#
# and Algorithm 1 (Goodfellow et al. 2014), where D takes k steps first and
# G then steps against the *new* D (alternating). In code both are update
# rules of `scratchgen.gan.dynamics`, written once over lists of parameter
# Tensors: `Simultaneous().step(G, D)` and `Alternating(k).step(G, D)`, where
# G and D are `Player`s (parameters, the loss each minimises, an optimizer).
# The same rules drive the two-number games below and a real GAN
# (`GAN(..., update="simultaneous")`, `scratchgen train gan --update ...`).
#
# On the simplest min-max game, V(x, y) = x y, plain gradient descent-ascent
# fails in both forms; extragradient (Korpelevich 1976), optimistic GDA
# (Daskalakis et al. 2018), negative momentum (Gidel et al. 2019) and
# consensus optimisation (Mescheder et al. 2017) converge. The Dirac GAN of
# Mescheder, Geiger and Nowozin (2018) shows the same on a real GAN loss, and
# their R1 penalty on D makes it converge.
#
# `SCRATCHGEN_FAST=1` runs it in seconds (fewer steps, a tiny GAN comparison).

# %%
import os
from pathlib import Path

import numpy as np

from scratchgen import apply_thread_policy, viz
from scratchgen.gan import dynamics, games, recipes
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
LR = 0.2
n_steps = 30 if FAST else 150
START = (1.0, 0.5)
RULES = {"simultaneous": dynamics.Simultaneous(), "alternating": dynamics.Alternating(),
         "extragradient": dynamics.Extragradient(), "optimistic": dynamics.Optimistic(),
         "negative momentum": dynamics.NegativeMomentum(-0.5), "consensus": dynamics.Consensus(0.5)}
COLORS = dict(zip(list(RULES) + ["alternating + R1", "simultaneous + R1"],
                  ["C3", "C0", "C2", "C1", "C4", "C5", "C9", "C8"]))
FONT = 13    # projector-sized text
DPI = 100    # the same in fast mode: readable figures (drawing time hardly depends on it)


def fresh(rule):
    """A new rule object (optimistic GDA and negative momentum remember the last step)."""
    return type(rule)(**{k: v for k, v in vars(rule).items() if not k.startswith("_")})


# %% [markdown]
# ## The bilinear game V(x, y) = x y
#
# x minimises, y maximises; the only equilibrium is (0, 0). The vector field
# v = (grad_x V, -grad_y V) = (y, -x) is a rotation, so every gradient step
# is tangent to a circle around the equilibrium. With step lambda:
#
# * simultaneous: z' = (I - lambda A) z multiplies |z| by exactly
#   sqrt(1 + lambda^2) per step: an outward spiral;
# * alternating (y first, as D in Algorithm 1): y' = y + lambda x, then
#   x' = x - lambda y'. This map has determinant 1 and conserves
#   x^2 + y^2 + lambda x y exactly: a closed orbit, for ever;
# * extragradient: |z'| = sqrt(1 - lambda^2 + lambda^4) |z| ~ (1 - lambda^2/2) |z|;
# * optimistic GDA: a two-step recursion with spectral radius ~ 1 - lambda^2/2;
# * consensus (gamma): |z'| = sqrt((1 - lambda gamma)^2 + lambda^2) |z|.

# %%
bilinear = {name: dynamics.play(fresh(rule), *games.bilinear_game(*START, lr=LR), n_steps)
            for name, rule in RULES.items()}
r0 = np.hypot(*START)
closed_form = {"simultaneous": np.sqrt(1 + LR ** 2), "extragradient": np.sqrt(1 - LR ** 2 + LR ** 4),
               "consensus": np.hypot(1 - LR * 0.5, LR)}
print(f"bilinear game, lambda = {LR}, {n_steps} steps from {START}:")
for name, traj in bilinear.items():
    radius = np.linalg.norm(traj, axis=1)
    factor = (radius[-1] / radius[n_steps // 2]) ** (1 / (n_steps - n_steps // 2))
    exact = closed_form.get(name)
    note = f"   closed form {exact:.6f}" if exact else ""
    print(f"  {name:18s} distance {r0:.3f} -> {radius[-1]:10.3e}   factor per step {factor:.6f}{note}")
x, y = bilinear["alternating"][:, 0], bilinear["alternating"][:, 1]
conserved = x ** 2 + y ** 2 + LR * x * y
print(f"  alternating: x^2 + y^2 + lambda x y stays {conserved[0]:.6f} "
      f"(largest change {np.abs(conserved - conserved[0]).max():.1e}), "
      f"x^2 + y^2 ranges over [{(x**2 + y**2).min():.4f}, {(x**2 + y**2).max():.4f}]")


# %%
def phase_portraits(trajectories, title, path, labels=("x (min)", "y (max)"), lim=2.0):
    """One panel per rule: the path in the plane, start (square) and equilibrium (star)."""
    n = len(trajectories)
    cols = 4 if n > 6 else 3
    rows = -(-n // cols)
    fig = viz.new_figure((4.2 * cols, 4.0 * rows + 0.5), dpi=DPI)
    fig.suptitle(title, fontsize=FONT + 3)
    for i, (name, traj) in enumerate(trajectories.items()):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.plot(traj[:, 0], traj[:, 1], "-", color=COLORS[name], lw=2)
        ax.plot(*traj[0], "ks", ms=9, label="start")
        ax.plot(0, 0, "k*", ms=16, label="equilibrium")
        if i == 0:
            ax.legend(fontsize=FONT - 2, loc="lower left")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_title(name, fontsize=FONT + 1)
        ax.set_xlabel(labels[0], fontsize=FONT)
        ax.set_ylabel(labels[1], fontsize=FONT)
        ax.tick_params(labelsize=FONT - 2)
        ax.grid(alpha=0.3)
    viz.save_figure(fig, path)


phase_portraits(bilinear, f"V(x, y) = x y: {n_steps} steps of size {LR} from (1, 0.5)",
                FIGURES / "08_bilinear_phase.png")

# %% [markdown]
# ## The Dirac GAN
#
# Data all at 0, generator G = theta (a point mass), discriminator
# D(x) = sigmoid(psi x). With the library's GAN losses
# V(theta, psi) = log D(0) + log(1 - D(theta)) = -log 2 - softplus(psi theta).
# The equilibrium is theta = psi = 0; near it the vector field is the
# bilinear rotation scaled by 1/2, so simultaneous steps spiral out and
# alternating steps circle. R1 (gamma/2 E||grad_x D(x)||^2 on the data;
# here gamma/2 psi^2, computed by second-order autodiff) damps psi, and then
# both update rules converge.

# %%
DIRAC_LR = 0.5
dirac_steps = 40 if FAST else 2 * n_steps
dirac_rules = dict(RULES)
dirac = {name: dynamics.play(fresh(rule), *games.dirac_gan(1.0, 1.0, lr=DIRAC_LR), dirac_steps)
         for name, rule in dirac_rules.items()}
for name, rule in (("alternating + R1", dynamics.Alternating()),
                   ("simultaneous + R1", dynamics.Simultaneous())):
    dirac[name] = dynamics.play(rule, *games.dirac_gan(1.0, 1.0, lr=DIRAC_LR, r1=1.0), dirac_steps)
print(f"\nDirac GAN (minimax loss), lambda = {DIRAC_LR}, {dirac_steps} steps from (1, 1):")
for name, traj in dirac.items():
    radius = np.linalg.norm(traj, axis=1)
    print(f"  {name:18s} distance {radius[0]:.3f} -> {radius[-1]:10.3e}")
ns = {rule: np.linalg.norm(dynamics.play(rule, *games.dirac_gan(1.0, 1.0, lr=DIRAC_LR,
                                                                   loss="nonsaturating", r1=r1),
                                         dirac_steps)[-1])
      for rule, r1 in (("alternating", 0.0), ("simultaneous", 0.0))}
print(f"  non-saturating loss, no R1: alternating {ns['alternating']:.3f}, "
      f"simultaneous {ns['simultaneous']:.3f} (no linear convergence either)")
phase_portraits(dirac, f"Dirac GAN: {dirac_steps} steps of size {DIRAC_LR} from (1, 1)",
                FIGURES / "08_dirac_phase.png", labels=("theta (G)", "psi (D)"), lim=4.0)

# %% [markdown]
# ## Distance to the equilibrium, and what alternating GDA conserves

# %%
fig = viz.new_figure((15, 4.8), dpi=DPI)
for i, (title, trajectories) in enumerate((("V = x y", bilinear), ("Dirac GAN", dirac))):
    ax = fig.add_subplot(1, 3, i + 1)
    for name, traj in trajectories.items():
        ax.semilogy(np.linalg.norm(traj, axis=1), color=COLORS[name], lw=2.5, label=name)
    if title == "Dirac GAN":
        ax.set_ylim(1e-10, 30)   # R1 goes on to 1e-30: the scale would squash the rest
    ax.set_title(f"{title}: distance to the equilibrium", fontsize=FONT + 1)
    ax.set_xlabel("step", fontsize=FONT)
    ax.set_ylabel("|z_t - z*|", fontsize=FONT)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=FONT - 3)
ax = fig.add_subplot(1, 3, 3)
ax.plot(conserved, color="C0", lw=3, label="x² + y² + λxy (conserved)")
ax.plot(x ** 2 + y ** 2, color="C7", lw=2, ls="--", label="x² + y²")
ax.set_ylim(0, 1.2 * max(conserved.max(), (x ** 2 + y ** 2).max()))
ax.set_title("alternating GDA on V = x y", fontsize=FONT + 1)
ax.set_xlabel("step", fontsize=FONT)
ax.tick_params(labelsize=FONT - 2)
ax.legend(fontsize=FONT - 2, loc="lower right")
ax.grid(alpha=0.3)
viz.save_figure(fig, FIGURES / "08_distance_and_conserved.png")

# %% [markdown]
# ## A real GAN trained either way
#
# The ring of 8 Gaussians with the default ring recipe (PacGAN2, ReLU MLPs,
# z ~ N(0, 9 I), Adam 1e-3 with betas (0.5, 0.999), non-saturating loss) at a
# reduced size and budget so that the whole script stays within two minutes:
# MLPs 64-64 (the recipe's are 128-128), 3,000 iterations, batches of 128,
# learning rate / 10 after 2,250, over 5 seeds (fast mode: a tiny version).
# Simultaneous: D's and G's gradients at the same parameters, then both
# move; alternating: Algorithm 1. Metrics from 2,500 samples
# (`recipes.score_samples`); "diverged": a non-finite loss or the median
# sample farther from its nearest mode than the ring is wide.
# `benchmarks/mode_collapse.py --variants pacgan2 --updates alternating
# simultaneous extragradient --hidden 128 128 --batch-size 128 --steps 3000
# --seeds 5` is the same experiment with the recipe's networks and a third
# rule (15 runs took 1,350 s in two processes on the shared machine; its
# table is in the lecture README).

# %%
seeds = range(2) if FAST else range(5)
gan_steps = 5 if FAST else 3000
results = {}
for update in ("alternating", "simultaneous"):
    recipe = recipes.default_recipe("ring")
    recipe.update(variant="pacgan", pack=2, update=update, n_steps=gan_steps, batch_size=16 if FAST else 128,
                  lr_decay_steps=[int(0.75 * gan_steps)])
    hidden = [8] if FAST else [64, 64]
    recipe.update(generator_hidden=hidden, discriminator_hidden=hidden)
    rows = []
    for seed in seeds:
        gan, seconds = recipes.train_recipe(recipe, rng=seed)
        samples = gan.sample(2500, rng=10_000 + seed)
        score = recipes.score_samples(recipe, samples)
        centers, _ = recipes.mixture_modes(recipe)
        nearest = np.sqrt(((samples[:, None] - centers[None]) ** 2).sum(-1)).min(axis=1)
        finite = np.all(np.isfinite(gan.history["loss_d"] + gan.history["loss_g"]))
        score["diverged"] = not finite or np.median(nearest) > np.ptp(centers, axis=0).max()
        rows.append(score)
    results[update] = rows

print(f"\nring, PacGAN2 (MLPs {'-'.join(map(str, hidden))}), {gan_steps} iterations, {len(seeds)} seeds "
      "(mean +- sd over seeds):")
print("| update | modes (per seed) | high quality % | reverse KL | diverged |")
print("|---|---|---|---|---|")
for update, rows in results.items():
    modes = [r["modes_captured"] for r in rows]
    hq = 100 * np.array([r["high_quality_fraction"] for r in rows])
    rkl = np.array([r["reverse_kl"] for r in rows])
    print(f"| {update} | {np.mean(modes):.1f}/8 ({','.join(map(str, modes))}) | {hq.mean():.1f} +- "
          f"{hq.std(ddof=1):.1f} | {rkl.mean():.3f} +- {rkl.std(ddof=1):.3f} | "
          f"{sum(r['diverged'] for r in rows)}/{len(rows)} |")
