"""English short stories: the lecture's third population (after faces and digits).

``load_stories`` reads 399 stories from four public-domain Project Gutenberg
books shipped in ``scratchgen/datasets/_data/stories/`` (see data/README.md):

=========  ==================================================  =======  ==========
book       title                                               stories  characters
=========  ==================================================  =======  ==========
aesop      Aesop's Fables, tr. G. F. Townsend (PG 21)             312      179,773
andersen   H. C. Andersen, Fairy Tales, tr. H. P. Paull (PG 1597)  18      298,431
grimm      Grimms' Fairy Tales, tr. Taylor & Edwardes (PG 2591)    62      515,992
jungle     R. Kipling, The Jungle Book (PG 236)                     7      273,053
=========  ==================================================  =======  ==========

and splits them **by story** into train / validation / test: a story is in
one part only, so a model is judged on stories it never saw (lines of one
story resemble each other far more than lines of two stories do).

The split is seeded: the stories are shuffled with ``seed``, then the first
ones go to validation until it holds ``validation_size`` of all characters,
the next ones to test until it holds ``test_size``, the rest to train.
"""
import os
import re
from dataclasses import dataclass

from scratchgen.datasets._checks import as_generator, check_fraction
from scratchgen.validation import rng_from_seed_alias
from scratchgen.datasets._shipped import PACKAGE_DIR, REPO_DIR, shipped_path

__all__ = ["Story", "StorySplit", "load_stories", "BOOKS"]

#: The shipped books, in the order their stories are listed before shuffling.
BOOKS = ("aesop", "andersen", "grimm", "jungle")
_FOLDER = "stories"
_PACKAGE_PATH = os.path.join(PACKAGE_DIR, _FOLDER)
_REPO_PATH = os.path.join(REPO_DIR, _FOLDER)
_TITLE = re.compile(r"^### (.*)\n", re.MULTILINE)  # the title line of a story (export_stories.py)


@dataclass(frozen=True)
class Story:
    """One story: its ``title``, its ``text`` (str, line breaks as in the book) and its ``book``."""

    title: str
    text: str
    book: str


@dataclass(frozen=True)
class StorySplit:
    """Stories split into three disjoint parts (tuples of ``Story``).

    ``text(part)`` joins the stories of one part ("train", "validation" or
    "test") with a blank line between them, the string a character model is
    fitted on or scored with.
    """

    train: tuple
    validation: tuple
    test: tuple

    @property
    def stories(self):
        """All stories, train then validation then test."""
        return self.train + self.validation + self.test

    def text(self, part="train"):
        if part not in ("train", "validation", "test"):
            raise ValueError(f"part must be 'train', 'validation' or 'test', got {part!r}")
        return "\n\n".join(story.text for story in getattr(self, part))

    def lines(self, part="train", min_chars=1):
        """The non-blank lines of one part with at least ``min_chars`` characters
        (leading and trailing spaces stripped): the units of anomaly detection."""
        stripped = (line.strip() for line in self.text(part).split("\n"))
        return [line for line in stripped if len(line) >= max(1, min_chars)]


def _read_book(folder, book):
    with open(os.path.join(folder, f"{book}.txt"), encoding="utf-8") as f:
        text = f.read()
    # re.split with one group: ["", title1, body1, title2, body2, ...]
    parts = _TITLE.split(text)[1:]
    return [Story(title=title, text=body.strip("\n"), book=book)
            for title, body in zip(parts[0::2], parts[1::2])]


def load_stories(validation_size=0.1, test_size=0.1, rng=None, books=BOOKS, seed=None):
    """The short stories, split by story into train / validation / test.

    validation_size, test_size: shares of all characters (about) in the two
    held-out parts, each in [0, 1) with a sum below 1; a part gets whole
    stories until it holds at least that share (so it may hold a little more).
    rng: int or Generator for the shuffle (the same seed, the same split; None:
    seed 0); ``seed=`` is a deprecated alias.
    books: which of ``BOOKS`` to read.
    Returns a ``StorySplit``; with the defaults about 1.02 M / 0.13 M / 0.13 M
    characters (seed 0). Each call reads the files again.
    """
    validation_size = check_fraction(validation_size, "validation_size")
    test_size = check_fraction(test_size, "test_size")
    if validation_size + test_size >= 1:
        raise ValueError(f"validation_size + test_size must be below 1, got "
                         f"{validation_size} + {test_size}")
    if isinstance(books, str):
        books = (books,)
    unknown = [b for b in books if b not in BOOKS]
    if unknown or not books:
        raise ValueError(f"books must be a non-empty selection of {', '.join(BOOKS)}; got {books!r}")
    rng = rng_from_seed_alias(rng, seed, "load_stories")
    rng = as_generator(0 if rng is None else rng, "rng")
    folder = shipped_path(_FOLDER, "run `python data/export_stories.py`")
    stories = [story for book in BOOKS if book in books for story in _read_book(folder, book)]
    order = rng.permutation(len(stories))
    total = sum(len(s.text) for s in stories)
    parts, current, filled = ([], [], []), 0, 0
    targets = (validation_size * total, test_size * total)
    for index in order:
        story = stories[index]
        # validation first, then test, then everything else to train
        while current < 2 and filled >= targets[current]:
            current, filled = current + 1, 0
        parts[current].append(story)
        filled += len(story.text)
    validation, test, train = (tuple(p) for p in parts)
    return StorySplit(train=train, validation=validation, test=test)
