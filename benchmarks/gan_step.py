"""Time one full iteration of Algorithm 1 (Goodfellow et al. 2014): scratchgen
vs PyTorch (CPU) vs plain NumPy vs the iteration's matrix products alone.

One iteration = k = 1 discriminator step (m real + m generated samples,
BCE-with-logits, backward, Adam) + one generator step (m noise samples,
non-saturating loss, backward through D into G, Adam), all float32.

Configurations (from issue 15):
  a: MNIST-sized MLP GAN: z = 100, G 100-256-256-784 (LeakyReLU 0.2, tanh
     output), D 784-256-256-1 (LeakyReLU 0.2), batch 64;
  b: ring GAN: z = 256, G 256-128-128-2 and D 2-128-128-1 (ReLU), batch 512.

Fair comparison (see ``_isolated.py``): every measurement runs in its own
process, with OPENBLAS/OMP/MKL/NUMBA_NUM_THREADS set before NumPy or PyTorch
is imported (and ``torch.set_num_threads``), at each thread count of
``--threads`` (default 1 and 2). PyTorch runs in the interpreter given by
``--torch-python`` or ``$SCRATCHGEN_TORCH_PYTHON`` (e.g. a separate venv:
``python -m venv --system-site-packages /work/venv-torch &&
/work/venv-torch/bin/pip install torch``), and is skipped when none can
import torch. The libraries take turns round by round (``--rounds``), so a
change of machine load hits all of them; each process reports the median
of ``--repeats`` iterations after 5 warm-up ones, and the table shows the
median over rounds.

"matmul limit" is the physical floor of an MLP GAN iteration on this CPU:
the iteration's 33 matrix products (G forward; D forward on real and fake;
D's weight and input gradients; in G's step D forward and its input
gradients, G's weight and input gradients) as ``np.matmul(a, b, out=c)`` on
preallocated float32 arrays. "sg/limit" is scratchgen's time over it (the
goal of issue 15 is <= 1.3); "torch/sg" > 1 means scratchgen is faster.
scratchgen's and PyTorch's GAN skip D's weight gradients in G's step.

Usage: python benchmarks/gan_step.py [--repeats 30] [--rounds 3] [--threads 1,2]
                                     [--configs a,b] [--torch-python PATH] [--clock wall|cpu]
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import os
import statistics
import sys
import time


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--configs", default="a,b")
    parser.add_argument("--torch-python", default=None,
                        help="interpreter with torch (default $SCRATCHGEN_TORCH_PYTHON)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall: perf_counter (quiet machine); cpu: process_time, the CPU "
                             "time of all the process's threads (a busy machine: compare "
                             "libraries at 1 thread)")
    parser.add_argument("--worker", nargs=2, metavar=("LIBRARY", "CONFIG"),
                        help=argparse.SUPPRESS)  # internal: one measurement
    return parser.parse_args(argv)


import _isolated as isolated  # noqa: E402  (imports no NumPy)

ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None and ARGS.worker:
    isolated.set_threads_before_import(int(ARGS.threads))

import numpy as np  # noqa: E402  (after the thread variables)

CONFIGS = {
    "a": dict(title="a: MNIST MLP z=100, 784-256-256, batch 64",
              latent=100, g_sizes=[100, 256, 256, 784], d_sizes=[784, 256, 256, 1],
              act="leaky_relu", g_out="tanh", batch=64),
    "b": dict(title="b: ring z=256, 128-128, batch 512",
              latent=256, g_sizes=[256, 128, 128, 2], d_sizes=[2, 128, 128, 1],
              act="relu", g_out=None, batch=512),
}
SLOPE = 0.2
LR, BETAS, EPS = 2e-4, (0.5, 0.999), 1e-8


def _real_data(cfg, rng):
    return rng.standard_normal((4096, cfg["d_sizes"][0])).astype(np.float32)


# --------------------------------------------------------------------------- scratchgen
def scratchgen_step(cfg, seed=0):
    import scratchgen as sg  # noqa: F401
    from scratchgen import nn, optim
    from scratchgen.gan import GAN

    sg.apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, set by isolated.run_worker
    sg.set_default_dtype(np.float32)
    rng = np.random.default_rng(seed)
    act_kwargs = {"negative_slope": SLOPE} if cfg["act"] == "leaky_relu" else {}
    G = nn.MLP(cfg["g_sizes"], activation=cfg["act"], output_activation=cfg["g_out"], rng=rng, **act_kwargs)
    D = nn.MLP(cfg["d_sizes"], activation=cfg["act"], rng=rng, **act_kwargs)
    gan = GAN(G, D, cfg["latent"], loss="nonsaturating", batch_size=cfg["batch"],
              opt_g=optim.Adam(G.parameters(), lr=LR, betas=BETAS),
              opt_d=optim.Adam(D.parameters(), lr=LR, betas=BETAS), rng=rng)
    data = _real_data(cfg, rng)
    return lambda: gan.iteration(data)


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


# --------------------------------------------------------------------------- matmul limit
def matmul_shapes(cfg):
    """(rows, inner, cols) of the 33 products of one iteration (for 3-layer MLPs)."""
    m, g, d = cfg["batch"], cfg["g_sizes"], cfg["d_sizes"]
    g_layers, d_layers = list(zip(g[:-1], g[1:])), list(zip(d[:-1], d[1:]))
    forward = lambda layers: [(m, a, b) for a, b in layers]  # noqa: E731  x W^T
    weight_grads = lambda layers: [(b, m, a) for a, b in layers]  # noqa: E731  G^T x
    input_grads = lambda layers: [(m, b, a) for a, b in layers]  # noqa: E731  G W
    shapes = forward(g_layers)                                    # fake = G(z)
    shapes += 2 * forward(d_layers)                               # D(real), D(fake)
    shapes += 2 * weight_grads(d_layers) + 2 * input_grads(d_layers[1:])
    shapes += forward(g_layers) + forward(d_layers)               # G's step: D(G(z))
    shapes += input_grads(d_layers)                               # through frozen D
    shapes += weight_grads(g_layers) + input_grads(g_layers[1:])
    return shapes


def matmul_step(cfg, seed=0):
    rng = np.random.default_rng(seed)
    operands = [(rng.standard_normal((r, k)).astype(np.float32),
                 rng.standard_normal((k, c)).astype(np.float32),
                 np.empty((r, c), np.float32)) for r, k, c in matmul_shapes(cfg)]

    def step():
        for a, b, out in operands:
            np.matmul(a, b, out=out)
    return step


# --------------------------------------------------------------------------- driver
def measure(library, key, threads, repeats, warmup=5, clock="wall"):
    """In a worker process: median seconds per iteration of one library."""
    cfg = CONFIGS[key]
    make = {"scratchgen": scratchgen_step, "numpy": numpy_step, "matmul": matmul_step,
            "torch": lambda c: torch_step(c, threads)}[library]
    step = make(cfg)
    for _ in range(warmup):
        step()
    now = time.perf_counter if clock == "wall" else time.process_time
    times = []
    for _ in range(repeats):
        start = now()
        step()
        times.append(now() - start)
    return statistics.median(times)


def main(args):
    thread_counts = [int(t) for t in str(args.threads).split(",")]
    keys = [k.strip() for k in args.configs.split(",")]
    torch_py = isolated.torch_python(args.torch_python)
    libraries = ["matmul", "scratchgen", "numpy"] + (["torch"] if torch_py else [])
    if not torch_py:
        print("PyTorch not found (give --torch-python or SCRATCHGEN_TORCH_PYTHON): "
              "its columns are skipped")
    print(f"each library in its own process; median of {args.repeats} iterations per "
          f"process, median over {args.rounds} rounds; {args.clock} times in ms "
          f"(load average {os.getloadavg()[0]:.1f} at the start)")
    print(f"{'config':42s} {'thr':>3s} {'matmul':>7s} {'sg':>7s} {'sg/limit':>8s} "
          f"{'numpy':>7s} {'torch':>7s} {'torch/sg':>8s} {'numpy/sg':>8s}")
    rows = []
    for threads in thread_counts:
        for key in keys:
            samples = {lib: [] for lib in libraries}
            for _ in range(args.rounds):
                for lib in libraries:
                    python = torch_py if lib == "torch" else sys.executable
                    samples[lib].append(isolated.run_worker(
                        python, __file__, [lib, key, "--repeats", args.repeats, "--clock", args.clock],
                        threads)["median"])
            t = {lib: statistics.median(v) for lib, v in samples.items()}
            t.setdefault("torch", float("nan"))
            rows.append((key, threads, t))
            print(f"{CONFIGS[key]['title']:42s} {threads:3d} {t['matmul'] * 1e3:7.2f} "
                  f"{t['scratchgen'] * 1e3:7.2f} {t['scratchgen'] / t['matmul']:8.2f} "
                  f"{t['numpy'] * 1e3:7.2f} {t['torch'] * 1e3:7.2f} "
                  f"{t['torch'] / t['scratchgen']:8.2f} {t['numpy'] / t['scratchgen']:8.2f}",
                  flush=True)
    print("torch/sg and numpy/sg > 1: scratchgen is faster; sg/limit: scratchgen over "
          "its matrix products alone")
    return rows


if __name__ == "__main__":
    if ARGS.worker:
        library, key = ARGS.worker
        isolated.report({"median": measure(library, key, int(ARGS.threads), ARGS.repeats,
                                           clock=ARGS.clock)})
    else:
        main(ARGS)
