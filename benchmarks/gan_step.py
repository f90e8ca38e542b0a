"""Time one full iteration of Algorithm 1 (Goodfellow et al. 2014): scratchgen
vs PyTorch (CPU) vs plain NumPy, side by side.

One iteration = k = 1 discriminator step (m real + m generated samples,
BCE-with-logits, backward, Adam) + one generator step (m noise samples,
non-saturating loss, backward through D into G, Adam), all float32.

Configurations (from the issue):
  (a) MNIST-sized MLP GAN: z = 100, G 100-256-256-784 (LeakyReLU 0.2, tanh
      output), D 784-256-256-1 (LeakyReLU 0.2), batch 64;
  (b) ring GAN: z = 256, G 256-128-128-2 and D 2-128-128-1 (ReLU), batch 512.

Same thread count everywhere: OPENBLAS/OMP/MKL_NUM_THREADS are set before
NumPy is imported and ``torch.set_num_threads`` gets the same number
(default: all cores; ``--threads``). PyTorch is optional (benchmark only,
not a dependency). The plain NumPy version writes forward and backward by
hand. All three skip D's weight gradients in the generator step (scratchgen's
``GAN`` and the PyTorch loop mark D's parameters requires_grad=False there).

Results here (2 cores, 1 thread each, torch 2.13.0 CPU, medians of 50-80):
(a) scratchgen 10.8-11.2 ms, PyTorch 12.8-13.3 ms (1.19-1.21x), NumPy
11.1-11.6 ms (1.03-1.04x); (b) scratchgen 11.9-14.5 ms, PyTorch 12.6-14.3 ms
(0.99-1.06x), NumPy 11.2-13.0 ms (0.90-0.94x). With 2 threads on the
shared machine all three suffered from BLAS threads spinning (10-20x
slower), so compare with 1 thread unless the machine is idle.

Usage: python benchmarks/gan_step.py [--repeats 50] [--threads N]
Reports the median seconds per iteration over ``repeats`` timed iterations
(after 5 warm-up iterations; the three implementations take turns, so load
changes on a shared machine affect them alike) and the ratios to scratchgen.
"""
import argparse
import os
import sys
import time


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables)

CONFIGS = {
    "a: MNIST MLP z=100, 784-256-256, batch 64": dict(
        latent=100, g_sizes=[100, 256, 256, 784], d_sizes=[784, 256, 256, 1],
        act="leaky_relu", g_out="tanh", batch=64),
    "b: ring z=256, 128-128, batch 512": dict(
        latent=256, g_sizes=[256, 128, 128, 2], d_sizes=[2, 128, 128, 1],
        act="relu", g_out=None, batch=512),
}
SLOPE = 0.2
LR, BETAS, EPS = 2e-4, (0.5, 0.999), 1e-8


