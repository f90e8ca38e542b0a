"""Worker processes of a command (``demo --jobs 2``) that never outlive it.

Two ways a worker could be orphaned (issue 13), and what stops each:

- the parent is stopped (Ctrl-C, SIGTERM, SIGHUP, an error) while a worker
  trains: ``stop_workers`` sends the worker SIGTERM -- a training loop stops
  at the end of its step and saves its checkpoint, as the parent's does --
  and kills it if it has not exited after ``grace`` seconds;
- the parent is killed (SIGKILL, the OOM killer) and cannot clean up: on
  Linux each worker asks the kernel for SIGTERM when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``).

Outside a training loop (idle, evaluating) a worker that is told to stop
exits at once and quietly (status 130): there is nothing there to save.
"""
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

__all__ = ["process_pool", "stop_workers"]

_PR_SET_PDEATHSIG = 1   # <linux/prctl.h>


def _exit_quietly(signum, frame):
    os._exit(130)


def _die_with_parent(parent_pid):
    """Worker initializer: stop quietly on a signal; SIGTERM when the parent dies (Linux).

    SIGTERM keeps the handler inherited from ``scratchgen.cli`` (do what the
    SIGINT handler does): a training loop's "stop after this step", else this
    quiet exit.
    """
    signal.signal(signal.SIGINT, _exit_quietly)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:   # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def process_pool(max_workers=1):
    """A ProcessPoolExecutor (fork where available) whose workers die with this process."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context(method),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def stop_workers(pool, grace=10.0):
    """Ask the pool's live workers to stop like after Ctrl-C; terminate them after ``grace`` s."""
    # The executor has no public list of its processes; _processes is {pid: Process}.
    processes = [p for p in dict(getattr(pool, "_processes", None) or {}).values() if p.is_alive()]
    for process in processes:
        process.terminate()          # SIGTERM: like Ctrl-C in the worker
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(grace)
