"""Three engines, one result: the exact relationship between their chains for one seed.

* Numba engine == Python engine, bit for bit, for a diagonal random walk (the
  same operations in the same order, the same libm exp/log); with a step
  covariance the Python engine's proposal is a BLAS product while the Numba
  loop sums in order, so draws agree to rounding (~1e-15).
* The vectorized engine makes the same accept/reject decisions at every step;
  its draws agree to rounding: it evaluates the batch form of the target (its
  log p differs from the point form in the last bits) and NumPy's array
  exp/log (in the tuning and in log u) differ from libm's by an ulp here and
  there. Measured: max |difference| <= 1e-14 over these runs; asserted 1e-12.
* The compiled Numba kernel equals its uncompiled source bit for bit, and
  gives the same chains with 1 thread or several, run in parallel or one by one.
* Each chain has its own stream: Numba's Generator draws NumPy's numbers, and
  a chain does not depend on how many chains run beside it.
"""
import os
import subprocess
import sys

import numba
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from scratchgen import kernels, num_threads
from scratchgen.mcmc import (Independence, RandomWalk, metropolis_hastings, ring_log_prob,
                             ring_log_prob_vectorized)
from scratchgen.mcmc import engine_numba
from scratchgen.mcmc.engine_numba import compiled_kernel, random_walk_chain_py, segments
from scratchgen.mcmc.stream import block_steps


def ring_python(x):
    """The ring log-density as plain NumPy on one point (the Numba function's source)."""
    return ring_log_prob.py_func(x)


def run_all_engines(proposal, tune, thin, seed=11):
    x0 = np.random.default_rng(0).standard_normal((3, 2))
    kwargs = dict(n_steps=300, n_chains=3, tune=tune, thin=thin, rng=seed)
    return {
        "numba": metropolis_hastings(ring_log_prob, x0, proposal=proposal, **kwargs),
        "vectorized": metropolis_hastings(ring_log_prob_vectorized, x0, proposal=proposal,
                                          vectorized=True, **kwargs),
        "python": metropolis_hastings(ring_python, x0, proposal=proposal, **kwargs),
    }


def moves(chains):
    """(n_steps - 1, n_chains) booleans: did the stored state change (thin=1: an acceptance)."""
    return np.any(chains.draws[1:] != chains.draws[:-1], axis=-1)


