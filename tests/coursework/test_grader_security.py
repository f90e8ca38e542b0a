"""The grader against a hostile submission (issue 13, section 1), on the toy project of conftest.py.

Each attack sits in the submission's task file (what ``--reference`` takes
from a student), next to a correct ``add`` (toy.add, 2 points): the grade
must be what the submission earns, and one task's hang or exit must cost
that task only. Each grade starts one pytest child per task (about half a
second each).
"""
import hashlib
import hmac
import json

import pytest

from scratchgen.coursework import grade, make_assignment
from scratchgen.coursework.runner import ChildRun, _accept

ADD = "def negate(x):\n    return -x\n\n\ndef add(a, b):\n    return a + b\n"

# the attack: overwrite the report file the grader used to trust, at exit, with exit status 0;
# and, for the new channel, write well-formed but unsigned lines to every file descriptor the child may hold
FORGER = '''
import atexit, json, os

def _forge():
    passed = {"outcome": "passed", "needs": []}
    tests = {"tests/test_0_double_first.py::test_double_first": dict(passed, tasks=["toy.double"]),
             "tests/test_arith.py::test_add": dict(passed, tasks=["toy.add"]),
             "tests/test_arith.py::test_add_negative": dict(passed, tasks=["toy.add"]),
             "tests/test_arith.py::test_double": dict(passed, tasks=["toy.double"])}
    path = os.environ.get("SCRATCHGEN_GRADE_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump({"tests": tests, "collection_errors": [], "exitstatus": 0}, f)
    lines = [json.dumps({"event": "test", "nodeid": n, "outcome": "passed", "needs": [], "seq": s}) + " " + "0" * 64
             for s in range(12) for n in tests]
    for fd in range(3, 64):
        try:
            os.write(fd, ("\\n".join(lines) + "\\n").encode())
        except OSError:
            pass
    os._exit(0)

atexit.register(_forge)


def add(a, b):
    raise NotImplementedError("Task toy.add: not done")


def double(x):
    raise NotImplementedError("Task toy.double: not done")


def negate(x):
    return -x
'''


# collected before tests/test_arith.py: in one shared pytest session, stopping here would cancel toy.add's tests
DOUBLE_FIRST = """\
import pytest

from toypkg.arith import double


@TASK("toy.double")
def test_double_first():
    assert double(1) == 2
""".replace("@TASK", "@pytest.mark.task")


@pytest.fixture
def handout(toy_project, tmp_path, toy_table):
    (toy_project / "tests" / "test_0_double_first.py").write_text(DOUBLE_FIRST)
    return make_assignment(["toy.*"], tmp_path / "handout", toy_project, package="toypkg", table=toy_table)


def _submit(handout, tmp_path, arith_source):
    student = tmp_path / "student"
    (student / "toypkg").mkdir(parents=True)
    (student / "toypkg" / "arith.py").write_text(arith_source)
    return student


def _statuses(report):
    return [(r.id, r.status, r.points) for r in report.results]


def test_a_forged_report_scores_nothing(handout, tmp_path, toy_table):
    report = grade(_submit(handout, tmp_path, FORGER), reference=handout, table=toy_table)
    assert _statuses(report) == [("toy.add", "failed", 0), ("toy.double", "blocked", 0)]
    assert report.total == 0
    assert "forged result lines ignored" in report.results[0].note


@pytest.mark.parametrize("stop", [
    "import os; os._exit(0)",
    "import pytest; pytest.exit('bye', returncode=0)",
    "raise KeyboardInterrupt",
])
def test_a_task_that_stops_the_test_run_costs_only_that_task(stop, handout, tmp_path, toy_table):
    source = ADD + f"\n\ndef double(x):\n    {stop}\n"
    report = grade(_submit(handout, tmp_path, source), reference=handout, table=toy_table)
    assert _statuses(report) == [("toy.add", "passed", 2), ("toy.double", "failed", 0)]
    assert report.total == 2


def test_a_task_that_hangs_times_out_alone(handout, tmp_path, toy_table):
    source = ADD + "\n\ndef double(x):\n    while True:\n        pass\n"
    report = grade(_submit(handout, tmp_path, source), reference=handout, table=toy_table, timeout=4)
    assert _statuses(report) == [("toy.add", "passed", 2), ("toy.double", "timeout", 0)]
    assert "time limit" in report.results[1].note and "time limit" in report.format_table()


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_grade_refuses_a_timeout_that_is_not_a_positive_number(timeout, handout):
    with pytest.raises(ValueError, match="timeout must be a finite number > 0"):
        grade(handout, timeout=timeout)


def test_channel_accepts_only_lines_signed_with_the_key_in_sequence():
    key = b"k" * 32

    def line(seq, key=key, **fields):
        body = json.dumps(dict(fields, event="collected", nodeid="t::x", tasks=["m.a"], seq=seq)).encode()
        return body + b" " + hmac.new(key, body, hashlib.sha256).hexdigest().encode()

    run = ChildRun()
    assert _accept(run, key, line(0), 0) and "t::x" in run.tests
    assert not _accept(run, key, line(0), 1)  # replayed
    assert not _accept(run, key, line(1, key=b"x" * 32), 1)  # another key
    assert not _accept(run, key, line(1)[:-1] + (b"1" if line(1).endswith(b"0") else b"0"), 1)  # tampered signature
    assert not _accept(run, key, b"garbage", 1)
    assert _accept(run, key, line(1), 1)
