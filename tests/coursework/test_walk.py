"""The walk: solve an assignment task by task in its order and grade after each (toy project; one real pair)."""
import os

import pytest

from scratchgen.coursework import WalkResult, WalkStep, walk
from scratchgen.coursework.tasks import PACKAGE_DIR

ROOT = PACKAGE_DIR.parent
IN_ASSIGNMENT = (ROOT / "assignment.json").is_file()


def test_walk_rises_task_by_task_to_full_marks(toy_project, toy_table):
    result = walk(["toy.*"], toy_project, package="toypkg", table=toy_table)
    assert (result.handout_score, result.max_total) == (0, 5)
    assert [(s.task, s.status, s.next_task, s.next_status, s.score) for s in result.steps] == [
        ("toy.add", "passed", "toy.double", "failed", 2),  # failed, not blocked: toy.add is done
        ("toy.double", "passed", None, None, 5),
    ]
    assert result.handout_passing == {"toy.add": 0, "toy.double": 0}
    assert result.final_score == 5 and result.problems == []


def test_walk_problems_name_each_way_the_order_breaks():
    steps = [WalkStep("m.a", 1, "passed", "m.b", "passed", 1),   # m.b earns points for free
             WalkStep("m.b", 2, "failed", "m.c", "blocked", 1),  # m.b fails with its solution; m.c waits on a later task
             WalkStep("m.c", 1, "passed", None, None, 2)]
    result = WalkResult(4, 1, {}, steps, final_score=3, handout_passing={"m.a": 0, "m.b": 2})
    assert result.problems == [
        "the handout scores 1, not 0",
        "2 of m.b's tests pass in the handout: they do not grade it",
        "m.b passes before its solution is written back",
        "m.b is failed with its solution written back",
        "m.c is blocked although every task before it is done",
        "the finished assignment scores 3/4",
    ]
    assert "PROBLEM: m.b passes before its solution is written back" in result.format_table()


@pytest.mark.slow
@pytest.mark.skipif(IN_ASSIGNMENT or not (ROOT / "tests").is_dir(), reason="needs the scratchgen checkout")
@pytest.mark.skipif(not os.environ.get("SCRATCHGEN_COURSEWORK_WALK"),
                    reason="six pytest children of the real library (~20 s of CPU): set SCRATCHGEN_COURSEWORK_WALK=1")
def test_walk_of_a_real_pair_of_dependent_tasks():
    # text.add_k builds on text.ngram_counts (the walks over the library's task groups are
    # `scratchgen assignment walk`, minutes; their results are in docs/teachers_guide.md)
    result = walk(["text.ngram_counts", "text.add_k"])
    assert [(s.task, s.status, s.next_status) for s in result.steps] == [
        ("text.ngram_counts", "passed", "failed"), ("text.add_k", "passed", None)]
    assert (result.handout_score, result.final_score, result.max_total) == (0, 4, 4)
