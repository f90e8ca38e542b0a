"""Check that the tasks are gradable: their tests pass with the solution and fail without it.

    scratchgen assignment verify --tasks 'autodiff.*'          # a few minutes for all tasks
    scratchgen assignment verify --tasks mcmc.rhat --full      # also: whose tests need it?

For a copy of the library it runs every tagged test once with all solutions
in place (each task's tests must pass), then, task by task, removes that one
task's regions and runs that task's test files: every one of its tests must
fail (a test that passes without the solution does not grade the task, and
gives the student points for nothing). With ``full=True`` each of those runs
covers all tagged tests, which also shows which *other* tasks' tests fail
without the task; each such task must declare it in ``depends_on``
(directly or through another task), otherwise the check fails.

This runs pytest many times over the real library: it is a tool for the
people who write tasks, not part of the fast test suite.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.make import _IGNORE, tagged_test_files
from scratchgen.coursework.markers import strip_solutions
from scratchgen.coursework.runner import run_tagged_tests
from scratchgen.coursework.tasks import TASKS, PACKAGE_DIR, Task, dependency_closure, discover_markers, select_tasks

__all__ = ["verify_tasks", "TaskCheck", "format_checks"]


@dataclass
class TaskCheck:
    """What happened to one task's tests with and without its solution."""

    id: str
    n_tests: int
    failing_with_solution: list[str]
    failing_without_solution: int
    affects: list[str] = field(default_factory=list)
    passing_without_solution: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def problem(self) -> str:
        if self.n_tests == 0:
            return "no tagged tests"
        if self.failing_with_solution:
            return f"{len(self.failing_with_solution)} tests fail even with the solution"
        if self.failing_without_solution == 0:
            return "its tests all pass without the solution: they do not grade it"
        if self.passing_without_solution:
            return (f"{len(self.passing_without_solution)} of its tests pass without the solution: "
                    + ", ".join(self.passing_without_solution))
        if self.undeclared:
            return (f"the tests of {', '.join(self.undeclared)} fail without it, but "
                    f"{'they do' if len(self.undeclared) > 1 else 'it does'} not declare it in depends_on")
        return ""

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "problem": self.problem}


def _failing(tests: Mapping[str, dict], task_id: str) -> list[str]:
    return sorted(n for n, e in tests.items() if task_id in e["tasks"] and e["outcome"] in ("failed", "not run"))


def _tests_of(tests: Mapping[str, dict], task_id: str) -> list[str]:
    return sorted(n for n, e in tests.items() if task_id in e["tasks"])


def verify_tasks(
    tasks: Iterable[str] = ("*",),
    source_root: str | os.PathLike | None = None,
    *,
    package: str = "scratchgen",
    table: Mapping[str, Task] | None = None,
    full: bool = False,
    timeout: float = 900.0,
) -> list[TaskCheck]:
    """One :class:`TaskCheck` per selected task (see the module docstring)."""
    selected = select_tasks(tasks, table)
    table = TASKS if table is None else table
    root = Path(source_root) if source_root is not None else PACKAGE_DIR.parent
    with tempfile.TemporaryDirectory(prefix="scratchgen-verify-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        for name in (package, "tests", "data", "setup.cfg", "pyproject.toml"):
            src = root / name
            if src.is_dir():
                shutil.copytree(src, work / name, ignore=_IGNORE)
            elif src.is_file():
                shutil.copy2(src, work / name)
        # one Numba cache for all runs: kernels compile once
        env = {"NUMBA_CACHE_DIR": str(Path(tmp) / "numba-cache")}
        baseline = run_tagged_tests(work, timeout=timeout, env_extra=env)
        if not baseline.finished:
            raise RuntimeError(f"the tagged tests did not run with all solutions in place ({baseline.note}):\n"
                               f"{baseline.log}")
        found = discover_markers(work / package)
        test_files = tagged_test_files(work / "tests")
        checks = []
        for task in selected:
            files = sorted({r.filename for r in found.get(task.id, [])})
            originals = {f: (work / f).read_text(encoding="utf-8") for f in files}
            try:
                for f, source in originals.items():
                    stripped = strip_solutions(source, [task.id], hints={task.id: task.hint}, filename=f)
                    (work / f).write_text(stripped, encoding="utf-8")
                paths = ["tests"] if full else test_files.get(task.id, [])
                tests = run_tagged_tests(work, paths, timeout=timeout, env_extra=env).tests if paths else {}
            finally:
                for f, source in originals.items():
                    (work / f).write_text(source, encoding="utf-8")
            own = _tests_of(baseline.tests, task.id)
            # a test that did not run at all (import error, crash) counts as failing
            passing = [n for n in own if baseline.tests[n]["outcome"] == "passed"
                       and tests.get(n, {}).get("outcome") in ("passed", "skipped")]
            # a test tagged with this task too grades both: not a dependency
            affects = sorted({
                other for n, e in tests.items() if e["outcome"] in ("failed", "not run") and task.id not in e["tasks"]
                for other in e["tasks"] if not _failing(baseline.tests, other)
            }) if full else []
            undeclared = [o for o in affects if task.id not in dependency_closure(o, table)]
            checks.append(TaskCheck(task.id, len(own), _failing(baseline.tests, task.id), len(own) - len(passing),
                                    affects, passing, undeclared))
        return checks


def format_checks(checks: list[TaskCheck]) -> str:
    width = max([len(c.id) for c in checks] + [4])
    lines = [f"{'task':<{width}}  tests  fail w/o solution  result"]
    for c in checks:
        result = "ok" if c.ok else f"PROBLEM: {c.problem}"
        lines.append(f"{c.id:<{width}}  {c.n_tests:>5}  {c.failing_without_solution:>17}  {result}")
        if c.affects:
            lines.append(f"{'':<{width}}  also fails without it: {', '.join(c.affects)}")
        if c.undeclared:
            lines.append(f"{'':<{width}}  add {c.id!r} to depends_on of: {', '.join(c.undeclared)}")
    bad = sum(not c.ok for c in checks)
    lines.append(f"{len(checks)} tasks, {bad} with problems")
    return "\n".join(lines)
