"""pytest plugin used by the grader: reports each task-tagged test's outcome on a private channel.

It runs inside the pytest child that the grader starts (see
:mod:`scratchgen.coursework.runner`), next to the student's code, so it
imports nothing from scratchgen (a broken package must not stop it) and it
takes its secret before any student code exists:

* The grader passes two inherited file descriptors in the environment
  variable ``SCRATCHGEN_GRADE_CHANNEL`` (``"<config fd>,<result fd>"``). At
  import time (``-p`` plugins are imported before conftest files, entry-point
  plugins and test modules) this module reads one JSON line from the config
  fd: ``{"key": <hex>, "task": <id or null>}``, closes that fd and deletes the
  variable. The key exists only in this process's memory from then on.
* Every report is one line on the result fd (a pipe whose read end only the
  grader holds): ``<json> <hex HMAC-SHA256 of the json under the key>``, the
  json carrying a sequence number. A line written by anyone without the key,
  or replayed, or out of order, is rejected by the grader.
* Outcomes are sent test by test as they finish, so a test run that is
  killed or exits early still reports the tests that ran.

With a ``task`` in the config, only the tests tagged with that task run.
"""
import hashlib
import hmac
import json
import os
import re

_NEEDS = re.compile(r"NotImplementedError: Task ([A-Za-z_][\w.]*):")


def _open_channel():
    spec = os.environ.pop("SCRATCHGEN_GRADE_CHANNEL", "")
    if not spec:
        return None, None, None
    config_fd, result_fd = (int(x) for x in spec.split(","))
    with os.fdopen(config_fd, "rb") as f:  # closes the config fd
        config = json.loads(f.readline().decode("utf-8"))
    return bytes.fromhex(config["key"]), config.get("task"), result_fd


_KEY, _TASK, _RESULT_FD = _open_channel()
_seq = [0]
_tests = {}  # nodeid -> {"tasks": [...], "outcome": ..., "needs": [...]}


def _send(event, **fields):
    if _RESULT_FD is None:
        return
    body = json.dumps(dict(fields, event=event, seq=_seq[0]), sort_keys=True)
    _seq[0] += 1
    mac = hmac.new(_KEY, body.encode("utf-8"), hashlib.sha256).hexdigest()
    data = f"{body} {mac}\n".encode("utf-8")
    while data:
        data = data[os.write(_RESULT_FD, data):]


_send("start", task=_TASK, pid=os.getpid())


def pytest_collection_modifyitems(session, config, items):
    keep, drop = [], []
    for item in items:
        tasks = sorted({m.args[0] for m in item.iter_markers("task") if m.args})
        if tasks and (_TASK is None or _TASK in tasks):
            keep.append(item)
            _tests[item.nodeid] = {"tasks": tasks, "outcome": "not run", "needs": []}
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    for nodeid, entry in _tests.items():
        _send("collected", nodeid=nodeid, tasks=entry["tasks"])


def pytest_collectreport(report):
    if report.failed:
        _send("collection_error", nodeid=report.nodeid, message=str(report.longrepr)[-1000:])


def pytest_runtest_logreport(report):
    entry = _tests.get(report.nodeid)
    if entry is None:
        return
    if report.failed:
        entry["outcome"] = "failed"
        entry["needs"] = sorted(set(entry["needs"]) | set(_NEEDS.findall(str(report.longrepr))))
    elif report.skipped and entry["outcome"] != "failed":
        entry["outcome"] = "skipped"
    elif report.when == "call" and report.passed and entry["outcome"] == "not run":
        entry["outcome"] = "passed"


def pytest_runtest_logfinish(nodeid, location):
    entry = _tests.get(nodeid)
    if entry is not None:
        _send("test", nodeid=nodeid, outcome=entry["outcome"], needs=entry["needs"])


def pytest_sessionfinish(session, exitstatus):
    _send("finish", exitstatus=int(exitstatus))
