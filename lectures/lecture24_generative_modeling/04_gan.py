# %% [markdown]
# # Lecture 24, part 4: generative adversarial nets, Algorithm 1
#
# A generator G maps noise z ~ p(z) to samples G(z); a discriminator D(x)
# in (0, 1) says how likely x came from the data rather than from G. They
# play the game (Goodfellow et al. 2014, eq. 1)
#
#     min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]
#
# For a fixed G the best D is D*(x) = p_data(x) / (p_data(x) + p_g(x)), and
# against it V = -log 4 + 2 JSD(p_data || p_g): the game's value is -log 4
# exactly when p_g = p_data, where D* = 1/2 everywhere.
#
# Algorithm 1 of the paper trains both by minibatch stochastic gradients:
#
#     for number of training iterations do
#         for k steps do
#             sample m noise samples z_1..z_m and m data samples x_1..x_m
#             update D by ascending  grad 1/m sum_i [log D(x_i) + log(1 - D(G(z_i)))]
#         sample m noise samples z_1..z_m
#         update G by descending grad 1/m sum_i log(1 - D(G(z_i)))
#
# Our discriminator networks return a *logit* l(x), D(x) = sigmoid(l(x)),
# and the logs are computed as log D = -softplus(-l), log(1 - D) = -softplus(l):
# never log(0), however sure D is.
#
# Run as plain Python; figures go to `figures/`. `SCRATCHGEN_FAST=1` runs a
# smaller version in a few seconds; `SCRATCHGEN_FIGURES_DIR=<folder>` saves
# the figures elsewhere.

# %%
import inspect
import os
import time
from pathlib import Path

import numpy as np

import scratchgen as sg
from scratchgen import apply_thread_policy, datasets, nn, optim, viz
from scratchgen.gan import GAN, losses, mode_coverage
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
n_iterations = 300 if FAST else 4000
hidden = 32 if FAST else 64
rng = np.random.default_rng(0)

# %% [markdown]
# ## The players
#
# The data: 8 Gaussians on the unit circle with std 0.01 (the "ring" of the
# VEEGAN and PacGAN papers). G maps z ~ N(0, I_8) to the plane, D maps the
# plane to a logit; both are small ReLU MLPs.

# %%
def ring_sampler(m, r):
    return datasets.ring(m, rng=r).astype(np.float32)


latent_dim = 8
G = nn.MLP([latent_dim, hidden, hidden, 2], activation="relu", rng=rng)
D = nn.MLP([2, hidden, hidden, 1], activation="relu", rng=rng)
gan = GAN(G, D, latent_dim, loss="nonsaturating", batch_size=128, rng=1,
          opt_g=optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999)),
          opt_d=optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999)))
print(G)
print(D)

# %% [markdown]
# ## One discriminator step, by hand
#
# m data samples, m noise samples, the minibatch estimate of V, and one
# step of *ascent*: the optimizer minimises -V. This is what
# `GAN.discriminator_step` does:

# %%
print(inspect.getsource(GAN.discriminator_step))

x = ring_sampler(128, rng)
z = gan.sample_noise(128)
V_before = gan.value_function(x, z).item()
with sg.no_grad():
    fake = G(sg.tensor(z))                 # G is held fixed in D's step
V = losses.value_from_logits(D(sg.tensor(x)), D(fake))
gan.opt_d.zero_grad()
(-V).backward()                            # gradient of -V ...
gan.opt_d.step()                           # ... descended = V ascended
V_after = gan.value_function(x, z).item()
print(f"V on this minibatch: {V_before:.4f} -> {V_after:.4f} after one D step (D ascends V)")

# %% [markdown]
# ## One generator step, by hand
#
# Fresh noise; G descends log(1 - D(G(z))) (minimax) or, as the paper
# advises, ascends log D(G(z)) (non-saturating). D's parameters do not move.

