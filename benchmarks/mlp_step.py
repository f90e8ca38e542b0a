"""One training step of an MNIST-sized MLP: scratchgen vs plain NumPy vs PyTorch.

The step: forward through 784-256-256-10 (ReLU), mean cross-entropy on a
batch of 64, backward, one Adam update (lr 1e-3), float32. Three versions:

* scratchgen: ``nn.MLP`` + ``F.cross_entropy`` + ``optim.Adam`` (fused
  linear+ReLU nodes, fused cross-entropy, in-place Adam kernel);
* numpy: the same math written straightforwardly with NumPy arrays (what a
  student would write by hand: no autodiff, temporaries everywhere);
* torch: ``torch.nn.Sequential`` + ``F.cross_entropy`` + ``torch.optim.Adam``
  with ``torch.set_num_threads`` equal to NumPy's BLAS threads (when torch is
  installed).

Each version runs ``--steps`` steps per repeat; the repeats of the versions
are interleaved, and we report the median over ``--repeats`` repeats of the
wall-clock and the CPU time (all threads of the process) per step, and
ratios (> 1 means scratchgen is faster). CPU time is the steadier number on
a busy machine. Run::

    python benchmarks/mlp_step.py               # scratchgen's thread policy (1 BLAS thread)
    python benchmarks/mlp_step.py --threads 1   # one thread everywhere
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import statistics
import time

import numpy as np

SIZES = (784, 256, 256, 10)
BATCH = 64
LR = 1e-3


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def scratchgen_step_fn(x, y):
    import scratchgen as sg
    from scratchgen import nn, optim
    from scratchgen.nn import functional as F

    model = nn.MLP(list(SIZES), rng=0)
    opt = optim.Adam(model.parameters(), lr=LR)
    xt = sg.tensor(x)

    def step():
        loss = F.cross_entropy(model(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def numpy_step_fn(x, y):
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    onehot = np.eye(SIZES[-1], dtype=np.float32)[y]

    def step():
        W1, b1, W2, b2, W3, b3 = params
        z1 = x @ W1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2.T + b2
        h2 = np.maximum(z2, 0)
        logits = h2 @ W3.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        g3 = (p - onehot) / BATCH
        dW3, db3 = g3.T @ h2, g3.sum(0)
        g2 = (g3 @ W3) * (z2 > 0)
        dW2, db2 = g2.T @ h1, g2.sum(0)
        g1 = (g2 @ W2) * (z1 > 0)
        dW1, db1 = g1.T @ x, g1.sum(0)
        t[0] += 1
        c1, c2 = 1 - beta1 ** t[0], 1 - beta2 ** t[0]
        for i, g in enumerate((dW1, db1, dW2, db2, dW3, db3)):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            params[i] -= LR / c1 * m[i] / (np.sqrt(v[i] / c2) + eps)
    return step


def torch_step_fn(x, y, threads):
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def time_steps(candidates, steps, repeats):
    """Median wall and CPU seconds per step of each candidate.

    The repeats are interleaved (a, b, c, a, b, c, ...) so that a change in
    the machine's load during the run affects every version alike.
    """
    for step in candidates.values():
        for _ in range(20):  # warm up: JIT compilation, allocator, caches
            step()
    wall = {name: [] for name in candidates}
    cpu = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, step in candidates.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                step()
            wall[name].append((time.perf_counter() - start_wall) / steps)
            cpu[name].append((time.process_time() - start_cpu) / steps)
    return ({n: statistics.median(t) for n, t in wall.items()},
            {n: statistics.median(t) for n, t in cpu.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/torch threads (default: scratchgen's thread policy, "
                             "SCRATCHGEN_NUM_THREADS or 1)")
    args = parser.parse_args()
    import scratchgen as sg
    if args.threads is not None:
        sg.set_num_threads(args.threads)
    else:
        sg.apply_thread_policy()
    threads = sg.get_num_threads()["blas"]
    x, y = make_data()
    candidates = {"scratchgen": scratchgen_step_fn(x, y), "numpy": numpy_step_fn(x, y)}
    torch_step = torch_step_fn(x, y, threads)
    if torch_step is not None:
        candidates["torch"] = torch_step
    wall, cpu = time_steps(candidates, args.steps, args.repeats)
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, Adam; "
          f"threads: {threads}; median of {args.repeats} x {args.steps} steps")
    print(f"{'version':<12}{'wall ms':>9}{'cpu ms':>9}{'speed-up (wall)':>17}"
          f"{'speed-up (cpu)':>16}")
    for name in candidates:
        print(f"{name:<12}{wall[name] * 1e3:>9.3f}{cpu[name] * 1e3:>9.3f}"
              f"{wall[name] / wall['scratchgen']:>16.2f}x"
              f"{cpu[name] / cpu['scratchgen']:>15.2f}x")
    print("speed-up = time of that version / time of scratchgen (> 1: scratchgen is faster)")
    if "torch" not in candidates:
        print("(torch not installed: no PyTorch row)")


if __name__ == "__main__":
    main()
