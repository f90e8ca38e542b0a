"""The coursework tooling on the real scratchgen tree (no pytest subprocess: fast).

Strict on purpose: every marked task has a row in TASKS and every row a
marker, every task has tagged tests, and every region strips to valid
Python. ``scratchgen assignment check`` prints what to fix.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scratchgen.coursework import TASKS, Task, check_table, discover_markers, make_assignment, strip_solutions
from scratchgen.coursework.dependencies import check_dependencies, static_dependencies
from scratchgen.coursework.make import tagged_test_files
from scratchgen.coursework.tasks import PACKAGE_DIR

ROOT = PACKAGE_DIR.parent
HAS_TESTS = (ROOT / "tests").is_dir()  # false when scratchgen is installed without its checkout
# in a made assignment the removed tasks have no markers left: the sync checks do not apply there
IN_ASSIGNMENT = (ROOT / "assignment.json").is_file()
pytestmark = pytest.mark.skipif(IN_ASSIGNMENT, reason="inside a made assignment (solutions removed)")


@pytest.fixture(scope="module")
def found():
    return discover_markers(PACKAGE_DIR)


def test_tasks_table_matches_the_markers_in_the_package(found):
    assert check_table(found) == [], "run `python -m scratchgen.coursework check` for the rows to add"


@pytest.mark.skipif(not HAS_TESTS, reason="needs the scratchgen checkout's tests/")
def test_every_task_has_tagged_tests():
    tagged = tagged_test_files(ROOT / "tests")
    assert sorted(t for t in TASKS if t not in tagged) == []
    unknown = {t: files for t, files in tagged.items() if t not in TASKS}
    assert unknown == {}, "tests tagged with a task id that is not in TASKS (a typo?)"


@pytest.mark.skipif(not HAS_TESTS, reason="needs the scratchgen checkout's tests/")
def test_every_dependency_the_tests_show_is_declared():
    # read from the code: a task's tests that call another task's function need that task
    # (`scratchgen assignment verify --full` finds the rest by running the tests)
    assert check_dependencies(static_dependencies(PACKAGE_DIR, ROOT / "tests")) == []


def test_every_helper_a_solution_calls_is_named_in_its_docstring_or_hint():
    # the student sees the signature, the docstring and the hint: not the rest of the library
    from scratchgen.coursework.handout_checks import undocumented_helpers

    assert undocumented_helpers(PACKAGE_DIR) == []


def test_each_file_strips_to_valid_python_without_its_regions(found):
    files = sorted({r.filename for regions in found.values() for r in regions})
    assert files, "no solution markers found in the package"
    for name in files:
        source = (PACKAGE_DIR.parent / name).read_text(encoding="utf-8")
        stripped = strip_solutions(source, ["*"], hints={t.id: t.hint for t in TASKS.values()}, filename=name)
        compile(stripped, name, "exec")
        assert "BEGIN SOLUTION" not in stripped
        for task in {r.task for regions in found.values() for r in regions if r.filename == name}:
            assert f"Task {task}: " in stripped


@pytest.mark.skipif(not HAS_TESTS, reason="needs the scratchgen checkout's tests/")
def test_assignment_with_every_task_removes_all_regions_and_still_imports(found, tmp_path):
    # independent of the table being in sync (the first test checks that)
    table = {t: TASKS.get(t) or Task(t, 1, "a hint") for t in found}
    out = make_assignment(["*"], tmp_path / "hw", ROOT, table=table)
    assert discover_markers(out / "scratchgen") == {}
    md = (out / "ASSIGNMENT.md").read_text()
    for task in found:
        assert f"`{task}`" in md
    # the stripped package still imports: no region runs at import time
    env = dict(os.environ, PYTHONPATH=str(out), PYTHONDONTWRITEBYTECODE="1")
    code = "import scratchgen, sys; print(scratchgen.__file__)"
    run = subprocess.run([sys.executable, "-c", code], cwd=out, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()).resolve() == (out / "scratchgen" / "__init__.py").resolve()
