"""scratchgen.coursework: turn the library into assignments and grade them.

* :mod:`~scratchgen.coursework.markers`: find ``# BEGIN SOLUTION task=<id>`` /
  ``# END SOLUTION`` regions and replace them by ``raise NotImplementedError``.
* :mod:`~scratchgen.coursework.tasks`: the ``TASKS`` table (points, hints,
  dependencies), discovery of the markers in the package, selection by glob.
* :mod:`~scratchgen.coursework.make`: ``make_assignment`` writes the folder
  handed to students, with ``ASSIGNMENT.md``.
* :mod:`~scratchgen.coursework.grade`: ``grade`` runs the tagged tests and
  scores each task (passed / failed / blocked).
* :mod:`~scratchgen.coursework.verify`: ``verify_tasks`` checks that each task's
  tests pass with its solution and fail without it.
* :mod:`~scratchgen.coursework.runner`: one pytest child, its outcome read on a signed private channel.
* :mod:`~scratchgen.coursework.dependencies`: which tasks a task's tests need, read from the code.
* :mod:`~scratchgen.coursework.walk`: ``walk`` solves an assignment task by task, grading after each.
* :mod:`~scratchgen.coursework.cli`: ``scratchgen assignment make|grade|list|check|verify|walk``.

See docs/teachers_guide.md.
"""
from scratchgen.coursework.cli import add_assignment_parser, assignment_main, run_assignment
from scratchgen.coursework.grade import GradeReport, TaskResult, grade
from scratchgen.coursework.make import make_assignment, tagged_test_files
from scratchgen.coursework.markers import MarkerError, SolutionRegion, parse_regions, strip_solutions
from scratchgen.coursework.verify import TaskCheck, verify_tasks
from scratchgen.coursework.walk import WalkResult, WalkStep, walk
from scratchgen.coursework.dependencies import check_dependencies, static_dependencies
from scratchgen.coursework.tasks import (
    TASKS,
    Task,
    check_table,
    dependency_order,
    discover_markers,
    select_tasks,
)

__all__ = [
    "MarkerError",
    "SolutionRegion",
    "parse_regions",
    "strip_solutions",
    "Task",
    "TASKS",
    "discover_markers",
    "check_table",
    "select_tasks",
    "dependency_order",
    "make_assignment",
    "tagged_test_files",
    "grade",
    "GradeReport",
    "TaskResult",
    "verify_tasks",
    "TaskCheck",
    "walk",
    "WalkResult",
    "WalkStep",
    "static_dependencies",
    "check_dependencies",
    "add_assignment_parser",
    "run_assignment",
    "assignment_main",
]
