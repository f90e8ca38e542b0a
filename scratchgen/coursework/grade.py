"""Grade an assignment folder: run each task's tagged tests in its own child process and score it.

    >>> report = grade("hw1", reference="handout/hw1")   # doctest: +SKIP
    >>> print(report.format_table())                      # doctest: +SKIP

For each graded task the tests tagged with it run in a fresh pytest child
(:func:`~scratchgen.coursework.runner.run_tagged_tests`) in the folder, with
the folder first on ``PYTHONPATH`` (so its package, not an installed
scratchgen, is tested) and a time limit. The outcome travels back on a pipe,
signed with a key the code under test never sees: nothing the submission
writes to a file, stdout or its exit status counts, and a task whose tests
hang, exit or interrupt the session costs that task only.

A task's status:

* ``passed``: every one of its tests reported, at least one passed and none
  failed; full points.
* ``blocked``: its tests did not all pass and a removed task it depends on
  (directly or through other tasks) did not pass, or a failure shows the
  ``NotImplementedError`` of another unsolved task; 0 points,
  ``blocked_by`` names it.
* ``timeout``: its tests ran longer than ``timeout`` seconds; 0 points.
* ``failed``: some of its tests failed or never reported; 0 points.
* ``error``: none of its tests ran because a test module did not import.
* ``no tests``: no test carries its marker; 0 points (a teacher's problem,
  not the student's: ``scratchgen assignment check`` finds these).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.make import ASSIGNMENT_JSON, tagged_test_files
from scratchgen.coursework.runner import ChildRun, run_tagged_tests
from scratchgen.coursework.tasks import TASKS, Task, dependency_closure, dependency_order, select_tasks
from scratchgen.validation import check_positive

__all__ = ["grade", "GradeReport", "TaskResult", "assignment_tasks", "DEFAULT_TIMEOUT"]

#: Seconds each task's tests may run (``grade(timeout=...)``, ``--timeout``).
DEFAULT_TIMEOUT = 300.0


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
    note: str = ""


@dataclass
class GradeReport:
    """Per-task results in dependency order, totals and what went wrong while collecting."""

    results: list[TaskResult]
    collection_errors: list[dict] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)

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
        }

    def format_table(self) -> str:
        width = max([len(r.id) for r in self.results] + [len("task")])
        lines = [f"{'task':<{width}}  {'status':<8}  {'tests':>7}  {'points':>7}"]
        for r in self.results:
            ran = r.passed + r.failed
            note = f"  (needs {', '.join(r.blocked_by)})" if r.blocked_by else ""
            note += f"  ({r.note})" if r.note else ""
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
    tasks: list[Task], runs: Mapping[str, ChildRun], removed: set[str] | None = None,
    table: Mapping[str, Task] | None = None,
) -> list[TaskResult]:
    """Per-task results from each task's own run; only tasks in ``removed`` (default: all) can block.

    ``table`` (default: ``tasks``) resolves dependencies through tasks that are not graded.
    """
    table = {t.id: t for t in tasks} if table is None else {**table, **{t.id: t for t in tasks}}
    status: dict[str, str] = {}
    results = []
    for t in tasks:  # dependency order: a dependency's status is known before its dependants'
        run = runs[t.id]
        c = {"passed": 0, "failed": 0, "skipped": 0}
        needs: set[str] = set()
        for entry in run.tests.values():
            if t.id in entry["tasks"]:
                c[{"not run": "failed"}.get(entry["outcome"], entry["outcome"])] += 1
                needs.update(entry["needs"])
        could_block = dependency_closure(t.id, table) | (needs - {t.id})
        blockers = sorted(d for d in could_block
                          if status.get(d) != "passed" and (removed is None or d in removed)
                          and (d in status or d in needs))
        if c["passed"] > 0 and c["failed"] == 0:
            status[t.id] = "passed"
        elif blockers:
            status[t.id] = "blocked"
        elif run.timed_out:
            status[t.id] = "timeout"
        elif c["passed"] + c["failed"] == 0:
            status[t.id] = "error" if run.collection_errors else "no tests"
        else:
            status[t.id] = "failed"
        got = t.points if status[t.id] == "passed" else 0
        blocked_by = blockers if status[t.id] == "blocked" else []
        note = "" if status[t.id] == "passed" else run.note
        if run.rejected:
            note = "; ".join(filter(None, [note, f"{run.rejected} forged result lines ignored"]))
        results.append(TaskResult(t.id, status[t.id], got, t.points, blocked_by=blocked_by, note=note, **c))
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
    timeout: float = DEFAULT_TIMEOUT,
    reference: str | os.PathLike | None = None,
) -> GradeReport:
    """Run each task's tagged tests in ``directory`` and score it (see the module docstring).

    ``tasks``: ids or glob patterns to grade (default: those in the folder's
    ``assignment.json``). ``timeout``: seconds for each task's tests (a
    finite number > 0); a task that runs longer is ``timeout``, the others
    are graded as usual. ``reference``: the untouched folder that was handed
    out; then only the task files listed in its ``assignment.json`` are taken
    from ``directory`` and everything else (tests, points, the rest of the
    package) from ``reference``, so that edited tests or helpers in a
    submission change nothing. Grade with ``reference`` whenever the
    submission is not trusted (docs/teachers_guide.md, "Threat model").
    """
    timeout = check_positive(timeout, "timeout")
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
    runs: dict[str, ChildRun] = {}
    with tempfile.TemporaryDirectory(prefix="scratchgen-numba-") as cache:
        env = {"NUMBA_CACHE_DIR": cache}  # kernels compile once for all the task runs
        for t in selected:
            runs[t.id] = run_tagged_tests(directory, _test_paths(directory, [t]), timeout=timeout, task=t.id,
                                          env_extra=env)
    errors: dict[str, dict] = {}
    for run in runs.values():
        for err in run.collection_errors:
            errors.setdefault(err["nodeid"], err)
    results = _score(selected, runs, removed=removed, table=dict(TASKS if table is None else table))
    return GradeReport(results, list(errors.values()), {t: r.log for t, r in runs.items()})
