"""``scratchgen assignment ...``: make, grade, list and check coursework from the command line.

To plug into a top-level ``scratchgen`` parser::

    from scratchgen.coursework.cli import add_assignment_parser, run_assignment
    add_assignment_parser(subparsers)            # adds "assignment" and its sub-commands
    ...
    if args.command == "assignment":
        return run_assignment(args)   # exit status: 0 ok, 1 check/verify found problems, 2 error

Stand-alone: ``python -m scratchgen.coursework make --tasks 'autodiff.*' --out hw1``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scratchgen.commands.common import positive_float
from scratchgen.coursework.dependencies import check_dependencies, static_dependencies
from scratchgen.coursework.grade import DEFAULT_TIMEOUT, grade
from scratchgen.coursework.make import make_assignment, tagged_test_files
from scratchgen.coursework.verify import format_checks, verify_tasks
from scratchgen.coursework.walk import walk
from scratchgen.coursework.tasks import PACKAGE_DIR, TASKS, check_table, discover_markers, missing_rows, select_tasks

__all__ = ["add_assignment_parser", "run_assignment", "assignment_main"]

#: A task id from the table, for the examples in --help (so they never name a task that does not exist).
_EXAMPLE_TASK = next((t for t in TASKS if not t.startswith("autodiff.")), next(iter(TASKS), "autodiff.*"))
_EXAMPLES = f"""\
examples:
  scratchgen assignment list
  scratchgen assignment make --tasks 'autodiff.*' {_EXAMPLE_TASK} --out hw1
  scratchgen assignment grade hw1
  scratchgen assignment grade student42/ --reference hw1 --json > student42.json
  scratchgen assignment check
  scratchgen assignment verify --tasks '{_EXAMPLE_TASK.split(".")[0]}.*'
  scratchgen assignment walk --tasks '{_EXAMPLE_TASK.split(".")[0]}.*'
"""


def add_assignment_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``assignment`` command (with make/grade/list/check) to an argparse ``subparsers``."""
    parser = subparsers.add_parser(
        "assignment",
        help="make and grade coursework from the library's solution markers",
        description="Turn the library into an assignment (solutions removed) and grade students' work.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="assignment_command", metavar="{list,make,grade,check,verify,walk}",
                                required=True)

    p = sub.add_parser("list", help="list the tasks with points, dependencies and hints")
    p.add_argument("--tasks", nargs="+", default=["*"], metavar="PATTERN", help="ids or globs (default: all)")

    p = sub.add_parser("make", help="write an assignment folder with the selected solutions removed",
                       epilog="example: scratchgen assignment make --tasks 'autodiff.*' --out hw1")
    p.add_argument("--tasks", nargs="+", required=True, metavar="PATTERN",
                   help=f"task ids or glob patterns, e.g. 'autodiff.*' {_EXAMPLE_TASK}")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to create (must not exist or be empty)")
    p.add_argument("--source", metavar="ROOT", default=None,
                   help="scratchgen checkout to copy (default: the one this scratchgen runs from)")

    p = sub.add_parser("grade", help="run the tagged tests in an assignment folder and print the scores",
                       epilog="example: scratchgen assignment grade hw1 --json")
    p.add_argument("dir", metavar="DIR", help="the assignment folder (a student's copy)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--tasks", nargs="+", default=None, metavar="PATTERN",
                   help="grade only these (default: the tasks in DIR/assignment.json)")
    p.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"time limit for each task's tests (default: {DEFAULT_TIMEOUT:g}); "
                        "a task that runs longer scores 0, the others are still graded")
    p.add_argument("--reference", metavar="HANDOUT", default=None,
                   help="the folder that was handed out: take only the task files from DIR, "
                        "tests and everything else from HANDOUT")

    p = sub.add_parser("check", help="check that markers, the TASKS table, tagged tests and dependencies agree "
                                     "(reads the code; fast)")
    p.add_argument("--source", metavar="ROOT", default=None, help="scratchgen checkout to check")

    p = sub.add_parser("verify", help="run each task's tests with and without its solution (slow)",
                       epilog="example: scratchgen assignment verify --tasks 'autodiff.*' --full")
    p.add_argument("--tasks", nargs="+", default=["*"], metavar="PATTERN", help="ids or globs (default: all)")
    p.add_argument("--source", metavar="ROOT", default=None, help="scratchgen checkout to verify")
    p.add_argument("--full", action="store_true",
                   help="run all tagged tests without each task, to find the tasks that depend on it")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.add_argument("--timeout", type=positive_float, default=900.0, metavar="SECONDS", help="per pytest run")

    p = sub.add_parser("walk", help="solve an assignment task by task with the library's solutions, grading "
                                    "after each (slow)",
                       epilog="example: scratchgen assignment walk --tasks 'mcmc.*'")
    p.add_argument("--tasks", nargs="+", default=["*"], metavar="PATTERN", help="ids or globs (default: all)")
    p.add_argument("--source", metavar="ROOT", default=None, help="scratchgen checkout to walk")
    p.add_argument("--full", action="store_true", help="grade every task at every step (quadratic)")
    p.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"per task's tests (default: {DEFAULT_TIMEOUT:g})")
    parser.set_defaults(run=run_assignment)
    return parser


