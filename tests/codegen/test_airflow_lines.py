"""The supported Airflow lines: 3.0 (oldest) to 3.3 (newest).

This suite runs on the newest line (the main venv). This test runs the
Airflow-facing suites again in ``.venv-airflow30`` (Airflow 3.0.6 with the oldest
provider releases that work on it, pinned in the Makefile; ``make test`` builds
it): DagBag with zero import errors, pods equal to the emitted YAML, and the
values containers receive. A missing venv, a skip or a failure there fails here.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
OLDEST = ROOT / ".venv-airflow30" / "bin" / "python"
SUITES = (
    "test_dagbag.py",
    "test_pods.py",
    "test_runtime.py",
    "test_examples.py",
    "test_shared_objects.py",
    "test_tables.py",
    "test_operators.py",
)


def _versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json; print(json.dumps({d: m.version(d) for d in "
        "('apache-airflow', 'apache-airflow-task-sdk', 'apache-airflow-providers-cncf-kubernetes',"
        " 'apache-airflow-providers-docker', 'apache-airflow-providers-smtp')}))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout)


def test_airflow_suites_pass_on_the_oldest_supported_line() -> None:
    if not OLDEST.exists():
        pytest.fail(f"{OLDEST.parent.parent.name} is missing: run `make setup-airflow30` (make test does)")
    versions = _versions(OLDEST)
    assert versions["apache-airflow"].startswith("3.0."), versions
    proc = subprocess.run(
        [OLDEST, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"tests/codegen/{s}" for s in SUITES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0, f"on {versions}:\n{proc.stdout[-20000:]}\n{proc.stderr[-5000:]}"
    assert re.fullmatch(r"\d+ passed(, \d+ warnings?)? in .*", summary), f"on {versions}: {summary}"


def test_main_venv_is_the_newest_supported_line() -> None:
    import airflow

    assert airflow.__version__.startswith("3.3."), airflow.__version__
