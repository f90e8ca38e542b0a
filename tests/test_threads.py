"""The thread policy: sg.set_num_threads / SCRATCHGEN_NUM_THREADS reach BLAS and Numba."""
import numba
import pytest

import scratchgen as sg
from scratchgen import threads
from scratchgen.cli import main


@pytest.fixture(autouse=True)
def restore_threads():
    before = sg.get_num_threads()
    with sg.num_threads(1):  # restores BLAS and Numba afterwards
        yield
    assert sg.get_num_threads() == before


def test_set_num_threads_changes_what_blas_and_numba_report():
    most = numba.config.NUMBA_NUM_THREADS
    for n in (1, 2):
        sg.set_num_threads(n)
        reported = sg.get_num_threads()
        assert reported["numba"] == numba.get_num_threads() == min(n, most)
        if reported["blas"] is None:
            pytest.skip("this BLAS does not report its thread count (no threadpoolctl, not OpenBLAS)")
        assert reported["blas"] == n


def test_num_threads_context_restores_the_previous_counts():
    sg.set_num_threads(1)
    with sg.num_threads(2):
        assert sg.get_num_threads()["numba"] == min(2, numba.config.NUMBA_NUM_THREADS)
    assert sg.get_num_threads()["numba"] == 1
    if sg.get_num_threads()["blas"] is not None:
        assert sg.get_num_threads()["blas"] == 1


@pytest.mark.parametrize("value, error, message", [
    (0, ValueError, r"set_num_threads: n must be >= 1, got 0"),
    (-2, ValueError, r"n must be >= 1, got -2"),
    (1.5, TypeError, r"n must be an int, got float 1.5"),
    ("2", TypeError, r"n must be an int, got str '2'"),
    (True, TypeError, r"n must be an int"),
])
def test_invalid_thread_counts_are_refused_in_one_line(value, error, message):
    with pytest.raises(error, match=message) as info:
        sg.set_num_threads(value)
    assert "\n" not in str(info.value)


def test_environment_variable_is_the_policy(monkeypatch):
    monkeypatch.setenv("SCRATCHGEN_NUM_THREADS", "2")
    assert sg.apply_thread_policy() == 2
    assert sg.get_num_threads()["numba"] == min(2, numba.config.NUMBA_NUM_THREADS)
    monkeypatch.delenv("SCRATCHGEN_NUM_THREADS")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    assert sg.apply_thread_policy() is None  # the default: one BLAS thread
    assert sg.get_num_threads()["blas"] in (1, None)


@pytest.mark.parametrize("text", ["abc", "0", "-1", "1.5"])
def test_bad_environment_variable_is_one_line_and_exit_2_from_the_cli(monkeypatch, capsys, text):
    monkeypatch.setenv("SCRATCHGEN_NUM_THREADS", text)
    with pytest.raises(ValueError, match=f"SCRATCHGEN_NUM_THREADS must be a positive integer, "
                                         f"got .*{text}"):
        threads.threads_from_environment()
    assert main(["sample", "ring", "--quick", "--no-figures", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SCRATCHGEN_NUM_THREADS" in err and "Traceback" not in err