def _list(args) -> int:
    for t in select_tasks(args.tasks):
        deps = f"  after: {', '.join(t.depends_on)}" if t.depends_on else ""
        print(f"{t.id:<36} {t.points:>2} pt{deps}\n    {t.hint}")
    return 0


def _make(args) -> int:
    out = make_assignment(args.tasks, args.out, args.source)
    meta = json.loads((out / "assignment.json").read_text(encoding="utf-8"))
    points = sum(t["points"] for t in meta["tasks"])
    print(f"wrote {out} ({len(meta['tasks'])} tasks, {points} points; see {out / 'ASSIGNMENT.md'})")
    return 0


def _grade(args) -> int:
    report = grade(args.dir, args.tasks, timeout=args.timeout, reference=args.reference)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.format_table())
    return 0


def _check(args) -> int:
    root = Path(args.source) if args.source else PACKAGE_DIR.parent
    found = discover_markers(root / "scratchgen")
    problems = check_table(found)
    tests = tagged_test_files(root / "tests") if (root / "tests").is_dir() else {}
    problems += [f"task {t} has no test tagged @pytest.mark.task({t!r})" for t in sorted(TASKS) if t not in tests]
    problems += [f"{', '.join(files)}: tagged with task {t!r}, which is not in TASKS"
                 for t, files in sorted(tests.items()) if t not in TASKS]
    if (root / "tests").is_dir():
        problems += check_dependencies(static_dependencies(root / "scratchgen", root / "tests"))
    for line in problems:
        print(line)
    rows = missing_rows(found)
    if rows:
        print("\nrows to add to TASKS in scratchgen/coursework/tasks.py:\n" + rows)
    print(f"{len(found)} marked tasks, {len(TASKS)} in TASKS, {len(problems)} problems")
    return 1 if problems else 0


def _verify(args) -> int:
    checks = verify_tasks(args.tasks, args.source, full=args.full, timeout=args.timeout)
    print(json.dumps([c.to_dict() for c in checks], indent=2) if args.json else format_checks(checks))
    return 0 if all(c.ok for c in checks) else 1


def _walk(args) -> int:
    result = walk(args.tasks, args.source, full=args.full, timeout=args.timeout,
                  progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(result.format_table())
    return 1 if result.problems else 0


def run_assignment(args: argparse.Namespace) -> int:
    """Run a parsed ``assignment`` command; errors become one line on stderr and exit status 2."""
    commands = {"list": _list, "make": _make, "grade": _grade, "check": _check, "verify": _verify, "walk": _walk}
    try:
        return commands[args.assignment_command](args)
    except BrokenPipeError:  # e.g. `scratchgen assignment list | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError) as exc:  # MarkerError is a ValueError
        print(f"scratchgen assignment {args.assignment_command}: error: {exc}", file=sys.stderr)
        return 2


def assignment_main(argv: list[str] | None = None) -> int:
    """Entry point for the arguments after ``scratchgen assignment`` (e.g. ``["grade", "hw1"]``).

    The same as ``scratchgen assignment ...``: usage errors are one line with exit status 2.
    """
    from scratchgen.cli import main

    return main(["assignment"] + list(sys.argv[1:] if argv is None else argv))
