# %% [markdown]
# # Lecture 24, part 2: sampling from p(x) with Metropolis-Hastings
#
# Sometimes we can *evaluate* a density, up to a constant, but not sample
# from it: p(x) = p~(x) / Z with Z unknown. Metropolis-Hastings builds a
# Markov chain whose long-run distribution is p, using only ratios
# p(x') / p(x), in which Z cancels:
#
#     x_0 given
#     for t = 0, 1, 2, ...
#         propose   x' ~ q(x' | x_t)
#         alpha   = min(1, p(x') q(x_t | x') / (p(x_t) q(x' | x_t)))
#         accept    with probability alpha:  x_{t+1} = x'   else  x_{t+1} = x_t
#
# (Metropolis et al. 1953; Hastings 1970.) The factor q(x_t | x') / q(x' | x_t)
# is the Hastings correction; it is 1 for a symmetric proposal such as the
# random walk x' = x + s z, z ~ N(0, I).
#
# In code we work with logs and one uniform u per step: accept when
# log u < log alpha. That is `scratchgen.mcmc.mh_step`, the readable engine.
#
# Run as plain Python (`python 02_metropolis_hastings.py`); figures go to
# `figures/`. `SCRATCHGEN_FAST=1` runs a smaller version in a few seconds;
# `SCRATCHGEN_FIGURES_DIR=<folder>` saves the figures elsewhere.

# %%
import inspect
import os
import time
from pathlib import Path

import numpy as np

import scratchgen as sg
from scratchgen import apply_thread_policy, datasets, viz
from scratchgen.mcmc import (Independence, RandomWalk, ess, mala, metropolis_hastings, mh_step,
                             rhat, ring_log_prob, ring_log_prob_vectorized, ring_sample)
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
n_steps = 4_000 if FAST else 50_000     # stored draws per chain
n_chains = 4
n_scales = 6 if FAST else 14            # proposal scales in the sweep
grid_size = 40 if FAST else 120         # density contours on grid_size^2 points
BOUNDS = ((-3.2, 3.2), (-3.2, 3.2))

# %% [markdown]
# ## The target: eight Gaussians on a ring
#
# p(x) = (1/8) sum_k N(x; mu_k, 0.25^2 I), mu_k = 2 (cos 2 pi k/8, sin 2 pi k/8):
# the "mcmc" preset of the library's one ring (`datasets.RING_PRESETS`; the
# GAN lectures use the narrower "pacgan" ring, radius 1 and std 0.01).
# Neighbouring modes are 1.53 apart, six standard deviations: a random walk
# has to cross low-density gaps to visit them all. Its true mean is 0 and its
# covariance (2^2/2 + 0.25^2) I = 2.0625 I.

# %% [markdown]
# ## One step, written out
#
# This is the whole algorithm, as the library runs it in its Python engine:

# %%
print("".join(line for line in inspect.getsourcelines(mh_step)[0] if "SOLUTION" not in line))

# %% [markdown]
# ## Running chains
#
# Four chains from dispersed starts. The first `tune` steps are burn-in:
# the chains forget their starting points, and the random-walk scale is
# adapted toward an acceptance rate of 0.234 (the optimum for random walks
# in many dimensions; 0.44 in one). Then the scale is frozen and the next
# `n_steps` states are stored.
#
# `ring_log_prob` is a Numba-compiled function, so the sampler runs its
# compiled engine, its chains in parallel threads (one per core). The Python
# engine, fed the same seed, draws the same random numbers and makes the same
# decisions: the same chain bit for bit, slower.

# %%
x0 = np.random.default_rng(1).normal(scale=2.0, size=(n_chains, 2))
start = time.perf_counter()
chains = metropolis_hastings(ring_log_prob, x0, n_steps, n_chains=n_chains, tune=2000, rng=0)
elapsed = time.perf_counter() - start
print(chains)
print(f"numba engine: {n_chains * (n_steps + 2000)} steps in {elapsed:.2f} s "
      "(including compilation on the first run)")
print("tuned proposal scale per chain:", np.round(chains.step_scale * 2.38 / np.sqrt(2), 3))

