"""Every generated DAG imports through Airflow's DagBag and matches the IR."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pendulum
import pytest

from pipec.codegen.names import PUBLISH_TASK_ID
from pipec.ir.model import Dag, Project

from .fixtures_ir import CASES, ENVIRONMENTS

pytestmark = pytest.mark.slow

PARAMS = [(case, env) for case in sorted(CASES) for env in sorted(ENVIRONMENTS)]


@pytest.fixture(scope="module")
def bags(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from .runtime import load_dags

    loaded = {}
    for case, env in PARAMS:
        project = CASES[case](env)
        bag, _ = load_dags(project, tmp_path_factory.mktemp(f"{case}-{env}"))
        loaded[case, env] = (project, bag)
    return loaded


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_dags_import_without_errors(bags: dict, case: str, env: str) -> None:
    project, bag = bags[case, env]
    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    assert sorted(bag.dags) == [d.dag_id for d in project.dags]


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_dags_match_the_ir(bags: dict, case: str, env: str) -> None:
    from airflow.configuration import conf

    project, bag = bags[case, env]
    tenants = {t.name: t for t in project.tenants}
    for ir in project.dags:
        dag = bag.dags[ir.dag_id]
        _check_dag(project, ir, dag)
        for task in ir.tasks:
            op = dag.get_task(task.name)
            assert op.pool == tenants[ir.tenant].pool_name
            # no queue in the IR: no `queue=`, so Airflow's [operators] default_queue
            assert op.queue == (task.queue or conf.get("operators", "default_queue"))
            assert op.retries == task.retries
            assert op.retry_delay == timedelta(seconds=task.retry_delay_seconds)
            expected_timeout = task.timeout_seconds and timedelta(seconds=task.timeout_seconds)
            assert op.execution_timeout == expected_timeout
            assert op.owner == ir.owner
            assert op.task_group.group_id == f"layer-{task.layer}"
            assert op.task_group.label == task.layer
            assert op.upstream_task_ids == set(task.upstream)
            assert bool(_callbacks(op)) == bool(ir.on_failure_emails)
            assert (op.doc_md or "").rstrip("\n") == (task.doc or "")


def _callbacks(op) -> list:
    callbacks = op.on_failure_callback
    return list(callbacks) if isinstance(callbacks, list) else [callbacks] if callbacks else []


def _check_dag(project: Project, ir: Dag, dag) -> None:
    assert dag.catchup is ir.catchup
    assert dag.max_active_runs == ir.max_active_runs
    assert dag.is_paused_upon_creation is ir.paused
    start = pendulum.parse(project.platform.start, tz=project.platform.timezone)
    assert dag.start_date == start
    assert str(dag.timezone.name) == project.platform.timezone
    assert sorted(dag.tags) == sorted({ir.tenant, ir.pipeline, *ir.tags})
    expected_ids = {t.name for t in ir.tasks} | ({PUBLISH_TASK_ID} if ir.publishes else set())
    assert set(dag.task_ids) == expected_ids
    _check_schedule(ir, dag)
    assert (dag.doc_md or "").rstrip("\n") == (ir.doc or "")
    if ir.publishes:
        publish = dag.get_task(PUBLISH_TASK_ID)
        assert [o.uri for o in publish.outlets] == [ir.publishes]
        sinks = {t.name for t in ir.tasks} - {u for t in ir.tasks for u in t.upstream}
        assert publish.upstream_task_ids == sinks
        assert publish.downstream_task_ids == set()


_CRON_PRESETS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *"}


def _check_schedule(ir: Dag, dag) -> None:
    kind = ir.schedule.kind
    if kind == "manual":
        assert dag.schedule is None
    elif kind == "after":
        assert [a.uri for a in dag.schedule] == [ir.schedule.asset_uri]
    elif ir.schedule.value == "@once":
        assert dag.schedule == "@once"
    else:
        from airflow.timetables.interval import CronDataIntervalTimetable

        assert isinstance(dag.timetable, CronDataIntervalTimetable)
        assert dag.timetable.serialize() == {
            "expression": _CRON_PRESETS.get(ir.schedule.value, ir.schedule.value),
            "timezone": dag.timezone.name,
        }


def test_failure_notifier_is_the_smtp_provider(bags: dict) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    from .runtime import run_context

    project, bag = bags["realistic", "prod"]
    op = bag.dags["acme__sales"].get_task("fct_sales")
    [notifier] = _callbacks(op)
    assert isinstance(notifier, SmtpNotifier)
    notifier.render_template_fields(run_context(op.dag))
    assert notifier.to == ["oncall@example.com", "data-eng@example.com"]


def test_hostile_email_stays_literal(bags: dict) -> None:
    from .runtime import run_context

    _, bag = bags["hostile", "local"]
    op = bag.dags["acme__hostile"].get_task("hostile_static")
    [notifier] = _callbacks(op)
    notifier.render_template_fields(run_context(op.dag))
    assert notifier.to == ["{{ conn.x.password }}@example.com"]


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_dags_serialize_without_resolving_secrets(
    bags: dict, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's serialized form is built without any secret connection defined."""
    from .runtime import DagSerialization

    for name in ("AIRFLOW_CONN_ACME__WAREHOUSE", "AIRFLOW_CONN_GLOBEX__WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    _, bag = bags["realistic", env]
    for dag in bag.dags.values():
        data = DagSerialization.to_dict(dag)
        assert DagSerialization.from_dict(data).dag_id == dag.dag_id


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_serialized_tasks_hold_no_kubernetes_objects_or_needless_literals(
    bags: dict, case: str, env: str
) -> None:
    """What keeps the DAG processor's serialization (after every parse) cheap and readable.

    Kubernetes objects in template fields are written out field by field for every
    task: the pod's resources, /tmp volume and mount, and static env vars travel in
    ``full_pod_spec``, which is not serialized. A ``literal(...)`` is serialized as
    ``"LiteralValue(value=...)"`` (and shown so in the UI): only text that rendering
    could change is wrapped.
    """
    from pipec.codegen.airflow.operators import literal

    from .runtime import DagSerialization

    _, bag = bags[case, env]
    checked = 0
    for dag in bag.dags.values():
        serialized = {t["__var"]["task_id"]: t["__var"] for t in DagSerialization.to_dict(dag)["dag"]["tasks"]}
        for task in dag.tasks:
            fields = serialized[task.task_id]
            if task.task_type == "KubernetesPodOperator":
                assert "container_resources" not in fields
                assert fields["volumes"] == [] and fields["volume_mounts"] == []
                assert task.full_pod_spec is not None
                templated_env = any(isinstance(v.value, str) and "{{" in v.value for v in task.env_vars)
                assert templated_env or task.env_vars == []
            for name in task.template_fields:
                for value in _leaves(getattr(task, name, None)):
                    if type(value).__name__ == "LiteralValue":
                        assert type(literal(value.value)).__name__ == "Call", (task.task_id, name, value)
                        checked += 1
    assert case != "hostile" or checked > 0  # the hostile project's text needs literal()


def _leaves(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif hasattr(value, "openapi_types"):  # a Kubernetes object: the fields the operator renders
        yield from (getattr(value, attr, None) for attr in ("value", "name"))
    else:
        yield value


def test_dag_files_stay_under_dagbag_safe_mode_heuristic(tmp_path: Path) -> None:
    """Airflow's safe mode opens only files mentioning both "airflow" and "dag"."""
    from pipec.codegen import generate

    for path, data in generate(CASES["realistic"]("prod")).items():
        if path.endswith(".py"):
            assert b"airflow" in data.lower() and b"dag" in data.lower()


def test_docs_naming_a_markdown_file_stay_text(tmp_path: Path) -> None:
    """Airflow opens a DAG doc_md ending in ".md" as a file; pipec's docs never are."""
    from .runtime import load_dags

    secret = tmp_path / "secret.md"
    secret.write_text("SECRET CONTENT")
    project = CASES["realistic"]("local")
    dags = tuple(d.model_copy(update={"doc": str(secret)}) for d in project.dags)
    bag, _ = load_dags(project.model_copy(update={"dags": dags}), tmp_path / "out")
    for dag in bag.dags.values():
        assert dag.doc_md.rstrip("\n") == str(secret)


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_depends_on_builds_what_set_upstream_builds(
    bags: dict, case: str, env: str, tmp_path: Path
) -> None:
    """The files' ``depends_on`` skips only set_upstream's one-DAG check: the same DAGs,
    edge for edge and in their serialized form, as the files with set_upstream instead."""
    from pipec.codegen import generate
    from pipec.codegen.airflow.edges import DEPENDS_ON

    from .runtime import DagSerialization, dag_bag, write_tree

    project, bag = bags[case, env]
    header = DEPENDS_ON.splitlines()[0]
    by_set_upstream = f"{header}\n    task.set_upstream([task.dag.get_task(u) for u in upstream_ids])"
    files = generate(project)
    rewritten = {p: data.replace(DEPENDS_ON.encode(), by_set_upstream.encode()) for p, data in files.items()}
    dag_files = [p for p in files if p.endswith(".py")]
    with_edges = [p for p in dag_files if b"depends_on(" in files[p]]
    assert with_edges and all(files[p] != rewritten[p] for p in with_edges)
    reference = dag_bag(write_tree(rewritten, tmp_path))
    assert reference.import_errors == {}
    assert sorted(reference.dags) == sorted(bag.dags)
    for dag_id, dag in bag.dags.items():
        expected = reference.dags[dag_id]
        assert _edges(dag) == _edges(expected)
        assert _serialized(dag, DagSerialization) == _serialized(expected, DagSerialization)


def _edges(dag) -> dict[str, tuple[set[str], set[str]]]:
    return {t.task_id: (t.upstream_task_ids, t.downstream_task_ids) for t in dag.tasks}


def _serialized(dag, serialization) -> dict:
    data = serialization.to_dict(dag)["dag"]
    for key in ("fileloc", "relative_fileloc"):
        data.pop(key, None)
    return data
