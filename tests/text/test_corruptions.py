"""Corruptions of lines and their AUROC through the density anomaly API."""
from collections import Counter

import numpy as np
import pytest

from scratchgen.text import CORRUPTIONS, NGramModel, corrupt, corruption_aurocs

LINES = ["the cat sat on the mat", "a bat ate the hat today", "once upon a time there was a king"]


def test_each_corruption_keeps_what_it_should():
    shuffled = corrupt(LINES, "shuffled_characters", rng=0)
    words = corrupt(LINES, "shuffled_words", rng=0)
    for line, s, w in zip(LINES, shuffled, words):
        assert [Counter(a) for a in s.split(" ")] == [Counter(a) for a in line.split(" ")]
        assert sorted(w.split(" ")) == sorted(line.split(" "))
    assert corrupt(LINES, "reversed") == [line[::-1] for line in LINES]
    noise = corrupt(LINES, "random_characters", rng=0, alphabet="xyz")
    assert [len(n) for n in noise] == [len(line) for line in LINES] and set("".join(noise)) <= set("xyz")
    assert corrupt(LINES, "shuffled_words", rng=3) == corrupt(LINES, "shuffled_words", rng=3)
    with pytest.raises(ValueError, match="kind"):
        corrupt(LINES, "typos")


def test_aurocs_of_a_unigram_and_a_trigram():
    train = " ".join(LINES * 30)
    held = ["the cat ate the hat", "a king sat on the mat", "there was a cat upon a time"]
    # A unigram model sees only which characters occur: reordering them changes
    # no score (up to rounding), so it cannot tell a line from its shuffle.
    model = NGramModel(1).fit(train)
    for kind in ("shuffled_words", "shuffled_characters", "reversed"):
        np.testing.assert_allclose(model.score_samples(corrupt(held, kind, rng=0)),
                                   model.score_samples(held), rtol=1e-12)
    unigram = corruption_aurocs(model, held, rng=0)
    assert set(unigram) == set(CORRUPTIONS) and unigram["random_characters"] == 1.0
    trigram = corruption_aurocs(NGramModel(3).fit(train), held, rng=0)
    assert trigram["shuffled_characters"] == trigram["random_characters"] == trigram["reversed"] == 1.0
