"""Which tasks a task's tests need, found by reading the code (no test runs): a fast check of ``depends_on``.

    >>> needs = static_dependencies()                     # doctest: +SKIP
    >>> needs["mcmc.mala_step"]                           # doctest: +SKIP
    {'mcmc.ess': 'tests/mcmc/test_mala.py::test_mala_targets_the_gaussian calls ess'}

A task's *function* is the function that holds its ``BEGIN SOLUTION``
region (``ess`` for ``mcmc.ess``, ``GAN.discriminator_step`` for
``gan.discriminator_step``). Its name identifies the task when no other
function or method in the package has that name (``backward``, ``step`` or
``fit`` do not: those tasks are reached through operators and methods that
only running the tests can follow; ``scratchgen assignment verify --full``
does that).

For every test tagged ``@pytest.mark.task("A")`` the scan collects the names
it uses (``ess(x)``, ``mcmc.ess``, ``self.ess``), also inside the helpers and
fixtures of its test module that it uses, and then, through the package, the
names used by every function it reaches (a call graph by unique names). A
task function of another task ``B`` among them means A's tests need B: ``B``
must be in ``A``'s ``depends_on``, directly or through other tasks
(:func:`check_dependencies`), otherwise the grader would call A "failed"
when only B is missing. A test tagged with both A and B grades both and
does not count.
"""
from __future__ import annotations

import ast
import os
from collections import Counter
from pathlib import Path
from typing import Mapping

from scratchgen.coursework.tasks import PACKAGE_DIR, TASKS, Task, dependency_closure, discover_markers

__all__ = ["static_dependencies", "check_dependencies", "task_functions"]

_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)


def _used_names(node: ast.AST) -> set[str]:
    """Names a function body reads: ``f`` in ``f(x)``, ``g`` in ``m.g``; minus its own locals and arguments."""
    loads, stores = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (loads if isinstance(sub.ctx, ast.Load) else stores).add(sub.id)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load):
            loads.add(sub.attr)
        elif isinstance(sub, ast.arg):
            stores.add(sub.arg)
    return loads - stores


def _definitions(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """(qualified name, node) of every function and method in a module."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCTION):
                found.append((prefix + child.name, child))
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _package_graph(package_dir: Path) -> tuple[dict[str, set[str]], Counter]:
    """name -> names used by the function of that name; and how often each name is defined.

    A name leads somewhere only when it identifies one function: the one
    module-level function of that name (``ess``, even though ``Chains.ess``
    exists too), else the one method of that name. Names shared by many
    methods (``backward``, ``step``, ``fit``) lead nowhere: following all of
    them would make every task need every other.
    """
    top: dict[str, list[set[str]]] = {}
    every: dict[str, list[set[str]]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        for qualname, node in _definitions(ast.parse(path.read_text(encoding="utf-8"))):
            name = qualname.rsplit(".", 1)[-1]
            every.setdefault(name, []).append(_used_names(node))
            if "." not in qualname:
                top.setdefault(name, []).append(every[name][-1])
    graph = {name: b[0] for name, b in every.items() if len(b) == 1}
    graph.update({name: b[0] for name, b in top.items() if len(b) == 1})
    return graph, Counter({name: len(b) for name, b in every.items()})


def task_functions(package_dir: str | os.PathLike | None = None, counts: Counter | None = None) -> dict[str, str]:
    """Function name -> task id, for the task functions whose name is unique in the package."""
    package_dir = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    counts = _package_graph(package_dir)[1] if counts is None else counts
    names: dict[str, set[str]] = {}
    for task, regions in discover_markers(package_dir).items():
        for region in regions:
            tree = ast.parse((package_dir.parent / region.filename).read_text(encoding="utf-8"))
            inner = [(q, n) for q, n in _definitions(tree) if n.lineno < region.begin_line <= n.end_lineno]
            if inner:
                qualname = max(inner, key=lambda qn: qn[1].lineno)[0]
                names.setdefault(qualname.rsplit(".", 1)[-1], set()).add(task)
    return {name: next(iter(tasks)) for name, tasks in names.items() if len(tasks) == 1 and counts[name] == 1}


def _task_marks(node: ast.AST) -> set[str]:
    """Task ids in ``@pytest.mark.task("<id>")`` decorators of a test function."""
    marks = set()
    for dec in getattr(node, "decorator_list", []):
        if (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "task"
                and dec.args and isinstance(dec.args[0], ast.Constant) and isinstance(dec.args[0].value, str)):
            marks.add(dec.args[0].value)
    return marks


def _reach(start: set[str], graph: Mapping[str, set[str]]) -> dict[str, str]:
    """Every name reachable from ``start`` through ``graph``, mapped to the name in ``start`` it came from."""
    origin = {name: name for name in start}
    stack = list(start)
    while stack:
        name = stack.pop()
        for nxt in graph.get(name, ()):
            if nxt not in origin:
                origin[nxt] = origin[name]
                stack.append(nxt)
    return origin


def static_dependencies(
    package_dir: str | os.PathLike | None = None,
    tests_dir: str | os.PathLike | None = None,
) -> dict[str, dict[str, str]]:
    """Task -> {task its tests need: one line of evidence}, read from the tests and the package."""
    package_dir = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    tests_dir = Path(tests_dir) if tests_dir is not None else package_dir.parent / "tests"
    graph, counts = _package_graph(package_dir)
    functions = task_functions(package_dir, counts)
    needs: dict[str, dict[str, str]] = {}
    for path in sorted(tests_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defs = _definitions(tree)
        module_level = {q: _used_names(n) for q, n in defs if "." not in q}  # helpers and fixtures
        for qualname, node in defs:
            tasks = _task_marks(node)
            if not tasks:
                continue
            used = _used_names(node) | {a.arg for a in node.args.args}  # arguments: fixtures by name
            local = _reach(used, module_level)
            reached = _reach(set(local), {n: u for n, u in graph.items() if n not in module_level})
            test = f"{path.relative_to(tests_dir.parent).as_posix()}::{qualname}"
            for name, first in sorted(reached.items()):
                other = functions.get(name)
                if other is None or other in tasks or name in module_level:  # a test's own function of that name
                    continue
                how = f"calls {name}" if first == name else f"calls {first}, which reaches {name}"
                for task in tasks:
                    needs.setdefault(task, {}).setdefault(other, f"{test} {how}")
    return needs


def check_dependencies(
    needs: Mapping[str, Mapping[str, str]],
    table: Mapping[str, Task] | None = None,
) -> list[str]:
    """Problems: a task whose tests need another task it does not declare (directly or through others)."""
    table = TASKS if table is None else table
    problems = []
    for task in sorted(needs):
        if task not in table:
            continue
        declared = dependency_closure(task, table)
        for dep, evidence in sorted(needs[task].items()):
            if dep not in declared:
                problems.append(f"task {task} does not declare depends_on {dep!r}: {evidence}")
    return problems
