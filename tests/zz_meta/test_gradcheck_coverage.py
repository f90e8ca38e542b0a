"""Meta-test: every Function in scratchgen went through a passing gradcheck.

``scratchgen.testing.gradcheck`` records the Function classes in each graph
it checks. This test runs last (see conftest.py) and lists the Functions
that no check covered, first order for all, second order for the autodiff
primitives. It only judges a full run: with a subset of the suite selected,
it is skipped.
"""
import importlib
import pkgutil

import pytest

import scratchgen
from scratchgen.autodiff import Function
from scratchgen.testing.gradcheck import CHECKED_FUNCTIONS


def all_function_classes():
    for info in pkgutil.walk_packages(scratchgen.__path__, "scratchgen."):
        if ".cli" in info.name or "__main__" in info.name:
            continue
        importlib.import_module(info.name)
    found, stack = set(), list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("scratchgen.") and cls not in found:
            found.add(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_every_function_has_a_gradient_check(request):
    if not getattr(request.config, "scratchgen_full_run", False):
        pytest.skip("coverage is judged on a full run of tests/ only")
    functions = all_function_classes()
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in functions
                     if c not in CHECKED_FUNCTIONS[1])
    assert not missing, f"Functions without a first-order gradcheck: {missing}"
    primitives = {c for c in functions if c.__module__.startswith("scratchgen.autodiff")}
    missing2 = sorted(c.__qualname__ for c in primitives if c not in CHECKED_FUNCTIONS[2])
    assert not missing2, f"autodiff primitives without a gradgradcheck: {missing2}"
