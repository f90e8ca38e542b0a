"""Numba kernels vs their NumPy twins, side by side.

    python benchmarks/kernels.py [--repeats 31] [--shape 64x256]

Each kernel is called through the public function of ``scratchgen.kernels``
(validation included, as the library calls it) with the "numpy" and then the
"numba" backend, on a (64, 256) float32 batch (``--shape``); the noise
draw fills 512 x 256 float32 numbers (the ring GAN's z); the optimizer steps update
784 * 256 float32 parameters (an MNIST-sized first layer). Times are medians
over ``repeats`` timings of a loop sized to take about 2 ms, after a warm-up
call that compiles the Numba version. "speed-up" = twin time / Numba time.

Times are CPU time of this process (``time.process_time``), not wall time:
all kernels run on one thread, and on a shared machine wall time mostly
measures the other processes.

The check: a Numba kernel that runs more than MAX_SLOWDOWN times slower than
its NumPy twin should not be the "numba" backend's choice (route it to the
twin, as ``numba_kernels.ROUTED_TO_NUMPY`` does for exp/tanh-bound loops,
because Numba from pip has no SVML). Such rows are marked SLOW and the
script exits with status 1. Routed kernels show a speed-up near 1.0x (the
same code on both backends).
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import statistics
import time

import numpy as np

from scratchgen import apply_thread_policy, kernels

#: a Numba kernel may be at most this much slower than its twin (timing noise
#: on a shared machine reaches ~20%; anything beyond 1.5x is a real loss)
MAX_SLOWDOWN = 1.5


def median_seconds(fn, repeats):
    fn()  # warm-up: Numba compiles (or loads from its cache) here
    start = time.process_time()
    fn()
    once = max(time.process_time() - start, 1e-6)
    number = max(1, int(2e-3 / once))
    timings = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(number):
            fn()
        timings.append((time.process_time() - start) / number)
    return statistics.median(timings)


def cases(rng, shape=(64, 256)):
    x = rng.normal(size=shape).astype(np.float32)
    b = rng.normal(size=shape[1]).astype(np.float32)
    g = rng.normal(size=shape).astype(np.float32)
    targets = (rng.random(shape) < 0.5).astype(np.float32)
    y_tanh = np.tanh(x)
    rows = {}
    for activation in ("identity", "relu", "leaky_relu", "tanh", "sigmoid"):
        rows[f"bias_act_forward[{activation}]"] = lambda a=activation: kernels.bias_act_forward(x, b, a)
    for activation in ("relu", "tanh", "sigmoid"):
        rows[f"bias_act_backward[{activation}]"] = (
            lambda a=activation: kernels.bias_act_backward(y_tanh, g, a))
    rows["sigmoid"] = lambda: kernels.sigmoid(x)
    rows["softplus"] = lambda: kernels.softplus(x)
    rows["bce_with_logits"] = lambda: kernels.bce_with_logits(x, targets)
    rows["bce_with_logits_backward"] = lambda: kernels.bce_with_logits_backward(x, targets, g)
    points = x[:64, :256]  # the metrics' use: small sets of points, whatever --shape says
    rows[f"pairwise_sq_distances ({points.shape[0]}x{points.shape[1]}, twice)"] = (
        lambda: kernels.pairwise_sq_distances(points, points))
    rows["logsumexp_rows"] = lambda: kernels.logsumexp_rows(x)
    noise, noise_rng = np.empty((512, 256), np.float32), np.random.default_rng(1)
    rows["standard_normal_ (512x256, the ring GAN's z)"] = (
        lambda: kernels.standard_normal_(noise_rng, noise))

    n_params = 784 * 256
    param = rng.normal(size=n_params).astype(np.float32) * 0.01
    grad = rng.normal(size=n_params).astype(np.float32)
    state = [np.zeros(n_params, np.float32) for _ in range(3)]
    rows["adam_step_ (784*256 params)"] = lambda: kernels.adam_step_(
        param, grad, state[0], state[1], None, 10, 1e-3, 0.9, 0.999, 1e-8, 0.0, False, False)
    rows["adam_step_ amsgrad+wd (784*256)"] = lambda: kernels.adam_step_(
        param, grad, state[0], state[1], state[2], 10, 1e-3, 0.9, 0.999, 1e-8, 1e-4, True, False)
    rows["sgd_step_ nesterov (784*256)"] = lambda: kernels.sgd_step_(
        param, grad, state[0], 1e-3, 0.9, 0.0, True, 1e-4, False, False)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--shape", default="64x256",
                        help="rows x columns of the elementwise cases (the GANs: 512x128 on "
                             "the ring's D, 2048x128 on the grid recipe's G)")
    args = parser.parse_args(argv)
    apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else one BLAS thread (scratchgen/threads.py)
    kernels.retain_freed_memory()  # as training runs: temporaries reused, not page-faulted
    rng = np.random.default_rng(0)
    shape = tuple(int(n) for n in args.shape.lower().split("x"))
    print(f"elementwise cases {shape[0]}x{shape[1]} float32; allowed: Numba at most "
          f"{MAX_SLOWDOWN}x the twin's time")
    print(f"{'kernel':46s} {'numpy twin':>12s} {'numba':>12s} {'speed-up':>9s}")
    slow = []
    with np.errstate(all="ignore"):
        for name, fn in cases(rng, shape).items():
            times = {}
            for backend in ("numpy", "numba"):
                with kernels.use_backend(backend):
                    times[backend] = median_seconds(fn, args.repeats)
            speedup = times["numpy"] / times["numba"]
            flag = "  SLOW" if speedup < 1 / MAX_SLOWDOWN else ""
            if flag:
                slow.append(name)
            print(f"{name:46s} {times['numpy'] * 1e6:10.1f}us {times['numba'] * 1e6:10.1f}us "
                  f"{speedup:8.1f}x{flag}")
    if slow:
        print(f"SLOW: {len(slow)} Numba kernel(s) more than {MAX_SLOWDOWN}x slower than "
              f"their twin: {', '.join(slow)}")
        return 1
    print(f"every Numba kernel is within {MAX_SLOWDOWN}x of its twin or faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
