"""Shared test configuration.

Hypothesis runs a small number of examples per property so that the whole
suite stays under two minutes on a 2-core machine; set
``HYPOTHESIS_PROFILE=thorough`` to run many more.
"""
import os

# Small matrix products (batches of 64) are 10x slower with several BLAS
# threads on a busy 2-core machine; the tests are about numbers, not speed.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default",
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(session, config, items):
    """Run the gradcheck-coverage meta-test last, and tell it whether this
    is a full run (all of tests/, no -k or -m selection)."""
    meta = [i for i in items if "zz_meta" in str(i.fspath)]
    others = [i for i in items if "zz_meta" not in str(i.fspath)]
    items[:] = others + meta
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    args = [os.path.abspath(a.split("::")[0]) for a in config.args]
    config.scratchgen_full_run = (
        args == [tests_dir] and not config.option.keyword
        and not config.option.markexpr)


LECTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "lectures", "lecture24_generative_modeling")


def _normalise(text):
    """Lower case, underscores as spaces, runs of whitespace as one space:
    'shuffled_words' ~ 'shuffled words', 'kneser-ney' ~ 'Kneser-Ney'."""
    import re
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip().lower()


def readme_section(script):
    """The lecture README's section of ``script`` ('05_mode_collapse.py'): from its
    '## 05_mode_collapse.py' heading to the next '## 0' heading."""
    import re
    with open(os.path.join(LECTURES, "README.md"), encoding="utf-8") as f:
        text = f.read()
    match = re.search(rf"^## {re.escape(script)}.*?(?=^## 0|\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"the lecture README has no '## {script}' section"
    return match.group(0)


def printed_structure(out, patterns=()):
    """The labels a lecture's printout is made of, to look up in its README section.

    * every column name of a printed markdown table (a '|' line followed by '|---');
    * every cell of its rows that holds no digit (row labels such as 'raw pixels');
    * group 1 of every match of each regex in ``patterns`` (re.MULTILINE), which
      must match at least once (so a pattern cannot silently stop applying).
    """
    import re
    labels = []
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            labels += [c.strip() for c in line.strip("|").split("|")]
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                labels += [c.strip() for c in row.strip("|").split("|")
                           if c.strip() and not re.search(r"\d", c)]
    for pattern in patterns:
        found = re.findall(pattern, out, re.MULTILINE)
        assert found, f"the printout no longer matches {pattern!r}"
        labels += [f if isinstance(f, str) else f[0] for f in found]
    return list(dict.fromkeys(labels))


def assert_printout_matches_readme(out, script, patterns=()):
    """Every label of the fast-mode printout (``printed_structure``) appears in the
    README section of ``script``: the tables the README states have the rows and
    columns the script prints (the numbers themselves come from the full mode)."""
    section = _normalise(readme_section(script))
    labels = printed_structure(out, patterns)
    missing = [label for label in labels if _normalise(label) not in section]
    assert not missing, f"printed by {script} but not in its README section: {missing}"


@pytest.fixture
def lecture_readme():
    """The printout-vs-README check's functions (for the tests of the check itself)."""
    import types
    return types.SimpleNamespace(printed_structure=printed_structure, readme_section=readme_section, lectures=LECTURES,
                                 assert_matches=assert_printout_matches_readme)


@pytest.fixture
def run_lecture(tmp_path, monkeypatch, capsys):
    """run_lecture("01_mle.py", figures, readme=patterns) -> the script's namespace.

    Runs a lecture script in fast mode with its figures going to tmp_path,
    checks that each named figure was written and is not empty, and, with
    ``readme``, that the printout's labels appear in the script's README
    section (``assert_printout_matches_readme``). The printout stays readable
    by the test through ``capsys``.
    """
    import runpy
    import sys
    from pathlib import Path

    def run(script, figures, readme=None):
        monkeypatch.setenv("SCRATCHGEN_FAST", "1")
        monkeypatch.setenv("SCRATCHGEN_FIGURES_DIR", str(tmp_path))
        namespace = runpy.run_path(str(Path(LECTURES) / script), run_name="__main__")
        for name in figures:
            path = tmp_path / name
            assert path.exists() and path.stat().st_size > 1000, name
        if readme is not None:
            out = capsys.readouterr().out
            sys.stdout.write(out)  # captured again, for the test's own capsys.readouterr()
            assert_printout_matches_readme(out, script, readme)
        return namespace
    return run
