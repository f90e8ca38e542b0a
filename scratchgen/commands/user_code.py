"""Running a user's code from the command line: one-line errors and a time limit.

``scratchgen sample MODULE:FUNCTION`` imports and calls code it does not
control. Whatever that code does, the command ends with one line and exit
status 2: an exception at any call (not only the first), ``sys.exit()``
inside it, or a call (or an import) that never returns. The time limit uses
``SIGALRM``, which interrupts Python code between bytecodes; compiled code
(an ``@numba.njit`` function in an endless loop) cannot be interrupted, so
a watchdog thread prints the same line and ends the process (exit status 2)
a few seconds after the limit. POSIX only (on Windows there is no limit).
"""
import contextlib
import os
import signal
import sys
import threading

from scratchgen.commands.errors import EXIT_USAGE, UsageError

__all__ = ["running_user_code", "time_limit"]

WATCHDOG_GRACE = 5.0  # seconds after the limit before compiled code is ended by force


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so that the user's ``except Exception`` cannot eat it."""


@contextlib.contextmanager
def time_limit(seconds, message):
    """Raise ``UsageError(message)`` when the block runs longer than ``seconds`` (None: no limit)."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    finished = threading.Event()

    def on_alarm(signum, frame):
        raise _TimeUp

    def watchdog():  # for code that never returns to the interpreter
        if not finished.wait(seconds + WATCHDOG_GRACE):
            print(f"scratchgen: error: {message}", file=sys.stderr, flush=True)
            os._exit(EXIT_USAGE)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    threading.Thread(target=watchdog, daemon=True).start()
    try:
        yield
    except _TimeUp:
        raise UsageError(message) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        finished.set()


@contextlib.contextmanager
def running_user_code(what, seconds=None):
    """Turn anything the block's user code does into one ``UsageError`` line naming ``what``.

    Exceptions (but not Ctrl-C) and ``sys.exit`` become "WHAT raised ...";
    running past ``seconds`` becomes "WHAT did not finish within ...".
    """
    limit = (f"{what} did not finish within {seconds:g} s (an endless loop?); "
             "allow more time with --time-limit SECONDS") if seconds is not None else None
    with time_limit(seconds, limit):
        try:
            yield
        except UsageError:
            raise
        except SystemExit as exc:
            raise UsageError(f"{what} called sys.exit({exc.code!r}); a log-density must return "
                             "a number (raise an exception to report a problem)") from None
        except Exception as exc:
            text = " ".join(str(exc).split()) or "(no message)"
            raise UsageError(f"{what} raised {type(exc).__name__}: {text}") from None
