"""Vocabulary: ids, the unknown symbol, lower-casing, round trips."""
import numpy as np
import pytest

from scratchgen.text import BOUNDARY, UNKNOWN, Vocabulary


def test_fit_sorts_the_characters_after_the_unknown_id():
    vocab = Vocabulary.fit("ba ab")
    assert vocab.symbols == "\n ab" and len(vocab) == 5  # unknown + \n, space, a, b
    np.testing.assert_array_equal(vocab.encode("ab z"), [3, 4, 2, 0])
    assert vocab.decode([3, 4, 0, 1]) == "ab" + UNKNOWN + BOUNDARY
    assert vocab.boundary_id == 1


def test_round_trip_of_known_text_including_wide_characters():
    text = "Fée — naïve\n“quoted” über"
    vocab = Vocabulary.fit(text)
    assert vocab.decode(vocab.encode(text)) == text
    assert vocab.unknown_characters("Fez!") == ["!", "z"]


def test_lower_case_vocabulary():
    vocab = Vocabulary.fit("AbC", lower=True)
    assert vocab.symbols == "\nabc"
    np.testing.assert_array_equal(vocab.encode("CAB"), vocab.encode("cab"))
    assert Vocabulary.from_state_dict(vocab.state_dict()) == vocab


def test_bad_input():
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.fit("")
    with pytest.raises(TypeError, match="str"):
        Vocabulary.fit(b"bytes")
    with pytest.raises(ValueError, match="ids"):
        Vocabulary.fit("ab").decode([7])
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary("aa\n")