@pytest.mark.task("mcmc.acceptance_step")
@pytest.mark.parametrize("proposal, tune, thin", [
    (RandomWalk(scale=0.8), 0, 1),
    (RandomWalk(), 200, 1),
    (RandomWalk(), 200, 2),
    (RandomWalk(scale=0.5, covariance=[[1.0, 0.6], [0.6, 2.0]]), 100, 1),
])
def test_engines_give_the_same_chain(proposal, tune, thin):
    runs = run_all_engines(proposal, tune, thin)
    assert [r.engine for r in runs.values()] == ["numba", "vectorized", "python"]
    reference = runs["python"]
    if proposal.covariance is None:
        np.testing.assert_array_equal(runs["numba"].draws, reference.draws)
        np.testing.assert_array_equal(runs["numba"].log_prob, reference.log_prob)
        np.testing.assert_array_equal(runs["numba"].step_scale, reference.step_scale)
    for name in ("numba", "vectorized"):
        np.testing.assert_array_equal(runs[name].n_accepted, reference.n_accepted)
        if thin == 1:  # the very same decisions, step by step
            np.testing.assert_array_equal(moves(runs[name]), moves(reference))
        np.testing.assert_allclose(runs[name].draws, reference.draws, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(runs[name].log_prob, reference.log_prob, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(runs[name].step_scale, reference.step_scale, rtol=1e-12)
    assert 0.05 < reference.acceptance_fraction.mean() < 0.95  # a real test: both branches taken


class _Gaussian2D:
    """An independence proposal distribution N(0, 2^2 I) with sample(n, rng) and log_prob."""

    def sample(self, n, rng):
        return 2.0 * rng.standard_normal((n, 2))

    def log_prob(self, x):
        return -0.5 * np.sum(x * x, axis=-1) / 4.0 - np.log(8.0 * np.pi)


def test_python_and_vectorized_engines_agree_for_independence_proposal():
    x0 = np.zeros((3, 2))
    proposal = Independence(_Gaussian2D())
    a = metropolis_hastings(ring_python, x0, 200, proposal=proposal, n_chains=3, tune=50, rng=5)
    b = metropolis_hastings(ring_log_prob_vectorized, x0, 200, proposal=proposal, n_chains=3,
                            tune=50, rng=5, vectorized=True)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-12)
    np.testing.assert_array_equal(a.n_accepted, b.n_accepted)
    assert a.engine == "python" and b.engine == "vectorized" and a.step_scale is None


def test_numpy_kernel_backend_runs_the_uncompiled_loop(monkeypatch):
    x0 = np.zeros((2, 2))
    compiled = metropolis_hastings(ring_log_prob, x0, 100, n_chains=2, tune=20, rng=1)

    def no_compiling():
        raise AssertionError("the numpy backend must not run the compiled kernel")
    monkeypatch.setattr(engine_numba, "compiled_kernel", no_compiling)
    with kernels.use_backend("numpy"):
        twin = metropolis_hastings(ring_log_prob, x0, 100, n_chains=2, tune=20, rng=1)
    assert twin.engine == "numba"
    np.testing.assert_array_equal(compiled.draws, twin.draws)


def test_numpy_kernel_backend_never_imports_numba(tmp_path):
    # A fresh interpreter: the library, MH on the built-in targets and `scratchgen sample`.
    code = ("import sys, numpy as np, scratchgen as sg\n"
            "from scratchgen.cli import main\n"
            "sg.set_num_threads(1)\n"
            "c = sg.mcmc.metropolis_hastings(sg.mcmc.ring_log_prob, np.zeros(2), 50, tune=10,"
            " rng=0)\n"
            "assert c.engine == 'python', c.engine\n"
            "sg.mcmc.make_banana_log_prob()(np.zeros(3))\n"
            "assert main(['sample', 'banana', '--quick', '--no-figures', '--quiet',"
            " '--out', sys.argv[1]]) == 0\n"
            "assert 'numba' not in sys.modules, sorted(m for m in sys.modules if 'numba' in m)\n")
    env = {**os.environ, "SCRATCHGEN_KERNELS": "numpy", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "run")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def _run_kernel(kernel, proposal, x0, seed, n_tune, thin, n_steps, pieces, stop=False):
    """Each chain one after the other, with its own Generator, through ``pieces`` calls."""
    stop = np.array([stop])
    n_chains, dim = x0.shape
    lower = proposal.lower if proposal.lower is not None else np.zeros((1, 1))
    log_prob = ring_log_prob if kernel is not random_walk_chain_py else ring_python
    n_total = n_tune + n_steps * thin
    x = x0.copy()
    draws, draw_lp = np.zeros((n_chains, n_steps, dim)), np.zeros((n_chains, n_steps))
    state = np.zeros((n_chains, 4))
    for c, chain_rng in enumerate(np.random.default_rng(seed).spawn(n_chains)):
        log_p, log_scale, running, accepted = ring_python(x[c]), 0.0, 0.0, 0
        for t_start, t_stop in pieces(n_total):
            log_p, log_scale, running, n = kernel(
                log_prob, chain_rng, x[c], log_p, log_scale, running, proposal.diagonal, lower,
                proposal.lower is not None, t_start, t_stop, n_tune, 0.3, True, thin, draws[c],
                draw_lp[c], stop)
            accepted += n
        state[c] = log_p, log_scale, running, accepted
    return x, state, draws, draw_lp


@settings(max_examples=30, deadline=None)
@given(n_chains=st.integers(1, 4), n_tune=st.integers(0, 30), thin=st.integers(1, 3),
       use_lower=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_numba_kernel_matches_its_uncompiled_source_bit_for_bit(n_chains, n_tune, thin,
                                                                 use_lower, seed):
    # The ring target (2-D): the kernel is already compiled for it by the tests
    # above (each new log-density costs a compilation of the kernel).
    dim = 2
    rng = np.random.default_rng(seed)
    proposal = RandomWalk(scale=rng.uniform(0.2, 2.0, dim),
                          covariance=np.eye(dim) + 0.3 * (np.ones((dim, dim)) - np.eye(dim))
                          if use_lower else None).bind(dim)
    x0 = rng.standard_normal((n_chains, dim))
    whole = lambda n_total: [(0, n_total)]  # noqa: E731
    compiled = _run_kernel(compiled_kernel(), proposal, x0, seed, n_tune, thin, 7, whole)
    twin = _run_kernel(random_walk_chain_py, proposal, x0, seed, n_tune, thin, 7, whole)
    for a, b in zip(compiled, twin):
        np.testing.assert_array_equal(a, b)


def test_kernel_resumes_at_block_boundaries():
    # A run cut into pieces (as with a progress bar) is the run in one piece.
    proposal = RandomWalk(scale=0.7).bind(2)
    x0 = np.random.default_rng(1).standard_normal((2, 2))
    size = block_steps(2)
    n_steps = 3 * size + 17  # with 100 tuning steps: 3 whole blocks and a part
    whole = _run_kernel(compiled_kernel(), proposal, x0, 4, 100, 1, n_steps,
                        lambda n: [(0, n)])
    cut = _run_kernel(compiled_kernel(), proposal, x0, 4, 100, 1, n_steps,
                      lambda n: [(0, size), (size, 3 * size), (3 * size, n)])
    for a, b in zip(whole, cut):
        np.testing.assert_array_equal(a, b)


def test_kernel_stops_before_its_next_block_when_told():
    # What a Ctrl-C in the calling thread does to the chains running in worker threads.
    proposal = RandomWalk(scale=0.7).bind(2)
    x0 = np.random.default_rng(1).standard_normal((2, 2))
    x, state, draws, _ = _run_kernel(compiled_kernel(), proposal, x0, 4, 10, 1, 50,
                                     lambda n: [(0, n)], stop=True)
    np.testing.assert_array_equal(x, x0)  # not a single step taken
    assert np.all(state[:, 3] == 0) and np.all(draws == 0)


def test_segments_are_whole_blocks_covering_the_run():
    size = block_steps(2)
    assert segments(1000, 2, None) == [(0, 1000)]
    pieces = segments(250 * size + 3, 2, progress=object())
    assert pieces[0][0] == 0 and pieces[-1][1] == 250 * size + 3
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(start % size == 0 for start, _ in pieces) and len(pieces) <= 100


def test_numba_generator_draws_numpys_numbers():
    # The foundation of "same chain compiled or not": inside the kernel, Numba's
    # Generator methods must give NumPy's numbers and leave the same state
    # (10^6 normals: the ziggurat's rare tail and wedge branches are taken too).
    @numba.njit
    def block(rng, steps, dim):
        return rng.standard_normal((steps, dim)), rng.random(steps)
    compiled, plain = np.random.default_rng(21), np.random.default_rng(21)
    for steps in (1, 1000, 250_000):
        noise, u = block(compiled, steps, 4)
        np.testing.assert_array_equal(noise, plain.standard_normal((steps, 4)))
        np.testing.assert_array_equal(u, plain.random(steps))
    assert compiled.bit_generator.state == plain.bit_generator.state


def test_parallel_chains_do_not_depend_on_the_thread_count():
    x0 = np.random.default_rng(3).standard_normal((6, 2))
    runs = []
    for n in (1, 2):
        with num_threads(n):
            assert numba.get_num_threads() == min(n, numba.config.NUMBA_NUM_THREADS)
            runs.append(metropolis_hastings(ring_log_prob, x0, 4000, n_chains=6, tune=100, rng=9))
    assert runs[0].engine == "numba"
    np.testing.assert_array_equal(runs[0].draws, runs[1].draws)
    np.testing.assert_array_equal(runs[0].step_scale, runs[1].step_scale)
    np.testing.assert_array_equal(runs[0].n_accepted, runs[1].n_accepted)
    # ... and each chain is the chain the uncompiled loop computes one chain after the other,
    # also when the run is cut into pieces for a progress bar.
    with kernels.use_backend("numpy"):
        one_by_one = metropolis_hastings(ring_log_prob, x0, 4000, n_chains=6, tune=100, rng=9,
                                         progress=True)
    np.testing.assert_array_equal(runs[1].draws, one_by_one.draws)
    np.testing.assert_array_equal(runs[1].log_prob, one_by_one.log_prob)


def test_a_chain_does_not_depend_on_the_chains_beside_it():
    x0 = np.random.default_rng(5).standard_normal((5, 2))
    few = metropolis_hastings(ring_log_prob, x0[:2], 300, n_chains=2, tune=50, rng=2)
    many = metropolis_hastings(ring_log_prob, x0, 300, n_chains=5, tune=50, rng=2)
    np.testing.assert_array_equal(few.draws, many.draws[:, :2])
    assert not np.array_equal(many.draws[:, 0], many.draws[:, 1])  # and chains differ


def test_sample_command_runs_the_parallel_numba_engine():
    # The sampling of `scratchgen sample --engine numba` on 2 threads: the python engine's
    # chains, bit for bit. (The lecture's ring, compiled already; that the CLI's targets
    # come compiled for engine numba: tests/cli/test_sample_user_code.py.)
    from scratchgen.commands.sample import run_sampler
    runs = {}
    for engine, log_prob in (("numba", ring_log_prob), ("python", ring_python)):
        with num_threads(2):
            runs[engine] = run_sampler(log_prob, 2, False, 300, 200, 4, None, 3, engine=engine)
        assert runs[engine].engine == engine
    np.testing.assert_array_equal(runs["numba"].draws, runs["python"].draws)
    np.testing.assert_array_equal(runs["numba"].n_accepted, runs["python"].n_accepted)


def test_sample_command_auto_engine_compiles_long_runs_only():
    from scratchgen.commands.sample import NUMBA_FROM_CHAIN_STEPS, prepare, target_engine
    config = {"target": "ring", "dim": None, "vectorized": False, "engine": "auto",
              "chains": 4, "tune": 1000, "steps": NUMBA_FROM_CHAIN_STEPS // 4}
    assert target_engine(config) == "numba"
    log_prob, dim, vectorized = prepare(config)
    assert engine_numba.is_numba_function(log_prob) and not vectorized and dim == 2
    assert target_engine({**config, "steps": 5000}) == "auto"  # the demo's size: no compiling
    assert target_engine({**config, "engine": "vectorized"}) == "vectorized"
    assert target_engine({**config, "target": "mymodel:log_prob"}) == "auto"
    with kernels.use_backend("numpy"):  # uncompiled, the Numba engine would be the slowest
        assert target_engine(config) == "auto"


def test_a_generator_that_cannot_spawn_still_gives_reproducible_chains():
    def legacy(seed):  # MT19937 seeded the RandomState way: no SeedSequence to spawn from
        bit_generator = np.random.MT19937()
        bit_generator._legacy_seeding(seed)
        return np.random.Generator(bit_generator)
    runs = [metropolis_hastings(ring_python, np.zeros(2), 50, n_chains=3, tune=10, rng=legacy(s))
            for s in (5, 5, 6)]
    np.testing.assert_array_equal(runs[0].draws, runs[1].draws)
    assert not np.array_equal(runs[0].draws, runs[2].draws)
    assert not np.array_equal(runs[0].draws[:, 0], runs[0].draws[:, 1])
