"""Grade an assignment folder: run its task-tagged tests once and score each task.

    >>> report = grade("hw1")                         # doctest: +SKIP
    >>> print(report.format_table())                  # doctest: +SKIP

The tests run in a subprocess, ``python -m pytest -m task <test files>`` in
the folder (the files that tag the graded tasks), with the folder first on ``PYTHONPATH`` (so its package, not an
installed scratchgen, is tested) and a small plugin that records the outcome
of each test and the task markers it carries. One run serves all tasks; a
task's tests failing, or a test module failing to import, costs only the
tasks concerned.

A task's status:

* ``passed``: at least one of its tests ran and none failed; full points.
* ``blocked``: its tests did not all pass and a task it depends on (among
  the graded tasks that the assignment removed) did not pass either; 0
  points, ``blocked_by`` names it.
* ``failed``: some of its tests failed (or none ran because a test module
  did not import: ``error``), 0 points.
* ``no tests``: no test carries its marker; 0 points (a teacher's problem,
  not the student's: ``scratchgen assignment check`` finds these).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.make import ASSIGNMENT_JSON, tagged_test_files
from scratchgen.coursework.tasks import TASKS, Task, dependency_order, select_tasks

__all__ = ["grade", "GradeReport", "TaskResult", "assignment_tasks"]

_PLUGIN = Path(__file__).with_name("_grade_plugin.py")
_PLUGIN_NAME = "_scratchgen_grade_plugin"


@dataclass
class TaskResult:
    """The grade of one task."""

    id: str
    status: str
    points: int
    max_points: int
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    blocked_by: list[str] = field(default_factory=list)


@dataclass
class GradeReport:
    """Per-task results in dependency order, totals and what went wrong while collecting."""

    results: list[TaskResult]
    collection_errors: list[dict] = field(default_factory=list)
    returncode: int | None = None
    log: str = ""

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_total(self) -> int:
        return sum(r.max_points for r in self.results)

    def by_id(self) -> dict[str, TaskResult]:
        return {r.id: r for r in self.results}

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "max_total": self.max_total,
            "tasks": [asdict(r) for r in self.results],
            "collection_errors": self.collection_errors,
            "pytest_returncode": self.returncode,
        }

    def format_table(self) -> str:
        width = max([len(r.id) for r in self.results] + [len("task")])
        lines = [f"{'task':<{width}}  {'status':<8}  {'tests':>7}  {'points':>7}"]
        for r in self.results:
            ran = r.passed + r.failed
            note = f"  (needs {', '.join(r.blocked_by)})" if r.blocked_by else ""
            lines.append(
                f"{r.id:<{width}}  {r.status:<8}  {f'{r.passed}/{ran}':>7}  "
                f"{f'{r.points}/{r.max_points}':>7}{note}"
            )
        lines.append(f"{'total':<{width}}  {'':<8}  {'':>7}  {f'{self.total}/{self.max_total}':>7}")
        for err in self.collection_errors:
            last = (err["message"].strip().splitlines() or ["(no message)"])[-1]
            lines.append(f"could not import {err['nodeid'] or 'the tests'}: {last}")
        return "\n".join(lines)


def assignment_tasks(
    directory: str | os.PathLike,
    tasks: Iterable[str] | None = None,
    table: Mapping[str, Task] | None = None,
) -> list[Task]:
    """The tasks to grade in ``directory``, in dependency order.

    Without ``tasks``: the tasks in the folder's ``assignment.json``. With
    ``tasks`` (ids or globs): those looked up in ``assignment.json`` and, for
    tasks the assignment did not remove, in ``table`` (default: TASKS).
    """
    meta = Path(directory) / ASSIGNMENT_JSON
    known: dict[str, Task] = {}
    if meta.is_file():
        try:
            rows = json.loads(meta.read_text(encoding="utf-8"))["tasks"]
            for r in rows:
                known[r["id"]] = Task(r["id"], int(r["points"]), r["hint"], tuple(r["depends_on"]), int(r["order"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{meta}: not a valid assignment file ({exc})") from exc
        if tasks is None:
            return dependency_order(known.values())
    elif tasks is None:
        raise ValueError(f"directory: {str(directory)!r} has no {ASSIGNMENT_JSON}; say which tasks to grade")
    # explicit patterns: the assignment's rows first, then the table for tasks it did not remove
    return select_tasks(tasks, {**dict(TASKS if table is None else table), **known})


def _run_pytest(
    directory: Path, timeout: float, paths: Iterable[str] = ("tests",), env_extra: Mapping[str, str] | None = None
) -> tuple[dict | None, int | None, str]:
    """Run the tagged tests under ``paths``; return (plugin report or None, pytest exit code, output tail)."""
    with tempfile.TemporaryDirectory(prefix="scratchgen-grade-") as tmp:
        shutil.copy(_PLUGIN, Path(tmp) / f"{_PLUGIN_NAME}.py")
        report_path = Path(tmp) / "report.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([tmp, str(directory)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        env.update(SCRATCHGEN_GRADE_REPORT=str(report_path), PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        env.update(env_extra or {})
        cmd = [sys.executable, "-m", "pytest", "-m", "task", "-p", _PLUGIN_NAME,
               "--continue-on-collection-errors", "-q", *paths]
        try:
            proc = subprocess.run(cmd, cwd=directory, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"")
            out = out.decode(errors="replace") if isinstance(out, bytes) else out
            return None, None, f"pytest did not finish within {timeout} s\n{out[-4000:]}"
        log = (proc.stdout + proc.stderr)[-8000:]
        if not report_path.is_file():
            return None, proc.returncode, log
        return json.loads(report_path.read_text(encoding="utf-8")), proc.returncode, log


def _test_paths(directory: Path, tasks: list[Task]) -> list[str]:
    """The test files that tag the tasks (a quick text scan), or all of tests/ if one is not found.

    Running only those files keeps grading a few tasks fast; the plugin still
    reads the real markers, so the scan only decides what to collect.
    """
    files = tagged_test_files(directory / "tests")
    if any(t.id not in files for t in tasks):
        return ["tests"]  # tagged in a way the scan does not see (or untagged): collect everything
    return sorted({f for t in tasks for f in files[t.id]})


def _score(
    tasks: list[Task], tests: Mapping[str, dict], import_errors: bool, removed: set[str] | None = None
) -> list[TaskResult]:
    """Per-task results; only tasks in ``removed`` (default: all) can block their dependants."""
    counts = {t.id: {"passed": 0, "failed": 0, "skipped": 0} for t in tasks}
    for entry in tests.values():
        outcome = {"not run": "failed"}.get(entry["outcome"], entry["outcome"])
        for task_id in entry["tasks"]:
            if task_id in counts:
                counts[task_id][outcome] += 1
    status: dict[str, str] = {}
    results = []
    for t in tasks:  # dependency order: a dependency's status is known before its dependants'
        c = counts[t.id]
        blockers = [d for d in t.depends_on
                    if d in status and status[d] != "passed" and (removed is None or d in removed)]
        if c["passed"] > 0 and c["failed"] == 0:
            status[t.id] = "passed"
        elif blockers:
            status[t.id] = "blocked"
        elif c["passed"] + c["failed"] == 0:
            status[t.id] = "error" if import_errors else "no tests"
        else:
            status[t.id] = "failed"
        got = t.points if status[t.id] == "passed" else 0
        blocked_by = blockers if status[t.id] == "blocked" else []
        results.append(TaskResult(t.id, status[t.id], got, t.points, blocked_by=blocked_by, **c))
    return results


def _with_reference(submission: Path, reference: Path, work: Path) -> Path:
    """Copy the handout ``reference`` to ``work`` and put in only the submission's task files."""
    meta = reference / ASSIGNMENT_JSON
    if not meta.is_file():
        raise ValueError(f"reference: {str(reference)!r} has no {ASSIGNMENT_JSON}; pass the folder that was handed out")
    files = json.loads(meta.read_text(encoding="utf-8")).get("files", [])
    shutil.copytree(reference, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))
    for name in files:
        if (submission / name).is_file():  # a missing file keeps the handout's NotImplementedError
            shutil.copy2(submission / name, work / name)
    return work


