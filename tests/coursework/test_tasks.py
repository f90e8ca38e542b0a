"""The TASKS table machinery: selection, dependency order, checks against markers."""
import pytest

from scratchgen.coursework import Task, check_table, dependency_order, discover_markers, select_tasks

TABLE = {
    t.id: t
    for t in [
        Task("autodiff.backward_mul", 2, "product rule", (), 20),
        Task("autodiff.topological_sort", 3, "iterate", (), 10),
        Task("nn.linear", 3, "x W^T + b", ("autodiff.backward_mul",), 1),
        Task("gan.step", 4, "k steps", ("nn.linear",), 5),
    ]
}


def test_select_by_id_and_glob_in_dependency_order():
    assert [t.id for t in select_tasks(["autodiff.*"], TABLE)] == ["autodiff.topological_sort", "autodiff.backward_mul"]
    # nn.linear has the smallest order but must come after its dependency
    assert [t.id for t in select_tasks(["*"], TABLE)] == [
        "autodiff.topological_sort", "autodiff.backward_mul", "nn.linear", "gan.step"]
    # a dependency that is not selected stays a given and does not constrain the order
    assert [t.id for t in select_tasks(["gan.step", "nn.linear"], TABLE)] == ["nn.linear", "gan.step"]
    assert [t.id for t in select_tasks("gan.step", TABLE)] == ["gan.step"]
    # gan.step needs autodiff.backward_mul through nn.linear, which is handed out: still after it
    assert [t.id for t in select_tasks(["gan.step", "autodiff.backward_mul"], TABLE)] == [
        "autodiff.backward_mul", "gan.step"]


def test_select_unknown_pattern_names_it():
    with pytest.raises(ValueError, match=r"'mcmc\.\*' matches no task"):
        select_tasks(["autodiff.*", "mcmc.*"], TABLE)
    with pytest.raises(ValueError, match="at least one"):
        select_tasks([], TABLE)


def test_dependency_cycle_is_reported():
    a = Task("m.a", 1, "", ("m.b",))
    b = Task("m.b", 1, "", ("m.a",))
    with pytest.raises(ValueError, match="cycle"):
        dependency_order([a, b])


def test_task_validation():
    with pytest.raises(ValueError, match="<module>.<name>"):
        Task("nodot", 1, "")
    with pytest.raises(ValueError, match="points"):
        Task("m.a", -1, "")
    with pytest.raises(TypeError, match="depends_on"):
        Task("m.a", 1, "", "m.b")


def test_check_table_reports_both_directions_and_bad_dependencies(toy_project, toy_table):
    found = discover_markers(toy_project / "toypkg")
    assert sorted(found) == ["toy.add", "toy.double"]
    assert [r.location for r in found["toy.add"]] == ["toypkg/arith.py:6"]
    assert check_table(found, toy_table) == []
    table = dict(toy_table)
    del table["toy.add"]
    table["toy.extra"] = Task("toy.extra", 1, "", ("toy.missing",))
    problems = check_table(found, table)
    assert problems == [
        "task toy.add is marked at toypkg/arith.py:6 but has no row in TASKS",
        "task toy.extra is in TASKS but no BEGIN SOLUTION region has it",
        "task toy.double depends on toy.add, which is not in TASKS",
        "task toy.extra depends on toy.missing, which is not in TASKS",
    ]


def test_discover_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="package_dir"):
        discover_markers(tmp_path / "nope")


def test_dependency_closure_follows_chains_and_ends_at_unknown_ids():
    from scratchgen.coursework.tasks import dependency_closure

    assert dependency_closure("gan.step", TABLE) == {"nn.linear", "autodiff.backward_mul"}
    assert dependency_closure("autodiff.topological_sort", TABLE) == set()
    table = dict(TABLE, x=Task("m.x", 1, "", ("m.unknown",)))
    assert dependency_closure("x", {"x": table["x"]}) == {"m.unknown"}
