"""Worker processes (demo --jobs 2) never outlive their parent (issue 13, section 2)."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from scratchgen.commands.workers import process_pool, stop_workers

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"   # a zombie has exited
    except FileNotFoundError:
        return False


def _wait_gone(pid, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    return not _alive(pid)


def test_stop_workers_ends_a_busy_worker():
    pool = process_pool(1)
    future = pool.submit(time.sleep, 60)
    time.sleep(0.2)
    (pid,) = list(pool._processes)
    stop_workers(pool, grace=5.0)
    assert _wait_gone(pid)
    pool.shutdown(wait=True, cancel_futures=True)
    assert future.done()


def test_a_worker_dies_when_its_parent_is_killed(tmp_path):
    # The parent starts a worker, prints its pid and vanishes without cleaning up (as after SIGKILL).
    script = textwrap.dedent("""
        import os, sys, time
        from scratchgen.commands.workers import process_pool
        pool = process_pool(1)
        pool.submit(time.sleep, 60)
        time.sleep(0.3)
        print(list(pool._processes)[0], flush=True)
        os._exit(9)
    """)
    import scratchgen
    root = os.path.dirname(os.path.dirname(os.path.abspath(scratchgen.__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    pid = int(out.stdout.split()[0])
    assert _wait_gone(pid), f"worker {pid} outlived its parent"
