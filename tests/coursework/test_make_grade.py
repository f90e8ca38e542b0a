"""Making and grading an assignment end to end, on the toy project of conftest.py.

The grader runs pytest in a subprocess (about half a second per run).
"""
import json
import shutil
import os
import subprocess
import sys

import pytest

from scratchgen.coursework import discover_markers, grade, make_assignment
from scratchgen.coursework.grade import GradeReport, _score, _test_paths, assignment_tasks
from scratchgen.coursework.runner import ChildRun
from scratchgen.coursework.tasks import Task
from scratchgen.coursework.verify import format_checks, verify_tasks


def _make(toy_project, tmp_path, patterns, toy_table, name="hw"):
    return make_assignment(patterns, tmp_path / name, toy_project, package="toypkg", table=toy_table)


def test_make_copies_project_and_removes_every_selected_region(toy_project, tmp_path, toy_table):
    out = _make(toy_project, tmp_path, ["toy.*"], toy_table)
    for name in ["toypkg/__init__.py", "tests/test_arith.py", "lectures/lecture.py", "setup.cfg",
                 "pyproject.toml", "README.md", "ASSIGNMENT.md", "assignment.json"]:
        assert (out / name).is_file(), name
    assert discover_markers(out / "toypkg") == {}
    arith = (out / "toypkg" / "arith.py").read_text()
    compile(arith, "arith.py", "exec")
    assert "return a + b" not in arith and "return add(x, y)" not in arith
    assert "raise NotImplementedError('Task toy.add: use the + operator')" in arith  # marker hint wins
    assert "raise NotImplementedError('Task toy.double: call add')" in arith  # table hint
    assert '"""Return a + b."""' in arith and "def double(x):" in arith and "    y = x\n" in arith
    assert (out / "tests" / "test_arith.py").read_text() == (toy_project / "tests" / "test_arith.py").read_text()
    # nothing left over from the build next to the assignment
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw", "toy"]

    meta = json.loads((out / "assignment.json").read_text())
    assert [(t["id"], t["points"], t["depends_on"]) for t in meta["tasks"]] == [
        ("toy.add", 2, []), ("toy.double", 3, ["toy.add"])]
    md = (out / "ASSIGNMENT.md").read_text()
    assert "2 tasks, 5 points" in md
    assert md.index("## 1. `toy.add` (2 points)") < md.index("## 2. `toy.double` (3 points)")
    assert "- where: `toypkg/arith.py`, `double`\n" in md
    assert "- where: `toypkg/arith.py`, `add` (hint: use the + operator)" in md
    assert meta["files"] == ["toypkg/arith.py"]
    assert "- tests: `tests/test_arith.py`" in md
    assert "Hint: call add" in md


def test_make_refuses_a_non_empty_out_dir_and_unknown_tasks(toy_project, tmp_path, toy_table):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(ValueError, match="out_dir"):
        _make(toy_project, tmp_path, ["toy.*"], toy_table, name="full")
    with pytest.raises(ValueError, match="'toy.nope' matches no task"):
        _make(toy_project, tmp_path, ["toy.nope"], toy_table, name="new")
    with pytest.raises(ValueError, match="source_root"):
        make_assignment(["toy.*"], tmp_path / "new", tmp_path / "toy" / "tests", package="toypkg", table=toy_table)
    assert not (tmp_path / "new").exists()
    # an output inside a folder that is copied into it (it would copy itself, level after level)
    for inside in (toy_project / "tests" / "hw", toy_project / "toypkg" / "hw", toy_project / "lectures" / "a" / "b"):
        with pytest.raises(ValueError, match="is inside"):
            make_assignment(["toy.*"], inside, toy_project, package="toypkg", table=toy_table)
    assert not (toy_project / "tests" / "hw").exists() and not (toy_project / "lectures" / "a").exists()
    # next to the copied folders, inside the checkout, is fine (`make --out hw1` from the checkout root)
    assert _make(toy_project, toy_project, ["toy.add"], toy_table, name="hw1").is_dir()


