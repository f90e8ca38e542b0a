"""Make an assignment: copy the library, remove the selected solutions, write ASSIGNMENT.md.

    >>> from scratchgen.coursework import make_assignment
    >>> make_assignment(["autodiff.*"], "hw1")          # doctest: +SKIP

The assignment folder holds the package with each selected region replaced
by ``raise NotImplementedError("Task <id>: <hint>")``, the tests, the
lectures, the packaging files, ``ASSIGNMENT.md`` (what to do, in order, with
points and hints) and ``assignment.json`` (the same for the grader). The
folder is built next to ``out_dir`` and renamed into place at the end, so a
failure never leaves a half-made assignment.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.markers import parse_regions, strip_solutions, task_matches
from scratchgen.coursework.tasks import PACKAGE_DIR, TASKS, Task, dependency_closure, dependency_order, select_tasks

__all__ = ["make_assignment", "tagged_test_files", "COPIED", "ASSIGNMENT_JSON"]

#: What is copied from the source root (the first entry is replaced by ``package``); missing ones are skipped.
#: ``data/`` holds files the library loads at run time (e.g. the digits classifier's weights).
COPIED = ("scratchgen", "tests", "lectures", "data", "setup.cfg", "pyproject.toml", "README.md")
ASSIGNMENT_JSON = "assignment.json"
_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "*.egg-info", "*.nbi", "*.nbc", "runs", "figures"
)
_TAG = re.compile(r"""mark\.task\(\s*["']([^"']+)["']\s*\)""")


def tagged_test_files(tests_dir: str | os.PathLike) -> dict[str, list[str]]:
    """Task id -> test files (relative to the parent of ``tests_dir``) that carry ``mark.task("<id>")``.

    A plain text scan: fast, and it never imports the tests.
    """
    tests_dir = Path(tests_dir)
    found: dict[str, list[str]] = {}
    for path in sorted(tests_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        name = path.relative_to(tests_dir.parent).as_posix()
        for task_id in sorted(set(_TAG.findall(path.read_text(encoding="utf-8")))):
            found.setdefault(task_id, []).append(name)
    return found


def _enclosing_function(source: str, line: int) -> str | None:
    """Qualified name (``Mul.backward``) of the innermost function around ``line``."""
    best: tuple[int, str] | None = None

    def visit(node: ast.AST, prefix: str) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if child.lineno <= line <= child.end_lineno:
                    if not isinstance(child, ast.ClassDef) and (best is None or child.lineno >= best[0]):
                        best = (child.lineno, name)
                    visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return best[1] if best else None


def _resolve_source_root(source_root, package: str) -> Path:
    root = Path(source_root) if source_root is not None else PACKAGE_DIR.parent
    for needed in (package, "tests"):
        if not (root / needed).is_dir():
            raise ValueError(
                f"source_root: {str(root)!r} has no {needed}/ folder; pass the root of a scratchgen "
                "checkout (the folder with scratchgen/ and tests/)"
            )
    return root


def _check_out_dir(out_dir: Path, root: Path, package: str) -> None:
    """Refuse a non-empty ``out_dir``, and one inside a folder that is copied into it.

    ``--out SRC/tests/hw`` would copy ``tests/`` into itself, level after level.
    """
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ValueError(f"out_dir: {str(out_dir)!r} already exists and is not an empty folder")
    target = out_dir.resolve()
    for name in (package,) + COPIED[1:]:
        copied = (root / name).resolve()
        if target == copied or copied in target.parents:
            raise ValueError(
                f"out_dir: {str(out_dir)!r} is inside {str(root / name)!r}, which is copied into the "
                f"assignment; choose a folder outside it (e.g. next to {str(root)!r})"
            )


def _copy_tree(root: Path, dest: Path, package: str) -> None:
    for name in (package,) + COPIED[1:]:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=_IGNORE)
        elif src.is_file():
            shutil.copy2(src, dest / name)


def _strip_package(pkg_dir: Path, tasks: list[Task]) -> dict[str, list[dict]]:
    """Strip the selected regions in place; return task id -> [{"file", "function", "hint"}, ...]."""
    ids = [t.id for t in tasks]
    hints = {t.id: t.hint for t in tasks}
    where: dict[str, list[dict]] = {}
    for path in sorted(pkg_dir.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "SOLUTION" not in source:
            continue
        name = path.relative_to(pkg_dir.parent).as_posix()
        regions = [r for r in parse_regions(source, name) if task_matches(r.task, ids)]
        if not regions:
            continue
        for region in regions:
            func = _enclosing_function(source, region.begin_line + 1)
            where.setdefault(region.task, []).append({"file": name, "function": func, "hint": region.hint})
        path.write_text(strip_solutions(source, ids, hints=hints, filename=name), encoding="utf-8")
    missing = [t for t in ids if t not in where]
    if missing:
        raise ValueError(f"tasks {missing} are in the table but have no BEGIN SOLUTION region in {pkg_dir}")
    return where


def _assignment_markdown(
    tasks: list[Task], where: Mapping[str, list[dict]], tests: Mapping[str, list[str]],
    table: Mapping[str, Task] | None = None,
) -> str:
    total = sum(t.points for t in tasks)
    lines = [
        "# Assignment",
        "",
        f"{len(tasks)} tasks, {total} points. Do them in this order: a task comes after the tasks it",
        "builds on. Each task is a `raise NotImplementedError(\"Task <id>: ...\")` in the code; replace",
        "it with your implementation (the docstring above it says what the function computes).",
        "",
        "Set up once: `python -m pip install -e \".[dev]\"`. Run the graded tests: `python -m pytest -m task`;",
        "the tests of one task: `python -m pytest <its test file>`. See your score as the teacher",
        "will: `python -m scratchgen.coursework grade .`",
        "",
        "| # | task | points | depends on |",
        "|---|------|--------|------------|",
    ]
    lookup = {**(TASKS if table is None else table), **{t.id: t for t in tasks}}
    # only the dependencies the student has to write (also those reached through tasks handed out working)
    own_deps = {t.id: [d for d in dependency_order(tasks, lookup) if d.id in dependency_closure(t.id, lookup)]
                for t in tasks}
    for i, t in enumerate(tasks, 1):
        deps = ", ".join(d.id for d in own_deps[t.id]) or "-"
        lines.append(f"| {i} | `{t.id}` | {t.points} | {deps} |")
    for i, t in enumerate(tasks, 1):
        lines += ["", f"## {i}. `{t.id}` ({t.points} points)", "", f"Hint: {t.hint}", ""]
        for w in where.get(t.id, []):
            extra = f" (hint: {w['hint']})" if w["hint"] and w["hint"] != t.hint else ""
            lines.append(f"- where: `{w['file']}`, `{w['function']}`{extra}")
        lines += [f"- tests: `{f}`" for f in tests.get(t.id, [])]
        if own_deps[t.id]:
            lines.append(f"- builds on: {', '.join(f'`{d.id}`' for d in own_deps[t.id])}")
    return "\n".join(lines) + "\n"


def _assignment_json(tasks: list[Task], package: str, where: Mapping[str, list[dict]]) -> str:
    files = sorted({w["file"] for ws in where.values() for w in ws})
    rows = [
        {"id": t.id, "points": t.points, "hint": t.hint, "depends_on": list(t.depends_on),
         "order": t.order, "where": where.get(t.id, [])}
        for t in tasks
    ]
    meta = {"format": 1, "package": package, "files": files, "tasks": rows}
    return json.dumps(meta, indent=2) + "\n"


def make_assignment(
    tasks: Iterable[str],
    out_dir: str | os.PathLike,
    source_root: str | os.PathLike | None = None,
    *,
    package: str = "scratchgen",
    table: Mapping[str, Task] | None = None,
) -> Path:
    """Write an assignment with the solutions of ``tasks`` removed; return its folder.

    ``tasks``: task ids or glob patterns (``"autodiff.*"``, ``"*"``), looked
    up in ``table`` (default :data:`TASKS`). ``source_root``: the folder that
    holds ``<package>/`` and ``tests/`` (default: the checkout this scratchgen
    was installed from). ``out_dir`` must not exist or be empty.
    """
    selected = select_tasks(tasks, table)
    out_dir = Path(out_dir)
    root = _resolve_source_root(source_root, package)
    _check_out_dir(out_dir, root, package)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        _copy_tree(root, build, package)
        where = _strip_package(build / package, selected)
        tests = tagged_test_files(build / "tests")
        (build / "ASSIGNMENT.md").write_text(_assignment_markdown(selected, where, tests, table), encoding="utf-8")
        (build / ASSIGNMENT_JSON).write_text(_assignment_json(selected, package, where), encoding="utf-8")
        os.chmod(build, 0o755)  # mkdtemp makes it private; the assignment is to be handed out
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.replace(build, out_dir)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return out_dir
