"""Solution markers: find the regions a teacher can remove, and remove them.

A *solution region* is the teachable core of a function, wrapped in two
comment lines::

    def backward(ctx, grad):
        '''d(a*b)/da = b, d(a*b)/db = a.'''
        # BEGIN SOLUTION task=autodiff.backward_mul hint="use the product rule"
        # BEGIN GIVEN
        a, b = ctx.saved_tensors
        # END GIVEN
        return grad * b, grad * a
        # END SOLUTION

Rules (checked by :func:`parse_regions`, errors name ``file:line``):

* ``task=<module>.<name>`` is required; ``hint="..."`` is optional (double
  quotes, backslash escapes as in Python). No other attributes.
* The region's indentation is the indentation of its BEGIN line; every
  statement inside starts at that indentation or deeper, and the first one
  exactly at it: the region is a complete block of statements.
* Regions do not nest, each BEGIN has its END, and every region lies inside
  a function body (so that removing it never breaks ``import``).
* ``# BEGIN GIVEN`` / ``# END GIVEN`` inside a region marks lines that the
  student receives: :func:`strip_solutions` keeps them (in order, at their
  place before the ``raise``) and drops everything else in the region. Use
  them for set-up that is not the point of the exercise (unpacking saved
  tensors, shapes). Put givens before the code the student writes.

Only real comment lines count (found with :mod:`tokenize`), so examples in
docstrings like the one above are never taken for markers.

:func:`strip_solutions` replaces each selected region by::

    <givens>
    raise NotImplementedError("Task <id>: <hint> (define x, y: the lines after this one use them)")

where ``x, y`` are the names the region binds that the rest of the
function reads (:func:`names_used_after`; the parenthesis is left out when
there are none), so that the code after the region never uses a name the
student has to guess.

at the region's indentation, then checks with :func:`compile` that the
result is valid Python. A function's signature and docstring sit outside
its region and are kept.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Iterable, Mapping

__all__ = [
    "MarkerError",
    "SolutionRegion",
    "parse_regions",
    "strip_solutions",
    "task_matches",
    "names_used_after",
    "TASK_ID_PATTERN",
]

#: A task id: ``<module>.<name>``, dotted Python identifiers, at least two parts.
TASK_ID_PATTERN = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")

_BEGIN = re.compile(r"^#\s*BEGIN SOLUTION\b(?P<attrs>.*)$")
_END = re.compile(r"^#\s*END SOLUTION\s*$")
_BEGIN_GIVEN = re.compile(r"^#\s*BEGIN GIVEN\s*$")
_END_GIVEN = re.compile(r"^#\s*END GIVEN\s*$")
# key=value where value is a double-quoted string (with escapes) or a bare word
_ATTR = re.compile(r'\s*(?P<key>\w+)=(?P<value>"(?:[^"\\]|\\.)*"|[^\s"]+)')

DEFAULT_HINT = "implement this part"


class MarkerError(ValueError):
    """A malformed solution marker; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class SolutionRegion:
    """One ``BEGIN SOLUTION`` ... ``END SOLUTION`` region of a source file.

    Line numbers are 1-based and include the marker lines themselves:
    ``begin_line`` is the BEGIN comment, ``end_line`` the END comment.
    ``given_lines`` are the line numbers (inside the region) kept by
    :func:`strip_solutions`.
    """

    task: str
    hint: str | None
    begin_line: int
    end_line: int
    indent: str
    filename: str = "<string>"
    given_lines: tuple[int, ...] = field(default=())

    @property
    def location(self) -> str:
        return f"{self.filename}:{self.begin_line}"


def task_matches(task_id: str, patterns: Iterable[str]) -> bool:
    """True when ``task_id`` equals or glob-matches one of ``patterns`` (``autodiff.*``)."""
    return any(fnmatchcase(task_id, p) for p in patterns)


def _comment_lines(source: str, filename: str) -> dict[int, str]:
    """Map line number -> comment text, for lines that hold only a comment."""
    lines = source.split("\n")  # the physical lines tokenize counts (splitlines also splits at \f, ...)
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                if lines[row - 1][:col].strip() == "":
                    comments[row] = tok.string.strip()
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise MarkerError(f"{filename}: cannot tokenize the source: {exc}") from exc
    return comments


