"""Per-op overhead of the autodiff, side by side with PyTorch and plain NumPy.

Small graphs on tiny arrays, so that the time is the bookkeeping, not the
arithmetic:

    one-input:  y = ((x * w + b).tanh() * x).sum(), 16 float32, w requires grad
                (5 forward ops)
    two-input:  y = (tanh(x * w) + x * x - w).sum(), 8 float64, x and w both
                require grad (6 forward ops; the graph of issue 15)

then ``y.backward()``. The per-op figure is forward + backward divided by
the number of forward ops. "numpy" is the same forward arithmetic with the
gradients written by hand: the floor without any graph.

Each library runs in its own process with one thread (see ``_isolated.py``);
PyTorch in the interpreter of ``--torch-python`` / ``$SCRATCHGEN_TORCH_PYTHON``,
skipped when none can import torch. Times are the median over ``--rounds``
processes of the median of ``--repeats`` loops of ``--number`` steps.

    python benchmarks/autodiff_overhead.py [--repeats 7] [--rounds 3] [--torch-python PATH]
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import statistics
import sys
import time

import _isolated as isolated  # no NumPy inside; `scratchgen bench` skips _*.py helpers

GRAPHS = {"one-input": (16, "float32", 5), "two-input": (8, "float64", 6)}


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--torch-python", default=None)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=2, metavar=("LIBRARY", "GRAPH"),
                        help=argparse.SUPPRESS)  # internal: one measurement
    return parser.parse_args(argv)


def _inputs(graph):
    import numpy as np
    size, dtype, _ = GRAPHS[graph]
    rng = np.random.default_rng(0)
    return [rng.standard_normal(size).astype(dtype) for _ in range(3)]


def scratchgen_step(graph):
    import scratchgen as sg
    sg.apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, set by isolated.run_worker
    x, w, b = _inputs(graph)
    if graph == "one-input":
        x, w, b = sg.tensor(x), sg.tensor(w, requires_grad=True), sg.tensor(b)

        def step():
            w.grad = None
            ((x * w + b).tanh() * x).sum().backward()
        return step
    x, w = sg.tensor(x, requires_grad=True), sg.tensor(w, requires_grad=True)

    def step():
        x.grad = w.grad = None
        ((x * w).tanh() + x * x - w).sum().backward()
    return step


def torch_step(graph):
    import torch
    torch.set_num_threads(1)
    x, w, b = (torch.from_numpy(a) for a in _inputs(graph))
    if graph == "one-input":
        w.requires_grad_(True)

        def step():
            w.grad = None
            ((x * w + b).tanh() * x).sum().backward()
        return step
    x.requires_grad_(True)
    w.requires_grad_(True)

    def step():
        x.grad = w.grad = None
        ((x * w).tanh() + x * x - w).sum().backward()
    return step


def numpy_step(graph):
    import numpy as np
    x, w, b = _inputs(graph)
    if graph == "one-input":
        def step():
            h = np.tanh(x * w + b)
            y = (h * x).sum()
            grad_w = (x * (1 - h * h)) * x  # d y / d w, by hand
            return y, grad_w
        return step

    def step():
        h = np.tanh(x * w)
        y = (h + x * x - w).sum()
        d = 1 - h * h
        return y, d * w + 2 * x, d * x - 1  # y, dy/dx, dy/dw by hand
    return step


def measure(library, graph, number, repeats):
    step = {"scratchgen": scratchgen_step, "torch": torch_step,
            "numpy": numpy_step}[library](graph)
    for _ in range(200):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def main(args):
    torch_py = isolated.torch_python(args.torch_python)
    libraries = ["scratchgen"] + (["torch"] if torch_py else []) + ["numpy"]
    if not torch_py:
        print("(PyTorch not found: give --torch-python or SCRATCHGEN_TORCH_PYTHON; skipped)")
    print(f"each library in its own process, 1 thread; median over {args.rounds} rounds "
          f"of the median of {args.repeats} x {args.number} steps")
    print(f"{'graph':11s} {'library':11s} {'step (us)':>10s} {'per op (us)':>12s} "
          f"{'this / scratchgen':>18s}")
    for graph, (size, dtype, n_ops) in GRAPHS.items():
        samples = {lib: [] for lib in libraries}
        for _ in range(args.rounds):
            for lib in libraries:
                python = torch_py if lib == "torch" else sys.executable
                samples[lib].append(isolated.run_worker(
                    python, __file__, [lib, graph, "--number", args.number,
                                       "--repeats", args.repeats], 1)["median"])
        base = statistics.median(samples["scratchgen"])
        for lib in libraries:
            t = statistics.median(samples[lib])
            print(f"{graph:11s} {lib:11s} {t * 1e6:10.1f} {t * 1e6 / n_ops:12.2f} "
                  f"{t / base:18.2f}", flush=True)
    print("this / scratchgen > 1: scratchgen is faster")


if __name__ == "__main__":
    ARGS = _parse()
    if ARGS.worker:
        library, graph = ARGS.worker
        isolated.report({"median": measure(library, graph, ARGS.number, ARGS.repeats)})
    else:
        main(ARGS)
