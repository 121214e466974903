"""Every example's and the hostile fixture's ``local`` DAGs, run for real.

Each DAG goes through ``airflow dags reserialize`` and ``airflow dags test DAG_ID
DATE`` against a real Docker daemon, whose runner images (built by the fixtures)
record the command line and environment each container receives. Every task
must succeed, and every container must receive exactly the args, env, secrets
(from the Airflow connections ``<tenant>__<slot>``) and rendered run.* values
the IR gives, for the DAG run Airflow recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pendulum
import pytest

from pipec.codegen import generate
from pipec.ir.model import Project

from .airflow import Airflow
from .projects import FAILING_IMAGE, local_projects, passwords
from .records import expected, records_by_task, text

pytestmark = pytest.mark.slow

NAMES = sorted(local_projects())


def logical_date(project: Project) -> str:
    """A date some weeks after the project's start (a DAG has no tasks to run before it)."""
    return pendulum.parse(project.platform.start).add(days=33).to_date_string()


@dataclass
class DagTest:
    output: str
    returncode: int
    run: object  # sqlite3.Row of the DAG run
    tasks: dict[str, tuple[str, int]]


def write_dags(project: Project, root: Path) -> Path:
    for path, data in generate(project).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def dags_test(airflow: Airflow, dag_id: str, date: str) -> DagTest:
    proc = airflow.cli("dags", "test", dag_id, date, check=False)
    [run] = airflow.dag_runs(dag_id)
    return DagTest(
        proc.stdout + proc.stderr, proc.returncode, run, airflow.task_states(dag_id, run["run_id"])
    )


@pytest.fixture(scope="module")
def runs(runner_images: None, projects: dict[str, Project], migrated_db: Path, tmp_path_factory):
    """name -> (project, passwords, dag_id -> DagTest), each project run once, on demand."""
    import shutil

    done: dict[str, tuple] = {}

    def get(name: str) -> tuple:
        if name not in done:
            project = projects[name]
            home = tmp_path_factory.mktemp(f"airflow-{name}")
            shutil.copy(migrated_db, home / "airflow.db")
            secrets = passwords(project)
            airflow = Airflow(home, write_dags(project, home / "dags"), secrets)
            airflow.cli("dags", "reserialize")
            date = logical_date(project)
            tests = {d.dag_id: dags_test(airflow, d.dag_id, date) for d in project.dags if d.tasks}
            done[name] = (project, secrets, tests)
        return done[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_every_task_succeeds(runs, name: str) -> None:
    project, _, tests = runs(name)
    assert tests, f"{name} has no DAG with tasks"
    for dag in project.dags:
        if not dag.tasks:
            continue
        test = tests[dag.dag_id]
        assert test.returncode == 0, test.output[-5000:]
        assert test.run["state"] == "success", dag.dag_id
        assert test.tasks == {t.name: ("success", 1) for t in dag.tasks} | _publish(dag), dag.dag_id


def _publish(dag) -> dict[str, tuple[str, int]]:
    from pipec.codegen.names import PUBLISH_TASK_ID

    return {PUBLISH_TASK_ID: ("success", 1)} if dag.publishes else {}


@pytest.mark.parametrize("name", NAMES)
def test_containers_receive_what_the_ir_says(runs, name: str) -> None:
    project, secrets, tests = runs(name)
    for dag in project.dags:
        if not dag.tasks:
            continue
        test = tests[dag.dag_id]
        got = records_by_task(test.output)
        assert set(got) == {t.name for t in dag.tasks}, dag.dag_id
        for task in dag.tasks:
            want = expected(task, test.run, secrets)
            [received] = got[task.name]
            assert received.without_docker_defaults(dict(want.env)) == want, (
                f"{dag.dag_id}.{task.name}"
            )


def test_run_values_come_from_the_run_airflow_made(runs) -> None:
    """The quickstart's incremental extract gets run values of the run made for the date asked."""
    project, _, tests = runs("example-quickstart")
    test = tests["acme__sales"]
    [dag] = [d for d in project.dags if d.dag_id == "acme__sales"]
    task = next(t for t in dag.tasks if t.name == "extract_orders")
    dynamic = {name: value for name, value in task.env if not value.is_static}
    assert dynamic, "the quickstart's incremental extract uses no run value"
    [received] = records_by_task(test.output)["extract_orders"]
    assert test.run["logical_date"].startswith(logical_date(project))
    for name, value in dynamic.items():
        assert dict(received.env)[name] == text(value, test.run) != ""


def test_failing_container_fails_its_task_after_its_retries(
    runner_images: None, projects: dict[str, Project], new_airflow, tmp_path: Path
) -> None:
    """A container exiting 3 fails its task, tried 1 + retries times; downstream never runs."""
    project = projects["example-quickstart"]
    [dag] = [d for d in project.dags if d.dag_id == "acme__sales"]
    first = next(t for t in dag.tasks if not t.upstream)
    failing = first.model_copy(
        update={"image": FAILING_IMAGE, "retries": 2, "retry_delay_seconds": 1}
    )
    tasks = tuple(failing if t.name == first.name else t for t in dag.tasks)
    project = project.model_copy(update={"dags": (dag.model_copy(update={"tasks": tasks}),)})
    secrets = passwords(project)
    airflow = new_airflow("failing", write_dags(project, tmp_path / "dags"), secrets)
    airflow.cli("dags", "reserialize")
    test = dags_test(airflow, dag.dag_id, logical_date(project))
    assert test.run["state"] == "failed"
    assert test.tasks[first.name] == ("failed", 3)
    tries = records_by_task(test.output)[first.name]
    assert tries == [expected(failing, test.run, secrets)] * 3 or all(
        r.without_docker_defaults(dict(expected(failing, test.run, secrets).env))
        == expected(failing, test.run, secrets)
        for r in tries
    )
    assert len(tries) == 3
    downstream = {t.name for t in dag.tasks if first.name in t.upstream}
    assert downstream and all(test.tasks[n][0] == "upstream_failed" for n in downstream)


def test_missing_connection_fails_the_task_before_any_container_starts(
    runner_images: None, projects: dict[str, Project], new_airflow, tmp_path: Path
) -> None:
    """A secret whose Airflow connection is not defined fails its task; nothing runs."""
    project = projects["example-quickstart"]
    [dag] = [d for d in project.dags if d.dag_id == "acme__sales"]
    task = next(t for t in dag.tasks if t.secrets and not t.upstream)
    alone = dag.model_copy(update={"tasks": (task.model_copy(update={"retries": 0}),)})
    project = project.model_copy(update={"dags": (alone,)})
    secrets = passwords(project)
    missing = task.secrets[0].connection_id
    del secrets[missing]
    airflow = new_airflow("missing", write_dags(project, tmp_path / "dags"), secrets)
    airflow.cli("dags", "reserialize")
    test = dags_test(airflow, dag.dag_id, logical_date(project))
    assert test.run["state"] == "failed"
    assert test.tasks.pop(task.name) == ("failed", 1)
    assert all(state == "upstream_failed" for state, _ in test.tasks.values()), test.tasks
    assert records_by_task(test.output) == {}
    assert missing in test.output
