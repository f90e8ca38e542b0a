"""Helpers the commands share: option types, data loading, progress bars.

Everything here validates *before* a run folder exists, and says what was
wrong in one line (``UsageError``).
"""
import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

from scratchgen.commands.errors import UsageError

__all__ = ["positive_int", "nonnegative_int", "positive_float", "int_list", "add_common_options",
           "load_points", "TOY_DATASETS", "toy_dataset", "read_table", "progress_bar",
           "show_progress", "formatter", "given_options", "check_resume_options"]

formatter = argparse.RawDescriptionHelpFormatter


# ----------------------------------------------------------------- option types
def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}, got {text!r}")
        return value
    return parse


positive_int = _int_at_least(1)
positive_int.__doc__ = "argparse type: an int >= 1."
nonnegative_int = _int_at_least(0)
nonnegative_int.__doc__ = "argparse type: an int >= 0."


def positive_float(text):
    """argparse type: a finite float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def int_list(text):
    """argparse type: comma-separated positive ints, e.g. ``128,64``."""
    try:
        # A trailing comma is forgiven ("128,"); an empty item inside ("1,,2") is a typo.
        values = tuple(int(t) for t in text.rstrip(", ").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 128,64, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers >= 1 like 128,64, got {text!r}")
    return values


def add_common_options(parser, quick_help="a tiny smoke run (seconds), for tests"):
    """--seed, --out, --quiet, --quick: every command has them."""
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="random seed, an int >= 0 (default: 0)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="run folder to create (default: runs/<command>-<date>-<time>)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the run folder and errors; no progress bar")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--no-figures", action="store_true",
                        help="skip the PNG figures (faster; everything else is written)")


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):   # aliases share a parser
                yield from _all_parsers(sub)


def given_options(parser, argv):
    """The ``dest`` names of the options that ``argv`` gives explicitly.

    argparse fills in defaults, so "--lr 2e-3" and no --lr look the same in
    the result; parsing again with every default suppressed leaves only
    what was typed.
    """
    saved = []
    for p in _all_parsers(parser):
        saved.append((p, p._defaults, [(a, a.default) for a in p._actions]))
        p._defaults = {}
        for action in p._actions:
            action.default = argparse.SUPPRESS
    try:
        namespace = parser.parse_args(argv)
    finally:
        for p, defaults, actions in saved:
            p._defaults = defaults
            for action, default in actions:
                action.default = default
    return set(vars(namespace))


def check_resume_options(parser, argv, args):
    """With ``--resume``, refuse options that the run's config.json decides.

    The command lists what may be given again in ``resume_options`` (its
    parser defaults); anything else would be silently ignored, so it is an error.
    """
    allowed = getattr(args, "resume_options", None)
    if not getattr(args, "resume", None) or allowed is None:
        return
    actions = [a for p in _all_parsers(parser) for a in p._actions]
    flags = {a.dest: a.option_strings[-1] for a in actions if a.option_strings}
    positional = {a.dest for a in actions if not a.option_strings}   # e.g. the model name
    refused = sorted(d for d in given_options(parser, argv) if d in flags
                     and d not in allowed and d not in positional and d != "resume")
    if refused:
        names = ", ".join(flags[d] for d in refused)
        may = ", ".join(flags[d] for d in allowed if d in flags)
        raise UsageError(f"{names} cannot be given with --resume (the run's config.json decides "
                         f"them); with --resume only {may} may be given")


# ----------------------------------------------------------------- progress
def show_progress(args):
    """Progress bars only for a person watching: stderr is a terminal and not --quiet."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def progress_bar(total, desc, enabled, initial=0):
    """The library's progress bar (``scratchgen.progress``) as the commands show it:
    on stderr, cleared when done (or an object with the same methods that does nothing)."""
    from scratchgen.progress import progress_bar as bar
    return bar(total, enabled, desc=desc, initial=initial, leave=False)


