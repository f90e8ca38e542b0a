"""Run task-tagged tests in a child pytest process and read its outcome on a channel the tests cannot forge.

    >>> run = run_tagged_tests("hw1", ["tests/mcmc"], timeout=60, task="mcmc.ess")   # doctest: +SKIP
    >>> run.tests["tests/mcmc/test_diagnostics.py::test_ess_iid"]["outcome"]        # doctest: +SKIP
    'passed'

The child is ``python -m pytest -m task -p <plugin> <paths>`` in ``directory``
(the folder first on ``PYTHONPATH``), in its own session (process group),
with a time limit. The plugin (:mod:`scratchgen.coursework._grade_plugin`)
receives a fresh random key through an inherited pipe before any test module,
hence any student code, is imported, and signs each outcome it reports on a
second pipe whose read end only this process holds (HMAC-SHA256, numbered
lines). So the result cannot be written by the code under test through a
file, the environment, stdout or the exit status: a line without the key is
counted in ``rejected`` and ignored, the exit status is not trusted at all,
and a test that never reported (the child hung, was killed at the time
limit, or called ``os._exit``) is ``"not run"``. What this does *not*
defend is described in docs/teachers_guide.md ("Threat model").
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.validation import check_positive

__all__ = ["ChildRun", "run_tagged_tests"]

_PLUGIN = Path(__file__).with_name("_grade_plugin.py")
_PLUGIN_NAME = "_scratchgen_grade_plugin"
_GRACE = 0.5  # seconds to read what is left on the channel after the child exited


@dataclass
class ChildRun:
    """What one pytest child reported (only lines signed with its key count).

    ``tests``: nodeid -> ``{"tasks": [...], "outcome": "passed" | "failed" |
    "skipped" | "not run", "needs": [task ids whose NotImplementedError
    appears in the failure]}``.
    """

    tests: dict[str, dict] = field(default_factory=dict)
    collection_errors: list[dict] = field(default_factory=list)
    started: bool = False
    finished: bool = False
    timed_out: bool = False
    returncode: int | None = None
    rejected: int = 0
    log: str = ""

    @property
    def note(self) -> str:
        """One line on how the child ended, when that was not normally; else ``""``."""
        if self.timed_out:
            return "stopped at the time limit"
        if not self.started:
            return f"the test run never started (exit status {self.returncode})"
        if not self.finished:
            ran = sum(e["outcome"] != "not run" for e in self.tests.values())
            return f"the test run stopped after {ran} of {len(self.tests)} tests (exit status {self.returncode})"
        return ""


def _accept(run: ChildRun, key: bytes, line: bytes, expected_seq: int) -> bool:
    """Apply one channel line to ``run`` if it carries the key and the next sequence number."""
    body, _, mac = line.strip().rpartition(b" ")
    good = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not body or not hmac.compare_digest(mac, good):
        return False
    try:
        msg = json.loads(body.decode("utf-8"))
    except ValueError:
        return False
    if msg.get("seq") != expected_seq:
        return False
    event = msg.get("event")
    if event == "start":
        run.started = True
    elif event == "collected":
        run.tests[msg["nodeid"]] = {"tasks": list(msg["tasks"]), "outcome": "not run", "needs": []}
    elif event == "test" and msg["nodeid"] in run.tests:
        run.tests[msg["nodeid"]].update(outcome=msg["outcome"], needs=list(msg["needs"]))
    elif event == "collection_error":
        run.collection_errors.append({"nodeid": msg["nodeid"], "message": msg["message"]})
    elif event == "finish":
        run.finished = True
    return True


def _read_channel(proc: subprocess.Popen, fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything written on ``fd`` until the child exits (plus a short grace) or ``deadline``.

    Returns (data, timed out). Never waits for end of file: a grandchild the
    tests left behind may hold the write end open for ever.
    """
    chunks, exited_at = [], None
    while True:
        now = time.monotonic()
        if exited_at is None and proc.poll() is not None:
            exited_at = now
        if exited_at is not None and now > exited_at + _GRACE:
            return b"".join(chunks), False
        if exited_at is None and now > deadline:
            return b"".join(chunks), True
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            data = os.read(fd, 65536)
            if data:
                chunks.append(data)
            elif proc.poll() is not None:  # every writer is gone and the child has exited
                return b"".join(chunks), False
            else:
                time.sleep(0.01)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_tagged_tests(
    directory: str | os.PathLike,
    paths: Iterable[str] = ("tests",),
    *,
    timeout: float,
    task: str | None = None,
    env_extra: Mapping[str, str] | None = None,
) -> ChildRun:
    """Run the task-tagged tests under ``paths`` (only ``task``'s, if given) in a child; see the module docstring.

    ``timeout``: seconds; the child's whole process group is killed when it
    runs longer (and in any case when it ends, so nothing it started lingers).
    """
    timeout = check_positive(timeout, "timeout")
    directory = Path(directory)
    key = secrets.token_bytes(32)
    config_r, config_w = os.pipe()
    result_r, result_w = os.pipe()
    with tempfile.TemporaryDirectory(prefix="scratchgen-grade-") as tmp, \
            open(Path(tmp) / "output.txt", "w+b") as output:
        plugin_dir = Path(tmp) / "plugin"
        plugin_dir.mkdir()
        shutil.copy(_PLUGIN, plugin_dir / f"{_PLUGIN_NAME}.py")
        env = dict(os.environ)
        env.pop("SCRATCHGEN_GRADE_REPORT", None)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(plugin_dir), str(directory)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        env.update(SCRATCHGEN_GRADE_CHANNEL=f"{config_r},{result_w}", PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        env.update(env_extra or {})
        cmd = [sys.executable, "-m", "pytest", "-m", "task", "-p", _PLUGIN_NAME,
               "--continue-on-collection-errors", "-q", "-p", "no:cacheprovider", *paths]
        os.write(config_w, json.dumps({"key": key.hex(), "task": task}).encode() + b"\n")
        os.close(config_w)
        try:
            proc = subprocess.Popen(cmd, cwd=directory, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                    stderr=subprocess.STDOUT, pass_fds=(config_r, result_w), start_new_session=True)
        finally:
            os.close(config_r)
            os.close(result_w)
        try:
            data, timed_out = _read_channel(proc, result_r, time.monotonic() + timeout)
        finally:
            _kill_group(proc)
            os.close(result_r)
        run = ChildRun(timed_out=timed_out, returncode=None if timed_out else proc.returncode)
        seq = 0
        for line in data.splitlines():
            if _accept(run, key, line, seq):
                seq += 1
            else:
                run.rejected += 1
        output.seek(0, os.SEEK_END)
        output.seek(max(0, output.tell() - 8000))
        run.log = output.read().decode("utf-8", errors="replace")
    return run
