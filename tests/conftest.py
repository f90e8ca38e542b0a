"""Shared test configuration.

Hypothesis runs a small number of examples per property so that the whole
suite stays under two minutes on a 2-core machine; set
``HYPOTHESIS_PROFILE=thorough`` to run many more.
"""
import os

import matplotlib

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings

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
