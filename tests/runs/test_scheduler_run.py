"""A real scheduler run: secrets stay masked in task logs, and an Asset event starts
the ``after(...)`` pipeline.

``airflow dags test`` prints task output unmasked and never starts downstream
DAGs, so this runs Airflow for real (scheduler, dag-processor, api-server,
LocalExecutor, sqlite, the tenant pools imported from the generated
pools.json) on the realistic fixture's acme sales pipeline (trimmed to its
extract task, which reads a secret from an Airflow connection) and the
reporting pipeline that runs ``after(sales)``. The runner image prints its
environment in clear text; the task log file must show the secret as ``***``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipec.ir.model import Dag, Project, Schedule

from .projects import PRINTING_IMAGE, passwords
from .scheduler import Scheduler, all_log_text, task_log_events
from .test_docker_runs import write_dags

pytestmark = pytest.mark.slow

LOGICAL_DATE = "2024-03-05T06:00:00+00:00"


def _printing(task):
    return task.model_copy(
        update={"image": PRINTING_IMAGE, "entrypoint": (), "retries": 0, "upstream": ()}
    )


def scheduler_project() -> tuple[Project, Dag, Dag]:
    from codegen.fixtures_ir import project as realistic

    base = realistic("local")
    dags = {d.dag_id: d for d in base.dags}
    sales, reporting = dags["acme__sales"], dags["acme__reporting"]
    extract = next(t for t in sales.tasks if t.secrets and not t.upstream)
    sales = sales.model_copy(
        update={
            "schedule": Schedule(kind="manual"),
            "tasks": (_printing(extract),),
            "on_failure_emails": (),
        }
    )
    reporting = reporting.model_copy(update={"tasks": tuple(map(_printing, reporting.tasks))})
    assert reporting.schedule.asset_uri == sales.publishes
    return base.model_copy(update={"dags": (sales, reporting)}), sales, reporting


def _finished_run(airflow, dag_id: str):
    runs = [r for r in airflow.dag_runs(dag_id) if r["state"] in ("success", "failed")]
    return runs[0] if runs else None


def test_secrets_are_masked_and_the_asset_starts_the_after_pipeline(
    runner_images: None, new_airflow, tmp_path: Path
) -> None:
    project, sales, reporting = scheduler_project()
    secrets = passwords(project)
    dags = write_dags(project, tmp_path / "dags")
    airflow = new_airflow("scheduler", dags, secrets)
    for pools in sorted(dags.glob("*/pools.json")):
        airflow.cli("pools", "import", str(pools))
    scheduler = Scheduler(airflow)
    scheduler.start()
    try:
        wanted = {sales.dag_id, reporting.dag_id}
        scheduler.wait_for(
            "the DAGs to be parsed",
            lambda: wanted <= {r[0] for r in airflow.query("SELECT dag_id FROM serialized_dag")}
            or None,
        )
        airflow.cli("dags", "unpause", reporting.dag_id)
        airflow.cli("dags", "unpause", sales.dag_id)
        # With no logical date a manual run of Airflow 3 has none, and run.ds is undefined.
        airflow.cli("dags", "trigger", sales.dag_id, "--logical-date", LOGICAL_DATE)
        upstream = scheduler.wait_for("the sales run", lambda: _finished_run(airflow, sales.dag_id))
        assert upstream["state"] == "success", scheduler.component_logs()
        downstream = scheduler.wait_for(
            "the reporting run", lambda: _finished_run(airflow, reporting.dag_id)
        )
    finally:
        scheduler.stop()
    assert downstream["run_type"] == "asset_triggered"
    assert downstream["state"] == "success"
    assert airflow.task_states(reporting.dag_id, downstream["run_id"]) == {
        t.name: ("success", 1) for t in reporting.tasks
    }
    events = task_log_events(airflow.home, sales.dag_id)
    for task in sales.tasks:
        assert task.secrets, task.name
        for secret in task.secrets:
            assert f"PIPEC-ENV {secret.env_var}=***" in events[task.name], events[task.name]
    logs = all_log_text(airflow.home)
    assert "PIPEC-ENV" in logs
    for value in secrets.values():
        assert value not in logs
