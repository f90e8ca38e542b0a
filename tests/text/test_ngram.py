"""NGramModel: counts against a plain-Python count, probabilities summing to one
in every context, Kneser-Ney and add-k against hand-computed numbers, sampling."""
import itertools
import math
from collections import Counter

import numpy as np
import pytest

from scratchgen.text import NGramModel, Vocabulary, best_smoothing, temperature_probs

TEXT = "the cat sat on the mat.\nthe bat ate the hat.\n"


def _python_counts(text, n):
    padded = "\n" * (n - 1) + text
    grams = Counter(padded[i - n + 1:i + 1] for i in range(n - 1, len(padded)))
    contexts = Counter(padded[i - n + 1:i] for i in range(n - 1, len(padded)))
    return grams, contexts


@pytest.mark.task("text.ngram_counts")
def test_count_tables_match_a_plain_python_count():
    model = NGramModel(3, smoothing="add-k").fit(TEXT)
    vocab, V = model.vocabulary_, len(model.vocabulary_)
    grams, contexts = _python_counts(TEXT, 3)
    table = model.grams_[3]
    assert len(table.keys) == len(grams) and table.values.sum() == len(TEXT)
    for gram, count in grams.items():
        a, b, c = vocab.encode(gram)
        assert table.lookup(np.array([(a * V + b) * V + c]))[0] == count, gram
        assert model.context_totals_[3].lookup(np.array([a * V + b]))[0] == contexts[gram[:2]]
    assert table.lookup(np.array([0]))[0] == 0  # an unseen 3-gram counts 0


@pytest.mark.task("text.add_k")
def test_unsmoothed_mle_is_counts_over_context_counts():
    model = NGramModel(3, smoothing="add-k", k=0.0).fit(TEXT)
    vocab = model.vocabulary_
    grams, contexts = _python_counts(TEXT, 3)
    for gram, count in grams.items():
        context = vocab.encode(gram[:2])[None, :]
        p = np.exp(model.next_log_probs(context))[0, vocab.encode(gram[2])[0]]
        assert p == pytest.approx(count / contexts[gram[:2]], rel=1e-12), gram


def _all_contexts(model):
    V = len(model.vocabulary_)
    rows = list(itertools.product(range(V), repeat=model.order - 1))
    return np.array(rows, dtype=np.int64).reshape(len(rows), model.order - 1)


_ADD_K = pytest.mark.task("text.add_k")


@pytest.mark.parametrize("order,smoothing,k", [
    pytest.param(1, "add-k", 1.0, marks=_ADD_K), pytest.param(3, "add-k", 0.5, marks=_ADD_K),
    pytest.param(3, "add-k", 0.0, marks=_ADD_K),
    (1, "kneser-ney", 1.0), (2, "kneser-ney", 1.0), (3, "kneser-ney", 1.0)])
def test_probabilities_sum_to_one_in_every_context(order, smoothing, k):
    model = NGramModel(order, smoothing=smoothing, k=k).fit(TEXT)
    probs = np.exp(model.next_log_probs(_all_contexts(model)))  # seen and unseen contexts
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    if smoothing == "kneser-ney" or k > 0:
        assert probs.min() > 0  # every character, the unknown one too, is possible


def test_kneser_ney_against_a_hand_computed_example():
    # "aab" with ids unknown 0, \n 1, a 2, b 3 (V = 4); bigrams \na, aa, ab; D = 1/2.
    # Continuation counts: N(.a) = 2 (after \n and a), N(.b) = 1; total 3, 2 types:
    #   p1(a) = (2 - .5)/3 + .5 * 2/3 * 1/4 = 7/12,  p1(b) = 3/12, p1(\n) = p1(?) = 1/12.
    # c(a.) = 2 with 2 types: p2(a|a) = .5/2 + .5 * 2/2 * 7/12 = 13/24, p2(b|a) = 9/24.
    # c(\n.) = 1, 1 type: p2(a|\n) = .5 + .5 * 7/12 = 19/24, p2(b|\n) = .5 * 3/12 = 3/24.
    # The context b was never seen: p2(.|b) = p1.
    model = NGramModel(2, smoothing="kneser-ney", discounts=(0.5, 0.5)).fit("aab")
    probs = np.exp(model.next_log_probs(np.array([[2], [1], [3]])))
    np.testing.assert_allclose(probs[0], [1 / 24, 1 / 24, 13 / 24, 9 / 24], rtol=1e-12)
    np.testing.assert_allclose(probs[1], [1 / 24, 1 / 24, 19 / 24, 3 / 24], rtol=1e-12)
    np.testing.assert_allclose(probs[2], [1 / 12, 1 / 12, 7 / 12, 3 / 12], rtol=1e-12)
    assert model.log_prob("ab") == pytest.approx(math.log(19 / 24 * 9 / 24), rel=1e-12)