def test_removed_task_fails_untouched_task_passes(toy_project, tmp_path, toy_table):
    out = _make(toy_project, tmp_path, ["toy.double"], toy_table)
    assert [t.id for t in assignment_tasks(out)] == ["toy.double"]  # what grade(out) grades by default
    report = grade(out, ["toy.*"], table=toy_table)
    assert [(r.id, r.status, r.passed, r.failed, r.points, r.max_points) for r in report.results] == [
        ("toy.add", "passed", 2, 0, 2, 2),  # toy.add was not selected: its solution is still there
        ("toy.double", "failed", 0, 1, 0, 3),
    ]
    # the whole suite, untagged tests included: only the removed task's test fails
    env = dict(os.environ, PYTHONPATH=str(out))
    run = subprocess.run([sys.executable, "-m", "pytest"], cwd=out, capture_output=True, text=True, env=env)
    assert "1 failed, 3 passed" in run.stdout, run.stdout + run.stderr


def test_grade_all_removed_then_restored(toy_project, tmp_path, toy_table, toy_arith_source):
    out = _make(toy_project, tmp_path, ["toy.*"], toy_table)
    report = grade(out)
    assert [(r.id, r.status, r.passed, r.failed, r.points, r.blocked_by) for r in report.results] == [
        ("toy.add", "failed", 0, 2, 0, []),
        ("toy.double", "blocked", 0, 1, 0, ["toy.add"]),  # its dependency failed
    ]
    assert (report.total, report.max_total) == (0, 5)
    assert report.format_table().splitlines() == [
        "task        status      tests   points",
        "toy.add     failed        0/2      0/2",
        "toy.double  blocked       0/1      0/3  (needs toy.add)",
        "total                              0/5",
    ]

    # a student who did toy.add only: toy.double is now failed, not blocked
    arith = out / "toypkg" / "arith.py"
    arith.write_text(arith.read_text().replace(
        "raise NotImplementedError('Task toy.add: use the + operator')", "return a + b"))
    report = grade(out)
    assert [(r.id, r.status, r.points) for r in report.results] == [("toy.add", "passed", 2), ("toy.double", "failed", 0)]

    # putting the original file back makes every task pass
    arith.write_text(toy_arith_source)
    report = grade(out)
    assert [(r.id, r.status, r.passed, r.failed, r.points) for r in report.results] == [
        ("toy.add", "passed", 2, 0, 2), ("toy.double", "passed", 1, 0, 3)]
    assert (report.total, report.max_total) == (5, 5)


def test_grade_survives_a_package_that_does_not_import(toy_project, tmp_path, toy_table):
    out = _make(toy_project, tmp_path, ["toy.*"], toy_table)
    (out / "toypkg" / "arith.py").write_text("def add(a, b:\n")  # a student's syntax error
    report = grade(out)
    assert [(r.id, r.status, r.points) for r in report.results] == [("toy.add", "error", 0), ("toy.double", "blocked", 0)]
    assert len(report.collection_errors) == 1 and "test_arith.py" in report.collection_errors[0]["nodeid"]
    assert "could not import tests/test_arith.py" in report.format_table()


def _runs(tasks, tests, **kw):
    """Each task's run reports the tests given (as the per-task child would, for the tests carrying it)."""
    return {t.id: ChildRun(tests={n: dict(e, needs=e.get("needs", [])) for n, e in tests.items()
                                  if t.id in e["tasks"]}, started=True, finished=True, **kw) for t in tasks}