def grade(
    directory: str | os.PathLike,
    tasks: Iterable[str] | None = None,
    *,
    table: Mapping[str, Task] | None = None,
    timeout: float = 900.0,
    reference: str | os.PathLike | None = None,
) -> GradeReport:
    """Run the tagged tests in ``directory`` and score each task (see the module docstring).

    ``tasks``: ids or glob patterns to grade (default: those in the folder's
    ``assignment.json``). ``timeout``: seconds for the whole test run; when
    it is exceeded every task is reported ``error``. ``reference``: the
    untouched folder that was handed out; then only the task files listed in
    its ``assignment.json`` are taken from ``directory`` and everything else
    (tests, points, the rest of the package) from ``reference``, so that
    edited tests or helpers in a submission change nothing.
    """
    directory = Path(directory).resolve()
    if reference is not None:
        if not directory.is_dir():
            raise ValueError(f"directory: {str(directory)!r} is not a folder")
        with tempfile.TemporaryDirectory(prefix="scratchgen-submission-") as tmp:
            work = _with_reference(directory, Path(reference).resolve(), Path(tmp) / "work")
            return grade(work, tasks, table=table, timeout=timeout)
    if not (directory / "tests").is_dir():
        raise ValueError(f"directory: {str(directory)!r} has no tests/ folder; is it an assignment folder?")
    selected = assignment_tasks(directory, tasks, table)
    # a dependency whose solution was handed out is not the student's: it never blocks
    removed = {t.id for t in assignment_tasks(directory)} if (directory / ASSIGNMENT_JSON).is_file() else None
    report, code, log = _run_pytest(directory, timeout, _test_paths(directory, selected))
    if report is None:
        results = [TaskResult(t.id, "error", 0, t.points) for t in selected]
        return GradeReport(results, [{"nodeid": "", "message": log or "pytest produced no report"}], code, log)
    errors = report["collection_errors"]
    results = _score(selected, report["tests"], import_errors=bool(errors), removed=removed)
    return GradeReport(results, errors, code, log)