@pytest.mark.task("text.add_k")
def test_add_k_against_a_hand_computed_example():
    # "aab", V = 4, k = 1: p(a|a) = (1 + 1) / (2 + 4), p(b|\n) = (0 + 1) / (1 + 4).
    model = NGramModel(2, smoothing="add-k", k=1.0).fit("aab")
    assert model.log_prob("ab") == pytest.approx(math.log((1 + 1) / (1 + 4) * (1 + 1) / (2 + 4)))
    assert model.bits_per_char("ab") == pytest.approx(-model.log_prob("ab") / 2 / math.log(2))


def test_held_out_text_with_unseen_characters_has_finite_probability():
    model = NGramModel(3).fit(TEXT)
    assert np.isfinite(model.log_prob("the zebra!"))
    scores = model.score_samples(["the cat sat", "xq!zv kw"])
    assert scores.shape == (2,) and scores[0] > scores[1]
    # a line is scored as a text of its own: the mean per-character log p
    assert scores[0] == pytest.approx(model.log_prob("the cat sat") / 11)


def test_sampling_is_reproducible_and_follows_a_deterministic_model():
    model = NGramModel(4).fit(TEXT)
    a = model.sample(50, prompt="the ", rng=3)
    assert a == model.sample(50, prompt="the ", rng=3) and a.startswith("the ") and len(a) == 54
    assert a != model.sample(50, prompt="the ", rng=4)
    # with the unsmoothed MLE of "abcabc...", every next character is certain
    cyclic = NGramModel(2, smoothing="add-k", k=0.0).fit("abc" * 20)
    assert cyclic.sample(9, prompt="b", rng=0) == "bcabcabcab"


@pytest.mark.task("text.temperature_sampling")
def test_temperature_reshapes_the_distribution():
    log_p = np.log(np.array([[0.5, 0.3, 0.2]]))
    np.testing.assert_allclose(temperature_probs(log_p, 1.0), [[0.5, 0.3, 0.2]], rtol=1e-12)
    p2 = np.array([0.25, 0.09, 0.04]) / 0.38                # p^(1/T) renormalised, T = 1/2
    np.testing.assert_allclose(temperature_probs(log_p, 0.5), [p2], rtol=1e-12)
    np.testing.assert_allclose(temperature_probs(log_p * 1000, 1.0)[0, 0], 1.0)  # no overflow
    model = NGramModel(2).fit(TEXT)
    cold = model.sample(40, prompt="t", temperature=0.01, rng=0)
    assert cold == model.sample(40, prompt="t", temperature=0.01, rng=1)  # ~greedy


def test_bad_arguments():
    with pytest.raises(ValueError, match="order"):
        NGramModel(0)
    with pytest.raises(ValueError, match="smoothing"):
        NGramModel(2, smoothing="witten-bell")
    with pytest.raises(ValueError, match="discounts"):
        NGramModel(2, discounts=(0.5,))
    with pytest.raises(RuntimeError, match="fit"):
        NGramModel(2).log_prob("abc")
    model = NGramModel(2).fit(TEXT)
    with pytest.raises(ValueError, match="prompt.*'Z'"):
        model.sample(5, prompt="Zt")
    with pytest.raises(ValueError, match="temperature"):
        model.sample(5, temperature=0)
    with pytest.raises(TypeError, match="list of str"):
        model.score_samples("one line")
    with pytest.raises(ValueError, match="empty"):
        model.fit("")
    shared = NGramModel(2, vocabulary=Vocabulary.fit("abc")).fit("abcab")
    assert shared.vocabulary_.symbols == "\nabc"


def test_best_smoothing_keeps_the_lowest_validation_bits():
    model, scores = best_smoothing(3, TEXT, "the rat sat on a hat.", ks=(1.0, 0.01))
    assert set(scores) == {"kneser-ney", "add-k (k=1)", "add-k (k=0.01)"}
    assert model.bits_per_char("the rat sat on a hat.") == pytest.approx(min(scores.values()))


@pytest.mark.parametrize("smoothing", ["kneser-ney", "add-k"])
def test_state_dict_round_trip_through_a_checkpoint(tmp_path, smoothing):
    import scratchgen as sg
    model = NGramModel(3, smoothing=smoothing, k=0.5).fit(TEXT)
    sg.save(model.state_dict(), tmp_path / "ngram.npz")
    again = NGramModel.from_state_dict(sg.load(tmp_path / "ngram.npz"))
    assert again.log_prob("the rat sat.") == model.log_prob("the rat sat.")
    assert again.sample(20, rng=0) == model.sample(20, rng=0)


def test_best_smoothing_among_add_k_only():
    model, scores = best_smoothing(2, TEXT, "the rat sat.", smoothings="add-k", ks=(1.0, 0.1))
    assert set(scores) == {"add-k (k=1)", "add-k (k=0.1)"} and model.smoothing == "add-k"
    assert model.k == (1.0 if scores["add-k (k=1)"] < scores["add-k (k=0.1)"] else 0.1)
    with pytest.raises(ValueError, match="smoothings"):
        best_smoothing(2, TEXT, "the rat.", smoothings=("witten-bell",))
