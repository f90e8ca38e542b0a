"""``scratchgen assignment ...`` through assignment_main (in process)."""
import argparse
import json

import pytest

from scratchgen.coursework import TASKS, add_assignment_parser, assignment_main, run_assignment


def test_list_prints_tasks_with_points(capsys):
    assert assignment_main(["list", "--tasks", "autodiff.*"]) == 0
    out = capsys.readouterr().out
    for t in TASKS.values():
        if t.id.startswith("autodiff."):
            assert t.id in out and t.hint in out
    assert "datasets." not in out


def test_errors_are_one_line_on_stderr_with_status_2(capsys, tmp_path):
    assert assignment_main(["list", "--tasks", "nope.*"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scratchgen assignment list: error: tasks: 'nope.*' matches no task")
    assert len(err.strip().splitlines()) == 1
    assert assignment_main(["grade", str(tmp_path / "missing")]) == 2
    assert "no tests/ folder" in capsys.readouterr().err
    assert assignment_main(["make", "--out", str(tmp_path / "x")]) == 2  # --tasks is required
    err = capsys.readouterr().err
    assert "--tasks" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_grade_refuses_a_timeout_that_is_not_a_positive_number(value, capsys, tmp_path):
    assert assignment_main(["grade", str(tmp_path), "--timeout", value]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--timeout" in err and repr(value) in err, err


def test_make_refuses_an_out_dir_inside_a_copied_folder_before_copying(tmp_path, capsys):
    from scratchgen.coursework.tasks import PACKAGE_DIR

    root = PACKAGE_DIR.parent
    if not (root / "tests").is_dir():
        pytest.skip("needs the scratchgen checkout's tests/")
    out = root / "tests" / "hw-must-not-exist"
    assert not out.exists()
    assert assignment_main(["make", "--tasks", "*", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "is inside" in err and "tests" in err, err
    assert not out.exists() and not list(out.parent.glob(".hw-must-not-exist.*"))


def test_help_examples_name_tasks_that_exist(capsys):
    import re

    from scratchgen.coursework.markers import task_matches

    for argv in (["make", "--help"], ["--help"]):
        assert assignment_main(argv) == 0
        text = capsys.readouterr().out
        words = set(re.findall(r"'?\b([a-z_]+\.[a-z_*]+)'?", text))
        ids = {w for w in words if w.split(".")[0] in {t.split(".")[0] for t in TASKS}}
        assert ids, text
        for pattern in ids:
            assert any(task_matches(t, [pattern]) for t in TASKS), f"{pattern} in {argv}"


def test_parser_plugs_into_a_top_level_cli():
    parser = argparse.ArgumentParser(prog="scratchgen")
    sub = parser.add_subparsers(dest="command", required=True)
    add_assignment_parser(sub)
    args = parser.parse_args(["assignment", "make", "--tasks", "autodiff.*", "mcmc.*", "--out", "hw1"])
    assert (args.command, args.assignment_command, args.tasks, args.out) == (
        "assignment", "make", ["autodiff.*", "mcmc.*"], "hw1")
    assert args.run is run_assignment
    args = parser.parse_args(["assignment", "grade", "hw1", "--json"])
    assert (args.dir, args.json, args.tasks) == ("hw1", True, None)


def test_make_and_grade_json_on_the_toy_project(toy_project, tmp_path, toy_table, capsys, monkeypatch):
    # the CLI uses the library's TASKS table: swap in the toy table for this test
    monkeypatch.setattr("scratchgen.coursework.tasks.TASKS", toy_table)
    monkeypatch.setattr("scratchgen.coursework.cli.TASKS", toy_table)
    import scratchgen.coursework.make as make_mod

    real = make_mod.make_assignment
    monkeypatch.setattr("scratchgen.coursework.cli.make_assignment",
                        lambda tasks, out, source: real(tasks, out, source, package="toypkg", table=toy_table))
    out = tmp_path / "hw"
    assert assignment_main(["make", "--tasks", "toy.*", "--out", str(out), "--source", str(toy_project)]) == 0
    assert "2 tasks, 5 points" in capsys.readouterr().out
    assert assignment_main(["grade", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["total"], report["max_total"]) == (0, 5)
    assert [(t["id"], t["status"]) for t in report["tasks"]] == [("toy.add", "failed"), ("toy.double", "blocked")]