# %%
z = gan.sample_noise(128)
d_before = [p.data.copy() for p in D.parameters()]
loss_g = losses.nonsaturating_loss(D(G(sg.tensor(z))))
gan.opt_g.zero_grad()
loss_g.backward()
gan.opt_g.step()
assert all(np.array_equal(a, p.data) for a, p in zip(d_before, D.parameters()))
print(f"non-saturating generator loss -mean log D(G(z)) = {loss_g.item():.4f}; D unchanged")

# %% [markdown]
# ## Saturating vs non-saturating: the generator's gradient at the start
#
# Early on, D rejects G's samples easily: D(G(z)) ~ 0, i.e. logit l << 0.
# Per sample, with respect to the logit:
#
#     d/dl  log(1 - sigmoid(l)) = -sigmoid(l)      -> 0 as D(G(z)) -> 0  (saturates)
#     d/dl -log sigmoid(l)      = sigmoid(l) - 1   -> -1                 (does not)
#
# We train D alone for a while (G frozen at its initialisation), then
# measure the norm of G's gradient under each loss.

# %%
G0 = nn.MLP([latent_dim, hidden, hidden, 2], activation="relu", rng=10)
D0 = nn.MLP([2, hidden, hidden, 1], activation="relu", rng=11)
# A fast learner for D (lr 5e-3): we want to see it win.
probe = GAN(G0, D0, latent_dim, batch_size=128, rng=12,
            opt_d=optim.Adam(D0.parameters(), lr=5e-3))
grad_norms = {"minimax": [], "nonsaturating": []}
mean_d_fake = []
for d_steps in range(0, 80 if FAST else 200):
    if d_steps % (10 if FAST else 20) == 0:
        z = probe.sample_noise(512)
        fake_logits = D0(G0(sg.tensor(z)))
        mean_d_fake.append(float(np.mean(1 / (1 + np.exp(-fake_logits.numpy())))))
        for name, loss_fn in (("minimax", losses.minimax_loss), ("nonsaturating", losses.nonsaturating_loss)):
            grads = sg.grad(loss_fn(D0(G0(sg.tensor(z)))), list(G0.parameters()))
            grad_norms[name].append(float(np.sqrt(sum(np.sum(g.numpy() ** 2) for g in grads))))
    probe.discriminator_step(ring_sampler(128, probe.rng))
for dg, mm, ns in zip(mean_d_fake, grad_norms["minimax"], grad_norms["nonsaturating"]):
    print(f"mean D(G(z)) = {dg:.3f}   ||grad_G|| minimax {mm:.2e}   non-saturating {ns:.2e}")

fig = viz.new_figure((9, 3.6))
ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
logit = np.linspace(-8, 8, 200)
s = 1 / (1 + np.exp(-logit))
ax1.plot(s, -s, label="minimax: d/dl log(1 - D)")
ax1.plot(s, s - 1, label="non-saturating: d/dl -log D")
ax1.set_xlabel("D(G(z))")
ax1.set_ylabel("gradient w.r.t. the logit")
ax1.legend(fontsize=8)
ax1.set_title("G's loss, derivative in D's logit l", fontsize=9)
ax2.semilogy(mean_d_fake, grad_norms["minimax"], "o-", label="minimax")
ax2.semilogy(mean_d_fake, grad_norms["nonsaturating"], "s-", label="non-saturating")
ax2.invert_xaxis()
ax2.set_xlabel("mean D(G(z)) as D learns (G frozen)")
ax2.set_ylabel("||grad of G's loss||")
ax2.set_title("G's gradient as D learns to reject its samples", fontsize=9)
ax2.legend(fontsize=8)
viz.save_figure(fig, FIGURES / "04_saturating_gradient.png")

# %% [markdown]
# ## The optimal discriminator, checked in 1-D
#
# Proposition 1 of the paper: for a fixed G, the best D is
# D*(x) = p_data(x) / (p_data(x) + p_g(x)). In one dimension both densities
# are known if we choose them: p_data = N(2, 0.5^2) and G(z) = z, so
# p_g = N(0, 1). Train D alone by `discriminator_step` and compare. They
# agree where either density has mass; beyond x ~ 3.3 D* turns down again
# (N(0, 1) has the heavier tail), but neither distribution puts samples
# there, so nothing teaches D that part.

