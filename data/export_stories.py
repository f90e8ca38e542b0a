"""Strip four Project Gutenberg books of short stories into ``data/stories/``.

The sources are the plain-text Gutenberg files of Aesop's Fables (no. 21),
Andersen's Fairy Tales (no. 1597), Grimms' Fairy Tales (no. 2591) and
Kipling's The Jungle Book (no. 236) (see data/README.md). This script keeps
only the stories: it drops the Gutenberg header and footer (the licence is
a trademark licence on those), the title pages, tables of contents, the
life of Aesop, prefaces and footnotes, and the biographical note on the
Grimms. It normalises line ends to LF and removes the byte-order mark;
the text of the stories is otherwise unchanged, line breaks included.

Run once from the repository root::

    python data/export_stories.py [SOURCE_DIR]   # default /work/shared/data/stories

It writes ``data/stories/<book>.txt`` and the identical copies in
``scratchgen/datasets/_data/stories/`` (the ones an installed package
reads). Each file is UTF-8; every story starts with a line ``### <title>``
followed by its text (``scratchgen.datasets.load_stories`` splits there).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUTPUTS = (os.path.join(HERE, "stories"),
           os.path.join(REPO, "scratchgen", "datasets", "_data", "stories"))
MARK = "### "

JUNGLE_CHAPTERS = ("Mowgli's Brothers", "Kaa's Hunting", '"Tiger! Tiger!"', "The White Seal",
                   '"Rikki-Tikki-Tavi"', "Toomai of the Elephants", "Her Majesty's Servants")


def read_lines(path):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read().replace("\r\n", "\n")
    end = text.index("\nEnd of ")  # the footer starts with "End of (the) Project Gutenberg..."
    return text[:end].split("\n")


def headings(lines):
    """Indices of lines preceded by at least three blank lines and followed by
    text within three lines (the books' title layout; a closing moral is followed
    by blank lines)."""
    found, blanks = [], 0
    for i, line in enumerate(lines):
        if not line.strip():
            blanks += 1
            continue
        if blanks >= 3 and any(next_line.strip() for next_line in lines[i + 1:i + 4]):
            found.append(i)
        blanks = 0
    return found


def contents(lines, start_word):
    """The titles listed (indented by 5 spaces) after the CONTENTS line."""
    start = next(i for i, line in enumerate(lines) if line.startswith(start_word))
    titles = []
    for line in lines[start + 1:]:
        if titles and not line.strip():
            break
        if line.startswith("     ") and not line.startswith("      "):
            titles.append(line.strip())
    return titles


def split_at(lines, starts, stop=None):
    """[(title, text)] for stories starting at ``starts`` (title line index)."""
    bounds = list(starts) + [stop if stop is not None else len(lines)]
    stories = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        body = "\n".join(lines[a + 1:b]).strip("\n")
        stories.append((lines[a].strip(), body.rstrip()))
    return stories


def aesop(lines):
    heads = headings(lines)
    life = next(i for i in heads if lines[i].strip() == "LIFE OF AESOP")
    first = next(i for i in heads if lines[i].strip() == "The Wolf And The Lamb")
    return split_at(lines, [i for i in heads if first <= i < life], stop=life)


def by_contents(lines, contents_word, stop=None):
    titles = {title.upper() for title in contents(lines, contents_word)}
    heads = [i for i in headings(lines) if lines[i].strip().upper() in titles
             and not lines[i].startswith(" ")]
    return split_at(lines, heads, stop=stop)


def andersen(lines):
    return by_contents(lines, "CONTENTS")


def grimm(lines):
    note = next(i for i, line in enumerate(lines) if line.strip() == "*****")
    return by_contents(lines, "CONTENTS:", stop=note)


def jungle(lines):
    # The songs between chapters stay with the chapter they close.
    # The first chapter's title follows the book's title block with one blank line.
    first = lines.index(JUNGLE_CHAPTERS[0])
    heads = [first] + [i for i in headings(lines) if lines[i].strip() in JUNGLE_CHAPTERS[1:]]
    return split_at(lines, heads)


BOOKS = {"aesop": aesop, "andersen": andersen, "grimm": grimm, "jungle": jungle}


def main(source):
    for book, split in BOOKS.items():
        stories = split(read_lines(os.path.join(source, f"{book}.txt")))
        assert stories and all(text for _, text in stories), book
        assert not any(re.search(r"gutenberg", t, re.I) for _, t in stories), book
        assert not any(line.startswith(MARK) for _, t in stories for line in t.split("\n")), book
        out = "\n\n".join(f"{MARK}{title}\n\n{text}" for title, text in stories) + "\n"
        for folder in OUTPUTS:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{book}.txt"), "w", encoding="utf-8", newline="\n") as f:
                f.write(out)
        print(f"{book}: {len(stories)} stories, {sum(len(t) for _, t in stories):,} characters")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/stories")
