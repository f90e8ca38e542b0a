"""Checks that a handout is fair to the student: what the solution uses is named where the student looks.

    >>> undocumented_helpers()          # doctest: +SKIP
    ['mcmc.acceptance_step: mh_step calls proposal.propose, ... not named in its docstring or hint']

The student sees a task function's signature and docstring, the task's hint
and the ``raise`` that replaced the region. A helper that the solution calls
(``proposal.log_hastings(x, x_new)``, ``unbroadcast``, ``self.sample_noise``)
but that none of those names is one the student has to discover by reading
the rest of the library. Calls of NumPy (``np.``, ``math.``), of the library's op
namespaces (``sg.``, ``AF.``), builtins, and array/Tensor/list/dict methods
(``x.reshape``, ``stack.pop``) need no mention.
"""
from __future__ import annotations

import ast
import builtins
import os
from pathlib import Path

import numpy as np

from scratchgen.autodiff import Tensor
from scratchgen.coursework.tasks import PACKAGE_DIR, TASKS, discover_markers

__all__ = ["undocumented_helpers"]

#: Methods of arrays, Tensors, strings and the built-in containers: common knowledge, not helpers to name.
_COMMON_METHODS = frozenset().union(*(dir(t) for t in (np.ndarray, Tensor, str, list, dict, set)))
#: NumPy, math and the library's own op namespaces (``sg.sqrt``, ``AF.log_softmax``), and the Tensor class.
_COMMON_MODULES = ("np", "numpy", "math", "sg", "AF")
_COMMON_NAMES = frozenset(dir(builtins)) | {"Tensor", "tensor"}


def _helper_name(call: ast.Call) -> str | None:
    """The name of a called helper worth naming, or None for NumPy, builtins and container methods."""
    func = call.func
    if isinstance(func, ast.Name):
        return None if func.id in _COMMON_NAMES else func.id
    if isinstance(func, ast.Attribute):
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in _COMMON_MODULES:  # ", ".join(...), np.linalg.svd
            return None
        if func.attr in _COMMON_METHODS:
            return None
        return ast.unparse(func)
    return None


def undocumented_helpers(package_dir: str | os.PathLike | None = None) -> list[str]:
    """One line per task region whose solution calls helpers its docstring and hint do not name."""
    package_dir = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    problems = []
    for task, regions in sorted(discover_markers(package_dir).items()):
        for region in regions:
            tree = ast.parse((package_dir.parent / region.filename).read_text(encoding="utf-8"))
            funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.lineno < region.begin_line <= n.end_lineno]
            func = max(funcs, key=lambda n: n.lineno)
            row = TASKS.get(task)
            told = " ".join([ast.get_docstring(func) or "", region.hint or "", row.hint if row else ""])
            inside = set(range(region.begin_line + 1, region.end_line)) - set(region.given_lines)
            missing = sorted({
                name for node in ast.walk(func)
                if isinstance(node, ast.Call) and node.lineno in inside
                for name in [_helper_name(node)] if name and name.rsplit(".", 1)[-1] not in told
            })
            if missing:
                problems.append(f"{task}: {func.name} ({region.location}) calls {', '.join(missing)}, "
                                "not named in its docstring or hint")
    return problems
