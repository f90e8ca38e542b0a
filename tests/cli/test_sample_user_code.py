"""`scratchgen sample`: whatever a user's log-density does, one line and exit 2; options checked."""
import json

import pytest

from tests.cli.test_errors import check_clean_failure

LATE_FAILURES = {
    # module name: body of log_p after the first few calls succeed
    "late_raise": "raise ValueError('late trouble')",
    "late_exit": "sys.exit(0)",
    "late_loop": "while True:\n                pass",
}


def write_module(tmp_path, name, body):
    (tmp_path / f"{name}.py").write_text(
        "import sys\nCALLS = [0]\n\ndef log_p(x):\n    CALLS[0] += 1\n"
        f"    if CALLS[0] > 20:\n        if True:\n            {body}\n"
        "    return -0.5 * float(x @ x)\n")


def check_one_line(r, tmp_path, *words):
    assert r.status == 2 and len(r.err.splitlines()) == 1, r.err
    assert r.err.startswith("scratchgen: error:") and "Traceback" not in r.err
    for word in words:
        assert word in r.err, r.err
    assert leftovers(tmp_path) == []


def leftovers(tmp_path):
    return [p.name for p in tmp_path.iterdir() if not p.name.endswith(".py") and p.name != "__pycache__"]


@pytest.mark.parametrize("name, limit, words", [
    ("late_raise", "60", ["'late_raise:log_p'", "during sampling", "ValueError: late trouble"]),
    ("late_exit", "60", ["sys.exit(0)", "during sampling"]),
    ("late_loop", "0.5", ["did not finish within 0.5 s", "--time-limit"]),
])
def test_user_log_density_failing_after_the_first_call(cli, tmp_path, monkeypatch, name, limit,
                                                       words):
    monkeypatch.chdir(tmp_path)
    write_module(tmp_path, name, LATE_FAILURES[name])
    r = cli("sample", f"{name}:log_p", "--quick", "--no-figures", "--time-limit", limit,
            "--out", "run")
    check_one_line(r, tmp_path, *words)


@pytest.mark.parametrize("source, words", [
    ("import sys\nsys.exit(0)\n", ["importing exit_at_import", "sys.exit(0)"]),
    ("while True:\n    pass\n", ["importing loop_at_import", "did not finish within 0.3 s"]),
    ("import not_a_module_anywhere\n", ["importing bad_import", "ModuleNotFoundError",
                                        "not_a_module_anywhere"]),
    ("def log_p(x):\n    raise SystemExit(3)\n", ["on x of shape (2,)", "sys.exit(3)"]),
    ("def log_p(x):\n    while True:\n        pass\n", ["on x of shape (2,)", "within 0.3 s"]),
])
def test_user_module_import_and_first_call(cli, tmp_path, monkeypatch, source, words):
    monkeypatch.chdir(tmp_path)
    name = words[0].split()[-1] if words[0].startswith("importing") else "first_call"
    name = f"{name}_{abs(hash(source)) % 10 ** 6}" if name == "first_call" else name
    (tmp_path / f"{name}.py").write_text(source)
    r = cli("sample", f"{name}:log_p", "--quick", "--time-limit", "0.3", "--out", "run")
    check_one_line(r, tmp_path, *words[1:])


@pytest.mark.parametrize("argv, words", [
    (["ring", "--dim", "5"], ["--dim 5", "ring target is 2-D"]),
    (["gaussian", "--scale", "1e-320"], ["--scale 1e-320", "1e-06 to 1e+06"]),
    (["gaussian", "--scale", "1e308"], ["--scale 1e+308", "1e-06 to 1e+06"]),
    (["ring", "--engine", "numpy"], ["--engine", "'numpy'"]),
    (["ring", "--time-limit", "0"], ["--time-limit", "'0'"]),
])
def test_sample_options_refused_in_one_line(cli, tmp_path, argv, words):
    check_clean_failure(cli("sample", *argv, "--out", tmp_path / "run"), tmp_path, *words)


def test_sample_engine_option_same_decisions(cli, tmp_path):
    # The built-in ring on the python engine (point form) and the vectorized one: same seed,
    # same accept/reject decisions (the engines' exact relationship: tests/mcmc/test_engines.py;
    # the numba engine is not run here: compiling the kernel for the CLI's ring costs ~5-15 s).
    runs = {}
    for engine in ("python", "vectorized"):
        r = cli("sample", "ring", "--quick", "--no-figures", "--engine", engine, "--seed", "3",
                "--out", tmp_path / engine)
        assert r.status == 0, r.err
        runs[engine] = json.loads((tmp_path / engine / "summary.json").read_text())
        assert runs[engine]["engine"] == engine
    assert runs["python"]["acceptance_per_chain"] == runs["vectorized"]["acceptance_per_chain"]


def test_engine_numba_gets_the_compiled_point_form():
    from scratchgen.commands.sample import resolve_target
    from scratchgen.mcmc.engine_numba import is_numba_function
    for name in ("ring", "gaussian", "banana"):
        log_prob, dim, vectorized = resolve_target(name, engine="numba")
        assert is_numba_function(log_prob) and not vectorized and dim == 2
        assert not is_numba_function(resolve_target(name)[0]) and resolve_target(name)[2]
