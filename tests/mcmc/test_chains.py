"""Chains: emcee's get_chain slicing, flat layout, summary table."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from scratchgen.mcmc import Chains, format_summary


def make_chains(n_steps=10, n_chains=3, dim=2):
    draws = np.arange(n_steps * n_chains * dim, dtype=float).reshape(n_steps, n_chains, dim)
    log_prob = -np.arange(n_steps * n_chains, dtype=float).reshape(n_steps, n_chains)
    return Chains(draws, log_prob, n_accepted=np.array([5, 10, 0]), n_proposed=10)


@given(discard=st.integers(0, 12), thin=st.integers(1, 5))
def test_get_chain_matches_emcee_definition(discard, thin):
    chains = make_chains()
    # emcee: keep step i when i >= discard + thin - 1 and i - (discard + thin - 1) is a multiple of thin.
    first = discard + thin - 1
    rows = [i for i in range(chains.n_steps) if i >= first and (i - first) % thin == 0]
    expected = np.array([chains.draws[i] for i in rows]).reshape(len(rows), 3, 2)
    np.testing.assert_array_equal(chains.get_chain(discard=discard, thin=thin), expected)
    flat = chains.get_chain(discard=discard, thin=thin, flat=True)
    assert flat.shape == (len(rows) * 3, 2)
    for k, i in enumerate(rows):  # flat row k * n_chains + c is step i of chain c
        for c in range(3):
            np.testing.assert_array_equal(flat[k * 3 + c], chains.draws[i, c])
    lp = chains.get_log_prob(discard=discard, thin=thin, flat=True)
    np.testing.assert_array_equal(lp, [chains.log_prob[i, c] for i in rows for c in range(3)])


def test_acceptance_fraction_and_repr():
    chains = make_chains()
    np.testing.assert_array_equal(chains.acceptance_fraction, [0.5, 1.0, 0.0])
    assert "n_chains=3" in repr(chains)


@pytest.mark.parametrize("kwargs, error", [({"discard": -1}, ValueError), ({"thin": 0}, ValueError),
                                           ({"thin": 1.5}, TypeError)])
def test_get_chain_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match="get_chain"):
        make_chains().get_chain(**kwargs)


def test_summary_values_and_table():
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((400, 4, 2)) * [1.0, 2.0] + [0.0, 5.0]
    chains = Chains(draws, np.zeros((400, 4)), np.zeros(4), 400)
    summary = chains.summary()
    flat = draws.reshape(-1, 2)
    np.testing.assert_allclose(summary["mean"], flat.mean(axis=0))
    np.testing.assert_allclose(summary["sd"], flat.std(axis=0, ddof=1))
    np.testing.assert_allclose(summary["q95"], np.quantile(flat, 0.95, axis=0))
    np.testing.assert_allclose(summary["r_hat"], chains.rhat())
    assert set(summary) == {"mean", "sd", "q5", "q50", "q95", "r_hat", "ess_bulk", "ess_tail"}
    text = str(summary)
    assert text == format_summary(summary)
    lines = text.splitlines()
    assert len(lines) == 3 and "r_hat" in lines[0] and lines[2].startswith("x[1]")
    assert format_summary(summary, names=["mu", "sigma"]).splitlines()[1].startswith("mu")