def _statement_starts(source: str) -> dict[int, int]:
    """Map line number -> column, for lines where a Python statement begins."""
    starts: dict[int, int] = {}
    at_start = True
    skip = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NEWLINE:
            at_start = True
        elif tok.type in skip or tok.type == tokenize.ENDMARKER:
            continue
        elif at_start:
            starts[tok.start[0]] = tok.start[1]
            at_start = False
    return starts


def _parse_attrs(text: str, where: str) -> tuple[str, str | None]:
    attrs: dict[str, str] = {}
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _ATTR.match(text, pos)
        if m is None:
            raise MarkerError(
                f"{where}: cannot read marker attributes {text[pos:].strip()!r}; "
                'expected task=<module>.<name> [hint="..."]'
            )
        key, value = m.group("key"), m.group("value")
        if key not in ("task", "hint"):
            raise MarkerError(f"{where}: unknown marker attribute {key!r}; expected task= and optional hint=")
        if key in attrs:
            raise MarkerError(f"{where}: attribute {key!r} given twice")
        if value.startswith('"'):
            value = ast.literal_eval(value)
        attrs[key] = value
        pos = m.end()
    if "task" not in attrs:
        raise MarkerError(f"{where}: BEGIN SOLUTION without task=<module>.<name>")
    if not TASK_ID_PATTERN.match(attrs["task"]):
        raise MarkerError(
            f"{where}: task id {attrs['task']!r} is not of the form <module>.<name> (dotted identifiers)"
        )
    return attrs["task"], attrs.get("hint")


def parse_regions(source: str, filename: str = "<string>") -> list[SolutionRegion]:
    """All solution regions of ``source`` in file order.

    Raises :class:`MarkerError` (a ``ValueError``) with ``filename:line`` on a
    nested region, an unclosed region, an END without BEGIN, a malformed
    BEGIN line, a region without code, a statement indented less than its
    region, or a region that is not inside a function body.
    """
    comments = _comment_lines(source, filename)
    lines = source.split("\n")  # the physical lines tokenize counts (splitlines also splits at \f, ...)
    regions: list[SolutionRegion] = []
    open_begin: tuple[int, str, str, str | None] | None = None  # line, indent, task, hint
    given_open: int | None = None
    givens: list[int] = []
    for row in sorted(comments):
        text = comments[row]
        where = f"{filename}:{row}"
        if _BEGIN.match(text):
            if open_begin is not None:
                raise MarkerError(
                    f"{where}: nested BEGIN SOLUTION inside the region opened at {filename}:{open_begin[0]}"
                )
            task, hint = _parse_attrs(_BEGIN.match(text).group("attrs"), where)
            indent = lines[row - 1][: len(lines[row - 1]) - len(lines[row - 1].lstrip())]
            open_begin, givens = (row, indent, task, hint), []
        elif _END.match(text):
            if open_begin is None:
                raise MarkerError(f"{where}: END SOLUTION without a BEGIN SOLUTION before it")
            if given_open is not None:
                raise MarkerError(f"{filename}:{given_open}: BEGIN GIVEN is not closed before END SOLUTION")
            begin, indent, task, hint = open_begin
            regions.append(SolutionRegion(task, hint, begin, row, indent, filename, tuple(givens)))
            open_begin = None
        elif _BEGIN_GIVEN.match(text):
            if open_begin is None:
                raise MarkerError(f"{where}: BEGIN GIVEN outside a solution region")
            if given_open is not None:
                raise MarkerError(f"{where}: nested BEGIN GIVEN (one is open since line {given_open})")
            given_open = row
        elif _END_GIVEN.match(text):
            if given_open is None:
                raise MarkerError(f"{where}: END GIVEN without a BEGIN GIVEN before it")
            givens.extend(range(given_open + 1, row))
            given_open = None
    if open_begin is not None:
        raise MarkerError(f"{filename}:{open_begin[0]}: BEGIN SOLUTION task={open_begin[2]} is never closed")
    if regions:
        _check_blocks(source, regions)
    return regions


def _check_blocks(source: str, regions: list[SolutionRegion]) -> None:
    """Each region is a block of statements at its indentation, inside a function."""
    starts = _statement_starts(source)
    spans = []  # (region, first statement line, last statement line)
    for region in regions:
        where = region.location
        inside = [r for r in sorted(starts) if region.begin_line < r < region.end_line]
        if not inside:
            raise MarkerError(f"{where}: region task={region.task} contains no code")
        first = inside[0]
        if starts[first] != len(region.indent):
            raise MarkerError(
                f"{region.filename}:{first}: first statement of task={region.task} is at column "
                f"{starts[first]}, expected column {len(region.indent)} (the BEGIN line's indentation)"
            )
        for r in inside:
            if starts[r] < len(region.indent):
                raise MarkerError(
                    f"{region.filename}:{r}: statement indented less than its region "
                    f"task={region.task} opened at {where}"
                )
        spans.append((region, first, inside[-1]))
    _check_inside_functions(source, spans)