def test_score_counts_outcomes_and_handles_tasks_without_tests():
    tasks = [Task("m.a", 1, ""), Task("m.b", 2, "", ("m.a",)), Task("m.c", 3, "")]
    tests = {
        "t::1": {"tasks": ["m.a"], "outcome": "passed"},
        "t::2": {"tasks": ["m.a", "m.b"], "outcome": "skipped"},
        "t::3": {"tasks": ["m.b"], "outcome": "not run"},  # counted as a failure
        "t::4": {"tasks": ["other.x"], "outcome": "failed"},  # not graded here
    }
    results = _score(tasks, _runs(tasks, tests))
    assert [(r.id, r.status, r.points, r.passed, r.failed, r.skipped) for r in results] == [
        ("m.a", "passed", 1, 1, 0, 1), ("m.b", "failed", 0, 0, 1, 1), ("m.c", "no tests", 0, 0, 0, 0)]


def test_grade_rejects_a_folder_without_tests(tmp_path):
    with pytest.raises(ValueError, match="no tests/ folder"):
        grade(tmp_path)
    (tmp_path / "tests").mkdir()
    with pytest.raises(ValueError, match="assignment.json"):
        grade(tmp_path)


def test_grade_with_reference_ignores_edited_tests(toy_project, tmp_path, toy_table, toy_arith_source):
    handout = _make(toy_project, tmp_path, ["toy.*"], toy_table, name="handout")
    student = tmp_path / "student"
    shutil.copytree(handout, student)
    # the student solves toy.add only, and "fixes" the test of toy.double to always pass
    (student / "toypkg" / "arith.py").write_text((handout / "toypkg" / "arith.py").read_text().replace(
        "raise NotImplementedError('Task toy.add: use the + operator')", "return a + b"))
    tests = student / "tests" / "test_arith.py"
    tests.write_text(tests.read_text().replace("assert double(4) == 8", "assert True"))
    assert [(r.id, r.status) for r in grade(student).results] == [("toy.add", "passed"), ("toy.double", "passed")]
    report = grade(student, reference=handout)
    assert [(r.id, r.status) for r in report.results] == [("toy.add", "passed"), ("toy.double", "failed")]
    assert tests.read_text().count("assert True") == 1  # the submission itself is not modified


def test_only_removed_tasks_block_and_blocking_goes_through_handed_out_tasks():
    tasks = [Task("m.a", 1, ""), Task("m.b", 2, "", ("m.a",))]
    tests = {"t::1": {"tasks": ["m.a"], "outcome": "failed"}, "t::2": {"tasks": ["m.b"], "outcome": "failed"}}
    assert [r.status for r in _score(tasks, _runs(tasks, tests), removed={"m.a", "m.b"})] == ["failed", "blocked"]
    # m.a was handed out with its solution: m.b's failure is m.b's own
    assert [r.status for r in _score(tasks, _runs(tasks, tests), removed={"m.b"})] == ["failed", "failed"]
    # m.c needs m.a through m.b, which was handed out (not graded): still blocked by m.a
    table = {"m.a": tasks[0], "m.b": tasks[1], "m.c": Task("m.c", 1, "", ("m.b",))}
    graded = [table["m.a"], table["m.c"]]
    tests = {"t::1": {"tasks": ["m.a"], "outcome": "failed"}, "t::3": {"tasks": ["m.c"], "outcome": "failed"}}
    results = _score(graded, _runs(graded, tests), removed={"m.a", "m.c"}, table=table)
    assert [(r.id, r.status, r.blocked_by) for r in results] == [("m.a", "failed", []), ("m.c", "blocked", ["m.a"])]


def test_a_failure_raising_another_tasks_not_implemented_error_is_blocked_by_it():
    # no declared dependency: the NotImplementedError in the failure is the evidence
    tasks = [Task("m.a", 1, ""), Task("m.b", 2, "")]
    tests = {"t::1": {"tasks": ["m.a"], "outcome": "failed"},
             "t::2": {"tasks": ["m.b"], "outcome": "failed", "needs": ["m.a"]}}
    results = _score(tasks, _runs(tasks, tests), removed={"m.a", "m.b"})
    assert [(r.id, r.status, r.blocked_by) for r in results] == [("m.a", "failed", []), ("m.b", "blocked", ["m.a"])]
    assert "(needs m.a)" in GradeReport(results).format_table()


