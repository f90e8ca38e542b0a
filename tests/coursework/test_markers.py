"""Parsing and stripping solution regions (scratchgen.coursework.markers)."""
import textwrap

import pytest

from scratchgen.coursework import MarkerError, parse_regions, strip_solutions

SOURCE = textwrap.dedent('''\
    class Mul:
        @staticmethod
        def backward(ctx, grad):
            """d(a*b)/da = b.

            Example in a docstring is not a marker:
            # BEGIN SOLUTION task=fake.task
            """
            # BEGIN SOLUTION task=autodiff.backward_mul hint="use the \\"product\\" rule"
            # BEGIN GIVEN
            a, b = ctx
            # END GIVEN
            if a is None:
                return None
            return grad * b, grad * a
            # END SOLUTION


    def total(x):
        """Sum of x."""
        s = 0
        # BEGIN SOLUTION task=other.total
        for v in x:
            s = (s +
        v)
        # END SOLUTION
        return s
''')


def test_parse_finds_regions_with_lines_indent_hint_and_givens():
    regions = parse_regions(SOURCE, "ops.py")
    assert [r.task for r in regions] == ["autodiff.backward_mul", "other.total"]
    mul, tot = regions
    assert (mul.begin_line, mul.end_line, mul.indent) == (9, 16, " " * 8)
    assert mul.hint == 'use the "product" rule'
    assert mul.given_lines == (11,)
    assert (tot.begin_line, tot.end_line, tot.indent, tot.hint) == (22, 26, "    ", None)
    assert mul.location == "ops.py:9"


