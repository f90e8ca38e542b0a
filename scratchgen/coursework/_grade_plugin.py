"""pytest plugin used by the grader: records the outcome of every task-tagged test.

It is loaded with ``-p`` from a temporary folder, so it imports nothing from
scratchgen (a student's broken package must not stop it). At the end of the
session it writes ``{"tests": {nodeid: {"tasks": [...], "outcome": ...}},
"collection_errors": [...]}`` as JSON to the path in the environment
variable ``SCRATCHGEN_GRADE_REPORT``.
"""
import json
import os

_tests = {}
_collection_errors = []


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        tasks = [m.args[0] for m in item.iter_markers("task") if m.args]
        if tasks:
            _tests[item.nodeid] = {"tasks": sorted(set(tasks)), "outcome": "not run"}


def pytest_collectreport(report):
    if report.failed:
        _collection_errors.append({"nodeid": report.nodeid, "message": str(report.longrepr)[-2000:]})


def pytest_runtest_logreport(report):
    entry = _tests.get(report.nodeid)
    if entry is None:
        return
    if report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and entry["outcome"] != "failed":
        entry["outcome"] = "skipped"
    elif report.when == "call" and report.passed and entry["outcome"] == "not run":
        entry["outcome"] = "passed"


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("SCRATCHGEN_GRADE_REPORT")
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"tests": _tests, "collection_errors": _collection_errors, "exitstatus": int(exitstatus)}, f)
    os.replace(tmp, path)