# %%
G1 = nn.Linear(1, 1, rng=0)
G1.weight.data[...] = 1.0                  # G(z) = z, held fixed: p_g = N(0, 1)
G1.bias.data[...] = 0.0
D1 = nn.MLP([1, 32, 32, 1], activation="relu", rng=1)
one_d = GAN(G1, D1, 1, batch_size=256, rng=2, opt_d=optim.Adam(D1.parameters(), lr=3e-3))
for _ in range(600):
    one_d.discriminator_step(one_d.rng.normal(2.0, 0.5, size=(256, 1)).astype(np.float32))


def normal_pdf(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


xs = np.linspace(-3.0, 4.5, 300)[:, None]
p_data_1d, p_g_1d = normal_pdf(xs, 2.0, 0.5), normal_pdf(xs, 0.0, 1.0)
d_star = p_data_1d / (p_data_1d + p_g_1d)
with sg.no_grad():
    d_learned = 1 / (1 + np.exp(-D1(sg.tensor(xs.astype(np.float32))).numpy()))
where_mass = (p_data_1d + p_g_1d) > 0.05    # away from both densities D has nothing to learn from
d_star_gap = float(np.abs(d_learned - d_star)[where_mass].max())
print(f"after 600 D steps: max |D(x) - D*(x)| = {d_star_gap:.3f} where p_data + p_g > 0.05")
fig = viz.new_figure((6.5, 3.6))
ax = fig.add_subplot()
ax.plot(xs, p_data_1d, color="tab:blue", lw=1, alpha=0.6, label="p_data = N(2, 0.5^2)")
ax.plot(xs, p_g_1d, color="tab:green", lw=1, alpha=0.6, label="p_g = N(0, 1)")
ax.plot(xs, d_star, color="black", ls="--", label="D*(x) = p_data / (p_data + p_g)")
ax.plot(xs, d_learned, color="tab:red", label="trained D(x), 600 steps")
ax.axhline(0.5, color="gray", lw=0.6, ls=":")
ax.set_xlabel("x")
ax.legend(fontsize=7, loc="upper left")
ax.set_title("the discriminator learns D* (G fixed)")
viz.save_figure(fig, FIGURES / "04_optimal_discriminator.png")

# %% [markdown]
# ## Algorithm 1 in full
#
# `GAN.train` runs the two loops; k = 1 discriminator step per generator
# step, as in the paper's experiments. The heart of `GAN.train` is
#
#     for i in range(n_steps):
#         for _ in range(self.k):
#             d_stats = self.discriminator_step(self._minibatch(data, m))
#         loss_g = self.generator_step()
#
# We keep snapshots of the samples along the way.

# %%
snapshots = {}
checkpoints = sorted({n_iterations // 8, n_iterations // 4, n_iterations // 2, n_iterations})


def snapshot(g, step):
    if step in checkpoints:
        snapshots[step] = g.sample(1000, rng=0)


start = time.perf_counter()
history = gan.train(ring_sampler, n_iterations, callbacks=[snapshot], eval_every=1)
print(f"{n_iterations} iterations in {time.perf_counter() - start:.1f} s")
coverage = mode_coverage(gan.sample(2500, rng=0), datasets.ring_centers(), std=0.01)
print(f"modes captured {coverage.modes_captured}/8, high-quality share "
      f"{coverage.high_quality_fraction:.1%}, reverse KL {coverage.reverse_kl:.2f}")

# %% [markdown]
# ## D(x), D(G(z)) and V during training
#
# At the game's equilibrium D(x) = D(G(z)) = 1/2 and V = -log 4 ~ -1.386.
# The run does not reach it: after the first few hundred iterations (where
# the curves swing around 1/2) D(x) stays above 1/2 and D(G(z)) below it,
# and V stays above -log 4. D keeps an edge because p_g is not p_data:
# the modes have std 0.01, and the high-quality share printed above (the
# share of G's samples within 3 std of a mode) is well below 100%, so
# D* = p_data / (p_data + p_g) is not 1/2 and a D that ascends V tells the
# two apart. The means over the second half of training are printed below.

# %%
half = len(history["d_real"]) // 2
print("second half of training: mean D(x) {:.2f}, mean D(G(z)) {:.2f}, mean V {:.3f} "
      "(equilibrium 0.50, 0.50, {:.3f})".format(np.mean(history["d_real"][half:]),
                                                np.mean(history["d_fake"][half:]),
                                                np.mean(history["value"][half:]), -np.log(4)))
fig = viz.loss_curves({"step": history["step"], "D(x)": history["d_real"], "D(G(z))": history["d_fake"]},
                      smooth=25, title="discriminator outputs (equilibrium 1/2)")
fig.axes[0].axhline(0.5, color="gray", lw=0.8, ls="--")
viz.save_figure(fig, FIGURES / "04_discriminator_outputs.png")
fig = viz.loss_curves({"step": history["step"], "V estimate": history["value"]}, smooth=25,
                      title="value function V (equilibrium -log 4)")
fig.axes[0].axhline(-np.log(4), color="gray", lw=0.8, ls="--")
viz.save_figure(fig, FIGURES / "04_value_function.png")
viz.ring_samples_over_training(snapshots, datasets.ring_centers(),
                               title="standard GAN (Algorithm 1, non-saturating loss): samples during training",
                               path=FIGURES / "04_ring_samples.png")
print("figures saved to", FIGURES)

# %% [markdown]
# ## k discriminator steps, and the paper's optimizer against Adam
#
# Algorithm 1 has a knob, k (D steps per G step), and the paper trains with
# SGD with momentum (its experiments use k = 1, momentum 0.5); most later
# GANs, and the recipes of this library, use Adam. Compared on one problem
# where the answer is known exactly: the 1-D data N(2, 0.5^2) of the D*
# section, a linear generator G(z) = a z + b with z ~ N(0, 1), so that
# p_g = N(b, a^2) is Gaussian at every step, and the same MLP D. The distance
# to the data is then closed-form, the 2-Wasserstein distance between two
# Gaussians, W2 = sqrt((b - 2)^2 + (|a| - 0.5)^2): 0 only at p_g = p_data.
# Each setting runs over three seeds (weights, noise and data differ; thick
# line: the median seed, thin: each seed); the right panel puts the same
# curves on the x axis of cost, D and G gradient evaluations, since k = 5
# makes an iteration three times as expensive.
#
# What to read off (the full run's numbers are printed below and in the
# lecture README): Adam's step is about lr per parameter whatever the
# gradient's size, so at lr 1e-3 G's offset b moves by at most ~1e-3 per
# iteration and W2 creeps down (G starts about 2 away); at lr 1e-2 Adam is
# the fastest here. SGD with momentum at the paper's momentum 0.5 gets close
# at k = 1; with k = 5 it gets there in fewer *iterations* in two seeds, for
# four times the CPU, and in the third G's spread |a| stalls well below 0.5
# (D, trained to near-optimality, keeps pushing the samples to the middle).
# None of this ranks the optimizers in general: each runs at one learning
# rate on one small problem.

# %%
def one_d_data(m, r):
    return r.normal(2.0, 0.5, size=(m, 1)).astype(np.float32)


def gaussian_w2(G_linear):
    """W2(N(b, a^2), N(2, 0.5^2)) for the linear generator G(z) = a z + b, z ~ N(0, 1)."""
    a, b = float(G_linear.weight.data[0, 0]), float(G_linear.bias.data[0])
    return float(np.hypot(b - 2.0, abs(a) - 0.5))


k_settings = {  # name: (optimizer, learning rate, k)
    "Adam lr 1e-3, k = 1": ("adam", 1e-3, 1),
    "Adam lr 1e-2, k = 1": ("adam", 1e-2, 1),
    "SGD lr 0.05, momentum 0.5, k = 1": ("sgd", 0.05, 1),
    "SGD lr 0.05, momentum 0.5, k = 5": ("sgd", 0.05, 5),
}
k_iterations = 200 if FAST else 1500
k_seeds = [0] if FAST else [0, 1, 2]
w2_curves, k_cpu, k_final = {}, {}, {}
for name, (kind, lr, k) in k_settings.items():
    w2_curves[name], cpu, k_final[name] = [], [], []
    for seed in k_seeds:
        Gk = nn.Linear(1, 1, rng=seed)
        Dk = nn.MLP([1, 32, 32, 1], activation="relu", rng=seed + 100)

        def make_optimizer(module):
            if kind == "adam":
                return optim.Adam(module.parameters(), lr=lr, betas=(0.5, 0.999))
            return optim.SGD(module.parameters(), lr=lr, momentum=0.5)

        game = GAN(Gk, Dk, 1, batch_size=256, k=k, rng=seed + 200,
                   opt_g=make_optimizer(Gk), opt_d=make_optimizer(Dk))
        curve = [gaussian_w2(Gk)]
        start_cpu = time.process_time()
        game.train(one_d_data, k_iterations, eval_every=25,
                   callbacks=[lambda g, step: curve.append(gaussian_w2(Gk))])
        cpu.append(time.process_time() - start_cpu)
        w2_curves[name].append(curve)
        k_final[name].append((float(Gk.bias.data[0]), abs(float(Gk.weight.data[0, 0]))))
    w2_curves[name] = np.array(w2_curves[name])         # (seeds, records)
    k_cpu[name] = float(np.mean(cpu))
k_steps = np.concatenate([[0], np.arange(25, k_iterations + 1, 25)])
if k_steps[-1] != k_iterations:                         # GAN.train also calls back at the last step
    k_steps = np.append(k_steps, k_iterations)
assert all(curves.shape[1] == len(k_steps) for curves in w2_curves.values())
checkpoints_w2 = [int(k_steps[len(k_steps) // 3]), k_iterations]
for name, curves in w2_curves.items():
    at = {c: curves[:, int(np.flatnonzero(k_steps == c)[0])] for c in checkpoints_w2}
    cells = "  ".join(f"W2 at {c:4d}: {at[c].mean():.3f} +- {at[c].std():.3f}" for c in checkpoints_w2)
    print(f"{name:34s} {cells}  (per seed: W2 {', '.join(f'{v:.3f}' for v in at[k_iterations])}, "
          f"(b, |a|) {', '.join(f'({b:.2f}, {a:.2f})' for b, a in k_final[name])}; "
          f"{k_cpu[name]:.1f} s CPU per run)")

fig = viz.new_figure((11.0, 3.8))
ax_it, ax_cost = fig.subplots(1, 2, sharey=True)
for i, (name, curves) in enumerate(w2_curves.items()):
    k = k_settings[name][2]
    for ax, x in ((ax_it, k_steps), (ax_cost, k_steps * (k + 1))):
        for c in curves:
            ax.plot(x, c, color=f"C{i}", lw=0.6, alpha=0.35)
        ax.plot(x, np.median(curves, axis=0), color=f"C{i}", lw=1.6, label=name)
for ax, label in ((ax_it, "iteration (k D steps + 1 G step)"),
                  (ax_cost, "gradient evaluations (D and G steps)")):
    ax.set_yscale("log")
    ax.set_xlabel(label)
    ax.grid(alpha=0.3)
ax_it.set_ylabel("W2(p_g, p_data), exact")
ax_it.legend(fontsize=7)
fig.suptitle(f"1-D GAN, linear G: distance to the data (median of {len(k_seeds)} seed"
             f"{'s' if len(k_seeds) > 1 else ''}, thin: each seed)", fontsize=9)
viz.save_figure(fig, FIGURES / "04_k_steps_and_optimizers.png")
