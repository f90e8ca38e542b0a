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