check = metropolis_hastings(ring_log_prob.py_func, x0, 500, n_chains=n_chains, tune=200, rng=7)
same = metropolis_hastings(ring_log_prob, x0, 500, n_chains=n_chains, tune=200, rng=7)
print(f"python vs numba engine, same seed: max |difference| = "
      f"{np.abs(check.get_chain() - same.get_chain()).max():.1e}")

# %% [markdown]
# ## Samples over the density
#
# A thinned subset of the draws (every 20th) over the contours of p.

# %%
draws = chains.get_chain(flat=True)
shown = chains.get_chain(thin=20, flat=True)[:3000]
viz.density_contour(ring_log_prob_vectorized, shown, bounds=BOUNDS, grid_size=grid_size,
                    title="MH draws (every 20th) over p(x)",
                    path=FIGURES / "02_ring_samples.png")
print("sample mean", np.round(draws.mean(axis=0), 3), "(true 0, 0)")
print("sample covariance\n", np.round(np.cov(draws.T), 3), "\n(true 2.0625 I)")

# %% [markdown]
# ## Trace plots
#
# Each chain stays near one mode for a while, then hops to a neighbour.
# Good mixing looks like overlapping "hairy caterpillars"; a chain that
# never leaves its region is a warning sign.

# %%
viz.trace_plot(chains.get_chain()[:2000], names=["x1", "x2"],
               title="first 2000 stored steps of 4 chains", path=FIGURES / "02_trace.png")

# %% [markdown]
# ## Did it converge? R-hat and the effective sample size
#
# * R-hat compares the spread between chains (each split in half) with the
#   spread within them, on ranks (Vehtari et al. 2021). Near 1 (below 1.01)
#   the chains agree; well above 1 they sample different things.
# * The effective sample size (ESS) is the number of independent draws that
#   would give the same precision for the mean: the chain's draws are
#   correlated, so ESS is much smaller than the number of draws.
#   Monte-Carlo standard error of a mean = sd / sqrt(ESS).

# %%
summary = chains.summary()
print(summary)
print(f"ESS per 1000 draws: {1000 * summary['ess_bulk'] / (n_steps * n_chains)}")

# %% [markdown]
# ## The proposal scale
#
# Small steps are almost always accepted but move slowly; large steps jump
# far but are almost always rejected. In between is the sweet spot.
# Here: no tuning, a fixed scale s, and for each s the acceptance rate, the
# bulk ESS per 1000 steps and R-hat.

# %%
scales = np.geomspace(0.05, 20.0, n_scales)
sweep_steps = 1_000 if FAST else 10_000
acceptance, ess_rate, rhats = [], [], []
for s in scales:
    run = metropolis_hastings(ring_log_prob, x0, sweep_steps, proposal=RandomWalk(scale=s),
                              n_chains=n_chains, tune=0, rng=1)
    acceptance.append(run.acceptance_fraction.mean())
    ess_rate.append(1000 * run.ess().min() / (sweep_steps * n_chains))
    rhats.append(run.rhat().max())
    print(f"scale {s:7.3f}  acceptance {acceptance[-1]:.3f}  ESS/1000 steps {ess_rate[-1]:7.2f}  "
          f"R-hat {rhats[-1]:.3f}")
best = scales[int(np.argmax(ess_rate))]
print(f"best scale in the sweep: {best:.2f}")

fig = viz.new_figure((10.0, 3.2))
axes = fig.subplots(1, 3)
for ax, values, label in zip(axes, (acceptance, ess_rate, rhats),
                             ("acceptance rate", "bulk ESS per 1000 steps", "R-hat")):
    ax.plot(scales, values, "o-")
    ax.set_xscale("log")
    ax.set_xlabel("random-walk scale s")
    ax.set_ylabel(label)
    ax.axvline(best, color="gray", lw=0.8, ls="--", label=f"best ESS in the sweep: s = {best:.2g}")
axes[0].axhline(0.234, color="red", lw=0.8, label="0.234 (the tuning target)")
axes[2].axhline(1.01, color="red", lw=0.8, label="1.01 (R-hat's usual cut)")
for ax in axes:
    ax.legend(fontsize=7)
viz.save_figure(fig, FIGURES / "02_acceptance_vs_scale.png")

# %% [markdown]
# Note where the best ESS is: at a *larger* scale (lower acceptance) than the
# one tuned toward 0.234. The 0.234 rule is optimal for smooth, unimodal
# targets in many dimensions (Roberts, Gelman and Gilks 1997); on a ring of
# separated modes, long jumps that sometimes land in another mode pay off.
# Tuning toward a rate is a default, not a guarantee.