# ----------------------------------------------------------------- data
def _toy(name):
    from scratchgen import datasets as ds
    return {
        "ring": lambda n, rng: ds.ring(n, preset="mle", rng=rng),
        "grid": lambda n, rng: ds.grid(n, std=0.1, rng=rng),
        "moons": lambda n, rng: ds.moons(n, noise=0.08, rng=rng),
        "blobs": lambda n, rng: ds.gaussian_blobs(n, centers=3, std=0.5, rng=rng),
        "swiss-roll": lambda n, rng: ds.swiss_roll_2d(n, noise=0.3, rng=rng),
    }[name]


TOY_DATASETS = ("ring", "grid", "moons", "blobs", "swiss-roll")
BUILTIN_DATASETS = TOY_DATASETS + ("digits",)


def toy_dataset(name, n, rng):
    """n points of a built-in 2-D data set (float64 (n, 2))."""
    if name not in TOY_DATASETS:
        raise UsageError(f"unknown data set {name!r}; built-in 2-D sets: {', '.join(TOY_DATASETS)}")
    return np.asarray(_toy(name)(n, rng), dtype=np.float64)


def read_table(path):
    """A numeric matrix (n, d) from a .csv/.txt (comma, optional header line) or .npy file.

    Errors name the file, the line and what was found.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"data file {path} not found")
    if path.is_dir():
        raise UsageError(f"data file {path} is a folder, expected a .csv or .npy file")
    if path.suffix.lower() == ".npy":
        try:
            X = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise UsageError(f"cannot read {path} as a .npy array ({detail})") from None
    else:
        X = _read_csv(path)
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise UsageError(f"{path}: expected a 2-D table (n_samples, n_features), got shape {X.shape}")
    if np.iscomplexobj(X):
        raise UsageError(f"{path}: holds complex numbers (dtype {X.dtype}); expected real numbers")
    if not np.issubdtype(X.dtype, np.number):
        raise UsageError(f"{path}: expected numbers, got dtype {X.dtype}")
    if X.shape[1] == 0:
        raise UsageError(f"{path}: has no columns (shape {X.shape}); expected at least one feature")
    X = X.astype(np.float64)
    if len(X) < 2:
        raise UsageError(f"{path}: need at least 2 rows of data, got {len(X)}")
    if not np.all(np.isfinite(X)):
        bad = np.argwhere(~np.isfinite(X))[0]
        raise UsageError(f"{path}: row {bad[0] + 1}, column {bad[1] + 1} is not a finite number")
    return X


def _read_csv(path):
    # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which would make the
    # first data line look like a header (and drop it).
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            try:
                rows = [r for r in reader if r and any(c.strip() for c in r)]
            except csv.Error as exc:   # e.g. a field over csv.field_size_limit() characters
                raise UsageError(f"{path}, line {reader.line_num}: {exc} "
                                 "(expected comma-separated numbers)") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a text CSV file (not UTF-8)") from None
    if not rows:
        raise UsageError(f"{path} is empty, expected comma-separated numbers")
    start = 0
    if not _is_numeric_row(rows[0]):
        start = 1  # a header line of column names
    data = []
    width = None
    for lineno, row in enumerate(rows[start:], start=start + 1):
        try:
            values = [float(c) for c in row]
        except ValueError:
            bad = next(c for c in row if not _is_float(c))
            raise UsageError(f"{path}, line {lineno}: {bad.strip()!r} is not a number "
                             "(expected comma-separated numbers)") from None
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise UsageError(f"{path}, line {lineno}: {len(values)} columns, "
                             f"expected {width} like the first data line")
        data.append(values)
    if not data:
        raise UsageError(f"{path} has a header but no data lines")
    return np.array(data)


def _is_float(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _is_numeric_row(row):
    return all(_is_float(c) for c in row)


def load_points(source, n, rng):
    """(X, name): a built-in data set name or a CSV/NPY path."""
    if source in TOY_DATASETS:
        return toy_dataset(source, n, rng), source
    if source == "digits":
        from scratchgen.datasets import load_digits
        return load_digits().data.astype(np.float64), "digits"
    if os.path.sep in source or Path(source).suffix or Path(source).exists():
        return read_table(source), str(source)
    raise UsageError(f"unknown data set {source!r}: not a file, and not one of the built-in "
                     f"sets {', '.join(BUILTIN_DATASETS)}")
