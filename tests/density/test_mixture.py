"""GaussianMixture: EM step against hand-computed updates, recovery of
well-separated means, EM and gradient agree, restarts, predict, errors; and
k-means++ seeding."""
import warnings

import numpy as np
import pytest

from scratchgen.density import (ConvergenceWarning, GaussianMixture, em_step, kmeans_plusplus,
                                m_step, random_from_data)

MEANS = np.array([[-4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
STD = 0.5


def blobs(n, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    return MEANS[labels] + STD * rng.normal(size=(n, 2)), labels


def sort_by_first_coordinate(means):
    return means[np.argsort(means[:, 0])]


@pytest.mark.task("density.em_step")
def test_m_step_matches_weighted_averages_by_hand():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0]])
    resp = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    w, m, c = m_step(X, resp, "full", reg_covar=0.0)
    np.testing.assert_allclose(w, [0.5, 0.5])
    # component 0: points 0 (weight 1) and 1 (weight .5): mean (1/1.5) * (1, 0)
    np.testing.assert_allclose(m[0], [1 / 1.5, 0.0])
    # covariance x-x: (1 * (2/3)^2 + .5 * (4/3)^2) / 1.5 = (12/9) / 1.5 = 8/9
    np.testing.assert_allclose(c[0], [[8 / 9, 0.0], [0.0, 0.0]], atol=1e-12)
    np.testing.assert_allclose(m[1], [2.0 / 3.0, 8.0 / 3.0])
    _, _, cd = m_step(X, resp, "diag", reg_covar=0.1)
    np.testing.assert_allclose(cd[0], [8 / 9 + 0.1, 0.1])


@pytest.mark.task("density.em_step")
def test_em_never_decreases_the_likelihood():
    X, _ = blobs(200, seed=1)
    rng = np.random.default_rng(0)
    w, m, c = np.full(3, 1 / 3), rng.normal(size=(3, 2)), np.stack([np.eye(2)] * 3)
    lls = []
    for _ in range(15):
        w, m, c, ll = em_step(X, w, m, c)
        lls.append(ll)
    # EM's monotonicity theorem (Dempster et al. 1977), up to rounding
    assert np.all(np.diff(lls) > -1e-10)
    assert lls[-1] > lls[0] + 1.0


@pytest.mark.parametrize("method", ["em", "gradient"])
def test_recovers_well_separated_means(method):
    X, _ = blobs(300)
    gm = GaussianMixture(3, method=method, rng=0).fit(X)
    # each mean estimates a cluster mean from ~100 points: se = 0.5/sqrt(100) = 0.05
    np.testing.assert_allclose(sort_by_first_coordinate(gm.means_), MEANS, atol=4 * 0.05 * 1.5)
    np.testing.assert_allclose(np.sort(gm.weights_), [1 / 3] * 3, atol=0.1)
    # covariances ~ STD^2 I = 0.25 I: relative se of a variance from 100 points is sqrt(2/100)
    np.testing.assert_allclose(gm.covariances_, np.stack([np.eye(2) * 0.25] * 3), atol=0.12)
    assert gm.converged_ and gm.n_iter_ >= 2


def test_em_and_gradient_reach_similar_likelihoods_and_agree_with_score():
    X, _ = blobs(300, seed=2)
    em = GaussianMixture(3, "diag", method="em", tol=1e-6, rng=0).fit(X)
    gd = GaussianMixture(3, "diag", method="gradient", rng=0).fit(X)
    # both converge to the same maximum on this clear data; stopping rules
    # (tol 1e-6 per iteration) leave differences far below 1e-3
    assert abs(em.lower_bound_ - gd.lower_bound_) < 1e-3
    assert em.score(X) == pytest.approx(em.lower_bound_, abs=1e-12)
    assert gd.score(X) == pytest.approx(gd.lower_bound_, abs=1e-12)


def test_predict_proba_predict_and_labels_agree():
    X, labels = blobs(150, seed=3)
    gm = GaussianMixture(3, method="em", rng=0).fit(X)
    proba = gm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(gm.predict(X), proba.argmax(axis=1))
    # with clusters 8 sd apart, components are a relabelling of the truth
    pred = gm.predict(X)
    mapping = {k: np.bincount(labels[pred == k]).argmax() for k in range(3)}
    assert np.mean([mapping[p] for p in pred] == labels) == 1.0


def test_restarts_are_reproducible_and_sampling_is_seeded():
    X, _ = blobs(150, seed=4)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return GaussianMixture(3, method="em", init="random", n_init=3, max_iter=3,
                                   rng=np.random.default_rng(9)).fit(X)
    best, again = fit(), fit()
    assert again.lower_bound_ == best.lower_bound_
    np.testing.assert_array_equal(again.means_, best.means_)
    S, lab = best.sample(50, rng=1, return_labels=True)
    assert S.shape == (50, 2) and lab.shape == (50,) and lab.max() < 3
    np.testing.assert_array_equal(S, best.sample(50, rng=1))
    assert not np.array_equal(S, best.sample(50, rng=2))


def test_n_init_picks_the_highest_likelihood_restart(monkeypatch):
    X, _ = blobs(90, seed=5)
    scores = iter([-3.0, -1.0, -2.0])
    gm = GaussianMixture(2, method="em", n_init=3, rng=0)
    original = gm._fit_once

    def fake_fit_once(X, rng):
        run = original(X, rng)
        run["lower_bound"] = next(scores)
        return run
    monkeypatch.setattr(gm, "_fit_once", fake_fit_once)
    gm.fit(X)
    assert gm.lower_bound_ == -1.0


def test_convergence_warning_names_the_problem():
    X, _ = blobs(60)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        gm = GaussianMixture(3, method="em", max_iter=1, rng=0).fit(X)
    assert not gm.converged_ and gm.n_iter_ == 1


def test_kmeans_plusplus_spreads_over_clusters_and_is_seeded():
    X, labels = blobs(300, seed=6)
    centers = kmeans_plusplus(X, 3, rng=0)
    # D^2 sampling: a second centre in an already-used cluster has probability
    # ~ (within-cluster D^2) / (total D^2) ~ 0.5 / 32 per draw; check all 3 hit
    nearest = np.argmin(((centers[:, None] - MEANS[None]) ** 2).sum(-1), axis=1)
    assert sorted(nearest) == [0, 1, 2]
    np.testing.assert_array_equal(centers, kmeans_plusplus(X, 3, rng=0))
    assert all(any(np.array_equal(c, x) for x in X) for c in centers)   # data points
    r = random_from_data(X, 5, rng=0)
    assert len({tuple(x) for x in r}) == 5
    with pytest.raises(ValueError, match="n_clusters=400"):
        kmeans_plusplus(X, 400)


def test_errors_for_people():
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixture(2, covariance_type="tied")
    with pytest.raises(ValueError, match="method"):
        GaussianMixture(2, method="vb")
    with pytest.raises(ValueError, match="init"):
        GaussianMixture(2, init="kmeans")
    with pytest.raises(ValueError, match="n_components=5 must be <= n_samples=3"):
        GaussianMixture(5).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2-D"):
        GaussianMixture(2).fit(np.zeros((4, 2, 1)))
    with pytest.raises(TypeError, match="n_components"):
        GaussianMixture(2.5)
    with pytest.raises(RuntimeError, match="not fitted"):
        GaussianMixture(2).predict(np.zeros((1, 2)))
