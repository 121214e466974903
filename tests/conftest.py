"""Hypothesis profiles for the whole suite: ``ci`` (derandomized, no example
database) is loaded when the CI environment variable is set, ``dev`` otherwise,
and ``fuzz`` with ``PIPEC_FUZZ=1`` or ``HYPOTHESIS_PROFILE=fuzz`` (also under CI):
random, with the example database so a failure replays, and ``PIPEC_FUZZ_SCALE``
(default 20 under ``fuzz``) multiplying the examples of the property and fuzz
tests (tests/frontend/test_properties.py, tests/fuzz/test_fuzz.py).
Tests choose their own ``max_examples``; the profile decides reproducibility.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("fuzz", deadline=None, max_examples=2000, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

FUZZ = os.environ.get("PIPEC_FUZZ") == "1" or os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
if FUZZ:
    os.environ.setdefault("PIPEC_FUZZ_SCALE", "20")
settings.load_profile("fuzz" if FUZZ else "ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_sessionstart(session) -> None:
    """Write the examples' dbt manifests with real `dbt parse` (in .venv-dbt) before any test.

    `make test` does the same before pytest; this keeps a bare `pytest` run
    correct too. make does nothing when the manifests are up to date.
    """
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if shutil.which("make") is None or not (root / "Makefile").is_file():
        return
    proc = subprocess.run(["make", "-s", "dbt-manifests"], cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"`make dbt-manifests` failed:\n{proc.stdout}\n{proc.stderr}")