def _interleaved_medians(steps, repeats, warmup=5):
    """Median time per call of each step function; the implementations take
    turns call by call, so a change in machine load hits all of them alike."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}


def _real_data(cfg, rng):
    return rng.standard_normal((4096, cfg["d_sizes"][0])).astype(np.float32)


# --------------------------------------------------------------------------- scratchgen
def scratchgen_step(cfg, seed=0):
    import scratchgen as sg  # noqa: F401
    from scratchgen import nn, optim
    from scratchgen.gan import GAN

    sg.set_default_dtype(np.float32)
    rng = np.random.default_rng(seed)
    act_kwargs = {"negative_slope": SLOPE} if cfg["act"] == "leaky_relu" else {}
    G = nn.MLP(cfg["g_sizes"], activation=cfg["act"], output_activation=cfg["g_out"], rng=rng, **act_kwargs)
    D = nn.MLP(cfg["d_sizes"], activation=cfg["act"], rng=rng, **act_kwargs)
    gan = GAN(G, D, cfg["latent"], loss="nonsaturating", batch_size=cfg["batch"],
              opt_g=optim.Adam(G.parameters(), lr=LR, betas=BETAS),
              opt_d=optim.Adam(D.parameters(), lr=LR, betas=BETAS), rng=rng)
    data = _real_data(cfg, rng)
    return lambda: gan.train(data, 1)


# --------------------------------------------------------------------------- PyTorch
def torch_step(cfg, threads, seed=0):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(seed)

    def mlp(sizes, out=None):
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(torch.nn.LeakyReLU(SLOPE) if cfg["act"] == "leaky_relu" else torch.nn.ReLU())
        if out == "tanh":
            layers.append(torch.nn.Tanh())
        return torch.nn.Sequential(*layers)

    G, D = mlp(cfg["g_sizes"], cfg["g_out"]), mlp(cfg["d_sizes"])
    opt_g = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
    opt_d = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
    bce = torch.nn.BCEWithLogitsLoss()
    data = torch.from_numpy(_real_data(cfg, np.random.default_rng(seed)))
    m = cfg["batch"]
    ones, zeros = torch.ones(m, 1), torch.zeros(m, 1)

    def step():
        x = data[torch.randint(0, len(data), (m,))]
        z = torch.randn(m, cfg["latent"])
        with torch.no_grad():
            fake = G(z)
        opt_d.zero_grad()
        loss_d = bce(D(x), ones) + bce(D(fake), zeros)
        loss_d.backward()
        opt_d.step()
        z = torch.randn(m, cfg["latent"])
        opt_g.zero_grad()
        D.requires_grad_(False)  # as scratchgen's GAN: no D weight gradients in G's step
        loss_g = bce(D(G(z)), ones)
        loss_g.backward()
        D.requires_grad_(True)
        opt_g.step()

    return step


# --------------------------------------------------------------------------- NumPy
class _NumpyMLP:
    """Dense layers with hand-written backward and Adam (float32)."""

    def __init__(self, sizes, act, out, rng):
        self.act, self.out = act, out
        self.params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / np.sqrt(a)
            self.params += [rng.uniform(-bound, bound, (b, a)).astype(np.float32),
                            rng.uniform(-bound, bound, b).astype(np.float32)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x):
        cache, n_layers = [], len(self.params) // 2
        for i in range(n_layers):
            W, b = self.params[2 * i], self.params[2 * i + 1]
            z = x @ W.T
            z += b
            if i < n_layers - 1:
                y = np.maximum(z, 0) if self.act == "relu" else np.where(z > 0, z, SLOPE * z)
            elif self.out == "tanh":
                y = np.tanh(z)
            else:
                y = z
            cache.append((x, y))
            x = y
        return x, cache

    def backward(self, cache, gy, params=True):
        grads = [None] * len(self.params)
        n_layers = len(cache)
        for i in reversed(range(n_layers)):
            x, y = cache[i]
            if i < n_layers - 1:
                gy = gy * (y > 0) if self.act == "relu" else gy * np.where(y > 0, 1, SLOPE).astype(np.float32)
            elif self.out == "tanh":
                gy = gy * (1 - y * y)
            if params:
                grads[2 * i] = gy.T @ x
                grads[2 * i + 1] = gy.sum(axis=0)
            gy = gy @ self.params[2 * i]
        return grads, gy

    def adam(self, grads):
        self.t += 1
        b1, b2 = BETAS
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= (LR / c1) * m / (np.sqrt(v / c2) + EPS)


def _sigmoid(l):
    return 0.5 * (1 + np.tanh(0.5 * l))


def numpy_step(cfg, seed=0):
    rng = np.random.default_rng(seed)
    G = _NumpyMLP(cfg["g_sizes"], cfg["act"], cfg["g_out"], rng)
    D = _NumpyMLP(cfg["d_sizes"], cfg["act"], None, rng)
    data = _real_data(cfg, rng)
    m = cfg["batch"]

    def step():
        # Discriminator: minimise softplus(-l_real).mean() + softplus(l_fake).mean().
        x = data[rng.integers(0, len(data), m)]
        fake, _ = G.forward(rng.standard_normal((m, cfg["latent"]), dtype=np.float32))
        both = np.concatenate([x, fake])
        logits, cache = D.forward(both)
        g = np.concatenate([_sigmoid(logits[:m]) - 1, _sigmoid(logits[m:])]) / m
        grads, _ = D.backward(cache, g.astype(np.float32))
        D.adam(grads)
        # Generator: minimise softplus(-D(G(z))).mean(), gradient through D into G.
        fake, g_cache = G.forward(rng.standard_normal((m, cfg["latent"]), dtype=np.float32))
        logits, d_cache = D.forward(fake)
        _, g_fake = D.backward(d_cache, ((_sigmoid(logits) - 1) / m).astype(np.float32), params=False)
        grads, _ = G.backward(g_cache, g_fake)
        G.adam(grads)

    return step


def main(args):
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch not installed: its column is skipped (pip install torch)")
    print(f"threads={args.threads} repeats={args.repeats} (median seconds per Algorithm-1 iteration)")
    header = f"{'config':44s} {'scratchgen':>11s} {'torch':>9s} {'numpy':>9s} {'torch/sg':>9s} {'numpy/sg':>9s}"
    print(header)
    rows = []
    for name, cfg in CONFIGS.items():
        steps = {"scratchgen": scratchgen_step(cfg), "numpy": numpy_step(cfg)}
        if have_torch:
            steps["torch"] = torch_step(cfg, args.threads)
        times = _interleaved_medians(steps, args.repeats)
        t_sg, t_np = times["scratchgen"], times["numpy"]
        t_th = times.get("torch", float("nan"))
        rows.append((name, t_sg, t_th, t_np))
        print(f"{name:44s} {t_sg * 1e3:9.2f}ms {t_th * 1e3:7.2f}ms {t_np * 1e3:7.2f}ms "
              f"{t_th / t_sg:9.2f} {t_np / t_sg:9.2f}", flush=True)
    print("ratios > 1 mean scratchgen is faster")
    return rows


if __name__ == "__main__":
    sys.exit(0 if main(ARGS) else 1)
