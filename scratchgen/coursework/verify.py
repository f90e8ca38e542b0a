"""Check that the tasks are gradable: their tests pass with the solution and fail without it.

    scratchgen assignment verify --tasks 'autodiff.*'          # a few minutes for all tasks
    scratchgen assignment verify --tasks mcmc.rhat --full      # also: whose tests need it?

For a copy of the library it runs every tagged test once with all solutions
in place (each task's tests must pass), then, task by task, removes that one
task's regions and runs that task's test files (at least one of its tests
must fail, otherwise the tests do not grade the task). With ``full=True``
each of those runs covers all tagged tests, which also shows which *other*
tasks' tests fail without the task: candidates for ``depends_on``.

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

from scratchgen.coursework.grade import _run_pytest
from scratchgen.coursework.make import _IGNORE, tagged_test_files
from scratchgen.coursework.markers import strip_solutions
from scratchgen.coursework.tasks import PACKAGE_DIR, Task, discover_markers, select_tasks

__all__ = ["verify_tasks", "TaskCheck", "format_checks"]


@dataclass
class TaskCheck:
    """What happened to one task's tests with and without its solution."""

    id: str
    n_tests: int
    failing_with_solution: list[str]
    failing_without_solution: int
    affects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.n_tests > 0 and not self.failing_with_solution and self.failing_without_solution > 0

    @property
    def problem(self) -> str:
        if self.n_tests == 0:
            return "no tagged tests"
        if self.failing_with_solution:
            return f"{len(self.failing_with_solution)} tests fail even with the solution"
        if self.failing_without_solution == 0:
            return "its tests all pass without the solution: they do not grade it"
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
        baseline, _, log = _run_pytest(work, timeout, env_extra=env)
        if baseline is None:
            raise RuntimeError(f"the tagged tests did not run with all solutions in place:\n{log}")
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
                report = _run_pytest(work, timeout, paths, env)[0] if paths else {"tests": {}}
            finally:
                for f, source in originals.items():
                    (work / f).write_text(source, encoding="utf-8")
            tests = (report or {"tests": {}})["tests"]
            own = _tests_of(baseline["tests"], task.id)
            # a test that did not run at all (import error, crash) counts as failing
            failing_without = sum(tests.get(n, {}).get("outcome") not in ("passed", "skipped") for n in own)
            affects = sorted({
                other for n, e in tests.items() if e["outcome"] in ("failed", "not run")
                for other in e["tasks"] if other != task.id and not _failing(baseline["tests"], other)
            }) if full else []
            checks.append(TaskCheck(task.id, len(own), _failing(baseline["tests"], task.id), failing_without, affects))
        return checks


def format_checks(checks: list[TaskCheck]) -> str:
    width = max([len(c.id) for c in checks] + [4])
    lines = [f"{'task':<{width}}  tests  fail w/o solution  result"]
    for c in checks:
        result = "ok" if c.ok else f"PROBLEM: {c.problem}"
        lines.append(f"{c.id:<{width}}  {c.n_tests:>5}  {c.failing_without_solution:>17}  {result}")
        if c.affects:
            lines.append(f"{'':<{width}}  also fails without it: {', '.join(c.affects)}")
    bad = sum(not c.ok for c in checks)
    lines.append(f"{len(checks)} tasks, {bad} with problems")
    return "\n".join(lines)
