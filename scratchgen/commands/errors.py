"""Errors for people at the command line: one line on stderr, exit status 2.

The commands validate their inputs *before* they create a run folder and
raise ``UsageError`` with a message that names what was wrong (the option,
the value given, what was expected). ``scratchgen.cli.main`` turns it -- and
the ``ValueError``/``TypeError``/``OSError`` that the library raises at its
public boundary -- into::

    scratchgen: error: <message>

on stderr and exit status 2 (argparse's own status for bad usage), with no
traceback. Anything else is a bug and keeps its traceback.
"""

__all__ = ["UsageError", "EXIT_OK", "EXIT_USAGE", "EXIT_INTERRUPTED", "USER_ERRORS",
           "one_line"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class UsageError(Exception):
    """A problem with what the user asked for (bad file, name, value)."""


# Library errors that come from bad input rather than from a bug.
# MemoryError: sizes are estimated before allocating (validation.check_memory), and a
# MemoryError that escapes is still a request too big for this machine, not a bug.
USER_ERRORS = (UsageError, ValueError, TypeError, OSError, FloatingPointError, MemoryError)


def one_line(exc):
    """The message of ``exc`` on one line (library messages may span lines)."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and exc.filename and str(exc.filename) not in text:
        text = f"{text}: {exc.filename}"
    note = getattr(exc, "scratchgen_note", None)   # e.g. where a failed run was kept
    if note:
        text = f"{text} ({note})"
    return " ".join(text.split())