def test_strip_replaces_selected_region_keeps_signature_docstring_givens():
    out = strip_solutions(SOURCE, ["autodiff.backward_mul"], filename="ops.py")
    expected = SOURCE.splitlines()[:8] + [
        "        a, b = ctx",
        """        raise NotImplementedError('Task autodiff.backward_mul: use the "product" rule')""",
    ] + SOURCE.splitlines()[16:]
    assert out.splitlines() == expected
    assert "grad * b" not in out
    assert "# BEGIN SOLUTION task=other.total" in out  # other task untouched
    namespace = {}
    exec(compile(out, "ops.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match=r"Task autodiff.backward_mul: use the \"product\" rule"):
        namespace["Mul"].backward((1, 2), 3)
    assert namespace["total"]([1, 2, 3]) == 6


def test_strip_by_glob_and_hint_fallbacks():
    out = strip_solutions(SOURCE, ["*"], hints={"other.total": "loop and add"})
    assert "BEGIN SOLUTION task=autodiff" not in out and "BEGIN SOLUTION task=other" not in out
    assert "raise NotImplementedError('Task other.total: loop and add')" in out
    out = strip_solutions(SOURCE, ["other.*"])
    assert "raise NotImplementedError('Task other.total: implement this part')" in out
    assert strip_solutions(SOURCE, ["nothing.here"]) == SOURCE


def test_strip_result_compiles_and_has_no_leftover_region_lines():
    out = strip_solutions(SOURCE, ["other.total"])
    compile(out, "x.py", "exec")
    assert "for v in x" not in out and "        v)" not in out
    assert len(out.splitlines()) == len(SOURCE.splitlines()) - 4  # 5 region lines -> 1 raise


def test_strip_rejects_a_single_string():
    with pytest.raises(TypeError, match="task_ids"):
        strip_solutions(SOURCE, "other.total")


BAD = {
    "nested": ("def f():\n    # BEGIN SOLUTION task=a.b\n    # BEGIN SOLUTION task=a.c\n"
               "    x = 1\n    # END SOLUTION\n", r"bad\.py:3: nested BEGIN SOLUTION .* bad\.py:2"),
    "unclosed": ("def f():\n    # BEGIN SOLUTION task=a.b\n    x = 1\n", r"bad\.py:2: .*never closed"),
    "stray end": ("def f():\n    x = 1\n    # END SOLUTION\n", r"bad\.py:3: END SOLUTION without"),
    "no task": ("def f():\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n", r"bad\.py:2: .*without task="),
    "bad id": ("def f():\n    # BEGIN SOLUTION task=ab\n    x = 1\n    # END SOLUTION\n", r"bad\.py:2: task id 'ab'"),
    "unknown attr": ("def f():\n    # BEGIN SOLUTION task=a.b points=3\n    x = 1\n    # END SOLUTION\n",
                     r"bad\.py:2: unknown marker attribute 'points'"),
    "empty": ("def f():\n    x = 1\n    # BEGIN SOLUTION task=a.b\n    # END SOLUTION\n", r"bad\.py:3: .*no code"),
    "indent mismatch": ("def f():\n        # BEGIN SOLUTION task=a.b\n    x = 1\n    # END SOLUTION\n",
                        r"bad\.py:3: first statement .* column 4, expected column 8"),
    "dedent inside": ("def f():\n    if True:\n        # BEGIN SOLUTION task=a.b\n        x = 1\n"
                      "    y = 2\n    # END SOLUTION\n", r"bad\.py:5: statement indented less"),
    "module level": ("# BEGIN SOLUTION task=a.b\nX = 1\n# END SOLUTION\n", r"bad\.py:1: .*not inside a function"),
    "class body": ("class C:\n    # BEGIN SOLUTION task=a.b\n    X = 1\n    # END SOLUTION\n",
                   r"bad\.py:2: .*not inside a function"),
    "given outside": ("def f():\n    # BEGIN GIVEN\n    x = 1\n    # END GIVEN\n", r"bad\.py:2: BEGIN GIVEN outside"),
    "given unclosed": ("def f():\n    # BEGIN SOLUTION task=a.b\n    # BEGIN GIVEN\n    x = 1\n    # END SOLUTION\n",
                       r"bad\.py:3: BEGIN GIVEN is not closed"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_markers_raise_with_file_and_line(name):
    source, message = BAD[name]
    with pytest.raises(MarkerError, match=message):
        parse_regions(source, "bad.py")
    assert issubclass(MarkerError, ValueError)


def test_markers_in_strings_and_trailing_comments_are_ignored():
    source = 'def f():\n    s = "# BEGIN SOLUTION task=a.b"\n    return s  # END SOLUTION\n'
    assert parse_regions(source) == []


def test_form_feed_and_untouched_text_round_trip():
    # a form feed is a line break for str.splitlines but not for Python's tokenizer
    source = "def f():\n    x = '\x0c'\n    # BEGIN SOLUTION task=a.b\n    return x\n    # END SOLUTION\n\x0c\ndef g():\n    return 1\n"
    (region,) = parse_regions(source)
    assert (region.begin_line, region.end_line) == (3, 5)
    out = strip_solutions(source, ["a.b"])
    assert out == source.replace("    return x\n    # END SOLUTION\n", "").replace(
        "    # BEGIN SOLUTION task=a.b\n", "    raise NotImplementedError('Task a.b: implement this part')\n")


def test_the_raise_names_what_the_code_after_the_region_reads():
    from scratchgen.coursework.markers import names_used_after

    source = (
        "def backward(ctx, grad):\n"
        "    out = 0\n"
        "    # BEGIN SOLUTION task=m.back\n"
        "    # BEGIN GIVEN\n"
        "    a, b = ctx.saved\n"
        "    # END GIVEN\n"
        "    grad_a, grad_b = grad * b, grad * a\n"
        "    self_total = out + 1\n"
        "    # END SOLUTION\n"
        "    return grad_b, grad_a, out, a\n"
    )
    (region,) = parse_regions(source)
    # out and a are visible to the student (before the region, given); self_total is not read after it
    assert names_used_after(source, region) == ["grad_b", "grad_a"]
    stripped = strip_solutions(source, ["m.back"])
    assert ("raise NotImplementedError('Task m.back: implement this part "
            "(define grad_b, grad_a: the lines after this one use them)')") in stripped
    # nothing after the region: the message is the hint alone
    assert strip_solutions(source.replace("    return grad_b, grad_a, out, a\n", ""), ["m.back"]).rstrip().endswith(
        "raise NotImplementedError('Task m.back: implement this part')")
