"""Hypothesis profiles for the whole suite: ``ci`` (derandomized, no example
database) is loaded when the CI environment variable is set, ``dev`` otherwise.
Tests choose their own ``max_examples``; the profile decides reproducibility.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
