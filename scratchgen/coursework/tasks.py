"""The coursework tasks: a table of ids, points, hints and dependencies.

Every ``# BEGIN SOLUTION task=<id>`` region in the package has one row in
:data:`TASKS`, and every row has at least one region; the library's own test
suite checks both directions (``tests/coursework/test_real_tree.py``). To add
a task: mark the region in the code, tag its tests with
``@pytest.mark.task("<id>")`` and add one ``Task(...)`` line below.
``scratchgen assignment check`` prints the rows that are missing, ready to
paste.

``depends_on`` lists tasks whose solution this task's tests need: when a
dependency fails, the grader reports the task "blocked" instead of "failed".
``order`` breaks ties in the suggested order (a topological order of the
dependencies, smaller ``order`` first).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.markers import (
    TASK_ID_PATTERN,
    SolutionRegion,
    parse_regions,
    task_matches,
)

__all__ = [
    "Task",
    "TASKS",
    "PACKAGE_DIR",
    "discover_markers",
    "check_table",
    "select_tasks",
    "dependency_order",
    "missing_rows",
]

#: The directory of the installed ``scratchgen`` package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Task:
    """One gradable exercise: a task id and what a teacher needs to know about it."""

    id: str
    points: int
    hint: str
    depends_on: tuple[str, ...] = ()
    order: int = 1000

    def __post_init__(self):
        if not TASK_ID_PATTERN.match(self.id):
            raise ValueError(f"Task id {self.id!r} is not of the form <module>.<name>")
        if not isinstance(self.points, int) or self.points < 0:
            raise ValueError(f"Task {self.id}: points must be a non-negative int, got {self.points!r}")
        if isinstance(self.depends_on, str):
            raise TypeError(f"Task {self.id}: depends_on must be a tuple of ids, not a string")


def _table(rows: Iterable[Task]) -> dict[str, Task]:
    table: dict[str, Task] = {}
    for row in rows:
        if row.id in table:
            raise ValueError(f"Task {row.id} appears twice in the TASKS table")
        table[row.id] = row
    return table


# fmt: off
#: id -> Task. One line per task; keep it in sync with the markers in the code.
TASKS: dict[str, Task] = _table([
    # --- autodiff -------------------------------------------------------------
    Task("autodiff.topological_sort", 3, "visit parents before children; iterate, do not recurse", (), 10),
    Task("autodiff.backward_add", 1, "the gradient flows unchanged to both inputs (then unbroadcast)", (), 20),
    Task("autodiff.backward_mul", 2, "use the product rule", (), 21),
    Task("autodiff.backward_sum", 2, "broadcast the incoming gradient back over the summed axes", (), 22),
    Task("autodiff.backward_matmul", 3, "dA = G @ B^T, dB = A^T @ G", (), 23),
    Task("autodiff.backward_getitem", 2, "scatter-add the gradient into zeros of the input's shape", (), 24),
    Task("autodiff.backward_relu", 1, "the gradient passes where the input is positive", (), 25),
    # --- datasets -------------------------------------------------------------
    Task("datasets.read_idx", 2, "magic number, big-endian dimensions, then the raw bytes", (), 900),
])
# fmt: on


def discover_markers(package_dir: str | os.PathLike | None = None) -> dict[str, list[SolutionRegion]]:
    """Scan every ``*.py`` under ``package_dir`` (default: scratchgen) for solution regions.

    Returns task id -> regions (a task may have several regions, e.g. in a
    forward and a backward). Region filenames are relative to the parent of
    ``package_dir``. Raises :class:`MarkerError` on a malformed marker.
    """
    root = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    if not root.is_dir():
        raise ValueError(f"package_dir: {str(root)!r} is not a directory")
    found: dict[str, list[SolutionRegion]] = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "SOLUTION" not in source:
            continue
        name = path.relative_to(root.parent).as_posix()
        for region in parse_regions(source, name):
            found.setdefault(region.task, []).append(region)
    return found


def dependency_order(tasks: Iterable[Task]) -> list[Task]:
    """The tasks in an order where each comes after its dependencies (Kahn's algorithm).

    Dependencies outside ``tasks`` are ignored (their solution stays in
    place). Ties are broken by ``order`` then id. Raises ``ValueError`` on a cycle.
    """
    pending = {t.id: t for t in tasks}
    done: list[Task] = []
    placed: set[str] = set()
    while pending:
        ready = [t for t in pending.values() if all(d in placed or d not in pending for d in t.depends_on)]
        if not ready:
            raise ValueError(f"TASKS: dependency cycle among {sorted(pending)}")
        nxt = min(ready, key=lambda t: (t.order, t.id))
        done.append(nxt)
        placed.add(nxt.id)
        del pending[nxt.id]
    return done


def check_table(
    found: Mapping[str, list[SolutionRegion]],
    table: Mapping[str, Task] | None = None,
) -> list[str]:
    """Problems between the markers ``found`` and the ``table`` (empty list: in sync)."""
    table = TASKS if table is None else table
    problems = []
    for task_id in sorted(set(found) - set(table)):
        where = ", ".join(r.location for r in found[task_id])
        problems.append(f"task {task_id} is marked at {where} but has no row in TASKS")
    for task_id in sorted(set(table) - set(found)):
        problems.append(f"task {task_id} is in TASKS but no BEGIN SOLUTION region has it")
    for task in table.values():
        for dep in task.depends_on:
            if dep not in table:
                problems.append(f"task {task.id} depends on {dep}, which is not in TASKS")
    try:
        dependency_order(table.values())
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def missing_rows(found: Mapping[str, list[SolutionRegion]], table: Mapping[str, Task] | None = None) -> str:
    """``Task(...)`` lines for the marked tasks that have no row yet, ready to paste."""
    table = TASKS if table is None else table
    rows = []
    for task_id in sorted(set(found) - set(table)):
        hint = next((r.hint for r in found[task_id] if r.hint), "TODO: one-line hint")
        rows.append(f"    Task({task_id!r}, 2, {hint!r}, (), 1000),")
    return "\n".join(rows)


def select_tasks(patterns: Iterable[str], table: Mapping[str, Task] | None = None) -> list[Task]:
    """The tasks whose id equals or glob-matches one of ``patterns``, in dependency order.

    ``ValueError`` names a pattern that matches no task.
    """
    table = TASKS if table is None else table
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns)
    if not patterns:
        raise ValueError("tasks: give at least one task id or pattern (e.g. 'autodiff.*' or '*')")
    for pattern in patterns:
        if not any(task_matches(t, [pattern]) for t in table):
            raise ValueError(
                f"tasks: {pattern!r} matches no task; known tasks: {', '.join(sorted(table)) or '(none)'}"
            )
    return dependency_order(t for t in table.values() if task_matches(t.id, patterns))

