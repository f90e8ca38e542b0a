"""load_stories: the shipped books, a split by story that is disjoint, complete and seeded."""
import os

import pytest

import scratchgen as sg
from scratchgen.datasets import stories as stories_module


@pytest.fixture(scope="module")
def split():
    return sg.datasets.load_stories(rng=0)


def test_every_story_is_in_exactly_one_part(split):
    # Aesop has five pairs of different fables under the same title: key by text too.
    keys = [(s.book, s.title, s.text) for s in split.stories]
    # the stories per book as counted by data/export_stories.py
    assert {b: sum(1 for s in split.stories if s.book == b) for b in stories_module.BOOKS} == \
        {"aesop": 312, "andersen": 18, "grimm": 62, "jungle": 7}
    assert len(set(keys)) == len(keys) == 399  # no story in two parts
    parts = [{(s.book, s.title, s.text) for s in getattr(split, p)} for p in ("train", "validation", "test")]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])


def test_held_out_parts_hold_about_their_share_of_characters(split):
    total = sum(len(s.text) for s in split.stories)
    for part in ("validation", "test"):
        chars = sum(len(s.text) for s in getattr(split, part))
        longest = max(len(s.text) for s in split.stories)
        # whole stories are added until the share is reached: overshoot < one story
        assert 0.1 * total <= chars < 0.1 * total + longest


def test_split_is_seeded(split):
    again = sg.datasets.load_stories(rng=0)
    assert [s.title for s in again.test] == [s.title for s in split.test]
    other = sg.datasets.load_stories(rng=1)
    assert [s.title for s in other.test] != [s.title for s in split.test]


def test_texts_are_stripped_of_the_gutenberg_header_and_footer(split):
    text = split.text("train") + split.text("validation") + split.text("test")
    assert "gutenberg" not in text.lower() and "\r" not in text and "\ufeff" not in text
    assert not any(s.text.startswith("###") or not s.text.strip() for s in split.stories)
    first = next(s for s in split.stories if s.title == "The Wolf And The Lamb")
    assert first.book == "aesop" and first.text.startswith("WOLF, meeting with a Lamb")


def test_lines_and_text_of_a_part(split):
    lines = split.lines("test", min_chars=20)
    assert lines and all(len(line) >= 20 and line == line.strip() for line in lines)
    assert split.text("test").startswith(split.test[0].text)
    with pytest.raises(ValueError, match="part"):
        split.text("dev")


def test_package_copy_matches_the_repo_files():
    for book in stories_module.BOOKS:
        package = os.path.join(stories_module._PACKAGE_PATH, f"{book}.txt")
        repo = os.path.join(stories_module._REPO_PATH, f"{book}.txt")
        assert os.path.exists(package)
        if os.path.exists(repo):  # absent in a non-editable install
            with open(package, "rb") as a, open(repo, "rb") as b:
                assert a.read() == b.read(), book


def test_one_book_and_bad_arguments(tmp_path, monkeypatch):
    aesop = sg.datasets.load_stories(books="aesop", validation_size=0.2, test_size=0.0)
    assert {s.book for s in aesop.stories} == {"aesop"} and aesop.test == ()
    with pytest.raises(ValueError, match="books"):
        sg.datasets.load_stories(books=("kafka",))
    with pytest.raises(ValueError, match="validation_size"):
        sg.datasets.load_stories(validation_size=1.5)
    with pytest.raises(ValueError, match="below 1"):
        sg.datasets.load_stories(validation_size=0.5, test_size=0.5)
    from scratchgen.datasets import _shipped
    monkeypatch.setattr(_shipped, "PACKAGE_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(_shipped, "REPO_DIR", str(tmp_path / "none2"))
    with pytest.raises(FileNotFoundError, match="export_stories"):
        sg.datasets.load_stories()


def test_seed_is_a_deprecated_alias_of_rng():
    with pytest.warns(DeprecationWarning, match="load_stories: seed= is deprecated"):
        old = sg.datasets.load_stories(seed=1)
    new = sg.datasets.load_stories(rng=1)
    assert [s.title for s in old.train] == [s.title for s in new.train]
    with pytest.raises(TypeError, match="not both rng and seed"):
        sg.datasets.load_stories(rng=1, seed=1)
