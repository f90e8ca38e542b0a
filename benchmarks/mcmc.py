"""Metropolis-Hastings: steps per second of each engine against a bare Numba loop.

    python benchmarks/mcmc.py [--repeats 5] [--quick] [--only ring|gaussian]

Targets: the 8-Gaussian ring in 2-D and a 50-D correlated Gaussian. For each,
the limit is the faster of two hand-written single-chain Numba loops
(propose, evaluate, accept, store) calling the same compiled log-density:
random numbers drawn inside the loop from a NumPy ``Generator`` passed in
(what the engine does), or pre-drawn by NumPy (timed with the drawing). The engines are timed through the public ``metropolis_hastings``
(tune=0, fixed random-walk scale, one chain unless stated; the Numba
engine's chains run in parallel threads, ``scratchgen.num_threads``). A
"step" is one proposal of one chain, so a run of n steps with c chains counts
n * c. Timings are medians over interleaved rounds after a warm-up round
(compilation excluded). The thread policy is scratchgen's
(``apply_thread_policy``: SCRATCHGEN_NUM_THREADS, else one BLAS thread).

Besides the wall-clock rate, each row shows the process's CPU time per step
(all threads): on a busy machine the wall-clock gain of a second thread is
capped by what the other processes leave (see the control line), while a
parallel row whose CPU time per step matches the 1-thread row shows that the
threads add no work of their own.
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import os
import statistics
import time

import numba
import numpy as np

from scratchgen import apply_thread_policy, num_threads
from scratchgen.mcmc import (RandomWalk, make_gaussian_log_prob, metropolis_hastings, ring_log_prob,
                             ring_log_prob_vectorized)

DIM_HIGH = 50


def _make_bare_loop_predrawn(log_prob):
    """The bare loop fed with random numbers drawn by NumPy's Generator before it
    (timed including the drawing): the limit for an engine that pre-draws."""
    @numba.njit
    def loop(x0, noise, log_u, scale):
        n_steps, dim = noise.shape
        x, x_new = x0.copy(), np.empty(dim)
        log_p = log_prob(x)
        draws = np.empty((n_steps, dim))
        n_accepted = 0
        for t in range(n_steps):
            for j in range(dim):
                x_new[j] = x[j] + scale * noise[t, j]
            log_p_new = log_prob(x_new)
            if log_u[t] < log_p_new - log_p:
                x[:] = x_new
                log_p = log_p_new
                n_accepted += 1
            draws[t] = x
        return draws, n_accepted

    def run(x0, n_steps, scale, seed):
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((n_steps, x0.shape[0]))
        return loop(x0, noise, np.log(rng.random(n_steps)), scale)
    return run


def _make_bare_loop_generator(log_prob):
    """The bare loop (propose, evaluate, accept, store) drawing from a NumPy Generator
    inside the compiled loop, as the engine does (Numba's legacy ``np.random`` in the
    loop was 1.6-1.9x slower: ``np.random.seed`` / ``np.random.standard_normal``)."""
    @numba.njit
    def loop(x0, n_steps, scale, rng):
        dim = x0.shape[0]
        x, x_new = x0.copy(), np.empty(dim)
        log_p = log_prob(x)
        draws = np.empty((n_steps, dim))
        n_accepted = 0
        for t in range(n_steps):
            for j in range(dim):
                x_new[j] = x[j] + scale * rng.standard_normal()
            log_p_new = log_prob(x_new)
            if np.log(rng.random()) < log_p_new - log_p:
                x[:] = x_new
                log_p = log_p_new
                n_accepted += 1
            draws[t] = x
        return draws, n_accepted

    def run(x0, n_steps, scale, seed):
        return loop(x0, n_steps, scale, np.random.default_rng(seed))
    return run


def _median_rates(runs, repeats):
    """{label: (steps/s, CPU s/step)}: every run once per round (interleaved, so that a busy
    spell of the shared machine hits all rows alike), medians over the rounds, after a
    warm-up round."""
    times = {label: [] for label, _, _ in runs}
    cpu = {label: [] for label, _, _ in runs}
    for round_ in range(repeats + 1):
        for label, run, _ in runs:
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            if round_:  # round 0 is the warm-up: compilation and caches
                times[label].append(time.perf_counter() - start)
                cpu[label].append(time.process_time() - start_cpu)
    return {label: (n / statistics.median(times[label]), statistics.median(cpu[label]) / n)
            for label, _, n in runs}


@numba.njit(nogil=True)
def _busy_loop(n):
    total = 0.0
    for i in range(n):
        total += np.sqrt(i + 1.0)
    return total


def control_runs(n=20_000_000):
    """Two rows timed in the same rounds as the engines: a trivial nogil loop, once per thread,
    run on one thread and then on all threads. Their ratio is what the machine gives a second
    thread at the moments the engines were timed: ~2 on a quiet 2-core machine, less on a busy
    one (with the kernel's per-session scheduling, "autogroup", a process's threads share
    one session's slice, so a second thread adds little while other sessions keep the cores
    busy)."""
    from concurrent.futures import ThreadPoolExecutor
    cores = numba.config.NUMBA_NUM_THREADS
    _busy_loop(10)
    pool = ThreadPoolExecutor(cores)

    def serial():
        for _ in range(cores):
            _busy_loop(n)

    def parallel():
        list(pool.map(_busy_loop, [n] * cores))
    return [("control: trivial loop, 1 thread", serial, n * cores),
            (f"control: trivial loop, {cores} threads", parallel, n * cores)]


def _engine_runs(log_prob_numba, log_prob_batch, dim, scale, sizes):
    x0 = np.zeros(dim)
    proposal = RandomWalk(scale=scale)
    cores = numba.config.NUMBA_NUM_THREADS

    def mh(log_prob, n, chains, threads=None, **kw):
        def run():
            with num_threads(threads or cores):
                metropolis_hastings(log_prob, x0, n, proposal=proposal, n_chains=chains,
                                    tune=0, rng=0, **kw)
        return run
    py = log_prob_numba.py_func
    n = sizes["numba"]
    return [
        ("numba engine, 1 chain", mh(log_prob_numba, n, 1), n),
        ("numba engine, 4 chains, 1 thread", mh(log_prob_numba, n // 4, 4, threads=1), n // 4 * 4),
        (f"numba engine, 4 chains, {cores} threads", mh(log_prob_numba, n // 4, 4), n // 4 * 4),
        (f"numba engine, 32 chains, {cores} threads", mh(log_prob_numba, n // 32, 32),
         n // 32 * 32),
        ("vectorized engine, 1 chain", mh(log_prob_batch, sizes["vectorized"], 1, vectorized=True),
         sizes["vectorized"]),
        ("vectorized engine, 32 chains",
         mh(log_prob_batch, sizes["vectorized"], 32, vectorized=True), sizes["vectorized"] * 32),
        ("python engine, 1 chain", mh(py, sizes["python"], 1), sizes["python"]),
    ]


def benchmark_target(name, log_prob_numba, log_prob_batch, dim, scale, sizes, repeats):
    x0 = np.zeros(dim)
    n = sizes["numba"]
    predrawn = _make_bare_loop_predrawn(log_prob_numba)
    generator = _make_bare_loop_generator(log_prob_numba)
    with num_threads(1):  # the bare loops are single-threaded anyway; BLAS never runs here
        runs = [("bare loop, in-loop Generator", lambda: generator(x0, n, scale, 0), n),
                ("bare loop, pre-drawn RNG", lambda: predrawn(x0, n, scale, 0), n)]
    n_bare = len(runs)
    runs += _engine_runs(log_prob_numba, log_prob_batch, dim, scale, sizes)
    controls = control_runs()
    measured = _median_rates(runs + controls, repeats)
    rates = {label: rate for label, (rate, _) in measured.items()}
    capacity = rates[controls[1][0]] / rates[controls[0][0]]
    labels = [label for label, _, _ in runs]
    limit = max(rates[label] for label in labels[:n_bare])  # the fastest bare loop is the limit
    numba_rate = rates["numba engine, 1 chain"]
    print(f"\n{name}  (dim={dim}, random-walk scale {scale})")
    print(f"{'':36}{'steps/s':>14}{'vs limit':>12}{'numba 1 chain x':>17}{'CPU ns/step':>13}")
    for label in labels:
        rate = rates[label]
        print(f"{label:36}{rate:>14,.0f}{rate / limit:>11.2f}x{numba_rate / rate:>16.1f}x"
              f"{measured[label][1] * 1e9:>13,.0f}")
    parallel = rates[f"numba engine, 4 chains, {numba.config.NUMBA_NUM_THREADS} threads"]
    cores = numba.config.NUMBA_NUM_THREADS
    gain = parallel / rates["numba engine, 4 chains, 1 thread"]
    print(f"control, in the same rounds: a trivial loop runs {capacity:.2f}x faster on {cores} "
          f"threads than on 1 (the machine's spare capacity); the engine's 4 chains gain "
          f"{gain:.2f}x from {cores} threads over 1 ({gain / capacity:.0%} of the control's gain)")
    print(f"goals: 1 chain {limit / numba_rate:.2f}x the bare loop's time per step (issue: ~1.3x); "
          f"4 chains on {cores} threads {parallel / limit:.2f}x a "
          f"single-chain bare loop's throughput (goal >= 1.7x)")
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument("--only", choices=("ring", "gaussian"), default=None,
                        help="one target only (the ring or the 50-D Gaussian)")
    args = parser.parse_args()
    div = 20 if args.quick else 1
    apply_thread_policy()
    print(f"numba {numba.__version__}, numpy {np.__version__}; {os.cpu_count()} cores; medians "
          f"of {args.repeats} interleaved rounds (on a shared machine only the ratios count)")

    if args.only != "gaussian":
        benchmark_target("8-Gaussian ring", ring_log_prob, ring_log_prob_vectorized,
                         2, 0.5, {"numba": 2_000_000 // div, "vectorized": 20_000 // div,
                                  "python": 10_000 // div}, args.repeats)
    if args.only == "ring":
        return

    rng = np.random.default_rng(0)
    a = rng.standard_normal((DIM_HIGH, DIM_HIGH)) / np.sqrt(DIM_HIGH)
    cov = a @ a.T + 0.5 * np.eye(DIM_HIGH)
    mean = rng.standard_normal(DIM_HIGH)
    gaussian = make_gaussian_log_prob(mean, cov)
    benchmark_target("50-D Gaussian", gaussian, make_gaussian_log_prob(mean, cov, vectorized=True),
                     DIM_HIGH, 0.1,
                     {"numba": 200_000 // div, "vectorized": 10_000 // div, "python": 2_000 // div},
                     args.repeats)


if __name__ == "__main__":
    main()
