"""Where a shipped data file is (private): the package copy, else the repository's.

An installed package reads ``scratchgen/datasets/_data/<name>`` (package
data, see setup.cfg); an editable install whose package data is missing
falls back to ``<repo>/data/<name>``, the copy documented in data/README.md.
"""
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join(_HERE, "_data")
REPO_DIR = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "data")


def shipped_path(name, remedy):
    """The path of the shipped file or folder ``name``; FileNotFoundError names
    both places and ``remedy`` (how to recreate it)."""
    candidates = (os.path.join(PACKAGE_DIR, name), os.path.join(REPO_DIR, name))
    for path in candidates:
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{name} not found at {candidates[0]} nor at {candidates[1]}; "
                            f"reinstall scratchgen or {remedy}")