# %% [markdown]
# ## R-hat flags chains that disagree
#
# With a tiny scale, each chain stays in the mode it started in: R-hat is
# far above 1 and the ESS is tiny, though each trace alone looks calm.

# %%
stuck = metropolis_hastings(ring_log_prob, x0, sweep_steps, proposal=RandomWalk(scale=0.05),
                            n_chains=n_chains, tune=0, rng=2)
labels = ["scale 0.05 (stuck)", "tuned", f"scale {scales[-1]:.0f} (too big)"]
too_big = metropolis_hastings(ring_log_prob, x0, sweep_steps,
                              proposal=RandomWalk(scale=scales[-1]), n_chains=n_chains, tune=0,
                              rng=2)
tuned = metropolis_hastings(ring_log_prob, x0, sweep_steps, n_chains=n_chains, tune=2000, rng=2)
runs = [stuck, tuned, too_big]
fig = viz.new_figure((9.0, 3.2))
axes = fig.subplots(1, 2)
for k, dim_name in enumerate(["x1", "x2"]):
    axes[0].bar(np.arange(3) + 0.4 * k, [r.rhat()[k] for r in runs], width=0.4, label=dim_name)
    axes[1].bar(np.arange(3) + 0.4 * k, [r.ess()[k] for r in runs], width=0.4, label=dim_name)
for ax, title in zip(axes, ["R-hat (rank-normalised, split)", "bulk ESS"]):
    ax.set_xticks(np.arange(3) + 0.2, labels, fontsize=8)
    ax.set_title(title)
axes[0].axhline(1.01, color="red", lw=0.8, label="1.01 (R-hat's usual cut)")
for ax in axes:
    ax.legend(fontsize=7)
axes[0].set_ylim(bottom=0.95)
axes[1].set_yscale("log")
viz.save_figure(fig, FIGURES / "02_rhat_ess.png")
for label, r in zip(labels, runs):
    print(f"{label:22} R-hat {np.round(r.rhat(), 3)}  ESS {np.round(r.ess(), 0)}  "
          f"acceptance {r.acceptance_fraction.mean():.3f}")

# %% [markdown]
# ## What stuck chains look like
#
# The same runs, drawn as *which mode* each chain is in: the angle
# atan2(x2, x1) in units of 2 pi / 8, so mode k sits at height k (dotted
# lines). With scale 0.05 each chain sits in one mode for thousands of
# steps and crosses to a neighbour only a few times in 10,000 steps (the
# title counts the modes each chain visited); one chain's trace alone would
# look calm, and only the comparison of the chains (R-hat) shows that they
# disagree. The tuned chains (right: their first 500 steps only, else the
# lines fill the panel) change mode every few dozen steps.

# %%
n_modes = datasets.RING_PRESETS["mcmc"]["n_modes"]


def mode_position(chain):
    """(n_steps, n_chains): the angle of each state of ``chain`` (n_steps, n_chains, 2)
    in units of 2 pi / n_modes, wrapped to [-0.5, n_modes - 0.5)."""
    k = np.arctan2(chain[..., 1], chain[..., 0]) / (2 * np.pi / n_modes)
    return np.mod(k + 0.5, n_modes) - 0.5


fig = viz.new_figure((10.0, 3.4))
axes = fig.subplots(1, 2, sharey=True)
for ax, run, label, shown_steps in zip(axes, (stuck, tuned), labels[:2], (sweep_steps, 500)):
    position = mode_position(run.get_chain())
    visited = [len(np.unique(np.round(position[:, c]) % n_modes)) for c in range(n_chains)]
    position = position[:shown_steps]
    for c in range(n_chains):
        ax.plot(np.arange(len(position)), position[:, c], lw=0.5, label=f"chain {c + 1}")
    for k in range(n_modes):
        ax.axhline(k, color="gray", lw=0.5, ls=":")
    ax.set_title(f"{label}: R-hat {run.rhat().max():.2f}, modes visited in "
                 f"{len(run.get_chain())} steps per chain: {', '.join(map(str, visited))}", fontsize=8)
    ax.set_xlabel("step" if shown_steps == len(run.get_chain()) else f"step (first {shown_steps})")
