"""Metropolis-Hastings: steps per second of each engine against a bare Numba loop.

    python benchmarks/mcmc.py [--repeats 5] [--quick]

Targets: the 8-Gaussian ring in 2-D and a 50-D correlated Gaussian. For each,
the limit is a hand-written Numba loop (propose, evaluate, accept, store) that
calls the same compiled log-density and draws its random numbers inside the
loop; the engines are timed through the public ``metropolis_hastings``
(tune=0, fixed random-walk scale, one chain unless stated). A "step" is one
proposal of one chain, so a run of n steps with c chains counts n * c.
Timings are medians over repeats after a warm-up run (compilation excluded).
"""
import argparse
import statistics
import time

import numba
import numpy as np

from scratchgen.mcmc import (RandomWalk, make_gaussian_log_prob, metropolis_hastings, ring_log_prob,
                             ring_log_prob_vectorized)

DIM_HIGH = 50


def _make_bare_loop_predrawn(log_prob):
    """The bare loop fed with random numbers drawn by NumPy's Generator before it.

    NumPy's ziggurat normals are faster than Numba's in-loop generator, so this
    variant (timed including the drawing) is the stricter limit.
    """
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


def _make_bare_loop(log_prob):
    """The bare loop (propose, evaluate, accept) for a compiled log-density:
    the limit an engine is measured against."""
    @numba.njit
    def bare_loop(x0, n_steps, scale, seed):
        np.random.seed(seed)
        dim = x0.shape[0]
        x, x_new = x0.copy(), np.empty(dim)
        log_p = log_prob(x)
        draws = np.empty((n_steps, dim))
        n_accepted = 0
        for t in range(n_steps):
            for j in range(dim):
                x_new[j] = x[j] + scale * np.random.standard_normal()
            log_p_new = log_prob(x_new)
            if np.log(np.random.random()) < log_p_new - log_p:
                x[:] = x_new
                log_p = log_p_new
                n_accepted += 1
            draws[t] = x
        return draws, n_accepted
    return bare_loop


def _median_rate(run, n_chain_steps, repeats):
    run()  # warm-up: compilation and caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return n_chain_steps / statistics.median(times)


def _engine_runs(log_prob_numba, log_prob_batch, dim, scale, sizes):
    x0 = np.zeros(dim)
    proposal = RandomWalk(scale=scale)

    def mh(log_prob, n, chains, **kw):
        return lambda: metropolis_hastings(log_prob, x0, n, proposal=proposal, n_chains=chains,
                                           tune=0, seed=0, **kw)
    py = log_prob_numba.py_func
    return [
        ("numba engine, 1 chain", mh(log_prob_numba, sizes["numba"], 1), sizes["numba"]),
        ("numba engine, 32 chains", mh(log_prob_numba, sizes["numba"] // 32, 32),
         sizes["numba"] // 32 * 32),
        ("numpy engine, 1 chain", mh(log_prob_batch, sizes["numpy"], 1, vectorized=True),
         sizes["numpy"]),
        ("numpy engine, 32 chains", mh(log_prob_batch, sizes["numpy"], 32, vectorized=True),
         sizes["numpy"] * 32),
        ("python engine, 1 chain", mh(py, sizes["python"], 1), sizes["python"]),
    ]


def benchmark_target(name, log_prob_numba, log_prob_batch, bare_loop, dim, scale, sizes, repeats):
    x0 = np.zeros(dim)
    predrawn = _make_bare_loop_predrawn(log_prob_numba)
    bare = [("bare loop, in-loop RNG", bare_loop), ("bare loop, pre-drawn RNG", predrawn)]
    rows = [(label, _median_rate(lambda: fn(x0, sizes["numba"], scale, 0), sizes["numba"], repeats))
            for label, fn in bare]
    for label, run, n in _engine_runs(log_prob_numba, log_prob_batch, dim, scale, sizes):
        rows.append((label, _median_rate(run, n, repeats)))
    limit = max(rows[0][1], rows[1][1])  # the faster bare loop is the limit
    numba_rate = rows[2][1]
    print(f"\n{name}  (dim={dim}, random-walk scale {scale})")
    print(f"{'':28}{'steps/s':>14}{'vs limit':>14}{'numba engine x':>16}")
    for label, rate in rows:
        print(f"{label:28}{rate:>14,.0f}{rate / limit:>13.2f}x{numba_rate / rate:>15.1f}x")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    args = parser.parse_args()
    div = 20 if args.quick else 1
    print(f"numba {numba.__version__}, numpy {np.__version__}; medians of {args.repeats} repeats")

    benchmark_target("8-Gaussian ring", ring_log_prob, ring_log_prob_vectorized,
                     _make_bare_loop(ring_log_prob),
                     2, 0.5, {"numba": 2_000_000 // div, "numpy": 20_000 // div,
                              "python": 10_000 // div}, args.repeats)

    rng = np.random.default_rng(0)
    a = rng.standard_normal((DIM_HIGH, DIM_HIGH)) / np.sqrt(DIM_HIGH)
    cov = a @ a.T + 0.5 * np.eye(DIM_HIGH)
    mean = rng.standard_normal(DIM_HIGH)
    gaussian = make_gaussian_log_prob(mean, cov)
    benchmark_target("50-D Gaussian", gaussian, make_gaussian_log_prob(mean, cov, vectorized=True),
                     _make_bare_loop(gaussian), DIM_HIGH, 0.1,
                     {"numba": 200_000 // div, "numpy": 10_000 // div, "python": 2_000 // div},
                     args.repeats)


if __name__ == "__main__":
    main()
