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


@pytest.fixture
def run_lecture(tmp_path, monkeypatch):
    """run_lecture("01_mle.py", figures) -> the script's namespace.

    Runs a lecture script in fast mode with its figures going to tmp_path,
    and checks that each named figure was written and is not empty.
    """
    import runpy
    from pathlib import Path

    lectures = Path(__file__).resolve().parent.parent / "lectures" / "lecture24_generative_modeling"

    def run(script, figures):
        monkeypatch.setenv("SCRATCHGEN_FAST", "1")
        monkeypatch.setenv("SCRATCHGEN_FIGURES_DIR", str(tmp_path))
        namespace = runpy.run_path(str(lectures / script), run_name="__main__")
        for name in figures:
            path = tmp_path / name
            assert path.exists() and path.stat().st_size > 1000, name
        return namespace
    return run