axes[0].set_ylabel("mode (angle / (2 pi / 8))")
axes[0].set_yticks(range(n_modes))
axes[0].legend(fontsize=7, loc="upper right")
viz.save_figure(fig, FIGURES / "02_stuck_chains.png")

# %% [markdown]
# ## Why the Hastings correction matters
#
# An independence proposal q = N(1, 2^2) for the target N(0, 1) is not
# symmetric. Drop the correction q(x) / q(x') and the chain samples
# p(x) q(x) (here N(0.2, 0.8)) instead of p.

# %%
class WideNormal:
    """q = N(1, 2^2) in one dimension: sample(n, rng) and log_prob(X)."""

    def sample(self, n, rng):
        return 1.0 + 2.0 * rng.standard_normal((n, 1))

    def log_prob(self, x):
        return -0.5 * ((x[:, 0] - 1.0) / 2.0) ** 2


class WideNormalNoCorrection:
    """The same proposal, but claiming to be symmetric: log q(x' | x) = 0."""

    def sample(self, x, rng):
        return 1.0 + 2.0 * rng.standard_normal(np.shape(x))

    def log_prob(self, x_new, x):
        return np.zeros(np.shape(x_new)[:-1])


def standard_normal(x):
    return -0.5 * x[:, 0] ** 2


for name, proposal in [("with correction", Independence(WideNormal())),
                       ("without correction", WideNormalNoCorrection())]:
    run = metropolis_hastings(standard_normal, np.zeros(1), sweep_steps, proposal=proposal,
                              n_chains=8, tune=200, rng=3, vectorized=True)
    x = run.get_chain()[..., 0]
    se = x.std() / np.sqrt(ess(x.T, method="mean"))
    print(f"{name:20} mean {x.mean():+.3f} +- {se:.3f}   variance {x.var():.3f}   (target: 0, 1)")

# %% [markdown]
# ## Gradients: MALA
#
# The Metropolis-adjusted Langevin algorithm proposes
# x' = x + (h^2/2) grad log p(x) + h z: a step uphill plus noise, corrected
# by Metropolis-Hastings (its q is not symmetric). The gradient comes from
# our autodiff: `log_prob` is written with Tensor operations.
#
# Within one mode the drift makes large accepted steps possible (in high
# dimensions MALA needs far fewer steps than a random walk). Between modes
# it does not help: the gradient pulls every proposal back toward the
# nearest mode, so on the ring MALA hops *less* than a wide random walk, and
# its R-hat says so. Again: look at the diagnostics, not at the method's name.

# %%
ring = datasets.RING_PRESETS["mcmc"]                 # n_modes 8, radius 2, std 0.25
means = sg.tensor(datasets.ring_centers(preset="mcmc"))


def ring_log_prob_tensor(x):
    """log p up to a constant, for a Tensor batch x of shape (n, 2)."""
    diff = x.reshape((-1, 1, 2)) - means.reshape((1, ring["n_modes"], 2))
    return sg.logsumexp(-(diff * diff).sum(axis=-1) / (2 * ring["std"] ** 2), axis=1)


mala_steps = 150 if FAST else 3000
langevin = mala(ring_log_prob_tensor, x0, mala_steps, step_size=0.3, n_chains=n_chains,
                tune=100 if FAST else 1000, rng=4, vectorized=True)
print(f"MALA: acceptance {langevin.acceptance_fraction.mean():.3f}, "
      f"bulk ESS per 1000 steps {1000 * langevin.ess().min() / (mala_steps * n_chains):.1f} "
      f"(random walk, tuned: {1000 * chains.ess().min() / (n_steps * n_chains):.1f}), "
      f"R-hat {np.round(langevin.rhat(), 3)}")

# %% [markdown]
# ## What to remember
#
# * MH needs p only up to a constant, and a proposal it can sample and
#   evaluate; asymmetric proposals need the Hastings correction.
# * The proposal scale sets the acceptance rate and the mixing; tune it
#   during burn-in only, then freeze it.
# * Always run several dispersed chains and look at R-hat (< 1.01) and the
#   ESS (the precision you really have), not only at the trace.
# * Multimodal targets are hard for local proposals: chains hop between
#   modes rarely, and every hop counts.
