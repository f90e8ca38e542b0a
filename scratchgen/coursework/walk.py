"""Walk an assignment as a student would: solve the tasks one at a time, in the order given, and grade.

    >>> result = walk(["mcmc.*"])                     # doctest: +SKIP
    >>> print(result.format_table())                  # doctest: +SKIP

It makes the assignment (every selected task removed), grades the handout,
then writes back the library's own solution of one task at a time, in the
order of ``ASSIGNMENT.md``, and after each grades that task and the next
one in the same state. It shows that the assignment can be done in that
order: the handout scores 0 and passes none of the tasks' tests, each task passes as soon as its solution is
in, the next task does not pass before its own (it earns nothing for free,
and is "failed", not "blocked": everything it needs came earlier), and the
complete assignment gets full marks (every task graded, which is also the
last step's grading). ``full=True`` grades every task at
every step instead (quadratic in the number of tasks: for the whole library
that is hours).

Writing back task k means: every file of the assignment becomes the
library's file with only the tasks after k removed.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.grade import DEFAULT_TIMEOUT, assignment_tasks, grade
from scratchgen.coursework.make import ASSIGNMENT_JSON, make_assignment
from scratchgen.coursework.markers import strip_solutions
from scratchgen.coursework.tasks import PACKAGE_DIR, Task

__all__ = ["walk", "WalkStep", "WalkResult"]


@dataclass
class WalkStep:
    """After writing back the solution of ``task``: its status, the next task's, and the score so far."""

    task: str
    points: int
    status: str
    next_task: str | None
    next_status: str | None
    score: int


@dataclass
class WalkResult:
    """The handout's score, one step per task, and the score of the finished assignment."""

    max_total: int
    handout_score: int
    handout_statuses: dict[str, str]
    steps: list[WalkStep] = field(default_factory=list)
    final_score: int = 0
    final_statuses: dict[str, str] = field(default_factory=dict)
    handout_passing: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """What breaks the walk (empty: the score rises task by task to full marks)."""
        out = [f"the handout scores {self.handout_score}, not 0"] if self.handout_score else []
        out += [f"{n} of {task}'s tests pass in the handout: they do not grade it"
                for task, n in self.handout_passing.items() if n]
        for s in self.steps:
            if s.status != "passed":
                out.append(f"{s.task} is {s.status} with its solution written back")
            if s.next_status == "passed":
                out.append(f"{s.next_task} passes before its solution is written back")
            elif s.next_status == "blocked":
                out.append(f"{s.next_task} is blocked although every task before it is done")
        if self.final_score != self.max_total:
            out.append(f"the finished assignment scores {self.final_score}/{self.max_total}")
        return out

    def format_table(self) -> str:
        width = max([len(s.task) for s in self.steps] + [len("task written back")])
        lines = [f"handout: {self.handout_score}/{self.max_total}",
                 f"{'step':>4}  {'task written back':<{width}}  {'status':<8}  {'next task before its solution':<38}  score"]
        for i, s in enumerate(self.steps, 1):
            nxt = f"{s.next_task}: {s.next_status}" if s.next_task else "-"
            lines.append(f"{i:>4}  {s.task:<{width}}  {s.status:<8}  {nxt:<38}  {s.score}/{self.max_total}")
        lines.append(f"finished assignment, every task graded: {self.final_score}/{self.max_total}")
        lines += [f"PROBLEM: {p}" for p in self.problems]
        return "\n".join(lines)


def _write_back(work: Path, source_root: Path, files: Iterable[str], still_removed: list[str],
                hints: Mapping[str, str]) -> None:
    for name in files:
        original = (source_root / name).read_text(encoding="utf-8")
        (work / name).write_text(strip_solutions(original, still_removed, hints=hints, filename=name),
                                 encoding="utf-8")


def walk(
    tasks: Iterable[str],
    source_root: str | os.PathLike | None = None,
    *,
    package: str = "scratchgen",
    table: Mapping[str, Task] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    full: bool = False,
    progress=None,
) -> WalkResult:
    """Make an assignment of ``tasks``, then solve and grade it task by task (see the module docstring).

    ``progress``: optional callable, called with one line of text after each grading.
    """
    root = Path(source_root) if source_root is not None else PACKAGE_DIR.parent
    say = progress or (lambda line: None)
    with tempfile.TemporaryDirectory(prefix="scratchgen-walk-") as tmp:
        work = make_assignment(tasks, Path(tmp) / "hw", root, package=package, table=table)
        order = assignment_tasks(work)
        ids = [t.id for t in order]
        files = json.loads((work / ASSIGNMENT_JSON).read_text(encoding="utf-8"))["files"]
        hints = {t.id: t.hint for t in order}
        handout = grade(work, table=table, timeout=timeout)
        result = WalkResult(handout.max_total, handout.total, {r.id: r.status for r in handout.results},
                            handout_passing={r.id: r.passed for r in handout.results})
        say(f"handout: {handout.total}/{handout.max_total}")
        score = 0
        for k, task in enumerate(order):
            _write_back(work, root, files, ids[k + 1:], hints)
            last = k + 1 == len(ids)  # the finished assignment: graded in full once, for the last step too
            report = grade(work, None if (full or last) else ids[k:k + 2], table=table, timeout=timeout)
            statuses = {r.id: r.status for r in report.results}
            if last:
                result.final_score, result.final_statuses = report.total, statuses
            score = (sum(t.points for t in order if statuses.get(t.id) == "passed") if full
                     else score + (task.points if statuses[task.id] == "passed" else 0))
            nxt = ids[k + 1] if k + 1 < len(ids) else None
            result.steps.append(WalkStep(task.id, task.points, statuses[task.id], nxt, statuses.get(nxt), score))
            say(f"{k + 1}/{len(ids)} {task.id}: {statuses[task.id]}"
                + (f"; next {nxt}: {statuses.get(nxt)}" if nxt else "") + f"; score {score}/{handout.max_total}")
        say(f"finished: {result.final_score}/{result.max_total}")
    return result
