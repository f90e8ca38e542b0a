"""A toy project with two marked tasks, used to test making and grading assignments.

``toypkg/arith.py`` has task ``toy.add`` (2 points) and ``toy.double``
(3 points, depends on ``toy.add``: ``double`` calls ``add``); the tests are
tagged with those ids, and one untagged test covers code that is no task.
"""
import textwrap

import pytest

from scratchgen.coursework import Task

ARITH = textwrap.dedent('''\
    """Toy arithmetic."""


    def add(a, b):
        """Return a + b."""
        # BEGIN SOLUTION task=toy.add hint="use the + operator"
        return a + b
        # END SOLUTION


    def double(x):
        """Return 2 x, computed with add."""
        # BEGIN SOLUTION task=toy.double
        # BEGIN GIVEN
        y = x
        # END GIVEN
        return add(x, y)
        # END SOLUTION


    def negate(x):
        """-x: not a task."""
        return -x
''')

TESTS = textwrap.dedent('''\
    import pytest

    from toypkg.arith import add, double, negate


    @TASK("toy.add")
    def test_add():
        assert add(2, 3) == 5


    @TASK("toy.add")
    def test_add_negative():
        assert add(-1, 1) == 0


    @TASK("toy.double")
    def test_double():
        assert double(4) == 8


    def test_negate():
        assert negate(1) == -1
''').replace("@TASK", "@pytest.mark.task")  # spelled out only here, so the library's tag scan skips this file

SETUP_CFG = textwrap.dedent('''\
    [metadata]
    name = toypkg

    [tool:pytest]
    testpaths = tests
    addopts = -q --import-mode=importlib -p no:cacheprovider
    markers =
        task(id): the coursework task that this test grades
''')

TOY_TABLE = {
    "toy.add": Task("toy.add", 2, "add two numbers", (), 1),
    "toy.double": Task("toy.double", 3, "call add", ("toy.add",), 2),
}


@pytest.fixture
def toy_project(tmp_path, monkeypatch):
    # the toy tests need no pytest plugins: skipping their autoload makes each graded run faster
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    root = tmp_path / "toy"
    (root / "toypkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "lectures").mkdir()
    (root / "toypkg" / "__init__.py").write_text("")
    (root / "toypkg" / "arith.py").write_text(ARITH)
    (root / "tests" / "test_arith.py").write_text(TESTS)
    (root / "lectures" / "lecture.py").write_text("# %% a lecture cell\n")
    (root / "setup.cfg").write_text(SETUP_CFG)
    (root / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\n')
    (root / "README.md").write_text("# toy\n")
    return root


@pytest.fixture
def toy_table():
    return dict(TOY_TABLE)


@pytest.fixture
def toy_arith_source():
    return ARITH