def _check_inside_functions(source: str, spans: list[tuple[SolutionRegion, int, int]]) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        name = spans[0][0].filename
        raise MarkerError(f"{name}:{exc.lineno}: source is not valid Python: {exc.msg}") from exc
    bodies = []  # (first body line, last line) of every function
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bodies.append((node.body[0].lineno, node.end_lineno))
    for region, first, last in spans:
        if not any(lo <= first and last <= hi for lo, hi in bodies):
            raise MarkerError(
                f"{region.location}: region task={region.task} is not inside a function body; "
                "removing it would break importing the module"
            )


def _dotted(node: ast.AST) -> str | None:
    """``x`` for a Name, ``self.x_`` for an attribute of a Name; else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def names_used_after(source: str, region: SolutionRegion) -> list[str]:
    """Names the region binds that the rest of its function reads, in the order they are read.

    Those are the names a student must define (``grad_a``, ``self.components_``);
    the raise that replaces the region lists them. Names bound before the
    region, by the function's arguments or by the given lines are visible
    already and are not listed.
    """
    tree = ast.parse(source)
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and n.lineno < region.begin_line and region.end_line <= n.end_lineno]
    if not funcs:
        return []
    func = max(funcs, key=lambda n: n.lineno)
    known = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
    bound: set[str] = set()
    used: list[str] = []
    for node in ast.walk(func):
        name = _dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if name is None:
            continue
        line, store = node.lineno, not isinstance(node.ctx, ast.Load)
        if store and (line < region.begin_line or line in region.given_lines):
            known.add(name)
        elif store and line < region.end_line:
            bound.add(name)
        elif not store and line > region.end_line:
            used.append((line, node.col_offset, name))
    order = [n for _, _, n in sorted(used)]
    return [n for i, n in enumerate(order) if n in bound and n not in known and n not in order[:i]]


def _replacement(region: SolutionRegion, lines: list[str], hint: str, needed: list[str]) -> list[str]:
    kept = [lines[r - 1] for r in region.given_lines]
    message = f"Task {region.task}: {hint}"
    if needed:
        message += f" (define {', '.join(needed)}: the lines after this one use {'it' if len(needed) == 1 else 'them'})"
    return kept + [f"{region.indent}raise NotImplementedError({message!r})"]


def strip_solutions(
    source: str,
    task_ids: Iterable[str],
    *,
    hints: Mapping[str, str] | None = None,
    filename: str = "<string>",
) -> str:
    """Return ``source`` with the regions of the selected tasks replaced.

    ``task_ids`` are task ids or glob patterns (``"autodiff.*"``). Each
    selected region becomes its given lines followed by
    ``raise NotImplementedError("Task <id>: <hint>")`` at the region's
    indentation. The hint is the marker's ``hint=``, else ``hints[id]``
    (e.g. from the TASKS table), else a generic one. Regions of other tasks
    are left untouched, markers included. The result is compiled to check
    that it is valid Python (:class:`MarkerError` if not).
    """
    if isinstance(task_ids, str):
        raise TypeError("task_ids must be a list of task ids or patterns, not a single string")
    patterns = list(task_ids)
    regions = [r for r in parse_regions(source, filename) if task_matches(r.task, patterns)]
    if not regions:
        return source
    lines = source.split("\n")  # the physical lines tokenize counts (splitlines also splits at \f, ...)
    out: list[str] = []
    nxt = 1
    for region in regions:
        out.extend(lines[nxt - 1 : region.begin_line - 1])
        hint = region.hint or (hints or {}).get(region.task) or DEFAULT_HINT
        out.extend(_replacement(region, lines, hint, names_used_after(source, region)))
        nxt = region.end_line + 1
    out.extend(lines[nxt - 1 :])
    result = "\n".join(out)  # split("\n") kept a final "" for a trailing newline: round-trips
    try:
        compile(result, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise MarkerError(
            f"{filename}:{exc.lineno}: stripping tasks {sorted({r.task for r in regions})} "
            f"gives invalid Python: {exc.msg}"
        ) from exc
    return result
