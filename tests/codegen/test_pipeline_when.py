"""Pipeline-level `when ENV { ... }`: per-environment schedule, alerts, paused and retries,
and an environment's `registry` replacing the platform's in its images."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipec.driver import analyze

SOURCE = Path(__file__).parent / "pipeline_when.pipe"


def _dag(env: str):
    analysis = analyze([SOURCE], SOURCE.parent, env)
    assert analysis.project is not None, [d.message for d in analysis.errors]
    (dag,) = analysis.project.dags
    return dag


def test_when_block_sets_the_pipeline_settings_of_its_environment() -> None:
    prod, local = _dag("prod"), _dag("local")
    assert (prod.schedule.kind, prod.schedule.value) == ("cron", "0 6 * * *")
    assert (local.schedule.kind, local.schedule.value) == ("preset", "@hourly")
    assert (prod.retries, local.retries) == (3, 1)
    assert (prod.paused, local.paused) == (False, True)
    assert (prod.on_failure_emails, local.on_failure_emails) == (("oncall@example.com",), ())


@pytest.mark.parametrize(("env", "retries"), [("prod", 3), ("local", 1)])
def test_precedence_pipeline_when_below_runner_and_task(env: str, retries: int) -> None:
    tasks = {t.name: t for t in _dag(env).tasks}
    assert tasks["extract_orders"].retries == retries  # pipeline's when > pipeline
    assert tasks["extract_customers"].retries == 0  # task > pipeline's when


def test_environment_registry_replaces_the_platform_registry() -> None:
    images = {t.image for t in _dag("local").tasks} | {t.image for t in _dag("prod").tasks}
    assert images == {
        "localhost:5000/etl/postgres-runner:0.1.0",
        "registry.example.com/etl/postgres-runner:0.1.0",
    }
