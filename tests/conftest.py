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