def test_verify_finds_tests_that_do_not_grade_their_task(toy_project, toy_table):
    checks = verify_tasks(["toy.*"], toy_project, package="toypkg", table=toy_table, full=True)
    assert [(c.id, c.n_tests, c.failing_with_solution, c.failing_without_solution, c.affects, c.ok)
            for c in checks] == [
        ("toy.add", 2, [], 2, ["toy.double"], True),  # double() calls add(): its test needs toy.add
        ("toy.double", 1, [], 1, [], True),
    ]
    tests = toy_project / "tests" / "test_arith.py"
    tests.write_text(tests.read_text().replace("assert double(4) == 8", "assert True"))
    (check,) = verify_tasks(["toy.double"], toy_project, package="toypkg", table=toy_table)
    assert not check.ok and "do not grade it" in check.problem
    assert "PROBLEM: its tests all pass without the solution" in format_checks([check])


def test_grade_collects_only_the_files_that_tag_the_tasks(toy_project, toy_table):
    (toy_project / "tests" / "test_other.py").write_text("def test_x():\n    assert False\n")
    assert _test_paths(toy_project, [toy_table["toy.add"]]) == ["tests/test_arith.py"]
    # a task that the text scan cannot find: collect everything rather than miss its tests
    assert _test_paths(toy_project, [toy_table["toy.add"], Task("toy.hidden", 1, "")]) == ["tests"]


def test_assignment_lists_only_dependencies_the_student_writes(toy_project, tmp_path, toy_table):
    md = (_make(toy_project, tmp_path, ["toy.double"], toy_table) / "ASSIGNMENT.md").read_text()
    assert "| 1 | `toy.double` | 3 | - |" in md  # toy.add is handed out working
    assert "- builds on" not in md
    md = (_make(toy_project, tmp_path, ["toy.*"], toy_table, name="hw2") / "ASSIGNMENT.md").read_text()
    assert "| 2 | `toy.double` | 3 | toy.add |" in md and "- builds on: `toy.add`" in md


def test_static_scan_finds_a_test_that_calls_another_tasks_function(toy_project, toy_table):
    from scratchgen.coursework.dependencies import check_dependencies, static_dependencies

    needs = static_dependencies(toy_project / "toypkg", toy_project / "tests")
    # double's test calls double(), whose code (outside its region, given to the student) calls add()
    assert needs == {"toy.double": {"toy.add": "tests/test_arith.py::test_double calls double, which reaches add"}}
    assert check_dependencies(needs, toy_table) == []  # declared
    undeclared = dict(toy_table, **{"toy.double": Task("toy.double", 3, "call add")})
    assert check_dependencies(needs, undeclared) == [
        "task toy.double does not declare depends_on 'toy.add': "
        "tests/test_arith.py::test_double calls double, which reaches add"]


def test_an_undeclared_dependency_is_still_blocked_by_its_not_implemented_error(toy_project, tmp_path):
    # toy.double's row forgets toy.add; the failure of double(4) shows "NotImplementedError: Task toy.add: ..."
    table = {"toy.add": Task("toy.add", 2, "add"), "toy.double": Task("toy.double", 3, "call add")}
    out = make_assignment(["toy.*"], tmp_path / "hw", toy_project, package="toypkg", table=table)
    arith = out / "toypkg" / "arith.py"
    arith.write_text(arith.read_text().replace("raise NotImplementedError('Task toy.double: call add')",
                                               "return add(x, y)"))  # double done, add not
    report = grade(out, table=table)
    assert [(r.id, r.status, r.blocked_by) for r in report.results] == [
        ("toy.add", "failed", []), ("toy.double", "blocked", ["toy.add"])]
