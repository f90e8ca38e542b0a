"""Per-op overhead of the autodiff, side by side with PyTorch and NumPy.

A small graph on tiny arrays, so that the time is the bookkeeping, not the
arithmetic:

    y = ((x * w + b).tanh() * x).sum()   then  y.backward()

5 forward ops and their 5 backward ops. The per-op figure is the time of
forward + backward divided by the number of forward ops. PyTorch runs the
same graph when installed; "numpy" is the same forward arithmetic with the
gradient written by hand, i.e. the floor without any graph.

    python benchmarks/autodiff_overhead.py [--size 16] [--repeats 7]
"""
import argparse
import time

import numpy as np

import scratchgen as sg

N_OPS = 5


def median_time(fn, number, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times))


def scratchgen_step(x, w, b):
    def step():
        w.grad = None
        y = ((x * w + b).tanh() * x).sum()
        y.backward()
    return step


def numpy_step(x, w, b):
    def step():
        h = np.tanh(x * w + b)
        y = (h * x).sum()
        grad_w = (x * (1 - h * h)) * x  # d y / d w, by hand
        return y, grad_w
    return step


def torch_step(size):
    import torch
    torch.set_num_threads(1)
    x = torch.randn(size, dtype=torch.float32)
    w = torch.randn(size, dtype=torch.float32, requires_grad=True)
    b = torch.randn(size, dtype=torch.float32)

    def step():
        w.grad = None
        y = ((x * w + b).tanh() * x).sum()
        y.backward()
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    sg.apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else one BLAS thread (scratchgen/threads.py)
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(args.size).astype(np.float32) for _ in range(3))
    rows = [("scratchgen", median_time(
        scratchgen_step(sg.tensor(x), sg.tensor(w, requires_grad=True), sg.tensor(b)),
        args.number, args.repeats))]
    try:
        rows.append(("pytorch", median_time(torch_step(args.size), args.number,
                                            args.repeats)))
    except ImportError:
        print("(PyTorch not installed: skipping it)")
    rows.append(("numpy (no graph)", median_time(numpy_step(x, w, b), args.number,
                                                args.repeats)))
    base = rows[0][1]
    print(f"graph of {N_OPS} ops on arrays of {args.size} float32, forward + backward, "
          f"median of {args.repeats} x {args.number}")
    print(f"{'':18s} {'step (us)':>10s} {'per op (us)':>12s} {'this / scratchgen':>18s}")
    for name, t in rows:
        print(f"{name:18s} {t * 1e6:10.1f} {t * 1e6 / N_OPS:12.2f} {t / base:18.2f}")
    print("this / scratchgen > 1: scratchgen is faster")


if __name__ == "__main__":
    main()
